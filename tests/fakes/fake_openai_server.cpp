#include "fakes/fake_openai_server.h"

#include <algorithm>

#include <QCryptographicHash>
#include <QDateTime>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QLocale>
#include <QPointer>
#include <QTcpSocket>
#include <QTimer>

#include "fakes/fake_payloads.h"
#include "support/openapi_validator.h"

#ifdef Q_OS_LINUX
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#endif

using nlohmann::json;

namespace assay::testing {

namespace {

constexpr int kRequestLimit = 10000;
constexpr qint64 kTokenLimit = 30000000;
const QByteArray kDefaultText =
    "Hello! I am the fake OpenAI server, and this answer arrives in small pieces.";

std::string str(const QByteArray &bytes)
{
    return std::string(bytes.constData(), static_cast<std::size_t>(bytes.size()));
}

QByteArray bytesOf(const json &value)
{
    return QByteArray::fromStdString(value.dump());
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 422:
        return "Unprocessable Entity";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default:
        return "Status";
    }
}

} // namespace

// ---------------------------------------------------------------------------------------------

QByteArray ReceivedRequest::header(const QByteArray &lowerName) const
{
    for (const auto &h : headers) {
        if (h.first == lowerName)
            return h.second;
    }
    return {};
}

json ReceivedRequest::json() const
{
    return nlohmann::json::parse(body.constBegin(), body.constEnd());
}

Behaviour Behaviour::unauthorized()
{
    Behaviour b;
    b.kind = Kind::HttpError;
    b.status = 401;
    b.errorType = "invalid_request_error";
    b.errorCode = "invalid_api_key";
    b.errorMessage =
        "Incorrect API key provided: sk-proj-****************************1234. You can find your API "
        "key at https://platform.openai.com/account/api-keys.";
    return b;
}

Behaviour Behaviour::modelNotFound(const QByteArray &model)
{
    Behaviour b;
    b.kind = Kind::HttpError;
    b.status = 404;
    b.errorType = "invalid_request_error";
    b.errorCode = "model_not_found";
    b.errorMessage = "The model `" + model + "` does not exist or you do not have access to it.";
    return b;
}

Behaviour Behaviour::rateLimited(const QByteArray &retryAfterSeconds)
{
    Behaviour b;
    b.kind = Kind::HttpError;
    b.status = 429;
    b.errorType = "requests";
    b.errorCode = "rate_limit_exceeded";
    b.errorMessage =
        "Rate limit reached for gpt-4o-mini in organization org-fake on requests per min (RPM): Limit 3, "
        "Used 3, Requested 1. Please try again in " +
        retryAfterSeconds + "s. Visit https://platform.openai.com/account/rate-limits to learn more.";
    b.retryAfter = retryAfterSeconds;
    bool ok = false;
    const double seconds = retryAfterSeconds.toDouble(&ok);
    if (ok)
        b.retryAfterMs = QByteArray::number(static_cast<qint64>(seconds * 1000));
    return b;
}

Behaviour Behaviour::serverError(int status)
{
    Behaviour b;
    b.kind = Kind::HttpError;
    b.status = status;
    b.errorType = "server_error";
    b.errorMessage =
        status == 503
            ? QByteArray("The server is overloaded or not ready yet.")
            : QByteArray("The server had an error while processing your request. Sorry about that!");
    return b;
}

Behaviour Behaviour::insufficientQuota()
{
    Behaviour b;
    b.kind = Kind::HttpError;
    b.status = 429;
    b.errorType = "insufficient_quota";
    b.errorCode = "insufficient_quota";
    b.errorMessage = "You exceeded your current quota, please check your plan and billing details. For more "
                     "information on this error, read the docs: "
                     "https://platform.openai.com/docs/guides/error-codes/api-errors.";
    return b;
}

// ---------------------------------------------------------------------------------------------

