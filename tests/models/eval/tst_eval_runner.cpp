// The eval runner against the fake OpenAI server: counts, concurrency, durability, pause,
// cancel, resume, the response cache, bad rows and the faults a long run meets.
#include <QtTest>

#include <map>
#include <memory>
#include <regex>

#include <QTemporaryDir>

#include "fakes/fake_openai_server.h"
#include "models/api/api_client.h"
#include "models/dataset/json_schema_validator.h"
#include "models/eval/eval_runner.h"
#include "models/store/eval_store.h"
#include "models/store/workspace.h"

using assay::api::ApiClient;
using assay::api::Profile;
using assay::api::RetryPolicy;
using assay::eval::EvalRunner;
using assay::eval::EvalSpec;
using assay::eval::RunnerOptions;
using assay::eval::RunProgress;
using assay::eval::RunSpec;
using assay::eval::RunSummary;
using assay::store::EvalStore;
using assay::store::OutputItemRecord;
using assay::store::Workspace;
using assay::testing::Behaviour;
using assay::testing::FakeOpenAiServer;
using json = nlohmann::json;

namespace {

constexpr int kWaitMs = 30000;

RetryPolicy fastRetries(int maxRetries)
{
    RetryPolicy policy;
    policy.maxRetries = maxRetries;
    policy.initialDelay = std::chrono::milliseconds(5);
    policy.maxDelay = std::chrono::milliseconds(20);
    return policy;
}

json stringCheck(const std::string &name, const std::string &reference, const std::string &operation)
{
    return {{"type", "string_check"},
            {"name", name},
            {"input", "{{ sample.output_text }}"},
            {"reference", reference},
            {"operation", operation}};
}

// The eval: the answer must equal the item's label, and must not be empty.
json evalDefinition(json criteria = nullptr)
{
    if (criteria.is_null())
        criteria = json::array({stringCheck("exact label", "{{ item.label }}", "eq"),
                                stringCheck("not empty", "", "ne")});
    return {{"name", "labels"},
            {"data_source_config",
             {{"type", "custom"},
              {"item_schema",
               {{"type", "object"},
                {"properties", {{"text", {{"type", "string"}}}, {"label", {{"type", "string"}}}, {"answer", {{"type", "string"}}}}},
                {"required", {"text", "label", "answer"}}}},
              {"include_sample_schema", true}}},
            {"testing_criteria", criteria}};
}

// Row i: label yes/no; the fake answers with the row's `answer`, which is wrong for every third row.
json makeItem(int i)
{
    const std::string label = i % 2 == 0 ? "yes" : "no";
    return {{"text", "row " + std::to_string(i)}, {"label", label}, {"answer", i % 3 == 0 ? "maybe" : label}};
}

qint64 expectedPasses(int n)
{
    qint64 passes = 0;
    for (int i = 0; i < n; ++i)
        passes += i % 3 == 0 ? 0 : 1;
    return passes;
}

json runDefinition(int n, const std::string &type = "responses", json samplingParams = json{{"temperature", 0}})
{
    json content = json::array();
    for (int i = 0; i < n; ++i)
        content.push_back({{"item", makeItem(i)}});
    return {{"name", "labels-run"},
            {"data_source",
             {{"type", type},
              {"model", "gpt-4.1-mini"},
              {"input_messages",
               {{"type", "template"},
                {"template", json::array({{{"role", "developer"}, {"content", "Answer with one word."}},
                                          {{"role", "user"}, {"content", "{{ item.text }} LABEL:{{ item.answer }}"}}})}}},
              {"sampling_params", samplingParams},
              {"source", {{"type", "file_content"}, {"content", content}}}}}};
}

int countStatus(const std::vector<OutputItemRecord> &items, const QString &status)
{
    return static_cast<int>(std::count_if(items.begin(), items.end(),
                                          [&status](const OutputItemRecord &item) { return item.status == status; }));
}

} // namespace

class TestEvalRunner : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void happyPathCountsEveryItem_data();
    void happyPathCountsEveryItem();
    void outputItemsAreShapedLikeTheEvalsApi();
    void concurrencyCapIsRespected_data();
    void concurrencyCapIsRespected();
    void itemsAreCommittedAsTheyFinish();
    void pauseStopsNewRequestsUntilUnpaused();
    void cancelStopsTheRunAndKeepsFinishedItems();
    void resumeSamplesOnlyMissingRows();
    void resumeRefusesChangedItems();
    void rerunAtTemperatureZeroUsesTheCache();
    void refusedKeyStopsTheRunAndResumeFinishesIt();
    void refusedKeyStopsRowsWaitingForTheRateLimiter();
    void cacheAnswersRowsDraftedInSeveralBatches();
    void committedItemsCarryTheirRawExchange();
    void systemFingerprintAndReasoningTokensReachTheSummary();
    void cacheIsOffAboveTemperatureZero();
    void rowNotMatchingItemSchemaIsErroredWithPath();
    void pythonGradersNeedConsent();
    void badGraderIsRefusedWithItsPath();
    void modelGraderUsageIsCounted();
    void faultsStillCompleteTheRun_data();
    void faultsStillCompleteTheRun();
    void timeoutErrorsTheItemWithItsReason();
    void jsonlRowsAreGradedWithoutSampling();

private:
    struct Outcome {
        qint64 runId = 0;
        QString status;
        RunSummary summary;
    };
    Profile profile() const;
    std::optional<qint64> start(EvalRunner &runner, const json &evalDef, const json &runDef,
                                RunnerOptions options = {}, QString *error = nullptr);
    Outcome runToEnd(const json &evalDef, const json &runDef, RunnerOptions options = {});
    int samplingRequests() const;
    void verifyCountsAddUp(qint64 runId, const RunSummary &summary, int total);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Workspace> m_workspace;
    std::unique_ptr<EvalStore> m_store;
    std::unique_ptr<FakeOpenAiServer> m_server;
    std::unique_ptr<ApiClient> m_client;
    QByteArray m_graderAnswer = R"({"result": 0.9, "steps": [{"description": "checked", "conclusion": "fine"}]})";
};

