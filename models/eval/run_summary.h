#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/api/response_result.h"
#include "models/prompt/pricing.h"
#include "models/store/eval_store.h"

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
        qint64 reasoningTokens = 0; // part of completionTokens
    };
    std::vector<ModelUsage> perModelUsage; // sampling and grader models
    std::optional<double> latencyP50Ms;
    std::optional<double> latencyP95Ms;
    std::optional<double> estimatedCostUsd; // nullopt when a model has no price
    qint64 cacheHits = 0;
    // The distinct system_fingerprint values the sampling answers reported, in the order first
    // seen: a change within a run means the backend changed under it.
    std::vector<std::string> systemFingerprints;

    double passRate() const { return total > 0 ? static_cast<double>(passed) / static_cast<double>(total) : 0.0; }
    // {result_counts, per_testing_criteria_results, per_model_usage, latency_ms{p50,p95},
    // estimated_cost_usd, cache_hits, system_fingerprints}
    nlohmann::json toJson() const;
    static RunSummary fromJson(const nlohmann::json &json);
};

// One billed model call (a sampling request or a grader's model call).
struct ModelCallUsage {
    std::string model;
    api::TokenUsage usage;
    std::string serviceTier;
};

// Adds a run up as its items finish, in O(1) per item, so the runner can refresh progress and
// the stored summary without rescanning the run. Latency percentiles use the nearest-rank
// method over sampled (not cached) items: p = the ceil(q * n)-th smallest latency.
//
// Per item it reads: status, results[] (per criterion, in testing_criteria order, matched by
// name), latencyMs, cacheHit, sample.system_fingerprint, sample.model + sample.usage (the sampling call, unless it came
// from the cache, failed (sample.error) or spent no tokens) and sample.grader_usage[] ({model, prompt_tokens, completion_tokens,
// total_tokens, cached_tokens, invocations}: the model graders' calls for that item).
class RunSummaryBuilder {
public:
    explicit RunSummaryBuilder(std::vector<std::string> criteriaNames = {});
    void addItem(const store::OutputItemRecord &item);
    void addUsage(const ModelCallUsage &call, qint64 invocations = 1);
    // `pricing` null: no cost estimate.
    RunSummary build(const prompt::Pricing *pricing) const;
    const std::vector<RunSummary::Criterion> &perCriterion() const { return m_criteria; }
    qint64 total() const { return m_total; }
    qint64 passed() const { return m_passed; }
    qint64 failed() const { return m_failed; }
    qint64 errored() const { return m_errored; }

private:
    struct Bucket {
        RunSummary::ModelUsage usage;
        std::string serviceTier;
    };
    std::vector<RunSummary::Criterion> m_criteria;
    std::vector<Bucket> m_models; // few models: a linear lookup is cheaper than a map
    std::vector<double> m_latencies;
    static constexpr std::size_t MaxFingerprints = 32;
    std::vector<std::string> m_fingerprints;
    qint64 m_total = 0, m_passed = 0, m_failed = 0, m_errored = 0, m_cacheHits = 0;
};

// The summary of a set of finished items (e.g. everything stored for a run).
RunSummary summarizeRun(const std::vector<store::OutputItemRecord> &items, const std::vector<std::string> &criteriaNames,
                        const prompt::Pricing *pricing);

// Nearest-rank percentile (q in (0, 1]) of unsorted values; nullopt when empty.
std::optional<double> nearestRankPercentile(std::vector<double> values, double q);

} // namespace assay::eval
