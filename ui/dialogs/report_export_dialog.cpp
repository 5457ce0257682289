#include "ui/dialogs/report_export_dialog.h"

#include <atomic>

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QFuture>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPromise>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QThreadPool>
#include <QVBoxLayout>

#include "models/report/report_input.h"
#include "models/store/eval_store.h"
#include "models/store/workspace.h"

namespace assay::ui {

namespace {

const QString kLastDirKey = QStringLiteral("reports/lastDirectory");
const QString kLastFormatKey = QStringLiteral("reports/lastFormat");

struct FormatEntry {
    report::ReportFormat format;
    const char *label;
};

constexpr FormatEntry kFormats[] = {
    {report::ReportFormat::Html, QT_TRANSLATE_NOOP("ReportExportDialog", "HTML (one self-contained file)")},
    {report::ReportFormat::Pdf, QT_TRANSLATE_NOOP("ReportExportDialog", "PDF")},
    {report::ReportFormat::Markdown, QT_TRANSLATE_NOOP("ReportExportDialog", "Markdown (for a pull-request comment)")},
    {report::ReportFormat::Csv, QT_TRANSLATE_NOOP("ReportExportDialog", "CSV (one row per item)")},
    {report::ReportFormat::Jsonl, QT_TRANSLATE_NOOP("ReportExportDialog", "JSONL (one line per item)")},
    {report::ReportFormat::JUnit, QT_TRANSLATE_NOOP("ReportExportDialog", "JUnit XML (for CI)")},
};

constexpr int kStages = 3; // loading, rendering, writing

QString stageText(report::ReportStage stage)
{
    switch (stage) {
    case report::ReportStage::Loading:
        return QObject::tr("Loading the runs…");
    case report::ReportStage::Rendering:
        return QObject::tr("Rendering the report…");
    case report::ReportStage::Writing:
        return QObject::tr("Writing the file…");
    }
    return {};
}

} // namespace

// What the dialog and its worker share; the worker may outlive the dialog.
struct ReportExportDialog::Shared {
    std::atomic<bool> cancel{false};
    report::ReportJob job;
};

ReportExportDialog::ReportExportDialog(store::Workspace *workspace, QList<qint64> runIds, QWidget *parent)
    : QDialog(parent), m_runIds(std::move(runIds))
{
    setWindowTitle(m_runIds.size() == 2 ? tr("Export Comparison Report") : tr("Export Report"));
    setObjectName(QStringLiteral("reportExportDialog"));
    if (workspace && workspace->isOpen()) {
        m_workspacePath = workspace->path();
        // A few rows by id, on the GUI thread: the items are only read by the worker.
        const store::EvalStore store(*workspace);
        for (qint64 id : std::as_const(m_runIds)) {
            const std::optional<store::RunRecord> run = store.run(id);
            m_runLabels << (run ? QStringLiteral("%1 (%2)").arg(report::exportedRunId(*run),
                                                                run->model.isEmpty() ? run->name : run->model)
                                : tr("run %1 (not in the workspace)").arg(id));
        }
    }

    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    m_runsLabel = new QLabel(this);
    m_runsLabel->setObjectName(QStringLiteral("reportRunsLabel"));
    m_runsLabel->setTextFormat(Qt::PlainText); // run names come from files: never rich text
    m_runsLabel->setWordWrap(true);
    m_runsLabel->setText(m_runLabels.size() == 2
                             ? tr("%1 compared with %2 (the base)").arg(m_runLabels.at(1), m_runLabels.at(0))
                             : m_runLabels.join(QStringLiteral(", ")));
    form->addRow(m_runIds.size() == 2 ? tr("Runs") : tr("Run"), m_runsLabel);

    m_formatCombo = new QComboBox(this);
    m_formatCombo->setObjectName(QStringLiteral("reportFormatCombo"));
    for (const FormatEntry &entry : kFormats)
        m_formatCombo->addItem(tr(entry.label), static_cast<int>(entry.format));
    form->addRow(tr("&Format"), m_formatCombo);

    auto *fileRow = new QHBoxLayout;
    m_pathEdit = new QLineEdit(this);
    m_pathEdit->setObjectName(QStringLiteral("reportPathEdit"));
    m_pathEdit->setClearButtonEnabled(true);
    fileRow->addWidget(m_pathEdit, 1);
    m_browseButton = new QPushButton(tr("&Browse…"), this);
    m_browseButton->setToolTip(tr("Choose where to save the report"));
    connect(m_browseButton, &QPushButton::clicked, this, &ReportExportDialog::browse);
    fileRow->addWidget(m_browseButton);
    auto *fileLabel = new QLabel(tr("F&ile"), this);
    fileLabel->setBuddy(m_pathEdit);
    form->addRow(fileLabel, fileRow);
    layout->addLayout(form);

    m_noteLabel = new QLabel(this);
    m_noteLabel->setWordWrap(true);
    m_noteLabel->setEnabled(false); // greyed: a hint, not a warning
    layout->addWidget(m_noteLabel);

    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("reportExportProgress"));
    m_progress->setRange(0, kStages);
    m_progress->setValue(0);
    m_progress->setTextVisible(false);
    m_progress->hide();
    layout->addWidget(m_progress);
    m_statusLabel = new QLabel(this);
    m_statusLabel->setObjectName(QStringLiteral("reportExportStatus"));
    m_statusLabel->setTextFormat(Qt::PlainText);
    m_statusLabel->setWordWrap(true);
    m_statusLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_statusLabel->hide();
    layout->addWidget(m_statusLabel);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_exportButton = m_buttons->addButton(tr("&Export"), QDialogButtonBox::AcceptRole);
    m_exportButton->setObjectName(QStringLiteral("reportExportButton"));
    m_exportButton->setDefault(true);
    m_exportButton->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
    m_exportButton->setToolTip(tr("Write the report (Enter or %1)")
                                   .arg(QKeySequence(Qt::CTRL | Qt::Key_Return).toString(QKeySequence::NativeText)));
    m_buttons->button(QDialogButtonBox::Cancel)->setToolTip(tr("Stop the export, or close (Esc)"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &ReportExportDialog::startExport);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &ReportExportDialog::reject);
    layout->addWidget(m_buttons);

