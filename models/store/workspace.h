#pragma once

#include <optional>

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QObject>
#include <QString>
#include <nlohmann/json.hpp>

class QSqlDatabase;

namespace assay::store {

// A dataset as the workspace knows it.
struct DatasetRecord {
    qint64 id = 0; // 0 until registered
    QString name;
    QString path;   // absolute, cleaned; unique in a workspace
    QString format; // "jsonl", "csv" or "json"
    qint64 rowCount = 0;
    nlohmann::ordered_json itemSchema; // null when none was inferred or set
    QByteArray contentHash;            // hex SHA-256 of the content (DatasetDocument::contentHash().toHex())
    QDateTime createdAt;               // UTC, set by the workspace
    QDateTime updatedAt;
};

// The workspace: one SQLite file holding what Assay keeps between sessions (datasets now;
// prompts, evals and runs in later migrations). WAL journal, foreign keys on.
//
// The schema evolves by numbered migrations compiled in from resources/migrations
// (NNNN_name.sql, 0001 first, no gaps). open() applies the missing ones in order, each in its own
// transaction, and records them in `schema_version`; a file written by a newer Assay (a version
// this build does not know) is refused rather than guessed at.
//
// Each instance owns its own connection (QSqlDatabase is per thread: use a Workspace from the
// thread that opened it).
class Workspace : public QObject {
    Q_OBJECT
public:
    explicit Workspace(QObject *parent = nullptr);
    ~Workspace() override;

    // QStandardPaths::AppDataLocation/workspace.sqlite
    static QString defaultPath();
    // The highest migration number compiled into this build.
    static int latestSchemaVersion();

    // Opens (creating it and its folder if needed) and migrates. On failure returns false with a
    // message fit for the user in `error` (locked, not a database, newer version...).
    bool open(const QString &path, QString *error = nullptr);
    void close();
    bool isOpen() const;
    QString path() const;
    int schemaVersion() const; // as found after open(): latestSchemaVersion() when open

    // Insert, or update the row with the same path (keeps its id and created_at). Returns the id.
    std::optional<qint64> registerDataset(const DatasetRecord &record, QString *error = nullptr);
    QList<DatasetRecord> datasets() const; // by name, then path
    std::optional<DatasetRecord> dataset(qint64 id) const;
    std::optional<DatasetRecord> datasetByPath(const QString &path) const;
    bool removeDataset(qint64 id, QString *error = nullptr);
    bool updateSchema(qint64 id, const nlohmann::ordered_json &itemSchema, QString *error = nullptr);

    QString lastError() const;

    // The open connection, for the sibling stores of this folder (EvalStore) that keep their own
    // tables in the same file. Not for widgets.
    QSqlDatabase database() const;

Q_SIGNALS:
    void datasetsChanged();

private:
    bool fail(const QString &message, QString *error) const;
    bool migrate(QString *error);

    QString m_connectionName;
    QString m_path;
    int m_schemaVersion = 0;
    mutable QString m_lastError;
};

} // namespace assay::store
