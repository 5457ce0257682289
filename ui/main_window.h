#pragma once

#include <QList>
#include <QMainWindow>
#include <QPointer>
#include <nlohmann/json.hpp>

#include "models/api/profile.h"
#include "models/api/request_record.h"
#include "models/prompt/pricing.h"
#include "models/prompt/request_parameters.h"

class QAction;
class QComboBox;
class QDockWidget;
class QLabel;
class QMenu;
class QTableView;

namespace assay::api {
class ApiCall;
class ApiClient;
class SecretStore;
struct ApiError;
struct ResponseResult;
} // namespace assay::api

namespace assay::itemmodels {
class LogprobsModel;
class ResponseModel;
} // namespace assay::itemmodels

namespace assay::ui {

class InspectorPanel;
class ParametersPanel;
class PromptPanel;
class ResponseView;

// The playground: the prompt (left dock), the streamed response with its metrics (centre),
// the request parameters (right dock), and the request inspector and logprobs (bottom docks,
// hidden until asked for). Run with Ctrl+Return, stop with Esc. Dock layout and window geometry
// are restored from QSettings.
//
// For tests and local development, ASSAY_BASE_URL (when set) replaces the base URL of the
// built-in default profile (used while no profile has been saved), e.g. the fake server's
// http://127.0.0.1:PORT/v1.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // Adds a panel (Datasets, Runs, Charts, ...) as a dock and lists it in the View menu.
    void addPanelDock(QDockWidget *dock, Qt::DockWidgetArea area);

    api::Profile currentProfile() const;
    // Where the playground finds keys (a key typed this session is held here): panels that send
    // requests of their own use it too.
    api::SecretStore *secretStore() const { return m_secrets; }
    bool isRunning() const { return m_state != State::Idle; }
    // The user's pricing table (app data folder); the built-in one is used when it is absent.
    static QString pricingPath();
    const prompt::Pricing &pricing() const { return m_pricing; }
    // The playground's prompt and parameters, for views that start from them (Compare).
    PromptPanel *promptPanel() const { return m_prompt; }
    ParametersPanel *parametersPanel() const { return m_parameters; }

public Q_SLOTS:
    void run();
    void stop();
    void refreshModels();
    void manageProfiles();
    void editPricing();
    void copyAsCurl();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    enum class State { Idle, ReadingKey, Running };

    void createActions();
    void createMenus();
    void createToolBar();
    void createDocks();
    void restoreLayout();
    void saveLayout() const;
    void resetLayout();
    void reloadProfiles();
    void selectProfile(int comboIndex);
    void loadPricing();

    void startCall(const api::Profile &profile, const QString &key,
                   const prompt::RequestParameters &parameters, const nlohmann::json &body);
    void onCallFinished(const api::ResponseResult &result);
    void failBeforeSending(const api::ApiError &error);
    void setState(State state);
    void setStatus(const QString &text, const QString &tone = QString());

    PromptPanel *m_prompt = nullptr;
    ParametersPanel *m_parameters = nullptr;
    ResponseView *m_response = nullptr;
    InspectorPanel *m_inspector = nullptr;
    QTableView *m_logprobsView = nullptr;

    QDockWidget *m_promptDock = nullptr;
    QDockWidget *m_parametersDock = nullptr;
    QDockWidget *m_inspectorDock = nullptr;
    QDockWidget *m_logprobsDock = nullptr;
    QList<QDockWidget *> m_docks;

    QAction *m_runAction = nullptr;
    QAction *m_stopAction = nullptr;
    QAction *m_refreshModelsAction = nullptr;
    QAction *m_manageProfilesAction = nullptr;
    QAction *m_editPricingAction = nullptr;
    QAction *m_copyCurlAction = nullptr;
    QAction *m_resetLayoutAction = nullptr;
    QAction *m_quitAction = nullptr;
    QAction *m_aboutAction = nullptr;
    QMenu *m_viewMenu = nullptr;
    QComboBox *m_profileCombo = nullptr;
    QLabel *m_stateLabel = nullptr;
    QLabel *m_endpointLabel = nullptr;

    api::ApiClient *m_client = nullptr;
    api::SecretStore *m_secrets = nullptr;
    itemmodels::ResponseModel *m_model = nullptr;
    itemmodels::LogprobsModel *m_logprobs = nullptr;
    api::ApiCall *m_call = nullptr; // owned by m_client; let go with deleteLater()
    api::RequestRecord m_lastRecord;
    QList<api::Profile> m_profiles;
    prompt::Pricing m_pricing;
    State m_state = State::Idle;
    quint64 m_runToken = 0;
    QByteArray m_defaultState; // the layout before restoring the user's, for View ▸ Reset layout
};

} // namespace assay::ui
