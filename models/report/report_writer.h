#pragma once

#include <functional>
#include <optional>

#include <QList>
#include <QString>
#include <QStringList>

#include "models/report/report_format.h"
#include "models/report/report_input.h"

namespace assay::report {

// The format a report file's name asks for: its extension (".xml" is JUnit), nullopt when unknown.
std::optional<ReportFormat> reportFormatForPath(const QString &path);
// The extension a report of `format` is saved with ("html", "pdf", "md", "csv", "jsonl", "xml").
QString reportFileSuffix(ReportFormat format);

// A report to export from a workspace file, self-contained so it can run on any thread.
struct ReportJob {
    QString workspacePath;  // opened afresh by writeReportJob (a Workspace belongs to one thread)
    QStringList references; // run references as loadReportInput takes them (ids, "latest")
    ReportFormat format = ReportFormat::Html;
    QString path; // destination; written through QSaveFile
    ReportOptions options;
};

struct ReportJobResult {
    bool ok = false;
    bool canceled = false; // nothing was written
    QString error;         // why it failed, naming the run or the file
    QStringList runIds;    // exported ids of the runs in the report
    qint64 items = 0;      // output items in the report
    qint64 bytes = 0;      // size of the file written
};

// The steps writeReportJob reports, in order.
enum class ReportStage { Loading, Rendering, Writing };

// Loads the runs, renders and writes the report. Call from any thread (PDF included: the
// QTextDocument and QPdfWriter are created and used on the calling thread, with no pixmaps; it
// still needs a QGuiApplication to exist). `canceled` is asked between steps; once it says true
// the file is left as it was. `stage` is told before each step.
ReportJobResult writeReportJob(const ReportJob &job, const std::function<bool()> &canceled = {},
                               const std::function<void(ReportStage)> &stage = {});

} // namespace assay::report
