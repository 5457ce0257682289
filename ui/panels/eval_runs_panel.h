#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <QPointer>
#include <QString>
#include <QWidget>
#include <nlohmann/json.hpp>

#include "models/api/profile.h"
#include "models/eval/eval_runner.h"
#include "models/eval/eval_spec.h"

class QAction;
class QFrame;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QStandardItemModel;
class QTableView;
class QTimer;
class QToolButton;

namespace assay::api {
class ApiClient;
class SecretStore;
} // namespace assay::api

namespace assay::store {
class EvalStore;
class Workspace;
} // namespace assay::store

namespace assay::ui {

// The Eval Runs panel: pick an eval file and a run file (or a bundled example), optionally
// override the model and the concurrency, then Start (Ctrl+Shift+R), Pause/Resume and Stop a
// local run. Shows live progress with ETA, the pass rate, passed/failed/errored counters and a
// per-criterion table, and lists the workspace's runs. Unfinished runs found when the workspace
// is set are offered for resume in a banner (never a modal dialog). Python graders run only after
// the user agreed, once per eval definition. Files are read and parsed off the GUI thread.
class EvalRunsPanel : public QWidget {
    Q_OBJECT
public:
    enum class State { Idle, Preparing, Running };

    explicit EvalRunsPanel(QWidget *parent = nullptr);
    ~EvalRunsPanel() override;

    // The workspace runs are stored in (may be null: the panel then cannot run).
    void setWorkspace(store::Workspace *workspace);
    // Where requests go: asked each time a run starts (the playground's current profile).
    void setProfileProvider(std::function<api::Profile()> provider);
    // The key store the playground uses (keys typed this session live there); the panel has its own
    // otherwise.
    void setSecretStore(api::SecretStore *secrets);

    void setEvalFile(const QString &path);
    void setRunFile(const QString &path);
    QString evalFile() const;
    QString runFile() const;
    void setModelOverride(const QString &model); // empty: the run's model
    void setConcurrency(int concurrency);

    State state() const { return m_state; }
    bool isRunning() const { return m_state != State::Idle; }
    qint64 currentRunId() const { return m_runId; }
    eval::RunProgress progress() const { return m_progress; }
    QString lastStatus() const { return m_lastStatus; } // status of the last run that ended

    QStandardItemModel *criteriaModel() const { return m_criteriaModel; }
    QStandardItemModel *runsModel() const { return m_runsModel; }
    QLabel *passedLabel() const { return m_passedLabel; }
    QLabel *failedLabel() const { return m_failedLabel; }
    QLabel *erroredLabel() const { return m_erroredLabel; }
    QLabel *passRateLabel() const { return m_passRateLabel; }
    QProgressBar *progressBar() const { return m_progressBar; }
    QString messageText() const;
    bool isResumeBannerVisible() const;
    QPushButton *resumeBannerButton() const { return m_bannerResume; }
    QAction *startAction() const { return m_startAction; }
    QAction *pauseAction() const { return m_pauseAction; }
    QAction *stopAction() const { return m_stopAction; }
    QAction *saveEvalAction() const { return m_saveEvalAction; }
    QAction *saveRunAction() const { return m_saveRunAction; }

    // Settings key remembering the user's consent to run an eval's python graders (by a hash of the
    // definition, never the code).
    static QString consentKey(const nlohmann::json &evalDefinition);

public Q_SLOTS:
    void start();
    void togglePause();
    void stop();
    void resumeRun(qint64 runId);
    void refreshRuns();
    // Save Eval As… (Ctrl+Alt+E) / Save Run As… (Ctrl+Alt+U): ask for a file, then save.
    void saveEvalAs();
    void saveRunAs();
    // The eval file as a CreateEvalRequest body, and the run file as the CreateEvalRunRequest the
    // panel would launch (the Model override applied; items inline or the file they came from),
    // written to `path` off the GUI thread through a temporary file. definitionSaved or
    // definitionSaveFailed follows.
    void saveEvalTo(const QString &path);
    void saveRunTo(const QString &path);

Q_SIGNALS:
    void statusMessage(const QString &message);
    void runStarted(qint64 runId);
    void runFinished(qint64 runId, const QString &status);
    void definitionSaved(const QString &path);
    void definitionSaveFailed(const QString &path, const QString &problem);

private:
    struct Prepared;
    void buildUi();
    QWidget *createBanner();
    QWidget *createForm();
    QWidget *createProgressRow();
    void browseEval();
    void browseRun();
    void populateExamples(QToolButton *button);
    void prepare(std::function<std::shared_ptr<Prepared>()> work);
    void onPrepared(const std::shared_ptr<Prepared> &prepared);
    void askPythonConsent(const std::shared_ptr<Prepared> &prepared);
    void readKeyAndLaunch(const std::shared_ptr<Prepared> &prepared);
    void launch(const std::shared_ptr<Prepared> &prepared, const api::Profile &profile, const QString &key);
    void onProgress(const eval::RunProgress &progress);
    void onFinished(qint64 runId, const eval::RunSummary &summary, const QString &status);
    void setState(State state);
    void showMessage(const QString &text, bool error = false);
    void showProgress(const eval::RunProgress &progress);
    void updateBanner();
    void showStoredRun(qint64 runId); // its counters and criteria, when idle
    void probeIsolation();
    enum class Definition { Eval, Run };
    void askSavePath(Definition which);
    void saveDefinition(Definition which, const QString &path);

    QPointer<store::Workspace> m_workspace;
    std::unique_ptr<store::EvalStore> m_store;
    api::ApiClient *m_client = nullptr;
    api::SecretStore *m_ownSecrets = nullptr;
    QPointer<api::SecretStore> m_secrets;
    std::function<api::Profile()> m_profileProvider;
    std::unique_ptr<eval::EvalRunner> m_runner;
    State m_state = State::Idle;
    quint64 m_token = 0; // bumps on every start/stop so late answers of an earlier attempt are dropped
    qint64 m_runId = 0;
    eval::RunProgress m_progress;
    QString m_lastStatus;
    std::optional<bool> m_networkIsolated; // probed off the GUI thread
    qint64 m_bannerRunId = 0;
    bool m_bannerDismissed = false;

    QAction *m_startAction = nullptr;
    QAction *m_pauseAction = nullptr;
    QAction *m_stopAction = nullptr;
    QAction *m_saveEvalAction = nullptr;
    QAction *m_saveRunAction = nullptr;
    QFrame *m_banner = nullptr;
    QLabel *m_bannerText = nullptr;
    QPushButton *m_bannerResume = nullptr;
    QLineEdit *m_evalEdit = nullptr;
    QLineEdit *m_runEdit = nullptr;
    QLineEdit *m_modelEdit = nullptr;
    QSpinBox *m_concurrencySpin = nullptr;
    QProgressBar *m_progressBar = nullptr;
    QLabel *m_etaLabel = nullptr;
    QLabel *m_passedLabel = nullptr;
    QLabel *m_failedLabel = nullptr;
    QLabel *m_erroredLabel = nullptr;
    QLabel *m_passRateLabel = nullptr;
    QLabel *m_messageLabel = nullptr;
    QStandardItemModel *m_criteriaModel = nullptr;
    QStandardItemModel *m_runsModel = nullptr;
    QTableView *m_criteriaView = nullptr;
    QTableView *m_runsView = nullptr;
    QTimer *m_runsRefresh = nullptr;
};

} // namespace assay::ui
