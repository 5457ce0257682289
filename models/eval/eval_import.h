#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <QSet>
#include <QString>
#include <QStringList>
#include <nlohmann/json.hpp>

namespace assay::store {
class EvalStore;
}

namespace assay::eval {

// Something an import noticed: `where` is "FILE:LINE", "FILE: $.data[3]" or an API path.
struct ImportProblem {
    std::string where;
    std::string message;
    bool warning = false; // imported anyway (e.g. under a placeholder eval)
    std::string toString() const { return where + ": " + (warning ? "warning: " : "") + message; }
};

struct ImportReport {
    int evals = 0;     // new evals or new versions stored
    int runs = 0;      // new runs
    int items = 0;     // new output items
    int unchanged = 0; // objects already in the workspace (same OpenAI id), not duplicated
    std::vector<ImportProblem> problems;
    std::string error; // a fatal error (the API refused, cancelled): the import stopped
    bool cancelled = false;

    bool hasErrors() const;
    std::string summary() const; // "2 evals, 3 runs, 40 output items imported (1 warning)"
};

// Stores Evals API objects (eval, eval.run, eval.run.output_item) in the workspace, linking runs
// to evals by eval_id and items to runs by run_id through their OpenAI ids. Importing the same
// object twice does not duplicate it. Feed evals before their runs and runs before their items
// (importFiles sorts; the API importer fetches in that order); a run whose eval is unknown is
// stored under a placeholder eval named after the eval_id, with a warning.
class ImportSession {
public:
    explicit ImportSession(store::EvalStore &store);

    // Dispatches on "object"; an object without one is recognised by its members.
    void importObject(const nlohmann::json &object, const std::string &where);
    void importEval(const nlohmann::json &eval, const std::string &where);
    void importRun(const nlohmann::json &run, const std::string &where);
    void importItem(const nlohmann::json &item, const std::string &where);

    ImportReport &report() { return m_report; }
    const ImportReport &report() const { return m_report; }

    // "eval", "eval.run", "eval.run.output_item" or empty when the object is none of them.
    static std::string kindOf(const nlohmann::json &object);

private:
    std::optional<qint64> evalRowFor(const std::string &openaiEvalId, const std::string &where);
    std::optional<qint64> runRowFor(const std::string &openaiRunId, const std::string &openaiEvalId,
                                    const std::string &where);
    void problem(const std::string &where, const std::string &message, bool warning = false);

    store::EvalStore &m_store;
    ImportReport m_report;
    std::map<std::string, qint64> m_evalRows;    // OpenAI eval id -> EvalRecord::id
    std::map<std::string, qint64> m_runRows;     // OpenAI run id -> RunRecord::id
    std::map<qint64, QSet<qint64>> m_knownItems; // run row -> datasource_item_ids already stored
};

// Reads files of exported objects (one object, {object: "list", data: [...]}, a JSON array, or
// JSONL with one of those per line) and imports them, evals first, whatever the file order.
ImportReport importFiles(const QStringList &paths, store::EvalStore &store);

} // namespace assay::eval
