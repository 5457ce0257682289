#include <QtTest>

#include <memory>

#include <QProcess>
#include <QTcpServer>

#include "fakes/fake_openai_server.h"
#include "models/api/api_client.h"

using assay::api::ApiCall;
using assay::api::ApiClient;
using assay::api::ApiError;
using assay::api::ApiKind;
using assay::api::OutputDelta;
using assay::api::Profile;
using assay::api::ResponseResult;
using assay::api::RetryPolicy;
using assay::testing::Behaviour;
using assay::testing::FakeOpenAiServer;
using json = nlohmann::json;

namespace {

const QString kKey = QStringLiteral("sk-test-key-123");
const QByteArray kText =
    "Streaming answers arrive one small piece at a time, and the pieces join up exactly.";
constexpr int kWait = 15000;

// Everything an ApiCall told its caller, in order.
struct Watch {
    std::vector<std::string> deltas;
    std::vector<size_t> resultSizeAtDelta; // how much text the call held when each delta came
    std::optional<ResponseResult> result;
    int finishedCount = 0;
    int startedCount = 0;
    QList<int> retryDelays;
    QList<ApiError> retryReasons;
    int headersStatus = 0;
    QString headersRequestId;
};

std::shared_ptr<Watch> watch(ApiCall *call)
{
    auto w = std::make_shared<Watch>();
    QObject::connect(call, &ApiCall::started, call, [w] { ++w->startedCount; });
    QObject::connect(call, &ApiCall::headersReceived, call, [w](int status, const QString &requestId) {
        w->headersStatus = status;
        w->headersRequestId = requestId;
    });
    QObject::connect(call, &ApiCall::deltaReceived, call, [w, call](const OutputDelta &delta) {
        if (delta.kind == OutputDelta::Kind::Text) {
            w->deltas.push_back(delta.text);
            w->resultSizeAtDelta.push_back(call->result().outputText.size());
        }
    });
    QObject::connect(call, &ApiCall::retrying, call, [w](int, int delayMs, const ApiError &reason) {
        w->retryDelays.append(delayMs);
        w->retryReasons.append(reason);
    });
    QObject::connect(call, &ApiCall::finished, call, [w](const ResponseResult &result) {
        ++w->finishedCount;
        w->result = result;
    });
    return w;
}

std::string joined(const std::vector<std::string> &pieces)
{
    std::string all;
    for (const auto &piece : pieces)
        all += piece;
    return all;
}

json responsesBody(bool stream)
{
    return {{"model", "gpt-test"}, {"input", "Say something."}, {"stream", stream}};
}

json chatBody(bool stream)
{
    return {{"model", "gpt-test"},
            {"messages", json::array({{{"role", "user"}, {"content", "Say something."}}})},
            {"stream", stream}};
}

RetryPolicy fastRetries(int maxRetries = 2)
{
    RetryPolicy policy;
    policy.maxRetries = maxRetries;
    policy.initialDelay = std::chrono::milliseconds(10);
    policy.maxDelay = std::chrono::milliseconds(40);
    return policy;
}

} // namespace

class TestApiClient : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void streamsResponsesIncrementally();
    void streamsChatIncrementally();
    void nonStreamingBodies();
    void serverIgnoringStreamStillAnswers();
    void unauthorizedIsNotRetried();
    void unknownModelSaysPickFromTheList();
    void rateLimitHonoursRetryAfterThenSucceeds();
    void serverErrorsAreRetriedWithBackoff();
    void givesUpAfterMaxRetries();
    void droppedStreamKeepsPartialTextAndIsNotRetried();
    void stalledStreamTimesOut();
    void streamStalledBeforeOutputIsRetried();
    void nonStreamingRequestTimesOut();
    void malformedStreamIsReported();
    void streamErrorEventIsReported();
    void cancelMidStreamKeepsPartialOutput();
    void cancelBeforeSending();
    void sendNowSendsAtOnceAndOnlyOnce();
    void takeResultMovesTheAnswerOut();
    void connectionRefusedIsANetworkError();
    void redirectsAreNotFollowed();
    void sendsTheRightHeaders();
    void curlReproducesTheRequest();
    void listsModels();
    void backgroundRetrieveAndCancel();

private:
    Profile profile() const;
    std::unique_ptr<FakeOpenAiServer> m_server;
    std::unique_ptr<ApiClient> m_client;
};

