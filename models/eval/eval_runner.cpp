#include "models/eval/eval_runner.h"

#include <algorithm>
#include <deque>
#include <unordered_map>

#include <QCryptographicHash>
#include <QDateTime>
#include <QElapsedTimer>
#include <QPointer>
#include <QTimer>
#include <QUrl>
#include <QUrlQuery>

#include "models/api/api_client.h"
#include "models/dataset/json_schema_validator.h"
#include "models/eval/api_grader_services.h"
#include "models/eval/graders/grader.h"
#include "models/eval/python_sandbox.h"
#include "models/eval/rate_limiter.h"
#include "models/eval/sample.h"
#include "models/store/item_writer.h"

namespace assay::eval {

using nlohmann::json;

namespace {

// Qt 6.4's QNetworkAccessManager opens at most six HTTP/1.1 connections per host (Qt 6.5 made
// it configurable), so a concurrency above six gets one more client (and connection pool) per
// six slots; otherwise concurrency 16 would run at 6.
constexpr int kConnectionsPerClient = 6;
constexpr int kProgressIntervalMs = 100;
constexpr int kSummaryIntervalMs = 1000;
constexpr std::size_t kEtaWindow = 64;

std::string contentText(const json &content)
{
    if (content.is_string())
        return content.get<std::string>();
    if (content.is_array()) {
        std::string text;
        for (const json &part : content) {
            if (part.is_string()) {
                text += part.get<std::string>();
            } else if (part.is_object()) {
                const auto it = part.find("text");
                if (it != part.end() && it->is_string())
                    text += it->get<std::string>();
            }
        }
        return text;
    }
    if (content.is_null())
        return {};
    return content.dump();
}

json messageList(const json &messages)
{
    json out = json::array();
    if (messages.is_string()) {
        out.push_back({{"role", "user"}, {"content", messages}});
        return out;
    }
    if (!messages.is_array())
        return out;
    for (const json &message : messages) {
        if (!message.is_object() || !message.contains("role"))
            continue;
        out.push_back({{"role", message["role"]}, {"content", contentText(message.value("content", json()))}});
    }
    return out;
}

// The rendered messages as EvalRunOutputItem.sample.input shows them.
json inputOf(const json &body, api::ApiKind api)
{
    if (!body.is_object())
        return json::array();
    if (api == api::ApiKind::ChatCompletions)
        return messageList(body.value("messages", json()));
    json out = json::array();
    if (const auto it = body.find("instructions"); it != body.end() && it->is_string())
        out.push_back({{"role", "developer"}, {"content", *it}});
    for (json &message : messageList(body.value("input", json())))
        out.push_back(std::move(message));
    return out;
}

json usageOf(const std::optional<api::TokenUsage> &usage)
{
    const api::TokenUsage u = usage.value_or(api::TokenUsage{});
    return {{"total_tokens", u.totalTokens > 0 ? u.totalTokens : u.inputTokens + u.outputTokens},
            {"completion_tokens", u.outputTokens},
            {"prompt_tokens", u.inputTokens},
            {"cached_tokens", u.cachedInputTokens},
            {"reasoning_tokens", u.reasoningTokens}};
}

json paramOf(const json &params, std::initializer_list<const char *> keys)
{
    if (!params.is_object())
        return nullptr;
    for (const char *key : keys) {
        if (const auto it = params.find(key); it != params.end() && !it->is_null())
            return *it;
    }
    return nullptr;
}

QString kindName(api::ApiError::Kind kind)
{
    switch (kind) {
    case api::ApiError::Kind::Http:
        return QStringLiteral("http_error");
    case api::ApiError::Kind::Network:
        return QStringLiteral("network_error");
    case api::ApiError::Kind::Timeout:
        return QStringLiteral("timeout");
    case api::ApiError::Kind::Cancelled:
        return QStringLiteral("cancelled");
    case api::ApiError::Kind::MalformedResponse:
        return QStringLiteral("malformed_response");
    case api::ApiError::Kind::StreamError:
        return QStringLiteral("stream_error");
    case api::ApiError::Kind::MissingKey:
        return QStringLiteral("missing_api_key");
    case api::ApiError::Kind::InvalidRequest:
        return QStringLiteral("invalid_request");
    }
    return QStringLiteral("error");
}

// A provided (jsonl) sample as the graders' `sample` namespace, with the members they may read.
json namespaceOfProvided(const json &provided)
{
    json ns = provided.is_object() ? provided : json::object();
    if (!ns.contains("output_text"))
        ns["output_text"] = "";
    if (!ns.contains("output_json"))
        ns["output_json"] = nullptr;
    if (!ns.contains("output_tools"))
        ns["output_tools"] = json::array();
    if (!ns.contains("choices"))
        ns["choices"] = json::array();
    if (!ns.contains("usage"))
        ns["usage"] = json::object();
    return ns;
}

// The sampling endpoint as the drill-down shows it: no user info, and a query item that looks
// like a key (some proxies take ?api-key=...) redacted, as the request inspector does.
std::string displayedEndpoint(const api::Profile &profile, api::ApiKind api)
{
    QUrl url = profile.endpoint(api == api::ApiKind::Responses ? QStringLiteral("responses")
                                                               : QStringLiteral("chat/completions"));
    url.setUserInfo(QString());
    if (url.hasQuery()) {
        QUrlQuery query(url);
        auto items = query.queryItems(QUrl::FullyEncoded);
        for (auto &[name, value] : items) {
            if (api::RequestRecord::isSecretHeader(name.toUtf8()))
                value = QStringLiteral("REDACTED");
        }
        query.setQueryItems(items);
        url.setQuery(query);
    }
    return url.toString().toStdString();
}

// A refused key (or a project without access) fails every request of the run the same way.
bool refusesTheRun(const api::ApiError &error)
{
    return error.kind == api::ApiError::Kind::MissingKey ||
           (error.kind == api::ApiError::Kind::Http && (error.httpStatus == 401 || error.httpStatus == 403));
}

// Deletes a QObject from the event loop: it may be the sender of the signal being handled.
template <typename T>
void dispose(T *&object)
{
    if (object)
        object->deleteLater();
    object = nullptr;
}

} // namespace

struct ItemState {
    qint64 index = 0;
    json item;
    json providedSample; // non-null: a jsonl row's own sample, nothing to sample
    json body;
    json input = json::array();
    QByteArray cacheKey;
    bool cacheAnswer = false; // a fresh answer to keep under cacheKey when the item is committed
    api::ApiCall *call = nullptr;
    int lane = -1;
    json sampleRecord;
    json sampleNamespace;
    qint64 latencyMs = -1;
    bool cacheHit = false;
    bool sampled = false;  // a sampling request was sent (or answered from the cache)
    json rawResponse;      // the answer's body, for OutputItemRecord::rawResponse
    std::vector<GradeResult> results;
    int pendingGrades = 0;
    bool holdsSlot = false; // counted against the concurrency cap
    std::unique_ptr<UsageRecordingServices> services;
};

// A row's sampling request built ahead of its turn, with its cached answer already looked up.
// Rows are drafted in batches while the slots wait on the network: that takes templating, the
// cache key and the cache lookup (one read transaction for the whole batch) off the path from
// a freed slot to its next request.
struct RequestDraft {
    SamplingRequest request;
    json input;
    QByteArray cacheKey;
    std::optional<json> cached;
};

class EvalRunner::Impl {
public:
    Impl(EvalRunner *owner, api::ApiClient &client, store::EvalStore &store)
        : q(owner), m_client(client), m_store(store)
    {
        m_progressTimer.setSingleShot(true);
        m_summaryTimer.setSingleShot(true);
        m_deferTimer.setSingleShot(true);
        m_deferTimer.setInterval(0);
        QObject::connect(&m_deferTimer, &QTimer::timeout, q, [this] {
            if (m_running && !m_deferred.empty()) {
                auto [index, result] = std::move(m_deferred.front());
                m_deferred.pop_front();
                onSampled(index, std::move(result), false);
            }
            if (m_running && m_drafts.size() < static_cast<std::size_t>(m_options.concurrency))
                draftAhead();
            if (m_running && !m_deferred.empty() && !m_deferTimer.isActive())
                m_deferTimer.start();
        });
        QObject::connect(&m_progressTimer, &QTimer::timeout, q, [this] { emitProgress(true); });
        QObject::connect(&m_summaryTimer, &QTimer::timeout, q, [this] { saveSummary(); });
    }
    ~Impl() { teardown(); }

