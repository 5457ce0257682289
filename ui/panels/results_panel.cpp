#include "ui/panels/results_panel.h"

#include <algorithm>
#include <tuple>

#include <QAction>
#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QPushButton>
#include <QScrollArea>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QUndoStack>
#include <QVBoxLayout>

#include "models/eval/run_summary.h"
#include "models/itemmodels/delete_runs_command.h"
#include "models/itemmodels/output_items_model.h"
#include "models/itemmodels/runs_model.h"
#include "models/store/eval_store.h"
#include "models/store/verdict_store.h"
#include "models/store/workspace.h"
#include "models/itemmodels/run_latency_loader.h"
#include "ui/charts/accuracy_cost_chart.h"
#include "ui/charts/chart_export.h"
#include "ui/dialogs/report_export_dialog.h"
#include "ui/charts/latency_histogram_chart.h"
#include "ui/charts/pass_rate_chart.h"
#include "ui/charts/pass_rate_trend_chart.h"
#include "ui/charts/score_histogram_chart.h"
#include "ui/panels/results/agreement_view.h"
#include "ui/panels/results/item_drilldown.h"
#include "ui/panels/results/model_selection_view.h"
#include "ui/panels/results/run_compare_view.h"

using json = nlohmann::json;

namespace assay::ui {

namespace {

QString percent(double rate)
{
    return QLocale().toString(100.0 * rate, 'f', 1) + QStringLiteral(" %");
}

} // namespace

ResultsPanel::ResultsPanel(QWidget *parent) : QWidget(parent), m_undo(new QUndoStack(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(createRunsSide());
    m_tabs = new QTabWidget(splitter);
    m_tabs->addTab(createSummaryTab(), tr("Summary"));
    m_tabs->addTab(createItemsTab(), tr("Items"));
    m_tabs->addTab(createScoresTab(), tr("Scores"));
    m_tabs->addTab(createLatencyTab(), tr("Latency"));
    m_tabs->addTab(createTrendTab(), tr("Trend"));
    auto *selectionTab = new QWidget(m_tabs);
    auto *selectionLayout = new QVBoxLayout(selectionTab);
    m_modelSelection = new ModelSelectionView(selectionTab);
    connect(m_modelSelection, &ModelSelectionView::statusMessage, this, &ResultsPanel::statusMessage);
    selectionLayout->addWidget(m_modelSelection, 1);
    selectionLayout->addWidget(exportButtons(m_modelSelection->chart()));
    m_tabs->addTab(selectionTab, tr("Model Selection"));
    m_compareView = new RunCompareView(m_tabs);
    m_compareView->setToolTip(tr("Select two runs to compare them item by item"));
    connect(m_compareView, &RunCompareView::statusMessage, this, &ResultsPanel::statusMessage);
    m_tabs->addTab(m_compareView, tr("Compare"));
    // The costlier views (reading every item's latency, every run of an eval) follow the
    // selection only while they are shown.
    connect(m_tabs, &QTabWidget::currentChanged, this, &ResultsPanel::updateVisibleTab);
    splitter->addWidget(m_tabs);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 3);
    splitter->setSizes({420, 640});
    layout->addWidget(splitter);

    // Undo/redo while the panel has focus, so Ctrl+Z elsewhere keeps its meaning.
    QAction *undo = m_undo->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    undo->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(undo);
    QAction *redo = m_undo->createRedoAction(this, tr("&Redo"));
    redo->setShortcut(QKeySequence::Redo);
    redo->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(redo);
    m_runsView->addAction(undo);
    m_runsView->addAction(redo);
    connect(m_undo, &QUndoStack::indexChanged, this, [this] {
        if (m_runs)
            m_runs->refresh();
    });
}

ResultsPanel::~ResultsPanel()
{
    // The commands point at the stores: drop them first.
    m_undo->clear();
    // The models point at the stores, which go before the QObject children do.
    m_itemsFilter->setSourceModel(nullptr);
    m_runsView->setModel(nullptr);
    delete m_items;
    delete m_runsProxy;
    delete m_runs;
    m_items = nullptr;
    m_runsProxy = nullptr;
    m_runs = nullptr;
}

QWidget *ResultsPanel::createRunsSide()
{
    auto *side = new QWidget(this);
    auto *layout = new QVBoxLayout(side);
    layout->setContentsMargins(0, 0, 0, 0);
    m_runsView = new QTableView(side);
    m_runsView->setObjectName(QStringLiteral("resultsRunsView"));
    m_runsView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_runsView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_runsView->verticalHeader()->hide();
    m_runsView->horizontalHeader()->setStretchLastSection(true);
    m_runsView->setContextMenuPolicy(Qt::ActionsContextMenu);

    m_deleteAction = new QAction(tr("&Delete Run(s)"), this);
    m_deleteAction->setShortcut(QKeySequence::Delete);
    m_deleteAction->setShortcutContext(Qt::WidgetShortcut);
    m_deleteAction->setEnabled(false);
    connect(m_deleteAction, &QAction::triggered, this, &ResultsPanel::deleteSelectedRuns);
    m_runsView->addAction(m_deleteAction);

    m_runsFilter = new QLineEdit(side);
    m_runsFilter->setObjectName(QStringLiteral("resultsRunsFilter"));
    m_runsFilter->setPlaceholderText(tr("Filter runs by name, eval, model, status… (Ctrl+F)"));
    m_runsFilter->setClearButtonEnabled(true);
    connect(m_runsFilter, &QLineEdit::textChanged, this, [this](const QString &text) {
        if (m_runsProxy)
            m_runsProxy->setFilterFixedString(text);
    });
    auto *findAction = new QAction(tr("Filter Runs"), this);
    findAction->setShortcut(QKeySequence::Find);
    findAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(findAction, &QAction::triggered, this, [this] {
        m_runsFilter->setFocus(Qt::ShortcutFocusReason);
        m_runsFilter->selectAll();
    });
    addAction(findAction);

    auto *buttons = new QHBoxLayout;
    auto *deleteButton = new QPushButton(tr("Delete"), side);
    deleteButton->setToolTip(tr("Delete the selected runs (Ctrl+Z brings them back)"));
    deleteButton->setEnabled(false);
    connect(m_deleteAction, &QAction::changed, deleteButton,
            [this, deleteButton] { deleteButton->setEnabled(m_deleteAction->isEnabled()); });
    connect(deleteButton, &QPushButton::clicked, m_deleteAction, &QAction::trigger);
    m_exportReportAction = new QAction(tr("&Export Report…"), this);
    m_exportReportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    m_exportReportAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_exportReportAction->setToolTip(
        tr("Export the selected runs as HTML, PDF, Markdown, CSV, JSONL or JUnit; two runs include their "
           "comparison (Ctrl+E)"));
    m_exportReportAction->setEnabled(false);
    connect(m_exportReportAction, &QAction::triggered, this, &ResultsPanel::exportReport);
    addAction(m_exportReportAction);
    m_runsView->addAction(m_exportReportAction);
    auto *exportButton = new QPushButton(tr("Export Report…"), side);
    exportButton->setToolTip(m_exportReportAction->toolTip());
    exportButton->setEnabled(false);
    connect(m_exportReportAction, &QAction::changed, exportButton,
            [this, exportButton] { exportButton->setEnabled(m_exportReportAction->isEnabled()); });
    connect(exportButton, &QPushButton::clicked, m_exportReportAction, &QAction::trigger);
    auto *refreshButton = new QPushButton(tr("Refresh"), side);
    connect(refreshButton, &QPushButton::clicked, this, &ResultsPanel::refresh);
    buttons->addWidget(deleteButton);
    buttons->addWidget(exportButton);
    buttons->addWidget(refreshButton);
    buttons->addStretch();
    layout->addWidget(m_runsFilter);
    layout->addWidget(m_runsView);
    layout->addLayout(buttons);
    return side;
}

QWidget *ResultsPanel::exportButtons(QWidget *chart)
{
    auto *row = new QWidget(this);
    auto *layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addStretch();
    auto *png = new QPushButton(tr("Export PNG…"), row);
    auto *svg = new QPushButton(tr("Export SVG…"), row);
    connect(png, &QPushButton::clicked, this, [this, chart] { askExport(chart, QStringLiteral("png")); });
    connect(svg, &QPushButton::clicked, this, [this, chart] { askExport(chart, QStringLiteral("svg")); });
    layout->addWidget(png);
    layout->addWidget(svg);

    chart->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(chart, &QWidget::customContextMenuRequested, this, [this, chart](const QPoint &pos) {
        auto *menu = new QMenu(chart);
        menu->setAttribute(Qt::WA_DeleteOnClose);
        menu->addAction(tr("Export as PNG…"), this, [this, chart] { askExport(chart, QStringLiteral("png")); });
        menu->addAction(tr("Export as SVG…"), this, [this, chart] { askExport(chart, QStringLiteral("svg")); });
        menu->popup(chart->mapToGlobal(pos));
    });
    return row;
}

QWidget *ResultsPanel::createSummaryTab()
{
    auto *tab = new QWidget(this);
    auto *layout = new QVBoxLayout(tab);
    m_summary = new QLabel(tr("Select one or more runs."), tab);
    m_summary->setTextFormat(Qt::PlainText); // run names are the user's text
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_summary->setWordWrap(true);
    auto *scroll = new QScrollArea(tab);
    scroll->setWidget(m_summary);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setMinimumHeight(110);
    m_passRateChart = new PassRateChart(tab);
    auto *splitter = new QSplitter(Qt::Vertical, tab);
    m_agreement = new AgreementView(tab);
    m_agreement->setToolTip(tr("How often your verdicts (Items tab: P / F) agree with the graders', per criterion"));
    splitter->addWidget(scroll);
    splitter->addWidget(m_agreement);
    splitter->addWidget(m_passRateChart);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 2);
    layout->addWidget(splitter);
    layout->addWidget(exportButtons(m_passRateChart));
    return tab;
}