void TestEvalRunner::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_workspace = std::make_unique<Workspace>();
    QString error;
    QVERIFY2(m_workspace->open(m_dir->filePath(QStringLiteral("ws.sqlite")), &error), qPrintable(error));
    m_store = std::make_unique<EvalStore>(*m_workspace);
    m_server = std::make_unique<FakeOpenAiServer>();
    QVERIFY(m_server->start());
    m_server->setOutputTextProvider([this](const json &request) -> QByteArray {
        const std::string text = request.dump();
        if (text.find("GRADE-ME") != std::string::npos)
            return m_graderAnswer;
        static const std::regex label("LABEL:([A-Za-z]+)");
        std::smatch match;
        if (std::regex_search(text, match, label))
            return QByteArray::fromStdString(match[1].str());
        return {};
    });
    m_client = std::make_unique<ApiClient>();
    m_client->setRetryPolicy(fastRetries(2));
    m_graderAnswer = R"({"result": 0.9, "steps": [{"description": "checked", "conclusion": "fine"}]})";
}

void TestEvalRunner::cleanup()
{
    m_client.reset();
    m_server.reset();
    m_store.reset();
    m_workspace.reset();
    m_dir.reset();
}

Profile TestEvalRunner::profile() const
{
    Profile p;
    p.name = QStringLiteral("Fake");
    p.baseUrl = m_server->baseUrl().toString();
    p.keySource = Profile::KeySource::Keychain;
    return p;
}

std::optional<qint64> TestEvalRunner::start(EvalRunner &runner, const json &evalDef, const json &runDef,
                                            RunnerOptions options, QString *error)
{
    std::vector<assay::eval::SpecProblem> problems;
    const auto eval = EvalSpec::parse(evalDef, &problems);
    if (!eval) {
        if (error)
            *error = QString::fromStdString(problems.empty() ? "eval" : problems.front().toString());
        return std::nullopt;
    }
    const auto run = RunSpec::parse(runDef, QString(), &problems);
    if (!run) {
        if (error)
            *error = QString::fromStdString(problems.empty() ? "run" : problems.front().toString());
        return std::nullopt;
    }
    assay::eval::LoadedItems loaded = assay::eval::loadRunItems(*run);
    if (loaded.error) {
        if (error)
            *error = QString::fromStdString(*loaded.error);
        return std::nullopt;
    }
    return runner.start(*eval, *run, std::move(loaded), profile(), QStringLiteral("sk-test"), options, error);
}

TestEvalRunner::Outcome TestEvalRunner::runToEnd(const json &evalDef, const json &runDef, RunnerOptions options)
{
    Outcome outcome;
    EvalRunner runner(*m_client, *m_store);
    QSignalSpy finished(&runner, &EvalRunner::finished);
    QString error;
    const auto id = start(runner, evalDef, runDef, options, &error);
    if (!id) {
        qWarning("start failed: %s", qPrintable(error));
        return outcome;
    }
    if (!finished.wait(kWaitMs) && finished.isEmpty())
        return outcome;
    outcome.runId = finished.first().at(0).toLongLong();
    outcome.summary = finished.first().at(1).value<RunSummary>();
    outcome.status = finished.first().at(2).toString();
    if (!runner.errorMessage().isEmpty())
        qWarning("run ended: %s", qPrintable(runner.errorMessage()));
    return outcome;
}

int TestEvalRunner::samplingRequests() const
{
    int count = 0;
    for (const auto &request : m_server->requests()) {
        if (request.path == "/v1/responses" || request.path == "/v1/chat/completions")
            ++count;
    }
    return count;
}

void TestEvalRunner::verifyCountsAddUp(qint64 runId, const RunSummary &summary, int total)
{
    const std::vector<OutputItemRecord> items = m_store->items(runId);
    QCOMPARE(static_cast<int>(items.size()), total);
    QCOMPARE(summary.total, qint64(total));
    QCOMPARE(summary.passed + summary.failed + summary.errored, summary.total);
    QCOMPARE(qint64(countStatus(items, QStringLiteral("pass"))), summary.passed);
    QCOMPARE(qint64(countStatus(items, QStringLiteral("fail"))), summary.failed);
    QCOMPARE(qint64(countStatus(items, QStringLiteral("error"))), summary.errored);
    for (const OutputItemRecord &item : items) {
        if (item.status == QLatin1String("error")) {
            QVERIFY2(!item.error.isEmpty(), "an errored item says why");
        } else {
            QVERIFY(item.status == QLatin1String("pass") || item.status == QLatin1String("fail"));
            QVERIFY(item.results.is_array() && !item.results.empty());
        }
    }
    const auto record = m_store->run(runId);
    QVERIFY(record);
    QCOMPARE(RunSummary::fromJson(record->summary).total, qint64(total));
}

// ---------------------------------------------------------------------------------------------

void TestEvalRunner::happyPathCountsEveryItem_data()
{
    QTest::addColumn<QString>("type");
    QTest::newRow("responses") << QStringLiteral("responses");
    QTest::newRow("chat completions") << QStringLiteral("completions");
}

