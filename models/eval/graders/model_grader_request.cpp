#include "models/eval/graders/model_grader_request.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>

#include "models/eval/eval_template.h"
#include "models/eval/graders/definition_reader.h"
#include "models/eval/reasoning_models.h"

namespace assay::eval {

using json = nlohmann::json;

namespace {

constexpr std::int64_t kResponsesMinOutputTokens = 16; // CreateResponse.max_output_tokens minimum

bool isRole(const std::string &role)
{
    return role == "user" || role == "assistant" || role == "system" || role == "developer";
}

// One content part of an EvalItem, normalised.
struct Part {
    enum class Kind { Text, Image, Audio } kind = Kind::Text;
    json value; // Text: the string; Image: the input_image object; Audio: the input_audio object
};

std::optional<std::vector<Part>> partsOf(const json &content, std::string *error)
{
    std::vector<Part> parts;
    const auto add = [&](const json &part) -> bool {
        if (part.is_string()) {
            parts.push_back({Part::Kind::Text, part});
            return true;
        }
        const std::string type = part.is_object() && part.contains("type") && part["type"].is_string()
                                     ? part["type"].get<std::string>()
                                     : std::string();
        if ((type == "input_text" || type == "output_text" || type == "text") && part.contains("text")
            && part["text"].is_string()) {
            parts.push_back({Part::Kind::Text, part["text"]});
            return true;
        }
        if (type == "input_image") {
            parts.push_back({Part::Kind::Image, part});
            return true;
        }
        if (type == "input_audio" && part.contains("input_audio")) {
            parts.push_back({Part::Kind::Audio, part["input_audio"]});
            return true;
        }
        *error = type.empty() ? "a content part has no type" : "content part type \"" + type + "\" is not supported";
        return false;
    };
    if (content.is_array()) {
        for (const json &part : content) {
            if (!add(part))
                return std::nullopt;
        }
    } else if (!add(content)) {
        return std::nullopt;
    }
    return parts;
}

// Text-only content as one string (assistant turns, which both APIs take as plain text).
std::optional<std::string> joinedText(const std::vector<Part> &parts, std::string *error)
{
    std::string text;
    for (size_t i = 0; i < parts.size(); ++i) {
        if (parts[i].kind != Part::Kind::Text) {
            *error = "an assistant message can only hold text";
            return std::nullopt;
        }
        if (i > 0)
            text += "\n";
        text += parts[i].value.get<std::string>();
    }
    return text;
}

template<typename Convert>
std::optional<json> convertMessages(const json &messages, std::string *error, Convert convert)
{
    json converted = json::array();
    for (size_t i = 0; i < messages.size(); ++i) {
        const json &message = messages[i];
        std::string problem;
        const std::string role = message.value("role", std::string());
        const auto content = message.find("content");
        std::optional<json> out;
        if (content == message.end()) {
            problem = "has no content";
        } else if (content->is_string()) {
            out = json{{"role", role}, {"content", *content}};
        } else if (auto parts = partsOf(*content, &problem)) {
            out = convert(role, *parts, &problem);
        }
        if (!out) {
            *error = "message " + std::to_string(i) + ": " + problem;
            return std::nullopt;
        }
        converted.push_back(std::move(*out));
    }
    return converted;
}

json usageJson(const std::optional<api::TokenUsage> &usage)
{
    if (!usage)
        return nullptr;
    return {{"prompt_tokens", usage->inputTokens},
            {"completion_tokens", usage->outputTokens},
            {"total_tokens", usage->totalTokens},
            {"cached_tokens", usage->cachedInputTokens},
            {"reasoning_tokens", usage->reasoningTokens}};
}

std::string trimmed(const std::string &text)
{
    const auto begin = text.find_first_not_of(" \t\r\n");
    if (begin == std::string::npos)
        return {};
    const auto end = text.find_last_not_of(" \t\r\n");
    return text.substr(begin, end - begin + 1);
}

// A model that ignores response_format often wraps its JSON in a Markdown fence.
std::string withoutFence(const std::string &text)
{
    std::string body = trimmed(text);
    if (body.size() < 6 || body.compare(0, 3, "```") != 0 || body.compare(body.size() - 3, 3, "```") != 0)
        return body;
    const auto newline = body.find('\n');
    if (newline == std::string::npos)
        return body;
    return trimmed(body.substr(newline + 1, body.size() - 3 - newline - 1));
}

std::optional<std::int64_t> integerParam(const json &params, const char *name, DefinitionReader &reader,
                                         const std::string &paramsPath)
{
    const auto it = params.find(name);
    if (it == params.end() || it->is_null())
        return std::nullopt;
    if (it->is_number_integer() || (it->is_number_float() && std::floor(it->get<double>()) == it->get<double>()))
        return it->get<std::int64_t>();
    reader.failAt(paramsPath + "." + name, "must be an integer");
    return std::nullopt;
}

std::optional<double> numberParam(const json &params, const char *name, DefinitionReader &reader,
                                  const std::string &paramsPath)
{
    const auto it = params.find(name);
    if (it == params.end() || it->is_null())
        return std::nullopt;
    if (it->is_number())
        return it->get<double>();
    reader.failAt(paramsPath + "." + name, "must be a number");
    return std::nullopt;
}

} // namespace

std::string ModelAnswer::unreadableReason() const
{
    if (!refusal.empty() && trimmed(text).empty())
        return "the grader model refused: " + refusal;
    if (trimmed(text).empty())
        return finishReason.empty() ? "the grader model gave no answer"
                                    : "the grader model gave no answer (finish reason " + finishReason + ")";
    std::string reason = "the grader model's answer is not valid JSON";
    if (finishReason == "length" || finishReason == "max_output_tokens")
        reason += " (it was cut off at the token limit)";
    const std::string excerpt = text.size() > 200 ? text.substr(0, 200) + "..." : text;
    return reason + ": " + excerpt;
}

std::optional<ModelGraderRequest> ModelGraderRequest::parse(const json &definition, const std::string &path,
                                                            std::string *error)
{
    DefinitionReader reader(definition, path, error);
    ModelGraderRequest request;
    const auto model = reader.string("model");
    const json *input = reader.field("input", true);
    if (!reader.ok())
        return std::nullopt;
    if (model->empty()) {
        reader.fail("model", "must name a model");
        return std::nullopt;
    }
    request.m_model = *model;

    if (!input->is_array() || input->empty()) {
        reader.fail("input", "must be a non-empty list of messages");
        return std::nullopt;
    }
    for (size_t i = 0; i < input->size(); ++i) {
        const json &message = (*input)[i];
        const std::string at = reader.fieldPath("input") + "[" + std::to_string(i) + "]";
        if (!message.is_object()) {
            reader.failAt(at, "a message must be an object with role and content");
            return std::nullopt;
        }
        const auto role = message.find("role");
        if (role == message.end() || !role->is_string() || !isRole(role->get<std::string>())) {
            reader.failAt(at + ".role", "must be one of user, assistant, system or developer");
            return std::nullopt;
        }
        const auto content = message.find("content");
        if (content == message.end() || !(content->is_string() || content->is_object() || content->is_array())) {
            reader.failAt(at + ".content", "must be text, a content part or a list of content parts");
            return std::nullopt;
        }
        std::string problem;
        if (!content->is_string() && !partsOf(*content, &problem)) {
            reader.failAt(at + ".content", problem);
            return std::nullopt;
        }
    }
    request.m_input = *input;

    if (const json *params = reader.field("sampling_params", false)) {
        const std::string paramsPath = reader.fieldPath("sampling_params");
        if (!params->is_object()) {
            reader.fail("sampling_params", "must be an object");
            return std::nullopt;
        }
        request.m_temperature = numberParam(*params, "temperature", reader, paramsPath);
        request.m_topP = numberParam(*params, "top_p", reader, paramsPath);
        request.m_seed = integerParam(*params, "seed", reader, paramsPath);
        for (const char *name : {"max_completions_tokens", "max_completion_tokens", "max_tokens"}) {
            if (!request.m_maxTokens)
                request.m_maxTokens = integerParam(*params, name, reader, paramsPath);
        }
        if (request.m_maxTokens && *request.m_maxTokens < 1)
            reader.failAt(paramsPath + ".max_completions_tokens", "must be at least 1");
        const auto effort = params->find("reasoning_effort");
        if (effort != params->end() && !effort->is_null()) {
            if (!effort->is_string())
                reader.failAt(paramsPath + ".reasoning_effort", "must be a string such as low, medium or high");
            else
                request.m_reasoningEffort = effort->get<std::string>();
        }
        if (!reader.ok())
            return std::nullopt;
    }
    return request;
}

std::optional<json> ModelGraderRequest::toResponsesInput(const json &messages, std::string *error)
{
    auto converted = convertMessages(messages, error, [](const std::string &role, const std::vector<Part> &parts,
                                                         std::string *problem) -> std::optional<json> {
        if (role == "assistant") {
            auto text = joinedText(parts, problem);
            if (!text)
                return std::nullopt;
            return json{{"role", role}, {"content", *text}};
        }
        json content = json::array();
        for (const Part &part : parts) {
            if (part.kind == Part::Kind::Text) {
                content.push_back({{"type", "input_text"}, {"text", part.value}});
            } else if (part.kind == Part::Kind::Image) {
                json image = {{"type", "input_image"}, {"detail", part.value.value("detail", std::string("auto"))}};
                for (const char *key : {"image_url", "file_id"}) {
                    if (part.value.contains(key) && part.value[key].is_string())
                        image[key] = part.value[key];
                }
                content.push_back(std::move(image));
            } else {
                *problem = "the Responses API takes no audio input (grade with the Chat Completions API instead)";
                return std::nullopt;
            }
        }
        return json{{"role", role}, {"content", std::move(content)}};
    });
    if (converted) {
        for (json &message : *converted)
            message["type"] = "message";
    }
    return converted;
}

std::optional<json> ModelGraderRequest::toChatMessages(const json &messages, std::string *error)
{
    return convertMessages(messages, error, [](const std::string &role, const std::vector<Part> &parts,
                                               std::string *problem) -> std::optional<json> {
        if (role == "assistant") {
            auto text = joinedText(parts, problem);
            if (!text)
                return std::nullopt;
            return json{{"role", role}, {"content", *text}};
        }
        json content = json::array();
        for (const Part &part : parts) {
            if (part.kind == Part::Kind::Text) {
                content.push_back({{"type", "text"}, {"text", part.value}});
                continue;
            }
            if (role != "user") {
                *problem = "a " + role + " message can only hold text in the Chat Completions API";
                return std::nullopt;
            }
            if (part.kind == Part::Kind::Image) {
                if (!part.value.contains("image_url") || !part.value["image_url"].is_string()) {
                    *problem = "an image needs an image_url in the Chat Completions API";
                    return std::nullopt;
                }
                json image = {{"url", part.value["image_url"]}};
                const std::string detail = part.value.value("detail", std::string());
                if (detail == "auto" || detail == "low" || detail == "high")
                    image["detail"] = detail;
                content.push_back({{"type", "image_url"}, {"image_url", std::move(image)}});
            } else {
                content.push_back({{"type", "input_audio"}, {"input_audio", part.value}});
            }
        }
        return json{{"role", role}, {"content", std::move(content)}};
    });
}

ModelGraderRequest::Built ModelGraderRequest::build(const GradingContext &context, api::ApiKind api,
                                                    const std::string &schemaName, const json &schema) const
{
    Built built;
    MessagesResult rendered = renderMessages(m_input, context.templateContext());
    if (rendered.error) {
        built.error = "input " + *rendered.error;
        return built;
    }
    built.messages = std::move(rendered.messages);

    const bool reasoning = isReasoningModel(m_model);
    json body = {{"model", m_model}};
    if (api == api::ApiKind::Responses) {
        auto input = toResponsesInput(built.messages, &built.error);
        if (!input) {
            built.error = "input " + built.error;
            return built;
        }
        body["input"] = std::move(*input);
        body["text"] = {{"format", {{"type", "json_schema"}, {"name", schemaName}, {"schema", schema}, {"strict", true}}}};
        body["store"] = false;
        if (m_maxTokens)
            body["max_output_tokens"] = std::max(*m_maxTokens, kResponsesMinOutputTokens);
        if (reasoning && !m_reasoningEffort.empty())
            body["reasoning"] = {{"effort", m_reasoningEffort}};
    } else {
        auto messages = toChatMessages(built.messages, &built.error);
        if (!messages) {
            built.error = "input " + built.error;
            return built;
        }
        body["messages"] = std::move(*messages);
        body["response_format"] = {{"type", "json_schema"},
                                   {"json_schema", {{"name", schemaName}, {"schema", schema}, {"strict", true}}}};
        if (m_maxTokens)
            body["max_completion_tokens"] = *m_maxTokens;
        if (reasoning && !m_reasoningEffort.empty())
            body["reasoning_effort"] = m_reasoningEffort;
        if (m_seed)
            body["seed"] = *m_seed;
    }
    if (!reasoning) {
        if (m_temperature)
            body["temperature"] = *m_temperature;
        if (m_topP)
            body["top_p"] = *m_topP;
    }
    built.body = std::move(body);
    return built;
}

ModelAnswer ModelGraderRequest::readAnswer(const api::ResponseResult &result)
{
    ModelAnswer answer;
    answer.text = result.outputText;
    answer.refusal = result.refusal;
    answer.finishReason = result.finishReason;
    const std::string body = withoutFence(answer.text);
    if (!body.empty()) {
        json parsed = json::parse(body, nullptr, false);
        if (!parsed.is_discarded())
            answer.json = std::move(parsed);
    }
    if (answer.json && answer.json->is_object()) {
        const auto steps = answer.json->find("steps");
        if (steps != answer.json->end() && steps->is_array())
            answer.steps = *steps;
    }
    return answer;
}

json ModelGraderRequest::stepsSchema()
{
    return {{"type", "array"},
            {"items",
             {{"type", "object"},
              {"properties", {{"description", {{"type", "string"}}}, {"conclusion", {{"type", "string"}}}}},
              {"required", {"description", "conclusion"}},
              {"additionalProperties", false}}}};
}

void ModelGraderRequest::run(GradeResult base, const GradingContext &context, GraderServices &services,
                             const std::string &schemaName, const json &schema, Interpret interpret,
                             std::function<void(GradeResult)> done) const
{
    const api::ApiKind api = services.graderApi();
    Built built = build(context, api, schemaName, schema);
    if (!built.error.empty()) {
        base.error = std::move(built.error);
        done(std::move(base));
        return;
    }
    base.sample = {{"input", built.messages}, {"output", nullptr}, {"steps", nullptr}, {"model", m_model}, {"usage", nullptr}};
    services.callModel(api, built.body, [base = std::move(base), interpret = std::move(interpret),
                                         done = std::move(done)](const api::ResponseResult &result) mutable {
        if (!result.model.empty())
            base.sample["model"] = result.model;
        base.sample["usage"] = usageJson(result.usage);
        if (result.error) {
            base.error = "grader model: " + result.error->summary().toStdString();
            done(std::move(base));
            return;
        }
        const ModelAnswer answer = readAnswer(result);
        base.sample["output"] = answer.text;
        base.sample["steps"] = answer.steps;
        interpret(base, answer);
        if (!base.invalidReason.empty()) {
            base.score = 0.0; // the guide: invalid outputs grade 0
            base.passed = false;
        }
        done(std::move(base));
    });
}

} // namespace assay::eval
