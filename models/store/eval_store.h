#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <QDateTime>
#include <QList>
#include <QObject>
#include <QSet>
#include <QString>
#include <QStringList>
#include <nlohmann/json.hpp>

namespace assay::store {

class Workspace;

// An eval definition as stored: every change saved is a new version of the same eval (by name,
// or by OpenAI id for imported ones).
struct EvalRecord {
    qint64 id = 0;      // this version's row id
    qint64 evalKey = 0; // shared by all versions of one eval
    int version = 1;
    QString name;
    nlohmann::json definition; // CreateEvalRequest body
    QString openaiId;          // "eval_..." when imported
    QDateTime createdAt;       // UTC
};

// A run: local (sampled and graded here) or imported from the Evals API.
struct RunRecord {
    qint64 id = 0;
    qint64 evalId = 0; // EvalRecord::id (the exact version)
    QString name;
    QString model;
    QString api;    // "responses" / "chat"
    QString status; // "queued", "in_progress", "completed", "canceled", "failed" (EvalRun's words)
    QString source; // "local" / "imported"
    QString openaiId;
    nlohmann::json runSpec;  // CreateEvalRunRequest body (items inline or the file path)
    nlohmann::json summary;  // RunSummary::toJson(); null until the first item is committed
    QString datasetPath;
    QString datasetHash;     // hex SHA-256 of the items used
    qint64 totalItems = 0;
    QDateTime createdAt;
    QDateTime finishedAt;    // invalid while running
};

// One graded dataset row, shaped like eval.run.output_item.
struct OutputItemRecord {
    qint64 runId = 0;
    qint64 datasourceItemId = 0; // index of the row in the run's items (0-based), unique per run
    QString status;              // "pass", "fail", "error"
    nlohmann::json datasourceItem;
    nlohmann::json sample;  // EvalRunOutputItem.sample (input, output, model, usage, error, ...)
    nlohmann::json results; // [GradeResult::toJson()]
    QString error;          // why the item errored, empty otherwise
    qint64 latencyMs = -1;  // sampling latency, -1 unknown
    bool cacheHit = false;
    QString openaiId;       // "outputitem_..." when imported
    QDateTime createdAt;
    // What was sent and received for the sampling call, for the drill-down (local runs; null for
    // imported items and items that errored before sampling). rawRequest is {"method", "url",
    // "body"}: never a header, so never a key. rawResponse is the API's answer body as parsed
    // (for a stream, the final response object the stream assembled).
    nlohmann::json rawRequest;
    nlohmann::json rawResponse;
    // The EvalRunOutputItem JSON (object, id, run_id, eval_id, status, datasource_item_id,
    // datasource_item, results, sample, created_at) as Assay exports it; local items add an
    // "assay" object {latency_ms, cache_hit, error}.
    nlohmann::json toOutputItemJson(const QString &runId, const QString &evalId) const;
};

// An entry for the response cache: the SHA-256 key of a request and the answer to keep. The
// answer is borrowed: it must outlive the call it is passed to.
struct ResponseToCache {
    QByteArray key;
    const nlohmann::json *response = nullptr;
};

// Evals, runs and output items in the workspace database (migration 0002). Every call is one
// transaction; commitItem() is durable when it returns (WAL), so a killed process loses no
// finished item. Use from the thread that opened the Workspace.
class EvalStore : public QObject {
    Q_OBJECT
public:
    explicit EvalStore(Workspace &workspace, QObject *parent = nullptr);
    // The workspace file, for a connection of another thread (ItemWriter).
    QString workspacePath() const;
    const Workspace &workspace() const { return m_workspace; }

    // Saves a definition; returns the existing version when unchanged, else a new version.
    std::optional<EvalRecord> saveEval(const QString &name, const nlohmann::json &definition,
                                       const QString &openaiId = {}, QString *error = nullptr);
    std::optional<EvalRecord> eval(qint64 id) const;
    QList<EvalRecord> evals() const;                 // latest version of each eval
    QList<EvalRecord> versions(qint64 evalKey) const; // oldest first
    std::optional<EvalRecord> evalByOpenAiId(const QString &openaiId) const; // latest version
    std::optional<EvalRecord> latestEval(const QString &name) const;        // latest version by name

