// The model selection table (Model selection guide): accuracy, cost per 1,000 items, average and
// p95 latency per picked run, each ticked against the user's targets.
#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTemporaryDir>
#include <QtTest>

#include "models/itemmodels/model_selection_model.h"
#include "models/store/eval_store.h"
#include "models/store/workspace.h"

using assay::itemmodels::ModelSelectionModel;
using assay::store::EvalStore;
using assay::store::OutputItemRecord;
using assay::store::RunRecord;
using assay::store::Workspace;
using json = nlohmann::json;
using Column = ModelSelectionModel::Column;
using Role = ModelSelectionModel::Role;

namespace {

json summary(qint64 total, qint64 passed, std::optional<double> cost, std::optional<double> p95 = std::nullopt)
{
    return {{"result_counts", {{"total", total}, {"passed", passed}, {"failed", total - passed}, {"errored", 0}}},
            {"per_testing_criteria_results", json::array()},
            {"per_model_usage", json::array()},
            {"latency_ms", {{"p50", nullptr}, {"p95", p95 ? json(*p95) : json(nullptr)}}},
            {"estimated_cost_usd", cost ? json(*cost) : json(nullptr)},
            {"cache_hits", 0}};
}

RunRecord run(qint64 id, const QString &name, const QString &model, json summaryJson)
{
    RunRecord record;
    record.id = id;
    record.name = name;
    record.model = model;
    record.status = QStringLiteral("completed");
    record.summary = std::move(summaryJson);
    return record;
}

// The guide's worked example, 1,000 articles each: accuracy, total cost, latency under 1 s.
QList<RunRecord> guideRuns()
{
    return {run(1, QStringLiteral("gpt-4o zero-shot"), QStringLiteral("gpt-4o"), summary(1000, 845, 1.72, 900.0)),
            run(2, QStringLiteral("gpt-4o few-shot (n=5)"), QStringLiteral("gpt-4o"), summary(1000, 915, 11.92, 950.0)),
            run(3, QStringLiteral("gpt-4o-mini fine-tuned w/ 1000 examples"), QStringLiteral("ft:gpt-4o-mini"),
                summary(1000, 915, 0.21, 800.0))};
}

std::vector<ModelSelectionModel::Entry> guideEntries()
{
    std::vector<ModelSelectionModel::Entry> entries;
    const double averages[] = {700.0, 750.0, 600.0};
    int i = 0;
    for (const RunRecord &record : guideRuns()) {
        assay::store::LatencyStats latency;
        latency.count = 1000;
        latency.meanMs = averages[i++];
        latency.p95Ms = 999.0;
        entries.push_back(ModelSelectionModel::entryForRun(record, latency));
    }
    return entries;
}

} // namespace

class TestModelSelectionModel : public QObject {
    Q_OBJECT

    static QVariant check(const ModelSelectionModel &model, int row, Column column)
    {
        return model.index(row, ModelSelectionModel::column(column)).data(Qt::CheckStateRole);
    }

private Q_SLOTS:
    void entriesComeFromTheSummary()
    {
        const auto entries = guideEntries();
        QCOMPARE(entries.size(), std::size_t(3));
        QCOMPARE(entries[0].method, QStringLiteral("gpt-4o zero-shot"));
        QCOMPARE(entries[0].items, 1000);
        QVERIFY(qAbs(*entries[0].accuracy - 0.845) < 1e-12);
        QVERIFY(qAbs(*entries[1].costPer1k - 11.92) < 1e-9);
        QCOMPARE(*entries[2].avgLatencyMs, 600.0);
        QCOMPARE(*entries[2].p95LatencyMs, 800.0); // the summary's p95 wins over the items' one

        // Cost per 1,000 scales with the number of items graded.
        const auto small = ModelSelectionModel::entryForRun(run(9, {}, QStringLiteral("gpt-4.1-nano"), summary(200, 100, 0.05)), std::nullopt);
        QCOMPARE(small.method, QStringLiteral("gpt-4.1-nano")); // no name: the model
        QVERIFY(qAbs(*small.costPer1k - 0.25) < 1e-12);
        QVERIFY(!small.avgLatencyMs);
        json withMean = summary(200, 100, 0.05, 900.0);
        withMean["latency_ms"]["mean"] = 420.5; // a writer that records the mean itself
        QCOMPARE(*ModelSelectionModel::entryForRun(run(12, {}, QStringLiteral("m"), withMean), std::nullopt).avgLatencyMs, 420.5);
        // No summary yet, or no price: unknown, not zero.
        const auto empty = ModelSelectionModel::entryForRun(run(10, QStringLiteral("x"), {}, nullptr), std::nullopt);
        QVERIFY(!empty.accuracy);
        QVERIFY(!empty.costPer1k);
        const auto unpriced = ModelSelectionModel::entryForRun(run(11, QStringLiteral("y"), {}, summary(10, 9, std::nullopt)), std::nullopt);
        QVERIFY(unpriced.accuracy);
        QVERIFY(!unpriced.costPer1k);
    }