QWidget *ResultsPanel::createItemsTab()
{
    auto *tab = new QWidget(this);
    auto *layout = new QVBoxLayout(tab);
    auto *filterRow = new QHBoxLayout;
    filterRow->addWidget(new QLabel(tr("Show:"), tab));
    m_statusCombo = new QComboBox(tab);
    m_statusCombo->addItem(tr("All items"), static_cast<int>(itemmodels::OutputItemsFilterModel::AnyStatus));
    m_statusCombo->addItem(tr("Failed"), static_cast<int>(itemmodels::OutputItemsFilterModel::Failed));
    m_statusCombo->addItem(tr("Errored"), static_cast<int>(itemmodels::OutputItemsFilterModel::Errored));
    m_statusCombo->addItem(tr("Passed"), static_cast<int>(itemmodels::OutputItemsFilterModel::Passed));
    filterRow->addWidget(m_statusCombo);
    filterRow->addWidget(new QLabel(tr("Criterion:"), tab));
    m_failedCriterionCombo = new QComboBox(tab);
    m_failedCriterionCombo->setObjectName(QStringLiteral("resultsFailedCriterion"));
    m_failedCriterionCombo->setToolTip(tr("Keep only the items this criterion failed (invalid counts as failed)"));
    m_failedCriterionCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    filterRow->addWidget(m_failedCriterionCombo);
    connect(m_failedCriterionCombo, &QComboBox::currentIndexChanged, this, [this](int index) {
        // Entry 0 is "any": the criteria follow in the model's order.
        m_itemsFilter->setFailedCriterion(index - 1);
    });
    filterRow->addStretch();
    auto *hint = new QLabel(tr("P / F: your verdict · J / K: next / previous"), tab);
    hint->setEnabled(false);
    filterRow->addWidget(hint);
    layout->addLayout(filterRow);

    m_itemsFilter = new itemmodels::OutputItemsFilterModel(this);
    m_itemsView = new QTableView(tab);
    m_itemsView->setObjectName(QStringLiteral("resultsItemsView"));
    m_itemsView->setModel(m_itemsFilter);
    m_itemsView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_itemsView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_itemsView->horizontalHeader()->setSortIndicator(0, Qt::AscendingOrder); // by item, as stored
    m_itemsView->setSortingEnabled(true);
    m_itemsView->verticalHeader()->hide();
    m_itemsView->horizontalHeader()->setStretchLastSection(true);
    connect(m_itemsView, &QAbstractItemView::activated, this,
            [this](const QModelIndex &index) { showItem(index.row()); });
    // The drill-down follows the table's current row (one indexed read per item), so arrow keys
    // walk through the items.
    connect(m_itemsView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                if (current.isValid())
                    showItem(current.row());
            });
    connect(m_statusCombo, &QComboBox::currentIndexChanged, this, [this] {
        m_itemsFilter->setStatusFilter(
            itemmodels::OutputItemsFilterModel::StatusFilter::fromInt(m_statusCombo->currentData().toInt()));
    });

    m_drillDown = new ItemDrillDown(tab);
    m_drillDown->setObjectName(QStringLiteral("resultsDrillDown"));
    m_drillDown->setUndoStack(m_undo);
    connect(m_drillDown, &ItemDrillDown::statusMessage, this, &ResultsPanel::statusMessage);
    connect(m_drillDown, &ItemDrillDown::nextItemRequested, this, [this] { stepItem(+1); });
    connect(m_drillDown, &ItemDrillDown::previousItemRequested, this, [this] { stepItem(-1); });
    // Side by side: the bottom dock is wide and short, and both the table and the item need height.
    auto *splitter = new QSplitter(Qt::Horizontal, tab);
    splitter->addWidget(m_itemsView);
    splitter->addWidget(m_drillDown);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 3);
    layout->addWidget(splitter, 1);
    return tab;
}

