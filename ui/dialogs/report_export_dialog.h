#pragma once

#include <memory>

#include <QDialog>
#include <QList>
#include <QPointer>
#include <QString>

#include "models/report/report_format.h"
#include "models/report/report_writer.h"

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
template <typename T>
class QFutureWatcher;

namespace assay::store {
class Workspace;
}

namespace assay::ui {

// Exports a report of one run, or of two runs compared (the first is the base: HTML and PDF then
// hold the comparison), in the formats `assay report` writes (HTML, PDF, Markdown, CSV, JSONL,
// JUnit XML) and with the same code (report::writeReportJob). The export runs on a pool thread
// with its own connection to the workspace file, shows its step in a progress bar, can be
// canceled (the destination is then left as it was), and writes through a temporary file.
class ReportExportDialog : public QDialog {
    Q_OBJECT
public:
    ReportExportDialog(store::Workspace *workspace, QList<qint64> runIds, QWidget *parent = nullptr);
    ~ReportExportDialog() override;

    void setFormat(report::ReportFormat format);
    report::ReportFormat format() const;
    void setFilePath(const QString &path);
    QString filePath() const;
    // HTML and PDF detail at most this many failing items per run (as `--max-items`).
    void setMaxDetailedItems(int count);

    bool isExporting() const { return m_state != nullptr; }
    QString statusText() const;
    QProgressBar *progressBar() const { return m_progress; }
    QPushButton *exportButton() const { return m_exportButton; }

public Q_SLOTS:
    // Starts the export (Ctrl+Return, or Enter in the dialog); nothing when one is running.
    void startExport();
    // Asks a running export to stop; exportCanceled follows once the worker has let go.
    void cancelExport();
    void reject() override; // Esc / Cancel: cancels a running export first, closes otherwise

Q_SIGNALS:
    void exportFinished(const QString &path, const QString &message);
    void exportFailed(const QString &message);
    void exportCanceled();
    void statusMessage(const QString &message);

private:
    struct Shared;
    void browse();
    void onFormatChanged();
    void onFinished();
    void setBusy(bool busy);
    void showStatus(const QString &text, bool error = false);
    QString defaultFileName() const;

    QString m_workspacePath;
    QList<qint64> m_runIds;
    QStringList m_runLabels;
    int m_maxDetailedItems = 500;
    std::shared_ptr<Shared> m_state; // the running export, null when idle
    QFutureWatcher<report::ReportJobResult> *m_watcher = nullptr;

    QComboBox *m_formatCombo = nullptr;
    QLineEdit *m_pathEdit = nullptr;
    QLabel *m_runsLabel = nullptr;
    QLabel *m_noteLabel = nullptr;
    QLabel *m_statusLabel = nullptr;
    QProgressBar *m_progress = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    QPushButton *m_exportButton = nullptr;
    QPushButton *m_browseButton = nullptr;
};

} // namespace assay::ui
