// The fake OpenAI server itself: the transport behaviours other tests rely on.
#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QtTest>

#include "fakes/fake_openai_server.h"
#include "support/http_test_client.h"

using assay::testing::Behaviour;
using assay::testing::FakeOpenAiServer;
using assay::testing::HttpResult;
using assay::testing::sendHttp;
using assay::testing::sendJson;
using assay::testing::splitSse;
using nlohmann::json;

namespace {

// Reads a raw HTTP/1.1 response with a chunked body from `socket`: returns the decoded body and
// the chunk sizes, or an empty optional while incomplete. Fails (returns false) on bad framing.
struct Chunked {
    QByteArray head;
    QByteArray body;
    QList<qsizetype> chunkSizes;
    bool complete = false;
    bool malformed = false;
    qsizetype consumed = 0;
};

Chunked decodeChunked(const QByteArray &wire)
{
    Chunked out;
    const qsizetype headEnd = wire.indexOf("\r\n\r\n");
    if (headEnd < 0)
        return out;
    out.head = wire.left(headEnd);
    qsizetype at = headEnd + 4;
    while (true) {
        const qsizetype lineEnd = wire.indexOf("\r\n", at);
        if (lineEnd < 0)
            return out;
        bool ok = false;
        const qsizetype size = wire.mid(at, lineEnd - at).toLongLong(&ok, 16);
        if (!ok) {
            out.malformed = true;
            return out;
        }
        if (wire.size() < lineEnd + 2 + size + 2)
            return out;
        if (wire.mid(lineEnd + 2 + size, 2) != "\r\n") {
            out.malformed = true;
            return out;
        }
        at = lineEnd + 2 + size + 2;
        if (size == 0) {
            out.complete = true;
            out.consumed = at;
            return out;
        }
        out.chunkSizes.append(size);
        out.body += wire.mid(lineEnd + 2, size);
    }
}

QByteArray rawRequest(const QByteArray &method, const QByteArray &path, const json &body, bool withKey = true)
{
    const QByteArray payload = body.is_null() ? QByteArray() : QByteArray::fromStdString(body.dump());
    QByteArray request = method + ' ' + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    if (withKey)
        request += "Authorization: Bearer sk-test\r\n";
    request += "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(payload.size()) +
               "\r\n\r\n";
    return request + payload;
}

json streamRequest()
{
    return {{"model", "gpt-5-mini"}, {"input", "Say hello"}, {"stream", true}};
}

} // namespace

class TestFakeServer : public QObject {
    Q_OBJECT

private:
    QUrl url(const FakeOpenAiServer &server, const QString &path) const
    {
        return QUrl(server.baseUrl().toString() + path);
    }

private Q_SLOTS:
    void recordsEveryRequest()
    {
        FakeOpenAiServer server;
        QVERIFY(server.start());
        QSignalSpy received(&server, &FakeOpenAiServer::requestReceived);
        QNetworkAccessManager manager;

        QNetworkRequest request(QUrl(server.baseUrl().toString() + QStringLiteral("/responses?debug=1")));
        request.setRawHeader("Authorization", "Bearer sk-test-123");
        request.setRawHeader("X-Custom-Header", "Value");
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
        QNetworkReply *reply = manager.post(request, QByteArray(R"({"model":"gpt-5","input":"hi"})"));
        QSignalSpy finished(reply, &QNetworkReply::finished);
        QVERIFY(finished.wait(10000));
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        QCOMPARE(reply->rawHeader("x-request-id"), QByteArray("req_1"));
        reply->deleteLater();

        QCOMPARE(received.count(), 1);
        QCOMPARE(server.requests().size(), 1);
        const auto &recorded = server.requests().first();
        QCOMPARE(recorded.method, QByteArray("POST"));
        QCOMPARE(recorded.path, QByteArray("/v1/responses")); // query stripped
        QCOMPARE(recorded.header("authorization"), QByteArray("Bearer sk-test-123"));
        QCOMPARE(recorded.header("x-custom-header"), QByteArray("Value")); // names lower-cased
        QCOMPARE(recorded.json()["input"], json("hi"));

        // A second request gets the next request id; clearRequests forgets the first.
        server.clearRequests();
        const HttpResult second = sendHttp(manager, "GET", url(server, QStringLiteral("/models")));
        QCOMPARE(second.header("x-request-id"), QByteArray("req_2"));
        QCOMPARE(server.requests().size(), 1);
        QCOMPARE(server.requests().first().method, QByteArray("GET"));
    }

