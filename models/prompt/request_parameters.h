#pragma once

#include <map>
#include <optional>

#include <QString>
#include <QStringList>
#include <nlohmann/json.hpp>

#include "models/api/response_result.h"

namespace assay::prompt {

// Every request parameter the playground exposes. Unset optionals are not sent, so the server's
// defaults apply. RequestBuilder sends only what the chosen API accepts.
struct RequestParameters {
    api::ApiKind api = api::ApiKind::Responses;
    QString model;
    std::optional<double> temperature;
    std::optional<double> topP;
    std::optional<int> maxOutputTokens;      // max_output_tokens / max_completion_tokens
    QString reasoningEffort;                 // "", minimal, low, medium, high
    QString reasoningSummary;                // "", auto, concise, detailed (Responses only)
    std::optional<qint64> seed;              // Chat only (Responses has no seed)
    QString serviceTier;                     // "", auto, default, flex, priority
    std::optional<bool> store;
    std::optional<bool> parallelToolCalls;
    std::optional<int> topLogprobs;          // 0..20
    std::optional<double> frequencyPenalty;  // Chat only
    std::optional<double> presencePenalty;   // Chat only
    QString verbosity;                       // "", low, medium, high
    QString promptCacheKey;
    QString safetyIdentifier;
    QString prediction;                      // predicted output text (Chat only)
    QStringList stop;                        // up to 4 stop sequences (Chat only)
    nlohmann::json jsonSchema;               // structured output: {"name","schema","strict"} or null
    nlohmann::json tools = nlohmann::json::array(); // function tool definitions
    QString toolChoice;                      // "", auto, none, required
    std::map<QString, QString> metadata;
    nlohmann::json extra = nlohmann::json::object(); // free key=value params merged last
    bool background = false;                 // Responses only

    // 15 minutes for flex processing, 10 otherwise (the official SDKs' defaults).
    int timeoutMs() const { return serviceTier == QStringLiteral("flex") ? 15 * 60 * 1000 : 10 * 60 * 1000; }
};

} // namespace assay::prompt
