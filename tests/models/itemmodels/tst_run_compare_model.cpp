// Two runs compared item by item: change kinds and their counts (agreeing with report::compareRuns),
// score deltas, sorting by delta, the change filter, and a big comparison read off the calling thread.
#include <chrono>

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

#include "models/itemmodels/run_compare_model.h"
#include "models/report/run_comparison.h"
#include "models/store/eval_store.h"
#include "models/store/workspace.h"

using assay::itemmodels::RunCompareFilterModel;
using assay::itemmodels::RunCompareModel;
using assay::store::EvalStore;
using assay::store::OutputItemRecord;
using assay::store::RunRecord;
using assay::store::Workspace;
using json = nlohmann::json;
using Change = RunCompareModel::Change;
using Role = RunCompareModel::Role;

namespace {

json definition()
{
    return {{"name", "Capitals"},
            {"data_source_config", {{"type", "custom"}, {"item_schema", {{"type", "object"}}}}},
            {"testing_criteria",
             json::array({{{"type", "string_check"}, {"name", "exact"}, {"input", "{{ sample.output_text }}"},
                           {"reference", "{{ item.answer }}"}, {"operation", "eq"}},
                          {{"type", "text_similarity"}, {"name", "similar"}, {"input", "{{ sample.output_text }}"},
                           {"reference", "{{ item.answer }}"}, {"evaluation_metric", "fuzzy_match"},
                           {"pass_threshold", 0.5}}})}};
}

// status "error" gets no results (sampling failed).
OutputItemRecord item(qint64 runId, qint64 index, const char *status, const std::string &output, double exact,
                      double similar)
{
    OutputItemRecord record;
    record.runId = runId;
    record.datasourceItemId = index;
    record.status = QString::fromLatin1(status);
    record.datasourceItem = {{"answer", "Paris"}, {"index", index}};
    record.sample = {{"output", json::array({{{"role", "assistant"}, {"content", output}}})}};
    record.results = json::array({{{"name", "exact"}, {"score", exact}, {"passed", exact >= 1.0}},
                                  {{"name", "similar"}, {"score", similar}, {"passed", similar >= 0.5}}});
    if (QLatin1String(status) == QLatin1String("error")) {
        record.results = json::array();
        record.error = QStringLiteral("sampling failed");
    }
    return record;
}

} // namespace