QWidget *ResultsPanel::createScoresTab()
{
    auto *tab = new QWidget(this);
    auto *layout = new QVBoxLayout(tab);
    auto *row = new QHBoxLayout;
    row->addWidget(new QLabel(tr("Criterion:"), tab));
    m_criterionCombo = new QComboBox(tab);
    m_criterionCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    row->addWidget(m_criterionCombo);
    row->addStretch();
    layout->addLayout(row);
    m_scoreChart = new ScoreHistogramChart(tab);
    layout->addWidget(m_scoreChart, 1);
    layout->addWidget(exportButtons(m_scoreChart));
    connect(m_criterionCombo, &QComboBox::currentIndexChanged, this, &ResultsPanel::updateHistogram);
    return tab;
}

QWidget *ResultsPanel::createLatencyTab()
{
    auto *tab = new QWidget(this);
    auto *layout = new QVBoxLayout(tab);
    m_latencyChart = new LatencyHistogramChart(tab);
    m_latencyChart->setObjectName(QStringLiteral("resultsLatencyChart"));
    layout->addWidget(m_latencyChart, 1);
    layout->addWidget(exportButtons(m_latencyChart));
    m_latencyLoader = new itemmodels::RunLatencyLoader(this);
    connect(m_latencyLoader, &itemmodels::RunLatencyLoader::loaded, this,
            [this](const QList<qint64> &runIds, const std::vector<std::vector<double>> &latencies, const QString &error) {
                QList<LatencyHistogramChart::Run> runs;
                for (qsizetype i = 0; i < runIds.size(); ++i) {
                    const int row = m_runs ? m_runs->rowForRun(runIds[i]) : -1;
                    const QString name = row >= 0 ? m_runs->run(row).name : QString();
                    runs << LatencyHistogramChart::Run{name.isEmpty() ? tr("Run %1").arg(runIds[i]) : name,
                                                       latencies[static_cast<std::size_t>(i)]};
                }
                m_latencyChart->setRuns(runs);
                if (!error.isEmpty())
                    Q_EMIT statusMessage(tr("Could not read latencies: %1").arg(error));
            });
    return tab;
}

