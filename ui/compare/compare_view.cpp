#include "ui/compare/compare_view.h"

#include <QAction>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QLocale>
#include <QMessageBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFile>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QSaveFile>
#include <QScrollArea>
#include <QScrollBar>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QStyle>
#include <QTableView>
#include <QTableWidget>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

#include "models/api/api_client.h"
#include "models/eval/api_grader_services.h"
#include "models/eval/graders/grader.h"
#include "models/compare/comparison_conversions.h"
#include "models/compare/comparison_document.h"
#include "models/compare/comparison_export.h"
#include "models/compare/comparison_matrix_model.h"
#include "models/compare/comparison_runner.h"
#include "models/compare/comparison_store.h"
#include "models/compare/comparison_summary.h"
#include "ui/compare/compare_cell_delegate.h"
#include "ui/compare/diff_view.h"
#include "ui/compare/inputs_editor.h"
#include "ui/compare/scroll_sync.h"
#include "ui/compare/variant_header.h"
#include "ui/widgets/metrics_bar.h"

namespace assay::ui {

using compare::CellStatus;
using compare::ComparisonMatrixModel;
using compare::Rating;

namespace {

constexpr int kMinColumnWidth = 200;

// tr()'s %n plural needs a translation loaded to read well; English is spelled out here.
QString counted(int n, const QString &one, const QString &many)
{
    return (n == 1 ? one : many).arg(n);
}

QString ratingLabel(Rating rating)
{
    switch (rating) {
    case Rating::Better: return CompareView::tr("better");
    case Rating::Worse: return CompareView::tr("worse");
    case Rating::Tie: return CompareView::tr("tie");
    case Rating::None: break;
    }
    return {};
}

QStringList promptVariables(const compare::Comparison &comparison)
{
    QStringList names;
    for (int v = 0; v < comparison.variantCount(); ++v) {
        for (const QString &name : comparison.promptFor(v).variableNames()) {
            if (!names.contains(name))
                names << name;
        }
    }
    return names;
}

bool writeFile(const QString &path, const QByteArray &bytes, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        if (error)
            *error = CompareView::tr("Could not write %1: %2").arg(QDir::toNativeSeparators(path), file.errorString());
        return false;
    }
    return true;
}

} // namespace

CompareView::CompareView(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("compareView"));
    m_document = new compare::ComparisonDocument(this);
    m_model = new ComparisonMatrixModel(this);
    m_model->setDocument(m_document);
    m_scrollSync = new ScrollSync(this);
    m_refreshTimer.setSingleShot(true);
    m_refreshTimer.setInterval(60);
    connect(&m_refreshTimer, &QTimer::timeout, this, &CompareView::refresh);
    m_sideTimer.setSingleShot(true);
    m_sideTimer.setInterval(0);
    connect(&m_sideTimer, &QTimer::timeout, this, [this] {
        if (m_pendingSide.isEmpty())
            return;
        updateSideBySide(m_pendingSide.takeFirst());
        if (!m_pendingSide.isEmpty())
            m_sideTimer.start();
    });

    createActions();
    QToolBar *toolBar = createToolBar();

    m_inputs = new InputsEditor(this);

    // The columns: heads, then the side-by-side outputs or the matrix, then the summaries.
    auto *columns = new QWidget(this);
    columns->setObjectName(QStringLiteral("compareColumns"));
    // The heads grow when a column's editor unfolds: they scroll rather than squeeze the answers.
    m_headerScroll = new QScrollArea(columns);
    m_headerScroll->setObjectName(QStringLiteral("compareHeads"));
    m_headerScroll->setFrameShape(QFrame::NoFrame);
    m_headerScroll->setWidgetResizable(true);
    m_headerScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_headerStrip = new QWidget(m_headerScroll);
    m_headerStrip->installEventFilter(this);
    m_headerLayout = new QHBoxLayout(m_headerStrip);
    m_headerLayout->setContentsMargins(0, 0, 0, 0);
    m_headerLayout->setSpacing(0); // the heads line up with the matrix's columns, which have no gaps

    m_sidePage = new QWidget(columns);
    auto *sideOuter = new QVBoxLayout(m_sidePage);
    sideOuter->setContentsMargins(0, 0, 0, 0);
    sideOuter->setSpacing(2);
    m_sideRowLabel = new QLabel(m_sidePage);
    m_sideRowLabel->setObjectName(QStringLiteral("sideBySideRow"));
    m_sideRowLabel->setTextFormat(Qt::PlainText);
    m_sideRowLabel->setVisible(false);
    sideOuter->addWidget(m_sideRowLabel);
    m_sideLayout = new QHBoxLayout;
    m_sideLayout->setContentsMargins(0, 0, 0, 0);
    m_sideLayout->setSpacing(0);
    sideOuter->addLayout(m_sideLayout, 1);

    m_table = new QTableView(columns);
    m_table->setObjectName(QStringLiteral("compareMatrix"));
    m_table->setModel(m_model);
    m_delegate = new CompareCellDelegate(
        [this](const QModelIndex &index) {
            CompareCellDelegate::Cell cell;
            const auto status = CellStatus(index.data(ComparisonMatrixModel::StatusRole).toInt());
            switch (status) {
            case CellStatus::Idle: cell.state = CompareCellDelegate::Cell::State::Empty; break;
            case CellStatus::Queued: cell.state = CompareCellDelegate::Cell::State::Queued; break;
            case CellStatus::Streaming: cell.state = CompareCellDelegate::Cell::State::Running; break;
            case CellStatus::Done: cell.state = CompareCellDelegate::Cell::State::Done; break;
            case CellStatus::Error: cell.state = CompareCellDelegate::Cell::State::Failed; break;
            case CellStatus::Stopped: cell.state = CompareCellDelegate::Cell::State::Stopped; break;
            }
            cell.text = index.data(ComparisonMatrixModel::TextRole).toString();
            cell.statusLine = cellStatusLine(index.row(), index.column());
            const QVariant passed = index.data(ComparisonMatrixModel::PassedRole);
            if (index.data(ComparisonMatrixModel::GradingRole).toBool()) {
                cell.verdict = CompareCellDelegate::Cell::Verdict::Partial;
                cell.verdictText = tr("grading…");
            } else if (passed.isValid()) {
                cell.verdict = passed.toBool() ? CompareCellDelegate::Cell::Verdict::Pass
                                               : CompareCellDelegate::Cell::Verdict::Fail;
                cell.verdictText = passed.toBool() ? tr("pass") : tr("fail");
            }
            const auto rating = Rating(index.data(ComparisonMatrixModel::RatingRole).toInt());
            if (rating == Rating::Better)
                cell.rating = QLatin1Char('B');
            else if (rating == Rating::Worse)
                cell.rating = QLatin1Char('W');
            else if (rating == Rating::Tie)
                cell.rating = QLatin1Char('T');
            cell.baseline = index.data(ComparisonMatrixModel::IsBaselineRole).toBool();
            cell.differs = index.data(ComparisonMatrixModel::DiffersFromBaselineRole).toBool();
            cell.repeats = index.data(ComparisonMatrixModel::RepeatsRole).toInt();
            cell.distinctAnswers = index.data(ComparisonMatrixModel::DistinctAnswersRole).toInt();
            return cell;
        },
        m_table);
    m_table->setItemDelegate(m_delegate);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setSelectionBehavior(QAbstractItemView::SelectItems);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setWordWrap(true);
    m_table->setShowGrid(false);
    m_table->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_table->horizontalHeader()->setVisible(false); // the variant heads above name the columns
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_table->horizontalHeader()->setMinimumSectionSize(kMinColumnWidth);
    {
        QStyleOptionViewItem option;
        option.initFrom(m_table);
        option.font = m_table->font();
        m_table->verticalHeader()->setDefaultSectionSize(m_delegate->sizeHint(option, {}).height());
    }
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->installEventFilter(this);
    m_table->verticalHeader()->installEventFilter(this);

    m_stack = new QStackedWidget(columns);
    m_stack->addWidget(m_sidePage);
    m_stack->addWidget(m_table);

    m_footerStrip = new QWidget(columns);
    m_footerStrip->setObjectName(QStringLiteral("compareSummaries"));
    m_footerLayout = new QHBoxLayout(m_footerStrip);
    m_footerLayout->setContentsMargins(0, 0, 0, 0);
    m_footerLayout->setSpacing(0);

    m_headerLead = new QWidget(m_headerStrip);
    m_headerTrail = new QWidget(m_headerStrip);
    m_footerLead = new QWidget(m_footerStrip);
    m_footerTrail = new QWidget(m_footerStrip);

    auto *columnsLayout = new QVBoxLayout(columns);
    columnsLayout->setContentsMargins(0, 0, 0, 0);
    columnsLayout->setSpacing(3);
    m_headerScroll->setWidget(m_headerStrip);
    columnsLayout->addWidget(m_headerScroll);
    columnsLayout->addWidget(m_stack, 1);
    columnsLayout->addWidget(m_footerStrip);

    m_diff = new DiffView(this);

    m_splitter = new QSplitter(Qt::Vertical, this);
    m_splitter->setObjectName(QStringLiteral("compareSplitter"));
    m_splitter->addWidget(m_inputs);
    m_splitter->addWidget(columns);
    m_splitter->addWidget(m_diff);
    m_splitter->setStretchFactor(0, 0);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setStretchFactor(2, 0);
    m_splitter->setCollapsible(1, false);
    m_splitter->setSizes({110, 420, 140});

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 2, 4, 4);
    layout->setSpacing(2);
    layout->addWidget(toolBar);
    layout->addWidget(m_splitter, 1);

    connect(m_table->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex &current) {
                if (current.isValid() && effectiveLayout() == Layout::Matrix) {
                    m_currentRow = current.row();
                    m_currentVariant = current.column();
                    refreshDetails();
                    updateActions();
                }
            });
    connect(m_table->verticalScrollBar(), &QScrollBar::rangeChanged, this, &CompareView::alignStrips);

    connect(m_inputs, &InputsEditor::rowValuesEdited, this, [this](int row) {
        m_syncingInputs = true;
        m_document->setRowValues(row, m_inputs->rowValues(row));
        m_syncingInputs = false;
    });
    connect(m_inputs, &InputsEditor::rowInserted, this, [this](int row) {
        m_syncingInputs = true;
        m_document->insertRow(row, m_inputs->rowValues(row));
        m_syncingInputs = false;
        updateLayout();
    });
    connect(m_inputs, &InputsEditor::rowRemoved, this, [this](int row) {
        m_syncingInputs = true;
        m_document->removeRow(row);
        m_syncingInputs = false;
        updateLayout();
    });
    connect(m_inputs, &InputsEditor::rowsReplaced, this, [this] {
        compare::ComparisonInputs inputs;
        inputs.setRows(m_inputs->rows());
        m_syncingInputs = true;
        m_document->setInputs(inputs);
        m_syncingInputs = false;
        updateLayout();
    });
    connect(m_inputs, &InputsEditor::statusMessage, this, &CompareView::statusMessage);
    connect(m_inputs, &InputsEditor::loadFailed, this, &CompareView::statusMessage);
    connect(m_inputs->table(), &QTableWidget::currentCellChanged, this, [this](int row) {
        // In side-by-side view the inputs' current row is the row the columns show.
        if (row >= 0 && row < m_document->comparison().rowCount() && effectiveLayout() == Layout::SideBySide
            && row != m_currentRow) {
            m_currentRow = row;
            updateAllSideBySide();
            refreshDetails();
        }
    });

    setClient(nullptr);
    connectDocument();
    compare::Comparison initial;
    initial.name = tr("Untitled comparison");
    setComparison(initial);
}

