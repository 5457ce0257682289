#pragma once

#include <functional>

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

// One request in flight (with its retries). Owned by the caller; emits as data arrives.
// Widgets talk to this, never to a QNetworkReply.
class ApiCall : public QObject {
    Q_OBJECT
public:
    ~ApiCall() override;

    const ResponseResult &result() const { return m_accumulator.result(); }
    const RequestRecord &record() const { return m_record; }
    bool isRunning() const { return m_running; }

public Q_SLOTS:
    // Stops now; finished() follows with error kind Cancelled and the partial output kept.
    void cancel();

Q_SIGNALS:
    void started();                                   // the request went out (again on a retry)
    void headersReceived(int httpStatus, const QString &requestId);
    void deltaReceived(const assay::api::OutputDelta &delta);
    void retrying(int attempt, int delayMs, const assay::api::ApiError &reason);
    void finished(const assay::api::ResponseResult &result);

private:
    friend class ApiClient;
    ApiCall(QNetworkAccessManager *network, QNetworkRequest request, QByteArray body, ApiKind api,
            bool stream, RetryPolicy policy, int timeoutMs, QObject *parent);
    void send();
    void onReadyRead();
    void onFinished();
    void onTimeout();
    void fail(const ApiError &error);
    void complete();
    QByteArray header(const char *name) const;

    QNetworkAccessManager *m_network;
    QNetworkRequest m_request;
    QByteArray m_body;
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
};

// Owns the QNetworkAccessManager. Request values in, ApiCall out.
class ApiClient : public QObject {
    Q_OBJECT
public:
    explicit ApiClient(QObject *parent = nullptr);

    void setRetryPolicy(const RetryPolicy &policy) { m_policy = policy; }
    const RetryPolicy &retryPolicy() const { return m_policy; }

    // POST /responses or /chat/completions; streams when body["stream"] is true.
    ApiCall *createResponse(const Profile &profile, const QString &apiKey, ApiKind api,
                            const nlohmann::json &body, int timeoutMs);
    // GET /responses/{id} and POST /responses/{id}/cancel (background responses).
    ApiCall *retrieveResponse(const Profile &profile, const QString &apiKey, const QString &responseId);
    ApiCall *cancelResponse(const Profile &profile, const QString &apiKey, const QString &responseId);

    // GET /models. The callback gets the parsed list (data[]: id, owned_by, created, and
    // shutdown_date where the server says) or an error.
    void listModels(const Profile &profile, const QString &apiKey,
                    std::function<void(nlohmann::json models, std::optional<ApiError> error)> done);

    // The request headers for a profile, Authorization included (never log these).
    static QNetworkRequest makeRequest(const Profile &profile, const QString &apiKey, const QString &path);

private:
    ApiCall *start(const Profile &profile, const QString &apiKey, const QByteArray &method,
                   const QString &path, const QByteArray &body, ApiKind api, bool stream, int timeoutMs);

    QNetworkAccessManager *m_network;
    RetryPolicy m_policy;
};

} // namespace assay::api
