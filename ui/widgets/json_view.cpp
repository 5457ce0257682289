#include "ui/widgets/json_view.h"

#include <QEvent>
#include <QFontDatabase>

namespace assay::ui {

JsonView::JsonView(QWidget *parent) : QsciScintilla(parent)
{
    setUtf8(true);
    m_lexer = new QsciLexerJSON(this);
    m_lexer->setHighlightComments(false);
    setLexer(m_lexer);
    setWrapMode(WrapWord);
    setWrapIndentMode(WrapIndentIndented);
    setWrapVisualFlags(WrapFlagNone);
    setIndentationsUseTabs(false);
    setIndentationWidth(2);
    setTabWidth(2);
    setAutoIndent(true);
    setBraceMatching(SloppyBraceMatch);
    setEolMode(EolUnix);
    setCaretLineVisible(false);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    SendScintilla(SCI_SETHSCROLLBAR, 0UL);
    SendScintilla(SCI_SETMARGINLEFT, 0UL, 4L);
    setMarginType(0, NumberMargin);
    setMarginWidth(1, 0);
    setFolding(NoFoldStyle);
    indicatorDefine(SquiggleIndicator, ErrorIndicator);
    setIndicatorForegroundColor(QColor(0xd0, 0x2c, 0x2c), ErrorIndicator);
    setReadOnly(true);
    setFrameShape(QFrame::StyledPanel);
    connect(this, &QsciScintilla::linesChanged, this, &JsonView::updateMarginWidth);
    applyPalette();
}

void JsonView::setJsonText(const QString &text)
{
    clearErrorMark();
    const bool wasReadOnly = isReadOnly();
    setReadOnly(false);
    setText(text);
    setReadOnly(wasReadOnly);
    SendScintilla(SCI_EMPTYUNDOBUFFER);
    SendScintilla(SCI_SETSAVEPOINT);
    setCursorPosition(0, 0);
    SendScintilla(SCI_SCROLLCARET);
    updateMarginWidth();
}

void JsonView::setLineNumbersVisible(bool visible)
{
    m_lineNumbers = visible;
    updateMarginWidth();
}

void JsonView::updateMarginWidth()
{
    if (!m_lineNumbers) {
        setMarginWidth(0, 0);
        return;
    }
    const int digits = std::max(2, static_cast<int>(QString::number(lines()).size()));
    setMarginWidth(0, QString(digits + 1, QLatin1Char('9')));
}

void JsonView::changeEvent(QEvent *event)
{
    QsciScintilla::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::FontChange)
        applyPalette();
}

void JsonView::applyPalette()
{
    if (!m_lexer)
        return;
    QFont fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    fixed.setPointSizeF(std::max(fixed.pointSizeF(), font().pointSizeF() - 1));
    const QPalette pal = palette();
    const QColor base = pal.color(QPalette::Base);
    const bool dark = base.lightness() < 128;
    m_lexer->setDefaultFont(fixed);
    m_lexer->setFont(fixed, -1);
    m_lexer->setDefaultPaper(base);
    m_lexer->setPaper(base, -1);
    m_lexer->setDefaultColor(pal.color(QPalette::Text));
    m_lexer->setColor(pal.color(QPalette::Text), QsciLexerJSON::Default);
    m_lexer->setColor(pal.color(QPalette::Text), QsciLexerJSON::Operator);
    // Keys and strings told apart at a glance, in colours readable on light and dark bases.
    m_lexer->setColor(dark ? QColor(0x9c, 0xdc, 0xfe) : QColor(0x0b, 0x4f, 0x9c), QsciLexerJSON::Property);
    m_lexer->setColor(dark ? QColor(0xce, 0x91, 0x78) : QColor(0xa3, 0x15, 0x15), QsciLexerJSON::String);
    m_lexer->setColor(dark ? QColor(0xb5, 0xce, 0xa8) : QColor(0x09, 0x86, 0x58), QsciLexerJSON::Number);
    m_lexer->setColor(dark ? QColor(0x56, 0x9c, 0xd6) : QColor(0x00, 0x00, 0xff), QsciLexerJSON::Keyword);
    m_lexer->setPaper(base, QsciLexerJSON::UnclosedString);
    m_lexer->setPaper(base, QsciLexerJSON::Error);
    setMarginsFont(fixed);
    setMarginsBackgroundColor(pal.color(QPalette::AlternateBase));
    setMarginsForegroundColor(pal.color(QPalette::PlaceholderText));
    setMatchedBraceBackgroundColor(pal.color(QPalette::AlternateBase));
    setMatchedBraceForegroundColor(pal.color(QPalette::Link));
    setUnmatchedBraceBackgroundColor(base);
    setUnmatchedBraceForegroundColor(QColor(0xd0, 0x2c, 0x2c));
    setCaretForegroundColor(pal.color(QPalette::Text));
    setSelectionBackgroundColor(pal.color(QPalette::Highlight));
    setSelectionForegroundColor(pal.color(QPalette::HighlightedText));
    recolor();
    updateMarginWidth();
}

void JsonView::markError(int line, int column)
{
    clearErrorMark();
    const long documentBytes = static_cast<long>(SendScintilla(SCI_GETLENGTH));
    if (documentBytes == 0 || line < 1)
        return;
    long position = positionFromLineIndex(line - 1, std::max(0, column - 1));
    long lineEnd =
        static_cast<long>(SendScintilla(SCI_GETLINEENDPOSITION, static_cast<unsigned long>(line - 1)));
    if (position >= lineEnd) {
        position = std::max(
            0L, static_cast<long>(SendScintilla(SCI_POSITIONBEFORE, static_cast<unsigned long>(position))));
        lineEnd = std::max(lineEnd, static_cast<long>(SendScintilla(SCI_POSITIONAFTER,
                                                                    static_cast<unsigned long>(position))));
    }
    // Underline from the error to the end of its line: the exact spot plus enough to be seen.
    SendScintilla(SCI_SETINDICATORCURRENT, static_cast<unsigned long>(ErrorIndicator));
    SendScintilla(SCI_INDICATORFILLRANGE, static_cast<unsigned long>(position),
                  std::max(1L, lineEnd - position));
}

void JsonView::clearErrorMark()
{
    SendScintilla(SCI_SETINDICATORCURRENT, static_cast<unsigned long>(ErrorIndicator));
    SendScintilla(SCI_INDICATORCLEARRANGE, 0UL, static_cast<long>(SendScintilla(SCI_GETLENGTH)));
}

} // namespace assay::ui
