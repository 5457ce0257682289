#pragma once

#include <functional>
#include <limits>
#include <utility>
#include <optional>
#include <string>
#include <vector>

#include <QSqlDatabase>
#include <QString>

#include "models/store/eval_store.h"

namespace assay::store {

// What a results table shows of one graded item, read without building the item's JSON trees:
// SQLite's JSON functions pick the few fields out of the stored text.
struct ItemDigest {
    enum class Status : quint8 { Pass, Fail, Error };
    struct Result {
        std::string name;
        double score = 0.0;
        bool passed = false;
        bool errored = false; // the grader could not grade
        bool invalid = false; // graded, but the grader's output was invalid
    };
    qint64 datasourceItemId = 0;
    Status status = Status::Error;
    qint64 latencyMs = -1;
    qint64 totalTokens = -1; // sampling tokens, -1 unknown
    bool cacheHit = false;
    std::string preview; // UTF-8, the start of the first output message (at most previewChars characters)
    std::string error;
    std::vector<Result> results;
};

// Sampling latency over a run's items (cache hits and unknown latencies left out).
struct LatencyStats {
    qint64 count = 0;
    double meanMs = 0.0;
    double p95Ms = 0.0; // nearest rank, like RunSummary
};

// Read-only queries over the output_items table (migration 0002) that EvalStore does not offer:
// compact digests for big runs, one item on demand, latency statistics. It works on any connection
// to the workspace file, so a worker thread can use a read-only connection of its own (WAL lets it
// read while the runner writes).
class RunItemReader {
public:
    explicit RunItemReader(QSqlDatabase db) : m_db(std::move(db)) {}

    static constexpr int PreviewChars = 160;

    // Calls `batch` with up to `batchSize` digests at a time, by datasource_item_id; `batch`
    // returns false to stop early. False with `error` set when the query fails. Only the first
    // `resultSlots` entries of each item's results are read (pass the number of testing criteria):
    // one parse of the results text picks them all, where walking the array costs four times more.
    // Only items with fromId <= datasource_item_id < toId (a part of a run read in parallel).
    bool readDigests(qint64 runId, int resultSlots, int batchSize,
                     const std::function<bool(std::vector<ItemDigest> &&)> &batch, QString *error = nullptr,
                     qint64 fromId = 0, qint64 toId = std::numeric_limits<qint64>::max()) const;
    // The smallest and largest datasource_item_id of a run (an index lookup); nullopt when empty.
    std::optional<std::pair<qint64, qint64>> itemIdRange(qint64 runId) const;
    std::optional<OutputItemRecord> item(qint64 runId, qint64 datasourceItemId) const;
    std::optional<LatencyStats> latency(qint64 runId) const; // nullopt when no item has a latency

    // A read-only connection to the workspace file at `path` under `connectionName` (the caller
    // removes it with QSqlDatabase::removeDatabase when done). Invalid on failure.
    static QSqlDatabase openReadOnly(const QString &path, const QString &connectionName, QString *error = nullptr);

private:
    QSqlDatabase m_db;
};

} // namespace assay::store