// What one answer puts on the wire. Built by handle(), shaped by a Behaviour, turned into
// writes by finalize().
struct FakeOpenAiServer::Plan {
    enum class End {
        Complete, // all sent (chunked: with the terminating chunk); the connection stays open
        Close,    // all sent, then the connection is closed
        Drop,     // no terminating chunk / body short of Content-Length, then closed
        Stall,    // no terminating chunk, then silence with the socket open
    };
    struct Piece {
        QByteArray bytes;
        QString schema; // empty: not a JSON payload (SSE [DONE], malformed data)
        json payload;
    };
    int status = 200;
    QByteArray requestId;
    QList<QPair<QByteArray, QByteArray>> headers;
    bool chunked = false;
    bool namedEvents = false; // SSE with `event:` lines (Responses) rather than bare data (Chat)
    QList<Piece> body;
    qint64 declaredLength = -1; // Content-Length to announce when it differs from what is sent
    End end = End::Complete;
    bool raw = false;
    QByteArray rawBytes;
    int maxChunk = 0;
    int chunkDelayMs = 0;
    int responseDelayMs = 0;
    QList<QByteArray> writes; // filled by finalize()
};

class FakeOpenAiServer::Connection : public QObject {
public:
    Connection(FakeOpenAiServer *server, QTcpSocket *socket)
        : QObject(server), m_server(server), m_socket(socket)
    {
        socket->setParent(this);
        // Reading and answering are split: when several connections become readable at once,
        // every one is read (and its arrival time taken) before any is answered, so a request
        // does not wait, unaccounted, behind the others' handling before its delay starts.
        connect(socket, &QTcpSocket::readyRead, this, [this] {
            m_buffer += m_socket->readAll();
            m_lastRead.start();
            if (!m_processQueued) {
                m_processQueued = true;
                QMetaObject::invokeMethod(this, [this] {
                    m_processQueued = false;
                    processBuffer();
                }, Qt::QueuedConnection);
            }
        });
        connect(socket, &QTcpSocket::disconnected, this, [this] {
            setActive(false);
            deleteLater();
        });
    }
    ~Connection() override { setActive(false); }

private:
    void processBuffer(bool fromLeftover = false)
    {
        m_buffer += m_socket->readAll();
        if (m_busy)
            return; // one answer at a time per connection, like a real HTTP/1.1 server
        const qsizetype headerEnd = m_buffer.indexOf("\r\n\r\n");
        if (headerEnd < 0) {
            if (m_buffer.size() > 1 << 20)
                m_socket->abort();
            return;
        }
        const QList<QByteArray> lines = m_buffer.left(headerEnd).split('\n');
        const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
        ReceivedRequest request;
        request.method = requestLine.value(0);
        const QByteArray target = requestLine.value(1);
        const qsizetype query = target.indexOf('?');
        request.path = query < 0 ? target : target.left(query);
        request.query = query < 0 ? QByteArray() : target.mid(query + 1);
        qint64 length = 0;
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines.at(i).trimmed();
            const qsizetype colon = line.indexOf(':');
            if (colon <= 0)
                continue;
            const QByteArray name = line.left(colon).trimmed().toLower();
            const QByteArray value = line.mid(colon + 1).trimmed();
            request.headers.append({name, value});
            if (name == "content-length")
                length = value.toLongLong();
        }
        if (m_buffer.size() < headerEnd + 4 + length)
            return; // the rest of the body is still on its way
        request.body = m_buffer.mid(headerEnd + 4, length);
        m_buffer.remove(0, headerEnd + 4 + length);
        m_closeAfter = request.header("connection").toLower() == "close";

