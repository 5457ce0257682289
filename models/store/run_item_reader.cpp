#include "models/store/run_item_reader.h"

#include <algorithm>
#include <cmath>

#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace assay::store {

namespace {

using json = nlohmann::json;

// One row per item. The results come back as JSON arrays [name, score, passed, error,
// invalid_reason, name, ...] from one multi-path json_extract() per group of slots, so each item's
// results text is parsed once and a grader's own (possibly large) sample is never copied.
constexpr int kFields = 5;
constexpr int kSlotsPerCall = 20; // 100 arguments: below SQLite's default limit of 127

QString digestQuery(int slots)
{
    QString sql = QStringLiteral("SELECT datasource_item_id, status, latency_ms, cache_hit,"
                                 " json_extract(sample, '$.usage.total_tokens'),"
                                 " substr(coalesce(json_extract(sample, '$.output[0].content'), ''), 1, :preview),"
                                 " substr(error, 1, 1000)");
    for (int first = 0; first < slots; first += kSlotsPerCall) {
        QStringList paths;
        for (int slot = first; slot < std::min(slots, first + kSlotsPerCall); ++slot) {
            for (const char *field : {"name", "score", "passed", "error", "invalid_reason"})
                paths << QStringLiteral("'$[%1].%2'").arg(slot).arg(QLatin1String(field));
        }
        // results is valid JSON: the table's CHECK constraint says so.
        sql += QStringLiteral(", json_extract(results, %1)")
                   .arg(paths.join(QLatin1Char(',')));
    }
    return sql + QStringLiteral(" FROM output_items WHERE run_id = :run_id AND datasource_item_id >= :from"
                                " AND datasource_item_id < :to ORDER BY datasource_item_id");
}

constexpr auto kItem =
    "SELECT run_id, datasource_item_id, status, datasource_item, sample, results, error, latency_ms, cache_hit,"
    " openai_id, created_at FROM output_items WHERE run_id = :run_id AND datasource_item_id = :item";

constexpr auto kLatencyCount = "SELECT count(*), avg(latency_ms) FROM output_items"
                               " WHERE run_id = :run_id AND latency_ms >= 0 AND cache_hit = 0";
constexpr auto kLatencyRank = "SELECT latency_ms FROM output_items WHERE run_id = :run_id AND latency_ms >= 0"
                              " AND cache_hit = 0 ORDER BY latency_ms LIMIT 1 OFFSET :offset";

json parse(const QVariant &value)
{
    if (value.isNull())
        return nullptr;
    json parsed = json::parse(value.toString().toStdString(), nullptr, false);
    return parsed.is_discarded() ? json(nullptr) : parsed;
}

ItemDigest::Status statusOf(const QString &text)
{
    if (text == QLatin1String("pass"))
        return ItemDigest::Status::Pass;
    if (text == QLatin1String("fail"))
        return ItemDigest::Status::Fail;
    return ItemDigest::Status::Error;
}

bool truthy(const json &value)
{
    if (value.is_boolean())
        return value.get<bool>();
    if (value.is_number())
        return value.get<double>() != 0.0;
    return false;
}

bool nonEmptyText(const json &value)
{
    return !value.is_null() && !(value.is_string() && value.get_ref<const std::string &>().empty());
}

// Appends the results of one group of slots; a slot whose name and score are both absent is past
// the end of the item's results.
void addResults(const QVariant &group, std::vector<ItemDigest::Result> &results)
{
    if (group.isNull())
        return;
    const json parsed = json::parse(group.toString().toStdString(), nullptr, false);
    if (!parsed.is_array())
        return;
    for (std::size_t i = 0; i + kFields <= parsed.size(); i += kFields) {
        if (parsed[i].is_null() && parsed[i + 1].is_null())
            continue;
        ItemDigest::Result result;
        if (parsed[i].is_string())
            result.name = parsed[i].get<std::string>();
        if (parsed[i + 1].is_number())
            result.score = parsed[i + 1].get<double>();
        result.passed = truthy(parsed[i + 2]);
        result.errored = nonEmptyText(parsed[i + 3]);
        result.invalid = nonEmptyText(parsed[i + 4]);
        results.push_back(std::move(result));
    }
}

void setError(QString *error, const QSqlError &sqlError)
{
    if (error)
        *error = QStringLiteral("Workspace: %1")
                     .arg(sqlError.databaseText().isEmpty() ? sqlError.text() : sqlError.databaseText());
}

} // namespace