void TestApiClient::init()
{
    m_server = std::make_unique<FakeOpenAiServer>();
    QVERIFY(m_server->start());
    m_server->setRandomSeed(static_cast<quint32>(QTest::currentTestFunction()[0]) * 7919u + 17u);
    m_client = std::make_unique<ApiClient>();
    m_client->setRetryPolicy(fastRetries());
}

void TestApiClient::cleanup()
{
    m_client.reset();
    m_server.reset();
}

Profile TestApiClient::profile() const
{
    Profile p;
    p.name = QStringLiteral("Fake");
    p.baseUrl = m_server->baseUrl().toString();
    p.keySource = Profile::KeySource::Keychain;
    return p;
}

void TestApiClient::streamsResponsesIncrementally()
{
    Behaviour behaviour;
    behaviour.outputText = kText;
    behaviour.maxChunk = 64; // events split at random byte positions, mid-line and mid-JSON
    behaviour.chunkDelayMs = 1;
    m_server->enqueue(behaviour);

    ApiCall *call = m_client->createResponse(profile(), kKey, ApiKind::Responses, responsesBody(true), 10000);
    auto w = watch(call);
    QTRY_VERIFY_WITH_TIMEOUT(w->result.has_value(), kWait);

    const ResponseResult &result = *w->result;
    QVERIFY2(result.succeeded(), qPrintable(result.error ? result.error->summary() : QString()));
    QCOMPARE(QByteArray::fromStdString(result.outputText), kText);
    QVERIFY(w->deltas.size() > 3);
    QCOMPARE(QByteArray::fromStdString(joined(w->deltas)), kText);
    // Incremental: when the first piece arrived, the call did not yet hold the whole answer.
    QVERIFY(w->resultSizeAtDelta.front() < result.outputText.size());
    QVERIFY(!result.responseId.empty());
    QCOMPARE(result.status, std::string("completed"));
    QVERIFY(result.usage.has_value());
    QCOMPARE(result.httpStatus, 200);
    QVERIFY(result.requestId.startsWith(QLatin1String("req_")));
    QCOMPARE(w->headersRequestId, result.requestId);
    QCOMPARE(result.retries, 0);
    QVERIFY(result.timeToFirstTokenMs.has_value() && result.totalMs.has_value());
    QVERIFY(*result.timeToFirstTokenMs <= *result.totalMs);
    QCOMPARE(w->finishedCount, 1);
    QCOMPARE(w->startedCount, 1);
    QVERIFY(!call->isRunning());

    QCOMPARE(m_server->requests().size(), 1);
    const auto &request = m_server->requests().constFirst();
    QCOMPARE(request.method, QByteArray("POST"));
    QCOMPARE(request.path, QByteArray("/v1/responses"));
    QCOMPARE(request.json(), responsesBody(true));
    QCOMPARE(request.header("accept"), QByteArray("text/event-stream"));

    // The inspector holds the raw stream and the response headers.
    QVERIFY(call->record().responseBody.contains("response.output_text.delta"));
    QCOMPARE(call->record().status, 200);
    QVERIFY(!call->record().responseHeaders.isEmpty());
}

void TestApiClient::streamsChatIncrementally()
{
    Behaviour behaviour;
    behaviour.outputText = kText;
    behaviour.maxChunk = 48;
    behaviour.chunkDelayMs = 1;
    m_server->enqueue(behaviour);

    ApiCall *call =
        m_client->createResponse(profile(), kKey, ApiKind::ChatCompletions, chatBody(true), 10000);
    auto w = watch(call);
    QTRY_VERIFY_WITH_TIMEOUT(w->result.has_value(), kWait);

    const ResponseResult &result = *w->result;
    QVERIFY2(result.succeeded(), qPrintable(result.error ? result.error->summary() : QString()));
    QCOMPARE(result.api, ApiKind::ChatCompletions);
    QCOMPARE(QByteArray::fromStdString(result.outputText), kText);
    QVERIFY(w->deltas.size() > 3);
    QCOMPARE(QByteArray::fromStdString(joined(w->deltas)), kText);
    QVERIFY(w->resultSizeAtDelta.front() < result.outputText.size());
    QCOMPARE(result.finishReason, std::string("stop"));
    QCOMPARE(m_server->requests().constFirst().path, QByteArray("/v1/chat/completions"));
    QCOMPARE(w->finishedCount, 1);
}

