#include "models/report/csv_report.h"

#include <string>
#include <vector>

#include "models/dataset/csv_reader.h"
#include "models/report/report_data.h"

namespace assay::report {

using nlohmann::json;

// Columns: run_id, datasource_item_id, status, "<criterion>.score" and "<criterion>.passed" per
// criterion, latency_ms, tokens, output_text, error. One record per output item, CRLF line ends
// (RFC 4180), a field quoted only when it must be.
QByteArray CsvReport::render(const ReportInput &input, const ReportOptions &options)
{
    Q_UNUSED(options);
    const ReportData data = analyze(input);
    std::vector<std::string> criteria;
    for (const QString &name : data.criteria)
        criteria.push_back(name.toStdString());

    std::string out;
    std::vector<std::string> fields;
    fields.reserve(7 + 2 * criteria.size());
    auto flushRecord = [&out, &fields]() {
        out += dataset::csv::joinRecord(fields);
        out += "\r\n";
        fields.clear();
    };
    fields = {"run_id", "datasource_item_id", "status"};
    for (const std::string &name : criteria) {
        fields.push_back(name + ".score");
        fields.push_back(name + ".passed");
    }
    for (const char *column : {"latency_ms", "tokens", "output_text", "error"})
        fields.emplace_back(column);
    flushRecord();

    for (const RunView &run : data.runs) {
        const std::string runId = run.runId.toStdString();
        out.reserve(out.size() + run.source->items.size() * 160);
        for (const store::OutputItemRecord &item : run.source->items) {
            fields.push_back(runId);
            fields.push_back(std::to_string(item.datasourceItemId));
            fields.push_back(item.status.toStdString());
            for (const std::string &name : criteria) {
                const json *result = findResult(item, name);
                if (result && result->contains("score") && (*result)["score"].is_number())
                    fields.push_back((*result)["score"].dump());
                else
                    fields.emplace_back();
                if (result && result->contains("passed") && (*result)["passed"].is_boolean())
                    fields.emplace_back((*result)["passed"].get<bool>() ? "true" : "false");
                else
                    fields.emplace_back();
            }
            fields.push_back(item.latencyMs >= 0 ? std::to_string(item.latencyMs) : std::string());
            const qint64 tokens = itemTokens(item);
            fields.push_back(tokens >= 0 ? std::to_string(tokens) : std::string());
            fields.push_back(outputText(item).toStdString());
            fields.push_back(item.error.toStdString());
            flushRecord();
        }
    }
    return scrubSecrets(QByteArray::fromStdString(out));
}

} // namespace assay::report
