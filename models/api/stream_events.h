#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/api/response_result.h"
#include "models/api/sse_parser.h"

namespace assay::api {

// The Responses API stream events Assay understands (openapi.json: ResponseStreamEvent).
// Anything else parses as Other and is kept for the inspector but otherwise ignored.
enum class ResponsesEventType {
    Created, InProgress, Queued, Completed, Incomplete, Failed,
    OutputItemAdded, OutputItemDone,
    ContentPartAdded, ContentPartDone,
    OutputTextDelta, OutputTextDone,
    RefusalDelta, RefusalDone,
    FunctionCallArgumentsDelta, FunctionCallArgumentsDone,
    ReasoningSummaryTextDelta, ReasoningSummaryTextDone,
    Error,
    Other,
};

struct ResponsesStreamEvent {
    ResponsesEventType type = ResponsesEventType::Other;
    std::string typeName;      // the raw "type" string
    long long sequenceNumber = -1;
    int outputIndex = -1;
    int contentIndex = -1;     // content_index; summary_index for reasoning summary events
    std::string itemId;
    std::string text;          // delta for *.delta; text/refusal/arguments for *.done;
                               // the message of an `error` event
    nlohmann::json payload;    // the whole event object (response, item, part, logprobs, ...)
};

// Chat Completions stream chunk (openapi.json: CreateChatCompletionStreamResponse).
struct ChatToolCallDelta {
    int index = 0;
    std::string id;
    std::string name;
    std::string argumentsDelta;
};

struct ChatChoiceDelta {
    int index = 0;
    std::string role;
    std::string content;
    std::string refusal;
    std::string finishReason;
    std::vector<ChatToolCallDelta> toolCalls;
    nlohmann::json logprobs; // null when absent
};

struct ChatStreamChunk {
    std::string id;
    std::string model;
    std::string systemFingerprint;
    std::string serviceTier;
    std::vector<ChatChoiceDelta> choices;
    nlohmann::json usage; // null unless stream_options.include_usage and this is the last chunk
    nlohmann::json error; // null unless the server put {"error": {...}} in the stream
};

// Both throw std::runtime_error with a message naming what is wrong (invalid JSON at byte N,
// missing "type", a field of the wrong type, ...). A `[DONE]` event must be checked by the
// caller before parsing. Fields the spec marks required but Assay does not need may be absent.
ResponsesStreamEvent parseResponsesEvent(const SseEvent &event);
ChatStreamChunk parseChatChunk(const SseEvent &event);

// Appends OpenAI logprob entries ({token, logprob, top_logprobs[{token, logprob}]}: Responses
// ResponseLogProb / LogProb, Chat ChatCompletionTokenLogprob) to `out`. Lenient: logprobs are
// an extra, so a malformed entry is skipped rather than failing the response.
void appendTokenLogprobs(std::vector<TokenLogprob> &out, const nlohmann::json &entries);

} // namespace assay::api
