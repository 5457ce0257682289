#include "models/api/stream_events.h"


#include <climits>
#include <stdexcept>
#include <string_view>
#include "models/api/json_fields.h"

namespace assay::api {

namespace {

using nlohmann::json;

[[noreturn]] void fail(std::string_view where, const std::string &what)
{
    std::string message(where);
    message += ": ";
    message += what;
    throw std::runtime_error(message);
}

// nlohmann's message starts "[json.exception.parse_error.101] parse error at line 1, column 5: ";
// the byte offset is reported separately, so keep only the explanation.
std::string parseErrorText(const json::parse_error &error)
{
    std::string_view text = error.what();
    if (const std::size_t bracket = text.find("] "); bracket != std::string_view::npos)
        text.remove_prefix(bracket + 2);
    if (text.substr(0, 11) == "parse error") {
        if (const std::size_t colon = text.find(": "); colon != std::string_view::npos)
            text.remove_prefix(colon + 2);
    }
    return std::string(text);
}

json parseObject(const SseEvent &event, std::string_view expected)
{
    json value;
    try {
        value = json::parse(event.data);
    } catch (const json::parse_error &error) {
        throw std::runtime_error("invalid JSON at byte " + std::to_string(error.byte) + ": "
                                 + parseErrorText(error) + " (in what should be " + std::string(expected)
                                 + ")");
    }
    if (!value.is_object())
        throw std::runtime_error("expected " + std::string(expected) + ", got a JSON "
                                 + value.type_name());
    return value;
}

std::string quoted(std::string_view key)
{
    return "\"" + std::string(key) + "\"";
}

// Optional string: absent or null gives "", anything but a string is malformed.
std::string optString(const json &object, const char *key, std::string_view where)
{
    const auto it = object.find(key);
    if (it == object.end() || it->is_null())
        return {};
    if (!it->is_string())
        fail(where, quoted(key) + " must be a string or null, got " + it->type_name());
    return it->get<std::string>();
}

std::string requiredString(const json &object, const char *key, std::string_view where)
{
    const auto it = object.find(key);
    if (it == object.end())
        fail(where, "missing " + quoted(key));
    if (!it->is_string())
        fail(where, quoted(key) + " must be a string, got " + it->type_name());
    return it->get<std::string>();
}

long long optInteger(const json &object, const char *key, std::string_view where, long long fallback)
{
    const auto it = object.find(key);
    if (it == object.end() || it->is_null())
        return fallback;
    if (!it->is_number_integer())
        fail(where, quoted(key) + " must be an integer, got " + it->type_name());
    return it->get<long long>();
}

int optIndex(const json &object, const char *key, std::string_view where, int fallback)
{
    const long long value = optInteger(object, key, where, fallback);
    if (value < INT_MIN || value > INT_MAX)
        fail(where, quoted(key) + " is out of range: " + std::to_string(value));
    return static_cast<int>(value);
}

const json &requiredObject(const json &object, const char *key, std::string_view where)
{
    const auto it = object.find(key);
    if (it == object.end())
        fail(where, "missing " + quoted(key));
    if (!it->is_object())
        fail(where, quoted(key) + " must be an object, got " + it->type_name());
    return *it;
}

json optObject(const json &object, const char *key, std::string_view where)
{
    const auto it = object.find(key);
    if (it == object.end() || it->is_null())
        return nullptr;
    if (!it->is_object())
        fail(where, quoted(key) + " must be an object or null, got " + it->type_name());
    return *it;
}

struct TypeName {
    std::string_view name;
    ResponsesEventType type;
};

// The most frequent events first: this lookup runs once per delta.
constexpr TypeName kTypes[] = {
    {"response.output_text.delta", ResponsesEventType::OutputTextDelta},
    {"response.function_call_arguments.delta", ResponsesEventType::FunctionCallArgumentsDelta},
    {"response.reasoning_summary_text.delta", ResponsesEventType::ReasoningSummaryTextDelta},
    {"response.refusal.delta", ResponsesEventType::RefusalDelta},
    {"response.created", ResponsesEventType::Created},
    {"response.in_progress", ResponsesEventType::InProgress},
    {"response.queued", ResponsesEventType::Queued},
    {"response.completed", ResponsesEventType::Completed},
    {"response.incomplete", ResponsesEventType::Incomplete},
    {"response.failed", ResponsesEventType::Failed},
    {"response.output_item.added", ResponsesEventType::OutputItemAdded},
    {"response.output_item.done", ResponsesEventType::OutputItemDone},
    {"response.content_part.added", ResponsesEventType::ContentPartAdded},
    {"response.content_part.done", ResponsesEventType::ContentPartDone},
    {"response.output_text.done", ResponsesEventType::OutputTextDone},
    {"response.refusal.done", ResponsesEventType::RefusalDone},
    {"response.function_call_arguments.done", ResponsesEventType::FunctionCallArgumentsDone},
    {"response.reasoning_summary_text.done", ResponsesEventType::ReasoningSummaryTextDone},
    {"error", ResponsesEventType::Error},
};

ResponsesEventType typeFromName(std::string_view name)
{
    for (const TypeName &entry : kTypes) {
        if (entry.name == name)
            return entry.type;
    }
    return ResponsesEventType::Other;
}

const json &member(const json &object, const char *key) { return jsonMember(object, key); }

std::string textOf(const json &object, const char *key) { return jsonText(object, key); }

} // namespace

void appendTokenLogprobs(std::vector<TokenLogprob> &out, const nlohmann::json &entries)
{
    if (!entries.is_array())
        return;
    for (const json &entry : entries) {
        if (!entry.is_object())
            continue;
        TokenLogprob logprob;
        logprob.token = textOf(entry, "token");
        if (const json &value = member(entry, "logprob"); value.is_number())
            logprob.logprob = value.get<double>();
        if (const json &top = member(entry, "top_logprobs"); top.is_array()) {
            for (const json &alternative : top) {
                const json &value = member(alternative, "logprob");
                logprob.topAlternatives.emplace_back(textOf(alternative, "token"),
                                                     value.is_number() ? value.get<double>() : 0.0);
            }
        }
        out.push_back(std::move(logprob));
    }
}

ResponsesStreamEvent parseResponsesEvent(const SseEvent &event)
{
    json object = parseObject(event, "a Responses stream event object");

    ResponsesStreamEvent result;
    if (const auto it = object.find("type"); it != object.end()) {
        if (!it->is_string())
            fail("Responses stream event", "\"type\" must be a string, got " + std::string(it->type_name()));
        result.typeName = it->get<std::string>();
    } else if (!event.event.empty()) {
        result.typeName = event.event; // the SSE `event:` line names the same type
    } else {
        fail("Responses stream event", "missing \"type\"");
    }
    result.type = typeFromName(result.typeName);
    const std::string_view where = result.typeName;

    result.sequenceNumber = optInteger(object, "sequence_number", where, -1);
    result.outputIndex = optIndex(object, "output_index", where, -1);
    result.itemId = optString(object, "item_id", where);

    switch (result.type) {
    case ResponsesEventType::OutputTextDelta:
    case ResponsesEventType::RefusalDelta:
        result.contentIndex = optIndex(object, "content_index", where, -1);
        result.text = requiredString(object, "delta", where);
        break;
    case ResponsesEventType::FunctionCallArgumentsDelta:
        result.text = requiredString(object, "delta", where);
        break;
    case ResponsesEventType::ReasoningSummaryTextDelta:
        result.contentIndex = optIndex(object, "summary_index", where, -1);
        result.text = requiredString(object, "delta", where);
        break;
    case ResponsesEventType::OutputTextDone:
        result.contentIndex = optIndex(object, "content_index", where, -1);
        result.text = requiredString(object, "text", where);
        break;
    case ResponsesEventType::RefusalDone:
        result.contentIndex = optIndex(object, "content_index", where, -1);
        result.text = requiredString(object, "refusal", where);
        break;
    case ResponsesEventType::FunctionCallArgumentsDone:
        result.text = requiredString(object, "arguments", where);
        break;
    case ResponsesEventType::ReasoningSummaryTextDone:
        result.contentIndex = optIndex(object, "summary_index", where, -1);
        result.text = requiredString(object, "text", where);
        break;
    case ResponsesEventType::Created:
    case ResponsesEventType::InProgress:
    case ResponsesEventType::Queued:
    case ResponsesEventType::Completed:
    case ResponsesEventType::Incomplete:
    case ResponsesEventType::Failed:
        requiredObject(object, "response", where);
        break;
    case ResponsesEventType::OutputItemAdded:
    case ResponsesEventType::OutputItemDone: {
        const json &item = requiredObject(object, "item", where);
        if (result.itemId.empty())
            result.itemId = optString(item, "id", where);
        break;
    }
    case ResponsesEventType::ContentPartAdded:
    case ResponsesEventType::ContentPartDone: {
        result.contentIndex = optIndex(object, "content_index", where, -1);
        const json &part = requiredObject(object, "part", where);
        const std::string partType = optString(part, "type", where);
        result.text = optString(part, partType == "refusal" ? "refusal" : "text", where);
        break;
    }
    case ResponsesEventType::Error:
        result.text = optString(object, "message", where);
        break;
    case ResponsesEventType::Other:
        break;
    }

    result.payload = std::move(object);
    return result;
}

ChatStreamChunk parseChatChunk(const SseEvent &event)
{
    const json object = parseObject(event, "a chat.completion.chunk object");
    constexpr std::string_view where = "chat.completion.chunk";

    ChatStreamChunk chunk;
    chunk.id = optString(object, "id", where);
    chunk.model = optString(object, "model", where);
    chunk.systemFingerprint = optString(object, "system_fingerprint", where);
    chunk.serviceTier = optString(object, "service_tier", where);
    chunk.usage = optObject(object, "usage", where);
    if (const auto it = object.find("error"); it != object.end() && !it->is_null())
        chunk.error = *it;

    const auto choices = object.find("choices");
    if (choices == object.end() || choices->is_null())
        return chunk; // an error chunk, or a provider's bookkeeping chunk
    if (!choices->is_array())
        fail(where, "\"choices\" must be an array, got " + std::string(choices->type_name()));

    for (std::size_t i = 0; i < choices->size(); ++i) {
        const json &choice = (*choices)[i];
        const std::string choiceWhere = std::string(where) + " choices[" + std::to_string(i) + "]";
        if (!choice.is_object())
            fail(choiceWhere, std::string("must be an object, got ") + choice.type_name());

        ChatChoiceDelta delta;
        delta.index = optIndex(choice, "index", choiceWhere, static_cast<int>(i));
        delta.finishReason = optString(choice, "finish_reason", choiceWhere);
        delta.logprobs = optObject(choice, "logprobs", choiceWhere);

        const json d = optObject(choice, "delta", choiceWhere);
        if (d.is_object()) {
            const std::string deltaWhere = choiceWhere + ".delta";
            delta.role = optString(d, "role", deltaWhere);
            delta.content = optString(d, "content", deltaWhere);
            delta.refusal = optString(d, "refusal", deltaWhere);
            if (const auto calls = d.find("tool_calls"); calls != d.end() && !calls->is_null()) {
                if (!calls->is_array())
                    fail(deltaWhere, "\"tool_calls\" must be an array, got " + std::string(calls->type_name()));
                for (std::size_t c = 0; c < calls->size(); ++c) {
                    const json &call = (*calls)[c];
                    const std::string callWhere = deltaWhere + ".tool_calls[" + std::to_string(c) + "]";
                    if (!call.is_object())
                        fail(callWhere, std::string("must be an object, got ") + call.type_name());
                    if (!call.contains("index"))
                        fail(callWhere, "missing \"index\"");
                    ChatToolCallDelta toolCall;
                    toolCall.index = optIndex(call, "index", callWhere, 0);
                    toolCall.id = optString(call, "id", callWhere);
                    const json function = optObject(call, "function", callWhere);
                    if (function.is_object()) {
                        toolCall.name = optString(function, "name", callWhere + ".function");
                        toolCall.argumentsDelta = optString(function, "arguments", callWhere + ".function");
                    }
                    delta.toolCalls.push_back(std::move(toolCall));
                }
            }
        }
        chunk.choices.push_back(std::move(delta));
    }
    return chunk;
}

} // namespace assay::api