    std::optional<qint64> createRun(const RunRecord &run, QString *error = nullptr);
    bool updateRun(const RunRecord &run, QString *error = nullptr); // status, summary, finishedAt, totalItems
    std::optional<RunRecord> run(qint64 id) const;
    // The names of a run's testing criteria, in its eval's order ("criterion N" for an unnamed
    // one); from the run's summary when the eval is gone. Empty for an unknown run.
    QStringList criterionNames(qint64 runId) const;
    std::optional<RunRecord> runByOpenAiId(const QString &openaiId) const;
    QList<RunRecord> runs() const;          // newest first (created_at)
    QList<RunRecord> unfinishedRuns() const; // status queued / in_progress: offered for resume
    bool deleteRun(qint64 id, QString *error = nullptr);
    // The trash, for deletion with undo: a trashed run keeps its id, items and verdicts but no
    // read sees it (run(), runs(), ...); one row changes however big the run is. untrashRun()
    // brings it back as it was. purgeTrash() deletes trashed runs for good: the one given, or all.
    bool trashRun(qint64 id, QString *error = nullptr);
    bool untrashRun(qint64 id, QString *error = nullptr);
    bool purgeTrash(std::optional<qint64> onlyRun = std::nullopt, QString *error = nullptr);

    // Inserts or replaces the item with the same (run, datasource_item_id).
    bool commitItem(const OutputItemRecord &item, QString *error = nullptr);
    // Several items in one transaction: all or none.
    bool commitItems(std::span<const OutputItemRecord> items, QString *error = nullptr);
    // Items and the sampling answers they put into the response cache, in one transaction: the
    // runner writes a batch of finished items with one commit instead of two per item.
    bool commitItems(std::span<const OutputItemRecord> items, std::span<const ResponseToCache> responses,
                     QString *error = nullptr);
    // What items() reads: reports and exports of large runs skip the raw exchanges they never show.
    enum class ItemFields { All, WithoutRawExchanges };
    std::vector<OutputItemRecord> items(qint64 runId, ItemFields fields = ItemFields::All) const; // by datasource_item_id
    std::optional<OutputItemRecord> item(qint64 runId, qint64 datasourceItemId) const;
    QSet<qint64> finishedItemIds(qint64 runId) const; // every committed item, errored ones included

    // The response cache: a sampling or grader answer keyed by the SHA-256 of the exact request body.
    std::optional<nlohmann::json> cachedResponse(const QByteArray &key) const;
    bool storeResponse(const QByteArray &key, const nlohmann::json &response, QString *error = nullptr);

Q_SIGNALS:
    void runsChanged();

private:
    bool setRunTrashed(qint64 id, bool trashed, QString *error);

    Workspace &m_workspace;
};

// Looks answers up in the response cache through one prepared statement. An eval runner asks
// once per item, between one answer and its slot's next request: preparing the statement every
// time cost more than the lookup itself. Destroy it before the workspace closes.
class ResponseCacheReader {
public:
    explicit ResponseCacheReader(const Workspace &workspace);
    ~ResponseCacheReader();
    ResponseCacheReader(const ResponseCacheReader &) = delete;
    ResponseCacheReader &operator=(const ResponseCacheReader &) = delete;

    std::optional<nlohmann::json> find(const QByteArray &key);
    // The answers for several keys, in their order, read in one read transaction: lookups one by
    // one would each take the locks and, with a writer committing meanwhile, reread its pages.
    std::vector<std::optional<nlohmann::json>> findAll(std::span<const QByteArray> keys);

private:
    struct Statement;
    std::unique_ptr<Statement> m_statement; // null when the workspace was not open
};

} // namespace assay::store
