// `assay ask` end to end: the real binary against the fake OpenAI server.
#include <QProcess>
#include <QSignalSpy>
#include <QtTest>

#include "fakes/fake_openai_server.h"

using assay::testing::Behaviour;
using assay::testing::FakeOpenAiServer;

namespace {

constexpr auto kFakeKey = "sk-test-cli-0123456789abcdefghij";

struct CliRun {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

} // namespace

class TestCliAsk : public QObject {
    Q_OBJECT

private:
    FakeOpenAiServer m_server;

    // Runs the binary without blocking the event loop, so the in-process fake can answer.
    CliRun run(const QStringList &arguments, const QByteArray &stdinBytes = {}, bool withKey = true,
               bool headless = false)
    {
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("OPENAI_API_KEY"));
        if (withKey)
            env.insert(QStringLiteral("OPENAI_API_KEY"), QLatin1String(kFakeKey));
        if (headless) {
            env.remove(QStringLiteral("DISPLAY"));
            env.remove(QStringLiteral("WAYLAND_DISPLAY"));
            env.remove(QStringLiteral("QT_QPA_PLATFORM"));
        }
        // Keep the CLI's settings away from the user's real ones.
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_configDir.path());
        process.setProcessEnvironment(env);
        QSignalSpy finished(&process, &QProcess::finished);
        process.start(QStringLiteral(ASSAY_BINARY), arguments);
        if (!stdinBytes.isEmpty())
            process.write(stdinBytes);
        process.closeWriteChannel();
        if (!finished.wait(60000)) {
            process.kill();
            qWarning("assay did not finish in time");
        }
        return {process.exitCode(), process.readAllStandardOutput(), process.readAllStandardError()};
    }

    QStringList base() const
    {
        return {QStringLiteral("ask"), QStringLiteral("--base-url"), m_server.baseUrl().toString(),
                QStringLiteral("--model"), QStringLiteral("gpt-test")};
    }

    QTemporaryDir m_configDir;

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_server.start()); }
    void init() { m_server.clearRequests(); }

    void helpAndVersionNeedNoDisplay()
    {
        const CliRun help = run({QStringLiteral("--help")}, {}, false, true);
        QCOMPARE(help.exitCode, 0);
        QVERIFY(help.out.contains("ask"));
        const CliRun version = run({QStringLiteral("--version")}, {}, false, true);
        QCOMPARE(version.exitCode, 0);
        QVERIFY2(version.out.startsWith("assay 0."), version.out.constData());
        const CliRun askHelp = run({QStringLiteral("ask"), QStringLiteral("--help")}, {}, false, true);
        QCOMPARE(askHelp.exitCode, 0);
        QVERIFY(askHelp.out.contains("--no-stream"));
    }

    void streamsTheAnswerAndPrintsUsage()
    {
        Behaviour slow;
        slow.outputText = "Streaming answers arrive in pieces, naïve café 🙂.";
        slow.maxChunk = 7;
        m_server.enqueue(slow);
        const CliRun r = run(base() << QStringLiteral("Say something"));
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(r.out, QByteArray("Streaming answers arrive in pieces, naïve café 🙂.\n"));
        QVERIFY2(r.err.contains(" in (") && r.err.contains(" out ("), r.err.constData());
        QVERIFY2(r.err.contains("req_"), r.err.constData());

        QCOMPARE(m_server.requests().size(), 1);
        const auto &request = m_server.requests().first();
        QCOMPARE(request.path, QByteArray("/v1/responses"));
        QCOMPARE(request.header("authorization"), QByteArray("Bearer ") + kFakeKey);
        const auto body = request.json();
        QCOMPARE(body.at("stream").get<bool>(), true);
        QCOMPARE(body.at("model").get<std::string>(), "gpt-test");
        // The key never reaches what the user sees.
        QVERIFY(!r.out.contains(kFakeKey));
        QVERIFY(!r.err.contains(kFakeKey));
    }

    void chatWithParamsAndStdinPrompt()
    {
        const CliRun r = run(base() << QStringLiteral("--api") << QStringLiteral("chat") << QStringLiteral("--param")
                                    << QStringLiteral("temperature=0.2") << QStringLiteral("--param")
                                    << QStringLiteral("seed=7") << QStringLiteral("--param")
                                    << QStringLiteral("metadata.team=evals") << QStringLiteral("--instructions")
                                    << QStringLiteral("Be brief.") << QStringLiteral("-"),
                             "prompt from stdin\n");
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(!r.out.trimmed().isEmpty());
        QCOMPARE(m_server.requests().size(), 1);
        const auto &request = m_server.requests().first();
        QCOMPARE(request.path, QByteArray("/v1/chat/completions"));
        const auto body = request.json();
        QCOMPARE(body.at("temperature").get<double>(), 0.2);
        QCOMPARE(body.at("seed").get<int>(), 7);
        QCOMPARE(body.at("metadata").at("team").get<std::string>(), "evals");
        QCOMPARE(body.at("messages").at(0).at("role").get<std::string>(), "developer");
        QCOMPARE(body.at("messages").at(1).at("content").get<std::string>(), "prompt from stdin\n");
    }

    void noStreamPrintsTheWholeAnswer()
    {
        const CliRun r = run(base() << QStringLiteral("--no-stream") << QStringLiteral("hello"));
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(!r.out.trimmed().isEmpty());
        QCOMPARE(m_server.requests().first().json().value("stream", false), false);
    }

    void apiErrorExitsNonZeroWithTheMessage()
    {
        m_server.enqueue(Behaviour::unauthorized());
        const CliRun r = run(base() << QStringLiteral("hello"));
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.out.isEmpty());
        QVERIFY2(r.err.contains("401"), r.err.constData());
        QVERIFY2(r.err.contains("Incorrect API key"), r.err.constData());
        QCOMPARE(m_server.requests().size(), 1); // 401 is not retried
    }

    void missingKeyForOpenAiIsAClearError()
    {
        const CliRun r = run({QStringLiteral("ask"), QStringLiteral("hello")}, {}, false);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("OPENAI_API_KEY"), r.err.constData());
        QVERIFY(m_server.requests().isEmpty());
    }

    void badParamIsAUsageError()
    {
        const CliRun r = run(base() << QStringLiteral("--param") << QStringLiteral("temperature=hot")
                                    << QStringLiteral("hi"));
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("temperature"), r.err.constData());
        QVERIFY(m_server.requests().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestCliAsk)
#include "tst_cli_ask.moc"
