#include "ui/panels/dataset_panel.h"

#include <algorithm>
#include <climits>

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QSaveFile>
#include <QSet>
#include <QSplitter>
#include <QStackedWidget>
#include <QStandardItemModel>
#include <QStyle>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QThreadPool>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QTreeView>
#include <QUndoStack>
#include <QVBoxLayout>

#include "models/dataset/column_paths.h"
#include "models/dataset/dataset_document.h"
#include "models/dataset/dataset_query.h"
#include "models/dataset/dataset_sampling.h"
#include "models/dataset/json_schema_validator.h"
#include "models/dataset/row_store.h"
#include "models/dataset/schema_inference.h"
#include "models/dataset/worker_relay.h"
#include "models/itemmodels/dataset_table_model.h"
#include "models/store/workspace.h"
#include "ui/dialogs/dataset_sample_dialog.h"
#include "ui/dialogs/dataset_schema_dialog.h"
#include "ui/dialogs/dataset_split_dialog.h"
#include "ui/panels/dataset_inspector.h"
#include "ui/panels/dataset_jobs.h"

namespace assay::ui {

using dataset::DatasetDocument;
using dataset::DatasetFormat;
using itemmodels::DatasetTableModel;
using Role = DatasetTableModel::Role;

namespace {

// Schema violations kept for the problems list; a file where every row breaks the schema would
// otherwise hold millions of messages.
constexpr qint64 MaxSchemaIssues = 20000;
constexpr int MaxProblemItems = 20000;

enum ProblemColumn { ProblemLine, ProblemPath, ProblemMessage };
constexpr int ProblemRowRole = Qt::UserRole + 1;  // document row (qint64)
constexpr int ProblemLineRole = Qt::UserRole + 2; // file line (qint64)

QString formatKey(DatasetFormat format)
{
    switch (format) {
    case DatasetFormat::Csv:
        return QStringLiteral("csv");
    case DatasetFormat::JsonArray:
        return QStringLiteral("json");
    case DatasetFormat::Jsonl:
        break;
    }
    return QStringLiteral("jsonl");
}

QIcon themedIcon(const char *name, QStyle::StandardPixmap fallback, const QStyle *style)
{
    return QIcon::fromTheme(QString::fromLatin1(name), style->standardIcon(fallback));
}

// Marks rows with a problem in the first column with an icon, so they stand out even for people
// who do not see the red tint.
class DatasetCellDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    // File lines of rows that broke the item schema at the last validation (lines, not row
    // indexes: they stay right while rows are inserted or deleted above).
    QSet<qint64> schemaLines;

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override
    {
        QStyledItemDelegate::initStyleOption(option, index);
        const bool problem = index.data(DatasetTableModel::role(Role::RowProblem)).isValid();
        if (!problem && !schemaLines.isEmpty() &&
            schemaLines.contains(index.data(DatasetTableModel::role(Role::LineNumber)).toLongLong())) {
            option->backgroundBrush = QColor(255, 243, 205);
            if (index.column() == 0) {
                const QStyle *style = option->widget ? option->widget->style() : QApplication::style();
                option->icon = style->standardIcon(QStyle::SP_MessageBoxWarning);
                option->features |= QStyleOptionViewItem::HasDecoration;
                const int size = option->fontMetrics.height() - 2;
                option->decorationSize = QSize(size, size);
            }
            return;
        }
        // Numbers line up on the right, as in any spreadsheet.
        if (!problem) {
            const QString json = index.data(DatasetTableModel::role(Role::Json)).toString();
            if (!json.isEmpty() &&
                (json.front().isDigit() || (json.front() == QLatin1Char('-') && json.size() > 1)))
                option->displayAlignment = Qt::AlignRight | Qt::AlignVCenter;
        }
        if (index.column() != 0 || !problem)
            return;
        const bool bad = index.data(DatasetTableModel::role(Role::BadRow)).toBool();
        const QStyle *style = option->widget ? option->widget->style() : QApplication::style();
        option->icon =
            style->standardIcon(bad ? QStyle::SP_MessageBoxCritical : QStyle::SP_MessageBoxWarning);
        option->features |= QStyleOptionViewItem::HasDecoration;
        const int size = option->fontMetrics.height() - 2;
        option->decorationSize = QSize(size, size);
        if (bad)
            option->font.setItalic(true);
    }
};

} // namespace

DatasetPanel::DatasetPanel(QWidget *parent) : QWidget(parent)
{
    setAcceptDrops(true);
    m_document = new DatasetDocument(this);
    connect(m_document, &DatasetDocument::saveFinished, this, &DatasetPanel::onSaveFinished);
    m_undoStack = new QUndoStack(this);
    m_model = new DatasetTableModel(m_document, m_undoStack, this);

    createActions();

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(createToolBar());
    layout->addWidget(createNoticeBar());
    layout->addWidget(createFindBar());

    m_table = new QTableView(this);
    m_table->setModel(m_model);
    m_delegate = new DatasetCellDelegate(m_table);
    m_table->setItemDelegate(m_delegate);
    m_table->setWordWrap(false);
    m_table->setTextElideMode(Qt::ElideRight);
    m_table->setAlternatingRowColors(true);
    m_table->setSelectionBehavior(QAbstractItemView::SelectItems);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed |
                             QAbstractItemView::AnyKeyPressed);
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    m_table->setCornerButtonEnabled(false);
    m_table->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    QHeaderView *rows = m_table->verticalHeader();
    // Uniform heights: the view never measures a million rows.
    rows->setSectionResizeMode(QHeaderView::Fixed);
    rows->setDefaultSectionSize(fontMetrics().height() + 8);
    rows->setDefaultAlignment(Qt::AlignRight | Qt::AlignVCenter);
    QHeaderView *columns = m_table->horizontalHeader();
    columns->setSectionResizeMode(QHeaderView::Interactive);
    columns->setDefaultSectionSize(180);
    columns->setMinimumSectionSize(48);
    columns->setStretchLastSection(true);
    columns->setSectionsClickable(true);
    columns->setSortIndicatorShown(false);
    columns->setHighlightSections(false);
    columns->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    columns->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(columns, &QHeaderView::sectionClicked, this, &DatasetPanel::onHeaderClicked);
    connect(columns, &QHeaderView::customContextMenuRequested, this, &DatasetPanel::showHeaderContextMenu);
    connect(m_table, &QWidget::customContextMenuRequested, this, &DatasetPanel::showTableContextMenu);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) { onCurrentRowChanged(current); });
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &DatasetPanel::updateActions);

    m_inspector = new DatasetInspector(this);
    m_inspector->setModel(m_model);
    connect(m_inspector, &DatasetInspector::statusMessage, this, &DatasetPanel::statusMessage);

    m_splitter = new QSplitter(Qt::Horizontal, this);
    m_splitter->addWidget(m_table);
    m_splitter->addWidget(m_inspector);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 2);
    m_splitter->setChildrenCollapsible(false);

    m_problemsBox = new QWidget(this);
    auto *problemsLayout = new QVBoxLayout(m_problemsBox);
    problemsLayout->setContentsMargins(0, 4, 0, 0);
    problemsLayout->setSpacing(2);
    m_problemsTitle = new QLabel(m_problemsBox);
    m_problemsTitle->setContentsMargins(6, 0, 0, 0);
    QFont titleFont = m_problemsTitle->font();
    titleFont.setBold(true);
    m_problemsTitle->setFont(titleFont);
    problemsLayout->addWidget(m_problemsTitle);
    m_problemsModel = new QStandardItemModel(0, 3, this);
    m_problemsModel->setHorizontalHeaderLabels({tr("Line"), tr("Where"), tr("Problem")});
    m_problemsView = new QTreeView(m_problemsBox);
    m_problemsView->setModel(m_problemsModel);
    m_problemsView->setRootIsDecorated(false);
    m_problemsView->setUniformRowHeights(true);
    m_problemsView->setAlternatingRowColors(true);
    m_problemsView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_problemsView->setTextElideMode(Qt::ElideRight);
    m_problemsView->header()->setStretchLastSection(true);
    m_problemsView->setColumnWidth(ProblemLine, 80);
    m_problemsView->setColumnWidth(ProblemPath, 180);
    problemsLayout->addWidget(m_problemsView);
    connect(m_problemsView, &QAbstractItemView::activated, this, &DatasetPanel::onProblemActivated);
    connect(m_problemsView, &QAbstractItemView::clicked, this, &DatasetPanel::onProblemActivated);

    m_verticalSplitter = new QSplitter(Qt::Vertical, this);
    m_verticalSplitter->addWidget(m_splitter);
    m_verticalSplitter->addWidget(m_problemsBox);
    m_verticalSplitter->setStretchFactor(0, 4);
    m_verticalSplitter->setStretchFactor(1, 1);
    m_problemsBox->hide();

    m_stack = new QStackedWidget(this);
    m_stack->addWidget(createEmptyPage());
    m_stack->addWidget(m_verticalSplitter);
    layout->addWidget(m_stack, 1);
    layout->addWidget(createStatusRow());

    m_problemsTimer = new QTimer(this);
    m_problemsTimer->setSingleShot(true);
    m_problemsTimer->setInterval(250);
    connect(m_problemsTimer, &QTimer::timeout, this, &DatasetPanel::rebuildProblems);

    connectDocument();
    updateActions();
    updateStatus();
    updateTitle();
}

