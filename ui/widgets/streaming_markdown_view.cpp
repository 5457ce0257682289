#include "ui/widgets/streaming_markdown_view.h"

#include <QAbstractTextDocumentLayout>
#include <QEvent>
#include <QFontDatabase>
#include <QHash>
#include <QScrollBar>
#include <QTextBlock>
#include <QTextCursor>
#include <QTextDocument>
#include <QTextFrame>
#include <QTextList>
#include <QTextTable>
#include <QtMath>

namespace assay::ui {

namespace {

bool isCodeBlock(const QTextBlockFormat &format)
{
    return format.hasProperty(QTextFormat::BlockCodeFence) ||
           format.hasProperty(QTextFormat::BlockCodeLanguage) || format.nonBreakableLines();
}

bool isInlineCode(const QTextCharFormat &format)
{
    if (format.fontFixedPitch())
        return true;
    const QStringList families = format.fontFamilies().toStringList();
    return !families.isEmpty() && families.first() == QLatin1String("monospace");
}

QStringList monospaceFamilies()
{
    static const QStringList families = [] {
        QStringList list = QFontDatabase::systemFont(QFontDatabase::FixedFont).families();
        list << QStringLiteral("DejaVu Sans Mono") << QStringLiteral("monospace");
        return list;
    }();
    return families;
}

// Does `line` (the line after a blank one) start a block that cannot continue what came before:
// not indented (a continuation or indented code), not a list item (a list can go on after a
// blank line)? An undecidable prefix (just digits so far) waits for more text.
bool startsTopLevelBlock(QStringView line, bool complete)
{
    if (line.isEmpty())
        return false;
    const QChar first = line.front();
    if (first.isSpace())
        return false;
    if (first == QLatin1Char('-') || first == QLatin1Char('+') || first == QLatin1Char('*'))
        return false;
    if (first.isDigit()) {
        qsizetype i = 0;
        while (i < line.size() && line[i].isDigit())
            ++i;
        if (i == line.size())
            return complete;
        return line[i] != QLatin1Char('.') && line[i] != QLatin1Char(')');
    }
    return true;
}

// A fence opener or closer: three or more backticks or tildes after optional indentation.
int fenceLength(QStringView trimmed, QChar *fenceChar)
{
    if (trimmed.size() < 3)
        return 0;
    const QChar c = trimmed.front();
    if (c != QLatin1Char('`') && c != QLatin1Char('~'))
        return 0;
    int n = 0;
    while (n < trimmed.size() && trimmed[n] == c)
        ++n;
    if (n < 3)
        return 0;
    *fenceChar = c;
    return n;
}

} // namespace

// --- StreamingMarkdownRenderer -----------------------------------------------------------------

StreamingMarkdownRenderer::StreamingMarkdownRenderer(QTextDocument *document) : m_document(document) {}

qsizetype StreamingMarkdownRenderer::settledBoundary(QStringView text, qsizetype from)
{
    qsizetype boundary = from;
    bool inFence = false;
    QChar fenceChar;
    int fenceSize = 0;
    bool previousBlank = false;
    qsizetype pos = from;
    const qsizetype size = text.size();
    while (pos < size) {
        const qsizetype newline = text.indexOf(QLatin1Char('\n'), pos);
        const bool complete = newline >= 0;
        const QStringView line = text.mid(pos, (complete ? newline : size) - pos);
        if (!inFence && previousBlank && startsTopLevelBlock(line, complete))
            boundary = pos;
        if (!complete)
            break;

        const QStringView trimmed = line.trimmed();
        QChar c;
        const int fence = fenceLength(trimmed, &c);
        if (!inFence && fence > 0) {
            inFence = true;
            fenceChar = c;
            fenceSize = fence;
            previousBlank = false;
        } else if (inFence) {
            // A closer is only the fence characters (at least as many as the opener).
            if (fence >= fenceSize && c == fenceChar && trimmed.size() == fence)
                inFence = false;
            previousBlank = false;
        } else {
            previousBlank = trimmed.isEmpty();
        }
        pos = newline + 1;
    }
    return boundary;
}

void StreamingMarkdownRenderer::reset()
{
    m_document->clear();
    m_source.clear();
    m_settled = 0;
    m_tailStart = 0;
}

void StreamingMarkdownRenderer::update(const QString &markdown)
{
    if (markdown == m_source)
        return;
    if (m_settled > 0 && QStringView(markdown).left(m_settled) != QStringView(m_source).left(m_settled))
        reset();

    removeTail();
    const qsizetype settled = settledBoundary(markdown, m_settled);
    if (settled > m_settled) {
        appendRendered(markdown.mid(m_settled, settled - m_settled));
        m_settled = settled;
        beginTail();
    }
    if (markdown.size() > m_settled)
        appendRendered(markdown.mid(m_settled));
    m_source = markdown;
}

// The document always ends with the empty block at m_tailStart, followed by the tail's content.
void StreamingMarkdownRenderer::removeTail()
{
    QTextCursor cursor(m_document);
    cursor.beginEditBlock();
    cursor.setPosition(m_tailStart);
    cursor.movePosition(QTextCursor::End, QTextCursor::KeepAnchor);
    if (cursor.hasSelection())
        cursor.removeSelectedText();
    cursor.setPosition(m_tailStart);
    if (QTextList *list = cursor.block().textList())
        list->remove(cursor.block());
    cursor.setBlockFormat(QTextBlockFormat());
    cursor.setBlockCharFormat(QTextCharFormat());
    cursor.endEditBlock();
}

void StreamingMarkdownRenderer::beginTail()
{
    QTextCursor cursor(m_document);
    cursor.movePosition(QTextCursor::End);
    // After a frame (a code box) the document already ends with an empty block of its own.
    if (!cursor.block().text().isEmpty() || cursor.block().textList() ||
        cursor.block().blockFormat() != QTextBlockFormat()) {
        cursor.insertBlock(QTextBlockFormat(), QTextCharFormat());
    }
    m_tailStart = cursor.block().position();
}

void StreamingMarkdownRenderer::appendRendered(const QString &markdown)
{
    QTextDocument chunk;
    // Model output is never trusted markup: raw HTML in it shows as text, not as elements.
    chunk.setMarkdown(markdown, QTextDocument::MarkdownFeatures(QTextDocument::MarkdownDialectGitHub) | QTextDocument::MarkdownNoHTML);

    QTextCursor cursor(m_document);
    cursor.beginEditBlock();
    cursor.movePosition(QTextCursor::End);
    bool reuse = true; // the document ends with an empty block (the tail's)
    QTextFrame *codeFrame = nullptr;
    bool reuseInFrame = false;
    m_lists.clear();

    // An empty block right before a frame or table would show as a blank line: flatten it.
    const auto collapseEmptyBlock = [&cursor]() {
        QTextBlockFormat flat;
        flat.setLineHeight(1, QTextBlockFormat::FixedHeight);
        flat.setTopMargin(0);
        flat.setBottomMargin(0);
        QTextCharFormat tiny;
        tiny.setFontPointSize(1);
        cursor.setBlockFormat(flat);
        cursor.setBlockCharFormat(tiny);
    };

    for (auto it = chunk.rootFrame()->begin(); !it.atEnd(); ++it) {
        if (QTextFrame *frame = it.currentFrame()) {
            auto *table = qobject_cast<QTextTable *>(frame);
            if (!table)
                continue;
            if (codeFrame) {
                cursor.setPosition(codeFrame->lastPosition() + 1);
                codeFrame = nullptr;
                reuse = true;
            }
            if (reuse)
                collapseEmptyBlock();
            copyTable(cursor, table);
            reuse = true;
            continue;
        }
        const QTextBlock block = it.currentBlock();
        if (!block.isValid())
            continue;
        if (isCodeBlock(block.blockFormat())) {
            if (!codeFrame) {
                if (reuse)
                    collapseEmptyBlock();
                QTextFrameFormat box;
                box.setBackground(m_style.codeBackground);
                box.setBorder(1);
                box.setBorderBrush(m_style.codeBorder);
                box.setBorderStyle(QTextFrameFormat::BorderStyle_Solid);
                box.setPadding(8);
                box.setTopMargin(4);
                box.setBottomMargin(6);
                codeFrame = cursor.insertFrame(box);
                reuseInFrame = true;
            }
            copyBlock(cursor, block, reuseInFrame);
            reuseInFrame = false;
            continue;
        }
        if (codeFrame) {
            cursor.setPosition(codeFrame->lastPosition() + 1);
            codeFrame = nullptr;
            reuse = true;
        }
        copyBlock(cursor, block, reuse);
        reuse = false;
    }
    if (codeFrame)
        cursor.setPosition(codeFrame->lastPosition() + 1);
    cursor.endEditBlock();
}

void StreamingMarkdownRenderer::copyBlock(QTextCursor &cursor, const QTextBlock &block,
                                          bool reuseCurrentBlock)
{
    QTextBlockFormat blockFormat = block.blockFormat();
    QTextCharFormat charFormat = block.charFormat();
    const bool code = isCodeBlock(blockFormat);
    const bool quote = blockFormat.intProperty(QTextFormat::BlockQuoteLevel) > 0;
    if (code) {
        // The box has no horizontal scroll bar: long code lines wrap rather than vanish.
        blockFormat.setNonBreakableLines(false);
        blockFormat.setTopMargin(0);
        blockFormat.setBottomMargin(0);
        charFormat.setFontFamilies(monospaceFamilies());
    } else if (blockFormat.headingLevel() > 0) {
        blockFormat.setTopMargin(blockFormat.headingLevel() <= 2 ? 12 : 8);
        blockFormat.setBottomMargin(4);
    }
    if (reuseCurrentBlock) {
        cursor.setBlockFormat(blockFormat);
        cursor.setBlockCharFormat(charFormat);
    } else {
        cursor.insertBlock(blockFormat, charFormat);
    }
    if (QTextList *source = block.textList()) {
        const auto found = m_lists.constFind(source);
        if (found == m_lists.constEnd())
            m_lists.insert(source, cursor.createList(source->format()));
        else
            found.value()->add(cursor.block());
    }
    for (auto it = block.begin(); !it.atEnd(); ++it) {
        const QTextFragment fragment = it.fragment();
        if (!fragment.isValid())
            continue;
        QTextCharFormat format = fragment.charFormat();
        if (format.isImageFormat()) {
            cursor.insertImage(format.toImageFormat());
            continue;
        }
        if (code) {
            format.setFontFamilies(monospaceFamilies());
        } else if (quote) {
            format.setForeground(m_style.quoteText);
        }
        if (!code && isInlineCode(format)) {
            format.setFontFamilies(monospaceFamilies());
            format.setBackground(m_style.inlineCodeBackground);
        }
        cursor.insertText(fragment.text(), format);
    }
}

void StreamingMarkdownRenderer::copyTable(QTextCursor &cursor, QTextTable *table)
{
    QTextTableFormat format = table->format();
    format.setBorder(1);
    format.setBorderBrush(m_style.codeBorder);
    format.setBorderStyle(QTextFrameFormat::BorderStyle_Solid);
    format.setBorderCollapse(true);
    format.setCellSpacing(0);
    format.setCellPadding(5);
    format.setTopMargin(4);
    format.setBottomMargin(6);
    QTextTable *copy = cursor.insertTable(table->rows(), table->columns(), format);
    const auto lists = m_lists;
    for (int row = 0; row < table->rows(); ++row) {
        for (int column = 0; column < table->columns(); ++column) {
            const QTextTableCell source = table->cellAt(row, column);
            QTextTableCell target = copy->cellAt(row, column);
            if (!source.isValid() || !target.isValid())
                continue;
            QTextTableCellFormat cellFormat = source.format().toTableCellFormat();
            if (row == 0)
                cellFormat.setBackground(m_style.codeBackground);
            target.setFormat(cellFormat);
            QTextCursor cellCursor = target.firstCursorPosition();
            bool first = true;
            for (auto it = source.begin(); !it.atEnd(); ++it) {
                const QTextBlock block = it.currentBlock();
                if (!block.isValid())
                    continue;
                copyBlock(cellCursor, block, first);
                first = false;
            }
        }
    }
    m_lists = lists;
    cursor.setPosition(copy->lastPosition() + 1);
}

// --- StreamingMarkdownView ---------------------------------------------------------------------

StreamingMarkdownView::StreamingMarkdownView(QWidget *parent) : QTextBrowser(parent), m_renderer(document())
{
    setOpenExternalLinks(true);
    setFrameShape(QFrame::NoFrame);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    setTextInteractionFlags(Qt::TextBrowserInteraction | Qt::TextSelectableByKeyboard);
    setFocusPolicy(Qt::ClickFocus);
    document()->setDocumentMargin(2);
    connect(document()->documentLayout(), &QAbstractTextDocumentLayout::documentSizeChanged, this,
            [this]() { updateHeight(); });
    applyPalette();
    updateHeight();
}

void StreamingMarkdownView::setMuted(bool muted)
{
    m_muted = muted;
    applyPalette();
}

void StreamingMarkdownView::applyPalette()
{
    StreamingMarkdownRenderer::Style style;
    const QPalette base = parentWidget() ? parentWidget()->palette() : palette();
    const QColor background = base.color(QPalette::Base);
    const bool dark = background.lightnessF() < 0.5;
    style.codeBackground = dark ? background.lighter(130) : QColor(0xf6, 0xf8, 0xfa);
    style.codeBorder = dark ? background.lighter(170) : QColor(0xd8, 0xde, 0xe4);
    style.inlineCodeBackground = dark ? background.lighter(150) : QColor(0xee, 0xf0, 0xf3);
    style.quoteText = base.color(QPalette::PlaceholderText);
    m_renderer.setStyle(style);

    QPalette p = palette();
    if (m_muted) {
        QColor muted = base.color(QPalette::Text);
        muted.setAlphaF(0.62);
        p.setColor(QPalette::Text, muted);
    } else {
        p.setColor(QPalette::Text, base.color(QPalette::Text));
    }
    setPalette(p);
}

QSize StreamingMarkdownView::sizeHint() const
{
    return {QTextBrowser::sizeHint().width(), m_height};
}

QSize StreamingMarkdownView::minimumSizeHint() const
{
    return {50, m_height};
}

void StreamingMarkdownView::resizeEvent(QResizeEvent *event)
{
    QTextBrowser::resizeEvent(event);
    updateHeight();
}

void StreamingMarkdownView::changeEvent(QEvent *event)
{
    QTextBrowser::changeEvent(event);
    if (event->type() == QEvent::ParentChange)
        applyPalette();
}

void StreamingMarkdownView::updateHeight()
{
    const QMargins margins = contentsMargins();
    const int height = qCeil(document()->size().height()) + margins.top() + margins.bottom();
    if (height == m_height)
        return;
    m_height = height;
    setFixedHeight(height);
}

} // namespace assay::ui
