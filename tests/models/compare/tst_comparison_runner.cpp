#include <cctype>

#include <QElapsedTimer>
#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest/QTest>

#include "compare_fixture.h"
#include "fakes/fake_openai_server.h"
#include "models/api/api_client.h"
#include "models/compare/comparison_document.h"
#include "models/compare/comparison_runner.h"
#include "models/compare/comparison_store.h"
#include "models/store/workspace.h"
#include "models/compare/comparison_summary.h"

using namespace assay;
using namespace assay::compare;
using assay::testing::Behaviour;
using assay::testing::FakeOpenAiServer;
using json = nlohmann::json;

namespace {

constexpr int kWaitMs = 30000;

// The topic a request asked about ("topic-3"), from either API's body.
std::string topicOf(const json &request)
{
    const std::string text = request.dump();
    const auto at = text.find("topic-");
    if (at == std::string::npos)
        return {};
    auto end = at + 6;
    while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end])))
        ++end;
    return text.substr(at, end - at);
}

int countStatus(const Comparison &c, CellStatus status)
{
    int n = 0;
    for (int r = 0; r < c.rowCount(); ++r)
        for (int v = 0; v < c.variantCount(); ++v)
            for (const CellRun &run : c.cell(r, v).runs)
                n += run.status == status ? 1 : 0;
    return n;
}

} // namespace

class TestComparisonRunner : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void runsEveryCellWithItsOwnModelAndInputs();
    void respectsTheConcurrencyLimit();
    void concurrencyAboveSixReachesTheServer();
    void aFailingCellLeavesTheOthersDone();
    void unbuildableRequestFailsOnlyItsCell();
    void stopAllEndsEveryCellAndKeepsPartialText();
    void stopColumnLeavesOtherColumnsRunning();
    void coalescesDeltasIntoFewCellUpdates();
    void gradersScoreFinishedCells();
    void repeatsGroupDistinctAnswers();
    void removingARowWhileRunningIsSafe();
    void transientErrorsAreRetriedByTheClient();
    void savedComparisonNeverHoldsTheKey();

private:
    void startRunner(ComparisonRunner &runner);

    std::unique_ptr<FakeOpenAiServer> m_server;
    std::unique_ptr<api::ApiClient> m_client;
    int m_answerCounter = 0;
};

void TestComparisonRunner::init()
{
    m_server = std::make_unique<FakeOpenAiServer>();
    QVERIFY(m_server->start());
    m_answerCounter = 0;
    // "<model> says <topic>": each cell's answer names what it was asked, so a mixed-up cell shows.
    m_server->setOutputTextProvider([](const json &request) -> QByteArray {
        return QByteArray::fromStdString(request.value("model", std::string()) + " says " + topicOf(request));
    });
    m_client = std::make_unique<api::ApiClient>();
    m_client->setRetryPolicy(testing::fastRetries(0));
}

void TestComparisonRunner::cleanup()
{
    m_client.reset();
    m_server.reset();
}

void TestComparisonRunner::startRunner(ComparisonRunner &runner)
{
    runner.setProfile(testing::fakeProfile(m_server->baseUrl()), QStringLiteral("dummy-test-key"));
}

