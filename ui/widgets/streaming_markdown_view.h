#pragma once

#include <QColor>
#include <QHash>
#include <QString>
#include <QTextBrowser>

class QTextDocument;
class QTextCursor;
class QTextBlock;
class QTextList;
class QTextTable;

namespace assay::ui {

// Renders Markdown that grows at its end (a streamed answer) into a QTextDocument without
// re-rendering what is already settled: the text is split at block boundaries that later text
// cannot change (a blank line outside a code fence, followed by a line that starts a new
// top-level block). Settled blocks are rendered once; only the unsettled tail is re-rendered on
// each update. Fenced code blocks become framed monospace boxes.
class StreamingMarkdownRenderer {
public:
    struct Style {
        QColor codeBackground{0xf6, 0xf8, 0xfa};
        QColor codeBorder{0xd8, 0xde, 0xe4};
        QColor inlineCodeBackground{0xef, 0xf1, 0xf3};
        QColor quoteText{0x59, 0x63, 0x6e};
    };

    explicit StreamingMarkdownRenderer(QTextDocument *document);

    void setStyle(const Style &style) { m_style = style; }

    // Shows `markdown`. When it extends what was shown, only the unsettled tail is re-rendered;
    // otherwise everything is rendered again.
    void update(const QString &markdown);
    void reset();

    const QString &source() const { return m_source; }
    // How much of source() is settled (rendered once and never touched again).
    qsizetype settledLength() const { return m_settled; }

    // The furthest offset > `from` (a settled boundary of `text`) where `text` can be split so
    // that rendering the two halves apart equals rendering them together; `from` if none.
    static qsizetype settledBoundary(QStringView text, qsizetype from);

private:
    void removeTail();
    void appendRendered(const QString &markdown);
    void copyBlock(QTextCursor &cursor, const QTextBlock &block, bool reuseCurrentBlock);
    void copyTable(QTextCursor &cursor, QTextTable *table);
    void beginTail();

    QTextDocument *m_document;
    Style m_style;
    QString m_source;
    qsizetype m_settled = 0;
    int m_tailStart = 0; // document position of the (empty) block where the tail begins
    QHash<const QTextList *, QTextList *> m_lists; // source list -> its copy, within one chunk
};

// A read-only Markdown view that grows to fit its document (no scroll bar of its own), meant
// to sit in a scroll area with other parts of a response.
class StreamingMarkdownView : public QTextBrowser {
    Q_OBJECT
public:
    explicit StreamingMarkdownView(QWidget *parent = nullptr);

    // QTextDocumentLayout reports the size of a small change only from a 0 ms timer: take the
    // new height now, so the change and the relayout it causes reach the screen in one paint.
    void showMarkdown(const QString &markdown)
    {
        m_renderer.update(markdown);
        updateHeight();
    }
    const QString &markdownSource() const { return m_renderer.source(); }
    StreamingMarkdownRenderer &renderer() { return m_renderer; }
    void setMuted(bool muted);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void updateHeight();
    void applyPalette();

    StreamingMarkdownRenderer m_renderer;
    int m_height = 0;
    bool m_muted = false;
};

} // namespace assay::ui
