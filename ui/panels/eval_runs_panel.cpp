#include "ui/panels/eval_runs_panel.h"

#include <QAction>
#include <algorithm>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QFrame>
#include <QFuture>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QMessageBox>
#include <QPointer>
#include <QProgressBar>
#include <QPromise>
#include <QPushButton>
#include <QSaveFile>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardItemModel>
#include <QStyle>
#include <QTableView>
#include <QThreadPool>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include "models/api/api_client.h"
#include "models/api/secret_store.h"
#include "models/eval/python_sandbox.h"
#include "models/eval/run_summary.h"
#include "models/store/eval_store.h"
#include "models/store/workspace.h"

namespace assay::ui {

namespace {

using nlohmann::json;

// The figures first: a dock is often narrow, and names are long.
enum class RunColumn { Id, Model, Status, PassRate, Items, Eval, Run, Created, Count };
enum class CriterionColumn { Name, Passed, Failed, Count };

constexpr int kRunIdRole = Qt::UserRole + 1;
const QVariant kRightAligned = QVariant(static_cast<int>(Qt::AlignRight | Qt::AlignVCenter));
const QString kConsentGroup = QStringLiteral("evalRuns/pythonConsent/");
const QString kLastEvalKey = QStringLiteral("evalRuns/lastEvalFile");
const QString kLastRunKey = QStringLiteral("evalRuns/lastRunFile");

std::optional<json> readJson(const QString &path, QString *problem)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *problem = QObject::tr("%1: cannot read: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    const QByteArray bytes = file.readAll();
    json parsed = json::parse(bytes.begin(), bytes.end(), nullptr, false);
    if (parsed.is_discarded()) {
        *problem = QObject::tr("%1: not valid JSON").arg(path);
        return std::nullopt;
    }
    return parsed;
}

QString problemsText(const QString &file, const std::vector<eval::SpecProblem> &problems)
{
    QStringList lines;
    for (const eval::SpecProblem &problem : problems)
        lines << QStringLiteral("%1: %2: %3")
                     .arg(QFileInfo(file).fileName(), QString::fromStdString(problem.path),
                          QString::fromStdString(problem.message));
    if (lines.isEmpty())
        lines << QObject::tr("%1 is not valid").arg(QFileInfo(file).fileName());
    return lines.join(QLatin1Char('\n'));
}

void findPythonGraders(const json &node, const std::string &path, QStringList &found)
{
    if (node.is_object()) {
        if (node.value("type", json()) == json("python"))
            found << QString::fromStdString(node.value("name", path));
        for (const auto &[key, value] : node.items())
            findPythonGraders(value, path + "." + key, found);
    } else if (node.is_array()) {
        for (std::size_t i = 0; i < node.size(); ++i)
            findPythonGraders(node.at(i), path + "[" + std::to_string(i) + "]", found);
    }
}

QString percentText(qint64 part, qint64 whole)
{
    if (whole <= 0)
        return QStringLiteral("–");
    return QStringLiteral("%1%").arg(100.0 * static_cast<double>(part) / static_cast<double>(whole), 0, 'f', 1);
}

QString durationText(qint64 ms)
{
    const qint64 seconds = (ms + 999) / 1000;
    if (seconds < 60)
        return QObject::tr("%1 s").arg(seconds);
    if (seconds < 3600)
        return QStringLiteral("%1:%2").arg(seconds / 60).arg(seconds % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2:%3")
        .arg(seconds / 3600)
        .arg((seconds / 60) % 60, 2, 10, QLatin1Char('0'))
        .arg(seconds % 60, 2, 10, QLatin1Char('0'));
}

QLabel *counterLabel(const QString &objectName, QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setTextFormat(Qt::RichText);
    return label;
}

} // namespace

// What the worker thread hands back: the parsed definitions and the items, or why not.
struct EvalRunsPanel::Prepared {
    std::optional<qint64> resumeRunId;
    eval::EvalSpec eval;
    eval::RunSpec run;
    json evalDefinition;
    eval::LoadedItems loaded;
    QStringList pythonGraders;
    QString error;
};

EvalRunsPanel::EvalRunsPanel(QWidget *parent)
    : QWidget(parent), m_client(new api::ApiClient(this)), m_ownSecrets(new api::SecretStore(this)),
      m_secrets(m_ownSecrets)
{
    setObjectName(QStringLiteral("evalRunsPanel"));
    m_criteriaModel = new QStandardItemModel(0, static_cast<int>(CriterionColumn::Count), this);
    m_criteriaModel->setHorizontalHeaderLabels({tr("Criterion"), tr("Passed"), tr("Failed")});
    m_runsModel = new QStandardItemModel(0, static_cast<int>(RunColumn::Count), this);
    m_runsModel->setHorizontalHeaderLabels(
        {tr("ID"), tr("Model"), tr("Status"), tr("Pass rate"), tr("Items"), tr("Eval"), tr("Run"), tr("Created")});
    m_runsRefresh = new QTimer(this);
    m_runsRefresh->setSingleShot(true);
    m_runsRefresh->setInterval(250); // runsChanged may come once per committed item
    connect(m_runsRefresh, &QTimer::timeout, this, &EvalRunsPanel::refreshRuns);

    buildUi();
    const QSettings settings;
    m_evalEdit->setText(settings.value(kLastEvalKey).toString());
    m_runEdit->setText(settings.value(kLastRunKey).toString());
    setState(State::Idle);
    probeIsolation();
}

EvalRunsPanel::~EvalRunsPanel()
{
    // The runner's calls belong to the client, and it writes to the store: it goes first.
    m_runner.reset();
}

void EvalRunsPanel::buildUi()
{
    m_startAction = new QAction(style()->standardIcon(QStyle::SP_MediaPlay), tr("Start"), this);
    m_startAction->setObjectName(QStringLiteral("actionStartEvalRun"));
    m_startAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R));
    m_startAction->setShortcutContext(Qt::WindowShortcut);
    m_startAction->setToolTip(tr("Start a run of the eval (Ctrl+Shift+R)"));
    connect(m_startAction, &QAction::triggered, this, &EvalRunsPanel::start);
    addAction(m_startAction);

