#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "models/api/api_error.h"
#include "models/api/response_result.h"

namespace assay::eval {

// What one grader said about one item. Semantics follow the Graders guide; `type` and `name`
// come from the definition.
struct GradeResult {
    std::string name;
    std::string type;
    double score = 0.0;
    bool passed = false;
    // Non-empty: the grader could not grade (a missing template variable, the grader model's API
    // failed, a sub-grader failed). The item then ends `errored` with this reason.
    std::string error;
    // Non-empty: the grader ran but its output was invalid (a python grade() raising or returning
    // a non-number, a model grader answering with no usable score). Score 0, not passed, and the
    // item is graded (failed), with the reason kept; the Graders guide's "marked as invalid".
    std::string invalidReason;
    // The grader's own sample, kept for people to read: a model grader's request messages,
    // its raw answer, its `steps` reasoning and usage; python stdout/stderr. Null when none.
    nlohmann::json sample;

    bool errored() const { return !error.empty(); }
    // {name, type, score, passed, sample} as EvalRunOutputItemResult, plus error / invalid_reason.
    nlohmann::json toJson() const;
};

// The two namespaces a grader sees: {"item": {...}, "sample": {...}}.
struct GradingContext {
    nlohmann::json item;
    nlohmann::json sample; // Sample::toNamespace()
    nlohmann::json templateContext() const { return {{"item", item}, {"sample", sample}}; }
};

// The outcome of running a python grader once.
struct PythonOutcome {
    std::optional<double> score; // nullopt: invalid (see reason)
    std::string invalidReason;
    std::string error;  // the sandbox could not run at all (python3 missing, consent not given)
    std::string stdoutText;
    std::string stderrText;
};

// What graders need from outside: model calls (score_model, label_model), embeddings (cosine)
// and a python sandbox. The runner implements it over ApiClient; tests may script it. Every
// callback is called exactly once, asynchronously or not, on the caller's thread.
class GraderServices {
public:
    virtual ~GraderServices() = default;
    // Non-streaming Responses or Chat request for a model grader; the result carries the error.
    virtual void callModel(api::ApiKind api, const nlohmann::json &body,
                           std::function<void(const api::ResponseResult &)> done) = 0;
    // Which API model graders use (the run's API by default).
    virtual api::ApiKind graderApi() const { return api::ApiKind::Responses; }
    // POST /embeddings; the callback gets the parsed body or an error.
    virtual void embed(const nlohmann::json &body,
                       std::function<void(const nlohmann::json &response, const std::optional<api::ApiError> &)> done) = 0;
    // Runs `grade(sample, item)` from `source` in the sandbox.
    virtual void runPython(const std::string &source, const nlohmann::json &sample, const nlohmann::json &item,
                           std::function<void(const PythonOutcome &)> done) = 0;
};

// One testing criterion. Built from its JSON definition by makeGrader(); immutable afterwards,
// so one instance grades many items concurrently.
class Grader {
public:
    explicit Grader(nlohmann::json definition);
    virtual ~Grader() = default;
    Grader(const Grader &) = delete;
    Grader &operator=(const Grader &) = delete;

    const std::string &name() const { return m_name; }
    const std::string &type() const { return m_type; }
    const nlohmann::json &definition() const { return m_definition; }
    virtual bool needsPython() const { return false; }
    virtual bool needsModel() const { return false; }

    // Calls `done` exactly once with name/type filled in.
    virtual void grade(const GradingContext &context, GraderServices &services,
                       std::function<void(GradeResult)> done) const = 0;

protected:
    GradeResult makeResult() const; // name and type set

private:
    nlohmann::json m_definition;
    std::string m_name;
    std::string m_type;
};

// Builds the grader for a testing criterion (or a multi grader's sub-grader). On a bad
// definition returns null and sets `error` to "<path>: <message>", where path is a JSON path
// below `path` (e.g. "$.testing_criteria[2].operation").
std::unique_ptr<Grader> makeGrader(const nlohmann::json &definition, const std::string &path, std::string *error);

} // namespace assay::eval
