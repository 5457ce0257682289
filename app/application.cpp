#include "app/application.h"

#include <memory>

#include <QAction>
#include <QDir>
#include <QDockWidget>
#include <QFileInfo>
#include <QMenu>
#include <QMenuBar>
#include <QPointer>
#include <QSettings>
#include <QStatusBar>

#include "models/api/secret_store.h"
#include "models/store/workspace.h"
#include "ui/compare/compare_view.h"
#include "ui/main_window.h"
#include "ui/panels/parameters_panel.h"
#include "ui/panels/prompt_panel.h"
#include "ui/panels/dataset_panel.h"
#include "ui/panels/eval_runs_panel.h"
#include "ui/panels/results_panel.h"

namespace assay {

Application::Application() : m_workspace(std::make_unique<store::Workspace>()) {}

Application::~Application()
{
    // The window (and the panel holding a pointer to the workspace) goes first.
    m_window.reset();
}

void Application::start(const QStringList &files)
{
    m_window = std::make_unique<ui::MainWindow>();
    openWorkspace();
    installDatasetPanel();
    installEvalRunsPanel();
    installResultsPanel();
    installComparisonAction();
    m_window->show();
    for (const QString &file : files)
        m_datasets->openFile(QFileInfo(file).absoluteFilePath());
}

void Application::openWorkspace()
{
    const QString path = store::Workspace::defaultPath();
    QDir().mkpath(QFileInfo(path).absolutePath());
    QString error;
    if (!m_workspace->open(path, &error)) {
        // Assay still works without the workspace; datasets are just not registered.
        m_window->statusBar()->showMessage(
            QObject::tr("The workspace at %1 could not be opened: %2").arg(QDir::toNativeSeparators(path), error));
    }
}

void Application::installDatasetPanel()
{
    auto *dock = new QDockWidget(QObject::tr("Datasets"), m_window.get());
    dock->setObjectName(QStringLiteral("datasetsDock"));
    m_datasets = new ui::DatasetPanel(dock);
    if (m_workspace->isOpen())
        m_datasets->setWorkspace(m_workspace.get());
    dock->setWidget(m_datasets);
    m_window->addPanelDock(dock, Qt::BottomDockWidgetArea);

    QObject::connect(m_datasets, &ui::DatasetPanel::statusMessage, m_window.get(),
                     [window = m_window.get()](const QString &message) {
                         window->statusBar()->showMessage(message, 8000);
                     });
    QObject::connect(m_datasets, &ui::DatasetPanel::fileOpened, dock, [dock](const QString &path) {
        dock->setWindowTitle(QObject::tr("Datasets — %1").arg(QFileInfo(path).fileName()));
        dock->show();
        dock->raise();
    });

    // File ▸ Open Dataset… reaches the panel from anywhere in the window.
    auto *openDataset = new QAction(QObject::tr("Open &Dataset…"), m_window.get());
    openDataset->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    QObject::connect(openDataset, &QAction::triggered, dock, [this, dock] {
        dock->show();
        dock->raise();
        m_datasets->openAction()->trigger();
    });
    if (QMenu *fileMenu = m_window->menuBar()->findChild<QMenu *>(QStringLiteral("fileMenu"))) {
        fileMenu->insertAction(fileMenu->actions().value(0), openDataset);
    } else {
        m_window->addAction(openDataset);
    }
}

void Application::installEvalRunsPanel()
{
    auto *dock = new QDockWidget(QObject::tr("Eval Runs"), m_window.get());
    dock->setObjectName(QStringLiteral("evalRunsDock"));
    m_evalRuns = new ui::EvalRunsPanel(dock);
    m_evalRuns->setProfileProvider([window = m_window.get()] { return window->currentProfile(); });
    m_evalRuns->setSecretStore(m_window->secretStore());
    if (m_workspace->isOpen())
        m_evalRuns->setWorkspace(m_workspace.get());
    dock->setWidget(m_evalRuns);
    m_window->addPanelDock(dock, Qt::BottomDockWidgetArea);
    // The bottom panels share one tabbed area, so the response view keeps its room.
    if (auto *datasetsDock = m_window->findChild<QDockWidget *>(QStringLiteral("datasetsDock")))
        m_window->tabifyDockWidget(datasetsDock, dock);

    QObject::connect(m_evalRuns, &ui::EvalRunsPanel::statusMessage, m_window.get(),
                     [window = m_window.get()](const QString &message) {
                         window->statusBar()->showMessage(message, 8000);
                     });
    // Ctrl+Shift+R works from anywhere in the window, and brings the panel up.
    QAction *start = m_evalRuns->startAction();
    m_window->addAction(start);
    QObject::connect(start, &QAction::triggered, dock, [dock] {
        dock->show();
        dock->raise();
    });
    // The offer to resume an unfinished run is a banner in the panel (never a modal dialog at
    // start-up): make sure it can be seen.
    if (m_evalRuns->isResumeBannerVisible()) {
        dock->show();
        dock->raise();
    }
    // Without a saved layout a bottom dock gets only its minimum height: give it room for the
    // runs list.
    if (QSettings().value(QStringLiteral("mainWindow/state")).isNull() && !dock->isHidden())
        m_window->resizeDocks({dock}, {380}, Qt::Vertical);
}

void Application::installResultsPanel()
{
    auto *dock = new QDockWidget(QObject::tr("Results"), m_window.get());
    dock->setObjectName(QStringLiteral("resultsDock"));
    m_results = new ui::ResultsPanel(dock);
    if (m_workspace->isOpen())
        m_results->setWorkspace(m_workspace.get());
    dock->setWidget(m_results);
    m_window->addPanelDock(dock, Qt::BottomDockWidgetArea);
    if (auto *evalRunsDock = m_window->findChild<QDockWidget *>(QStringLiteral("evalRunsDock"))) {
        m_window->tabifyDockWidget(evalRunsDock, dock);
        if (QSettings().value(QStringLiteral("mainWindow/state")).isNull())
            evalRunsDock->raise(); // first start: the panel that launches runs is in front
    }

    QObject::connect(m_results, &ui::ResultsPanel::statusMessage, m_window.get(),
                     [window = m_window.get()](const QString &message) {
                         window->statusBar()->showMessage(message, 8000);
                     });
    // The Eval Runs panel writes through its own EvalStore, whose runsChanged the Results panel's
    // store does not see: refresh when a run starts and ends.
    if (m_evalRuns) {
        QObject::connect(m_evalRuns, &ui::EvalRunsPanel::runStarted, m_results, &ui::ResultsPanel::refresh);
        QObject::connect(m_evalRuns, &ui::EvalRunsPanel::runFinished, m_results, &ui::ResultsPanel::refresh);
    }
    // Without a saved layout a bottom dock gets only its minimum height: give it room for the
    // charts the first time it shows.
    if (QSettings().value(QStringLiteral("mainWindow/state")).isNull()) {
        auto sized = std::make_shared<bool>(false);
        QObject::connect(dock, &QDockWidget::visibilityChanged, dock, [this, dock, sized](bool visible) {
            if (visible && !*sized) {
                *sized = true;
                m_window->resizeDocks({dock}, {460}, Qt::Vertical);
            }
        });
    }
}

void Application::installComparisonAction()
{
    auto *compare = new QAction(QObject::tr("New &Comparison from Prompt"), m_window.get());
    compare->setObjectName(QStringLiteral("newComparisonAction"));
    compare->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_K));
    compare->setToolTip(QObject::tr("Compare the playground's prompt side by side across variants, models and "
                                    "inputs (Ctrl+Shift+K)"));
    QObject::connect(compare, &QAction::triggered, m_window.get(), [this] { openComparison(); });
    if (QMenu *fileMenu = m_window->menuBar()->findChild<QMenu *>(QStringLiteral("fileMenu")))
        fileMenu->insertAction(fileMenu->actions().value(1), compare);
    m_window->addAction(compare);
}