DatasetPanel::~DatasetPanel()
{
    if (m_job)
        m_job->detach();
    // Commands point at the document: drop them before it goes.
    m_undoStack->clear();
}

void DatasetPanel::setWorkspace(store::Workspace *workspace)
{
    m_workspace = workspace;
    if (m_workspace && m_document->isComplete() && !m_document->isModified())
        registerDocument();
}

// --- Building the widgets ----------------------------------------------------------------------

void DatasetPanel::createActions()
{
    const QStyle *s = style();
    auto make = [this](const QString &text, const QIcon &icon, const QKeySequence &key, auto slot) {
        auto *action = new QAction(icon, text, this);
        if (!key.isEmpty())
            action->setShortcut(key);
        // Only while focus is inside the panel: the window has its own Ctrl+S, Ctrl+F, Delete...
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        connect(action, &QAction::triggered, this, slot);
        addAction(action);
        return action;
    };
    m_openAction = make(tr("&Open Dataset…"), themedIcon("document-open", QStyle::SP_DialogOpenButton, s),
                        QKeySequence::Open, &DatasetPanel::openWithDialog);
    m_openAction->setIconText(tr("Open"));
    m_saveAction = make(tr("&Save Dataset"), themedIcon("document-save", QStyle::SP_DialogSaveButton, s),
                        QKeySequence::Save, [this]() { save(); });
    m_saveAction->setIconText(tr("Save"));
    m_saveAsAction =
        make(tr("Save Dataset &As…"), themedIcon("document-save-as", QStyle::SP_DialogSaveButton, s),
             QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S), &DatasetPanel::saveAsWithDialog);

    m_undoAction = m_undoStack->createUndoAction(this, tr("&Undo"));
    m_undoAction->setIcon(themedIcon("edit-undo", QStyle::SP_ArrowBack, s));
    m_undoAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Z));
    m_undoAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(m_undoAction);
    m_redoAction = m_undoStack->createRedoAction(this, tr("&Redo"));
    m_redoAction->setIcon(themedIcon("edit-redo", QStyle::SP_ArrowForward, s));
    m_redoAction->setShortcuts(
        {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence(Qt::CTRL | Qt::Key_Y)});
    m_redoAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(m_redoAction);

    m_addRowAction = make(tr("&Add Row"), themedIcon("list-add", QStyle::SP_FileIcon, s),
                          QKeySequence(Qt::Key_Insert), &DatasetPanel::addRow);
    m_addRowAction->setIconText(tr("Add row"));
    m_duplicateAction = make(tr("D&uplicate Rows"), themedIcon("edit-copy", QStyle::SP_FileLinkIcon, s),
                             QKeySequence(Qt::CTRL | Qt::Key_D), &DatasetPanel::duplicateRows);
    m_duplicateAction->setIconText(tr("Duplicate"));
    m_deleteAction = make(tr("&Delete Rows"), themedIcon("edit-delete", QStyle::SP_TrashIcon, s),
                          QKeySequence(Qt::Key_Delete), &DatasetPanel::deleteRows);
    m_deleteAction->setIconText(tr("Delete"));
    m_addColumnAction = make(tr("Add &Column…"), QIcon(), QKeySequence(), &DatasetPanel::addColumnWithDialog);
    m_renameColumnAction = make(tr("&Rename Column…"), QIcon(), QKeySequence(),
                                [this]() { renameColumnWithDialog(m_table->currentIndex().column()); });
    m_findAction = make(tr("&Find / Filter…"), themedIcon("edit-find", QStyle::SP_FileDialogContentsView, s),
                        QKeySequence::Find, &DatasetPanel::showFindBar);
    m_findAction->setIconText(tr("Filter"));
    m_goToLineAction = make(tr("&Go to Line…"), QIcon(), QKeySequence(Qt::CTRL | Qt::Key_G),
                            &DatasetPanel::goToLineWithDialog);
    m_inferAction = make(tr("Item &Schema…"), QIcon(), QKeySequence(), [this]() {
        // Show the schema the dataset already has (shipped next to it, or kept in the workspace);
        // infer one only when there is none.
        if (m_schema.is_null())
            inferSchema(true);
        else
            showSchemaDialog(m_schemaOrigin);
    });
    m_inferAction->setToolTip(tr("Show, infer or edit the item JSON Schema"));
    m_inferAction->setIconText(tr("Schema"));
    m_validateAction = make(tr("&Validate Rows"), themedIcon("dialog-ok", QStyle::SP_DialogApplyButton, s),
                            QKeySequence(), &DatasetPanel::validate);
    m_validateAction->setIconText(tr("Validate"));
    m_sampleAction = make(tr("Sa&mple Rows…"), QIcon(), QKeySequence(), &DatasetPanel::sampleWithDialog);
    m_sampleAction->setIconText(tr("Sample"));
    m_splitAction = make(tr("S&plit Train/Test…"), QIcon(), QKeySequence(), &DatasetPanel::splitWithDialog);
    m_splitAction->setIconText(tr("Split"));

    connect(m_undoStack, &QUndoStack::cleanChanged, this, [this]() {
        updateTitle();
        updateActions();
    });
    connect(m_undoStack, &QUndoStack::indexChanged, this, [this]() {
        updateTitle();
        updateActions();
    });
}

QWidget *DatasetPanel::createToolBar()
{
    auto *bar = new QToolBar(this);
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    bar->setIconSize(QSize(16, 16));
    bar->addAction(m_openAction);
    bar->addAction(m_saveAction);
    bar->addSeparator();
    bar->addAction(m_undoAction);
    bar->addAction(m_redoAction);
    bar->addSeparator();
    bar->addAction(m_addRowAction);
    bar->addAction(m_duplicateAction);
    bar->addAction(m_deleteAction);
    bar->addSeparator();
    bar->addAction(m_findAction);
    bar->addAction(m_inferAction);
    bar->addAction(m_validateAction);
    bar->addSeparator();
    bar->addAction(m_sampleAction);
    bar->addAction(m_splitAction);
    // Undo/redo texts grow with the command name ("Undo Edit ticket_text"); keep the bar steady.
    for (QAction *action : {m_undoAction, m_redoAction}) {
        if (auto *button = qobject_cast<QToolButton *>(bar->widgetForAction(action)))
            button->setToolButtonStyle(Qt::ToolButtonIconOnly);
    }

    auto *spacer = new QWidget(bar);
    spacer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    bar->addWidget(spacer);
    m_fileLabel = new QLabel(bar);
    m_fileLabel->setContentsMargins(8, 0, 8, 0);
    m_fileLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    bar->addWidget(m_fileLabel);
    return bar;
}

QWidget *DatasetPanel::createNoticeBar()
{
    m_notice = new QFrame(this);
    m_notice->setFrameShape(QFrame::StyledPanel);
    m_notice->setAutoFillBackground(true);
    QPalette pal = m_notice->palette();
    pal.setColor(QPalette::Window, QColor(0xff, 0xf4, 0xd6));
    pal.setColor(QPalette::WindowText, QColor(0x4d, 0x36, 0x00));
    m_notice->setPalette(pal);
    auto *layout = new QHBoxLayout(m_notice);
    layout->setContentsMargins(8, 4, 8, 4);
    auto *icon = new QLabel(m_notice);
    const int size = style()->pixelMetric(QStyle::PM_SmallIconSize);
    icon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxInformation).pixmap(size, size));
    layout->addWidget(icon);
    m_noticeText = new QLabel(m_notice);
    m_noticeText->setWordWrap(true);
    layout->addWidget(m_noticeText, 1);
    m_noticeFirst = new QPushButton(m_notice);
    m_noticeSecond = new QPushButton(m_notice);
    layout->addWidget(m_noticeFirst);
    layout->addWidget(m_noticeSecond);
    connect(m_noticeFirst, &QPushButton::clicked, this, [this]() {
        const auto call = m_onNoticeFirst;
        hideNotice();
        if (call)
            call();
    });
    connect(m_noticeSecond, &QPushButton::clicked, this, [this]() {
        const auto call = m_onNoticeSecond;
        hideNotice();
        if (call)
            call();
    });
    m_notice->hide();
    return m_notice;
}