CompareView::~CompareView()
{
    // The runner cancels its calls; it must go before the client it uses.
    delete m_runner;
    m_runner = nullptr;
}

void CompareView::createActions()
{
    auto make = [this](const QString &text, const QString &name, const QKeySequence &key, const QString &tip) {
        auto *action = new QAction(text, this);
        action->setObjectName(name);
        if (!key.isEmpty())
            action->setShortcut(key);
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        action->setToolTip(key.isEmpty() ? tip : QStringLiteral("%1 (%2)").arg(tip, key.toString(QKeySequence::NativeText)));
        addAction(action);
        return action;
    };
    m_runAll = make(tr("Run all"), QStringLiteral("compareRunAll"), QKeySequence(Qt::CTRL | Qt::Key_Return),
                    tr("Run every cell of every column"));
    m_runAll->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)});
    m_runAll->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
    m_stopAll = make(tr("Stop all"), QStringLiteral("compareStopAll"), QKeySequence(Qt::Key_Escape),
                     tr("Stop every running and queued cell"));
    m_stopAll->setIcon(style()->standardIcon(QStyle::SP_MediaStop));
    m_runCell = make(tr("Run cell again"), QStringLiteral("compareRunCell"), QKeySequence(Qt::CTRL | Qt::Key_R),
                     tr("Run the selected cell again"));
    m_stopCell = make(tr("Stop cell"), QStringLiteral("compareStopCell"), QKeySequence(Qt::SHIFT | Qt::Key_Escape),
                      tr("Stop the selected cell"));
    m_addColumn = make(tr("Add column"), QStringLiteral("compareAddColumn"),
                       QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N), tr("Add a variant column (a copy of the last)"));
    m_save = make(tr("Save"), QStringLiteral("compareSave"), QKeySequence(Qt::CTRL | Qt::Key_S),
                  tr("Save the comparison and its outputs in the workspace"));
    m_save->setIcon(style()->standardIcon(QStyle::SP_DialogSaveButton));
    m_open = make(tr("Open…"), QStringLiteral("compareOpen"), QKeySequence(Qt::CTRL | Qt::Key_O),
                  tr("Open a saved comparison"));
    m_open->setIcon(style()->standardIcon(QStyle::SP_DialogOpenButton));
    m_makeDataset = make(tr("Make dataset…"), QStringLiteral("compareMakeDataset"), {},
                         tr("Write the inputs (and a column's answers as ideal answers) as a JSONL dataset"));
    m_makeEvalRun = make(tr("Make eval run…"), QStringLiteral("compareMakeEvalRun"), {},
                         tr("Write an eval and a run of one column over the inputs"));
    m_exportHtml = make(tr("Export HTML…"), QStringLiteral("compareExportHtml"), {},
                        tr("Export the comparison as a self-contained HTML report"));
    m_exportMarkdown = make(tr("Export Markdown…"), QStringLiteral("compareExportMarkdown"), {},
                            tr("Export the comparison as Markdown"));

    m_graders = make(tr("Graders…"), QStringLiteral("compareGraders"), QKeySequence(Qt::CTRL | Qt::Key_G),
                     tr("Score every cell with the testing criteria of an eval file (string_check, "
                        "text_similarity, score_model, label_model, multi)"));
    m_removeGraders = make(tr("Remove graders"), QStringLiteral("compareRemoveGraders"), {},
                           tr("Stop scoring the cells; their answers stay"));
    connect(m_graders, &QAction::triggered, this, &CompareView::chooseAndAttachGraders);
    connect(m_removeGraders, &QAction::triggered, this, [this] {
        m_document->setGraders(nlohmann::json::array());
        Q_EMIT statusMessage(tr("Graders removed"));
    });

    connect(m_runAll, &QAction::triggered, this, [this] {
        if (m_runner)
            m_runner->runAll();
    });
    connect(m_stopAll, &QAction::triggered, this, [this] {
        if (m_runner && m_runner->isRunning()) {
            m_runner->stopAll();
            Q_EMIT statusMessage(tr("Stopped"));
        }
    });
    connect(m_runCell, &QAction::triggered, this, &CompareView::runCurrentCell);
    connect(m_stopCell, &QAction::triggered, this, &CompareView::stopCurrentCell);
    connect(m_addColumn, &QAction::triggered, this, &CompareView::addColumn);
    connect(m_save, &QAction::triggered, this, [this] {
        QString error;
        if (!m_workspace) {
            Q_EMIT workspaceNeeded();
            Q_EMIT statusMessage(tr("No workspace is open: the comparison was not saved."));
            return;
        }
        if (saveComparison(&error))
            Q_EMIT statusMessage(tr("Saved “%1”").arg(m_document->comparison().name));
        else
            Q_EMIT statusMessage(error);
    });
    connect(m_open, &QAction::triggered, this, &CompareView::chooseAndOpen);
    connect(m_makeDataset, &QAction::triggered, this, &CompareView::chooseAndMakeDataset);
    connect(m_makeEvalRun, &QAction::triggered, this, &CompareView::chooseAndMakeEvalRun);
    connect(m_exportHtml, &QAction::triggered, this, [this] { chooseAndExport(true); });
    connect(m_exportMarkdown, &QAction::triggered, this, [this] { chooseAndExport(false); });
}

