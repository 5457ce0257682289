#pragma once

#include <QStringList>
#include <nlohmann/json.hpp>

#include "models/prompt/conversation.h"
#include "models/prompt/request_parameters.h"

namespace assay::prompt {

// Builds the JSON body of POST /responses or POST /chat/completions from the editor's state.
class RequestBuilder {
public:
    struct Result {
        nlohmann::json body;
        QStringList warnings; // parameters dropped because the chosen API does not accept them
        QString error;        // non-empty: the request must not be sent (e.g. invalid schema)
    };

    // `variables` fills {{name}} placeholders in instructions and messages; unresolved ones stay
    // as typed and add a warning. Parameters the chosen API does not accept are left out with a
    // warning each. parameters.jsonSchema may be {"name","schema","strict","description"} or a
    // bare schema (named "response"); `strict` is sent only when set. Function tools may be in
    // either API's form and are converted. parameters.extra is applied last as a JSON merge
    // patch (RFC 7396: null removes a field; "a.b" keys address nested fields).
    // `error` (and a null body) for: invalid schema or tools, no model, nothing to send,
    // tool_choice naming an unknown function, metadata over the API's limits, background
    // without store, more than 4 stop sequences on Chat.
    static Result build(const Conversation &conversation, const RequestParameters &parameters,
                        const nlohmann::json &variables, bool stream);

    // Checks a structured-output schema before sending: it must be a JSON object schema.
    // Returns an empty string when valid, otherwise what is wrong and where (JSON path).
    static QString validateJsonSchema(const nlohmann::json &schema);

    // Parses a function tool list the user typed (an array or one tool, in the Responses form
    // {"type":"function","name",...} or Chat's {"type":"function","function":{...}}) and returns
    // it in the Responses form. Throws std::runtime_error naming the problem: "line 3, column 5:
    // ..." for broken JSON, "tools[1].name: ..." / "tools[0].parameters: $.required[0]: ...".
    static nlohmann::json parseTools(const QString &text);
};

} // namespace assay::prompt
