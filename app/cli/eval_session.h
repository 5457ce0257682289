#pragma once

#include <memory>
#include <optional>
#include <vector>

#include <QList>
#include <QObject>
#include <QString>
#include <nlohmann/json.hpp>

#include "models/api/profile.h"
#include "models/eval/eval_runner.h"
#include "models/eval/eval_spec.h"
#include "models/eval/run_summary.h"
#include "models/store/eval_store.h"

namespace assay::api {
class ApiClient;
class SecretStore;
} // namespace assay::api

namespace assay::cli {

class InterruptWatcher;
class ProgressPrinter;

// One or more eval runs done one after the other inside the event loop, for `assay eval run`
// (one job per model) and `assay eval resume` (one job). Reads the key once, prints
// "run N started" and progress on stderr, stops cleanly on Ctrl+C, and quits the event loop
// with the exit code when the last job ends.
class EvalSession : public QObject {
    Q_OBJECT
public:
    struct Job {
        std::optional<qint64> resumeRunId; // set: continue this stored run
        eval::EvalSpec eval;               // for a new run
        eval::RunSpec run;
        eval::LoadedItems loaded;
    };
    struct Settings {
        api::Profile profile;
        eval::RunnerOptions options;
        std::optional<double> failUnder;
        QString outPath;
    };

    EvalSession(store::EvalStore &store, Settings settings, QObject *parent = nullptr);
    ~EvalSession() override;

    void addJob(Job job) { m_jobs.push_back(std::move(job)); }
    // Reads the key, then starts the first job. Call inside the event loop (a 0 ms timer).
    void start();

private:
    void startNext();
    void onFinished(qint64 runId, const eval::RunSummary &summary, const QString &status);
    void onInterrupted(int count);
    void finishAll();
    void quit(int code);

    store::EvalStore &m_store;
    Settings m_settings;
    std::vector<Job> m_jobs;
    std::size_t m_next = 0;
    QString m_apiKey;
    std::unique_ptr<api::ApiClient> m_client;
    std::unique_ptr<api::SecretStore> m_secrets;
    std::unique_ptr<eval::EvalRunner> m_runner;
    ProgressPrinter *m_progress = nullptr;
    InterruptWatcher *m_interrupts = nullptr;
    QList<store::RunRecord> m_done;
    QList<eval::RunSummary> m_summaries;
    bool m_interrupted = false;
    bool m_failed = false;
    bool m_quitting = false;
};

} // namespace assay::cli
