#pragma once

#include <memory>

#include <QList>
#include <QPointer>
#include <QWidget>

class QAction;
class QComboBox;
class QLabel;
class QLineEdit;
class QModelIndex;
class QPlainTextEdit;
class QSortFilterProxyModel;
class QTabWidget;
class QTableView;
class QUndoStack;

namespace assay::itemmodels {
class OutputItemsFilterModel;
class OutputItemsModel;
class RunsModel;
} // namespace assay::itemmodels

namespace assay::store {
class EvalStore;
class VerdictStore;
class Workspace;
} // namespace assay::store

namespace assay::ui {

class PassRateChart;
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
    bool exportChart(QWidget *chart, const QString &path, QString *error = nullptr);

    itemmodels::RunsModel *runsModel() const { return m_runs; }
    itemmodels::OutputItemsModel *itemsModel() const { return m_items; }
    QTableView *runsView() const { return m_runsView; }
    QTableView *itemsView() const { return m_itemsView; }
    QTabWidget *tabs() const { return m_tabs; }
    QLabel *summaryLabel() const { return m_summary; }
    PassRateChart *passRateChart() const { return m_passRateChart; }
    ScoreHistogramChart *scoreChart() const { return m_scoreChart; }
    QComboBox *statusCombo() const { return m_statusCombo; }
    QComboBox *criterionCombo() const { return m_criterionCombo; }
    QComboBox *failedCriterionCombo() const { return m_failedCriterionCombo; }
    QLineEdit *runsFilter() const { return m_runsFilter; }
    QUndoStack *undoStack() const { return m_undo; }
    QAction *deleteAction() const { return m_deleteAction; }

Q_SIGNALS:
    void statusMessage(const QString &message);

private:
    QWidget *createRunsSide();
    QWidget *createSummaryTab();
    QWidget *createItemsTab();
    QWidget *createScoresTab();
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
    QPlainTextEdit *m_drillDown = nullptr;
    QComboBox *m_criterionCombo = nullptr;
    ScoreHistogramChart *m_scoreChart = nullptr;
    QAction *m_deleteAction = nullptr;
};

} // namespace assay::ui
