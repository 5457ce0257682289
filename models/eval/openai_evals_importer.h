#pragma once

#include <memory>
#include <vector>

#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <nlohmann/json.hpp>

#include "models/api/profile.h"
#include "models/eval/eval_import.h"

namespace assay::api {
class ApiCall;
class ApiClient;
} // namespace assay::api

namespace assay::store {
class EvalStore;
}

namespace assay::eval {

// Imports evals, their runs and the runs' output items from the Evals API into the workspace:
// GET /evals, /evals/{id}/runs, /evals/{id}/runs/{run}/output_items, each paged with
// limit/after until has_more is false, stored as they arrive through ImportSession (so a
// cancelled import keeps what it fetched, and a repeated one adds no duplicates).
// One request at a time; never blocks.
class OpenAiEvalsImporter : public QObject {
    Q_OBJECT
public:
    OpenAiEvalsImporter(api::ApiClient &client, store::EvalStore &store, QObject *parent = nullptr);
    ~OpenAiEvalsImporter() override;

    void setPageSize(int limit) { m_pageSize = limit; } // 1..100, default 100

    // `evalIds` empty: every eval of the project. finished() follows exactly once.
    void start(const api::Profile &profile, const QString &apiKey, const QStringList &evalIds = {});
    bool isRunning() const { return m_running; }
    const ImportReport &report() const;

public Q_SLOTS:
    void cancel();

Q_SIGNALS:
    // What is being fetched ("GET evals/eval_1/runs") and the totals so far.
    void progressed(const QString &stage, int evals, int runs, int items);
    // report.error is set when the API refused (ApiError::summary()) or the user cancelled.
    void finished(const assay::eval::ImportReport &report);

private:
    enum class Stage { Evals, Eval, Runs, Items };
    struct Job {
        Stage stage;
        QString evalId;
        QString runId;
    };
    void next();
    void fetchPage();
    void onPage(const nlohmann::json &page);
    void finish(const std::string &error, bool cancelled = false);
    QString pathFor(const Job &job) const;

    api::ApiClient &m_client;
    store::EvalStore &m_store;
    std::unique_ptr<ImportSession> m_session;
    api::Profile m_profile;
    QString m_apiKey; // for the requests of this import only; never stored or shown
    int m_pageSize = 100;
    bool m_running = false;
    std::vector<Job> m_jobs; // done front to back
    std::size_t m_current = 0;
    QString m_after;
    QPointer<api::ApiCall> m_call;
    int m_evals = 0;
    int m_runs = 0;
    int m_items = 0;
    ImportReport m_empty;
};

} // namespace assay::eval
