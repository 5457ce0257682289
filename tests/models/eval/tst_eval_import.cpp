// Importing Evals API objects: exported files (any order, lists, arrays, JSONL) and the API
// itself (paged), linked by OpenAI ids, without duplicates on a second import.
#include <QFile>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

#include "fakes/fake_evals_api.h"
#include "fakes/fake_openai_server.h"
#include "models/api/api_client.h"
#include "models/eval/eval_import.h"
#include "models/eval/openai_evals_importer.h"
#include "models/store/eval_store.h"
#include "models/store/workspace.h"
#include "support/openapi_validator.h"

using assay::api::ApiClient;
using assay::api::Profile;
using assay::eval::importFiles;
using assay::eval::ImportReport;
using assay::eval::OpenAiEvalsImporter;
using assay::store::EvalStore;
using assay::store::Workspace;
using assay::testing::Behaviour;
using assay::testing::FakeEvalsApi;
using assay::testing::FakeOpenAiServer;
using json = nlohmann::json;

namespace {

const QString kKey = QStringLiteral("sk-test-evals");
constexpr int kWait = 20000;

json list(const json &data)
{
    return {{"object", "list"},
            {"data", data},
            {"first_id", data.empty() ? "" : data.front()["id"]},
            {"last_id", data.empty() ? "" : data.back()["id"]},
            {"has_more", false}};
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

QString problems(const ImportReport &report)
{
    QStringList lines;
    for (const auto &problem : report.problems)
        lines << QString::fromStdString(problem.toString());
    return lines.join(QLatin1Char('\n'));
}

int countRows(Workspace &workspace, const char *table)
{
    QSqlQuery query(workspace.database());
    if (!query.exec(QStringLiteral("SELECT COUNT(*) FROM %1").arg(QString::fromLatin1(table))) ||
        !query.next())
        return -1;
    return query.value(0).toInt();
}

} // namespace

class TestEvalImport : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QStringList m_files;
    json m_evals = json::array();
    json m_runs = json::array();
    json m_items = json::array();

    QString file(const char *name) const { return m_dir.filePath(QString::fromLatin1(name)); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        ASSAY_REQUIRE_OPENAPI(openapi);
        m_evals.push_back(FakeEvalsApi::makeEval("eval_a", "Capitals", 1742000000));
        m_evals.push_back(FakeEvalsApi::makeEval("eval_b", "Headlines", 1742000100));
        m_runs.push_back(FakeEvalsApi::makeRun("evalrun_a1", "eval_a", "first", 1742000200, 2, 1));
        m_runs.push_back(FakeEvalsApi::makeRun("evalrun_b1", "eval_b", "second", 1742000300, 1, 0));
        m_runs.push_back(FakeEvalsApi::makeRun("evalrun_x1", "eval_gone", "orphan", 1742000400, 1, 0));
        m_items.push_back(
            FakeEvalsApi::makeOutputItem("outputitem_1", "evalrun_a1", "eval_a", 0, true, 1742000201));
        m_items.push_back(
            FakeEvalsApi::makeOutputItem("outputitem_2", "evalrun_a1", "eval_a", 1, false, 1742000202));
        m_items.push_back(
            FakeEvalsApi::makeOutputItem("outputitem_3", "evalrun_a1", "eval_a", 2, true, 1742000203));
        m_items.push_back(
            FakeEvalsApi::makeOutputItem("outputitem_4", "evalrun_b1", "eval_b", 0, true, 1742000301));
        m_items.push_back(
            FakeEvalsApi::makeOutputItem("outputitem_5", "evalrun_x1", "eval_gone", 0, true, 1742000401));

        // The files are what the Evals API returns: check them against its own schemas first.
        ASSAY_VERIFY_SCHEMA(openapi, list(m_evals), QStringLiteral("EvalList"));
        ASSAY_VERIFY_SCHEMA(openapi, list(m_runs), QStringLiteral("EvalRunList"));
        ASSAY_VERIFY_SCHEMA(openapi, list(m_items), QStringLiteral("EvalRunOutputItemList"));

        // The runs' error as the guide's examples show it (null) must import too.
        m_runs[1]["error"] = nullptr;
        m_items[3]["sample"]["error"] = nullptr;

        // Items first, runs as JSONL, evals as a list: the import sorts it out.
        QVERIFY(writeFile(file("items.json"), QByteArray::fromStdString(m_items.dump(2))));
        QByteArray runLines;
        for (const json &run : m_runs)
            runLines += QByteArray::fromStdString(run.dump()) + '\n';
        QVERIFY(writeFile(file("runs.jsonl"), runLines));
        QVERIFY(writeFile(file("evals.json"), QByteArray::fromStdString(list(m_evals).dump(1))));
        m_files = {file("items.json"), file("runs.jsonl"), file("evals.json")};
    }

