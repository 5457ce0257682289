#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace assay::eval {

// What a run adds up to, shaped like the EvalRun object's counters plus what Assay measures.
struct RunSummary {
    qint64 total = 0;
    qint64 passed = 0;
    qint64 failed = 0;
    qint64 errored = 0;
    struct Criterion {
        std::string name;
        qint64 passed = 0;
        qint64 failed = 0;
    };
    std::vector<Criterion> perCriterion; // in testing_criteria order
    struct ModelUsage {
        std::string model;
        qint64 invocations = 0;
        qint64 promptTokens = 0;
        qint64 completionTokens = 0;
        qint64 totalTokens = 0;
        qint64 cachedTokens = 0;
    };
    std::vector<ModelUsage> perModelUsage; // sampling and grader models
    std::optional<double> latencyP50Ms;
    std::optional<double> latencyP95Ms;
    std::optional<double> estimatedCostUsd; // nullopt when a model has no price
    qint64 cacheHits = 0;

    double passRate() const { return total > 0 ? static_cast<double>(passed) / static_cast<double>(total) : 0.0; }
    // {result_counts, per_testing_criteria_results, per_model_usage, latency_ms{p50,p95},
    // estimated_cost_usd, cache_hits}
    nlohmann::json toJson() const;
    static RunSummary fromJson(const nlohmann::json &json);
};

} // namespace assay::eval
