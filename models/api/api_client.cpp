#include "models/api/api_client.h"

#include <QNetworkAccessManager>
#include <QRandomGenerator>
#include <QUrlQuery>

namespace assay::api {

namespace {

// The inspector keeps a copy of what came back; a runaway stream must not eat memory.
constexpr qsizetype kMaxRecordedBody = 1024 * 1024;

QString seconds(int ms)
{
    return ms % 1000 == 0 ? QString::number(ms / 1000) : QString::number(ms / 1000.0, 'f', 1);
}

// A profile's base URL could carry a key as a query item (some proxies want ?api-key=...).
QString redactedUrl(const QUrl &url)
{
    QUrl copy = url;
    copy.setUserInfo(QString());
    if (copy.hasQuery()) {
        QUrlQuery query(copy);
        auto items = query.queryItems(QUrl::FullyEncoded);
        for (auto &[name, value] : items) {
            if (RequestRecord::isSecretHeader(name.toUtf8()))
                value = QStringLiteral("REDACTED");
        }
        query.setQueryItems(items);
        copy.setQuery(query);
    }
    return copy.toString();
}

QList<QPair<QByteArray, QByteArray>> redactedHeaders(const QList<QPair<QByteArray, QByteArray>> &headers)
{
    QList<QPair<QByteArray, QByteArray>> out;
    out.reserve(headers.size());
    for (const auto &[name, value] : headers)
        out.append({name, RequestRecord::redact(name, value)});
    return out;
}

} // namespace

// ---------------------------------------------------------------------------------------------
// ApiCall

ApiCall::ApiCall(QNetworkAccessManager *network, QNetworkRequest request, QByteArray method, QByteArray body,
                 ApiKind api, BodyKind bodyKind, bool stream, RetryPolicy policy, int timeoutMs,
                 QObject *parent)
    : QObject(parent), m_network(network), m_request(std::move(request)), m_method(std::move(method)),
      m_body(std::move(body)), m_api(api), m_bodyKind(bodyKind), m_stream(stream), m_policy(policy),
      m_timeoutMs(timeoutMs > 0 ? timeoutMs : ApiClient::kDefaultTimeoutMs), m_accumulator(api)
{
    m_timeout.setSingleShot(true);
    m_retryTimer.setSingleShot(true);
    connect(&m_timeout, &QTimer::timeout, this, &ApiCall::onTimeout);
    connect(&m_retryTimer, &QTimer::timeout, this, &ApiCall::send);

    m_record.method = QString::fromLatin1(m_method);
    m_record.url = redactedUrl(m_request.url());
    const QList<QByteArray> names = m_request.rawHeaderList();
    for (const QByteArray &name : names)
        m_record.requestHeaders.append({name, RequestRecord::redact(name, m_request.rawHeader(name))});
    m_record.requestBody = m_body;

    // Kept only to scrub it from what the server echoes back (a proxy or a compatible server may
    // quote a rejected key in full).
    const QByteArray authorization = m_request.rawHeader("Authorization").trimmed();
    if (const qsizetype space = authorization.indexOf(' '); space > 0)
        m_secret = authorization.mid(space + 1).trimmed();

    m_running = true;
    // Sent from the event loop so the caller can connect to started() and the rest first.
    QMetaObject::invokeMethod(this, &ApiCall::sendFirst, Qt::QueuedConnection);
}

void ApiCall::sendNow()
{
    sendFirst();
}

void ApiCall::sendFirst()
{
    if (m_sent)
        return;
    m_sent = true;
    send();
}

ApiCall::~ApiCall()
{
    dropReply();
}

void ApiCall::send()
{
    if (!m_running)
        return;

    m_parser.reset();
    m_events.clear();
    m_accumulator = StreamAccumulator(m_api);
    m_accumulator.onDelta = [this](const OutputDelta &delta) {
        if (!m_firstTokenMs && !delta.text.empty())
            m_firstTokenMs = m_clock.elapsed();
        Q_EMIT deltaReceived(delta);
    };
    m_status = 0;
    m_requestId.clear();
    m_headersSeen = false;
    m_readingStream = false;
    m_buffer.clear();
    m_eventCount = 0;
    m_firstTokenMs.reset();
    m_streamError.reset();
    m_retryAfterMs.clear();
    m_retryAfter.clear();
    m_record.status = 0;
    m_record.responseHeaders.clear();
    m_record.responseBody.clear();

    m_clock.start();
    QNetworkReply *reply = nullptr;
    if (m_method == "GET")
        reply = m_network->get(m_request);
    else if (m_method == "POST")
        reply = m_network->post(m_request, m_body);
    else
        reply = m_network->sendCustomRequest(m_request, m_method, m_body);
    m_reply = reply;
    connect(reply, &QNetworkReply::metaDataChanged, this, &ApiCall::onMetaDataChanged);
    connect(reply, &QNetworkReply::readyRead, this, &ApiCall::onReadyRead);
    connect(reply, &QNetworkReply::finished, this, &ApiCall::onFinished);
    m_timeout.start(m_timeoutMs);
    Q_EMIT started();
}

QByteArray ApiCall::header(const char *name) const
{
    return m_reply ? m_reply->rawHeader(name) : QByteArray();
}

void ApiCall::onMetaDataChanged()
{
    if (!m_reply || m_headersSeen)
        return;
    const QVariant status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (!status.isValid())
        return;
    m_headersSeen = true;
    m_status = status.toInt();
    m_requestId = QString::fromLatin1(header("x-request-id"));
    // A server that ignores `stream` answers with one JSON body: read it as such.
    const QByteArray contentType = header("content-type").trimmed().toLower();
    m_readingStream = m_stream && isSuccessStatus() && !contentType.startsWith("application/json");
    m_record.status = m_status;
    m_record.responseHeaders = redactedHeaders(m_reply->rawHeaderPairs());
    readRateLimit();
    Q_EMIT headersReceived(m_status, m_requestId);
}

void ApiCall::readRateLimit()
{
    const auto number = [this](const char *name) -> std::optional<qint64> {
        bool ok = false;
        const qint64 value = header(name).trimmed().toLongLong(&ok);
        return ok ? std::optional<qint64>(value) : std::nullopt;
    };
    RateLimitInfo &info = m_accumulator.result().rateLimit;
    info.limitRequests = number("x-ratelimit-limit-requests");
    info.limitTokens = number("x-ratelimit-limit-tokens");
    info.remainingRequests = number("x-ratelimit-remaining-requests");
    info.remainingTokens = number("x-ratelimit-remaining-tokens");
    info.resetRequestsMs = RateLimitInfo::parseDuration(header("x-ratelimit-reset-requests").trimmed().toStdString());
    info.resetTokensMs = RateLimitInfo::parseDuration(header("x-ratelimit-reset-tokens").trimmed().toStdString());
}

void ApiCall::onReadyRead()
{
    QPointer<ApiCall> self(this);
    onMetaDataChanged();
    if (!self || !m_running || !m_reply)
        return;
    const QByteArray bytes = m_reply->readAll();
    if (bytes.isEmpty())
        return;
    if (m_readingStream) {
        m_timeout.start(m_timeoutMs); // inactivity: a slow but steady stream never times out
        processStreamBytes(bytes);
    } else {
        m_buffer.append(bytes);
        captureResponse(bytes);
    }
}

void ApiCall::captureResponse(const QByteArray &bytes)
{
    const qsizetype room = kMaxRecordedBody - m_record.responseBody.size();
    if (room > 0)
        m_record.responseBody.append(bytes.left(room));
}

void ApiCall::processStreamBytes(const QByteArray &bytes)
{
    captureResponse(bytes);
    m_events.clear();
    m_parser.feed(std::string_view(bytes.constData(), static_cast<size_t>(bytes.size())), m_events);
    // Moved out: a slot reacting to a delta may cancel (or delete) this call mid-loop.
    const std::vector<SseEvent> events = std::move(m_events);
    m_events.clear();
    QPointer<ApiCall> self(this);
    for (const SseEvent &event : events) {
        if (!processEvent(event) || !self)
            return;
    }
}

bool ApiCall::processEvent(const SseEvent &event)
{
    QPointer<ApiCall> self(this);
    ++m_eventCount;

    // Errors the stream itself reports: Responses `error` / `response.failed` events, and the
    // {"error": {...}} object Chat Completions streams send when something fails mid-way.
    bool errorEvent = false;
    if (event.event == "error" || event.data.find("\"error\"") != std::string::npos) {
        const auto json = nlohmann::json::parse(event.data, nullptr, false);
        std::string type;
        if (json.is_object()) {
            if (const auto it = json.find("type"); it != json.end() && it->is_string())
                type = it->get<std::string>();
        }
        if (type == "response.failed") {
            m_streamError = ApiError::fromStreamEvent(json, m_requestId);
        } else if (type == "error" || event.event == "error" ||
                   (type.empty() && json.is_object() && json.contains("error") &&
                    json["error"].is_object())) {
            m_streamError =
                json.is_object()
                    ? ApiError::fromStreamEvent(json, m_requestId)
                    : ApiError::make(ApiError::Kind::StreamError,
                                     event.data.empty() ? QStringLiteral("The stream reported an error.")
                                                        : QString::fromStdString(event.data));
            m_streamError->requestId = m_requestId;
            errorEvent = true;
        }
    }

    if (errorEvent) {
        try {
            m_accumulator.consume(event); // lets it record what it can; the event ends the stream anyway
        } catch (const std::exception &) {
        }
        if (!self || !m_running)
            return false;
        dropReply();
        complete();
        return false;
    }

    bool more = true;
    try {
        more = m_accumulator.consume(event);
    } catch (const std::exception &e) {
        if (!self || !m_running)
            return false;
        dropReply();
        ApiError error =
            ApiError::make(ApiError::Kind::MalformedResponse,
                           QStringLiteral("The stream could not be read: %1; the partial text is kept.")
                               .arg(QString::fromUtf8(e.what())));
        fail(error);
        return false;
    }
    if (!self || !m_running)
        return false;
    if (!more || m_accumulator.finished()) {
        // Everything has arrived; do not wait for the server to close the body.
        dropReply();
        complete();
        return false;
    }
    return true;
}

void ApiCall::onFinished()
{
    QPointer<ApiCall> self(this);
    if (!m_reply || !m_running)
        return;
    m_timeout.stop();
    onMetaDataChanged();
    if (!self || !m_running || !m_reply)
        return;

    QNetworkReply *reply = m_reply;
    const QNetworkReply::NetworkError networkError = reply->error();
    const QString networkMessage = reply->errorString();
    const QByteArray rest = reply->readAll();
    m_retryAfterMs = header("retry-after-ms");
    m_retryAfter = header("retry-after");
    const QByteArray location = header("location");
    const QString host = reply->url().host();
    const int port = reply->url().port();
    dropReply();

    if (m_status == 0) {
        // No HTTP answer at all: refused, unreachable, TLS, or cut before the headers.
        const QString where = port > 0 ? QStringLiteral("%1:%2").arg(host).arg(port) : host;
        fail(
            ApiError::make(ApiError::Kind::Network,
                           QStringLiteral("Could not get an answer from %1: %2").arg(where, networkMessage)));
        return;
    }

    if (m_readingStream) {
        if (!rest.isEmpty()) {
            processStreamBytes(rest);
            if (!self || !m_running)
                return;
        }
        finishStream(networkError != QNetworkReply::NoError, networkMessage);
        return;
    }

    m_buffer.append(rest);
    captureResponse(rest);
    if (!isSuccessStatus()) {
        ApiError error = ApiError::fromHttp(m_status, m_buffer, m_requestId);
        if (m_status >= 300 && m_status < 400 && !location.isEmpty())
            error.message = QStringLiteral("The server redirected to %1").arg(QString::fromUtf8(location));
        fail(error);
        return;
    }
    if (networkError != QNetworkReply::NoError) {
        fail(ApiError::make(
            ApiError::Kind::Network,
            QStringLiteral("The connection failed while the answer arrived: %1").arg(networkMessage)));
        return;
    }
    finishBody();
}

void ApiCall::finishStream(bool networkFailed, const QString &networkMessage)
{
    if (m_accumulator.finished() || m_streamError) {
        complete();
        return;
    }
    // The body ended without response.completed / [DONE]: the connection was cut.
    QString message = QStringLiteral("The stream was cut after %1 event%2")
                          .arg(m_eventCount)
                          .arg(m_eventCount == 1 ? QString() : QStringLiteral("s"));
    if (m_parser.hasIncompleteEvent())
        message += QStringLiteral(", in the middle of an event");
    if (networkFailed)
        message += QStringLiteral(" (%1)").arg(networkMessage);
    message += QStringLiteral("; the partial text is kept.");
    fail(
        ApiError::make(networkFailed ? ApiError::Kind::Network : ApiError::Kind::MalformedResponse, message));
}

void ApiCall::finishBody()
{
    const auto json = nlohmann::json::parse(m_buffer.constBegin(), m_buffer.constEnd(), nullptr, false);
    if (json.is_discarded() || !json.is_structured()) {
        QString head = QString::fromUtf8(m_buffer.left(200)).trimmed();
        fail(ApiError::make(
            ApiError::Kind::MalformedResponse,
            QStringLiteral("The answer is not JSON%1")
                .arg(head.isEmpty() ? QStringLiteral(" (empty body)") : QStringLiteral(": ") + head)));
        return;
    }
    // The answer's object replaces the result; what the headers said is kept.
    const RateLimitInfo rateLimit = m_accumulator.result().rateLimit;
    try {
        switch (m_bodyKind) {
        case BodyKind::Response:
            m_accumulator.result() = ResponseResult::fromResponseObject(json);
            break;
        case BodyKind::ChatCompletion:
            m_accumulator.result() = ResponseResult::fromChatCompletion(json);
            break;
        case BodyKind::Json:
            m_accumulator.result().rawResponse = json;
            break;
        }
    } catch (const std::exception &e) {
        fail(ApiError::make(
            ApiError::Kind::MalformedResponse,
            QStringLiteral("The answer could not be read: %1").arg(QString::fromUtf8(e.what()))));
        return;
    }

    ResponseResult &result = m_accumulator.result();
    result.api = m_api;
    result.rateLimit = rateLimit;
    // A background response retrieved after it failed carries its error in the object.
    if (m_bodyKind == BodyKind::Response && !result.error && json.is_object()) {
        const auto status = json.find("status");
        const auto error = json.find("error");
        if (status != json.end() && *status == "failed" && error != json.end() && error->is_object()) {
            result.error = ApiError::fromStreamEvent(
                nlohmann::json{{"type", "response.failed"}, {"response", json}}, m_requestId);
        }
    }
    complete();
}

void ApiCall::fail(const ApiError &error)
{
    if (!m_running)
        return;
    ApiError reason = error;
    if (reason.requestId.isEmpty())
        reason.requestId = m_requestId;
    scrub(reason);
    scrubRecord();
    dropReply();
    m_timeout.stop();

    const bool delivered = m_accumulator.receivedOutput() || m_firstTokenMs.has_value();
    if (m_policy.shouldRetry(reason, m_attempt, delivered)) {
        const auto delay = m_policy.delayBeforeRetry(m_attempt, m_retryAfterMs, m_retryAfter, [] {
            return QRandomGenerator::global()->generateDouble();
        });
        ++m_attempt;
        QPointer<ApiCall> self(this);
        Q_EMIT retrying(m_attempt, static_cast<int>(delay.count()), reason);
        if (!self || !m_running)
            return;
        m_retryTimer.start(delay);
        return;
    }
    m_accumulator.result().error = reason;
    complete();
}

void ApiCall::complete()
{
    if (!m_running)
        return;
    m_running = false;
    m_timeout.stop();
    m_retryTimer.stop();
    dropReply();

    ResponseResult &result = m_accumulator.result();
    // Ours is built by ApiError::fromStreamEvent with the request id; it wins over the accumulator's.
    if (m_streamError && (!result.error || result.error->kind == ApiError::Kind::StreamError))
        result.error = m_streamError;
    if (result.error && result.error->requestId.isEmpty())
        result.error->requestId = m_requestId;
    scrubRecord();
    if (result.error)
        scrub(*result.error);
    result.api = m_api;
    result.requestId = m_requestId;
    result.httpStatus = m_status;
    result.retries = m_attempt;
    if (m_clock.isValid())
        result.totalMs = m_clock.elapsed();
    if (m_firstTokenMs)
        result.timeToFirstTokenMs = m_firstTokenMs;
    Q_EMIT finished(result);
}

void ApiCall::onTimeout()
{
    if (!m_running || !m_reply)
        return;
    dropReply();
    QString message;
    if (m_readingStream)
        message = QStringLiteral("No data arrived for %1 s after %2 events")
                      .arg(seconds(m_timeoutMs))
                      .arg(m_eventCount) +
                  (m_accumulator.receivedOutput() ? QStringLiteral("; the partial text is kept.")
                                                  : QStringLiteral("."));
    else if (m_stream)
        message = QStringLiteral("The stream did not start within %1 s.").arg(seconds(m_timeoutMs));
    else
        message = QStringLiteral("No complete answer within %1 s.").arg(seconds(m_timeoutMs));
    fail(ApiError::make(ApiError::Kind::Timeout, message));
}

void ApiCall::cancel()
{
    if (!m_running)
        return;
    dropReply();
    ApiError error =
        ApiError::make(ApiError::Kind::Cancelled, QStringLiteral("Stopped before the answer was complete."));
    error.requestId = m_requestId;
    m_accumulator.result().error = error;
    complete();
}

void ApiCall::scrub(ApiError &error) const
{
    if (m_secret.size() < 8)
        return;
    const QString secret = QString::fromUtf8(m_secret);
    for (QString *text : {&error.message, &error.param, &error.code, &error.type})
        text->replace(secret, QStringLiteral("[REDACTED]"));
}

void ApiCall::scrubRecord()
{
    if (m_secret.size() >= 8)
        m_record.responseBody.replace(m_secret, "[REDACTED]");
}

void ApiCall::dropReply()
{
    if (!m_reply)
        return;
    QNetworkReply *reply = m_reply;
    m_reply = nullptr;
    reply->disconnect(this); // abort() emits finished() synchronously; it is not ours to handle
    if (reply->isRunning())
        reply->abort();
    reply->deleteLater();
}

// ---------------------------------------------------------------------------------------------
// ApiClient

ApiClient::ApiClient(QObject *parent) : QObject(parent), m_network(new QNetworkAccessManager(this))
{
    m_network->setAutoDeleteReplies(false);
    // Never follow a redirect on our own: it could carry the Authorization header elsewhere.
    m_network->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
}

QNetworkRequest ApiClient::makeRequest(const Profile &profile, const QString &apiKey, const QString &path)
{
    QNetworkRequest request(profile.endpoint(path));
    if (!apiKey.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + apiKey.trimmed().toUtf8());
    request.setRawHeader("Content-Type", "application/json");
    if (!profile.organization.isEmpty())
        request.setRawHeader("OpenAI-Organization", profile.organization.toUtf8());
    if (!profile.project.isEmpty())
        request.setRawHeader("OpenAI-Project", profile.project.toUtf8());
    for (const auto &[name, value] : profile.extraHeaders) {
        if (!name.trimmed().isEmpty())
            request.setRawHeader(name.trimmed().toUtf8(), value.toUtf8());
    }
    request.setRawHeader("User-Agent", QByteArrayLiteral("Assay/" ASSAY_VERSION));
    // Plain HTTP/1.1 like the SDKs' default transport; local OpenAI-compatible servers speak it.
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    return request;
}

ApiCall *ApiClient::start(const Profile &profile, const QString &apiKey, const QByteArray &method,
                          const QString &path, const QByteArray &body, ApiKind api,
                          ApiCall::BodyKind bodyKind, bool stream, int timeoutMs)
{
    QNetworkRequest request = makeRequest(profile, apiKey, path);
    request.setRawHeader("Accept", stream ? QByteArrayLiteral("text/event-stream")
                                          : QByteArrayLiteral("application/json"));
    // Parented for safety only; the caller owns the call and deletes it when done.
    return new ApiCall(m_network, request, method, body, api, bodyKind, stream, m_policy, timeoutMs, this);
}

ApiCall *ApiClient::createResponse(const Profile &profile, const QString &apiKey, ApiKind api,
                                   const nlohmann::json &body, int timeoutMs)
{
    const auto streamIt = body.is_object() ? body.find("stream") : body.end();
    const bool stream =
        body.is_object() && streamIt != body.end() && streamIt->is_boolean() && streamIt->get<bool>();
    const std::string text = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    const QString path =
        api == ApiKind::Responses ? QStringLiteral("responses") : QStringLiteral("chat/completions");
    return start(profile, apiKey, "POST", path, QByteArray::fromStdString(text), api,
                 api == ApiKind::Responses ? ApiCall::BodyKind::Response : ApiCall::BodyKind::ChatCompletion,
                 stream, timeoutMs);
}

ApiCall *ApiClient::retrieveResponse(const Profile &profile, const QString &apiKey, const QString &responseId,
                                     int timeoutMs)
{
    const QString path =
        QStringLiteral("responses/") + QString::fromLatin1(QUrl::toPercentEncoding(responseId));
    return start(profile, apiKey, "GET", path, {}, ApiKind::Responses, ApiCall::BodyKind::Response, false,
                 timeoutMs);
}

ApiCall *ApiClient::cancelResponse(const Profile &profile, const QString &apiKey, const QString &responseId,
                                   int timeoutMs)
{
    const QString path = QStringLiteral("responses/") +
                         QString::fromLatin1(QUrl::toPercentEncoding(responseId)) + QStringLiteral("/cancel");
    return start(profile, apiKey, "POST", path, {}, ApiKind::Responses, ApiCall::BodyKind::Response, false,
                 timeoutMs);
}

ApiCall *ApiClient::requestJson(const Profile &profile, const QString &apiKey, const QByteArray &method,
                                 const QString &path, const nlohmann::json &body, int timeoutMs)
{
    const QByteArray bytes =
        body.is_null() ? QByteArray()
                       : QByteArray::fromStdString(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    return start(profile, apiKey, method, path, bytes, ApiKind::Responses, ApiCall::BodyKind::Json, false,
                 timeoutMs);
}

void ApiClient::listModels(const Profile &profile, const QString &apiKey,
                           std::function<void(nlohmann::json models, std::optional<ApiError> error)> done,
                           int timeoutMs)
{
    ApiCall *call = start(profile, apiKey, "GET", QStringLiteral("models"), {}, ApiKind::Responses,
                          ApiCall::BodyKind::Json, false, timeoutMs);
    connect(call, &ApiCall::finished, this, [call, done = std::move(done)](const ResponseResult &result) {
        call->deleteLater();
        if (!done)
            return;
        if (result.error) {
            done(nlohmann::json::array(), result.error);
            return;
        }
        const nlohmann::json &raw = result.rawResponse;
        if (raw.is_object()) {
            const auto data = raw.find("data");
            if (data != raw.end() && data->is_array()) {
                done(*data, std::nullopt);
                return;
            }
        }
        ApiError error = ApiError::make(ApiError::Kind::MalformedResponse,
                                        QStringLiteral("The model list has no data[] array."));
        error.requestId = result.requestId;
        error.httpStatus = result.httpStatus;
        done(nlohmann::json::array(), error);
    });
}

} // namespace assay::api
