#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include <QByteArray>
#include <QObject>
#include <QString>

#include "models/store/eval_store.h"

class QThread;

namespace assay::store {

// Commits a run's finished output items from a thread of its own, with its own connection to
// the workspace file, so the thread that runs the eval (the GUI's, or the CLI's event loop)
// never waits on SQLite or the disk. Items are written in the order they were given, in
// batches of whatever waited while the previous batch was being written: each batch is one
// transaction, durable (WAL) when it is reported. An item counts as finished only once it is
// reported written: a process killed before that has not lost a finished item.
class ItemWriter : public QObject {
    Q_OBJECT
public:
    // Opens `workspacePath` (an already migrated workspace) on the writer's thread.
    explicit ItemWriter(const QString &workspacePath, QObject *parent = nullptr);
    // Writes what is still queued, then stops the thread.
    ~ItemWriter() override;
    ItemWriter(const ItemWriter &) = delete;
    ItemWriter &operator=(const ItemWriter &) = delete;

    // Queues an item; a non-empty cacheKey also puts record.rawResponse into the response cache,
    // in the same transaction.
    void enqueue(OutputItemRecord record, const QByteArray &cacheKey = {});

    struct Written {
        std::vector<OutputItemRecord> records; // written, in the order they were queued
        // Set when a write failed: the items of that batch and every later one were not written,
        // and nothing more will be. Names the first of them.
        QString error;
    };
    // What was written (or failed) since the last call.
    Written takeWritten();
    // Items queued and not yet handed back by takeWritten().
    std::size_t unreportedCount() const;
    // Blocks until every queued item is written or has failed. For the end of a run, where the
    // last batch must be in before the summary is: at most one batch's wait.
    void waitUntilWritten();

Q_SIGNALS:
    // takeWritten() has something. Emitted from the writer's thread: connections to objects on
    // other threads are queued.
    void written();

private:
    struct Pending {
        OutputItemRecord record;
        QByteArray cacheKey;
    };
    void writeLoop(const QString &workspacePath);

    mutable std::mutex m_mutex;
    std::condition_variable m_wake;    // the writer: work queued, or stop
    std::condition_variable m_settled; // waitUntilWritten(): a batch was written
    std::vector<Pending> m_queue;
    std::size_t m_writing = 0; // items of the batch being written now
    Written m_done;
    bool m_failed = false;
    bool m_stop = false;
    QThread *m_thread = nullptr;
};

} // namespace assay::store