        m_busy = true;
        setActive(true);
        // The delay models the server's latency from the request's arrival (its last bytes
        // read, or now for a request that waited in the buffer behind the previous answer): the
        // time the fake spends building its answer is part of it, not added on top.
        QElapsedTimer received = m_lastRead;
        if (!received.isValid() || fromLeftover)
            received.start();
        m_lastRead.invalidate();
        Plan plan = m_server->handle(request);
        if (plan.responseDelayMs > 0) {
            // A timer fires late: by its millisecond granularity and by this process's turn on
            // a busy machine (about 0.9 ms at 16 concurrent requests on 2 cores). The server
            // learns that lateness and aims that much earlier, so that answers start on average
            // when asked (from the arrival), as a server on its own machine would. Rounded to the
            // nearest millisecond: over many requests the rounding averages out.
            const qint64 nowNs = received.nsecsElapsed();
            const qint64 remainingNs = qint64(plan.responseDelayMs) * 1000000 - nowNs - m_server->m_timerLatenessNs;
            const int remaining = static_cast<int>(std::max<qint64>(0, (remainingNs + 500000) / 1000000));
            const qint64 firesAtNs = nowNs + qint64(remaining) * 1000000; // what the timer is asked for
            QTimer::singleShot(remaining, Qt::PreciseTimer, this, [this, plan, received, firesAtNs] {
                if (m_server)
                    m_server->learnTimerLateness(received.nsecsElapsed() - firesAtNs);
                begin(plan);
            });
        } else {
            begin(plan);
        }
    }

    void begin(const Plan &plan)
    {
        m_writes = plan.writes;
        m_delayMs = plan.chunkDelayMs;
        m_end = plan.end;
        writeNext();
    }

    void writeNext()
    {
        while (!m_writes.isEmpty()) {
            m_socket->write(m_writes.takeFirst());
            m_socket->flush();
            if (m_delayMs > 0 && !m_writes.isEmpty()) {
                QTimer::singleShot(m_delayMs, this, [this] { writeNext(); });
                return;
            }
        }
        switch (m_end) {
        case Plan::End::Complete:
            m_busy = false;
            setActive(false);
            if (m_closeAfter)
                m_socket->disconnectFromHost();
            else if (!m_buffer.isEmpty())
                QTimer::singleShot(0, this, [this] { processBuffer(true); });
            break;
        case Plan::End::Close:
            setActive(false);
            m_socket->disconnectFromHost();
            break;
        case Plan::End::Drop:
            setActive(false);
            resetWhenDelivered(0);
            break;
        case Plan::End::Stall:
            break; // stay busy and silent until the client gives up
        }
    }

    // A dropped connection is a TCP reset, not a FIN: Qt 6.4's QNetworkReply reports a FIN in
    // the middle of a chunked body as a successful end, while a real network failure (and what
    // clients must survive) is a reset. The reset waits until the peer has acknowledged every
    // byte, so the events before the cut are not lost with it.
    void resetWhenDelivered(int attempt)
    {
        if (m_socket->state() != QAbstractSocket::ConnectedState)
            return;
        m_socket->flush();
#ifdef Q_OS_LINUX
        const qintptr fd = m_socket->socketDescriptor();
        int unacknowledged = 0;
        if (m_socket->bytesToWrite() > 0 ||
            (fd >= 0 && ::ioctl(static_cast<int>(fd), SIOCOUTQ, &unacknowledged) == 0 &&
             unacknowledged > 0)) {
            if (attempt < 5000) {
                QTimer::singleShot(1, this, [this, attempt] { resetWhenDelivered(attempt + 1); });
                return;
            }
        }
        if (fd >= 0) {
            const linger hard = {1, 0}; // close() sends RST instead of FIN
            ::setsockopt(static_cast<int>(fd), SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
        }
#else
        Q_UNUSED(attempt);
#endif
        m_socket->abort();
    }

    // Counts this connection's request in the server's active / high-water figures.
    void setActive(bool active)
    {
        if (active == m_active || !m_server)
            return;
        m_active = active;
        m_server->m_activeRequests += active ? 1 : -1;
        m_server->m_maxActiveRequests = std::max(m_server->m_maxActiveRequests, m_server->m_activeRequests);
    }

    QPointer<FakeOpenAiServer> m_server;
    QTcpSocket *m_socket;
    QByteArray m_buffer;
    bool m_busy = false;
    bool m_active = false;
    bool m_closeAfter = false;
    bool m_processQueued = false;
    QElapsedTimer m_lastRead; // when the last bytes of the request being parsed were read
    QList<QByteArray> m_writes;
    int m_delayMs = 0;
    Plan::End m_end = Plan::End::Complete;
};

// ---------------------------------------------------------------------------------------------

FakeOpenAiServer::FakeOpenAiServer(QObject *parent) : QObject(parent), m_models(fake::defaultModels()["data"])
{
    connect(&m_server, &QTcpServer::newConnection, this, &FakeOpenAiServer::onNewConnection);
}

FakeOpenAiServer::~FakeOpenAiServer()
{
    m_server.close();
}

bool FakeOpenAiServer::start()
{
    return m_server.isListening() || m_server.listen(QHostAddress::LocalHost, 0);
}

QUrl FakeOpenAiServer::baseUrl() const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1/v1").arg(port()));
}

quint16 FakeOpenAiServer::port() const
{
    return m_server.serverPort();
}