QWidget *ResultsPanel::createTrendTab()
{
    auto *tab = new QWidget(this);
    auto *layout = new QVBoxLayout(tab);
    m_trendLabel = new QLabel(tab);
    m_trendLabel->setTextFormat(Qt::PlainText);
    m_trendLabel->setWordWrap(true);
    layout->addWidget(m_trendLabel);
    m_trendChart = new PassRateTrendChart(tab);
    m_trendChart->setObjectName(QStringLiteral("resultsTrendChart"));
    layout->addWidget(m_trendChart, 1);
    layout->addWidget(exportButtons(m_trendChart));
    return tab;
}

void ResultsPanel::updateVisibleTab()
{
    if (!m_store)
        return;
    const QList<qint64> ids = selectedRunIds();
    QWidget *current = m_tabs->currentWidget();
    if (current == m_latencyChart->parentWidget()) {
        if (ids != m_latencyRuns || m_latencyStale) {
            m_latencyRuns = ids;
            m_latencyStale = false;
            if (ids.isEmpty())
                m_latencyChart->setRuns({});
            else if (m_workspace)
                m_latencyLoader->load(m_workspace->path(), ids);
        }
    } else if (current == m_trendChart->parentWidget()) {
        updateTrend();
    } else if (current == m_modelSelection->parentWidget()) {
        if (m_modelSelection->runs() != ids)
            m_modelSelection->setRuns(ids);
    } else if (current == m_compareView) {
        updateComparison(ids);
    }
}