void TestComparisonRunner::runsEveryCellWithItsOwnModelAndInputs()
{
    ComparisonDocument document;
    document.setComparison(testing::makeComparison(3));
    ComparisonRunner runner(&document, m_client.get());
    startRunner(runner);
    QSignalSpy running(&runner, &ComparisonRunner::runningChanged);
    runner.runAll();
    QVERIFY(runner.isRunning());
    QTRY_VERIFY_WITH_TIMEOUT(!runner.isRunning(), kWaitMs);
    QCOMPARE(running.count(), 2);

    const Comparison &c = document.comparison();
    QCOMPARE(countStatus(c, CellStatus::Done), 6);
    for (int r = 0; r < 3; ++r) {
        QCOMPARE(c.cell(r, 0).primary().text, QStringLiteral("gpt-4.1-mini says topic-%1").arg(r));
        QCOMPARE(c.cell(r, 1).primary().text, QStringLiteral("gpt-4.1 says topic-%1").arg(r));
        for (int v = 0; v < 2; ++v) {
            const CellRun &run = c.cell(r, v).primary();
            QVERIFY(run.usage.has_value());
            QVERIFY(run.usage->outputTokens > 0);
            QVERIFY(run.latencyMs.has_value());
            QVERIFY(run.ttftMs.has_value());
            QVERIFY2(run.costUsd.has_value(), "gpt-4.1 models are in the built-in pricing table");
            QVERIFY(!run.requestId.isEmpty());
        }
    }
    // Each variant went to its own API.
    int chat = 0, responses = 0;
    for (const auto &request : m_server->requests()) {
        chat += request.path.endsWith("/chat/completions") ? 1 : 0;
        responses += request.path.endsWith("/responses") ? 1 : 0;
    }
    QCOMPARE(chat, 3);
    QCOMPARE(responses, 3);
    QCOMPARE(runner.finishedCount(), 6);
    QCOMPARE(runner.totalCount(), 6);
}

void TestComparisonRunner::respectsTheConcurrencyLimit()
{
    m_server->setDefaultResponseDelayMs(40);
    ComparisonDocument document;
    document.setComparison(testing::makeComparison(6));
    ComparisonRunner runner(&document, m_client.get());
    startRunner(runner);
    runner.setMaxConcurrent(3);
    runner.runAll();
    QVERIFY(runner.activeCount() <= 3);
    QCOMPARE(runner.activeCount() + runner.queuedCount(), 12);
    QTRY_VERIFY_WITH_TIMEOUT(!runner.isRunning(), kWaitMs);
    QCOMPARE(countStatus(document.comparison(), CellStatus::Done), 12);
    QVERIFY2(m_server->maxActiveRequests() <= 3, qPrintable(QString::number(m_server->maxActiveRequests())));
    QVERIFY2(m_server->maxActiveRequests() >= 2, "requests should overlap up to the limit");
}

void TestComparisonRunner::concurrencyAboveSixReachesTheServer()
{
    // Qt 6.4 queues a seventh request to one host inside one network manager: the runner must
    // spread them so that 8 really are in flight at the server.
    m_server->setDefaultResponseDelayMs(300);
    ComparisonDocument document;
    document.setComparison(testing::makeComparison(8)); // 8 rows x 2 variants
    ComparisonRunner runner(&document, m_client.get());
    startRunner(runner);
    runner.setMaxConcurrent(8);
    runner.runAll();
    QTRY_VERIFY_WITH_TIMEOUT(!runner.isRunning(), kWaitMs);
    QCOMPARE(countStatus(document.comparison(), CellStatus::Done), 16);
    QVERIFY2(m_server->maxActiveRequests() <= 8, qPrintable(QString::number(m_server->maxActiveRequests())));
    QVERIFY2(m_server->maxActiveRequests() > 6, qPrintable(QString::number(m_server->maxActiveRequests())));
}

void TestComparisonRunner::aFailingCellLeavesTheOthersDone()
{
    // One request at a time makes the first request, cell (0, A), the one that gets the 500.
    m_server->enqueue(Behaviour::serverError(500));
    ComparisonDocument document;
    document.setComparison(testing::makeComparison(3));
    ComparisonRunner runner(&document, m_client.get());
    startRunner(runner);
    runner.setMaxConcurrent(1);
    runner.runAll();
    QTRY_VERIFY_WITH_TIMEOUT(!runner.isRunning(), kWaitMs);
    const Comparison &c = document.comparison();
    QCOMPARE(c.cell(0, 0).status(), CellStatus::Error);
    QVERIFY2(c.cell(0, 0).primary().error.contains(QStringLiteral("500")), qPrintable(c.cell(0, 0).primary().error));
    QCOMPARE(countStatus(c, CellStatus::Done), 5);
    QCOMPARE(summarizeColumn(c, 0).errors, 1);
    QCOMPARE(summarizeColumn(c, 0).runs, 2);

    // Running the failed cell again succeeds and touches nothing else.
    const QString other = c.cell(1, 1).primary().responseId;
    runner.runCell(0, 0);
    QTRY_VERIFY_WITH_TIMEOUT(!runner.isRunning(), kWaitMs);
    QCOMPARE(c.cell(0, 0).status(), CellStatus::Done);
    QVERIFY(c.cell(0, 0).primary().error.isEmpty());
    QCOMPARE(c.cell(1, 1).primary().responseId, other);
}

