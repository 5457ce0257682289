#pragma once

#include <QList>
#include <QPointer>
#include <QTimer>
#include <QWidget>
#include <nlohmann/json.hpp>

#include "models/api/profile.h"
#include "models/compare/comparison.h"
#include "models/prompt/pricing.h"

class QAction;
class QComboBox;
class QHBoxLayout;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QScrollArea;
class QSpinBox;
class QSplitter;
class QStackedWidget;
class QTableView;
class QToolBar;

namespace assay::api {
class ApiClient;
}
namespace assay::eval {
class ApiGraderServices;
class GraderServices;
}
namespace assay::store {
class Workspace;
}
namespace assay::compare {
class ComparisonDocument;
class ComparisonMatrixModel;
class ComparisonRunner;
} // namespace assay::compare

namespace assay::ui {

class CompareCellDelegate;
class DiffView;
class InputsEditor;
class ScrollSync;
class VariantHeader;

// Side-by-side prompt comparison: 2 to 8 variant columns (prompt, model, API, parameters) run
// over shared inputs. One input row: the columns stream next to each other with synchronized
// scrolling. Many rows: a matrix (rows = inputs, columns = variants) whose cells show a preview,
// latency / tokens / cost, a pass/fail badge when graders are attached, the hand rating, and a tint
// when the answer differs from the baseline's. The selected cell's word diff against the baseline
// cell of its row shows below. A summary per column sits under the columns.
//
// Keyboard: Ctrl+Return runs all, Esc stops all; Ctrl+R runs the selected cell again, Shift+Esc
// stops it; B / W / T rate the selected cell better / worse / tie against the baseline (Backspace
// clears); Ctrl+S / Ctrl+O save and open in the workspace.
//
// The shortcuts are WidgetWithChildrenShortcut: give the view a window of its own (or a tab of a
// window without its own Ctrl+Return / Esc actions), or the two would be ambiguous.
class CompareView : public QWidget {
    Q_OBJECT
public:
    enum class Layout { Auto, SideBySide, Matrix };

    explicit CompareView(QWidget *parent = nullptr);
    ~CompareView() override;

    // Save / Open go to this workspace (not owned); null disables them.
    void setWorkspace(store::Workspace *workspace);
    // Requests go through `client` (not owned; the view makes its own when none is set) to
    // `profile` with `apiKey` (held in memory only).
    void setClient(api::ApiClient *client);
    void setProfile(const api::Profile &profile, const QString &apiKey);
    void setPricing(const prompt::Pricing &pricing);
    // Graders that need a model or an embedding call go through these; without them (the
    // default) the view makes its own over its client, profile and key. Python graders never run
    // here: they need the per-eval-file consent that only eval runs ask for.
    void setGraderServices(eval::GraderServices *services);
    // Attaches the testing criteria of an eval file (a CreateEvalRequest, an exported Eval, or a
    // JSON array of graders) to score every cell. False with `error` naming the file and JSON
    // path of the first problem; the graders attached before are kept then.
    bool attachGradersFromFile(const QString &path, QString *error = nullptr);
    bool attachGraders(const nlohmann::json &criteria, QString *error = nullptr);
    void setMaxConcurrent(int limit);
    // Model names offered in the columns' model pickers (free text stays allowed).
    void setAvailableModels(const QStringList &models);

    // Replaces the comparison shown (a new one, or one reopened with its outputs).
    void setComparison(const compare::Comparison &comparison);
    const compare::Comparison &comparison() const;
    // A new comparison of two columns that both send `prompt` with `parameters` (the playground's
    // state), one input row holding `variables`: the usual start from "Compare…".
    void startFromPrompt(const prompt::Conversation &prompt, const prompt::RequestParameters &parameters,
                         const nlohmann::json &variables = nlohmann::json::object());

    bool saveComparison(QString *error = nullptr);
    bool openComparison(qint64 id, QString *error = nullptr);

    void setLayoutMode(Layout layout);
    Layout layoutMode() const { return m_layout; }
    // What is shown now (Auto resolved): SideBySide or Matrix.
    Layout effectiveLayout() const;

    // The selected cell (row, variant); (-1, -1) when none.
    void selectCell(int row, int variant);
    int currentRow() const { return m_currentRow; }
    int currentVariant() const { return m_currentVariant; }
    void rateCurrentCell(int rating); // int(compare::Rating)

    compare::ComparisonDocument *document() const { return m_document; }
    compare::ComparisonMatrixModel *matrixModel() const { return m_model; }
    compare::ComparisonRunner *runner() const { return m_runner; }
    DiffView *diffView() const { return m_diff; }
    InputsEditor *inputsEditor() const { return m_inputs; }
    QTableView *matrixView() const { return m_table; }
    VariantHeader *variantHeader(int variant) const;
    // The side-by-side output of a column (the current row's answer).
    QPlainTextEdit *columnOutput(int variant) const;
    QString progressText() const;

    QAction *runAllAction() const { return m_runAll; }
    QAction *stopAllAction() const { return m_stopAll; }
    QAction *runCellAction() const { return m_runCell; }
    QAction *stopCellAction() const { return m_stopCell; }
    QAction *addColumnAction() const { return m_addColumn; }
    QAction *saveAction() const { return m_save; }
    QAction *openAction() const { return m_open; }
    QAction *makeDatasetAction() const { return m_makeDataset; }
    QAction *makeEvalRunAction() const { return m_makeEvalRun; }
    QAction *exportHtmlAction() const { return m_exportHtml; }
    QAction *exportMarkdownAction() const { return m_exportMarkdown; }
    QAction *gradersAction() const { return m_graders; }
    QAction *removeGradersAction() const { return m_removeGraders; }

