#include "ui/main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QStyle>
#include <QTableView>
#include <QToolBar>
#include <QUrl>

#include "models/api/api_client.h"
#include "models/api/secret_store.h"
#include "models/itemmodels/logprobs_model.h"
#include "models/itemmodels/response_model.h"
#include "models/prompt/request_builder.h"
#include "ui/dialogs/pricing_dialog.h"
#include "ui/dialogs/profile_dialog.h"
#include "ui/panels/inspector_panel.h"
#include "ui/panels/parameters_panel.h"
#include "ui/panels/prompt_panel.h"
#include "ui/panels/response_view.h"
#include "ui/widgets/metrics_bar.h"

namespace assay::ui {

using api::ApiError;
using api::Profile;

namespace {

const QString kGeometryKey = QStringLiteral("mainWindow/geometry");
const QString kStateKey = QStringLiteral("mainWindow/state");
constexpr int kLayoutVersion = 1; // bump when the set of docks changes incompatibly
const QString kManageProfiles = QStringLiteral("\x01manage");

// Test and development hook: see the class comment.
QString baseUrlOverride()
{
    return qEnvironmentVariable("ASSAY_BASE_URL").trimmed();
}

QString hostOf(const Profile &profile)
{
    const QUrl url(profile.baseUrl);
    return url.port() > 0 ? QStringLiteral("%1:%2").arg(url.host()).arg(url.port()) : url.host();
}

} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent), m_client(new api::ApiClient(this)), m_secrets(new api::SecretStore(this)),
      m_model(new itemmodels::ResponseModel(this)), m_logprobs(new itemmodels::LogprobsModel(this))
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(QStringLiteral("Assay"));
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks |
                   QMainWindow::AllowNestedDocks);
    setCorner(Qt::BottomLeftCorner, Qt::LeftDockWidgetArea);
    setCorner(Qt::BottomRightCorner, Qt::RightDockWidgetArea);

    m_response = new ResponseView(this);
    m_response->setModel(m_model);
    setCentralWidget(m_response);

    createActions();
    createDocks();
    createMenus();
    createToolBar();

    m_stateLabel = new QLabel(this);
    m_stateLabel->setObjectName(QStringLiteral("runState"));
    m_stateLabel->setTextFormat(Qt::RichText);
    statusBar()->addWidget(m_stateLabel);
    m_endpointLabel = new QLabel(this);
    m_endpointLabel->setObjectName(QStringLiteral("endpointLabel"));
    m_endpointLabel->setForegroundRole(QPalette::PlaceholderText);
    statusBar()->addPermanentWidget(m_endpointLabel);

    loadPricing();
    reloadProfiles();
    setState(State::Idle);
    setStatus(tr("Ready"));
    restoreLayout();

    connect(m_parameters, &ParametersPanel::refreshModelsRequested, this, &MainWindow::refreshModels);
    connect(m_inspector, &InspectorPanel::curlCopied, this, [this]() {
        statusBar()->showMessage(tr("Copied a curl command; it reads the key from $OPENAI_API_KEY."), 6000);
    });
    connect(m_response->metricsBar(), &MetricsBar::logprobsRequested, this, [this]() {
        m_logprobsDock->show();
        m_logprobsDock->raise();
    });
}

MainWindow::~MainWindow()
{
    // Calls in flight belong to the client; delete it while this is still a MainWindow, so their
    // destroyed() handlers (which touch members) never run on a half-destroyed window.
    delete m_client;
    m_client = nullptr;
}

QString MainWindow::pricingPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
           QStringLiteral("/pricing.json");
}

