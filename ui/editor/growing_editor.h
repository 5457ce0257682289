#pragma once

#include "ui/editor/qscintilla.h"

namespace assay::ui {

// A QScintilla editor that sits in a form like a text field: no margins, UTF-8, as tall as its
// content between a minimum and a maximum number of lines (then it scrolls), a grey hint when
// empty, colours from the palette. Ctrl+Return and Escape are left to the window: they run and
// stop a request, and an editor that ate them would make those shortcuts dead while typing.
class GrowingEditor : public QsciScintilla {
    Q_OBJECT
public:
    explicit GrowingEditor(QWidget *parent = nullptr);

    void setPlaceholderText(const QString &text);
    QString placeholderText() const { return m_placeholder; }

    void setLineRange(int minimumLines, int maximumLines);
    int minimumLines() const { return m_minimumLines; }
    int maximumLines() const { return m_maximumLines; }

    // Replaces the whole text without an undo step: loading a prompt is not an edit to undo.
    void setPlainText(const QString &text);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

    // True for the keys this editor leaves to the window's shortcuts.
    bool isWindowShortcut(const QKeyEvent *event) const;

protected:
    bool event(QEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;

    // Called when the palette or font changes; subclasses with a lexer restyle it.
    virtual void applyPalette();

    // The font of the hint shown while empty; a code editor shows it in its code font.
    virtual QFont placeholderFont() const;

    // Re-measures the content; subclasses call it after changing fonts or wrapping.
    void updateHeight();

private:
    int displayLineCount(int limit) const;
    int heightForLines(int lines) const;

    QString m_placeholder;
    int m_minimumLines = 1;
    int m_maximumLines = 12;
    int m_height = -1;
};

} // namespace assay::ui