void TestEvalRunner::happyPathCountsEveryItem()
{
    QFETCH(QString, type);
    const int n = 24;
    EvalRunner runner(*m_client, *m_store);
    QSignalSpy finished(&runner, &EvalRunner::finished);
    QSignalSpy itemFinished(&runner, &EvalRunner::itemFinished);
    QSignalSpy progress(&runner, &EvalRunner::progressChanged);
    QString error;
    const auto id = start(runner, evalDefinition(), runDefinition(n, type.toStdString()), {}, &error);
    QVERIFY2(id, qPrintable(error));
    QVERIFY(runner.isRunning());
    QCOMPARE(runner.runId(), *id);
    QVERIFY(finished.wait(kWaitMs));
    QCOMPARE(finished.first().at(2).toString(), QStringLiteral("completed"));
    QCOMPARE(itemFinished.size(), n);
    QVERIFY(!runner.isRunning());

    const RunSummary summary = finished.first().at(1).value<RunSummary>();
    QCOMPARE(summary.total, qint64(n));
    QCOMPARE(summary.passed, expectedPasses(n));
    QCOMPARE(summary.failed, qint64(n) - expectedPasses(n));
    QCOMPARE(summary.errored, qint64(0));
    QCOMPARE(summary.perCriterion.size(), std::size_t(2));
    QCOMPARE(summary.perCriterion[0].name, std::string("exact label"));
    QCOMPARE(summary.perCriterion[0].passed, expectedPasses(n));
    QCOMPARE(summary.perCriterion[0].failed, qint64(n) - expectedPasses(n));
    QCOMPARE(summary.perCriterion[1].passed, qint64(n));
    QVERIFY(summary.latencyP50Ms.has_value());
    QVERIFY(summary.latencyP95Ms.has_value());
    QVERIFY(*summary.latencyP95Ms >= *summary.latencyP50Ms);
    QCOMPARE(summary.perModelUsage.size(), std::size_t(1));
    QCOMPARE(summary.perModelUsage[0].invocations, qint64(n));
    QVERIFY(summary.perModelUsage[0].totalTokens > 0);
    QVERIFY(summary.estimatedCostUsd.has_value()); // gpt-4.1-mini is in the built-in table
    QVERIFY(*summary.estimatedCostUsd > 0);

    QCOMPARE(samplingRequests(), n);
    const QByteArray path = type == QLatin1String("responses") ? "/v1/responses" : "/v1/chat/completions";
    QCOMPARE(m_server->requests().last().path, path);

    const auto record = m_store->run(*id);
    QVERIFY(record);
    QCOMPARE(record->status, QStringLiteral("completed"));
    QVERIFY(record->finishedAt.isValid());
    QCOMPARE(record->totalItems, qint64(n));
    QCOMPARE(record->datasetHash.size(), 64);
    verifyCountsAddUp(*id, summary, n);

    const RunProgress last = progress.last().first().value<RunProgress>();
    QCOMPARE(last.done, qint64(n));
    QCOMPARE(last.total, qint64(n));
    QCOMPARE(last.inFlight, qint64(0));
    QCOMPARE(last.perCriterion[0].passed, expectedPasses(n));
}

void TestEvalRunner::outputItemsAreShapedLikeTheEvalsApi()
{
    const Outcome outcome =
        runToEnd(evalDefinition(), runDefinition(3, "responses", {{"temperature", 0}, {"seed", 7}, {"top_p", 0.5},
                                                                  {"max_completion_tokens", 40}}));
    QCOMPARE(outcome.status, QStringLiteral("completed"));
    const std::vector<OutputItemRecord> items = m_store->items(outcome.runId);
    QCOMPARE(items.size(), std::size_t(3));
    const OutputItemRecord &item = items[1];
    QCOMPARE(item.datasourceItemId, qint64(1));
    QCOMPARE(item.datasourceItem, makeItem(1));
    QCOMPARE(item.status, QStringLiteral("pass"));
    const json &sample = item.sample;
    QCOMPARE(sample["input"].size(), std::size_t(2));
    QCOMPARE(sample["input"][1]["role"], json("user"));
    QCOMPARE(sample["input"][1]["content"], json("row 1 LABEL:no"));
    QCOMPARE(sample["output"][0], json({{"role", "assistant"}, {"content", "no"}}));
    QCOMPARE(sample["finish_reason"], json("stop"));
    QVERIFY(sample["model"].get<std::string>().rfind("gpt-4.1-mini", 0) == 0);
    for (const char *key : {"total_tokens", "completion_tokens", "prompt_tokens", "cached_tokens"})
        QVERIFY2(sample["usage"][key].is_number_integer(), key);
    QVERIFY(sample["error"].is_null());
    QCOMPARE(sample["temperature"], json(0));
    QCOMPARE(sample["seed"], json(7));
    QCOMPARE(sample["top_p"], json(0.5));
    QCOMPARE(sample["max_completion_tokens"], json(40));
    QCOMPARE(item.results.size(), std::size_t(2));
    QCOMPARE(item.results[0]["name"], json("exact label"));
    QCOMPARE(item.results[0]["passed"], json(true));
    QVERIFY(item.latencyMs >= 0);
    QVERIFY(!item.cacheHit);
}

void TestEvalRunner::concurrencyCapIsRespected_data()
{
    QTest::addColumn<int>("concurrency");
    QTest::newRow("4") << 4;
    QTest::newRow("10 (more than one client's connections)") << 10;
}

void TestEvalRunner::concurrencyCapIsRespected()
{
    QFETCH(int, concurrency);
    m_server->setDefaultResponseDelayMs(40);
    RunnerOptions options;
    options.concurrency = concurrency;
    int maxInFlight = 0;
    EvalRunner runner(*m_client, *m_store);
    connect(&runner, &EvalRunner::progressChanged, this,
            [&maxInFlight](const RunProgress &p) { maxInFlight = std::max(maxInFlight, static_cast<int>(p.inFlight)); });
    QSignalSpy finished(&runner, &EvalRunner::finished);
    QString error;
    QVERIFY2(start(runner, evalDefinition(), runDefinition(4 * concurrency), options, &error), qPrintable(error));
    QVERIFY(finished.wait(kWaitMs));
    QCOMPARE(finished.first().at(2).toString(), QStringLiteral("completed"));
    QVERIFY2(m_server->maxActiveRequests() <= concurrency, qPrintable(QString::number(m_server->maxActiveRequests())));
    // The cap is used, not just respected: with 40 ms answers every slot fills.
    QVERIFY2(m_server->maxActiveRequests() >= concurrency - 1,
             qPrintable(QString::number(m_server->maxActiveRequests())));
    QVERIFY(maxInFlight <= concurrency);
}

