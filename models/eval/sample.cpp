#include "models/eval/sample.h"

namespace assay::eval {

using nlohmann::json;

namespace {

// The Responses API has no finish_reason; graders written against Chat expect one, so it is
// derived the way the two APIs line up: incomplete_details.reason "max_output_tokens" is Chat's
// "length", "content_filter" stays, a function call ends with "tool_calls", else "stop".
std::string chatFinishReason(const api::ResponseResult &result)
{
    if (result.api == api::ApiKind::ChatCompletions && !result.finishReason.empty())
        return result.finishReason;
    if (result.finishReason == "max_output_tokens" || result.finishReason == "length")
        return "length";
    if (!result.finishReason.empty())
        return result.finishReason;
    if (!result.toolCalls.empty())
        return "tool_calls";
    if (result.status == "incomplete")
        return "length";
    return "stop";
}

} // namespace

Sample Sample::fromResponseResult(const api::ResponseResult &result, bool jsonFormatRequested)
{
    Sample sample;
    sample.outputText = result.outputText;
    if (jsonFormatRequested && !result.outputText.empty()) {
        json parsed = json::parse(result.outputText, nullptr, false);
        if (!parsed.is_discarded())
            sample.outputJson = std::move(parsed);
    }

    json tools = json::array();
    for (const api::ToolCall &call : result.toolCalls) {
        tools.push_back({{"id", call.id},
                         {"type", "function"},
                         {"function", {{"name", call.name}, {"arguments", call.arguments}}}});
    }
    sample.outputTools = tools;

    sample.finishReason = chatFinishReason(result);
    json message = {{"role", "assistant"},
                    {"content", result.outputText.empty() && !tools.empty() ? json(nullptr) : json(result.outputText)}};
    if (!tools.empty())
        message["tool_calls"] = tools;
    if (!result.refusal.empty())
        message["refusal"] = result.refusal;
    sample.choices = json::array({{{"index", 0}, {"message", message}, {"finish_reason", sample.finishReason}}});

    sample.usage = result.usage;
    sample.model = result.model;
    sample.systemFingerprint = result.systemFingerprint;
    sample.responseId = result.responseId;
    sample.requestId = result.requestId.toStdString();
    return sample;
}

json Sample::toNamespace() const
{
    json ns = {{"output_text", outputText},
               {"output_json", outputJson},
               {"output_tools", outputTools},
               {"choices", choices}};
    if (usage) {
        ns["usage"] = {{"prompt_tokens", usage->inputTokens},
                       {"completion_tokens", usage->outputTokens},
                       {"total_tokens", usage->totalTokens},
                       {"cached_tokens", usage->cachedInputTokens},
                       {"reasoning_tokens", usage->reasoningTokens}};
    } else {
        ns["usage"] = {{"prompt_tokens", 0},
                       {"completion_tokens", 0},
                       {"total_tokens", 0},
                       {"cached_tokens", 0},
                       {"reasoning_tokens", 0}};
    }
    ns["model"] = model;
    ns["finish_reason"] = finishReason;
    return ns;
}

} // namespace assay::eval