void MainWindow::createActions()
{
    m_runAction = new QAction(style()->standardIcon(QStyle::SP_MediaPlay), tr("&Run"), this);
    m_runAction->setObjectName(QStringLiteral("actionRun"));
    m_runAction->setShortcuts(
        {QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)});
    m_runAction->setShortcutContext(Qt::WindowShortcut);
    m_runAction->setToolTip(tr("Send the prompt and stream the answer (Ctrl+Return)"));
    connect(m_runAction, &QAction::triggered, this, &MainWindow::run);

    m_stopAction = new QAction(style()->standardIcon(QStyle::SP_MediaStop), tr("&Stop"), this);
    m_stopAction->setObjectName(QStringLiteral("actionStop"));
    m_stopAction->setShortcut(QKeySequence(Qt::Key_Escape));
    m_stopAction->setShortcutContext(Qt::WindowShortcut);
    m_stopAction->setToolTip(tr("Stop the running request; what arrived is kept (Esc)"));
    connect(m_stopAction, &QAction::triggered, this, &MainWindow::stop);

    m_refreshModelsAction =
        new QAction(style()->standardIcon(QStyle::SP_BrowserReload), tr("Refresh &models"), this);
    m_refreshModelsAction->setObjectName(QStringLiteral("actionRefreshModels"));
    m_refreshModelsAction->setToolTip(tr("List the models this profile's server offers (GET /models)"));
    connect(m_refreshModelsAction, &QAction::triggered, this, &MainWindow::refreshModels);

    m_manageProfilesAction = new QAction(tr("&Manage profiles…"), this);
    m_manageProfilesAction->setObjectName(QStringLiteral("actionManageProfiles"));
    connect(m_manageProfilesAction, &QAction::triggered, this, &MainWindow::manageProfiles);

    m_editPricingAction = new QAction(tr("Edit &pricing…"), this);
    m_editPricingAction->setObjectName(QStringLiteral("actionEditPricing"));
    connect(m_editPricingAction, &QAction::triggered, this, &MainWindow::editPricing);

    m_copyCurlAction = new QAction(tr("Copy as &curl"), this);
    m_copyCurlAction->setObjectName(QStringLiteral("actionCopyCurl"));
    m_copyCurlAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    m_copyCurlAction->setToolTip(
        tr("Copy the last request as a curl command (the key stays in $OPENAI_API_KEY)"));
    m_copyCurlAction->setEnabled(false);
    connect(m_copyCurlAction, &QAction::triggered, this, &MainWindow::copyAsCurl);

    m_resetLayoutAction = new QAction(tr("&Reset layout"), this);
    connect(m_resetLayoutAction, &QAction::triggered, this, &MainWindow::resetLayout);

    m_quitAction = new QAction(tr("&Quit"), this);
    m_quitAction->setShortcut(QKeySequence::Quit);
    connect(m_quitAction, &QAction::triggered, this, &QWidget::close);

    m_aboutAction = new QAction(tr("&About Assay"), this);
    connect(m_aboutAction, &QAction::triggered, this, [this]() {
        auto *box =
            new QMessageBox(QMessageBox::Information, tr("About Assay"),
                            tr("<b>Assay</b> %1<br>A workbench for prompts and evals on the OpenAI API "
                               "and compatible servers.")
                                .arg(QStringLiteral(ASSAY_VERSION)),
                            QMessageBox::Ok, this);
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
    });
}