void FakeOpenAiServer::enqueue(const Behaviour &behaviour)
{
    m_queue.append(behaviour);
}

void FakeOpenAiServer::setRandomSeed(quint32 seed)
{
    m_seed = seed;
    m_random.seed(seed);
}

void FakeOpenAiServer::setModels(const json &models)
{
    m_models = models;
}

std::optional<json> FakeOpenAiServer::storedResponse(const QByteArray &id) const
{
    auto it = m_stored.find(id);
    if (it == m_stored.end())
        return std::nullopt;
    return it->second.final;
}

void FakeOpenAiServer::onNewConnection()
{
    while (QTcpSocket *socket = m_server.nextPendingConnection()) {
        ++m_connectionsAccepted;
        // No Nagle: the head and the body go out as separate writes, and Nagle would hold the
        // body until the client's (delayed, ~40 ms) ACK of the head, adding 40 ms per answer.
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        new Connection(this, socket);
    }
}

QByteArray FakeOpenAiServer::nextSerial()
{
    return "f4ke" + QByteArray::number(++m_serialCounter, 16).rightJustified(28, '0');
}

FakeOpenAiServer::Plan FakeOpenAiServer::jsonPlan(int status, const json &body, const QString &schema)
{
    Plan plan;
    plan.status = status;
    plan.headers.append(qMakePair(QByteArray("content-type"), QByteArray("application/json")));
    plan.body.append({bytesOf(body), schema, body});
    return plan;
}

FakeOpenAiServer::Plan FakeOpenAiServer::errorPlan(int status, const json &body, const Behaviour *behaviour)
{
    Plan plan = jsonPlan(status, body, QStringLiteral("ErrorResponse"));
    if (behaviour) {
        if (!behaviour->retryAfter.isEmpty())
            plan.headers.append(qMakePair(QByteArray("retry-after"), QByteArray(behaviour->retryAfter)));
        if (!behaviour->retryAfterMs.isEmpty())
            plan.headers.append(qMakePair(QByteArray("retry-after-ms"), QByteArray(behaviour->retryAfterMs)));
    }
    return plan;
}