QToolBar *CompareView::createToolBar()
{
    auto *bar = new QToolBar(this);
    bar->setObjectName(QStringLiteral("compareToolBar"));
    bar->setIconSize(QSize(16, 16));
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);

    m_name = new QLineEdit(bar);
    m_name->setObjectName(QStringLiteral("comparisonName"));
    m_name->setPlaceholderText(tr("Comparison name"));
    m_name->setToolTip(tr("Name under which the comparison is saved"));
    m_name->setMaximumWidth(220);
    connect(m_name, &QLineEdit::textEdited, this, [this](const QString &text) { m_document->setName(text); });
    bar->addWidget(m_name);
    bar->addSeparator();
    bar->addAction(m_runAll);
    bar->addAction(m_stopAll);
    bar->addSeparator();
    bar->addAction(m_addColumn);
    bar->addAction(m_graders);

    auto *repeatsLabel = new QLabel(tr(" Repeat "), bar);
    m_repeats = new QSpinBox(bar);
    m_repeats->setObjectName(QStringLiteral("compareRepeats"));
    m_repeats->setRange(1, compare::Comparison::kMaxRepeats);
    m_repeats->setSuffix(tr("×"));
    m_repeats->setToolTip(tr("Run each cell this many times to see how stable the answers are"));
    repeatsLabel->setBuddy(m_repeats);
    connect(m_repeats, &QSpinBox::valueChanged, this, [this](int value) {
        if (value != m_document->comparison().repeats())
            m_document->setRepeats(value);
    });
    bar->addWidget(repeatsLabel);
    bar->addWidget(m_repeats);

    auto *layoutLabel = new QLabel(tr("  View "), bar);
    m_layoutCombo = new QComboBox(bar);
    m_layoutCombo->setObjectName(QStringLiteral("compareLayout"));
    m_layoutCombo->addItem(tr("Auto"), int(Layout::Auto));
    m_layoutCombo->addItem(tr("Side by side"), int(Layout::SideBySide));
    m_layoutCombo->addItem(tr("Matrix"), int(Layout::Matrix));
    m_layoutCombo->setToolTip(tr("Auto: side by side for one input row, a matrix for several"));
    connect(m_layoutCombo, &QComboBox::currentIndexChanged, this,
            [this] { setLayoutMode(Layout(m_layoutCombo->currentData().toInt())); });
    bar->addWidget(layoutLabel);
    bar->addWidget(m_layoutCombo);
    bar->addSeparator();

    m_progress = new QProgressBar(bar);
    m_progress->setObjectName(QStringLiteral("compareProgress"));
    m_progress->setMaximumWidth(160);
    m_progress->setTextVisible(false);
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_progressLabel = new QLabel(bar);
    m_progressLabel->setObjectName(QStringLiteral("compareProgressText"));
    m_progressLabel->setMinimumWidth(110);
    bar->addWidget(m_progress);
    bar->addWidget(m_progressLabel);

    auto *spacer = new QWidget(bar);
    spacer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    bar->addWidget(spacer);
    bar->addAction(m_save);
    bar->addAction(m_open);

    auto *more = new QToolButton(bar);
    more->setObjectName(QStringLiteral("compareMore"));
    more->setText(tr("Use results"));
    more->setToolTip(tr("Make a dataset or an eval run from the comparison, export it"));
    more->setPopupMode(QToolButton::InstantPopup);
    auto *menu = new QMenu(more);
    menu->addAction(m_makeDataset);
    menu->addAction(m_makeEvalRun);
    menu->addSeparator();
    menu->addAction(m_exportHtml);
    menu->addAction(m_exportMarkdown);
    menu->addSeparator();
    menu->addAction(m_removeGraders);
    more->setMenu(menu);
    bar->addWidget(more);
    return bar;
}

void CompareView::connectDocument()
{
    using Doc = compare::ComparisonDocument;
    connect(m_document, &Doc::reset, this, [this] {
        rebuildColumns();
        reloadInputs();
        m_name->setText(m_document->comparison().name);
        const QSignalBlocker blocker(m_repeats);
        m_repeats->setValue(m_document->comparison().repeats());
        updateLayout();
        refresh();
    });
    connect(m_document, &Doc::variantInserted, this, [this] { rebuildColumns(); });
    connect(m_document, &Doc::variantRemoved, this, [this] { rebuildColumns(); });
    connect(m_document, &Doc::variantChanged, this, [this](int variant) {
        refreshHeader(variant);
        refreshVariables();
        scheduleRefresh();
    });
    connect(m_document, &Doc::sharedPromptChanged, this, [this] {
        refreshHeaders();
        refreshVariables();
    });
    connect(m_document, &Doc::baselineChanged, this, [this] {
        refreshHeaders();
        updateAllSideBySide();
        m_table->viewport()->update();
        scheduleRefresh();
    });
    for (auto signal : {&Doc::rowInserted, &Doc::rowRemoved, &Doc::rowValuesChanged}) {
        connect(m_document, signal, this, [this] {
            if (!m_syncingInputs)
                reloadInputs();
            if (m_currentRow >= m_document->comparison().rowCount())
                m_currentRow = std::max(0, m_document->comparison().rowCount() - 1);
            updateLayout();
            scheduleRefresh();
        });
    }
    connect(m_document, &Doc::nameChanged, this, [this](const QString &name) {
        if (m_name->text() != name)
            m_name->setText(name);
        updateTitle();
    });
    connect(m_document, &Doc::modifiedChanged, this, &CompareView::updateTitle);
    connect(m_document, &Doc::gradersChanged, this, &CompareView::scheduleRefresh);
    connect(m_document, &Doc::cellChanged, this, &CompareView::onCellChanged);
}

// ---- wiring -----------------------------------------------------------------------------------

void CompareView::setWorkspace(store::Workspace *workspace)
{
    m_workspace = workspace;
    updateActions();
}

void CompareView::setClient(api::ApiClient *client)
{
    const bool wasRunning = m_runner && m_runner->isRunning();
    if (wasRunning)
        m_runner->stopAll();
    delete m_runner;
    m_runner = nullptr;
    if (!client) {
        if (!m_ownClient)
            m_ownClient = new api::ApiClient(this);
        client = m_ownClient;
    }
    m_client = client;
    m_runner = new compare::ComparisonRunner(m_document, m_client, this);
    m_runner->setProfile(m_profile, m_apiKey);
    m_runner->setPricing(m_pricing);
    m_runner->setMaxConcurrent(m_maxConcurrent);
    if (m_graderServicesFromOutside)
        m_runner->setGraderServices(m_graderServices);
    else
        rebuildOwnGraderServices();
    connect(m_runner, &compare::ComparisonRunner::progressChanged, this, &CompareView::updateProgress);
    connect(m_runner, &compare::ComparisonRunner::runningChanged, this, [this](bool running) {
        updateActions();
        scheduleRefresh();
        if (!running)
            Q_EMIT statusMessage(tr("Comparison finished: %1").arg(progressText()));
        Q_EMIT runningChanged(running);
    });
    connect(m_runner, &compare::ComparisonRunner::cellFailed, this,
            [this](int row, int variant, const QString &message) {
                Q_EMIT statusMessage(tr("Row %1, %2: %3")
                                         .arg(row + 1)
                                         .arg(m_document->comparison().variant(variant).displayName(), message));
            });
    updateActions();
}

void CompareView::setProfile(const api::Profile &profile, const QString &apiKey)
{
    m_profile = profile;
    m_apiKey = apiKey;
    m_runner->setProfile(profile, apiKey);
    if (!m_graderServicesFromOutside)
        rebuildOwnGraderServices();
}

void CompareView::rebuildOwnGraderServices()
{
    // Model graders answer through the Responses API of the same server; a comparison has no
    // python sandbox (no consent here) and no pacer of its own beyond the runner's limit.
    auto *services = new eval::ApiGraderServices(*m_client, m_profile, m_apiKey, api::ApiKind::Responses, nullptr,
                                                 nullptr, this);
    m_graderServices = services;
    m_runner->setGraderServices(services);
    delete m_ownGraderServices; // its calls in flight end with a Cancelled error
    m_ownGraderServices = services;
}

