#pragma once

#include <optional>

#include <QList>
#include <QPointer>
#include <QWidget>

#include "models/itemmodels/run_compare_model.h"

class QAbstractButton;
class QButtonGroup;
class QComboBox;
class QLabel;
class QPlainTextEdit;
class QTableView;
class QTableWidget;
class QTextBrowser;
class QToolButton;

namespace assay::store {
class EvalStore;
class Workspace;
} // namespace assay::store

namespace assay::ui {

// Two runs side by side, item by item (matched on the dataset row): a header choosing the base and
// the candidate run (with a swap), a summary of the changes (regressions and improvements named in
// words as well as colour), filter buttons by kind of change, the table of items with each
// criterion's score delta, and for the current item both outputs, a word-level diff (deleted words
// struck through on red, inserted ones underlined on green; all text escaped, never interpreted)
// and each criterion's base and candidate score and pass.
//
// Keys (while the view has focus): J / Down next item, K / Up previous, R next regression,
// Alt+0 all items, Alt+1..Alt+7 one kind of change, Alt+S swap the runs.
class RunCompareView : public QWidget {
    Q_OBJECT
public:
    using Change = itemmodels::RunCompareModel::Change;

    explicit RunCompareView(QWidget *parent = nullptr);
    ~RunCompareView() override;

    // The store lists the runs; the workspace is where the model's workers read the items (a
    // read-only connection each). Both must outlive the view or be reset with setStore(nullptr, nullptr).
    void setStore(store::EvalStore *store, store::Workspace *workspace);
    // Re-reads the run list for the two choosers (keeps the chosen runs when they still exist).
    void refreshRuns();

    // Starts comparing (items are read off the GUI thread; comparisonLoaded() says when done).
    void compare(qint64 baseRunId, qint64 candidateRunId);
    void swapRuns();
    qint64 baseRunId() const;
    qint64 candidateRunId() const;
    bool isLoading() const;

    // nullopt: every item.
    void setChangeFilter(std::optional<Change> change);
    std::optional<Change> changeFilter() const;

    // Moves the current row; false when there is nowhere to go.
    bool selectNext();
    bool selectPrevious();
    bool selectNextRegression(); // after the current row, wrapping around
    void selectRow(int proxyRow);
    int currentRow() const; // proxy row, -1 when none

    QString summaryText() const; // plain text of the summary line
    QString criteriaSummaryText() const; // per criterion: mean score delta, regressions, improvements
    QString diffHtml() const;    // the HTML the diff view was given for the current item

    itemmodels::RunCompareModel *model() const { return m_model; }
    itemmodels::RunCompareFilterModel *proxy() const { return m_proxy; }
    QTableView *tableView() const { return m_table; }
    QLabel *summaryLabel() const { return m_summary; }
    QTextBrowser *diffView() const { return m_diff; }
    QPlainTextEdit *baseOutputView() const { return m_baseOutput; }
    QPlainTextEdit *candidateOutputView() const { return m_candidateOutput; }
    QTableWidget *criteriaView() const { return m_criteria; }
    QComboBox *baseCombo() const { return m_baseCombo; }
    QComboBox *candidateCombo() const { return m_candidateCombo; }
    QAbstractButton *filterButton(std::optional<Change> change) const;

Q_SIGNALS:
    void statusMessage(const QString &message);
    void comparisonLoaded(qint64 baseRunId, qint64 candidateRunId, int items);

private:
    QWidget *createHeader();
    QWidget *createFilters();
    QWidget *createDetails();
    void addShortcuts();
    void connectModel();
    void onRunChosen();
    void onLoaded();
    void updateSummary();
    void showCurrent();
    void clearDetails();
    QString runLabel(qint64 runId) const;

    QPointer<store::EvalStore> m_store;
    store::Workspace *m_workspace = nullptr;
    itemmodels::RunCompareModel *m_model = nullptr;
    itemmodels::RunCompareFilterModel *m_proxy = nullptr;

    QComboBox *m_baseCombo = nullptr;
    QComboBox *m_candidateCombo = nullptr;
    QToolButton *m_swap = nullptr;
    QLabel *m_summary = nullptr;
    QLabel *m_criteriaSummary = nullptr;
    QButtonGroup *m_filters = nullptr;
    QTableView *m_table = nullptr;
    QLabel *m_itemTitle = nullptr;
    QPlainTextEdit *m_baseOutput = nullptr;
    QPlainTextEdit *m_candidateOutput = nullptr;
    QTextBrowser *m_diff = nullptr;
    QTableWidget *m_criteria = nullptr;
    QString m_summaryText;
    QString m_diffHtml;
};

} // namespace assay::ui