    bool prepare(const EvalSpec &eval, const RunSpec &run, LoadedItems loaded, const api::Profile &profile,
                 const QString &apiKey, const RunnerOptions &options, QString *error);
    void begin(const std::vector<qint64> &toDo);
    void launchNext();
    void startItem(qint64 index, RequestDraft draft);
    void draftAhead();
    RequestDraft draftOf(std::size_t row) const;
    QByteArray cacheKeyOf(const json &body) const;
    void onSampled(qint64 index, api::ResponseResult result, bool cacheHit);
    void grade(ItemState &state);
    void onGraded(qint64 index, std::size_t criterion, GradeResult result);
    void finishItem(qint64 index, const QString &status, const QString &error);
    void reportWritten();
    void finishRun(const QString &status);
    void teardown();
    void emitProgress(bool now);
    void saveSummary();
    RunProgress currentProgress() const;
    int pickLane();
    void releaseSlot(ItemState &state)
    {
        if (state.holdsSlot) {
            state.holdsSlot = false;
            --m_active;
        }
    }
    api::ApiClient &lane(int index) { return index <= 0 ? m_client : *m_lanes[static_cast<std::size_t>(index - 1)]; }
    bool fail(QString *error, const QString &message)
    {
        if (error)
            *error = message;
        return false;
    }

    EvalRunner *q;
    api::ApiClient &m_client;
    store::EvalStore &m_store;

    EvalSpec m_eval;
    RunSpec m_run;
    std::vector<json> m_items;
    std::vector<json> m_samples;
    api::Profile m_profile;
    QString m_apiKey;
    RunnerOptions m_options;
    std::vector<std::unique_ptr<Grader>> m_graders;
    std::vector<std::string> m_criteriaNames;
    dataset::JsonSchemaValidator m_validator;
    bool m_validate = false;
    prompt::Pricing m_pricing;
    bool m_useCache = false;
    bool m_jsonOutput = false;
    std::string m_endpoint; // for OutputItemRecord::rawRequest
    // Every grader is local (no model call, no python): grading cannot add requests, so an
    // answered item hands its slot to the next row before it is graded and committed.
    bool m_releaseEarly = false;
    int m_active = 0; // items holding a concurrency slot
    store::RunRecord m_record;

    std::vector<qint64> m_queue;
    std::size_t m_cursor = 0;
    // Drafts for m_queue[m_cursor], m_queue[m_cursor + 1], ... in order (runs that sample).
    std::deque<RequestDraft> m_drafts;
    std::unordered_map<qint64, std::unique_ptr<ItemState>> m_inFlight;
    std::vector<api::ApiClient *> m_lanes; // extra clients beyond m_client (lane 0)
    std::vector<int> m_laneLoad;
    RequestPacer *m_pacer = nullptr;
    PythonSandbox *m_sandbox = nullptr;
    ApiGraderServices *m_services = nullptr;
    RunSummaryBuilder m_builder;