void MainWindow::createDocks()
{
    const auto makeDock = [this](const QString &title, const QString &name, QWidget *widget) {
        auto *dock = new QDockWidget(title, this);
        dock->setObjectName(name);
        dock->setWidget(widget);
        dock->setFeatures(QDockWidget::DockWidgetClosable | QDockWidget::DockWidgetMovable |
                          QDockWidget::DockWidgetFloatable);
        m_docks << dock;
        return dock;
    };

    m_prompt = new PromptPanel(this);
    m_prompt->setObjectName(QStringLiteral("promptPanel"));
    m_promptDock = makeDock(tr("Prompt"), QStringLiteral("promptDock"), m_prompt);
    addDockWidget(Qt::LeftDockWidgetArea, m_promptDock);

    m_parameters = new ParametersPanel(this);
    m_parameters->setObjectName(QStringLiteral("parametersPanel"));
    m_parametersDock = makeDock(tr("Parameters"), QStringLiteral("parametersDock"), m_parameters);
    addDockWidget(Qt::RightDockWidgetArea, m_parametersDock);

    m_inspector = new InspectorPanel(this);
    m_inspectorDock = makeDock(tr("Inspector"), QStringLiteral("inspectorDock"), m_inspector);
    addDockWidget(Qt::BottomDockWidgetArea, m_inspectorDock);

    m_logprobsView = new QTableView(this);
    m_logprobsView->setObjectName(QStringLiteral("logprobsView"));
    m_logprobsView->setModel(m_logprobs);
    m_logprobsView->verticalHeader()->setDefaultSectionSize(m_logprobsView->fontMetrics().height() + 6);
    m_logprobsView->horizontalHeader()->setStretchLastSection(true);
    m_logprobsView->setAlternatingRowColors(true);
    m_logprobsView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_logprobsDock = makeDock(tr("Logprobs"), QStringLiteral("logprobsDock"), m_logprobsView);
    addDockWidget(Qt::BottomDockWidgetArea, m_logprobsDock);
    tabifyDockWidget(m_inspectorDock, m_logprobsDock);

    resizeDocks({m_promptDock, m_parametersDock}, {480, 330}, Qt::Horizontal);
    resizeDocks({m_inspectorDock}, {260}, Qt::Vertical);
    m_inspectorDock->hide();
    m_logprobsDock->hide();
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->setObjectName(QStringLiteral("fileMenu")); // panels added later put their actions here
    file->addAction(m_quitAction);

    QMenu *runMenu = menuBar()->addMenu(tr("&Run"));
    runMenu->addAction(m_runAction);
    runMenu->addAction(m_stopAction);

    QMenu *connection = menuBar()->addMenu(tr("&Connection"));
    connection->addAction(m_manageProfilesAction);
    connection->addAction(m_refreshModelsAction);

    QMenu *tools = menuBar()->addMenu(tr("&Tools"));
    tools->addAction(m_copyCurlAction);
    tools->addAction(m_editPricingAction);

    m_viewMenu = menuBar()->addMenu(tr("&View"));
    for (QDockWidget *dock : std::as_const(m_docks))
        m_viewMenu->addAction(dock->toggleViewAction());
    m_viewMenu->addSeparator();
    m_viewMenu->addAction(m_resetLayoutAction);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(m_aboutAction);
}

void MainWindow::createToolBar()
{
    QToolBar *bar = addToolBar(tr("Playground"));
    bar->setObjectName(QStringLiteral("mainToolBar"));
    bar->setMovable(false);
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    bar->addAction(m_runAction);
    if (QWidget *runButton = bar->widgetForAction(m_runAction)) {
        QFont bold = runButton->font();
        bold.setWeight(QFont::DemiBold);
        runButton->setFont(bold); // the primary action
    }
    bar->addAction(m_stopAction);
    bar->addSeparator();

    auto *profileLabel = new QLabel(tr(" Profile "), bar);
    profileLabel->setForegroundRole(QPalette::PlaceholderText);
    bar->addWidget(profileLabel);
    m_profileCombo = new QComboBox(bar);
    m_profileCombo->setObjectName(QStringLiteral("profileCombo"));
    m_profileCombo->setMinimumContentsLength(14);
    m_profileCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_profileCombo->setToolTip(tr("Where requests go and how they authenticate"));
    connect(m_profileCombo, &QComboBox::activated, this, &MainWindow::selectProfile);
    bar->addWidget(m_profileCombo);
    bar->addAction(m_refreshModelsAction);
    bar->addSeparator();
    bar->addAction(m_copyCurlAction);
    QAction *inspector = m_inspectorDock->toggleViewAction();
    inspector->setText(tr("Inspector"));
    bar->addAction(inspector);
}

void MainWindow::addPanelDock(QDockWidget *dock, Qt::DockWidgetArea area)
{
    Q_ASSERT(!dock->objectName().isEmpty()); // saveState needs it
    addDockWidget(area, dock);
    m_docks << dock;
    m_viewMenu->insertAction(m_resetLayoutAction, dock->toggleViewAction());
    // A dock added after the constructor restored the layout takes its saved place and visibility
    // (restoreState only knows docks that exist when it runs). With no saved layout (first start)
    // it stays visible, so a new user sees every panel rather than having to find it in View.
    const QByteArray state = QSettings().value(kStateKey).toByteArray();
    if (!state.isEmpty()) {
        dock->hide();
        restoreState(state, kLayoutVersion);
    }
}

void MainWindow::restoreLayout()
{
    m_defaultState = saveState(kLayoutVersion);
    QSettings settings;
    const QByteArray geometry = settings.value(kGeometryKey).toByteArray();
    if (geometry.isEmpty() || !restoreGeometry(geometry))
        resize(1440, 900);
    const QByteArray state = settings.value(kStateKey).toByteArray();
    if (!state.isEmpty())
        restoreState(state, kLayoutVersion);
}

