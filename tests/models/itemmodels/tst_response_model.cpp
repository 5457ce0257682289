#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QtTest>

#include "fakes/fake_openai_server.h"
#include "models/api/api_client.h"
#include "models/itemmodels/response_model.h"

using assay::api::ApiError;
using assay::api::OutputDelta;
using assay::api::ResponseResult;
using assay::api::TokenUsage;
using assay::itemmodels::ResponseModel;
using PartKind = ResponseModel::PartKind;

namespace {

OutputDelta delta(OutputDelta::Kind kind, const std::string &text, int index = 0)
{
    return OutputDelta{kind, index, text};
}

PartKind kindAt(const ResponseModel &model, int row)
{
    return static_cast<PartKind>(model.index(row).data(ResponseModel::KindRole).toInt());
}

assay::prompt::Pricing testPricing()
{
    return assay::prompt::Pricing::fromJson(nlohmann::json::parse(R"({"models": [
        {"model": "gpt-test", "input": 2.0, "cached_input": 0.5, "output": 8.0},
        {"model": "gpt-test-mini", "input": 0.4, "cached_input": 0.1, "output": 1.6}]})"));
}

} // namespace

class TestResponseModel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void textDeltasGrowOneRowWithoutResets();
    void partsKeepArrivalOrderAndRoles();
    void finalResultFillsWhatDeltasMissed();
    void metricsAndCostComeFromTheResult();
    void errorKeepsPartialOutput();
    void clearForgetsTheRun();
    void followsARealCallAgainstTheFakeServer();
};

void TestResponseModel::textDeltasGrowOneRowWithoutResets()
{
    ResponseModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);

    const std::vector<std::string> pieces{"Hel", "lo, ", "wor", "ld", "!"};
    for (const std::string &piece : pieces)
        model.applyDelta(delta(OutputDelta::Kind::Text, piece));

    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(changed.count(), static_cast<int>(pieces.size()) - 1); // the first piece inserted the row
    for (const QList<QVariant> &args : changed) {
        QCOMPARE(args.at(0).toModelIndex().row(), 0);
        QCOMPARE(args.at(1).toModelIndex().row(), 0);
    }
    QCOMPARE(reset.count(), 0);
    QCOMPARE(model.text(), QStringLiteral("Hello, world!"));
    QCOMPARE(model.index(0).data(ResponseModel::TextRole).toString(), QStringLiteral("Hello, world!"));
}

void TestResponseModel::partsKeepArrivalOrderAndRoles()
{
    ResponseModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.applyDelta(delta(OutputDelta::Kind::ReasoningSummary, "Thinking about "));
    model.applyDelta(delta(OutputDelta::Kind::ReasoningSummary, "weather."));
    model.applyDelta(delta(OutputDelta::Kind::Text, "Let me check.", 1));
    model.applyDelta(delta(OutputDelta::Kind::ToolCallStarted, "get_weather", 2));
    model.applyDelta(delta(OutputDelta::Kind::ToolCallArguments, "{\"city\":", 2));
    model.applyDelta(delta(OutputDelta::Kind::ToolCallStarted, "get_time", 3));
    model.applyDelta(delta(OutputDelta::Kind::ToolCallArguments, "{\"tz\":\"UTC\"}", 3));
    model.applyDelta(delta(OutputDelta::Kind::ToolCallArguments, "\"Paris\"}", 2));
    model.applyDelta(delta(OutputDelta::Kind::Refusal, "I can't share that."));

    QCOMPARE(model.rowCount(), 5);
    QCOMPARE(kindAt(model, 0), PartKind::ReasoningSummary);
    QCOMPARE(model.partText(0), QStringLiteral("Thinking about weather."));
    QCOMPARE(kindAt(model, 1), PartKind::Text);
    QCOMPARE(kindAt(model, 2), PartKind::ToolCall);
    QCOMPARE(model.index(2).data(ResponseModel::ToolNameRole).toString(), QStringLiteral("get_weather"));
    QCOMPARE(model.partText(2), QStringLiteral("{\"city\":\"Paris\"}"));
    QCOMPARE(model.index(3).data(ResponseModel::ToolNameRole).toString(), QStringLiteral("get_time"));
    QCOMPARE(model.partText(3), QStringLiteral("{\"tz\":\"UTC\"}"));
    QCOMPARE(kindAt(model, 4), PartKind::Refusal);
    QVERIFY(!model.index(1).data(ResponseModel::ToolNameRole).isValid());
}

void TestResponseModel::finalResultFillsWhatDeltasMissed()
{
    ResponseModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.applyDelta(delta(OutputDelta::Kind::Text, "The answer is"));
    model.applyDelta(delta(OutputDelta::Kind::ToolCallStarted, "", 1)); // name not streamed yet

    ResponseResult result;
    result.outputText = "The answer is 42.";
    result.reasoningSummary = "Counted.";
    result.toolCalls.push_back({"call_1", "fc_1", "lookup", "{\"q\":1}"});
    model.applyResult(result);

    QCOMPARE(model.text(), QStringLiteral("The answer is 42."));
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(kindAt(model, 1), PartKind::ToolCall);
    QCOMPARE(model.index(1).data(ResponseModel::ToolNameRole).toString(), QStringLiteral("lookup"));
    QCOMPARE(model.index(1).data(ResponseModel::ToolCallIdRole).toString(), QStringLiteral("call_1"));
    QCOMPARE(model.partText(1), QStringLiteral("{\"q\":1}"));
    QCOMPARE(kindAt(model, 2), PartKind::ReasoningSummary);

    // A non-streamed answer: every part comes from the result.
    ResponseModel plain;
    ResponseResult whole;
    whole.outputText = "Just text.";
    plain.applyResult(whole);
    QCOMPARE(plain.rowCount(), 1);
    QCOMPARE(plain.text(), QStringLiteral("Just text."));
}

