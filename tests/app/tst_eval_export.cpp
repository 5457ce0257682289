// `assay eval export`: stored evals and runs written back as CreateEvalRequest /
// CreateEvalRunRequest files that `assay eval run` takes again. The real binary against the
// in-process fake OpenAI server, each test with a workspace of its own.
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include "fakes/fake_openai_server.h"
#include "support/openapi_validator.h"

using assay::testing::FakeOpenAiServer;
using nlohmann::json;

namespace {

constexpr auto kFakeKey = "dummy-eval-export-key-0123456789abcdef";

struct CliRun {
    int exitCode = -1;
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

json parse(const QByteArray &bytes)
{
    return json::parse(bytes.toStdString(), nullptr, false);
}

int questionOf(const json &request)
{
    static const QRegularExpression pattern(QStringLiteral("Question (\\d+)\\b"));
    const QRegularExpressionMatch match = pattern.match(QString::fromStdString(request.dump()));
    return match.hasMatch() ? match.captured(1).toInt() : -1;
}

json evalDefinition(const std::string &operation = "eq")
{
    return {{"name", "Capitals"},
            {"data_source_config",
             {{"type", "custom"},
              {"item_schema",
               {{"type", "object"},
                {"properties", {{"question", {{"type", "string"}}}, {"answer", {{"type", "string"}}}}},
                {"required", {"question", "answer"}}}},
              {"include_sample_schema", true}}},
            {"testing_criteria", json::array({{{"type", "string_check"},
                                               {"name", "exact answer"},
                                               {"input", "{{ sample.output_text }}"},
                                               {"operation", operation},
                                               {"reference", "{{ item.answer }}"}}})}};
}

json rows(int count)
{
    json content = json::array();
    for (int i = 0; i < count; ++i)
        content.push_back({{"item", {{"question", "Question " + std::to_string(i)}, {"answer", "Answer " + std::to_string(i)}}}});
    return content;
}

json runDefinition(int count)
{
    return {{"name", "capitals run"},
            {"data_source",
             {{"type", "responses"},
              {"model", "gpt-test"},
              {"input_messages",
               {{"type", "template"},
                {"template", {{{"role", "developer"}, {"content", "Answer briefly."}},
                              {{"role", "user"}, {"content", "{{ item.question }}"}}}}}},
              {"sampling_params", {{"temperature", 0}, {"seed", 7}}},
              {"source", {{"type", "file_content"}, {"content", rows(count)}}}}}};
}

} // namespace

class TestEvalExport : public QObject {
    Q_OBJECT

private:
    FakeOpenAiServer m_server;
    QTemporaryDir m_configDir;
    QTemporaryDir m_dir;
    int m_counter = 0;
    QString m_workspace;

