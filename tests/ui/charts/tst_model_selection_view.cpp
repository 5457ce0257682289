// The model selection view over three stored runs (the guide's example, scaled to 20 items): the
// user types targets, the table ticks exactly the cells that meet them, the accuracy-vs-cost chart
// follows the same targets, and the targets come back in a new view (QSettings).
#include <QLineEdit>
#include <QSettings>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QtCharts/QScatterSeries>
#include <QtTest>

#include "chart_image_checks.h"
#include "models/store/eval_store.h"
#include "models/store/workspace.h"
#include "ui/charts/accuracy_cost_chart.h"
#include "ui/panels/results/model_selection_view.h"

using assay::itemmodels::ModelSelectionModel;
using assay::store::EvalStore;
using assay::store::OutputItemRecord;
using assay::store::RunRecord;
using assay::store::Workspace;
using assay::ui::ModelSelectionView;
using Column = ModelSelectionModel::Column;
using json = nlohmann::json;

namespace {

json summary(qint64 total, qint64 passed, double cost)
{
    return {{"result_counts", {{"total", total}, {"passed", passed}, {"failed", total - passed}, {"errored", 0}}},
            {"per_testing_criteria_results", json::array()},
            {"per_model_usage", json::array()},
            {"latency_ms", {{"p50", nullptr}, {"p95", nullptr}}},
            {"estimated_cost_usd", cost},
            {"cache_hits", 0}};
}

struct Expected {
    QString method;
    double accuracy; // fraction
    double costPer1k;
    double avgLatency;
};

} // namespace

