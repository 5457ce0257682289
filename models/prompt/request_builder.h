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

    // `variables` fills {{name}} placeholders in instructions and messages.
    static Result build(const Conversation &conversation, const RequestParameters &parameters,
                        const nlohmann::json &variables, bool stream);

    // Checks a structured-output schema before sending: it must be a JSON object schema.
    // Returns an empty string when valid, otherwise what is wrong and where (JSON path).
    static QString validateJsonSchema(const nlohmann::json &schema);

    // Parses a function tool list the user typed; throws std::runtime_error naming the problem.
    static nlohmann::json parseTools(const QString &text);
};

} // namespace assay::prompt