    m_watcher = new QFutureWatcher<report::ReportJobResult>(this);
    connect(m_watcher, &QFutureWatcherBase::progressValueChanged, m_progress, &QProgressBar::setValue);
    connect(m_watcher, &QFutureWatcherBase::progressTextChanged, this, [this](const QString &text) {
        if (m_state && !m_state->cancel)
            showStatus(text);
    });
    connect(m_watcher, &QFutureWatcherBase::finished, this, &ReportExportDialog::onFinished);

    const QSettings settings;
    const std::optional<report::ReportFormat> last =
        report::reportFormatFromName(settings.value(kLastFormatKey, QStringLiteral("html")).toString());
    setFormat(last.value_or(report::ReportFormat::Html));
    QString folder = settings.value(kLastDirKey).toString();
    if (folder.isEmpty() || !QFileInfo(folder).isDir())
        folder = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    m_pathEdit->setText(QDir(folder).filePath(defaultFileName()));
    connect(m_formatCombo, &QComboBox::currentIndexChanged, this, &ReportExportDialog::onFormatChanged);
    onFormatChanged();
    setBusy(false);

    if (m_workspacePath.isEmpty() || m_runIds.isEmpty() || m_runIds.size() > 2) {
        m_exportButton->setEnabled(false);
        showStatus(m_workspacePath.isEmpty() ? tr("No workspace is open.")
                                             : tr("Select one run, or two to compare them."),
                   true);
    }
    resize(560, sizeHint().height());
}

ReportExportDialog::~ReportExportDialog()
{
    // The worker keeps running on the pool; told to stop, it leaves the file untouched.
    if (m_state)
        m_state->cancel = true;
}

void ReportExportDialog::setFormat(report::ReportFormat format)
{
    const int index = m_formatCombo->findData(static_cast<int>(format));
    if (index >= 0)
        m_formatCombo->setCurrentIndex(index);
}

report::ReportFormat ReportExportDialog::format() const
{
    return static_cast<report::ReportFormat>(m_formatCombo->currentData().toInt());
}

void ReportExportDialog::setFilePath(const QString &path)
{
    m_pathEdit->setText(path);
}

QString ReportExportDialog::filePath() const
{
    return m_pathEdit->text().trimmed();
}

void ReportExportDialog::setMaxDetailedItems(int count)
{
    m_maxDetailedItems = std::max(0, count);
}

QString ReportExportDialog::statusText() const
{
    return m_statusLabel->isHidden() ? QString() : m_statusLabel->text();
}

QString ReportExportDialog::defaultFileName() const
{
    QStringList ids;
    for (qint64 id : m_runIds)
        ids << QStringLiteral("run-%1").arg(id);
    const QString stem = ids.isEmpty() ? QStringLiteral("report") : ids.join(QStringLiteral("-vs-"));
    return stem + QLatin1Char('.') + report::reportFileSuffix(format());
}

void ReportExportDialog::onFormatChanged()
{
    // Keep the file name in step with the format when it still has a report extension.
    const QString path = filePath();
    if (!path.isEmpty() && report::reportFormatForPath(path)) {
        const QFileInfo info(path);
        const QString renamed = info.dir().filePath(info.completeBaseName() + QLatin1Char('.') +
                                                    report::reportFileSuffix(format()));
        if (renamed != path)
            m_pathEdit->setText(renamed);
    }
    const bool detailed = format() == report::ReportFormat::Html || format() == report::ReportFormat::Pdf;
    QString note;
    if (m_runIds.size() == 2)
        note = detailed ? tr("The report compares the two runs item by item: regressions, improvements, score deltas.")
                        : tr("Both runs' items are listed; the item-by-item comparison is in the HTML and PDF reports.");
    else if (detailed)
        note = tr("Summary, charts, criteria and up to %1 failing items with their inputs and outputs.")
                   .arg(m_maxDetailedItems);
    else
        note = tr("Every output item with each criterion's score.");
    m_noteLabel->setText(note);
}