void TestComparisonRunner::unbuildableRequestFailsOnlyItsCell()
{
    ComparisonDocument document;
    Comparison c = testing::makeComparison(2);
    ComparisonVariant broken = c.variant(1);
    broken.parameters.model.clear(); // the builder refuses a request without a model
    c.setVariant(1, broken);
    document.setComparison(c);
    ComparisonRunner runner(&document, m_client.get());
    startRunner(runner);
    QSignalSpy failed(&runner, &ComparisonRunner::cellFailed);
    runner.runAll();
    QTRY_VERIFY_WITH_TIMEOUT(!runner.isRunning(), kWaitMs);
    QCOMPARE(failed.count(), 2);
    QCOMPARE(document.comparison().cell(0, 1).status(), CellStatus::Error);
    QVERIFY(!document.comparison().cell(0, 1).primary().error.isEmpty());
    QCOMPARE(document.comparison().cell(0, 0).status(), CellStatus::Done);
    QCOMPARE(document.comparison().cell(1, 0).status(), CellStatus::Done);
    QCOMPARE(m_server->requests().size(), 2);
}

void TestComparisonRunner::stopAllEndsEveryCellAndKeepsPartialText()
{
    ComparisonDocument document;
    document.setComparison(testing::makeComparison(4));
    ComparisonRunner runner(&document, m_client.get());
    startRunner(runner);
    runner.setMaxConcurrent(2);
    // The first two requests stream slowly: many deltas, a pause between each.
    for (int i = 0; i < 2; ++i) {
        Behaviour slow;
        slow.outputText = QByteArray("one two three four five six seven eight nine ten eleven twelve");
        slow.chunkDelayMs = 200;
        m_server->enqueue(slow);
    }
    runner.runAll();
    // Wait until some text has arrived in a streaming cell.
    QTRY_VERIFY_WITH_TIMEOUT(!document.comparison().cell(0, 0).primary().text.isEmpty(), kWaitMs);
    runner.stopAll();
    QVERIFY(!runner.isRunning());
    const Comparison &c = document.comparison();
    QCOMPARE(countStatus(c, CellStatus::Queued), 0);
    QCOMPARE(countStatus(c, CellStatus::Streaming), 0);
    QCOMPARE(countStatus(c, CellStatus::Stopped), 8);
    const QString partial = c.cell(0, 0).primary().text;
    QVERIFY(QStringLiteral("one two three four five six seven eight nine ten eleven twelve").startsWith(partial));
    QVERIFY(partial.size() < 60);
    QTRY_COMPARE_WITH_TIMEOUT(m_server->activeRequests(), 0, kWaitMs);
    QCOMPARE(m_server->requests().size(), 2); // queued cells never went out
}

void TestComparisonRunner::stopColumnLeavesOtherColumnsRunning()
{
    m_server->setDefaultResponseDelayMs(30);
    ComparisonDocument document;
    document.setComparison(testing::makeComparison(4));
    ComparisonRunner runner(&document, m_client.get());
    startRunner(runner);
    runner.setMaxConcurrent(2);
    runner.runAll();
    runner.stopColumn(1);
    QTRY_VERIFY_WITH_TIMEOUT(!runner.isRunning(), kWaitMs);
    const Comparison &c = document.comparison();
    for (int r = 0; r < 4; ++r) {
        QCOMPARE(c.cell(r, 0).status(), CellStatus::Done);
        QCOMPARE(c.cell(r, 1).status(), CellStatus::Stopped);
    }
}

