#include "models/store/workspace.h"

#include <atomic>
#include <vector>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QVariant>

namespace assay::store {

namespace {

// The same words whether the newer version is seen before or inside the migration lock.
QString newerVersionMessage(const QString &path, int version, int latest)
{
    return QStringLiteral("The workspace %1 was written by a newer version of Assay (schema version %2; "
                          "this build knows up to %3). Update Assay or open another workspace.")
        .arg(path)
        .arg(version)
        .arg(latest);
}

// --- SQL --------------------------------------------------------------------------------------

constexpr auto kCreateSchemaVersion = "CREATE TABLE IF NOT EXISTS schema_version ("
                                      " version INTEGER PRIMARY KEY,"
                                      " name TEXT NOT NULL,"
                                      " applied_at TEXT NOT NULL)";
constexpr auto kCurrentVersion = "SELECT COALESCE(MAX(version), 0) FROM schema_version";
constexpr auto kSchemaVersionExists =
    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'";
constexpr auto kRecordVersion =
    "INSERT INTO schema_version (version, name, applied_at) VALUES (:version, :name, :applied_at)";

constexpr auto kUpsertDataset =
    "INSERT INTO datasets (name, path, format, row_count, item_schema, content_hash, created_at, updated_at)"
    " VALUES (:name, :path, :format, :row_count, :item_schema, :content_hash, :created_at, :updated_at)"
    " ON CONFLICT(path) DO UPDATE SET name = excluded.name, format = excluded.format,"
    " row_count = excluded.row_count, item_schema = excluded.item_schema,"
    " content_hash = excluded.content_hash, updated_at = excluded.updated_at";
constexpr auto kDatasetColumns = "SELECT id, name, path, format, row_count, item_schema, content_hash, "
                                 "created_at, updated_at FROM datasets";
constexpr auto kDatasetIdByPath = "SELECT id FROM datasets WHERE path = :path";
constexpr auto kDatasetOrder = " ORDER BY name COLLATE NOCASE, path";
constexpr auto kWhereId = " WHERE id = :id";
constexpr auto kWherePath = " WHERE path = :path";
constexpr auto kDeleteDataset = "DELETE FROM datasets WHERE id = :id";
constexpr auto kUpdateSchema =
    "UPDATE datasets SET item_schema = :item_schema, updated_at = :updated_at WHERE id = :id";

QString sql(const char *text)
{
    return QString::fromLatin1(text);
}

// --- Migrations -------------------------------------------------------------------------------

struct Migration {
    int version = 0;
    QString name;     // "0001_datasets"
    QString resource; // ":/migrations/0001_datasets.sql"
};

struct MigrationList {
    std::vector<Migration> migrations;
    QString problem; // a broken build: gaps or duplicate numbers
};

const MigrationList &migrationList()
{
    static const MigrationList list = [] {
        MigrationList result;
        static const QRegularExpression namePattern(QStringLiteral("^(\\d{4})_([A-Za-z0-9_]+)\\.sql$"));
        const QDir dir(QStringLiteral(":/migrations"));
        const QStringList files = dir.entryList(QDir::Files, QDir::Name);
        for (const QString &file : files) {
            const QRegularExpressionMatch match = namePattern.match(file);
            if (!match.hasMatch()) {
                result.problem = QStringLiteral("unexpected migration file name %1").arg(file);
                continue;
            }
            result.migrations.push_back({match.captured(1).toInt(), file.chopped(4), dir.filePath(file)});
        }
        for (std::size_t i = 0; i < result.migrations.size(); ++i) {
            if (result.migrations[i].version != static_cast<int>(i) + 1)
                result.problem = QStringLiteral("migrations are not numbered 0001, 0002... without gaps (%1)")
                                     .arg(result.migrations[i].name);
        }
        return result;
    }();
    return list;
}

// Splits a migration script into statements: the SQLite driver runs one statement per exec().
// Semicolons inside quotes, comments and CREATE TRIGGER ... BEGIN ... END bodies do not split.
QStringList splitStatements(const QString &script)
{
    QStringList statements;
    QString current;
    const qsizetype n = script.size();
    auto isTrigger = [](const QString &statement) {
        static const QRegularExpression trigger(
            QStringLiteral("^\\s*CREATE\\s+(TEMP\\s+|TEMPORARY\\s+)?TRIGGER\\b"),
            QRegularExpression::CaseInsensitiveOption);
        return trigger.match(statement).hasMatch();
    };
    auto endsWithEnd = [](const QString &statement) {
        static const QRegularExpression end(QStringLiteral("\\bEND\\s*$"),
                                            QRegularExpression::CaseInsensitiveOption);
        return end.match(statement).hasMatch();
    };
    for (qsizetype i = 0; i < n; ++i) {
        const QChar c = script.at(i);
        const QChar next = i + 1 < n ? script.at(i + 1) : QChar();
        if (c == QLatin1Char('-') && next == QLatin1Char('-')) {
            while (i < n && script.at(i) != QLatin1Char('\n'))
                ++i;
            current += QLatin1Char('\n');
            continue;
        }
        if (c == QLatin1Char('/') && next == QLatin1Char('*')) {
            const qsizetype close = script.indexOf(QLatin1String("*/"), i + 2);
            i = close < 0 ? n : close + 1;
            current += QLatin1Char(' ');
            continue;
        }
        if (c == QLatin1Char('\'') || c == QLatin1Char('"') || c == QLatin1Char('`') ||
            c == QLatin1Char('[')) {
            const QChar closing = c == QLatin1Char('[') ? QLatin1Char(']') : c;
            current += c;
            for (++i; i < n; ++i) {
                current += script.at(i);
                if (script.at(i) == closing) {
                    // A doubled quote is an escaped quote inside the literal.
                    if (closing != QLatin1Char(']') && i + 1 < n && script.at(i + 1) == closing) {
                        current += script.at(++i);
                        continue;
                    }
                    break;
                }
            }
            continue;
        }
        if (c == QLatin1Char(';')) {
            if (isTrigger(current) && !endsWithEnd(current)) {
                current += c;
                continue;
            }
            if (!current.trimmed().isEmpty())
                statements << current.trimmed();
            current.clear();
            continue;
        }
        current += c;
    }
    if (!current.trimmed().isEmpty())
        statements << current.trimmed();
    return statements;
}

// --- Errors -----------------------------------------------------------------------------------

// SQLite primary result codes the user can act on.
constexpr int kSqliteBusy = 5;
constexpr int kSqliteLocked = 6;
constexpr int kSqliteReadOnly = 8;
constexpr int kSqliteCorrupt = 11;
constexpr int kSqliteFull = 13;
constexpr int kSqliteCantOpen = 14;
constexpr int kSqliteNotADatabase = 26;

QString describe(const QSqlError &error, const QString &path)
{
    bool ok = false;
    const int code =
        error.nativeErrorCode().toInt(&ok) & 0xff; // extended codes keep the primary in the low byte
    const QString detail = error.databaseText().isEmpty() ? error.text() : error.databaseText();
    const QString lower = detail.toLower();
    if ((ok && (code == kSqliteBusy || code == kSqliteLocked)) || lower.contains(QLatin1String("locked")))
        return QStringLiteral(
                   "The workspace %1 is locked by another program (another Assay?). Close it and try "
                   "again.")
            .arg(path);
    if ((ok && (code == kSqliteNotADatabase || code == kSqliteCorrupt)) ||
        lower.contains(QLatin1String("not a database")) || lower.contains(QLatin1String("malformed")))
        return QStringLiteral(
                   "%1 is not a usable Assay workspace: the file is not an SQLite database or is damaged "
                   "(%2). Move it aside to start a new workspace, or restore a backup.")
            .arg(path, detail);
    if ((ok && code == kSqliteReadOnly) || lower.contains(QLatin1String("readonly")))
        return QStringLiteral("The workspace %1 is read-only (%2).").arg(path, detail);
    if (ok && code == kSqliteFull)
        return QStringLiteral("The disk holding the workspace %1 is full.").arg(path);
    if (ok && code == kSqliteCantOpen)
        return QStringLiteral("Cannot open the workspace %1 (%2).").arg(path, detail);
    return QStringLiteral("Workspace %1: %2").arg(path, detail);
}

QString nowUtc()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

QString normalisedPath(const QString &path)
{
    return QDir::cleanPath(QFileInfo(path).absoluteFilePath());
}

QString hashText(const QByteArray &hash)
{
    static const QRegularExpression hex(QStringLiteral("^[0-9a-fA-F]*$"));
    const QString text = QString::fromLatin1(hash);
    // Raw digest bytes (DatasetDocument::contentHash()) are stored as hex like everything else.
    if (hex.match(text).hasMatch())
        return text.toLower();
    return QString::fromLatin1(hash.toHex());
}

DatasetRecord readDataset(const QSqlQuery &query)
{
    DatasetRecord record;
    record.id = query.value(0).toLongLong();
    record.name = query.value(1).toString();
    record.path = query.value(2).toString();
    record.format = query.value(3).toString();
    record.rowCount = query.value(4).toLongLong();
    const QVariant schema = query.value(5);
    if (!schema.isNull()) {
        record.itemSchema = nlohmann::ordered_json::parse(schema.toString().toStdString(), nullptr, false);
        if (record.itemSchema.is_discarded())
            record.itemSchema = nullptr;
    }
    record.contentHash = query.value(6).toString().toLatin1();
    record.createdAt = QDateTime::fromString(query.value(7).toString(), Qt::ISODateWithMs);
    record.updatedAt = QDateTime::fromString(query.value(8).toString(), Qt::ISODateWithMs);
    return record;
}

QVariant schemaValue(const nlohmann::ordered_json &schema)
{
    if (schema.is_null() || schema.is_discarded())
        return QVariant(QMetaType(QMetaType::QString));
    return QString::fromStdString(
        schema.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
}

std::atomic<quint64> s_connectionCounter{0};

} // namespace

Workspace::Workspace(QObject *parent)
    : QObject(parent),
      m_connectionName(QStringLiteral("assay-workspace-%1").arg(s_connectionCounter.fetch_add(1)))
{
}

Workspace::~Workspace()
{
    close();
}

QString Workspace::defaultPath()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
        .filePath(QStringLiteral("workspace.sqlite"));
}

int Workspace::latestSchemaVersion()
{
    const auto &list = migrationList().migrations;
    return list.empty() ? 0 : list.back().version;
}

QSqlDatabase Workspace::database() const
{
    return QSqlDatabase::database(m_connectionName, false);
}

bool Workspace::fail(const QString &message, QString *error) const
{
    m_lastError = message;
    if (error)
        *error = message;
    return false;
}

bool Workspace::open(const QString &path, QString *error)
{
    close();
    const QString absolute = normalisedPath(path);
    const QFileInfo info(absolute);
    if (!QDir().mkpath(info.absolutePath()))
        return fail(QStringLiteral("Cannot create the folder %1 for the workspace.").arg(info.absolutePath()),
                    error);
    if (info.exists() && !info.isFile())
        return fail(QStringLiteral("%1 is not a file, so it cannot be a workspace.").arg(absolute), error);
    if (!migrationList().problem.isEmpty())
        return fail(QStringLiteral("This build of Assay is broken: %1.").arg(migrationList().problem), error);
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QSQLITE")))
        return fail(QStringLiteral("Qt's SQLite driver (QSQLITE) is missing: install libqt6sql6-sqlite."),
                    error);

    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
        db.setDatabaseName(absolute);
        // Wait a little for another writer instead of failing at once.
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=3000"));
        if (!db.open()) {
            const QString message = describe(db.lastError(), absolute);
            db = QSqlDatabase();
            QSqlDatabase::removeDatabase(m_connectionName);
            return fail(message, error);
        }
    }
    m_path = absolute;

