#include "models/store/item_writer.h"

#include <QThread>

#include "models/store/workspace.h"

namespace assay::store {

ItemWriter::ItemWriter(const QString &workspacePath, QObject *parent) : QObject(parent)
{
    m_thread = QThread::create([this, workspacePath] { writeLoop(workspacePath); });
    m_thread->setObjectName(QStringLiteral("Assay item writer"));
    m_thread->start();
}

ItemWriter::~ItemWriter()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    m_thread->wait();
    delete m_thread;
}

void ItemWriter::enqueue(OutputItemRecord record, const QByteArray &cacheKey)
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (m_failed)
            return; // takeWritten() has reported the failure: the run is ending, nothing more is written
        m_queue.push_back({std::move(record), cacheKey});
    }
    m_wake.notify_one();
}

ItemWriter::Written ItemWriter::takeWritten()
{
    std::lock_guard<std::mutex> lock(m_mutex);
    Written taken = std::move(m_done);
    m_done = Written();
    return taken;
}

std::size_t ItemWriter::unreportedCount() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    // A failure with no record reported counts as one: it is news for takeWritten().
    return m_queue.size() + m_writing + m_done.records.size() + (m_done.error.isEmpty() ? 0 : 1);
}

void ItemWriter::waitUntilWritten()
{
    std::unique_lock<std::mutex> lock(m_mutex);
    m_settled.wait(lock, [this] { return (m_queue.empty() || m_failed) && m_writing == 0; });
}

void ItemWriter::writeLoop(const QString &workspacePath)
{
    // The connection belongs to this thread: opened, used and closed here.
    Workspace workspace;
    QString openError;
    const bool open = workspace.open(workspacePath, &openError);
    EvalStore store(workspace);
    for (;;) {
        std::vector<Pending> batch;
        {
            std::unique_lock<std::mutex> lock(m_mutex);
            m_wake.wait(lock, [this] { return m_stop || (!m_queue.empty() && !m_failed); });
            if (m_queue.empty() || m_failed)
                break; // stopping, with everything written (or nothing more that can be)
            batch.swap(m_queue);
            m_writing = batch.size();
        }
        std::vector<OutputItemRecord> records;
        records.reserve(batch.size());
        for (Pending &pending : batch)
            records.push_back(std::move(pending.record));
        // The cache borrows the answers from `records`, which no longer grows.
        std::vector<ResponseToCache> answers;
        for (std::size_t i = 0; i < batch.size(); ++i) {
            if (!batch[i].cacheKey.isEmpty())
                answers.push_back({batch[i].cacheKey, &records[i].rawResponse});
        }
        QString error = openError;
        const bool ok = open && store.commitItems(records, answers, &error);
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            if (ok) {
                for (OutputItemRecord &record : records)
                    m_done.records.push_back(std::move(record));
            } else {
                m_failed = true;
                const QString which = records.size() == 1
                                          ? QStringLiteral("item %1").arg(records.front().datasourceItemId)
                                          : QStringLiteral("items %1 and %2 others")
                                                .arg(records.front().datasourceItemId)
                                                .arg(records.size() - 1);
                m_done.error = QStringLiteral("could not save %1: %2").arg(which, error);
                m_queue.clear(); // never written: the run stops here
            }
            m_writing = 0;
        }
        m_settled.notify_all();
        Q_EMIT written();
    }
    // Wake a waitUntilWritten() that raced with a failure.
    m_settled.notify_all();
}

} // namespace assay::store
