#include "models/eval/api_grader_services.h"

#include "models/api/api_client.h"
#include "models/eval/python_sandbox.h"
#include "models/eval/rate_limiter.h"

namespace assay::eval {

using nlohmann::json;

namespace {

api::TokenUsage embeddingUsage(const json &response)
{
    api::TokenUsage usage;
    if (!response.is_object())
        return usage;
    const auto it = response.find("usage");
    if (it == response.end() || !it->is_object())
        return usage;
    usage.inputTokens = it->value("prompt_tokens", qint64(0));
    usage.totalTokens = it->value("total_tokens", usage.inputTokens);
    return usage;
}

} // namespace

ApiGraderServices::ApiGraderServices(api::ApiClient &client, api::Profile profile, QString apiKey,
                                     api::ApiKind graderApi, RequestPacer *pacer, PythonSandbox *sandbox,
                                     QObject *parent)
    : QObject(parent), m_client(client), m_profile(std::move(profile)), m_apiKey(std::move(apiKey)),
      m_graderApi(graderApi), m_pacer(pacer), m_sandbox(sandbox)
{
}

ApiGraderServices::~ApiGraderServices()
{
    *m_alive = false;
    const std::set<api::ApiCall *> calls = m_calls;
    m_calls.clear();
    for (api::ApiCall *call : calls) {
        call->disconnect(this);
        call->cancel();
        call->deleteLater();
    }
}

void ApiGraderServices::watch(api::ApiCall *call)
{
    m_calls.insert(call);
    if (!m_pacer)
        return;
    QPointer<RequestPacer> pacer = m_pacer;
    connect(call, &api::ApiCall::headersReceived, this, [call, pacer](int status, const QString &) {
        if (pacer && status >= 200 && status < 300) {
            pacer->limiter().onRateLimitInfo(call->result().rateLimit);
            pacer->limiter().onSuccess();
        }
    });
    connect(call, &api::ApiCall::retrying, this, [pacer](int, int delayMs, const api::ApiError &reason) {
        if (pacer && reason.httpStatus == 429)
            pacer->limiter().onTooManyRequests(delayMs);
    });
}

void ApiGraderServices::callModel(api::ApiKind apiKind, const json &body,
                                  std::function<void(const api::ResponseResult &)> done)
{
    std::weak_ptr<bool> alive = m_alive;
    auto go = [this, alive, apiKind, body, done]() {
        if (alive.expired())
            return;
        api::ApiCall *call = m_client.createResponse(m_profile, m_apiKey, apiKind, body, m_timeoutMs);
        watch(call);
        connect(call, &api::ApiCall::finished, this, [this, call, done](const api::ResponseResult &result) {
            m_calls.erase(call);
            call->deleteLater();
            if (done)
                done(result);
        });
    };
    auto abandon = [apiKind, done]() {
        api::ResponseResult result;
        result.api = apiKind;
        result.error = api::ApiError::make(api::ApiError::Kind::Cancelled, QStringLiteral("The run was stopped."));
        if (done)
            done(result);
    };
    if (m_pacer)
        m_pacer->schedule(RateLimiter::estimateTokens(body), go, abandon);
    else
        go();
}

void ApiGraderServices::embed(const json &body,
                              std::function<void(const json &response, const std::optional<api::ApiError> &)> done)
{
    std::weak_ptr<bool> alive = m_alive;
    auto go = [this, alive, body, done]() {
        if (alive.expired())
            return;
        api::ApiCall *call =
            m_client.requestJson(m_profile, m_apiKey, "POST", QStringLiteral("embeddings"), body,
                                 m_timeoutMs > 0 ? m_timeoutMs : api::ApiClient::kDefaultTimeoutMs);
        watch(call);
        connect(call, &api::ApiCall::finished, this, [this, call, done](const api::ResponseResult &result) {
            m_calls.erase(call);
            call->deleteLater();
            if (done)
                done(result.rawResponse, result.error);
        });
    };
    auto abandon = [done]() {
        if (done)
            done(json(), api::ApiError::make(api::ApiError::Kind::Cancelled, QStringLiteral("The run was stopped.")));
    };
    if (m_pacer)
        m_pacer->schedule(RateLimiter::estimateTokens(body), go, abandon);
    else
        go();
}

void ApiGraderServices::runPython(const std::string &source, const json &sample, const json &item,
                                  std::function<void(const PythonOutcome &)> done)
{
    if (!m_sandbox) {
        PythonOutcome outcome;
        outcome.error = "python graders are not available here";
        if (done)
            done(outcome);
        return;
    }
    m_sandbox->run(source, sample, item, std::move(done));
}

void ApiGraderServices::cancelAll()
{
    // Each cancel() emits finished() at once, which erases the call: iterate over a copy.
    const std::set<api::ApiCall *> calls = m_calls;
    for (api::ApiCall *call : calls)
        call->cancel();
    if (m_sandbox)
        m_sandbox->cancelAll();
}

// ---------------------------------------------------------------------------------------------

void UsageRecordingServices::callModel(api::ApiKind apiKind, const json &body,
                                       std::function<void(const api::ResponseResult &)> done)
{
    std::weak_ptr<bool> alive = m_alive;
    const std::string requested = body.is_object() ? body.value("model", std::string()) : std::string();
    m_inner.callModel(apiKind, body, [this, alive, requested, done](const api::ResponseResult &result) {
        if (!alive.expired() && result.usage)
            m_calls.push_back({result.model.empty() ? requested : result.model, *result.usage, result.serviceTier});
        if (done)
            done(result);
    });
}

void UsageRecordingServices::embed(const json &body,
                                   std::function<void(const json &response, const std::optional<api::ApiError> &)> done)
{
    std::weak_ptr<bool> alive = m_alive;
    const std::string requested = body.is_object() ? body.value("model", std::string()) : std::string();
    m_inner.embed(body, [this, alive, requested, done](const json &response, const std::optional<api::ApiError> &error) {
        if (!alive.expired() && !error && response.is_object() && response.contains("usage")) {
            const std::string model = response.value("model", requested);
            m_calls.push_back({model, embeddingUsage(response), std::string()});
        }
        if (done)
            done(response, error);
    });
}

void UsageRecordingServices::runPython(const std::string &source, const json &sample, const json &item,
                                       std::function<void(const PythonOutcome &)> done)
{
    m_inner.runPython(source, sample, item, std::move(done));
}

json UsageRecordingServices::usageJson() const
{
    json out = json::array();
    for (const GraderCallUsage &call : m_calls) {
        json *found = nullptr;
        for (json &entry : out) {
            if (entry["model"] == call.model && entry.value("service_tier", std::string()) == call.serviceTier) {
                found = &entry;
                break;
            }
        }
        if (!found) {
            json entry = {{"model", call.model},  {"invocations", 0},   {"prompt_tokens", 0},
                          {"completion_tokens", 0}, {"total_tokens", 0}, {"cached_tokens", 0}};
            if (!call.serviceTier.empty())
                entry["service_tier"] = call.serviceTier;
            out.push_back(entry);
            found = &out.back();
        }
        json &entry = *found;
        entry["invocations"] = entry["invocations"].get<qint64>() + 1;
        entry["prompt_tokens"] = entry["prompt_tokens"].get<qint64>() + call.usage.inputTokens;
        entry["completion_tokens"] = entry["completion_tokens"].get<qint64>() + call.usage.outputTokens;
        entry["total_tokens"] = entry["total_tokens"].get<qint64>() +
                                (call.usage.totalTokens > 0 ? call.usage.totalTokens
                                                            : call.usage.inputTokens + call.usage.outputTokens);
        entry["cached_tokens"] = entry["cached_tokens"].get<qint64>() + call.usage.cachedInputTokens;
    }
    return out;
}

} // namespace assay::eval
