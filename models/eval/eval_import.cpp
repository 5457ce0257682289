#include "models/eval/eval_import.h"

#include <algorithm>

#include <QDateTime>
#include <QDir>
#include <QFile>

#include "models/eval/eval_spec.h"
#include "models/eval/run_summary.h"
#include "models/store/eval_store.h"

namespace assay::eval {

namespace {

using json = nlohmann::json;

std::string text(const json &object, const char *key)
{
    if (!object.is_object())
        return {};
    const auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

QString qtext(const json &object, const char *key)
{
    return QString::fromStdString(text(object, key));
}

QDateTime unixTime(const json &object, const char *key)
{
    if (!object.is_object())
        return {};
    const auto it = object.find(key);
    if (it == object.end() || !it->is_number())
        return {};
    return QDateTime::fromSecsSinceEpoch(static_cast<qint64>(it->get<double>()), Qt::UTC);
}

// The EvalRun's words, kept; the few others the API has used mapped onto them.
std::optional<QString> runStatus(const std::string &status)
{
    if (status == "queued" || status == "in_progress" || status == "completed" || status == "canceled" ||
        status == "failed")
        return QString::fromStdString(status);
    if (status == "cancelled" || status == "canceling" || status == "cancelling")
        return QStringLiteral("canceled");
    if (status == "running")
        return QStringLiteral("in_progress");
    return std::nullopt;
}

// Output items say "pass" / "fail"; "error" when the sample could not be produced or graded.
std::optional<QString> itemStatus(const std::string &status)
{
    if (status == "pass" || status == "passed")
        return QStringLiteral("pass");
    if (status == "fail" || status == "failed")
        return QStringLiteral("fail");
    if (status == "error" || status == "errored")
        return QStringLiteral("error");
    return std::nullopt;
}

bool isListObject(const json &value)
{
    return value.is_object() && value.value("object", "") == "list" && value.contains("data") &&
           value["data"].is_array();
}

struct Found {
    json object;
    std::string where;
};

// Flattens lists and arrays into the objects they hold; `where` names the file (and line) and
// `path` the JSON path inside it.
void collect(const json &value, const std::string &where, const std::string &path, std::vector<Found> &out)
{
    if (isListObject(value)) {
        const json &data = value["data"];
        for (std::size_t i = 0; i < data.size(); ++i)
            collect(data[i], where, path + ".data[" + std::to_string(i) + "]", out);
        return;
    }
    if (value.is_array()) {
        for (std::size_t i = 0; i < value.size(); ++i)
            collect(value[i], where, path + "[" + std::to_string(i) + "]", out);
        return;
    }
    out.push_back({value, path == "$" ? where : where + ": " + path});
}

std::string parseMessage(const json::parse_error &error)
{
    std::string message = error.what();
    const std::size_t bracket = message.find("] ");
    if (message.rfind("[json.exception", 0) == 0 && bracket != std::string::npos)
        message = message.substr(bracket + 2);
    return message;
}

} // namespace

bool ImportReport::hasErrors() const
{
    if (!error.empty())
        return true;
    return std::any_of(problems.begin(), problems.end(), [](const ImportProblem &p) { return !p.warning; });
}

std::string ImportReport::summary() const
{
    auto plural = [](int n, const char *one, const char *many) {
        return std::to_string(n) + " " + (n == 1 ? one : many);
    };
    std::string line = plural(evals, "eval", "evals") + ", " + plural(runs, "run", "runs") + ", " +
                       plural(items, "output item", "output items") + " imported";
    if (unchanged > 0)
        line += ", " + std::to_string(unchanged) + " already in the workspace";
    const auto warnings =
        std::count_if(problems.begin(), problems.end(), [](const ImportProblem &p) { return p.warning; });
    const auto errors = static_cast<long>(problems.size()) - warnings;
    if (errors > 0 || warnings > 0) {
        line += " (";
        if (errors > 0)
            line += plural(static_cast<int>(errors), "problem", "problems");
        if (errors > 0 && warnings > 0)
            line += ", ";
        if (warnings > 0)
            line += plural(static_cast<int>(warnings), "warning", "warnings");
        line += ")";
    }
    if (cancelled)
        line += "; cancelled";
    else if (!error.empty())
        line += "; stopped: " + error;
    return line;
}

ImportSession::ImportSession(store::EvalStore &store) : m_store(store) {}

std::string ImportSession::kindOf(const json &object)
{
    if (!object.is_object())
        return {};
    const std::string type = text(object, "object");
    if (type == "eval" || type == "eval.run" || type == "eval.run.output_item")
        return type;
    if (!type.empty())
        return {};
    if (object.contains("run_id") && object.contains("datasource_item_id"))
        return "eval.run.output_item";
    if (object.contains("eval_id") && object.contains("data_source"))
        return "eval.run";
    if (object.contains("data_source_config") && object.contains("testing_criteria"))
        return "eval";
    return {};
}

void ImportSession::problem(const std::string &where, const std::string &message, bool warning)
{
    m_report.problems.push_back({where, message, warning});
}

void ImportSession::importObject(const json &object, const std::string &where)
{
    const std::string kind = kindOf(object);
    if (kind == "eval")
        importEval(object, where);
    else if (kind == "eval.run")
        importRun(object, where);
    else if (kind == "eval.run.output_item")
        importItem(object, where);
    else if (!object.is_object())
        problem(where,
                std::string("expected an eval, run or output item object, found ") + object.type_name());
    else
        problem(where, "not an eval, eval.run or eval.run.output_item object" +
                           (object.contains("object") ? " (object: " + object["object"].dump() + ")"
                                                      : std::string()));
}

void ImportSession::importEval(const json &eval, const std::string &where)
{
    const std::string openaiId = text(eval, "id");
    std::string name = text(eval, "name");
    if (name.empty())
        name = openaiId;
    if (name.empty()) {
        problem(where, "an eval without a name or id cannot be imported");
        return;
    }
    std::vector<SpecProblem> specProblems;
    const auto spec = EvalSpec::parse(eval, &specProblems);
    json definition;
    if (spec) {
        definition = spec->toJson();
        definition["name"] = name;
    } else {
        // Kept as given (minus the API's own fields) so its runs can be read; running it locally
        // needs the definition fixed first.
        definition = eval;
        for (const char *field : {"object", "id", "created_at"})
            definition.erase(field);
        std::string reasons;
        for (std::size_t i = 0; i < specProblems.size() && i < 3; ++i)
            reasons += (i ? "; " : "") + specProblems[i].toString();
        problem(where,
                "eval " + (openaiId.empty() ? name : openaiId) +
                    " imported, but Assay cannot run it as it is: " + reasons,
                true);
    }
    const QString qid = QString::fromStdString(openaiId);
    const auto before =
        qid.isEmpty() ? m_store.latestEval(QString::fromStdString(name)) : m_store.evalByOpenAiId(qid);
    QString error;
    const auto record = m_store.saveEval(QString::fromStdString(name), definition, qid, &error);
    if (!record) {
        problem(where, "cannot store the eval: " + error.toStdString());
        return;
    }
    if (before && before->id == record->id)
        ++m_report.unchanged;
    else
        ++m_report.evals;
    if (!openaiId.empty())
        m_evalRows[openaiId] = record->id;
}

std::optional<qint64> ImportSession::evalRowFor(const std::string &openaiEvalId, const std::string &where)
{
    if (const auto it = m_evalRows.find(openaiEvalId); it != m_evalRows.end())
        return it->second;
    const QString qid = QString::fromStdString(openaiEvalId);
    if (const auto existing = m_store.evalByOpenAiId(qid)) {
        m_evalRows[openaiEvalId] = existing->id;
        return existing->id;
    }
    // The run arrived without its eval: keep it under a stand-in that a later import of the eval
    // (same OpenAI id) turns into a real version.
    const json placeholder = {
        {"name", openaiEvalId},
        {"data_source_config",
         {{"type", "custom"}, {"item_schema", {{"type", "object"}}}, {"include_sample_schema", true}}},
        {"testing_criteria", json::array()},
        {"metadata", {{"assay_placeholder", "true"}}}};
    QString error;
    const auto record = m_store.saveEval(qid, placeholder, qid, &error);
    if (!record) {
        problem(where, "cannot store a placeholder eval for " + openaiEvalId + ": " + error.toStdString());
        return std::nullopt;
    }
    problem(where,
            "the eval " + openaiEvalId +
                " is not part of this import; its runs are stored under a placeholder eval named " +
                openaiEvalId + " (import the eval to replace it)",
            true);
    m_evalRows[openaiEvalId] = record->id;
    return record->id;
}

void ImportSession::importRun(const json &run, const std::string &where)
{
    const std::string openaiId = text(run, "id");
    const std::string evalId = text(run, "eval_id");
    if (openaiId.empty() || evalId.empty()) {
        problem(where, "a run needs its id and eval_id to be imported");
        return;
    }
    const std::string statusWord = text(run, "status");
    auto status = runStatus(statusWord);
    if (!status) {
        problem(where, "run " + openaiId + " has the unknown status \"" + statusWord + "\"; stored as failed",
                true);
        status = QStringLiteral("failed");
    }
    const json dataSource =
        run.contains("data_source") && run["data_source"].is_object() ? run["data_source"] : json::object();
    const bool hasCounts = run.contains("result_counts") && run["result_counts"].is_object();
    const json summary = hasCounts ? RunSummary::fromJson(run).toJson() : json(nullptr);

    if (const auto existing = m_store.runByOpenAiId(QString::fromStdString(openaiId))) {
        // Already imported: refresh what may have moved on (a run that was still going).
        store::RunRecord updated = *existing;
        updated.status = *status;
        if (!summary.is_null())
            updated.summary = summary;
        if (hasCounts)
            updated.totalItems = RunSummary::fromJson(run).total;
        QString error;
        if (!m_store.updateRun(updated, &error))
            problem(where, "cannot update run " + openaiId + ": " + error.toStdString());
        m_runRows[openaiId] = existing->id;
        ++m_report.unchanged;
        return;
    }

    const auto evalRow = evalRowFor(evalId, where);
    if (!evalRow)
        return;
    store::RunRecord record;
    record.evalId = *evalRow;
    record.name = qtext(run, "name");
    record.model = qtext(run, "model");
    if (record.model.isEmpty())
        record.model = qtext(dataSource, "model");
    record.api =
        text(dataSource, "type") == "completions" ? QStringLiteral("chat") : QStringLiteral("responses");
    record.status = *status;
    record.source = QStringLiteral("imported");
    record.openaiId = QString::fromStdString(openaiId);
    record.runSpec = {{"name", text(run, "name")}, {"data_source", dataSource}};
    if (run.contains("metadata") && run["metadata"].is_object())
        record.runSpec["metadata"] = run["metadata"];
    record.summary = summary;
    record.totalItems = hasCounts ? RunSummary::fromJson(run).total : 0;
    record.createdAt = unixTime(run, "created_at");
    // The API gives no end time: a finished run counts as finished when it was created.
    if (*status == QLatin1String("completed") || *status == QLatin1String("failed") ||
        *status == QLatin1String("canceled"))
        record.finishedAt = record.createdAt.isValid() ? record.createdAt : QDateTime::currentDateTimeUtc();
    QString error;
    const auto id = m_store.createRun(record, &error);
    if (!id) {
        problem(where, "cannot store run " + openaiId + ": " + error.toStdString());
        return;
    }
    m_runRows[openaiId] = *id;
    ++m_report.runs;
    if (run.contains("error") && run["error"].is_object() && !text(run["error"], "message").empty())
        problem(where, "run " + openaiId + " failed at OpenAI: " + text(run["error"], "message"), true);
}

std::optional<qint64> ImportSession::runRowFor(const std::string &openaiRunId,
                                               const std::string &openaiEvalId, const std::string &where)
{
    if (const auto it = m_runRows.find(openaiRunId); it != m_runRows.end())
        return it->second;
    if (const auto existing = m_store.runByOpenAiId(QString::fromStdString(openaiRunId))) {
        m_runRows[openaiRunId] = existing->id;
        return existing->id;
    }
    if (openaiEvalId.empty()) {
        problem(where, "the run " + openaiRunId +
                           " of this output item is neither in the import nor in the workspace");
        return std::nullopt;
    }
    const auto evalRow = evalRowFor(openaiEvalId, where);
    if (!evalRow)
        return std::nullopt;
    store::RunRecord record;
    record.evalId = *evalRow;
    record.name = QString::fromStdString(openaiRunId);
    record.status = QStringLiteral("completed");
    record.source = QStringLiteral("imported");
    record.openaiId = QString::fromStdString(openaiRunId);
    record.runSpec = json::object();
    record.finishedAt = QDateTime::currentDateTimeUtc();
    QString error;
    const auto id = m_store.createRun(record, &error);
    if (!id) {
        problem(where, "cannot store a placeholder run for " + openaiRunId + ": " + error.toStdString());
        return std::nullopt;
    }
    problem(where,
            "the run " + openaiRunId +
                " is not part of this import; its output items are stored under a placeholder run",
            true);
    m_runRows[openaiRunId] = *id;
    return *id;
}

void ImportSession::importItem(const json &item, const std::string &where)
{
    const std::string openaiId = text(item, "id");
    const std::string runId = text(item, "run_id");
    if (runId.empty() || !item.contains("datasource_item_id") ||
        !item["datasource_item_id"].is_number_integer()) {
        problem(where, "an output item needs its run_id and an integer datasource_item_id to be imported");
        return;
    }
    const auto runRow = runRowFor(runId, text(item, "eval_id"), where);
    if (!runRow)
        return;
    store::OutputItemRecord record;
    record.runId = *runRow;
    record.datasourceItemId = item["datasource_item_id"].get<qint64>();
    const json results =
        item.contains("results") && item["results"].is_array() ? item["results"] : json::array();
    const std::string statusWord = text(item, "status");
    auto status = itemStatus(statusWord);
    if (!status) {
        bool allPassed = !results.empty();
        for (const json &result : results)
            allPassed = allPassed && result.is_object() && result.value("passed", false);
        status = allPassed ? QStringLiteral("pass") : QStringLiteral("fail");
        problem(where,
                "output item " + openaiId + " has the unknown status \"" + statusWord + "\"; taken as " +
                    status->toStdString() + " from its results",
                true);
    }
    record.status = *status;
    record.datasourceItem = item.contains("datasource_item") && item["datasource_item"].is_object()
                                ? item["datasource_item"]
                                : json::object();
    record.sample = item.contains("sample") && item["sample"].is_object() ? item["sample"] : json::object();
    record.results = results;
    if (record.sample.contains("error") && record.sample["error"].is_object())
        record.error = qtext(record.sample["error"], "message");
    record.openaiId = QString::fromStdString(openaiId);
    record.createdAt = unixTime(item, "created_at");

    auto known = m_knownItems.find(*runRow);
    if (known == m_knownItems.end())
        known = m_knownItems.emplace(*runRow, m_store.finishedItemIds(*runRow)).first;
    const bool existed = known->second.contains(record.datasourceItemId);
    QString error;
    if (!m_store.commitItem(record, &error)) {
        problem(where, "cannot store output item " + openaiId + ": " + error.toStdString());
        return;
    }
    known->second.insert(record.datasourceItemId);
    if (existed)
        ++m_report.unchanged;
    else
        ++m_report.items;
}

ImportReport importFiles(const QStringList &paths, store::EvalStore &store)
{
    ImportSession session(store);
    std::vector<Found> found;
    for (const QString &path : paths) {
        const std::string name = QDir::toNativeSeparators(path).toStdString();
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            session.report().problems.push_back(
                {name, "cannot read the file (" + file.errorString().toStdString() + ")"});
            continue;
        }
        const QByteArray bytes = file.readAll();
        const json whole = json::parse(bytes.constBegin(), bytes.constEnd(), nullptr, false);
        if (!whole.is_discarded()) {
            collect(whole, name, "$", found);
            continue;
        }
        // JSONL: one object (or list) per line.
        const QList<QByteArray> lines = bytes.split('\n');
        for (qsizetype i = 0; i < lines.size(); ++i) {
            const QByteArray line = lines.at(i).trimmed();
            if (line.isEmpty())
                continue;
            const std::string where = name + ":" + std::to_string(i + 1);
            try {
                collect(json::parse(line.constBegin(), line.constEnd()), where, "$", found);
            } catch (const json::parse_error &error) {
                session.report().problems.push_back({where, parseMessage(error)});
            }
        }
    }
    auto rank = [](const json &object) {
        const std::string kind = ImportSession::kindOf(object);
        return kind == "eval" ? 0 : kind == "eval.run" ? 1 : kind == "eval.run.output_item" ? 2 : 3;
    };
    std::stable_sort(found.begin(), found.end(),
                     [&](const Found &a, const Found &b) { return rank(a.object) < rank(b.object); });
    for (const Found &entry : found)
        session.importObject(entry.object, entry.where);
    return session.report();
}

} // namespace assay::eval
