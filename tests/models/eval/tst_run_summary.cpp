#include <QtTest>

#include "models/eval/run_summary.h"

using assay::eval::nearestRankPercentile;
using assay::eval::RunSummary;
using assay::eval::RunSummaryBuilder;
using assay::prompt::Pricing;
using assay::store::OutputItemRecord;
using json = nlohmann::json;

namespace {

OutputItemRecord item(const QString &status, const json &results, qint64 latencyMs, bool cacheHit = false,
                      qint64 prompt = 100, qint64 completion = 10)
{
    OutputItemRecord record;
    record.status = status;
    record.results = results;
    record.latencyMs = latencyMs;
    record.cacheHit = cacheHit;
    record.sample = {{"model", "gpt-4.1-mini-2025-04-14"},
                     {"usage",
                      {{"prompt_tokens", prompt},
                       {"completion_tokens", completion},
                       {"total_tokens", prompt + completion},
                       {"cached_tokens", 0}}}};
    return record;
}

json result(const std::string &name, bool passed, const std::string &error = {})
{
    json r = {{"name", name}, {"type", "string_check"}, {"score", passed ? 1.0 : 0.0}, {"passed", passed}};
    if (!error.empty())
        r["error"] = error;
    return r;
}

Pricing table()
{
    return Pricing::fromJson(json::parse(R"({"models": [
        {"model": "gpt-4.1-mini", "input": 0.4, "cached_input": 0.1, "output": 1.6},
        {"model": "gpt-4.1-nano", "input": 0.1, "cached_input": 0.025, "output": 0.4}]})"));
}

} // namespace

