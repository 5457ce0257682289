#include "models/eval/eval_template.h"

#include <QString>
#include <QStringList>

#include "models/prompt/prompt_template.h"

namespace assay::eval {

std::string TemplateResult::errorMessage() const
{
    return missingPath ? "template variable {{ " + *missingPath + " }} is missing" : std::string();
}

TemplateResult renderTemplate(const std::string &text, const nlohmann::json &context)
{
    TemplateResult result;
    if (text.find("{{") == std::string::npos) {
        result.text = text;
        return result;
    }
    QStringList unresolved;
    const QString rendered = prompt::PromptTemplate::render(QString::fromStdString(text), context, &unresolved);
    if (!unresolved.isEmpty()) {
        result.missingPath = unresolved.first().toStdString();
        return result;
    }
    result.text = rendered.toStdString();
    return result;
}

namespace {

std::optional<std::string> renderStrings(nlohmann::json &value, const nlohmann::json &context)
{
    if (value.is_string()) {
        TemplateResult rendered = renderTemplate(value.get_ref<const std::string &>(), context);
        if (rendered.missingPath)
            return rendered.errorMessage();
        value = std::move(rendered.text);
        return std::nullopt;
    }
    if (value.is_array()) {
        for (auto &element : value) {
            if (auto error = renderStrings(element, context))
                return error;
        }
    }
    return std::nullopt;
}

// Renders the text of one message's content: a string, one content part, or a list of parts.
std::optional<std::string> renderContent(nlohmann::json &content, const nlohmann::json &context)
{
    if (content.is_string())
        return renderStrings(content, context);
    if (content.is_object()) {
        // Content parts carry their text in `text` (input_text / output_text) or an image URL.
        for (const char *field : {"text", "image_url"}) {
            if (content.contains(field) && content[field].is_string()) {
                if (auto error = renderStrings(content[field], context))
                    return error;
            }
        }
        return std::nullopt;
    }
    if (content.is_array()) {
        for (auto &part : content) {
            if (auto error = renderContent(part, context))
                return error;
        }
    }
    return std::nullopt;
}

} // namespace

MessagesResult renderMessages(const nlohmann::json &messages, const nlohmann::json &context)
{
    MessagesResult result;
    if (!messages.is_array()) {
        result.error = "the messages are not a list";
        return result;
    }
    for (size_t i = 0; i < messages.size(); ++i) {
        nlohmann::json message = messages[i];
        if (message.is_object() && message.contains("content")) {
            if (auto error = renderContent(message["content"], context)) {
                result.error = "message " + std::to_string(i) + ": " + *error;
                return result;
            }
        }
        result.messages.push_back(std::move(message));
    }
    return result;
}

} // namespace assay::eval