    m_pauseAction = new QAction(style()->standardIcon(QStyle::SP_MediaPause), tr("Pause"), this);
    m_pauseAction->setObjectName(QStringLiteral("actionPauseEvalRun"));
    m_pauseAction->setToolTip(tr("Send no new requests; those in flight finish"));
    connect(m_pauseAction, &QAction::triggered, this, &EvalRunsPanel::togglePause);

    m_stopAction = new QAction(style()->standardIcon(QStyle::SP_MediaStop), tr("Stop"), this);
    m_stopAction->setObjectName(QStringLiteral("actionStopEvalRun"));
    m_stopAction->setToolTip(tr("Cancel the run; the items that finished are kept"));
    connect(m_stopAction, &QAction::triggered, this, &EvalRunsPanel::stop);

    auto saveAction = [this](const QString &text, const QString &objectName, const QKeySequence &shortcut,
                             const QString &what, Definition which) {
        auto *action = new QAction(style()->standardIcon(QStyle::SP_DialogSaveButton), text, this);
        action->setObjectName(objectName);
        action->setShortcut(shortcut);
        // Only while the panel has focus: Ctrl+Alt+letters elsewhere belong to their own widgets.
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        action->setToolTip(QStringLiteral("%1 (%2)").arg(what, shortcut.toString(QKeySequence::NativeText)));
        connect(action, &QAction::triggered, this, [this, which] { askSavePath(which); });
        addAction(action);
        return action;
    };
    m_saveEvalAction = saveAction(tr("Save Eval As…"), QStringLiteral("actionSaveEvalAs"),
                                  QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_E),
                                  tr("Save the eval as a CreateEvalRequest JSON file"), Definition::Eval);
    m_saveRunAction = saveAction(tr("Save Run As…"), QStringLiteral("actionSaveRunAs"),
                                 QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_U),
                                 tr("Save the run as it would start (with the Model typed here) as a "
                                    "CreateEvalRunRequest JSON file"),
                                 Definition::Run);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->setSpacing(6);
    layout->addWidget(createBanner());
    layout->addWidget(createForm());
    layout->addWidget(createProgressRow());

    m_messageLabel = new QLabel(this);
    m_messageLabel->setObjectName(QStringLiteral("evalRunMessage"));
    m_messageLabel->setWordWrap(true);
    m_messageLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_messageLabel->hide();
    layout->addWidget(m_messageLabel);

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    m_criteriaView = new QTableView(splitter);
    m_criteriaView->setObjectName(QStringLiteral("criteriaView"));
    m_criteriaView->setModel(m_criteriaModel);
    m_criteriaView->verticalHeader()->hide();
    m_criteriaView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_criteriaView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_criteriaView->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_criteriaView->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_criteriaView->horizontalHeader()->setSectionResizeMode(2, QHeaderView::ResizeToContents);

    m_runsView = new QTableView(splitter);
    m_runsView->setObjectName(QStringLiteral("runsView"));
    m_runsView->setModel(m_runsModel);
    m_runsView->verticalHeader()->hide();
    m_runsView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_runsView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_runsView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_runsView->horizontalHeader()->setStretchLastSection(true);
    m_runsView->setToolTip(tr("Double-click an unfinished run to resume it"));
    connect(m_runsView, &QTableView::doubleClicked, this, [this](const QModelIndex &index) {
        const QModelIndex first = m_runsModel->index(index.row(), 0);
        const qint64 id = first.data(kRunIdRole).toLongLong();
        const QString status = m_runsModel->index(index.row(), static_cast<int>(RunColumn::Status)).data().toString();
        if (id > 0 && (status == QLatin1String("in_progress") || status == QLatin1String("queued")))
            resumeRun(id);
    });
    // While idle, the counters show the run selected in the list (the newest by default).
    connect(m_runsView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                if (m_state != State::Idle || !current.isValid() || !m_store)
                    return;
                showStoredRun(m_runsModel->index(current.row(), 0).data(kRunIdRole).toLongLong());
            });
    splitter->addWidget(m_criteriaView);
    splitter->addWidget(m_runsView);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 2);
    m_criteriaView->setWordWrap(false);
    m_criteriaView->setMinimumWidth(260);
    layout->addWidget(splitter, 1);
}

QWidget *EvalRunsPanel::createBanner()
{
    m_banner = new QFrame(this);
    m_banner->setObjectName(QStringLiteral("resumeBanner"));
    m_banner->setFrameShape(QFrame::StyledPanel);
    m_banner->setAutoFillBackground(true);
    QPalette palette = m_banner->palette();
    palette.setColor(QPalette::Window, palette.color(QPalette::ToolTipBase));
    palette.setColor(QPalette::WindowText, palette.color(QPalette::ToolTipText));
    m_banner->setPalette(palette);
    auto *layout = new QHBoxLayout(m_banner);
    layout->setContentsMargins(8, 4, 8, 4);
    m_bannerText = new QLabel(m_banner);
    m_bannerText->setWordWrap(true);
    layout->addWidget(m_bannerText, 1);
    m_bannerResume = new QPushButton(m_banner);
    m_bannerResume->setObjectName(QStringLiteral("resumeBannerButton"));
    connect(m_bannerResume, &QPushButton::clicked, this, [this] {
        if (m_bannerRunId > 0)
            resumeRun(m_bannerRunId);
    });
    layout->addWidget(m_bannerResume);
    auto *dismiss = new QPushButton(tr("Dismiss"), m_banner);
    connect(dismiss, &QPushButton::clicked, this, [this] {
        m_bannerDismissed = true;
        m_banner->hide();
    });
    layout->addWidget(dismiss);
    m_banner->hide();
    return m_banner;
}

