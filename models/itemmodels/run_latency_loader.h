#pragma once

#include <memory>
#include <vector>

#include <QList>
#include <QObject>
#include <QString>

namespace assay::itemmodels {

// Reads the sampling latencies of some runs on a worker thread (its own read-only connection to
// the workspace file), so a latency histogram over 100k-item runs never blocks the GUI. Cache hits
// and unknown latencies are left out, as in RunSummary. A new load() abandons the previous one.
class RunLatencyLoader : public QObject {
    Q_OBJECT
public:
    explicit RunLatencyLoader(QObject *parent = nullptr);
    ~RunLatencyLoader() override;

    void load(const QString &workspacePath, const QList<qint64> &runIds);
    bool isLoading() const { return m_loading; }

Q_SIGNALS:
    // One vector per requested run, in the order asked; `error` names what could not be read.
    void loaded(const QList<qint64> &runIds, const std::vector<std::vector<double>> &latencyMs, const QString &error);

private:
    struct Shared;
    void deliver(quint64 generation, const QList<qint64> &runIds, const std::vector<std::vector<double>> &latencyMs,
                 const QString &error);

    std::shared_ptr<Shared> m_shared;
    quint64 m_generation = 0;
    bool m_loading = false;
};

} // namespace assay::itemmodels