FakeOpenAiServer::Plan FakeOpenAiServer::handle(const ReceivedRequest &request)
{
    m_requests.append(request);
    Q_EMIT requestReceived(request);
    const QByteArray requestId = "req_" + QByteArray::number(++m_requestCounter);

    Plan plan = [&]() -> Plan {
        if (m_requireApiKey) {
            const QByteArray authorization = request.header("authorization");
            const QByteArray key =
                authorization.startsWith("Bearer ") ? authorization.mid(7).trimmed() : QByteArray();
            if (key.isEmpty()) {
                return errorPlan(
                    401, fake::errorBody("You didn't provide an API key. You need to provide your API key "
                                         "in an Authorization header using Bearer auth (i.e. "
                                         "Authorization: Bearer YOUR_KEY), or as the password field (with "
                                         "blank username) if you're accessing the API from your browser "
                                         "and are prompted for a username and password. You can obtain "
                                         "an API key from https://platform.openai.com/account/api-keys.",
                                         "invalid_request_error", {}, "invalid_api_key"));
            }
        }

        const QList<QByteArray> parts = request.path.split('/'); // "", "v1", ...
        const QByteArray &method = request.method;
        enum class Route {
            None,
            Responses,
            Chat,
            Models,
            Model,
            ResponseGet,
            ResponseCancel
        } route = Route::None;
        const QByteArray resource = parts.value(2);
        if (parts.value(0).isEmpty() && parts.value(1) == "v1") {
            if (parts.size() == 3 && resource == "responses" && method == "POST")
                route = Route::Responses;
            else if (parts.size() == 4 && resource == "chat" && parts.value(3) == "completions" &&
                     method == "POST")
                route = Route::Chat;
            else if (parts.size() == 3 && resource == "models" && method == "GET")
                route = Route::Models;
            else if (parts.size() == 4 && resource == "models" && method == "GET" &&
                     !parts.value(3).isEmpty())
                route = Route::Model;
            else if (parts.size() == 4 && resource == "responses" && method == "GET" &&
                     !parts.value(3).isEmpty())
                route = Route::ResponseGet;
            else if (parts.size() == 5 && resource == "responses" && parts.value(4) == "cancel" &&
                     method == "POST")
                route = Route::ResponseCancel;
        }
        if (route == Route::None) {
            for (const auto &extra : m_extraRoutes) {
                std::optional<ExtraAnswer> answer = extra(request);
                if (!answer)
                    continue;
                if (!m_queue.isEmpty() && (m_queue.first().kind == Behaviour::Kind::HttpError ||
                                           m_queue.first().kind == Behaviour::Kind::RawResponse)) {
                    const Behaviour scripted = m_queue.takeFirst();
                    Plan scriptedPlan;
                    if (scripted.kind == Behaviour::Kind::RawResponse) {
                        scriptedPlan.raw = true;
                        scriptedPlan.rawBytes = scripted.raw;
                        scriptedPlan.end = Plan::End::Close;
                    } else {
                        scriptedPlan = errorPlan(scripted.status,
                                         fake::errorBody(scripted.errorMessage.isEmpty() ? QByteArray("Scripted error.")
                                                                                         : scripted.errorMessage,
                                                         scripted.errorType.isEmpty()
                                                             ? QByteArray("invalid_request_error")
                                                             : scripted.errorType,
                                                         scripted.errorParam, scripted.errorCode),
                                         &scripted);
                    }
                    return scriptedPlan;
                }
                if (answer->status >= 400)
                    return errorPlan(answer->status, answer->body);
                return jsonPlan(answer->status, answer->body, answer->schema);
            }
            return errorPlan(404, fake::errorBody("Invalid URL (" + method + ' ' + request.path + ')',
                                                  "invalid_request_error", {}, {}));
        }

        json body;
        if (route == Route::Responses || route == Route::Chat) {
            try {
                body = request.json();
            } catch (const json::exception &) {
                body = nullptr;
            }
            if (!body.is_object()) {
                return errorPlan(
                    400, fake::errorBody("We could not parse the JSON body of your request. (HINT: This "
                                         "likely means you aren't using your HTTP library correctly. The "
                                         "OpenAI API expects a JSON payload, but what was sent was not "
                                         "valid JSON. If you have trouble figuring out how to fix this, "
                                         "please contact us through our help center at "
                                         "help.openai.com.)",
                                         "invalid_request_error", {}, {}));
            }
            if (!body.contains("model") || !body["model"].is_string() ||
                body["model"].get<std::string>().empty()) {
                return errorPlan(400, fake::errorBody("Missing required parameter: 'model'.",
                                                      "invalid_request_error", "model",
                                                      "missing_required_parameter"));
            }
            if (m_strictRequests) {
                bool refused = false;
                Plan refusal =
                    strictCheck(body,
                                route == Route::Responses ? QStringLiteral("CreateResponse")
                                                          : QStringLiteral("CreateChatCompletionRequest"),
                                &refused);
                if (refused)
                    return refusal;
            }
        }

        const Behaviour behaviour = m_queue.isEmpty() ? Behaviour() : m_queue.takeFirst();
        Plan answer;
        if (behaviour.kind == Behaviour::Kind::HttpError) {
            answer = errorPlan(
                behaviour.status,
                fake::errorBody(
                    behaviour.errorMessage.isEmpty() ? QByteArray("Scripted error.") : behaviour.errorMessage,
                    behaviour.errorType.isEmpty() ? QByteArray("invalid_request_error") : behaviour.errorType,
                    behaviour.errorParam, behaviour.errorCode),
                &behaviour);
        } else if (behaviour.kind == Behaviour::Kind::RawResponse) {
            answer.raw = true;
            answer.rawBytes = behaviour.raw;
            answer.end = Plan::End::Close;
        } else {
            switch (route) {
            case Route::Responses:
                answer = responsesCreate(body, behaviour);
                break;
            case Route::Chat:
                answer = chatCreate(body, behaviour);
                break;
            case Route::Models:
                answer = jsonPlan(200, json{{"object", "list"}, {"data", m_models}},
                                  QStringLiteral("ListModelsResponse"));
                break;
            case Route::Model: {
                const std::string id = str(parts.value(3));
                auto found = std::find_if(m_models.begin(), m_models.end(), [&id](const json &m) {
                    return m.value("id", std::string()) == id;
                });
                answer =
                    found != m_models.end()
                        ? jsonPlan(200, *found, QStringLiteral("Model"))
                        : errorPlan(404,
                                    fake::errorBody("The model `" + parts.value(3) +
                                                        "` does not exist or you do not have access to it.",
                                                    "invalid_request_error", {}, "model_not_found"));
                break;
            }
            case Route::ResponseGet:
                answer = responsesGet(parts.value(3));
                break;
            case Route::ResponseCancel:
                answer = responsesCancel(parts.value(3));
                break;
            case Route::None:
                break;
            }
        }
        applyBehaviour(answer, behaviour);
        return answer;
    }();
    plan.requestId = requestId;
    if (plan.responseDelayMs <= 0)
        plan.responseDelayMs = m_defaultResponseDelayMs;
    finalize(plan);
    return plan;
}