    bool m_running = false;
    bool m_paused = false;
    bool m_launching = false;
    QString m_waiting;
    QString m_error;
    // Set by the first sampling request the API refused (401 / 403): nothing more is sent, and
    // the run fails once the requests in flight are done; resuming it with a good key finishes it.
    QString m_refusal;
    QElapsedTimer m_clock;
    std::deque<qint64> m_finishTimes;
    QTimer m_progressTimer;
    QTimer m_summaryTimer;
    // Answers waiting to be graded and committed (m_releaseEarly). A zero timer runs after the
    // posted events, so every request of a batch of answers goes out before the batch is graded;
    // it grades one answer per turn of the event loop, so an answer arriving meanwhile hands its
    // slot on without waiting behind the whole batch.
    std::deque<std::pair<qint64, api::ResponseResult>> m_deferred;
    QTimer m_deferTimer;
    // Commits finished items off this thread; an item counts (summary, itemFinished) once written.
    store::ItemWriter *m_writer = nullptr;
    std::unique_ptr<store::ResponseCacheReader> m_cacheReader; // while a run uses the cache
    // Replaced for every run: callbacks of an earlier run (or after destruction) see it expired.
    std::shared_ptr<int> m_session;
};

bool EvalRunner::Impl::prepare(const EvalSpec &eval, const RunSpec &run, LoadedItems loaded,
                               const api::Profile &profile, const QString &apiKey, const RunnerOptions &options,
                               QString *error)
{
    if (m_running)
        return fail(error, QStringLiteral("a run is already in progress"));
    std::vector<std::unique_ptr<Grader>> graders;
    std::vector<std::string> names;
    bool python = false;
    if (!eval.testingCriteria.is_array())
        return fail(error, QStringLiteral("$.testing_criteria: must be an array of graders"));
    for (std::size_t i = 0; i < eval.testingCriteria.size(); ++i) {
        std::string problem;
        const std::string path = "$.testing_criteria[" + std::to_string(i) + "]";
        std::unique_ptr<Grader> grader = makeGrader(eval.testingCriteria[i], path, &problem);
        if (!grader)
            return fail(error, QString::fromStdString(problem.empty() ? path + ": invalid grader" : problem));
        python = python || grader->needsPython();
        names.push_back(grader->name());
        graders.push_back(std::move(grader));
    }
    if (python && !options.allowPython) {
        return fail(error,
                    QStringLiteral("this eval runs python graders: allow them with --allow-python / the consent prompt"));
    }
    dataset::JsonSchemaValidator validator;
    const bool validate = eval.itemSchema.is_object() && !eval.itemSchema.empty();
    if (validate) {
        validator = dataset::JsonSchemaValidator(eval.itemSchema);
        if (!validator.isValid())
            return fail(error, QStringLiteral("$.data_source_config.item_schema: ") + validator.schemaError());
    }

    // Rows handed over still wrapped as {"item": ..., "sample": ...} are unwrapped here too.
    loaded.samples.resize(loaded.items.size());
    for (std::size_t i = 0; i < loaded.items.size(); ++i) {
        json &row = loaded.items[i];
        if (loaded.samples[i].is_null() && row.is_object() && row.size() == 2 && row.contains("item") &&
            row.contains("sample") && row["item"].is_object()) {
            json item = std::move(row["item"]);
            loaded.samples[i] = std::move(row["sample"]);
            row = std::move(item);
        }
    }

    m_session = std::make_shared<int>(0);
    m_eval = eval;
    m_run = run;
    m_items = std::move(loaded.items);
    m_samples = std::move(loaded.samples);
    m_profile = profile;
    m_apiKey = apiKey;
    m_options = options;
    m_options.concurrency = std::max(1, options.concurrency);
    m_graders = std::move(graders);
    m_criteriaNames = names;
    m_validator = std::move(validator);
    m_validate = validate;
    m_pricing = options.pricing ? *options.pricing : prompt::Pricing::builtIn();
    m_jsonOutput = run.requestsJsonOutput();
    m_endpoint = displayedEndpoint(profile, run.api);
    if (options.useCache) {
        m_useCache = *options.useCache;
    } else {
        const json temperature = paramOf(run.samplingParams, {"temperature"});
        m_useCache = temperature.is_null() || (temperature.is_number() && temperature.get<double>() == 0.0);
    }
    m_builder = RunSummaryBuilder(names);
    m_releaseEarly = true;
    for (const auto &grader : m_graders)
        m_releaseEarly = m_releaseEarly && !grader->needsModel() && !grader->needsPython();
    m_finishTimes.clear();
    m_error.clear();
    m_refusal.clear();
    m_paused = false;
    m_waiting.clear();
    return true;
}

void EvalRunner::Impl::begin(const std::vector<qint64> &toDo)
{
    m_queue = toDo;
    m_cursor = 0;
    m_drafts.clear();
    m_running = true;
    m_clock.start();

    RateLimiter limiter(m_options.requestsPerMinute, m_options.tokensPerMinute);
    m_pacer = new RequestPacer(std::move(limiter));
    QObject::connect(m_pacer, &RequestPacer::waitingChanged, q, [this](const QString &reason) {
        m_waiting = reason;
        emitProgress(true);
    });
    bool python = false;
    for (const auto &grader : m_graders)
        python = python || grader->needsPython();
    if (python) {
        m_sandbox = new PythonSandbox();
        if (!m_options.pythonExecutable.isEmpty())
            m_sandbox->setPythonExecutable(m_options.pythonExecutable);
    }
    m_services = new ApiGraderServices(m_client, m_profile, m_apiKey, m_run.api, m_pacer, m_sandbox);
    m_services->setTimeoutMs(m_options.requestTimeoutMs);

    const int clients = (m_options.concurrency + kConnectionsPerClient - 1) / kConnectionsPerClient;
    for (int i = 1; i < clients; ++i) {
        auto *extra = new api::ApiClient();
        extra->setRetryPolicy(m_client.retryPolicy());
        m_lanes.push_back(extra);
    }
    m_laneLoad.assign(static_cast<std::size_t>(clients), 0);

    m_writer = new store::ItemWriter(m_store.workspacePath(), q);
    if (m_useCache)
        m_cacheReader = std::make_unique<store::ResponseCacheReader>(m_store.workspace());
    {
        std::weak_ptr<int> session = m_session;
        QObject::connect(m_writer, &store::ItemWriter::written, q, [this, session] {
            if (session.expired())
                return;
            reportWritten();
            launchNext(); // the run completes once its last item is written
        });
    }

    // From the event loop: the caller gets the run id (and connects) before anything happens.
    std::weak_ptr<int> session = m_session;
    QTimer::singleShot(0, q, [this, session] {
        if (!session.expired())
            launchNext();
    });
    emitProgress(true);
}

int EvalRunner::Impl::pickLane()
{
    const auto least = std::min_element(m_laneLoad.begin(), m_laneLoad.end());
    return least == m_laneLoad.end() ? 0 : static_cast<int>(least - m_laneLoad.begin());
}

void EvalRunner::Impl::launchNext()
{
    if (m_launching)
        return; // an item that finished at once inside the loop below; the loop goes on
    m_launching = true;
    while (m_running && !m_paused && m_refusal.isEmpty() && m_cursor < m_queue.size() &&
           m_active < m_options.concurrency) {
        if (m_drafts.empty())
            draftAhead();
        RequestDraft draft; // stays empty for a run that samples nothing
        if (!m_drafts.empty()) {
            draft = std::move(m_drafts.front());
            m_drafts.pop_front();
        }
        startItem(m_queue[m_cursor++], std::move(draft));
    }
    m_launching = false;
    if (!m_running || !m_inFlight.empty() || m_writer->unreportedCount() != 0)
        return;
    if (!m_refusal.isEmpty()) {
        m_error = QStringLiteral("the API refused the key: ") + m_refusal;
        finishRun(QStringLiteral("failed"));
    } else if (m_cursor >= m_queue.size()) {
        finishRun(QStringLiteral("completed"));
    }
}

void EvalRunner::Impl::draftAhead()
{
    if (!m_run.needsSampling())
        return;
    // Twice the slots: a batch lasts about two rounds of answers, and a row drafted this early
    // still finds in the cache whatever an earlier run stored. (A duplicate row of this run
    // drafted before its twin's answer was stored is sampled again.)
    const std::size_t target = 2 * static_cast<std::size_t>(m_options.concurrency);
    const std::size_t firstNew = m_drafts.size();
    for (std::size_t next = m_cursor + m_drafts.size(); m_drafts.size() < target && next < m_queue.size(); ++next) {
        const auto row = static_cast<std::size_t>(m_queue[next]);
        // A row carrying its own sample is graded, not sampled.
        m_drafts.push_back(m_samples[row].is_null() ? draftOf(row) : RequestDraft());
    }
    if (!m_cacheReader)
        return;
    std::vector<QByteArray> keys;
    std::vector<std::size_t> owners;
    for (std::size_t i = firstNew; i < m_drafts.size(); ++i) {
        if (!m_drafts[i].cacheKey.isEmpty()) {
            keys.push_back(m_drafts[i].cacheKey);
            owners.push_back(i);
        }
    }
    std::vector<std::optional<json>> answers = m_cacheReader->findAll(keys);
    for (std::size_t i = 0; i < owners.size() && i < answers.size(); ++i)
        m_drafts[owners[i]].cached = std::move(answers[i]);
}

RequestDraft EvalRunner::Impl::draftOf(std::size_t row) const
{
    RequestDraft draft;
    draft.request = buildSamplingRequest(m_run, m_items[row]);
    if (!draft.request.error) {
        draft.input = inputOf(draft.request.body, m_run.api);
        if (m_useCache)
            draft.cacheKey = cacheKeyOf(draft.request.body);
    }
    return draft;
}

QByteArray EvalRunner::Impl::cacheKeyOf(const json &body) const
{
    const std::string bytes = body.dump(-1, ' ', false, json::error_handler_t::replace);
    QCryptographicHash hash(QCryptographicHash::Sha256);
    // The endpoint is part of the key: the same body means another thing elsewhere.
    hash.addData(m_profile.baseUrl.toUtf8());
    hash.addData(m_run.api == api::ApiKind::Responses ? QByteArrayView("\n/responses\n")
                                                      : QByteArrayView("\n/chat/completions\n"));
    hash.addData(QByteArrayView(bytes.data(), static_cast<qsizetype>(bytes.size())));
    return hash.result().toHex();
}

void EvalRunner::Impl::startItem(qint64 index, RequestDraft draft)
{
    auto owned = std::make_unique<ItemState>();
    ItemState &state = *owned;
    state.index = index;
    state.item = m_items[static_cast<std::size_t>(index)];
    state.providedSample = m_samples[static_cast<std::size_t>(index)];
    state.holdsSlot = true;
    ++m_active;
    m_inFlight[index] = std::move(owned);

    if (m_validate) {
        const QList<dataset::SchemaViolation> violations = m_validator.validate(state.item);
        if (!violations.isEmpty()) {
            finishItem(index, QStringLiteral("error"),
                       QStringLiteral("item does not match the eval's item_schema: ") + violations.first().toString());
            return;
        }
    }

    if (!m_run.needsSampling() || !state.providedSample.is_null()) {
        if (state.providedSample.is_null()) {
            finishItem(index, QStringLiteral("error"), QStringLiteral("this jsonl row carries no sample to grade"));
            return;
        }
        state.sampleNamespace = namespaceOfProvided(state.providedSample);
        const json &ns = state.sampleNamespace;
        state.sampleRecord = {{"input", json::array()},
                              {"output", json::array({{{"role", "assistant"},
                                                        {"content", ns["output_text"].is_string()
                                                                        ? ns["output_text"]
                                                                        : json(ns["output_text"].dump())}}})},
                              {"finish_reason", ns.value("finish_reason", json(""))},
                              {"model", ns.value("model", json(""))},
                              {"usage", usageOf(std::nullopt)},
                              {"error", nullptr},
                              {"temperature", nullptr},
                              {"max_completion_tokens", nullptr},
                              {"top_p", nullptr},
                              {"seed", nullptr}};
        grade(state);
        return;
    }

    // launchNext drafts before it starts a row, so every row sampled here has its draft.
    if (draft.request.error) {
        finishItem(index, QStringLiteral("error"), QString::fromStdString(*draft.request.error));
        return;
    }
    state.body = std::move(draft.request.body);
    state.input = std::move(draft.input);
    state.cacheKey = std::move(draft.cacheKey);

    if (m_useCache) {
        if (const std::optional<json> &cached = draft.cached) {
            api::ResponseResult result;
            try {
                result = m_run.api == api::ApiKind::Responses ? api::ResponseResult::fromResponseObject(*cached)
                                                              : api::ResponseResult::fromChatCompletion(*cached);
            } catch (const std::exception &) {
                result = api::ResponseResult();
                result.error = api::ApiError::make(api::ApiError::Kind::MalformedResponse, QString());
            }
            if (!result.error) {
                onSampled(index, std::move(result), true);
                return;
            }
        }
    }

    std::weak_ptr<int> session = m_session;
    auto go = [this, session, index] {
        if (session.expired())
            return;
        const auto it = m_inFlight.find(index);
        if (it == m_inFlight.end())
            return;
        ItemState &item = *it->second;
        if (!m_refusal.isEmpty()) {
            // The key was refused while this row waited for the rate limiter: it is not sent
            // (nor stored), so resuming the run samples it. The run ends from the event loop:
            // the pacer is still serving its queue.
            releaseSlot(item);
            m_inFlight.erase(it);
            QTimer::singleShot(0, q, [this, session] {
                if (!session.expired())
                    launchNext();
            });
            return;
        }
        item.lane = pickLane();
        ++m_laneLoad[static_cast<std::size_t>(item.lane)];
        api::ApiCall *call =
            lane(item.lane).createResponse(m_profile, m_apiKey, m_run.api, item.body, m_options.requestTimeoutMs);
        item.call = call;
        QPointer<RequestPacer> pacer = m_pacer;
        QObject::connect(call, &api::ApiCall::headersReceived, q, [call, pacer](int status, const QString &) {
            if (pacer && status >= 200 && status < 300) {
                pacer->limiter().onRateLimitInfo(call->result().rateLimit);
                pacer->limiter().onSuccess();
            }
        });
        QObject::connect(call, &api::ApiCall::retrying, q, [pacer](int, int delayMs, const api::ApiError &reason) {
            if (pacer && reason.httpStatus == 429)
                pacer->limiter().onTooManyRequests(delayMs);
        });
        QObject::connect(call, &api::ApiCall::finished, q,
                         [this, session, index, call] {
                             call->deleteLater();
                             if (session.expired())
                                 return;
                             const auto found = m_inFlight.find(index);
                             if (found == m_inFlight.end() || found->second->call != call)
                                 return;
                             found->second->call = nullptr;
                             --m_laneLoad[static_cast<std::size_t>(found->second->lane)];
                             api::ResponseResult result = call->takeResult();
                             if (result.error && refusesTheRun(*result.error) && m_refusal.isEmpty())
                                 m_refusal = result.error->summary();
                             if (!m_releaseEarly) {
                                 onSampled(index, std::move(result), false);
                                 return;
                             }
                             // The answers of a batch of requests arrive together; sending the
                             // next requests first keeps grading and the database writes of
                             // this batch off their critical path.
                             releaseSlot(*found->second);
                             m_deferred.emplace_back(index, std::move(result));
                             if (!m_deferTimer.isActive())
                                 m_deferTimer.start();
                             launchNext();
                         });
        call->sendNow();
    };
    m_pacer->schedule(RateLimiter::estimateTokens(state.body), go);
}

void EvalRunner::Impl::onSampled(qint64 index, api::ResponseResult result, bool cacheHit)
{
    const auto it = m_inFlight.find(index);
    if (it == m_inFlight.end())
        return;
    ItemState &state = *it->second;
    state.cacheHit = cacheHit;
    state.latencyMs = cacheHit ? 0 : result.totalMs.value_or(-1);
    state.sampled = true;
    state.rawResponse = std::move(result.rawResponse);

    const json &params = m_run.samplingParams;
    state.sampleRecord = {{"input", state.input},
                          {"output", json::array()},
                          {"finish_reason", ""},
                          {"model", result.model.empty() ? m_run.model : result.model},
                          {"usage", usageOf(result.usage)},
                          {"error", nullptr},
                          {"temperature", paramOf(params, {"temperature"})},
                          {"max_completion_tokens", paramOf(params, {"max_completions_tokens", "max_completion_tokens",
                                                                     "max_output_tokens", "max_tokens"})},
                          {"top_p", paramOf(params, {"top_p"})},
                          {"seed", paramOf(params, {"seed"})}};
    if (!result.serviceTier.empty())
        state.sampleRecord["service_tier"] = result.serviceTier;
    if (!result.systemFingerprint.empty())
        state.sampleRecord["system_fingerprint"] = result.systemFingerprint;

    if (result.error) {
        const api::ApiError &error = *result.error;
        state.sampleRecord["error"] = {
            {"code", (error.code.isEmpty() ? kindName(error.kind) : error.code).toStdString()},
            {"message", error.summary().toStdString()}};
        finishItem(index, QStringLiteral("error"), QStringLiteral("sampling failed: ") + error.summary());
        return;
    }

    state.cacheAnswer = m_useCache && !cacheHit && !state.cacheKey.isEmpty() && state.rawResponse.is_object();

    const Sample sample = Sample::fromResponseResult(result, m_jsonOutput);
    json message = {{"role", "assistant"}, {"content", sample.outputText}};
    if (!sample.outputTools.empty())
        message["tool_calls"] = sample.outputTools;
    state.sampleRecord["output"] = json::array({message});
    state.sampleRecord["finish_reason"] = sample.finishReason;
    if (!sample.systemFingerprint.empty())
        state.sampleRecord["system_fingerprint"] = sample.systemFingerprint;
    state.sampleNamespace = sample.toNamespace();
    grade(state);
}

void EvalRunner::Impl::grade(ItemState &state)
{
    const qint64 index = state.index;
    state.results.assign(m_graders.size(), GradeResult());
    state.services = std::make_unique<UsageRecordingServices>(*m_services);
    // One extra count held by this loop: a grader answering at once must not finish the item
    // (and free `state`) while the others are still being started.
    state.pendingGrades = static_cast<int>(m_graders.size()) + 1;
    const GradingContext context{state.item, state.sampleNamespace};
    std::weak_ptr<int> session = m_session;
    for (std::size_t i = 0; i < m_graders.size(); ++i) {
        m_graders[i]->grade(context, *state.services, [this, session, index, i](GradeResult result) {
            if (!session.expired())
                onGraded(index, i, std::move(result));
        });
    }
    onGraded(index, m_graders.size(), GradeResult());
}

void EvalRunner::Impl::onGraded(qint64 index, std::size_t criterion, GradeResult result)
{
    const auto it = m_inFlight.find(index);
    if (it == m_inFlight.end())
        return;
    ItemState &state = *it->second;
    if (criterion < state.results.size())
        state.results[criterion] = std::move(result);
    if (--state.pendingGrades > 0)
        return;

    bool allPassed = true;
    QStringList errors;
    for (const GradeResult &r : state.results) {
        if (r.errored())
            errors.append(QString::fromStdString(r.name + ": " + r.error));
        allPassed = allPassed && r.passed;
    }
    if (!errors.isEmpty())
        finishItem(index, QStringLiteral("error"), errors.join(QStringLiteral("; ")));
    else
        finishItem(index, allPassed ? QStringLiteral("pass") : QStringLiteral("fail"), QString());
}

void EvalRunner::Impl::finishItem(qint64 index, const QString &status, const QString &error)
{
    const auto it = m_inFlight.find(index);
    if (it == m_inFlight.end())
        return;
    std::unique_ptr<ItemState> state = std::move(it->second);
    m_inFlight.erase(it);
    releaseSlot(*state);
    if (!m_running)
        return;

    store::OutputItemRecord record;
    record.runId = m_record.id;
    record.datasourceItemId = index;
    record.status = status;
    record.datasourceItem = state->item;
    if (state->sampleRecord.is_null()) {
        // Errored before sampling: the same shape, with the reason where EvalRunOutputItem puts it.
        const json &params = m_run.samplingParams;
        state->sampleRecord = {{"input", state->input},
                               {"output", json::array()},
                               {"finish_reason", ""},
                               {"model", m_run.model},
                               {"usage", usageOf(std::nullopt)},
                               {"error", {{"code", "invalid_item"}, {"message", error.toStdString()}}},
                               {"temperature", paramOf(params, {"temperature"})},
                               {"max_completion_tokens", paramOf(params, {"max_completions_tokens", "max_completion_tokens",
                                                                          "max_output_tokens", "max_tokens"})},
                               {"top_p", paramOf(params, {"top_p"})},
                               {"seed", paramOf(params, {"seed"})}};
    }
    record.sample = std::move(state->sampleRecord);
    if (state->services) {
        json graderUsage = state->services->usageJson();
        if (!graderUsage.empty())
            record.sample["grader_usage"] = std::move(graderUsage);
    }
    record.results = json::array();
    for (const GradeResult &r : state->results)
        record.results.push_back(r.toJson());
    if (state->sampled) {
        record.rawRequest = {{"method", "POST"}, {"url", m_endpoint}, {"body", std::move(state->body)}};
        record.rawResponse = std::move(state->rawResponse);
    }
    record.error = error;
    record.latencyMs = state->latencyMs;
    record.cacheHit = state->cacheHit;
    record.createdAt = QDateTime::currentDateTimeUtc();
    m_writer->enqueue(std::move(record), state->cacheAnswer ? state->cacheKey : QByteArray());
    launchNext();
}

void EvalRunner::Impl::reportWritten()
{
    if (!m_running || !m_writer)
        return;
    store::ItemWriter::Written written = m_writer->takeWritten();
    // Counted before any is announced: a slot that cancels the run on one of them still gets a
    // summary with every item the workspace holds.
    for (const store::OutputItemRecord &record : written.records) {
        m_builder.addItem(record);
        m_finishTimes.push_back(m_clock.elapsed());
        if (m_finishTimes.size() > kEtaWindow)
            m_finishTimes.pop_front();
    }
    for (const store::OutputItemRecord &record : written.records) {
        Q_EMIT q->itemFinished(record);
        if (!m_running)
            return; // a slot cancelled the run
    }
    if (!written.error.isEmpty()) {
        m_error = written.error;
        finishRun(QStringLiteral("failed"));
        return;
    }
    if (written.records.empty())
        return;
    emitProgress(false);
    if (!m_summaryTimer.isActive())
        m_summaryTimer.start(kSummaryIntervalMs);
}

RunProgress EvalRunner::Impl::currentProgress() const
{
    RunProgress progress;
    progress.runId = m_record.id;
    progress.total = static_cast<qint64>(m_items.size());
    progress.perCriterion = m_builder.perCriterion();
    progress.passed = m_builder.passed();
    progress.failed = m_builder.failed();
    progress.errored = m_builder.errored();
    progress.done = m_builder.total();
    progress.inFlight = m_active;
    progress.saving = m_writer ? static_cast<qint64>(m_writer->unreportedCount()) : 0;
    progress.paused = m_paused;
    progress.waitingReason = m_pacer ? m_pacer->waitingReason() : QString();
    if (m_finishTimes.size() >= 2) {
        const qint64 span = m_finishTimes.back() - m_finishTimes.front();
        const qint64 remaining = progress.total - progress.done;
        if (span > 0) {
            const double perMs = static_cast<double>(m_finishTimes.size() - 1) / static_cast<double>(span);
            progress.etaMs = static_cast<qint64>(static_cast<double>(remaining) / perMs);
        } else if (remaining == 0) {
            progress.etaMs = 0;
        }
    }
    return progress;
}

void EvalRunner::Impl::emitProgress(bool now)
{
    if (!now) {
        if (!m_progressTimer.isActive())
            m_progressTimer.start(kProgressIntervalMs);
        return;
    }
    m_progressTimer.stop();
    Q_EMIT q->progressChanged(currentProgress());
}

void EvalRunner::Impl::saveSummary()
{
    if (!m_running)
        return;
    m_record.summary = m_builder.build(&m_pricing).toJson();
    m_store.updateRun(m_record);
}

void EvalRunner::Impl::finishRun(const QString &status)
{
    if (!m_running)
        return;
    if (m_writer && m_writer->unreportedCount() > 0) {
        // The items already finished belong in the summary (a cancel, a failure): wait for the
        // writer's last batch, at most a few milliseconds.
        m_writer->waitUntilWritten();
        reportWritten();
        if (!m_running)
            return; // reporting ended the run (a write failed, or a slot cancelled it)
    }
    m_running = false;
    m_summaryTimer.stop();
    m_progressTimer.stop();
    const RunSummary summary = m_builder.build(&m_pricing);
    m_record.status = status;
    m_record.summary = summary.toJson();
    m_record.finishedAt = QDateTime::currentDateTimeUtc();
    m_store.updateRun(m_record);
    RunProgress last = currentProgress();
    teardown();
    last.inFlight = 0;
    last.waitingReason.clear();
    const qint64 id = m_record.id;
    Q_EMIT q->progressChanged(last);
    Q_EMIT q->finished(id, summary, status);
}

void EvalRunner::Impl::teardown()
{
    m_session.reset(); // callbacks still on their way are ignored from now on
    if (m_pacer)
        m_pacer->abandonAll();
    // cancel() emits finished() at once; the handler ignores it (the session is gone).
    for (auto &[index, state] : m_inFlight) {
        Q_UNUSED(index);
        if (state->call) {
            api::ApiCall *call = state->call;
            state->call = nullptr;
            call->cancel();
        }
    }
    if (m_services)
        m_services->cancelAll();
    m_inFlight.clear();
    m_deferred.clear();
    m_deferTimer.stop();
    m_active = 0;
    dispose(m_services);
    dispose(m_sandbox);
    dispose(m_writer); // its destructor writes what is queued: nothing, after finishRun()
    m_cacheReader.reset();
    dispose(m_pacer);
    for (api::ApiClient *&extra : m_lanes)
        dispose(extra);
    m_lanes.clear();
    m_laneLoad.clear();
    m_running = false;
}

// ---------------------------------------------------------------------------------------------

EvalRunner::EvalRunner(api::ApiClient &client, store::EvalStore &store, QObject *parent)
    : QObject(parent), m_impl(std::make_unique<Impl>(this, client, store))
{
    qRegisterMetaType<assay::store::OutputItemRecord>();
    qRegisterMetaType<assay::eval::RunProgress>();
    qRegisterMetaType<assay::eval::RunSummary>();
}

EvalRunner::~EvalRunner() = default;

QString EvalRunner::datasetHash(const std::vector<json> &items)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    for (const json &item : items) {
        const std::string text = item.dump(-1, ' ', false, json::error_handler_t::replace);
        hash.addData(QByteArrayView(text.data(), static_cast<qsizetype>(text.size())));
        hash.addData(QByteArrayView("\n"));
    }
    return QString::fromLatin1(hash.result().toHex());
}