QWidget *EvalRunsPanel::createForm()
{
    auto *form = new QWidget(this);
    auto *grid = new QFormLayout(form);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);

    auto fileRow = [&](QLineEdit *&edit, const QString &objectName, const QString &placeholder,
                       void (EvalRunsPanel::*browse)()) {
        auto *row = new QWidget(form);
        auto *h = new QHBoxLayout(row);
        h->setContentsMargins(0, 0, 0, 0);
        edit = new QLineEdit(row);
        edit->setObjectName(objectName);
        edit->setPlaceholderText(placeholder);
        edit->setClearButtonEnabled(true);
        h->addWidget(edit, 1);
        auto *button = new QToolButton(row);
        button->setText(tr("Browse…"));
        connect(button, &QToolButton::clicked, this, browse);
        h->addWidget(button);
        return row;
    };
    QWidget *evalRow = fileRow(m_evalEdit, QStringLiteral("evalFileEdit"),
                               tr("eval.json (CreateEvalRequest: data_source_config, testing_criteria)"),
                               &EvalRunsPanel::browseEval);
    auto *examples = new QToolButton(evalRow);
    examples->setObjectName(QStringLiteral("examplesButton"));
    examples->setText(tr("Examples"));
    examples->setPopupMode(QToolButton::InstantPopup);
    populateExamples(examples);
    evalRow->layout()->addWidget(examples);
    auto saveButton = [](QAction *action, QWidget *row) {
        auto *button = new QToolButton(row);
        button->setDefaultAction(action);
        button->setToolButtonStyle(Qt::ToolButtonIconOnly);
        row->layout()->addWidget(button);
    };
    saveButton(m_saveEvalAction, evalRow);
    grid->addRow(tr("&Eval"), evalRow);
    QWidget *runRow = fileRow(m_runEdit, QStringLiteral("runFileEdit"),
                              tr("run.json (CreateEvalRunRequest: data_source with model, input_messages, source)"),
                              &EvalRunsPanel::browseRun);
    saveButton(m_saveRunAction, runRow);
    grid->addRow(tr("R&un"), runRow);

    auto *options = new QWidget(form);
    auto *h = new QHBoxLayout(options);
    h->setContentsMargins(0, 0, 0, 0);
    m_modelEdit = new QLineEdit(options);
    m_modelEdit->setObjectName(QStringLiteral("modelOverrideEdit"));
    m_modelEdit->setPlaceholderText(tr("the run's model"));
    m_modelEdit->setClearButtonEnabled(true);
    h->addWidget(m_modelEdit, 1);
    auto *concurrencyLabel = new QLabel(tr("&Concurrency"), options);
    h->addWidget(concurrencyLabel);
    m_concurrencySpin = new QSpinBox(options);
    m_concurrencySpin->setObjectName(QStringLiteral("concurrencySpin"));
    m_concurrencySpin->setRange(1, 64);
    m_concurrencySpin->setValue(8);
    m_concurrencySpin->setToolTip(tr("Items sampled at the same time"));
    concurrencyLabel->setBuddy(m_concurrencySpin);
    h->addWidget(m_concurrencySpin);
    h->addSpacing(12);
    for (QAction *action : {m_startAction, m_pauseAction, m_stopAction}) {
        auto *button = new QToolButton(options);
        button->setDefaultAction(action);
        button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
        if (action == m_startAction) {
            QFont bold = button->font();
            bold.setWeight(QFont::DemiBold);
            button->setFont(bold);
        }
        h->addWidget(button);
    }
    grid->addRow(tr("&Model"), options);
    return form;
}

QWidget *EvalRunsPanel::createProgressRow()
{
    auto *row = new QWidget(this);
    auto *h = new QHBoxLayout(row);
    h->setContentsMargins(0, 0, 0, 0);
    m_progressBar = new QProgressBar(row);
    m_progressBar->setObjectName(QStringLiteral("evalRunProgress"));
    m_progressBar->setRange(0, 1);
    m_progressBar->setValue(0);
    m_progressBar->setFormat(tr("%v / %m items"));
    h->addWidget(m_progressBar, 1);
    m_etaLabel = new QLabel(row);
    m_etaLabel->setObjectName(QStringLiteral("etaLabel"));
    m_etaLabel->setMinimumWidth(90);
    h->addWidget(m_etaLabel);
    m_passedLabel = counterLabel(QStringLiteral("passedLabel"), row);
    m_failedLabel = counterLabel(QStringLiteral("failedLabel"), row);
    m_erroredLabel = counterLabel(QStringLiteral("erroredLabel"), row);
    m_passRateLabel = counterLabel(QStringLiteral("passRateLabel"), row);
    for (QLabel *label : {m_passedLabel, m_failedLabel, m_erroredLabel, m_passRateLabel})
        h->addWidget(label);
    showProgress({});
    return row;
}

void EvalRunsPanel::populateExamples(QToolButton *button)
{
    auto *menu = new QMenu(button);
    // Bundled examples: resources/evals/NAME.eval.json with NAME.run.json beside it (or any eval
    // and run definitions there, told apart by their content).
    const QDir dir(QStringLiteral(":/evals"));
    QStringList evals;
    QStringList runs;
    QHash<QString, QString> titles;
    for (const QString &name : dir.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name)) {
        QString problem;
        const std::optional<json> content = readJson(dir.filePath(name), &problem);
        if (!content || !content->is_object())
            continue;
        if (content->contains("testing_criteria")) {
            evals << name;
            titles.insert(name, QString::fromStdString(content->value("name", std::string())));
        }
        else if (content->contains("data_source"))
            runs << name;
    }
    for (const QString &evalName : std::as_const(evals)) {
        const QString stem = evalName.section(QLatin1Char('.'), 0, 0);
        QString runName;
        for (const QString &candidate : std::as_const(runs)) {
            if (candidate.section(QLatin1Char('.'), 0, 0) == stem ||
                candidate.startsWith(stem.section(QLatin1Char('_'), 0, -2) + QLatin1Char('_'))) {
                runName = candidate;
                break;
            }
        }
        const QString title = titles.value(evalName);
        QAction *action = menu->addAction(title.isEmpty() ? stem : title);
        connect(action, &QAction::triggered, this, [this, dir, evalName, runName] {
            setEvalFile(dir.filePath(evalName));
            if (!runName.isEmpty())
                setRunFile(dir.filePath(runName));
        });
    }
    if (menu->isEmpty()) {
        QAction *none = menu->addAction(tr("No examples in this build"));
        none->setEnabled(false);
    }
    button->setMenu(menu);
}

