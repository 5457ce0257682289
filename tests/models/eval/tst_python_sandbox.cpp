#include <QSignalSpy>
#include <QTcpServer>
#include <QtTest>

#include <memory>

#include "models/eval/python_sandbox.h"

using namespace assay::eval;

namespace {

const QString kPython = QStringLiteral("/usr/bin/python3");

// Writes its pid and a child's pid, then sleeps far beyond any test's patience.
const std::string kSleeperSource = "import os, subprocess, time\n"
                                   "def grade(sample, item):\n"
                                   "    child = subprocess.Popen(['sleep', '600'])\n"
                                   "    with open(item['pidfile'], 'w') as f:\n"
                                   "        f.write('%d %d' % (os.getpid(), child.pid))\n"
                                   "    time.sleep(600)\n"
                                   "    return 1.0\n";

QList<qint64> readPids(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QList<qint64> pids;
    const QList<QByteArray> parts = file.readAll().trimmed().split(' ');
    for (const QByteArray &part : parts) {
        bool ok = false;
        const qint64 pid = part.toLongLong(&ok);
        if (ok && pid > 0)
            pids.append(pid);
    }
    return pids;
}

// A zombie left for an init that does not reap (containers) counts as gone.
bool isAlive(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return false;
    const QByteArray text = stat.readAll();
    const qsizetype close = text.lastIndexOf(')');
    return close >= 0 && close + 2 < text.size() && text.at(close + 2) != 'Z';
}

struct Captured {
    int calls = 0;
    PythonOutcome outcome;
};

} // namespace

class TestPythonSandbox : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void returnsTheScoreFromSampleAndItem();
    void integerScoreIsAccepted();
    void nonFloatResultsAreInvalid_data();
    void nonFloatResultsAreInvalid();
    void exceptionIsInvalidWithTypeMessageAndLine();
    void syntaxErrorIsInvalid();
    void missingGradeIsInvalid();
    void wrongArityIsInvalid_data();
    void wrongArityIsInvalid();
    void exitingEarlyIsInvalid_data();
    void exitingEarlyIsInvalid();
    void printsDoNotBreakTheResult();
    void floodOfOutputIsCappedAndBytesStayValid();
    void largeItemIsPassedWhole();
    void parentEnvironmentIsNotVisible();
    void runsInAFreshEmptyDirectory();
    void networkIsBlockedWhenIsolationIsAvailable();
    void timeoutKillsAndIsInvalid();
    void timeoutAlsoKillsSpawnedProcesses();
    void memoryLimitIsInvalid();
    void cancelAllReportsCancelledOnce();
    void manyRunsAtOnceKeepTheirOwnResults();
    void missingPythonIsAnErrorReportedLater();
    void destroyingTheSandboxKillsRuns();

private:
    std::shared_ptr<Captured> start(PythonSandbox &sandbox, const std::string &source,
                                    const nlohmann::json &sample = nlohmann::json::object(),
                                    const nlohmann::json &item = nlohmann::json::object());
    PythonOutcome runToEnd(const std::string &source, const nlohmann::json &sample = nlohmann::json::object(),
                           const nlohmann::json &item = nlohmann::json::object());
};

void TestPythonSandbox::init()
{
    if (!QFileInfo::exists(kPython))
        QSKIP("/usr/bin/python3 is not installed");
}

std::shared_ptr<Captured> TestPythonSandbox::start(PythonSandbox &sandbox, const std::string &source,
                                                   const nlohmann::json &sample, const nlohmann::json &item)
{
    auto captured = std::make_shared<Captured>();
    sandbox.run(source, sample, item, [captured](const PythonOutcome &outcome) {
        ++captured->calls;
        captured->outcome = outcome;
    });
    return captured;
}

PythonOutcome TestPythonSandbox::runToEnd(const std::string &source, const nlohmann::json &sample,
                                          const nlohmann::json &item)
{
    PythonSandbox sandbox;
    sandbox.setPythonExecutable(kPython);
    auto captured = start(sandbox, source, sample, item);
    [&] { QTRY_COMPARE_WITH_TIMEOUT(captured->calls, 1, 30000); }();
    return captured->outcome;
}

