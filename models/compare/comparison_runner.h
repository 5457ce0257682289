#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include <QObject>
#include <QPointer>
#include <QTimer>

#include "models/api/profile.h"
#include "models/compare/comparison_document.h"
#include "models/prompt/pricing.h"

namespace assay::api {
class ApiClient;
class ApiCall;
} // namespace assay::api

namespace assay::eval {
class GraderServices;
class Grader;
} // namespace assay::eval

namespace assay::compare {

// Runs a document's cells through ApiClient (streaming), at most maxConcurrent() requests at a
// time, each with the client's retry policy. Every (row, variant, repeat) is one job; one job's
// failure never touches another. Deltas are coalesced: the document hears cellChanged at most
// once per flush interval (~25 ms) per cell, however fast the server streams. A finished run is
// graded with the document's graders through the GraderServices given (if any).
// GUI thread only; no blocking anywhere.
class ComparisonRunner : public QObject {
    Q_OBJECT
public:
    ComparisonRunner(ComparisonDocument *document, api::ApiClient *client, QObject *parent = nullptr);
    ~ComparisonRunner() override;

    static constexpr int kDefaultMaxConcurrent = 4;
    static constexpr int kFlushIntervalMs = 25;

    // Where requests go. The key is held in memory only, never logged or stored.
    void setProfile(const api::Profile &profile, const QString &apiKey);
    void setMaxConcurrent(int limit); // >= 1; applies to jobs started from now on
    int maxConcurrent() const { return m_maxConcurrent; }
    void setPricing(const prompt::Pricing &pricing) { m_pricing = pricing; }
    // Graders need model calls / python: null = graders that need them error, the others run.
    void setGraderServices(eval::GraderServices *services) { m_graderServices = services; }

    // Queue work. A cell already queued or streaming is left alone (not restarted).
    void runAll();
    void runColumn(int variant);
    void runRow(int row);
    void runCell(int row, int variant); // every repeat of the cell
    // Stop: in-flight requests are cancelled (partial text kept), queued ones dropped; both
    // end Stopped.
    void stopAll();
    void stopColumn(int variant);
    void stopRow(int row);
    void stopCell(int row, int variant);

    // Grades every finished (done) run again with the attached graders, from its stored answer:
    // graders attached after the answers came in score them too. Runs in flight are graded
    // when they finish, as usual. With no graders, clears the grades.
    void gradeFinished();

    bool isRunning() const { return !m_queue.empty() || !m_jobs.empty() || m_gradingCount > 0; }
    int queuedCount() const { return static_cast<int>(m_queue.size()); }
    int activeCount() const { return static_cast<int>(m_jobs.size()); }
    // Runs finished (done/error/stopped) and total since the last time the runner went idle.
    int finishedCount() const { return m_finished; }
    int totalCount() const { return m_total; }

Q_SIGNALS:
    void runningChanged(bool running);
    void progressChanged(int finished, int total);
    // A request could not be built for a cell (bad template, no model): the cell shows it too.
    void cellFailed(int row, int variant, const QString &message);

private:
    struct JobKey {
        quint64 rowId = 0;
        quint64 variantId = 0;
        int repeat = 0;
        auto operator<=>(const JobKey &) const = default;
    };
    struct Job {
        JobKey key;
        QPointer<api::ApiCall> call;
        QString pending; // deltas not yet written to the document
        bool streamingNotified = false;
        int lane = 0;    // which client carries it (see clientForNewJob)
    };

    void enqueue(int row, int variant);
    void stopWhere(const std::function<bool(const JobKey &)> &match);
    void pump();
    void start(const JobKey &key);
    // Qt 6.4 opens at most 6 connections per host and network manager: above that, requests
    // would wait inside Qt while the runner counts them as running. Lane 0 is the given client;
    // each further 6 slots get a client of their own (same retry policy), the least loaded first.
    api::ApiClient *clientForNewJob(int *lane);
    void onFinished(const JobKey &key, const api::ResponseResult &result);
    void grade(const JobKey &key, const api::ResponseResult &result, bool jsonRequested);
    void flush();
    void updateRunning();
    bool locate(const JobKey &key, int *row, int *variant) const;
    void rebuildGraders();
    void discardAll(); // the document is being reset: drop everything
    // Drops matching work while the document changes shape: runs end Stopped without a
    // cellChanged (the model is between begin/end of a structural change), and the queue moves
    // on from the event loop.
    void dropWhere(const std::function<bool(const JobKey &)> &match);

    QPointer<ComparisonDocument> m_document;
    api::ApiClient *m_client;
    std::vector<api::ApiClient *> m_lanes; // extra clients (children), lanes 1..
    api::Profile m_profile;
    QString m_apiKey;
    prompt::Pricing m_pricing;
    eval::GraderServices *m_graderServices = nullptr;
    std::vector<std::shared_ptr<const eval::Grader>> m_graders;
    std::vector<QString> m_graderErrors;
    int m_maxConcurrent = kDefaultMaxConcurrent;
    std::deque<JobKey> m_queue;
    std::set<JobKey> m_queuedKeys;
    std::map<JobKey, std::unique_ptr<Job>> m_jobs;
    std::set<JobKey> m_dirty;
    QTimer m_flushTimer;
    int m_gradingCount = 0;
    int m_finished = 0;
    int m_total = 0;
    bool m_wasRunning = false;
    std::shared_ptr<bool> m_alive = std::make_shared<bool>(true);
};

} // namespace assay::compare