void ResultsPanel::updateComparison(const QList<qint64> &ids)
{
    if (ids.size() != 2) {
        if (ids.size() > 2)
            Q_EMIT statusMessage(tr("Compare shows two runs: select exactly two."));
        return; // keeps the last comparison; its combos still pick any two runs
    }
    // The older run is the base, so a regression reads as what the newer run broke.
    const auto [base, candidate] = olderFirst(ids[0], ids[1]);
    const bool same = (m_compareView->baseRunId() == base && m_compareView->candidateRunId() == candidate) ||
                      (m_compareView->baseRunId() == candidate && m_compareView->candidateRunId() == base);
    if (!same)
        m_compareView->compare(base, candidate);
}

void ResultsPanel::updateTrend()
{
    // The trend of the current run's eval: all its runs, across the eval's versions.
    const qint64 runId = currentRunId();
    const int row = runId > 0 && m_runs ? m_runs->rowForRun(runId) : -1;
    if (row < 0) {
        m_trendLabel->setText(tr("Select a run: its eval's runs are shown over time."));
        m_trendChart->setRuns({});
        return;
    }
    const std::optional<store::EvalRecord> eval = m_store->eval(m_runs->run(row).evalId);
    if (!eval) {
        m_trendChart->setRuns({});
        return;
    }
    const QList<store::RunRecord> runs = PassRateTrendChart::runsOfEval(*m_store, eval->evalKey);
    m_trendChart->setRuns(runs);
    const qsizetype regressions = m_trendChart->regressions().size();
    m_trendLabel->setText(
        tr("Eval “%1”: %2 run(s) over time; %3 regression(s) (a drop of more than %4 points from the run before).")
            .arg(eval->name)
            .arg(runs.size())
            .arg(regressions)
            .arg(QLocale().toString(m_trendChart->threshold(), 'f', 0)));
}

void ResultsPanel::setWorkspace(store::Workspace *workspace)
{
    m_undo->clear();
    m_itemsFilter->setSourceModel(nullptr);
    m_runsView->setModel(nullptr);
    delete m_runsProxy;
    delete m_runs;
    delete m_items;
    m_runsProxy = nullptr;
    m_runs = nullptr;
    m_items = nullptr;
    m_modelSelection->setStore(nullptr);
    m_compareView->setStore(nullptr, nullptr);
    m_drillDown->clear();
    m_drillDown->setStores(nullptr, nullptr);
    m_agreement->setVerdictStore(nullptr);
    m_verdicts.reset();
    m_store.reset();
    m_workspace = workspace;
    if (!workspace)
        return;

    m_store = std::make_unique<store::EvalStore>(*workspace);
    // Runs deleted in a session that ended without closing its undo stack (a crash) are still
    // in the trash; nothing can undo their deletion any more.
    m_store->purgeTrash();
    m_verdicts = std::make_unique<store::VerdictStore>(*workspace);
    m_modelSelection->setStore(m_store.get(), workspace);
    m_compareView->setStore(m_store.get(), workspace);
    m_latencyRuns.clear();
    m_runs = new itemmodels::RunsModel(m_store.get(), this);
    m_runsProxy = new QSortFilterProxyModel(this);
    m_runsProxy->setSourceModel(m_runs);
    m_runsProxy->setSortRole(itemmodels::RunsModel::role(itemmodels::RunsModel::Role::Sort));
    m_runsProxy->setFilterKeyColumn(-1); // any column: name, eval, model, status, dataset…
    m_runsProxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_runsProxy->setFilterFixedString(m_runsFilter->text());
    m_runsView->setModel(m_runsProxy);
    m_runsView->horizontalHeader()->setSortIndicator(
        itemmodels::RunsModel::column(itemmodels::RunsModel::Column::Started), Qt::DescendingOrder);
    m_runsView->setSortingEnabled(true);
    m_runsView->resizeColumnsToContents();
    connect(m_runsView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &ResultsPanel::onRunSelectionChanged);
    connect(m_runsView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &ResultsPanel::onRunSelectionChanged);
    // A run's summary changes while it runs, and rows come and go.
    connect(m_runs, &QAbstractItemModel::dataChanged, this, &ResultsPanel::updateSummary);
    connect(m_runs, &QAbstractItemModel::rowsRemoved, this, &ResultsPanel::onRunSelectionChanged);

    m_items = new itemmodels::OutputItemsModel(m_store.get(), workspace, this);
    m_items->setVerdictStore(m_verdicts.get());
    m_drillDown->setStores(m_store.get(), m_verdicts.get());
    m_agreement->setVerdictStore(m_verdicts.get());
    m_itemsFilter->setSourceModel(m_items);
    connect(m_items, &itemmodels::OutputItemsModel::loaded, this, [this] {
        m_itemsView->resizeColumnsToContents();
        updateHistogram();
    });
    connect(m_items, &itemmodels::OutputItemsModel::loadFailed, this, &ResultsPanel::statusMessage);
    // Open on the newest run rather than an empty summary.
    if (m_runsProxy->rowCount() > 0)
        m_runsView->selectRow(0);
    onRunSelectionChanged();
}