void TestPythonSandbox::returnsTheScoreFromSampleAndItem()
{
    const PythonOutcome outcome =
        runToEnd("def grade(sample, item):\n"
                 "    return item['weight'] * len(sample['output_text'])\n",
                 {{"output_text", "héllo"}}, {{"weight", 0.125}});
    QCOMPARE(outcome.error, std::string());
    QCOMPARE(outcome.invalidReason, std::string());
    QVERIFY(outcome.score);
    QCOMPARE(*outcome.score, 0.625); // five characters, not six bytes
}

void TestPythonSandbox::integerScoreIsAccepted()
{
    const PythonOutcome outcome = runToEnd("def grade(sample, item):\n    return 1\n");
    QVERIFY2(outcome.score, outcome.invalidReason.c_str());
    QCOMPARE(*outcome.score, 1.0);
}

void TestPythonSandbox::nonFloatResultsAreInvalid_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<QString>("reasonPart");
    QTest::newRow("string") << QStringLiteral("'0.5'") << QStringLiteral("grade returned str '0.5', expected a float");
    QTest::newRow("bool") << QStringLiteral("True") << QStringLiteral("grade returned bool True");
    QTest::newRow("none") << QStringLiteral("None") << QStringLiteral("grade returned NoneType None");
    QTest::newRow("list") << QStringLiteral("[1.0]") << QStringLiteral("grade returned list [1.0]");
    QTest::newRow("nan") << QStringLiteral("float('nan')") << QStringLiteral("grade returned nan, expected a finite float");
    QTest::newRow("inf") << QStringLiteral("float('inf')") << QStringLiteral("grade returned inf, expected a finite float");
    QTest::newRow("complex") << QStringLiteral("1j") << QStringLiteral("grade returned complex 1j");
}

void TestPythonSandbox::nonFloatResultsAreInvalid()
{
    QFETCH(QString, expression);
    QFETCH(QString, reasonPart);
    const PythonOutcome outcome = runToEnd("def grade(sample, item):\n    return " + expression.toStdString() + "\n");
    QCOMPARE(outcome.error, std::string());
    QVERIFY(!outcome.score);
    QVERIFY2(QString::fromStdString(outcome.invalidReason).contains(reasonPart), outcome.invalidReason.c_str());
}

void TestPythonSandbox::exceptionIsInvalidWithTypeMessageAndLine()
{
    const PythonOutcome outcome = runToEnd("def helper(item):\n"
                                           "    raise ValueError('no reference for ' + item['id'])\n"
                                           "\n"
                                           "def grade(sample, item):\n"
                                           "    return helper(item)\n",
                                           {}, {{"id", "row-7"}});
    QVERIFY(!outcome.score);
    const QString reason = QString::fromStdString(outcome.invalidReason);
    QVERIFY2(reason.startsWith(QStringLiteral("grade raised ValueError: no reference for row-7")), qPrintable(reason));
    QVERIFY2(reason.contains(QStringLiteral("grader.py\", line 2")), qPrintable(reason));
    QVERIFY2(!reason.contains(QStringLiteral("_host")), qPrintable(reason)); // the host's own frames are not shown
}

void TestPythonSandbox::syntaxErrorIsInvalid()
{
    const PythonOutcome outcome = runToEnd("def grade(sample, item)\n    return 1.0\n");
    QVERIFY(!outcome.score);
    QVERIFY2(QString::fromStdString(outcome.invalidReason).startsWith(QStringLiteral("the source failed to load: ")),
             outcome.invalidReason.c_str());
    QVERIFY2(QString::fromStdString(outcome.invalidReason).contains(QStringLiteral("SyntaxError")), outcome.invalidReason.c_str());
}

void TestPythonSandbox::missingGradeIsInvalid()
{
    const PythonOutcome outcome = runToEnd("def score(sample, item):\n    return 1.0\n");
    QVERIFY(!outcome.score);
    QCOMPARE(outcome.invalidReason, std::string("the source defines no grade function"));

    const PythonOutcome notCallable = runToEnd("grade = 1.0\n");
    QVERIFY(!notCallable.score);
    QCOMPARE(notCallable.invalidReason, std::string("grade is a float, not a function"));
}

