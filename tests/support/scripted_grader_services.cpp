#include "support/scripted_grader_services.h"

#include <QCoreApplication>
#include <QTimer>

namespace assay::testing {

using json = nlohmann::json;

api::ResponseResult ScriptedGraderServices::textAnswer(api::ApiKind api, const std::string &text,
                                                       const std::string &model, const std::string &finishReason)
{
    api::ResponseResult result;
    result.api = api;
    result.model = model;
    result.status = "completed";
    result.outputText = text;
    result.finishReason = finishReason.empty() ? (api == api::ApiKind::ChatCompletions ? "stop" : "") : finishReason;
    result.responseId = api == api::ApiKind::ChatCompletions ? "chatcmpl-scripted" : "resp_scripted";
    result.httpStatus = 200;
    api::TokenUsage usage;
    usage.inputTokens = 120;
    usage.outputTokens = 30;
    usage.reasoningTokens = 10;
    usage.totalTokens = 150;
    result.usage = usage;
    return result;
}

api::ResponseResult ScriptedGraderServices::errorAnswer(api::ApiKind api, const api::ApiError &error)
{
    api::ResponseResult result;
    result.api = api;
    result.status = "failed";
    result.httpStatus = error.httpStatus;
    result.error = error;
    return result;
}

json ScriptedGraderServices::embeddingsResponse(const std::vector<std::vector<double>> &vectors, const std::string &model)
{
    json data = json::array();
    for (size_t i = 0; i < vectors.size(); ++i)
        data.push_back({{"object", "embedding"}, {"index", i}, {"embedding", vectors[i]}});
    return {{"object", "list"}, {"data", data}, {"model", model}, {"usage", {{"prompt_tokens", 8}, {"total_tokens", 8}}}};
}

void ScriptedGraderServices::deliver(std::function<void()> answer) const
{
    if (m_async)
        QTimer::singleShot(0, QCoreApplication::instance(), std::move(answer));
    else
        answer();
}

void ScriptedGraderServices::callModel(api::ApiKind api, const json &body,
                                       std::function<void(const api::ResponseResult &)> done)
{
    m_modelCalls.push_back({api, body});
    api::ResponseResult result;
    if (!m_modelQueue.empty()) {
        result = std::move(m_modelQueue.front());
        m_modelQueue.pop_front();
    } else if (m_modelScript) {
        result = m_modelScript(api, body);
    } else {
        result = errorAnswer(api, api::ApiError::make(api::ApiError::Kind::InvalidRequest,
                                                      QStringLiteral("no scripted model answer")));
    }
    deliver([result = std::move(result), done = std::move(done)] { done(result); });
}

void ScriptedGraderServices::embed(const json &body,
                                   std::function<void(const json &, const std::optional<api::ApiError> &)> done)
{
    m_embedCalls.push_back(body);
    EmbedAnswer answer;
    if (!m_embedQueue.empty()) {
        answer = std::move(m_embedQueue.front());
        m_embedQueue.pop_front();
    } else if (m_embedScript) {
        answer = m_embedScript(body);
    } else {
        answer.error = api::ApiError::make(api::ApiError::Kind::InvalidRequest, QStringLiteral("no scripted embeddings"));
    }
    deliver([answer = std::move(answer), done = std::move(done)] { done(answer.response, answer.error); });
}

void ScriptedGraderServices::runPython(const std::string &source, const json &sample, const json &item,
                                       std::function<void(const eval::PythonOutcome &)> done)
{
    m_pythonCalls.push_back({source, sample, item});
    eval::PythonOutcome outcome;
    if (!m_pythonQueue.empty()) {
        outcome = std::move(m_pythonQueue.front());
        m_pythonQueue.pop_front();
    } else if (m_pythonScript) {
        outcome = m_pythonScript(source, sample, item);
    } else {
        outcome.error = "no scripted python outcome";
    }
    deliver([outcome = std::move(outcome), done = std::move(done)] { done(outcome); });
}

} // namespace assay::testing