void EvalRunsPanel::setWorkspace(store::Workspace *workspace)
{
    if (m_runner)
        return; // not while a run writes to the current one
    m_store.reset();
    m_workspace = workspace;
    if (workspace && workspace->isOpen()) {
        m_store = std::make_unique<store::EvalStore>(*workspace);
        connect(m_store.get(), &store::EvalStore::runsChanged, m_runsRefresh, qOverload<>(&QTimer::start));
    }
    refreshRuns();
    setState(m_state);
}

void EvalRunsPanel::setProfileProvider(std::function<api::Profile()> provider)
{
    m_profileProvider = std::move(provider);
}

void EvalRunsPanel::setSecretStore(api::SecretStore *secrets)
{
    m_secrets = secrets ? secrets : m_ownSecrets;
}

void EvalRunsPanel::setEvalFile(const QString &path)
{
    m_evalEdit->setText(path);
}

void EvalRunsPanel::setRunFile(const QString &path)
{
    m_runEdit->setText(path);
}

QString EvalRunsPanel::evalFile() const
{
    return m_evalEdit->text().trimmed();
}

QString EvalRunsPanel::runFile() const
{
    return m_runEdit->text().trimmed();
}

void EvalRunsPanel::setModelOverride(const QString &model)
{
    m_modelEdit->setText(model);
}

void EvalRunsPanel::setConcurrency(int concurrency)
{
    m_concurrencySpin->setValue(concurrency);
}

QString EvalRunsPanel::messageText() const
{
    return m_messageLabel->isVisible() ? m_messageLabel->text() : QString();
}

bool EvalRunsPanel::isResumeBannerVisible() const
{
    return !m_banner->isHidden();
}

QString EvalRunsPanel::consentKey(const json &evalDefinition)
{
    const QByteArray canonical = QByteArray::fromStdString(evalDefinition.dump());
    return kConsentGroup + QString::fromLatin1(QCryptographicHash::hash(canonical, QCryptographicHash::Sha256).toHex());
}