void TestApiClient::nonStreamingBodies()
{
    Behaviour behaviour;
    behaviour.outputText = kText;
    m_server->enqueue(behaviour);
    m_server->enqueue(behaviour);

    ApiCall *responses =
        m_client->createResponse(profile(), kKey, ApiKind::Responses, responsesBody(false), 10000);
    auto r = watch(responses);
    ApiCall *chat =
        m_client->createResponse(profile(), kKey, ApiKind::ChatCompletions, chatBody(false), 10000);
    auto c = watch(chat);
    QTRY_VERIFY_WITH_TIMEOUT(r->result.has_value() && c->result.has_value(), kWait);

    for (const auto &w : {r, c}) {
        QVERIFY2(w->result->succeeded(),
                 qPrintable(w->result->error ? w->result->error->summary() : QString()));
        QCOMPARE(QByteArray::fromStdString(w->result->outputText), kText);
        QVERIFY(w->deltas.empty());
        QVERIFY(w->result->usage.has_value());
        QVERIFY(w->result->requestId.startsWith(QLatin1String("req_")));
        QVERIFY(!w->result->rawResponse.is_null());
        // The x-ratelimit-* headers survive the body replacing the result (the eval runner paces on them).
        QCOMPARE(w->result->rateLimit.limitRequests, std::optional<qint64>(10000));
        QVERIFY(w->result->rateLimit.remainingRequests.has_value());
        QVERIFY(*w->result->rateLimit.remainingRequests < 10000);
        QCOMPARE(w->result->rateLimit.resetRequestsMs, std::optional<qint64>(6));
    }
    QCOMPARE(r->result->api, ApiKind::Responses);
    QCOMPARE(c->result->api, ApiKind::ChatCompletions);
    for (const auto &request : m_server->requests())
        QCOMPARE(request.header("accept"), QByteArray("application/json"));
}

void TestApiClient::serverIgnoringStreamStillAnswers()
{
    // Some OpenAI-compatible servers answer `stream: true` with one JSON body.
    Behaviour plain;
    plain.outputText = kText;
    m_server->enqueue(plain);
    ApiCall *first =
        m_client->createResponse(profile(), kKey, ApiKind::Responses, responsesBody(false), 10000);
    auto f = watch(first);
    QTRY_VERIFY_WITH_TIMEOUT(f->result.has_value(), kWait);
    QVERIFY(f->result->succeeded());
    const QByteArray body = QByteArray::fromStdString(f->result->rawResponse.dump());

    Behaviour raw;
    raw.kind = Behaviour::Kind::RawResponse;
    raw.raw =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nx-request-id: req_raw\r\nContent-Length: " +
        QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    m_server->enqueue(raw);
    ApiCall *call = m_client->createResponse(profile(), kKey, ApiKind::Responses, responsesBody(true), 10000);
    auto w = watch(call);
    QTRY_VERIFY_WITH_TIMEOUT(w->result.has_value(), kWait);
    QVERIFY2(w->result->succeeded(), qPrintable(w->result->error ? w->result->error->summary() : QString()));
    QCOMPARE(QByteArray::fromStdString(w->result->outputText), kText);
    QCOMPARE(w->result->requestId, QStringLiteral("req_raw"));
}

void TestApiClient::unauthorizedIsNotRetried()
{
    m_server->enqueue(Behaviour::unauthorized());
    ApiCall *call = m_client->createResponse(profile(), kKey, ApiKind::Responses, responsesBody(true), 10000);
    auto w = watch(call);
    QTRY_VERIFY_WITH_TIMEOUT(w->result.has_value(), kWait);

    QVERIFY(w->result->error.has_value());
    const ApiError &error = *w->result->error;
    QCOMPARE(error.kind, ApiError::Kind::Http);
    QCOMPARE(error.httpStatus, 401);
    QCOMPARE(error.code, QStringLiteral("invalid_api_key"));
    QVERIFY(!error.message.isEmpty());
    QVERIFY(error.requestId.startsWith(QLatin1String("req_")));
    QVERIFY(error.advice().contains(QLatin1String("API key")));
    QCOMPARE(w->result->retries, 0);
    QCOMPARE(w->result->httpStatus, 401);
    QVERIFY(w->retryDelays.isEmpty());
    QCOMPARE(m_server->requests().size(), 1);
    QVERIFY(call->record().responseBody.contains("invalid_api_key"));
}

void TestApiClient::unknownModelSaysPickFromTheList()
{
    m_server->enqueue(Behaviour::modelNotFound("gpt-nope"));
    ApiCall *call =
        m_client->createResponse(profile(), kKey, ApiKind::Responses, responsesBody(false), 10000);
    auto w = watch(call);
    QTRY_VERIFY_WITH_TIMEOUT(w->result.has_value(), kWait);
    QVERIFY(w->result->error.has_value());
    QCOMPARE(w->result->error->httpStatus, 404);
    QCOMPARE(w->result->error->code, QStringLiteral("model_not_found"));
    QVERIFY(w->result->error->message.contains(QLatin1String("gpt-nope")));
    QVERIFY(w->result->error->advice().contains(QLatin1String("Refresh models")));
    QCOMPARE(m_server->requests().size(), 1);
}

