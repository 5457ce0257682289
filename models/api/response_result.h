#pragma once

#include <optional>
#include <string>
#include <vector>

#include <QString>
#include <nlohmann/json.hpp>

#include "models/api/api_error.h"

namespace assay::api {

enum class ApiKind { Responses, ChatCompletions };

// Token usage normalised across both APIs (Responses: input_tokens/output_tokens with
// *_tokens_details; Chat: prompt_tokens/completion_tokens with *_tokens_details).
struct TokenUsage {
    qint64 inputTokens = 0;
    qint64 cachedInputTokens = 0;
    qint64 outputTokens = 0;
    qint64 reasoningTokens = 0;
    qint64 acceptedPredictionTokens = 0;
    qint64 rejectedPredictionTokens = 0;
    qint64 totalTokens = 0;

    static TokenUsage fromResponses(const nlohmann::json &usage);
    static TokenUsage fromChat(const nlohmann::json &usage);
    bool operator==(const TokenUsage &) const = default;
};

struct ToolCall {
    std::string id;     // call_id (Responses) or tool_calls[].id (Chat)
    std::string itemId; // Responses output item id, empty for Chat
    std::string name;
    std::string arguments; // JSON text as the model produced it (may be partial mid-stream)
    bool operator==(const ToolCall &) const = default;
};

// The x-ratelimit-* headers of the last answer: what the account has left and when it refills.
// Absent fields: the server did not say (local servers usually send none).
struct RateLimitInfo {
    std::optional<qint64> limitRequests;
    std::optional<qint64> limitTokens;
    std::optional<qint64> remainingRequests;
    std::optional<qint64> remainingTokens;
    std::optional<qint64> resetRequestsMs; // "6m0s", "1.5s", "20ms" parsed to milliseconds
    std::optional<qint64> resetTokensMs;
    bool empty() const { return !limitRequests && !limitTokens && !remainingRequests && !remainingTokens; }
    // "1m30.5s" / "20ms" / "6s" -> milliseconds; nullopt when unreadable.
    static std::optional<qint64> parseDuration(const std::string &text);
};

// One token's log probability with its alternatives, from either API.
struct TokenLogprob {
    std::string token;
    double logprob = 0.0;
    std::vector<std::pair<std::string, double>> topAlternatives;
};

// Everything a finished (or failed, or cancelled) request produced, in one value: what the
// response view shows, what `assay ask` prints and what an eval sample is built from.
struct ResponseResult {
    ApiKind api = ApiKind::Responses;
    std::string responseId;    // resp_... or chatcmpl-...
    std::string model;
    std::string status;        // completed / incomplete / failed / cancelled / in_progress
    std::string finishReason;  // Chat finish_reason or Responses incomplete_details.reason
    std::string systemFingerprint;
    std::string serviceTier;
    std::string outputText;
    std::string refusal;
    std::string reasoningSummary;
    std::vector<ToolCall> toolCalls;
    std::vector<TokenLogprob> logprobs;
    std::optional<TokenUsage> usage;
    nlohmann::json rawResponse; // the final response / completion object when we have one

    QString requestId;          // x-request-id header
    int httpStatus = 0;
    RateLimitInfo rateLimit;
    std::optional<ApiError> error;
    int retries = 0;

    // Milliseconds since the request was sent; nullopt when it never happened.
    std::optional<qint64> timeToFirstTokenMs;
    std::optional<qint64> totalMs;

    bool succeeded() const { return !error.has_value(); }
    bool hasOutput() const { return !outputText.empty() || !refusal.empty() || !toolCalls.empty() || !reasoningSummary.empty(); }

    // Output tokens per second of generation time (after the first token), if measurable.
    std::optional<double> outputTokensPerSecond() const;

    // Build from non-streaming bodies: a Responses `response` object / a `chat.completion`.
    static ResponseResult fromResponseObject(const nlohmann::json &response);
    static ResponseResult fromChatCompletion(const nlohmann::json &completion);
};

} // namespace assay::api
