#include "models/report/jsonl_report.h"

#include "models/report/report_data.h"

namespace assay::report {

// One EvalRunOutputItem JSON object per line, the same shape `assay eval run --out` writes.
QByteArray JsonlReport::render(const ReportInput &input, const ReportOptions &options)
{
    Q_UNUSED(options);
    std::string out;
    for (const ReportRun &run : input.runs) {
        const QString runId = exportedRunId(run.run);
        const QString evalId = exportedEvalId(run.eval, run.run);
        for (const store::OutputItemRecord &item : run.items) {
            out += item.toOutputItemJson(runId, evalId).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
            out += '\n';
        }
    }
    return scrubSecrets(QByteArray::fromStdString(out));
}

} // namespace assay::report