QWidget *DatasetPanel::createFindBar()
{
    m_findBar = new QWidget(this);
    auto *layout = new QHBoxLayout(m_findBar);
    layout->setContentsMargins(6, 4, 6, 4);
    m_findEdit = new QLineEdit(m_findBar);
    m_findEdit->setPlaceholderText(tr("Filter rows (text or regular expression)"));
    m_findEdit->setClearButtonEnabled(true);
    layout->addWidget(m_findEdit, 1);
    m_columnCombo = new QComboBox(m_findBar);
    m_columnCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_columnCombo->addItem(tr("All columns"), QString());
    layout->addWidget(m_columnCombo);
    m_regexBox = new QCheckBox(tr("Regex"), m_findBar);
    m_caseBox = new QCheckBox(tr("Match case"), m_findBar);
    m_problemsOnlyBox = new QCheckBox(tr("Problems only"), m_findBar);
    layout->addWidget(m_regexBox);
    layout->addWidget(m_caseBox);
    layout->addWidget(m_problemsOnlyBox);
    m_findProgress = new QProgressBar(m_findBar);
    m_findProgress->setMaximumWidth(90);
    m_findProgress->setMaximumHeight(fontMetrics().height());
    m_findProgress->setTextVisible(false);
    m_findProgress->hide();
    layout->addWidget(m_findProgress);
    m_findCancel = new QToolButton(m_findBar);
    m_findCancel->setText(tr("Stop"));
    m_findCancel->setToolTip(tr("Stop searching"));
    m_findCancel->hide();
    layout->addWidget(m_findCancel);
    m_findCount = new QLabel(m_findBar);
    m_findCount->setMinimumWidth(
        fontMetrics().horizontalAdvance(QStringLiteral("1,000,000 of 1,000,000 rows")));
    m_findCount->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    layout->addWidget(m_findCount);
    auto *close = new QToolButton(m_findBar);
    close->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton));
    close->setAutoRaise(true);
    close->setToolTip(tr("Clear the filter and close (Esc)"));
    layout->addWidget(close);

    m_findTimer = new QTimer(this);
    m_findTimer->setSingleShot(true);
    m_findTimer->setInterval(250);
    connect(m_findTimer, &QTimer::timeout, this, &DatasetPanel::applyFindBar);
    connect(m_findEdit, &QLineEdit::textChanged, m_findTimer, qOverload<>(&QTimer::start));
    connect(m_findEdit, &QLineEdit::returnPressed, this, &DatasetPanel::applyFindBar);
    for (QCheckBox *box : {m_regexBox, m_caseBox, m_problemsOnlyBox})
        connect(box, &QCheckBox::toggled, this, &DatasetPanel::applyFindBar);
    connect(m_columnCombo, &QComboBox::currentIndexChanged, this, &DatasetPanel::applyFindBar);
    connect(m_findCancel, &QToolButton::clicked, m_model, &DatasetTableModel::cancelQuery);
    connect(close, &QToolButton::clicked, this, [this]() {
        clearFilter();
        m_findBar->hide();
        m_table->setFocus();
    });
    auto *escape = new QAction(m_findBar);
    escape->setShortcut(Qt::Key_Escape);
    escape->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(escape, &QAction::triggered, close, &QToolButton::click);
    m_findBar->addAction(escape);
    m_findBar->hide();
    return m_findBar;
}

QWidget *DatasetPanel::createStatusRow()
{
    auto *row = new QWidget(this);
    auto *layout = new QHBoxLayout(row);
    layout->setContentsMargins(6, 2, 6, 2);
    m_statusLabel = new QLabel(row);
    layout->addWidget(m_statusLabel, 1);

    auto makeTask = [row, layout, this](QLabel *&label, QProgressBar *&bar, QToolButton *&cancel) {
        label = new QLabel(row);
        label->setForegroundRole(QPalette::PlaceholderText);
        bar = new QProgressBar(row);
        bar->setRange(0, 100);
        bar->setMaximumWidth(140);
        bar->setMaximumHeight(fontMetrics().height());
        bar->setTextVisible(false);
        cancel = new QToolButton(row);
        cancel->setText(tr("Cancel"));
        cancel->setAutoRaise(true);
        layout->addWidget(label);
        layout->addWidget(bar);
        layout->addWidget(cancel);
        label->hide();
        bar->hide();
        cancel->hide();
    };
    makeTask(m_taskLabel, m_taskProgress, m_taskCancel);
    makeTask(m_indexLabel, m_indexProgress, m_indexCancel);
    m_indexCancel->setToolTip(tr("Stop reading the file; the rows read so far stay visible (read-only)"));
    connect(m_indexCancel, &QToolButton::clicked, m_document, &DatasetDocument::cancelIndexing);
    connect(m_taskCancel, &QToolButton::clicked, this, &DatasetPanel::cancelBackgroundWork);
    return row;
}

QWidget *DatasetPanel::createEmptyPage()
{
    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);
    layout->addStretch(2);
    auto *title = new QLabel(tr("No dataset open"), page);
    QFont big = title->font();
    big.setPointSizeF(big.pointSizeF() * 1.4);
    big.setBold(true);
    title->setFont(big);
    title->setAlignment(Qt::AlignCenter);
    layout->addWidget(title);
    auto *text = new QLabel(tr("Open a JSONL, CSV or JSON file of eval items, or drop one here."), page);
    text->setAlignment(Qt::AlignCenter);
    text->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(text);
    auto *button = new QPushButton(m_openAction->icon(), tr("Open Dataset…"), page);
    connect(button, &QPushButton::clicked, this, &DatasetPanel::openWithDialog);
    auto *buttonRow = new QHBoxLayout;
    buttonRow->addStretch(1);
    buttonRow->addWidget(button);
    buttonRow->addStretch(1);
    layout->addLayout(buttonRow);
    layout->addStretch(3);
    return page;
}

// --- Document ----------------------------------------------------------------------------------

void DatasetPanel::connectDocument()
{
    connect(m_document, &DatasetDocument::documentReset, this, [this]() {
        m_fittedColumns = false;
        m_schemaIssues.clear();
        m_schemaIssueTotal = 0;
        m_validated = false;
        static_cast<DatasetCellDelegate *>(m_delegate)->schemaLines.clear();
        m_inspector->showRow(-1);
        scheduleProblemRebuild();
        updateStatus();
        updateTitle();
        updateActions();
    });
    connect(m_document, &DatasetDocument::rowsIndexed, this, [this]() {
        if (!m_fittedColumns && m_model->rowCount() > 0) {
            m_fittedColumns = true;
            // After the layout has given the table its real width.
            QTimer::singleShot(0, this, &DatasetPanel::fitColumns);
        }
        updateStatus();
    });
    connect(m_document, &DatasetDocument::indexProgress, this, [this](int percent) {
        m_indexLabel->setText(tr("Reading file…"));
        m_indexProgress->setValue(percent);
        m_indexLabel->show();
        m_indexProgress->show();
        m_indexCancel->show();
    });
    connect(m_document, &DatasetDocument::indexFinished, this, [this]() {
        m_indexLabel->hide();
        m_indexProgress->hide();
        m_indexCancel->hide();
        if (!m_fittedColumns) {
            m_fittedColumns = true;
            QTimer::singleShot(0, this, &DatasetPanel::fitColumns);
        }
        if (!m_document->isComplete())
            Q_EMIT statusMessage(
                tr("Reading stopped: the rows read so far are shown; the dataset cannot be saved."));
        scheduleProblemRebuild();
        updateStatus();
        updateActions();
        if (m_document->isComplete() && !m_document->isModified()) {
            if (m_document->hasContentHash())
                registerDocument();
            else
                m_registerWhenHashed = true;
        }
    });
    connect(m_document, &DatasetDocument::contentHashReady, this, [this]() {
        if (m_registerWhenHashed && !m_document->isModified()) {
            m_registerWhenHashed = false;
            registerDocument();
        }
    });
    connect(m_document, &DatasetDocument::columnsChanged, this, [this]() {
        const QString current = m_columnCombo->currentData().toString();
        const QSignalBlocker blocker(m_columnCombo);
        m_columnCombo->clear();
        m_columnCombo->addItem(tr("All columns"), QString());
        for (const QString &column : m_document->columns())
            m_columnCombo->addItem(column, column);
        m_columnCombo->setCurrentIndex(std::max(0, m_columnCombo->findData(current)));
    });
    auto edited = [this]() {
        scheduleProblemRebuild();
        updateStatus();
        updateTitle();
    };
    connect(m_document, &DatasetDocument::rowsChanged, this, edited);
    connect(m_document, &DatasetDocument::rowsInserted, this, edited);
    connect(m_document, &DatasetDocument::rowsRemoved, this, edited);
    connect(m_document, &DatasetDocument::fileChangedOnDisk, this, [this]() {
        showNotice(
            tr("<b>%1</b> changed on disk.").arg(QFileInfo(m_document->path()).fileName().toHtmlEscaped()),
            tr("Reload"), [this]() { reloadFromDisk(); }, tr("Keep mine"),
            [this]() {
                Q_EMIT statusMessage(tr("Kept your version; saving will replace the file on disk."));
            });
    });

    connect(m_model, &DatasetTableModel::queryStarted, this, [this]() {
        m_findProgress->setValue(0);
        m_findProgress->show();
        m_findCancel->show();
    });
    connect(m_model, &DatasetTableModel::queryProgress, m_findProgress, &QProgressBar::setValue);
    auto queryDone = [this]() {
        m_findProgress->hide();
        m_findCancel->hide();
        updateStatus();
    };
    connect(m_model, &DatasetTableModel::queryFinished, this, queryDone);
    connect(m_model, &DatasetTableModel::queryCancelled, this, [this, queryDone]() {
        queryDone();
        Q_EMIT statusMessage(tr("Search stopped."));
    });
    connect(m_model, &DatasetTableModel::queryFailed, this, [this, queryDone](const QString &message) {
        queryDone();
        m_findCount->setText(message);
        Q_EMIT statusMessage(message);
    });
    connect(m_model, &QAbstractItemModel::modelReset, this, &DatasetPanel::updateStatus);
}