    void importsExportedFiles()
    {
        Workspace workspace;
        QVERIFY(workspace.open(file("import.sqlite")));
        EvalStore store(workspace);
        const ImportReport report = importFiles(m_files, store);
        QVERIFY2(!report.hasErrors(), qPrintable(problems(report)));
        QCOMPARE(report.evals, 2);
        QCOMPARE(report.runs, 3);
        QCOMPARE(report.items, 5);
        // The orphan run is kept under a placeholder eval, with a warning saying so.
        QCOMPARE(report.problems.size(), std::size_t(1));
        QVERIFY(report.problems[0].warning);
        QVERIFY2(QString::fromStdString(report.problems[0].toString()).contains(QStringLiteral("eval_gone")),
                 qPrintable(problems(report)));
        QVERIFY2(QString::fromStdString(report.problems[0].where)
                     .startsWith(file("runs.jsonl") + QStringLiteral(":3")),
                 report.problems[0].where.c_str());

        const auto capitals = store.evalByOpenAiId(QStringLiteral("eval_a"));
        QVERIFY(capitals);
        QCOMPARE(capitals->name, QStringLiteral("Capitals"));
        // Stored as a CreateEvalRequest: the exported `schema` wrapper became item_schema.
        QVERIFY(capitals->definition["data_source_config"].contains("item_schema"));
        const auto placeholder = store.evalByOpenAiId(QStringLiteral("eval_gone"));
        QVERIFY(placeholder);
        QCOMPARE(placeholder->name, QStringLiteral("eval_gone"));

        const auto run = store.runByOpenAiId(QStringLiteral("evalrun_a1"));
        QVERIFY(run);
        QCOMPARE(run->evalId, capitals->id);
        QCOMPARE(run->source, QStringLiteral("imported"));
        QCOMPARE(run->status, QStringLiteral("completed"));
        QCOMPARE(run->api, QStringLiteral("chat"));
        QCOMPARE(run->model, QStringLiteral("gpt-4.1-mini"));
        QCOMPARE(run->totalItems, 3);
        QCOMPARE(run->summary["result_counts"]["passed"], json(2));
        QCOMPARE(run->summary["result_counts"]["failed"], json(1));
        QCOMPARE(run->summary["per_testing_criteria_results"][0]["testing_criteria"],
                 json("Exact answer-5a1c"));
        QCOMPARE(run->summary["per_model_usage"][0]["invocation_count"], json(3));
        QCOMPARE(run->createdAt, QDateTime::fromSecsSinceEpoch(1742000200, Qt::UTC));
        QCOMPARE(run->runSpec["data_source"]["type"], json("completions"));
        QCOMPARE(store.runByOpenAiId(QStringLiteral("evalrun_x1"))->evalId, placeholder->id);
        // Imported runs are not offered for resume.
        QVERIFY(store.unfinishedRuns().isEmpty());

        const auto items = store.items(run->id);
        QCOMPARE(items.size(), std::size_t(3));
        QCOMPARE(items[0].status, QStringLiteral("pass"));
        QCOMPARE(items[1].status, QStringLiteral("fail"));
        QCOMPARE(items[1].openaiId, QStringLiteral("outputitem_2"));
        QCOMPARE(items[1].datasourceItem["answer"], json("Answer1"));
        QCOMPARE(items[1].sample["output"][0]["content"], json("Something else"));
        QCOMPARE(items[1].results[0]["passed"], json(false));
    }