void TestEvalRunner::itemsAreCommittedAsTheyFinish()
{
    m_server->setDefaultResponseDelayMs(20);
    RunnerOptions options;
    options.concurrency = 2;
    EvalRunner runner(*m_client, *m_store);
    QSignalSpy finished(&runner, &EvalRunner::finished);
    QList<int> storedWhenSignalled;
    QString statusMidRun;
    connect(&runner, &EvalRunner::itemFinished, this, [&](const OutputItemRecord &item) {
        const auto stored = m_store->items(item.runId);
        storedWhenSignalled.append(static_cast<int>(stored.size()));
        if (statusMidRun.isEmpty())
            statusMidRun = m_store->run(item.runId)->status;
        // The item just announced is in the database already.
        const bool found = std::any_of(stored.begin(), stored.end(), [&item](const OutputItemRecord &s) {
            return s.datasourceItemId == item.datasourceItemId;
        });
        QVERIFY(found);
    });
    QVERIFY(start(runner, evalDefinition(), runDefinition(8), options));
    QVERIFY(finished.wait(kWaitMs));
    QCOMPARE(storedWhenSignalled.size(), 8);
    // Items are written in batches off the runner's thread, so the i-th announcement may find
    // more than i items stored, never fewer.
    for (int i = 0; i < storedWhenSignalled.size(); ++i)
        QVERIFY2(storedWhenSignalled[i] >= i + 1, qPrintable(QStringLiteral("announcement %1 found %2 stored")
                                                                .arg(i + 1)
                                                                .arg(storedWhenSignalled[i])));
    QCOMPARE(statusMidRun, QStringLiteral("in_progress"));
}

void TestEvalRunner::pauseStopsNewRequestsUntilUnpaused()
{
    m_server->setDefaultResponseDelayMs(20);
    RunnerOptions options;
    options.concurrency = 2;
    const int n = 16;
    EvalRunner runner(*m_client, *m_store);
    QSignalSpy finished(&runner, &EvalRunner::finished);
    QSignalSpy itemFinished(&runner, &EvalRunner::itemFinished);
    int seen = 0;
    connect(&runner, &EvalRunner::itemFinished, this, [&runner, &seen](const OutputItemRecord &) {
        if (++seen == 4)
            runner.pause();
    });
    QVERIFY(start(runner, evalDefinition(), runDefinition(n), options));
    QTRY_VERIFY_WITH_TIMEOUT(runner.progress().paused, kWaitMs);
    QTRY_VERIFY_WITH_TIMEOUT(runner.progress().inFlight == 0 && runner.progress().saving == 0, kWaitMs);
    const int sentWhilePaused = samplingRequests();
    const qsizetype doneWhilePaused = itemFinished.size();
    QVERIFY(doneWhilePaused < n);
    QTest::qWait(200); // nothing may go out while paused
    QCOMPARE(samplingRequests(), sentWhilePaused);
    QCOMPARE(itemFinished.size(), doneWhilePaused);
    QVERIFY(finished.isEmpty());
    QVERIFY(runner.isRunning());

    runner.unpause();
    QVERIFY(!runner.progress().paused);
    QVERIFY(finished.wait(kWaitMs));
    QCOMPARE(finished.first().at(2).toString(), QStringLiteral("completed"));
    QCOMPARE(itemFinished.size(), n);
    QCOMPARE(samplingRequests(), n);
}

void TestEvalRunner::cancelStopsTheRunAndKeepsFinishedItems()
{
    m_server->setDefaultResponseDelayMs(100);
    RunnerOptions options;
    options.concurrency = 3;
    const int n = 30;
    EvalRunner runner(*m_client, *m_store);
    QSignalSpy finished(&runner, &EvalRunner::finished);
    QSignalSpy itemFinished(&runner, &EvalRunner::itemFinished);
    connect(&runner, &EvalRunner::itemFinished, &runner, &EvalRunner::cancel, Qt::QueuedConnection);
    const auto id = start(runner, evalDefinition(), runDefinition(n), options);
    QVERIFY(id);
    QVERIFY(finished.wait(kWaitMs));
    QCOMPARE(finished.first().at(2).toString(), QStringLiteral("canceled"));
    QVERIFY(!runner.isRunning());
    const int done = static_cast<int>(itemFinished.size());
    QVERIFY(done >= 1 && done < n);
    QCOMPARE(static_cast<int>(m_store->items(*id).size()), done);
    const auto record = m_store->run(*id);
    QCOMPARE(record->status, QStringLiteral("canceled"));
    QVERIFY(record->finishedAt.isValid());
    QCOMPARE(RunSummary::fromJson(record->summary).total, qint64(done));
    // The requests in flight were dropped, not left running.
    QTRY_COMPARE_WITH_TIMEOUT(m_server->activeRequests(), 0, kWaitMs);
    QVERIFY(samplingRequests() < n);
    QTest::qWait(150);
    QCOMPARE(itemFinished.size(), done); // nothing arrives after the end
}

