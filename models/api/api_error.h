#pragma once

#include <QString>
#include <nlohmann/json.hpp>

namespace assay::api {

// What went wrong with a request, as a value. Carries OpenAI's error body fields
// ({"error": {"message", "type", "param", "code"}}) plus the HTTP status and x-request-id.
struct ApiError {
    enum class Kind {
        Http,              // a non-2xx status with (usually) an OpenAI error body
        Network,           // connection refused, DNS, TLS, connection dropped
        Timeout,           // no answer within the request timeout
        Cancelled,         // the user stopped it
        MalformedResponse, // a body or stream we could not parse
        StreamError,       // an `error` event or response.failed inside a stream
        MissingKey,        // no API key could be found for the profile
        InvalidRequest,    // rejected locally before sending (e.g. an invalid JSON schema)
    };

    Kind kind = Kind::Http;
    int httpStatus = 0;
    QString type;
    QString code;
    QString param;
    QString message;
    QString requestId;

    // Parses an error body; falls back to the raw body text when it is not OpenAI's shape.
    static ApiError fromHttp(int status, const QByteArray &body, const QString &requestId);
    static ApiError fromStreamEvent(const nlohmann::json &event, const QString &requestId);
    static ApiError make(Kind kind, QString message);

    // 408, 409, 429, 5xx, network errors and timeouts: what the official SDKs retry.
    bool isTransient() const;

    // One line: "HTTP 401 invalid_api_key: Incorrect API key provided".
    QString summary() const;
    // What the user can do about it, in a sentence.
    QString advice() const;
};

} // namespace assay::api
