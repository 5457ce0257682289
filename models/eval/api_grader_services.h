#pragma once

#include <functional>
#include <memory>
#include <set>

#include <QObject>
#include <QPointer>
#include <QString>

#include "models/api/profile.h"
#include "models/eval/graders/grader.h"

namespace assay::api {
class ApiClient;
class ApiCall;
} // namespace assay::api

namespace assay::eval {

class PythonSandbox;
class RequestPacer;

// GraderServices over the real client: model graders' calls (non-streaming createResponse)
// and embeddings (POST embeddings) go through the shared RequestPacer, python graders to a
// PythonSandbox. cancelAll() stops everything in flight; every callback still comes exactly
// once (with a Cancelled error / "cancelled" python outcome).
class ApiGraderServices : public QObject, public GraderServices {
    Q_OBJECT
public:
    // `pacer` and `sandbox` may be null (no pacing; python graders then fail with an error).
    ApiGraderServices(api::ApiClient &client, api::Profile profile, QString apiKey, api::ApiKind graderApi,
                      RequestPacer *pacer, PythonSandbox *sandbox, QObject *parent = nullptr);
    ~ApiGraderServices() override;

    void setTimeoutMs(int ms) { m_timeoutMs = ms; }

    void callModel(api::ApiKind api, const nlohmann::json &body,
                   std::function<void(const api::ResponseResult &)> done) override;
    api::ApiKind graderApi() const override { return m_graderApi; }
    void embed(const nlohmann::json &body,
               std::function<void(const nlohmann::json &response, const std::optional<api::ApiError> &)> done) override;
    void runPython(const std::string &source, const nlohmann::json &sample, const nlohmann::json &item,
                   std::function<void(const PythonOutcome &)> done) override;

    void cancelAll();
    int inFlight() const { return static_cast<int>(m_calls.size()); }

private:
    void watch(api::ApiCall *call);

    api::ApiClient &m_client;
    api::Profile m_profile;
    QString m_apiKey;
    api::ApiKind m_graderApi;
    QPointer<RequestPacer> m_pacer;
    QPointer<PythonSandbox> m_sandbox;
    int m_timeoutMs = 0;
    std::set<api::ApiCall *> m_calls;
    // Cleared by the destructor so a callback queued before it does nothing.
    std::shared_ptr<bool> m_alive = std::make_shared<bool>(true);
};

// Reads the usage of one grader model call (Responses / Chat result, or an embeddings body).
struct GraderCallUsage {
    std::string model;
    api::TokenUsage usage;
    std::string serviceTier;
};

// Wraps another GraderServices for one dataset item and records the model usage of its calls,
// so the item can keep what its grading cost (sample.grader_usage).
class UsageRecordingServices : public GraderServices {
public:
    explicit UsageRecordingServices(GraderServices &inner) : m_inner(inner) {}

    void callModel(api::ApiKind api, const nlohmann::json &body,
                   std::function<void(const api::ResponseResult &)> done) override;
    api::ApiKind graderApi() const override { return m_inner.graderApi(); }
    void embed(const nlohmann::json &body,
               std::function<void(const nlohmann::json &response, const std::optional<api::ApiError> &)> done) override;
    void runPython(const std::string &source, const nlohmann::json &sample, const nlohmann::json &item,
                   std::function<void(const PythonOutcome &)> done) override;

    // [{model, invocations, prompt_tokens, completion_tokens, total_tokens, cached_tokens}]
    nlohmann::json usageJson() const;
    const std::vector<GraderCallUsage> &calls() const { return m_calls; }

private:
    GraderServices &m_inner;
    std::vector<GraderCallUsage> m_calls;
    std::shared_ptr<bool> m_alive = std::make_shared<bool>(true);

public:
    ~UsageRecordingServices() override { *m_alive = false; }
    UsageRecordingServices(const UsageRecordingServices &) = delete;
    UsageRecordingServices &operator=(const UsageRecordingServices &) = delete;
};

} // namespace assay::eval
