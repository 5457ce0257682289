// The workspace SQLite file: migrations, WAL, dataset registry, and clear refusals.
#include <QFile>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include "models/store/workspace.h"

using assay::store::DatasetRecord;
using assay::store::Workspace;
using ojson = nlohmann::ordered_json;

namespace {

// A second, plain connection to look at the file the way another program would.
class RawConnection {
public:
    explicit RawConnection(const QString &path)
        : m_name(QStringLiteral("raw-%1").arg(reinterpret_cast<quintptr>(this)))
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        db.setDatabaseName(path);
        m_ok = db.open();
    }
    ~RawConnection()
    {
        {
            QSqlDatabase db = QSqlDatabase::database(m_name, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(m_name);
    }
    bool ok() const { return m_ok; }
    QVariant scalar(const QString &sql) const
    {
        QSqlQuery query(QSqlDatabase::database(m_name, false));
        if (!query.exec(sql) || !query.next())
            return {};
        return query.value(0);
    }
    bool exec(const QString &sql) const
    {
        QSqlQuery query(QSqlDatabase::database(m_name, false));
        return query.exec(sql);
    }

private:
    QString m_name;
    bool m_ok = false;
};

DatasetRecord record(const QString &name, const QString &path, qint64 rows = 3)
{
    DatasetRecord r;
    r.name = name;
    r.path = path;
    r.format = QStringLiteral("jsonl");
    r.rowCount = rows;
    r.itemSchema =
        ojson::parse(R"({"type":"object","properties":{"z":{"type":"string"},"a":{"type":"integer"}}})");
    r.contentHash = QByteArray("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
    return r;
}

} // namespace

class TestWorkspace : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString file(const QString &name) const { return m_dir.filePath(name); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(Workspace::latestSchemaVersion() >= 1);
    }

    void freshFileIsMigratedInWalMode()
    {
        const QString path = file(QStringLiteral("nested/folder/fresh.sqlite"));
        {
            Workspace workspace;
            QString error;
            QVERIFY2(workspace.open(path, &error), qPrintable(error));
            QVERIFY(workspace.isOpen());
            QCOMPARE(workspace.schemaVersion(), Workspace::latestSchemaVersion());
            QCOMPARE(workspace.path(), path);
            QVERIFY(workspace.datasets().isEmpty());
        }
        QVERIFY(QFile::exists(path));
        RawConnection raw(path);
        QVERIFY(raw.ok());
        QCOMPARE(raw.scalar(QStringLiteral("PRAGMA journal_mode")).toString(), QStringLiteral("wal"));
        QCOMPARE(raw.scalar(QStringLiteral("SELECT COUNT(*) FROM schema_version")).toInt(),
                 Workspace::latestSchemaVersion());
        QCOMPARE(raw.scalar(QStringLiteral("SELECT name FROM schema_version WHERE version = 1")).toString(),
                 QStringLiteral("0001_datasets"));
        QCOMPARE(
            raw.scalar(QStringLiteral("SELECT COUNT(*) FROM sqlite_master WHERE name = 'datasets'")).toInt(),
            1);
    }

    void reopeningIsIdempotent()
    {
        const QString path = file(QStringLiteral("reopen.sqlite"));
        qint64 id = 0;
        {
            Workspace workspace;
            QVERIFY(workspace.open(path));
            id = workspace.registerDataset(record(QStringLiteral("tickets"), file(QStringLiteral("t.jsonl"))))
                     .value_or(0);
            QVERIFY(id > 0);
        }
        for (int i = 0; i < 2; ++i) {
            Workspace workspace;
            QString error;
            QVERIFY2(workspace.open(path, &error), qPrintable(error));
            QCOMPARE(workspace.schemaVersion(), Workspace::latestSchemaVersion());
            QCOMPARE(workspace.datasets().size(), 1);
            QCOMPARE(workspace.datasets().first().id, id);
        }
        RawConnection raw(path);
        QCOMPARE(raw.scalar(QStringLiteral("SELECT COUNT(*) FROM schema_version")).toInt(),
                 Workspace::latestSchemaVersion());
    }

    void registerUpdateAndList()
    {
        Workspace workspace;
        QVERIFY(workspace.open(file(QStringLiteral("registry.sqlite"))));
        QSignalSpy changed(&workspace, &Workspace::datasetsChanged);

        const QString ticketsPath = file(QStringLiteral("data/../data/tickets.jsonl"));
        const auto tickets = workspace.registerDataset(record(QStringLiteral("tickets"), ticketsPath, 32));
        const auto headlines =
            workspace.registerDataset(record(QStringLiteral("Headlines"), file(QStringLiteral("h.csv"))));
        QVERIFY(tickets && headlines);
        QVERIFY(*tickets != *headlines);
        QCOMPARE(changed.count(), 2);

        // Listed by name, case-insensitively.
        const QList<DatasetRecord> all = workspace.datasets();
        QCOMPARE(all.size(), 2);
        QCOMPARE(all.at(0).name, QStringLiteral("Headlines"));
        QCOMPARE(all.at(1).name, QStringLiteral("tickets"));

        const auto stored = workspace.dataset(*tickets);
        QVERIFY(stored);
        QCOMPARE(stored->path, file(QStringLiteral("data/tickets.jsonl"))); // absolute and cleaned
        QCOMPARE(stored->format, QStringLiteral("jsonl"));
        QCOMPARE(stored->rowCount, qint64(32));
        QCOMPARE(stored->contentHash,
                 QByteArray("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"));
        // The schema comes back with its key order.
        QCOMPARE(stored->itemSchema.dump(), record({}, {}).itemSchema.dump());
        QVERIFY(stored->createdAt.isValid());
        QCOMPARE(stored->createdAt.timeSpec(), Qt::UTC);

        // Registering the same path again updates that row: same id, same creation time.
        DatasetRecord again =
            record(QStringLiteral("tickets v2"), file(QStringLiteral("data/tickets.jsonl")), 40);
        again.itemSchema = nullptr;
        again.contentHash = QByteArray::fromHex("00ff10"); // raw digest bytes are stored as hex
        const auto sameId = workspace.registerDataset(again);
        QCOMPARE(sameId, tickets);
        const auto updated = workspace.dataset(*tickets);
        QCOMPARE(updated->name, QStringLiteral("tickets v2"));
        QCOMPARE(updated->rowCount, qint64(40));
        QVERIFY(updated->itemSchema.is_null());
        QCOMPARE(updated->contentHash, QByteArray("00ff10"));
        QCOMPARE(updated->createdAt, stored->createdAt);
        QVERIFY(updated->updatedAt >= stored->updatedAt);
        QCOMPARE(workspace.datasets().size(), 2);
        QVERIFY(workspace.datasetByPath(ticketsPath));

        // Schema edits, then removal.
        QVERIFY(workspace.updateSchema(*tickets, ojson::parse(R"({"type":"object","required":["q"]})")));
        QCOMPARE(workspace.dataset(*tickets)->itemSchema.dump(),
                 std::string(R"({"type":"object","required":["q"]})"));
        QString error;
        QVERIFY(workspace.removeDataset(*tickets, &error));
        QVERIFY(!workspace.dataset(*tickets));
        QVERIFY(!workspace.removeDataset(*tickets, &error));
        QVERIFY2(error.contains(QLatin1String("No dataset")), qPrintable(error));
        QVERIFY(!workspace.updateSchema(987654, ojson::object(), &error));
        QCOMPARE(workspace.datasets().size(), 1);
    }

    void badRecordsAreRefused()
    {
        Workspace workspace;
        QVERIFY(workspace.open(file(QStringLiteral("refuse.sqlite"))));
        QString error;
        DatasetRecord noPath = record(QStringLiteral("x"), QString());
        QVERIFY(!workspace.registerDataset(noPath, &error));
        QVERIFY(!error.isEmpty());
        DatasetRecord badFormat = record(QStringLiteral("x"), file(QStringLiteral("x.xlsx")));
        badFormat.format = QStringLiteral("xlsx");
        QVERIFY(!workspace.registerDataset(badFormat, &error));
        QVERIFY2(error.contains(QLatin1String("xlsx")), qPrintable(error));
        QVERIFY(workspace.datasets().isEmpty());

        Workspace closed;
        QVERIFY(
            !closed.registerDataset(record(QStringLiteral("x"), file(QStringLiteral("x.jsonl"))), &error));
        QVERIFY2(error.contains(QLatin1String("not open")), qPrintable(error));
    }

    void twoInstancesShareOneFile()
    {
        const QString path = file(QStringLiteral("shared.sqlite"));
        Workspace first;
        Workspace second;
        QVERIFY(first.open(path));
        QVERIFY(second.open(path));
        QVERIFY(first.registerDataset(record(QStringLiteral("a"), file(QStringLiteral("a.jsonl")))));
        QCOMPARE(second.datasets().size(), 1);
        first.close();
        QVERIFY(!first.isOpen());
        QCOMPARE(second.datasets().size(), 1);
    }

    void newerSchemaVersionIsRefused()
    {
        const QString path = file(QStringLiteral("future.sqlite"));
        {
            Workspace workspace;
            QVERIFY(workspace.open(path));
        }
        const int future = Workspace::latestSchemaVersion() + 7;
        {
            RawConnection raw(path);
            QVERIFY(
                raw.exec(QStringLiteral("INSERT INTO schema_version (version, name, applied_at) VALUES (%1, "
                                        "'%1_from_the_future', '2030-01-01T00:00:00Z')")
                             .arg(future)));
        }
        Workspace workspace;
        QString error;
        QVERIFY(!workspace.open(path, &error));
        QVERIFY(!workspace.isOpen());
        QVERIFY2(error.contains(QLatin1String("newer version of Assay")), qPrintable(error));
        QVERIFY2(error.contains(QString::number(future)), qPrintable(error));
        QCOMPARE(workspace.lastError(), error);
        // Refusing does not touch the file.
        RawConnection raw(path);
        QCOMPARE(raw.scalar(QStringLiteral("SELECT MAX(version) FROM schema_version")).toInt(), future);
    }

    void notADatabaseIsRefused()
    {
        const QString path = file(QStringLiteral("notes.sqlite"));
        QFile garbage(path);
        QVERIFY(garbage.open(QIODevice::WriteOnly));
        garbage.write(QByteArray(8192, 'x'));
        garbage.close();
        Workspace workspace;
        QString error;
        QVERIFY(!workspace.open(path, &error));
        QVERIFY2(error.contains(QLatin1String("not an SQLite database")), qPrintable(error));
        QVERIFY(!workspace.isOpen());
        QFile check(path);
        QVERIFY(check.open(QIODevice::ReadOnly));
        QCOMPARE(check.readAll(), QByteArray(8192, 'x')); // untouched
    }

    void lockedFileIsReported()
    {
        const QString path = file(QStringLiteral("locked.sqlite"));
        RawConnection holder(path);
        QVERIFY(holder.ok());
        QVERIFY(holder.exec(QStringLiteral("CREATE TABLE t (x)")));
        QVERIFY(holder.exec(QStringLiteral("BEGIN EXCLUSIVE")));
        QVERIFY(holder.exec(QStringLiteral("INSERT INTO t VALUES (1)")));
        Workspace workspace;
        QString error;
        QVERIFY(!workspace.open(path, &error)); // after the busy timeout
        QVERIFY2(error.contains(QLatin1String("locked")), qPrintable(error));
        QVERIFY(holder.exec(QStringLiteral("ROLLBACK")));
        QVERIFY2(workspace.open(path, &error), qPrintable(error));
    }

    void defaultLocation()
    {
        const QString path = Workspace::defaultPath();
        QVERIFY(path.endsWith(QLatin1String("/workspace.sqlite")));
        QVERIFY(path.startsWith(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)));
    }
};

QTEST_GUILESS_MAIN(TestWorkspace)
#include "tst_workspace.moc"
