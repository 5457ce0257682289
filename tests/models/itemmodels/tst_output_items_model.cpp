// The output items of one run: loaded on a worker in batches, filtered by status and by a failed
// criterion, sorted by score, and the full item read back for the drill-down.
#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QThreadPool>
#include <QtTest>

#include "models/itemmodels/output_items_model.h"
#include "models/store/eval_store.h"
#include "models/store/verdict_store.h"
#include "models/store/workspace.h"

using assay::itemmodels::OutputItemsFilterModel;
using assay::itemmodels::OutputItemsModel;
using assay::store::EvalStore;
using assay::store::OutputItemRecord;
using assay::store::HumanVerdict;
using assay::store::RunRecord;
using assay::store::VerdictStore;
using assay::store::Workspace;
using json = nlohmann::json;
using Role = OutputItemsModel::Role;
using State = OutputItemsModel::CriterionState;

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

struct Result {
    const char *name;
    double score;
    bool passed;
    const char *error = nullptr;
    const char *invalid = nullptr;
};

OutputItemRecord item(qint64 runId, qint64 index, const char *status, const std::string &output,
                      std::vector<Result> results, qint64 latency, qint64 tokens, const QString &error = {})
{
    OutputItemRecord record;
    record.runId = runId;
    record.datasourceItemId = index;
    record.status = QString::fromLatin1(status);
    record.datasourceItem = {{"country", "France"}, {"answer", "Paris"}, {"index", index}};
    record.sample = {{"input", json::array({{{"role", "user"}, {"content", "Capital of France?"}}})},
                     {"output", json::array({{{"role", "assistant"}, {"content", output}}})},
                     {"model", "gpt-4.1-mini"},
                     {"usage", {{"total_tokens", tokens}, {"prompt_tokens", tokens / 2}, {"completion_tokens", tokens / 2}}}};
    record.results = json::array();
    for (const Result &r : results) {
        json entry = {{"name", r.name}, {"type", "string_check"}, {"score", r.score}, {"passed", r.passed},
                      {"sample", {{"reasoning", std::string(2000, 'x')}}}};
        if (r.error)
            entry["error"] = r.error;
        if (r.invalid)
            entry["invalid_reason"] = r.invalid;
        record.results.push_back(entry);
    }
    record.error = error;
    record.latencyMs = latency;
    return record;
}

} // namespace