bool DatasetPanel::openFile(const QString &path)
{
    cancelBackgroundWork();
    hideNotice();
    QString error;
    const QString absolute = QFileInfo(path).absoluteFilePath();
    if (!m_document->open(absolute, &error)) {
        Q_EMIT statusMessage(tr("Could not open %1: %2").arg(QDir::toNativeSeparators(absolute), error));
        return false;
    }
    m_undoStack->clear();
    m_undoStack->setClean();
    m_schema = nullptr;
    m_schemaOrigin.clear();
    loadSiblingSchema();
    m_inspector->setSchema(m_schema);
    m_stack->setCurrentIndex(1);
    m_problemsBox->hide();
    m_table->setFocus();
    updateStatus();
    updateTitle();
    updateActions();
    Q_EMIT fileOpened(absolute);
    Q_EMIT statusMessage(tr("Opened %1").arg(QDir::toNativeSeparators(absolute)));
    return true;
}

void DatasetPanel::loadSiblingSchema()
{
    // A schema saved next to the data (items.jsonl + items.schema.json), as the samples ship.
    const QFileInfo info(m_document->path());
    const QString candidate = info.dir().filePath(info.completeBaseName() + QStringLiteral(".schema.json"));
    QFile file(candidate);
    if (file.size() > 0 && file.size() < 4 * 1024 * 1024 && file.open(QIODevice::ReadOnly)) {
        const QByteArray bytes = file.readAll();
        auto schema = nlohmann::ordered_json::parse(bytes.constData(), bytes.constData() + bytes.size(),
                                                    nullptr, false);
        if (!schema.is_discarded() && schema.is_object()) {
            m_schema = std::move(schema);
            m_schemaOrigin = tr("From %1").arg(QFileInfo(candidate).fileName());
            return;
        }
    }
    if (m_workspace) {
        if (const auto record = m_workspace->datasetByPath(m_document->path());
            record && !record->itemSchema.is_null()) {
            m_schema = record->itemSchema;
            m_schemaOrigin = tr("From the workspace");
        }
    }
}

QString DatasetPanel::filePath() const
{
    return m_document->path();
}

bool DatasetPanel::isModified() const
{
    // The stack's clean state, not DatasetDocument::isModified(): undoing back to the saved state
    // is not a change a user wants to save.
    return !m_undoStack->isClean();
}

void DatasetPanel::reloadFromDisk()
{
    if (!m_document->path().isEmpty())
        openFile(m_document->path());
}

DatasetFormat DatasetPanel::formatForPath(const QString &path, DatasetFormat fallback)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("csv") || suffix == QLatin1String("tsv"))
        return DatasetFormat::Csv;
    if (suffix == QLatin1String("jsonl") || suffix == QLatin1String("ndjson"))
        return DatasetFormat::Jsonl;
    if (suffix == QLatin1String("json"))
        return fallback == DatasetFormat::JsonArray ? DatasetFormat::JsonArray : DatasetFormat::Jsonl;
    return fallback;
}

bool DatasetPanel::save()
{
    if (m_document->path().isEmpty()) {
        saveAsWithDialog();
        return false;
    }
    return saveAs(m_document->path(), m_document->format());
}

bool DatasetPanel::saveAs(const QString &path, DatasetFormat format)
{
    if (m_document->isIndexing()) {
        Q_EMIT statusMessage(tr("Wait until the file is read completely before saving."));
        return false;
    }
    QString error;
    const QString absolute = QFileInfo(path).absoluteFilePath();
    // Written on a worker: a 300 MB dataset takes seconds to write and the window stays live.
    if (!m_document->saveInBackground(absolute, format, &error)) {
        Q_EMIT statusMessage(tr("Not saved: %1").arg(error));
        return false;
    }
    m_savingSameFormat = format == m_document->format();
    m_undoIndexAtSave = m_undoStack->index();
    Q_EMIT statusMessage(tr("Saving %1…").arg(QDir::toNativeSeparators(absolute)));
    updateActions();
    return true;
}

bool DatasetPanel::isSaving() const
{
    return m_document->isSaving();
}

void DatasetPanel::onSaveFinished(const QString &path, bool ok, const QString &error)
{
    if (!ok) {
        Q_EMIT statusMessage(tr("Not saved: %1").arg(error));
    } else if (m_savingSameFormat) {
        // Edits made while the file was being written are not in it: stay modified then.
        if (m_undoStack->index() == m_undoIndexAtSave)
            m_undoStack->setClean();
        hideNotice();
        registerDocument();
        Q_EMIT statusMessage(tr("Saved %1").arg(QDir::toNativeSeparators(path)));
    } else {
        registerFile(path);
        Q_EMIT statusMessage(
            tr("Exported %1 as %2").arg(QDir::toNativeSeparators(path), dataset::formatName(formatForPath(path, DatasetFormat::Jsonl))));
    }
    updateTitle();
    updateActions();
    Q_EMIT saveCompleted(path, ok);
}

// --- Workspace ---------------------------------------------------------------------------------

void DatasetPanel::registerDocument()
{
    if (!m_workspace || !m_workspace->isOpen() || m_document->path().isEmpty() || !m_document->isComplete())
        return;
    if (!m_document->hasContentHash()) {
        m_registerWhenHashed = true;
        return;
    }
    store::DatasetRecord record;
    record.name = QFileInfo(m_document->path()).completeBaseName();
    record.path = m_document->path();
    record.format = formatKey(m_document->format());
    record.rowCount = m_document->rowCount();
    record.itemSchema = m_schema;
    record.contentHash = m_document->contentHash().toHex();
    if (record.itemSchema.is_null()) {
        if (const auto known = m_workspace->datasetByPath(record.path))
            record.itemSchema = known->itemSchema;
    }
    QString error;
    if (!m_workspace->registerDataset(record, &error))
        Q_EMIT statusMessage(tr("Could not add the dataset to the workspace: %1").arg(error));
}

void DatasetPanel::registerFile(const QString &path)
{
    if (!m_workspace || !m_workspace->isOpen())
        return;
    // Count and hash a written file the way an opened one is: in the background.
    auto *probe = new DatasetDocument(this);
    const nlohmann::ordered_json schema = m_schema;
    auto finish = [this, probe, schema]() {
        if (!probe->property("registered").toBool() && probe->isComplete() && probe->hasContentHash()) {
            probe->setProperty("registered", true);
            store::DatasetRecord record;
            record.name = QFileInfo(probe->path()).completeBaseName();
            record.path = probe->path();
            record.format = formatKey(probe->format());
            record.rowCount = probe->rowCount();
            record.itemSchema = schema;
            record.contentHash = probe->contentHash().toHex();
            if (m_workspace)
                m_workspace->registerDataset(record);
            probe->deleteLater();
        }
    };
    connect(probe, &DatasetDocument::contentHashReady, this, finish);
    connect(probe, &DatasetDocument::indexFinished, this, finish);
    if (!probe->open(path))
        probe->deleteLater();
}

