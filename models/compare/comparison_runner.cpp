#include "models/compare/comparison_runner.h"

#include <algorithm>

#include <QSignalBlocker>

#include "models/api/api_client.h"
#include "models/eval/graders/grader.h"
#include "models/eval/sample.h"
#include "models/prompt/request_builder.h"

namespace assay::compare {

namespace {

// Used when no services were given: graders that need a model or python say so; the others
// (string check, text similarity...) need nothing from outside and still run.
class NoGraderServices : public eval::GraderServices {
public:
    void callModel(api::ApiKind, const nlohmann::json &, std::function<void(const api::ResponseResult &)> done) override
    {
        api::ResponseResult result;
        result.error = api::ApiError::make(api::ApiError::Kind::InvalidRequest,
                                           QStringLiteral("No model is available to graders in this comparison."));
        done(result);
    }
    void embed(const nlohmann::json &,
               std::function<void(const nlohmann::json &, const std::optional<api::ApiError> &)> done) override
    {
        done(nullptr, api::ApiError::make(api::ApiError::Kind::InvalidRequest,
                                          QStringLiteral("Embeddings are not available to graders in this comparison.")));
    }
    void runPython(const std::string &, const nlohmann::json &, const nlohmann::json &,
                   std::function<void(const eval::PythonOutcome &)> done) override
    {
        eval::PythonOutcome outcome;
        outcome.error = "python graders are not available in this comparison";
        done(outcome);
    }
};

NoGraderServices &noServices()
{
    static NoGraderServices services;
    return services;
}

} // namespace

ComparisonRunner::ComparisonRunner(ComparisonDocument *document, api::ApiClient *client, QObject *parent)
    : QObject(parent), m_document(document), m_client(client), m_pricing(prompt::Pricing::builtIn())
{
    m_flushTimer.setInterval(kFlushIntervalMs);
    connect(&m_flushTimer, &QTimer::timeout, this, &ComparisonRunner::flush);
    if (!document)
        return;
    connect(document, &ComparisonDocument::aboutToReset, this, &ComparisonRunner::discardAll);
    connect(document, &ComparisonDocument::rowAboutToBeRemoved, this, [this](int row) {
        const quint64 id = m_document->rowId(row);
        dropWhere([id](const JobKey &key) { return key.rowId == id; });
    });
    connect(document, &ComparisonDocument::variantAboutToBeRemoved, this, [this](int variant) {
        const quint64 id = m_document->variantId(variant);
        dropWhere([id](const JobKey &key) { return key.variantId == id; });
    });
    connect(document, &ComparisonDocument::gradersChanged, this, [this] {
        rebuildGraders();
        gradeFinished();
    });
    rebuildGraders();
}

void ComparisonRunner::gradeFinished()
{
    if (!m_document)
        return;
    const Comparison &c = m_document->comparison();
    bool started = false;
    for (int row = 0; row < c.rowCount(); ++row) {
        for (int variant = 0; variant < c.variantCount(); ++variant) {
            for (int repeat = 0; repeat < c.repeats(); ++repeat) {
                CellRun *run = m_document->mutableRun(row, variant, repeat);
                if (!run || run->status != CellStatus::Done)
                    continue;
                run->grades.clear();
                run->grading = !m_graders.empty();
                if (m_graders.empty()) {
                    m_document->notifyCellChanged(row, variant);
                    continue;
                }
                // The answer as the graders see a fresh one: its text, model and usage.
                api::ResponseResult result;
                result.outputText = run->text.toStdString();
                result.model = run->model.toStdString();
                result.usage = run->usage;
                const JobKey key{m_document->rowId(row), m_document->variantId(variant), repeat};
                grade(key, result, !c.variant(variant).parameters.jsonSchema.is_null());
                m_document->notifyCellChanged(row, variant);
                started = true;
            }
        }
    }
    if (started)
        updateRunning();
}

ComparisonRunner::~ComparisonRunner()
{
    *m_alive = false;
    // Cells this runner was working on must not stay "streaming" in a document that outlives it.
    const QSignalBlocker blocker(this);
    dropWhere([](const JobKey &) { return true; });
}

void ComparisonRunner::setProfile(const api::Profile &profile, const QString &apiKey)
{
    m_profile = profile;
    m_apiKey = apiKey;
}

void ComparisonRunner::setMaxConcurrent(int limit)
{
    m_maxConcurrent = std::max(1, limit);
    pump();
}

void ComparisonRunner::rebuildGraders()
{
    m_graders.clear();
    m_graderErrors.clear();
    if (!m_document)
        return;
    const nlohmann::json &criteria = m_document->comparison().graders();
    for (std::size_t i = 0; i < criteria.size(); ++i) {
        std::string error;
        std::unique_ptr<eval::Grader> grader =
            eval::makeGrader(criteria[i], "$.testing_criteria[" + std::to_string(i) + "]", &error);
        m_graders.push_back(std::shared_ptr<const eval::Grader>(std::move(grader)));
        m_graderErrors.push_back(QString::fromStdString(error));
    }
}

bool ComparisonRunner::locate(const JobKey &key, int *row, int *variant) const
{
    if (!m_document)
        return false;
    *row = m_document->rowIndex(key.rowId);
    *variant = m_document->variantIndex(key.variantId);
    return *row >= 0 && *variant >= 0 && key.repeat < m_document->comparison().repeats();
}

void ComparisonRunner::runAll()
{
    if (!m_document)
        return;
    const Comparison &c = m_document->comparison();
    for (int r = 0; r < c.rowCount(); ++r)
        for (int v = 0; v < c.variantCount(); ++v)
            enqueue(r, v);
    pump();
}

void ComparisonRunner::runColumn(int variant)
{
    if (!m_document)
        return;
    for (int r = 0; r < m_document->comparison().rowCount(); ++r)
        enqueue(r, variant);
    pump();
}

void ComparisonRunner::runRow(int row)
{
    if (!m_document)
        return;
    for (int v = 0; v < m_document->comparison().variantCount(); ++v)
        enqueue(row, v);
    pump();
}

void ComparisonRunner::runCell(int row, int variant)
{
    enqueue(row, variant);
    pump();
}

void ComparisonRunner::enqueue(int row, int variant)
{
    if (!m_document)
        return;
    const Comparison &c = m_document->comparison();
    if (row < 0 || row >= c.rowCount() || variant < 0 || variant >= c.variantCount())
        return;
    if (!isRunning()) {
        m_finished = 0;
        m_total = 0;
    }
    bool changed = false;
    for (int repeat = 0; repeat < c.repeats(); ++repeat) {
        const JobKey key{m_document->rowId(row), m_document->variantId(variant), repeat};
        if (m_queuedKeys.count(key) || m_jobs.count(key))
            continue;
        m_queue.push_back(key);
        m_queuedKeys.insert(key);
        CellRun *run = m_document->mutableRun(row, variant, repeat);
        *run = CellRun();
        run->status = CellStatus::Queued;
        ++m_total;
        changed = true;
    }
    if (changed) {
        m_document->notifyCellChanged(row, variant);
        Q_EMIT progressChanged(m_finished, m_total);
        updateRunning();
    }
}

void ComparisonRunner::stopAll()
{
    stopWhere([](const JobKey &) { return true; });
}

void ComparisonRunner::stopColumn(int variant)
{
    if (!m_document)
        return;
    const quint64 id = m_document->variantId(variant);
    stopWhere([id](const JobKey &key) { return key.variantId == id; });
}

void ComparisonRunner::stopRow(int row)
{
    if (!m_document)
        return;
    const quint64 id = m_document->rowId(row);
    stopWhere([id](const JobKey &key) { return key.rowId == id; });
}

void ComparisonRunner::stopCell(int row, int variant)
{
    if (!m_document)
        return;
    const quint64 rowId = m_document->rowId(row);
    const quint64 variantId = m_document->variantId(variant);
    stopWhere([rowId, variantId](const JobKey &key) { return key.rowId == rowId && key.variantId == variantId; });
}

void ComparisonRunner::stopWhere(const std::function<bool(const JobKey &)> &match)
{
    std::set<std::pair<int, int>> touched;
    for (auto it = m_queue.begin(); it != m_queue.end();) {
        if (!match(*it)) {
            ++it;
            continue;
        }
        const JobKey key = *it;
        m_queuedKeys.erase(key);
        it = m_queue.erase(it);
        int row = 0, variant = 0;
        if (locate(key, &row, &variant)) {
            m_document->mutableRun(row, variant, key.repeat)->status = CellStatus::Stopped;
            touched.insert({row, variant});
        }
        ++m_finished;
    }
    for (const auto &[row, variant] : touched)
        m_document->notifyCellChanged(row, variant);

    // cancel() reports finished() synchronously, which erases the job: collect first.
    std::vector<QPointer<api::ApiCall>> calls;
    for (auto &[key, job] : m_jobs)
        if (match(key) && job->call)
            calls.push_back(job->call);
    for (const QPointer<api::ApiCall> &call : calls)
        if (call)
            call->cancel();
    if (!touched.empty())
        Q_EMIT progressChanged(m_finished, m_total);
    pump();
    updateRunning();
}

void ComparisonRunner::discardAll()
{
    dropWhere([](const JobKey &) { return true; });
    m_dirty.clear();
    m_flushTimer.stop();
}

void ComparisonRunner::dropWhere(const std::function<bool(const JobKey &)> &match)
{
    auto markStopped = [this](const JobKey &key, const QString &pending) {
        int row = 0, variant = 0;
        if (!locate(key, &row, &variant))
            return;
        CellRun *run = m_document->mutableRun(row, variant, key.repeat);
        run->status = CellStatus::Stopped;
        run->text += pending;
    };
    for (auto it = m_queue.begin(); it != m_queue.end();) {
        if (!match(*it)) {
            ++it;
            continue;
        }
        markStopped(*it, {});
        m_queuedKeys.erase(*it);
        it = m_queue.erase(it);
        ++m_finished;
    }
    for (auto it = m_jobs.begin(); it != m_jobs.end();) {
        if (!match(it->first)) {
            ++it;
            continue;
        }
        if (api::ApiCall *call = it->second->call) {
            call->disconnect(this);
            call->cancel();
            call->deleteLater();
        }
        markStopped(it->first, it->second->pending);
        m_dirty.erase(it->first);
        it = m_jobs.erase(it);
        ++m_finished;
    }
    QMetaObject::invokeMethod(this, &ComparisonRunner::pump, Qt::QueuedConnection);
    updateRunning();
}

void ComparisonRunner::pump()
{
    while (static_cast<int>(m_jobs.size()) < m_maxConcurrent && !m_queue.empty()) {
        const JobKey key = m_queue.front();
        m_queue.pop_front();
        m_queuedKeys.erase(key);
        start(key);
    }
    updateRunning();
}

api::ApiClient *ComparisonRunner::clientForNewJob(int *lane)
{
    constexpr int kConnectionsPerClient = 6;
    const int lanes = std::max(1, (m_maxConcurrent + kConnectionsPerClient - 1) / kConnectionsPerClient);
    std::vector<int> load(static_cast<std::size_t>(lanes), 0);
    for (const auto &[key, job] : m_jobs) {
        if (job->lane < lanes)
            ++load[static_cast<std::size_t>(job->lane)];
    }
    *lane = static_cast<int>(std::min_element(load.begin(), load.end()) - load.begin());
    if (*lane == 0)
        return m_client;
    while (static_cast<int>(m_lanes.size()) < *lane) {
        auto *extra = new api::ApiClient(this);
        extra->setRetryPolicy(m_client->retryPolicy());
        m_lanes.push_back(extra);
    }
    return m_lanes[static_cast<std::size_t>(*lane - 1)];
}

void ComparisonRunner::start(const JobKey &key)
{
    int row = 0, variant = 0;
    if (!locate(key, &row, &variant)) {
        ++m_finished;
        Q_EMIT progressChanged(m_finished, m_total);
        return;
    }
    const Comparison &c = m_document->comparison();
    const ComparisonVariant &definition = c.variant(variant);
    const prompt::RequestBuilder::Result built =
        prompt::RequestBuilder::build(c.promptFor(variant), definition.parameters, c.inputs().row(row), true);
    CellRun *run = m_document->mutableRun(row, variant, key.repeat);
    if (!built.error.isEmpty() || !m_client) {
        run->status = CellStatus::Error;
        run->error = m_client ? built.error : QStringLiteral("No API client.");
        ++m_finished;
        m_document->notifyCellChanged(row, variant);
        Q_EMIT cellFailed(row, variant, run->error);
        Q_EMIT progressChanged(m_finished, m_total);
        return;
    }
    run->status = CellStatus::Streaming;
    run->model = definition.parameters.model;
    m_document->notifyCellChanged(row, variant);

    auto job = std::make_unique<Job>();
    job->key = key;
    api::ApiCall *call = clientForNewJob(&job->lane)->createResponse(m_profile, m_apiKey, definition.parameters.api,
                                                                     built.body, definition.parameters.timeoutMs());
    job->call = call;
    Job *raw = job.get();
    m_jobs.emplace(key, std::move(job));

    connect(call, &api::ApiCall::deltaReceived, this, [this, raw](const api::OutputDelta &delta) {
        if (delta.kind != api::OutputDelta::Kind::Text && delta.kind != api::OutputDelta::Kind::Refusal)
            return;
        raw->pending += QString::fromStdString(delta.text);
        m_dirty.insert(raw->key);
        if (!m_flushTimer.isActive())
            m_flushTimer.start();
    });
    connect(call, &api::ApiCall::retrying, this, [this, raw](int, int, const api::ApiError &) {
        // Retries happen only before any output arrived, but keep the cell honest anyway.
        raw->pending.clear();
        int r = 0, v = 0;
        if (locate(raw->key, &r, &v)) {
            CellRun *target = m_document->mutableRun(r, v, raw->key.repeat);
            target->text.clear();
            ++target->retries;
            m_document->notifyCellChanged(r, v);
        }
    });
    connect(call, &api::ApiCall::finished, this, [this, key](const api::ResponseResult &result) {
        onFinished(key, result);
    });
}

void ComparisonRunner::onFinished(const JobKey &key, const api::ResponseResult &result)
{
    auto it = m_jobs.find(key);
    if (it == m_jobs.end())
        return;
    std::unique_ptr<Job> job = std::move(it->second);
    m_jobs.erase(it);
    m_dirty.erase(key);
    if (job->call)
        job->call->deleteLater();
    ++m_finished;

    int row = 0, variant = 0;
    if (locate(key, &row, &variant)) {
        const Comparison &c = m_document->comparison();
        const prompt::RequestParameters &parameters = c.variant(variant).parameters;
        CellRun *run = m_document->mutableRun(row, variant, key.repeat);
        const QString finalText = QString::fromStdString(result.outputText.empty() ? result.refusal : result.outputText);
        // The final text is authoritative; a stopped stream keeps what arrived.
        run->text = finalText.isEmpty() ? run->text + job->pending : finalText;
        run->latencyMs = result.totalMs;
        run->ttftMs = result.timeToFirstTokenMs;
        run->usage = result.usage;
        run->retries = result.retries;
        if (!result.model.empty())
            run->model = QString::fromStdString(result.model);
        run->responseId = QString::fromStdString(result.responseId);
        run->requestId = result.requestId;
        run->costUsd = result.usage ? m_pricing.costUsd(run->model, *result.usage,
                                                       QString::fromStdString(result.serviceTier))
                                    : std::nullopt;
        if (!result.error) {
            run->status = CellStatus::Done;
            run->error.clear();
        } else if (result.error->kind == api::ApiError::Kind::Cancelled) {
            run->status = CellStatus::Stopped;
        } else {
            run->status = CellStatus::Error;
            run->error = result.error->summary();
        }
        const bool graded = run->status == CellStatus::Done && !m_graders.empty();
        run->grading = graded;
        m_document->notifyCellChanged(row, variant);
        if (graded)
            grade(key, result, !parameters.jsonSchema.is_null());
    }
    Q_EMIT progressChanged(m_finished, m_total);
    if (m_jobs.empty() && m_dirty.empty())
        m_flushTimer.stop();
    pump();
}

void ComparisonRunner::grade(const JobKey &key, const api::ResponseResult &result, bool jsonRequested)
{
    int row = 0, variant = 0;
    if (!locate(key, &row, &variant))
        return;
    const eval::GradingContext context{m_document->comparison().inputs().row(row),
                                       eval::Sample::fromResponseResult(result, jsonRequested).toNamespace()};
    struct Pending {
        std::vector<eval::GradeResult> results;
        std::size_t remaining = 0;
    };
    auto pending = std::make_shared<Pending>();
    pending->results.resize(m_graders.size());
    pending->remaining = m_graders.size();
    ++m_gradingCount;
    std::weak_ptr<bool> alive = m_alive;
    auto complete = [this, alive, pending, key](std::size_t index, eval::GradeResult grade) {
        if (alive.expired() || !*alive.lock())
            return;
        pending->results[index] = std::move(grade);
        if (--pending->remaining > 0)
            return;
        --m_gradingCount;
        int r = 0, v = 0;
        if (locate(key, &r, &v)) {
            CellRun *target = m_document->mutableRun(r, v, key.repeat);
            // A run restarted meanwhile is no longer the one graded.
            if (target->status == CellStatus::Done && target->grading) {
                target->grades = std::move(pending->results);
                target->grading = false;
                m_document->notifyCellChanged(r, v);
            }
        }
        updateRunning();
    };
    eval::GraderServices &services = m_graderServices ? *m_graderServices : noServices();
    const auto graders = m_graders; // keep them alive while they grade
    const auto errors = m_graderErrors;
    for (std::size_t i = 0; i < graders.size(); ++i) {
        if (!graders[i]) {
            eval::GradeResult bad;
            const nlohmann::json &definition = m_document->comparison().graders()[i];
            bad.name = definition.is_object() ? definition.value("name", std::string()) : std::string();
            bad.type = definition.is_object() ? definition.value("type", std::string()) : std::string();
            bad.error = errors[i].toStdString();
            complete(i, std::move(bad));
            continue;
        }
        std::shared_ptr<const eval::Grader> grader = graders[i];
        grader->grade(context, services, [complete, i, grader](eval::GradeResult grade) { complete(i, std::move(grade)); });
    }
}

void ComparisonRunner::flush()
{
    std::set<std::pair<int, int>> touched;
    for (const JobKey &key : m_dirty) {
        auto it = m_jobs.find(key);
        if (it == m_jobs.end() || it->second->pending.isEmpty())
            continue;
        int row = 0, variant = 0;
        if (!locate(key, &row, &variant))
            continue;
        m_document->mutableRun(row, variant, key.repeat)->text += it->second->pending;
        it->second->pending.clear();
        touched.insert({row, variant});
    }
    m_dirty.clear();
    for (const auto &[row, variant] : touched)
        m_document->notifyCellChanged(row, variant);
    if (m_jobs.empty())
        m_flushTimer.stop();
}

void ComparisonRunner::updateRunning()
{
    const bool running = isRunning();
    if (running == m_wasRunning)
        return;
    m_wasRunning = running;
    Q_EMIT runningChanged(running);
}

} // namespace assay::compare
