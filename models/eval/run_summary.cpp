#include "models/eval/run_summary.h"

#include <algorithm>
#include <cmath>

namespace assay::eval {

using nlohmann::json;

namespace {

qint64 integer(const json &object, const char *key)
{
    if (!object.is_object())
        return 0;
    const auto it = object.find(key);
    if (it == object.end() || !it->is_number())
        return 0;
    return it->is_number_float() ? static_cast<qint64>(it->get<double>()) : it->get<qint64>();
}

std::string text(const json &object, const char *key)
{
    if (!object.is_object())
        return {};
    const auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

} // namespace

json RunSummary::toJson() const
{
    json criteria = json::array();
    for (const Criterion &c : perCriterion)
        criteria.push_back({{"testing_criteria", c.name}, {"passed", c.passed}, {"failed", c.failed}});
    json usage = json::array();
    for (const ModelUsage &u : perModelUsage) {
        usage.push_back({{"model_name", u.model},
                         {"invocation_count", u.invocations},
                         {"prompt_tokens", u.promptTokens},
                         {"completion_tokens", u.completionTokens},
                         {"total_tokens", u.totalTokens},
                         {"cached_tokens", u.cachedTokens},
                         {"reasoning_tokens", u.reasoningTokens}});
    }
    json latency = {{"p50", latencyP50Ms ? json(*latencyP50Ms) : json(nullptr)},
                    {"p95", latencyP95Ms ? json(*latencyP95Ms) : json(nullptr)}};
    return {{"result_counts", {{"total", total}, {"passed", passed}, {"failed", failed}, {"errored", errored}}},
            {"per_testing_criteria_results", criteria},
            {"per_model_usage", usage},
            {"latency_ms", latency},
            {"estimated_cost_usd", estimatedCostUsd ? json(*estimatedCostUsd) : json(nullptr)},
            {"cache_hits", cacheHits},
            {"system_fingerprints", systemFingerprints}};
}

RunSummary RunSummary::fromJson(const json &document)
{
    RunSummary summary;
    if (!document.is_object())
        return summary;
    const json counts = document.value("result_counts", json::object());
    summary.total = integer(counts, "total");
    summary.passed = integer(counts, "passed");
    summary.failed = integer(counts, "failed");
    summary.errored = integer(counts, "errored");
    if (const auto it = document.find("per_testing_criteria_results"); it != document.end() && it->is_array()) {
        for (const json &c : *it)
            summary.perCriterion.push_back({text(c, "testing_criteria"), integer(c, "passed"), integer(c, "failed")});
    }
    if (const auto it = document.find("per_model_usage"); it != document.end() && it->is_array()) {
        for (const json &u : *it) {
            RunSummary::ModelUsage usage;
            usage.model = text(u, "model_name");
            usage.invocations = integer(u, "invocation_count");
            usage.promptTokens = integer(u, "prompt_tokens");
            usage.completionTokens = integer(u, "completion_tokens");
            usage.totalTokens = integer(u, "total_tokens");
            usage.cachedTokens = integer(u, "cached_tokens");
            usage.reasoningTokens = integer(u, "reasoning_tokens");
            summary.perModelUsage.push_back(usage);
        }
    }
    if (const auto it = document.find("latency_ms"); it != document.end() && it->is_object()) {
        if (const auto p = it->find("p50"); p != it->end() && p->is_number())
            summary.latencyP50Ms = p->get<double>();
        if (const auto p = it->find("p95"); p != it->end() && p->is_number())
            summary.latencyP95Ms = p->get<double>();
    }
    if (const auto it = document.find("estimated_cost_usd"); it != document.end() && it->is_number())
        summary.estimatedCostUsd = it->get<double>();
    summary.cacheHits = integer(document, "cache_hits");
    if (const auto it = document.find("system_fingerprints"); it != document.end() && it->is_array()) {
        for (const json &f : *it) {
            if (f.is_string())
                summary.systemFingerprints.push_back(f.get<std::string>());
        }
    }
    return summary;
}

std::optional<double> nearestRankPercentile(std::vector<double> values, double q)
{
    if (values.empty())
        return std::nullopt;
    const auto n = values.size();
    auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(n)));
    rank = std::clamp<std::size_t>(rank, 1, n);
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(rank - 1), values.end());
    return values[rank - 1];
}

RunSummaryBuilder::RunSummaryBuilder(std::vector<std::string> criteriaNames)
{
    m_criteria.reserve(criteriaNames.size());
    for (std::string &name : criteriaNames)
        m_criteria.push_back({std::move(name), 0, 0});
}

