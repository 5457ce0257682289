// Human verdicts beside the graders' results (migration 0003) and the agreement between them.
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "models/store/eval_store.h"
#include "models/store/verdict_store.h"
#include "models/store/workspace.h"

using assay::store::CriterionAgreement;
using assay::store::EvalStore;
using assay::store::HumanVerdict;
using assay::store::OutputItemRecord;
using assay::store::RunRecord;
using assay::store::VerdictStore;
using assay::store::Workspace;
using json = nlohmann::json;
using Verdict = HumanVerdict::Verdict;

namespace {

json definition()
{
    return {{"name", "Tickets"},
            {"data_source_config", {{"type", "custom"}, {"item_schema", {{"type", "object"}}}}},
            {"testing_criteria",
             json::array({{{"type", "string_check"}, {"name", "label"}, {"input", "{{ sample.output_text }}"},
                           {"reference", "{{ item.label }}"}, {"operation", "eq"}},
                          {{"type", "score_model"}, {"name", "tone"}, {"input", json::array()}, {"model", "o4-mini"}}})}};
}

// passed: per criterion (label, tone); nullopt = that grader errored.
OutputItemRecord item(qint64 runId, qint64 index, std::optional<bool> label, std::optional<bool> tone)
{
    OutputItemRecord record;
    record.runId = runId;
    record.datasourceItemId = index;
    const bool errored = !label || !tone;
    record.status = errored ? QStringLiteral("error") : (*label && *tone ? QStringLiteral("pass") : QStringLiteral("fail"));
    record.datasourceItem = {{"label", "billing"}};
    record.sample = {{"output", json::array({{{"role", "assistant"}, {"content", "billing"}}})}};
    auto result = [](const char *name, std::optional<bool> passed) {
        json r = {{"name", name}, {"type", "string_check"}, {"score", passed.value_or(false) ? 1.0 : 0.0},
                  {"passed", passed.value_or(false)}, {"sample", nullptr}};
        if (!passed)
            r["error"] = "the grader model failed";
        return r;
    };
    record.results = json::array({result("label", label), result("tone", tone)});
    return record;
}

HumanVerdict verdict(qint64 runId, qint64 item, const QString &criterion, Verdict value, const QString &note = {})
{
    HumanVerdict v;
    v.runId = runId;
    v.datasourceItemId = item;
    v.criterion = criterion;
    v.verdict = value;
    v.note = note;
    return v;
}

} // namespace

