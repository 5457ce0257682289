// Run-to-run comparison: items matched on datasource_item_id, regressions, improvements and
// per-criterion score deltas.
#include <QtTest>

#include "models/report/run_comparison.h"

using assay::report::compareRuns;
using assay::report::ItemChange;
using assay::report::RunComparison;
using assay::store::OutputItemRecord;
using json = nlohmann::json;

namespace {

json result(const std::string &name, double score, bool passed)
{
    return {{"name", name}, {"type", "string_check"}, {"score", score}, {"passed", passed}, {"sample", nullptr}};
}

OutputItemRecord item(qint64 id, const QString &status, json results)
{
    OutputItemRecord record;
    record.datasourceItemId = id;
    record.status = status;
    record.results = std::move(results);
    return record;
}

const ItemChange *changeOf(const RunComparison &cmp, qint64 id)
{
    for (const auto &item : cmp.items) {
        if (item.datasourceItemId == id)
            return &item.change;
    }
    return nullptr;
}

} // namespace

class TestRunComparison : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void classifiesItems()
    {
        const std::vector<OutputItemRecord> base = {
            item(0, QStringLiteral("pass"), json::array({result("exact", 1, true), result("sim", 0.9, true)})),
            item(1, QStringLiteral("pass"), json::array({result("exact", 1, true), result("sim", 0.8, true)})),
            item(2, QStringLiteral("fail"), json::array({result("exact", 0, false), result("sim", 0.4, false)})),
            item(3, QStringLiteral("fail"), json::array({result("exact", 0, false), result("sim", 0.3, false)})),
            item(4, QStringLiteral("error"), json::array()),
            item(6, QStringLiteral("pass"), json::array({result("exact", 1, true), result("sim", 1.0, true)})),
        };
        // Out of order on purpose: matching must not depend on the vectors' order.
        const std::vector<OutputItemRecord> compare = {
            item(7, QStringLiteral("pass"), json::array({result("exact", 1, true), result("sim", 1.0, true)})),
            item(3, QStringLiteral("error"), json::array()),
            item(2, QStringLiteral("pass"), json::array({result("exact", 1, true), result("sim", 0.7, true)})),
            item(1, QStringLiteral("fail"), json::array({result("exact", 0, false), result("sim", 0.6, true)})),
            item(0, QStringLiteral("pass"), json::array({result("exact", 1, true), result("sim", 0.95, true)})),
            item(4, QStringLiteral("fail"), json::array({result("exact", 0, false), result("sim", 0.1, false)})),
        };
        const RunComparison cmp = compareRuns(base, compare);
        QCOMPARE(cmp.criteria, (QStringList{QStringLiteral("exact"), QStringLiteral("sim")}));
        QCOMPARE(cmp.items.size(), size_t(7)); // ids 0-4, 6, 7
        for (size_t i = 1; i < cmp.items.size(); ++i)
            QVERIFY(cmp.items[i - 1].datasourceItemId < cmp.items[i].datasourceItemId);
        QCOMPARE(*changeOf(cmp, 0), ItemChange::Unchanged);
        QCOMPARE(*changeOf(cmp, 1), ItemChange::Regression);
        QCOMPARE(*changeOf(cmp, 2), ItemChange::Improvement);
        QCOMPARE(*changeOf(cmp, 3), ItemChange::Unchanged); // fail -> error: not passing either way
        QCOMPARE(*changeOf(cmp, 4), ItemChange::Unchanged);
        QCOMPARE(*changeOf(cmp, 6), ItemChange::Removed);
        QCOMPARE(*changeOf(cmp, 7), ItemChange::Added);
        QCOMPARE(cmp.regressions, 1);
        QCOMPARE(cmp.improvements, 1);
        QCOMPARE(cmp.unchanged, 3);
        QCOMPARE(cmp.unchangedPassing, 1);
        QCOMPARE(cmp.added, 1);
        QCOMPARE(cmp.removed, 1);
        QCOMPARE(cmp.statusChanged, 4); // 1, 2, 3, 4
        QCOMPARE(cmp.regressions + cmp.improvements + cmp.unchanged + cmp.added + cmp.removed,
                 static_cast<qint64>(cmp.items.size()));
    }

    void perCriterionDeltas()
    {
        const std::vector<OutputItemRecord> base = {
            item(0, QStringLiteral("pass"), json::array({result("sim", 0.9, true)})),
            item(1, QStringLiteral("pass"), json::array({result("sim", 0.8, true)})),
            item(2, QStringLiteral("fail"), json::array({result("sim", 0.2, false)})),
        };
        const std::vector<OutputItemRecord> compare = {
            item(0, QStringLiteral("pass"), json::array({result("sim", 0.6, true)})),
            item(1, QStringLiteral("fail"), json::array({result("sim", 0.4, false)})),
            item(2, QStringLiteral("pass"), json::array({result("sim", 0.8, true)})),
        };
        const RunComparison cmp = compareRuns(base, compare);
        QCOMPARE(cmp.perCriterion.size(), size_t(1));
        const auto &sim = cmp.perCriterion.front();
        QCOMPARE(sim.regressions, 1);
        QCOMPARE(sim.improvements, 1);
        QCOMPARE(sim.basePassed, 2);
        QCOMPARE(sim.comparePassed, 2);
        QCOMPARE(sim.scoredPairs, 3);
        QVERIFY(qAbs(*sim.meanBaseScore - (0.9 + 0.8 + 0.2) / 3) < 1e-12);
        QVERIFY(qAbs(*sim.meanCompareScore - (0.6 + 0.4 + 0.8) / 3) < 1e-12);
        QVERIFY(qAbs(*sim.meanDelta() - (-0.1 / 3)) < 1e-12);
        QVERIFY(qAbs(*cmp.items[0].criteria[0].delta() - (-0.3)) < 1e-12);
        QVERIFY(qAbs(*cmp.items[2].criteria[0].delta() - 0.6) < 1e-12);
    }

    void erroredGraderHasNoScore()
    {
        json errored = result("model", 0, false);
        errored["error"] = "grader model failed";
        const std::vector<OutputItemRecord> base = {item(0, QStringLiteral("error"), json::array({errored}))};
        const std::vector<OutputItemRecord> compare = {
            item(0, QStringLiteral("pass"), json::array({result("model", 7, true)}))};
        const RunComparison cmp = compareRuns(base, compare);
        QVERIFY(!cmp.items[0].criteria[0].baseScore);
        QVERIFY(!cmp.items[0].criteria[0].basePassed);
        QCOMPARE(*cmp.items[0].criteria[0].compareScore, 7.0);
        QVERIFY(!cmp.items[0].criteria[0].delta());
        QCOMPARE(cmp.perCriterion[0].scoredPairs, 0);
        QVERIFY(!cmp.perCriterion[0].meanDelta());
        QCOMPARE(cmp.improvements, 1);
    }

    void givenCriteriaOrderIsKept()
    {
        const std::vector<OutputItemRecord> base = {
            item(0, QStringLiteral("pass"), json::array({result("b", 1, true), result("a", 1, true)}))};
        const RunComparison inferred = compareRuns(base, base);
        QCOMPARE(inferred.criteria, (QStringList{QStringLiteral("b"), QStringLiteral("a")}));
        const RunComparison given = compareRuns(base, base, {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")});
        QCOMPARE(given.criteria.size(), 3);
        QCOMPARE(*given.items[0].criteria[0].baseScore, 1.0);
        QVERIFY(!given.items[0].criteria[2].baseScore);
        QCOMPARE(given.unchangedPassing, 1);
    }
};

QTEST_GUILESS_MAIN(TestRunComparison)
#include "tst_run_comparison.moc"