void TestResponseModel::metricsAndCostComeFromTheResult()
{
    ResponseModel model;
    model.setPricing(testPricing());
    model.setRequestedModel(QStringLiteral("gpt-test"));
    QSignalSpy metrics(&model, &ResponseModel::metricsChanged);

    ResponseResult result;
    result.model = "gpt-test-mini-2026-01-01"; // the server's name wins, matched by prefix
    result.usage = TokenUsage{1'000'000, 400'000, 500'000, 100'000, 7, 3, 1'500'000};
    result.timeToFirstTokenMs = 200;
    result.totalMs = 1200;
    result.systemFingerprint = "fp_abc";
    result.serviceTier = "default";
    result.requestId = QStringLiteral("req_123");
    model.applyResult(result);

    QVERIFY(metrics.count() > 0);
    const ResponseModel::Metrics &m = model.metrics();
    QCOMPARE(m.timeToFirstTokenMs, std::optional<qint64>(200));
    QCOMPARE(m.totalMs, std::optional<qint64>(1200));
    QVERIFY(m.outputTokensPerSecond);
    QCOMPARE(*m.outputTokensPerSecond, 500'000.0); // 500k tokens over the 1 s after the first token
    QCOMPARE(m.usage->cachedInputTokens, 400'000);
    QCOMPARE(m.systemFingerprint, QStringLiteral("fp_abc"));
    QCOMPARE(m.requestId, QStringLiteral("req_123"));
    QCOMPARE(m.model, QStringLiteral("gpt-test-mini-2026-01-01"));
    // gpt-test-mini: 600k uncached * 0.4 + 400k cached * 0.1 + 500k output * 1.6, per 1M.
    QVERIFY(m.costUsd);
    QVERIFY(qAbs(*m.costUsd - (0.24 + 0.04 + 0.8)) < 1e-9);

    // Editing the pricing updates the estimate of the shown run.
    model.setPricing(assay::prompt::Pricing());
    QVERIFY(!model.metrics().costUsd);
}

void TestResponseModel::errorKeepsPartialOutput()
{
    ResponseModel model;
    QSignalSpy errors(&model, &ResponseModel::errorChanged);
    model.markStarted();
    QVERIFY(model.isRunning());
    model.applyDelta(delta(OutputDelta::Kind::Text, "Partial ans"));
    ResponseResult result;
    result.outputText = "Partial ans";
    result.error = ApiError::make(ApiError::Kind::Network, QStringLiteral("Connection closed"));
    model.applyResult(result);

    QCOMPARE(errors.count(), 1);
    QVERIFY(model.error());
    QCOMPARE(model.error()->kind, ApiError::Kind::Network);
    QCOMPARE(model.text(), QStringLiteral("Partial ans"));
    QVERIFY(!model.isRunning());
}

void TestResponseModel::clearForgetsTheRun()
{
    ResponseModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.applyDelta(delta(OutputDelta::Kind::Text, "Old answer"));
    model.setError(ApiError::make(ApiError::Kind::Timeout, QStringLiteral("slow")));
    QSignalSpy errors(&model, &ResponseModel::errorChanged);
    model.clear();
    QCOMPARE(model.rowCount(), 0);
    QVERIFY(!model.error());
    QCOMPARE(errors.count(), 1);
    QVERIFY(!model.metrics().usage);
    QVERIFY(model.text().isEmpty());
}

void TestResponseModel::followsARealCallAgainstTheFakeServer()
{
    assay::testing::FakeOpenAiServer server;
    QVERIFY(server.start());
    assay::testing::Behaviour behaviour;
    behaviour.outputText = "Streaming through the model, one piece at a time.";
    behaviour.maxChunk = 16;
    behaviour.chunkDelayMs = 2;
    server.enqueue(behaviour);

    assay::api::Profile profile;
    profile.baseUrl = server.baseUrl().toString();
    assay::api::ApiClient client;
    ResponseModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy finished(&model, &ResponseModel::runFinished);
    const nlohmann::json body = {{"model", "gpt-test"}, {"input", "Hi"}, {"stream", true}};
    assay::api::ApiCall *call = client.createResponse(profile, QStringLiteral("sk-test"),
                                                      assay::api::ApiKind::Responses, body, 10000);
    model.attach(call);
    QVERIFY(model.isRunning());
    QVERIFY(finished.wait(10000));

    QCOMPARE(model.text(), QString::fromUtf8(behaviour.outputText));
    QVERIFY(changed.count() >= 3); // arrived in pieces, each one a row update
    QVERIFY(model.metrics().usage);
    QVERIFY(model.metrics().usage->outputTokens > 0);
    QVERIFY(model.metrics().requestId.startsWith(QStringLiteral("req_")));
    QVERIFY(model.metrics().timeToFirstTokenMs);
    QVERIFY(!model.error());
    delete call;
}

QTEST_GUILESS_MAIN(TestResponseModel)
#include "tst_response_model.moc"
