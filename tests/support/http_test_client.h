#pragma once

#include <QByteArray>
#include <QList>
#include <QNetworkReply>
#include <QPair>
#include <QUrl>
#include <nlohmann/json.hpp>

class QNetworkAccessManager;

namespace assay::testing {

// What a plain QNetworkAccessManager saw for one request (tests only: it waits in a local
// event loop, which product code must never do).
struct HttpResult {
    bool finished = false; // false: timed out, reply aborted
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    int status = 0;
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers; // names lower-cased
    int readyReadCount = 0;                       // how many separate arrivals the body came in

    QByteArray header(const QByteArray &lowerName) const;
    nlohmann::json json() const; // throws on invalid JSON
};

// Sends one request with `Authorization: Bearer <apiKey>` (none if apiKey is empty) and waits
// up to timeoutMs for it to finish. method: "GET", "POST", ...
HttpResult sendHttp(QNetworkAccessManager &manager, const QByteArray &method, const QUrl &url,
                    const QByteArray &body = {}, const QByteArray &apiKey = "sk-test", int timeoutMs = 10000);
HttpResult sendJson(QNetworkAccessManager &manager, const QUrl &url, const nlohmann::json &body,
                    const QByteArray &apiKey = "sk-test", int timeoutMs = 10000);

// One server-sent event: the `event:` name (empty if none) and the joined `data:` lines.
struct SseEvent {
    QByteArray event;
    QByteArray data;
};
// A deliberately simple reader for complete SSE bodies (tests only; the product's SseParser
// handles partial input).
QList<SseEvent> splitSse(const QByteArray &body);

} // namespace assay::testing