// --- State shown -------------------------------------------------------------------------------

void DatasetPanel::updateTitle()
{
    const bool modified = isModified();
    const QString name =
        m_document->path().isEmpty() ? tr("Datasets") : QFileInfo(m_document->path()).fileName();
    setWindowTitle(name + QStringLiteral("[*]"));
    setWindowModified(modified);
    if (m_document->path().isEmpty()) {
        m_fileLabel->clear();
    } else {
        m_fileLabel->setText((modified ? QStringLiteral("● ") : QString()) + name + QStringLiteral("  ·  ") +
                             dataset::formatName(m_document->format()));
        m_fileLabel->setToolTip(QDir::toNativeSeparators(m_document->path()) +
                                (modified ? tr("\nModified — Ctrl+S saves") : QString()));
    }
    if (property("lastModified").toBool() != modified) {
        setProperty("lastModified", modified);
        Q_EMIT modificationChanged(modified);
    }
}

int DatasetPanel::shownRowCount() const
{
    return m_model->rowCount();
}
qint64 DatasetPanel::totalRowCount() const
{
    return m_document->rowCount();
}

void DatasetPanel::updateStatus()
{
    if (m_document->path().isEmpty() && m_document->rowCount() == 0) {
        m_statusLabel->setText(tr("No dataset"));
        m_findCount->clear();
        return;
    }
    const qint64 total = m_document->rowCount();
    const qint64 problems = m_document->isIndexing() ? 0 : m_document->problemCount();
    QStringList parts;
    if (m_model->isFiltered() && m_model->filter().isActive())
        parts << tr("%L1 of %L2 rows").arg(m_model->rowCount()).arg(total);
    else
        parts << (total == 1 ? tr("1 row") : tr("%L1 rows").arg(total));
    if (m_document->isIndexing())
        parts.last() += tr(" so far");
    const auto columnCount = m_document->columns().size();
    parts << (columnCount == 1 ? tr("1 column") : tr("%L1 columns").arg(columnCount));
    if (problems > 0)
        parts << (problems == 1 ? tr("1 unreadable or suspicious row")
                                : tr("%L1 unreadable or suspicious rows").arg(problems));
    if (m_validated)
        parts << (m_schemaIssueTotal == 0   ? tr("every row matches the schema")
                  : m_schemaIssueTotal == 1 ? tr("1 schema violation")
                                            : tr("%L1 schema violations").arg(m_schemaIssueTotal));
    m_statusLabel->setText(parts.join(QStringLiteral("  ·  ")));
    if (m_model->isFiltered() && m_model->filter().isActive())
        m_findCount->setText(tr("%L1 of %L2 rows").arg(m_model->rowCount()).arg(total));
    else
        m_findCount->setText(tr("%L1 rows").arg(total));
}

QString DatasetPanel::statusText() const
{
    return m_statusLabel->text();
}

bool DatasetPanel::isChangedOnDiskBarVisible() const
{
    return !m_notice->isHidden() && m_noticeFirst->text() == tr("Reload");
}

void DatasetPanel::updateActions()
{
    const bool open = !m_document->path().isEmpty() || m_document->rowCount() > 0;
    const bool indexing = m_document->isIndexing();
    const bool hasSelection = m_table->selectionModel() && m_table->selectionModel()->hasSelection();
    m_saveAction->setEnabled(open && !indexing && m_document->isComplete() && !m_document->isSaving());
    m_saveAsAction->setEnabled(open && !indexing && m_document->isComplete());
    m_addRowAction->setEnabled(open);
    m_duplicateAction->setEnabled(open && hasSelection);
    m_deleteAction->setEnabled(open && hasSelection);
    m_addColumnAction->setEnabled(open && !indexing);
    m_renameColumnAction->setEnabled(open && !indexing && m_model->columnCount() > 0);
    m_findAction->setEnabled(open);
    m_goToLineAction->setEnabled(open);
    m_inferAction->setEnabled(open && !indexing);
    m_validateAction->setEnabled(open && !indexing);
    m_sampleAction->setEnabled(open && !indexing);
    m_splitAction->setEnabled(open && !indexing);
}

void DatasetPanel::fitColumns()
{
    if (m_model->columnCount() == 0 || m_model->rowCount() == 0)
        return;
    // Size to what is on screen (the view only measures visible rows), then cap long text columns
    // so a few of them still fit side by side.
    const int count = m_model->columnCount();
    const int available = m_table->viewport()->width();
    const int cap = std::max(160, available / std::max(2, std::min(4, count)));
    int total = 0;
    int widest = 0;
    int widestNatural = 0;
    for (int column = 0; column < count; ++column) {
        // The view measures only the rows on screen; the stretched last section's width is not its
        // content's, so ask for the hints directly.
        const int natural =
            std::max(static_cast<const QAbstractItemView *>(m_table)->sizeHintForColumn(column),
                     m_table->horizontalHeader()->sectionSizeHint(column));
        const int width = std::clamp(natural, 70, cap);
        m_table->setColumnWidth(column, width);
        total += width;
        if (natural > widestNatural) {
            widestNatural = natural;
            widest = column;
        }
    }
    // Room left over goes to the column with the longest text (usually the prompt or ticket).
    if (total < available && widestNatural > m_table->columnWidth(widest))
        m_table->setColumnWidth(
            widest, std::min(widestNatural, m_table->columnWidth(widest) + available - total - 8));
}

// --- Selection and inspector -------------------------------------------------------------------

void DatasetPanel::onCurrentRowChanged(const QModelIndex &current)
{
    m_inspector->showRow(current.isValid() ? current.row() : -1);
    updateActions();
}

// --- Editing -----------------------------------------------------------------------------------

void DatasetPanel::addRow()
{
    const QModelIndex current = m_table->currentIndex();
    const int row = current.isValid() ? current.row() + 1 : m_model->rowCount();
    if (!m_model->insertRows(row, 1))
        return;
    const QModelIndex added =
        m_model->index(std::min(row, m_model->rowCount() - 1), std::max(0, current.column()));
    m_table->setCurrentIndex(added);
    m_table->scrollTo(added);
}

namespace {
// Selected rows as (first, count) runs, from the bottom up.
std::vector<std::pair<int, int>> selectedRuns(const QTableView *view)
{
    QList<int> rows;
    for (const QModelIndex &index : view->selectionModel()->selectedIndexes())
        rows << index.row();
    if (rows.isEmpty() && view->currentIndex().isValid())
        rows << view->currentIndex().row();
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    std::vector<std::pair<int, int>> runs;
    for (int row : rows) {
        if (!runs.empty() && runs.back().first + runs.back().second == row)
            ++runs.back().second;
        else
            runs.emplace_back(row, 1);
    }
    std::reverse(runs.begin(), runs.end());
    return runs;
}
} // namespace

void DatasetPanel::duplicateRows()
{
    const auto runs = selectedRuns(m_table);
    if (runs.empty())
        return;
    m_undoStack->beginMacro(tr("Duplicate rows"));
    for (const auto &[first, count] : runs)
        m_model->duplicateRows(first, count);
    m_undoStack->endMacro();
}

void DatasetPanel::deleteRows()
{
    const auto runs = selectedRuns(m_table);
    if (runs.empty())
        return;
    const int column = std::max(0, m_table->currentIndex().column());
    const int firstRow = runs.back().first;
    int removed = 0;
    m_undoStack->beginMacro(tr("Delete rows"));
    for (const auto &[first, count] : runs) {
        if (m_model->removeRows(first, count))
            removed += count;
    }
    m_undoStack->endMacro();
    if (m_model->rowCount() > 0)
        m_table->setCurrentIndex(m_model->index(std::min(firstRow, m_model->rowCount() - 1), column));
    Q_EMIT statusMessage(tr("Deleted %n row(s).", nullptr, removed));
}

void DatasetPanel::addColumnWithDialog()
{
    auto *dialog = new QInputDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Add column"));
    dialog->setLabelText(tr("Column path (use dots for nested fields, e.g. ticket.priority):"));
    connect(dialog, &QInputDialog::textValueSelected, this, [this](const QString &text) {
        const QString path = text.trimmed();
        if (path.isEmpty())
            return;
        if (!m_model->addColumn(path))
            Q_EMIT statusMessage(
                tr("Column “%1” was not added (it exists, or the file is still being read).").arg(path));
        else
            m_table->scrollTo(
                m_model->index(m_table->rowAt(0) < 0 ? 0 : m_table->rowAt(0), m_model->columnForPath(path)));
    });
    dialog->open();
}

