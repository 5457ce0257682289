#include "models/compare/comparison_cell.h"

namespace assay::compare {

using nlohmann::json;

namespace {

const char *const kStatusNames[] = {"idle", "queued", "streaming", "done", "error", "stopped"};

json usageToJson(const api::TokenUsage &usage)
{
    return {{"input_tokens", usage.inputTokens},         {"cached_input_tokens", usage.cachedInputTokens},
            {"output_tokens", usage.outputTokens},       {"reasoning_tokens", usage.reasoningTokens},
            {"total_tokens", usage.totalTokens}};
}

api::TokenUsage usageFromJson(const json &value)
{
    api::TokenUsage usage;
    usage.inputTokens = value.value("input_tokens", qint64(0));
    usage.cachedInputTokens = value.value("cached_input_tokens", qint64(0));
    usage.outputTokens = value.value("output_tokens", qint64(0));
    usage.reasoningTokens = value.value("reasoning_tokens", qint64(0));
    usage.totalTokens = value.value("total_tokens", qint64(0));
    return usage;
}

QString qs(const json &object, const char *key)
{
    const auto it = object.find(key);
    return it != object.end() && it->is_string() ? QString::fromStdString(it->get<std::string>()) : QString();
}

} // namespace

QString cellStatusName(CellStatus status)
{
    return QString::fromLatin1(kStatusNames[static_cast<int>(status)]);
}

CellStatus cellStatusFromName(const QString &name)
{
    for (int i = 0; i < 6; ++i)
        if (name == QLatin1String(kStatusNames[i]))
            return static_cast<CellStatus>(i);
    return CellStatus::Idle;
}

QString ratingName(Rating rating)
{
    switch (rating) {
    case Rating::Better:
        return QStringLiteral("better");
    case Rating::Worse:
        return QStringLiteral("worse");
    case Rating::Tie:
        return QStringLiteral("tie");
    case Rating::None:
        break;
    }
    return {};
}

Rating ratingFromName(const QString &name)
{
    if (name == QStringLiteral("better"))
        return Rating::Better;
    if (name == QStringLiteral("worse"))
        return Rating::Worse;
    if (name == QStringLiteral("tie"))
        return Rating::Tie;
    return Rating::None;
}

std::optional<bool> CellRun::passed() const
{
    if (grades.empty())
        return std::nullopt;
    for (const eval::GradeResult &grade : grades)
        if (!grade.passed || grade.errored())
            return false;
    return true;
}

json CellRun::toJson() const
{
    json out = {{"status", cellStatusName(status).toStdString()}, {"text", text.toStdString()}, {"retries", retries}};
    if (latencyMs)
        out["latency_ms"] = *latencyMs;
    if (ttftMs)
        out["ttft_ms"] = *ttftMs;
    if (usage)
        out["usage"] = usageToJson(*usage);
    if (costUsd)
        out["cost_usd"] = *costUsd;
    if (!error.isEmpty())
        out["error"] = error.toStdString();
    if (!model.isEmpty())
        out["model"] = model.toStdString();
    if (!responseId.isEmpty())
        out["response_id"] = responseId.toStdString();
    if (!requestId.isEmpty())
        out["request_id"] = requestId.toStdString();
    if (!grades.empty()) {
        json list = json::array();
        for (const eval::GradeResult &grade : grades)
            list.push_back(grade.toJson());
        out["grades"] = list;
    }
    return out;
}

CellRun CellRun::fromJson(const json &value)
{
    CellRun run;
    if (!value.is_object())
        return run;
    run.status = cellStatusFromName(qs(value, "status"));
    // A run saved mid-flight cannot resume: it reopens as stopped with what it had.
    if (run.active())
        run.status = CellStatus::Stopped;
    run.text = qs(value, "text");
    run.retries = value.value("retries", 0);
    if (value.contains("latency_ms") && value["latency_ms"].is_number())
        run.latencyMs = value["latency_ms"].get<qint64>();
    if (value.contains("ttft_ms") && value["ttft_ms"].is_number())
        run.ttftMs = value["ttft_ms"].get<qint64>();
    if (value.contains("usage") && value["usage"].is_object())
        run.usage = usageFromJson(value["usage"]);
    if (value.contains("cost_usd") && value["cost_usd"].is_number())
        run.costUsd = value["cost_usd"].get<double>();
    run.error = qs(value, "error");
    run.model = qs(value, "model");
    run.responseId = qs(value, "response_id");
    run.requestId = qs(value, "request_id");
    if (value.contains("grades") && value["grades"].is_array())
        for (const json &g : value["grades"]) {
            eval::GradeResult grade;
            grade.name = g.value("name", std::string());
            grade.type = g.value("type", std::string());
            grade.score = g.value("score", 0.0);
            grade.passed = g.value("passed", false);
            grade.error = g.value("error", std::string());
            grade.invalidReason = g.value("invalid_reason", std::string());
            if (g.contains("sample"))
                grade.sample = g["sample"];
            run.grades.push_back(std::move(grade));
        }
    return run;
}

const CellRun &Cell::primary() const
{
    static const CellRun empty;
    return runs.empty() ? empty : runs.front();
}

CellStatus Cell::status() const
{
    bool queued = false, error = false, stopped = false, allDone = !runs.empty();
    for (const CellRun &run : runs) {
        if (run.status == CellStatus::Streaming)
            return CellStatus::Streaming;
        queued = queued || run.status == CellStatus::Queued;
        error = error || run.status == CellStatus::Error;
        stopped = stopped || run.status == CellStatus::Stopped;
        allDone = allDone && run.status == CellStatus::Done;
    }
    if (queued)
        return CellStatus::Queued;
    if (error)
        return CellStatus::Error;
    if (stopped)
        return CellStatus::Stopped;
    return allDone ? CellStatus::Done : CellStatus::Idle;
}

} // namespace assay::compare
