// `assay eval run|resume|import` and `assay runs list` end to end: the real binary against the
// in-process fake OpenAI server, each test with a workspace of its own.
#include <csignal>

#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include "fakes/fake_openai_server.h"
#include "models/store/eval_store.h"
#include "models/store/workspace.h"
#include "support/openapi_validator.h"

using assay::testing::Behaviour;
using assay::testing::FakeOpenAiServer;
using nlohmann::json;

namespace {

constexpr auto kFakeKey = "sk-test-cli-eval-0123456789abcdef";

struct CliRun {
    int exitCode = -1;
    QProcess::ExitStatus exitStatus = QProcess::NormalExit;
    QByteArray out;
    QByteArray err;
};

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(bytes) == bytes.size();
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QByteArray dumpJson(const json &value)
{
    return QByteArray::fromStdString(value.dump(2));
}

// The question number a sampling request is about ("Question 7" -> 7), -1 when none.
int questionOf(const json &request)
{
    static const QRegularExpression pattern(QStringLiteral("Question (\\d+)\\b"));
    const QRegularExpressionMatch match = pattern.match(QString::fromStdString(request.dump()));
    return match.hasMatch() ? match.captured(1).toInt() : -1;
}

json evalDefinition(const json &criteria = json())
{
    return {{"name", "Capitals"},
            {"data_source_config",
             {{"type", "custom"},
              {"item_schema",
               {{"type", "object"},
                {"properties", {{"question", {{"type", "string"}}}, {"answer", {{"type", "string"}}}}},
                {"required", {"question", "answer"}}}},
              {"include_sample_schema", true}}},
            {"testing_criteria", criteria.is_null() ? json::array({{{"type", "string_check"},
                                                                    {"name", "exact answer"},
                                                                    {"input", "{{ sample.output_text }}"},
                                                                    {"operation", "eq"},
                                                                    {"reference", "{{ item.answer }}"}}})
                                                    : criteria}};
}

// `count` items; the fake answers Question i with "Answer i", except every fifth (wrong).
json runDefinition(int count)
{
    json content = json::array();
    for (int i = 0; i < count; ++i)
        content.push_back({{"item", {{"question", "Question " + std::to_string(i)}, {"answer", "Answer " + std::to_string(i)}}}});
    return {{"name", "capitals run"},
            {"data_source",
             {{"type", "responses"},
              {"model", "gpt-test"},
              {"input_messages",
               {{"type", "template"},
                {"template", {{{"role", "developer"}, {"content", "Answer briefly."}},
                              {{"role", "user"}, {"content", "{{ item.question }}"}}}}}},
              {"sampling_params", {{"temperature", 0}}},
              {"source", {{"type", "file_content"}, {"content", content}}}}}};
}

} // namespace

class TestCliEval : public QObject {
    Q_OBJECT

private:
    FakeOpenAiServer m_server;
    QTemporaryDir m_configDir;
    QTemporaryDir m_dir;
    int m_workspaceCounter = 0;
    QString m_workspace; // this test's database