void EvalRunsPanel::browseEval()
{
    auto *dialog = new QFileDialog(this, tr("Choose an eval"), QFileInfo(evalFile()).absolutePath(),
                                   tr("Eval definitions (*.json);;All files (*)"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::ExistingFile);
    connect(dialog, &QFileDialog::fileSelected, this, &EvalRunsPanel::setEvalFile);
    dialog->open();
}

void EvalRunsPanel::browseRun()
{
    auto *dialog = new QFileDialog(this, tr("Choose a run"), QFileInfo(runFile()).absolutePath(),
                                   tr("Run definitions (*.json);;All files (*)"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::ExistingFile);
    connect(dialog, &QFileDialog::fileSelected, this, &EvalRunsPanel::setRunFile);
    dialog->open();
}

void EvalRunsPanel::saveEvalAs()
{
    askSavePath(Definition::Eval);
}

void EvalRunsPanel::saveRunAs()
{
    askSavePath(Definition::Run);
}

void EvalRunsPanel::saveEvalTo(const QString &path)
{
    saveDefinition(Definition::Eval, path);
}

void EvalRunsPanel::saveRunTo(const QString &path)
{
    saveDefinition(Definition::Run, path);
}

void EvalRunsPanel::askSavePath(Definition which)
{
    const QString source = which == Definition::Eval ? evalFile() : runFile();
    if (source.isEmpty()) {
        showMessage(which == Definition::Eval ? tr("Choose an eval file first.") : tr("Choose a run file first."), true);
        return;
    }
    const QFileInfo info(source);
    const QString suggested = info.dir().filePath(info.completeBaseName() + QStringLiteral("-copy.json"));
    auto *dialog = new QFileDialog(this, which == Definition::Eval ? tr("Save Eval As") : tr("Save Run As"), suggested,
                                   tr("JSON (*.json);;All files (*)"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setDefaultSuffix(QStringLiteral("json"));
    connect(dialog, &QFileDialog::fileSelected, this,
            [this, which](const QString &path) { saveDefinition(which, path); });
    dialog->open();
}

void EvalRunsPanel::saveDefinition(Definition which, const QString &path)
{
    const QString source = which == Definition::Eval ? evalFile() : runFile();
    const QString model = m_modelEdit->text().trimmed();
    if (source.isEmpty()) {
        const QString problem =
            which == Definition::Eval ? tr("Choose an eval file first.") : tr("Choose a run file first.");
        showMessage(problem, true);
        Q_EMIT definitionSaveFailed(path, problem);
        return;
    }
    // Reading, parsing and writing a definition with 100k inline items takes a while: off the GUI thread.
    auto promise = std::make_shared<QPromise<QString>>();
    QFuture<QString> future = promise->future();
    promise->start();
    QThreadPool::globalInstance()->start([promise, which, source, model, path]() {
        auto done = [&](const QString &problem) {
            promise->addResult(problem);
            promise->finish();
        };
        QString problem;
        const std::optional<json> content = readJson(source, &problem);
        if (!content)
            return done(problem);
        std::vector<eval::SpecProblem> problems;
        json body;
        if (which == Definition::Eval) {
            const std::optional<eval::EvalSpec> spec = eval::EvalSpec::parse(*content, &problems);
            if (!spec)
                return done(problemsText(source, problems));
            // As read, unless it is an exported Eval object (id, object, schema): running the saved
            // file then finds the same stored eval version.
            body = content->contains("object") || content->contains("id") ? spec->toJson() : *content;
        } else {
            std::optional<eval::RunSpec> spec =
                eval::RunSpec::parse(*content, QFileInfo(source).absolutePath(), &problems);
            if (!spec)
                return done(problemsText(source, problems));
            if (!model.isEmpty())
                spec->model = model.toStdString();
            body = spec->toJson();
        }
        // nlohmann::json keeps keys sorted: the same definition always saves to the same bytes.
        const QByteArray bytes =
            QByteArray::fromStdString(body.dump(2, ' ', false, json::error_handler_t::replace)) + '\n';
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
            return done(QObject::tr("Cannot write %1: %2").arg(path, file.errorString()));
        done(QString());
    });
    future.then(this, [this, path, which](const QString &problem) {
        if (!problem.isEmpty()) {
            showMessage(problem, true);
            Q_EMIT definitionSaveFailed(path, problem);
            return;
        }
        const QString text = which == Definition::Eval ? tr("Saved the eval as %1").arg(path)
                                                       : tr("Saved the run as %1").arg(path);
        showMessage(text);
        Q_EMIT statusMessage(text);
        Q_EMIT definitionSaved(path);
    });
}

void EvalRunsPanel::start()
{
    if (m_state != State::Idle)
        return;
    if (!m_store) {
        showMessage(tr("No workspace is open, so runs cannot be stored."), true);
        return;
    }
    const QString evalPath = evalFile();
    const QString runPath = runFile();
    if (evalPath.isEmpty() || runPath.isEmpty()) {
        showMessage(tr("Choose an eval file and a run file first."), true);
        return;
    }
    QSettings settings;
    settings.setValue(kLastEvalKey, evalPath);
    settings.setValue(kLastRunKey, runPath);
    const QString model = m_modelEdit->text().trimmed();
    prepare([evalPath, runPath, model]() {
        auto prepared = std::make_shared<Prepared>();
        QString problem;
        const std::optional<json> evalJson = readJson(evalPath, &problem);
        if (!evalJson) {
            prepared->error = problem;
            return prepared;
        }
        std::vector<eval::SpecProblem> problems;
        std::optional<eval::EvalSpec> evalSpec = eval::EvalSpec::parse(*evalJson, &problems);
        if (!evalSpec) {
            prepared->error = problemsText(evalPath, problems);
            return prepared;
        }
        const std::optional<json> runJson = readJson(runPath, &problem);
        if (!runJson) {
            prepared->error = problem;
            return prepared;
        }
        problems.clear();
        std::optional<eval::RunSpec> runSpec =
            eval::RunSpec::parse(*runJson, QFileInfo(runPath).absolutePath(), &problems);
        if (!runSpec) {
            prepared->error = problemsText(runPath, problems);
            return prepared;
        }
        if (!model.isEmpty())
            runSpec->model = model.toStdString();
        if (runSpec->model.empty()) {
            prepared->error = QObject::tr("%1 names no model: type one in Model.").arg(QFileInfo(runPath).fileName());
            return prepared;
        }
        eval::LoadedItems loaded = eval::loadRunItems(*runSpec);
        if (loaded.error) {
            prepared->error = QString::fromStdString(*loaded.error);
            return prepared;
        }
        if (loaded.items.empty()) {
            prepared->error = QObject::tr("The run has no items.");
            return prepared;
        }
        findPythonGraders(evalSpec->testingCriteria, "$.testing_criteria", prepared->pythonGraders);
        prepared->evalDefinition = evalSpec->toJson();
        prepared->eval = std::move(*evalSpec);
        prepared->run = std::move(*runSpec);
        prepared->loaded = std::move(loaded);
        return prepared;
    });
}

void EvalRunsPanel::resumeRun(qint64 runId)
{
    if (m_state != State::Idle || !m_store)
        return;
    const std::optional<store::RunRecord> record = m_store->run(runId);
    if (!record) {
        showMessage(tr("Run %1 is not in the workspace.").arg(runId), true);
        return;
    }
    const std::optional<store::EvalRecord> evalRecord = m_store->eval(record->evalId);
    const json runSpecJson = record->runSpec;
    const json evalDefinition = evalRecord ? evalRecord->definition : json::object();
    const QString datasetPath = record->datasetPath;
    m_banner->hide();
    prepare([runId, runSpecJson, evalDefinition, datasetPath]() {
        auto prepared = std::make_shared<Prepared>();
        prepared->resumeRunId = runId;
        std::vector<eval::SpecProblem> problems;
        std::optional<eval::RunSpec> runSpec = eval::RunSpec::parse(runSpecJson, QString(), &problems);
        if (!runSpec) {
            prepared->error = problemsText(QObject::tr("run %1").arg(runId), problems);
            return prepared;
        }
        const QString dataFile =
            !datasetPath.isEmpty() && QFileInfo::exists(datasetPath) ? datasetPath : QString();
        eval::LoadedItems loaded = eval::loadRunItems(*runSpec, dataFile);
        if (loaded.error) {
            prepared->error = QString::fromStdString(*loaded.error);
            return prepared;
        }
        findPythonGraders(evalDefinition.value("testing_criteria", json::array()), "$.testing_criteria",
                          prepared->pythonGraders);
        prepared->evalDefinition = evalDefinition;
        prepared->run = std::move(*runSpec);
        prepared->loaded = std::move(loaded);
        return prepared;
    });
}

void EvalRunsPanel::prepare(std::function<std::shared_ptr<Prepared>()> work)
{
    const quint64 token = ++m_token;
    setState(State::Preparing);
    showMessage(tr("Reading the eval and its items…"));
    auto promise = std::make_shared<QPromise<std::shared_ptr<Prepared>>>();
    QFuture<std::shared_ptr<Prepared>> future = promise->future();
    promise->start();
    QThreadPool::globalInstance()->start([promise, work = std::move(work)]() {
        promise->addResult(work());
        promise->finish();
    });
    // The continuation runs on this panel's thread, and not at all once the panel is gone.
    future.then(this, [this, token](const std::shared_ptr<Prepared> &prepared) {
        if (token == m_token && m_state == State::Preparing)
            onPrepared(prepared);
    });
}

void EvalRunsPanel::onPrepared(const std::shared_ptr<Prepared> &prepared)
{
    if (!prepared->error.isEmpty()) {
        setState(State::Idle);
        showMessage(prepared->error, true);
        return;
    }
    if (!prepared->pythonGraders.isEmpty() &&
        !QSettings().value(consentKey(prepared->evalDefinition), false).toBool()) {
        askPythonConsent(prepared);
        return;
    }
    readKeyAndLaunch(prepared);
}

void EvalRunsPanel::askPythonConsent(const std::shared_ptr<Prepared> &prepared)
{
    QString isolation;
    if (m_networkIsolated.value_or(false))
        isolation = tr("It runs without network access (in a network namespace of its own).");
    else if (m_networkIsolated)
        isolation = eval::PythonSandbox::isolationUnavailableMessage();
    else
        isolation = tr("Whether its network can be cut off is still being checked: assume it has network access.");
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Run python graders?"),
                                tr("This eval has python graders (%1). Their code runs on this computer, in a "
                                   "separate python3 process without your API keys, for at most 2 minutes and "
                                   "2 GB per item.")
                                    .arg(prepared->pythonGraders.join(QStringLiteral(", "))),
                                QMessageBox::NoButton, this);
    box->setObjectName(QStringLiteral("pythonConsentBox"));
    box->setInformativeText(isolation + QLatin1Char('\n') +
                            tr("Run them only if you trust where this eval came from. Your answer is remembered "
                               "for this eval definition."));
    QPushButton *allow = box->addButton(tr("Run python graders"), QMessageBox::AcceptRole);
    box->addButton(QMessageBox::Cancel);
    box->setDefaultButton(QMessageBox::Cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    const quint64 token = m_token;
    connect(box, &QMessageBox::finished, this, [this, box, allow, prepared, token](int) {
        if (token != m_token || m_state != State::Preparing)
            return;
        if (box->clickedButton() != allow) {
            setState(State::Idle);
            showMessage(tr("Not started: the python graders need your consent."), true);
            return;
        }
        QSettings().setValue(consentKey(prepared->evalDefinition), true);
        readKeyAndLaunch(prepared);
    });
    box->open();
}

void EvalRunsPanel::readKeyAndLaunch(const std::shared_ptr<Prepared> &prepared)
{
    const api::Profile profile = m_profileProvider ? m_profileProvider() : api::Profile{};
    api::SecretStore *secrets = m_secrets ? m_secrets.data() : m_ownSecrets;
    QPointer<EvalRunsPanel> self(this);
    const quint64 token = m_token;
    showMessage(tr("Reading the API key for %1…").arg(profile.name));
    secrets->readKey(profile, [self, token, prepared, profile](const QString &key, const QString &problem) {
        EvalRunsPanel *panel = self.data();
        if (!panel || token != panel->m_token || panel->m_state != State::Preparing)
            return; // stopped, or another run began, while the keychain answered
        if (key.isEmpty() && profile.keySource != api::Profile::KeySource::None) {
            panel->setState(State::Idle);
            panel->showMessage(problem.isEmpty() ? tr("No API key for profile \"%1\": set OPENAI_API_KEY or enter "
                                                      "a key in Connection ▸ Manage profiles…")
                                                       .arg(profile.name)
                                                 : problem,
                               true);
            return;
        }
        panel->launch(prepared, profile, key);
    });
}

void EvalRunsPanel::launch(const std::shared_ptr<Prepared> &prepared, const api::Profile &profile,
                           const QString &key)
{
    if (!m_store) {
        setState(State::Idle);
        showMessage(tr("No workspace is open, so runs cannot be stored."), true);
        return;
    }
    m_runner = std::make_unique<eval::EvalRunner>(*m_client, *m_store);
    connect(m_runner.get(), &eval::EvalRunner::progressChanged, this, &EvalRunsPanel::onProgress);
    connect(m_runner.get(), &eval::EvalRunner::finished, this, &EvalRunsPanel::onFinished);
    eval::RunnerOptions options;
    options.concurrency = m_concurrencySpin->value();
    options.allowPython = !prepared->pythonGraders.isEmpty(); // consent was given to get here
    QString error;
    std::optional<qint64> runId;
    const qint64 itemCount = static_cast<qint64>(prepared->loaded.items.size());
    // The state flips first: the runner may report (even finish) from inside start().
    setState(State::Running);
    if (prepared->resumeRunId) {
        if (m_runner->resume(*prepared->resumeRunId, std::move(prepared->loaded), profile, key, options, &error))
            runId = prepared->resumeRunId;
    } else {
        runId = m_runner->start(prepared->eval, prepared->run, std::move(prepared->loaded), profile, key, options,
                                &error);
    }
    if (!runId) {
        m_runner.release()->deleteLater();
        setState(State::Idle);
        showMessage(error.isEmpty() ? tr("The run could not start.") : error, true);
        return;
    }
    if (m_state != State::Running)
        return; // finished inside start()
    m_runId = *runId;
    const std::optional<store::RunRecord> record = m_store->run(m_runId);
    showMessage(tr("Run %1 %2: %3 (%4, %n item(s))", nullptr, static_cast<int>(itemCount))
                    .arg(m_runId)
                    .arg(prepared->resumeRunId ? tr("resumed") : tr("started"))
                    .arg(record ? record->name : QString::fromStdString(prepared->run.name),
                         record ? record->model : QString::fromStdString(prepared->run.model)));
    showProgress(m_runner->progress());
    Q_EMIT runStarted(m_runId);
    refreshRuns();
}

void EvalRunsPanel::onProgress(const eval::RunProgress &progress)
{
    if (progress.runId > 0)
        m_runId = progress.runId;
    showProgress(progress);
}

void EvalRunsPanel::onFinished(qint64 runId, const eval::RunSummary &summary, const QString &status)
{
    // Why a run failed (a refused key, a write the disk refused), read before the runner goes.
    QString reason = m_runner && status == QLatin1String("failed") ? m_runner->errorMessage() : QString();
    while (reason.endsWith(QLatin1Char('.'))) // the API's messages end with one; ours adds its own
        reason.chop(1);
    if (m_runner) {
        eval::RunProgress last = m_runner->progress();
        last.runId = runId;
        last.inFlight = 0;
        last.etaMs.reset();
        showProgress(last);
        // Still inside its signal: let go of it from the event loop.
        m_runner.release()->deleteLater();
    }
    m_runId = runId;
    m_lastStatus = status;
    setState(State::Idle);
    const QString counts = tr("%1 of %2 passed (%3), %4 failed, %5 errored")
                               .arg(summary.passed)
                               .arg(summary.total)
                               .arg(percentText(summary.passed, summary.total))
                               .arg(summary.failed)
                               .arg(summary.errored);
    if (reason.isEmpty()) {
        showMessage(tr("Run %1 %2: %3").arg(runId).arg(status, counts), status == QLatin1String("failed"));
    } else {
        showMessage(tr("Run %1 failed: %2. %3. Double-click it to resume once that is fixed.")
                        .arg(runId)
                        .arg(reason, counts),
                    true);
    }
    Q_EMIT statusMessage(tr("Eval run %1 %2").arg(runId).arg(status));
    Q_EMIT runFinished(runId, status);
    refreshRuns();
}

void EvalRunsPanel::togglePause()
{
    if (!m_runner || m_state != State::Running)
        return;
    if (m_runner->progress().paused || m_pauseAction->text() == tr("Resume")) {
        m_runner->unpause();
        m_pauseAction->setText(tr("Pause"));
        m_pauseAction->setIcon(style()->standardIcon(QStyle::SP_MediaPause));
    } else {
        m_runner->pause();
        m_pauseAction->setText(tr("Resume"));
        m_pauseAction->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
    }
    showProgress(m_runner->progress());
}

void EvalRunsPanel::stop()
{
    if (m_state == State::Preparing) {
        ++m_token; // the worker's or the keychain's late answer is dropped
        setState(State::Idle);
        showMessage(tr("Not started."));
        return;
    }
    if (m_state == State::Running && m_runner) {
        showMessage(tr("Stopping run %1; the items that finished are kept…").arg(m_runId));
        m_runner->cancel();
    }
}

void EvalRunsPanel::setState(State state)
{
    m_state = state;
    const bool idle = state == State::Idle;
    m_startAction->setEnabled(idle && m_store);
    m_pauseAction->setEnabled(state == State::Running);
    m_stopAction->setEnabled(!idle);
    if (idle) {
        m_pauseAction->setText(tr("Pause"));
        m_pauseAction->setIcon(style()->standardIcon(QStyle::SP_MediaPause));
    }
    for (QWidget *input : {static_cast<QWidget *>(m_evalEdit), static_cast<QWidget *>(m_runEdit),
                           static_cast<QWidget *>(m_modelEdit), static_cast<QWidget *>(m_concurrencySpin)})
        input->setEnabled(idle);
    updateBanner();
}

void EvalRunsPanel::showMessage(const QString &text, bool error)
{
    m_messageLabel->setText(text);
    QPalette palette = this->palette();
    if (error)
        palette.setColor(QPalette::WindowText, QColor(0xb0, 0x20, 0x20));
    m_messageLabel->setPalette(palette);
    m_messageLabel->setVisible(!text.isEmpty());
}

void EvalRunsPanel::showProgress(const eval::RunProgress &p)
{
    m_progress = p;
    m_progressBar->setRange(0, static_cast<int>(std::max<qint64>(p.total, 1)));
    m_progressBar->setValue(static_cast<int>(std::min<qint64>(p.done, std::max<qint64>(p.total, 1))));
    if (p.total <= 0)
        m_progressBar->setValue(0);
    QString eta;
    if (p.paused)
        eta = tr("paused");
    else if (!p.waitingReason.isEmpty())
        eta = p.waitingReason;
    else if (p.etaMs && p.done < p.total)
        eta = tr("ETA %1").arg(durationText(*p.etaMs));
    m_etaLabel->setText(eta);
    m_passedLabel->setText(tr("Passed <b>%1</b>").arg(p.passed));
    m_failedLabel->setText(tr("Failed <b>%1</b>").arg(p.failed));
    m_erroredLabel->setText(tr("Errored <b>%1</b>").arg(p.errored));
    m_passRateLabel->setText(tr("Pass rate <b>%1</b>").arg(percentText(p.passed, p.done)));

    m_criteriaModel->setRowCount(static_cast<int>(p.perCriterion.size()));
    for (int row = 0; row < static_cast<int>(p.perCriterion.size()); ++row) {
        const auto &criterion = p.perCriterion.at(static_cast<std::size_t>(row));
        auto set = [&](CriterionColumn column, const QVariant &value) {
            const QModelIndex index = m_criteriaModel->index(row, static_cast<int>(column));
            if (index.data() != value)
                m_criteriaModel->setData(index, value);
            if (column != CriterionColumn::Name)
                m_criteriaModel->setData(index, kRightAligned, Qt::TextAlignmentRole);
        };
        set(CriterionColumn::Name, QString::fromStdString(criterion.name));
        set(CriterionColumn::Passed, criterion.passed);
        set(CriterionColumn::Failed, criterion.failed);
    }
}

void EvalRunsPanel::refreshRuns()
{
    m_runsRefresh->stop();
    if (!m_store) {
        m_runsModel->setRowCount(0);
        updateBanner();
        return;
    }
    const QList<store::RunRecord> runs = m_store->runs();
    QHash<qint64, QString> evalNames;
    const qint64 selected = m_runsView->currentIndex().isValid()
                                ? m_runsModel->index(m_runsView->currentIndex().row(), 0).data(kRunIdRole).toLongLong()
                                : 0;
    m_runsModel->setRowCount(static_cast<int>(runs.size()));
    for (int row = 0; row < static_cast<int>(runs.size()); ++row) {
        const store::RunRecord &run = runs.at(row);
        if (!evalNames.contains(run.evalId)) {
            const std::optional<store::EvalRecord> record = m_store->eval(run.evalId);
            evalNames.insert(run.evalId, record ? record->name : QString());
        }
        const eval::RunSummary summary =
            run.summary.is_object() ? eval::RunSummary::fromJson(run.summary) : eval::RunSummary{};
        const bool unfinished =
            run.status == QLatin1String("in_progress") || run.status == QLatin1String("queued");
        const qint64 done = unfinished ? m_store->finishedItemIds(run.id).size() : summary.total;
        const QString items = run.totalItems > 0 && done != run.totalItems
                                  ? QStringLiteral("%1/%2").arg(done).arg(run.totalItems)
                                  : QString::number(std::max(done, run.totalItems));
        QString status = run.status;
        if (run.source == QLatin1String("imported"))
            status += tr(" (imported)");
        const QStringList cells{QString::number(run.id),
                                run.model,
                                status,
                                percentText(summary.passed, summary.total),
                                items,
                                evalNames.value(run.evalId),
                                run.name,
                                QLocale().toString(run.createdAt.toLocalTime(), QLocale::ShortFormat)};
        for (int column = 0; column < cells.size(); ++column) {
            const QModelIndex index = m_runsModel->index(row, column);
            if (index.data().toString() != cells.at(column))
                m_runsModel->setData(index, cells.at(column));
        }
        m_runsModel->setData(m_runsModel->index(row, 0), run.id, kRunIdRole);
        for (RunColumn column : {RunColumn::Id, RunColumn::PassRate, RunColumn::Items})
            m_runsModel->setData(m_runsModel->index(row, static_cast<int>(column)),
                                 kRightAligned, Qt::TextAlignmentRole);
        if (run.id == selected || (selected == 0 && row == 0 && m_state == State::Idle))
            m_runsView->setCurrentIndex(m_runsModel->index(row, 0));
    }
    m_runsView->resizeColumnsToContents();
    updateBanner();
}

void EvalRunsPanel::showStoredRun(qint64 runId)
{
    const std::optional<store::RunRecord> run = m_store->run(runId);
    if (!run)
        return;
    eval::RunSummary summary =
        run->summary.is_object() ? eval::RunSummary::fromJson(run->summary) : eval::RunSummary{};
    const bool unfinished = run->status == QLatin1String("in_progress") || run->status == QLatin1String("queued");
    if (unfinished && m_store->finishedItemIds(runId).size() != summary.total) {
        // A killed run's stored summary lags behind its items: count those.
        eval::RunSummary counted;
        for (const auto &criterion : summary.perCriterion)
            counted.perCriterion.push_back({criterion.name, 0, 0});
        for (const store::OutputItemRecord &item : m_store->items(runId, store::EvalStore::ItemFields::WithoutRawExchanges)) {
            ++counted.total;
            if (item.status == QLatin1String("pass"))
                ++counted.passed;
            else if (item.status == QLatin1String("fail"))
                ++counted.failed;
            else
                ++counted.errored;
            if (!item.results.is_array())
                continue;
            for (const json &result : item.results) {
                const std::string name = result.value("name", std::string());
                auto it = std::find_if(counted.perCriterion.begin(), counted.perCriterion.end(),
                                       [&](const auto &c) { return c.name == name; });
                if (it == counted.perCriterion.end()) {
                    counted.perCriterion.push_back({name, 0, 0});
                    it = counted.perCriterion.end() - 1;
                }
                if (result.value("passed", false))
                    ++it->passed;
                else
                    ++it->failed;
            }
        }
        summary = std::move(counted);
    }
    eval::RunProgress progress;
    progress.runId = runId;
    progress.total = std::max(run->totalItems, summary.total);
    progress.done = summary.total;
    progress.passed = summary.passed;
    progress.failed = summary.failed;
    progress.errored = summary.errored;
    progress.perCriterion = summary.perCriterion;
    showProgress(progress);
}

void EvalRunsPanel::updateBanner()
{
    if (!m_banner)
        return;
    if (m_bannerDismissed || m_state != State::Idle || !m_store) {
        m_banner->hide();
        return;
    }
    const QList<store::RunRecord> unfinished = m_store->unfinishedRuns();
    if (unfinished.isEmpty()) {
        m_banner->hide();
        m_bannerRunId = 0;
        return;
    }
    const store::RunRecord &run = unfinished.first();
    m_bannerRunId = run.id;
    const qint64 done = m_store->finishedItemIds(run.id).size();
    const QString name = run.name.isEmpty() ? tr("#%1").arg(run.id) : run.name;
    QString text = tr("Run <b>%1</b> (%2) did not finish: %3 of %4 items are done.")
                       .arg(name.toHtmlEscaped(), run.model.toHtmlEscaped())
                       .arg(done)
                       .arg(run.totalItems);
    if (unfinished.size() > 1)
        text += QLatin1Char(' ') + tr("%n more unfinished run(s) in the list below.", nullptr,
                                      static_cast<int>(unfinished.size() - 1));
    m_bannerText->setText(text);
    m_bannerResume->setText(tr("Resume run %1").arg(name));
    m_banner->show();
}

void EvalRunsPanel::probeIsolation()
{
    // The probe starts a process and waits for it: keep it off the GUI thread.
    auto promise = std::make_shared<QPromise<bool>>();
    QFuture<bool> future = promise->future();
    promise->start();
    QThreadPool::globalInstance()->start([promise]() {
        eval::PythonSandbox sandbox;
        promise->addResult(sandbox.networkIsolationAvailable());
        promise->finish();
    });
    future.then(this, [this](bool isolated) { m_networkIsolated = isolated; });
}

} // namespace assay::ui
