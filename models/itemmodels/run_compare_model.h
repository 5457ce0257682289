#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>
#include <QStringList>

#include "models/report/run_comparison.h"
#include "models/store/eval_store.h"

namespace assay::store {
class Workspace;
}

namespace assay::itemmodels {

// Two runs matched item by item on datasource_item_id: a base run and a candidate run, for a
// comparison table of up to hundreds of thousands of rows. Only what the table shows is kept
// (both statuses, both scores and pass states per criterion, a short output preview) in flat
// arrays; the full items are read on demand (records()).
//
// compare() reads both runs on worker threads (each with its own read-only connection to the
// workspace file), matches them there and hands the finished rows over in one reset; loaded()
// says when they are in. Columns: #, change, base status, candidate status, one column per
// testing criterion ("base -> candidate (delta)", sortable by the delta), output preview.
class RunCompareModel : public QAbstractTableModel {
    Q_OBJECT
public:
    // A partition of the rows; report::ItemChange is the coarser view (itemChange()). "Not
    // passing" is fail or error, as in report::compareRuns: pass -> error is a regression.
    enum class Change : quint8 {
        Regression,      // passed in base, not in candidate
        Improvement,     // not passing in base, passes in candidate
        UnchangedPass,   // passes in both
        UnchangedFail,   // fails in both, neither errored
        Errored,         // not passing in either, and at least one of them errored
        OnlyInBase,      // the candidate has no such item
        OnlyInCandidate, // the base has no such item
    };
    static constexpr int ChangeCount = 7;
    static report::ItemChange itemChange(Change change);
    static QString changeName(Change change); // "regression", "improvement", "unchanged pass", ...

    enum class Status : quint8 { Pass, Fail, Error, Missing };
    enum class CriterionState : quint8 { Missing, Passed, Failed, Invalid, Errored };

    enum class Column : int { Index, Change, BaseStatus, CandidateStatus, FirstCriterion }; // then criteria, output
    enum class Role : int {
        Sort = Qt::UserRole + 1, // raw value: qint64 (#), int (change, status), double (delta), QString (output)
        DatasourceItemId,        // qint64
        ChangeKind,              // int (Change)
        BaseScore,               // double on criterion columns; invalid when missing or errored
        CandidateScore,          // same
        Delta,                   // double: candidate - base; invalid unless both scores exist
        BasePassed,              // bool on criterion and status columns; invalid when missing or errored
        CandidatePassed,         // same
    };
    static constexpr int role(Role r) { return static_cast<int>(r); }

    struct Counts {
        std::array<qint64, ChangeCount> byChange{};
        qint64 of(Change change) const { return byChange[static_cast<std::size_t>(change)]; }
        qint64 total() const;
    };

    // One testing criterion over the items in both runs, as report::CriterionComparison counts it
    // (an errored or missing result is "not passed").
    struct CriterionStats {
        qint64 regressions = 0;  // passed -> not passed on this criterion
        qint64 improvements = 0; // not passed -> passed
        qint64 scoredPairs = 0;  // items with a score in both runs
        std::optional<double> meanDelta; // over the scored pairs
    };

    explicit RunCompareModel(store::EvalStore *store, store::Workspace *workspace, QObject *parent = nullptr);
    ~RunCompareModel() override;

    // Clears the model and starts reading both runs; a comparison in progress is abandoned.
    void compare(qint64 baseRunId, qint64 candidateRunId);
    void clear();
    qint64 baseRunId() const { return m_baseRunId; }
    qint64 candidateRunId() const { return m_candidateRunId; }
    bool isLoading() const { return m_loading; }
    Counts counts() const { return m_counts; }
    const std::vector<CriterionStats> &criterionStats() const { return m_criterionStats; } // criteria() order

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // The testing criteria of both runs: the base run's, then names only the candidate has.
    QStringList criteria() const { return m_criteria; }
    int criterionColumn(int criterion) const { return static_cast<int>(Column::FirstCriterion) + criterion; }
    int criterionOfColumn(int column) const; // -1 when not a criterion column
    int outputColumn() const { return criterionColumn(static_cast<int>(m_criteria.size())); }