    CliRun run(const QStringList &arguments)
    {
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("OPENAI_API_KEY"), QLatin1String(kFakeKey));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_configDir.path());
        env.insert(QStringLiteral("XDG_DATA_HOME"), m_configDir.filePath(QStringLiteral("data")));
        process.setProcessEnvironment(env);
        QSignalSpy finished(&process, &QProcess::finished);
        process.start(QStringLiteral(ASSAY_BINARY), arguments + QStringList{QStringLiteral("--workspace"), m_workspace});
        process.closeWriteChannel();
        if (!finished.wait(90000)) {
            process.kill();
            finished.wait(5000);
            qWarning("assay did not finish in time");
        }
        return {process.exitCode(), process.readAllStandardOutput(), process.readAllStandardError()};
    }

    QString path(const QString &name) const { return m_dir.filePath(QStringLiteral("%1-%2").arg(m_counter).arg(name)); }

    CliRun evalRun(const QString &evalFile, const QString &runFile, const QStringList &extra = {})
    {
        return run(QStringList{QStringLiteral("eval"), QStringLiteral("run"), evalFile, QStringLiteral("--run"), runFile,
                               QStringLiteral("--base-url"), m_server.baseUrl().toString()} +
                   extra);
    }

    CliRun exportCommand(const QStringList &arguments)
    {
        return run(QStringList{QStringLiteral("eval"), QStringLiteral("export")} + arguments);
    }

    // `assay runs list --json`, newest first.
    json runs()
    {
        const CliRun list = run({QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--json")});
        return list.exitCode == 0 ? parse(list.out) : json();
    }

    static void checkFileShape(const QByteArray &bytes)
    {
        QVERIFY(bytes.endsWith("}\n"));
        QVERIFY2(bytes.contains("\n  \""), "pretty-printed");
        QVERIFY(!parse(bytes).is_discarded());
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
            return question % 3 == 2 ? QByteArray("Not sure") : "Answer " + QByteArray::number(question);
        });
    }

    void init()
    {
        ++m_counter;
        m_workspace = path(QStringLiteral("workspace.sqlite"));
    }

    void exportedFilesRunTheSameEval()
    {
        ASSAY_REQUIRE_OPENAPI(validator);
        QVERIFY(writeFile(path(QStringLiteral("eval.json")), QByteArray::fromStdString(evalDefinition().dump())));
        QVERIFY(writeFile(path(QStringLiteral("run.json")), QByteArray::fromStdString(runDefinition(9).dump())));
        const CliRun first = evalRun(path(QStringLiteral("eval.json")), path(QStringLiteral("run.json")),
                                     {QStringLiteral("--model"), QStringLiteral("gpt-picked")});
        QVERIFY2(first.exitCode == 0, first.err.constData());
        const json before = runs();
        QCOMPARE(before.size(), std::size_t(1));
        QCOMPARE(before[0]["result_counts"], json({{"total", 9}, {"passed", 6}, {"failed", 3}, {"errored", 0}}));

        const QString evalOut = path(QStringLiteral("exported-eval.json"));
        const QString runOut = path(QStringLiteral("exported-run.json"));
        const QString evalOfRun = path(QStringLiteral("eval-of-run.json"));
        const CliRun exportEval = exportCommand({QStringLiteral("Capitals"), QStringLiteral("--out"), evalOut});
        QVERIFY2(exportEval.exitCode == 0, exportEval.err.constData());
        const CliRun exportRun = exportCommand({QStringLiteral("--run"), QStringLiteral("latest"), QStringLiteral("--out"),
                                                runOut, QStringLiteral("--eval-out"), evalOfRun});
        QVERIFY2(exportRun.exitCode == 0, exportRun.err.constData());

        const QByteArray evalBytes = readFile(evalOut);
        checkFileShape(evalBytes);
        checkFileShape(readFile(runOut));
        const QStringList problems = validator->check(parse(evalBytes), QStringLiteral("CreateEvalRequest"));
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
        QCOMPARE(parse(evalBytes)["testing_criteria"], evalDefinition()["testing_criteria"]);
        // The run's eval is the same version; exports of the same definition are byte-identical.
        QCOMPARE(readFile(evalOfRun), evalBytes);

        const json runJson = parse(readFile(runOut));
        QCOMPARE(runJson["data_source"]["model"], json("gpt-picked")); // the model the run used
        QCOMPARE(runJson["data_source"]["sampling_params"], runDefinition(9)["data_source"]["sampling_params"]);
        QCOMPARE(runJson["data_source"]["source"]["type"], json("file_content"));
        QCOMPARE(runJson["data_source"]["source"]["content"].size(), std::size_t(9));

        // Stdout by default, the same bytes.
        const CliRun toStdout = exportCommand({QStringLiteral("Capitals")});
        QCOMPARE(toStdout.exitCode, 0);
        QCOMPARE(toStdout.out, evalBytes);

        const CliRun again = evalRun(evalOut, runOut);
        QVERIFY2(again.exitCode == 0, again.err.constData());
        const json after = runs();
        QCOMPARE(after.size(), std::size_t(2));
        QCOMPARE(after[0]["model"], json("gpt-picked"));
        QCOMPARE(after[0]["result_counts"], before[0]["result_counts"]);
        // Same definition: no new eval version.
        QCOMPARE(after[0]["eval_id"], before[0]["eval_id"]);
    }

    void runOverAFileExportsThePath()
    {
        QByteArray data;
        for (const json &row : rows(6))
            data += QByteArray::fromStdString(row.dump()) + '\n';
        const QString dataFile = path(QStringLiteral("data.jsonl"));
        QVERIFY(writeFile(dataFile, data));
        QVERIFY(writeFile(path(QStringLiteral("eval.json")), QByteArray::fromStdString(evalDefinition().dump())));
        QVERIFY(writeFile(path(QStringLiteral("run.json")), QByteArray::fromStdString(runDefinition(2).dump())));
        const CliRun first = evalRun(path(QStringLiteral("eval.json")), path(QStringLiteral("run.json")),
                                     {QStringLiteral("--data"), dataFile});
        QVERIFY2(first.exitCode == 0, first.err.constData());

        const QString runOut = path(QStringLiteral("exported-run.json"));
        const QString evalOut = path(QStringLiteral("exported-eval.json"));
        const CliRun exported = exportCommand({QStringLiteral("--run"), QString::number(runs()[0]["id"].get<qint64>()),
                                               QStringLiteral("--out"), runOut, QStringLiteral("--eval-out"), evalOut});
        QVERIFY2(exported.exitCode == 0, exported.err.constData());
        const json source = parse(readFile(runOut))["data_source"]["source"];
        QCOMPARE(source["type"], json("file_id"));
        QCOMPARE(QString::fromStdString(source["id"].get<std::string>()), QFileInfo(dataFile).absoluteFilePath());

        const CliRun again = evalRun(evalOut, runOut);
        QVERIFY2(again.exitCode == 0, again.err.constData());
        const json after = runs();
        QCOMPARE(after.size(), std::size_t(2));
        QCOMPARE(after[0]["result_counts"]["total"], json(6));
        QCOMPARE(after[0]["result_counts"], after[1]["result_counts"]);
    }

    void versionsAndImportedEvals()
    {
        ASSAY_REQUIRE_OPENAPI(validator);
        QVERIFY(writeFile(path(QStringLiteral("eval.json")), QByteArray::fromStdString(evalDefinition("eq").dump())));
        QVERIFY(writeFile(path(QStringLiteral("eval2.json")), QByteArray::fromStdString(evalDefinition("ne").dump())));
        QVERIFY(writeFile(path(QStringLiteral("run.json")), QByteArray::fromStdString(runDefinition(3).dump())));
        QCOMPARE(evalRun(path(QStringLiteral("eval.json")), path(QStringLiteral("run.json"))).exitCode, 0);
        // An `ne` criterion fails the correct answers: the pass rate is below 1, exit 0 still.
        QCOMPARE(evalRun(path(QStringLiteral("eval2.json")), path(QStringLiteral("run.json"))).exitCode, 0);

        const CliRun latest = exportCommand({QStringLiteral("Capitals")});
        QCOMPARE(latest.exitCode, 0);
        QCOMPARE(parse(latest.out)["testing_criteria"][0]["operation"], json("ne"));
        const CliRun first = exportCommand({QStringLiteral("Capitals"), QStringLiteral("--version"), QStringLiteral("1")});
        QCOMPARE(first.exitCode, 0);
        QCOMPARE(parse(first.out)["testing_criteria"][0]["operation"], json("eq"));
        const CliRun missing = exportCommand({QStringLiteral("Capitals"), QStringLiteral("--version"), QStringLiteral("7")});
        QCOMPARE(missing.exitCode, 2);
        QVERIFY2(missing.err.contains("version 7"), missing.err.constData());

        // An eval exported from the Evals API, imported unchanged, comes back as a CreateEvalRequest.
        const json evalObject = {{"object", "eval"},
                                 {"id", "eval_fromapi42"},
                                 {"name", "From the API"},
                                 {"created_at", 1763000000},
                                 {"metadata", json::object()},
                                 {"data_source_config",
                                  {{"type", "custom"}, {"schema", evalDefinition()["data_source_config"]["item_schema"]}}},
                                 {"testing_criteria", evalDefinition()["testing_criteria"]}};
        QVERIFY(writeFile(path(QStringLiteral("api-eval.json")), QByteArray::fromStdString(evalObject.dump())));
        const CliRun imported = run({QStringLiteral("eval"), QStringLiteral("import"), path(QStringLiteral("api-eval.json"))});
        QVERIFY2(imported.exitCode == 0, imported.err.constData());
        const CliRun byOpenAiId = exportCommand({QStringLiteral("eval_fromapi42")});
        QVERIFY2(byOpenAiId.exitCode == 0, byOpenAiId.err.constData());
        const json body = parse(byOpenAiId.out);
        QVERIFY(!body.contains("id"));
        QVERIFY(!body.contains("object"));
        QCOMPARE(body["name"], json("From the API"));
        const QStringList problems = validator->check(body, QStringLiteral("CreateEvalRequest"));
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
    }

    void unknownNamesAndUnwritableFilesExitTwo()
    {
        QVERIFY(writeFile(path(QStringLiteral("eval.json")), QByteArray::fromStdString(evalDefinition().dump())));
        QVERIFY(writeFile(path(QStringLiteral("run.json")), QByteArray::fromStdString(runDefinition(2).dump())));
        QCOMPARE(evalRun(path(QStringLiteral("eval.json")), path(QStringLiteral("run.json"))).exitCode, 0);

        const CliRun noEval = exportCommand({QStringLiteral("Nonexistent eval")});
        QCOMPARE(noEval.exitCode, 2);
        QVERIFY2(noEval.err.contains("Nonexistent eval"), noEval.err.constData());
        QVERIFY(noEval.out.isEmpty());

        const CliRun noRun = exportCommand({QStringLiteral("--run"), QStringLiteral("98765"), QStringLiteral("--out"),
                                            path(QStringLiteral("never.json"))});
        QCOMPARE(noRun.exitCode, 2);
        QVERIFY2(noRun.err.contains("98765"), noRun.err.constData());
        QVERIFY(!QFileInfo::exists(path(QStringLiteral("never.json"))));

        const QString unwritable = path(QStringLiteral("no-such-folder/eval.json"));
        const CliRun cannotWrite = exportCommand({QStringLiteral("Capitals"), QStringLiteral("--out"), unwritable});
        QCOMPARE(cannotWrite.exitCode, 2);
        QVERIFY2(cannotWrite.err.contains(unwritable.toUtf8()), cannotWrite.err.constData());

        // A failed write leaves the previous file as it was.
        const QString existing = path(QStringLiteral("existing.json"));
        QVERIFY(writeFile(existing, "keep me\n"));
        const CliRun badRun = exportCommand({QStringLiteral("--run"), QStringLiteral("latest~5"), QStringLiteral("--out"),
                                             existing});
        QCOMPARE(badRun.exitCode, 2);
        QCOMPARE(readFile(existing), QByteArray("keep me\n"));
    }
};

QTEST_GUILESS_MAIN(TestEvalExport)
#include "tst_eval_export.moc"
