#pragma once

#include <chrono>
#include <functional>
#include <optional>

#include <QByteArray>

namespace assay::api {

struct ApiError;

// When and how long to wait before retrying a failed request, as the official SDKs do:
// exponential backoff (0.5 s doubling, capped at 8 s) with up to 25% jitter, honouring the
// server's `retry-after-ms` / `retry-after` (seconds or HTTP date) when it is between 0 and 60 s.
class RetryPolicy {
public:
    int maxRetries = 2;
    std::chrono::milliseconds initialDelay{500};
    std::chrono::milliseconds maxDelay{8000};

    // `attempt` is the number of retries already made (0 before the first retry).
    // A stream that already delivered output is never retried: the user keeps what arrived.
    bool shouldRetry(const ApiError &error, int attempt, bool outputDelivered) const;

    // `random01` returns a uniform number in [0, 1); injected so tests are deterministic.
    std::chrono::milliseconds delayBeforeRetry(int attempt, const QByteArray &retryAfterMsHeader,
                                               const QByteArray &retryAfterHeader,
                                               const std::function<double()> &random01) const;

    // Parses retry-after-ms / retry-after; nullopt when absent, malformed or out of range.
    static std::optional<std::chrono::milliseconds> serverDelay(const QByteArray &retryAfterMsHeader,
                                                                const QByteArray &retryAfterHeader);
};

} // namespace assay::api