class TestVerdictStore : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    int m_counter = 0;

    QString freshPath() { return m_dir.filePath(QStringLiteral("ws%1.sqlite").arg(++m_counter)); }

    static qint64 makeRun(EvalStore &store)
    {
        const auto eval = store.saveEval(QStringLiteral("Tickets"), definition());
        if (!eval)
            qFatal("saveEval failed");
        RunRecord run;
        run.evalId = eval->id;
        run.name = QStringLiteral("run");
        run.model = QStringLiteral("gpt-4.1-mini");
        run.status = QStringLiteral("completed");
        run.runSpec = json::object();
        const auto id = store.createRun(run);
        if (!id)
            qFatal("createRun failed");
        return *id;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void migrationIsNumberedAfterTheEvals()
    {
        QVERIFY(Workspace::latestSchemaVersion() >= 3);
        Workspace workspace;
        QString error;
        QVERIFY2(workspace.open(freshPath(), &error), qPrintable(error));
        QCOMPARE(workspace.schemaVersion(), Workspace::latestSchemaVersion());
    }

    void setGetOverwriteAndClear()
    {
        Workspace workspace;
        QVERIFY(workspace.open(freshPath()));
        EvalStore evals(workspace);
        VerdictStore store(workspace);
        const qint64 run = makeRun(evals);
        QSignalSpy changed(&store, &VerdictStore::verdictsChanged);

        QVERIFY(!store.verdict(run, 3, {}));
        QString error;
        QVERIFY2(store.setVerdict(verdict(run, 3, {}, Verdict::Fail, QStringLiteral("wrong queue")), &error),
                 qPrintable(error));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.first().first().toLongLong(), run);
        auto stored = store.verdict(run, 3, {});
        QVERIFY(stored);
        QCOMPARE(stored->verdict, Verdict::Fail);
        QCOMPARE(stored->note, QStringLiteral("wrong queue"));
        QVERIFY(stored->updatedAt.isValid());
        QVERIFY(qAbs(stored->updatedAt.secsTo(QDateTime::currentDateTimeUtc())) < 120);

        // Per criterion and per item are separate entries.
        QVERIFY(store.setVerdict(verdict(run, 3, QStringLiteral("tone"), Verdict::Pass)));
        QCOMPARE(store.verdictsForItem(run, 3).size(), 2);
        QCOMPARE(store.verdict(run, 3, {})->verdict, Verdict::Fail);

        // Overwrite: the same key, the new verdict and note.
        QVERIFY(store.setVerdict(verdict(run, 3, {}, Verdict::Pass, QStringLiteral("fine after all"))));
        QCOMPARE(store.verdict(run, 3, {})->verdict, Verdict::Pass);
        QCOMPARE(store.verdict(run, 3, {})->note, QStringLiteral("fine after all"));
        QCOMPARE(store.verdicts(run).size(), 2);

        // A note alone is kept; no verdict and no note clears.
        QVERIFY(store.setVerdict(verdict(run, 4, {}, Verdict::None, QStringLiteral("ask the team"))));
        QCOMPARE(store.verdict(run, 4, {})->verdict, Verdict::None);
        QVERIFY(store.setVerdict(verdict(run, 4, {}, Verdict::None)));
        QVERIFY(!store.verdict(run, 4, {}));

        QVERIFY(store.clearVerdict(run, 3, QStringLiteral("tone")));
        QVERIFY(!store.verdict(run, 3, QStringLiteral("tone")));
        QCOMPARE(store.verdicts(run).size(), 1);
    }

    void verdictsSurviveReopeningAndGoWithTheirRun()
    {
        const QString path = freshPath();
        qint64 run = 0;
        {
            Workspace workspace;
            QVERIFY(workspace.open(path));
            EvalStore evals(workspace);
            VerdictStore store(workspace);
            run = makeRun(evals);
            QVERIFY(store.setVerdict(verdict(run, 0, QStringLiteral("label"), Verdict::Fail, QStringLiteral("é ✓"))));
            QVERIFY(store.setVerdict(verdict(run, 1, {}, Verdict::Pass)));
        }
        Workspace workspace;
        QVERIFY(workspace.open(path));
        EvalStore evals(workspace);
        VerdictStore store(workspace);
        const QList<HumanVerdict> all = store.verdicts(run);
        QCOMPARE(all.size(), 2);
        QCOMPARE(all[0].datasourceItemId, 0);
        QCOMPARE(all[0].criterion, QStringLiteral("label"));
        QCOMPARE(all[0].note, QStringLiteral("é ✓"));
        QCOMPARE(all[1].verdict, Verdict::Pass);

        // restoreVerdicts writes them back as they were (what undo of a deletion needs).
        QVERIFY(evals.deleteRun(run));
        QVERIFY(store.verdicts(run).isEmpty());
        const qint64 again = makeRun(evals);
        QList<HumanVerdict> moved = all;
        for (HumanVerdict &v : moved)
            v.runId = again;
        QVERIFY(store.restoreVerdicts(moved));
        const QList<HumanVerdict> restored = store.verdicts(again);
        QCOMPARE(restored.size(), 2);
        QCOMPARE(restored[0].updatedAt, all[0].updatedAt);
        QCOMPARE(restored[0].note, all[0].note);
    }

    void agreementCountsOnlyItemsJudgedByBoth()
    {
        Workspace workspace;
        QVERIFY(workspace.open(freshPath()));
        EvalStore evals(workspace);
        VerdictStore store(workspace);
        const qint64 run = makeRun(evals);
        // label: grader pass, pass, fail, fail, pass, errored; tone: pass everywhere but item 5.
        const std::optional<bool> label[] = {true, true, false, false, true, std::nullopt};
        for (int i = 0; i < 6; ++i)
            QVERIFY(evals.commitItem(item(run, i, label[i], true)));
        // Human on label: pass, fail, fail, pass, (none), fail (grader errored: left out).
        QVERIFY(store.setVerdict(verdict(run, 0, QStringLiteral("label"), Verdict::Pass)));
        QVERIFY(store.setVerdict(verdict(run, 1, QStringLiteral("label"), Verdict::Fail)));
        QVERIFY(store.setVerdict(verdict(run, 2, QStringLiteral("label"), Verdict::Fail)));
        QVERIFY(store.setVerdict(verdict(run, 3, QStringLiteral("label"), Verdict::Pass)));
        QVERIFY(store.setVerdict(verdict(run, 5, QStringLiteral("label"), Verdict::Fail)));
        // A note without a verdict is not a judgement.
        QVERIFY(store.setVerdict(verdict(run, 4, QStringLiteral("label"), Verdict::None, QStringLiteral("unsure"))));
        // Tone: one agreeing verdict. Whole items: item 0 pass (grader pass), item 2 pass (grader fail),
        // item 5 fail (errored item: left out).
        QVERIFY(store.setVerdict(verdict(run, 1, QStringLiteral("tone"), Verdict::Pass)));
        QVERIFY(store.setVerdict(verdict(run, 0, {}, Verdict::Pass)));
        QVERIFY(store.setVerdict(verdict(run, 2, {}, Verdict::Pass)));
        QVERIFY(store.setVerdict(verdict(run, 5, {}, Verdict::Fail)));
        // A verdict on a criterion the eval does not have matches no result.
        QVERIFY(store.setVerdict(verdict(run, 0, QStringLiteral("nonexistent"), Verdict::Pass)));

        const QList<CriterionAgreement> agreement = store.agreement(run);
        QCOMPARE(agreement.size(), 3);
        const CriterionAgreement &whole = agreement[0];
        QVERIFY(whole.criterion.isEmpty());
        QCOMPARE(whole.compared(), 2);
        QCOMPARE(whole.bothPass, 1);
        QCOMPARE(whole.humanPassGraderFail, 1);
        QCOMPARE(*whole.rate(), 0.5);

        const CriterionAgreement &labels = agreement[1];
        QCOMPARE(labels.criterion, QStringLiteral("label"));
        QCOMPARE(labels.compared(), 4);
        QCOMPARE(labels.bothPass, 1);
        QCOMPARE(labels.humanFailGraderPass, 1);
        QCOMPARE(labels.bothFail, 1);
        QCOMPARE(labels.humanPassGraderFail, 1);
        QCOMPARE(*labels.rate(), 0.5);
        // Human pass 2/4, grader pass 2/4: chance agreement 0.5, so kappa is 0.
        QVERIFY(labels.cohensKappa());
        QCOMPARE(*labels.cohensKappa(), 0.0);

        QCOMPARE(agreement[2].criterion, QStringLiteral("tone"));
        QCOMPARE(agreement[2].compared(), 1);
        QCOMPARE(*agreement[2].rate(), 1.0);
        // All pass on both sides: agreement by chance is certain, kappa undefined.
        QVERIFY(!agreement[2].cohensKappa());
    }

    void kappaMatchesAHandComputation()
    {
        CriterionAgreement a;
        for (int i = 0; i < 20; ++i)
            a.add(true, true);
        for (int i = 0; i < 15; ++i)
            a.add(false, false);
        for (int i = 0; i < 5; ++i)
            a.add(true, false);
        for (int i = 0; i < 10; ++i)
            a.add(false, true);
        // po = 35/50 = 0.7; human pass 25/50, grader pass 30/50: pe = 0.5*0.6 + 0.5*0.4 = 0.5.
        QCOMPARE(a.compared(), 50);
        QVERIFY(qAbs(*a.rate() - 0.7) < 1e-12);
        QVERIFY(qAbs(*a.cohensKappa() - 0.4) < 1e-12);
        QVERIFY(!CriterionAgreement().rate());
    }
};

QTEST_GUILESS_MAIN(TestVerdictStore)
#include "tst_verdict_store.moc"