void TestEvalRunner::resumeSamplesOnlyMissingRows()
{
    m_server->setDefaultResponseDelayMs(30);
    RunnerOptions options;
    options.concurrency = 2;
    options.useCache = false;
    const int n = 12;
    qint64 runId = 0;
    int doneBefore = 0;
    {
        EvalRunner runner(*m_client, *m_store);
        QSignalSpy finished(&runner, &EvalRunner::finished);
        connect(&runner, &EvalRunner::itemFinished, &runner, [&runner](const OutputItemRecord &) {
            if (runner.progress().done >= 5)
                runner.cancel();
        });
        const auto id = start(runner, evalDefinition(), runDefinition(n), options);
        QVERIFY(id);
        runId = *id;
        QVERIFY(finished.wait(kWaitMs));
        doneBefore = static_cast<int>(m_store->items(runId).size());
        QVERIFY(doneBefore >= 5 && doneBefore < n);
    }
    QTRY_COMPARE_WITH_TIMEOUT(m_server->activeRequests(), 0, kWaitMs);
    m_server->clearRequests();

    std::vector<assay::eval::SpecProblem> problems;
    const auto run = RunSpec::parse(runDefinition(n), QString(), &problems);
    QVERIFY(run);
    EvalRunner runner(*m_client, *m_store);
    QSignalSpy finished(&runner, &EvalRunner::finished);
    QSignalSpy itemFinished(&runner, &EvalRunner::itemFinished);
    QString error;
    // Another key for the resumed run: a request the cancelled run had already handed to the
    // network can still reach the server after the cancel, and is not the resume's doing.
    QVERIFY2(runner.resume(runId, assay::eval::loadRunItems(*run).items, profile(), QStringLiteral("sk-test-resume"),
                           options, &error),
             qPrintable(error));
    QVERIFY(finished.wait(kWaitMs));
    QCOMPARE(finished.first().at(2).toString(), QStringLiteral("completed"));
    int resumedRequests = 0;
    for (const auto &request : m_server->requests()) {
        if (request.path == "/v1/responses" && request.header("authorization") == "Bearer sk-test-resume")
            ++resumedRequests;
    }
    QCOMPARE(resumedRequests, n - doneBefore);
    QCOMPARE(static_cast<int>(itemFinished.size()), n - doneBefore);
    const RunSummary summary = finished.first().at(1).value<RunSummary>();
    QCOMPARE(summary.passed, expectedPasses(n));
    verifyCountsAddUp(runId, summary, n);
    QCOMPARE(m_store->run(runId)->status, QStringLiteral("completed"));
    // Every row sampled exactly once across both sessions.
    QSet<qint64> ids;
    for (const OutputItemRecord &item : m_store->items(runId))
        ids.insert(item.datasourceItemId);
    QCOMPARE(ids.size(), n);
}

void TestEvalRunner::resumeRefusesChangedItems()
{
    RunnerOptions options;
    options.concurrency = 1;
    EvalRunner first(*m_client, *m_store);
    QSignalSpy finished(&first, &EvalRunner::finished);
    connect(&first, &EvalRunner::itemFinished, &first, &EvalRunner::cancel);
    const auto id = start(first, evalDefinition(), runDefinition(6), options);
    QVERIFY(id);
    QVERIFY(finished.wait(kWaitMs));

    std::vector<json> changed;
    for (int i = 0; i < 6; ++i)
        changed.push_back(makeItem(i + 1));
    EvalRunner runner(*m_client, *m_store);
    QString error;
    QVERIFY(!runner.resume(*id, changed, profile(), QStringLiteral("sk-test"), options, &error));
    QVERIFY2(error.contains(QStringLiteral("differ")), qPrintable(error));
    QVERIFY(!runner.resume(*id + 100, changed, profile(), QStringLiteral("sk-test"), options, &error));
    QVERIFY(!runner.isRunning());
}

void TestEvalRunner::rerunAtTemperatureZeroUsesTheCache()
{
    const int n = 6;
    const Outcome first = runToEnd(evalDefinition(), runDefinition(n));
    QCOMPARE(first.status, QStringLiteral("completed"));
    QCOMPARE(samplingRequests(), n);
    QCOMPARE(first.summary.cacheHits, qint64(0));

    const Outcome second = runToEnd(evalDefinition(), runDefinition(n));
    QCOMPARE(second.status, QStringLiteral("completed"));
    QVERIFY(second.runId != first.runId);
    QCOMPARE(samplingRequests(), n); // nothing sent the second time
    QCOMPARE(second.summary.cacheHits, qint64(n));
    QCOMPARE(second.summary.passed, first.summary.passed);
    QCOMPARE(second.summary.perModelUsage.size(), std::size_t(0)); // no tokens spent
    for (const OutputItemRecord &item : m_store->items(second.runId)) {
        QVERIFY(item.cacheHit);
        QCOMPARE(item.sample["output"][0]["content"], json(makeItem(static_cast<int>(item.datasourceItemId))["answer"]));
    }

    // Asked not to: the requests go out again.
    RunnerOptions noCache;
    noCache.useCache = false;
    runToEnd(evalDefinition(), runDefinition(n), noCache);
    QCOMPARE(samplingRequests(), 2 * n);
}

void TestEvalRunner::refusedKeyStopsTheRunAndResumeFinishesIt()
{
    const int n = 10;
    for (int concurrency : {1, 4}) {
        m_server->clearRequests();
        for (int i = 0; i < concurrency; ++i)
            m_server->enqueue(Behaviour::unauthorized());
        RunnerOptions options;
        options.concurrency = concurrency;
        options.useCache = false;
        EvalRunner runner(*m_client, *m_store);
        QSignalSpy finished(&runner, &EvalRunner::finished);
        const auto runId = start(runner, evalDefinition(), runDefinition(n), options);
        QVERIFY(runId);
        QVERIFY(finished.wait(kWaitMs));
        QCOMPARE(finished.first().at(2).toString(), QStringLiteral("failed"));
        // Nothing is sent after the first refusal: only the requests already in flight (all of
        // the first round, sent together).
        QCOMPARE(samplingRequests(), concurrency);
        QCOMPARE(m_server->pendingBehaviours(), 0);
        QVERIFY2(runner.errorMessage().startsWith(QLatin1String("the API refused the key: HTTP 401")),
                 qPrintable(runner.errorMessage()));
        const RunSummary summary = finished.first().at(1).value<RunSummary>();
        QCOMPARE(summary.errored, qint64(samplingRequests()));
        QCOMPARE(summary.total, qint64(samplingRequests()));

        // With the key fixed, resuming samples the rest and completes the run. The refused rows
        // stay errored: they were answered (with the refusal) and are not sampled again.
        const qint64 refused = samplingRequests();
        std::vector<assay::eval::SpecProblem> problems;
        const auto run = RunSpec::parse(runDefinition(n), QString(), &problems);
        QVERIFY(run);
        EvalRunner resumer(*m_client, *m_store);
        QSignalSpy resumed(&resumer, &EvalRunner::finished);
        QString error;
        QVERIFY2(resumer.resume(*runId, assay::eval::loadRunItems(*run).items, profile(), QStringLiteral("sk-test-key"),
                                options, &error),
                 qPrintable(error));
        QVERIFY(resumed.wait(kWaitMs));
        QCOMPARE(resumed.first().at(2).toString(), QStringLiteral("completed"));
        QCOMPARE(samplingRequests(), n); // every row once
        const RunSummary total = resumed.first().at(1).value<RunSummary>();
        QCOMPARE(total.total, qint64(n));
        QCOMPARE(total.errored, refused);
    }
}