void TestApiClient::rateLimitHonoursRetryAfterThenSucceeds()
{
    m_client->setRetryPolicy(RetryPolicy{}); // real backoff; the server's hint must win
    m_server->enqueue(Behaviour::rateLimited("0.05"));
    Behaviour ok;
    ok.outputText = kText;
    m_server->enqueue(ok);

    ApiCall *call = m_client->createResponse(profile(), kKey, ApiKind::Responses, responsesBody(true), 10000);
    auto w = watch(call);
    QTRY_VERIFY_WITH_TIMEOUT(w->result.has_value(), kWait);
    QVERIFY2(w->result->succeeded(), qPrintable(w->result->error ? w->result->error->summary() : QString()));
    QCOMPARE(QByteArray::fromStdString(w->result->outputText), kText);
    QCOMPARE(m_server->requests().size(), 2);
    QCOMPARE(w->result->retries, 1);
    QCOMPARE(w->retryDelays, QList<int>{50});
    QCOMPARE(w->retryReasons.constFirst().httpStatus, 429);
    QCOMPARE(w->startedCount, 2);
    QCOMPARE(w->finishedCount, 1);
}

void TestApiClient::serverErrorsAreRetriedWithBackoff()
{
    m_server->enqueue(Behaviour::serverError(500));
    m_server->enqueue(Behaviour::serverError(500));
    ApiCall *call =
        m_client->createResponse(profile(), kKey, ApiKind::ChatCompletions, chatBody(false), 10000);
    auto w = watch(call);
    QTRY_VERIFY_WITH_TIMEOUT(w->result.has_value(), kWait);
    QVERIFY2(w->result->succeeded(), qPrintable(w->result->error ? w->result->error->summary() : QString()));
    QCOMPARE(m_server->requests().size(), 3);
    QCOMPARE(w->result->retries, 2);
    QCOMPARE(w->retryDelays.size(), 2);
    // 10 ms then 20 ms, less up to 25% jitter.
    QVERIFY(w->retryDelays.at(0) >= 7 && w->retryDelays.at(0) <= 10);
    QVERIFY(w->retryDelays.at(1) >= 15 && w->retryDelays.at(1) <= 20);
}

void TestApiClient::givesUpAfterMaxRetries()
{
    for (int i = 0; i < 3; ++i)
        m_server->enqueue(Behaviour::serverError(503));
    ApiCall *call = m_client->createResponse(profile(), kKey, ApiKind::Responses, responsesBody(true), 10000);
    auto w = watch(call);
    QTRY_VERIFY_WITH_TIMEOUT(w->result.has_value(), kWait);
    QVERIFY(w->result->error.has_value());
    QCOMPARE(w->result->error->httpStatus, 503);
    QCOMPARE(w->result->retries, 2);
    QCOMPARE(m_server->requests().size(), 3);
    QCOMPARE(w->finishedCount, 1);
}

void TestApiClient::droppedStreamKeepsPartialTextAndIsNotRetried()
{
    Behaviour drop;
    drop.kind = Behaviour::Kind::DropMidStream;
    drop.outputText = kText;
    drop.dropAfterEvents = 7; // created, in_progress, item, part, then three deltas
    m_server->enqueue(drop);

    ApiCall *call = m_client->createResponse(profile(), kKey, ApiKind::Responses, responsesBody(true), 10000);
    auto w = watch(call);
    QTRY_VERIFY_WITH_TIMEOUT(w->result.has_value(), kWait);

    QVERIFY(w->result->error.has_value());
    const ApiError &error = *w->result->error;
    QVERIFY2(error.kind == ApiError::Kind::Network || error.kind == ApiError::Kind::MalformedResponse,
             qPrintable(error.summary()));
    QVERIFY2(error.message.contains(QLatin1String("cut after 7 events")), qPrintable(error.message));
    QVERIFY(error.message.contains(QLatin1String("partial text is kept")));
    const QByteArray partial = QByteArray::fromStdString(w->result->outputText);
    QVERIFY(!partial.isEmpty());
    QVERIFY(partial.size() < kText.size());
    QVERIFY(kText.startsWith(partial));
    QCOMPARE(QByteArray::fromStdString(joined(w->deltas)), partial);
    QCOMPARE(m_server->requests().size(), 1);
    QCOMPARE(w->result->retries, 0);
    QVERIFY(w->retryDelays.isEmpty());
}

