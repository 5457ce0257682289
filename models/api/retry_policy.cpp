#include "models/api/retry_policy.h"

#include <algorithm>
#include <cmath>

#include <QDateTime>
#include <QLocale>
#include <QTimeZone>

#include "models/api/api_error.h"

namespace assay::api {

namespace {

constexpr double kMaxServerDelayMs = 60'000.0; // the SDKs ignore longer (or silly) server hints

std::optional<double> parseNumber(const QByteArray &text)
{
    bool ok = false;
    const double value = text.trimmed().toDouble(&ok);
    if (!ok || !std::isfinite(value))
        return std::nullopt;
    return value;
}

// RFC 9110 HTTP-date; the IMF-fixdate form ("Sun, 06 Nov 1994 08:49:37 GMT") is what servers send.
std::optional<QDateTime> parseHttpDate(const QByteArray &text)
{
    const QString value = QString::fromLatin1(text.trimmed());
    if (value.isEmpty())
        return std::nullopt;
    QDateTime date = QDateTime::fromString(value, Qt::RFC2822Date);
    if (!date.isValid()) {
        // Qt's RFC 2822 parser wants a numeric offset on some versions; read "GMT" ourselves.
        QString stripped = value;
        if (stripped.endsWith(QLatin1String(" GMT")) || stripped.endsWith(QLatin1String(" UTC")))
            stripped.chop(4);
        date = QLocale::c().toDateTime(stripped, QStringLiteral("ddd, dd MMM yyyy HH:mm:ss"));
        if (date.isValid())
            date.setTimeZone(QTimeZone::utc());
    }
    if (!date.isValid())
        return std::nullopt;
    return date;
}

} // namespace

bool RetryPolicy::shouldRetry(const ApiError &error, int attempt, bool outputDelivered) const
{
    return error.isTransient() && attempt < maxRetries && !outputDelivered;
}

std::optional<std::chrono::milliseconds> RetryPolicy::serverDelay(const QByteArray &retryAfterMsHeader,
                                                                  const QByteArray &retryAfterHeader)
{
    std::optional<double> delayMs;
    // Like the SDKs: a readable retry-after-ms wins outright, even when it is then out of range.
    if (!retryAfterMsHeader.trimmed().isEmpty())
        delayMs = parseNumber(retryAfterMsHeader);
    if (!delayMs && !retryAfterHeader.trimmed().isEmpty()) {
        if (auto seconds = parseNumber(retryAfterHeader))
            delayMs = *seconds * 1000.0;
        else if (auto date = parseHttpDate(retryAfterHeader))
            delayMs = static_cast<double>(QDateTime::currentDateTimeUtc().msecsTo(*date));
    }
    if (!delayMs || *delayMs <= 0.0 || *delayMs > kMaxServerDelayMs)
        return std::nullopt;
    return std::chrono::milliseconds(static_cast<long long>(std::ceil(*delayMs)));
}

std::chrono::milliseconds RetryPolicy::delayBeforeRetry(int attempt, const QByteArray &retryAfterMsHeader,
                                                        const QByteArray &retryAfterHeader,
                                                        const std::function<double()> &random01) const
{
    if (auto server = serverDelay(retryAfterMsHeader, retryAfterHeader))
        return *server;

    const double exponent = static_cast<double>(std::clamp(attempt, 0, 1000));
    const double base = std::min(static_cast<double>(initialDelay.count()) * std::pow(2.0, exponent),
                                 static_cast<double>(maxDelay.count()));
    const double random = random01 ? std::clamp(random01(), 0.0, 1.0) : 0.0;
    const double jittered = base * (1.0 - 0.25 * random);
    return std::chrono::milliseconds(static_cast<long long>(std::max(0.0, std::round(jittered))));
}

} // namespace assay::api