void TestPythonSandbox::wrongArityIsInvalid_data()
{
    QTest::addColumn<QString>("signature");
    QTest::newRow("one") << QStringLiteral("sample");
    QTest::newRow("three") << QStringLiteral("sample, item, extra=None");
    QTest::newRow("varargs") << QStringLiteral("*args");
    QTest::newRow("keyword only") << QStringLiteral("sample, *, item");
}

void TestPythonSandbox::wrongArityIsInvalid()
{
    QFETCH(QString, signature);
    const PythonOutcome outcome = runToEnd("def grade(" + signature.toStdString() + "):\n    return 1.0\n");
    QVERIFY(!outcome.score);
    QVERIFY2(QString::fromStdString(outcome.invalidReason)
                 .startsWith(QStringLiteral("grade must take exactly two arguments (sample, item); its signature is grade(")),
             outcome.invalidReason.c_str());
}

void TestPythonSandbox::exitingEarlyIsInvalid_data()
{
    QTest::addColumn<QString>("body");
    QTest::addColumn<QString>("reasonPart");
    QTest::newRow("sys.exit") << QStringLiteral("import sys; sys.exit(3)") << QStringLiteral("grade raised SystemExit: 3");
    QTest::newRow("os._exit") << QStringLiteral("import os; os._exit(0)")
                              << QStringLiteral("python exited with code 0 before returning a result");
    QTest::newRow("killed") << QStringLiteral("import os, signal; os.kill(os.getpid(), signal.SIGKILL)")
                            << QStringLiteral("python was killed before returning a result");
}

void TestPythonSandbox::exitingEarlyIsInvalid()
{
    QFETCH(QString, body);
    QFETCH(QString, reasonPart);
    const PythonOutcome outcome = runToEnd("def grade(sample, item):\n    " + body.toStdString() + "\n    return 1.0\n");
    QCOMPARE(outcome.error, std::string());
    QVERIFY(!outcome.score);
    QVERIFY2(QString::fromStdString(outcome.invalidReason).contains(reasonPart), outcome.invalidReason.c_str());
}

void TestPythonSandbox::printsDoNotBreakTheResult()
{
    const PythonOutcome outcome = runToEnd("import sys, os\n"
                                           "print('loading')\n"
                                           "def grade(sample, item):\n"
                                           "    print('{\"score\": 1.0}')\n"
                                           "    print('partial line, no newline', end='')\n"
                                           "    sys.stderr.write('a warning\\n')\n"
                                           "    os.write(1, b'raw bytes\\n')\n"
                                           "    sys.stdout = open(os.devnull, 'w')\n"
                                           "    return 0.25\n");
    QVERIFY2(outcome.score, outcome.invalidReason.c_str());
    QCOMPARE(*outcome.score, 0.25);
    const QString out = QString::fromStdString(outcome.stdoutText);
    QVERIFY2(out.contains(QStringLiteral("loading")), qPrintable(out));
    QVERIFY2(out.contains(QStringLiteral("partial line, no newline")), qPrintable(out));
    QVERIFY2(out.contains(QStringLiteral("raw bytes")), qPrintable(out));
    QVERIFY2(!out.contains(QStringLiteral("@@assay")), qPrintable(out)); // the result line is not the grader's output
    QCOMPARE(outcome.stderrText, std::string("a warning\n"));
}

