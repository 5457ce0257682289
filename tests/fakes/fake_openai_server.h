#pragma once

#include <functional>
#include <optional>

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPair>
#include <QTcpServer>
#include <QUrl>
#include <nlohmann/json.hpp>

namespace assay::testing {

// A request the fake received, as it arrived.
struct ReceivedRequest {
    QByteArray method;
    QByteArray path; // without query
    QList<QPair<QByteArray, QByteArray>> headers; // names lower-cased
    QByteArray body;

    QByteArray header(const QByteArray &lowerName) const;
    nlohmann::json json() const; // parsed body (throws on invalid JSON)
};

// What the fake does with the next request. Behaviours queue up; when the queue is empty the
// fake answers every request "normally" for its endpoint (a realistic response built from the
// request: the model echoed, usage filled, request id set).
struct Behaviour {
    enum class Kind {
        Normal,          // realistic success; streams when the request asked for stream
        HttpError,       // status + OpenAI error body (+ retry-after headers if set)
        DropMidStream,   // starts a stream, sends `dropAfterEvents` events, then closes the socket
        StallMidStream,  // starts a stream, sends `dropAfterEvents` events, then sends nothing
        MalformedStream, // a stream whose event data is not JSON
        RawResponse,     // sends `raw` bytes verbatim and closes
    };
    Kind kind = Kind::Normal;
    int status = 200;
    QByteArray errorType;    // e.g. "invalid_request_error"
    QByteArray errorCode;    // e.g. "invalid_api_key"
    QByteArray errorMessage;
    QByteArray errorParam;
    QByteArray retryAfter;   // retry-after header value, if non-empty
    QByteArray retryAfterMs; // retry-after-ms header value, if non-empty
    int dropAfterEvents = 3;
    QByteArray raw;
    // Text the Normal answer produces (split into several deltas). Defaults to a fixed sentence.
    QByteArray outputText;
    // Normal streams: cut the bytes into random chunks of 1..maxChunk bytes, flushed separately.
    int maxChunk = 0;        // 0 = one write per event
    int chunkDelayMs = 0;    // delay between writes (lets clients see incremental arrival)
    int deltaCount = 0;      // number of text deltas; 0 = one per word

    // Conveniences for the common scripted errors (bodies shaped as OpenAI sends them).
    static Behaviour unauthorized();                 // 401 invalid_api_key
    static Behaviour modelNotFound(const QByteArray &model); // 404 model_not_found
    static Behaviour rateLimited(const QByteArray &retryAfterSeconds = "1"); // 429 rate_limit_exceeded
    static Behaviour serverError(int status = 500); // 500 / 503 server_error
};

// HTTP/1.1 server on 127.0.0.1 (random port) that speaks the OpenAI REST + SSE protocol for
// POST /responses, POST /chat/completions, GET /models, GET /responses/{id},
// POST /responses/{id}/cancel. Everything it sends is shaped after openapi.json (and checked
// against it by tst_openapi_conformance).
class FakeOpenAiServer : public QObject {
    Q_OBJECT
public:
    explicit FakeOpenAiServer(QObject *parent = nullptr);
    ~FakeOpenAiServer() override;

    bool start();                 // listens on 127.0.0.1:0
    QUrl baseUrl() const;         // http://127.0.0.1:PORT/v1
    quint16 port() const;

    void enqueue(const Behaviour &behaviour);
    const QList<ReceivedRequest> &requests() const { return m_requests; }
    void clearRequests() { m_requests.clear(); }

    // Every body the fake sent (JSON objects: responses, completions, chunks, stream events,
    // error bodies, model lists), for conformance checks. Each entry: {"kind": ..., "json": ...}
    // where kind is the openapi.json schema name it should match.
    const QList<QPair<QString, nlohmann::json>> &sentPayloads() const { return m_sent; }

    // Seed for chunk boundaries, so a failing run can be replayed.
    void setRandomSeed(quint32 seed);

Q_SIGNALS:
    void requestReceived(const assay::testing::ReceivedRequest &request);

private:
    class Connection;
    void handle(QTcpSocket *socket, const ReceivedRequest &request);

    QTcpServer m_server;
    QList<Behaviour> m_queue;
    QList<ReceivedRequest> m_requests;
    QList<QPair<QString, nlohmann::json>> m_sent;
    quint32 m_seed = 12345;
};

} // namespace assay::testing