void ReportExportDialog::browse()
{
    const report::ReportFormat current = format();
    const QString suffix = report::reportFileSuffix(current);
    auto *dialog = new QFileDialog(this, tr("Export Report As"), filePath(),
                                   tr("%1 files (*.%2);;All files (*)").arg(report::reportFormatName(current).toUpper(), suffix));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setDefaultSuffix(suffix);
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &path) {
        setFilePath(path);
        if (const std::optional<report::ReportFormat> chosen = report::reportFormatForPath(path))
            setFormat(*chosen);
    });
    dialog->open();
}

void ReportExportDialog::startExport()
{
    if (m_state || !m_exportButton->isEnabled())
        return;
    const QString path = filePath();
    if (path.isEmpty()) {
        showStatus(tr("Choose a file to write the report to."), true);
        return;
    }
    auto state = std::make_shared<Shared>();
    state->job.workspacePath = m_workspacePath;
    for (qint64 id : std::as_const(m_runIds))
        state->job.references << QString::number(id);
    state->job.format = format();
    state->job.path = QFileInfo(path).absoluteFilePath();
    state->job.options.maxDetailedItems = m_maxDetailedItems;
    m_state = state;

    QSettings settings;
    settings.setValue(kLastDirKey, QFileInfo(state->job.path).absolutePath());
    settings.setValue(kLastFormatKey, report::reportFormatName(state->job.format));

    auto promise = std::make_shared<QPromise<report::ReportJobResult>>();
    promise->setProgressRange(0, kStages);
    promise->start();
    m_watcher->setFuture(promise->future());
    setBusy(true);
    showStatus(stageText(report::ReportStage::Loading));
    // Runs can hold 100,000 items: loading, rendering and writing all happen on a pool thread.
    QThreadPool::globalInstance()->start([promise, state]() {
        const report::ReportJobResult result = report::writeReportJob(
            state->job, [state] { return state->cancel.load(); },
            [&promise](report::ReportStage stage) {
                promise->setProgressValueAndText(static_cast<int>(stage), stageText(stage));
            });
        promise->setProgressValue(kStages);
        promise->addResult(result);
        promise->finish();
    });
}

void ReportExportDialog::cancelExport()
{
    if (!m_state || m_state->cancel)
        return;
    m_state->cancel = true;
    m_buttons->button(QDialogButtonBox::Cancel)->setEnabled(false);
    showStatus(tr("Canceling…"));
}

void ReportExportDialog::reject()
{
    if (m_state) {
        cancelExport();
        return;
    }
    QDialog::reject();
}

void ReportExportDialog::onFinished()
{
    if (!m_state)
        return;
    const bool canceled = m_state->cancel;
    const QString path = m_state->job.path;
    const report::ReportFormat written = m_state->job.format;
    m_state.reset();
    setBusy(false);
    const QFuture<report::ReportJobResult> future = m_watcher->future();
    if (future.resultCount() < 1) {
        showStatus(tr("The export stopped without a result."), true);
        Q_EMIT exportFailed(statusText());
        return;
    }
    const report::ReportJobResult result = future.result();
    if (result.canceled || (canceled && !result.ok)) {
        showStatus(tr("Canceled: nothing was written."));
        Q_EMIT exportCanceled();
        return;
    }
    if (!result.ok) {
        showStatus(result.error, true);
        Q_EMIT exportFailed(result.error);
        return;
    }
    const QString message = tr("Wrote the %1 report of %2 (%3 items) to %4")
                                .arg(report::reportFormatName(written), result.runIds.join(tr(" vs ")))
                                .arg(result.items)
                                .arg(QDir::toNativeSeparators(path));
    showStatus(message);
    Q_EMIT statusMessage(message);
    Q_EMIT exportFinished(path, message);
    // A cancel that came too late to stop the write: the file is there, say so and stay open.
    if (!canceled)
        accept();
}

void ReportExportDialog::setBusy(bool busy)
{
    m_progress->setVisible(busy);
    if (busy)
        m_progress->setValue(0);
    m_exportButton->setEnabled(!busy);
    m_formatCombo->setEnabled(!busy);
    m_pathEdit->setEnabled(!busy);
    m_browseButton->setEnabled(!busy);
    QPushButton *cancel = m_buttons->button(QDialogButtonBox::Cancel);
    cancel->setEnabled(true);
    cancel->setText(busy ? tr("Cancel Export") : tr("Close"));
}

void ReportExportDialog::showStatus(const QString &text, bool error)
{
    m_statusLabel->setText(text);
    QPalette palette = this->palette();
    if (error)
        palette.setColor(QPalette::WindowText, QColor(0xb0, 0x20, 0x20));
    m_statusLabel->setPalette(palette);
    m_statusLabel->setVisible(!text.isEmpty());
}

} // namespace assay::ui