void ResultsPanel::refresh()
{
    if (m_runs)
        m_runs->refresh();
    // Runs may have gained items since the views read them.
    m_latencyStale = true;
    if (m_modelSelection->isVisible())
        m_modelSelection->setRuns(selectedRunIds());
    else
        m_modelSelection->setRuns({});
    updateVisibleTab();
}

QList<qint64> ResultsPanel::selectedRunIds() const
{
    QList<qint64> ids;
    if (!m_runs || !m_runsView->selectionModel())
        return ids;
    QModelIndexList rows = m_runsView->selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end(), [](const QModelIndex &a, const QModelIndex &b) { return a.row() < b.row(); });
    for (const QModelIndex &index : std::as_const(rows))
        ids << m_runs->runId(m_runsProxy->mapToSource(index).row());
    return ids;
}

std::pair<qint64, qint64> ResultsPanel::olderFirst(qint64 a, qint64 b) const
{
    // Runs created in the same instant (a script, a test) are ordered by id, the order
    // they were stored in, so the base never depends on the order rows were selected in.
    const int rowA = m_runs->rowForRun(a), rowB = m_runs->rowForRun(b);
    if (rowA < 0 || rowB < 0)
        return {a, b};
    const auto key = [this](int row, qint64 id) { return std::pair(m_runs->run(row).createdAt, id); };
    return key(rowB, b) < key(rowA, a) ? std::pair(b, a) : std::pair(a, b);
}

qint64 ResultsPanel::currentRunId() const
{
    return m_items ? m_items->runId() : 0;
}