void DatasetPanel::renameColumnWithDialog(int column)
{
    if (column < 0 || column >= m_model->columnCount())
        return;
    auto *dialog = new QInputDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Rename column"));
    dialog->setLabelText(tr("New name for “%1”:").arg(m_model->columnPath(column)));
    dialog->setTextValue(m_model->columnPath(column));
    connect(dialog, &QInputDialog::textValueSelected, this, [this, column](const QString &text) {
        const QString path = text.trimmed();
        if (path.isEmpty() || path == m_model->columnPath(column))
            return;
        if (!m_model->renameColumn(column, path))
            Q_EMIT statusMessage(
                tr("Column not renamed: “%1” exists, or the file is still being read.").arg(path));
    });
    dialog->open();
}

void DatasetPanel::showTableContextMenu(const QPoint &pos)
{
    QMenu menu(this);
    menu.addAction(m_addRowAction);
    menu.addAction(m_duplicateAction);
    menu.addAction(m_deleteAction);
    menu.addSeparator();
    menu.addAction(m_addColumnAction);
    menu.addAction(m_renameColumnAction);
    menu.addSeparator();
    menu.addAction(m_undoAction);
    menu.addAction(m_redoAction);
    menu.exec(m_table->viewport()->mapToGlobal(pos));
}

void DatasetPanel::showHeaderContextMenu(const QPoint &pos)
{
    const int column = m_table->horizontalHeader()->logicalIndexAt(pos);
    QMenu menu(this);
    if (column >= 0) {
        menu.addAction(tr("Rename “%1”…").arg(m_model->columnPath(column)), this,
                       [this, column]() { renameColumnWithDialog(column); })
            ->setEnabled(!m_document->isIndexing());
        menu.addAction(tr("Sort ascending"), this,
                       [this, column]() { m_model->sort(column, Qt::AscendingOrder); });
        menu.addAction(tr("Sort descending"), this,
                       [this, column]() { m_model->sort(column, Qt::DescendingOrder); });
        menu.addAction(tr("Filter this column…"), this, [this, column]() {
            showFindBar();
            m_columnCombo->setCurrentIndex(std::max(0, m_columnCombo->findData(m_model->columnPath(column))));
        });
        menu.addSeparator();
    }
    menu.addAction(m_addColumnAction);
    menu.exec(m_table->horizontalHeader()->mapToGlobal(pos));
}

// --- Sort, filter, go to line ------------------------------------------------------------------

void DatasetPanel::onHeaderClicked(int section)
{
    // Ascending, descending, then back to file order.
    QHeaderView *header = m_table->horizontalHeader();
    Qt::SortOrder order = Qt::AscendingOrder;
    int column = section;
    if (m_model->sortColumn() == section) {
        if (m_model->sortOrder() == Qt::AscendingOrder)
            order = Qt::DescendingOrder;
        else
            column = -1;
    }
    m_model->sort(column, order);
    header->setSortIndicatorShown(column >= 0);
    if (column >= 0)
        header->setSortIndicator(column, order);
    Q_EMIT statusMessage(column >= 0 ? tr("Sorting by %1…").arg(m_model->columnPath(column))
                                     : tr("File order"));
}

void DatasetPanel::showFindBar()
{
    m_findBar->show();
    m_findEdit->setFocus();
    m_findEdit->selectAll();
}

void DatasetPanel::applyFindBar()
{
    m_findTimer->stop();
    dataset::RowFilter filter;
    filter.text = m_findEdit->text();
    filter.regex = m_regexBox->isChecked();
    filter.caseSensitive = m_caseBox->isChecked();
    filter.column = m_columnCombo->currentData().toString();
    filter.problemsOnly = m_problemsOnlyBox->isChecked();
    if (filter == m_model->filter())
        return;
    m_model->setFilter(filter);
    updateStatus();
}

void DatasetPanel::setFilter(const dataset::RowFilter &filter)
{
    {
        const QSignalBlocker b1(m_findEdit), b2(m_regexBox), b3(m_caseBox), b4(m_problemsOnlyBox),
            b5(m_columnCombo);
        m_findEdit->setText(filter.text);
        m_regexBox->setChecked(filter.regex);
        m_caseBox->setChecked(filter.caseSensitive);
        m_problemsOnlyBox->setChecked(filter.problemsOnly);
        m_columnCombo->setCurrentIndex(std::max(0, m_columnCombo->findData(filter.column)));
    }
    if (filter.isActive())
        m_findBar->show();
    m_model->setFilter(filter);
    updateStatus();
}

void DatasetPanel::clearFilter()
{
    setFilter(dataset::RowFilter());
}

bool DatasetPanel::goToLine(qint64 line)
{
    const int row = m_model->rowForLine(line);
    if (row < 0) {
        Q_EMIT statusMessage(tr("No row at line %L1 is shown.").arg(line));
        return false;
    }
    const QModelIndex index = m_model->index(row, std::max(0, m_table->currentIndex().column()));
    m_table->setCurrentIndex(index);
    m_table->scrollTo(index, QAbstractItemView::PositionAtCenter);
    m_table->setFocus();
    return true;
}

void DatasetPanel::goToLineWithDialog()
{
    auto *dialog = new QInputDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Go to line"));
    dialog->setInputMode(QInputDialog::IntInput);
    dialog->setIntRange(1, INT_MAX);
    const QModelIndex current = m_table->currentIndex();
    dialog->setIntValue(
        current.isValid()
            ? static_cast<int>(current.data(DatasetTableModel::role(Role::LineNumber)).toLongLong())
            : 1);
    dialog->setLabelText(tr("File line:"));
    connect(dialog, &QInputDialog::intValueSelected, this, [this](int line) { goToLine(line); });
    dialog->open();
}

// --- Problems ----------------------------------------------------------------------------------

void DatasetPanel::scheduleProblemRebuild()
{
    m_problemsTimer->start();
}

void DatasetPanel::rebuildProblems()
{
    if (m_document->isIndexing()) {
        scheduleProblemRebuild();
        return;
    }
    m_problemsModel->removeRows(0, m_problemsModel->rowCount());
    int added = 0;
    auto append = [this, &added](qint64 documentRow, qint64 line, const QString &where,
                                 const QString &message, bool error) {
        auto *lineItem = new QStandardItem(line > 0 ? QString::number(line) : tr("new"));
        lineItem->setData(documentRow, ProblemRowRole);
        lineItem->setData(line, ProblemLineRole);
        lineItem->setIcon(
            style()->standardIcon(error ? QStyle::SP_MessageBoxCritical : QStyle::SP_MessageBoxWarning));
        auto *whereItem = new QStandardItem(where);
        auto *messageItem = new QStandardItem(message);
        messageItem->setToolTip(message);
        m_problemsModel->appendRow({lineItem, whereItem, messageItem});
        ++added;
    };
    const auto problems = m_document->problems();
    for (const auto &[row, problem] : problems) {
        if (added >= MaxProblemItems)
            break;
        const bool bad = m_document->parsedRow(row).isBad();
        append(row, problem.line,
               problem.column > 0 ? tr("column %1").arg(problem.column) : (bad ? tr("row") : QString()),
               problem.message, bad);
    }
    for (const datasetjobs::SchemaIssue &issue : m_schemaIssues) {
        if (added >= MaxProblemItems)
            break;
        append(issue.documentRow, issue.line, issue.path, issue.message, false);
    }
    const qint64 total = static_cast<qint64>(problems.size()) + m_schemaIssueTotal;
    QString title = tr("Problems (%L1)").arg(total);
    if (total > added)
        title += tr(" — showing the first %L1").arg(added);
    m_problemsTitle->setText(title);
    // A clean validation is said in the status line; an empty list would only take room.
    const bool show = total > 0;
    if (show && m_problemsBox->isHidden()) {
        m_problemsBox->show();
        // Tall enough for a handful of problems, never more than a third of the panel.
        const int height = m_verticalSplitter->height();
        const int rowHeight = m_problemsView->fontMetrics().height() + 6;
        const int wanted = std::min(
            height / 3, m_problemsTitle->sizeHint().height() +
                            rowHeight * (2 + std::clamp(static_cast<int>(std::min<qint64>(total, 8)), 2, 8)));
        m_verticalSplitter->setSizes({height - wanted, wanted});
    } else if (!show) {
        m_problemsBox->hide();
    }
    updateStatus();
}