    void importingTwiceAddsNothing()
    {
        Workspace workspace;
        QVERIFY(workspace.open(file("twice.sqlite")));
        EvalStore store(workspace);
        ImportReport first = importFiles(m_files, store);
        QVERIFY2(!first.hasErrors(), qPrintable(problems(first)));
        const ImportReport second = importFiles(m_files, store);
        QVERIFY2(!second.hasErrors(), qPrintable(problems(second)));
        QCOMPARE(second.evals, 0);
        QCOMPARE(second.runs, 0);
        QCOMPARE(second.items, 0);
        QCOMPARE(second.unchanged, 2 + 3 + 5);
        QCOMPARE(countRows(workspace, "evals"), 3); // two evals and the placeholder
        QCOMPARE(countRows(workspace, "runs"), 3);
        QCOMPARE(countRows(workspace, "output_items"), 5);

        // Importing the missing eval later turns the placeholder into a real version.
        json gone = FakeEvalsApi::makeEval("eval_gone", "Recovered", 1742000050);
        QVERIFY(writeFile(file("gone.json"), QByteArray::fromStdString(gone.dump())));
        const ImportReport third = importFiles({file("gone.json")}, store);
        QVERIFY2(!third.hasErrors(), qPrintable(problems(third)));
        QCOMPARE(third.evals, 1);
        const auto recovered = store.evalByOpenAiId(QStringLiteral("eval_gone"));
        QCOMPARE(recovered->name, QStringLiteral("Recovered"));
        QCOMPARE(recovered->version, 2);
        QCOMPARE(store.evals().size(), 3);
    }

    void badInputIsReportedWithItsPlace()
    {
        Workspace workspace;
        QVERIFY(workspace.open(file("bad.sqlite")));
        EvalStore store(workspace);
        QByteArray lines = QByteArray::fromStdString(m_evals[0].dump()) + "\n{\"object\": \"eval\", oops}\n" +
                           "{\"object\": \"fine_tuning.job\", \"id\": \"ftjob_1\"}\n";
        QVERIFY(writeFile(file("bad.jsonl"), lines));
        json run = m_runs[0];
        run.erase("eval_id");
        QVERIFY(writeFile(file("bad_run.json"), QByteArray::fromStdString(list(json::array({run})).dump())));
        const ImportReport report =
            importFiles({file("bad.jsonl"), file("bad_run.json"), file("does-not-exist.json")}, store);
        QVERIFY(report.hasErrors());
        QCOMPARE(report.evals, 1);
        const QString text = problems(report);
        QVERIFY2(text.contains(file("bad.jsonl") + QStringLiteral(":2: ")), qPrintable(text));
        QVERIFY2(text.contains(file("bad.jsonl") + QStringLiteral(":3: ")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("fine_tuning.job")), qPrintable(text));
        QVERIFY2(text.contains(file("bad_run.json") + QStringLiteral(": $.data[0]")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("does-not-exist.json")), qPrintable(text));
        QCOMPARE(report.problems.size(), std::size_t(4));
    }

    void importsFromTheApiPageByPage()
    {
        ASSAY_REQUIRE_OPENAPI(openapi);
        FakeOpenAiServer server;
        QVERIFY(server.start());
        FakeEvalsApi evalsApi(server);
        evalsApi.setMaxPageSize(2); // forces paging at every level
        int itemCounter = 0;
        for (int e = 0; e < 3; ++e) {
            const std::string evalId = "eval_" + std::to_string(e);
            evalsApi.addEval(FakeEvalsApi::makeEval(evalId, "Eval " + std::to_string(e), 1742000000 + e));
            for (int r = 0; r < (e == 0 ? 3 : 1); ++r) {
                const std::string runId = evalId + "_run" + std::to_string(r);
                evalsApi.addRun(
                    FakeEvalsApi::makeRun(runId, evalId, "run " + std::to_string(r), 1742001000 + r, 3, 2));
                for (int i = 0; i < 5; ++i)
                    evalsApi.addOutputItem(
                        FakeEvalsApi::makeOutputItem("outputitem_" + std::to_string(++itemCounter), runId,
                                                     evalId, i, i < 3, 1742002000 + i));
            }
        }

        Workspace workspace;
        QVERIFY(workspace.open(file("api.sqlite")));
        EvalStore store(workspace);
        ApiClient client;
        Profile profile;
        profile.baseUrl = server.baseUrl().toString();
        OpenAiEvalsImporter importer(client, store);
        QSignalSpy finished(&importer, &OpenAiEvalsImporter::finished);
        QSignalSpy progressed(&importer, &OpenAiEvalsImporter::progressed);
        importer.start(profile, kKey);
        QVERIFY(importer.isRunning());
        QVERIFY(finished.wait(kWait));
        QCOMPARE(finished.count(), 1);
        const ImportReport report = importer.report();
        QVERIFY2(report.error.empty(), report.error.c_str());
        QVERIFY2(!report.hasErrors(), qPrintable(problems(report)));
        QCOMPARE(report.evals, 3);
        QCOMPARE(report.runs, 5);
        QCOMPARE(report.items, 25);
        QVERIFY(progressed.count() > 5);
        QCOMPARE(store.evals().size(), 3);
        QCOMPARE(store.runs().size(), 5);
        QCOMPARE(countRows(workspace, "output_items"), 25);
        const auto run = store.runByOpenAiId(QStringLiteral("eval_0_run2"));
        QVERIFY(run);
        QCOMPARE(store.items(run->id).size(), std::size_t(5));
        QCOMPARE(store.eval(run->evalId)->openaiId, QStringLiteral("eval_0"));

        // Every list page went out as the API shapes it, and the key went with every request.
        int lists = 0;
        for (const auto &[schema, payload] : server.sentPayloads()) {
            if (schema.endsWith(QLatin1String("List"))) {
                ++lists;
                ASSAY_VERIFY_SCHEMA(openapi, payload, schema);
            }
        }
        // evals: 2 pages; runs: 2 + 1 + 1; items: 3 pages for each of 5 runs.
        QCOMPARE(lists, 2 + 4 + 15);
        for (const auto &request : server.requests())
            QCOMPARE(request.header("authorization"), QByteArray("Bearer ") + kKey.toUtf8());
        if (evalsApi.seesQueries()) {
            QVERIFY(evalsApi.afterCursors().contains("eval_1"));
            QVERIFY(evalsApi.listRequests().first().contains("limit=100"));
        }

        // A second import finds everything already there.
        QSignalSpy again(&importer, &OpenAiEvalsImporter::finished);
        importer.start(profile, kKey);
        QVERIFY(again.wait(kWait));
        QCOMPARE(importer.report().evals + importer.report().runs + importer.report().items, 0);
        QCOMPARE(importer.report().unchanged, 3 + 5 + 25);
        QCOMPARE(countRows(workspace, "output_items"), 25);
    }

