#pragma once

#include "ui/editor/qscintilla.h"

namespace assay::ui {

// A JSON text area that fills the space it is given (unlike GrowingEditor, which sizes itself to
// its content): JSON colouring in a fixed-width font, line numbers, word wrap, colours from the
// palette, and a squiggle where a parse error points. Read-only unless told otherwise: the dataset
// inspector shows rows with it and lets the user fix a bad row's raw text in it.
class JsonView : public QsciScintilla {
    Q_OBJECT
public:
    static constexpr int ErrorIndicator = 11;

    explicit JsonView(QWidget *parent = nullptr);

    // Replaces the whole text without an undo step and scrolls to the top.
    void setJsonText(const QString &text);
    // 1-based line and column (characters).
    void markError(int line, int column);
    void clearErrorMark();
    void setLineNumbersVisible(bool visible);

protected:
    void changeEvent(QEvent *event) override;

private:
    void applyPalette();
    void updateMarginWidth();

    QsciLexerJSON *m_lexer = nullptr;
    bool m_lineNumbers = true;
};

} // namespace assay::ui
