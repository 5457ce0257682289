#pragma once

#include <functional>
#include <memory>
#include <vector>

#include <QPointer>
#include <QWidget>
#include <nlohmann/json.hpp>

#include "models/dataset/dataset_types.h"
#include "models/store/workspace.h"
#include "ui/panels/dataset_jobs.h"

class QAction;
class QCheckBox;
class QComboBox;
class QDragEnterEvent;
class QDragMoveEvent;
class QDropEvent;
class QFrame;
class QLabel;
class QLineEdit;
class QModelIndex;
class QProgressBar;
class QPushButton;
class QSplitter;
class QStackedWidget;
class QStandardItemModel;
class QStyledItemDelegate;
class QTimer;
class QTableView;
class QToolButton;
class QTreeView;
class QUndoStack;

namespace assay::dataset {
class DatasetDocument;
class WorkerRelay;
struct RowFilter;
} // namespace assay::dataset

namespace assay::itemmodels {
class DatasetTableModel;
}

namespace assay::ui {

class DatasetInspector;

// The dataset panel: open a JSONL, CSV or JSON-array file (button, Ctrl+O, or drop it here), see
// it as a table that is usable while the index is still being built, inspect a row whole, edit
// cells and rows with undo, search and sort off the GUI thread, infer and edit the item schema,
// validate every row against it, sample and split into new datasets, and save atomically.
//
// The panel's actions (open, save, undo, find, ...) are its QWidget::actions(), with shortcuts
// that work while focus is inside the panel; a window can also put them in its menus.
class DatasetPanel : public QWidget {
    Q_OBJECT
public:
    explicit DatasetPanel(QWidget *parent = nullptr);
    ~DatasetPanel() override;

    // Registers opened, saved and written datasets when set (may be null).
    void setWorkspace(store::Workspace *workspace);
    store::Workspace *workspace() const { return m_workspace; }

    // Starts opening `path` (the index builds in the background). False, with a status message,
    // when the file cannot be read. Unsaved edits are dropped: ask first (see isModified()).
    bool openFile(const QString &path);
    QString filePath() const;
    bool isModified() const;

    // Writes atomically; false (with a status message) when refused (still indexing, bad rows in a
    // conversion, disk error).
    bool save();
    // Both start writing on a worker and return false only when saving cannot start;
    // saveCompleted() follows.
    bool saveAs(const QString &path, dataset::DatasetFormat format);
    bool isSaving() const;

    // Rows shown (after the filter) and rows in the document.
    int shownRowCount() const;
    qint64 totalRowCount() const;

    // Filter and search. An empty text with no other condition clears the filter.
    void setFilter(const dataset::RowFilter &filter);
    void clearFilter();
    // Selects the row at (or just before) a file line; false when no such row is shown.
    bool goToLine(qint64 line);

    // The item schema used for validation (null when none is known yet).
    nlohmann::ordered_json itemSchema() const { return m_schema; }
    void setItemSchema(const nlohmann::ordered_json &schema);
    // Infers the schema from every readable row off the GUI thread; then shows it in the editor
    // dialog unless `showDialog` is false. inferFinished() follows.
    void inferSchema(bool showDialog = true);
    // Validates every row against itemSchema() off the GUI thread (infers a schema first when
    // there is none); validationFinished() follows and the problems list is filled.
    void validate();
    void cancelBackgroundWork();
    bool isValidating() const;

    // Write rows to new datasets off the GUI thread (same format as the source unless the
    // extension says otherwise), register them in the workspace and offer to open them;
    // datasetWritten() per file when done, writeFailed() otherwise. False when refused at once.
    bool writeSample(const QString &path, qint64 count, quint64 seed);
    bool writeSplit(const QString &trainPath, const QString &testPath, double testFraction, quint64 seed,
                    const QString &stratifyColumn);

    QUndoStack *undoStack() const;
    QTableView *tableView() const { return m_table; }
    itemmodels::DatasetTableModel *model() const { return m_model; }
    dataset::DatasetDocument *document() const { return m_document; }
    DatasetInspector *inspector() const { return m_inspector; }
    // Problems list: columns Line, Column, Path, Message (parse problems, then schema violations).
    QStandardItemModel *problemsModel() const { return m_problemsModel; }
    QTreeView *problemsView() const { return m_problemsView; }
    QString statusText() const;
    // The "changed on disk" bar is shown.
    bool isChangedOnDiskBarVisible() const;