class TestRunSummary : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void nearestRank()
    {
        QVERIFY(!nearestRankPercentile({}, 0.5));
        QCOMPARE(*nearestRankPercentile({7}, 0.95), 7.0);
        // 1..100: p50 is the 50th value, p95 the 95th (nearest rank, no interpolation).
        std::vector<double> values;
        for (int i = 100; i >= 1; --i)
            values.push_back(i);
        QCOMPARE(*nearestRankPercentile(values, 0.50), 50.0);
        QCOMPARE(*nearestRankPercentile(values, 0.95), 95.0);
        QCOMPARE(*nearestRankPercentile({10, 20, 30, 40}, 0.5), 20.0);
        QCOMPARE(*nearestRankPercentile({10, 20, 30, 40}, 0.95), 40.0);
    }

    void countsCriteriaUsageAndCost()
    {
        RunSummaryBuilder builder({"exact", "tone"});
        builder.addItem(item(QStringLiteral("pass"), json::array({result("exact", true), result("tone", true)}), 100));
        builder.addItem(item(QStringLiteral("fail"), json::array({result("exact", false), result("tone", true)}), 300));
        builder.addItem(
            item(QStringLiteral("error"), json::array({result("exact", true), result("tone", false, "model down")}), 200));
        // Served from the cache: counted, but no latency and no tokens billed.
        builder.addItem(item(QStringLiteral("pass"), json::array({result("exact", true), result("tone", true)}), 0, true));
        OutputItemRecord graded = item(QStringLiteral("pass"), json::array({result("exact", true), result("tone", true)}), 400);
        graded.sample["grader_usage"] = json::array({{{"model", "gpt-4.1-nano"},
                                                      {"invocations", 2},
                                                      {"prompt_tokens", 1000},
                                                      {"completion_tokens", 100},
                                                      {"total_tokens", 1100},
                                                      {"cached_tokens", 0}}});
        builder.addItem(graded);

        const Pricing pricing = table();
        const RunSummary summary = builder.build(&pricing);
        QCOMPARE(summary.total, qint64(5));
        QCOMPARE(summary.passed, qint64(3));
        QCOMPARE(summary.failed, qint64(1));
        QCOMPARE(summary.errored, qint64(1));
        QCOMPARE(summary.perCriterion[0].passed, qint64(4));
        QCOMPARE(summary.perCriterion[0].failed, qint64(1));
        QCOMPARE(summary.perCriterion[1].passed, qint64(4));
        QCOMPARE(summary.perCriterion[1].failed, qint64(0)); // an errored grader is neither
        QCOMPARE(summary.cacheHits, qint64(1));
        QCOMPARE(*summary.latencyP50Ms, 200.0);
        QCOMPARE(*summary.latencyP95Ms, 400.0);

        QCOMPARE(summary.perModelUsage.size(), std::size_t(2));
        QCOMPARE(summary.perModelUsage[0].model, std::string("gpt-4.1-mini-2025-04-14"));
        QCOMPARE(summary.perModelUsage[0].invocations, qint64(4));
        QCOMPARE(summary.perModelUsage[0].promptTokens, qint64(400));
        QCOMPARE(summary.perModelUsage[1].invocations, qint64(2));
        // 400 * 0.4 + 40 * 1.6 per million, plus 1000 * 0.1 + 100 * 0.4 per million.
        QVERIFY(qAbs(*summary.estimatedCostUsd - (160.0 + 64.0 + 100.0 + 40.0) / 1e6) < 1e-12);

        QVERIFY(!builder.build(nullptr).estimatedCostUsd);
        const Pricing empty;
        QVERIFY(!builder.build(&empty).estimatedCostUsd); // a model without a price: no estimate
    }

    void reasoningTokensAndFingerprintsAreKept()
    {
        RunSummaryBuilder builder({"c"});
        OutputItemRecord first = item(QStringLiteral("pass"), json::array({result("c", true)}), 100);
        first.sample["usage"]["reasoning_tokens"] = 7;
        first.sample["system_fingerprint"] = "fp_a";
        OutputItemRecord second = item(QStringLiteral("pass"), json::array({result("c", true)}), 120);
        second.sample["usage"]["reasoning_tokens"] = 5;
        second.sample["system_fingerprint"] = "fp_b";
        OutputItemRecord third = item(QStringLiteral("fail"), json::array({result("c", false)}), 90);
        third.sample["system_fingerprint"] = "fp_a"; // seen before: listed once
        builder.addItem(first);
        builder.addItem(second);
        builder.addItem(third);
        const RunSummary summary = builder.build(nullptr);
        QCOMPARE(summary.perModelUsage.size(), std::size_t(1));
        QCOMPARE(summary.perModelUsage[0].reasoningTokens, qint64(12));
        QCOMPARE(summary.systemFingerprints, (std::vector<std::string>{"fp_a", "fp_b"}));

        const RunSummary back = RunSummary::fromJson(summary.toJson());
        QCOMPARE(back.perModelUsage[0].reasoningTokens, qint64(12));
        QCOMPARE(back.systemFingerprints, summary.systemFingerprints);
    }

    void jsonRoundTripsAndMatchesEvalRunNames()
    {
        RunSummary summary;
        summary.total = 4;
        summary.passed = 2;
        summary.failed = 1;
        summary.errored = 1;
        summary.perCriterion = {{"exact", 3, 1}};
        summary.perModelUsage = {{"gpt-4.1-mini", 4, 400, 40, 440, 12}};
        summary.latencyP50Ms = 51;
        summary.latencyP95Ms = 80;
        summary.estimatedCostUsd = 0.0012;
        summary.cacheHits = 2;
        const json document = summary.toJson();
        QCOMPARE(document["result_counts"],
                 json({{"total", 4}, {"passed", 2}, {"failed", 1}, {"errored", 1}}));
        QCOMPARE(document["per_testing_criteria_results"][0],
                 json({{"testing_criteria", "exact"}, {"passed", 3}, {"failed", 1}}));
        QCOMPARE(document["per_model_usage"][0]["model_name"], json("gpt-4.1-mini"));
        QCOMPARE(document["per_model_usage"][0]["invocation_count"], json(4));
        QCOMPARE(document["per_model_usage"][0]["cached_tokens"], json(12));
        QCOMPARE(document["latency_ms"]["p95"], json(80.0));

        const RunSummary back = RunSummary::fromJson(document);
        QCOMPARE(back.toJson(), document);
        QCOMPARE(back.passRate(), 0.5);

        const RunSummary empty = RunSummary::fromJson(json::object());
        QCOMPARE(empty.total, qint64(0));
        QVERIFY(!empty.latencyP50Ms);
        QVERIFY(empty.toJson()["latency_ms"]["p50"].is_null());
    }
};

QTEST_GUILESS_MAIN(TestRunSummary)
#include "tst_run_summary.moc"