void TestApiClient::stalledStreamTimesOut()
{
    Behaviour stall;
    stall.kind = Behaviour::Kind::StallMidStream;
    stall.outputText = kText;
    stall.dropAfterEvents = 6;
    m_server->enqueue(stall);

    ApiCall *call = m_client->createResponse(profile(), kKey, ApiKind::Responses, responsesBody(true), 300);
    auto w = watch(call);
    QTRY_VERIFY_WITH_TIMEOUT(w->result.has_value(), kWait);
    QVERIFY(w->result->error.has_value());
    QCOMPARE(w->result->error->kind, ApiError::Kind::Timeout);
    QVERIFY(!w->result->outputText.empty());
    QVERIFY(w->result->error->message.contains(QLatin1String("partial text is kept")));
    QCOMPARE(m_server->requests().size(), 1);
}

void TestApiClient::streamStalledBeforeOutputIsRetried()
{
    Behaviour stall;
    stall.kind = Behaviour::Kind::StallMidStream;
    stall.dropAfterEvents = 1;
    m_server->enqueue(stall);
    Behaviour ok;
    ok.outputText = kText;
    m_server->enqueue(ok);

    ApiCall *call = m_client->createResponse(profile(), kKey, ApiKind::Responses, responsesBody(true), 300);
    auto w = watch(call);
    QTRY_VERIFY_WITH_TIMEOUT(w->result.has_value(), kWait);
    QVERIFY2(w->result->succeeded(), qPrintable(w->result->error ? w->result->error->summary() : QString()));
    QCOMPARE(QByteArray::fromStdString(w->result->outputText), kText);
    QCOMPARE(w->result->retries, 1);
    QCOMPARE(w->retryReasons.constFirst().kind, ApiError::Kind::Timeout);
    QCOMPARE(m_server->requests().size(), 2);
}

void TestApiClient::nonStreamingRequestTimesOut()
{
    m_client->setRetryPolicy(fastRetries(0));
    Behaviour slow;
    slow.responseDelayMs = 5000;
    m_server->enqueue(slow);
    ApiCall *call = m_client->createResponse(profile(), kKey, ApiKind::Responses, responsesBody(false), 200);
    auto w = watch(call);
    QTRY_VERIFY_WITH_TIMEOUT(w->result.has_value(), kWait);
    QVERIFY(w->result->error.has_value());
    QCOMPARE(w->result->error->kind, ApiError::Kind::Timeout);
    QVERIFY(w->result->error->advice().contains(QLatin1String("timeout")));
}

void TestApiClient::malformedStreamIsReported()
{
    Behaviour bad;
    bad.kind = Behaviour::Kind::MalformedStream;
    m_server->enqueue(bad);
    ApiCall *call = m_client->createResponse(profile(), kKey, ApiKind::Responses, responsesBody(true), 10000);
    auto w = watch(call);
    QTRY_VERIFY_WITH_TIMEOUT(w->result.has_value(), kWait);
    QVERIFY(w->result->error.has_value());
    QCOMPARE(w->result->error->kind, ApiError::Kind::MalformedResponse);
    QVERIFY(!w->result->error->message.isEmpty());
    QCOMPARE(m_server->requests().size(), 1);
    QCOMPARE(w->finishedCount, 1);
}

void TestApiClient::streamErrorEventIsReported()
{
    Behaviour raw;
    raw.kind = Behaviour::Kind::RawResponse;
    raw.raw = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nx-request-id: req_err\r\nConnection: "
              "close\r\n\r\n"
              "event: error\n"
              "data: {\"type\":\"error\",\"code\":\"server_error\",\"message\":\"The server had an error "
              "while processing "
              "your request.\",\"param\":null,\"sequence_number\":0}\n\n";
    m_server->enqueue(raw);
    ApiCall *call = m_client->createResponse(profile(), kKey, ApiKind::Responses, responsesBody(true), 10000);
    auto w = watch(call);
    QTRY_VERIFY_WITH_TIMEOUT(w->result.has_value(), kWait);
    QVERIFY(w->result->error.has_value());
    const ApiError &error = *w->result->error;
    QCOMPARE(error.kind, ApiError::Kind::StreamError);
    QCOMPARE(error.code, QStringLiteral("server_error"));
    QVERIFY(error.message.contains(QLatin1String("while processing")));
    QCOMPARE(error.requestId, QStringLiteral("req_err"));
    QCOMPARE(m_server->requests().size(), 1);
}

