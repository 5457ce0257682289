#pragma once

#include <memory>
#include <optional>
#include <vector>

#include <QObject>
#include <QString>
#include <nlohmann/json.hpp>

#include "models/api/profile.h"
#include "models/prompt/pricing.h"
#include "models/eval/eval_spec.h"
#include "models/eval/run_summary.h"
#include "models/store/eval_store.h"

namespace assay::api {
class ApiClient;
}

namespace assay::eval {

struct RunnerOptions {
    int concurrency = 8;
    int requestsPerMinute = 0; // 0: no client-side limit (the x-ratelimit-* headers still pace us)
    int tokensPerMinute = 0;
    // Reuse stored answers for identical request bodies. Nullopt: on unless the run samples
    // with temperature > 0 (as the issue asks: off by default then).
    std::optional<bool> useCache;
    bool allowPython = false; // the user's consent for this eval's python graders
    int requestTimeoutMs = 0; // 0: the client's default
    // Prices for the summary's estimated cost; nullopt: the built-in table.
    std::optional<prompt::Pricing> pricing;
    // python3 for python graders ("python3" from PATH when empty).
    QString pythonExecutable;
};

struct RunProgress {
    qint64 runId = 0;
    qint64 total = 0;
    qint64 done = 0; // passed + failed + errored (including those finished before a resume)
    qint64 passed = 0;
    qint64 failed = 0;
    qint64 errored = 0;
    qint64 inFlight = 0; // holding a concurrency slot (sampling, or grading with model graders)
    qint64 saving = 0;   // finished, being written to the workspace (not yet counted in done)
    std::vector<RunSummary::Criterion> perCriterion;
    std::optional<qint64> etaMs;
    bool paused = false;
    QString waitingReason; // "rate limit: 12 s", empty when not waiting
};

// Runs one eval run: samples every dataset row (concurrently, rate limited, with the client's
// retries), grades it with every testing criterion and commits each output item to the
// workspace as soon as it is done, from a writer thread (store::ItemWriter): an item is reported
// (itemFinished, progress) once it is durable. The same engine serves the GUI and the CLI. Lives
// on the thread that owns the ApiClient and the EvalStore; never blocks it on the disk, except
// for the last batch's few milliseconds when a run ends.
class EvalRunner : public QObject {
    Q_OBJECT
public:
    EvalRunner(api::ApiClient &client, store::EvalStore &store, QObject *parent = nullptr);
    ~EvalRunner() override;

    // Saves the eval version and a new run record, then starts. Returns the run id, or nullopt
    // with a message (bad graders, python without consent, store failure).
    std::optional<qint64> start(const EvalSpec &eval, const RunSpec &run, std::vector<nlohmann::json> items,
                                const api::Profile &profile, const QString &apiKey,
                                const RunnerOptions &options, QString *error = nullptr);
    // The same with the rows' own samples (LoadedItems::samples): a jsonl run grades those.
    std::optional<qint64> start(const EvalSpec &eval, const RunSpec &run, LoadedItems loaded,
                                const api::Profile &profile, const QString &apiKey,
                                const RunnerOptions &options, QString *error = nullptr);
    // Continues an unfinished run from the database: samples only the rows without an item.
    // Refused when the items differ from those the run started with (dataset hash).
    bool resume(qint64 runId, std::vector<nlohmann::json> items, const api::Profile &profile,
                const QString &apiKey, const RunnerOptions &options, QString *error = nullptr);
    bool resume(qint64 runId, LoadedItems loaded, const api::Profile &profile, const QString &apiKey,
                const RunnerOptions &options, QString *error = nullptr);

    // Hex SHA-256 over the items' compact JSON, one per line: RunRecord::datasetHash.
    static QString datasetHash(const std::vector<nlohmann::json> &items);

    bool isRunning() const;
    qint64 runId() const;
    RunProgress progress() const;
    // Why the last run ended "failed" (e.g. the workspace refused a write); empty otherwise.
    QString errorMessage() const;

public Q_SLOTS:
    void pause();   // no new requests; those in flight finish
    void unpause(); // named so because resume() continues a stored run
    void cancel();  // stops requests in flight; the run ends "canceled" with what finished kept

Q_SIGNALS:
    void itemFinished(const assay::store::OutputItemRecord &item);
    void progressChanged(const assay::eval::RunProgress &progress);
    void finished(qint64 runId, const assay::eval::RunSummary &summary, const QString &status);

private:
    class Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace assay::eval
