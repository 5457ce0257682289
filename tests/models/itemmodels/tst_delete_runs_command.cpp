// Deleting runs with undo: the runs go to the trash and come back under the same ids with the
// same fields, items (raw exchanges included) and human verdicts; redo deletes them again. They
// are purged for good when the command leaves the stack while they are trashed, or after a crash.
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QtTest>

#include "models/itemmodels/delete_runs_command.h"
#include "models/store/eval_store.h"
#include "models/store/verdict_store.h"
#include "models/store/workspace.h"

using assay::itemmodels::DeleteRunsCommand;
using assay::store::EvalStore;
using assay::store::HumanVerdict;
using assay::store::OutputItemRecord;
using assay::store::RunRecord;
using assay::store::VerdictStore;
using assay::store::Workspace;
using json = nlohmann::json;

namespace {

json definition()
{
    return {{"name", "Tickets"},
            {"data_source_config", {{"type", "custom"}, {"item_schema", {{"type", "object"}}}}},
            {"testing_criteria", json::array({{{"type", "string_check"},
                                               {"name", "label"},
                                               {"input", "{{ sample.output_text }}"},
                                               {"reference", "{{ item.label }}"},
                                               {"operation", "eq"}}})}};
}

} // namespace

class TestDeleteRunsCommand : public QObject {
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

    static qint64 addRun(Fixture &f, const QString &name, int items)
    {
        RunRecord run;
        run.evalId = f.evalId;
        run.name = name;
        run.model = QStringLiteral("gpt-4.1-mini");
        run.status = QStringLiteral("completed");
        run.runSpec = {{"name", name.toStdString()}};
        run.summary = {{"result_counts", {{"total", items}}}};
        run.datasetPath = QStringLiteral("/data/tickets.jsonl");
        run.datasetHash = QStringLiteral("feed");
        run.totalItems = items;
        run.createdAt = QDateTime::currentDateTimeUtc().addSecs(-60);
        run.finishedAt = run.createdAt.addSecs(30);
        const qint64 id = f.store->createRun(run).value_or(0);
        std::vector<OutputItemRecord> records;
        for (int i = 0; i < items; ++i) {
            OutputItemRecord item;
            item.runId = id;
            item.datasourceItemId = i;
            item.status = i % 2 ? QStringLiteral("fail") : QStringLiteral("pass");
            item.datasourceItem = {{"label", "billing"}, {"i", i}};
            item.sample = {{"output", json::array({{{"role", "assistant"}, {"content", "billing"}}})}};
            item.results =
                json::array({{{"name", "label"}, {"score", i % 2 ? 0.0 : 1.0}, {"passed", i % 2 == 0}}});
            item.latencyMs = 100 + i;
            item.rawRequest = {
                {"method", "POST"}, {"url", "http://127.0.0.1:1/v1/responses"}, {"body", {{"i", i}}}};
            item.rawResponse = {{"id", "resp"}, {"i", i}};
            records.push_back(item);
        }
        if (!f.store->commitItems(records))
            qFatal("cannot commit items");
        return id;
    }

