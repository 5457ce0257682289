#pragma once

#include <optional>

#include <QList>
#include <QWidget>

#include "models/itemmodels/model_selection_model.h"

QT_BEGIN_NAMESPACE
class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QSplitter;
class QTableView;
QT_END_NAMESPACE

namespace assay::store {
class EvalStore;
class Workspace;
} // namespace assay::store

namespace assay::ui {

class AccuracyCostChart;

// The Model selection guide's results table over the runs the user picks: method, accuracy, cost
// per 1,000 items, average and p95 latency, each ticked where it meets the target the user typed
// (an empty box: no target), with the accuracy-vs-cost chart below driven by the same targets.
// Targets are remembered in QSettings (plain numbers, nothing secret).
class ModelSelectionView : public QWidget {
    Q_OBJECT
public:
    using Targets = itemmodels::ModelSelectionModel::Targets;
    // QSettings keys (accuracy in percent, cost in USD per 1,000 items, latencies in ms).
    static constexpr auto AccuracyKey = "results/modelSelection/accuracyPercent";
    static constexpr auto CostKey = "results/modelSelection/costPer1kUsd";
    static constexpr auto AvgLatencyKey = "results/modelSelection/avgLatencyMs";
    static constexpr auto P95LatencyKey = "results/modelSelection/p95LatencyMs";

    explicit ModelSelectionView(QWidget *parent = nullptr);

    // `workspace` (optional) lets the table read each run's average latency from its items; without
    // it only what the run summary holds (p95) is known.
    void setStore(store::EvalStore *store, store::Workspace *workspace = nullptr);
    void setRuns(const QList<qint64> &runIds); // in the order given (sortable by any column)
    QList<qint64> runs() const { return m_runIds; }

    Targets targets() const { return m_model->targets(); }
    void setTargets(const Targets &targets); // fills the inputs, updates table and chart, saves

    itemmodels::ModelSelectionModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    AccuracyCostChart *chart() const { return m_chart; }
    QLineEdit *accuracyInput() const { return m_accuracy; }
    QLineEdit *costInput() const { return m_cost; }
    QLineEdit *avgLatencyInput() const { return m_avgLatency; }
    QLineEdit *p95LatencyInput() const { return m_p95Latency; }

Q_SIGNALS:
    void statusMessage(const QString &message);

private:
    void reload();
    void targetsEdited();
    void showTargets(const Targets &targets);
    void updateSummary();
    static Targets loadTargets();
    static void saveTargets(const Targets &targets);

    store::EvalStore *m_store = nullptr;
    store::Workspace *m_workspace = nullptr;
    QList<qint64> m_runIds;
    itemmodels::ModelSelectionModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QLineEdit *m_accuracy = nullptr;
    QLineEdit *m_cost = nullptr;
    QLineEdit *m_avgLatency = nullptr;
    QLineEdit *m_p95Latency = nullptr;
    QLabel *m_summary = nullptr;
    QTableView *m_table = nullptr;
    AccuracyCostChart *m_chart = nullptr;
    QSplitter *m_splitter = nullptr;
};

} // namespace assay::ui
