#include <QtTest>

#include <memory>

#include "models/eval/rate_limiter.h"

using assay::api::RateLimitInfo;
using assay::eval::RateLimiter;
using assay::eval::RequestPacer;
using json = nlohmann::json;

namespace {

// A clock the test moves by hand.
struct FakeClock {
    std::shared_ptr<qint64> now = std::make_shared<qint64>(1000);
    RateLimiter::Clock clock() const
    {
        auto shared = now;
        return [shared] { return *shared; };
    }
    void advance(qint64 ms) { *now += ms; }
};

// How many requests of `tokens` the limiter lets through over `spanMs`, asking every 10 ms.
int admittedOver(RateLimiter &limiter, FakeClock &clock, qint64 spanMs, qint64 tokens)
{
    int admitted = 0;
    for (qint64 t = 0; t < spanMs; t += 10) {
        qint64 wait = 0;
        while (limiter.tryAcquire(tokens, &wait))
            ++admitted;
        if (wait <= 0)
            return -1; // a refusal must say how long to wait
        clock.advance(10);
    }
    return admitted;
}

} // namespace

class TestRateLimiter : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void noLimitsLetEverythingThrough()
    {
        FakeClock clock;
        RateLimiter limiter(0, 0, clock.clock());
        for (int i = 0; i < 1000; ++i) {
            qint64 wait = -1;
            QVERIFY(limiter.tryAcquire(100000, &wait));
            QCOMPARE(wait, qint64(0));
        }
    }

    void requestsPerMinuteHoldOverAMinute()
    {
        FakeClock clock;
        RateLimiter limiter(120, 0, clock.clock());
        // 120 RPM: a burst of two (one second's worth), then one every 500 ms.
        int admitted = 0;
        qint64 wait = 0;
        while (limiter.tryAcquire(1, &wait))
            ++admitted;
        QCOMPARE(admitted, 2);
        QVERIFY(wait > 0 && wait <= 500);
        clock.advance(wait);
        QVERIFY(limiter.tryAcquire(1, &wait));
        QCOMPARE(limiter.lastWaitReason(), QString());

        FakeClock minuteClock;
        RateLimiter minute(120, 0, minuteClock.clock());
        const int inAMinute = admittedOver(minute, minuteClock, 60000, 1);
        QVERIFY2(inAMinute >= 120 && inAMinute <= 122, qPrintable(QString::number(inAMinute)));
    }

    void tokensPerMinuteUseTheEstimate()
    {
        FakeClock clock;
        RateLimiter limiter(0, 6000, clock.clock()); // 100 tokens a second
        const int inAMinute = admittedOver(limiter, clock, 60000, 50);
        // 6000 tokens a minute at 50 a request: 120 (+ the first second's burst of 2).
        QVERIFY2(inAMinute >= 120 && inAMinute <= 122, qPrintable(QString::number(inAMinute)));
        qint64 wait = 0;
        while (limiter.tryAcquire(50, &wait)) {
        }
        QCOMPARE(limiter.lastWaitReason(), QStringLiteral("tokens per minute"));
    }

    void aRequestBiggerThanTheBucketStillGoes()
    {
        FakeClock clock;
        RateLimiter limiter(0, 600, clock.clock()); // 10 tokens a second
        qint64 wait = 0;
        QVERIFY(limiter.tryAcquire(5000, &wait)); // full bucket: goes, leaves a debt
        QVERIFY(!limiter.tryAcquire(10, &wait));
        QVERIFY(wait > 1000); // the debt is paid off first
    }

    void estimateIsPromptCharsOverFourPlusMaxTokens()
    {
        const json responses = {{"model", "m"},
                                {"instructions", std::string(40, 'a')},
                                {"input", json::array({{{"role", "user"}, {"content", std::string(80, 'b')}}})},
                                {"max_output_tokens", 100}};
        // 40 + 80 + "user" (4) characters of text = 124 -> 31 tokens, + 100.
        QCOMPARE(RateLimiter::estimateTokens(responses), qint64(131));
        const json chat = {{"model", "m"},
                           {"messages", json::array({{{"role", "user"}, {"content", std::string(400, 'c')}}})},
                           {"max_completion_tokens", 50}};
        QCOMPARE(RateLimiter::estimateTokens(chat), qint64(101 + 50));
        QCOMPARE(RateLimiter::estimateTokens(json{{"model", "m"}, {"input", "abcd"}}), qint64(1));
    }

    void remainingZeroWaitsUntilTheReset()
    {
        FakeClock clock;
        RateLimiter limiter(0, 0, clock.clock());
        RateLimitInfo info;
        info.remainingRequests = 0;
        info.resetRequestsMs = 1500;
        info.remainingTokens = 5000;
        info.resetTokensMs = 0;
        limiter.onRateLimitInfo(info);
        qint64 wait = 0;
        QVERIFY(!limiter.tryAcquire(1, &wait));
        QCOMPARE(wait, qint64(1500));
        QCOMPARE(limiter.lastWaitReason(), QStringLiteral("x-ratelimit-remaining-requests = 0"));
        clock.advance(1499);
        QVERIFY(!limiter.tryAcquire(1, &wait));
        QCOMPARE(wait, qint64(1));
        clock.advance(1);
        QVERIFY(limiter.tryAcquire(1, &wait));

        // Remaining requests left: no wait.
        info.remainingRequests = 3;
        limiter.onRateLimitInfo(info);
        QVERIFY(limiter.tryAcquire(1, &wait));
    }

    void tokensExhaustedWaitForTheTokenReset()
    {
        FakeClock clock;
        RateLimiter limiter(0, 0, clock.clock());
        RateLimitInfo info;
        info.remainingTokens = 0;
        info.resetTokensMs = 6000;
        limiter.onRateLimitInfo(info);
        qint64 wait = 0;
        QVERIFY(!limiter.tryAcquire(1, &wait));
        QCOMPARE(wait, qint64(6000));
    }

    void aLongServerResetIsCapped()
    {
        FakeClock clock;
        RateLimiter limiter(0, 0, clock.clock());
        limiter.setMaxServerWaitMs(10000);
        RateLimitInfo info;
        info.remainingRequests = 0;
        info.resetRequestsMs = 6 * 60 * 1000;
        limiter.onRateLimitInfo(info);
        qint64 wait = 0;
        QVERIFY(!limiter.tryAcquire(1, &wait));
        QCOMPARE(wait, qint64(10000));
    }

    void tooManyRequestsBacksOff()
    {
        FakeClock clock;
        RateLimiter limiter(0, 0, clock.clock());
        limiter.onTooManyRequests(2000); // the retry-after the client honours
        qint64 wait = 0;
        QVERIFY(!limiter.tryAcquire(1, &wait));
        QCOMPARE(wait, qint64(2000));
        QCOMPARE(limiter.lastWaitReason(), QStringLiteral("429 Too Many Requests"));
        clock.advance(2000);
        QVERIFY(limiter.tryAcquire(1, &wait));

        // No delay known: exponential backoff while 429s keep coming, reset by a success.
        limiter.onTooManyRequests(0);
        QVERIFY(!limiter.tryAcquire(1, &wait));
        QCOMPARE(wait, qint64(1000)); // second 429 in a row
        clock.advance(1000);
        limiter.onTooManyRequests(0);
        QVERIFY(!limiter.tryAcquire(1, &wait));
        QCOMPARE(wait, qint64(2000));
        clock.advance(2000);
        limiter.onSuccess();
        limiter.onTooManyRequests(0);
        QVERIFY(!limiter.tryAcquire(1, &wait));
        QCOMPARE(wait, qint64(500));
    }

    void pacerRunsInOrderAndReportsTheWait()
    {
        FakeClock clock;
        RequestPacer pacer(RateLimiter(0, 0, clock.clock()));
        QStringList order;
        pacer.schedule(1, [&order] { order << QStringLiteral("a"); });
        QCOMPARE(order, QStringList{QStringLiteral("a")}); // free: runs at once

        pacer.limiter().onTooManyRequests(40);
        QSignalSpy waiting(&pacer, &RequestPacer::waitingChanged);
        pacer.schedule(1, [&order] { order << QStringLiteral("b"); });
        pacer.schedule(1, [&order] { order << QStringLiteral("c"); });
        QCOMPARE(order.size(), 1);
        QCOMPARE(pacer.queued(), 2);
        QVERIFY(pacer.waitingReason().startsWith(QStringLiteral("rate limit (429 Too Many Requests)")));
        QCOMPARE(waiting.size(), 1);

        clock.advance(40); // the pacer's timer fires on the real clock; the limiter sees the fake one
        QTRY_COMPARE(order, (QStringList{QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")}));
        QCOMPARE(pacer.waitingReason(), QString());
        QCOMPARE(waiting.last().first().toString(), QString());
    }

    void abandonAllCallsTheAbandonCallbacks()
    {
        FakeClock clock;
        RequestPacer pacer(RateLimiter(0, 0, clock.clock()));
        pacer.limiter().onTooManyRequests(60000);
        int ran = 0;
        int abandoned = 0;
        for (int i = 0; i < 3; ++i)
            pacer.schedule(1, [&ran] { ++ran; }, [&abandoned] { ++abandoned; });
        pacer.abandonAll();
        QCOMPARE(ran, 0);
        QCOMPARE(abandoned, 3);
        QCOMPARE(pacer.queued(), 0);
    }
};

QTEST_GUILESS_MAIN(TestRateLimiter)
#include "tst_rate_limiter.moc"
