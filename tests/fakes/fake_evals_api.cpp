#include "fakes/fake_evals_api.h"

#include <algorithm>

#include <QUrlQuery>

#include "fakes/fake_openai_server.h"
#include "fakes/fake_payloads.h"

using nlohmann::json;

namespace assay::testing {

namespace {

json errorAnswer(const QByteArray &message)
{
    return fake::errorBody(message, "invalid_request_error", {}, {});
}

} // namespace

FakeEvalsApi::FakeEvalsApi(FakeOpenAiServer &server)
{
    server.addRoute([this](const ReceivedRequest &request) -> std::optional<ExtraAnswer> {
        if (request.method != "GET" || !request.path.startsWith("/v1/evals"))
            return std::nullopt;
        Page page = answer(request);
        return ExtraAnswer{page.status, page.body, page.schema};
    });
}

void FakeEvalsApi::addEval(const json &eval)
{
    m_evals.push_back(eval);
}

void FakeEvalsApi::addRun(const json &run)
{
    m_runs[run.value("eval_id", "")].push_back(run);
}

void FakeEvalsApi::addOutputItem(const json &item)
{
    m_items[item.value("run_id", "")].push_back(item);
}

FakeEvalsApi::Page FakeEvalsApi::answer(const ReceivedRequest &request)
{
    const QByteArray query = request.query;
    m_seesQueries = true;
    const QList<QByteArray> parts = request.path.split('/'); // "", "v1", "evals", ...
    const std::string evalId = parts.size() > 3 ? parts.at(3).toStdString() : std::string();
    auto findEval = [&]() -> const json * {
        for (const json &eval : m_evals) {
            if (eval.value("id", "") == evalId)
                return &eval;
        }
        return nullptr;
    };
    if (parts.size() == 3)
        return list(m_evals, request.path, query);
    if (!findEval())
        return {404, errorAnswer("No eval found with id '" + QByteArray::fromStdString(evalId) + "'."), {}};
    if (parts.size() == 4)
        return {200, *findEval(), QStringLiteral("Eval")};
    if (parts.size() == 5 && parts.at(4) == "runs") {
        Page page = list(m_runs[evalId], request.path, query);
        page.schema = QStringLiteral("EvalRunList");
        return page;
    }
    if (parts.size() == 7 && parts.at(4) == "runs" && parts.at(6) == "output_items") {
        const std::string runId = parts.at(5).toStdString();
        const auto runs = m_runs.find(evalId);
        const bool known =
            runs != m_runs.end() && std::any_of(runs->second.begin(), runs->second.end(),
                                                [&](const json &r) { return r.value("id", "") == runId; });
        if (!known)
            return {404, errorAnswer("No run found with id '" + QByteArray::fromStdString(runId) + "'."), {}};
        Page page = list(m_items[runId], request.path, query);
        page.schema = QStringLiteral("EvalRunOutputItemList");
        return page;
    }
    return {404, errorAnswer("Invalid URL (GET " + request.path + ")"), {}};
}

FakeEvalsApi::Page FakeEvalsApi::list(const std::vector<json> &objects, const QByteArray &path,
                                      const QByteArray &query)
{
    m_listRequests.append(query.isEmpty() ? path : path + '?' + query);
    const QUrlQuery parameters(QString::fromLatin1(query));
    int limit = 20; // the API's default
    if (parameters.hasQueryItem(QStringLiteral("limit")))
        limit = parameters.queryItemValue(QStringLiteral("limit")).toInt();
    if (limit < 1 || limit > 100)
        return {400, errorAnswer("Invalid 'limit': must be between 1 and 100."), {}};
    const int size = std::min(limit, m_maxPageSize);

    std::size_t start = 0;
    if (m_seesQueries) {
        const QString after = parameters.queryItemValue(QStringLiteral("after"));
        if (!after.isEmpty()) {
            m_afterCursors.append(after.toUtf8());
            const auto it = std::find_if(objects.begin(), objects.end(), [&](const json &o) {
                return o.value("id", "") == after.toStdString();
            });
            if (it == objects.end())
                return {400, errorAnswer("Invalid 'after': no object with id '" + after.toUtf8() + "'."), {}};
            start = static_cast<std::size_t>(it - objects.begin()) + 1;
        }
    } else {
        // Without the query the fake cannot read `after`: it serves the pages of a path in the
        // order they are asked for, starting again once the last one went out.
        start = m_sequentialCursor[path];
    }
    const std::size_t end = std::min(objects.size(), start + static_cast<std::size_t>(size));
    json data = json::array();
    for (std::size_t i = start; i < end; ++i)
        data.push_back(objects[i]);
    const bool hasMore = end < objects.size();
    if (!m_seesQueries)
        m_sequentialCursor[path] = hasMore ? end : 0;
    json body = {{"object", "list"},
                 {"data", data},
                 {"first_id", data.empty() ? "" : data.front().value("id", "")},
                 {"last_id", data.empty() ? "" : data.back().value("id", "")},
                 {"has_more", hasMore}};
    return {200, body, QStringLiteral("EvalList")};
}

json FakeEvalsApi::makeEval(const std::string &id, const std::string &name, qint64 createdAt)
{
    return {{"object", "eval"},
            {"id", id},
            {"name", name},
            {"data_source_config",
             {{"type", "custom"},
              {"schema",
               {{"type", "object"},
                {"properties",
                 {{"item",
                   {{"type", "object"},
                    {"properties", {{"question", {{"type", "string"}}}, {"answer", {{"type", "string"}}}}},
                    {"required", {"question", "answer"}}}},
                  {"sample", {{"type", "object"}}}}},
                {"required", {"item", "sample"}}}}}},
            {"testing_criteria", json::array({{{"name", "Exact answer"},
                                               {"id", "Exact answer-5a1c"},
                                               {"type", "string_check"},
                                               {"input", "{{ sample.output_text }}"},
                                               {"reference", "{{ item.answer }}"},
                                               {"operation", "eq"}}})},
            {"created_at", createdAt},
            {"metadata", {{"team", "evals"}}}};
}

json FakeEvalsApi::makeRun(const std::string &id, const std::string &evalId, const std::string &name,
                           qint64 createdAt, int passed, int failed, int errored)
{
    const int total = passed + failed + errored;
    return {
        {"object", "eval.run"},
        {"id", id},
        {"eval_id", evalId},
        {"report_url", "https://platform.openai.com/evaluations/" + evalId},
        {"status", "completed"},
        {"model", "gpt-4.1-mini"},
        {"name", name},
        {"created_at", createdAt},
        {"result_counts", {{"total", total}, {"errored", errored}, {"failed", failed}, {"passed", passed}}},
        {"per_model_usage", json::array({{{"model_name", "gpt-4.1-mini"},
                                          {"invocation_count", total},
                                          {"prompt_tokens", 40 * total},
                                          {"completion_tokens", 3 * total},
                                          {"total_tokens", 43 * total},
                                          {"cached_tokens", 0}}})},
        {"per_testing_criteria_results",
         json::array({{{"testing_criteria", "Exact answer-5a1c"}, {"passed", passed}, {"failed", failed}}})},
        {"data_source",
         {{"type", "completions"},
          {"source", {{"type", "file_id"}, {"id", "file-Q1w2E3"}}},
          {"input_messages",
           {{"type", "template"},
            {"template", json::array({{{"role", "developer"}, {"content", "Answer with one word."}},
                                      {{"role", "user"}, {"content", "{{ item.question }}"}}})}}},
          {"model", "gpt-4.1-mini"},
          {"sampling_params",
           {{"temperature", 0.0}, {"max_completion_tokens", 16}, {"top_p", 1.0}, {"seed", 42}}}}},
        // The docs' examples show null; openapi.json requires an EvalApiError object. The
        // schema is the contract the fake is held to (importers accept both).
        {"error", {{"code", ""}, {"message", ""}}},
        {"metadata", json::object()}};
}

json FakeEvalsApi::makeOutputItem(const std::string &id, const std::string &runId, const std::string &evalId,
                                  qint64 datasourceItemId, bool passed, qint64 createdAt)
{
    const std::string question = "Question " + std::to_string(datasourceItemId);
    const std::string answer = "Answer" + std::to_string(datasourceItemId);
    const std::string output = passed ? answer : std::string("Something else");
    return {{"object", "eval.run.output_item"},
            {"id", id},
            {"created_at", createdAt},
            {"run_id", runId},
            {"eval_id", evalId},
            {"status", passed ? "pass" : "fail"},
            {"datasource_item_id", datasourceItemId},
            {"datasource_item", {{"question", question}, {"answer", answer}}},
            {"results", json::array({{{"name", "Exact answer-5a1c"},
                                      {"sample", nullptr},
                                      {"passed", passed},
                                      {"score", passed ? 1.0 : 0.0}}})},
            {"sample",
             {{"input", json::array({{{"role", "developer"}, {"content", "Answer with one word."}},
                                     {{"role", "user"}, {"content", question}}})},
              {"output", json::array({{{"role", "assistant"}, {"content", output}}})},
              {"finish_reason", "stop"},
              {"model", "gpt-4.1-mini-2025-04-14"},
              {"usage",
               {{"total_tokens", 43}, {"completion_tokens", 3}, {"prompt_tokens", 40}, {"cached_tokens", 0}}},
              {"error", {{"code", ""}, {"message", ""}}},
              {"temperature", 0.0},
              {"max_completion_tokens", 16},
              {"top_p", 1.0},
              {"seed", 42}}}};
}

} // namespace assay::testing