    QProcessEnvironment environment() const
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("OPENAI_API_KEY"), QLatin1String(kFakeKey));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_configDir.path());
        env.insert(QStringLiteral("XDG_DATA_HOME"), m_configDir.filePath(QStringLiteral("data")));
        return env;
    }

    // Runs the binary without blocking the event loop, so the in-process fake can answer.
    CliRun run(const QStringList &arguments, int timeoutMs = 90000)
    {
        QProcess process;
        process.setProcessEnvironment(environment());
        QSignalSpy finished(&process, &QProcess::finished);
        process.start(QStringLiteral(ASSAY_BINARY), arguments);
        process.closeWriteChannel();
        if (!finished.wait(timeoutMs)) {
            process.kill();
            finished.wait(5000);
            qWarning("assay did not finish in time");
        }
        return {process.exitCode(), process.exitStatus(), process.readAllStandardOutput(),
                process.readAllStandardError()};
    }

    QString path(const QString &name) const { return m_dir.filePath(name); }

    QStringList evalRun(const QString &evalFile, const QString &runFile) const
    {
        return {QStringLiteral("eval"),       QStringLiteral("run"),     evalFile,
                QStringLiteral("--run"),      runFile,                   QStringLiteral("--base-url"),
                m_server.baseUrl().toString(), QStringLiteral("--workspace"), m_workspace};
    }

    json runsJson()
    {
        const CliRun list = run({QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--json"),
                                 QStringLiteral("--workspace"), m_workspace});
        if (list.exitCode != 0)
            return json();
        return json::parse(list.out.toStdString(), nullptr, false);
    }

    void writeDefinitions(int count, const json &criteria = json())
    {
        QVERIFY(writeFile(path(QStringLiteral("eval.json")), dumpJson(evalDefinition(criteria))));
        QVERIFY(writeFile(path(QStringLiteral("run.json")), dumpJson(runDefinition(count))));
    }

    int samplingRequests() const
    {
        int count = 0;
        for (const auto &request : m_server.requests())
            count += request.path == "/v1/responses" ? 1 : 0;
        return count;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_server.start());
        QVERIFY(m_dir.isValid());
        m_server.setOutputTextProvider([](const json &request) -> QByteArray {
            const int question = questionOf(request);
            if (question < 0)
                return {};
            if (question % 5 == 4)
                return "I am not sure";
            return "Answer " + QByteArray::number(question);
        });
    }

    void init()
    {
        m_server.clearRequests();
        m_workspace = path(QStringLiteral("workspace-%1.sqlite").arg(++m_workspaceCounter));
    }

    void helpListsTheCommands()
    {
        const CliRun help = run({QStringLiteral("--help")});
        QCOMPARE(help.exitCode, 0);
        QVERIFY(help.out.contains("eval"));
        QVERIFY(help.out.contains("runs"));
        QVERIFY(help.out.contains("--workspace"));
        const CliRun runHelp = run({QStringLiteral("eval"), QStringLiteral("run"), QStringLiteral("--help")});
        QCOMPARE(runHelp.exitCode, 0);
        QVERIFY(runHelp.out.contains("--fail-under"));
        QVERIFY(runHelp.out.contains("--allow-python"));
        const CliRun resumeHelp = run({QStringLiteral("eval"), QStringLiteral("resume"), QStringLiteral("--help")});
        QCOMPARE(resumeHelp.exitCode, 0);
        const CliRun importHelp = run({QStringLiteral("eval"), QStringLiteral("import"), QStringLiteral("--help")});
        QCOMPARE(importHelp.exitCode, 0);
        QVERIFY(importHelp.out.contains("--from-openai"));
        const CliRun runsHelp = run({QStringLiteral("runs"), QStringLiteral("--help")});
        QCOMPARE(runsHelp.exitCode, 0);
        QVERIFY(runsHelp.out.contains("list"));
        // The global option is accepted before the subcommand as well.
        const CliRun before = run({QStringLiteral("--workspace"), m_workspace, QStringLiteral("runs"), QStringLiteral("list")});
        QVERIFY2(before.exitCode == 0, before.err.constData());
        QVERIFY(QFile::exists(m_workspace));
    }

    void runGradesEveryItemAndWritesThem()
    {
        ASSAY_REQUIRE_OPENAPI(validator);
        writeDefinitions(10);
        const QString out = path(QStringLiteral("items.jsonl"));
        const CliRun r = run(evalRun(path(QStringLiteral("eval.json")), path(QStringLiteral("run.json")))
                             << QStringLiteral("--out") << out << QStringLiteral("--fail-under")
                             << QStringLiteral("0.5"));
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.err.contains("started: capitals run (gpt-test, 10 items)"), r.err.constData());
        // Summary: 10 total, 8 passed, 2 failed, 0 errored, 80%, and the criterion's counts.
        const QString summary = QString::fromUtf8(r.out);
        QVERIFY2(summary.contains(QRegularExpression(QStringLiteral("gpt-test\\s+completed\\s+10\\s+8\\s+2\\s+0\\s+80\\.0%"))),
                 r.out.constData());
        QVERIFY2(summary.contains(QRegularExpression(QStringLiteral("exact answer\\s+8\\s+2"))), r.out.constData());
        QCOMPARE(samplingRequests(), 10);
        // Progress went to stderr, nothing of it to stdout; the key nowhere.
        QVERIFY(r.err.contains("10/10 done"));
        QVERIFY(!r.out.contains("done,"));
        QVERIFY(!r.out.contains(kFakeKey) && !r.err.contains(kFakeKey));

        const QList<QByteArray> lines = readFile(out).trimmed().split('\n');
        QCOMPARE(lines.size(), 10);
        QSet<qint64> ids;
        int passed = 0;
        std::vector<json> items;
        for (const QByteArray &line : lines) {
            const json item = json::parse(line.toStdString());
            items.push_back(item);
            ids.insert(item.at("datasource_item_id").get<qint64>());
            passed += item.at("status") == "pass" ? 1 : 0;
            QCOMPARE(item.at("results").size(), std::size_t(1));
        }
        QCOMPARE(ids.size(), 10);
        QCOMPARE(passed, 8);
        for (const json &item : items) {
            QCOMPARE(item.at("assay").at("cache_hit").get<bool>(), false);
            QVERIFY(item.at("assay").at("latency_ms").get<qint64>() >= 0);
        }


        const CliRun list = run({QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--workspace"), m_workspace});
        QCOMPARE(list.exitCode, 0);
        QVERIFY2(QString::fromUtf8(list.out).contains(
                     QRegularExpression(QStringLiteral("Capitals\\s+capitals run\\s+gpt-test\\s+completed\\s+80\\.0%\\s+10"))),
                 list.out.constData());
        const json runs = runsJson();
        QCOMPARE(runs.size(), std::size_t(1));
        QCOMPARE(runs[0].at("result_counts").at("passed").get<int>(), 8);
        QCOMPARE(runs[0].at("finished_items").get<int>(), 10);

        // Last, so the checks above report on their own: each line is what the Evals API returns.
        // The Evals API itself sends null for a sample's error and for sampling parameters the run
        // did not set (its reference examples show "error": null), where openapi.json declares
        // non-null types; we export what the API exports. Those nulls are swapped for typed
        // placeholders so the rest of the item is still checked against the schema.
        for (const json &item : items) {
            json checked = item;
            json &sample = checked.at("sample");
            if (sample.contains("error") && sample.at("error").is_null())
                sample["error"] = {{"code", ""}, {"message", ""}};
            for (const char *key : {"temperature", "max_completion_tokens", "top_p", "seed"}) {
                if (sample.contains(key) && sample.at(key).is_null())
                    sample[key] = 0;
            }
            ASSAY_VERIFY_SCHEMA(validator, checked, QStringLiteral("EvalRunOutputItem"));
        }

        // The same run again at temperature 0: every answer comes from the response cache, no request
        // is sent, and both the summary (CACHED, its last column) and the items say so.
        m_server.clearRequests();
        const CliRun again = run(evalRun(path(QStringLiteral("eval.json")), path(QStringLiteral("run.json")))
                                 << QStringLiteral("--out") << path(QStringLiteral("again.jsonl")));
        QVERIFY2(again.exitCode == 0, again.err.constData());
        QCOMPARE(samplingRequests(), 0);
        QVERIFY2(QString::fromUtf8(again.out)
                     .contains(QRegularExpression(QStringLiteral("gpt-test\\s+completed\\s+10\\s+8\\s+2\\s+0\\s+80\\.0%.*\\s10\\n"))),
                 again.out.constData());
        for (const QByteArray &line : readFile(path(QStringLiteral("again.jsonl"))).trimmed().split('\n'))
            QVERIFY(json::parse(line.toStdString()).at("assay").at("cache_hit").get<bool>());
    }

    void reportOfTheLatestRun()
    {
        writeDefinitions(10);
        QCOMPARE(run(evalRun(path(QStringLiteral("eval.json")), path(QStringLiteral("run.json")))).exitCode, 0);
        const auto report = [this](const QString &format, const QString &out) {
            return run({QStringLiteral("report"), QStringLiteral("latest"), QStringLiteral("--format"), format,
                        QStringLiteral("--out"), out, QStringLiteral("--workspace"), m_workspace});
        };

        const CliRun markdown = report(QStringLiteral("md"), QStringLiteral("-"));
        QCOMPARE(markdown.exitCode, 0);
        QVERIFY2(markdown.out.contains("Capitals") && markdown.out.contains("80.0%"), markdown.out.constData());

        const CliRun junit = report(QStringLiteral("junit"), path(QStringLiteral("report.xml")));
        QCOMPARE(junit.exitCode, 0);
        const QByteArray xml = readFile(path(QStringLiteral("report.xml")));
        QCOMPARE(xml.count("<testcase "), 10);
        QCOMPARE(xml.count("<failure "), 2);

        const CliRun html = report(QStringLiteral("html"), path(QStringLiteral("report.html")));
        QCOMPARE(html.exitCode, 0);
        const QByteArray page = readFile(path(QStringLiteral("report.html")));
        QVERIFY(page.contains("<svg"));
        QVERIFY(!page.contains(kFakeKey));

        // PDF needs a QGuiApplication: the binary starts one on the offscreen platform by itself.
        const CliRun pdf = report(QStringLiteral("pdf"), path(QStringLiteral("report.pdf")));
        QVERIFY2(pdf.exitCode == 0, pdf.err.constData());
        QVERIFY(readFile(path(QStringLiteral("report.pdf"))).startsWith("%PDF"));

        const CliRun unknown = run({QStringLiteral("report"), QStringLiteral("999"), QStringLiteral("--format"),
                                    QStringLiteral("md"), QStringLiteral("--out"), QStringLiteral("-"),
                                    QStringLiteral("--workspace"), m_workspace});
        QCOMPARE(unknown.exitCode, 2);
    }

    void passRateBelowThresholdExitsOne()
    {
        writeDefinitions(5);
        const CliRun r = run(evalRun(path(QStringLiteral("eval.json")), path(QStringLiteral("run.json")))
                             << QStringLiteral("--fail-under") << QStringLiteral("0.9"));
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("below"), r.err.constData());
        QVERIFY(r.out.contains("80.0%")); // the summary is printed all the same
    }

    void badEvalIsRejectedWithItsJsonPath()
    {
        json criteria = json::array({{{"type", "string_check"},
                                      {"name", "broken"},
                                      {"input", "{{ sample.output_text }}"},
                                      {"operation", "equals"},
                                      {"reference", "x"}}});
        writeDefinitions(3, criteria);
        const CliRun r = run(evalRun(path(QStringLiteral("eval.json")), path(QStringLiteral("run.json"))));
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("eval.json: $.testing_criteria[0]"), r.err.constData());
        QCOMPARE(samplingRequests(), 0);

        QVERIFY(writeFile(path(QStringLiteral("broken.json")), "{\"name\": "));
        const CliRun notJson = run(evalRun(path(QStringLiteral("broken.json")), path(QStringLiteral("run.json"))));
        QCOMPARE(notJson.exitCode, 2);
        QVERIFY2(notJson.err.contains("broken.json"), notJson.err.constData());
    }

    void refusedKeyStopsTheRunWithExitTwo()
    {
        writeDefinitions(8);
        for (int i = 0; i < 8; ++i)
            m_server.enqueue(Behaviour::unauthorized());
        const CliRun r = run(evalRun(path(QStringLiteral("eval.json")), path(QStringLiteral("run.json")))
                             << QStringLiteral("--concurrency") << QStringLiteral("1"));
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("refused the key"), r.err.constData());
        QVERIFY2(r.err.contains("401"), r.err.constData());
        QVERIFY2(r.err.contains("assay eval resume"), r.err.constData());
        // It stops at the first refusal instead of sending every item.
        QCOMPARE(samplingRequests(), 1);
        while (m_server.pendingBehaviours() > 0) // leave the fake answering normally
            run({QStringLiteral("ask"), QStringLiteral("--base-url"), m_server.baseUrl().toString(), QStringLiteral("x")});
    }

    void severalModelsMakeOneRunEach()
    {
        writeDefinitions(4);
        const CliRun r = run(evalRun(path(QStringLiteral("eval.json")), path(QStringLiteral("run.json")))
                             << QStringLiteral("--model") << QStringLiteral("model-a") << QStringLiteral("--model")
                             << QStringLiteral("model-b"));
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(r.err.count("started:"), 2);
        QVERIFY(r.out.contains("model-a") && r.out.contains("model-b"));
        const json runs = runsJson();
        QCOMPARE(runs.size(), std::size_t(2));
        QSet<QString> models;
        QSet<qint64> ids;
        for (const json &entry : runs) {
            models.insert(QString::fromStdString(entry.at("model").get<std::string>()));
            ids.insert(entry.at("id").get<qint64>());
            QCOMPARE(entry.at("finished_items").get<int>(), 4);
        }
        QCOMPARE(models, (QSet<QString>{QStringLiteral("model-a"), QStringLiteral("model-b")}));
        QCOMPARE(ids.size(), 2);
        QSet<QString> sampled;
        for (const auto &request : m_server.requests())
            sampled.insert(QString::fromStdString(request.json().value("model", std::string())));
        QCOMPARE(sampled, models);
    }

    void severalPromptVariantsMakeOneRunEach()
    {
        writeDefinitions(3);
        // A second variant of the prompt: same items, another developer message and run name.
        json variant = runDefinition(3);
        variant["name"] = "terse variant";
        variant["data_source"]["input_messages"]["template"][0]["content"] = "One word only.";
        QVERIFY(writeFile(path(QStringLiteral("variant.json")), dumpJson(variant)));
        const CliRun r = run(evalRun(path(QStringLiteral("eval.json")), path(QStringLiteral("run.json")))
                             << QStringLiteral("--run") << path(QStringLiteral("variant.json")) << QStringLiteral("--model")
                             << QStringLiteral("model-a") << QStringLiteral("--model") << QStringLiteral("model-b"));
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const json runs = runsJson();
        QCOMPARE(runs.size(), std::size_t(4)); // 2 variants x 2 models
        int developerTerse = 0;
        for (const auto &request : m_server.requests())
            developerTerse += request.body.contains("One word only.") ? 1 : 0;
        QCOMPARE(developerTerse, 6); // the variant's 3 items, once per model
    }

    void pythonGraderNeedsConsent()
    {
        json criteria = json::array({{{"type", "python"},
                                      {"name", "py"},
                                      {"source", "def grade(sample, item):\n    return 1.0\n"}}});
        writeDefinitions(2, criteria);
        const CliRun r = run(evalRun(path(QStringLiteral("eval.json")), path(QStringLiteral("run.json"))));
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("--allow-python"), r.err.constData());
        QVERIFY2(r.err.contains("runs its code on this machine"), r.err.constData());
        QCOMPARE(samplingRequests(), 0);
    }

    void importedRunIsListed()
    {
        // An export as the Evals API gives it: the eval, the run, its output items.
        const json evalObject = {{"object", "eval"},
                                 {"id", "eval_exported1"},
                                 {"name", "Exported eval"},
                                 {"created_at", 1763000000},
                                 {"metadata", json::object()},
                                 {"data_source_config",
                                  {{"type", "custom"},
                                   {"schema", evalDefinition()["data_source_config"]["item_schema"]}}},
                                 {"testing_criteria", evalDefinition()["testing_criteria"]}};
        const json runObject = {{"object", "eval.run"},
                                {"id", "evalrun_exported1"},
                                {"eval_id", "eval_exported1"},
                                {"name", "exported run"},
                                {"model", "gpt-4.1"},
                                {"status", "completed"},
                                {"created_at", 1763000100},
                                {"report_url", "https://platform.openai.com/evaluations/eval_exported1"},
                                {"metadata", json::object()},
                                {"error", nullptr},
                                {"data_source", runDefinition(2)["data_source"]},
                                {"result_counts", {{"total", 2}, {"passed", 1}, {"failed", 1}, {"errored", 0}}},
                                {"per_model_usage", json::array()},
                                {"per_testing_criteria_results",
                                 json::array({{{"testing_criteria", "exact answer"}, {"passed", 1}, {"failed", 1}}})}};
        QByteArray file = QByteArray::fromStdString(evalObject.dump()) + '\n' +
                          QByteArray::fromStdString(runObject.dump()) + '\n';
        for (int i = 0; i < 2; ++i) {
            const json item = {{"object", "eval.run.output_item"},
                               {"id", "outputitem_exported" + std::to_string(i)},
                               {"run_id", "evalrun_exported1"},
                               {"eval_id", "eval_exported1"},
                               {"created_at", 1763000200},
                               {"status", i == 0 ? "pass" : "fail"},
                               {"datasource_item_id", i},
                               {"datasource_item", {{"question", "Question 0"}, {"answer", "Answer 0"}}},
                               {"results", json::array()},
                               {"sample", {{"input", json::array()}, {"output", json::array()}, {"model", "gpt-4.1"}}}};
            file += QByteArray::fromStdString(item.dump()) + '\n';
        }
        const QString exported = path(QStringLiteral("export.jsonl"));
        QVERIFY(writeFile(exported, file));
        const CliRun r = run({QStringLiteral("eval"), QStringLiteral("import"), exported, QStringLiteral("--workspace"),
                              m_workspace});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.out.contains("1 run"), r.out.constData());

        const CliRun list = run({QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--workspace"), m_workspace});
        QCOMPARE(list.exitCode, 0);
        QVERIFY2(list.out.contains("Exported eval") && list.out.contains("exported run") && list.out.contains("imported"),
                 list.out.constData());
        const json runs = runsJson();
        QCOMPARE(runs.size(), std::size_t(1));
        QCOMPARE(runs[0].at("openai_id").get<std::string>(), "evalrun_exported1");
        QCOMPARE(runs[0].at("finished_items").get<int>(), 2);
        // Importing again adds nothing.
        const CliRun again = run({QStringLiteral("eval"), QStringLiteral("import"), exported,
                                  QStringLiteral("--workspace"), m_workspace});
        QCOMPARE(again.exitCode, 0);
        QCOMPARE(runsJson().size(), std::size_t(1));
        QCOMPARE(samplingRequests(), 0);
    }

    void killedRunResumesWithoutResampling()
    {
        constexpr int kItems = 20;
        writeDefinitions(kItems);
        // Every answer takes a while, so the kill lands mid-run.
        for (int i = 0; i < 2 * kItems + 4; ++i) {
            Behaviour slow;
            slow.responseDelayMs = 250;
            m_server.enqueue(slow);
        }
        QProcess process;
        process.setProcessEnvironment(environment());
        process.start(QStringLiteral(ASSAY_BINARY),
                      evalRun(path(QStringLiteral("eval.json")), path(QStringLiteral("run.json")))
                          << QStringLiteral("--concurrency") << QStringLiteral("2") << QStringLiteral("--no-cache"));
        QVERIFY(process.waitForStarted());

        // Wait for at least 4 committed items (polled through the CLI, as another process would).
        qint64 runId = 0;
        QVERIFY(QTest::qWaitFor(
            [&] {
                const json runs = runsJson();
                if (!runs.is_array() || runs.empty())
                    return false;
                runId = runs[0].at("id").get<qint64>();
                return runs[0].at("finished_items").get<int>() >= 4;
            },
            60000));
        QSignalSpy killed(&process, &QProcess::finished);
        process.kill(); // SIGKILL
        QVERIFY(killed.wait(10000));
        QCOMPARE(process.exitStatus(), QProcess::CrashExit);
        QTest::qWait(200); // let the fake read what the process had sent before it died
        const qsizetype requestsAtKill = m_server.requests().size();

        QSet<qint64> committed;
        {
            assay::store::Workspace workspace;
            QString error;
            QVERIFY2(workspace.open(m_workspace, &error), qPrintable(error));
            assay::store::EvalStore store(workspace);
            committed = store.finishedItemIds(runId);
            const auto record = store.run(runId);
            QVERIFY(record);
            QCOMPARE(record->status, QStringLiteral("in_progress"));
        }
        QVERIFY(committed.size() >= 4);
        QVERIFY(committed.size() < kItems);
        const json listed = runsJson();
        QCOMPARE(listed[0].at("status").get<std::string>(), "in_progress");

        const CliRun resumed = run({QStringLiteral("eval"), QStringLiteral("resume"), QString::number(runId),
                                    QStringLiteral("--base-url"), m_server.baseUrl().toString(),
                                    QStringLiteral("--workspace"), m_workspace, QStringLiteral("--no-cache")});
        QVERIFY2(resumed.exitCode == 0, resumed.err.constData());
        QVERIFY2(resumed.err.contains("resumed"), resumed.err.constData());
        QVERIFY2(QString::fromUtf8(resumed.out).contains(QRegularExpression(QStringLiteral("completed\\s+20\\s+16\\s+4\\s+0"))),
                 resumed.out.constData());

        // Every row exactly once.
        {
            assay::store::Workspace workspace;
            QVERIFY(workspace.open(m_workspace));
            assay::store::EvalStore store(workspace);
            const auto items = store.items(runId);
            QCOMPARE(static_cast<int>(items.size()), kItems);
            QSet<qint64> ids;
            for (const auto &item : items)
                ids.insert(item.datasourceItemId);
            QCOMPARE(ids.size(), kItems);
            QCOMPARE(store.run(runId)->status, QStringLiteral("completed"));
        }

        // No committed row was sampled again; the others at most once more (those in flight at
        // the kill), and every row was sampled.
        QMap<int, int> perQuestion;
        for (qsizetype i = 0; i < m_server.requests().size(); ++i) {
            const auto &request = m_server.requests().at(i);
            if (request.path != "/v1/responses")
                continue;
            const int question = questionOf(request.json());
            QVERIFY(question >= 0 && question < kItems);
            ++perQuestion[question];
            if (i >= requestsAtKill)
                QVERIFY2(!committed.contains(question),
                         qPrintable(QStringLiteral("committed row %1 was sampled again").arg(question)));
        }
        QCOMPARE(perQuestion.size(), kItems);
        int resampled = 0;
        for (auto it = perQuestion.cbegin(); it != perQuestion.cend(); ++it) {
            QVERIFY(it.value() <= 2);
            resampled += it.value() - 1;
        }
        QVERIFY2(resampled <= 2, qPrintable(QStringLiteral("%1 rows sampled twice").arg(resampled))); // concurrency 2

        // A completed run is not resumed again.
        const CliRun again = run({QStringLiteral("eval"), QStringLiteral("resume"), QString::number(runId),
                                  QStringLiteral("--base-url"), m_server.baseUrl().toString(),
                                  QStringLiteral("--workspace"), m_workspace});
        QCOMPARE(again.exitCode, 2);
    }

    void interruptCancelsCleanly()
    {
        constexpr int kItems = 12;
        writeDefinitions(kItems);
        for (int i = 0; i < kItems + 4; ++i) {
            Behaviour slow;
            slow.responseDelayMs = 300;
            m_server.enqueue(slow);
        }
        QProcess process;
        process.setProcessEnvironment(environment());
        process.start(QStringLiteral(ASSAY_BINARY),
                      evalRun(path(QStringLiteral("eval.json")), path(QStringLiteral("run.json")))
                          << QStringLiteral("--concurrency") << QStringLiteral("1"));
        QVERIFY(process.waitForStarted());
        QVERIFY(QTest::qWaitFor(
            [&] {
                const json runs = runsJson();
                return runs.is_array() && !runs.empty() && runs[0].at("finished_items").get<int>() >= 2;
            },
            60000));
        QSignalSpy finished(&process, &QProcess::finished);
        ::kill(static_cast<pid_t>(process.processId()), SIGINT);
        QVERIFY(finished.wait(20000));
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(process.exitCode(), 2);
        const QByteArray err = process.readAllStandardError();
        QVERIFY2(err.contains("canceled"), err.constData());
        const json runs = runsJson();
        QCOMPARE(runs[0].at("status").get<std::string>(), "canceled");
        const int kept = runs[0].at("finished_items").get<int>();
        QVERIFY(kept >= 2 && kept < kItems);
        // The summary shows what finished.
        QVERIFY(process.readAllStandardOutput().contains("canceled"));
    }
};

QTEST_GUILESS_MAIN(TestCliEval)
#include "tst_cli_eval.moc"
