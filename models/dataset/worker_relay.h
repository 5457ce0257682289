#pragma once

#include <atomic>
#include <mutex>
#include <utility>

#include <QCoreApplication>
#include <QMetaObject>
#include <QObject>
#include <QPointer>
#include <QThread>
#include <QThreadPool>

namespace assay::dataset {

// The link between a worker running on a pool thread and the QObject that receives its results.
// Owners and workers share it through a shared_ptr: the worker posts calls that run on the
// receiver's thread, and the owner detaches when it goes away or restarts, so a worker never
// touches a dead receiver and nobody has to wait for a worker to finish.
class WorkerRelay {
public:
    explicit WorkerRelay(QObject *receiver) : m_receiver(receiver) {}

    // No more posts reach the receiver after this returns (queued ones are dropped by QObject).
    void detach()
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_receiver = nullptr;
        m_cancelled.store(true, std::memory_order_relaxed);
    }
    void cancel() { m_cancelled.store(true, std::memory_order_relaxed); }
    bool isCancelled() const { return m_cancelled.load(std::memory_order_relaxed); }
    const std::atomic<bool> &cancelledFlag() const { return m_cancelled; }

    // Queues `call` on the receiver's thread; false when detached.
    template <typename Call> bool post(Call &&call)
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (!m_receiver)
            return false;
        QMetaObject::invokeMethod(m_receiver, std::forward<Call>(call), Qt::QueuedConnection);
        return true;
    }

private:
    std::mutex m_mutex;
    QObject *m_receiver;
    std::atomic<bool> m_cancelled{false};
};

// A one-thread pool at idle priority for background work nobody waits for (content hashes), so it
// never competes with what the user asked for. Call it from the GUI thread.
inline QThreadPool *idlePool()
{
    static QPointer<QThreadPool> pool;
    if (!pool) {
        pool = new QThreadPool(QCoreApplication::instance());
        pool->setMaxThreadCount(1);
        pool->setThreadPriority(QThread::IdlePriority);
    }
    return pool;
}

} // namespace assay::dataset