    void unauthorizedStopsWithTheApiError()
    {
        FakeOpenAiServer server;
        QVERIFY(server.start());
        FakeEvalsApi evalsApi(server);
        evalsApi.addEval(FakeEvalsApi::makeEval("eval_0", "Eval", 1742000000));
        server.enqueue(Behaviour::unauthorized());

        Workspace workspace;
        QVERIFY(workspace.open(file("unauthorized.sqlite")));
        EvalStore store(workspace);
        ApiClient client;
        Profile profile;
        profile.baseUrl = server.baseUrl().toString();
        OpenAiEvalsImporter importer(client, store);
        QSignalSpy finished(&importer, &OpenAiEvalsImporter::finished);
        importer.start(profile, QStringLiteral("sk-wrong"));
        QVERIFY(finished.wait(kWait));
        const ImportReport report = importer.report();
        QVERIFY(report.hasErrors());
        QVERIFY2(QString::fromStdString(report.error).contains(QStringLiteral("401")), report.error.c_str());
        QVERIFY2(QString::fromStdString(report.error).contains(QStringLiteral("invalid_api_key")),
                 report.error.c_str());
        QVERIFY(!QString::fromStdString(report.error).contains(QStringLiteral("sk-wrong")));
        QVERIFY(!report.cancelled);
        QCOMPARE(report.evals, 0);
        QVERIFY(store.evals().isEmpty());
        QVERIFY(!importer.isRunning());
    }

    void cancelStopsAtOnce()
    {
        FakeOpenAiServer server;
        QVERIFY(server.start());
        FakeEvalsApi evalsApi(server);
        evalsApi.addEval(FakeEvalsApi::makeEval("eval_0", "Eval", 1742000000));
        Workspace workspace;
        QVERIFY(workspace.open(file("cancel.sqlite")));
        EvalStore store(workspace);
        ApiClient client;
        Profile profile;
        profile.baseUrl = server.baseUrl().toString();
        OpenAiEvalsImporter importer(client, store);
        QSignalSpy finished(&importer, &OpenAiEvalsImporter::finished);
        importer.start(profile, kKey);
        importer.cancel();
        QVERIFY(finished.count() == 1 || finished.wait(kWait));
        QCOMPARE(finished.count(), 1);
        QVERIFY(importer.report().cancelled);
        QVERIFY(!importer.isRunning());
        QTest::qWait(50); // a late answer must not produce a second finished()
        QCOMPARE(finished.count(), 1);
    }
};

QTEST_GUILESS_MAIN(TestEvalImport)
#include "tst_eval_import.moc"
