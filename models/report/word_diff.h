#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace assay::report {

struct DiffSegment {
    enum class Kind { Equal, Delete, Insert };
    Kind kind = Kind::Equal;
    QString text;
    bool operator==(const DiffSegment &other) const { return kind == other.kind && text == other.text; }
};

// Words (runs of letters, digits, '_' and inner apostrophes), whitespace runs, and single other
// characters. Concatenated, the tokens are the text again.
QStringList wordTokens(const QString &text);

// A minimal word-level diff (Myers' O(ND) over wordTokens()). Equal + Delete segments spell
// `before`, Equal + Insert segments spell `after`; adjacent segments of one kind are merged and,
// inside a changed stretch, the deletion comes before the insertion. Very different long texts
// (more than `maxEdits` token edits) come back as one deletion and one insertion around the
// common prefix and suffix, so the cost stays bounded.
QList<DiffSegment> wordDiff(const QString &before, const QString &after, int maxEdits = 2000);

} // namespace assay::report
