#include "ui/compare/diff_view.h"

#include <algorithm>

#include "models/report/word_diff.h"

namespace assay::ui {

namespace {

int wordCount(const QString &text)
{
    int words = 0;
    for (const QString &token : report::wordTokens(text)) {
        if (!token.trimmed().isEmpty())
            ++words;
    }
    return words;
}

} // namespace

// QTextBrowser's HTML collapses line breaks and runs of spaces otherwise.
QString DiffView::escapedText(const QString &text)
{
    QString html = text.toHtmlEscaped();
    html.replace(QLatin1Char('\n'), QStringLiteral("<br/>"));
    return html;
}

DiffView::DiffView(QWidget *parent) : QTextBrowser(parent)
{
    setObjectName(QStringLiteral("compareDiffView"));
    setOpenLinks(false);
    setOpenExternalLinks(false);
    setUndoRedoEnabled(false);
    setPlaceholderText(tr("Select a cell to see how its answer differs from the baseline."));
}

QString DiffView::diffHtml(const QString &before, const QString &after, int *inserted, int *deleted)
{
    return segmentsHtml(report::wordDiff(before, after), inserted, deleted);
}

QString DiffView::segmentsHtml(const QList<report::DiffSegment> &segments, int *inserted, int *deleted)
{
    int ins = 0;
    int del = 0;
    QString html;
    for (const report::DiffSegment &segment : segments) {
        const QString text = escapedText(segment.text);
        switch (segment.kind) {
        case report::DiffSegment::Kind::Equal:
            html += text;
            break;
        case report::DiffSegment::Kind::Delete:
            del += wordCount(segment.text);
            html += QStringLiteral("<span style=\"background-color:#ffd7d5; color:#82071e; "
                                   "text-decoration:line-through;\">%1</span>")
                        .arg(text);
            break;
        case report::DiffSegment::Kind::Insert:
            ins += wordCount(segment.text);
            html += QStringLiteral("<span style=\"background-color:#ccffd8; color:#055d20;\">%1</span>")
                        .arg(text);
            break;
        }
    }
    if (inserted)
        *inserted = ins;
    if (deleted)
        *deleted = del;
    return html;
}

void DiffView::showDiff(const QString &beforeLabel, const QString &before, const QString &afterLabel,
                        const QString &after)
{
    showSegments(beforeLabel, afterLabel, report::wordDiff(before, after));
}

void DiffView::showSegments(const QString &beforeLabel, const QString &afterLabel,
                            const QList<report::DiffSegment> &segments, const QString &extraHtml)
{
    const QString body = segmentsHtml(segments, &m_inserted, &m_deleted);
    m_identical = std::all_of(segments.cbegin(), segments.cend(), [](const report::DiffSegment &segment) {
        return segment.kind == report::DiffSegment::Kind::Equal;
    });
    QString summary;
    if (m_identical)
        summary = tr("identical");
    else
        summary = tr("+%1 words, −%2 words").arg(m_inserted).arg(m_deleted);
    const QString caption =
        tr("<p style=\"color:gray;\"><b>%1</b> against baseline <b>%2</b> — %3</p>")
            .arg(afterLabel.toHtmlEscaped(), beforeLabel.toHtmlEscaped(), summary.toHtmlEscaped());
    setHtml(caption + QStringLiteral("<p>") + body + QStringLiteral("</p>") + extraHtml);
}

void DiffView::showMessage(const QString &message)
{
    m_inserted = m_deleted = 0;
    m_identical = false;
    setHtml(QStringLiteral("<p style=\"color:gray;\">%1</p>").arg(message.toHtmlEscaped()));
}

} // namespace assay::ui
