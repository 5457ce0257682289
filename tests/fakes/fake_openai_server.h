#pragma once

#include <algorithm>

#include <functional>
#include <map>
#include <optional>
#include <vector>

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPair>
#include <QRandomGenerator>
#include <QSet>
#include <QTcpServer>
#include <QUrl>
#include <nlohmann/json.hpp>

class QTcpSocket;

namespace assay::testing {

// A request the fake received, as it arrived.
struct ReceivedRequest {
    QByteArray method;
    QByteArray path;                              // without query
    QByteArray query;                             // after '?', empty when none
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
        DropMidStream,   // starts a stream, sends `dropAfterEvents` events, then resets the
                         // connection (no final chunk; a JSON answer stops halfway). NB: Qt 6.4's
                         // QNetworkReply may still finish a cut chunked stream with NoError;
                         // clients must notice the missing response.completed / [DONE].
        StallMidStream,  // starts a stream, sends `dropAfterEvents` events, then sends nothing
        MalformedStream, // `dropAfterEvents` events, then one whose data is not JSON, then a clean
                         // end of stream (a JSON answer: half the body, complete HTTP)
        RawResponse,     // sends `raw` bytes verbatim and closes
    };
    Kind kind = Kind::Normal;
    int status = 200;
    QByteArray errorType; // e.g. "invalid_request_error"
    QByteArray errorCode; // e.g. "invalid_api_key"
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
    int responseDelayMs = 0; // wait this long before sending anything (timeouts, cancel while waiting)

    // Conveniences for the common scripted errors (bodies shaped as OpenAI sends them).
    static Behaviour unauthorized();                                         // 401 invalid_api_key
    static Behaviour modelNotFound(const QByteArray &model);                 // 404 model_not_found
    static Behaviour rateLimited(const QByteArray &retryAfterSeconds = "1"); // 429 rate_limit_exceeded
    static Behaviour serverError(int status = 500);                          // 500 / 503 server_error
    static Behaviour insufficientQuota(); // 429 insufficient_quota (must not be retried)
};

// An answer from a route a test adds (see FakeOpenAiServer::addRoute).
struct ExtraAnswer {
    int status = 200;
    nlohmann::json body;
    QString schema; // openapi.json schema the body should match (recorded in sentPayloads), may be empty
};

// HTTP/1.1 server on 127.0.0.1 (random port) that speaks the OpenAI REST + SSE protocol for
// POST /responses, POST /chat/completions, GET /models, GET /models/{id}, GET /responses/{id},
// POST /responses/{id}/cancel. Everything it sends is shaped after openapi.json (and checked
// against it by tst_openapi_conformance).
//
// Like the real API: keep-alive connections; Content-Length for JSON bodies and
// Transfer-Encoding: chunked for event streams; every answer carries x-request-id (req_N),
// openai-processing-ms and x-ratelimit-* headers; no or an empty `Authorization: Bearer` key ->
// 401; an unknown path -> 404 "Invalid URL"; a body that is not JSON -> 400; no model -> 400.
// Those checks come first and do not use up a queued Behaviour.
// Responses requests with `tools` get a function_call, with `reasoning.summary` a reasoning item
// first, with `max_output_tokens` too small an incomplete response; `background: true` answers
// "queued", then "in_progress" on the first GET, "completed" on the next; `store: false`
// responses cannot be retrieved. A repeated identical prompt reports cached tokens.
class FakeOpenAiServer : public QObject {
    Q_OBJECT
public:
    explicit FakeOpenAiServer(QObject *parent = nullptr);
    ~FakeOpenAiServer() override;

    bool start();         // listens on 127.0.0.1:0
    QUrl baseUrl() const; // http://127.0.0.1:PORT/v1
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

