#include "ui/editor/prompt_editor.h"

namespace assay::ui {

QList<qsizetype> utf8Offsets(const QString &text, const QList<qsizetype> &offsets)
{
    QList<qsizetype> result;
    result.reserve(offsets.size());
    qsizetype from = 0;
    qsizetype bytes = 0;
    for (const qsizetype offset : offsets) {
        const qsizetype to = std::clamp(offset, from, text.size());
        bytes += QStringView(text).sliced(from, to - from).toUtf8().size();
        result.append(bytes);
        from = to;
    }
    return result;
}

PromptEditor::PromptEditor(QWidget *parent) : GrowingEditor(parent)
{
    setWrapMode(WrapWord);
    setWrapVisualFlags(WrapFlagNone);
    indicatorDefine(StraightBoxIndicator, VariableBoxIndicator);
    setIndicatorDrawUnder(true, VariableBoxIndicator);
    indicatorDefine(TextColorIndicator, VariableTextIndicator);
    applyPalette();
    connect(this, &QsciScintilla::textChanged, this, &PromptEditor::highlightVariables);
}

void PromptEditor::applyPalette()
{
    GrowingEditor::applyPalette();
    // The link colour reads as "special" in light and dark palettes alike.
    const QColor accent = palette().color(QPalette::Link);
    QColor box = accent;
    box.setAlpha(40);
    setIndicatorForegroundColor(box, VariableBoxIndicator);
    SendScintilla(SCI_INDICSETALPHA, static_cast<unsigned long>(VariableBoxIndicator), 40L);
    SendScintilla(SCI_INDICSETOUTLINEALPHA, static_cast<unsigned long>(VariableBoxIndicator), 90L);
    setIndicatorForegroundColor(accent, VariableTextIndicator);
}

void PromptEditor::highlightVariables()
{
    const QString content = text();
    m_spans = prompt::PromptTemplate::findVariables(content);

    const long documentBytes = static_cast<long>(SendScintilla(SCI_GETLENGTH));
    for (const int indicator : {VariableBoxIndicator, VariableTextIndicator}) {
        SendScintilla(SCI_SETINDICATORCURRENT, static_cast<unsigned long>(indicator));
        SendScintilla(SCI_INDICATORCLEARRANGE, 0UL, documentBytes);
    }
    if (m_spans.isEmpty())
        return;

    QList<qsizetype> offsets;
    offsets.reserve(m_spans.size() * 2);
    for (const auto &span : std::as_const(m_spans))
        offsets << span.start << span.start + span.length;
    const QList<qsizetype> bytes = utf8Offsets(content, offsets);
    for (const int indicator : {VariableBoxIndicator, VariableTextIndicator}) {
        SendScintilla(SCI_SETINDICATORCURRENT, static_cast<unsigned long>(indicator));
        for (qsizetype i = 0; i + 1 < bytes.size(); i += 2)
            SendScintilla(SCI_INDICATORFILLRANGE, static_cast<unsigned long>(bytes.at(i)),
                          static_cast<long>(bytes.at(i + 1) - bytes.at(i)));
    }
}

} // namespace assay::ui