void MainWindow::saveLayout() const
{
    QSettings settings;
    settings.setValue(kGeometryKey, saveGeometry());
    settings.setValue(kStateKey, saveState(kLayoutVersion));
}

void MainWindow::resetLayout()
{
    restoreState(m_defaultState, kLayoutVersion);
    resizeDocks({m_promptDock, m_parametersDock}, {480, 330}, Qt::Horizontal);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (api::ApiCall *call = m_call; call && call->isRunning())
        call->cancel();
    saveLayout();
    QMainWindow::closeEvent(event);
}

// --- Profiles ----------------------------------------------------------------------------------

void MainWindow::reloadProfiles()
{
    m_profiles = api::ProfileStore::load();
    if (m_profiles.isEmpty()) {
        Profile builtIn;
        if (const QString url = baseUrlOverride(); !url.isEmpty())
            builtIn.baseUrl = url;
        m_profiles << builtIn;
    }
    const QString current = api::ProfileStore::currentProfileName();
    QSignalBlocker block(m_profileCombo);
    m_profileCombo->clear();
    int selected = 0;
    for (int i = 0; i < m_profiles.size(); ++i) {
        m_profileCombo->addItem(m_profiles[i].name, m_profiles[i].name);
        m_profileCombo->setItemData(i, m_profiles[i].baseUrl, Qt::ToolTipRole);
        if (m_profiles[i].name == current)
            selected = i;
    }
    m_profileCombo->insertSeparator(m_profileCombo->count());
    m_profileCombo->addItem(tr("Manage…"), kManageProfiles);
    m_profileCombo->setCurrentIndex(selected);
    const Profile profile = currentProfile();
    m_endpointLabel->setText(QStringLiteral("%1 · %2").arg(profile.name, hostOf(profile)));
}

Profile MainWindow::currentProfile() const
{
    const QString name = m_profileCombo ? m_profileCombo->currentData().toString() : QString();
    for (const Profile &profile : m_profiles) {
        if (profile.name == name)
            return profile;
    }
    return m_profiles.isEmpty() ? Profile{} : m_profiles.first();
}

void MainWindow::selectProfile(int comboIndex)
{
    if (m_profileCombo->itemData(comboIndex).toString() == kManageProfiles) {
        // Back to the profile in use until the dialog says otherwise.
        const QString current = api::ProfileStore::currentProfileName();
        const int index = m_profileCombo->findData(current);
        m_profileCombo->setCurrentIndex(index >= 0 ? index : 0);
        manageProfiles();
        return;
    }
    const Profile profile = currentProfile();
    api::ProfileStore::setCurrentProfileName(profile.name);
    m_endpointLabel->setText(QStringLiteral("%1 · %2").arg(profile.name, hostOf(profile)));
    statusBar()->showMessage(tr("Requests now go to %1").arg(profile.baseUrl), 5000);
}

void MainWindow::manageProfiles()
{
    auto *dialog = new ProfileDialog(m_profiles, currentProfile().name, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog]() {
        api::ProfileStore::save(dialog->profiles());
        api::ProfileStore::setCurrentProfileName(dialog->currentProfileName());
        for (const Profile &profile : dialog->forgottenKeys())
            m_secrets->forgetKey(profile);
        const QList<Profile> saved = dialog->profiles();
        const QHash<QString, QString> keys = dialog->enteredKeys();
        for (auto it = keys.constBegin(); it != keys.constEnd(); ++it) {
            const auto profile = std::find_if(saved.begin(), saved.end(),
                                              [&](const Profile &p) { return p.name == it.key(); });
            if (profile == saved.end())
                continue;
            QPointer<MainWindow> self(this);
            const QString name = it.key();
            m_secrets->writeKey(*profile, it.value(), [self, name](const QString &problem) {
                MainWindow *window = self.data();
                if (!window)
                    return;
                window->statusBar()->showMessage(
                    problem.isEmpty() ? tr("Stored the key of \"%1\" in the system keychain.").arg(name)
                                      : problem,
                    problem.isEmpty() ? 6000 : 15000);
            });
        }
        reloadProfiles();
    });
    dialog->open();
}