void TestPythonSandbox::floodOfOutputIsCappedAndBytesStayValid()
{
    const PythonOutcome outcome = runToEnd("import os, sys\n"
                                           "def grade(sample, item):\n"
                                           "    os.write(1, b'bad bytes \\xff\\xfe end\\n')\n"
                                           "    for i in range(20000):\n"
                                           "        print('x' * 1000)\n"
                                           "        sys.stderr.write('y' * 1000 + '\\n')\n"
                                           "    print('last words')\n"
                                           "    return 0.5\n");
    QVERIFY2(outcome.score, outcome.invalidReason.c_str());
    QCOMPARE(*outcome.score, 0.5);
    QVERIFY(outcome.stdoutText.size() < 1024 * 1024);
    QVERIFY(outcome.stderrText.size() < 1024 * 1024);
    const QString out = QString::fromStdString(outcome.stdoutText);
    QVERIFY(out.startsWith(QStringLiteral("bad bytes \uFFFD\uFFFD end\n")));
    QVERIFY(out.contains(QStringLiteral("[... output truncated ...]")));
    QVERIFY(out.endsWith(QStringLiteral("last words\n")));
    // Ends up in JSON (the grader's sample) without throwing.
    const std::string dumped = nlohmann::json{{"stdout", outcome.stdoutText}, {"stderr", outcome.stderrText}}.dump();
    QVERIFY(dumped.size() > 100000);
}

void TestPythonSandbox::largeItemIsPassedWhole()
{
    const std::string text(8 * 1024 * 1024, 'a');
    const PythonOutcome outcome = runToEnd("def grade(sample, item):\n"
                                           "    return len(item['text']) / 1048576 + len(sample['output_text'])\n",
                                           {{"output_text", "ok"}}, {{"text", text}});
    QVERIFY2(outcome.score, outcome.invalidReason.c_str());
    QCOMPARE(*outcome.score, 10.0);
}

void TestPythonSandbox::parentEnvironmentIsNotVisible()
{
    const QByteArray previousKey = qgetenv("OPENAI_API_KEY");
    const QByteArray previousSecret = qgetenv("ASSAY_TEST_SECRET");
    qputenv("OPENAI_API_KEY", "sk-test-not-real");
    qputenv("ASSAY_TEST_SECRET", "sk-test-not-real");
    const PythonOutcome outcome = runToEnd("import os\n"
                                           "def grade(sample, item):\n"
                                           "    if 'OPENAI_API_KEY' in os.environ or 'ASSAY_TEST_SECRET' in os.environ:\n"
                                           "        return 1.0\n"
                                           "    if any('sk-test-not-real' in v for v in os.environ.values()):\n"
                                           "        return 1.0\n"
                                           "    print(sorted(os.environ))\n"
                                           "    return 0.0\n");
    qputenv("OPENAI_API_KEY", previousKey);
    qputenv("ASSAY_TEST_SECRET", previousSecret);
    QVERIFY2(outcome.score, outcome.invalidReason.c_str());
    QCOMPARE(*outcome.score, 0.0);
    // The environment left is the documented one.
    QVERIFY2(QString::fromStdString(outcome.stdoutText).contains(QStringLiteral("'HOME'")), outcome.stdoutText.c_str());
    QVERIFY2(QString::fromStdString(outcome.stdoutText).contains(QStringLiteral("'PATH'")), outcome.stdoutText.c_str());
}

void TestPythonSandbox::runsInAFreshEmptyDirectory()
{
    const std::string source = "import os\n"
                               "def grade(sample, item):\n"
                               "    fresh = os.listdir('.') == [] and os.environ['HOME'] == os.getcwd()\n"
                               "    open('left-behind.txt', 'w').write('x')\n"
                               "    return 1.0 if fresh else 0.0\n";
    const PythonOutcome first = runToEnd(source);
    QVERIFY2(first.score, first.invalidReason.c_str());
    QCOMPARE(*first.score, 1.0);
    const PythonOutcome second = runToEnd(source); // does not see the first run's file
    QVERIFY2(second.score, second.invalidReason.c_str());
    QCOMPARE(*second.score, 1.0);
}