void DatasetPanel::onProblemActivated(const QModelIndex &index)
{
    const QModelIndex first = index.sibling(index.row(), ProblemLine);
    const qint64 documentRow = first.data(ProblemRowRole).toLongLong();
    const qint64 line = first.data(ProblemLineRole).toLongLong();
    int row = -1;
    if (line > 0)
        row = m_model->rowForLine(line);
    if (row < 0 && documentRow < m_document->rowCount())
        row = m_model->modelRow(documentRow);
    if (row < 0) {
        Q_EMIT statusMessage(tr("That row is hidden by the filter."));
        return;
    }
    const QModelIndex target = m_model->index(row, std::max(0, m_table->currentIndex().column()));
    m_table->setCurrentIndex(target);
    m_table->scrollTo(target, QAbstractItemView::PositionAtCenter);
}

// --- Schema and validation ---------------------------------------------------------------------

void DatasetPanel::setItemSchema(const nlohmann::ordered_json &schema)
{
    m_schema = schema;
    m_schemaOrigin = tr("Edited");
    m_inspector->setSchema(m_schema);
    if (m_workspace && m_workspace->isOpen() && !m_document->path().isEmpty()) {
        if (const auto record = m_workspace->datasetByPath(m_document->path()))
            m_workspace->updateSchema(record->id, schema);
    }
}

void DatasetPanel::setTask(const QString &text, int percent, bool cancellable)
{
    m_taskLabel->setText(text);
    m_taskProgress->setValue(percent);
    m_taskLabel->show();
    m_taskProgress->show();
    m_taskCancel->setVisible(cancellable);
}

void DatasetPanel::clearTask()
{
    m_taskLabel->hide();
    m_taskProgress->hide();
    m_taskCancel->hide();
}

void DatasetPanel::cancelBackgroundWork()
{
    if (m_job) {
        m_taskProgress->setRange(0, 100);
        m_job->detach();
        m_job.reset();
        clearTask();
        m_validateAfterInfer = false;
        Q_EMIT statusMessage(tr("Stopped."));
    }
}

datasetjobs::Progress DatasetPanel::progressFor(const std::shared_ptr<dataset::WorkerRelay> &relay)
{
    return [this, relay](int percent) {
        relay->post([this, relay, percent]() {
            if (m_job == relay)
                m_taskProgress->setValue(percent);
        });
    };
}

bool DatasetPanel::isValidating() const
{
    return m_job != nullptr;
}

void DatasetPanel::inferSchema(bool showDialog)
{
    if (m_document->isIndexing()) {
        Q_EMIT statusMessage(tr("Wait until the file is read completely."));
        return;
    }
    cancelBackgroundWork();
    m_showSchemaAfterInfer = showDialog;
    auto relay = std::make_shared<dataset::WorkerRelay>(this);
    m_job = relay;
    const std::shared_ptr<const dataset::RowStore> rows = m_document->snapshot();
    setTask(tr("Inferring schema…"), 0, true);
    const datasetjobs::Progress progress = progressFor(relay);
    QThreadPool::globalInstance()->start([this, relay, rows, progress]() {
        std::optional<nlohmann::ordered_json> inferred =
            datasetjobs::inferSchema(*rows, relay->cancelledFlag(), progress);
        if (!inferred)
            return;
        nlohmann::ordered_json schema = std::move(*inferred);
        relay->post([this, relay, schema = std::move(schema)]() {
            if (m_job != relay)
                return;
            m_job.reset();
            clearTask();
            m_schema = schema;
            m_schemaOrigin = tr("Inferred from %L1 rows").arg(m_document->rowCount());
            m_inspector->setSchema(m_schema);
            Q_EMIT inferFinished(schema);
            if (m_validateAfterInfer) {
                m_validateAfterInfer = false;
                runValidation(m_schema);
            } else if (m_showSchemaAfterInfer) {
                showSchemaDialog(m_schemaOrigin);
            }
        });
    });
}

void DatasetPanel::showSchemaDialog(const QString &origin)
{
    auto *dialog = new DatasetSchemaDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setSchema(m_schema, origin);
    connect(dialog, &DatasetSchemaDialog::schemaAccepted, this,
            [this](const nlohmann::ordered_json &schema) { setItemSchema(schema); });
    connect(dialog, &DatasetSchemaDialog::validateRequested, this,
            [this](const nlohmann::ordered_json &schema) { runValidation(schema); });
    connect(dialog, &DatasetSchemaDialog::saveRequested, this, &DatasetPanel::saveSchemaWithDialog);
    connect(dialog, &DatasetSchemaDialog::inferRequested, this, [this]() { inferSchema(true); });
    dialog->open();
}

void DatasetPanel::saveSchemaWithDialog(const nlohmann::ordered_json &schema)
{
    const QFileInfo info(m_document->path());
    const QString suggested = info.dir().filePath(info.completeBaseName() + QStringLiteral(".schema.json"));
    askSavePath(tr("Save item schema"), suggested, {tr("JSON Schema (*.json)")},
                [this, schema](const QString &path, const QString &) {
                    QSaveFile file(path);
                    const std::string text = schema.dump(2) + "\n";
                    if (!file.open(QIODevice::WriteOnly) ||
                        file.write(text.data(), static_cast<qint64>(text.size())) !=
                            static_cast<qint64>(text.size()) ||
                        !file.commit()) {
                        Q_EMIT statusMessage(tr("Schema not saved: %1").arg(file.errorString()));
                        return;
                    }
                    Q_EMIT statusMessage(tr("Saved schema to %1").arg(QDir::toNativeSeparators(path)));
                });
}

void DatasetPanel::validate()
{
    if (m_document->isIndexing()) {
        Q_EMIT statusMessage(tr("Wait until the file is read completely."));
        return;
    }
    if (m_schema.is_null()) {
        m_validateAfterInfer = true;
        inferSchema(false);
        return;
    }
    runValidation(m_schema);
}

void DatasetPanel::runValidation(const nlohmann::ordered_json &schema)
{
    const dataset::JsonSchemaValidator validator(schema);
    if (!validator.isValid()) {
        Q_EMIT statusMessage(tr("The schema is not valid: %1").arg(validator.schemaError()));
        return;
    }
    // cancelBackgroundWork() would clear this flag; keep the inference's job until here.
    if (m_job) {
        m_job->detach();
        m_job.reset();
    }
    auto relay = std::make_shared<dataset::WorkerRelay>(this);
    m_job = relay;
    const std::shared_ptr<const dataset::RowStore> rows = m_document->snapshot();
    setTask(tr("Validating…"), 0, true);
    const datasetjobs::Progress progress = progressFor(relay);
    QThreadPool::globalInstance()->start([this, relay, rows, validator, progress]() {
        std::optional<datasetjobs::Validation> result =
            datasetjobs::validate(*rows, validator, MaxSchemaIssues, relay->cancelledFlag(), progress);
        if (!result)
            return;
        const qint64 total = result->violations;
        const qint64 badRows = result->badRows;
        relay->post([this, relay, issues = std::move(result->issues), total, badRows]() mutable {
            if (m_job != relay)
                return;
            m_job.reset();
            clearTask();
            m_schemaIssues = std::move(issues);
            m_schemaIssueTotal = total;
            static_cast<DatasetCellDelegate *>(m_delegate)->schemaLines.clear();
            for (const datasetjobs::SchemaIssue &issue : m_schemaIssues)
                static_cast<DatasetCellDelegate *>(m_delegate)->schemaLines.insert(issue.line);
            m_table->viewport()->update();
            m_validated = true;
            rebuildProblems();
            Q_EMIT statusMessage(badRows == 0 ? tr("Every row matches the schema.")
                                              : tr("%L1 row(s) do not match the schema.").arg(badRows));
            Q_EMIT validationFinished(static_cast<int>(std::min<qint64>(badRows, INT_MAX)));
        });
    });
}

// --- Sample and split --------------------------------------------------------------------------

bool DatasetPanel::writeSample(const QString &path, qint64 count, quint64 seed)
{
    return startWriteJob({QFileInfo(path).absoluteFilePath()}, count, 0.0, seed, QString());
}

bool DatasetPanel::writeSplit(const QString &trainPath, const QString &testPath, double testFraction,
                              quint64 seed, const QString &stratifyColumn)
{
    return startWriteJob({QFileInfo(trainPath).absoluteFilePath(), QFileInfo(testPath).absoluteFilePath()}, 0,
                         testFraction, seed, stratifyColumn);
}

