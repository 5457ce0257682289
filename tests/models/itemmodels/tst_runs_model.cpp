// The workspace's runs: columns, numeric sorting through a proxy, refresh without resets
// (selection kept), and deletion with undo/redo.
#include <QAbstractItemModelTester>
#include <QItemSelectionModel>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QtTest>

#include "models/itemmodels/delete_runs_command.h"
#include "models/itemmodels/runs_model.h"
#include "models/store/eval_store.h"
#include "models/store/verdict_store.h"
#include "models/store/workspace.h"

using assay::itemmodels::DeleteRunsCommand;
using assay::itemmodels::RunsModel;
using assay::store::EvalStore;
using assay::store::HumanVerdict;
using assay::store::OutputItemRecord;
using assay::store::RunRecord;
using assay::store::VerdictStore;
using assay::store::Workspace;
using json = nlohmann::json;
using Column = RunsModel::Column;
using Role = RunsModel::Role;

namespace {

json definition()
{
    return {{"name", "Tickets"},
            {"data_source_config", {{"type", "custom"}, {"item_schema", {{"type", "object"}}}}},
            {"testing_criteria", json::array({{{"type", "string_check"}, {"name", "label"},
                                               {"input", "{{ sample.output_text }}"},
                                               {"reference", "{{ item.label }}"}, {"operation", "eq"}}})}};
}

json summary(qint64 total, qint64 passed, std::optional<double> cost, qint64 tokens)
{
    return {{"result_counts", {{"total", total}, {"passed", passed}, {"failed", total - passed}, {"errored", 0}}},
            {"per_testing_criteria_results", json::array({{{"testing_criteria", "label"}, {"passed", passed}, {"failed", total - passed}}})},
            {"per_model_usage", json::array({{{"model_name", "gpt-4.1-mini"}, {"invocation_count", total},
                                              {"prompt_tokens", tokens - 10}, {"completion_tokens", 10},
                                              {"total_tokens", tokens}, {"cached_tokens", 0}}})},
            {"latency_ms", {{"p50", 100.0}, {"p95", 200.0}}},
            {"estimated_cost_usd", cost ? json(*cost) : json(nullptr)},
            {"cache_hits", 0}};
}

} // namespace