FakeOpenAiServer::Plan FakeOpenAiServer::strictCheck(const json &request, const QString &schema,
                                                     bool *refused)
{
    *refused = false;
    const OpenApiValidator *validator = OpenApiValidator::shared();
    if (!validator)
        return {};
    const QStringList unknown = validator->unknownProperties(request, schema);
    if (!unknown.isEmpty()) {
        *refused = true;
        const QByteArray name = unknown.first().toUtf8();
        return errorPlan(400, fake::errorBody("Unknown parameter: '" + name + "'.", "invalid_request_error",
                                              name, "unknown_parameter"));
    }
    const QList<SchemaError> errors = validator->validate(request, schema);
    if (!errors.isEmpty()) {
        *refused = true;
        // "$.reasoning.effort" -> "reasoning.effort", the way the API names parameters.
        QByteArray param = errors.first().path.toUtf8();
        param = param.startsWith("$.") ? param.mid(2) : param.mid(1);
        return errorPlan(
            400, fake::errorBody("Invalid value for '" + param + "': " + errors.first().message.toUtf8(),
                                 "invalid_request_error", param, "invalid_value"));
    }
    return {};
}

QByteArray FakeOpenAiServer::outputTextFor(const json &request, const Behaviour &behaviour) const
{
    if (!behaviour.outputText.isEmpty())
        return behaviour.outputText;
    if (m_outputTextProvider) {
        const QByteArray provided = m_outputTextProvider(request);
        if (!provided.isEmpty())
            return provided;
    }
    return kDefaultText;
}

FakeOpenAiServer::Plan FakeOpenAiServer::responsesCreate(const json &request, const Behaviour &behaviour)
{
    fake::Generation generation;
    generation.text = outputTextFor(request, behaviour);
    generation.deltaCount = behaviour.deltaCount;
    generation.createdAt = QDateTime::currentSecsSinceEpoch();
    generation.serial = nextSerial();
    const QByteArray prompt = QCryptographicHash::hash(
        bytesOf(json{request.value("model", json()), request.value("instructions", json()),
                     request.value("input", json())}),
        QCryptographicHash::Sha1);
    if (m_seenPrompts.contains(prompt))
        generation.cachedTokens = 1 << 30; // the whole prompt; the builder caps it at the input size
    m_seenPrompts.insert(prompt);

    const fake::ResponsesAnswer answer = fake::responsesAnswer(request, generation);
    const bool background = request.value("background", json(false)) == json(true);
    const QByteArray id = QByteArray::fromStdString(answer.final["id"].get<std::string>());
    if (request.value("store", json(true)) != json(false))
        m_stored[id] = Stored{answer.final, background, 0, false};
    m_tokensUsed += answer.final["usage"].value("total_tokens", 0);

    if (request.value("stream", json(false)) == json(true)) {
        Plan plan;
        plan.chunked = true;
        plan.namedEvents = true;
        plan.headers.append(
            qMakePair(QByteArray("content-type"), QByteArray("text/event-stream; charset=utf-8")));
        for (const fake::Payload &event : answer.events)
            plan.body.append({"event: " + event.sseEvent + "\ndata: " + bytesOf(event.json) + "\n\n",
                              event.schema, event.json});
        return plan;
    }
    if (background)
        return jsonPlan(200, fake::responseSnapshot(answer.final, "queued"), QStringLiteral("Response"));
    return jsonPlan(200, answer.final, QStringLiteral("Response"));
}

