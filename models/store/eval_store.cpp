#include "models/store/eval_store.h"

#include <QCryptographicHash>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include "models/store/workspace.h"

namespace assay::store {

namespace {

using json = nlohmann::json;

// --- SQL --------------------------------------------------------------------------------------

constexpr auto kEvalColumns =
    "SELECT id, eval_key, version, name, definition, openai_id, created_at, definition_hash FROM evals";
constexpr auto kLatestVersionWhere =
    " WHERE version = (SELECT MAX(v.version) FROM evals v WHERE v.eval_key = evals.eval_key)";
constexpr auto kEvalById = " WHERE id = :id";
constexpr auto kEvalsByKey = " WHERE eval_key = :key ORDER BY version";
constexpr auto kLatestByOpenAiId = " WHERE openai_id = :openai_id ORDER BY version DESC, id DESC LIMIT 1";
constexpr auto kLatestByName = " WHERE name = :name ORDER BY (openai_id IS NULL OR openai_id = '') DESC,"
                               " version DESC, id DESC LIMIT 1";
constexpr auto kLatestOfKey = " WHERE eval_key = :key ORDER BY version DESC LIMIT 1";
constexpr auto kEvalOrder = " ORDER BY name COLLATE NOCASE, eval_key";
constexpr auto kInsertEval =
    "INSERT INTO evals (eval_key, version, name, definition, definition_hash, openai_id, created_at)"
    " VALUES (:eval_key, :version, :name, :definition, :definition_hash, :openai_id, :created_at)";
constexpr auto kSetEvalKey = "UPDATE evals SET eval_key = id WHERE id = :id";

constexpr auto kRunColumns =
    "SELECT id, eval_id, name, model, api, status, source, openai_id, run_spec, summary,"
    " dataset_path, dataset_hash, total_items, created_at, finished_at FROM runs";
// Every read leaves out trashed runs: to everything but the trash's own calls they are gone.
constexpr auto kRunById = " WHERE id = :id AND trashed = 0";
constexpr auto kRunByOpenAiId = " WHERE openai_id = :openai_id AND trashed = 0 ORDER BY id DESC LIMIT 1";
constexpr auto kRunsNewestFirst = " WHERE trashed = 0 ORDER BY created_at DESC, id DESC";
constexpr auto kUnfinishedRuns = " WHERE status IN ('queued', 'in_progress') AND source = 'local' AND trashed = 0"
                                 " ORDER BY created_at DESC, id DESC";
constexpr auto kInsertRun =
    "INSERT INTO runs (eval_id, name, model, api, status, source, openai_id, run_spec, summary, dataset_path,"
    " dataset_hash, total_items, created_at, finished_at)"
    " VALUES (:eval_id, :name, :model, :api, :status, :source, :openai_id, :run_spec, :summary, "
    ":dataset_path,"
    " :dataset_hash, :total_items, :created_at, :finished_at)";
constexpr auto kUpdateRun =
    "UPDATE runs SET status = :status, summary = :summary, finished_at = :finished_at,"
    " total_items = :total_items WHERE id = :id";
constexpr auto kDeleteRunItems = "DELETE FROM output_items WHERE run_id = :id";
constexpr auto kDeleteRun = "DELETE FROM runs WHERE id = :id";
constexpr auto kMoveRunToTrash = "UPDATE runs SET trashed = :to WHERE id = :id AND trashed = :from";
// Verdicts go with their runs (ON DELETE CASCADE).
constexpr auto kPurgeTrashedItems =
    "DELETE FROM output_items WHERE run_id IN (SELECT id FROM runs WHERE trashed = 1 AND (:all OR id = :id))";
constexpr auto kPurgeTrashedRuns = "DELETE FROM runs WHERE trashed = 1 AND (:all OR id = :id)";

constexpr auto kUpsertItem =
    "INSERT INTO output_items (run_id, datasource_item_id, status, datasource_item, sample, results, error,"
    " latency_ms, cache_hit, openai_id, created_at, raw_request, raw_response)"
    " VALUES (:run_id, :datasource_item_id, :status, :datasource_item, :sample, :results, :error,"
    " :latency_ms, :cache_hit, :openai_id, :created_at, :raw_request, :raw_response)"
    " ON CONFLICT (run_id, datasource_item_id) DO UPDATE SET status = excluded.status,"
    " datasource_item = excluded.datasource_item, sample = excluded.sample, results = excluded.results,"
    " error = excluded.error, latency_ms = excluded.latency_ms, cache_hit = excluded.cache_hit,"
    " openai_id = excluded.openai_id, created_at = excluded.created_at,"
    " raw_request = excluded.raw_request, raw_response = excluded.raw_response";
constexpr auto kItemColumns =
    "SELECT run_id, datasource_item_id, status, datasource_item, sample, results, error, latency_ms, "
    "cache_hit, openai_id, created_at, raw_request, raw_response FROM output_items";
// The same row shape without the raw exchanges (often the largest columns), for whole-run readers.
constexpr auto kItemColumnsWithoutRaw =
    "SELECT run_id, datasource_item_id, status, datasource_item, sample, results, error, latency_ms, "
    "cache_hit, openai_id, created_at, NULL, NULL FROM output_items";
constexpr auto kItemsOfRun = " WHERE run_id = :run_id ORDER BY datasource_item_id";
constexpr auto kItemOfRun = " WHERE run_id = :run_id AND datasource_item_id = :datasource_item_id";
constexpr auto kItemIdsOfRun = "SELECT datasource_item_id FROM output_items WHERE run_id = :run_id";

constexpr auto kCachedResponse = "SELECT response FROM response_cache WHERE key = :key";
constexpr auto kStoreResponse = "INSERT INTO response_cache (key, response, created_at)"
                                " VALUES (:key, :response, :created_at)"
                                " ON CONFLICT (key) DO UPDATE SET response = excluded.response,"
                                " created_at = excluded.created_at";

QString sql(const char *text)
{
    return QString::fromLatin1(text);
}

QString sql(const char *a, const char *b)
{
    return QString::fromLatin1(a) + QString::fromLatin1(b);
}

QString timeText(const QDateTime &time)
{
    return time.toUTC().toString(Qt::ISODateWithMs);
}

QVariant optionalTime(const QDateTime &time)
{
    return time.isValid() ? QVariant(timeText(time)) : QVariant(QMetaType(QMetaType::QString));
}

QDateTime readTime(const QVariant &value)
{
    if (value.isNull())
        return {};
    // Stored with a trailing Z, so this reads back as UTC.
    return QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
}

QString jsonText(const json &value)
{
    return QString::fromStdString(value.dump(-1, ' ', false, json::error_handler_t::replace));
}

QVariant optionalJson(const json &value)
{
    return value.is_null() || value.is_discarded() ? QVariant(QMetaType(QMetaType::QString))
                                                   : QVariant(jsonText(value));
}

// A NOT NULL text column: Qt binds a null QString as NULL.
QString notNull(const QString &text)
{
    return text.isNull() ? QStringLiteral("") : text;
}

QVariant optionalText(const QString &text)
{
    return text.isEmpty() ? QVariant(QMetaType(QMetaType::QString)) : QVariant(text);
}

json readJson(const QVariant &value)
{
    if (value.isNull())
        return nullptr;
    const std::string text = value.toString().toStdString();
    json parsed = json::parse(text, nullptr, false);
    return parsed.is_discarded() ? json(nullptr) : parsed;
}

QString definitionHash(const json &definition)
{
    // nlohmann::json keeps object keys sorted, so equal definitions dump identically.
    return QString::fromLatin1(
        QCryptographicHash::hash(QByteArray::fromStdString(definition.dump()), QCryptographicHash::Sha256)
            .toHex());
}

EvalRecord readEval(const QSqlQuery &query)
{
    EvalRecord record;
    record.id = query.value(0).toLongLong();
    record.evalKey = query.value(1).toLongLong();
    record.version = query.value(2).toInt();
    record.name = query.value(3).toString();
    record.definition = readJson(query.value(4));
    record.openaiId = query.value(5).toString();
    record.createdAt = readTime(query.value(6));
    return record;
}

RunRecord readRun(const QSqlQuery &query)
{
    RunRecord record;
    record.id = query.value(0).toLongLong();
    record.evalId = query.value(1).toLongLong();
    record.name = query.value(2).toString();
    record.model = query.value(3).toString();
    record.api = query.value(4).toString();
    record.status = query.value(5).toString();
    record.source = query.value(6).toString();
    record.openaiId = query.value(7).toString();
    record.runSpec = readJson(query.value(8));
    record.summary = readJson(query.value(9));
    record.datasetPath = query.value(10).toString();
    record.datasetHash = query.value(11).toString();
    record.totalItems = query.value(12).toLongLong();
    record.createdAt = readTime(query.value(13));
    record.finishedAt = readTime(query.value(14));
    return record;
}

OutputItemRecord readItem(const QSqlQuery &query)
{
    OutputItemRecord record;
    record.runId = query.value(0).toLongLong();
    record.datasourceItemId = query.value(1).toLongLong();
    record.status = query.value(2).toString();
    record.datasourceItem = readJson(query.value(3));
    record.sample = readJson(query.value(4));
    record.results = readJson(query.value(5));
    record.error = query.value(6).toString();
    record.latencyMs = query.value(7).toLongLong();
    record.cacheHit = query.value(8).toInt() != 0;
    record.openaiId = query.value(9).toString();
    record.createdAt = readTime(query.value(10));
    record.rawRequest = readJson(query.value(11));
    record.rawResponse = readJson(query.value(12));
    return record;
}

// One write transaction. IMMEDIATE takes the write lock up front, so two processes wait on the
// busy timeout instead of failing when both upgrade a read lock.
class WriteTransaction {
public:
    explicit WriteTransaction(const QSqlDatabase &db) : m_db(db)
    {
        QSqlQuery query(m_db);
        m_open = query.exec(QStringLiteral("BEGIN IMMEDIATE"));
        if (!m_open)
            m_error = query.lastError();
    }
    ~WriteTransaction()
    {
        if (m_open)
            QSqlQuery(m_db).exec(QStringLiteral("ROLLBACK"));
    }
    WriteTransaction(const WriteTransaction &) = delete;
    WriteTransaction &operator=(const WriteTransaction &) = delete;