class TestRunsModel : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    int m_counter = 0;

    struct Fixture {
        Workspace workspace;
        std::unique_ptr<EvalStore> store;
        std::unique_ptr<VerdictStore> verdicts;
        qint64 evalId = 0;
    };

    std::unique_ptr<Fixture> fixture()
    {
        auto f = std::make_unique<Fixture>();
        if (!f->workspace.open(m_dir.filePath(QStringLiteral("ws%1.sqlite").arg(++m_counter))))
            qFatal("cannot open the workspace");
        f->store = std::make_unique<EvalStore>(f->workspace);
        f->verdicts = std::make_unique<VerdictStore>(f->workspace);
        f->evalId = f->store->saveEval(QStringLiteral("Tickets"), definition())->id;
        return f;
    }

    static qint64 addRun(Fixture &f, const QString &name, int minutesAgo, json summaryJson = nullptr,
                         const QString &source = QStringLiteral("local"), json runSpec = json::object())
    {
        RunRecord run;
        run.evalId = f.evalId;
        run.name = name;
        run.model = QStringLiteral("gpt-4.1-mini");
        run.status = QStringLiteral("completed");
        run.source = source;
        run.runSpec = std::move(runSpec);
        run.summary = std::move(summaryJson);
        run.datasetPath = QStringLiteral("/data/tickets.jsonl");
        run.datasetHash = QStringLiteral("0123456789abcdef0123456789abcdef");
        run.totalItems = 4;
        run.createdAt = QDateTime::currentDateTimeUtc().addSecs(-60 * minutesAgo);
        run.finishedAt = run.createdAt.addSecs(30);
        return f.store->createRun(run).value_or(0);
    }

    static QStringList column(const QAbstractItemModel &model, Column c, int role = Qt::DisplayRole)
    {
        QStringList list;
        for (int row = 0; row < model.rowCount(); ++row)
            list << model.index(row, RunsModel::column(c)).data(role).toString();
        return list;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void promptColumnTellsPromptVersionsApart()
    {
        auto f = fixture();
        const auto spec = [](const std::string &content) {
            return json{{"data_source",
                         {{"type", "responses"},
                          {"input_messages",
                           {{"type", "template"},
                            {"template", json::array({{{"role", "developer"}, {"content", content}}})}}}}}};
        };
        addRun(*f, QStringLiteral("a"), 30, nullptr, QStringLiteral("local"), spec("Answer with the capital."));
        addRun(*f, QStringLiteral("b"), 20, nullptr, QStringLiteral("local"), spec("Answer with the capital."));
        addRun(*f, QStringLiteral("c"), 10, nullptr, QStringLiteral("local"), spec("Answer with the capital city."));
        addRun(*f, QStringLiteral("d"), 5); // items carry their own samples: no prompt
        RunsModel model(f->store.get());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const QStringList prompts = column(model, Column::Prompt); // d, c, b, a
        QVERIFY(prompts[0].isEmpty());
        QCOMPARE(prompts[1].size(), 8);
        QCOMPARE(prompts[2], prompts[3]);    // the same template: the same version
        QVERIFY(prompts[1] != prompts[2]);   // one word changed: another version
        QVERIFY(model.index(1, RunsModel::column(Column::Prompt)).data(Qt::ToolTipRole).toString()
                    .contains(QStringLiteral("Answer with the capital city.")));
    }

    void listsRunsNewestFirstWithTheirFigures()
    {
        auto f = fixture();
        addRun(*f, QStringLiteral("old"), 30, summary(4, 3, 0.0123, 1200));
        const qint64 imported = addRun(*f, QStringLiteral("new"), 1, summary(10, 5, std::nullopt, 500),
                                       QStringLiteral("imported"));
        RunsModel model(f->store.get());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(column(model, Column::Name), (QStringList{QStringLiteral("new"), QStringLiteral("old")}));
        QCOMPARE(model.runId(0), imported);
        QCOMPARE(model.rowForRun(imported), 0);
        QCOMPARE(model.index(0, 0).data(RunsModel::role(Role::RunId)).toLongLong(), imported);
        QCOMPARE(column(model, Column::Eval).first(), QStringLiteral("Tickets"));
        QCOMPARE(column(model, Column::Source), (QStringList{QStringLiteral("imported"), QStringLiteral("local")}));
        QCOMPARE(column(model, Column::Status).first(), QStringLiteral("Completed"));
        QCOMPARE(column(model, Column::Dataset).first(), QStringLiteral("tickets.jsonl · 01234567"));
        QVERIFY(model.index(0, RunsModel::column(Column::Dataset)).data(Qt::ToolTipRole).toString()
                    .contains(QStringLiteral("0123456789abcdef0123456789abcdef")));
        QCOMPARE(model.index(1, RunsModel::column(Column::PassRate)).data(RunsModel::role(Role::Sort)).toDouble(), 0.75);
        QVERIFY(model.index(1, RunsModel::column(Column::PassRate)).data().toString().contains(QStringLiteral("75")));
        QCOMPARE(*model.cost(1), 0.0123);
        QVERIFY(model.index(1, RunsModel::column(Column::Cost)).data().toString().contains(QStringLiteral("0.0123")));
        QVERIFY(!model.cost(0)); // no price known: no cost shown, not $0
        QVERIFY(!model.index(0, RunsModel::column(Column::Cost)).data().isValid());
        QCOMPARE(*model.tokens(1), 1200);
        QVERIFY(!model.index(0, RunsModel::column(Column::Started)).data().toString().isEmpty());
        QVERIFY(model.index(0, RunsModel::column(Column::Started)).data(RunsModel::role(Role::Sort)).toLongLong() >
                model.index(1, RunsModel::column(Column::Started)).data(RunsModel::role(Role::Sort)).toLongLong());
    }

    void sortsNumbersAsNumbers()
    {
        auto f = fixture();
        addRun(*f, QStringLiteral("a"), 3, summary(100, 95, 9.5, 900));
        addRun(*f, QStringLiteral("b"), 2, summary(100, 5, 10.25, 10000));
        addRun(*f, QStringLiteral("c"), 1, summary(100, 50, 2.0, 80));
        addRun(*f, QStringLiteral("d"), 4); // no summary yet
        RunsModel model(f->store.get());
        QSortFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        proxy.setSortRole(RunsModel::role(Role::Sort));
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);

        proxy.sort(RunsModel::column(Column::Cost), Qt::AscendingOrder); // text order would put $10.25 first
        QCOMPARE(column(proxy, Column::Name), (QStringList{QStringLiteral("d"), QStringLiteral("c"), QStringLiteral("a"), QStringLiteral("b")}));
        proxy.sort(RunsModel::column(Column::Tokens), Qt::DescendingOrder);
        QCOMPARE(column(proxy, Column::Name), (QStringList{QStringLiteral("b"), QStringLiteral("a"), QStringLiteral("c"), QStringLiteral("d")}));
        proxy.sort(RunsModel::column(Column::PassRate), Qt::DescendingOrder);
        QCOMPARE(column(proxy, Column::Name), (QStringList{QStringLiteral("a"), QStringLiteral("c"), QStringLiteral("b"), QStringLiteral("d")}));
        proxy.sort(RunsModel::column(Column::Started), Qt::AscendingOrder);
        QCOMPARE(column(proxy, Column::Name), (QStringList{QStringLiteral("d"), QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")}));
    }

    void refreshesWithoutResetAndKeepsTheSelection()
    {
        auto f = fixture();
        const qint64 a = addRun(*f, QStringLiteral("a"), 3);
        const qint64 b = addRun(*f, QStringLiteral("b"), 2);
        RunsModel model(f->store.get());
        model.setRefreshInterval(0);
        QSortFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        proxy.setSortRole(RunsModel::role(Role::Sort));
        proxy.sort(RunsModel::column(Column::Name), Qt::AscendingOrder);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QItemSelectionModel selection(&proxy);
        const int rowOfB = model.rowForRun(b);
        selection.setCurrentIndex(proxy.mapFromSource(model.index(rowOfB, 0)),
                                  QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

        // A new run ("aa" sorts between a and b), another one deleted, and b finishing.
        const qint64 c = addRun(*f, QStringLiteral("aa"), 1);
        QCOMPARE(model.rowCount(), 3);
        QVERIFY(f->store->deleteRun(a));
        QCOMPARE(model.rowCount(), 2);
        RunRecord updated = *f->store->run(b);
        updated.summary = summary(4, 2, 0.5, 100);
        QVERIFY(f->store->updateRun(updated));
        QCOMPARE(reset.count(), 0);
        QVERIFY(changed.count() >= 1);
        QCOMPARE(model.index(model.rowForRun(b), RunsModel::column(Column::PassRate)).data(RunsModel::role(Role::Sort)).toDouble(), 0.5);

        QVERIFY(selection.currentIndex().isValid());
        QCOMPARE(selection.currentIndex().data(RunsModel::role(Role::RunId)).toLongLong(), b);
        QCOMPARE(selection.selectedRows().size(), 1);
        QCOMPARE(selection.selectedRows().first().data(RunsModel::role(Role::RunId)).toLongLong(), b);
        QCOMPARE(model.rowForRun(c), 0); // newest first in the source
    }

    void coalescesBurstsOfChanges()
    {
        auto f = fixture();
        const qint64 run = addRun(*f, QStringLiteral("running"), 1);
        RunsModel model(f->store.get());
        QCOMPARE(model.refreshInterval(), 200);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        RunRecord record = *f->store->run(run);
        record.status = QStringLiteral("in_progress");
        for (int i = 1; i <= 4; ++i) {
            record.summary = summary(i, i, 0.001 * i, 10 * i);
            QVERIFY(f->store->updateRun(record));
        }
        QCOMPARE(changed.count(), 0); // nothing re-read yet
        QTRY_COMPARE(model.index(0, RunsModel::column(Column::Tokens)).data(RunsModel::role(Role::Sort)).toLongLong(), 40);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(model.index(0, RunsModel::column(Column::Status)).data().toString(), QStringLiteral("Running 4/4"));
    }

    void deletesWithUndoAndRedo()
    {
        auto f = fixture();
        const qint64 keep = addRun(*f, QStringLiteral("keep"), 1);
        const qint64 doomed = addRun(*f, QStringLiteral("doomed"), 5, summary(3, 2, 0.01, 30));
        for (int i = 0; i < 3; ++i) {
            OutputItemRecord item;
            item.runId = doomed;
            item.datasourceItemId = i;
            item.status = i < 2 ? QStringLiteral("pass") : QStringLiteral("fail");
            item.datasourceItem = {{"label", "billing"}, {"i", i}};
            item.sample = {{"output", json::array({{{"role", "assistant"}, {"content", "billing"}}})}};
            item.results = json::array({{{"name", "label"}, {"score", i < 2 ? 1.0 : 0.0}, {"passed", i < 2}}});
            item.latencyMs = 100 + i;
            QVERIFY(f->store->commitItem(item));
        }
        HumanVerdict verdict;
        verdict.runId = doomed;
        verdict.datasourceItemId = 2;
        verdict.criterion = QStringLiteral("label");
        verdict.verdict = HumanVerdict::Verdict::Pass;
        verdict.note = QStringLiteral("the reference is wrong");
        QVERIFY(f->verdicts->setVerdict(verdict));

        RunsModel model(f->store.get());
        model.setRefreshInterval(0);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QUndoStack stack;
        QCOMPARE(model.rowCount(), 2);
        auto *command = new DeleteRunsCommand(f->store.get(), {doomed});
        QCOMPARE(command->text(), QStringLiteral("Delete run “doomed”"));
        stack.push(command);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.runId(0), keep);
        QVERIFY(!f->store->run(doomed));

        stack.undo();
        QVERIFY(command->lastError().isEmpty());
        QCOMPARE(model.rowCount(), 2);
        const qint64 back = command->runIds().first();
        QCOMPARE(model.rowForRun(back), 1); // same place: created_at kept
        const RunRecord restored = *f->store->run(back);
        QCOMPARE(restored.name, QStringLiteral("doomed"));
        QCOMPARE(restored.summary, summary(3, 2, 0.01, 30));
        QCOMPARE(restored.datasetHash, QStringLiteral("0123456789abcdef0123456789abcdef"));
        const auto items = f->store->items(back);
        QCOMPARE(items.size(), std::size_t(3));
        QCOMPARE(items[2].status, QStringLiteral("fail"));
        QCOMPARE(items[1].latencyMs, 101);
        QCOMPARE(items[1].datasourceItem["i"].get<int>(), 1);
        const auto verdicts = f->verdicts->verdicts(back);
        QCOMPARE(verdicts.size(), 1);
        QCOMPARE(verdicts.first().note, QStringLiteral("the reference is wrong"));

        stack.redo();
        QCOMPARE(model.rowCount(), 1);
        QVERIFY(!f->store->run(back));
        stack.undo();
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(f->store->items(command->runIds().first()).size(), std::size_t(3));
    }
};

QTEST_GUILESS_MAIN(TestRunsModel)
#include "tst_runs_model.moc"
