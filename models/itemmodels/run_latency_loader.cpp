#include "models/itemmodels/run_latency_loader.h"

#include <mutex>

#include <QSqlDatabase>
#include <QThread>

#include "models/store/run_item_reader.h"

namespace assay::itemmodels {

// What the worker and the loader share: the worker posts its answer only while the loader lives
// and still wants that generation.
struct RunLatencyLoader::Shared {
    std::mutex mutex;
    RunLatencyLoader *loader = nullptr;
    quint64 generation = 0;
};

RunLatencyLoader::RunLatencyLoader(QObject *parent) : QObject(parent), m_shared(std::make_shared<Shared>())
{
    m_shared->loader = this;
}

RunLatencyLoader::~RunLatencyLoader()
{
    std::lock_guard<std::mutex> lock(m_shared->mutex);
    m_shared->loader = nullptr;
}

void RunLatencyLoader::load(const QString &workspacePath, const QList<qint64> &runIds)
{
    quint64 generation = 0;
    {
        std::lock_guard<std::mutex> lock(m_shared->mutex);
        generation = ++m_shared->generation;
    }
    m_generation = generation;
    m_loading = true;
    std::shared_ptr<Shared> shared = m_shared;
    QThread *worker = QThread::create([shared, generation, workspacePath, runIds] {
        std::vector<std::vector<double>> latencies(static_cast<std::size_t>(runIds.size()));
        QString error;
        const QString connection = QStringLiteral("assay-latency-%1-%2")
                                       .arg(reinterpret_cast<quintptr>(shared.get()))
                                       .arg(generation);
        {
            QSqlDatabase db = store::RunItemReader::openReadOnly(workspacePath, connection, &error);
            if (db.isValid()) {
                const store::RunItemReader reader(db);
                for (qsizetype i = 0; i < runIds.size() && error.isEmpty(); ++i) {
                    std::vector<double> &values = latencies[static_cast<std::size_t>(i)];
                    reader.readDigests(
                        runIds[i], 0, 10000,
                        [&](std::vector<store::ItemDigest> &&batch) {
                            for (const store::ItemDigest &digest : batch) {
                                if (!digest.cacheHit && digest.latencyMs >= 0)
                                    values.push_back(static_cast<double>(digest.latencyMs));
                            }
                            std::lock_guard<std::mutex> lock(shared->mutex);
                            return shared->generation == generation; // abandoned: stop reading
                        },
                        &error);
                }
                db.close();
            }
        }
        QSqlDatabase::removeDatabase(connection);
        std::lock_guard<std::mutex> lock(shared->mutex);
        if (RunLatencyLoader *loader = shared->loader; loader && shared->generation == generation) {
            QMetaObject::invokeMethod(
                loader,
                [loader, generation, runIds, latencies = std::move(latencies), error] {
                    loader->deliver(generation, runIds, latencies, error);
                },
                Qt::QueuedConnection);
        }
    });
    connect(worker, &QThread::finished, worker, &QObject::deleteLater);
    worker->start(QThread::LowPriority);
}

void RunLatencyLoader::deliver(quint64 generation, const QList<qint64> &runIds,
                               const std::vector<std::vector<double>> &latencyMs, const QString &error)
{
    if (generation != m_generation)
        return;
    m_loading = false;
    Q_EMIT loaded(runIds, latencyMs, error);
}

} // namespace assay::itemmodels
