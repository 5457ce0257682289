#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>
#include <QStringList>

#include "models/store/eval_store.h"
#include "models/store/run_item_reader.h"
#include "models/store/verdict_store.h"

namespace assay::store {
class Workspace;
}

namespace assay::itemmodels {

// The output items of one run, for a results table of up to hundreds of thousands of rows. Only
// what the table shows is kept, in flat arrays (status, per-criterion score and pass, latency,
// tokens, a short output preview); the full item is read from the workspace on demand (record()).
//
// load() reads on a worker thread with its own read-only connection to the workspace file and
// appends rows in batches (the first one small, so the table fills at once); loaded() says when
// every row is in. Columns: #, status, one score column per testing criterion (in the eval's
// order; pass/fail as the check state), latency, tokens, output.
class OutputItemsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum class Column : int { Index, Status, FirstCriterion }; // then criteria, latency, tokens, output
    enum class Role : int {
        Sort = Qt::UserRole + 1, // raw value: qint64 / double (scores, latency, tokens), QString (text)
        DatasourceItemId,        // qint64
        ItemStatus,              // QString "pass" / "fail" / "error"
        Passed,                  // bool: the item (status column) or the criterion passed; invalid when errored
        Score,                   // double on criterion columns; invalid when the criterion has no result
        CriterionState,          // int (CriterionState) on criterion columns
        Error,                   // QString: why the item (or the criterion's grader) errored
        HumanVerdict,            // QString "pass" / "fail" / "" (a note only) on the status column (whole
                                 // item) and criterion columns; invalid when nobody judged it
        HumanNote,               // QString, same cells
        Disagrees,               // bool: a human pass/fail verdict differs from the grader's (or the item's)
    };
    static constexpr int role(Role r) { return static_cast<int>(r); }
    enum class ItemStatus : quint8 { Pass, Fail, Error };
    enum class CriterionState : quint8 { Missing, Passed, Failed, Invalid, Errored };
    static constexpr int FirstBatchRows = 500;
    static constexpr int BatchRows = 10000;
    static constexpr qint64 ParallelFromRows = 20000; // default: smaller runs are read by one worker

    explicit OutputItemsModel(store::EvalStore *store, store::Workspace *workspace, QObject *parent = nullptr);
    ~OutputItemsModel() override;

    // Human verdicts shown through the HumanVerdict/HumanNote/Disagrees roles, kept up to date.
    void setVerdictStore(store::VerdictStore *verdicts);

    // Clears the model and starts reading the run's items; a load in progress is abandoned.
    void load(qint64 runId);
    void clear();
    qint64 runId() const { return m_runId; }
    // Runs spanning at least this many item ids are read by two workers (when there are 2 cores).
    void setParallelFromRows(qint64 rows) { m_parallelFromRows = rows; }
    bool isLoading() const { return m_loading; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    QStringList criteria() const { return m_criteria; }
    int criterionColumn(int criterion) const { return static_cast<int>(Column::FirstCriterion) + criterion; }
    int criterionOfColumn(int column) const; // -1 when not a criterion column
    int latencyColumn() const { return criterionColumn(static_cast<int>(m_criteria.size())); }
    int tokensColumn() const { return latencyColumn() + 1; }
    int outputColumn() const { return latencyColumn() + 2; }

    // Row accessors (no QVariant) for the filter proxy and the views.
    qint64 datasourceItemId(int row) const { return m_itemIds[static_cast<std::size_t>(row)]; }
    ItemStatus status(int row) const { return static_cast<ItemStatus>(m_status[static_cast<std::size_t>(row)]); }
    CriterionState criterionState(int row, int criterion) const;
    std::optional<double> score(int row, int criterion) const;
    qint64 latencyMs(int row) const { return m_latency[static_cast<std::size_t>(row)]; }
    qint64 totalTokens(int row) const { return m_tokens[static_cast<std::size_t>(row)]; }
    QString preview(int row) const;
    int rowForItem(qint64 datasourceItemId) const; // -1 when absent (binary search: rows are by id)

    // The full stored item behind a row, read from the workspace now (for the drill-down).
    std::optional<store::OutputItemRecord> record(int row) const;

    // Approximate bytes held for the rows (the compact arrays), for the benchmark.
    std::size_t memoryBytes() const;

Q_SIGNALS:
    void loadStarted(qint64 runId);
    void loaded(int rows);
    void loadFailed(const QString &message);

private:
    struct Chunk; // rows in the model's layout, built on the worker
    struct Shared; // the worker's link back to the model
    static std::unique_ptr<Chunk> makeChunk(std::vector<store::ItemDigest> &&digests, const QStringList &criteria);
    void append(quint64 generation, int part, const std::shared_ptr<Chunk> &chunk);
    void appendRows(const Chunk &chunk);
    void partFinished(quint64 generation, int part, const QString &error);
    void finish(quint64 generation, const QString &error);
    static void readPart(const std::shared_ptr<Shared> &shared, const QString &path, const QStringList &criteria,
                         qint64 runId, quint64 generation, int part, qint64 fromId, qint64 toId);
    QStringList criteriaOf(qint64 runId) const;
    void reloadVerdicts();
    const store::HumanVerdict *humanVerdict(int row, int criterion) const; // criterion -1: the whole item
    QVariant verdictData(int row, int criterion, int role) const;

    store::EvalStore *m_store;
    store::Workspace *m_workspace;
    std::shared_ptr<Shared> m_shared;
    quint64 m_generation = 0;
    qint64 m_runId = 0;
    bool m_loading = false;
    QStringList m_criteria;

    std::vector<qint64> m_itemIds;
    std::vector<quint8> m_status;
    std::vector<qint32> m_latency;
    std::vector<qint32> m_tokens;
    std::vector<double> m_scores;  // row * criteria + criterion
    std::vector<quint8> m_states;  // CriterionState, same layout
    std::string m_previews;        // UTF-8, concatenated
    std::vector<quint32> m_previewEnds; // end offset of each row's preview in m_previews
    std::unordered_map<int, QString> m_errors; // errored rows only
    // A big run is read in parts by parallel workers; rows go in strictly in item order, so a
    // later part's chunks wait here until the parts before it are done.
    struct PartState {
        bool done = false;
        std::vector<std::shared_ptr<Chunk>> waiting;
    };
    std::vector<PartState> m_parts;
    int m_currentPart = 0;
    qint64 m_parallelFromRows = ParallelFromRows;
    QString m_loadError;
    store::VerdictStore *m_verdicts = nullptr;
    std::unordered_map<qint64, QList<store::HumanVerdict>> m_human; // by datasource item id (few)
};

// Filters an OutputItemsModel by status and by one failed criterion, and sorts numerically.
class OutputItemsFilterModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    enum StatusFlag { Passed = 0x1, Failed = 0x2, Errored = 0x4, AnyStatus = 0x7 };
    Q_DECLARE_FLAGS(StatusFilter, StatusFlag)

    explicit OutputItemsFilterModel(QObject *parent = nullptr);

    void setStatusFilter(StatusFilter filter);
    StatusFilter statusFilter() const { return m_statusFilter; }
    // Keep only items whose result for this criterion failed (invalid counts as failed); -1: off.
    void setFailedCriterion(int criterion);
    int failedCriterion() const { return m_failedCriterion; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    const OutputItemsModel *items() const;

    StatusFilter m_statusFilter = AnyStatus;
    int m_failedCriterion = -1;
};

} // namespace assay::itemmodels

Q_DECLARE_OPERATORS_FOR_FLAGS(assay::itemmodels::OutputItemsFilterModel::StatusFilter)
