#include "models/api/request_record.h"

#include <QStringList>

namespace assay::api {

namespace {

const QByteArray kPlaceholder = QByteArrayLiteral("[REDACTED]");

// POSIX shell single quoting: everything literal; a quote closes, is escaped, and reopens.
QString shellQuote(const QString &text)
{
    QString quoted = text;
    quoted.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
    return QLatin1Char('\'') + quoted + QLatin1Char('\'');
}

} // namespace

bool RequestRecord::isSecretHeader(const QByteArray &name)
{
    const QByteArray lower = name.trimmed().toLower();
    return lower == "authorization" || lower == "proxy-authorization" || lower == "api-key" ||
           lower == "x-api-key" || lower == "cookie" || lower == "set-cookie" || lower.contains("key") ||
           lower.contains("token") || lower.contains("secret") || lower.contains("password");
}

QByteArray RequestRecord::redact(const QByteArray &name, const QByteArray &value)
{
    if (!isSecretHeader(name))
        return value;
    // Keep the scheme so the inspector still says how the request authenticated; never any of
    // the credential itself (not even a prefix or its length).
    const QByteArray trimmed = value.trimmed();
    const qsizetype space = trimmed.indexOf(' ');
    if (space > 0) {
        const QByteArray scheme = trimmed.left(space);
        const QByteArray lower = scheme.toLower();
        if (lower == "bearer" || lower == "basic" || lower == "token")
            return scheme + ' ' + kPlaceholder;
    }
    return kPlaceholder;
}

QString RequestRecord::toCurl() const
{
    QStringList parts;
    parts << QStringLiteral("curl");
    const QString upperMethod = method.toUpper();
    const bool hasBody = !requestBody.isEmpty();
    if (!upperMethod.isEmpty() && !(upperMethod == QLatin1String("GET") && !hasBody) &&
        !(upperMethod == QLatin1String("POST") && hasBody))
        parts << QStringLiteral("-X ") + upperMethod;
    parts << shellQuote(url);

    bool streaming = false;
    for (const auto &[name, value] : requestHeaders) {
        const QByteArray lower = name.toLower();
        if (lower == "accept" && value.contains("text/event-stream"))
            streaming = true;
        if (lower == "authorization") {
            // Double quotes so the shell expands the variable; the key itself is never printed.
            parts << QStringLiteral("-H \"Authorization: Bearer $OPENAI_API_KEY\"");
        } else if (lower == "api-key" || lower == "x-api-key") {
            parts << QStringLiteral("-H \"%1: $OPENAI_API_KEY\"").arg(QString::fromLatin1(name));
        } else {
            const QByteArray shown = redact(name, value);
            parts << QStringLiteral("-H ") + shellQuote(QString::fromLatin1(name) + QStringLiteral(": ") +
                                                        QString::fromUtf8(shown));
        }
    }
    if (streaming)
        parts << QStringLiteral("--no-buffer");
    if (hasBody)
        parts << QStringLiteral("-d ") + shellQuote(QString::fromUtf8(requestBody));
    return parts.join(QStringLiteral(" \\\n  "));
}

} // namespace assay::api
