#include "models/api/api_error.h"

#include <utility>

namespace assay::api {

namespace {

// An HTML error page or a proxy's banner can be large; the user needs the gist, not all of it.
constexpr qsizetype kMaxRawMessage = 500;

QString jsonText(const nlohmann::json &value)
{
    if (value.is_string())
        return QString::fromStdString(value.get<std::string>());
    if (value.is_number_integer())
        return QString::number(value.get<long long>());
    if (value.is_number())
        return QString::number(value.get<double>());
    if (value.is_boolean())
        return value.get<bool>() ? QStringLiteral("true") : QStringLiteral("false");
    return {}; // null, or a shape we do not expect
}

QString rawText(const QByteArray &body)
{
    QString text = QString::fromUtf8(body).trimmed();
    if (text.size() > kMaxRawMessage)
        text = text.left(kMaxRawMessage) + QStringLiteral("…");
    return text;
}

// Reads {"message", "type", "param", "code"} from an OpenAI error object.
void readErrorObject(ApiError &error, const nlohmann::json &object)
{
    if (auto it = object.find("message"); it != object.end())
        error.message = jsonText(*it);
    if (auto it = object.find("type"); it != object.end())
        error.type = jsonText(*it);
    if (auto it = object.find("param"); it != object.end())
        error.param = jsonText(*it);
    if (auto it = object.find("code"); it != object.end())
        error.code = jsonText(*it);
}

bool isFlexUnavailable(const ApiError &error)
{
    return error.code == QLatin1String("resource_unavailable") ||
           error.type == QLatin1String("resource_unavailable") ||
           error.message.contains(QLatin1String("resource unavailable"), Qt::CaseInsensitive);
}

bool isModelError(const ApiError &error)
{
    return error.code == QLatin1String("model_not_found") || error.param == QLatin1String("model") ||
           error.message.contains(QLatin1String("model"), Qt::CaseInsensitive);
}

} // namespace

ApiError ApiError::fromHttp(int status, const QByteArray &body, const QString &requestId)
{
    ApiError error;
    error.kind = Kind::Http;
    error.httpStatus = status;
    error.requestId = requestId;

    const auto json = nlohmann::json::parse(body.constBegin(), body.constEnd(), nullptr, false);
    if (json.is_object()) {
        const auto it = json.find("error");
        if (it != json.end() && it->is_object())
            readErrorObject(error, *it);
        else if (it != json.end() && it->is_string()) // {"error": "..."} (Ollama and others)
            error.message = jsonText(*it);
        else if (json.contains("message")) // a bare error object
            readErrorObject(error, json);
    }
    if (error.message.isEmpty())
        error.message = rawText(body);
    return error;
}

ApiError ApiError::fromStreamEvent(const nlohmann::json &event, const QString &requestId)
{
    ApiError error;
    error.kind = Kind::StreamError;
    error.requestId = requestId;
    if (!event.is_object()) {
        error.message = QStringLiteral("The stream reported an error without details.");
        return error;
    }

    const std::string type = event.value("type", std::string());
    if (type == "response.failed") {
        const auto response = event.find("response");
        if (response != event.end() && response->is_object()) {
            const auto inner = response->find("error");
            if (inner != response->end() && inner->is_object())
                readErrorObject(error, *inner);
        }
        if (error.message.isEmpty())
            error.message = QStringLiteral("The response failed without an error message.");
        return error;
    }

    // {"type": "error", code, message, param}; some servers nest it as {"error": {...}}, which is
    // also what Chat Completions streams send mid-stream.
    const auto nested = event.find("error");
    if (nested != event.end() && nested->is_object())
        readErrorObject(error, *nested);
    else
        readErrorObject(error, event);
    if (error.type == QLatin1String("error"))
        error.type.clear(); // the event type, not an error type
    if (error.message.isEmpty())
        error.message = QStringLiteral("The stream reported an error without a message.");
    return error;
}

ApiError ApiError::make(Kind kind, QString message)
{
    ApiError error;
    error.kind = kind;
    error.message = std::move(message);
    return error;
}

bool ApiError::isTransient() const
{
    switch (kind) {
    case Kind::Network:
    case Kind::Timeout:
        return true;
    case Kind::Http:
        return httpStatus == 408 || httpStatus == 409 || httpStatus == 429 || httpStatus >= 500;
    case Kind::Cancelled:
    case Kind::MalformedResponse:
    case Kind::StreamError:
    case Kind::MissingKey:
    case Kind::InvalidRequest:
        return false;
    }
    return false;
}

QString ApiError::summary() const
{
    QString head;
    switch (kind) {
    case Kind::Http:
        head = QStringLiteral("HTTP %1").arg(httpStatus);
        break;
    case Kind::Network:
        head = QStringLiteral("Network error");
        break;
    case Kind::Timeout:
        head = QStringLiteral("Timed out");
        break;
    case Kind::Cancelled:
        head = QStringLiteral("Cancelled");
        break;
    case Kind::MalformedResponse:
        head = QStringLiteral("Malformed response");
        break;
    case Kind::StreamError:
        head = QStringLiteral("Stream error");
        break;
    case Kind::MissingKey:
        head = QStringLiteral("No API key");
        break;
    case Kind::InvalidRequest:
        head = QStringLiteral("Invalid request");
        break;
    }
    const QString label = code.isEmpty() ? type : code;
    if (!label.isEmpty())
        head += QLatin1Char(' ') + label;
    if (!message.isEmpty())
        head += QStringLiteral(": ") + message;
    return head;
}

QString ApiError::advice() const
{
    switch (kind) {
    case Kind::Network:
        return QStringLiteral("Check the profile's base URL and your connection: is the server running "
                              "and reachable from this machine?");
    case Kind::Timeout:
        return QStringLiteral("Raise the request timeout, or use streaming so the answer arrives as it "
                              "is generated.");
    case Kind::Cancelled:
        return QStringLiteral("The request was stopped; send it again for a complete answer.");
    case Kind::MalformedResponse:
        return QStringLiteral("The server is not OpenAI-compatible at this base URL, or the stream was "
                              "cut: check the base URL and send again.");
    case Kind::MissingKey:
        return QStringLiteral("Add an API key to this profile (stored in the system keychain) or set "
                              "OPENAI_API_KEY before starting Assay.");
    case Kind::InvalidRequest:
        return param.isEmpty() ? QStringLiteral("Correct the request and send it again.")
                               : QStringLiteral("Correct `%1` and send the request again.").arg(param);
    case Kind::StreamError:
        if (code == QLatin1String("rate_limit_exceeded"))
            return QStringLiteral("Rate limit reached: wait a moment, or run fewer requests at once.");
        if (code == QLatin1String("server_error"))
            return QStringLiteral("The model failed on OpenAI's side: send the request again.");
        return QStringLiteral("The model stopped with an error: read the message, adjust the request "
                              "and send it again.");
    case Kind::Http:
        break;
    }

    if (httpStatus >= 300 && httpStatus < 400)
        return QStringLiteral("The server redirected the request: set the profile's base URL to the "
                              "final address (usually ending in /v1).");
    switch (httpStatus) {
    case 400:
        return param.isEmpty()
                   ? QStringLiteral("The API rejected the request: read the message, correct the request and "
                                    "send it again.")
                   : QStringLiteral("The API rejected `%1`: correct it and send the request again.")
                         .arg(param);
    case 401:
        return QStringLiteral("Check the API key of this profile (and that the profile points at the "
                              "right server): the key is missing, wrong or revoked.");
    case 403:
        return QStringLiteral("The key's project or organization lacks access to this model or "
                              "endpoint: ask an owner for access, or use another project or model.");
    case 404:
        if (isModelError(*this))
            return QStringLiteral("The model was not found or is not available to you: pick a model "
                                  "from the list (Refresh models).");
        return QStringLiteral("Not found: check the profile's base URL (for OpenAI it ends in /v1) "
                              "and the ID you asked for.");
    case 408:
    case 409:
        return QStringLiteral("The server could not finish in time: send the request again.");
    case 413:
        return QStringLiteral("The request is too large: shorten the input.");
    case 422:
        return QStringLiteral("The API could not process the request: correct it and send it again.");
    case 429:
        if (code == QLatin1String("insufficient_quota") || type == QLatin1String("insufficient_quota"))
            return QStringLiteral("You have run out of quota: check your plan and billing details on "
                                  "the OpenAI platform.");
        if (isFlexUnavailable(*this))
            return QStringLiteral("Flex capacity is unavailable right now (you are not charged): retry "
                                  "later, or use the default service tier.");
        return QStringLiteral("Rate limit reached: wait a moment, or lower the number of requests run "
                              "at once (eval concurrency).");
    default:
        break;
    }
    if (httpStatus >= 500)
        return QStringLiteral("A problem on OpenAI's side (or the server's): send the request again in "
                              "a moment.");
    return QStringLiteral("The request failed: read the message and the request in the inspector.");
}

} // namespace assay::api