// --- Pricing -----------------------------------------------------------------------------------

void MainWindow::loadPricing()
{
    QString problem;
    m_pricing = prompt::Pricing::loadUserOrBuiltIn(pricingPath(), &problem);
    m_model->setPricing(m_pricing);
    if (!problem.isEmpty())
        statusBar()->showMessage(tr("Pricing: %1 — using the built-in table.").arg(problem), 15000);
}

void MainWindow::editPricing()
{
    auto *dialog = new PricingDialog(m_pricing, pricingPath(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &PricingDialog::saved, this, [this](const prompt::Pricing &pricing) {
        m_pricing = pricing;
        m_model->setPricing(pricing);
        statusBar()->showMessage(tr("Pricing table saved."), 5000);
    });
    dialog->open();
}

// --- Running -----------------------------------------------------------------------------------

void MainWindow::run()
{
    if (m_state != State::Idle)
        return;

    const QString invalid = m_parameters->validationError();
    if (!invalid.isEmpty()) {
        m_model->clear();
        failBeforeSending(ApiError::make(ApiError::Kind::InvalidRequest, invalid));
        return;
    }
    const prompt::RequestParameters parameters = m_parameters->parameters();
    const prompt::RequestBuilder::Result built =
        prompt::RequestBuilder::build(m_prompt->conversation(), parameters, m_prompt->variables(), true);
    if (!built.error.isEmpty()) {
        m_model->clear();
        failBeforeSending(ApiError::make(ApiError::Kind::InvalidRequest, built.error));
        return;
    }
    if (!built.warnings.isEmpty())
        statusBar()->showMessage(tr("Not sent: %1").arg(built.warnings.join(QStringLiteral("; "))), 12000);

    m_model->setRequestedModel(parameters.model);
    m_model->clear();
    m_logprobs->clear();
    if (api::ApiCall *previous = std::exchange(m_call, nullptr)) {
        previous->disconnect(this);
        previous->deleteLater();
    }

    const Profile profile = currentProfile();
    const quint64 token = ++m_runToken;
    setState(State::ReadingKey);
    setStatus(tr("Connecting to %1…").arg(hostOf(profile)), QStringLiteral("busy"));

    QPointer<MainWindow> self(this);
    m_secrets->readKey(profile, [self, token, profile, parameters,
                                 body = built.body](const QString &key, const QString &problem) {
        MainWindow *window = self.data();
        if (!window || token != window->m_runToken || window->m_state != State::ReadingKey)
            return; // stopped, or another run began, while the keychain answered
        if (key.isEmpty() && profile.keySource != Profile::KeySource::None) {
            window->failBeforeSending(ApiError::make(
                ApiError::Kind::MissingKey,
                problem.isEmpty() ? tr("No API key for profile \"%1\": set OPENAI_API_KEY or enter a key in "
                                       "Connection ▸ Manage profiles…")
                                        .arg(profile.name)
                                  : problem));
            return;
        }
        window->startCall(profile, key, parameters, body);
    });
}

void MainWindow::startCall(const Profile &profile, const QString &key,
                           const prompt::RequestParameters &parameters, const nlohmann::json &body)
{
    api::ApiCall *call = m_client->createResponse(profile, key, parameters.api, body, parameters.timeoutMs());
    m_call = call;
    connect(call, &QObject::destroyed, this, [this, call]() {
        if (m_call == call)
            m_call = nullptr;
    });
    m_model->attach(call);
    setState(State::Running);
    setStatus(tr("Waiting for %1…").arg(parameters.model.isEmpty() ? hostOf(profile) : parameters.model),
              QStringLiteral("busy"));
    m_inspector->setRecord(call->record());
    m_copyCurlAction->setEnabled(true);

    connect(call, &api::ApiCall::started, this, [this, call]() {
        if (call == m_call)
            m_inspector->setRecord(call->record());
    });
    connect(call, &api::ApiCall::headersReceived, this, [this, call](int status, const QString &) {
        if (call != m_call)
            return;
        m_inspector->setRecord(call->record());
        if (status >= 200 && status < 300)
            setStatus(tr("Streaming…"), QStringLiteral("busy"));
    });
    connect(call, &api::ApiCall::retrying, this, [this, call](int attempt, int delayMs, const ApiError &) {
        if (call == m_call)
            setStatus(tr("Retrying in %1 s (attempt %2)…").arg((delayMs + 999) / 1000).arg(attempt + 1),
                      QStringLiteral("busy"));
    });
    connect(call, &api::ApiCall::finished, this, &MainWindow::onCallFinished);
}

void MainWindow::onCallFinished(const api::ResponseResult &result)
{
    auto *call = qobject_cast<api::ApiCall *>(sender());
    if (!call || call != m_call)
        return;
    m_lastRecord = call->record();
    m_inspector->setRecord(m_lastRecord);
    m_logprobs->setLogprobs(result.logprobs);
    setState(State::Idle);

    if (!result.error) {
        const double seconds = static_cast<double>(result.totalMs.value_or(0)) / 1000.0;
        setStatus(tr("Done in %1 s").arg(seconds, 0, 'f', 2), QStringLiteral("ok"));
    } else if (result.error->kind == ApiError::Kind::Cancelled) {
        setStatus(tr("Stopped"), QString());
    } else {
        setStatus(tr("Failed: %1").arg(result.error->summary()), QStringLiteral("error"));
    }
}

void MainWindow::failBeforeSending(const ApiError &error)
{
    setState(State::Idle);
    m_model->setError(error);
    setStatus(tr("Not sent: %1").arg(error.summary()), QStringLiteral("error"));
}

void MainWindow::stop()
{
    if (m_state == State::ReadingKey) {
        ++m_runToken; // the key's late answer is ignored
        setState(State::Idle);
        m_model->setError(ApiError::make(ApiError::Kind::Cancelled, tr("Stopped before sending")));
        setStatus(tr("Stopped"));
        return;
    }
    if (api::ApiCall *call = m_call; m_state == State::Running && call)
        call->cancel(); // finished() follows with the partial output kept
}

void MainWindow::setState(State state)
{
    m_state = state;
    m_runAction->setEnabled(state == State::Idle);
    m_stopAction->setEnabled(state != State::Idle);
    m_profileCombo->setEnabled(state == State::Idle);
}

void MainWindow::setStatus(const QString &text, const QString &tone)
{
    QString color = QStringLiteral("#8a939c");
    if (tone == QLatin1String("busy"))
        color = QStringLiteral("#2f6fde");
    else if (tone == QLatin1String("ok"))
        color = QStringLiteral("#1f8a4c");
    else if (tone == QLatin1String("error"))
        color = QStringLiteral("#c62828");
    m_stateLabel->setText(
        QStringLiteral("<span style=\"color:%1\">&#9679;</span>&nbsp;%2").arg(color, text.toHtmlEscaped()));
    m_stateLabel->setToolTip(text);
    m_stateLabel->setProperty("plainText", text);
}

void MainWindow::copyAsCurl()
{
    if (m_inspector->hasRecord())
        m_inspector->copyAsCurl();
}

void MainWindow::refreshModels()
{
    const Profile profile = currentProfile();
    m_refreshModelsAction->setEnabled(false);
    statusBar()->showMessage(tr("Listing models on %1…").arg(hostOf(profile)));
    QPointer<MainWindow> self(this);
    m_secrets->readKey(profile, [self, profile](const QString &key, const QString &problem) {
        MainWindow *window = self.data();
        if (!window)
            return;
        if (key.isEmpty() && profile.keySource != Profile::KeySource::None) {
            window->m_refreshModelsAction->setEnabled(true);
            window->statusBar()->showMessage(tr("Could not list models: %1").arg(problem), 15000);
            return;
        }
        window->m_client->listModels(
            profile, key, [self, profile](nlohmann::json models, std::optional<ApiError> error) {
                MainWindow *target = self.data();
                if (!target)
                    return;
                target->m_refreshModelsAction->setEnabled(true);
                if (error) {
                    target->statusBar()->showMessage(
                        tr("Could not list models: %1 — %2").arg(error->summary(), error->advice()), 20000);
                    return;
                }
                target->m_parameters->setAvailableModels(models);
                const int count = models.is_array() ? static_cast<int>(models.size()) : 0;
                target->statusBar()->showMessage(tr("%n model(s) on %1", nullptr, count).arg(hostOf(profile)),
                                                 6000);
            });
    });
}

} // namespace assay::ui
