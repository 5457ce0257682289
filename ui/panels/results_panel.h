#pragma once

#include <memory>
#include <utility>

#include <QList>
#include <QPointer>
#include <QWidget>

class QAction;
class QComboBox;
class QLabel;
class QLineEdit;
class QModelIndex;
class QSortFilterProxyModel;
class QTabWidget;
class QTableView;
class QUndoStack;

namespace assay::itemmodels {
class OutputItemsFilterModel;
class RunLatencyLoader;
class OutputItemsModel;
class RunsModel;
} // namespace assay::itemmodels

namespace assay::store {
class EvalStore;
class VerdictStore;
class Workspace;
} // namespace assay::store

namespace assay::ui {

class AgreementView;
class ItemDrillDown;
class LatencyHistogramChart;
class ModelSelectionView;
class PassRateChart;
class PassRateTrendChart;
class ReportExportDialog;
class RunCompareView;
class ScoreHistogramChart;

// The Results panel: the workspace's runs on the left (sortable; several may be selected), and
// for them a Summary (counts, pass rate per criterion, latency, tokens, cost, and the pass-rate
// chart with one bar set per selected run), the Items of the current run (filtered by status,
// with a drill-down of the chosen item as plain text: model output is never interpreted) and a
// histogram of one criterion's Scores. Charts export to PNG or SVG; runs are deleted with undo.
class ResultsPanel : public QWidget {
    Q_OBJECT
public:
    enum class StatusFilter { All, Failed, Errored, Passed };

    explicit ResultsPanel(QWidget *parent = nullptr);
    ~ResultsPanel() override;

    void setWorkspace(store::Workspace *workspace);

    // The runs the views show now (the store may have changed behind the panel's back: another
    // EvalStore on the same workspace, such as the Eval Runs panel's).
    void refresh();

    QList<qint64> selectedRunIds() const; // in the table's order
    qint64 currentRunId() const;          // whose items are shown; 0 when none
    void selectRuns(const QList<qint64> &runIds);

    void setStatusFilter(StatusFilter filter);
    // Shows the item at a row of the Items view (proxy row) in the drill-down.
    void showItem(int row);
    QString drillDownText() const;

    // Deletes the selected runs (undoable).
    void deleteSelectedRuns();
    // Opens the report export dialog for the one or two selected runs (non-modal; null when the
    // selection does not allow a report).
    ReportExportDialog *exportReport();
    bool exportChart(QWidget *chart, const QString &path, QString *error = nullptr);

    itemmodels::RunsModel *runsModel() const { return m_runs; }
    itemmodels::OutputItemsModel *itemsModel() const { return m_items; }
    QTableView *runsView() const { return m_runsView; }
    QTableView *itemsView() const { return m_itemsView; }
    QTabWidget *tabs() const { return m_tabs; }
    QLabel *summaryLabel() const { return m_summary; }
    PassRateChart *passRateChart() const { return m_passRateChart; }
    ScoreHistogramChart *scoreChart() const { return m_scoreChart; }
    LatencyHistogramChart *latencyChart() const { return m_latencyChart; }
    PassRateTrendChart *trendChart() const { return m_trendChart; }
    ModelSelectionView *modelSelectionView() const { return m_modelSelection; }
    RunCompareView *compareView() const { return m_compareView; }
    QComboBox *statusCombo() const { return m_statusCombo; }
    QComboBox *criterionCombo() const { return m_criterionCombo; }
    QComboBox *failedCriterionCombo() const { return m_failedCriterionCombo; }
    QLineEdit *runsFilter() const { return m_runsFilter; }
    QUndoStack *undoStack() const { return m_undo; }
    ItemDrillDown *drillDown() const { return m_drillDown; }
    AgreementView *agreementView() const { return m_agreement; }
    QAction *deleteAction() const { return m_deleteAction; }
    QAction *exportReportAction() const { return m_exportReportAction; }

Q_SIGNALS:
    void statusMessage(const QString &message);

private:
    QWidget *createRunsSide();
    QWidget *createSummaryTab();
    QWidget *createItemsTab();
    QWidget *createScoresTab();
    QWidget *createLatencyTab();
    QWidget *createTrendTab();
    void updateVisibleTab();
    void updateTrend();
    void stepItem(int step); // J / K in the drill-down: the next or previous item in the table
    void updateComparison(const QList<qint64> &ids);
    // The two runs ordered older first (by creation time, then by id).
    std::pair<qint64, qint64> olderFirst(qint64 a, qint64 b) const;
    void onRunSelectionChanged();
    void updateSummary();
    void updateCriteria();
    void updateHistogram();
    void askExport(QWidget *chart, const QString &suffix);
    QWidget *exportButtons(QWidget *chart);

    QPointer<store::Workspace> m_workspace;
    std::unique_ptr<store::EvalStore> m_store;
    std::unique_ptr<store::VerdictStore> m_verdicts;
    itemmodels::RunsModel *m_runs = nullptr;
    itemmodels::OutputItemsModel *m_items = nullptr;
    QSortFilterProxyModel *m_runsProxy = nullptr;
    itemmodels::OutputItemsFilterModel *m_itemsFilter = nullptr;
    QUndoStack *m_undo = nullptr;

    QTableView *m_runsView = nullptr;
    QTabWidget *m_tabs = nullptr;
    QLabel *m_summary = nullptr;
    PassRateChart *m_passRateChart = nullptr;
    QTableView *m_itemsView = nullptr;
    QComboBox *m_statusCombo = nullptr;
    QComboBox *m_failedCriterionCombo = nullptr;
    QLineEdit *m_runsFilter = nullptr;
    ItemDrillDown *m_drillDown = nullptr;
    AgreementView *m_agreement = nullptr;
    QComboBox *m_criterionCombo = nullptr;
    ScoreHistogramChart *m_scoreChart = nullptr;
    LatencyHistogramChart *m_latencyChart = nullptr;
    itemmodels::RunLatencyLoader *m_latencyLoader = nullptr;
    QList<qint64> m_latencyRuns; // whose latencies the chart shows (or is loading)
    bool m_latencyStale = false;
    QLabel *m_trendLabel = nullptr;
    PassRateTrendChart *m_trendChart = nullptr;
    ModelSelectionView *m_modelSelection = nullptr;
    RunCompareView *m_compareView = nullptr;
    QAction *m_deleteAction = nullptr;
    QAction *m_exportReportAction = nullptr;
};

} // namespace assay::ui