    void ticksTheTargetsMet()
    {
        ModelSelectionModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setEntries(guideEntries());
        QCOMPARE(model.rowCount(), 3);
        // No target set: no check states at all.
        for (int row = 0; row < 3; ++row) {
            for (int c = 0; c < model.columnCount(); ++c)
                QVERIFY(!model.index(row, c).data(Qt::CheckStateRole).isValid());
        }
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy headers(&model, &QAbstractItemModel::headerDataChanged);
        // The guide's targets: 90% accuracy, under $5 per 1,000 articles, under 2 s per article.
        model.setAccuracyTarget(0.9);
        model.setCostTarget(5.0);
        model.setAverageLatencyTarget(2000.0);
        QCOMPARE(changed.count(), 3);
        QCOMPARE(headers.count(), 3);
        QVERIFY(model.headerData(ModelSelectionModel::column(Column::Accuracy), Qt::Horizontal).toString().contains(QStringLiteral("90")));

        QCOMPARE(check(model, 0, Column::Accuracy).value<Qt::CheckState>(), Qt::Unchecked);
        QCOMPARE(check(model, 0, Column::CostPer1k).value<Qt::CheckState>(), Qt::Checked);
        QCOMPARE(check(model, 1, Column::Accuracy).value<Qt::CheckState>(), Qt::Checked);
        QCOMPARE(check(model, 1, Column::CostPer1k).value<Qt::CheckState>(), Qt::Unchecked);
        QCOMPARE(check(model, 2, Column::Accuracy).value<Qt::CheckState>(), Qt::Checked);
        QCOMPARE(check(model, 2, Column::CostPer1k).value<Qt::CheckState>(), Qt::Checked);
        for (int row = 0; row < 3; ++row) {
            QCOMPARE(check(model, row, Column::AvgLatency).value<Qt::CheckState>(), Qt::Checked);
            QVERIFY(!check(model, row, Column::P95Latency).isValid()); // no p95 target
        }
        // Only the fine-tuned mini meets them all, as in the guide.
        QCOMPARE(*model.allTargetsMet(0), false);
        QCOMPARE(*model.allTargetsMet(1), false);
        QCOMPARE(*model.allTargetsMet(2), true);
        QCOMPARE(model.index(2, ModelSelectionModel::column(Column::AllTargets)).data(ModelSelectionModel::role(Role::TargetMet)).toBool(), true);

        // Tightening p95 below every run's p95 fails them all; meeting a bound exactly counts.
        model.setP95LatencyTarget(800.0);
        QCOMPARE(check(model, 2, Column::P95Latency).value<Qt::CheckState>(), Qt::Checked);
        QCOMPARE(check(model, 0, Column::P95Latency).value<Qt::CheckState>(), Qt::Unchecked);
        model.setP95LatencyTarget(799.0);
        QCOMPARE(*model.allTargetsMet(2), false);
        model.setTargets({});
        QVERIFY(!model.allTargetsMet(2));
        QVERIFY(!check(model, 0, Column::Accuracy).isValid());
    }

