#pragma once

#include <QString>
#include <QStringList>
#include <nlohmann/json.hpp>

namespace assay::prompt {

// {{ name }} / {{ item.path.to[0].field }} substitution, as the OpenAI graders' templating does.
// A variable resolves against `context` (a JSON object) by dotted path with [n] indexes; strings
// are inserted as they are, other JSON values as compact JSON text. Unknown variables are kept
// verbatim and reported, never silently replaced by "".
class PromptTemplate {
public:
    struct Span {
        qsizetype start = 0;  // offset of "{{"
        qsizetype length = 0; // through "}}"
        QString path;         // trimmed variable path
    };

    static QList<Span> findVariables(const QString &text);
    static QStringList variableNames(const QString &text);

    // Renders `text`; names of variables that did not resolve are appended to `unresolved`.
    static QString render(const QString &text, const nlohmann::json &context, QStringList *unresolved = nullptr);
};

} // namespace assay::prompt