    QSqlDatabase db = database();
    QSqlQuery query(db);
    const char *pragmas[] = {"PRAGMA foreign_keys = ON", "PRAGMA journal_mode = WAL",
                             "PRAGMA synchronous = NORMAL"};
    for (const char *pragma : pragmas) {
        if (!query.exec(sql(pragma))) {
            const QString message = describe(query.lastError(), absolute);
            query = QSqlQuery();
            db = QSqlDatabase();
            close();
            return fail(message, error);
        }
    }
    query = QSqlQuery();
    db = QSqlDatabase();
    if (!migrate(error)) {
        const QString message = m_lastError;
        close();
        m_lastError = message;
        return false;
    }
    m_lastError.clear();
    return true;
}

bool Workspace::migrate(QString *error)
{
    QSqlDatabase db = database();
    QSqlQuery query(db);
    const int latest = latestSchemaVersion();

    // Peek without writing, so a newer file is refused without touching it.
    if (!query.exec(sql(kSchemaVersionExists)) || !query.next())
        return fail(describe(query.lastError(), m_path), error);
    if (query.value(0).toInt() > 0) {
        if (!query.exec(sql(kCurrentVersion)) || !query.next())
            return fail(describe(query.lastError(), m_path), error);
        m_schemaVersion = query.value(0).toInt();
        if (m_schemaVersion > latest)
            return fail(newerVersionMessage(m_path, m_schemaVersion, latest), error);
        if (m_schemaVersion == latest)
            return true;
    }

    for (const Migration &migration : migrationList().migrations) {
        // IMMEDIATE takes the write lock first, so two processes opening a fresh file do not both
        // migrate: the second waits, then sees the version the first recorded.
        if (!query.exec(QStringLiteral("BEGIN IMMEDIATE")))
            return fail(describe(query.lastError(), m_path), error);
        auto rollback = [&](const QString &message) {
            QSqlQuery(db).exec(QStringLiteral("ROLLBACK"));
            return fail(message, error);
        };
        if (!query.exec(sql(kCreateSchemaVersion)) || !query.exec(sql(kCurrentVersion)) || !query.next())
            return rollback(describe(query.lastError(), m_path));
        m_schemaVersion = query.value(0).toInt();
        if (m_schemaVersion > latest)
            return rollback(newerVersionMessage(m_path, m_schemaVersion, latest));
        if (migration.version <= m_schemaVersion) {
            query.exec(QStringLiteral("COMMIT"));
            continue;
        }
        QFile file(migration.resource);
        if (!file.open(QIODevice::ReadOnly))
            return rollback(QStringLiteral("Cannot read the migration %1.").arg(migration.resource));
        const QStringList statements = splitStatements(QString::fromUtf8(file.readAll()));
        for (const QString &statement : statements) {
            if (!query.exec(statement))
                return rollback(QStringLiteral("Updating the workspace %1 to version %2 (%3) failed: %4")
                                    .arg(m_path)
                                    .arg(migration.version)
                                    .arg(migration.name, describe(query.lastError(), m_path)));
        }
        query.prepare(sql(kRecordVersion));
        query.bindValue(QStringLiteral(":version"), migration.version);
        query.bindValue(QStringLiteral(":name"), migration.name);
        query.bindValue(QStringLiteral(":applied_at"), nowUtc());
        if (!query.exec())
            return rollback(describe(query.lastError(), m_path));
        if (!query.exec(QStringLiteral("COMMIT")))
            return rollback(describe(query.lastError(), m_path));
        m_schemaVersion = migration.version;
    }
    return true;
}