void TestEvalRunner::refusedKeyStopsRowsWaitingForTheRateLimiter()
{
    // 60 requests per minute: one goes out at once, the other three rows holding slots wait
    // about a second each in the pacer, and the refusal arrives meanwhile.
    m_server->clearBehaviours();
    m_server->enqueue(Behaviour::unauthorized());
    RunnerOptions options;
    options.concurrency = 4;
    options.requestsPerMinute = 60;
    options.useCache = false;
    EvalRunner runner(*m_client, *m_store);
    QSignalSpy finished(&runner, &EvalRunner::finished);
    const auto runId = start(runner, evalDefinition(), runDefinition(6), options);
    QVERIFY(runId);
    QVERIFY(finished.wait(kWaitMs));
    QCOMPARE(finished.first().at(2).toString(), QStringLiteral("failed"));
    QCOMPARE(samplingRequests(), 1);
    // The waiting rows were neither sent nor stored: a resume samples them.
    QCOMPARE(m_store->items(*runId).size(), std::size_t(1));
    QCOMPARE(finished.first().at(1).value<RunSummary>().total, qint64(1));
}

void TestEvalRunner::cacheAnswersRowsDraftedInSeveralBatches()
{
    // Requests are drafted (and looked up in the cache) two slots' worth ahead: at concurrency 2,
    // 20 rows take several batches, some drafted while answers of the same run come in.
    RunnerOptions options;
    options.concurrency = 2;
    const Outcome first = runToEnd(evalDefinition(), runDefinition(7), options);
    QCOMPARE(first.status, QStringLiteral("completed"));
    QCOMPARE(samplingRequests(), 7);

    const Outcome second = runToEnd(evalDefinition(), runDefinition(20), options);
    QCOMPARE(second.status, QStringLiteral("completed"));
    QCOMPARE(second.summary.cacheHits, qint64(7));
    QCOMPARE(samplingRequests(), 7 + 13);
    QCOMPARE(second.summary.passed + second.summary.failed, qint64(20));
    for (const OutputItemRecord &item : m_store->items(second.runId)) {
        QCOMPARE(item.cacheHit, item.datasourceItemId < 7);
        QCOMPARE(item.sample["output"][0]["content"], json(makeItem(static_cast<int>(item.datasourceItemId))["answer"]));
    }
}

void TestEvalRunner::committedItemsCarryTheirRawExchange()
{
    const int n = 3;
    const Outcome first = runToEnd(evalDefinition(), runDefinition(n));
    QCOMPARE(first.status, QStringLiteral("completed"));
    // What the server received, by the row it was rendered from.
    std::map<std::string, json> received;
    for (const auto &request : m_server->requests()) {
        if (request.path != "/v1/responses")
            continue;
        const json body = json::parse(request.body.toStdString());
        received[body["input"].dump()] = body;
    }
    QCOMPARE(received.size(), std::size_t(n));

    std::vector<OutputItemRecord> firstItems;
    for (qint64 i = 0; i < n; ++i) {
        const auto item = m_store->item(first.runId, i); // read back from the workspace
        QVERIFY(item);
        const json &request = item->rawRequest;
        QVERIFY2(request.is_object(), request.dump().c_str());
        QCOMPARE(request["method"], json("POST"));
        QCOMPARE(QString::fromStdString(request["url"].get<std::string>()),
                 m_server->baseUrl().toString() + QStringLiteral("/responses"));
        QVERIFY(!request.contains("headers"));
        QVERIFY2(request.dump().find("sk-test") == std::string::npos, "the key never reaches the store");
        const auto sent = received.find(request["body"]["input"].dump());
        QVERIFY2(sent != received.end(), request.dump().c_str());
        QCOMPARE(request["body"], sent->second);
        QCOMPARE(item->rawResponse["object"], json("response"));
        QVERIFY2(item->rawResponse.dump().find(makeItem(static_cast<int>(i))["answer"].get<std::string>()) !=
                     std::string::npos,
                 item->rawResponse.dump().c_str());
        firstItems.push_back(*item);
    }

    // From the cache: the request that would have been sent, and the stored answer.
    const Outcome second = runToEnd(evalDefinition(), runDefinition(n));
    QCOMPARE(second.summary.cacheHits, qint64(n));
    QCOMPARE(samplingRequests(), n);
    for (qint64 i = 0; i < n; ++i) {
        const auto item = m_store->item(second.runId, i);
        QVERIFY(item);
        QVERIFY(item->cacheHit);
        QCOMPARE(item->rawRequest, firstItems[static_cast<std::size_t>(i)].rawRequest);
        QCOMPARE(item->rawResponse, firstItems[static_cast<std::size_t>(i)].rawResponse);
    }
}

void TestEvalRunner::systemFingerprintAndReasoningTokensReachTheSummary()
{
    // The fake's Chat Completions answers carry a system_fingerprint, as the real API's do.
    const Outcome outcome = runToEnd(evalDefinition(), runDefinition(2, "completions", {{"temperature", 0.7}}));
    QCOMPARE(outcome.status, QStringLiteral("completed"));
    QCOMPARE(outcome.summary.systemFingerprints, std::vector<std::string>{"fp_f4ke0penai"});
    const auto item = m_store->item(outcome.runId, 0);
    QVERIFY(item);
    QCOMPARE(item->sample["system_fingerprint"], json("fp_f4ke0penai"));
    QVERIFY2(item->sample["usage"].contains("reasoning_tokens"), item->sample["usage"].dump().c_str());
}

