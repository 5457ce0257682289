#pragma once

#include <QList>

#include "models/prompt/prompt_template.h"
#include "ui/editor/growing_editor.h"

namespace assay::ui {

// Prompt text: word-wrapped, with every {{variable}} marked so a typo in a name stands out.
class PromptEditor : public GrowingEditor {
    Q_OBJECT
public:
    // The Scintilla indicators that mark a {{variable}} span (box under the text, coloured text).
    static constexpr int VariableBoxIndicator = 8;
    static constexpr int VariableTextIndicator = 9;

    explicit PromptEditor(QWidget *parent = nullptr);

    // The spans currently marked, in QString offsets of text().
    const QList<prompt::PromptTemplate::Span> &variableSpans() const { return m_spans; }

protected:
    void applyPalette() override;

private:
    void highlightVariables();

    QList<prompt::PromptTemplate::Span> m_spans;
};

// Byte offset in the UTF-8 text Scintilla holds for each QString offset in `offsets` (ascending):
// Scintilla positions count bytes, QString offsets count UTF-16 units.
QList<qsizetype> utf8Offsets(const QString &text, const QList<qsizetype> &offsets);

} // namespace assay::ui