    // Writes the dataset / eval files without asking (the dialogs call these).
    bool writeDataset(const QString &path, int idealColumn, QString *error = nullptr);
    bool writeEvalRun(const QString &evalPath, const QString &runPath, int variant, int idealColumn,
                      QString *error = nullptr);
    bool writeExport(const QString &path, bool html, QString *error = nullptr);

Q_SIGNALS:
    void statusMessage(const QString &message);
    void runningChanged(bool running);
    // "Name — Compare" with a star while unsaved changes exist.
    void titleChanged(const QString &title);
    // Files written by "Make dataset…" / "Make eval run…": the window can open them in the
    // Datasets / Eval Runs panels.
    void datasetWritten(const QString &path);
    void evalRunWritten(const QString &evalPath, const QString &runPath);
    // Ctrl+S with no workspace set.
    void workspaceNeeded();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    // Unsaved answers cost money and time: closing asks to save them first.
    void closeEvent(QCloseEvent *event) override;

private:
    void createActions();
    QToolBar *createToolBar();
    void connectDocument();

    void rebuildColumns();
    void refreshHeader(int variant);
    void refreshHeaders();
    void refreshVariables();
    void reloadInputs();
    void updateLayout();
    void alignStrips();
    void fitHeaderHeight();
    void updateSideBySide(int variant);
    void updateAllSideBySide(bool queueStreaming = false);
    void queueOrUpdateSideBySide(int variant);
    void scheduleRefresh();
    void refresh();
    void refreshDetails();
    void updateProgress(int finished, int total);
    void updateTitle();
    void updateActions();

    void onHeaderEdited(int variant);
    void onCellChanged(int row, int variant);
    int variantOf(QObject *sender) const;

    void runCurrentCell();
    void stopCurrentCell();
    void addColumn();
    void chooseAndOpen();
    void chooseAndMakeDataset();
    void chooseAndMakeEvalRun();
    void chooseAndAttachGraders();
    void rebuildOwnGraderServices();
    void chooseAndExport(bool html);

    QString cellStatusLine(int row, int variant) const;
    QString summaryText(int variant) const;

    store::Workspace *m_workspace = nullptr;
    api::ApiClient *m_client = nullptr;
    api::ApiClient *m_ownClient = nullptr;
    compare::ComparisonDocument *m_document = nullptr;
    compare::ComparisonMatrixModel *m_model = nullptr;
    compare::ComparisonRunner *m_runner = nullptr;
    api::Profile m_profile;
    QString m_apiKey;
    prompt::Pricing m_pricing;
    eval::GraderServices *m_graderServices = nullptr;
    int m_maxConcurrent = 4;
    QStringList m_availableModels;

    QLineEdit *m_name = nullptr;
    QSpinBox *m_repeats = nullptr;
    QComboBox *m_layoutCombo = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_progressLabel = nullptr;
    InputsEditor *m_inputs = nullptr;
    QSplitter *m_splitter = nullptr;
    QScrollArea *m_headerScroll = nullptr;
    QWidget *m_headerStrip = nullptr;
    QHBoxLayout *m_headerLayout = nullptr;
    QStackedWidget *m_stack = nullptr;
    QWidget *m_sidePage = nullptr;
    QHBoxLayout *m_sideLayout = nullptr;
    QLabel *m_sideRowLabel = nullptr;
    QTableView *m_table = nullptr;
    CompareCellDelegate *m_delegate = nullptr;
    QWidget *m_footerStrip = nullptr;
    QHBoxLayout *m_footerLayout = nullptr;
    DiffView *m_diff = nullptr;
    ScrollSync *m_scrollSync = nullptr;

    QList<VariantHeader *> m_headers;
    QList<QPlainTextEdit *> m_outputs;
    QList<QLabel *> m_outputStatus;
    QList<QLabel *> m_footers;
    QWidget *m_headerLead = nullptr; // spacers matching the matrix's row header
    QWidget *m_footerLead = nullptr;
    QWidget *m_headerTrail = nullptr;
    QWidget *m_footerTrail = nullptr;

    QAction *m_runAll = nullptr;
    QAction *m_stopAll = nullptr;
    QAction *m_runCell = nullptr;
    QAction *m_stopCell = nullptr;
    QAction *m_addColumn = nullptr;
    QAction *m_save = nullptr;
    QAction *m_open = nullptr;
    QAction *m_makeDataset = nullptr;
    QAction *m_makeEvalRun = nullptr;
    QAction *m_exportHtml = nullptr;
    QAction *m_exportMarkdown = nullptr;
    QAction *m_graders = nullptr;
    QAction *m_removeGraders = nullptr;
    eval::ApiGraderServices *m_ownGraderServices = nullptr; // a child; used when none was set from outside
    bool m_graderServicesFromOutside = false;

    Layout m_layout = Layout::Auto;
    int m_currentRow = 0;
    int m_currentVariant = -1;
    bool m_syncingInputs = false;
    bool m_loadingHeaders = false;
    QTimer m_refreshTimer;
    std::vector<QString> m_shownText; // per column, what the side-by-side output holds
    // Streaming columns whose side-by-side output is behind, brought up to date one per event-loop
    // pass (appending to a long paragraph re-lays it out: eight at once made frames of 30-50 ms).
    QList<int> m_pendingSide;
    QTimer m_sideTimer;
};

} // namespace assay::ui