    void unknownValuesNeverMeetATarget()
    {
        ModelSelectionModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setEntries({ModelSelectionModel::entryForRun(run(1, QStringLiteral("unpriced"), {}, summary(10, 10, std::nullopt)), std::nullopt)});
        model.setCostTarget(100.0);
        QCOMPARE(check(model, 0, Column::CostPer1k).value<Qt::CheckState>(), Qt::Unchecked);
        QCOMPARE(model.index(0, ModelSelectionModel::column(Column::CostPer1k)).data(ModelSelectionModel::role(Role::TargetMet)).toBool(), false);
        QVERIFY(!model.index(0, ModelSelectionModel::column(Column::CostPer1k)).data().isValid());
        QCOMPARE(*model.allTargetsMet(0), false);
    }

    void sortsByTheRawFigures()
    {
        ModelSelectionModel model;
        model.setEntries(guideEntries());
        QSortFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        proxy.setSortRole(ModelSelectionModel::role(Role::Sort));
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.sort(ModelSelectionModel::column(Column::CostPer1k), Qt::AscendingOrder);
        // $0.21 < $1.72 < $11.92 (as text, "$11.92" would come before "$1.72").
        QCOMPARE(proxy.index(0, 0).data(ModelSelectionModel::role(Role::RunId)).toLongLong(), 3);
        QCOMPARE(proxy.index(1, 0).data(ModelSelectionModel::role(Role::RunId)).toLongLong(), 1);
        QCOMPARE(proxy.index(2, 0).data(ModelSelectionModel::role(Role::RunId)).toLongLong(), 2);
    }

    void readsLatencyFromTheRunsItems()
    {
        QTemporaryDir dir;
        Workspace workspace;
        QVERIFY(workspace.open(dir.filePath(QStringLiteral("ws.sqlite"))));
        EvalStore store(workspace);
        const auto eval = store.saveEval(QStringLiteral("e"), json{{"name", "e"}, {"testing_criteria", json::array()}});
        QVERIFY(eval);
        RunRecord record = run(0, QStringLiteral("measured"), QStringLiteral("gpt-4.1-mini"), summary(22, 11, 0.022));
        record.evalId = eval->id;
        record.runSpec = json::object();
        const qint64 id = store.createRun(record).value();
        // Sampled latencies 100, 200, ... 2000 ms, plus a cache hit and an unknown latency that
        // must not count.
        for (int i = 0; i < 22; ++i) {
            OutputItemRecord item;
            item.runId = id;
            item.datasourceItemId = i;
            item.status = QStringLiteral("pass");
            item.latencyMs = i < 20 ? 100 * (i + 1) : (i == 20 ? 0 : -1);
            item.cacheHit = i == 20;
            QVERIFY(store.commitItem(item));
        }
        ModelSelectionModel model(&workspace);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setRuns({*store.run(id)});
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(*model.entry(0).avgLatencyMs, 1050.0);
        QCOMPARE(*model.entry(0).p95LatencyMs, 1900.0); // nearest rank: the 19th of 20
        QVERIFY(qAbs(*model.entry(0).costPer1k - 1.0) < 1e-12);
        model.setAverageLatencyTarget(1000.0);
        QCOMPARE(check(model, 0, Column::AvgLatency).value<Qt::CheckState>(), Qt::Unchecked);
        model.setAverageLatencyTarget(1050.0);
        QCOMPARE(check(model, 0, Column::AvgLatency).value<Qt::CheckState>(), Qt::Checked);

        // A model made before the workspace was known (a view's) reads the items once given it.
        ModelSelectionModel late;
        late.setRuns({*store.run(id)});
        QVERIFY(!late.entry(0).avgLatencyMs);
        late.setWorkspace(&workspace);
        late.setRuns({*store.run(id)});
        QCOMPARE(*late.entry(0).avgLatencyMs, 1050.0);
    }
};

QTEST_GUILESS_MAIN(TestModelSelectionModel)
#include "tst_model_selection_model.moc"