void CompareView::setPricing(const prompt::Pricing &pricing)
{
    m_pricing = pricing;
    m_runner->setPricing(pricing);
}

void CompareView::setGraderServices(eval::GraderServices *services)
{
    m_graderServicesFromOutside = services != nullptr;
    if (!services) {
        rebuildOwnGraderServices();
        return;
    }
    m_graderServices = services;
    m_runner->setGraderServices(services);
    delete m_ownGraderServices;
    m_ownGraderServices = nullptr;
}

bool CompareView::attachGraders(const nlohmann::json &criteria, QString *error)
{
    const auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return false;
    };
    if (!criteria.is_array())
        return fail(tr("$: expected an array of graders"));
    for (std::size_t i = 0; i < criteria.size(); ++i) {
        const std::string path = "$[" + std::to_string(i) + "]";
        const nlohmann::json &definition = criteria[i];
        if (definition.is_object() && definition.value("type", std::string()) == "python")
            return fail(tr("%1: python graders run only in eval runs, which ask for your consent per eval file")
                            .arg(QString::fromStdString(path)));
        std::string problem;
        if (!eval::makeGrader(definition, path, &problem))
            return fail(QString::fromStdString(problem));
    }
    m_document->setGraders(criteria);
    return true;
}

bool CompareView::attachGradersFromFile(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = tr("%1: %2").arg(QDir::toNativeSeparators(path), file.errorString());
        return false;
    }
    // Eval files are small (definitions, not data): reading one here does not hold the GUI.
    const nlohmann::json document = nlohmann::json::parse(file.readAll().toStdString(), nullptr, false);
    QString problem;
    bool ok = false;
    if (document.is_discarded()) {
        problem = tr("not valid JSON");
    } else if (document.is_object() && document.contains("testing_criteria")) {
        ok = attachGraders(document["testing_criteria"], &problem);
        problem.replace(QStringLiteral("$["), QStringLiteral("$.testing_criteria["));
    } else if (document.is_array()) {
        ok = attachGraders(document, &problem);
    } else {
        problem = tr("expected an eval (with testing_criteria) or an array of graders");
    }
    if (!ok && error)
        *error = tr("%1: %2").arg(QDir::toNativeSeparators(path), problem);
    return ok;
}

void CompareView::chooseAndAttachGraders()
{
    auto *dialog = new QFileDialog(this, tr("Graders from an Eval File"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::ExistingFile);
    dialog->setNameFilters({tr("Eval definitions (*.json)"), tr("All files (*)")});
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &path) {
        QString error;
        if (attachGradersFromFile(path, &error)) {
            const auto count = m_document->comparison().graders().size();
            Q_EMIT statusMessage(tr("%n grader(s) attached: finished cells are scored as they come", nullptr,
                                    static_cast<int>(count)));
        } else {
            QMessageBox::warning(this, tr("Graders Not Attached"), error);
        }
    });
    dialog->open();
}

void CompareView::setMaxConcurrent(int limit)
{
    m_maxConcurrent = std::max(1, limit);
    m_runner->setMaxConcurrent(m_maxConcurrent);
}

void CompareView::setAvailableModels(const QStringList &models)
{
    m_availableModels = models;
    for (VariantHeader *header : std::as_const(m_headers))
        header->setAvailableModels(models);
}

void CompareView::setComparison(const compare::Comparison &comparison)
{
    if (m_runner && m_runner->isRunning())
        m_runner->stopAll();
    m_currentRow = 0;
    m_currentVariant = -1;
    m_document->setComparison(comparison);
}

const compare::Comparison &CompareView::comparison() const
{
    return m_document->comparison();
}

void CompareView::startFromPrompt(const prompt::Conversation &prompt, const prompt::RequestParameters &parameters,
                                  const nlohmann::json &variables)
{
    compare::Comparison comparison;
    comparison.name = tr("Untitled comparison");
    comparison.setSharedPrompt(prompt);
    for (int v = 0; v < comparison.variantCount(); ++v) {
        compare::ComparisonVariant variant = comparison.variant(v);
        variant.parameters = parameters;
        variant.useSharedPrompt = true;
        variant.name = v == 0 ? tr("A") : tr("B");
        comparison.setVariant(v, variant);
    }
    compare::ComparisonInputs inputs;
    inputs.setRows({variables.is_object() ? variables : nlohmann::json::object()});
    comparison.setInputs(inputs);
    setComparison(comparison);
}

// ---- columns ----------------------------------------------------------------------------------

void CompareView::rebuildColumns()
{
    const compare::Comparison &c = m_document->comparison();
    m_scrollSync->clear();
    qDeleteAll(m_headers);
    m_headers.clear();
    for (QPlainTextEdit *output : std::as_const(m_outputs))
        delete output->parentWidget();
    m_outputs.clear();
    m_outputStatus.clear();
    qDeleteAll(m_footers);
    m_footers.clear();
    m_shownText.assign(std::size_t(c.variantCount()), QString());
    while (m_headerLayout->count() > 0)
        m_headerLayout->takeAt(0);
    while (m_footerLayout->count() > 0)
        m_footerLayout->takeAt(0);

    m_headerLayout->addWidget(m_headerLead);
    m_footerLayout->addWidget(m_footerLead);
    for (int v = 0; v < c.variantCount(); ++v) {
        auto *header = new VariantHeader(m_headerStrip);
        header->setMinimumWidth(kMinColumnWidth);
        header->setAvailableModels(m_availableModels);
        m_headerLayout->addWidget(header, 1, Qt::AlignTop);
        m_headers.append(header);
        connect(header, &VariantHeader::edited, this, [this, header] { onHeaderEdited(m_headers.indexOf(header)); });
        connect(header, &VariantHeader::runRequested, this, [this, header] {
            m_runner->runColumn(m_headers.indexOf(header));
        });
        connect(header, &VariantHeader::stopRequested, this,
                [this, header] { m_runner->stopColumn(m_headers.indexOf(header)); });
        connect(header, &VariantHeader::duplicateRequested, this,
                [this, header] { m_document->duplicateVariant(m_headers.indexOf(header)); });
        connect(header, &VariantHeader::removeRequested, this, [this, header] {
            const int column = m_headers.indexOf(header);
            m_runner->stopColumn(column);
            m_document->removeVariant(column);
        });
        connect(header, &VariantHeader::baselineRequested, this,
                [this, header] { m_document->setBaseline(m_headers.indexOf(header)); });

        auto *pane = new QFrame(m_sidePage);
        pane->setObjectName(QStringLiteral("columnPane"));
        pane->setMinimumWidth(kMinColumnWidth);
        auto *output = new QPlainTextEdit(pane);
        output->setObjectName(QStringLiteral("columnOutput"));
        output->setReadOnly(true);
        output->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
        output->setPlaceholderText(tr("Not run yet. Ctrl+Return runs every column."));
        output->installEventFilter(this);
        output->viewport()->installEventFilter(this);
        auto *status = new QLabel(pane);
        status->setObjectName(QStringLiteral("columnCellStatus"));
        status->setTextFormat(Qt::RichText);
        status->setWordWrap(true);
        auto *paneLayout = new QVBoxLayout(pane);
        paneLayout->setContentsMargins(1, 0, 1, 0);
        paneLayout->setSpacing(2);
        paneLayout->addWidget(output, 1);
        paneLayout->addWidget(status);
        m_sideLayout->addWidget(pane, 1);
        m_outputs.append(output);
        m_outputStatus.append(status);
        m_scrollSync->add(output);

        auto *footer = new QLabel(m_footerStrip);
        footer->setObjectName(QStringLiteral("columnSummary"));
        footer->setTextFormat(Qt::RichText);
        footer->setWordWrap(true);
        footer->setMinimumWidth(kMinColumnWidth);
        footer->setFrameShape(QFrame::StyledPanel);
        footer->setMargin(4);
        footer->setAutoFillBackground(true);
        m_footerLayout->addWidget(footer, 1);
        m_footers.append(footer);
    }
    m_headerLayout->addWidget(m_headerTrail);
    m_footerLayout->addWidget(m_footerTrail);
    if (m_currentVariant >= c.variantCount())
        m_currentVariant = c.variantCount() - 1;
    refreshHeaders();
    refreshVariables();
    updateAllSideBySide();
    updateLayout();
    scheduleRefresh();
}

