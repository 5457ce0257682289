#include "models/report/report_writer.h"

#include <QFileInfo>
#include <QSaveFile>

#include "models/store/eval_store.h"
#include "models/store/workspace.h"

namespace assay::report {

std::optional<ReportFormat> reportFormatForPath(const QString &path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("xml"))
        return ReportFormat::JUnit;
    return reportFormatFromName(suffix);
}

QString reportFileSuffix(ReportFormat format)
{
    return format == ReportFormat::JUnit ? QStringLiteral("xml") : reportFormatName(format);
}

ReportJobResult writeReportJob(const ReportJob &job, const std::function<bool()> &canceled,
                               const std::function<void(ReportStage)> &stage)
{
    ReportJobResult result;
    auto isCanceled = [&] {
        if (canceled && canceled()) {
            result.canceled = true;
            return true;
        }
        return false;
    };
    auto tell = [&](ReportStage s) {
        if (stage)
            stage(s);
    };

    tell(ReportStage::Loading);
    store::Workspace workspace;
    QString problem;
    if (!workspace.open(job.workspacePath, &problem)) {
        result.error = problem;
        return result;
    }
    std::optional<ReportInput> input;
    {
        store::EvalStore store(workspace);
        input = loadReportInput(store, job.references, &problem);
    }
    workspace.close();
    if (!input) {
        result.error = problem;
        return result;
    }
    for (const ReportRun &run : input->runs) {
        result.items += static_cast<qint64>(run.items.size());
        result.runIds.append(exportedRunId(run.run));
    }
    if (isCanceled())
        return result;

    tell(ReportStage::Rendering);
    const QByteArray bytes = renderReport(*input, job.format, job.options, &problem);
    if (!problem.isEmpty()) {
        result.error = problem;
        return result;
    }
    if (isCanceled())
        return result;

    tell(ReportStage::Writing);
    QSaveFile file(job.path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size()) {
        result.error = QStringLiteral("cannot write %1: %2").arg(job.path, file.errorString());
        return result;
    }
    if (isCanceled())
        return result; // QSaveFile drops the temporary file: the destination stays as it was
    if (!file.commit()) {
        result.error = QStringLiteral("cannot write %1: %2").arg(job.path, file.errorString());
        return result;
    }
    result.ok = true;
    result.bytes = bytes.size();
    return result;
}

} // namespace assay::report