void RunSummaryBuilder::addItem(const store::OutputItemRecord &item)
{
    ++m_total;
    if (item.status == QLatin1String("pass"))
        ++m_passed;
    else if (item.status == QLatin1String("fail"))
        ++m_failed;
    else
        ++m_errored;

    if (item.results.is_array()) {
        for (std::size_t i = 0; i < item.results.size(); ++i) {
            const json &result = item.results[i];
            // Results come in criterion order; the name check guards against a reordered eval.
            std::size_t index = i;
            const std::string name = text(result, "name");
            if (index >= m_criteria.size() || m_criteria[index].name != name) {
                const auto found = std::find_if(m_criteria.begin(), m_criteria.end(),
                                                [&name](const RunSummary::Criterion &c) { return c.name == name; });
                if (found == m_criteria.end())
                    continue;
                index = static_cast<std::size_t>(found - m_criteria.begin());
            }
            if (result.value("passed", false))
                ++m_criteria[index].passed;
            else if (text(result, "error").empty())
                ++m_criteria[index].failed;
        }
    }

    if (item.cacheHit)
        ++m_cacheHits;
    else if (item.latencyMs >= 0)
        m_latencies.push_back(static_cast<double>(item.latencyMs));

    const json &sample = item.sample;
    if (!sample.is_object())
        return;
    // Few distinct values per run (usually one): a linear scan, capped so a backend that
    // reports a new one per call cannot grow the summary without bound.
    if (const std::string fingerprint = text(sample, "system_fingerprint");
        !fingerprint.empty() && m_fingerprints.size() < MaxFingerprints &&
        std::find(m_fingerprints.begin(), m_fingerprints.end(), fingerprint) == m_fingerprints.end())
        m_fingerprints.push_back(fingerprint);
    if (!item.cacheHit) {
        const auto usage = sample.find("usage");
        const std::string model = text(sample, "model");
        // A call that failed, or a row that never got one (a bad row, a jsonl row's own
        // sample), is not a billed invocation.
        const auto error = sample.find("error");
        const bool failed = error != sample.end() && !error->is_null();
        const bool spent = usage != sample.end() && usage->is_object() &&
                           (integer(*usage, "prompt_tokens") > 0 || integer(*usage, "completion_tokens") > 0 ||
                            integer(*usage, "total_tokens") > 0);
        if (spent && !failed && !model.empty()) {
            ModelCallUsage call;
            call.model = model;
            call.usage.inputTokens = integer(*usage, "prompt_tokens");
            call.usage.outputTokens = integer(*usage, "completion_tokens");
            call.usage.totalTokens = integer(*usage, "total_tokens");
            call.usage.cachedInputTokens = integer(*usage, "cached_tokens");
            call.usage.reasoningTokens = integer(*usage, "reasoning_tokens");
            call.serviceTier = text(sample, "service_tier");
            addUsage(call);
        }
    }
    if (const auto graders = sample.find("grader_usage"); graders != sample.end() && graders->is_array()) {
        for (const json &g : *graders) {
            ModelCallUsage call;
            call.model = text(g, "model");
            call.usage.inputTokens = integer(g, "prompt_tokens");
            call.usage.outputTokens = integer(g, "completion_tokens");
            call.usage.totalTokens = integer(g, "total_tokens");
            call.usage.cachedInputTokens = integer(g, "cached_tokens");
            call.usage.reasoningTokens = integer(g, "reasoning_tokens");
            call.serviceTier = text(g, "service_tier");
            addUsage(call, std::max<qint64>(1, integer(g, "invocations")));
        }
    }
}

void RunSummaryBuilder::addUsage(const ModelCallUsage &call, qint64 invocations)
{
    auto it = std::find_if(m_models.begin(), m_models.end(), [&call](const Bucket &b) {
        return b.usage.model == call.model && b.serviceTier == call.serviceTier;
    });
    if (it == m_models.end()) {
        Bucket bucket;
        bucket.usage.model = call.model;
        bucket.serviceTier = call.serviceTier;
        m_models.push_back(bucket);
        it = m_models.end() - 1;
    }
    it->usage.invocations += invocations;
    it->usage.promptTokens += call.usage.inputTokens;
    it->usage.completionTokens += call.usage.outputTokens;
    it->usage.totalTokens += call.usage.totalTokens > 0 ? call.usage.totalTokens
                                                        : call.usage.inputTokens + call.usage.outputTokens;
    it->usage.cachedTokens += call.usage.cachedInputTokens;
    it->usage.reasoningTokens += call.usage.reasoningTokens;
}

RunSummary RunSummaryBuilder::build(const prompt::Pricing *pricing) const
{
    RunSummary summary;
    summary.total = m_total;
    summary.passed = m_passed;
    summary.failed = m_failed;
    summary.errored = m_errored;
    summary.perCriterion = m_criteria;
    summary.cacheHits = m_cacheHits;
    summary.systemFingerprints = m_fingerprints;
    summary.latencyP50Ms = nearestRankPercentile(m_latencies, 0.50);
    summary.latencyP95Ms = nearestRankPercentile(m_latencies, 0.95);

    std::optional<double> cost = pricing ? std::optional<double>(0.0) : std::nullopt;
    for (const Bucket &bucket : m_models) {
        auto merged = std::find_if(summary.perModelUsage.begin(), summary.perModelUsage.end(),
                                   [&bucket](const RunSummary::ModelUsage &u) { return u.model == bucket.usage.model; });
        if (merged == summary.perModelUsage.end()) {
            summary.perModelUsage.push_back(bucket.usage);
        } else {
            merged->invocations += bucket.usage.invocations;
            merged->promptTokens += bucket.usage.promptTokens;
            merged->completionTokens += bucket.usage.completionTokens;
            merged->totalTokens += bucket.usage.totalTokens;
            merged->cachedTokens += bucket.usage.cachedTokens;
            merged->reasoningTokens += bucket.usage.reasoningTokens;
        }
        if (cost) {
            api::TokenUsage usage;
            usage.inputTokens = bucket.usage.promptTokens;
            usage.cachedInputTokens = bucket.usage.cachedTokens;
            usage.outputTokens = bucket.usage.completionTokens;
            usage.totalTokens = bucket.usage.totalTokens;
            const std::optional<double> part = pricing->costUsd(QString::fromStdString(bucket.usage.model), usage,
                                                                 QString::fromStdString(bucket.serviceTier));
            cost = part ? std::optional<double>(*cost + *part) : std::nullopt;
        }
    }
    summary.estimatedCostUsd = cost;
    return summary;
}

RunSummary summarizeRun(const std::vector<store::OutputItemRecord> &items, const std::vector<std::string> &criteriaNames,
                        const prompt::Pricing *pricing)
{
    RunSummaryBuilder builder(criteriaNames);
    for (const store::OutputItemRecord &item : items)
        builder.addItem(item);
    return builder.build(pricing);
}

} // namespace assay::eval