    QAction *openAction() const { return m_openAction; }
    QAction *saveAction() const { return m_saveAction; }
    QAction *saveAsAction() const { return m_saveAsAction; }
    QAction *undoAction() const { return m_undoAction; }
    QAction *redoAction() const { return m_redoAction; }
    QAction *findAction() const { return m_findAction; }

public Q_SLOTS:
    void openWithDialog();
    void saveAsWithDialog();
    void addRow();
    void duplicateRows();
    void deleteRows();
    void addColumnWithDialog();
    void renameColumnWithDialog(int column);
    void showFindBar();
    void goToLineWithDialog();
    void sampleWithDialog();
    void splitWithDialog();
    void reloadFromDisk();
    // Opens `path`, first asking (in the notice bar) when there are unsaved edits.
    void openDiscardingEdits(const QString &path);

Q_SIGNALS:
    void statusMessage(const QString &message);
    void fileOpened(const QString &path);
    void modificationChanged(bool modified);
    void inferFinished(const nlohmann::ordered_json &schema);
    void validationFinished(int problemRows);
    void datasetWritten(const QString &path);
    void saveCompleted(const QString &path, bool ok);
    void writeFailed(const QString &message);

protected:
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dragMoveEvent(QDragMoveEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void createActions();
    QWidget *createToolBar();
    QWidget *createFindBar();
    QWidget *createNoticeBar();
    QWidget *createStatusRow();
    QWidget *createEmptyPage();
    void connectDocument();
    void updateActions();
    void updateStatus();
    void updateTitle();
    void rebuildProblems();
    void scheduleProblemRebuild();
    void applyFindBar();
    void onHeaderClicked(int section);
    void onCurrentRowChanged(const QModelIndex &current);
    void onProblemActivated(const QModelIndex &index);
    void showTableContextMenu(const QPoint &pos);
    void showHeaderContextMenu(const QPoint &pos);
    void showNotice(const QString &text, const QString &first, const std::function<void()> &onFirst,
                    const QString &second, const std::function<void()> &onSecond);
    void hideNotice();
    void fitColumns();
    void runValidation(const nlohmann::ordered_json &schema);
    // Reports a worker's progress in the status row while `relay` is the current job.
    datasetjobs::Progress progressFor(const std::shared_ptr<dataset::WorkerRelay> &relay);
    bool startWriteJob(const QStringList &paths, qint64 count, double testFraction, quint64 seed,
                       const QString &stratifyColumn);
    void showSchemaDialog(const QString &origin);
    void saveSchemaWithDialog(const nlohmann::ordered_json &schema);
    void askSavePath(const QString &title, const QString &suggested, const QStringList &filters,
                     const std::function<void(const QString &, const QString &)> &then);
    void registerDocument();
    void registerFile(const QString &path);
    void loadSiblingSchema();
    void setTask(const QString &text, int percent, bool cancellable);
    void clearTask();
    static dataset::DatasetFormat formatForPath(const QString &path, dataset::DatasetFormat fallback);

    dataset::DatasetDocument *m_document = nullptr;
    QUndoStack *m_undoStack = nullptr;
    itemmodels::DatasetTableModel *m_model = nullptr;
    QPointer<store::Workspace> m_workspace;
    nlohmann::ordered_json m_schema;
    QString m_schemaOrigin;
    std::vector<datasetjobs::SchemaIssue> m_schemaIssues;
    qint64 m_schemaIssueTotal = 0;
    bool m_validated = false;
    bool m_validateAfterInfer = false;
    bool m_showSchemaAfterInfer = false;
    std::shared_ptr<dataset::WorkerRelay> m_job;
    bool m_registerWhenHashed = false;
    bool m_fittedColumns = false;

    void onSaveFinished(const QString &path, bool ok, const QString &error);
    bool m_savingSameFormat = true;
    int m_undoIndexAtSave = 0;
    QAction *m_openAction = nullptr;
    QAction *m_saveAction = nullptr;
    QAction *m_saveAsAction = nullptr;
    QAction *m_undoAction = nullptr;
    QAction *m_redoAction = nullptr;
    QAction *m_addRowAction = nullptr;
    QAction *m_duplicateAction = nullptr;
    QAction *m_deleteAction = nullptr;
    QAction *m_addColumnAction = nullptr;
    QAction *m_renameColumnAction = nullptr;
    QAction *m_findAction = nullptr;
    QAction *m_goToLineAction = nullptr;
    QAction *m_inferAction = nullptr;
    QAction *m_validateAction = nullptr;
    QAction *m_sampleAction = nullptr;
    QAction *m_splitAction = nullptr;

    QLabel *m_fileLabel = nullptr;
    QFrame *m_notice = nullptr;
    QLabel *m_noticeText = nullptr;
    QPushButton *m_noticeFirst = nullptr;
    QPushButton *m_noticeSecond = nullptr;
    std::function<void()> m_onNoticeFirst;
    std::function<void()> m_onNoticeSecond;

    QWidget *m_findBar = nullptr;
    QLineEdit *m_findEdit = nullptr;
    QCheckBox *m_regexBox = nullptr;
    QCheckBox *m_caseBox = nullptr;
    QCheckBox *m_problemsOnlyBox = nullptr;
    QComboBox *m_columnCombo = nullptr;
    QLabel *m_findCount = nullptr;
    QProgressBar *m_findProgress = nullptr;
    QToolButton *m_findCancel = nullptr;
    QTimer *m_findTimer = nullptr;

    QStackedWidget *m_stack = nullptr;
    QSplitter *m_verticalSplitter = nullptr;
    QSplitter *m_splitter = nullptr;
    QTableView *m_table = nullptr;
    QStyledItemDelegate *m_delegate = nullptr;
    DatasetInspector *m_inspector = nullptr;
    QWidget *m_problemsBox = nullptr;
    QLabel *m_problemsTitle = nullptr;
    QTreeView *m_problemsView = nullptr;
    QStandardItemModel *m_problemsModel = nullptr;
    QTimer *m_problemsTimer = nullptr;

    QLabel *m_statusLabel = nullptr;
    QLabel *m_taskLabel = nullptr;
    QProgressBar *m_taskProgress = nullptr;
    QToolButton *m_taskCancel = nullptr;
    QLabel *m_indexLabel = nullptr;
    QProgressBar *m_indexProgress = nullptr;
    QToolButton *m_indexCancel = nullptr;
};

} // namespace assay::ui
