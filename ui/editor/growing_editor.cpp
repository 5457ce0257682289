#include "ui/editor/growing_editor.h"

#include <QKeyEvent>
#include <QPainter>

namespace assay::ui {

namespace {

// Space between the frame and the text, so the text does not touch the border.
constexpr int TextPaddingX = 6;
constexpr int TextPaddingY = 4;

} // namespace

GrowingEditor::GrowingEditor(QWidget *parent) : QsciScintilla(parent)
{
    setUtf8(true);
    setMargins(0);
    SendScintilla(SCI_SETMARGINLEFT, 0UL, static_cast<long>(TextPaddingX));
    SendScintilla(SCI_SETMARGINRIGHT, 0UL, static_cast<long>(TextPaddingX));
    setViewportMargins(0, TextPaddingY, 0, TextPaddingY);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    SendScintilla(SCI_SETHSCROLLBAR, 0UL);
    // An editor sized to its content must never scroll a blank page past the last line into view.
    SendScintilla(SCI_SETENDATLASTLINE, 1UL);
    setCaretLineVisible(false);
    setEolMode(EolUnix);
    setFrameShape(QFrame::StyledPanel);
    // The padding around the viewport is ours: paint it like the text area, not the window.
    setBackgroundRole(QPalette::Base);
    setAutoFillBackground(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    setFocusPolicy(Qt::StrongFocus);

    connect(this, &QsciScintilla::textChanged, this, &GrowingEditor::updateHeight);
    applyPalette();
    updateHeight();
}

void GrowingEditor::setPlaceholderText(const QString &text)
{
    m_placeholder = text;
    updateHeight();
    viewport()->update();
}

void GrowingEditor::setLineRange(int minimumLines, int maximumLines)
{
    m_minimumLines = std::max(1, minimumLines);
    m_maximumLines = std::max(m_minimumLines, maximumLines);
    updateHeight();
}

void GrowingEditor::setPlainText(const QString &text)
{
    if (text == this->text())
        return;
    const bool wasReadOnly = isReadOnly();
    setReadOnly(false);
    setText(text);
    setReadOnly(wasReadOnly);
    SendScintilla(SCI_EMPTYUNDOBUFFER);
    SendScintilla(SCI_SETSAVEPOINT);
}

QSize GrowingEditor::sizeHint() const
{
    return {QsciScintilla::sizeHint().width(), m_height > 0 ? m_height : heightForLines(m_minimumLines)};
}

QSize GrowingEditor::minimumSizeHint() const
{
    return {fontMetrics().averageCharWidth() * 12, heightForLines(m_minimumLines)};
}

bool GrowingEditor::isWindowShortcut(const QKeyEvent *event) const
{
    const Qt::KeyboardModifiers modifiers = event->modifiers() & ~Qt::KeypadModifier;
    const int key = event->key();
    if ((key == Qt::Key_Return || key == Qt::Key_Enter) && modifiers.testFlag(Qt::ControlModifier))
        return true;
    // Escape still closes an open autocompletion list or call tip first.
    return key == Qt::Key_Escape && modifiers == Qt::NoModifier && !isListActive() && !isCallTipActive();
}

bool GrowingEditor::event(QEvent *event)
{
    // QsciScintillaBase accepts the shortcut override for every key bound to a command (Escape is
    // SCI_CANCEL), which would keep QShortcut from ever seeing it.
    if (event->type() == QEvent::ShortcutOverride && isWindowShortcut(static_cast<QKeyEvent *>(event))) {
        event->ignore();
        return false;
    }
    return QsciScintilla::event(event);
}

void GrowingEditor::keyPressEvent(QKeyEvent *event)
{
    if (isWindowShortcut(event)) {
        // Without a shortcut taking it, let the key travel to the parent (a dialog's Escape).
        event->ignore();
        return;
    }
    QsciScintilla::keyPressEvent(event);
}

void GrowingEditor::paintEvent(QPaintEvent *event)
{
    QsciScintilla::paintEvent(event);
    if (m_placeholder.isEmpty() || length() > 0)
        return;
    QPainter painter(viewport());
    painter.setPen(palette().color(QPalette::PlaceholderText));
    painter.setFont(placeholderFont());
    const QRect area = viewport()->rect().adjusted(TextPaddingX, 0, -TextPaddingX, 0);
    painter.drawText(area, Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, m_placeholder);
}

QFont GrowingEditor::placeholderFont() const
{
    return font();
}

void GrowingEditor::resizeEvent(QResizeEvent *event)
{
    QsciScintilla::resizeEvent(event);
    // Wrapping depends on the width.
    updateHeight();
}

void GrowingEditor::changeEvent(QEvent *event)
{
    QsciScintilla::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::FontChange) {
        applyPalette();
        updateHeight();
    }
}

void GrowingEditor::applyPalette()
{
    const QPalette pal = palette();
    setPaper(pal.color(QPalette::Base));
    setColor(pal.color(QPalette::Text));
    setCaretForegroundColor(pal.color(QPalette::Text));
    setSelectionBackgroundColor(pal.color(QPalette::Highlight));
    setSelectionForegroundColor(pal.color(QPalette::HighlightedText));
    if (!lexer())
        QsciScintilla::setFont(font());
}

int GrowingEditor::displayLineCount(int limit) const
{
    // SCI_WRAPCOUNT lays the line out for the current width, so this is right even before the
    // first paint. Stop counting past the limit: a pasted book need not be laid out here.
    const int lines = this->lines();
    int display = 0;
    for (int line = 0; line < lines && display <= limit; ++line)
        display += std::max(1, static_cast<int>(SendScintilla(SCI_WRAPCOUNT, static_cast<unsigned long>(line))));
    return std::max(1, display);
}

int GrowingEditor::heightForLines(int lines) const
{
    const int lineHeight = static_cast<int>(SendScintilla(SCI_TEXTHEIGHT, 0UL));
    const QMargins margins = viewportMargins();
    return lines * std::max(1, lineHeight) + margins.top() + margins.bottom() + 2 * frameWidth();
}

void GrowingEditor::updateHeight()
{
    const int lines = displayLineCount(m_maximumLines);
    int wanted = lines;
    if (length() == 0 && !m_placeholder.isEmpty()) {
        // An empty editor is as tall as its hint, so the hint is never cut off.
        const int width = std::max(1, viewport()->width() - 2 * TextPaddingX);
        const QRect hint = QFontMetrics(placeholderFont()).boundingRect(QRect(0, 0, width, 100000),
                                                      Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, m_placeholder);
        const int lineHeight = std::max(1, static_cast<int>(SendScintilla(SCI_TEXTHEIGHT, 0UL)));
        wanted = std::max(lines, (hint.height() + lineHeight - 1) / lineHeight);
    }
    const bool overflows = lines > m_maximumLines;
    const int shown = std::clamp(wanted, m_minimumLines, m_maximumLines);
    setVerticalScrollBarPolicy(overflows ? Qt::ScrollBarAsNeeded : Qt::ScrollBarAlwaysOff);
    SendScintilla(SCI_SETVSCROLLBAR, overflows ? 1UL : 0UL);
    const int height = heightForLines(shown);
    if (height == m_height)
        return;
    m_height = height;
    setFixedHeight(height);
    updateGeometry();
}

} // namespace assay::ui