void TestApiClient::cancelMidStreamKeepsPartialOutput()
{
    Behaviour slow;
    slow.outputText = kText;
    slow.chunkDelayMs = 40;
    m_server->enqueue(slow);

    ApiCall *call = m_client->createResponse(profile(), kKey, ApiKind::Responses, responsesBody(true), 10000);
    auto w = watch(call);
    connect(call, &ApiCall::deltaReceived, call, &ApiCall::cancel); // stop at the first piece
    QTRY_VERIFY_WITH_TIMEOUT(w->result.has_value(), kWait);

    QVERIFY(w->result->error.has_value());
    QCOMPARE(w->result->error->kind, ApiError::Kind::Cancelled);
    QCOMPARE(w->deltas.size(), size_t(1));
    QCOMPARE(w->result->outputText, w->deltas.front());
    QVERIFY(w->result->outputText.size() < static_cast<size_t>(kText.size()));
    QVERIFY(!call->isRunning());

    call->cancel();    // a second cancel changes nothing
    QTest::qWait(200); // the server keeps writing for a while: none of it may arrive
    QCOMPARE(w->deltas.size(), size_t(1));
    QCOMPARE(w->finishedCount, 1);
}

void TestApiClient::cancelBeforeSending()
{
    ApiCall *call = m_client->createResponse(profile(), kKey, ApiKind::Responses, responsesBody(true), 10000);
    auto w = watch(call);
    call->cancel();
    QVERIFY(w->result.has_value());
    QCOMPARE(w->result->error->kind, ApiError::Kind::Cancelled);
    QVERIFY(!w->result->totalMs.has_value());
    QTest::qWait(100);
    QCOMPARE(w->startedCount, 0);
    QCOMPARE(w->finishedCount, 1);
    QCOMPARE(m_server->requests().size(), 0);
}

void TestApiClient::sendNowSendsAtOnceAndOnlyOnce()
{
    ApiCall *call = m_client->createResponse(profile(), kKey, ApiKind::Responses, responsesBody(false), 10000);
    auto w = watch(call);
    call->sendNow();
    QCOMPARE(w->startedCount, 1); // before any event was processed
    call->sendNow();
    QTRY_VERIFY_WITH_TIMEOUT(w->result.has_value(), kWait);
    QVERIFY(w->result->succeeded());
    QTest::qWait(100); // the send queued by the constructor has had its turn by now
    QCOMPARE(w->startedCount, 1);
    QCOMPARE(w->finishedCount, 1);
    QCOMPARE(m_server->requests().size(), 1);
}

void TestApiClient::takeResultMovesTheAnswerOut()
{
    Behaviour behaviour;
    behaviour.outputText = kText;
    m_server->enqueue(behaviour);
    ApiCall *call = m_client->createResponse(profile(), kKey, ApiKind::Responses, responsesBody(false), 10000);
    std::optional<ResponseResult> taken;
    QObject::connect(call, &ApiCall::finished, call, [call, &taken] { taken = call->takeResult(); });
    QTRY_VERIFY_WITH_TIMEOUT(taken.has_value(), kWait);
    QCOMPARE(QByteArray::fromStdString(taken->outputText), kText);
    QVERIFY(taken->rawResponse.is_object());
    QVERIFY(taken->requestId.startsWith(QLatin1String("req_")));
    QVERIFY(call->result().rawResponse.is_null());
    QVERIFY(call->result().outputText.empty());
    delete call;
}

void TestApiClient::connectionRefusedIsANetworkError()
{
    QTcpServer closed;
    QVERIFY(closed.listen(QHostAddress::LocalHost));
    const quint16 port = closed.serverPort();
    closed.close();

    Profile p = profile();
    p.baseUrl = QStringLiteral("http://127.0.0.1:%1/v1").arg(port);
    ApiCall *call = m_client->createResponse(p, kKey, ApiKind::Responses, responsesBody(true), 10000);
    auto w = watch(call);
    QTRY_VERIFY_WITH_TIMEOUT(w->result.has_value(), kWait);
    QVERIFY(w->result->error.has_value());
    const ApiError &error = *w->result->error;
    QCOMPARE(error.kind, ApiError::Kind::Network);
    QVERIFY2(error.message.contains(QString::number(port)), qPrintable(error.message));
    QVERIFY(error.advice().contains(QLatin1String("base URL")));
    QCOMPARE(w->result->retries, 2); // the SDKs retry connection errors
    QCOMPARE(w->result->httpStatus, 0);
}