void TestEvalRunner::cacheIsOffAboveTemperatureZero()
{
    const int n = 4;
    const json params = {{"temperature", 0.7}};
    runToEnd(evalDefinition(), runDefinition(n, "responses", params));
    const Outcome second = runToEnd(evalDefinition(), runDefinition(n, "responses", params));
    QCOMPARE(samplingRequests(), 2 * n);
    QCOMPARE(second.summary.cacheHits, qint64(0));
}

void TestEvalRunner::rowNotMatchingItemSchemaIsErroredWithPath()
{
    json runDef = runDefinition(4);
    json &content = runDef["data_source"]["source"]["content"];
    content[1]["item"].erase("label");
    content[2]["item"]["label"] = 42;
    const Outcome outcome = runToEnd(evalDefinition(), runDef);
    QCOMPARE(outcome.status, QStringLiteral("completed"));
    QCOMPARE(outcome.summary.errored, qint64(2));
    verifyCountsAddUp(outcome.runId, outcome.summary, 4);
    const std::vector<OutputItemRecord> items = m_store->items(outcome.runId);

    const assay::dataset::JsonSchemaValidator validator(evalDefinition()["data_source_config"]["item_schema"]);
    for (int i : {1, 2}) {
        const OutputItemRecord &item = items[static_cast<std::size_t>(i)];
        QCOMPARE(item.status, QStringLiteral("error"));
        const auto violations = validator.validate(content[static_cast<std::size_t>(i)]["item"]);
        QVERIFY(!violations.isEmpty());
        QVERIFY2(item.error.contains(violations.first().path), qPrintable(item.error));
        QVERIFY2(item.error.contains(QStringLiteral("item_schema")), qPrintable(item.error));
        QCOMPARE(item.sample["error"]["message"].get<std::string>(), item.error.toStdString());
        QVERIFY2(item.rawRequest.is_null(), "nothing was sent for a row the schema refused");
        QVERIFY(item.rawResponse.is_null());
    }
    QVERIFY(items[2].error.contains(QStringLiteral("$.label")));
    // The bad rows were never sampled, nor billed.
    QCOMPARE(samplingRequests(), 2);
    QCOMPARE(outcome.summary.perModelUsage.size(), std::size_t(1));
    QCOMPARE(outcome.summary.perModelUsage[0].invocations, qint64(2));
}

void TestEvalRunner::pythonGradersNeedConsent()
{
    const json python = {{"type", "python"}, {"name", "py"}, {"source", "def grade(sample, item):\n    return 1.0\n"}};
    EvalRunner runner(*m_client, *m_store);
    QString error;
    QVERIFY(!start(runner, evalDefinition(json::array({python})), runDefinition(2), {}, &error));
    QCOMPARE(error, QStringLiteral("this eval runs python graders: allow them with --allow-python / the consent prompt"));
    QVERIFY(!runner.isRunning());
    QVERIFY(m_store->runs().isEmpty());
    QCOMPARE(samplingRequests(), 0);
}

void TestEvalRunner::badGraderIsRefusedWithItsPath()
{
    // EvalSpec::parse checks graders too; the runner checks what it is given all the same.
    std::vector<assay::eval::SpecProblem> problems;
    auto eval = EvalSpec::parse(evalDefinition(), &problems);
    QVERIFY(eval);
    eval->testingCriteria[1]["operation"] = "sounds_like";
    const auto run = RunSpec::parse(runDefinition(2), QString(), &problems);
    QVERIFY(run);
    EvalRunner runner(*m_client, *m_store);
    QString error;
    QVERIFY(!runner.start(*eval, *run, assay::eval::loadRunItems(*run).items, profile(), QStringLiteral("sk-test"), {},
                          &error));
    QVERIFY2(error.startsWith(QStringLiteral("$.testing_criteria[1]")), qPrintable(error));
    QVERIFY(m_store->runs().isEmpty());
}

void TestEvalRunner::modelGraderUsageIsCounted()
{
    const json scoreModel = {{"type", "score_model"},
                             {"name", "quality"},
                             {"model", "gpt-4.1-nano"},
                             {"input", json::array({{{"role", "user"}, {"content", "GRADE-ME {{ sample.output_text }}"}}})},
                             {"range", {0, 1}},
                             {"pass_threshold", 0.5}};
    const int n = 5;
    const Outcome outcome =
        runToEnd(evalDefinition(json::array({stringCheck("not empty", "", "ne"), scoreModel})), runDefinition(n));
    QCOMPARE(outcome.status, QStringLiteral("completed"));
    QCOMPARE(outcome.summary.passed, qint64(n));
    QCOMPARE(samplingRequests(), 2 * n); // a sample and a grader call per row
    std::map<std::string, qint64> invocations;
    for (const auto &usage : outcome.summary.perModelUsage) {
        QVERIFY(usage.totalTokens > 0);
        invocations[usage.model.substr(0, 12)] += usage.invocations;
    }
    QCOMPARE(invocations["gpt-4.1-mini"], qint64(n));
    QCOMPARE(invocations["gpt-4.1-nano"], qint64(n));
    const std::vector<OutputItemRecord> items = m_store->items(outcome.runId);
    QCOMPARE(items[0].results[1]["score"].get<double>(), 0.9);
}

void TestEvalRunner::faultsStillCompleteTheRun_data()
{
    QTest::addColumn<QString>("fault");
    QTest::addColumn<QString>("type");
    for (const char *type : {"responses", "completions"}) {
        for (const char *fault :
             {"429 retry-after", "500/503 burst", "connection drop", "garbage answer", "malformed grader JSON"}) {
            QTest::newRow(qPrintable(QStringLiteral("%1 (%2)").arg(QLatin1String(fault), QLatin1String(type))))
                << QString::fromLatin1(fault) << QString::fromLatin1(type);
        }
    }
}