void TestComparisonRunner::coalescesDeltasIntoFewCellUpdates()
{
    ComparisonDocument document;
    document.setComparison(testing::makeComparison(1));
    ComparisonRunner runner(&document, m_client.get());
    startRunner(runner);
    constexpr int kDeltas = 400;
    QByteArray text;
    for (int i = 0; i < kDeltas; ++i)
        text += "w" + QByteArray::number(i) + ' ';
    for (int i = 0; i < 2; ++i) {
        Behaviour fast;
        fast.outputText = text.trimmed();
        fast.deltaCount = kDeltas;
        fast.chunkDelayMs = 1;
        m_server->enqueue(fast);
    }
    int updates = 0;
    connect(&document, &ComparisonDocument::cellChanged, this, [&updates](int row, int variant) {
        if (row == 0 && variant == 0)
            ++updates;
    });
    QElapsedTimer clock;
    clock.start();
    runner.runAll();
    QTRY_VERIFY_WITH_TIMEOUT(!runner.isRunning(), kWaitMs);
    const qint64 elapsed = clock.elapsed();
    QCOMPARE(document.comparison().cell(0, 0).primary().text, QString::fromLatin1(text.trimmed()));
    QCOMPARE(document.comparison().cell(0, 1).primary().text, QString::fromLatin1(text.trimmed()));
    // One update per delta would be 400. Text reaches the document only from the flush timer, so
    // the cell hears at most one update per flush interval (a coarse timer may fire 5% early),
    // plus its queued / streaming / finished changes.
    const qint64 bound = elapsed / (ComparisonRunner::kFlushIntervalMs * 95 / 100) + 4;
    QVERIFY2(updates <= bound && updates < kDeltas,
             qPrintable(QStringLiteral("%1 updates in %2 ms").arg(updates).arg(elapsed)));
    QVERIFY(updates >= 2);
}

void TestComparisonRunner::gradersScoreFinishedCells()
{
    ComparisonDocument document;
    Comparison c = testing::makeComparison(2);
    ComparisonInputs inputs;
    inputs.setRows({json{{"topic", "topic-0"}, {"expected", "gpt-4.1-mini says topic-0"}},
                    json{{"topic", "topic-1"}, {"expected", "something else"}}});
    c.setInputs(inputs);
    c.setGraders(json::array({{{"type", "string_check"},
                               {"name", "exact"},
                               {"input", "{{ sample.output_text }}"},
                               {"reference", "{{ item.expected }}"},
                               {"operation", "eq"}}}));
    document.setComparison(c);
    ComparisonRunner runner(&document, m_client.get());
    startRunner(runner);
    runner.runAll();
    QTRY_VERIFY_WITH_TIMEOUT(!runner.isRunning(), kWaitMs);
    const Comparison &done = document.comparison();
    QCOMPARE(done.cell(0, 0).primary().passed(), std::optional<bool>(true));
    QCOMPARE(done.cell(0, 1).primary().passed(), std::optional<bool>(false));
    QCOMPARE(done.cell(1, 0).primary().passed(), std::optional<bool>(false));
    QCOMPARE(done.cell(0, 0).primary().grades.size(), std::size_t(1));
    QCOMPARE(done.cell(0, 0).primary().grades[0].name, std::string("exact"));
    QCOMPARE(summarizeColumn(done, 0).passRate, std::optional<double>(0.5));
    QCOMPARE(summarizeColumn(done, 1).passRate, std::optional<double>(0.0));
}

