#include "models/eval/rate_limiter.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include <QPointer>

namespace assay::eval {

using nlohmann::json;

namespace {

qint64 steadyMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// Characters of every string in a JSON value (message texts, instructions, tool schemas).
qint64 textChars(const json &value)
{
    switch (value.type()) {
    case json::value_t::string:
        return static_cast<qint64>(value.get_ref<const std::string &>().size());
    case json::value_t::array:
    case json::value_t::object: {
        qint64 total = 0;
        for (const json &child : value)
            total += textChars(child);
        return total;
    }
    default:
        return 0;
    }
}

} // namespace

RateLimiter::RateLimiter(int requestsPerMinute, int tokensPerMinute, Clock clock)
    : m_clock(clock ? std::move(clock) : Clock(steadyMs))
{
    if (requestsPerMinute > 0) {
        m_requests.perMs = requestsPerMinute / 60000.0;
        m_requests.capacity = std::max(1.0, requestsPerMinute / 60.0);
        m_requests.level = m_requests.capacity;
    }
    if (tokensPerMinute > 0) {
        m_tokens.perMs = tokensPerMinute / 60000.0;
        m_tokens.capacity = std::max(1.0, tokensPerMinute / 60.0);
        m_tokens.level = m_tokens.capacity;
    }
    m_lastRefill = m_clock();
}

qint64 RateLimiter::estimateTokens(const json &body)
{
    if (!body.is_object())
        return 0;
    qint64 chars = 0;
    for (const char *key : {"input", "messages", "instructions", "tools"}) {
        if (const auto it = body.find(key); it != body.end())
            chars += textChars(*it);
    }
    qint64 maxTokens = 0;
    for (const char *key : {"max_output_tokens", "max_completion_tokens", "max_tokens"}) {
        if (const auto it = body.find(key); it != body.end() && it->is_number_integer()) {
            maxTokens = it->get<qint64>();
            break;
        }
    }
    return (chars + 3) / 4 + std::max<qint64>(0, maxTokens);
}

void RateLimiter::refill(qint64 now)
{
    const auto elapsed = static_cast<double>(std::max<qint64>(0, now - m_lastRefill));
    m_lastRefill = now;
    for (Bucket *bucket : {&m_requests, &m_tokens}) {
        if (bucket->enabled())
            bucket->level = std::min(bucket->capacity, bucket->level + elapsed * bucket->perMs);
    }
}

bool RateLimiter::tryAcquire(qint64 tokens, qint64 *waitMs)
{
    const qint64 now = m_clock();
    refill(now);
    qint64 wait = 0;
    QString reason;
    if (m_heldUntil > now) {
        wait = m_heldUntil - now;
        reason = m_holdReason;
    }
    if (m_requests.enabled() && m_requests.level < 1.0) {
        const auto need = static_cast<qint64>(std::ceil((1.0 - m_requests.level) / m_requests.perMs));
        if (need > wait) {
            wait = need;
            reason = QStringLiteral("requests per minute");
        }
    }
    // A request bigger than the bucket goes once the bucket is full (and leaves it in debt):
    // otherwise it could never go at all.
    const double tokenNeed =
        m_tokens.enabled() ? std::min(static_cast<double>(std::max<qint64>(0, tokens)), m_tokens.capacity) : 0.0;
    if (m_tokens.enabled() && m_tokens.level < tokenNeed) {
        const auto need = static_cast<qint64>(std::ceil((tokenNeed - m_tokens.level) / m_tokens.perMs));
        if (need > wait) {
            wait = need;
            reason = QStringLiteral("tokens per minute");
        }
    }
    if (wait > 0) {
        m_reason = reason;
        if (waitMs)
            *waitMs = wait;
        return false;
    }
    if (m_requests.enabled())
        m_requests.level -= 1.0;
    if (m_tokens.enabled())
        m_tokens.level -= static_cast<double>(std::max<qint64>(0, tokens));
    m_reason.clear();
    if (waitMs)
        *waitMs = 0;
    return true;
}

void RateLimiter::holdUntil(qint64 until, const QString &reason)
{
    if (until > m_heldUntil) {
        m_heldUntil = until;
        m_holdReason = reason;
    }
}

void RateLimiter::onRateLimitInfo(const api::RateLimitInfo &info)
{
    const qint64 now = m_clock();
    const auto capped = [this](qint64 ms) { return std::clamp<qint64>(ms, 0, m_maxServerWaitMs); };
    if (info.remainingRequests && *info.remainingRequests <= 0)
        holdUntil(now + capped(info.resetRequestsMs.value_or(1000)), QStringLiteral("x-ratelimit-remaining-requests = 0"));
    if (info.remainingTokens && *info.remainingTokens <= 0)
        holdUntil(now + capped(info.resetTokensMs.value_or(1000)), QStringLiteral("x-ratelimit-remaining-tokens = 0"));
}

void RateLimiter::onTooManyRequests(qint64 retryDelayMs)
{
    ++m_tooManyStreak;
    qint64 delay = retryDelayMs;
    if (delay <= 0)
        delay = std::min<qint64>(8000, qint64(500) << std::min(m_tooManyStreak - 1, 4));
    holdUntil(m_clock() + std::min(delay, m_maxServerWaitMs), QStringLiteral("429 Too Many Requests"));
}

void RateLimiter::onSuccess()
{
    m_tooManyStreak = 0;
}

// ---------------------------------------------------------------------------------------------

RequestPacer::RequestPacer(RateLimiter limiter, QObject *parent) : QObject(parent), m_limiter(std::move(limiter))
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &RequestPacer::drain);
}

void RequestPacer::schedule(qint64 tokens, std::function<void()> go, std::function<void()> abandon)
{
    m_queue.push_back({tokens, std::move(go), std::move(abandon)});
    if (!m_timer.isActive())
        drain();
}

void RequestPacer::drain()
{
    if (m_draining)
        return; // a `go` that schedules again is served by the loop below
    m_draining = true;
    QPointer<RequestPacer> self(this);
    while (!m_queue.empty()) {
        qint64 waitMs = 0;
        if (!m_limiter.tryAcquire(m_queue.front().tokens, &waitMs)) {
            const QString reason = QStringLiteral("rate limit (%1): %2 s")
                                       .arg(m_limiter.lastWaitReason())
                                       .arg(static_cast<double>(waitMs) / 1000.0, 0, 'f', waitMs < 10000 ? 1 : 0);
            m_timer.start(static_cast<int>(std::min<qint64>(waitMs, 60000)));
            m_draining = false;
            if (reason != m_waiting) {
                m_waiting = reason;
                Q_EMIT waitingChanged(m_waiting);
            }
            return;
        }
        Entry entry = std::move(m_queue.front());
        m_queue.pop_front();
        if (entry.go)
            entry.go();
        if (!self)
            return;
    }
    m_draining = false;
    if (!m_waiting.isEmpty()) {
        m_waiting.clear();
        Q_EMIT waitingChanged(m_waiting);
    }
}

void RequestPacer::abandonAll()
{
    m_timer.stop();
    std::deque<Entry> queue;
    queue.swap(m_queue);
    for (Entry &entry : queue) {
        if (entry.abandon)
            entry.abandon();
    }
    if (!m_waiting.isEmpty()) {
        m_waiting.clear();
        Q_EMIT waitingChanged(m_waiting);
    }
}

QString RequestPacer::waitingReason() const
{
    return m_queue.empty() ? QString() : m_waiting;
}

} // namespace assay::eval