void TestEvalRunner::faultsStillCompleteTheRun()
{
    QFETCH(QString, fault);
    QFETCH(QString, type);
    const int n = 10;
    m_client->setRetryPolicy(fastRetries(3));
    json criteria = json::array({stringCheck("exact label", "{{ item.label }}", "eq")});
    const bool graderFault = fault.contains(QStringLiteral("grader"));
    if (graderFault) {
        criteria.push_back({{"type", "score_model"},
                            {"name", "quality"},
                            {"model", "gpt-4.1-nano"},
                            {"input", json::array({{{"role", "user"}, {"content", "GRADE-ME {{ sample.output_text }}"}}})},
                            {"range", {0, 1}},
                            {"pass_threshold", 0.5}});
    }
    qint64 expectPassed = expectedPasses(n);
    qint64 expectErrored = 0;
    if (fault == QLatin1String("429 retry-after")) {
        m_server->enqueue(Behaviour::rateLimited("0.05"));
        m_server->enqueue(Behaviour::rateLimited("0.05"));
    } else if (fault == QLatin1String("500/503 burst")) {
        for (int status : {500, 503, 500, 503, 500})
            m_server->enqueue(Behaviour::serverError(status));
    } else if (fault == QLatin1String("connection drop")) {
        Behaviour drop;
        drop.kind = Behaviour::Kind::DropMidStream;
        m_server->enqueue(drop);
        m_server->enqueue(drop);
    } else if (fault == QLatin1String("garbage answer")) {
        // Complete HTTP, body not JSON: not transient, so that item errors (one row; which one
        // depends on arrival order).
        Behaviour raw;
        raw.kind = Behaviour::Kind::RawResponse;
        raw.raw = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 9\r\n\r\n{\"id\": 1,";
        m_server->enqueue(raw);
        expectErrored = 1;
        expectPassed = -1; // one row errors, unknown which
    } else if (fault == QLatin1String("malformed grader JSON")) {
        m_graderAnswer = "{\"result\": 0.9, \"steps\": [";
    }

    RunnerOptions options;
    options.concurrency = 3;
    options.useCache = false;
    EvalRunner runner(*m_client, *m_store);
    QSignalSpy finished(&runner, &EvalRunner::finished);
    QString error;
    QVERIFY2(start(runner, evalDefinition(criteria), runDefinition(n, type.toStdString()), options, &error),
             qPrintable(error));
    QVERIFY(finished.wait(kWaitMs));
    QCOMPARE(finished.first().at(2).toString(), QStringLiteral("completed"));
    const RunSummary summary = finished.first().at(1).value<RunSummary>();
    const qint64 runId = finished.first().at(0).toLongLong();
    verifyCountsAddUp(runId, summary, n);
    QCOMPARE(m_server->pendingBehaviours(), qsizetype(0)); // every scripted fault was met

    if (fault == QLatin1String("malformed grader JSON")) {
        // The grader's answer is unusable: graded as failed with the reason kept, not errored.
        QCOMPARE(summary.errored, qint64(0));
        QCOMPARE(summary.passed, qint64(0));
        for (const OutputItemRecord &item : m_store->items(runId)) {
            QCOMPARE(item.status, QStringLiteral("fail"));
            QVERIFY(!item.results[1].value("invalid_reason", std::string()).empty());
        }
        return;
    }
    QCOMPARE(summary.errored, expectErrored);
    if (expectPassed >= 0)
        QCOMPARE(summary.passed, expectPassed);
    if (expectErrored > 0) {
        for (const OutputItemRecord &item : m_store->items(runId)) {
            if (item.status == QLatin1String("error")) {
                QVERIFY2(item.error.startsWith(QStringLiteral("sampling failed")), qPrintable(item.error));
                QVERIFY(item.sample["error"].is_object());
                QCOMPARE(item.sample["error"]["code"], json("malformed_response"));
            }
        }
    }
}

void TestEvalRunner::timeoutErrorsTheItemWithItsReason()
{
    m_client->setRetryPolicy(fastRetries(0));
    Behaviour slow;
    slow.responseDelayMs = 2000;
    m_server->enqueue(slow);
    RunnerOptions options;
    options.concurrency = 1;
    options.requestTimeoutMs = 150;
    options.useCache = false;
    const Outcome outcome = runToEnd(evalDefinition(), runDefinition(3), options);
    QCOMPARE(outcome.status, QStringLiteral("completed"));
    QCOMPARE(outcome.summary.errored, qint64(1));
    verifyCountsAddUp(outcome.runId, outcome.summary, 3);
    const OutputItemRecord first = m_store->items(outcome.runId).front();
    QCOMPARE(first.status, QStringLiteral("error"));
    QCOMPARE(first.sample["error"]["code"], json("timeout"));
    QVERIFY(first.error.contains(QStringLiteral("0.1 s")) || first.error.contains(QStringLiteral("within")));
}

void TestEvalRunner::jsonlRowsAreGradedWithoutSampling()
{
    json content = json::array();
    for (int i = 0; i < 4; ++i) {
        const json item = makeItem(i);
        content.push_back({{"item", item}, {"sample", {{"output_text", item["answer"]}, {"model", "recorded-model"}}}});
    }
    const json runDef = {{"name", "recorded"},
                         {"data_source", {{"type", "jsonl"}, {"source", {{"type", "file_content"}, {"content", content}}}}}};
    const Outcome outcome = runToEnd(evalDefinition(), runDef);
    QCOMPARE(outcome.status, QStringLiteral("completed"));
    QCOMPARE(samplingRequests(), 0);
    QCOMPARE(outcome.summary.passed, expectedPasses(4));
    QCOMPARE(outcome.summary.perModelUsage.size(), std::size_t(0));
    verifyCountsAddUp(outcome.runId, outcome.summary, 4);
    const OutputItemRecord second = m_store->items(outcome.runId)[1];
    QCOMPARE(second.sample["output"][0]["content"], json("no"));
}

QTEST_GUILESS_MAIN(TestEvalRunner)
#include "tst_eval_runner.moc"