void CompareView::refreshHeader(int variant)
{
    const compare::Comparison &c = m_document->comparison();
    if (variant < 0 || variant >= m_headers.size() || variant >= c.variantCount())
        return;
    VariantHeader *header = m_headers.at(variant);
    m_loadingHeaders = true;
    header->setVariant(c.variant(variant), c.promptFor(variant));
    header->setBaseline(c.baseline() == variant);
    header->setCanRemove(c.variantCount() > compare::Comparison::kMinVariants);
    header->setCanDuplicate(c.variantCount() < compare::Comparison::kMaxVariants);
    m_loadingHeaders = false;
}

void CompareView::refreshHeaders()
{
    for (int v = 0; v < m_headers.size(); ++v)
        refreshHeader(v);
    m_addColumn->setEnabled(m_document->comparison().variantCount() < compare::Comparison::kMaxVariants);
}

void CompareView::refreshVariables()
{
    m_inputs->setVariableNames(promptVariables(m_document->comparison()));
}

void CompareView::reloadInputs()
{
    m_inputs->setRows(m_document->comparison().inputs().rows());
    refreshVariables();
}

void CompareView::onHeaderEdited(int variant)
{
    if (m_loadingHeaders || variant < 0 || variant >= m_document->comparison().variantCount())
        return;
    const compare::ComparisonVariant before = m_document->comparison().variant(variant);
    const compare::ComparisonVariant edited = m_headers.at(variant)->variant();
    if (edited.useSharedPrompt && before.useSharedPrompt) {
        // Editing a column that shares the prompt edits the shared prompt.
        const prompt::Conversation prompt = m_headers.at(variant)->editedPrompt();
        if (!(prompt == m_document->comparison().sharedPrompt()))
            m_document->setSharedPrompt(prompt);
    }
    if (!(edited == before))
        m_document->setVariant(variant, edited);
    // Switching back to the shared prompt shows it again in the editor.
    if (edited.useSharedPrompt != before.useSharedPrompt)
        refreshHeader(variant);
}

void CompareView::addColumn()
{
    const compare::Comparison &c = m_document->comparison();
    if (c.variantCount() >= compare::Comparison::kMaxVariants)
        return;
    if (m_document->duplicateVariant(c.variantCount() - 1))
        Q_EMIT statusMessage(tr("Added column %1").arg(m_document->comparison().variantCount()));
}

VariantHeader *CompareView::variantHeader(int variant) const
{
    return variant >= 0 && variant < m_headers.size() ? m_headers.at(variant) : nullptr;
}

QPlainTextEdit *CompareView::columnOutput(int variant) const
{
    return variant >= 0 && variant < m_outputs.size() ? m_outputs.at(variant) : nullptr;
}

int CompareView::variantOf(QObject *object) const
{
    for (int v = 0; v < m_outputs.size(); ++v) {
        if (object == m_outputs.at(v) || object == m_outputs.at(v)->viewport())
            return v;
    }
    return -1;
}

// ---- layout -----------------------------------------------------------------------------------

void CompareView::setLayoutMode(Layout layout)
{
    m_layout = layout;
    const int index = m_layoutCombo->findData(int(layout));
    if (index >= 0 && m_layoutCombo->currentIndex() != index) {
        const QSignalBlocker blocker(m_layoutCombo);
        m_layoutCombo->setCurrentIndex(index);
    }
    updateLayout();
}

CompareView::Layout CompareView::effectiveLayout() const
{
    if (m_layout != Layout::Auto)
        return m_layout;
    return m_document->comparison().rowCount() <= 1 ? Layout::SideBySide : Layout::Matrix;
}

void CompareView::updateLayout()
{
    const bool side = effectiveLayout() == Layout::SideBySide;
    QWidget *page = side ? m_sidePage : static_cast<QWidget *>(m_table);
    if (m_stack->currentWidget() != page) {
        m_stack->setCurrentWidget(page);
        if (side)
            updateAllSideBySide();
        else if (m_currentVariant >= 0)
            m_table->setCurrentIndex(m_model->index(m_currentRow, m_currentVariant));
    }
    alignStrips();
    refreshDetails();
}

// The heads and summaries sit over the matrix's columns: leave room for its row numbers and
// its scroll bar so they line up.
void CompareView::alignStrips()
{
    const bool matrix = effectiveLayout() == Layout::Matrix;
    const int lead = matrix ? m_table->verticalHeader()->width() + m_table->frameWidth() : 0;
    const int trail = matrix ? m_table->frameWidth()
                                   + (m_table->verticalScrollBar()->isVisible() ? m_table->verticalScrollBar()->width() : 0)
                             : 0;
    for (QWidget *w : {m_headerLead, m_footerLead})
        w->setFixedWidth(lead);
    for (QWidget *w : {m_headerTrail, m_footerTrail})
        w->setFixedWidth(trail);
    m_headerLead->setVisible(lead > 0);
    m_footerLead->setVisible(lead > 0);
    m_headerTrail->setVisible(trail > 0);
    m_footerTrail->setVisible(trail > 0);
}

void CompareView::fitHeaderHeight()
{
    // As tall as the tallest head, up to half of the columns' room; beyond that the heads scroll.
    const int wanted = m_headerStrip->sizeHint().height();
    const int room = std::max(120, m_headerScroll->parentWidget()->height() / 2);
    m_headerScroll->setFixedHeight(std::min(wanted, room));
}

void CompareView::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    alignStrips();
    fitHeaderHeight();
}

// ---- streaming --------------------------------------------------------------------------------

void CompareView::onCellChanged(int row, int variant)
{
    if (row == m_currentRow && effectiveLayout() == Layout::SideBySide)
        queueOrUpdateSideBySide(variant);
    scheduleRefresh();
}

// A streaming column waits its turn (one per event-loop pass); a finished one is shown at once.
void CompareView::queueOrUpdateSideBySide(int variant)
{
    const compare::Comparison &c = m_document->comparison();
    const int row = m_currentRow;
    const bool streaming = row >= 0 && row < c.rowCount() && variant >= 0 && variant < c.variantCount() &&
                           c.cell(row, variant).status() == CellStatus::Streaming;
    if (streaming) {
        if (!m_pendingSide.contains(variant))
            m_pendingSide.append(variant);
        if (!m_sideTimer.isActive())
            m_sideTimer.start();
    } else {
        m_pendingSide.removeAll(variant);
        updateSideBySide(variant);
    }
}

void CompareView::updateSideBySide(int variant)
{
    const compare::Comparison &c = m_document->comparison();
    if (variant < 0 || variant >= m_outputs.size() || variant >= c.variantCount() || c.rowCount() == 0)
        return;
    const int row = std::clamp(m_currentRow, 0, c.rowCount() - 1);
    const compare::Cell &cell = c.cell(row, variant);
    const QString &text = cell.primary().text;
    QPlainTextEdit *output = m_outputs.at(variant);
    QString &shown = m_shownText[std::size_t(variant)];
    QScrollBar *bar = output->verticalScrollBar();
    const bool atEnd = bar->value() >= bar->maximum() - 2;
    if (text != shown) {
        if (!shown.isEmpty() && text.startsWith(shown)) {
            // A stream grows at its end: append the new words instead of re-laying out everything.
            QTextCursor cursor(output->document());
            cursor.movePosition(QTextCursor::End);
            cursor.insertText(text.mid(shown.size()));
        } else {
            output->setPlainText(text);
        }
        shown = text;
        // Follow the tail while streaming unless the reader scrolled up.
        if (atEnd && cell.status() == CellStatus::Streaming)
            bar->setValue(bar->maximum());
    }
    QString status = cellStatusLine(row, variant).toHtmlEscaped();
    const std::optional<bool> passed = cell.primary().passed();
    if (passed)
        status += *passed ? QStringLiteral(" &nbsp;<span style=\"color:#1a7f37;\"><b>%1</b></span>").arg(tr("pass"))
                          : QStringLiteral(" &nbsp;<span style=\"color:#cf222e;\"><b>%1</b></span>").arg(tr("fail"));
    if (cell.rating != Rating::None)
        status += QStringLiteral(" &nbsp;<b>%1</b>").arg(ratingLabel(cell.rating).toHtmlEscaped());
    if (c.repeats() > 1) {
        const auto groups = compare::stabilityGroups(cell);
        if (!groups.empty())
            status += QStringLiteral(" &nbsp;") + counted(int(groups.size()), tr("%1 distinct answer"), tr("%1 distinct answers"));
    }
    if (cell.status() == CellStatus::Error)
        status = QStringLiteral("<span style=\"color:#cf222e;\">%1</span>").arg(status);
    m_outputStatus.at(variant)->setText(status);
    const bool differs = compare::differsFromBaseline(c, row, variant);
    output->setProperty("differs", differs);
    QPalette palette = output->palette();
    palette.setColor(QPalette::Base, differs ? CompareCellDelegate::differsTint(this->palette())
                                             : this->palette().color(QPalette::Base));
    output->setPalette(palette);
}

