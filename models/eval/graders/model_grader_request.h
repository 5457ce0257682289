#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "models/eval/graders/grader.h"

namespace assay::eval {

// What a model grader's answer turned out to be.
struct ModelAnswer {
    std::string text;                   // the raw output text
    std::optional<nlohmann::json> json; // the text parsed as JSON (a ```json fence tolerated)
    nlohmann::json steps;               // the answer's `steps` reasoning when it has some, else null
    std::string finishReason;
    std::string refusal;

    // Why `json` is empty, for an invalid_reason: a refusal, no answer, a cut-off or non-JSON text.
    std::string unreadableReason() const;
};

// The part score_model and label_model share: the `model`, `input` messages and `sampling_params`
// of the definition, the request body for either API, the call, and the grader's own sample.
//
// Request rules (the Graders guide's model grader constraints, and what each API accepts):
// - Responses: `input` messages, `text.format` json_schema (strict), `max_output_tokens` (at
//   least 16, the API's minimum), `reasoning.effort`, `store: false` (grading calls are not
//   kept on the account). Responses has no `seed`: it is dropped.
// - Chat: `messages`, `response_format` json_schema (strict), `max_completion_tokens`,
//   `reasoning_effort`, `seed`.
// - temperature and top_p go only to non-reasoning models (reasoning models refuse them);
//   reasoning effort only to reasoning models (see isReasoningModel).
// The sampling_params token limit is spelled `max_completions_tokens` in the spec and the guide;
// `max_completion_tokens` and `max_tokens` (the guide's label example) are accepted too.
class ModelGraderRequest {
public:
    static std::optional<ModelGraderRequest> parse(const nlohmann::json &definition, const std::string &path,
                                                   std::string *error);

    const std::string &model() const { return m_model; }
    const nlohmann::json &inputTemplate() const { return m_input; }

    struct Built {
        nlohmann::json body;     // the request body (null when `error` is set)
        nlohmann::json messages; // the rendered EvalItem messages (what the grader sample shows)
        std::string error;       // a missing template variable, a part the API cannot take
    };
    // `schemaName` and `schema`: the structured output the grader asks for.
    Built build(const GradingContext &context, api::ApiKind api, const std::string &schemaName,
                const nlohmann::json &schema) const;

    // Rendered EvalItem messages in each API's shapes; nullopt (and *error) when a part does not fit.
    static std::optional<nlohmann::json> toResponsesInput(const nlohmann::json &messages, std::string *error);
    static std::optional<nlohmann::json> toChatMessages(const nlohmann::json &messages, std::string *error);

    static ModelAnswer readAnswer(const api::ResponseResult &result);

    // The ReasoningStep list both graders' schemas carry ({description, conclusion}).
    static nlohmann::json stepsSchema();

    // Fills score / passed / invalidReason of `result` from the answer.
    using Interpret = std::function<void(GradeResult &result, const ModelAnswer &answer)>;
    // Renders, calls services.callModel on services.graderApi(), and finishes `base` with
    // `interpret`; template and API failures become GradeResult::error. The grader sample is
    // {input (rendered messages), output (raw text), steps, model, usage{prompt_tokens,
    // completion_tokens, total_tokens, cached_tokens, reasoning_tokens}}.
    void run(GradeResult base, const GradingContext &context, GraderServices &services, const std::string &schemaName,
             const nlohmann::json &schema, Interpret interpret, std::function<void(GradeResult)> done) const;

private:
    std::string m_model;
    nlohmann::json m_input;
    std::optional<double> m_temperature;
    std::optional<double> m_topP;
    std::optional<std::int64_t> m_seed;
    std::optional<std::int64_t> m_maxTokens;
    std::string m_reasoningEffort;
};

} // namespace assay::eval