    bool isOpen() const { return m_open; }
    QSqlError error() const { return m_error; }
    bool commit()
    {
        QSqlQuery query(m_db);
        if (!query.exec(QStringLiteral("COMMIT"))) {
            m_error = query.lastError();
            return false;
        }
        m_open = false;
        return true;
    }

private:
    QSqlDatabase m_db;
    bool m_open = false;
    QSqlError m_error;
};

QString errorText(const QSqlError &error)
{
    const QString text = error.databaseText().isEmpty() ? error.text() : error.databaseText();
    return QStringLiteral("Workspace: %1").arg(text);
}

bool setError(QString *error, const QString &message)
{
    if (error)
        *error = message;
    return false;
}

bool isRunStatus(const QString &status)
{
    return status == QLatin1String("queued") || status == QLatin1String("in_progress") ||
           status == QLatin1String("completed") || status == QLatin1String("canceled") ||
           status == QLatin1String("failed");
}

// A SELECT with at most one bound value, every row read by `read`. Empty when the workspace is
// closed or the query fails (the store's readers report absence, not errors).
template <typename Record>
QList<Record> selectAll(const Workspace &workspace, const QString &statement, Record (*read)(const QSqlQuery &),
                        const QString &parameter = {}, const QVariant &value = {})
{
    QList<Record> records;
    if (!workspace.isOpen())
        return records;
    QSqlQuery query(workspace.database());
    query.prepare(statement);
    if (!parameter.isEmpty())
        query.bindValue(parameter, value);
    if (!query.exec())
        return records;
    while (query.next())
        records.push_back(read(query));
    return records;
}

// The first row of such a SELECT.
template <typename Record>
std::optional<Record> selectFirst(const Workspace &workspace, const QString &statement,
                                  Record (*read)(const QSqlQuery &), const QString &parameter, const QVariant &value)
{
    if (!workspace.isOpen())
        return std::nullopt;
    QSqlQuery query(workspace.database());
    query.prepare(statement);
    query.bindValue(parameter, value);
    if (!query.exec() || !query.next())
        return std::nullopt;
    return read(query);
}

bool isItemStatus(const QString &status)
{
    return status == QLatin1String("pass") || status == QLatin1String("fail") || status == QLatin1String("error");
}

QString itemStatusProblem(const QString &status)
{
    return QStringLiteral("Unknown output item status '%1' (pass, fail or error).").arg(status);
}

// Every column of kInsertRun / kRestoreRun but the id.
void bindRun(QSqlQuery &query, const RunRecord &run, const QString &status)
{
    query.bindValue(QStringLiteral(":eval_id"), run.evalId);
    query.bindValue(QStringLiteral(":name"), notNull(run.name));
    query.bindValue(QStringLiteral(":model"), notNull(run.model));
    query.bindValue(QStringLiteral(":api"), run.api.isEmpty() ? QStringLiteral("responses") : run.api);
    query.bindValue(QStringLiteral(":status"), status);
    query.bindValue(QStringLiteral(":source"), run.source.isEmpty() ? QStringLiteral("local") : run.source);
    query.bindValue(QStringLiteral(":openai_id"), optionalText(run.openaiId));
    query.bindValue(QStringLiteral(":run_spec"), jsonText(run.runSpec.is_null() ? json::object() : run.runSpec));
    query.bindValue(QStringLiteral(":summary"), optionalJson(run.summary));
    query.bindValue(QStringLiteral(":dataset_path"), notNull(run.datasetPath));
    query.bindValue(QStringLiteral(":dataset_hash"), notNull(run.datasetHash));
    query.bindValue(QStringLiteral(":total_items"), run.totalItems);
    query.bindValue(QStringLiteral(":created_at"),
                    timeText(run.createdAt.isValid() ? run.createdAt : QDateTime::currentDateTimeUtc()));
    query.bindValue(QStringLiteral(":finished_at"), optionalTime(run.finishedAt));
}

// Every column of kUpsertItem; runId given apart so a restored run's items land on it.
void bindItem(QSqlQuery &query, const OutputItemRecord &item, qint64 runId)
{
    query.bindValue(QStringLiteral(":run_id"), runId);
    query.bindValue(QStringLiteral(":datasource_item_id"), item.datasourceItemId);
    query.bindValue(QStringLiteral(":status"), item.status);
    query.bindValue(QStringLiteral(":datasource_item"),
                    jsonText(item.datasourceItem.is_null() ? json::object() : item.datasourceItem));
    query.bindValue(QStringLiteral(":sample"), jsonText(item.sample.is_null() ? json::object() : item.sample));
    query.bindValue(QStringLiteral(":results"), jsonText(item.results.is_null() ? json::array() : item.results));
    query.bindValue(QStringLiteral(":error"), notNull(item.error));
    query.bindValue(QStringLiteral(":latency_ms"), item.latencyMs);
    query.bindValue(QStringLiteral(":cache_hit"), item.cacheHit ? 1 : 0);
    query.bindValue(QStringLiteral(":openai_id"), optionalText(item.openaiId));
    query.bindValue(QStringLiteral(":created_at"),
                    timeText(item.createdAt.isValid() ? item.createdAt : QDateTime::currentDateTimeUtc()));
    query.bindValue(QStringLiteral(":raw_request"), optionalJson(item.rawRequest));
    query.bindValue(QStringLiteral(":raw_response"), optionalJson(item.rawResponse));
}

} // namespace

nlohmann::json OutputItemRecord::toOutputItemJson(const QString &runIdText, const QString &evalIdText) const
{
    const QString id = openaiId.isEmpty()
                           ? QStringLiteral("outputitem_local_%1_%2").arg(runId).arg(datasourceItemId)
                           : openaiId;
    json object = {{"object", "eval.run.output_item"},
                   {"id", id.toStdString()},
                   {"run_id", runIdText.toStdString()},
                   {"eval_id", evalIdText.toStdString()},
                   {"created_at", createdAt.isValid() ? createdAt.toSecsSinceEpoch() : 0},
                   {"status", status.toStdString()},
                   {"datasource_item_id", datasourceItemId},
                   {"datasource_item", datasourceItem.is_object() ? datasourceItem : json::object()},
                   {"results", results.is_array() ? results : json::array()},
                   {"sample", sample.is_object() ? sample : json::object()}};
    // What Assay measured beside the Evals API's fields (an extension object the API never sends).
    if (openaiId.isEmpty()) {
        json measured = {{"cache_hit", cacheHit}};
        if (latencyMs >= 0)
            measured["latency_ms"] = latencyMs;
        if (!error.isEmpty())
            measured["error"] = error.toStdString();
        object["assay"] = std::move(measured);
    }
    return object;
}

EvalStore::EvalStore(Workspace &workspace, QObject *parent) : QObject(parent), m_workspace(workspace) {}

QString EvalStore::workspacePath() const
{
    return m_workspace.path();
}

// --- Evals ------------------------------------------------------------------------------------

std::optional<EvalRecord> EvalStore::saveEval(const QString &name, const nlohmann::json &definition,
                                              const QString &openaiId, QString *error)
{
    if (!m_workspace.isOpen()) {
        setError(error, QStringLiteral("The workspace is not open."));
        return std::nullopt;
    }
    if (name.isEmpty()) {
        setError(error, QStringLiteral("An eval needs a name to be saved."));
        return std::nullopt;
    }
    const QSqlDatabase db = m_workspace.database();
    WriteTransaction transaction(db);
    if (!transaction.isOpen()) {
        setError(error, errorText(transaction.error()));
        return std::nullopt;
    }
    const QString hash = definitionHash(definition);
    std::optional<EvalRecord> latest;
    QString latestHash;
    {
        QSqlQuery query(db);
        if (!openaiId.isEmpty()) {
            query.prepare(sql(kEvalColumns, kLatestByOpenAiId));
            query.bindValue(QStringLiteral(":openai_id"), openaiId);
        } else {
            query.prepare(sql(kEvalColumns, kLatestByName));
            query.bindValue(QStringLiteral(":name"), name);
        }
        if (!query.exec()) {
            setError(error, errorText(query.lastError()));
            return std::nullopt;
        }
        if (query.next()) {
            // The newest version of that eval (the row found may be an older one of a renamed eval).
            const qint64 key = query.value(1).toLongLong();
            QSqlQuery newest(db);
            newest.prepare(sql(kEvalColumns, kLatestOfKey));
            newest.bindValue(QStringLiteral(":key"), key);
            if (!newest.exec() || !newest.next()) {
                setError(error, errorText(newest.lastError()));
                return std::nullopt;
            }
            latest = readEval(newest);
            latestHash = newest.value(7).toString();
        }
    }
    if (latest && latestHash == hash && latest->name == name)
        return latest; // unchanged: no new version

    EvalRecord record;
    record.evalKey = latest ? latest->evalKey : 0;
    record.version = latest ? latest->version + 1 : 1;
    record.name = name;
    record.definition = definition;
    record.openaiId = openaiId.isEmpty() && latest ? latest->openaiId : openaiId;
    record.createdAt = QDateTime::currentDateTimeUtc();
    QSqlQuery query(db);
    query.prepare(sql(kInsertEval));
    query.bindValue(QStringLiteral(":eval_key"), record.evalKey);
    query.bindValue(QStringLiteral(":version"), record.version);
    query.bindValue(QStringLiteral(":name"), record.name);
    query.bindValue(QStringLiteral(":definition"), jsonText(definition));
    query.bindValue(QStringLiteral(":definition_hash"), hash);
    query.bindValue(QStringLiteral(":openai_id"), optionalText(record.openaiId));
    query.bindValue(QStringLiteral(":created_at"), timeText(record.createdAt));
    if (!query.exec()) {
        setError(error, errorText(query.lastError()));
        return std::nullopt;
    }
    record.id = query.lastInsertId().toLongLong();
    if (!latest) {
        record.evalKey = record.id;
        query.prepare(sql(kSetEvalKey));
        query.bindValue(QStringLiteral(":id"), record.id);
        if (!query.exec()) {
            setError(error, errorText(query.lastError()));
            return std::nullopt;
        }
    }
    query.finish();
    if (!transaction.commit()) {
        setError(error, errorText(transaction.error()));
        return std::nullopt;
    }
    return record;
}

std::optional<EvalRecord> EvalStore::eval(qint64 id) const
{
    return selectFirst(m_workspace, sql(kEvalColumns, kEvalById), &readEval, QStringLiteral(":id"), id);
}

std::optional<EvalRecord> EvalStore::evalByOpenAiId(const QString &openaiId) const
{
    if (openaiId.isEmpty())
        return std::nullopt;
    return selectFirst(m_workspace, sql(kEvalColumns, kLatestByOpenAiId), &readEval, QStringLiteral(":openai_id"),
                       openaiId);
}

std::optional<EvalRecord> EvalStore::latestEval(const QString &name) const
{
    if (!m_workspace.isOpen())
        return std::nullopt;
    QSqlQuery query(m_workspace.database());
    query.prepare(sql(kEvalColumns, kLatestByName));
    query.bindValue(QStringLiteral(":name"), name);
    if (!query.exec() || !query.next())
        return std::nullopt;
    const qint64 key = query.value(1).toLongLong();
    const QList<EvalRecord> all = versions(key);
    if (all.isEmpty())
        return std::nullopt;
    return all.back();
}

QList<EvalRecord> EvalStore::evals() const
{
    return selectAll(m_workspace, sql(kEvalColumns) + sql(kLatestVersionWhere) + sql(kEvalOrder), &readEval);
}

QList<EvalRecord> EvalStore::versions(qint64 evalKey) const
{
    return selectAll(m_workspace, sql(kEvalColumns, kEvalsByKey), &readEval, QStringLiteral(":key"), evalKey);
}

// --- Runs -------------------------------------------------------------------------------------

std::optional<qint64> EvalStore::createRun(const RunRecord &run, QString *error)
{
    if (!m_workspace.isOpen()) {
        setError(error, QStringLiteral("The workspace is not open."));
        return std::nullopt;
    }
    const QString status = run.status.isEmpty() ? QStringLiteral("queued") : run.status;
    if (!isRunStatus(status)) {
        setError(error, QStringLiteral("Unknown run status '%1'.").arg(status));
        return std::nullopt;
    }
    const QSqlDatabase db = m_workspace.database();
    WriteTransaction transaction(db);
    if (!transaction.isOpen()) {
        setError(error, errorText(transaction.error()));
        return std::nullopt;
    }
    QSqlQuery query(db);
    query.prepare(sql(kInsertRun));
    bindRun(query, run, status);
    if (!query.exec()) {
        setError(error, errorText(query.lastError()));
        return std::nullopt;
    }
    const qint64 id = query.lastInsertId().toLongLong();
    query.finish();
    if (!transaction.commit()) {
        setError(error, errorText(transaction.error()));
        return std::nullopt;
    }
    Q_EMIT runsChanged();
    return id;
}

bool EvalStore::updateRun(const RunRecord &run, QString *error)
{
    if (!m_workspace.isOpen())
        return setError(error, QStringLiteral("The workspace is not open."));
    if (!isRunStatus(run.status))
        return setError(error, QStringLiteral("Unknown run status '%1'.").arg(run.status));
    const QSqlDatabase db = m_workspace.database();
    WriteTransaction transaction(db);
    if (!transaction.isOpen())
        return setError(error, errorText(transaction.error()));
    QSqlQuery query(db);
    query.prepare(sql(kUpdateRun));
    query.bindValue(QStringLiteral(":status"), run.status);
    query.bindValue(QStringLiteral(":summary"), optionalJson(run.summary));
    query.bindValue(QStringLiteral(":finished_at"), optionalTime(run.finishedAt));
    query.bindValue(QStringLiteral(":total_items"), run.totalItems);
    query.bindValue(QStringLiteral(":id"), run.id);
    if (!query.exec())
        return setError(error, errorText(query.lastError()));
    if (query.numRowsAffected() == 0)
        return setError(error, QStringLiteral("No run with id %1 in the workspace.").arg(run.id));
    query.finish();
    if (!transaction.commit())
        return setError(error, errorText(transaction.error()));
    Q_EMIT runsChanged();
    return true;
}

QStringList EvalStore::criterionNames(qint64 runId) const
{
    QStringList names;
    const std::optional<RunRecord> record = run(runId);
    if (!record)
        return names;
    if (const std::optional<EvalRecord> definition = eval(record->evalId); definition && definition->definition.is_object()) {
        const auto it = definition->definition.find("testing_criteria");
        if (it != definition->definition.end() && it->is_array()) {
            for (const nlohmann::json &criterion : *it) {
                const std::string name = criterion.is_object() ? criterion.value("name", std::string()) : std::string();
                names << (name.empty() ? tr("criterion %1").arg(names.size() + 1) : QString::fromStdString(name));
            }
        }
    }
    if (names.isEmpty() && record->summary.is_object()) {
        const auto it = record->summary.find("per_testing_criteria_results");
        if (it != record->summary.end() && it->is_array()) {
            for (const nlohmann::json &criterion : *it) {
                if (criterion.is_object())
                    names << QString::fromStdString(criterion.value("testing_criteria", std::string()));
            }
        }
    }
    return names;
}

std::optional<RunRecord> EvalStore::run(qint64 id) const
{
    return selectFirst(m_workspace, sql(kRunColumns, kRunById), &readRun, QStringLiteral(":id"), id);
}

std::optional<RunRecord> EvalStore::runByOpenAiId(const QString &openaiId) const
{
    if (openaiId.isEmpty())
        return std::nullopt;
    return selectFirst(m_workspace, sql(kRunColumns, kRunByOpenAiId), &readRun, QStringLiteral(":openai_id"),
                       openaiId);
}

QList<RunRecord> EvalStore::runs() const
{
    return selectAll(m_workspace, sql(kRunColumns, kRunsNewestFirst), &readRun);
}

QList<RunRecord> EvalStore::unfinishedRuns() const
{
    return selectAll(m_workspace, sql(kRunColumns, kUnfinishedRuns), &readRun);
}

bool EvalStore::deleteRun(qint64 id, QString *error)
{
    if (!m_workspace.isOpen())
        return setError(error, QStringLiteral("The workspace is not open."));
    const QSqlDatabase db = m_workspace.database();
    WriteTransaction transaction(db);
    if (!transaction.isOpen())
        return setError(error, errorText(transaction.error()));
    QSqlQuery query(db);
    query.prepare(sql(kDeleteRunItems));
    query.bindValue(QStringLiteral(":id"), id);
    if (!query.exec())
        return setError(error, errorText(query.lastError()));
    query.prepare(sql(kDeleteRun));
    query.bindValue(QStringLiteral(":id"), id);
    if (!query.exec())
        return setError(error, errorText(query.lastError()));
    if (query.numRowsAffected() == 0)
        return setError(error, QStringLiteral("No run with id %1 in the workspace.").arg(id));
    query.finish();
    if (!transaction.commit())
        return setError(error, errorText(transaction.error()));
    Q_EMIT runsChanged();
    return true;
}

bool EvalStore::setRunTrashed(qint64 id, bool trashed, QString *error)
{
    if (!m_workspace.isOpen())
        return setError(error, QStringLiteral("The workspace is not open."));
    QSqlQuery query(m_workspace.database());
    query.prepare(sql(kMoveRunToTrash));
    query.bindValue(QStringLiteral(":to"), trashed ? 1 : 0);
    query.bindValue(QStringLiteral(":id"), id);
    query.bindValue(QStringLiteral(":from"), trashed ? 0 : 1);
    if (!query.exec())
        return setError(error, errorText(query.lastError()));
    if (query.numRowsAffected() == 0)
        return setError(error, trashed ? QStringLiteral("No run with id %1 in the workspace.").arg(id)
                                       : QStringLiteral("No run with id %1 in the trash.").arg(id));
    Q_EMIT runsChanged();
    return true;
}

bool EvalStore::trashRun(qint64 id, QString *error)
{
    return setRunTrashed(id, true, error);
}

bool EvalStore::untrashRun(qint64 id, QString *error)
{
    return setRunTrashed(id, false, error);
}

bool EvalStore::purgeTrash(std::optional<qint64> onlyRun, QString *error)
{
    if (!m_workspace.isOpen())
        return setError(error, QStringLiteral("The workspace is not open."));
    const QSqlDatabase db = m_workspace.database();
    WriteTransaction transaction(db);
    if (!transaction.isOpen())
        return setError(error, errorText(transaction.error()));
    QSqlQuery query(db);
    for (const char *statement : {kPurgeTrashedItems, kPurgeTrashedRuns}) {
        query.prepare(sql(statement));
        query.bindValue(QStringLiteral(":all"), onlyRun ? 0 : 1);
        query.bindValue(QStringLiteral(":id"), onlyRun.value_or(0));
        if (!query.exec())
            return setError(error, errorText(query.lastError()));
    }
    query.finish();
    if (!transaction.commit())
        return setError(error, errorText(transaction.error()));
    return true; // trashed runs were invisible already: nothing any view shows has changed
}

// --- Items ------------------------------------------------------------------------------------

bool EvalStore::commitItem(const OutputItemRecord &item, QString *error)
{
    // WAL: once COMMIT returns, the item survives the process being killed.
    return commitItems(std::span<const OutputItemRecord>(&item, 1), error);
}

bool EvalStore::commitItems(std::span<const OutputItemRecord> items, QString *error)
{
    return commitItems(items, {}, error);
}

bool EvalStore::commitItems(std::span<const OutputItemRecord> items, std::span<const ResponseToCache> responses,
                            QString *error)
{
    if (!m_workspace.isOpen())
        return setError(error, QStringLiteral("The workspace is not open."));
    for (const OutputItemRecord &item : items) {
        if (!isItemStatus(item.status))
            return setError(error, itemStatusProblem(item.status));
    }
    for (const ResponseToCache &entry : responses) {
        if (entry.key.isEmpty() || !entry.response)
            return setError(error, QStringLiteral("A cached response needs a key and an answer."));
    }
    if (items.empty() && responses.empty())
        return true;
    const QSqlDatabase db = m_workspace.database();
    WriteTransaction transaction(db);
    if (!transaction.isOpen())
        return setError(error, errorText(transaction.error()));
    if (!items.empty()) {
        QSqlQuery query(db);
        query.prepare(sql(kUpsertItem));
        for (const OutputItemRecord &item : items) {
            bindItem(query, item, item.runId);
            if (!query.exec())
                return setError(error, errorText(query.lastError()));
        }
        query.finish();
    }
    if (!responses.empty()) {
        QSqlQuery query(db);
        query.prepare(sql(kStoreResponse));
        const QString now = timeText(QDateTime::currentDateTimeUtc());
        for (const ResponseToCache &entry : responses) {
            query.bindValue(QStringLiteral(":key"), entry.key);
            query.bindValue(QStringLiteral(":response"), jsonText(*entry.response));
            query.bindValue(QStringLiteral(":created_at"), now);
            if (!query.exec())
                return setError(error, errorText(query.lastError()));
        }
        query.finish();
    }
    if (!transaction.commit())
        return setError(error, errorText(transaction.error()));
    return true;
}

std::vector<OutputItemRecord> EvalStore::items(qint64 runId, ItemFields fields) const
{
    const char *columns = fields == ItemFields::All ? kItemColumns : kItemColumnsWithoutRaw;
    const QList<OutputItemRecord> records =
        selectAll(m_workspace, sql(columns, kItemsOfRun), &readItem, QStringLiteral(":run_id"), runId);
    return {records.cbegin(), records.cend()};
}

std::optional<OutputItemRecord> EvalStore::item(qint64 runId, qint64 datasourceItemId) const
{
    if (!m_workspace.isOpen())
        return std::nullopt;
    QSqlQuery query(m_workspace.database());
    query.prepare(sql(kItemColumns, kItemOfRun));
    query.bindValue(QStringLiteral(":run_id"), runId);
    query.bindValue(QStringLiteral(":datasource_item_id"), datasourceItemId);
    if (!query.exec() || !query.next())
        return std::nullopt;
    return readItem(query);
}

QSet<qint64> EvalStore::finishedItemIds(qint64 runId) const
{
    QSet<qint64> ids;
    if (!m_workspace.isOpen())
        return ids;
    QSqlQuery query(m_workspace.database());
    query.prepare(sql(kItemIdsOfRun));
    query.bindValue(QStringLiteral(":run_id"), runId);
    if (!query.exec())
        return ids;
    while (query.next())
        ids.insert(query.value(0).toLongLong());
    return ids;
}

// --- Response cache ---------------------------------------------------------------------------

std::optional<nlohmann::json> EvalStore::cachedResponse(const QByteArray &key) const
{
    return ResponseCacheReader(m_workspace).find(key);
}

bool EvalStore::storeResponse(const QByteArray &key, const nlohmann::json &response, QString *error)
{
    if (key.isEmpty())
        return setError(error, QStringLiteral("A cached response needs a key."));
    const ResponseToCache entry{key, &response};
    return commitItems({}, std::span<const ResponseToCache>(&entry, 1), error);
}

// ---------------------------------------------------------------------------------------------
// ResponseCacheReader

struct ResponseCacheReader::Statement {
    QSqlDatabase database;
    QSqlQuery query;
    bool prepared = false;
};

ResponseCacheReader::ResponseCacheReader(const Workspace &workspace)
{
    if (!workspace.isOpen())
        return;
    const QSqlDatabase database = workspace.database();
    m_statement = std::make_unique<Statement>(Statement{database, QSqlQuery(database), false});
    m_statement->prepared = m_statement->query.prepare(sql(kCachedResponse));
}

ResponseCacheReader::~ResponseCacheReader() = default;

std::optional<nlohmann::json> ResponseCacheReader::find(const QByteArray &key)
{
    if (!m_statement || !m_statement->prepared)
        return std::nullopt;
    QSqlQuery &query = m_statement->query;
    query.bindValue(0, key);
    const bool found = query.exec() && query.next();
    json response = found ? readJson(query.value(0)) : json();
    // Ends the read transaction at once: an open one would keep the WAL from being checkpointed.
    query.finish();
    if (response.is_null())
        return std::nullopt;
    return response;
}

std::vector<std::optional<nlohmann::json>> ResponseCacheReader::findAll(std::span<const QByteArray> keys)
{
    std::vector<std::optional<json>> answers;
    answers.reserve(keys.size());
    // Without a transaction of our own (one is open on this connection already, say) each
    // lookup reads on its own: slower, the same answers.
    const bool batched = keys.size() > 1 && m_statement && m_statement->prepared && m_statement->database.transaction();
    for (const QByteArray &key : keys)
        answers.push_back(find(key));
    if (batched)
        m_statement->database.commit();
    return answers;
}

} // namespace assay::store