bool DatasetPanel::startWriteJob(const QStringList &paths, qint64 count, double testFraction, quint64 seed,
                                 const QString &stratifyColumn)
{
    if (m_document->isIndexing()) {
        Q_EMIT statusMessage(tr("Wait until the file is read completely."));
        return false;
    }
    cancelBackgroundWork();
    auto relay = std::make_shared<dataset::WorkerRelay>(this);
    m_job = relay;
    const std::shared_ptr<const dataset::RowStore> rows = m_document->snapshot();
    const DatasetFormat format = formatForPath(paths.first(), m_document->format());
    const bool split = paths.size() == 2;
    setTask(split ? tr("Splitting…") : tr("Sampling…"), 0, true);
    m_taskProgress->setRange(0, 0);
    QThreadPool::globalInstance()->start([this, relay, rows, paths, count, testFraction, seed, stratifyColumn,
                                          format, split]() {
        const std::optional<datasetjobs::Written> written =
            split ? datasetjobs::writeSplit(*rows, paths.at(0), paths.at(1), format, testFraction, seed,
                                            stratifyColumn, relay->cancelledFlag())
                  : datasetjobs::writeSample(*rows, paths.at(0), format, count, seed, relay->cancelledFlag());
        if (!written)
            return;
        const bool ok = written->ok;
        const QString error = written->error;
        const std::vector<qint64> sizes = written->sizes;
        relay->post([this, relay, ok, error, sizes, paths, seed]() {
            if (m_job != relay)
                return;
            m_job.reset();
            m_taskProgress->setRange(0, 100);
            clearTask();
            if (!ok) {
                Q_EMIT statusMessage(tr("Not written: %1").arg(error));
                Q_EMIT writeFailed(error);
                return;
            }
            for (const QString &path : paths)
                registerFile(path);
            if (paths.size() == 2) {
                showNotice(
                    tr("Wrote %L1 training rows to <b>%2</b> and %L3 test rows to <b>%4</b>.")
                        .arg(sizes.at(0))
                        .arg(QFileInfo(paths.at(0)).fileName().toHtmlEscaped())
                        .arg(sizes.at(1))
                        .arg(QFileInfo(paths.at(1)).fileName().toHtmlEscaped()),
                    tr("Open train"), [this, path = paths.at(0)]() { openFile(path); }, tr("Open test"),
                    [this, path = paths.at(1)]() { openFile(path); });
            } else {
                showNotice(tr("Wrote %L1 sampled rows to <b>%2</b> (seed %3).")
                               .arg(sizes.at(0))
                               .arg(QFileInfo(paths.at(0)).fileName().toHtmlEscaped())
                               .arg(seed),
                           tr("Open it"), [this, path = paths.at(0)]() { openFile(path); }, tr("Dismiss"),
                           {});
            }
            for (const QString &path : paths)
                Q_EMIT datasetWritten(path);
        });
    });
    return true;
}

void DatasetPanel::sampleWithDialog()
{
    auto *dialog = new DatasetSampleDialog(m_document->rowCount() - m_document->problemCount(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog]() {
        const qint64 count = dialog->count();
        const quint64 seed = dialog->seed();
        const QFileInfo info(m_document->path());
        const QString suggested = info.dir().filePath(
            QStringLiteral("%1.sample-%2.%3").arg(info.completeBaseName()).arg(count).arg(info.suffix()));
        askSavePath(
            tr("Save sample as"), suggested, {tr("JSON Lines (*.jsonl)"), tr("CSV (*.csv)")},
            [this, count, seed](const QString &path, const QString &) { writeSample(path, count, seed); });
    });
    dialog->open();
}

void DatasetPanel::splitWithDialog()
{
    auto *dialog = new DatasetSplitDialog(m_document->rowCount() - m_document->problemCount(),
                                          m_document->columns(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog]() {
        const double fraction = dialog->testFraction();
        const quint64 seed = dialog->seed();
        const QString column = dialog->stratifyColumn();
        const QFileInfo info(m_document->path());
        const QString suggested =
            info.dir().filePath(QStringLiteral("%1.train.%2").arg(info.completeBaseName(), info.suffix()));
        askSavePath(tr("Save training set as"), suggested, {tr("JSON Lines (*.jsonl)"), tr("CSV (*.csv)")},
                    [this, fraction, seed, column](const QString &trainPath, const QString &) {
                        QString testPath = trainPath;
                        if (testPath.contains(QLatin1String(".train.")))
                            testPath.replace(QLatin1String(".train."), QLatin1String(".test."));
                        else
                            testPath = QFileInfo(trainPath).dir().filePath(
                                QFileInfo(trainPath).completeBaseName() + QStringLiteral(".test.") +
                                QFileInfo(trainPath).suffix());
                        writeSplit(trainPath, testPath, fraction, seed, column);
                    });
    });
    dialog->open();
}

// --- Files -------------------------------------------------------------------------------------

void DatasetPanel::askSavePath(const QString &title, const QString &suggested, const QStringList &filters,
                               const std::function<void(const QString &, const QString &)> &then)
{
    auto *dialog = new QFileDialog(this, title, suggested);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setNameFilters(filters);
    const QString suffix = QFileInfo(suggested).suffix().toLower();
    for (const QString &filter : filters) {
        if (filter.contains(QStringLiteral("*.") + suffix)) {
            dialog->selectNameFilter(filter);
            break;
        }
    }
    connect(dialog, &QFileDialog::fileSelected, this,
            [dialog, then](const QString &path) { then(path, dialog->selectedNameFilter()); });
    dialog->open();
}

void DatasetPanel::openWithDialog()
{
    auto *dialog =
        new QFileDialog(this, tr("Open dataset"),
                        m_document->path().isEmpty() ? QString() : QFileInfo(m_document->path()).path());
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::ExistingFile);
    dialog->setNameFilters({tr("Datasets (*.jsonl *.ndjson *.csv *.json)"), tr("All files (*)")});
    connect(dialog, &QFileDialog::fileSelected, this,
            [this](const QString &path) { openDiscardingEdits(path); });
    dialog->open();
}

void DatasetPanel::openDiscardingEdits(const QString &path)
{
    if (!isModified()) {
        openFile(path);
        return;
    }
    // Asked in the notice bar rather than a modal box: the table stays usable meanwhile.
    showNotice(tr("<b>%1</b> has unsaved changes. Open <b>%2</b> and drop them?")
                   .arg(QFileInfo(m_document->path()).fileName().toHtmlEscaped(),
                        QFileInfo(path).fileName().toHtmlEscaped()),
               tr("Open, dropping changes"), [this, path]() { openFile(path); }, tr("Keep editing"), {});
}

void DatasetPanel::saveAsWithDialog()
{
    const QString suggested = m_document->path();
    askSavePath(tr("Save dataset as"), suggested, {tr("JSON Lines (*.jsonl)"), tr("CSV (*.csv)")},
                [this](const QString &path, const QString &filter) {
                    DatasetFormat format =
                        filter.contains(QLatin1String("*.csv")) ? DatasetFormat::Csv : DatasetFormat::Jsonl;
                    format = formatForPath(path, format);
                    saveAs(path, format);
                });
}

// --- Notices -----------------------------------------------------------------------------------

void DatasetPanel::showNotice(const QString &text, const QString &first, const std::function<void()> &onFirst,
                              const QString &second, const std::function<void()> &onSecond)
{
    m_noticeText->setText(text);
    m_noticeFirst->setText(first);
    m_noticeSecond->setText(second);
    m_noticeFirst->setVisible(!first.isEmpty());
    m_noticeSecond->setVisible(!second.isEmpty());
    m_onNoticeFirst = onFirst;
    m_onNoticeSecond = onSecond;
    m_notice->show();
}

void DatasetPanel::hideNotice()
{
    m_notice->hide();
    m_onNoticeFirst = {};
    m_onNoticeSecond = {};
}

// --- Drag and drop -----------------------------------------------------------------------------

namespace {
QString droppedFile(const QMimeData *mime)
{
    if (!mime || !mime->hasUrls())
        return {};
    for (const QUrl &url : mime->urls()) {
        if (url.isLocalFile() && QFileInfo(url.toLocalFile()).isFile())
            return url.toLocalFile();
    }
    return {};
}
} // namespace

void DatasetPanel::dragEnterEvent(QDragEnterEvent *event)
{
    if (!droppedFile(event->mimeData()).isEmpty())
        event->acceptProposedAction();
}

void DatasetPanel::dragMoveEvent(QDragMoveEvent *event)
{
    if (!droppedFile(event->mimeData()).isEmpty())
        event->acceptProposedAction();
}

void DatasetPanel::dropEvent(QDropEvent *event)
{
    const QString path = droppedFile(event->mimeData());
    if (path.isEmpty())
        return;
    event->acceptProposedAction();
    openDiscardingEdits(path);
}

QUndoStack *DatasetPanel::undoStack() const
{
    return m_undoStack;
}

} // namespace assay::ui
