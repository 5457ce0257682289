#pragma once

#include <functional>
#include <optional>
#include <vector>

#include <QElapsedTimer>
#include <QNetworkReply>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <nlohmann/json.hpp>

#include "models/api/profile.h"
#include "models/api/request_record.h"
#include "models/api/response_result.h"
#include "models/api/retry_policy.h"
#include "models/api/sse_parser.h"
#include "models/api/stream_accumulator.h"

class QNetworkAccessManager;

namespace assay::api {

// One request in flight (with its retries). Owned by the caller, who deletes it (deleteLater) when
// done; it is parented to the ApiClient only so that none outlives the network it uses. Emits as
// data arrives; finished() comes exactly once (from inside cancel() when the caller stops it).
// Widgets talk to this, never to a QNetworkReply.
class ApiCall : public QObject {
    Q_OBJECT
public:
    ~ApiCall() override;

    const ResponseResult &result() const { return m_accumulator.result(); }
    // Moves the result out once finished() has been emitted, for a caller that keeps the answer
    // (its raw JSON can be large): result() is empty afterwards.
    ResponseResult takeResult() { return std::move(m_accumulator.result()); }
    const RequestRecord &record() const { return m_record; }
    bool isRunning() const { return m_running; }

    // Sends now rather than from the event loop, for a caller whose connections are made: one
    // trip less through the event queue per request, which an eval runner keeping many requests
    // in flight pays on every slot's turn. Does nothing once the call has been sent.
    void sendNow();

public Q_SLOTS:
    // Stops now; finished() follows with error kind Cancelled and the partial output kept.
    void cancel();

Q_SIGNALS:
    void started(); // the request went out (again on a retry)
    void headersReceived(int httpStatus, const QString &requestId);
    void deltaReceived(const assay::api::OutputDelta &delta);
    void retrying(int attempt, int delayMs, const assay::api::ApiError &reason);
    void finished(const assay::api::ResponseResult &result);

private:
    friend class ApiClient;
    // How a complete (non-stream) 2xx body is read.
    enum class BodyKind { Response, ChatCompletion, Json };

    ApiCall(QNetworkAccessManager *network, QNetworkRequest request, QByteArray method, QByteArray body,
            ApiKind api, BodyKind bodyKind, bool stream, RetryPolicy policy, int timeoutMs, QObject *parent);
    void sendFirst();
    void send();
    void onMetaDataChanged();
    void readRateLimit();
    void onReadyRead();
    void onFinished();
    void onTimeout();
    void processStreamBytes(const QByteArray &bytes);
    bool processEvent(const SseEvent &event);
    void finishStream(bool networkFailed, const QString &networkMessage);
    void finishBody();
    void fail(const ApiError &error);
    void complete();
    void dropReply();
    void scrub(ApiError &error) const;
    void scrubRecord();
    void captureResponse(const QByteArray &bytes);
    bool isSuccessStatus() const { return m_status >= 200 && m_status < 300; }
    QByteArray header(const char *name) const;

    QNetworkAccessManager *m_network;
    QNetworkRequest m_request;
    QByteArray m_method;
    QByteArray m_body;
    ApiKind m_api;
    BodyKind m_bodyKind;
    bool m_stream;
    RetryPolicy m_policy;
    int m_timeoutMs;
    QPointer<QNetworkReply> m_reply;
    SseParser m_parser;
    std::vector<SseEvent> m_events;
    StreamAccumulator m_accumulator;
    RequestRecord m_record;
    QElapsedTimer m_clock;
    QTimer m_timeout;
    QTimer m_retryTimer;
    int m_attempt = 0;
    bool m_running = false;
    bool m_sent = false; // the first attempt went out (sendNow() or from the event loop)

    // Per attempt.
    int m_status = 0;
    QString m_requestId;
    bool m_headersSeen = false;
    bool m_readingStream = false; // a 2xx text/event-stream body is arriving
    QByteArray m_buffer;          // a non-stream or error body
    int m_eventCount = 0;
    std::optional<qint64> m_firstTokenMs;
    std::optional<ApiError> m_streamError;
    QByteArray m_retryAfterMs;
    QByteArray m_retryAfter;
    QByteArray m_secret; // the key this call sends, to scrub echoes of it; never shown or logged
};

// Owns the QNetworkAccessManager. Request values in, ApiCall out.
class ApiClient : public QObject {
    Q_OBJECT
public:
    explicit ApiClient(QObject *parent = nullptr);

    // What the official SDKs use; flex processing needs longer (its guide says 15 minutes).
    static constexpr int kDefaultTimeoutMs = 10 * 60 * 1000;
    static constexpr int kFlexTimeoutMs = 15 * 60 * 1000;
    static constexpr int kModelsTimeoutMs = 60 * 1000; // a list should not keep a button busy for long

    void setRetryPolicy(const RetryPolicy &policy) { m_policy = policy; }
    const RetryPolicy &retryPolicy() const { return m_policy; }

    // POST /responses or /chat/completions; streams when body["stream"] is true.
    // `timeoutMs` (<= 0: kDefaultTimeoutMs) is the longest silence allowed for a stream, and the
    // whole request otherwise.
    ApiCall *createResponse(const Profile &profile, const QString &apiKey, ApiKind api,
                            const nlohmann::json &body, int timeoutMs);
    // GET /responses/{id} and POST /responses/{id}/cancel (background responses).
    ApiCall *retrieveResponse(const Profile &profile, const QString &apiKey, const QString &responseId,
                              int timeoutMs = kDefaultTimeoutMs);
    ApiCall *cancelResponse(const Profile &profile, const QString &apiKey, const QString &responseId,
                            int timeoutMs = kDefaultTimeoutMs);

    // Any other JSON endpoint (embeddings, the Evals API, files, batches): `path` is relative to
    // the profile's base URL and may carry a query; a null `body` sends none. The parsed answer is
    // result().rawResponse. Retries, timeouts and errors work as for responses.
    ApiCall *requestJson(const Profile &profile, const QString &apiKey, const QByteArray &method,
                         const QString &path, const nlohmann::json &body = nullptr,
                         int timeoutMs = kDefaultTimeoutMs);
    // GET /models. The callback gets the parsed list (data[]: id, owned_by, created, and
    // shutdown_date where the server says) or an error.
    void listModels(const Profile &profile, const QString &apiKey,
                    std::function<void(nlohmann::json models, std::optional<ApiError> error)> done,
                    int timeoutMs = kModelsTimeoutMs);

    // The request headers for a profile, Authorization included (never log these).
    static QNetworkRequest makeRequest(const Profile &profile, const QString &apiKey, const QString &path);

private:
    ApiCall *start(const Profile &profile, const QString &apiKey, const QByteArray &method,
                   const QString &path, const QByteArray &body, ApiKind api, ApiCall::BodyKind bodyKind,
                   bool stream, int timeoutMs);

    QNetworkAccessManager *m_network;
    RetryPolicy m_policy;
};

} // namespace assay::api
