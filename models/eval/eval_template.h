#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace assay::eval {

// The graders' templating, strict: `{{ item.x }}`, `{{ sample.output_tools[0].function.name }}`,
// whitespace inside the braces allowed; strings go in as they are, other values as compact JSON.
// Unlike the playground's PromptTemplate, a variable that does not resolve is an error for the
// item (the Graders guide's namespaces are a contract), never an empty string.
struct TemplateResult {
    std::string text;
    std::optional<std::string> missingPath; // the first variable that did not resolve, e.g. "item.answer"
    std::string errorMessage() const;       // "template variable {{ item.answer }} is missing"
};

// `context` is an object with the namespaces as members: {"item": {...}, "sample": {...}}.
TemplateResult renderTemplate(const std::string &text, const nlohmann::json &context);

// Renders every string of a message list ([{role, content}], content a string or an array of
// content parts with `text`), stopping at the first missing variable.
struct MessagesResult {
    nlohmann::json messages = nlohmann::json::array();
    std::optional<std::string> error;
};
MessagesResult renderMessages(const nlohmann::json &messages, const nlohmann::json &context);

} // namespace assay::eval
