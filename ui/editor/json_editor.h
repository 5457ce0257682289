#pragma once

#include <nlohmann/json.hpp>

#include "ui/editor/growing_editor.h"

class QsciLexerJSON;

namespace assay::ui {

// JSON text (a structured-output schema, a tool list): JSON colouring in a fixed-width font, and
// a squiggle under the place a parse error points at.
class JsonEditor : public GrowingEditor {
    Q_OBJECT
public:
    static constexpr int ErrorIndicator = 10;

    explicit JsonEditor(QWidget *parent = nullptr);

    // 1-based line and column (in characters) as JsonErrorLocation reports them.
    void markError(int line, int column);
    void clearErrorMark();

protected:
    void applyPalette() override;
    QFont placeholderFont() const override;

private:
    QsciLexerJSON *m_lexer = nullptr;
};

// Where an nlohmann parse error points, in characters the user can count (the library counts
// bytes), with its message without the "[json.exception...] parse error at ..." prefix.
struct JsonErrorLocation {
    int line = 0;   // 1-based
    int column = 0; // 1-based, in characters
    QString message;

    // "line 3, column 7: syntax error while parsing value - unexpected '}'"
    QString describe() const;
};

// Parses `text`; on failure fills `location` and returns false.
bool parseJson(const QString &text, nlohmann::json &result, JsonErrorLocation &location);

} // namespace assay::ui
