#pragma once

#include <optional>
#include <unordered_map>
#include <vector>

#include <QAbstractTableModel>
#include <QList>

#include "models/store/eval_store.h"

class QTimer;

namespace assay::itemmodels {

// The workspace's runs, newest first (EvalStore::runs()). Follows EvalStore::runsChanged by
// diffing: removed runs become row removals, new runs row insertions and changed runs dataChanged,
// so views and proxies keep their selection (persistent indexes) across refreshes. Signals that
// come in a burst (the runner reports every committed item) are coalesced: at most one refresh
// per refreshInterval() ms; refresh() updates at once.
//
// Sort through a QSortFilterProxyModel with sortRole Role::Sort: it gives raw numbers and times
// (ms since the epoch; -1 for unknown ones, so they sort first ascending).
class RunsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum class Column : int { Name, Eval, Model, Prompt, Status, Source, Dataset, Started, Finished, PassRate, Cost, Tokens, Count };
    enum class Role : int {
        Sort = Qt::UserRole + 1,
        RunId,     // qint64
        EvalId,    // qint64
        RunStatus, // QString as stored ("completed"...)
        RunSource, // QString "local" / "imported"
    };
    static constexpr int role(Role r) { return static_cast<int>(r); }
    static constexpr int column(Column c) { return static_cast<int>(c); }

    explicit RunsModel(store::EvalStore *store, QObject *parent = nullptr);

    void refresh();
    int refreshInterval() const;
    void setRefreshInterval(int ms); // 0: refresh in the runsChanged slot itself

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    int rowForRun(qint64 runId) const; // -1 when absent
    qint64 runId(int row) const;
    const store::RunRecord &run(int row) const { return m_rows[static_cast<std::size_t>(row)].record; }
    std::optional<double> passRate(int row) const;
    std::optional<double> cost(int row) const;
    std::optional<qint64> tokens(int row) const;

private:
    struct Row {
        store::RunRecord record;
        QString evalName;
        // The prompt version: the start of the SHA-256 of the run's input_messages template (and
        // instructions), so runs that sent the same prompt show the same value. Empty when the
        // run has no template (its items carry their own samples).
        QString promptHash;
        QString promptPreview; // the template's first message, for the tooltip
        std::optional<double> passRate;
        std::optional<double> cost;
        std::optional<qint64> tokens;
        qint64 graded = 0;
    };
    Row makeRow(const store::RunRecord &record);
    static bool sameContent(const Row &a, const Row &b);
    QVariant display(const Row &row, Column column) const;
    QVariant sortValue(const Row &row, Column column) const;

    store::EvalStore *m_store;
    QTimer *m_refreshTimer;
    std::vector<Row> m_rows;
    std::unordered_map<qint64, QString> m_evalNames; // eval versions never change: cache their names
};

} // namespace assay::itemmodels