void TestApiClient::redirectsAreNotFollowed()
{
    // Following it could carry the Authorization header to another host.
    Behaviour raw;
    raw.kind = Behaviour::Kind::RawResponse;
    raw.raw = "HTTP/1.1 307 Temporary Redirect\r\nLocation: http://127.0.0.1:9/v1/responses\r\n"
              "Content-Length: 0\r\nConnection: close\r\n\r\n";
    m_server->enqueue(raw);
    ApiCall *call =
        m_client->createResponse(profile(), kKey, ApiKind::Responses, responsesBody(false), 10000);
    auto w = watch(call);
    QTRY_VERIFY_WITH_TIMEOUT(w->result.has_value(), kWait);
    QVERIFY(w->result->error.has_value());
    QCOMPARE(w->result->error->httpStatus, 307);
    QVERIFY(w->result->error->message.contains(QLatin1String("127.0.0.1:9")));
    QVERIFY(w->result->error->advice().contains(QLatin1String("base URL")));
    QCOMPARE(m_server->requests().size(), 1);
}

void TestApiClient::sendsTheRightHeaders()
{
    Profile p = profile();
    p.organization = QStringLiteral("org_xyz");
    p.project = QStringLiteral("proj_abc");
    p.extraHeaders = {{QStringLiteral("X-Trace"), QStringLiteral("t-1")}};
    ApiCall *call = m_client->createResponse(p, kKey, ApiKind::Responses, responsesBody(true), 10000);
    auto w = watch(call);
    QTRY_VERIFY_WITH_TIMEOUT(w->result.has_value(), kWait);
    QVERIFY(w->result->succeeded());

    const auto &request = m_server->requests().constFirst();
    QCOMPARE(request.header("authorization"), QByteArray("Bearer ") + kKey.toUtf8());
    QCOMPARE(request.header("openai-organization"), QByteArray("org_xyz"));
    QCOMPARE(request.header("openai-project"), QByteArray("proj_abc"));
    QCOMPARE(request.header("x-trace"), QByteArray("t-1"));
    QCOMPARE(request.header("content-type"), QByteArray("application/json"));
    QCOMPARE(request.header("user-agent"), QByteArray("Assay/" ASSAY_VERSION));

    // The inspector shows the same request, with the key replaced.
    const auto &record = call->record();
    QCOMPARE(record.method, QStringLiteral("POST"));
    QCOMPARE(record.url, p.endpoint(QStringLiteral("responses")).toString());
    bool sawAuthorization = false;
    for (const auto &[name, value] : record.requestHeaders) {
        QVERIFY(!value.contains(kKey.toUtf8()));
        if (name.compare("authorization", Qt::CaseInsensitive) == 0) {
            sawAuthorization = true;
            QCOMPARE(value, QByteArray("Bearer [REDACTED]"));
        }
    }
    QVERIFY(sawAuthorization);
    QVERIFY(!record.toCurl().contains(kKey));

    // No key (a local server): no Authorization header at all.
    m_server->setRequireApiKey(false);
    Profile local = profile();
    local.keySource = Profile::KeySource::None;
    ApiCall *anonymous =
        m_client->createResponse(local, QString(), ApiKind::Responses, responsesBody(false), 10000);
    auto a = watch(anonymous);
    QTRY_VERIFY_WITH_TIMEOUT(a->result.has_value(), kWait);
    QVERIFY(a->result->succeeded());
    QVERIFY(m_server->requests().constLast().header("authorization").isEmpty());
}

void TestApiClient::curlReproducesTheRequest()
{
    json body = responsesBody(false);
    body["input"] = "It's a \"quoted\" line,\nthen $HOME and `uname` and a backslash \\ — ünïcode.";
    ApiCall *call = m_client->createResponse(profile(), kKey, ApiKind::Responses, body, 10000);
    auto w = watch(call);
    QTRY_VERIFY_WITH_TIMEOUT(w->result.has_value(), kWait);
    const QString curl = call->record().toCurl();
    QVERIFY(curl.contains(QLatin1String("$OPENAI_API_KEY")));

    // Run the command line through a real shell with `curl` replaced by a function that prints
    // its arguments: the shell must hand curl exactly the body that was sent.
    QProcess shell;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("OPENAI_API_KEY"), QStringLiteral("sk-from-the-environment"));
    shell.setProcessEnvironment(env);
    const QString script = QStringLiteral("curl() { for a in \"$@\"; do printf '%s\\0' \"$a\"; done; }\n") +
                           curl + QLatin1Char('\n');
    shell.start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), script});
    QVERIFY(shell.waitForFinished(10000));
    QCOMPARE(shell.exitCode(), 0);
    const QList<QByteArray> args = shell.readAllStandardOutput().split('\0');
    const qsizetype data = args.indexOf(QByteArray("-d"));
    QVERIFY(data >= 0 && data + 1 < args.size());
    QCOMPARE(args.at(data + 1), m_server->requests().constFirst().body);
    QVERIFY(args.contains(QByteArray("Authorization: Bearer sk-from-the-environment")));
    QVERIFY(args.contains(profile().endpoint(QStringLiteral("responses")).toString().toUtf8()));
}

