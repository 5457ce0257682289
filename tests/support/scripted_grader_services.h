#pragma once

#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/eval/graders/grader.h"

namespace assay::testing {

// A GraderServices for tests: records every body it is given and answers from queues (first)
// or scripts (then). With nothing queued or scripted it answers with an error, so a test never
// hangs on a callback. Answers come synchronously, or from the event loop (QTimer::singleShot(0))
// after setAsync(true), as ApiClient-backed services do.
class ScriptedGraderServices : public eval::GraderServices {
public:
    using ModelScript = std::function<api::ResponseResult(api::ApiKind api, const nlohmann::json &body)>;
    struct EmbedAnswer {
        nlohmann::json response;
        std::optional<api::ApiError> error;
    };
    using EmbedScript = std::function<EmbedAnswer(const nlohmann::json &body)>;
    using PythonScript = std::function<eval::PythonOutcome(const std::string &source, const nlohmann::json &sample,
                                                           const nlohmann::json &item)>;

    struct ModelCall {
        api::ApiKind api;
        nlohmann::json body;
    };
    struct PythonCall {
        std::string source;
        nlohmann::json sample;
        nlohmann::json item;
    };

    void setAsync(bool async) { m_async = async; }
    void setGraderApi(api::ApiKind api) { m_api = api; }

    void queueModelAnswer(api::ResponseResult result) { m_modelQueue.push_back(std::move(result)); }
    void setModelScript(ModelScript script) { m_modelScript = std::move(script); }
    void queueEmbedAnswer(EmbedAnswer answer) { m_embedQueue.push_back(std::move(answer)); }
    void setEmbedScript(EmbedScript script) { m_embedScript = std::move(script); }
    void queuePythonOutcome(eval::PythonOutcome outcome) { m_pythonQueue.push_back(std::move(outcome)); }
    void setPythonScript(PythonScript script) { m_pythonScript = std::move(script); }

    const std::vector<ModelCall> &modelCalls() const { return m_modelCalls; }
    const std::vector<nlohmann::json> &embedCalls() const { return m_embedCalls; }
    const std::vector<PythonCall> &pythonCalls() const { return m_pythonCalls; }

    // A successful answer whose output text is `text` (as ResponseResult::fromResponseObject /
    // fromChatCompletion would give it), with usage filled in.
    static api::ResponseResult textAnswer(api::ApiKind api, const std::string &text,
                                          const std::string &model = "gpt-4.1-mini-2025-04-14",
                                          const std::string &finishReason = {});
    static api::ResponseResult errorAnswer(api::ApiKind api, const api::ApiError &error);
    // An /embeddings answer ({object: list, data: [{object: embedding, index, embedding}], model, usage}).
    static nlohmann::json embeddingsResponse(const std::vector<std::vector<double>> &vectors,
                                             const std::string &model = "text-embedding-3-large");

    // eval::GraderServices
    void callModel(api::ApiKind api, const nlohmann::json &body,
                   std::function<void(const api::ResponseResult &)> done) override;
    api::ApiKind graderApi() const override { return m_api; }
    void embed(const nlohmann::json &body,
               std::function<void(const nlohmann::json &, const std::optional<api::ApiError> &)> done) override;
    void runPython(const std::string &source, const nlohmann::json &sample, const nlohmann::json &item,
                   std::function<void(const eval::PythonOutcome &)> done) override;

private:
    void deliver(std::function<void()> answer) const;

    bool m_async = false;
    api::ApiKind m_api = api::ApiKind::Responses;
    std::deque<api::ResponseResult> m_modelQueue;
    ModelScript m_modelScript;
    std::deque<EmbedAnswer> m_embedQueue;
    EmbedScript m_embedScript;
    std::deque<eval::PythonOutcome> m_pythonQueue;
    PythonScript m_pythonScript;
    std::vector<ModelCall> m_modelCalls;
    std::vector<nlohmann::json> m_embedCalls;
    std::vector<PythonCall> m_pythonCalls;
};

} // namespace assay::testing