class TestOutputItemsModel : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    Workspace m_workspace;
    std::unique_ptr<EvalStore> m_store;
    qint64 m_run = 0;
    qint64 m_otherRun = 0;

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

    static bool waitLoaded(OutputItemsModel &model)
    {
        if (!model.isLoading())
            return true;
        QSignalSpy loaded(&model, &OutputItemsModel::loaded);
        return loaded.wait(10000);
    }

    static QList<qint64> ids(const QAbstractItemModel &model)
    {
        QList<qint64> list;
        for (int row = 0; row < model.rowCount(); ++row)
            list << model.index(row, 0).data(OutputItemsModel::role(Role::DatasourceItemId)).toLongLong();
        return list;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QString error;
        QVERIFY2(m_workspace.open(m_dir.filePath(QStringLiteral("ws.sqlite")), &error), qPrintable(error));
        m_store = std::make_unique<EvalStore>(m_workspace);
        m_run = makeRun(QStringLiteral("five"));
        QVERIFY(m_run > 0);
        // Committed out of order: the model lists them by datasource_item_id.
        QVERIFY(m_store->commitItem(item(m_run, 3, "fail", "Paris", {{"exact", 1.0, true}, {"similar", 0.2, false}}, 50, 12)));
        QVERIFY(m_store->commitItem(item(m_run, 0, "pass", "Paris", {{"exact", 1.0, true}, {"similar", 0.9, true}}, 120, 30)));
        QVERIFY(m_store->commitItem(item(m_run, 1, "fail", "Lyon\nor maybe Paris", {{"exact", 0.0, false}, {"similar", 0.8, true}}, 300, 40)));
        QVERIFY(m_store->commitItem(item(m_run, 2, "error", "", {{"exact", 0.0, false, "template: item.missing is missing"}}, -1, 0,
                                         QStringLiteral("exact: template: item.missing is missing"))));
        QVERIFY(m_store->commitItem(item(m_run, 4, "fail", "Paris!", {{"similar", 0.0, false, nullptr, "not a number"}, {"exact", 0.0, false}}, 70, 14)));

        m_otherRun = makeRun(QStringLiteral("many"));
        for (int i = 0; i < 1200; ++i)
            QVERIFY(m_store->commitItem(item(m_otherRun, i, i % 3 ? "pass" : "fail", "answer " + std::to_string(i),
                                             {{"exact", i % 3 ? 1.0 : 0.0, i % 3 != 0}, {"similar", (i % 100) / 100.0, true}}, i, i)));
    }

    void showsEveryColumn()
    {
        OutputItemsModel model(m_store.get(), &m_workspace);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.load(m_run);
        QVERIFY(model.isLoading());
        QVERIFY(waitLoaded(model));
        QVERIFY(!model.isLoading());
        QCOMPARE(model.rowCount(), 5);
        QCOMPARE(ids(model), (QList<qint64>{0, 1, 2, 3, 4}));
        QCOMPARE(model.criteria(), (QStringList{QStringLiteral("exact"), QStringLiteral("similar")}));
        QCOMPARE(model.columnCount(), 7);
        QCOMPARE(model.headerData(model.criterionColumn(1), Qt::Horizontal).toString(), QStringLiteral("similar"));
        QCOMPARE(model.headerData(model.outputColumn(), Qt::Horizontal).toString(), QStringLiteral("Output"));

        const int similar = model.criterionColumn(1);
        QCOMPARE(model.index(0, similar).data(OutputItemsModel::role(Role::Score)).toDouble(), 0.9);
        QCOMPARE(model.index(0, similar).data(Qt::CheckStateRole).value<Qt::CheckState>(), Qt::Checked);
        QCOMPARE(model.index(3, similar).data(Qt::CheckStateRole).value<Qt::CheckState>(), Qt::Unchecked);
        QCOMPARE(model.index(3, similar).data(OutputItemsModel::role(Role::Passed)).toBool(), false);
        QVERIFY(!model.index(0, similar).data().toString().isEmpty());
        // Results matched by name, not position (item 4 lists them the other way round).
        QCOMPARE(model.criterionState(4, 1), State::Invalid);
        QCOMPARE(model.criterionState(4, 0), State::Failed);
        // The errored item: its grader's error, the other criterion has no result.
        QCOMPARE(model.criterionState(2, 0), State::Errored);
        QCOMPARE(model.criterionState(2, 1), State::Missing);
        QVERIFY(!model.index(2, model.criterionColumn(0)).data(Qt::CheckStateRole).isValid());
        QCOMPARE(model.index(2, 1).data(OutputItemsModel::role(Role::ItemStatus)).toString(), QStringLiteral("error"));
        QCOMPARE(model.index(2, model.outputColumn()).data().toString(),
                 QStringLiteral("exact: template: item.missing is missing"));

        QCOMPARE(model.index(1, model.outputColumn()).data().toString(), QStringLiteral("Lyon or maybe Paris"));
        QCOMPARE(model.index(1, model.outputColumn()).data(Qt::ToolTipRole).toString(), QStringLiteral("Lyon\nor maybe Paris"));
        QCOMPARE(model.index(1, model.latencyColumn()).data(OutputItemsModel::role(Role::Sort)).toLongLong(), 300);
        QVERIFY(model.index(1, model.latencyColumn()).data().toString().contains(QStringLiteral("300")));
        QVERIFY(!model.index(2, model.latencyColumn()).data().isValid()); // unknown latency shows nothing
        QCOMPARE(model.index(1, model.tokensColumn()).data(OutputItemsModel::role(Role::Sort)).toLongLong(), 40);
        QCOMPARE(model.rowForItem(3), 3);
        QCOMPARE(model.rowForItem(99), -1);
    }

    void filtersByStatusAndFailedCriterion()
    {
        OutputItemsModel model(m_store.get(), &m_workspace);
        OutputItemsFilterModel proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.load(m_run);
        QVERIFY(waitLoaded(model));
        QCOMPARE(proxy.rowCount(), 5);

        proxy.setStatusFilter(OutputItemsFilterModel::Failed);
        QCOMPARE(ids(proxy), (QList<qint64>{1, 3, 4}));
        proxy.setStatusFilter(OutputItemsFilterModel::Errored);
        QCOMPARE(ids(proxy), (QList<qint64>{2}));
        proxy.setStatusFilter(OutputItemsFilterModel::Passed | OutputItemsFilterModel::Errored);
        QCOMPARE(ids(proxy), (QList<qint64>{0, 2}));

        proxy.setStatusFilter(OutputItemsFilterModel::AnyStatus);
        proxy.setFailedCriterion(1); // "similar" failed: a plain fail and an invalid output
        QCOMPARE(ids(proxy), (QList<qint64>{3, 4}));
        proxy.setFailedCriterion(0); // "exact" failed; the errored grader is not a failure
        QCOMPARE(ids(proxy), (QList<qint64>{1, 4}));
        proxy.setStatusFilter(OutputItemsFilterModel::Passed);
        QVERIFY(ids(proxy).isEmpty());
        proxy.setFailedCriterion(-1);
        QCOMPARE(ids(proxy), (QList<qint64>{0}));
    }

    void sortsByScoreNumerically()
    {
        OutputItemsModel model(m_store.get(), &m_workspace);
        OutputItemsFilterModel proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.load(m_run);
        QVERIFY(waitLoaded(model));
        proxy.sort(model.criterionColumn(1), Qt::AscendingOrder);
        // No score (errored item) first, then 0 (invalid), 0.2, 0.8, 0.9.
        QCOMPARE(ids(proxy), (QList<qint64>{2, 4, 3, 1, 0}));
        proxy.sort(model.criterionColumn(1), Qt::DescendingOrder);
        QCOMPARE(ids(proxy), (QList<qint64>{0, 1, 3, 4, 2}));
        proxy.sort(model.latencyColumn(), Qt::AscendingOrder);
        QCOMPARE(ids(proxy), (QList<qint64>{2, 3, 4, 0, 1}));

        // The many-row run: latency 0..1199 must sort as numbers (text order would put 1000 before 2).
        model.load(m_otherRun);
        QVERIFY(waitLoaded(model));
        QCOMPARE(proxy.rowCount(), 1200);
        proxy.sort(model.latencyColumn(), Qt::DescendingOrder);
        QCOMPARE(proxy.index(0, 0).data(OutputItemsModel::role(Role::DatasourceItemId)).toLongLong(), 1199);
        QCOMPARE(proxy.index(1199, 0).data(OutputItemsModel::role(Role::DatasourceItemId)).toLongLong(), 0);
    }

    void loadsInBatchesAndAbandonsAnEarlierLoad()
    {
        OutputItemsModel model(m_store.get(), &m_workspace);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy loaded(&model, &OutputItemsModel::loaded);
        model.load(m_run);
        model.load(m_otherRun); // replaces the first load before any of its rows arrive
        QVERIFY(loaded.wait(10000));
        QCOMPARE(loaded.count(), 1);
        QCOMPARE(loaded.first().first().toInt(), 1200);
        QCOMPARE(model.rowCount(), 1200);
        QCOMPARE(model.runId(), m_otherRun);
        // A small first batch for the first screen, then the rest.
        QVERIFY(inserted.count() >= 2);
        QCOMPARE(inserted.first().at(2).toInt() + 1, OutputItemsModel::FirstBatchRows);
        QCOMPARE(model.index(1199, 0).data().toLongLong(), 1199);
        QCOMPARE(model.index(3, model.criterionColumn(0)).data(Qt::CheckStateRole).value<Qt::CheckState>(), Qt::Unchecked);
        QCOMPARE(model.index(4, model.criterionColumn(0)).data(Qt::CheckStateRole).value<Qt::CheckState>(), Qt::Checked);
        QCOMPARE(model.index(1199, model.outputColumn()).data().toString(), QStringLiteral("answer 1199"));
    }

    void readsABigRunInParallelPartsInOrder()
    {
        OutputItemsModel model(m_store.get(), &m_workspace);
        model.setParallelFromRows(100); // the 1,200-item run is then read by two workers
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy loaded(&model, &OutputItemsModel::loaded);
        model.load(m_otherRun);
        QVERIFY(loaded.wait(10000));
        QCOMPARE(loaded.count(), 1);
        QCOMPARE(model.rowCount(), 1200);
        for (int row = 0; row < 1200; ++row) {
            QCOMPARE(model.datasourceItemId(row), qint64(row));
            QCOMPARE(model.latencyMs(row), qint64(row));
            QCOMPARE(model.preview(row), QStringLiteral("answer %1").arg(row));
        }
        QCOMPARE(model.status(600), OutputItemsModel::ItemStatus::Fail);
        QCOMPARE(model.status(601), OutputItemsModel::ItemStatus::Pass);
    }

    void readsTheFullItemOnDemand()
    {
        OutputItemsModel model(m_store.get(), &m_workspace);
        model.load(m_run);
        QVERIFY(waitLoaded(model));
        const auto record = model.record(model.rowForItem(1));
        QVERIFY(record);
        QCOMPARE(record->runId, m_run);
        QCOMPARE(record->datasourceItemId, 1);
        QCOMPARE(record->status, QStringLiteral("fail"));
        QCOMPARE(record->datasourceItem["index"].get<int>(), 1);
        QCOMPARE(record->results.size(), std::size_t(2));
        QCOMPARE(record->results[0]["sample"]["reasoning"].get<std::string>().size(), std::size_t(2000));
        QCOMPARE(record->latencyMs, 300);
        QVERIFY(!model.record(99));
    }

    void clearsAndSurvivesBeingDeletedMidLoad()
    {
        {
            auto model = std::make_unique<OutputItemsModel>(m_store.get(), &m_workspace);
            model->load(m_otherRun);
        } // the worker may still be reading: its batches must go nowhere
        QThreadPool::globalInstance()->waitForDone();
        QCoreApplication::processEvents();

        OutputItemsModel model(m_store.get(), &m_workspace);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.load(m_run);
        model.clear();
        QThreadPool::globalInstance()->waitForDone();
        QCoreApplication::processEvents();
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(!model.isLoading());
        QCOMPARE(model.columnCount(), 5); // #, status, latency, tokens, output
    }

    void showsHumanVerdictsBesideTheGraders()
    {
        VerdictStore verdicts(m_workspace);
        OutputItemsModel model(m_store.get(), &m_workspace);
        model.setVerdictStore(&verdicts);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.load(m_run);
        QVERIFY(waitLoaded(model));
        const int status = static_cast<int>(OutputItemsModel::Column::Status);
        const int similar = model.criterionColumn(1);
        QVERIFY(!model.index(3, similar).data(OutputItemsModel::role(Role::HumanVerdict)).isValid());

        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        HumanVerdict verdict;
        verdict.runId = m_run;
        verdict.datasourceItemId = 3;
        verdict.criterion = QStringLiteral("similar");
        verdict.verdict = HumanVerdict::Verdict::Pass; // the grader failed it
        verdict.note = QStringLiteral("close enough");
        QVERIFY(verdicts.setVerdict(verdict));
        verdict.criterion.clear(); // the whole item 3: failed by the graders, passed by hand
        QVERIFY(verdicts.setVerdict(verdict));
        verdict.datasourceItemId = 0;
        verdict.criterion = QStringLiteral("exact");
        verdict.note.clear();
        QVERIFY(verdicts.setVerdict(verdict)); // agrees with the grader
        QVERIFY(changed.count() >= 3);

        QCOMPARE(model.index(3, similar).data(OutputItemsModel::role(Role::HumanVerdict)).toString(), QStringLiteral("pass"));
        QCOMPARE(model.index(3, similar).data(OutputItemsModel::role(Role::HumanNote)).toString(), QStringLiteral("close enough"));
        QCOMPARE(model.index(3, similar).data(OutputItemsModel::role(Role::Disagrees)).toBool(), true);
        QCOMPARE(model.index(3, status).data(OutputItemsModel::role(Role::Disagrees)).toBool(), true);
        QVERIFY(!model.index(3, model.criterionColumn(0)).data(OutputItemsModel::role(Role::HumanVerdict)).isValid());
        QCOMPARE(model.index(0, model.criterionColumn(0)).data(OutputItemsModel::role(Role::Disagrees)).toBool(), false);

        QVERIFY(verdicts.clearVerdict(m_run, 3, QStringLiteral("similar")));
        QVERIFY(!model.index(3, similar).data(OutputItemsModel::role(Role::HumanVerdict)).isValid());
        // Another run's verdicts are not this table's.
        verdict.runId = m_otherRun;
        QVERIFY(verdicts.setVerdict(verdict));
        QCOMPARE(model.index(0, model.criterionColumn(0)).data(OutputItemsModel::role(Role::HumanVerdict)).toString(), QStringLiteral("pass"));
        QVERIFY(verdicts.clearVerdict(m_run, 3, {}));
        QVERIFY(verdicts.clearVerdict(m_run, 0, QStringLiteral("exact")));
        QVERIFY(verdicts.clearVerdict(m_otherRun, 0, QStringLiteral("exact")));
    }

    void failsOnAClosedWorkspace()
    {
        Workspace closed;
        OutputItemsModel model(m_store.get(), &closed);
        QSignalSpy failed(&model, &OutputItemsModel::loadFailed);
        model.load(m_run);
        QCOMPARE(failed.count(), 1);
        QVERIFY(!model.isLoading());
        QCOMPARE(model.rowCount(), 0);
    }
};

QTEST_GUILESS_MAIN(TestOutputItemsModel)
#include "tst_output_items_model.moc"