void Application::openComparison()
{
    // Its own window: its Ctrl+Enter / Esc act on the comparison, not on the playground.
    auto *view = new ui::CompareView;
    view->setAttribute(Qt::WA_DeleteOnClose);
    view->setWindowTitle(QObject::tr("Compare — Assay"));
    if (m_workspace->isOpen())
        view->setWorkspace(m_workspace.get());
    view->setPricing(m_window->pricing());
    view->startFromPrompt(m_window->promptPanel()->conversation(), m_window->parametersPanel()->parameters(),
                          m_window->promptPanel()->variables());
    QObject::connect(view, &ui::CompareView::titleChanged, view, &QWidget::setWindowTitle);
    QObject::connect(view, &ui::CompareView::statusMessage, m_window.get(),
                     [window = m_window.get()](const QString &message) {
                         window->statusBar()->showMessage(message, 8000);
                     });
    QObject::connect(view, &ui::CompareView::datasetWritten, m_window.get(), [this](const QString &path) {
        if (m_datasets)
            m_datasets->openFile(path);
    });
    QObject::connect(view, &ui::CompareView::evalRunWritten, m_window.get(),
                     [this](const QString &evalPath, const QString &runPath) {
                         if (!m_evalRuns)
                             return;
                         m_evalRuns->setEvalFile(evalPath);
                         m_evalRuns->setRunFile(runPath);
                     });
    // The key is read as the playground reads it (keychain or this session's memory), then
    // handed to the view, which keeps it in memory only.
    const api::Profile profile = m_window->currentProfile();
    QPointer<ui::CompareView> target(view);
    m_window->secretStore()->readKey(profile, [target, profile](const QString &key, const QString &problem) {
        if (!target)
            return;
        target->setProfile(profile, key);
        if (key.isEmpty() && !problem.isEmpty())
            Q_EMIT target->statusMessage(QObject::tr("No API key for this profile: %1").arg(problem));
    });
    view->resize(1280, 820);
    view->show();
    view->raise();
    view->activateWindow();
}

} // namespace assay
