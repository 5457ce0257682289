#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

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
    int contentIndex = -1;
    std::string itemId;
    std::string text;          // delta for *.delta; text/refusal/arguments for *.done
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
};

// Both throw std::runtime_error with a message naming what is wrong (invalid JSON at byte N,
// missing "type", ...). A `[DONE]` event must be checked by the caller before parsing.
ResponsesStreamEvent parseResponsesEvent(const SseEvent &event);
ChatStreamChunk parseChatChunk(const SseEvent &event);

} // namespace assay::api
