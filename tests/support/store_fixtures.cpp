#include "support/store_fixtures.h"

namespace assay::testing {

using json = nlohmann::json;

json stringCheckEval(const std::string &reference)
{
    return {{"name", "Answers"},
            {"data_source_config", {{"type", "custom"}, {"item_schema", {{"type", "object"}}}}},
            {"testing_criteria", json::array({{{"type", "string_check"},
                                               {"name", "exact"},
                                               {"input", "{{ sample.output_text }}"},
                                               {"reference", reference},
                                               {"operation", "eq"}}})}};
}

store::RunRecord localRun(qint64 evalId, const QString &name, const QDateTime &createdAt, const QString &status)
{
    store::RunRecord run;
    run.evalId = evalId;
    run.name = name;
    run.model = QStringLiteral("gpt-4.1-mini");
    run.api = QStringLiteral("responses");
    run.status = status;
    run.source = QStringLiteral("local");
    run.runSpec = {{"data_source", {{"type", "responses"}}}};
    run.createdAt = createdAt;
    return run;
}

store::OutputItemRecord outputItem(qint64 runId, qint64 index, const QString &status, const std::string &output)
{
    const bool passed = status == QLatin1String("pass");
    store::OutputItemRecord record;
    record.runId = runId;
    record.datasourceItemId = index;
    record.status = status;
    record.datasourceItem = {{"country", "France"}, {"answer", "Paris"}};
    record.sample = {{"input", json::array({{{"role", "user"}, {"content", "Capital of France?"}}})},
                     {"output", json::array({{{"role", "assistant"}, {"content", output}}})},
                     {"finish_reason", "stop"},
                     {"model", "gpt-4.1-mini-2025-04-14"},
                     {"usage", {{"total_tokens", 12}, {"completion_tokens", 2}, {"prompt_tokens", 10}}},
                     {"error", nullptr}};
    record.results = json::array({{{"name", "exact"},
                                   {"type", "string_check"},
                                   {"score", passed ? 1.0 : 0.0},
                                   {"passed", passed},
                                   {"sample", nullptr}}});
    record.latencyMs = 120 + index;
    record.rawResponse = {{"id", "resp_" + std::to_string(index)}, {"object", "response"}, {"output_text", output}};
    record.createdAt = QDateTime::fromSecsSinceEpoch(1760000000 + index, Qt::UTC);
    return record;
}

} // namespace assay::testing
