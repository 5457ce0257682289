#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QString>

#include "models/compare/comparison.h"

namespace assay::compare {

// Exports a comparison like the run reports: deterministic except the generated-at line, all
// model and input text escaped (HTML) or fenced/escaped (Markdown), never a key (a Comparison
// holds none). The HTML is one self-contained file (inline CSS, no scripts, no external URLs).
class ComparisonExport {
public:
    struct Options {
        QDateTime generatedAt = QDateTime::currentDateTimeUtc();
        bool includeDiffs = true;     // word diff vs baseline for differing cells
        bool includeRepeats = true;   // stability groups when repeats > 1
        int maxTextChars = 20000;     // longer outputs are cut with a note
    };
    static QByteArray html(const Comparison &comparison, const Options &options);
    static QByteArray markdown(const Comparison &comparison, const Options &options);
    static QByteArray html(const Comparison &comparison) { return html(comparison, Options{}); }
    static QByteArray markdown(const Comparison &comparison) { return markdown(comparison, Options{}); }
};

} // namespace assay::compare