void CompareView::updateAllSideBySide(bool queueStreaming)
{
    for (int v = 0; v < m_outputs.size(); ++v) {
        if (queueStreaming)
            queueOrUpdateSideBySide(v);
        else
            updateSideBySide(v);
    }
    // With several rows shown one at a time, say which row the columns hold.
    const compare::Comparison &c = m_document->comparison();
    if (c.rowCount() > 1 && m_currentRow >= 0 && m_currentRow < c.rowCount()) {
        QStringList values;
        const nlohmann::json &row = c.inputs().row(m_currentRow);
        for (auto it = row.begin(); it != row.end() && values.size() < 4; ++it) {
            const QString value = it->is_string() ? QString::fromStdString(it->get<std::string>())
                                                  : QString::fromStdString(it->dump());
            values << QStringLiteral("%1 = %2").arg(QString::fromStdString(it.key()), value.left(60));
        }
        m_sideRowLabel->setText(tr("Row %1 of %2 (pick another in the inputs above)").arg(m_currentRow + 1).arg(c.rowCount())
                                + (values.isEmpty() ? QString() : QStringLiteral(" · ") + values.join(QStringLiteral(", "))));
        m_sideRowLabel->setVisible(true);
    } else {
        m_sideRowLabel->setVisible(false);
    }
}

QString CompareView::cellStatusLine(int row, int variant) const
{
    const compare::Comparison &c = m_document->comparison();
    if (row < 0 || row >= c.rowCount() || variant < 0 || variant >= c.variantCount())
        return {};
    const compare::Cell &cell = c.cell(row, variant);
    const compare::CellRun &run = cell.primary();
    switch (cell.status()) {
    case CellStatus::Idle: return {};
    case CellStatus::Queued: return tr("queued");
    case CellStatus::Error: {
        for (const compare::CellRun &r : cell.runs) {
            if (r.status == CellStatus::Error)
                return r.error.isEmpty() ? tr("failed") : r.error;
        }
        return tr("failed");
    }
    default: break;
    }
    QStringList parts;
    if (cell.status() == CellStatus::Streaming) {
        parts << tr("streaming…");
        if (run.ttftMs)
            parts << tr("first token %1").arg(MetricsBar::formatDuration(*run.ttftMs));
    } else {
        if (cell.status() == CellStatus::Stopped)
            parts << tr("stopped");
        if (run.latencyMs)
            parts << MetricsBar::formatDuration(*run.latencyMs);
    }
    if (run.usage)
        parts << tr("%1 → %2 tok").arg(MetricsBar::formatCount(run.usage->inputTokens),
                                       MetricsBar::formatCount(run.usage->outputTokens));
    if (run.costUsd)
        parts << MetricsBar::formatCost(*run.costUsd);
    if (run.retries > 0)
        parts << counted(run.retries, tr("%1 retry"), tr("%1 retries"));
    return parts.join(QStringLiteral(" · "));
}

QString CompareView::summaryText(int variant) const
{
    const compare::ColumnSummary s = m_model->summary(variant);
    const compare::Comparison &c = m_document->comparison();
    QStringList parts;
    if (s.runs == 0 && s.errors == 0 && s.pending == 0)
        return QStringLiteral("<span style=\"color:gray;\">%1</span>").arg(tr("No answers yet").toHtmlEscaped());
    if (s.meanLatencyMs)
        parts << tr("mean %1").arg(MetricsBar::formatDuration(qRound64(*s.meanLatencyMs)));
    if (s.runs > 0)
        parts << tr("%1 tok/answer").arg(qRound(s.meanInputTokens + s.meanOutputTokens));
    if (s.totalCostUsd)
        parts << MetricsBar::formatCost(*s.totalCostUsd);
    QString html = parts.join(QStringLiteral(" · ")).toHtmlEscaped();
    if (s.passRate)
        html += QStringLiteral(" · <b>%1</b>").arg(tr("pass %1% of %2").arg(qRound(*s.passRate * 100)).arg(s.graded).toHtmlEscaped());
    QStringList second;
    second << tr("%1 of %2 done").arg(s.runs).arg(c.rowCount() * c.repeats());
    if (s.errors > 0)
        second << tr("%1 failed").arg(s.errors);
    if (variant != c.baseline()) {
        second << counted(s.differsFromBaseline, tr("%1 differs"), tr("%1 differ"));
        if (s.better + s.worse + s.tie > 0)
            second << tr("B %1 · W %2 · T %3").arg(s.better).arg(s.worse).arg(s.tie);
    } else {
        second << tr("baseline");
    }
    html += QStringLiteral("<br/><span style=\"color:gray;\">%1</span>")
                .arg(second.join(QStringLiteral(" · ")).toHtmlEscaped());
    return html;
}

void CompareView::scheduleRefresh()
{
    if (!m_refreshTimer.isActive())
        m_refreshTimer.start();
}

void CompareView::refresh()
{
    const compare::Comparison &c = m_document->comparison();
    for (int v = 0; v < m_footers.size() && v < c.variantCount(); ++v) {
        m_footers.at(v)->setText(summaryText(v));
        bool active = false;
        for (int r = 0; r < c.rowCount() && !active; ++r) {
            const CellStatus status = c.cell(r, v).status();
            active = status == CellStatus::Queued || status == CellStatus::Streaming;
        }
        m_headers.at(v)->setRunning(active);
        m_headers.at(v)->setStatusText(active ? tr("running") : QString());
    }
    if (effectiveLayout() == Layout::SideBySide)
        updateAllSideBySide(true);
    refreshDetails();
    updateActions();
    if (!m_runner->isRunning() && m_runner->totalCount() == 0)
        updateProgress(0, 0);
}

void CompareView::updateProgress(int finished, int total)
{
    m_progress->setRange(0, std::max(1, total));
    m_progress->setValue(total > 0 ? finished : 0);
    m_progressLabel->setText(progressText());
}

QString CompareView::progressText() const
{
    const int total = m_runner ? m_runner->totalCount() : 0;
    if (total == 0)
        return tr("Idle");
    return tr("%1 of %2 cells done").arg(m_runner->finishedCount()).arg(total);
}

