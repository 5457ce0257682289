#pragma once

#include <QList>
#include <QString>
#include <QTextBrowser>

namespace assay::report {
struct DiffSegment;
}

namespace assay::ui {

// The word-level differences of a cell's answer against the baseline cell of the same row:
// removed words struck through on red, added words on green. Model output is plain text, never
// HTML: every segment is escaped before it is wrapped in the markup that colours it.
class DiffView : public QTextBrowser {
    Q_OBJECT
public:
    explicit DiffView(QWidget *parent = nullptr);

    // Shows `after` against `before`, with a caption line naming both sides.
    void showDiff(const QString &beforeLabel, const QString &before, const QString &afterLabel,
                  const QString &after);
    // The same from a diff already computed (baseline -> cell); `extraHtml` (already escaped) is
    // appended below, e.g. the distinct answers of repeats.
    void showSegments(const QString &beforeLabel, const QString &afterLabel,
                      const QList<report::DiffSegment> &segments, const QString &extraHtml = QString());
    // No cell selected, or the baseline cell itself: a hint instead of a diff.
    void showMessage(const QString &message);

    // Counts of the last diff, in words (whitespace ignored).
    int insertedWords() const { return m_inserted; }
    int deletedWords() const { return m_deleted; }
    bool isIdentical() const { return m_identical; }

    // The HTML body for `after` against `before` (escaped text, <del>/<ins> spans with inline
    // styles so the markup reads the same in an exported report).
    static QString diffHtml(const QString &before, const QString &after, int *inserted = nullptr,
                            int *deleted = nullptr);
    static QString segmentsHtml(const QList<report::DiffSegment> &segments, int *inserted = nullptr,
                                int *deleted = nullptr);
    // Escaped text with its line breaks kept.
    static QString escapedText(const QString &text);

private:
    int m_inserted = 0;
    int m_deleted = 0;
    bool m_identical = false;
};

} // namespace assay::ui