    static void addVerdict(Fixture &f, qint64 runId, qint64 itemId, const QString &criterion,
                           HumanVerdict::Verdict value, const QString &note)
    {
        HumanVerdict verdict;
        verdict.runId = runId;
        verdict.datasourceItemId = itemId;
        verdict.criterion = criterion;
        verdict.verdict = value;
        verdict.note = note;
        if (!f.verdicts->setVerdict(verdict))
            qFatal("cannot set a verdict");
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void undoBringsRunsBackUnderTheSameIds()
    {
        auto f = fixture();
        const qint64 keep = addRun(*f, QStringLiteral("keep"), 2);
        const qint64 a = addRun(*f, QStringLiteral("a"), 3);
        const qint64 b = addRun(*f, QStringLiteral("b"), 4);
        addVerdict(*f, a, 1, QStringLiteral("label"), HumanVerdict::Verdict::Pass,
                   QStringLiteral("reference wrong"));
        addVerdict(*f, a, 0, QString(), HumanVerdict::Verdict::Fail, QString());
        addVerdict(*f, b, 3, QString(), HumanVerdict::Verdict::None, QStringLiteral("look again"));

        const RunRecord runA = *f->store->run(a);
        const RunRecord runB = *f->store->run(b);
        const auto itemsA = f->store->items(a);
        const auto itemsB = f->store->items(b);
        const auto verdictsA = f->verdicts->verdicts(a);
        const auto verdictsB = f->verdicts->verdicts(b);
        const auto agreementA = f->verdicts->agreement(a);

        QUndoStack stack;
        auto *command = new DeleteRunsCommand(f->store.get(), {b, a});
        QCOMPARE(command->text(), QStringLiteral("Delete 2 run(s)"));
        QSignalSpy changed(f->store.get(), &EvalStore::runsChanged);
        stack.push(command);
        QVERIFY(command->lastError().isEmpty());
        QVERIFY(changed.count() >= 1); // the runs list reloads
        QVERIFY(!f->store->run(a));
        QVERIFY(!f->store->run(b));
        QCOMPARE(f->store->runs().size(), 1);
        // A run started while the deleted ones wait on the stack takes a fresh id.
        const qint64 fresh = addRun(*f, QStringLiteral("fresh"), 1);
        QVERIFY(fresh != a && fresh != b);

        for (int round = 0; round < 2; ++round) {
            stack.undo();
            QVERIFY2(command->lastError().isEmpty(), qPrintable(command->lastError()));
            QCOMPARE(command->runIds(), (QList<qint64>{b, a}));
            for (const auto &[id, before, items, verdicts] :
                 {std::tuple(a, runA, itemsA, verdictsA), std::tuple(b, runB, itemsB, verdictsB)}) {
                const auto after = f->store->run(id);
                QVERIFY(after);
                QCOMPARE(after->id, id);
                QCOMPARE(after->name, before.name);
                QCOMPARE(after->summary, before.summary);
                QCOMPARE(after->runSpec, before.runSpec);
                QCOMPARE(after->createdAt, before.createdAt);
                QCOMPARE(after->finishedAt, before.finishedAt);
                QCOMPARE(after->datasetHash, before.datasetHash);
                const auto restored = f->store->items(id);
                QCOMPARE(restored.size(), items.size());
                for (std::size_t i = 0; i < restored.size(); ++i) {
                    QCOMPARE(restored[i].status, items[i].status);
                    QCOMPARE(restored[i].results, items[i].results);
                    QCOMPARE(restored[i].latencyMs, items[i].latencyMs);
                    QCOMPARE(restored[i].rawRequest, items[i].rawRequest);
                    QCOMPARE(restored[i].rawResponse, items[i].rawResponse);
                }
                const auto back = f->verdicts->verdicts(id);
                QCOMPARE(back.size(), verdicts.size());
                for (qsizetype i = 0; i < back.size(); ++i) {
                    QCOMPARE(back[i].runId, id);
                    QCOMPARE(back[i].criterion, verdicts[i].criterion);
                    QCOMPARE(back[i].verdict, verdicts[i].verdict);
                    QCOMPARE(back[i].note, verdicts[i].note);
                    QCOMPARE(back[i].updatedAt, verdicts[i].updatedAt);
                }
            }
            const auto agreement = f->verdicts->agreement(a);
            QCOMPARE(agreement.size(), agreementA.size());
            for (qsizetype i = 0; i < agreement.size(); ++i) {
                QCOMPARE(agreement[i].criterion, agreementA[i].criterion);
                QCOMPARE(agreement[i].agreed(), agreementA[i].agreed());
                QCOMPARE(agreement[i].compared(), agreementA[i].compared());
            }
            QCOMPARE(f->store->runs().size(), 4);
            QVERIFY(f->store->run(keep));

            stack.redo(); // deletes the same ids again
            QVERIFY(!f->store->run(a));
            QVERIFY(!f->store->run(b));
            QCOMPARE(f->store->runs().size(), 2);
        }

        // Off the stack while deleted: items and verdicts go for good; the other runs stay.
        stack.clear();
        QVERIFY(!f->store->item(a, 0));
        QVERIFY(f->store->items(b).empty());
        QVERIFY(f->verdicts->verdicts(a).isEmpty());
        QVERIFY(f->verdicts->verdicts(b).isEmpty());
        QVERIFY(!f->store->untrashRun(a)); // nothing left to bring back
        QCOMPARE(f->store->runs().size(), 2);
        QCOMPARE(f->store->items(keep).size(), std::size_t(2));
        QCOMPARE(f->store->items(fresh).size(), std::size_t(1));
    }

    void anUndoneDeletionLeavingTheStackKeepsItsRuns()
    {
        auto f = fixture();
        const qint64 a = addRun(*f, QStringLiteral("a"), 3);
        addVerdict(*f, a, 1, QString(), HumanVerdict::Verdict::Pass, QStringLiteral("fine"));
        {
            QUndoStack stack;
            stack.push(new DeleteRunsCommand(f->store.get(), {a}));
            QVERIFY(!f->store->run(a));
            stack.undo();
        } // the stack and its (undone) command are gone
        QVERIFY(f->store->run(a));
        QCOMPARE(f->store->items(a).size(), std::size_t(3));
        QCOMPARE(f->verdicts->verdicts(a).size(), 1);
    }

    void aCrashLeavesTheTrashToTheNextOpen()
    {
        auto f = fixture();
        const qint64 keep = addRun(*f, QStringLiteral("keep"), 1);
        const qint64 a = addRun(*f, QStringLiteral("a"), 4);
        const qint64 b = addRun(*f, QStringLiteral("b"), 2);
        addVerdict(*f, a, 0, QString(), HumanVerdict::Verdict::Fail, QString());
        // What a deletion left behind when the process died with the command still on its stack.
        QVERIFY(f->store->trashRun(a));
        QVERIFY(f->store->trashRun(b));
        QVERIFY(!f->store->trashRun(a)); // already in the trash
        QVERIFY(f->store->untrashRun(b));
        QVERIFY(f->store->trashRun(b));

        QString error;
        QVERIFY2(f->store->purgeTrash(std::nullopt, &error), qPrintable(error));
        QVERIFY(f->store->items(a).empty());
        QVERIFY(f->store->items(b).empty());
        QVERIFY(f->verdicts->verdicts(a).isEmpty());
        QVERIFY(!f->store->untrashRun(a));
        QCOMPARE(f->store->runs().size(), 1);
        QCOMPARE(f->store->items(keep).size(), std::size_t(1));
    }

    void deletingAMissingRunIsObsolete()
    {
        auto f = fixture();
        addRun(*f, QStringLiteral("keep"), 1);
        QUndoStack stack;
        stack.push(new DeleteRunsCommand(f->store.get(), {424242}));
        QCOMPARE(stack.count(), 0);
        QCOMPARE(f->store->runs().size(), 1);
    }
};

QTEST_GUILESS_MAIN(TestDeleteRunsCommand)
#include "tst_delete_runs_command.moc"
