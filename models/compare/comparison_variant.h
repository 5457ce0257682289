#pragma once

#include <QString>
#include <nlohmann/json.hpp>

#include "models/prompt/conversation.h"
#include "models/prompt/request_parameters.h"

namespace assay::compare {

// One column of a comparison: which prompt, which model and API, which settings.
// parameters.api and parameters.model say where the column's requests go.
struct ComparisonVariant {
    QString name;
    bool useSharedPrompt = true; // true: the comparison's shared prompt; false: `prompt` below
    prompt::Conversation prompt; // the column's own prompt (kept while useSharedPrompt is on)
    prompt::RequestParameters parameters;

    // "gpt-4.1 · Responses" when the name is empty.
    QString displayName() const;
    bool operator==(const ComparisonVariant &other) const; // by toJson()

    // Stable JSON (what the store saves): {name, use_shared_prompt, prompt{instructions,
    // messages[{role,text}]}, parameters{...}}. fromJson throws std::runtime_error naming the field.
    nlohmann::json toJson() const;
    static ComparisonVariant fromJson(const nlohmann::json &json);
};

// RequestParameters <-> JSON ({"api":"responses"|"chat","model",...}; unset optionals absent).
nlohmann::json parametersToJson(const prompt::RequestParameters &parameters);
prompt::RequestParameters parametersFromJson(const nlohmann::json &json); // throws std::runtime_error
nlohmann::json conversationToJson(const prompt::Conversation &conversation);
prompt::Conversation conversationFromJson(const nlohmann::json &json); // throws std::runtime_error

} // namespace assay::compare
