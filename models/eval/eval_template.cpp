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
        if (message.is_object()) {
            for (const char *field : {"content"}) {
                auto it = message.find(field);
                if (it == message.end())
                    continue;
                // Content parts: render their text (input_text / output_text / text parts).
                if (it->is_array()) {
                    for (auto &part : *it) {
                        if (!part.is_object())
                            continue;
                        for (const char *textField : {"text", "image_url"}) {
                            auto text = part.find(textField);
                            if (text != part.end() && text->is_string()) {
                                if (auto error = renderStrings(*text, context)) {
                                    result.error = "message " + std::to_string(i) + ": " + *error;
                                    return result;
                                }
                            }
                        }
                    }
                } else if (it->is_object()) {
                    auto text = it->find("text");
                    if (text != it->end() && text->is_string()) {
                        if (auto error = renderStrings(*text, context)) {
                            result.error = "message " + std::to_string(i) + ": " + *error;
                            return result;
                        }
                    }
                } else if (auto error = renderStrings(*it, context)) {
                    result.error = "message " + std::to_string(i) + ": " + *error;
                    return result;
                }
            }
        }
        result.messages.push_back(std::move(message));
    }
    return result;
}

} // namespace assay::eval
