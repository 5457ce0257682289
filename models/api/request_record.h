#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

namespace assay::api {

// What the request inspector and "Copy as curl" show. Built with Authorization (and any header
// that looks like a key) already redacted: a secret never enters this value.
struct RequestRecord {
    QString method;
    QString url;
    QList<QPair<QByteArray, QByteArray>> requestHeaders;
    QByteArray requestBody;
    int status = 0;
    QList<QPair<QByteArray, QByteArray>> responseHeaders;
    QByteArray responseBody; // non-streaming body, or the raw SSE text (capped)

    static bool isSecretHeader(const QByteArray &name);
    static QByteArray redact(const QByteArray &name, const QByteArray &value);

    // A curl command line that reads the key from $OPENAI_API_KEY instead of embedding it.
    QString toCurl() const;
};

} // namespace assay::api