void Workspace::close()
{
    if (!QSqlDatabase::contains(m_connectionName))
        return;
    {
        QSqlDatabase db = database();
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
    m_path.clear();
    m_schemaVersion = 0;
}

bool Workspace::isOpen() const
{
    return QSqlDatabase::contains(m_connectionName) && database().isOpen();
}

QString Workspace::path() const
{
    return m_path;
}

int Workspace::schemaVersion() const
{
    return m_schemaVersion;
}

QString Workspace::lastError() const
{
    return m_lastError;
}

std::optional<qint64> Workspace::registerDataset(const DatasetRecord &record, QString *error)
{
    if (!isOpen()) {
        fail(QStringLiteral("The workspace is not open."), error);
        return std::nullopt;
    }
    if (record.path.isEmpty()) {
        fail(QStringLiteral("A dataset needs a file path to be registered."), error);
        return std::nullopt;
    }
    const QString format = record.format.toLower();
    if (format != QLatin1String("jsonl") && format != QLatin1String("csv") &&
        format != QLatin1String("json")) {
        fail(QStringLiteral("Unknown dataset format '%1' (expected jsonl, csv or json).").arg(record.format),
             error);
        return std::nullopt;
    }
    const QString path = normalisedPath(record.path);
    const QString now = nowUtc();
    QSqlQuery query(database());
    query.prepare(sql(kUpsertDataset));
    query.bindValue(QStringLiteral(":name"),
                    record.name.isEmpty() ? QFileInfo(path).completeBaseName() : record.name);
    query.bindValue(QStringLiteral(":path"), path);
    query.bindValue(QStringLiteral(":format"), format);
    query.bindValue(QStringLiteral(":row_count"), record.rowCount);
    query.bindValue(QStringLiteral(":item_schema"), schemaValue(record.itemSchema));
    query.bindValue(QStringLiteral(":content_hash"), record.contentHash.isEmpty()
                                                         ? QVariant(QMetaType(QMetaType::QString))
                                                         : QVariant(hashText(record.contentHash)));
    query.bindValue(QStringLiteral(":created_at"), now);
    query.bindValue(QStringLiteral(":updated_at"), now);
    if (!query.exec()) {
        fail(describe(query.lastError(), m_path), error);
        return std::nullopt;
    }
    query.prepare(sql(kDatasetIdByPath));
    query.bindValue(QStringLiteral(":path"), path);
    if (!query.exec() || !query.next()) {
        fail(describe(query.lastError(), m_path), error);
        return std::nullopt;
    }
    const qint64 id = query.value(0).toLongLong();
    Q_EMIT datasetsChanged();
    return id;
}

QList<DatasetRecord> Workspace::datasets() const
{
    QList<DatasetRecord> records;
    if (!isOpen())
        return records;
    QSqlQuery query(database());
    if (!query.exec(sql(kDatasetColumns) + sql(kDatasetOrder))) {
        m_lastError = describe(query.lastError(), m_path);
        return records;
    }
    while (query.next())
        records.push_back(readDataset(query));
    return records;
}

std::optional<DatasetRecord> Workspace::dataset(qint64 id) const
{
    if (!isOpen())
        return std::nullopt;
    QSqlQuery query(database());
    query.prepare(sql(kDatasetColumns) + sql(kWhereId));
    query.bindValue(QStringLiteral(":id"), id);
    if (!query.exec()) {
        m_lastError = describe(query.lastError(), m_path);
        return std::nullopt;
    }
    if (!query.next())
        return std::nullopt;
    return readDataset(query);
}

std::optional<DatasetRecord> Workspace::datasetByPath(const QString &path) const
{
    if (!isOpen())
        return std::nullopt;
    QSqlQuery query(database());
    query.prepare(sql(kDatasetColumns) + sql(kWherePath));
    query.bindValue(QStringLiteral(":path"), normalisedPath(path));
    if (!query.exec()) {
        m_lastError = describe(query.lastError(), m_path);
        return std::nullopt;
    }
    if (!query.next())
        return std::nullopt;
    return readDataset(query);
}

bool Workspace::removeDataset(qint64 id, QString *error)
{
    if (!isOpen())
        return fail(QStringLiteral("The workspace is not open."), error);
    QSqlQuery query(database());
    query.prepare(sql(kDeleteDataset));
    query.bindValue(QStringLiteral(":id"), id);
    if (!query.exec())
        return fail(describe(query.lastError(), m_path), error);
    if (query.numRowsAffected() == 0)
        return fail(QStringLiteral("No dataset with id %1 in the workspace.").arg(id), error);
    Q_EMIT datasetsChanged();
    return true;
}

bool Workspace::updateSchema(qint64 id, const nlohmann::ordered_json &itemSchema, QString *error)
{
    if (!isOpen())
        return fail(QStringLiteral("The workspace is not open."), error);
    QSqlQuery query(database());
    query.prepare(sql(kUpdateSchema));
    query.bindValue(QStringLiteral(":item_schema"), schemaValue(itemSchema));
    query.bindValue(QStringLiteral(":updated_at"), nowUtc());
    query.bindValue(QStringLiteral(":id"), id);
    if (!query.exec())
        return fail(describe(query.lastError(), m_path), error);
    if (query.numRowsAffected() == 0)
        return fail(QStringLiteral("No dataset with id %1 in the workspace.").arg(id), error);
    Q_EMIT datasetsChanged();
    return true;
}

} // namespace assay::store
