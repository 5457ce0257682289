#pragma once

#include <map>
#include <string>
#include <vector>

#include <QByteArray>
#include <QList>
#include <nlohmann/json.hpp>

namespace assay::testing {

class FakeOpenAiServer;
struct ReceivedRequest;

// The read side of the Evals API on a FakeOpenAiServer: GET /v1/evals, /v1/evals/{id},
// /v1/evals/{id}/runs and /v1/evals/{id}/runs/{run}/output_items, paged like the real API
// (limit, after, has_more, first_id, last_id; ascending creation order). Answers are recorded
// under the schema names EvalList / Eval / EvalRunList / EvalRunOutputItemList. The page size
// is min(limit, maxPageSize) so a test can force paging whatever limit the client asks for.
class FakeEvalsApi {
public:
    explicit FakeEvalsApi(FakeOpenAiServer &server); // registers the routes
    FakeEvalsApi(const FakeEvalsApi &) = delete;
    FakeEvalsApi &operator=(const FakeEvalsApi &) = delete;

    void setMaxPageSize(int size) { m_maxPageSize = size; }

    void addEval(const nlohmann::json &eval);
    void addRun(const nlohmann::json &run);         // under run["eval_id"]
    void addOutputItem(const nlohmann::json &item); // under item["eval_id"] / item["run_id"]

    // The list requests answered, as "PATH?QUERY" (the query as far as the server exposes it).
    const QList<QByteArray> &listRequests() const { return m_listRequests; }
    // Every `after` cursor the client sent (empty when the server does not expose queries).
    const QList<QByteArray> &afterCursors() const { return m_afterCursors; }
    // Whether the fake saw query strings (else it pages by request order, see the .cpp).
    bool seesQueries() const { return m_seesQueries; }

    // Objects shaped like openapi.json's Eval, EvalRun and EvalRunOutputItem (a string_check eval
    // over {question, answer} rows, a completions run, an item graded pass/fail).
    static nlohmann::json makeEval(const std::string &id, const std::string &name, qint64 createdAt);
    static nlohmann::json makeRun(const std::string &id, const std::string &evalId, const std::string &name,
                                  qint64 createdAt, int passed, int failed, int errored = 0);
    static nlohmann::json makeOutputItem(const std::string &id, const std::string &runId,
                                         const std::string &evalId, qint64 datasourceItemId, bool passed,
                                         qint64 createdAt);

private:
    struct Page {
        int status = 200;
        nlohmann::json body;
        QString schema;
    };
    Page answer(const ReceivedRequest &request);
    Page list(const std::vector<nlohmann::json> &objects, const QByteArray &path, const QByteArray &query);

    int m_maxPageSize = 100;
    std::vector<nlohmann::json> m_evals;
    std::map<std::string, std::vector<nlohmann::json>> m_runs;  // by eval id
    std::map<std::string, std::vector<nlohmann::json>> m_items; // by run id
    std::map<QByteArray, std::size_t> m_sequentialCursor;       // path -> next index (no query seen)
    QList<QByteArray> m_listRequests;
    QList<QByteArray> m_afterCursors;
    bool m_seesQueries = false;
};

} // namespace assay::testing