    // Row accessors (no QVariant) for the proxy and the views.
    qint64 datasourceItemId(int row) const { return m_itemIds[static_cast<std::size_t>(row)]; }
    Change change(int row) const { return static_cast<Change>(m_changes[static_cast<std::size_t>(row)]); }
    Status baseStatus(int row) const { return static_cast<Status>(m_baseStatus[static_cast<std::size_t>(row)]); }
    Status candidateStatus(int row) const { return static_cast<Status>(m_candidateStatus[static_cast<std::size_t>(row)]); }
    CriterionState baseState(int row, int criterion) const { return state(m_baseStates, row, criterion); }
    CriterionState candidateState(int row, int criterion) const { return state(m_candidateStates, row, criterion); }
    std::optional<double> baseScore(int row, int criterion) const;
    std::optional<double> candidateScore(int row, int criterion) const;
    std::optional<double> delta(int row, int criterion) const;
    QString preview(int row) const; // the candidate's output (the base's when only in base)
    int rowForItem(qint64 datasourceItemId) const; // -1 when absent

    // The full stored items behind a row (either may be absent), read from the workspace now.
    struct Records {
        std::optional<store::OutputItemRecord> base;
        std::optional<store::OutputItemRecord> candidate;
    };
    Records records(int row) const;

Q_SIGNALS:
    void loadStarted(qint64 baseRunId, qint64 candidateRunId);
    void loaded(int rows);
    void loadFailed(const QString &message);

private:
    struct Rows;   // the matched rows, built on a worker
    struct Shared; // the worker's link back to the model
    static void run(const std::shared_ptr<Shared> &shared, const QString &path, const QStringList &criteria,
                    qint64 baseRunId, qint64 candidateRunId, quint64 generation);
    void finish(quint64 generation, const std::shared_ptr<Rows> &rows, const QString &error);
    QStringList criteriaOf(qint64 runId) const;
    CriterionState state(const std::vector<quint8> &states, int row, int criterion) const;
    std::optional<double> score(const std::vector<double> &scores, const std::vector<quint8> &states, int row,
                                int criterion) const;

    store::EvalStore *m_store;
    store::Workspace *m_workspace;
    std::shared_ptr<Shared> m_shared;
    quint64 m_generation = 0;
    qint64 m_baseRunId = 0;
    qint64 m_candidateRunId = 0;
    bool m_loading = false;
    QStringList m_criteria;
    Counts m_counts;
    std::vector<CriterionStats> m_criterionStats;

    std::vector<qint64> m_itemIds;
    std::vector<quint8> m_changes;
    std::vector<quint8> m_baseStatus;
    std::vector<quint8> m_candidateStatus;
    std::vector<double> m_baseScores; // row * criteria + criterion
    std::vector<double> m_candidateScores;
    std::vector<quint8> m_baseStates; // CriterionState, same layout
    std::vector<quint8> m_candidateStates;
    std::string m_previews; // UTF-8, concatenated
    std::vector<quint32> m_previewEnds;
};

// Filters a RunCompareModel by change kind and sorts numerically (criterion columns by delta;
// rows without a delta last in either order).
class RunCompareFilterModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit RunCompareFilterModel(QObject *parent = nullptr);

    // Keep only rows of these kinds; empty: every row.
    void setChangeFilter(const QList<RunCompareModel::Change> &changes);
    void setChangeFilter(RunCompareModel::Change change) { setChangeFilter(QList<RunCompareModel::Change>{change}); }
    void clearChangeFilter() { setChangeFilter(QList<RunCompareModel::Change>{}); }
    QList<RunCompareModel::Change> changeFilter() const;

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    const RunCompareModel *rows() const;
    quint32 m_mask = 0; // bit per Change; 0: all
};

} // namespace assay::itemmodels