    void everyAnswerCarriesRateLimitHeaders()
    {
        FakeOpenAiServer server;
        QVERIFY(server.start());
        QNetworkAccessManager manager;
        const HttpResult first = sendJson(manager, url(server, QStringLiteral("/responses")),
                                          {{"model", "gpt-5"}, {"input", "a"}});
        const HttpResult second = sendHttp(manager, "GET", url(server, QStringLiteral("/nope")));
        for (const HttpResult *r : {&first, &second}) {
            for (const char *name :
                 {"x-request-id", "openai-processing-ms", "x-ratelimit-limit-requests",
                  "x-ratelimit-remaining-requests", "x-ratelimit-reset-requests", "x-ratelimit-limit-tokens",
                  "x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens"}) {
                QVERIFY2(!r->header(name).isEmpty(), name);
            }
        }
        QVERIFY(first.header("x-ratelimit-remaining-requests").toInt() >
                second.header("x-ratelimit-remaining-requests").toInt());
        QVERIFY(first.header("x-ratelimit-remaining-tokens").toLongLong() <
                first.header("x-ratelimit-limit-tokens").toLongLong());
    }

    void missingKeyIs401()
    {
        FakeOpenAiServer server;
        QVERIFY(server.start());
        server.enqueue(Behaviour::serverError());
        QNetworkAccessManager manager;
        for (const QByteArray &key : {QByteArray(), QByteArray(" ")}) {
            const HttpResult result = sendJson(manager, url(server, QStringLiteral("/responses")),
                                               {{"model", "gpt-5"}, {"input", "hi"}}, key);
            QCOMPARE(result.status, 401);
            QCOMPARE(result.error, QNetworkReply::AuthenticationRequiredError);
            QCOMPARE(result.json()["error"]["code"], json("invalid_api_key"));
            QCOMPARE(result.json()["error"]["type"], json("invalid_request_error"));
        }
        // The auth check comes before scripted behaviours: the queued error is still waiting.
        QCOMPARE(server.pendingBehaviours(), 1);
        QCOMPARE(sendHttp(manager, "GET", url(server, QStringLiteral("/models"))).status, 500);

        server.setRequireApiKey(false);
        QCOMPARE(sendHttp(manager, "GET", url(server, QStringLiteral("/models")), {}, {}).status, 200);
    }

    void unknownPathIs404()
    {
        FakeOpenAiServer server;
        QVERIFY(server.start());
        QNetworkAccessManager manager;
        const HttpResult result = sendHttp(manager, "GET", url(server, QStringLiteral("/engines")));
        QCOMPARE(result.status, 404);
        QCOMPARE(result.json()["error"]["message"], json("Invalid URL (GET /v1/engines)"));
        QVERIFY(result.json()["error"]["code"].is_null());
        // Known path, wrong method: the same answer as the real API.
        QCOMPARE(sendHttp(manager, "DELETE", url(server, QStringLiteral("/models"))).status, 404);
        QCOMPARE(server.requests().size(), 2);
    }

    void badBodiesAre400()
    {
        FakeOpenAiServer server;
        QVERIFY(server.start());
        QNetworkAccessManager manager;
        const HttpResult notJson =
            sendHttp(manager, "POST", url(server, QStringLiteral("/responses")), "{model: 1");
        QCOMPARE(notJson.status, 400);
        QVERIFY(notJson.json()["error"]["message"].get<std::string>().find("could not parse the JSON body") !=
                std::string::npos);
        const HttpResult noModel =
            sendJson(manager, url(server, QStringLiteral("/chat/completions")),
                     {{"messages", json::array({{{"role", "user"}, {"content", "hi"}}})}});
        QCOMPARE(noModel.status, 400);
        QCOMPARE(noModel.json()["error"]["param"], json("model"));
    }

