#pragma once

#include <optional>
#include <vector>

#include <QAbstractTableModel>
#include <QList>

#include "models/store/eval_store.h"
#include "models/store/run_item_reader.h"

namespace assay::store {
class Workspace;
}

namespace assay::itemmodels {

// The model selection table of the Model selection guide, over runs the user picks: for each run
// (a "method": a model, prompt or fine-tune tried on the same eval) its accuracy, cost per 1,000
// items, average and p95 sampling latency, each checked against the targets the user sets. A
// metric cell carries a check state (ticked when its target is met, unticked when missed or
// unknown; none when no target is set), and the last column says whether every target set is met.
// Accuracy first, cost and latency second: the guide's order, kept in the columns.
class ModelSelectionModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum class Column : int { Method, Model, Items, Accuracy, CostPer1k, AvgLatency, P95Latency, AllTargets, Count };
    enum class Role : int {
        Sort = Qt::UserRole + 1, // raw number (accuracy as a fraction, USD, ms); -1 when unknown
        TargetMet,               // bool on metric columns and AllTargets; invalid when no target applies
        RunId,                   // qint64
    };
    static constexpr int role(Role r) { return static_cast<int>(r); }
    static constexpr int column(Column c) { return static_cast<int>(c); }

    struct Entry {
        qint64 runId = 0;
        QString method; // the run's name, else its model
        QString model;
        qint64 items = 0; // graded items (errored ones included)
        std::optional<double> accuracy; // passed / items
        std::optional<double> costPer1k; // estimated USD per 1,000 items (sampling and grader calls)
        std::optional<double> avgLatencyMs;
        std::optional<double> p95LatencyMs;
    };
    struct Targets {
        std::optional<double> minAccuracy; // fraction, e.g. 0.9
        std::optional<double> maxCostPer1k; // USD
        std::optional<double> maxAvgLatencyMs;
        std::optional<double> maxP95LatencyMs;
        bool any() const { return minAccuracy || maxCostPer1k || maxAvgLatencyMs || maxP95LatencyMs; }
    };

    explicit ModelSelectionModel(store::Workspace *workspace = nullptr, QObject *parent = nullptr);

    // From the run's stored summary; `latency` (the items' mean and p95) when known.
    static Entry entryForRun(const store::RunRecord &run, const std::optional<store::LatencyStats> &latency);
    // Where setRuns() reads the items' latency figures from (null: the run summaries only).
    void setWorkspace(store::Workspace *workspace) { m_workspace = workspace; }
    // Reads the latency figures of each run from the workspace (when one was given).
    void setRuns(const QList<store::RunRecord> &runs);
    void setEntries(std::vector<Entry> entries);
    const Entry &entry(int row) const { return m_entries[static_cast<std::size_t>(row)]; }

    Targets targets() const { return m_targets; }
    void setTargets(const Targets &targets);
    void setAccuracyTarget(std::optional<double> minAccuracy);
    void setCostTarget(std::optional<double> maxCostPer1k);
    void setAverageLatencyTarget(std::optional<double> maxMs);
    void setP95LatencyTarget(std::optional<double> maxMs);

    // nullopt: no target for that column; false also when the value is unknown.
    std::optional<bool> targetMet(int row, Column column) const;
    std::optional<bool> allTargetsMet(int row) const; // nullopt when no target is set

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    void targetsChanged();

private:
    std::optional<double> value(const Entry &entry, Column column) const;
    std::optional<double> target(Column column) const;

    store::Workspace *m_workspace;
    std::vector<Entry> m_entries;
    Targets m_targets;
};

} // namespace assay::itemmodels
