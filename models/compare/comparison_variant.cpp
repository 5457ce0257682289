#include "models/compare/comparison_variant.h"

#include <stdexcept>

namespace assay::compare {

using nlohmann::json;

namespace {

std::string utf8(const QString &text)
{
    return text.toStdString();
}

QString qs(const json &value)
{
    return value.is_string() ? QString::fromStdString(value.get<std::string>()) : QString();
}

QString stringField(const json &object, const char *key)
{
    const auto it = object.find(key);
    if (it == object.end() || it->is_null())
        return {};
    if (!it->is_string())
        throw std::runtime_error(std::string(key) + ": expected a string");
    return qs(*it);
}

template <typename T>
std::optional<T> optionalNumber(const json &object, const char *key)
{
    const auto it = object.find(key);
    if (it == object.end() || it->is_null())
        return std::nullopt;
    if (!it->is_number())
        throw std::runtime_error(std::string(key) + ": expected a number");
    return it->get<T>();
}

} // namespace

QString ComparisonVariant::displayName() const
{
    if (!name.trimmed().isEmpty())
        return name;
    const QString model = parameters.model.isEmpty() ? QStringLiteral("(no model)") : parameters.model;
    const QString apiName = parameters.api == api::ApiKind::Responses ? QStringLiteral("Responses")
                                                                      : QStringLiteral("Chat");
    return model + QStringLiteral(" · ") + apiName;
}

json conversationToJson(const prompt::Conversation &conversation)
{
    json messages = json::array();
    for (const prompt::Message &message : conversation.messages)
        messages.push_back({{"role", utf8(prompt::roleName(message.role))}, {"text", utf8(message.text)}});
    return {{"instructions", utf8(conversation.instructions)}, {"messages", messages}};
}

prompt::Conversation conversationFromJson(const json &value)
{
    prompt::Conversation conversation;
    if (value.is_null())
        return conversation;
    if (!value.is_object())
        throw std::runtime_error("prompt: expected an object");
    conversation.instructions = stringField(value, "instructions");
    const auto it = value.find("messages");
    if (it != value.end() && !it->is_null()) {
        if (!it->is_array())
            throw std::runtime_error("prompt.messages: expected an array");
        for (const json &entry : *it) {
            if (!entry.is_object())
                throw std::runtime_error("prompt.messages[]: expected an object");
            prompt::Message message;
            if (!prompt::roleFromName(stringField(entry, "role"), message.role))
                throw std::runtime_error("prompt.messages[].role: unknown role");
            message.text = stringField(entry, "text");
            conversation.messages.push_back(message);
        }
    }
    return conversation;
}

json parametersToJson(const prompt::RequestParameters &p)
{
    json out = json::object();
    out["api"] = p.api == api::ApiKind::Responses ? "responses" : "chat";
    out["model"] = utf8(p.model);
    if (p.temperature)
        out["temperature"] = *p.temperature;
    if (p.topP)
        out["top_p"] = *p.topP;
    if (p.maxOutputTokens)
        out["max_output_tokens"] = *p.maxOutputTokens;
    if (!p.reasoningEffort.isEmpty())
        out["reasoning_effort"] = utf8(p.reasoningEffort);
    if (!p.reasoningSummary.isEmpty())
        out["reasoning_summary"] = utf8(p.reasoningSummary);
    if (p.seed)
        out["seed"] = *p.seed;
    if (!p.serviceTier.isEmpty())
        out["service_tier"] = utf8(p.serviceTier);
    if (p.store)
        out["store"] = *p.store;
    if (p.parallelToolCalls)
        out["parallel_tool_calls"] = *p.parallelToolCalls;
    if (p.topLogprobs)
        out["top_logprobs"] = *p.topLogprobs;
    if (p.frequencyPenalty)
        out["frequency_penalty"] = *p.frequencyPenalty;
    if (p.presencePenalty)
        out["presence_penalty"] = *p.presencePenalty;
    if (!p.verbosity.isEmpty())
        out["verbosity"] = utf8(p.verbosity);
    if (!p.promptCacheKey.isEmpty())
        out["prompt_cache_key"] = utf8(p.promptCacheKey);
    if (!p.safetyIdentifier.isEmpty())
        out["safety_identifier"] = utf8(p.safetyIdentifier);
    if (!p.prediction.isEmpty())
        out["prediction"] = utf8(p.prediction);
    if (!p.stop.isEmpty()) {
        json stop = json::array();
        for (const QString &s : p.stop)
            stop.push_back(utf8(s));
        out["stop"] = stop;
    }
    if (!p.jsonSchema.is_null())
        out["json_schema"] = p.jsonSchema;
    if (p.tools.is_array() && !p.tools.empty())
        out["tools"] = p.tools;
    if (!p.toolChoice.isEmpty())
        out["tool_choice"] = utf8(p.toolChoice);
    if (!p.metadata.empty()) {
        json metadata = json::object();
        for (const auto &[key, value] : p.metadata)
            metadata[utf8(key)] = utf8(value);
        out["metadata"] = metadata;
    }
    if (p.extra.is_object() && !p.extra.empty())
        out["extra"] = p.extra;
    if (p.background)
        out["background"] = true;
    return out;
}

prompt::RequestParameters parametersFromJson(const json &value)
{
    prompt::RequestParameters p;
    if (value.is_null())
        return p;
    if (!value.is_object())
        throw std::runtime_error("parameters: expected an object");
    const QString apiName = stringField(value, "api");
    if (apiName.isEmpty() || apiName == QStringLiteral("responses"))
        p.api = api::ApiKind::Responses;
    else if (apiName == QStringLiteral("chat"))
        p.api = api::ApiKind::ChatCompletions;
    else
        throw std::runtime_error("parameters.api: expected \"responses\" or \"chat\"");
    p.model = stringField(value, "model");
    p.temperature = optionalNumber<double>(value, "temperature");
    p.topP = optionalNumber<double>(value, "top_p");
    p.maxOutputTokens = optionalNumber<int>(value, "max_output_tokens");
    p.reasoningEffort = stringField(value, "reasoning_effort");
    p.reasoningSummary = stringField(value, "reasoning_summary");
    p.seed = optionalNumber<qint64>(value, "seed");
    p.serviceTier = stringField(value, "service_tier");
    if (value.contains("store") && value["store"].is_boolean())
        p.store = value["store"].get<bool>();
    if (value.contains("parallel_tool_calls") && value["parallel_tool_calls"].is_boolean())
        p.parallelToolCalls = value["parallel_tool_calls"].get<bool>();
    p.topLogprobs = optionalNumber<int>(value, "top_logprobs");
    p.frequencyPenalty = optionalNumber<double>(value, "frequency_penalty");
    p.presencePenalty = optionalNumber<double>(value, "presence_penalty");
    p.verbosity = stringField(value, "verbosity");
    p.promptCacheKey = stringField(value, "prompt_cache_key");
    p.safetyIdentifier = stringField(value, "safety_identifier");
    p.prediction = stringField(value, "prediction");
    if (const auto it = value.find("stop"); it != value.end() && it->is_array())
        for (const json &s : *it)
            p.stop.append(qs(s));
    if (const auto it = value.find("json_schema"); it != value.end())
        p.jsonSchema = *it;
    if (const auto it = value.find("tools"); it != value.end() && it->is_array())
        p.tools = *it;
    p.toolChoice = stringField(value, "tool_choice");
    if (const auto it = value.find("metadata"); it != value.end() && it->is_object())
        for (const auto &[key, v] : it->items())
            p.metadata[QString::fromStdString(key)] = qs(v);
    if (const auto it = value.find("extra"); it != value.end() && it->is_object())
        p.extra = *it;
    if (const auto it = value.find("background"); it != value.end() && it->is_boolean())
        p.background = it->get<bool>();
    return p;
}

json ComparisonVariant::toJson() const
{
    return {{"name", utf8(name)},
            {"use_shared_prompt", useSharedPrompt},
            {"prompt", conversationToJson(prompt)},
            {"parameters", parametersToJson(parameters)}};
}

ComparisonVariant ComparisonVariant::fromJson(const json &value)
{
    if (!value.is_object())
        throw std::runtime_error("variant: expected an object");
    ComparisonVariant variant;
    variant.name = stringField(value, "name");
    if (const auto it = value.find("use_shared_prompt"); it != value.end() && it->is_boolean())
        variant.useSharedPrompt = it->get<bool>();
    variant.prompt = conversationFromJson(value.value("prompt", json()));
    variant.parameters = parametersFromJson(value.value("parameters", json()));
    return variant;
}

} // namespace assay::compare

namespace assay::compare {

// RequestParameters has no operator==; the JSON form holds every field.
bool ComparisonVariant::operator==(const ComparisonVariant &other) const
{
    return toJson() == other.toJson();
}

} // namespace assay::compare