void ResultsPanel::selectRuns(const QList<qint64> &runIds)
{
    if (!m_runs)
        return;
    QItemSelection selection;
    QModelIndex first;
    for (qint64 id : runIds) {
        const int row = m_runs->rowForRun(id);
        if (row < 0)
            continue;
        const QModelIndex index = m_runsProxy->mapFromSource(m_runs->index(row, 0));
        if (!first.isValid())
            first = index;
        selection.select(index, index);
    }
    auto *model = m_runsView->selectionModel();
    if (first.isValid())
        model->setCurrentIndex(first, QItemSelectionModel::NoUpdate);
    model->select(selection, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
}

void ResultsPanel::onRunSelectionChanged()
{
    const QList<qint64> ids = selectedRunIds();
    m_deleteAction->setEnabled(!ids.isEmpty());
    m_exportReportAction->setEnabled(!ids.isEmpty() && ids.size() <= 2);
    // The items shown are the current run's when it is selected, else the first selected one's.
    qint64 itemsRun = ids.value(0, 0);
    const QModelIndex current = m_runsView->selectionModel() ? m_runsView->selectionModel()->currentIndex() : QModelIndex();
    if (current.isValid() && m_runsView->selectionModel()->isRowSelected(current.row(), current.parent()))
        itemsRun = m_runs->runId(m_runsProxy->mapToSource(current).row());
    if (m_items && itemsRun != m_items->runId()) {
        m_drillDown->clear();
        m_agreement->setRun(itemsRun);
        if (itemsRun > 0)
            m_items->load(itemsRun);
        else
            m_items->clear();
        updateCriteria();
    }
    updateSummary();
    updateVisibleTab();
}

void ResultsPanel::updateSummary()
{
    const QList<qint64> ids = selectedRunIds();
    QList<store::RunRecord> runs;
    QStringList blocks;
    for (qint64 id : ids) {
        const int row = m_runs->rowForRun(id);
        if (row < 0)
            continue;
        const store::RunRecord &run = m_runs->run(row);
        runs << run;
        const eval::RunSummary summary = eval::RunSummary::fromJson(run.summary);
        QStringList lines;
        lines << tr("%1 — %2 — %3").arg(run.name.isEmpty() ? tr("Run %1").arg(run.id) : run.name, run.model, run.status);
        lines << tr("Items: %1 total, %2 passed, %3 failed, %4 errored — pass rate %5")
                     .arg(summary.total)
                     .arg(summary.passed)
                     .arg(summary.failed)
                     .arg(summary.errored)
                     .arg(summary.total > 0 ? percent(summary.passRate()) : tr("n/a"));
        for (const auto &criterion : summary.perCriterion) {
            const qint64 graded = criterion.passed + criterion.failed;
            lines << tr("  %1: %2 of %3 passed (%4)")
                         .arg(QString::fromStdString(criterion.name))
                         .arg(criterion.passed)
                         .arg(graded)
                         .arg(graded > 0 ? percent(static_cast<double>(criterion.passed) / static_cast<double>(graded))
                                         : tr("n/a"));
        }
        const auto ms = [](const std::optional<double> &value) {
            return value ? tr("%1 ms").arg(QLocale().toString(*value, 'f', 0)) : tr("n/a");
        };
        lines << tr("Latency: p50 %1, p95 %2").arg(ms(summary.latencyP50Ms), ms(summary.latencyP95Ms));
        qint64 prompt = 0, cached = 0, completion = 0, reasoning = 0, total = 0;
        QStringList models;
        for (const auto &usage : summary.perModelUsage) {
            prompt += usage.promptTokens;
            cached += usage.cachedTokens;
            completion += usage.completionTokens;
            reasoning += usage.reasoningTokens;
            total += usage.totalTokens;
            models << (usage.invocations == 1 ? tr("%1 (1 call)").arg(QString::fromStdString(usage.model))
                                              : tr("%1 (%2 calls)")
                                                    .arg(QString::fromStdString(usage.model))
                                                    .arg(QLocale().toString(usage.invocations)));
        }
        const QLocale locale;
        lines << tr("Tokens: %1 — input %2 (%3 cached), output %4 (%5 reasoning)")
                     .arg(locale.toString(total), locale.toString(prompt), locale.toString(cached),
                          locale.toString(completion), locale.toString(reasoning));
        if (!models.isEmpty())
            lines << tr("Models answering: %1").arg(models.join(QStringLiteral(", ")));
        QStringList fingerprints;
        for (const std::string &fingerprint : summary.systemFingerprints)
            fingerprints << QString::fromStdString(fingerprint);
        lines << tr("system_fingerprint: %1").arg(fingerprints.isEmpty() ? tr("none reported") : fingerprints.join(QStringLiteral(", ")));
        lines << (summary.estimatedCostUsd ? tr("Estimated cost: $%1").arg(QLocale().toString(*summary.estimatedCostUsd, 'f', 4))
                                           : tr("Estimated cost: unknown"));
        blocks << lines.join(QLatin1Char('\n'));
    }
    m_summary->setText(blocks.isEmpty() ? tr("Select one or more runs.") : blocks.join(QStringLiteral("\n\n")));
    m_passRateChart->setRuns(runs);
}

void ResultsPanel::updateCriteria()
{
    const QString previous = m_criterionCombo->currentText();
    const QSignalBlocker blocker(m_criterionCombo);
    m_criterionCombo->clear();
    if (m_items)
        m_criterionCombo->addItems(m_items->criteria());
    const int keep = m_criterionCombo->findText(previous);
    m_criterionCombo->setCurrentIndex(keep >= 0 ? keep : (m_criterionCombo->count() > 0 ? 0 : -1));

    // The items filter keeps its criterion when the next run has one of the same name.
    const QString previousFailed = m_failedCriterionCombo->currentIndex() > 0 ? m_failedCriterionCombo->currentText() : QString();
    {
        const QSignalBlocker failedBlocker(m_failedCriterionCombo);
        m_failedCriterionCombo->clear();
        m_failedCriterionCombo->addItem(tr("any"));
        if (m_items)
            m_failedCriterionCombo->addItems(m_items->criteria());
        const int keepFailed = previousFailed.isEmpty() ? 0 : std::max(0, m_failedCriterionCombo->findText(previousFailed));
        m_failedCriterionCombo->setCurrentIndex(keepFailed);
        m_itemsFilter->setFailedCriterion(keepFailed - 1);
    }
    updateHistogram();
}

void ResultsPanel::updateHistogram()
{
    if (!m_items) {
        m_scoreChart->setScores({}, {});
        return;
    }
    if (m_criterionCombo->count() != m_items->criteria().size()) {
        updateCriteria(); // the criteria are known once the load started
        return;
    }
    m_scoreChart->setFromModel(*m_items, m_criterionCombo->currentIndex());
}

void ResultsPanel::setStatusFilter(StatusFilter filter)
{
    m_statusCombo->setCurrentIndex(static_cast<int>(filter));
}

void ResultsPanel::showItem(int row)
{
    if (!m_items || row < 0 || row >= m_itemsFilter->rowCount())
        return;
    const QModelIndex index = m_itemsFilter->index(row, 0);
    const int sourceRow = m_itemsFilter->mapToSource(index).row();
    m_itemsView->setCurrentIndex(index);
    m_itemsView->scrollTo(index);
    m_drillDown->showItem(m_items->runId(), m_items->datasourceItemId(sourceRow));
}

void ResultsPanel::stepItem(int step)
{
    const int rows = m_itemsFilter->rowCount();
    if (rows == 0)
        return;
    const QModelIndex current = m_itemsView->currentIndex();
    const int row = current.isValid() ? std::clamp(current.row() + step, 0, rows - 1) : 0;
    showItem(row);
}

QString ResultsPanel::drillDownText() const
{
    return m_drillDown->text();
}

void ResultsPanel::deleteSelectedRuns()
{
    const QList<qint64> ids = selectedRunIds();
    if (ids.isEmpty() || !m_store)
        return;
    auto *command = new itemmodels::DeleteRunsCommand(m_store.get(), ids);
    command->setText(ids.size() == 1 ? tr("Delete Run") : tr("Delete %1 Runs").arg(ids.size()));
    m_undo->push(command);
    if (m_undo->count() > 0 && m_undo->command(m_undo->index() - 1) == command && !command->lastError().isEmpty())
        Q_EMIT statusMessage(tr("Could not delete: %1").arg(command->lastError()));
    else
        Q_EMIT statusMessage(tr("Deleted %n run(s). Ctrl+Z brings them back.", nullptr, static_cast<int>(ids.size())));
}

ReportExportDialog *ResultsPanel::exportReport()
{
    QList<qint64> ids = selectedRunIds();
    if (!m_workspace || ids.isEmpty() || ids.size() > 2)
        return nullptr;
    // Two runs: the older is the base, as in the Compare tab.
    if (ids.size() == 2)
        std::tie(ids[0], ids[1]) = olderFirst(ids[0], ids[1]);
    auto *dialog = new ReportExportDialog(m_workspace, ids, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ReportExportDialog::exportFinished, this,
            [this](const QString &, const QString &message) { Q_EMIT statusMessage(message); });
    connect(dialog, &ReportExportDialog::exportFailed, this, &ResultsPanel::statusMessage);
    dialog->open();
    return dialog;
}

bool ResultsPanel::exportChart(QWidget *chart, const QString &path, QString *error)
{
    QString message;
    const bool ok = ui::exportChart(chart, path, &message);
    Q_EMIT statusMessage(ok ? tr("Chart saved to %1").arg(path) : message);
    if (error)
        *error = message;
    return ok;
}

void ResultsPanel::askExport(QWidget *chart, const QString &suffix)
{
    auto *dialog = new QFileDialog(this, tr("Export Chart"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setDefaultSuffix(suffix);
    dialog->setNameFilter(suffix == QLatin1String("svg") ? tr("SVG image (*.svg)") : tr("PNG image (*.png)"));
    dialog->selectFile(QStringLiteral("chart.%1").arg(suffix));
    QPointer<QWidget> target(chart);
    connect(dialog, &QFileDialog::fileSelected, this, [this, target](const QString &path) {
        if (target)
            exportChart(target, path);
    });
    dialog->open();
}

} // namespace assay::ui
