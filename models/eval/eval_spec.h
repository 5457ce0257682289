#pragma once

#include <optional>
#include <string>
#include <vector>

#include <QString>
#include <nlohmann/json.hpp>

#include "models/api/response_result.h"

namespace assay::eval {

// A problem in an eval or run definition, with the JSON path where it is ("$.testing_criteria[1].operation").
struct SpecProblem {
    std::string path;
    std::string message;
    std::string toString() const { return path + ": " + message; }
};

// An eval: the CreateEvalRequest body (also what GET /evals/{id} returns, which is accepted too).
struct EvalSpec {
    std::string name;
    nlohmann::json itemSchema = nlohmann::json::object(); // data_source_config.item_schema (or .schema of an exported Eval)
    bool includeSampleSchema = false;
    nlohmann::json testingCriteria = nlohmann::json::array(); // grader definitions, validated by makeGrader
    nlohmann::json metadata = nlohmann::json::object();
    std::string openaiId; // "eval_..." when imported from the Evals API
    nlohmann::json raw;   // the definition as given, saved as it was
    // "custom" (what the runner uses), "logs" or "stored_completions" (kept, not runnable here).
    std::string dataSourceType = "custom";
    nlohmann::json dataSourceConfig; // data_source_config as a CreateEvalRequest takes it

    // Checks the shape (the openapi.json schema, then every grader); nullopt with problems listed.
    static std::optional<EvalSpec> parse(const nlohmann::json &definition, std::vector<SpecProblem> *problems);
    nlohmann::json toJson() const; // a CreateEvalRequest body
};

// A run: the CreateEvalRunRequest body. Its data_source is `completions` (Chat Completions) or
// `responses`, with `input_messages` (type template), `model`, `sampling_params` and `source`
// (file_content with inline items, or file_id naming a local JSONL file).
struct RunSpec {
    std::string name;
    api::ApiKind api = api::ApiKind::Responses;
    std::string model;
    nlohmann::json inputMessages = nlohmann::json::array(); // template messages [{role, content}]
    nlohmann::json samplingParams = nlohmann::json::object();
    nlohmann::json items = nlohmann::json::array(); // inline file_content: [{item: {...}, sample?: {...}}]
    std::string itemsFile;                           // a local JSONL file (absolute) instead of inline items
    nlohmann::json metadata = nlohmann::json::object();
    nlohmann::json raw;
    // "completions", "responses" or "jsonl" (no sampling: the rows carry their own `sample`).
    std::string dataSourceType = "responses";
    // input_messages {type: item_reference}: the item path holding the messages ("item.input").
    std::string itemReference;
    std::string openaiId; // "evalrun_..." when the definition was an exported EvalRun

    bool needsSampling() const { return dataSourceType != "jsonl"; }

    // Relative item file paths are resolved against `baseDir` (the run file's folder).
    static std::optional<RunSpec> parse(const nlohmann::json &definition, const QString &baseDir,
                                        std::vector<SpecProblem> *problems);
    nlohmann::json toJson() const; // a CreateEvalRunRequest body
    bool requestsJsonOutput() const; // sampling_params asks for json_schema / json_object output
};

// The dataset rows of a run: inline items, or the JSONL file (each line an object; a line with
// only an "item" member is unwrapped as the Evals API does). `dataOverride` (a JSONL path) wins.
// A malformed line is an error naming file and line.
struct LoadedItems {
    std::vector<nlohmann::json> items; // each: the `item` namespace object
    std::vector<nlohmann::json> samples; // parallel to items: the row's own `sample`, null when none (jsonl runs)
    std::optional<std::string> error;
};
LoadedItems loadRunItems(const RunSpec &run, const QString &dataOverride = {});

// The sampling request for one item: input_messages rendered with {item}, sampling_params
// mapped to the run's API (max_completions_tokens -> max_output_tokens / max_completion_tokens,
// response_format / text.format, reasoning_effort, tools, seed, temperature, top_p). Not streamed.
struct SamplingRequest {
    nlohmann::json body;
    std::optional<std::string> error; // e.g. a missing template variable, with its path
};
SamplingRequest buildSamplingRequest(const RunSpec &run, const nlohmann::json &item);

} // namespace assay::eval
