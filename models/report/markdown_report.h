#pragma once

#include <QByteArray>
#include <QString>

#include "models/report/report_input.h"

namespace assay::report {

// Inline text for GitHub-flavoured Markdown (table cells, headings): HTML is neutralised (GitHub
// renders inline HTML), Markdown punctuation is backslash-escaped and line breaks become spaces.
QString markdownInline(const QString &text);

class MarkdownReport {
public:
    // UTF-8, secrets scrubbed, deterministic for the same input (but for the generated-at line).
    static QByteArray render(const ReportInput &input, const ReportOptions &options = {});
};

} // namespace assay::report
