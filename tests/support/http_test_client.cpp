#include "support/http_test_client.h"

#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkRequest>
#include <QTimer>

namespace assay::testing {

QByteArray HttpResult::header(const QByteArray &lowerName) const
{
    for (const auto &h : headers) {
        if (h.first == lowerName)
            return h.second;
    }
    return {};
}

nlohmann::json HttpResult::json() const
{
    return nlohmann::json::parse(body.constBegin(), body.constEnd());
}

HttpResult sendHttp(QNetworkAccessManager &manager, const QByteArray &method, const QUrl &url,
                    const QByteArray &body, const QByteArray &apiKey, int timeoutMs)
{
    QNetworkRequest request(url);
    if (!body.isEmpty())
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
    if (!apiKey.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + apiKey);
    QNetworkReply *reply = manager.sendCustomRequest(request, method, body);

    HttpResult result;
    QEventLoop loop;
    QTimer timer;
    timer.setSingleShot(true);
    QObject::connect(reply, &QNetworkReply::readyRead, &loop, [&result, reply] {
        ++result.readyReadCount;
        result.body += reply->readAll();
    });
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QObject::connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
    timer.start(timeoutMs);
    if (!reply->isFinished())
        loop.exec();

    result.finished = reply->isFinished();
    if (!result.finished)
        reply->abort();
    result.body += reply->readAll();
    result.error = reply->error();
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    for (const auto &pair : reply->rawHeaderPairs())
        result.headers.append({pair.first.toLower(), pair.second});
    reply->deleteLater();
    return result;
}

HttpResult sendJson(QNetworkAccessManager &manager, const QUrl &url, const nlohmann::json &body,
                    const QByteArray &apiKey, int timeoutMs)
{
    return sendHttp(manager, "POST", url, QByteArray::fromStdString(body.dump()), apiKey, timeoutMs);
}

QList<SseEvent> splitSse(const QByteArray &body)
{
    QList<SseEvent> events;
    QByteArray normalized = body;
    normalized.replace("\r\n", "\n");
    SseEvent current;
    bool hasData = false;
    for (const QByteArray &line : normalized.split('\n')) {
        if (line.isEmpty()) {
            if (hasData || !current.event.isEmpty())
                events.append(current);
            current = SseEvent();
            hasData = false;
            continue;
        }
        if (line.startsWith(':'))
            continue;
        const qsizetype colon = line.indexOf(':');
        const QByteArray field = colon < 0 ? line : line.left(colon);
        QByteArray value = colon < 0 ? QByteArray() : line.mid(colon + 1);
        if (value.startsWith(' '))
            value.remove(0, 1);
        if (field == "event") {
            current.event = value;
        } else if (field == "data") {
            if (hasData)
                current.data += '\n';
            current.data += value;
            hasData = true;
        }
    }
    if (hasData)
        events.append(current);
    return events;
}

} // namespace assay::testing