bool RunItemReader::readDigests(qint64 runId, int resultSlots, int batchSize,
                                const std::function<bool(std::vector<ItemDigest> &&)> &batch, QString *error,
                                qint64 fromId, qint64 toId) const
{
    const int slots = std::max(0, resultSlots);
    const int groups = (slots + kSlotsPerCall - 1) / kSlotsPerCall;
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(digestQuery(slots));
    query.bindValue(QStringLiteral(":preview"), PreviewChars);
    query.bindValue(QStringLiteral(":run_id"), runId);
    query.bindValue(QStringLiteral(":from"), fromId);
    query.bindValue(QStringLiteral(":to"), toId);
    if (!query.exec()) {
        setError(error, query.lastError());
        return false;
    }
    const std::size_t size = static_cast<std::size_t>(batchSize > 0 ? batchSize : 1000);
    std::vector<ItemDigest> digests;
    digests.reserve(size);
    while (query.next()) {
        ItemDigest digest;
        digest.datasourceItemId = query.value(0).toLongLong();
        digest.status = statusOf(query.value(1).toString());
        digest.latencyMs = query.value(2).toLongLong();
        digest.cacheHit = query.value(3).toInt() != 0;
        const QVariant tokens = query.value(4);
        digest.totalTokens = tokens.isNull() ? -1 : tokens.toLongLong();
        digest.preview = query.value(5).toString().toStdString();
        digest.error = query.value(6).toString().toStdString();
        digest.results.reserve(static_cast<std::size_t>(slots));
        for (int group = 0; group < groups; ++group)
            addResults(query.value(7 + group), digest.results);
        digests.push_back(std::move(digest));
        if (digests.size() >= size) {
            if (!batch(std::move(digests)))
                return true;
            digests = {};
            digests.reserve(size);
        }
    }
    if (query.lastError().isValid()) {
        setError(error, query.lastError());
        return false;
    }
    if (!digests.empty())
        batch(std::move(digests));
    return true;
}

std::optional<std::pair<qint64, qint64>> RunItemReader::itemIdRange(qint64 runId) const
{
    QSqlQuery query(m_db);
    // Two subqueries: SQLite answers a lone min() or max() from the index, both at once by a scan.
    query.prepare(QStringLiteral("SELECT (SELECT min(datasource_item_id) FROM output_items WHERE run_id = :a),"
                                 " (SELECT max(datasource_item_id) FROM output_items WHERE run_id = :b)"));
    query.bindValue(QStringLiteral(":a"), runId);
    query.bindValue(QStringLiteral(":b"), runId);
    if (!query.exec() || !query.next() || query.value(0).isNull())
        return std::nullopt;
    return std::make_pair(query.value(0).toLongLong(), query.value(1).toLongLong());
}

std::optional<OutputItemRecord> RunItemReader::item(qint64 runId, qint64 datasourceItemId) const
{
    QSqlQuery query(m_db);
    query.prepare(QString::fromLatin1(kItem));
    query.bindValue(QStringLiteral(":run_id"), runId);
    query.bindValue(QStringLiteral(":item"), datasourceItemId);
    if (!query.exec() || !query.next())
        return std::nullopt;
    OutputItemRecord record;
    record.runId = query.value(0).toLongLong();
    record.datasourceItemId = query.value(1).toLongLong();
    record.status = query.value(2).toString();
    record.datasourceItem = parse(query.value(3));
    record.sample = parse(query.value(4));
    record.results = parse(query.value(5));
    record.error = query.value(6).toString();
    record.latencyMs = query.value(7).toLongLong();
    record.cacheHit = query.value(8).toInt() != 0;
    record.openaiId = query.value(9).toString();
    const QVariant created = query.value(10);
    if (!created.isNull())
        record.createdAt = QDateTime::fromString(created.toString(), Qt::ISODateWithMs);
    return record;
}

std::optional<LatencyStats> RunItemReader::latency(qint64 runId) const
{
    QSqlQuery query(m_db);
    query.prepare(QString::fromLatin1(kLatencyCount));
    query.bindValue(QStringLiteral(":run_id"), runId);
    if (!query.exec() || !query.next())
        return std::nullopt;
    LatencyStats stats;
    stats.count = query.value(0).toLongLong();
    if (stats.count <= 0)
        return std::nullopt;
    stats.meanMs = query.value(1).toDouble();
    // Nearest rank: the ceil(0.95 n)-th smallest.
    const qint64 rank = static_cast<qint64>(std::ceil(0.95 * static_cast<double>(stats.count)));
    query.prepare(QString::fromLatin1(kLatencyRank));
    query.bindValue(QStringLiteral(":run_id"), runId);
    query.bindValue(QStringLiteral(":offset"), std::max<qint64>(rank, 1) - 1);
    if (!query.exec() || !query.next())
        return std::nullopt;
    stats.p95Ms = query.value(0).toDouble();
    return stats;
}

QSqlDatabase RunItemReader::openReadOnly(const QString &path, const QString &connectionName, QString *error)
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connectionName);
    db.setDatabaseName(path);
    db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=3000"));
    if (!db.open()) {
        setError(error, db.lastError());
        return QSqlDatabase();
    }
    // Reading a big run through mmap saves the kernel's copy of every page (a quarter of the time).
    QSqlQuery(db).exec(QStringLiteral("PRAGMA mmap_size = 1073741824"));
    return db;
}

} // namespace assay::store