void TestPythonSandbox::networkIsBlockedWhenIsolationIsAvailable()
{
    PythonSandbox sandbox;
    if (!sandbox.networkIsolationAvailable())
        QSKIP("unprivileged network namespaces are not available here");
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost));
    QSignalSpy connections(&server, &QTcpServer::newConnection);

    sandbox.setPythonExecutable(kPython);
    const std::string source = "import socket\n"
                               "def grade(sample, item):\n"
                               "    try:\n"
                               "        socket.create_connection(('127.0.0.1', item['port']), timeout=5).close()\n"
                               "        return 1.0\n"
                               "    except OSError as error:\n"
                               "        print(error)\n"
                               "        return 0.0\n";
    auto captured = start(sandbox, source, nlohmann::json::object(), {{"port", server.serverPort()}});
    QTRY_COMPARE_WITH_TIMEOUT(captured->calls, 1, 30000);
    QVERIFY2(captured->outcome.score, captured->outcome.invalidReason.c_str());
    QCOMPARE(*captured->outcome.score, 0.0);
    QCoreApplication::processEvents();
    QCOMPARE(connections.count(), 0);
    QVERIFY(!server.hasPendingConnections());

    // The same grader without the sandbox's namespace does reach the server, so the check above
    // is not vacuous.
    QProcess plain;
    plain.start(kPython, {QStringLiteral("-c"),
                          QStringLiteral("import socket; socket.create_connection(('127.0.0.1', %1), timeout=5).close()")
                              .arg(server.serverPort())});
    QTRY_VERIFY_WITH_TIMEOUT(connections.count() > 0 || server.hasPendingConnections(), 30000);
    QTRY_COMPARE_WITH_TIMEOUT(plain.state(), QProcess::NotRunning, 30000);
    QCOMPARE(plain.exitCode(), 0);
}

void TestPythonSandbox::timeoutKillsAndIsInvalid()
{
    PythonSandbox sandbox;
    sandbox.setPythonExecutable(kPython);
    sandbox.setTimeoutMs(1000);
    auto captured = start(sandbox, "def grade(sample, item):\n    while True:\n        pass\n");
    QTRY_COMPARE_WITH_TIMEOUT(captured->calls, 1, 30000);
    QVERIFY(!captured->outcome.score);
    QCOMPARE(captured->outcome.error, std::string());
    QCOMPARE(captured->outcome.invalidReason, std::string("timed out after 1 s"));
    QCOMPARE(sandbox.runningCount(), 0);
}

void TestPythonSandbox::timeoutAlsoKillsSpawnedProcesses()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString pidFile = dir.filePath(QStringLiteral("pids"));
    PythonSandbox sandbox;
    sandbox.setPythonExecutable(kPython);
    sandbox.setTimeoutMs(3000);
    auto captured = start(sandbox, kSleeperSource, nlohmann::json::object(), {{"pidfile", pidFile.toStdString()}});
    QTRY_COMPARE_WITH_TIMEOUT(captured->calls, 1, 30000);
    QCOMPARE(captured->outcome.invalidReason, std::string("timed out after 3 s"));
    const QList<qint64> pids = readPids(pidFile);
    QCOMPARE(pids.size(), 2);
    QTRY_VERIFY_WITH_TIMEOUT(!isAlive(pids[0]) && !isAlive(pids[1]), 30000);
}

void TestPythonSandbox::memoryLimitIsInvalid()
{
    PythonSandbox sandbox;
    sandbox.setPythonExecutable(kPython);
    sandbox.setMemoryLimitBytes(200LL * 1024 * 1024);
    auto captured = start(sandbox, "def grade(sample, item):\n"
                                   "    data = bytearray(500 * 1024 * 1024)\n"
                                   "    return 1.0\n");
    QTRY_COMPARE_WITH_TIMEOUT(captured->calls, 1, 30000);
    QVERIFY(!captured->outcome.score);
    QVERIFY2(QString::fromStdString(captured->outcome.invalidReason).startsWith(QStringLiteral("grade raised MemoryError")),
             captured->outcome.invalidReason.c_str());

    // The same allocation within the limit succeeds: the limit, not the machine, stopped it.
    PythonSandbox roomy;
    roomy.setPythonExecutable(kPython);
    roomy.setMemoryLimitBytes(2LL * 1024 * 1024 * 1024);
    auto fits = start(roomy, "def grade(sample, item):\n"
                             "    data = bytearray(500 * 1024 * 1024)\n"
                             "    return 1.0\n");
    QTRY_COMPARE_WITH_TIMEOUT(fits->calls, 1, 30000);
    QVERIFY2(fits->outcome.score, fits->outcome.invalidReason.c_str());
}