    void strictModeRefusesUnknownParameters()
    {
        FakeOpenAiServer server;
        QVERIFY(server.start());
        server.setStrictRequests(true);
        QNetworkAccessManager manager;
        // `seed` exists on Chat Completions only; the Responses API refuses it.
        HttpResult result = sendJson(manager, url(server, QStringLiteral("/responses")),
                                     {{"model", "gpt-5"}, {"input", "hi"}, {"seed", 7}});
        QCOMPARE(result.status, 400);
        QCOMPARE(result.json()["error"]["code"], json("unknown_parameter"));
        QCOMPARE(result.json()["error"]["param"], json("seed"));
        result = sendJson(manager, url(server, QStringLiteral("/responses")),
                          {{"model", "gpt-5"}, {"input", "hi"}, {"max_output_tokens", 3}});
        QCOMPARE(result.status, 400);
        QCOMPARE(result.json()["error"]["param"], json("max_output_tokens"));
        result = sendJson(manager, url(server, QStringLiteral("/responses")),
                          {{"model", "gpt-5"}, {"input", "hi"}});
        QCOMPARE(result.status, 200);
    }

    void randomChunkingReassemblesIdenticalBytes_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<bool>("stream");
        QTest::addColumn<int>("maxChunk");
        QTest::addColumn<int>("delayMs");
        QTest::newRow("responses stream, 1..5 bytes") << QStringLiteral("/responses") << true << 5 << 0;
        QTest::newRow("responses stream, 1..64 bytes, 1 ms apart")
            << QStringLiteral("/responses") << true << 64 << 1;
        QTest::newRow("chat stream, 1..3 bytes") << QStringLiteral("/chat/completions") << true << 3 << 0;
        QTest::newRow("responses json, 1..9 bytes") << QStringLiteral("/responses") << false << 9 << 0;
    }

    void randomChunkingReassemblesIdenticalBytes()
    {
        QFETCH(QString, path);
        QFETCH(bool, stream);
        QFETCH(int, maxChunk);
        QFETCH(int, delayMs);
        FakeOpenAiServer server;
        QVERIFY(server.start());
        server.setRandomSeed(20261122);
        Behaviour chunky;
        chunky.maxChunk = maxChunk;
        chunky.chunkDelayMs = delayMs;
        chunky.outputText = "Grüße aus Köln — 東京 ✓ and plain ASCII words";
        server.enqueue(chunky);
        json body = {{"model", "gpt-5-mini"}, {"stream", stream}};
        if (path == QStringLiteral("/responses"))
            body["input"] = "hi";
        else
            body["messages"] = json::array({{{"role", "user"}, {"content", "hi"}}});
        QNetworkAccessManager manager;
        const HttpResult result = sendJson(manager, url(server, path), body);
        QVERIFY(result.finished);
        QCOMPARE(result.error, QNetworkReply::NoError);
        QCOMPARE(result.body, server.lastSentBody());
        QVERIFY(result.body.contains("Köln"));
        if (stream) {
            QCOMPARE(result.header("transfer-encoding"), QByteArray("chunked")); // like the real API
            QVERIFY(result.header("content-type").startsWith("text/event-stream"));
            const auto events = splitSse(result.body);
            QVERIFY(events.size() > 5);
            for (const auto &e : events) {
                if (e.data != "[DONE]")
                    QVERIFY2(json::accept(e.data.constBegin(), e.data.constEnd()), e.data.constData());
            }
        } else {
            QCOMPARE(result.json()["object"], json("response"));
        }
        if (delayMs > 0)
            QVERIFY2(result.readyReadCount > 1, "pieces written apart should arrive apart");
    }

    void chunkedTransferEncodingParses()
    {
        FakeOpenAiServer server;
        QVERIFY(server.start());
        server.setRandomSeed(7);
        Behaviour chunky;
        chunky.maxChunk = 11;
        server.enqueue(chunky);
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, server.port());
        QVERIFY(socket.waitForConnected(5000));
        socket.write(rawRequest("POST", "/v1/responses", streamRequest()));

        QByteArray wire;
        Chunked decoded;
        QTRY_VERIFY_WITH_TIMEOUT(
            (wire += socket.readAll(), decoded = decodeChunked(wire), decoded.complete || decoded.malformed),
            10000);
        QVERIFY(!decoded.malformed);
        QVERIFY(decoded.head.startsWith("HTTP/1.1 200 OK"));
        QVERIFY(decoded.head.toLower().contains("\r\ntransfer-encoding: chunked"));
        QVERIFY(!decoded.head.toLower().contains("content-length"));
        QCOMPARE(decoded.body, server.lastSentBody());
        QVERIFY(decoded.chunkSizes.size() > 20);
        for (qsizetype size : decoded.chunkSizes)
            QVERIFY(size >= 1 && size <= 11);
        const auto events = splitSse(decoded.body);
        QCOMPARE(events.first().event, QByteArray("response.created"));
        QCOMPARE(events.last().event, QByteArray("response.completed"));

        // Keep-alive: the same connection answers a second request.
        wire = wire.mid(decoded.consumed);
        QCOMPARE(wire, QByteArray());
        socket.write(rawRequest("GET", "/v1/models", json()));
        QTRY_VERIFY_WITH_TIMEOUT((wire += socket.readAll(), wire.contains("\"object\":\"list\"")), 10000);
        QVERIFY(wire.startsWith("HTTP/1.1 200 OK"));
        QCOMPARE(server.connectionsAccepted(), 1);
    }

    void sameSeedSameCuts()
    {
        QList<qsizetype> sizes[2];
        for (int run = 0; run < 2; ++run) {
            FakeOpenAiServer server;
            QVERIFY(server.start());
            server.setRandomSeed(99);
            Behaviour chunky;
            chunky.maxChunk = 17;
            server.enqueue(chunky);
            QTcpSocket socket;
            socket.connectToHost(QHostAddress::LocalHost, server.port());
            QVERIFY(socket.waitForConnected(5000));
            socket.write(rawRequest("POST", "/v1/chat/completions",
                                    {{"model", "m"},
                                     {"stream", true},
                                     {"messages", json::array({{{"role", "user"}, {"content", "x"}}})}}));
            QByteArray wire;
            Chunked decoded;
            QTRY_VERIFY_WITH_TIMEOUT(
                (wire += socket.readAll(), decoded = decodeChunked(wire), decoded.complete), 10000);
            sizes[run] = decoded.chunkSizes;
        }
        QCOMPARE(sizes[0], sizes[1]);
    }

    void keepAliveReusesOneConnection()
    {
        FakeOpenAiServer server;
        QVERIFY(server.start());
        QNetworkAccessManager manager;
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(sendJson(manager, url(server, QStringLiteral("/responses")), streamRequest()).status,
                     200);
            QCOMPARE(sendHttp(manager, "GET", url(server, QStringLiteral("/models"))).status, 200);
        }
        QCOMPARE(server.requests().size(), 6);
        QCOMPARE(server.connectionsAccepted(), 1);
    }

    void droppedConnectionIsAnError_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<bool>("stream");
        QTest::newRow("responses stream") << QStringLiteral("/responses") << true;
        QTest::newRow("chat stream") << QStringLiteral("/chat/completions") << true;
        QTest::newRow("json body") << QStringLiteral("/responses") << false;
    }

    void droppedConnectionIsAnError()
    {
        QFETCH(QString, path);
        QFETCH(bool, stream);
        FakeOpenAiServer server;
        QVERIFY(server.start());
        Behaviour drop;
        drop.kind = Behaviour::Kind::DropMidStream;
        drop.dropAfterEvents = 3;
        server.enqueue(drop);
        json body = {{"model", "gpt-5-mini"}, {"stream", stream}, {"input", "hi"}};
        if (path != QStringLiteral("/responses"))
            body = {{"model", "gpt-5-mini"},
                    {"stream", stream},
                    {"messages", json::array({{{"role", "user"}, {"content", "hi"}}})}};
        QNetworkAccessManager manager;
        const HttpResult result = sendJson(manager, url(server, path), body);
        QVERIFY(result.finished);                     // the client is not left hanging
        QCOMPARE(server.requests().size(), 1);        // and did not silently resend the POST
        QCOMPARE(result.body, server.lastSentBody()); // everything before the cut arrived
        if (stream) {
            // Qt 6.4's QNetworkReply may finish a chunked body cut by the peer with NoError (its
            // HTTP/1 handler takes an unconnected socket while reading data as "done"); only
            // the missing terminal event (response.completed / [DONE]) tells. Clients must check it.
            QVERIFY2(result.error == QNetworkReply::RemoteHostClosedError ||
                         result.error == QNetworkReply::NoError,
                     qPrintable(QString::number(result.error)));
            QCOMPARE(splitSse(result.body).size(), 3);
            QVERIFY(!result.body.contains("[DONE]"));
            QVERIFY(!result.body.contains("response.completed"));
        } else {
            QCOMPARE(result.error, QNetworkReply::RemoteHostClosedError); // short of Content-Length
            QVERIFY(!json::accept(result.body.constBegin(), result.body.constEnd()));
        }
        // The server is fine afterwards.
        QCOMPARE(sendHttp(manager, "GET", url(server, QStringLiteral("/models"))).status, 200);
    }

    void stallSendsNothingMore()
    {
        FakeOpenAiServer server;
        QVERIFY(server.start());
        Behaviour stall;
        stall.kind = Behaviour::Kind::StallMidStream;
        stall.dropAfterEvents = 2;
        server.enqueue(stall);
        QNetworkAccessManager manager;
        QNetworkRequest request(url(server, QStringLiteral("/responses")));
        request.setRawHeader("Authorization", "Bearer sk-test");
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
        QNetworkReply *reply = manager.post(request, QByteArray::fromStdString(streamRequest().dump()));
        QByteArray received;
        connect(reply, &QNetworkReply::readyRead, this, [&] { received += reply->readAll(); });
        QTRY_COMPARE_WITH_TIMEOUT(splitSse(received).size(), 2, 10000);

        // Sync point instead of a sleep: another full request/answer round trip (own connection)
        // lets the event loop run; the stalled reply must still have nothing new and be open.
        QNetworkAccessManager other;
        for (int i = 0; i < 3; ++i)
            QCOMPARE(sendHttp(other, "GET", url(server, QStringLiteral("/models"))).status, 200);
        received += reply->readAll();
        QCOMPARE(splitSse(received).size(), 2);
        QVERIFY(!reply->isFinished());
        QCOMPARE(server.requests().size(), 4);
        reply->abort();
        QCOMPARE(reply->error(), QNetworkReply::OperationCanceledError);
        reply->deleteLater();
    }

    void malformedStreamHasNonJsonData()
    {
        FakeOpenAiServer server;
        QVERIFY(server.start());
        Behaviour malformed;
        malformed.kind = Behaviour::Kind::MalformedStream;
        malformed.dropAfterEvents = 2;
        server.enqueue(malformed);
        QNetworkAccessManager manager;
        const HttpResult result =
            sendJson(manager, url(server, QStringLiteral("/responses")), streamRequest());
        QCOMPARE(result.error, QNetworkReply::NoError); // the transport is fine, the content is not
        const auto events = splitSse(result.body);
        QCOMPARE(events.size(), 3);
        QVERIFY(json::accept(events.at(1).data.constBegin(), events.at(1).data.constEnd()));
        QVERIFY(!json::accept(events.at(2).data.constBegin(), events.at(2).data.constEnd()));
        // Only real JSON was recorded as sent.
        QCOMPARE(server.sentPayloads().size(), 2);
    }

    void rawResponseIsSentVerbatim()
    {
        FakeOpenAiServer server;
        QVERIFY(server.start());
        Behaviour raw;
        raw.kind = Behaviour::Kind::RawResponse;
        raw.raw = "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: "
                  "22\r\n\r\n<html>upstream</html>\n";
        server.enqueue(raw);
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, server.port());
        QVERIFY(socket.waitForConnected(5000));
        socket.write(rawRequest("GET", "/v1/models", json()));
        QByteArray wire;
        QTRY_VERIFY_WITH_TIMEOUT(
            (wire += socket.readAll(), socket.state() == QAbstractSocket::UnconnectedState), 10000);
        wire += socket.readAll();
        QCOMPARE(wire, raw.raw);

        QNetworkAccessManager manager;
        server.enqueue(raw);
        const HttpResult result = sendHttp(manager, "GET", url(server, QStringLiteral("/models")));
        QCOMPARE(result.status, 502);
        QCOMPARE(result.body, QByteArray("<html>upstream</html>\n"));
    }

    void scriptedErrorsCarryRetryHeaders()
    {
        FakeOpenAiServer server;
        QVERIFY(server.start());
        server.enqueue(Behaviour::rateLimited("2"));
        server.enqueue(Behaviour::modelNotFound("gpt-9"));
        server.enqueue(Behaviour::serverError(503));
        QNetworkAccessManager manager;
        const json body = {{"model", "gpt-9"}, {"input", "hi"}};
        HttpResult r = sendJson(manager, url(server, QStringLiteral("/responses")), body);
        QCOMPARE(r.status, 429);
        QCOMPARE(r.header("retry-after"), QByteArray("2"));
        QCOMPARE(r.header("retry-after-ms"), QByteArray("2000"));
        QCOMPARE(r.header("x-ratelimit-remaining-requests"), QByteArray("0"));
        QCOMPARE(r.json()["error"]["code"], json("rate_limit_exceeded"));
        r = sendJson(manager, url(server, QStringLiteral("/responses")), body);
        QCOMPARE(r.status, 404);
        QCOMPARE(r.json()["error"]["code"], json("model_not_found"));
        QVERIFY(r.json()["error"]["message"].get<std::string>().find("`gpt-9`") != std::string::npos);
        r = sendJson(manager, url(server, QStringLiteral("/responses")), body);
        QCOMPARE(r.status, 503);
        QCOMPARE(r.json()["error"]["type"], json("server_error"));
        QCOMPARE(server.pendingBehaviours(), 0);
        QCOMPARE(sendJson(manager, url(server, QStringLiteral("/responses")), body).status, 200);
    }

    void responseDelayHoldsTheAnswer()
    {
        FakeOpenAiServer server;
        QVERIFY(server.start());
        Behaviour slow;
        slow.responseDelayMs = 60000;
        server.enqueue(slow);
        QNetworkAccessManager manager;
        const HttpResult result =
            sendJson(manager, url(server, QStringLiteral("/responses")), streamRequest(), "sk-test", 300);
        QVERIFY(!result.finished); // nothing arrived; the helper gave up and aborted
        QVERIFY(result.body.isEmpty());
        QCOMPARE(server.requests().size(), 1);
    }

    void backgroundLifecycle()
    {
        FakeOpenAiServer server;
        QVERIFY(server.start());
        QNetworkAccessManager manager;
        const HttpResult created = sendJson(manager, url(server, QStringLiteral("/responses")),
                                            {{"model", "o3"}, {"input", "long job"}, {"background", true}});
        QCOMPARE(created.json()["status"], json("queued"));
        const QString id = QString::fromStdString(created.json()["id"].get<std::string>());
        const QUrl get = url(server, QStringLiteral("/responses/") + id);
        QCOMPARE(sendHttp(manager, "GET", get).json()["status"], json("in_progress"));
        const json done = sendHttp(manager, "GET", get).json();
        QCOMPARE(done["status"], json("completed"));
        QVERIFY(!done["output"].empty());
        QCOMPARE(sendHttp(manager, "GET", get).json()["status"], json("completed"));

        // A second background job cancelled before it finishes stays cancelled.
        const HttpResult other = sendJson(manager, url(server, QStringLiteral("/responses")),
                                          {{"model", "o3"}, {"input", "another"}, {"background", true}});
        const QString otherId = QString::fromStdString(other.json()["id"].get<std::string>());
        const HttpResult cancelled =
            sendHttp(manager, "POST", url(server, QStringLiteral("/responses/%1/cancel").arg(otherId)));
        QCOMPARE(cancelled.json()["status"], json("cancelled"));
        QCOMPARE(
            sendHttp(manager, "GET", url(server, QStringLiteral("/responses/") + otherId)).json()["status"],
            json("cancelled"));

        // Unknown ids and store:false responses are not found.
        QCOMPARE(sendHttp(manager, "GET", url(server, QStringLiteral("/responses/resp_nope"))).status, 404);
        const HttpResult unstored = sendJson(manager, url(server, QStringLiteral("/responses")),
                                             {{"model", "o3"}, {"input", "x"}, {"store", false}});
        const QString unstoredId = QString::fromStdString(unstored.json()["id"].get<std::string>());
        QCOMPARE(sendHttp(manager, "GET", url(server, QStringLiteral("/responses/") + unstoredId)).status,
                 404);
    }

    void repeatedPromptReportsCachedTokens()
    {
        FakeOpenAiServer server;
        QVERIFY(server.start());
        QNetworkAccessManager manager;
        const json body = {
            {"model", "gpt-5"}, {"instructions", "Be brief."}, {"input", "What is a prompt cache?"}};
        const json first = sendJson(manager, url(server, QStringLiteral("/responses")), body).json();
        const json second = sendJson(manager, url(server, QStringLiteral("/responses")), body).json();
        QCOMPARE(first["usage"]["input_tokens_details"]["cached_tokens"], json(0));
        QCOMPARE(second["usage"]["input_tokens_details"]["cached_tokens"], second["usage"]["input_tokens"]);
        QVERIFY(second["usage"]["input_tokens"].get<int>() > 0);
    }

    void maxOutputTokensTruncates()
    {
        FakeOpenAiServer server;
        QVERIFY(server.start());
        Behaviour longAnswer;
        longAnswer.outputText = QByteArray("word ").repeated(40).trimmed();
        server.enqueue(longAnswer);
        server.enqueue(longAnswer);
        QNetworkAccessManager manager;
        const json response = sendJson(manager, url(server, QStringLiteral("/responses")),
                                       {{"model", "gpt-5"}, {"input", "hi"}, {"max_output_tokens", 16}})
                                  .json();
        QCOMPARE(response["status"], json("incomplete"));
        QCOMPARE(response["incomplete_details"]["reason"], json("max_output_tokens"));
        QCOMPARE(response["usage"]["output_tokens"], json(16));
        const json chat = sendJson(manager, url(server, QStringLiteral("/chat/completions")),
                                   {{"model", "gpt-5"},
                                    {"max_completion_tokens", 5},
                                    {"messages", json::array({{{"role", "user"}, {"content", "hi"}}})}})
                              .json();
        QCOMPARE(chat["choices"][0]["finish_reason"], json("length"));
        QCOMPARE(chat["choices"][0]["message"]["content"], json("word word word word word"));
    }

    void modelsListAndRetrieve()
    {
        FakeOpenAiServer server;
        QVERIFY(server.start());
        QNetworkAccessManager manager;
        const json list = sendHttp(manager, "GET", url(server, QStringLiteral("/models"))).json();
        QCOMPARE(list["object"], json("list"));
        QVERIFY(list["data"].size() >= 3);
        int withShutdown = 0;
        for (const json &m : list["data"])
            withShutdown += m.contains("shutdown_date") ? 1 : 0;
        QCOMPARE(withShutdown, 1);
        QCOMPARE(sendHttp(manager, "GET", url(server, QStringLiteral("/models/gpt-5"))).json()["id"],
                 json("gpt-5"));
        QCOMPARE(sendHttp(manager, "GET", url(server, QStringLiteral("/models/gpt-0"))).status, 404);

        server.setModels(
            json::array({{{"id", "llama3"}, {"object", "model"}, {"created", 1}, {"owned_by", "ollama"}}}));
        const json custom = sendHttp(manager, "GET", url(server, QStringLiteral("/models"))).json();
        QCOMPARE(custom["data"].size(), 1u);
        QCOMPARE(custom["data"][0]["id"], json("llama3"));
    }
};

QTEST_GUILESS_MAIN(TestFakeServer)
#include "tst_fake_server.moc"