void CompareView::refreshDetails()
{
    const compare::Comparison &c = m_document->comparison();
    const int row = m_currentRow;
    const int variant = m_currentVariant;
    if (row < 0 || row >= c.rowCount() || variant < 0 || variant >= c.variantCount()) {
        m_diff->showMessage(tr("Select a cell to see how its answer differs from the baseline column."));
        return;
    }
    const compare::Cell &cell = c.cell(row, variant);
    QString extra;
    // Repeats: the distinct answers with how often each came back.
    if (c.repeats() > 1) {
        const auto groups = compare::stabilityGroups(cell);
        if (!groups.empty()) {
            extra += QStringLiteral("<hr/><p><b>%1</b> <span style=\"color:gray;\">%2</span></p>")
                         .arg(counted(int(groups.size()), tr("%1 distinct answer"), tr("%1 distinct answers")) + tr(" over %1 repeats").arg(c.repeats()).toHtmlEscaped(),
                              tr("(exact match after trimming)").toHtmlEscaped());
            for (const compare::StabilityGroup &group : groups) {
                extra += QStringLiteral("<p><b>×%1</b> &nbsp;%2</p>")
                             .arg(group.count)
                             .arg(DiffView::escapedText(group.text.left(2000)));
            }
        }
    }
    const compare::CellRun &run = cell.primary();
    if (!run.grades.empty()) {
        extra += QStringLiteral("<hr/><p><b>%1</b></p><ul>").arg(tr("Graders").toHtmlEscaped());
        const QVariantList grades = m_model->index(row, variant).data(ComparisonMatrixModel::GradesRole).toList();
        for (const QVariant &g : grades) {
            const QVariantMap map = g.toMap();
            const QString verdict = map.value(QStringLiteral("passed")).toBool() ? tr("pass") : tr("fail");
            QString line = QStringLiteral("%1 — %2 (%3)")
                               .arg(map.value(QStringLiteral("name")).toString(), verdict,
                                    QString::number(map.value(QStringLiteral("score")).toDouble(), 'g', 3));
            const QString error = map.value(QStringLiteral("error")).toString();
            if (!error.isEmpty())
                line += QStringLiteral(": ") + error;
            extra += QStringLiteral("<li>%1</li>").arg(line.toHtmlEscaped());
        }
        extra += QStringLiteral("</ul>");
    }
    if (cell.status() == CellStatus::Error)
        extra += QStringLiteral("<hr/><p style=\"color:#cf222e;\">%1</p>").arg(DiffView::escapedText(cellStatusLine(row, variant)));

    const int baseline = c.baseline();
    const QString name = c.variant(variant).displayName();
    const QString baseName = c.variant(baseline).displayName();
    if (variant == baseline) {
        m_diff->setHtml(QStringLiteral("<p style=\"color:gray;\">%1</p><p>%2</p>%3")
                            .arg(tr("Row %1 · %2 is the baseline: select a cell of another column to see its "
                                    "differences.")
                                     .arg(row + 1)
                                     .arg(name)
                                     .toHtmlEscaped(),
                                 DiffView::escapedText(run.text), extra));
        return;
    }
    const QString baseText = c.cell(row, baseline).primary().text;
    QList<report::DiffSegment> segments = m_model->diffSegments(row, variant);
    if (segments.isEmpty() && (!baseText.isEmpty() || !run.text.isEmpty()))
        segments = report::wordDiff(baseText, run.text);
    m_diff->showSegments(tr("%1").arg(baseName), tr("Row %1 · %2").arg(row + 1).arg(name), segments, extra);
}

// ---- selection, rating, running one cell ------------------------------------------------------

void CompareView::selectCell(int row, int variant)
{
    const compare::Comparison &c = m_document->comparison();
    if (row < 0 || row >= c.rowCount() || variant < 0 || variant >= c.variantCount())
        return;
    const bool rowChanged = row != m_currentRow;
    m_currentRow = row;
    m_currentVariant = variant;
    if (effectiveLayout() == Layout::Matrix) {
        m_table->setCurrentIndex(m_model->index(row, variant));
    } else {
        if (rowChanged)
            updateAllSideBySide();
        if (!m_outputs.at(variant)->hasFocus())
            m_outputs.at(variant)->setFocus(Qt::OtherFocusReason);
    }
    for (int v = 0; v < m_outputs.size(); ++v)
        m_outputs.at(v)->parentWidget()->setProperty("current", v == variant);
    refreshDetails();
    updateActions();
}

void CompareView::rateCurrentCell(int rating)
{
    const compare::Comparison &c = m_document->comparison();
    if (m_currentRow < 0 || m_currentRow >= c.rowCount() || m_currentVariant < 0 || m_currentVariant >= c.variantCount())
        return;
    if (m_currentVariant == c.baseline()) {
        Q_EMIT statusMessage(tr("The baseline column is what the others are rated against."));
        return;
    }
    m_document->setRating(m_currentRow, m_currentVariant, Rating(rating));
    if (effectiveLayout() == Layout::SideBySide)
        updateSideBySide(m_currentVariant);
    scheduleRefresh();
}

void CompareView::runCurrentCell()
{
    if (m_currentVariant < 0)
        return;
    m_runner->runCell(m_currentRow, m_currentVariant);
}

void CompareView::stopCurrentCell()
{
    if (m_currentVariant < 0)
        return;
    m_runner->stopCell(m_currentRow, m_currentVariant);
}

void CompareView::closeEvent(QCloseEvent *event)
{
    if (!m_document->isModified()) {
        QWidget::closeEvent(event);
        return;
    }
    const auto buttons = m_workspace ? QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel
                                     : QMessageBox::Discard | QMessageBox::Cancel;
    const auto choice = QMessageBox::question(
        this, tr("Unsaved Comparison"),
        m_workspace ? tr("Save the comparison and its answers in the workspace before closing?")
                    : tr("No workspace is open, so the comparison cannot be saved. Close it and lose its answers?"),
        buttons, m_workspace ? QMessageBox::Save : QMessageBox::Cancel);
    if (choice == QMessageBox::Cancel) {
        event->ignore();
        return;
    }
    if (choice == QMessageBox::Save) {
        QString error;
        if (!saveComparison(&error)) {
            QMessageBox::warning(this, tr("Not Saved"), error);
            event->ignore();
            return;
        }
    }
    if (m_runner)
        m_runner->stopAll();
    QWidget::closeEvent(event);
}

bool CompareView::eventFilter(QObject *watched, QEvent *event)
{
    const int paneVariant = variantOf(watched);
    if (paneVariant >= 0 && (event->type() == QEvent::FocusIn || event->type() == QEvent::MouseButtonPress)) {
        if (m_currentVariant != paneVariant)
            selectCell(m_currentRow, paneVariant);
    }
    if (event->type() == QEvent::KeyPress && m_table && (watched == m_table || paneVariant >= 0)) {
        const auto *key = static_cast<QKeyEvent *>(event);
        if (key->modifiers() & ~(Qt::ShiftModifier | Qt::KeypadModifier))
            return QWidget::eventFilter(watched, event);
        switch (key->key()) {
        case Qt::Key_B: rateCurrentCell(int(Rating::Better)); return true;
        case Qt::Key_W: rateCurrentCell(int(Rating::Worse)); return true;
        case Qt::Key_T: rateCurrentCell(int(Rating::Tie)); return true;
        case Qt::Key_Backspace:
        case Qt::Key_Delete: rateCurrentCell(int(Rating::None)); return true;
        default: break;
        }
    }
    if (m_table && watched == m_table->verticalHeader() && event->type() == QEvent::Resize)
        alignStrips();
    if (watched == m_headerStrip && event->type() == QEvent::LayoutRequest)
        QTimer::singleShot(0, this, &CompareView::fitHeaderHeight);
    return QWidget::eventFilter(watched, event);
}

void CompareView::updateActions()
{
    const bool running = m_runner && m_runner->isRunning();
    const bool hasCell = m_currentVariant >= 0 && m_currentVariant < m_document->comparison().variantCount();
    m_stopAll->setEnabled(running);
    m_runCell->setEnabled(hasCell);
    m_stopCell->setEnabled(hasCell && running);
    m_save->setEnabled(m_workspace != nullptr);
    m_open->setEnabled(m_workspace != nullptr);
}

void CompareView::updateTitle()
{
    QString name = m_document->comparison().name;
    if (name.isEmpty())
        name = tr("Untitled comparison");
    Q_EMIT titleChanged(tr("%1%2 — Compare").arg(name, m_document->isModified() ? QStringLiteral("*") : QString()));
}

// ---- save, open, datasets, eval runs, export ---------------------------------------------------