FakeOpenAiServer::Plan FakeOpenAiServer::chatCreate(const json &request, const Behaviour &behaviour)
{
    fake::Generation generation;
    generation.text = outputTextFor(request, behaviour);
    generation.deltaCount = behaviour.deltaCount;
    generation.createdAt = QDateTime::currentSecsSinceEpoch();
    generation.serial = nextSerial();
    const QByteArray prompt = QCryptographicHash::hash(
        bytesOf(json{request.value("model", json()), request.value("messages", json())}),
        QCryptographicHash::Sha1);
    if (m_seenPrompts.contains(prompt))
        generation.cachedTokens = 1 << 30;
    m_seenPrompts.insert(prompt);

    const fake::ChatAnswer answer = fake::chatAnswer(request, generation);
    m_tokensUsed += answer.completion["usage"].value("total_tokens", 0);
    if (request.value("stream", json(false)) == json(true)) {
        Plan plan;
        plan.chunked = true;
        plan.headers.append(
            qMakePair(QByteArray("content-type"), QByteArray("text/event-stream; charset=utf-8")));
        for (const fake::Payload &chunk : answer.chunks)
            plan.body.append({"data: " + bytesOf(chunk.json) + "\n\n", chunk.schema, chunk.json});
        plan.body.append({"data: [DONE]\n\n", QString(), json()});
        return plan;
    }
    return jsonPlan(200, answer.completion, QStringLiteral("CreateChatCompletionResponse"));
}

FakeOpenAiServer::Plan FakeOpenAiServer::responsesGet(const QByteArray &id)
{
    auto it = m_stored.find(id);
    if (it == m_stored.end()) {
        return errorPlan(404, fake::errorBody("Response with id '" + id + "' not found.",
                                              "invalid_request_error", {}, {}));
    }
    Stored &stored = it->second;
    if (stored.cancelled)
        return jsonPlan(200, fake::responseSnapshot(stored.final, "cancelled"), QStringLiteral("Response"));
    if (stored.background && ++stored.gets < 2)
        return jsonPlan(200, fake::responseSnapshot(stored.final, "in_progress"), QStringLiteral("Response"));
    return jsonPlan(200, stored.final, QStringLiteral("Response"));
}

FakeOpenAiServer::Plan FakeOpenAiServer::responsesCancel(const QByteArray &id)
{
    auto it = m_stored.find(id);
    if (it == m_stored.end()) {
        return errorPlan(404, fake::errorBody("Response with id '" + id + "' not found.",
                                              "invalid_request_error", {}, {}));
    }
    Stored &stored = it->second;
    if (!stored.background) {
        return errorPlan(400, fake::errorBody("Only responses created with background=true can be cancelled.",
                                              "invalid_request_error", {}, {}));
    }
    if (!stored.cancelled && stored.gets >= 2)
        return jsonPlan(200, stored.final, QStringLiteral("Response")); // finished before the cancel arrived
    stored.cancelled = true;
    return jsonPlan(200, fake::responseSnapshot(stored.final, "cancelled"), QStringLiteral("Response"));
}

void FakeOpenAiServer::applyBehaviour(Plan &plan, const Behaviour &behaviour)
{
    plan.maxChunk = behaviour.maxChunk;
    plan.chunkDelayMs = behaviour.chunkDelayMs;
    plan.responseDelayMs = behaviour.responseDelayMs;
    using Kind = Behaviour::Kind;
    if (plan.raw || (behaviour.kind != Kind::DropMidStream && behaviour.kind != Kind::StallMidStream &&
                     behaviour.kind != Kind::MalformedStream))
        return;
    const qsizetype keep = std::max(0, behaviour.dropAfterEvents);
    if (plan.chunked) {
        if (plan.body.size() > keep)
            plan.body.resize(keep);
        if (behaviour.kind == Kind::MalformedStream) {
            // A proxy or a bug cut an event short: the data line is not JSON. The stream then
            // ends normally, so only the content tells the client something is wrong.
            plan.body.append(
                {plan.namedEvents
                     ? QByteArray("event: response.output_text.delta\ndata: {\"type\": "
                                  "\"response.output_text.delta\", \"delta\": \"Hel\n\n")
                     : QByteArray("data: {\"id\": \"chatcmpl-broken\", \"choices\": [{\"delta\n\n"),
                 QString(), json()});
        } else {
            plan.end = behaviour.kind == Kind::DropMidStream ? Plan::End::Drop : Plan::End::Stall;
        }
        return;
    }
    // A JSON answer: cut the body in half.
    QByteArray whole;
    for (const Plan::Piece &piece : plan.body)
        whole += piece.bytes;
    plan.body = {{whole.left(whole.size() / 2), QString(), json()}};
    if (behaviour.kind == Kind::MalformedStream)
        return; // a complete HTTP answer whose body is not JSON
    plan.declaredLength = whole.size();
    plan.end = behaviour.kind == Kind::DropMidStream ? Plan::End::Drop : Plan::End::Stall;
}