    // Extensions.
    // Off: requests without a key are answered too (a local OpenAI-compatible server).
    void setRequireApiKey(bool require) { m_requireApiKey = require; }
    // On: request bodies are checked against CreateResponse / CreateChatCompletionRequest of
    // openapi.json and refused like the real API does (400 unknown_parameter, 400
    // invalid_request_error naming the parameter). Off by default.
    void setStrictRequests(bool strict) { m_strictRequests = strict; }
    // Further endpoints (embeddings, the Evals API, ...): routes are asked in the order added
    // when no built-in route matches, after the API key check; the first answer wins. A queued
    // HttpError / RawResponse behaviour applies to them too.
    using ExtraRoute = std::function<std::optional<ExtraAnswer>(const ReceivedRequest &request)>;
    void addRoute(ExtraRoute route) { m_extraRoutes.push_back(std::move(route)); }
    // The text a Normal Responses / Chat answer produces for a request when no queued behaviour
    // names one (e.g. a model grader's JSON verdict computed from the prompt). An empty answer
    // falls back to the default sentence.
    using OutputTextProvider = std::function<QByteArray(const nlohmann::json &request)>;
    void setOutputTextProvider(OutputTextProvider provider) { m_outputTextProvider = std::move(provider); }
    // Replaces the `data` array GET /models answers with.
    void setModels(const nlohmann::json &models);
    qsizetype pendingBehaviours() const { return m_queue.size(); }
    // Drops the queued behaviours a test left unused: the next requests are answered normally.
    void clearBehaviours() { m_queue.clear(); }
    int connectionsAccepted() const { return m_connectionsAccepted; }
    // The body bytes of the last answer (after a scripted cut such as DropMidStream, before
    // chunked encoding and random splitting): what a client must reassemble exactly.
    QByteArray lastSentBody() const { return m_lastBody; }
    // Every answer waits this long before its first byte unless its Behaviour sets its own
    // responseDelayMs (a server with latency: benchmarks, concurrency checks). 0 by default.
    void setDefaultResponseDelayMs(int ms) { m_defaultResponseDelayMs = ms; }
    // Requests being answered right now (received, answer not yet fully sent), and the most there
    // were at once since start or the last reset: what a client's concurrency cap should bound.
    int activeRequests() const { return m_activeRequests; }
    int maxActiveRequests() const { return m_maxActiveRequests; }
    void resetMaxActiveRequests() { m_maxActiveRequests = m_activeRequests; }
    // Responses kept for GET /responses/{id} (final state), by id.
    std::optional<nlohmann::json> storedResponse(const QByteArray &id) const;

Q_SIGNALS:
    void requestReceived(const assay::testing::ReceivedRequest &request);

private:
    class Connection;
    struct Plan;
    struct Stored {
        nlohmann::json final;
        bool background = false;
        int gets = 0;
        bool cancelled = false;
    };
    void onNewConnection();
    Plan handle(const ReceivedRequest &request);
    Plan errorPlan(int status, const nlohmann::json &body, const Behaviour *behaviour = nullptr);
    Plan jsonPlan(int status, const nlohmann::json &body, const QString &schema);
    QByteArray outputTextFor(const nlohmann::json &request, const Behaviour &behaviour) const;
    Plan responsesCreate(const nlohmann::json &request, const Behaviour &behaviour);
    Plan chatCreate(const nlohmann::json &request, const Behaviour &behaviour);
    Plan responsesGet(const QByteArray &id);
    Plan responsesCancel(const QByteArray &id);
    Plan strictCheck(const nlohmann::json &request, const QString &schema, bool *refused);
    void applyBehaviour(Plan &plan, const Behaviour &behaviour);
    void finalize(Plan &plan);
    QList<QByteArray> cutRandomly(const QByteArray &bytes, int maxChunk);
    QByteArray nextSerial();

    QTcpServer m_server;
    QList<Behaviour> m_queue;
    QList<ReceivedRequest> m_requests;
    QList<QPair<QString, nlohmann::json>> m_sent;
    quint32 m_seed = 12345;
    QRandomGenerator m_random{12345};
    bool m_requireApiKey = true;
    bool m_strictRequests = false;
    int m_connectionsAccepted = 0;
    int m_requestCounter = 0;
    int m_serialCounter = 0;
    qint64 m_tokensUsed = 0;
    nlohmann::json m_models;
    std::vector<ExtraRoute> m_extraRoutes;
    OutputTextProvider m_outputTextProvider;
    QByteArray m_lastBody;
    std::map<QByteArray, Stored> m_stored;
    QSet<QByteArray> m_seenPrompts;
    int m_defaultResponseDelayMs = 0;
    int m_activeRequests = 0;
    int m_maxActiveRequests = 0;
    // How late this process's response-delay timers fire, on average (a moving average, in ns):
    // delays are aimed that much earlier. See Connection::processBuffer.
    qint64 m_timerLatenessNs = 0;
    void learnTimerLateness(qint64 latenessNs)
    {
        constexpr qint64 kMaxNs = 5000000; // a stall (a debugger, a swapped-out process) is not learnt
        m_timerLatenessNs += (std::clamp<qint64>(latenessNs, 0, kMaxNs) - m_timerLatenessNs) / 16;
    }
};

} // namespace assay::testing
