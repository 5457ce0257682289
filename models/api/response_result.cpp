#include <cctype>
#include "models/api/response_result.h"


#include "models/api/stream_events.h"
#include "models/api/json_fields.h"

namespace assay::api {

namespace {

using nlohmann::json;

// Usage blocks come from servers we do not control (proxies, older API versions, local
// OpenAI-compatible servers): any missing, null or odd field counts as 0 instead of failing.
qint64 count(const json &object, const char *key)
{
    if (!object.is_object())
        return 0;
    const auto it = object.find(key);
    if (it == object.end())
        return 0;
    if (it->is_number_integer())
        return it->get<qint64>();
    if (it->is_number_float())
        return static_cast<qint64>(it->get<double>());
    return 0;
}

const json &member(const json &object, const char *key) { return jsonMember(object, key); }

std::string text(const json &object, const char *key) { return jsonText(object, key); }

} // namespace

TokenUsage TokenUsage::fromResponses(const nlohmann::json &usage)
{
    TokenUsage result;
    result.inputTokens = count(usage, "input_tokens");
    result.cachedInputTokens = count(member(usage, "input_tokens_details"), "cached_tokens");
    result.outputTokens = count(usage, "output_tokens");
    result.reasoningTokens = count(member(usage, "output_tokens_details"), "reasoning_tokens");
    result.totalTokens = count(usage, "total_tokens");
    return result;
}

TokenUsage TokenUsage::fromChat(const nlohmann::json &usage)
{
    TokenUsage result;
    result.inputTokens = count(usage, "prompt_tokens");
    result.cachedInputTokens = count(member(usage, "prompt_tokens_details"), "cached_tokens");
    result.outputTokens = count(usage, "completion_tokens");
    const json &details = member(usage, "completion_tokens_details");
    result.reasoningTokens = count(details, "reasoning_tokens");
    result.acceptedPredictionTokens = count(details, "accepted_prediction_tokens");
    result.rejectedPredictionTokens = count(details, "rejected_prediction_tokens");
    result.totalTokens = count(usage, "total_tokens");
    return result;
}

std::optional<double> ResponseResult::outputTokensPerSecond() const
{
    if (!usage || !timeToFirstTokenMs || !totalMs)
        return std::nullopt;
    const qint64 spanMs = *totalMs - *timeToFirstTokenMs;
    if (spanMs <= 0)
        return std::nullopt;
    return static_cast<double>(usage->outputTokens) / (static_cast<double>(spanMs) / 1000.0);
}

ResponseResult ResponseResult::fromResponseObject(const nlohmann::json &response)
{
    ResponseResult result;
    result.api = ApiKind::Responses;
    result.responseId = text(response, "id");
    result.model = text(response, "model");
    result.status = text(response, "status");
    result.serviceTier = text(response, "service_tier");
    result.finishReason = text(member(response, "incomplete_details"), "reason");
    if (const json &usage = member(response, "usage"); usage.is_object())
        result.usage = TokenUsage::fromResponses(usage);

    std::vector<std::string> summaries;
    if (const json &output = member(response, "output"); output.is_array()) {
        for (const json &item : output) {
            const std::string type = text(item, "type");
            if (type == "message") {
                const json &content = member(item, "content");
                if (!content.is_array())
                    continue;
                for (const json &part : content) {
                    const std::string partType = text(part, "type");
                    if (partType == "output_text") {
                        result.outputText += text(part, "text");
                        appendTokenLogprobs(result.logprobs, member(part, "logprobs"));
                    } else if (partType == "refusal") {
                        result.refusal += text(part, "refusal");
                    }
                }
            } else if (type == "function_call") {
                result.toolCalls.push_back(ToolCall{text(item, "call_id"), text(item, "id"),
                                                    text(item, "name"), text(item, "arguments")});
            } else if (type == "reasoning") {
                if (const json &summary = member(item, "summary"); summary.is_array()) {
                    for (const json &part : summary)
                        summaries.push_back(text(part, "text"));
                }
            }
        }
    }
    for (const std::string &summary : summaries) {
        if (summary.empty())
            continue;
        if (!result.reasoningSummary.empty())
            result.reasoningSummary += "\n\n";
        result.reasoningSummary += summary;
    }
    // The SDK-only convenience field, in case a server sends it without output items.
    if (result.outputText.empty())
        result.outputText = text(response, "output_text");

    if (const json &error = member(response, "error"); error.is_object())
        result.error = ApiError::fromStreamEvent(json{{"type", "response.failed"}, {"response", response}},
                                                 QString());
    result.rawResponse = response;
    return result;
}

ResponseResult ResponseResult::fromChatCompletion(const nlohmann::json &completion)
{
    ResponseResult result;
    result.api = ApiKind::ChatCompletions;
    result.responseId = text(completion, "id");
    result.model = text(completion, "model");
    result.systemFingerprint = text(completion, "system_fingerprint");
    result.serviceTier = text(completion, "service_tier");
    if (const json &usage = member(completion, "usage"); usage.is_object())
        result.usage = TokenUsage::fromChat(usage);

    // With n > 1 the first choice is the answer; the others stay in rawResponse.
    const json *first = nullptr;
    if (const json &choices = member(completion, "choices"); choices.is_array()) {
        for (const json &choice : choices) {
            if (count(choice, "index") == 0) {
                first = &choice;
                break;
            }
        }
    }
    if (first) {
        const json &message = member(*first, "message");
        result.outputText = text(message, "content");
        result.refusal = text(message, "refusal");
        if (const json &calls = member(message, "tool_calls"); calls.is_array()) {
            for (const json &call : calls) {
                const json &function = member(call, "function");
                result.toolCalls.push_back(ToolCall{text(call, "id"), std::string(),
                                                    text(function, "name"), text(function, "arguments")});
            }
        }
        result.finishReason = text(*first, "finish_reason");
        appendTokenLogprobs(result.logprobs, member(member(*first, "logprobs"), "content"));
    }
    result.status = (result.finishReason == "length" || result.finishReason == "content_filter")
                        ? "incomplete"
                        : "completed";
    result.rawResponse = completion;
    return result;
}

std::optional<qint64> RateLimitInfo::parseDuration(const std::string &text)
{
    // The API writes Go durations: a sequence of <number><unit> with units h, m, s, ms.
    if (text.empty())
        return std::nullopt;
    double totalMs = 0;
    size_t i = 0;
    while (i < text.size()) {
        size_t end = i;
        while (end < text.size() && (std::isdigit(static_cast<unsigned char>(text[end])) || text[end] == '.'))
            ++end;
        if (end == i)
            return std::nullopt;
        double value = 0;
        try {
            value = std::stod(text.substr(i, end - i));
        } catch (const std::exception &) {
            return std::nullopt;
        }
        size_t unitEnd = end;
        while (unitEnd < text.size() && std::isalpha(static_cast<unsigned char>(text[unitEnd])))
            ++unitEnd;
        const std::string unit = text.substr(end, unitEnd - end);
        if (unit == "ms")
            totalMs += value;
        else if (unit == "s" || unit.empty())
            totalMs += value * 1000.0;
        else if (unit == "m")
            totalMs += value * 60000.0;
        else if (unit == "h")
            totalMs += value * 3600000.0;
        else
            return std::nullopt;
        i = unitEnd;
    }
    return static_cast<qint64>(totalMs + 0.5);
}

} // namespace assay::api