void TestApiClient::listsModels()
{
    std::optional<json> models;
    std::optional<ApiError> failure;
    bool called = false;
    m_client->listModels(profile(), kKey, [&](json list, std::optional<ApiError> error) {
        called = true;
        models = std::move(list);
        failure = std::move(error);
    });
    QTRY_VERIFY_WITH_TIMEOUT(called, kWait);
    QVERIFY2(!failure, qPrintable(failure ? failure->summary() : QString()));
    QVERIFY(models->is_array());
    QVERIFY(!models->empty());
    for (const auto &model : *models)
        QVERIFY(model.contains("id") && model["id"].is_string());
    QCOMPARE(m_server->requests().constLast().method, QByteArray("GET"));
    QCOMPARE(m_server->requests().constLast().path, QByteArray("/v1/models"));

    // An error reaches the callback too.
    m_server->enqueue(Behaviour::unauthorized());
    called = false;
    m_client->listModels(profile(), kKey, [&](json list, std::optional<ApiError> error) {
        called = true;
        models = std::move(list);
        failure = std::move(error);
    });
    QTRY_VERIFY_WITH_TIMEOUT(called, kWait);
    QVERIFY(failure.has_value());
    QCOMPARE(failure->httpStatus, 401);
    QVERIFY(models->empty());
}

void TestApiClient::backgroundRetrieveAndCancel()
{
    json body = responsesBody(false);
    body["background"] = true;
    body["store"] = true;
    ApiCall *create = m_client->createResponse(profile(), kKey, ApiKind::Responses, body, 10000);
    auto c = watch(create);
    QTRY_VERIFY_WITH_TIMEOUT(c->result.has_value(), kWait);
    QVERIFY2(c->result->succeeded(), qPrintable(c->result->error ? c->result->error->summary() : QString()));
    QCOMPARE(c->result->status, std::string("queued"));
    const QString id = QString::fromStdString(c->result->responseId);
    QVERIFY(id.startsWith(QLatin1String("resp_")));

    ApiCall *get = m_client->retrieveResponse(profile(), kKey, id);
    auto g = watch(get);
    QTRY_VERIFY_WITH_TIMEOUT(g->result.has_value(), kWait);
    QVERIFY2(g->result->succeeded(), qPrintable(g->result->error ? g->result->error->summary() : QString()));
    QCOMPARE(g->result->responseId, id.toStdString());
    QCOMPARE(g->result->status, std::string("in_progress"));
    QCOMPARE(m_server->requests().constLast().method, QByteArray("GET"));
    QCOMPARE(m_server->requests().constLast().path, QByteArray("/v1/responses/") + id.toUtf8());

    ApiCall *cancel = m_client->cancelResponse(profile(), kKey, id);
    auto x = watch(cancel);
    QTRY_VERIFY_WITH_TIMEOUT(x->result.has_value(), kWait);
    QVERIFY2(x->result->succeeded(), qPrintable(x->result->error ? x->result->error->summary() : QString()));
    QCOMPARE(x->result->status, std::string("cancelled"));
    QCOMPARE(m_server->requests().constLast().method, QByteArray("POST"));
    QCOMPARE(m_server->requests().constLast().path, QByteArray("/v1/responses/") + id.toUtf8() + "/cancel");

    ApiCall *missing = m_client->retrieveResponse(profile(), kKey, QStringLiteral("resp_does_not_exist"));
    auto m = watch(missing);
    QTRY_VERIFY_WITH_TIMEOUT(m->result.has_value(), kWait);
    QVERIFY(m->result->error.has_value());
    QCOMPARE(m->result->error->httpStatus, 404);
}

QTEST_GUILESS_MAIN(TestApiClient)
#include "tst_api_client.moc"