std::optional<qint64> EvalRunner::start(const EvalSpec &eval, const RunSpec &run, std::vector<json> items,
                                        const api::Profile &profile, const QString &apiKey,
                                        const RunnerOptions &options, QString *error)
{
    LoadedItems loaded;
    loaded.items = std::move(items);
    return start(eval, run, std::move(loaded), profile, apiKey, options, error);
}

std::optional<qint64> EvalRunner::start(const EvalSpec &eval, const RunSpec &run, LoadedItems loaded,
                                        const api::Profile &profile, const QString &apiKey,
                                        const RunnerOptions &options, QString *error)
{
    Impl &d = *m_impl;
    const QString hash = datasetHash(loaded.items);
    if (!d.prepare(eval, run, std::move(loaded), profile, apiKey, options, error))
        return std::nullopt;

    QString storeError;
    const json definition = eval.raw.is_object() ? eval.raw : eval.toJson();
    const std::optional<store::EvalRecord> saved =
        d.m_store.saveEval(QString::fromStdString(eval.name), definition, QString::fromStdString(eval.openaiId),
                           &storeError);
    if (!saved) {
        d.fail(error, QStringLiteral("could not save the eval: ") + storeError);
        return std::nullopt;
    }
    store::RunRecord record;
    record.evalId = saved->id;
    record.name = QString::fromStdString(run.name.empty() ? run.model : run.name);
    record.model = QString::fromStdString(run.model);
    record.api = run.api == api::ApiKind::ChatCompletions ? QStringLiteral("chat") : QStringLiteral("responses");
    record.status = QStringLiteral("in_progress");
    record.source = QStringLiteral("local");
    record.runSpec = run.toJson();
    record.datasetPath = QString::fromStdString(run.itemsFile);
    record.datasetHash = hash;
    record.totalItems = static_cast<qint64>(d.m_items.size());
    record.createdAt = QDateTime::currentDateTimeUtc();
    const std::optional<qint64> id = d.m_store.createRun(record, &storeError);
    if (!id) {
        d.fail(error, QStringLiteral("could not save the run: ") + storeError);
        return std::nullopt;
    }
    record.id = *id;
    d.m_record = record;

    std::vector<qint64> toDo(d.m_items.size());
    for (std::size_t i = 0; i < toDo.size(); ++i)
        toDo[i] = static_cast<qint64>(i);
    d.begin(toDo);
    return id;
}