bool CompareView::saveComparison(QString *error)
{
    if (!m_workspace) {
        if (error)
            *error = tr("No workspace is open.");
        return false;
    }
    if (m_document->comparison().name.trimmed().isEmpty())
        m_document->setName(tr("Comparison %1").arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"))));
    compare::ComparisonStore store(*m_workspace);
    const std::optional<qint64> id = store.save(m_document->comparison(), error);
    if (!id)
        return false;
    m_document->setSavedId(*id);
    m_document->setModified(false);
    updateTitle();
    return true;
}

bool CompareView::openComparison(qint64 id, QString *error)
{
    if (!m_workspace) {
        if (error)
            *error = tr("No workspace is open.");
        return false;
    }
    compare::ComparisonStore store(*m_workspace);
    std::optional<compare::Comparison> loaded = store.load(id, error);
    if (!loaded)
        return false;
    setComparison(*loaded);
    updateTitle();
    return true;
}

void CompareView::chooseAndOpen()
{
    if (!m_workspace) {
        Q_EMIT workspaceNeeded();
        return;
    }
    compare::ComparisonStore store(*m_workspace);
    const QList<compare::SavedComparison> saved = store.list();
    if (saved.isEmpty()) {
        Q_EMIT statusMessage(tr("No comparison has been saved in this workspace yet."));
        return;
    }
    auto *dialog = new QDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Open comparison"));
    auto *list = new QListWidget(dialog);
    list->setObjectName(QStringLiteral("savedComparisons"));
    for (const compare::SavedComparison &entry : saved) {
        auto *item = new QListWidgetItem(
            tr("%1 — %2 columns × %3 rows · %4")
                .arg(entry.name)
                .arg(entry.variantCount)
                .arg(entry.rowCount)
                .arg(QLocale().toString(entry.updatedAt.toLocalTime(), QLocale::ShortFormat)),
            list);
        item->setData(Qt::UserRole, entry.id);
    }
    list->setCurrentRow(0);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Open | QDialogButtonBox::Cancel, dialog);
    auto *layout = new QVBoxLayout(dialog);
    layout->addWidget(list);
    layout->addWidget(buttons);
    auto accept = [this, dialog, list] {
        if (!list->currentItem())
            return;
        QString error;
        if (!openComparison(list->currentItem()->data(Qt::UserRole).toLongLong(), &error))
            Q_EMIT statusMessage(error);
        dialog->accept();
    };
    connect(buttons, &QDialogButtonBox::accepted, dialog, accept);
    connect(list, &QListWidget::itemActivated, dialog, accept);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    dialog->resize(480, 320);
    dialog->open();
}

bool CompareView::writeDataset(const QString &path, int idealColumn, QString *error)
{
    const std::optional<int> ideal = idealColumn >= 0 ? std::optional<int>(idealColumn) : std::nullopt;
    if (!writeFile(path, compare::ComparisonConversions::datasetJsonl(m_document->comparison(), ideal), error))
        return false;
    Q_EMIT datasetWritten(path);
    return true;
}

bool CompareView::writeEvalRun(const QString &evalPath, const QString &runPath, int variant, int idealColumn,
                               QString *error)
{
    const compare::Comparison &c = m_document->comparison();
    const std::optional<int> ideal = idealColumn >= 0 ? std::optional<int>(idealColumn) : std::nullopt;
    const QString name = c.name.isEmpty() ? tr("Comparison") : c.name;
    const nlohmann::json run = compare::ComparisonConversions::evalRunRequest(
        c, variant, tr("%1 · %2").arg(name, c.variant(variant).displayName()), ideal, QStringLiteral("ideal"), error);
    if (run.is_null())
        return false;
    const nlohmann::json evalJson = compare::ComparisonConversions::evalRequest(
        c, name, ideal ? std::optional<QString>(QStringLiteral("ideal")) : std::nullopt);
    if (!writeFile(evalPath, QByteArray::fromStdString(evalJson.dump(2)) + '\n', error)
        || !writeFile(runPath, QByteArray::fromStdString(run.dump(2)) + '\n', error))
        return false;
    Q_EMIT evalRunWritten(evalPath, runPath);
    return true;
}

bool CompareView::writeExport(const QString &path, bool html, QString *error)
{
    const QByteArray bytes = html ? compare::ComparisonExport::html(m_document->comparison())
                                  : compare::ComparisonExport::markdown(m_document->comparison());
    return writeFile(path, bytes, error);
}

void CompareView::chooseAndMakeDataset()
{
    const compare::Comparison &c = m_document->comparison();
    auto *dialog = new QDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Make dataset"));
    auto *ideal = new QComboBox(dialog);
    ideal->setObjectName(QStringLiteral("idealColumn"));
    ideal->addItem(tr("(inputs only)"), -1);
    for (int v = 0; v < c.variantCount(); ++v)
        ideal->addItem(c.variant(v).displayName(), v);
    ideal->setCurrentIndex(c.baseline() + 1);
    auto *form = new QFormLayout;
    form->addRow(new QLabel(tr("Each input row becomes an item. A column's answers can be added as the "
                               "ideal answers (field “ideal”)."),
                            dialog));
    form->addRow(tr("Ideal answers from"), ideal);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, dialog);
    auto *layout = new QVBoxLayout(dialog);
    layout->addLayout(form);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    connect(buttons, &QDialogButtonBox::accepted, dialog, [this, dialog, ideal] {
        const int column = ideal->currentData().toInt();
        dialog->accept();
        auto *files = new QFileDialog(this, tr("Save dataset"), QString(), tr("JSON Lines (*.jsonl)"));
        files->setAttribute(Qt::WA_DeleteOnClose);
        files->setAcceptMode(QFileDialog::AcceptSave);
        files->setDefaultSuffix(QStringLiteral("jsonl"));
        connect(files, &QFileDialog::fileSelected, this, [this, column](const QString &path) {
            QString error;
            if (writeDataset(path, column, &error))
                Q_EMIT statusMessage(tr("Dataset written to %1").arg(QDir::toNativeSeparators(path)));
            else
                Q_EMIT statusMessage(error);
        });
        files->open();
    });
    dialog->open();
}

void CompareView::chooseAndMakeEvalRun()
{
    const compare::Comparison &c = m_document->comparison();
    auto *dialog = new QDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Make eval run"));
    auto *column = new QComboBox(dialog);
    column->setObjectName(QStringLiteral("runColumn"));
    auto *ideal = new QComboBox(dialog);
    ideal->setObjectName(QStringLiteral("idealColumn"));
    ideal->addItem(tr("(none)"), -1);
    for (int v = 0; v < c.variantCount(); ++v) {
        column->addItem(c.variant(v).displayName(), v);
        ideal->addItem(c.variant(v).displayName(), v);
    }
    column->setCurrentIndex(m_currentVariant >= 0 ? m_currentVariant : 0);
    auto *form = new QFormLayout;
    form->addRow(tr("Column to run"), column);
    form->addRow(tr("Ideal answers from"), ideal);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, dialog);
    auto *layout = new QVBoxLayout(dialog);
    layout->addWidget(new QLabel(tr("Writes an eval definition (its graders are the comparison's) and a run "
                                    "of the chosen column over the inputs, ready for the Eval Runs panel."),
                                 dialog));
    layout->addLayout(form);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    connect(buttons, &QDialogButtonBox::accepted, dialog, [this, dialog, column, ideal] {
        const int variant = column->currentData().toInt();
        const int idealColumn = ideal->currentData().toInt();
        dialog->accept();
        auto *files = new QFileDialog(this, tr("Save eval (the run is saved next to it)"), QString(),
                                      tr("Eval definitions (*.json)"));
        files->setAttribute(Qt::WA_DeleteOnClose);
        files->setAcceptMode(QFileDialog::AcceptSave);
        files->setDefaultSuffix(QStringLiteral("json"));
        connect(files, &QFileDialog::fileSelected, this, [this, variant, idealColumn](const QString &evalPath) {
            const QFileInfo info(evalPath);
            const QString runPath = info.dir().filePath(info.completeBaseName() + QStringLiteral(".run.json"));
            QString error;
            if (writeEvalRun(evalPath, runPath, variant, idealColumn, &error))
                Q_EMIT statusMessage(tr("Eval and run written to %1").arg(QDir::toNativeSeparators(info.dir().path())));
            else
                Q_EMIT statusMessage(error);
        });
        files->open();
    });
    dialog->open();
}

void CompareView::chooseAndExport(bool html)
{
    auto *files = new QFileDialog(this, html ? tr("Export HTML") : tr("Export Markdown"), QString(),
                                  html ? tr("HTML (*.html)") : tr("Markdown (*.md)"));
    files->setAttribute(Qt::WA_DeleteOnClose);
    files->setAcceptMode(QFileDialog::AcceptSave);
    files->setDefaultSuffix(html ? QStringLiteral("html") : QStringLiteral("md"));
    connect(files, &QFileDialog::fileSelected, this, [this, html](const QString &path) {
        QString error;
        if (writeExport(path, html, &error))
            Q_EMIT statusMessage(tr("Exported to %1").arg(QDir::toNativeSeparators(path)));
        else
            Q_EMIT statusMessage(error);
    });
    files->open();
}

} // namespace assay::ui
