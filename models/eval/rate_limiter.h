#pragma once

#include <deque>
#include <functional>
#include <optional>

#include <QObject>
#include <QString>
#include <QTimer>
#include <nlohmann/json.hpp>

#include "models/api/response_result.h"

namespace assay::eval {

// Client-side pacing for requests per minute and tokens per minute, as two token buckets, plus
// what the server says: an answer whose x-ratelimit-remaining-* is 0 holds new requests until
// the matching reset, and a 429 holds them for the retry delay the client chose (the client
// itself retries per its RetryPolicy; the limiter keeps the *other* requests from piling on).
//
// Each bucket holds one second's worth of its per-minute limit (at least one request / one
// request's tokens) and refills continuously: the API enforces limits over short windows too,
// so a full minute's burst at once would be refused. Pure logic with an injected clock.
class RateLimiter {
public:
    using Clock = std::function<qint64()>; // monotonic milliseconds

    // 0 for a limit: none on that axis. A null clock uses a steady clock.
    RateLimiter(int requestsPerMinute, int tokensPerMinute, Clock clock = {});

    // What a request is expected to cost against TPM: prompt characters / 4 + the max output
    // tokens it asks for (max_output_tokens / max_completion_tokens / max_tokens, else 0).
    static qint64 estimateTokens(const nlohmann::json &body);

    // Takes a slot for a request of `tokens` if one is free now (returns true), else leaves the
    // buckets alone and sets `waitMs` (> 0) to when to ask again.
    bool tryAcquire(qint64 tokens, qint64 *waitMs);

    // The x-ratelimit-* headers of an answer (2xx: a 429's headers describe the refusal, which
    // onTooManyRequests handles).
    void onRateLimitInfo(const api::RateLimitInfo &info);
    // A 429: hold new requests for `retryDelayMs` (the client's chosen delay, retry-after
    // honoured); <= 0: exponential backoff from 500 ms (doubling per 429 in a row, capped at 8 s).
    void onTooManyRequests(qint64 retryDelayMs);
    // A request went through: the 429 streak is over.
    void onSuccess();

    // Why the last tryAcquire had to wait ("requests per minute", "tokens per minute",
    // "x-ratelimit-remaining-requests = 0", "429 Too Many Requests").
    const QString &lastWaitReason() const { return m_reason; }

    // Server-announced waits longer than this are capped (a reset of "6m0s" should not park a run
    // that long without looking again).
    void setMaxServerWaitMs(qint64 ms) { m_maxServerWaitMs = ms; }

private:
    struct Bucket {
        double capacity = 0;
        double level = 0;
        double perMs = 0;
        bool enabled() const { return perMs > 0; }
    };
    void refill(qint64 now);
    void holdUntil(qint64 until, const QString &reason);

    Clock m_clock;
    Bucket m_requests;
    Bucket m_tokens;
    qint64 m_lastRefill = 0;
    qint64 m_heldUntil = 0;
    QString m_holdReason;
    QString m_reason;
    int m_tooManyStreak = 0;
    qint64 m_maxServerWaitMs = 60000;
};

// Puts requests through a RateLimiter in arrival order without blocking: schedule() runs
// `go` now or from a timer once the limiter allows it. Used by the runner for sampling and by
// the grader services for model calls, so both share one budget.
class RequestPacer : public QObject {
    Q_OBJECT
public:
    explicit RequestPacer(RateLimiter limiter, QObject *parent = nullptr);

    RateLimiter &limiter() { return m_limiter; }

    // `abandon` runs instead of `go` when the queue is cleared (cancel).
    void schedule(qint64 tokens, std::function<void()> go, std::function<void()> abandon = {});
    void abandonAll();
    int queued() const { return static_cast<int>(m_queue.size()); }
    // Empty when nothing waits; else e.g. "rate limit (tokens per minute): 3 s".
    QString waitingReason() const;

Q_SIGNALS:
    void waitingChanged(const QString &reason);

private:
    struct Entry {
        qint64 tokens;
        std::function<void()> go;
        std::function<void()> abandon;
    };
    void drain();

    RateLimiter m_limiter;
    std::deque<Entry> m_queue;
    QTimer m_timer;
    bool m_draining = false;
    QString m_waiting;
};

} // namespace assay::eval