bool EvalRunner::resume(qint64 runId, std::vector<json> items, const api::Profile &profile, const QString &apiKey,
                        const RunnerOptions &options, QString *error)
{
    LoadedItems loaded;
    loaded.items = std::move(items);
    return resume(runId, std::move(loaded), profile, apiKey, options, error);
}

bool EvalRunner::resume(qint64 runId, LoadedItems loaded, const api::Profile &profile, const QString &apiKey,
                        const RunnerOptions &options, QString *error)
{
    Impl &d = *m_impl;
    if (d.m_running)
        return d.fail(error, QStringLiteral("a run is already in progress"));
    const std::optional<store::RunRecord> record = d.m_store.run(runId);
    if (!record)
        return d.fail(error, QStringLiteral("there is no run %1 in this workspace").arg(runId));
    if (record->status == QLatin1String("completed"))
        return d.fail(error, QStringLiteral("run %1 is already complete").arg(runId));
    if (record->source == QLatin1String("imported"))
        return d.fail(error, QStringLiteral("run %1 was imported from the Evals API: there is nothing to resume").arg(runId));
    const std::optional<store::EvalRecord> evalRecord = d.m_store.eval(record->evalId);
    if (!evalRecord)
        return d.fail(error, QStringLiteral("the eval of run %1 is missing from the workspace").arg(runId));
    std::vector<SpecProblem> problems;
    const std::optional<EvalSpec> eval = EvalSpec::parse(evalRecord->definition, &problems);
    if (!eval) {
        return d.fail(error, QStringLiteral("the stored eval no longer parses: ") +
                                 QString::fromStdString(problems.empty() ? std::string() : problems.front().toString()));
    }
    problems.clear();
    const std::optional<RunSpec> run = RunSpec::parse(record->runSpec, QString(), &problems);
    if (!run) {
        return d.fail(error, QStringLiteral("the stored run no longer parses: ") +
                                 QString::fromStdString(problems.empty() ? std::string() : problems.front().toString()));
    }
    if (!record->datasetHash.isEmpty() && datasetHash(loaded.items) != record->datasetHash) {
        return d.fail(error, QStringLiteral("the items differ from those run %1 started with (dataset hash %2); "
                                            "start a new run instead")
                                 .arg(runId)
                                 .arg(record->datasetHash.left(12)));
    }
    if (!d.prepare(*eval, *run, std::move(loaded), profile, apiKey, options, error))
        return false;

    const QSet<qint64> finished = d.m_store.finishedItemIds(runId);
    for (const store::OutputItemRecord &item : d.m_store.items(runId, store::EvalStore::ItemFields::WithoutRawExchanges))
        d.m_builder.addItem(item);
    std::vector<qint64> toDo;
    toDo.reserve(d.m_items.size());
    for (qint64 i = 0; i < static_cast<qint64>(d.m_items.size()); ++i) {
        if (!finished.contains(i))
            toDo.push_back(i);
    }
    d.m_record = *record;
    d.m_record.status = QStringLiteral("in_progress");
    d.m_record.finishedAt = QDateTime();
    d.m_record.totalItems = static_cast<qint64>(d.m_items.size());
    QString storeError;
    if (!d.m_store.updateRun(d.m_record, &storeError))
        return d.fail(error, QStringLiteral("could not update run %1: %2").arg(runId).arg(storeError));
    d.begin(toDo);
    return true;
}

bool EvalRunner::isRunning() const
{
    return m_impl->m_running;
}

qint64 EvalRunner::runId() const
{
    return m_impl->m_record.id;
}

QString EvalRunner::errorMessage() const
{
    return m_impl->m_error;
}

RunProgress EvalRunner::progress() const
{
    return m_impl->currentProgress();
}

void EvalRunner::pause()
{
    Impl &d = *m_impl;
    if (!d.m_running || d.m_paused)
        return;
    d.m_paused = true;
    d.emitProgress(true);
}

void EvalRunner::unpause()
{
    Impl &d = *m_impl;
    if (!d.m_running || !d.m_paused)
        return;
    d.m_paused = false;
    d.emitProgress(true);
    d.launchNext();
}

void EvalRunner::cancel()
{
    Impl &d = *m_impl;
    if (!d.m_running)
        return;
    d.finishRun(QStringLiteral("canceled"));
}

} // namespace assay::eval