class TestRunCompareModel : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    Workspace m_workspace;
    std::unique_ptr<EvalStore> m_store;
    qint64 m_base = 0;
    qint64 m_candidate = 0;

    qint64 makeRun(const QString &name)
    {
        const auto eval = m_store->saveEval(QStringLiteral("Capitals"), definition());
        RunRecord run;
        run.evalId = eval->id;
        run.name = name;
        run.model = QStringLiteral("gpt-4.1-mini");
        run.status = QStringLiteral("completed");
        run.runSpec = json::object();
        return m_store->createRun(run).value_or(0);
    }

    static bool waitLoaded(RunCompareModel &model)
    {
        if (!model.isLoading())
            return true;
        QSignalSpy loaded(&model, &RunCompareModel::loaded);
        return loaded.wait(60000);
    }

    static QList<qint64> ids(const QAbstractItemModel &model)
    {
        QList<qint64> list;
        for (int row = 0; row < model.rowCount(); ++row)
            list << model.index(row, 0).data(RunCompareModel::role(Role::DatasourceItemId)).toLongLong();
        return list;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QString error;
        QVERIFY2(m_workspace.open(m_dir.filePath(QStringLiteral("ws.sqlite")), &error), qPrintable(error));
        m_store = std::make_unique<EvalStore>(m_workspace);
        m_base = makeRun(QStringLiteral("base"));
        m_candidate = makeRun(QStringLiteral("candidate"));
        QVERIFY(m_base > 0 && m_candidate > 0);
        const std::vector<OutputItemRecord> base = {
            item(m_base, 0, "pass", "Paris", 1.0, 0.9),
            item(m_base, 1, "pass", "Paris is the capital", 1.0, 0.8),
            item(m_base, 2, "fail", "Lyon", 0.0, 0.2),
            item(m_base, 3, "fail", "Marseille", 0.0, 0.4),
            item(m_base, 4, "pass", "Paris", 1.0, 1.0),
            item(m_base, 5, "error", "", 0.0, 0.0),
            item(m_base, 6, "pass", "Paris", 1.0, 1.0),
        };
        const std::vector<OutputItemRecord> candidate = {
            item(m_candidate, 0, "pass", "Paris", 1.0, 0.9),
            item(m_candidate, 1, "fail", "Lyon is the capital", 0.0, 0.3),  // regression
            item(m_candidate, 2, "pass", "Paris", 1.0, 0.9),                 // improvement
            item(m_candidate, 3, "fail", "Marseilles", 0.0, 0.45),           // unchanged fail
            item(m_candidate, 4, "error", "", 0.0, 0.0),                      // pass -> error: regression
            item(m_candidate, 5, "fail", "Nice", 0.0, 0.1),                   // error -> fail: errored
            item(m_candidate, 7, "fail", "Toulouse", 0.0, 0.2),               // only in candidate
        };
        for (const auto &record : base)
            QVERIFY(m_store->commitItem(record));
        for (const auto &record : candidate)
            QVERIFY(m_store->commitItem(record));
    }

    void countsAndChanges()
    {
        RunCompareModel model(m_store.get(), &m_workspace);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy started(&model, &RunCompareModel::loadStarted);
        model.compare(m_base, m_candidate);
        QCOMPARE(started.count(), 1);
        QVERIFY(waitLoaded(model));
        QCOMPARE(model.rowCount(), 8);
        QCOMPARE(ids(model), (QList<qint64>{0, 1, 2, 3, 4, 5, 6, 7}));
        QCOMPARE(model.criteria(), (QStringList{QStringLiteral("exact"), QStringLiteral("similar")}));
        QCOMPARE(model.columnCount(), 7);
        QCOMPARE(model.headerData(model.criterionColumn(1), Qt::Horizontal).toString(), QStringLiteral("similar"));

        const RunCompareModel::Counts counts = model.counts();
        QCOMPARE(counts.of(Change::Regression), 2);
        QCOMPARE(counts.of(Change::Improvement), 1);
        QCOMPARE(counts.of(Change::UnchangedPass), 1);
        QCOMPARE(counts.of(Change::UnchangedFail), 1);
        QCOMPARE(counts.of(Change::Errored), 1);
        QCOMPARE(counts.of(Change::OnlyInBase), 1);
        QCOMPARE(counts.of(Change::OnlyInCandidate), 1);
        QCOMPARE(counts.total(), 8);

        const QList<Change> expected = {Change::UnchangedPass, Change::Regression, Change::Improvement,
                                        Change::UnchangedFail, Change::Regression, Change::Errored,
                                        Change::OnlyInBase, Change::OnlyInCandidate};
        for (int row = 0; row < model.rowCount(); ++row) {
            QCOMPARE(model.change(row), expected[row]);
            QCOMPARE(model.index(row, 0).data(RunCompareModel::role(Role::ChangeKind)).toInt(),
                     static_cast<int>(expected[row]));
        }
        // The pass -> fail item says so, in words.
        const int regression = model.rowForItem(1);
        QCOMPARE(model.index(regression, static_cast<int>(RunCompareModel::Column::Change)).data().toString(),
                 QStringLiteral("regression"));
        QCOMPARE(model.index(regression, static_cast<int>(RunCompareModel::Column::BaseStatus)).data().toString(),
                 QStringLiteral("passed"));
        QCOMPARE(model.index(regression, static_cast<int>(RunCompareModel::Column::CandidateStatus)).data().toString(),
                 QStringLiteral("failed"));
        QCOMPARE(model.preview(regression), QStringLiteral("Lyon is the capital"));
        QCOMPARE(model.preview(model.rowForItem(6)), QStringLiteral("Paris")); // only in base: the base's output
        QCOMPARE(model.candidateStatus(model.rowForItem(6)), RunCompareModel::Status::Missing);

        // The same answer as the report's comparison.
        const auto comparison = assay::report::compareRuns(m_store->items(m_base), m_store->items(m_candidate));
        QCOMPARE(counts.of(Change::Regression), comparison.regressions);
        QCOMPARE(counts.of(Change::Improvement), comparison.improvements);
        QCOMPARE(counts.of(Change::UnchangedPass) + counts.of(Change::UnchangedFail) + counts.of(Change::Errored),
                 comparison.unchanged);
        QCOMPARE(counts.of(Change::OnlyInCandidate), comparison.added);
        QCOMPARE(counts.of(Change::OnlyInBase), comparison.removed);
        QCOMPARE(model.criterionStats().size(), comparison.perCriterion.size());
        for (std::size_t k = 0; k < comparison.perCriterion.size(); ++k) {
            const auto &expectedStats = comparison.perCriterion[k];
            const auto &stats = model.criterionStats()[k];
            QCOMPARE(stats.regressions, expectedStats.regressions);
            QCOMPARE(stats.improvements, expectedStats.improvements);
            QCOMPARE(stats.scoredPairs, expectedStats.scoredPairs);
            QVERIFY(stats.meanDelta && expectedStats.meanDelta());
            QVERIFY(qAbs(*stats.meanDelta - *expectedStats.meanDelta()) < 1e-12);
        }
        // exact: 0 -> 0, 1 -> -1, 2 -> +1, 3 -> 0 (4 lost its score); 1 and 4 passed and then did not.
        QCOMPARE(model.criterionStats()[0].regressions, 2);
        QCOMPARE(model.criterionStats()[0].scoredPairs, 4);
        QCOMPARE(*model.criterionStats()[0].meanDelta, 0.0);
        for (const auto &compared : comparison.items)
            QCOMPARE(RunCompareModel::itemChange(model.change(model.rowForItem(compared.datasourceItemId))), compared.change);

        // Swapped, regressions and improvements trade places.
        model.compare(m_candidate, m_base);
        QVERIFY(waitLoaded(model));
        QCOMPARE(model.counts().of(Change::Regression), 1);
        QCOMPARE(model.counts().of(Change::Improvement), 2);
        QCOMPARE(model.counts().of(Change::OnlyInBase), 1);
        QCOMPARE(model.change(model.rowForItem(7)), Change::OnlyInBase);
    }

    void scoreDeltas()
    {
        RunCompareModel model(m_store.get(), &m_workspace);
        model.compare(m_base, m_candidate);
        QVERIFY(waitLoaded(model));
        const int exact = model.criterionColumn(0);
        const int similar = model.criterionColumn(1);
        const int row = model.rowForItem(1);
        QCOMPARE(model.index(row, similar).data(RunCompareModel::role(Role::BaseScore)).toDouble(), 0.8);
        QCOMPARE(model.index(row, similar).data(RunCompareModel::role(Role::CandidateScore)).toDouble(), 0.3);
        QVERIFY(qFuzzyCompare(model.index(row, similar).data(RunCompareModel::role(Role::Delta)).toDouble(), -0.5));
        QCOMPARE(model.index(row, exact).data(RunCompareModel::role(Role::Delta)).toDouble(), -1.0);
        QCOMPARE(model.index(row, exact).data(RunCompareModel::role(Role::BasePassed)).toBool(), true);
        QCOMPARE(model.index(row, exact).data(RunCompareModel::role(Role::CandidatePassed)).toBool(), false);
        const QString shown = model.index(row, similar).data().toString();
        QVERIFY2(shown.contains(QStringLiteral("0.8")) && shown.contains(QStringLiteral("0.3")) &&
                     shown.contains(QStringLiteral("0.5")),
                 qPrintable(shown));
        QVERIFY(!model.index(row, similar).data(Qt::ToolTipRole).toString().isEmpty());

        const int improved = model.rowForItem(2);
        QVERIFY(qFuzzyCompare(model.delta(improved, 1).value(), 0.7));
        QCOMPARE(model.delta(improved, 0).value(), 1.0);
        // No delta where one side has no score (the errored candidate).
        const int errored = model.rowForItem(4);
        QVERIFY(!model.delta(errored, 0));
        QVERIFY(!model.index(errored, exact).data(RunCompareModel::role(Role::Delta)).isValid());
        QCOMPARE(model.baseScore(errored, 0).value(), 1.0);
        QVERIFY(!model.delta(model.rowForItem(7), 0)); // only in candidate
    }

    void sortsByDeltaAndFilters()
    {
        RunCompareModel model(m_store.get(), &m_workspace);
        RunCompareFilterModel proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.compare(m_base, m_candidate);
        QVERIFY(waitLoaded(model));
        const int similar = model.criterionColumn(1);

        // Deltas of "similar": 0 -> 0, 1 -> -0.5, 2 -> +0.7, 3 -> +0.05; the rest have none.
        proxy.sort(similar, Qt::AscendingOrder);
        QCOMPARE(ids(proxy).mid(0, 4), (QList<qint64>{1, 0, 3, 2}));
        // Descending puts the biggest gain first and still leaves the rows without a delta last.
        proxy.sort(similar, Qt::DescendingOrder);
        QCOMPARE(ids(proxy).mid(0, 4), (QList<qint64>{2, 3, 0, 1}));
        QCOMPARE(proxy.index(0, similar).data(RunCompareModel::role(Role::Delta)).toDouble() > 0.6, true);
        for (int row = 4; row < proxy.rowCount(); ++row)
            QVERIFY(!proxy.index(row, similar).data(RunCompareModel::role(Role::Delta)).isValid());

        proxy.setChangeFilter(Change::Regression);
        QCOMPARE(proxy.rowCount(), 2);
        proxy.sort(0, Qt::AscendingOrder);
        QCOMPARE(ids(proxy), (QList<qint64>{1, 4}));
        proxy.setChangeFilter(QList<Change>{Change::OnlyInBase, Change::OnlyInCandidate});
        QCOMPARE(ids(proxy), (QList<qint64>{6, 7}));
        proxy.setChangeFilter(Change::Improvement);
        QCOMPARE(ids(proxy), (QList<qint64>{2}));
        proxy.clearChangeFilter();
        QCOMPARE(proxy.rowCount(), 8);
    }

    void readsFullRecords()
    {
        RunCompareModel model(m_store.get(), &m_workspace);
        model.compare(m_base, m_candidate);
        QVERIFY(waitLoaded(model));
        const auto records = model.records(model.rowForItem(1));
        QVERIFY(records.base && records.candidate);
        QCOMPARE(records.base->status, QStringLiteral("pass"));
        QCOMPARE(records.candidate->status, QStringLiteral("fail"));
        const auto onlyBase = model.records(model.rowForItem(6));
        QVERIFY(onlyBase.base && !onlyBase.candidate);
    }

    void missingRunAndClosedWorkspace()
    {
        RunCompareModel model(m_store.get(), &m_workspace);
        model.compare(m_base, 999999);
        QVERIFY(waitLoaded(model));
        QCOMPARE(model.rowCount(), 7); // every base item is only in base
        QCOMPARE(model.counts().of(Change::OnlyInBase), 7);

        Workspace closed;
        RunCompareModel orphan(nullptr, &closed);
        QSignalSpy failed(&orphan, &RunCompareModel::loadFailed);
        orphan.compare(1, 2);
        QCOMPARE(failed.count(), 1);
        QVERIFY(!orphan.isLoading());
        QCOMPARE(orphan.rowCount(), 0);
    }

    // Rows arrive from the workers: compare() returns before any row is in. ASSAY_COMPARE_ITEMS
    // sets the size (default 6000 items a run, more than one reader batch); the time is printed.
    void bigRunsLoadOffTheCallingThread()
    {
        const int count = qEnvironmentVariableIsSet("ASSAY_COMPARE_ITEMS")
                              ? qEnvironmentVariableIntValue("ASSAY_COMPARE_ITEMS")
                              : 6000;
        QTemporaryDir dir;
        Workspace workspace;
        QVERIFY(workspace.open(dir.filePath(QStringLiteral("big.sqlite"))));
        EvalStore store(workspace);
        const auto eval = store.saveEval(QStringLiteral("Capitals"), definition());
        RunRecord run;
        run.evalId = eval->id;
        run.status = QStringLiteral("completed");
        run.runSpec = json::object();
        const qint64 base = store.createRun(run).value_or(0);
        const qint64 candidate = store.createRun(run).value_or(0);
        QElapsedTimer insert;
        insert.start();
        {
            // A throwaway file: no need to wait for the disk after each of the fixture's commits.
            QSqlQuery(workspace.database()).exec(QStringLiteral("PRAGMA synchronous = OFF"));
            for (int i = 0; i < count; ++i) {
                // Every 10th item regresses, every 15th improves (when not also a 10th).
                const bool basePass = i % 15 != 0;
                const bool candidatePass = i % 10 != 0 && (basePass || i % 15 == 0);
                QVERIFY(store.commitItem(item(base, i, basePass ? "pass" : "fail", "Paris", basePass ? 1 : 0, 0.5)));
                QVERIFY(store.commitItem(item(candidate, i, candidatePass ? "pass" : "fail", "Paris!",
                                              candidatePass ? 1 : 0, 0.75)));
            }
        }
        qInfo("fixture: %d items in each of two runs inserted in %lld ms", count, static_cast<long long>(insert.elapsed()));
        qint64 regressions = 0, improvements = 0;
        for (int i = 0; i < count; ++i) {
            const bool basePass = i % 15 != 0;
            const bool candidatePass = i % 10 != 0 && (basePass || i % 15 == 0);
            regressions += basePass && !candidatePass;
            improvements += !basePass && candidatePass;
        }

        RunCompareModel model(&store, &workspace);
        // A sorted proxy attached, as in the view: the hand-over is what the GUI thread pays.
        RunCompareFilterModel sorted;
        sorted.setSourceModel(&model);
        sorted.sort(0);
        QElapsedTimer handOver;
        qint64 handOverMs = -1;
        connect(&model, &RunCompareModel::rowsAboutToBeInserted, this, [&handOver] { handOver.start(); });
        connect(&model, &RunCompareModel::loaded, this, [&] { handOverMs = handOver.elapsed(); });
        QElapsedTimer timer;
        timer.start();
        model.compare(base, candidate);
        const qint64 callMs = timer.elapsed();
        QVERIFY(model.isLoading());
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(waitLoaded(model));
        qInfo("compare(): returned after %lld ms; all %d rows in after %lld ms; the hand-over of the rows to a "
              "sorted proxy took %lld ms on the calling thread",
              static_cast<long long>(callMs), model.rowCount(), static_cast<long long>(timer.elapsed()),
              static_cast<long long>(handOverMs));
        QCOMPARE(sorted.rowCount(), count);
        QCOMPARE(model.rowCount(), count);
        QCOMPARE(model.counts().of(Change::Regression), regressions);
        QCOMPARE(model.counts().of(Change::Improvement), improvements);
        QVERIFY(qFuzzyCompare(model.delta(count - 1, 1).value(), 0.25));

        RunCompareFilterModel proxy;
        proxy.setSourceModel(&model);
        timer.restart();
        proxy.setChangeFilter(Change::Regression);
        proxy.sort(model.criterionColumn(0));
        qInfo("filter to regressions and sort by delta: %lld ms", static_cast<long long>(timer.elapsed()));
        QCOMPARE(proxy.rowCount(), regressions);
    }
};

QTEST_GUILESS_MAIN(TestRunCompareModel)
#include "tst_run_compare_model.moc"
