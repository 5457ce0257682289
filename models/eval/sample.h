#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "models/api/response_result.h"

namespace assay::eval {

// What the model produced for one dataset item: the `sample` namespace of the graders'
// templating, built the same way from either API.
struct Sample {
    std::string outputText;
    nlohmann::json outputJson;                          // null unless a JSON format was requested and the text parsed
    nlohmann::json outputTools = nlohmann::json::array(); // Chat-shaped tool_calls (also from Responses function calls)
    nlohmann::json choices = nlohmann::json::array();     // Chat-shaped choices [{index, message, finish_reason}]
    std::optional<api::TokenUsage> usage;
    std::string model;
    std::string finishReason;
    std::string systemFingerprint;
    std::string responseId;
    std::string requestId;

    // `jsonFormatRequested`: the run asked for a json_schema / json_object format, so the text
    // is parsed into output_json (left null when it does not parse).
    static Sample fromResponseResult(const api::ResponseResult &result, bool jsonFormatRequested);

    // {output_text, output_json, output_tools, choices, usage{prompt_tokens, completion_tokens,
    // total_tokens, cached_tokens, reasoning_tokens}}: what `{{ sample.* }}` and python graders see.
    nlohmann::json toNamespace() const;
};

} // namespace assay::eval
