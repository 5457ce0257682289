#include <QtTest>

#include <QDateTime>
#include <QLocale>
#include <QTimeZone>

#include "models/api/api_error.h"
#include "models/api/retry_policy.h"

using assay::api::ApiError;
using assay::api::RetryPolicy;
using namespace std::chrono_literals;

namespace {

ApiError httpError(int status)
{
    ApiError error = ApiError::make(ApiError::Kind::Http, QStringLiteral("x"));
    error.httpStatus = status;
    return error;
}

QByteArray httpDate(const QDateTime &utc)
{
    return QLocale::c()
               .toString(utc.toTimeZone(QTimeZone::utc()), QStringLiteral("ddd, dd MMM yyyy HH:mm:ss"))
               .toLatin1() +
           " GMT";
}

auto fixed(double value)
{
    return [value] { return value; };
}

} // namespace

class TestRetryPolicy : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void retriesTransientErrorsUpToTheLimit();
    void neverRetriesAfterOutput();
    void backoffDoublesUpToTheCap();
    void jitterTakesUpToAQuarter();
    void retryAfterMsBeatsRetryAfter();
    void retryAfterSeconds();
    void retryAfterHttpDate();
    void outOfRangeServerDelaysAreIgnored();
    void garbageIsIgnored();
};

void TestRetryPolicy::retriesTransientErrorsUpToTheLimit()
{
    RetryPolicy policy;
    QCOMPARE(policy.maxRetries, 2);
    QVERIFY(policy.shouldRetry(httpError(429), 0, false));
    QVERIFY(policy.shouldRetry(httpError(500), 1, false));
    QVERIFY(!policy.shouldRetry(httpError(500), 2, false)); // two retries made: give up
    QVERIFY(!policy.shouldRetry(httpError(401), 0, false));
    QVERIFY(!policy.shouldRetry(httpError(400), 0, false));
    QVERIFY(policy.shouldRetry(ApiError::make(ApiError::Kind::Network, {}), 0, false));
    QVERIFY(policy.shouldRetry(ApiError::make(ApiError::Kind::Timeout, {}), 0, false));
    QVERIFY(!policy.shouldRetry(ApiError::make(ApiError::Kind::Cancelled, {}), 0, false));
    QVERIFY(!policy.shouldRetry(ApiError::make(ApiError::Kind::MalformedResponse, {}), 0, false));

    policy.maxRetries = 0;
    QVERIFY(!policy.shouldRetry(httpError(503), 0, false));
}

void TestRetryPolicy::neverRetriesAfterOutput()
{
    const RetryPolicy policy;
    QVERIFY(!policy.shouldRetry(ApiError::make(ApiError::Kind::Network, {}), 0, true));
    QVERIFY(!policy.shouldRetry(ApiError::make(ApiError::Kind::Timeout, {}), 0, true));
    QVERIFY(!policy.shouldRetry(httpError(500), 0, true));
}

void TestRetryPolicy::backoffDoublesUpToTheCap()
{
    const RetryPolicy policy;
    const QList<long long> expected{500, 1000, 2000, 4000, 8000, 8000, 8000};
    for (int attempt = 0; attempt < expected.size(); ++attempt)
        QCOMPARE(policy.delayBeforeRetry(attempt, {}, {}, fixed(0.0)).count(), expected.at(attempt));
}

void TestRetryPolicy::jitterTakesUpToAQuarter()
{
    const RetryPolicy policy;
    QCOMPARE(policy.delayBeforeRetry(0, {}, {}, fixed(0.5)).count(), 438); // 500 * 0.875, rounded
    QCOMPARE(policy.delayBeforeRetry(1, {}, {}, fixed(0.999999)).count(), 750);
    QCOMPARE(policy.delayBeforeRetry(4, {}, {}, fixed(0.2)).count(), 7600);
}

void TestRetryPolicy::retryAfterMsBeatsRetryAfter()
{
    const RetryPolicy policy;
    QCOMPARE(policy.delayBeforeRetry(0, "250", "5", fixed(0.0)), 250ms);
    QCOMPARE(policy.delayBeforeRetry(3, "1500.5", {}, fixed(0.9)), 1501ms); // float milliseconds
    QCOMPARE(RetryPolicy::serverDelay("250", "5"), std::optional(250ms));
}

void TestRetryPolicy::retryAfterSeconds()
{
    const RetryPolicy policy;
    QCOMPARE(policy.delayBeforeRetry(0, {}, "2", fixed(0.0)), 2000ms);
    QCOMPARE(policy.delayBeforeRetry(0, {}, " 1.5 ", fixed(0.0)), 1500ms);
    // The server's hint wins over backoff whatever the attempt.
    QCOMPARE(policy.delayBeforeRetry(5, {}, "3", fixed(0.0)), 3000ms);
    QCOMPARE(policy.delayBeforeRetry(0, {}, "60", fixed(0.0)), 60000ms);
}

void TestRetryPolicy::retryAfterHttpDate()
{
    const QByteArray date = httpDate(QDateTime::currentDateTimeUtc().addSecs(30));
    const auto delay = RetryPolicy::serverDelay({}, date);
    QVERIFY2(delay.has_value(), date.constData());
    QVERIFY2(*delay > 25s && *delay <= 30s, qPrintable(QString::number(delay->count())));

    // A date in the past, or too far ahead, means "use backoff".
    QVERIFY(
        !RetryPolicy::serverDelay({}, httpDate(QDateTime::currentDateTimeUtc().addSecs(-30))).has_value());
    QVERIFY(
        !RetryPolicy::serverDelay({}, httpDate(QDateTime::currentDateTimeUtc().addSecs(600))).has_value());
}

void TestRetryPolicy::outOfRangeServerDelaysAreIgnored()
{
    const RetryPolicy policy;
    QVERIFY(!RetryPolicy::serverDelay({}, "61").has_value());
    QVERIFY(!RetryPolicy::serverDelay({}, "0").has_value());
    QVERIFY(!RetryPolicy::serverDelay({}, "-3").has_value());
    QVERIFY(!RetryPolicy::serverDelay("60001", {}).has_value());
    QCOMPARE(policy.delayBeforeRetry(1, {}, "3600", fixed(0.0)), 1000ms); // backoff instead
    QCOMPARE(policy.delayBeforeRetry(0, "0", {}, fixed(0.0)), 500ms);
}

void TestRetryPolicy::garbageIsIgnored()
{
    const RetryPolicy policy;
    QVERIFY(!RetryPolicy::serverDelay({}, {}).has_value());
    QVERIFY(!RetryPolicy::serverDelay("soon", "later").has_value());
    QVERIFY(!RetryPolicy::serverDelay("nan", {}).has_value());
    QCOMPARE(policy.delayBeforeRetry(2, "soon", "Someday, 99 Foo 2024", fixed(0.0)), 2000ms);
}

QTEST_GUILESS_MAIN(TestRetryPolicy)
#include "tst_retry_policy.moc"