class TestModelSelectionView : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    Workspace m_workspace;
    std::unique_ptr<EvalStore> m_store;
    QList<qint64> m_runs;
    QList<Expected> m_expected;

    qint64 makeRun(const QString &name, const QString &model, qint64 passed, double cost, std::vector<qint64> latencies)
    {
        const auto eval = m_store->saveEval(QStringLiteral("News"), {{"name", "News"}, {"testing_criteria", json::array()}});
        RunRecord run;
        run.evalId = eval->id;
        run.name = name;
        run.model = model;
        run.status = QStringLiteral("completed");
        run.source = QStringLiteral("local");
        run.runSpec = json::object();
        const qint64 id = m_store->createRun(run).value_or(0);
        qint64 index = 0;
        for (qint64 latency : latencies) {
            OutputItemRecord item;
            item.runId = id;
            item.datasourceItemId = index++;
            item.status = QStringLiteral("pass");
            item.datasourceItem = json::object();
            item.sample = json::object();
            item.results = json::array();
            item.latencyMs = latency;
            m_store->commitItem(item);
        }
        auto stored = m_store->run(id).value();
        stored.totalItems = 20;
        stored.summary = summary(20, passed, cost);
        m_store->updateRun(stored);
        return id;
    }

    // Whether a cell of the view's table shows a tick (a trailing or leading check mark), found by run.
    static bool ticked(const ModelSelectionView &view, int sourceRow, Column column)
    {
        const QAbstractItemModel *shown = view.table()->model();
        for (int row = 0; row < shown->rowCount(); ++row) {
            const QModelIndex index = shown->index(row, ModelSelectionModel::column(column));
            if (index.data(ModelSelectionModel::role(ModelSelectionModel::Role::RunId)).toLongLong() !=
                view.model()->entry(sourceRow).runId)
                continue;
            return index.data().toString().contains(QStringLiteral("✓"));
        }
        return false;
    }
    static bool anyTick(const ModelSelectionView &view, Column column)
    {
        for (int row = 0; row < view.model()->rowCount(); ++row) {
            if (ticked(view, row, column))
                return true;
        }
        return false;
    }
    static bool anyCheckBox(const ModelSelectionView &view)
    {
        const QAbstractItemModel *shown = view.table()->model();
        for (int row = 0; row < shown->rowCount(); ++row) {
            for (int column = 0; column < shown->columnCount(); ++column) {
                if (shown->index(row, column).data(Qt::CheckStateRole).isValid())
                    return true;
            }
        }
        return false;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("AssayTests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_model_selection_view"));
        QSettings().clear();
        QVERIFY(m_dir.isValid());
        QString error;
        QVERIFY2(m_workspace.open(m_dir.filePath(QStringLiteral("ws.sqlite")), &error), qPrintable(error));
        m_store = std::make_unique<EvalStore>(m_workspace);
        // Cost totals for 20 items giving the guide's $ per 1,000: 1.72, 11.92, 0.21.
        m_runs << makeRun(QStringLiteral("gpt-4o zero-shot"), QStringLiteral("gpt-4o"), 17, 0.0344, {600, 800});
        m_runs << makeRun(QStringLiteral("gpt-4o few-shot (n=5)"), QStringLiteral("gpt-4o"), 19, 0.2384, {700, 800});
        m_runs << makeRun(QStringLiteral("gpt-4o-mini fine-tuned"), QStringLiteral("ft:gpt-4o-mini"), 19, 0.0042, {500, 700});
        m_expected = {{QStringLiteral("gpt-4o zero-shot"), 0.85, 1.72, 700.0},
                      {QStringLiteral("gpt-4o few-shot (n=5)"), 0.95, 11.92, 750.0},
                      {QStringLiteral("gpt-4o-mini fine-tuned"), 0.95, 0.21, 600.0}};
    }

    void cleanupTestCase() { QSettings().clear(); }

    void ticksOnlyWhereTargetsAreMet()
    {
        QSettings().clear();
        ModelSelectionView view;
        view.resize(1000, 700);
        view.setStore(m_store.get(), &m_workspace);
        view.setRuns(m_runs);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QCOMPARE(view.model()->rowCount(), 3);
        for (int row = 0; row < 3; ++row) {
            QCOMPARE(view.model()->entry(row).method, m_expected[row].method);
            QCOMPARE(view.model()->entry(row).avgLatencyMs.value(), m_expected[row].avgLatency);
            QVERIFY(qAbs(view.model()->entry(row).costPer1k.value() - m_expected[row].costPer1k) < 1e-9);
        }
        // No target yet: no tick anywhere.
        for (Column column : {Column::Accuracy, Column::CostPer1k, Column::AvgLatency, Column::P95Latency,
                              Column::AllTargets})
            QVERIFY(!anyTick(view, column));

        QTest::keyClicks(view.accuracyInput(), QStringLiteral("90"));
        QTest::keyClicks(view.costInput(), QStringLiteral("5"));
        QTest::keyClicks(view.avgLatencyInput(), QStringLiteral("650"));
        QCOMPARE(view.targets().minAccuracy.value(), 0.90);
        QCOMPARE(view.targets().maxCostPer1k.value(), 5.0);
        QCOMPARE(view.targets().maxAvgLatencyMs.value(), 650.0);
        QVERIFY(!view.targets().maxP95LatencyMs);

        for (int row = 0; row < 3; ++row) {
            const Expected &e = m_expected[row];
            QCOMPARE(ticked(view, row, Column::Accuracy), e.accuracy >= 0.90);
            QCOMPARE(ticked(view, row, Column::CostPer1k), e.costPer1k <= 5.0);
            QCOMPARE(ticked(view, row, Column::AvgLatency), e.avgLatency <= 650.0);
        }
        QVERIFY(!anyTick(view, Column::P95Latency)); // no p95 target: nothing to tick
        QVERIFY(!anyCheckBox(view));                 // ticks, not clickable-looking boxes
        // Only the fine-tuned run meets every target; the chart, driven by the same targets,
        // puts it (alone) among the accuracy-and-cost winners.
        QVERIFY(ticked(view, 2, Column::AllTargets));
        QVERIFY(!ticked(view, 0, Column::AllTargets));
        QVERIFY(!ticked(view, 1, Column::AllTargets));
        QCOMPARE(view.model()->allTargetsMet(2), std::optional<bool>(true));
        QCOMPARE(view.model()->allTargetsMet(0), std::optional<bool>(false));
        QCOMPARE(view.chart()->metRunIds(), (QList<qint64>{m_runs[2]}));
        QCOMPARE(view.chart()->unmetSeries()->count(), 2);

        // Sorting by cost keeps ticks with their runs.
        view.table()->sortByColumn(ModelSelectionModel::column(Column::CostPer1k), Qt::AscendingOrder);
        QCOMPARE(view.table()->model()->index(0, 0).data().toString(), m_expected[2].method);
        QVERIFY(view.table()->model()->index(0, ModelSelectionModel::column(Column::CostPer1k)).data().toString()
                    .endsWith(QStringLiteral("✓")));
        QVERIFY(!view.table()->model()->index(2, ModelSelectionModel::column(Column::CostPer1k)).data().toString()
                     .contains(QStringLiteral("✓")));

        assay::testing::keepShot(&view, QStringLiteral("model-selection-view"));

        // Emptying an input removes its target: that column's ticks go, the others stay.
        view.avgLatencyInput()->clear();
        QVERIFY(!view.targets().maxAvgLatencyMs);
        QVERIFY(!anyTick(view, Column::AvgLatency));
        QVERIFY(ticked(view, 2, Column::Accuracy));
    }

    void targetsPersistAcrossViews()
    {
        QSettings().clear();
        {
            ModelSelectionView view;
            QTest::keyClicks(view.accuracyInput(), QStringLiteral("85.5"));
            QTest::keyClicks(view.p95LatencyInput(), QStringLiteral("2000"));
        }
        ModelSelectionView again;
        QCOMPARE(again.accuracyInput()->text(), QStringLiteral("85.5"));
        QCOMPARE(again.p95LatencyInput()->text(), QStringLiteral("2000"));
        QVERIFY(again.costInput()->text().isEmpty());
        QVERIFY(qAbs(again.targets().minAccuracy.value() - 0.855) < 1e-12);
        QCOMPARE(again.targets().maxP95LatencyMs.value(), 2000.0);
        QVERIFY(!again.targets().maxCostPer1k);

        again.accuracyInput()->clear();
        ModelSelectionView third;
        QVERIFY(!third.targets().minAccuracy);
        QVERIFY(third.accuracyInput()->text().isEmpty());
    }

    void deletedRunDropsOut()
    {
        ModelSelectionView view;
        view.setStore(m_store.get(), &m_workspace);
        view.setRuns({m_runs[0], 999999});
        QCOMPARE(view.model()->rowCount(), 1);
    }

    void exportsTheChartBesideTheTable()
    {
        QSettings().clear();
        ModelSelectionView view;
        view.resize(1000, 700);
        view.setStore(m_store.get(), &m_workspace);
        view.setRuns(m_runs);
        view.setTargets({0.9, 5.0, std::nullopt, std::nullopt});
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QTemporaryDir dir;
        const QString png = dir.filePath(QStringLiteral("view.png"));
        QString error;
        QVERIFY2(assay::ui::exportPng(view.chart(), png, &error), qPrintable(error));
        const QImage image(png);
        QVERIFY(assay::testing::distinctColours(image) > 50);
        QVERIFY(assay::testing::pixelsNear(image, view.chart()->metSeries()->color(), 6) > 30);
        // setTargets() fills the inputs too.
        QCOMPARE(view.accuracyInput()->text(), QStringLiteral("90"));
        QCOMPARE(view.costInput()->text(), QStringLiteral("5"));
    }
};

QTEST_MAIN(TestModelSelectionView)
#include "tst_model_selection_view.moc"