void TestComparisonRunner::repeatsGroupDistinctAnswers()
{
    // Answers cycle through "yes", "no", "yes  " (trailing spaces: the same answer once trimmed).
    m_server->setOutputTextProvider([this](const json &) -> QByteArray {
        static const QByteArray answers[] = {"yes", "no", "yes  "};
        return answers[m_answerCounter++ % 3];
    });
    ComparisonDocument document;
    Comparison c = testing::makeComparison(1);
    c.setRepeats(3);
    document.setComparison(c);
    ComparisonRunner runner(&document, m_client.get());
    startRunner(runner);
    runner.setMaxConcurrent(1);
    runner.runCell(0, 0);
    QTRY_VERIFY_WITH_TIMEOUT(!runner.isRunning(), kWaitMs);
    const Cell &cell = document.comparison().cell(0, 0);
    QCOMPARE(cell.status(), CellStatus::Done);
    const auto groups = stabilityGroups(cell);
    QCOMPARE(groups.size(), std::size_t(2));
    QCOMPARE(groups[0].text, QStringLiteral("yes"));
    QCOMPARE(groups[0].count, 2);
    QCOMPARE(groups[0].repeats, (QList<int>{0, 2}));
    QCOMPARE(groups[1].text, QStringLiteral("no"));
    QCOMPARE(groups[1].count, 1);
    QCOMPARE(document.comparison().cell(0, 1).status(), CellStatus::Idle); // runCell ran one cell
}

void TestComparisonRunner::removingARowWhileRunningIsSafe()
{
    m_server->setDefaultResponseDelayMs(30);
    ComparisonDocument document;
    document.setComparison(testing::makeComparison(4));
    ComparisonRunner runner(&document, m_client.get());
    startRunner(runner);
    runner.setMaxConcurrent(2);
    runner.runAll();
    document.removeRow(0);
    document.insertRow(0, json{{"topic", "topic-9"}});
    QTRY_VERIFY_WITH_TIMEOUT(!runner.isRunning(), kWaitMs);
    const Comparison &c = document.comparison();
    QCOMPARE(c.rowCount(), 4);
    QCOMPARE(c.cell(0, 0).status(), CellStatus::Idle); // the new row was never queued
    for (int r = 1; r < 4; ++r) {
        QCOMPARE(c.cell(r, 0).status(), CellStatus::Done);
        // Outputs landed in the row they belong to after the shift.
        QCOMPARE(c.cell(r, 0).primary().text, QStringLiteral("gpt-4.1-mini says topic-%1").arg(r));
    }
}

void TestComparisonRunner::transientErrorsAreRetriedByTheClient()
{
    m_client->setRetryPolicy(testing::fastRetries(2));
    m_server->enqueue(Behaviour::serverError(503));
    ComparisonDocument document;
    document.setComparison(testing::makeComparison(1));
    ComparisonRunner runner(&document, m_client.get());
    startRunner(runner);
    runner.setMaxConcurrent(1);
    runner.runCell(0, 0);
    QTRY_VERIFY_WITH_TIMEOUT(!runner.isRunning(), kWaitMs);
    const CellRun &run = document.comparison().cell(0, 0).primary();
    QCOMPARE(run.status, CellStatus::Done);
    QCOMPARE(run.retries, 1);
    QCOMPARE(run.text, QStringLiteral("gpt-4.1-mini says topic-0"));
}

void TestComparisonRunner::savedComparisonNeverHoldsTheKey()
{
    const QString key = QStringLiteral("dummy-compare-secret-0123456789abcdef");
    ComparisonDocument document;
    document.setComparison(testing::makeComparison(2));
    ComparisonRunner runner(&document, m_client.get());
    runner.setProfile(testing::fakeProfile(m_server->baseUrl()), key);
    runner.runAll();
    QTRY_VERIFY_WITH_TIMEOUT(!runner.isRunning(), kWaitMs);
    QCOMPARE(m_server->requests().value(0).header("authorization"), QByteArray("Bearer ") + key.toLatin1());

    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("ws.sqlite"));
    {
        store::Workspace workspace;
        QVERIFY(workspace.open(path));
        ComparisonStore store(workspace);
        QVERIFY(store.save(document.comparison()));
        workspace.close();
    }
    for (const QString &file : QDir(dir.path()).entryList(QDir::Files)) {
        QFile f(dir.filePath(file));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY2(!f.readAll().contains(key.toLatin1()), qPrintable(file));
    }
}

QTEST_GUILESS_MAIN(TestComparisonRunner)
#include "tst_comparison_runner.moc"