QList<QByteArray> FakeOpenAiServer::cutRandomly(const QByteArray &bytes, int maxChunk)
{
    QList<QByteArray> pieces;
    qsizetype at = 0;
    while (at < bytes.size()) {
        const qsizetype size = static_cast<qsizetype>(m_random.bounded(1, maxChunk + 1));
        pieces.append(bytes.mid(at, size));
        at += size;
    }
    return pieces;
}

void FakeOpenAiServer::finalize(Plan &plan)
{
    if (plan.raw) {
        plan.writes =
            plan.maxChunk > 0 ? cutRandomly(plan.rawBytes, plan.maxChunk) : QList<QByteArray>{plan.rawBytes};
        m_lastBody = plan.rawBytes;
        return;
    }
    QByteArray body;
    for (const Plan::Piece &piece : plan.body) {
        body += piece.bytes;
        if (!piece.schema.isEmpty())
            m_sent.append({piece.schema, piece.payload});
    }
    m_lastBody = body;

    QByteArray head =
        "HTTP/1.1 " + QByteArray::number(plan.status) + ' ' + reasonPhrase(plan.status) + "\r\n";
    const auto addHeader = [&head](const QByteArray &name, const QByteArray &value) {
        head += name + ": " + value + "\r\n";
    };
    addHeader("date", QLocale::c()
                          .toString(QDateTime::currentDateTimeUtc(),
                                    QStringLiteral("ddd, dd MMM yyyy hh:mm:ss 'GMT'"))
                          .toLatin1());
    for (const auto &h : plan.headers)
        addHeader(h.first, h.second);
    if (plan.chunked)
        addHeader("transfer-encoding", "chunked");
    else
        addHeader("content-length",
                  QByteArray::number(plan.declaredLength >= 0 ? plan.declaredLength : body.size()));
    addHeader("connection", "keep-alive");
    addHeader("openai-version", "2020-10-01");
    addHeader("openai-organization", "user-fake");
    addHeader("openai-processing-ms", QByteArray::number(40 + (m_requestCounter * 37) % 400));
    addHeader("x-request-id", plan.requestId);
    const bool limited = plan.status == 429;
    addHeader("x-ratelimit-limit-requests", QByteArray::number(kRequestLimit));
    addHeader("x-ratelimit-limit-tokens", QByteArray::number(kTokenLimit));
    addHeader("x-ratelimit-remaining-requests",
              QByteArray::number(limited ? 0 : std::max(0, kRequestLimit - m_requestCounter)));
    addHeader("x-ratelimit-remaining-tokens",
              QByteArray::number(limited ? 0 : std::max<qint64>(0, kTokenLimit - m_tokensUsed)));
    addHeader("x-ratelimit-reset-requests", limited ? "20s" : "6ms");
    addHeader("x-ratelimit-reset-tokens", limited ? "1m0s" : "0s");
    head += "\r\n";

    QList<QByteArray> segments;
    if (plan.maxChunk > 0) {
        segments = cutRandomly(body, plan.maxChunk);
    } else {
        for (const Plan::Piece &piece : plan.body)
            segments.append(piece.bytes);
    }
    plan.writes = {head};
    for (const QByteArray &segment : segments) {
        if (segment.isEmpty())
            continue;
        plan.writes.append(plan.chunked ? QByteArray::number(segment.size(), 16) + "\r\n" + segment + "\r\n"
                                        : segment);
    }
    if (plan.chunked && (plan.end == Plan::End::Complete || plan.end == Plan::End::Close))
        plan.writes.append("0\r\n\r\n");
}

} // namespace assay::testing