void TestPythonSandbox::cancelAllReportsCancelledOnce()
{
    PythonSandbox sandbox;
    sandbox.setPythonExecutable(kPython);
    std::vector<std::shared_ptr<Captured>> runs;
    for (int i = 0; i < 3; ++i)
        runs.push_back(start(sandbox, "import time\ndef grade(sample, item):\n    time.sleep(60)\n    return 1.0\n"));
    QCOMPARE(sandbox.runningCount(), 3);
    sandbox.cancelAll();
    QCOMPARE(sandbox.runningCount(), 0);
    for (const auto &run : runs) {
        QCOMPARE(run->calls, 1);
        QCOMPARE(run->outcome.error, std::string("cancelled"));
        QVERIFY(!run->outcome.score);
    }
    // Nothing arrives later from the killed processes.
    auto after = start(sandbox, "def grade(sample, item):\n    return 0.5\n");
    QTRY_COMPARE_WITH_TIMEOUT(after->calls, 1, 30000);
    QCOMPARE(*after->outcome.score, 0.5);
    for (const auto &run : runs)
        QCOMPARE(run->calls, 1);
}

void TestPythonSandbox::manyRunsAtOnceKeepTheirOwnResults()
{
    PythonSandbox sandbox;
    sandbox.setPythonExecutable(kPython);
    std::vector<std::shared_ptr<Captured>> runs;
    for (int i = 0; i < 8; ++i)
        runs.push_back(start(sandbox, "def grade(sample, item):\n    return item['i'] / 10\n", nlohmann::json::object(),
                             {{"i", i}}));
    QCOMPARE(sandbox.runningCount(), 8);
    for (int i = 0; i < 8; ++i) {
        QTRY_COMPARE_WITH_TIMEOUT(runs[static_cast<std::size_t>(i)]->calls, 1, 60000);
        const PythonOutcome &outcome = runs[static_cast<std::size_t>(i)]->outcome;
        QVERIFY2(outcome.score, outcome.invalidReason.c_str());
        QCOMPARE(*outcome.score, i / 10.0);
    }
}

void TestPythonSandbox::missingPythonIsAnErrorReportedLater()
{
    PythonSandbox sandbox;
    sandbox.setPythonExecutable(QStringLiteral("/nonexistent/python3"));
    auto absent = start(sandbox, "def grade(sample, item):\n    return 1.0\n");
    QCOMPARE(absent->calls, 0); // never from inside run()
    QTRY_COMPARE_WITH_TIMEOUT(absent->calls, 1, 30000);
    QCOMPARE(absent->outcome.error, std::string("python grader: '/nonexistent/python3' is not an executable file"));
    QVERIFY(!absent->outcome.score);

    sandbox.setPythonExecutable(QStringLiteral("assay-no-such-python"));
    auto notOnPath = start(sandbox, "def grade(sample, item):\n    return 1.0\n");
    QCOMPARE(notOnPath->calls, 0);
    QTRY_COMPARE_WITH_TIMEOUT(notOnPath->calls, 1, 30000);
    QCOMPARE(notOnPath->outcome.error, std::string("python grader: 'assay-no-such-python' was not found on PATH"));
}

void TestPythonSandbox::destroyingTheSandboxKillsRuns()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString pidFile = dir.filePath(QStringLiteral("pids"));
    auto sandbox = std::make_unique<PythonSandbox>();
    sandbox->setPythonExecutable(kPython);
    auto captured = start(*sandbox, kSleeperSource, nlohmann::json::object(), {{"pidfile", pidFile.toStdString()}});
    QList<qint64> pids;
    QTRY_VERIFY_WITH_TIMEOUT((pids = readPids(pidFile)).size() == 2, 30000);
    QVERIFY(isAlive(pids[0]));
    sandbox.reset();
    QCOMPARE(captured->calls, 0);
    // The grader and the process it spawned are both gone.
    QTRY_VERIFY_WITH_TIMEOUT(!isAlive(pids[0]) && !isAlive(pids[1]), 30000);
}

QTEST_GUILESS_MAIN(TestPythonSandbox)
#include "tst_python_sandbox.moc"
