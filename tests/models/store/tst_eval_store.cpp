// Evals, runs, output items and the response cache in the workspace file (migration 0002).
#include <QFile>
#include <QSignalSpy>
#include <QSqlError>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

#include "models/store/eval_store.h"
#include "models/store/workspace.h"
#include "support/openapi_validator.h"
#include "support/store_fixtures.h"

using assay::store::EvalRecord;
using assay::store::EvalStore;
using assay::store::OutputItemRecord;
using assay::store::RunRecord;
using assay::store::Workspace;
using json = nlohmann::json;

namespace {

json definition(const std::string &reference = "{{ item.answer }}")
{
    return assay::testing::stringCheckEval(reference);
}

RunRecord runRecord(qint64 evalId, const QString &name, const QDateTime &createdAt,
                    const QString &status = QStringLiteral("queued"))
{
    RunRecord run = assay::testing::localRun(evalId, name, createdAt, status);
    run.datasetPath = QStringLiteral("/data/rows.jsonl");
    run.datasetHash = QStringLiteral("ab12");
    run.totalItems = 3;
    return run;
}

OutputItemRecord item(qint64 runId, qint64 index, const QString &status, const std::string &output = "Paris")
{
    OutputItemRecord record;
    record.runId = runId;
    record.datasourceItemId = index;
    record.status = status;
    record.datasourceItem = {{"country", "France"}, {"answer", "Paris"}};
    record.sample = {
        {"input", json::array({{{"role", "user"}, {"content", "Capital of France?"}}})},
        {"output", json::array({{{"role", "assistant"}, {"content", output}}})},
        {"finish_reason", "stop"},
        {"model", "gpt-4.1-mini-2025-04-14"},
        {"usage",
         {{"total_tokens", 12}, {"completion_tokens", 2}, {"prompt_tokens", 10}, {"cached_tokens", 0}}},
        {"error", {{"code", ""}, {"message", ""}}},
        {"temperature", 1.0},
        {"max_completion_tokens", 2048},
        {"top_p", 1.0},
        {"seed", 42}};
    record.results = json::array({{{"name", "exact"},
                                   {"type", "string_check"},
                                   {"score", status == QLatin1String("pass") ? 1.0 : 0.0},
                                   {"passed", status == QLatin1String("pass")},
                                   {"sample", nullptr}}});
    record.latencyMs = 120 + index;
    record.createdAt = QDateTime::fromSecsSinceEpoch(1760000000 + index, Qt::UTC);
    return record;
}

} // namespace

class TestEvalStore : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString path(const char *name) const { return m_dir.filePath(QString::fromLatin1(name)); }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void versionsOfAnEval()
    {
        Workspace workspace;
        QString error;
        QVERIFY2(workspace.open(path("versions.sqlite"), &error), qPrintable(error));
        EvalStore store(workspace);

        const auto first = store.saveEval(QStringLiteral("Answers"), definition(), {}, &error);
        QVERIFY2(first, qPrintable(error));
        QCOMPARE(first->version, 1);
        QCOMPARE(first->evalKey, first->id);

        // Saving the same definition again is not a new version.
        const auto same = store.saveEval(QStringLiteral("Answers"), definition());
        QVERIFY(same);
        QCOMPARE(same->id, first->id);

        const auto second = store.saveEval(QStringLiteral("Answers"), definition("{{ item.capital }}"));
        QVERIFY(second);
        QCOMPARE(second->version, 2);
        QCOMPARE(second->evalKey, first->evalKey);
        QVERIFY(second->id != first->id);

        const auto other = store.saveEval(QStringLiteral("Other eval"), definition());
        QVERIFY(other);
        QVERIFY(other->evalKey != first->evalKey);
        QCOMPARE(other->version, 1);

        const QList<EvalRecord> versions = store.versions(first->evalKey);
        QCOMPARE(versions.size(), 2);
        QCOMPARE(versions[0].version, 1);
        QCOMPARE(versions[0].definition, definition());
        QCOMPARE(versions[1].definition, definition("{{ item.capital }}"));

        const QList<EvalRecord> latest = store.evals();
        QCOMPARE(latest.size(), 2);
        QCOMPARE(latest[0].name, QStringLiteral("Answers"));
        QCOMPARE(latest[0].version, 2);
        QCOMPARE(latest[1].name, QStringLiteral("Other eval"));

        // The exact version a run used stays readable.
        const auto old = store.eval(first->id);
        QVERIFY(old);
        QCOMPARE(old->definition, definition());

        // Imported evals are matched by OpenAI id, whatever their name.
        const auto imported =
            store.saveEval(QStringLiteral("Remote"), definition(), QStringLiteral("eval_abc"));
        QVERIFY(imported);
        const auto renamed =
            store.saveEval(QStringLiteral("Remote (renamed)"), definition(), QStringLiteral("eval_abc"));
        QVERIFY(renamed);
        QCOMPARE(renamed->evalKey, imported->evalKey);
        QCOMPARE(renamed->version, 2);
        QCOMPARE(store.evalByOpenAiId(QStringLiteral("eval_abc"))->id, renamed->id);
        QCOMPARE(store.latestEval(QStringLiteral("Answers"))->id, second->id);
        QVERIFY(!store.saveEval(QString(), definition()));
    }

    void runsNewestFirstAndUnfinished()
    {
        Workspace workspace;
        QVERIFY(workspace.open(path("runs.sqlite")));
        EvalStore store(workspace);
        QSignalSpy changed(&store, &EvalStore::runsChanged);
        const auto eval = store.saveEval(QStringLiteral("Answers"), definition());
        QVERIFY(eval);
        const QDateTime t0 = QDateTime::fromSecsSinceEpoch(1760000000, Qt::UTC);

        QString error;
        const auto older = store.createRun(runRecord(eval->id, QStringLiteral("older"), t0), &error);
        QVERIFY2(older, qPrintable(error));
        const auto newer = store.createRun(
            runRecord(eval->id, QStringLiteral("newer"), t0.addSecs(60), QStringLiteral("in_progress")));
        QVERIFY(newer);
        RunRecord imported =
            runRecord(eval->id, QStringLiteral("imported"), t0.addSecs(30), QStringLiteral("in_progress"));
        imported.source = QStringLiteral("imported");
        imported.openaiId = QStringLiteral("evalrun_1");
        const auto importedId = store.createRun(imported);
        QVERIFY(importedId);
        QCOMPARE(changed.count(), 3);

        QList<RunRecord> runs = store.runs();
        QCOMPARE(runs.size(), 3);
        QCOMPARE(runs[0].name, QStringLiteral("newer"));
        QCOMPARE(runs[1].name, QStringLiteral("imported"));
        QCOMPARE(runs[2].name, QStringLiteral("older"));
        QCOMPARE(runs[2].createdAt, t0);
        QCOMPARE(runs[2].runSpec, json({{"data_source", {{"type", "responses"}}}}));
        QVERIFY(runs[2].summary.is_null());
        QVERIFY(!runs[2].finishedAt.isValid());
        QCOMPARE(store.runByOpenAiId(QStringLiteral("evalrun_1"))->id, *importedId);

        // Only local runs that did not finish are offered for resume.
        QList<RunRecord> unfinished = store.unfinishedRuns();
        QCOMPARE(unfinished.size(), 2);
        QCOMPARE(unfinished[0].id, *newer);
        QCOMPARE(unfinished[1].id, *older);

        RunRecord done = *store.run(*older);
        done.status = QStringLiteral("completed");
        done.summary = {{"result_counts", {{"total", 3}, {"passed", 2}, {"failed", 1}, {"errored", 0}}}};
        done.finishedAt = t0.addSecs(5);
        done.totalItems = 3;
        QVERIFY2(store.updateRun(done, &error), qPrintable(error));
        const auto reread = store.run(*older);
        QCOMPARE(reread->status, QStringLiteral("completed"));
        QCOMPARE(reread->summary, done.summary);
        QCOMPARE(reread->finishedAt, t0.addSecs(5));
        unfinished = store.unfinishedRuns();
        QCOMPARE(unfinished.size(), 1);
        QCOMPARE(unfinished[0].id, *newer);

        done.status = QStringLiteral("exploded");
        QVERIFY(!store.updateRun(done, &error));
        QVERIFY(error.contains(QStringLiteral("exploded")));
        RunRecord ghost = done;
        ghost.id = 9999;
        ghost.status = QStringLiteral("failed");
        QVERIFY(!store.updateRun(ghost, &error));
    }

    void itemsUpsertAndDelete()
    {
        ASSAY_REQUIRE_OPENAPI(openapi);
        Workspace workspace;
        QVERIFY(workspace.open(path("items.sqlite")));
        EvalStore store(workspace);
        const auto eval = store.saveEval(QStringLiteral("Answers"), definition());
        const auto runId =
            store.createRun(runRecord(eval->id, QStringLiteral("r"), QDateTime::currentDateTimeUtc()));
        QVERIFY(runId);

        QString error;
        QVERIFY2(store.commitItem(item(*runId, 2, QStringLiteral("fail"), "Lyon"), &error),
                 qPrintable(error));
        QVERIFY(store.commitItem(item(*runId, 0, QStringLiteral("pass"))));
        // The same row again (a retried item) replaces, never duplicates.
        QVERIFY(store.commitItem(item(*runId, 2, QStringLiteral("pass"))));
        OutputItemRecord errored = item(*runId, 1, QStringLiteral("error"));
        errored.error = QStringLiteral("HTTP 500 server_error");
        errored.cacheHit = true;
        QVERIFY(store.commitItem(errored));
        QVERIFY(!store.commitItem(item(*runId, 3, QStringLiteral("maybe")), &error));
        QVERIFY(error.contains(QStringLiteral("maybe")));

        const auto items = store.items(*runId);
        QCOMPARE(items.size(), std::size_t(3));
        QCOMPARE(items[0].datasourceItemId, 0);
        QCOMPARE(items[1].datasourceItemId, 1);
        QCOMPARE(items[2].datasourceItemId, 2);
        QCOMPARE(items[2].status, QStringLiteral("pass"));
        QCOMPARE(items[2].sample["output"][0]["content"], json("Paris"));
        QCOMPARE(items[1].error, QStringLiteral("HTTP 500 server_error"));
        QVERIFY(items[1].cacheHit);
        QCOMPARE(items[0].latencyMs, 120);
        QCOMPARE(items[0].datasourceItem, item(*runId, 0, QStringLiteral("pass")).datasourceItem);
        QCOMPARE(store.finishedItemIds(*runId), (QSet<qint64>{0, 1, 2}));

        // What an export writes is an EvalRunOutputItem.
        const json exported =
            items[0].toOutputItemJson(QStringLiteral("evalrun_local_1"), QStringLiteral("eval_local_1"));
        ASSAY_VERIFY_SCHEMA(openapi, exported, QStringLiteral("EvalRunOutputItem"));
        QCOMPARE(exported["status"], json("pass"));
        QCOMPARE(exported["run_id"], json("evalrun_local_1"));

        QVERIFY2(store.deleteRun(*runId, &error), qPrintable(error));
        QVERIFY(!store.run(*runId));
        QVERIFY(store.items(*runId).empty());
        QVERIFY(store.finishedItemIds(*runId).isEmpty());
        QSqlQuery count(workspace.database());
        QVERIFY(count.exec(QStringLiteral("SELECT COUNT(*) FROM output_items")) && count.next());
        QCOMPARE(count.value(0).toInt(), 0);
        QVERIFY(!store.deleteRun(*runId, &error));
    }

    void rawExchangesAreStoredAndReadBack()
    {
        Workspace workspace;
        QVERIFY(workspace.open(path("raw.sqlite")));
        EvalStore store(workspace);
        const auto eval = store.saveEval(QStringLiteral("Answers"), definition());
        const auto runId =
            store.createRun(runRecord(eval->id, QStringLiteral("r"), QDateTime::currentDateTimeUtc()));
        QVERIFY(runId);
        OutputItemRecord sampled = item(*runId, 0, QStringLiteral("pass"));
        sampled.rawRequest = {{"method", "POST"},
                              {"url", "https://api.openai.com/v1/responses"},
                              {"body", {{"model", "gpt-4.1-mini"}, {"input", "Capital of France?"}}}};
        sampled.rawResponse = {{"id", "resp_1"}, {"output_text", "Paris"}};
        QVERIFY(store.commitItem(sampled));
        OutputItemRecord imported = item(*runId, 1, QStringLiteral("fail"), "Lyon");
        imported.openaiId = QStringLiteral("outputitem_abc");
        QVERIFY(store.commitItem(imported));

        const auto one = store.item(*runId, 0);
        QVERIFY(one);
        QCOMPARE(one->rawRequest, sampled.rawRequest);
        QCOMPARE(one->rawResponse, sampled.rawResponse);
        QCOMPARE(one->sample, sampled.sample);
        QCOMPARE(one->status, QStringLiteral("pass"));
        const auto other = store.item(*runId, 1);
        QVERIFY(other);
        QVERIFY(other->rawRequest.is_null());
        QVERIFY(other->rawResponse.is_null());
        QCOMPARE(other->openaiId, QStringLiteral("outputitem_abc"));
        QVERIFY(!store.item(*runId, 7));
        QVERIFY(!store.item(*runId + 1, 0));

        // Null is SQL NULL, not the text "null": the column says "not recorded".
        QSqlQuery nulls(workspace.database());
        QVERIFY(nulls.exec(QStringLiteral(
            "SELECT count(*) FROM output_items WHERE raw_request IS NULL AND raw_response IS NULL")));
        QVERIFY(nulls.next());
        QCOMPARE(nulls.value(0).toInt(), 1);

        const auto all = store.items(*runId);
        QCOMPARE(all.size(), std::size_t(2));
        QCOMPARE(all[0].rawRequest["body"]["input"], json("Capital of France?"));
        QVERIFY(all[1].rawRequest.is_null());
        const auto lean = store.items(*runId, EvalStore::ItemFields::WithoutRawExchanges);
        QCOMPARE(lean.size(), std::size_t(2));
        QVERIFY(lean[0].rawRequest.is_null());
        QVERIFY(lean[0].rawResponse.is_null());
        QCOMPARE(lean[0].sample, sampled.sample);
        QCOMPARE(lean[0].results, sampled.results);

        // A retried item's exchange replaces the old one, or removes it.
        sampled.rawRequest = nullptr;
        QVERIFY(store.commitItem(sampled));
        QVERIFY(store.item(*runId, 0)->rawRequest.is_null());
        QCOMPARE(store.item(*runId, 0)->rawResponse, sampled.rawResponse);
    }

    void itemsAndTheirCachedAnswersCommitTogether()
    {
        Workspace workspace;
        QVERIFY(workspace.open(m_dir.filePath(QStringLiteral("cache-with-items.sqlite"))));
        EvalStore store(workspace);
        const auto eval = store.saveEval(QStringLiteral("Answers"), definition());
        const auto runId = store.createRun(runRecord(eval->id, QStringLiteral("r"), QDateTime::currentDateTimeUtc()));
        QVERIFY(runId);
        const json answer = {{"id", "resp_1"}, {"output_text", "Paris"}};
        const assay::store::ResponseToCache entry{QByteArrayLiteral("key-1"), &answer};
        QString error;
        QVERIFY2(store.commitItems(std::vector<OutputItemRecord>{item(*runId, 0, QStringLiteral("pass"))},
                                   std::vector<assay::store::ResponseToCache>{entry}, &error),
                 qPrintable(error));
        QCOMPARE(store.cachedResponse(QByteArrayLiteral("key-1")).value_or(json()), answer);
        QCOMPARE(store.finishedItemIds(*runId).size(), 1);

        // A refused item takes its batch's cache entries with it: all or none.
        const assay::store::ResponseToCache orphan{QByteArrayLiteral("key-2"), &answer};
        QVERIFY(!store.commitItems(std::vector<OutputItemRecord>{item(999999, 0, QStringLiteral("pass"))},
                                   std::vector<assay::store::ResponseToCache>{orphan}, &error));
        QVERIFY(!store.cachedResponse(QByteArrayLiteral("key-2")));
        const assay::store::ResponseToCache keyless{QByteArray(), &answer};
        QVERIFY(!store.commitItems({}, std::vector<assay::store::ResponseToCache>{keyless}, &error));
    }

    void commitItemsIsOneTransaction()
    {
        Workspace workspace;
        QVERIFY(workspace.open(path("batch.sqlite")));
        EvalStore store(workspace);
        const auto eval = store.saveEval(QStringLiteral("Answers"), definition());
        const auto runId =
            store.createRun(runRecord(eval->id, QStringLiteral("r"), QDateTime::currentDateTimeUtc()));
        std::vector<OutputItemRecord> batch;
        for (int i = 0; i < 50; ++i)
            batch.push_back(item(*runId, i, i % 3 ? QStringLiteral("pass") : QStringLiteral("fail")));
        QString error;
        QVERIFY2(store.commitItems(batch, &error), qPrintable(error));
        QCOMPARE(store.items(*runId).size(), std::size_t(50));
        QCOMPARE(store.item(*runId, 3)->status, QStringLiteral("fail"));

        // One bad item: nothing of the batch is written.
        std::vector<OutputItemRecord> broken{item(*runId, 60, QStringLiteral("pass")),
                                             item(*runId + 99, 0, QStringLiteral("pass"))};
        QVERIFY(!store.commitItems(broken, &error)); // no such run: the foreign key refuses it
        QVERIFY(!error.isEmpty());
        QVERIFY(!store.item(*runId, 60));
        broken = {item(*runId, 61, QStringLiteral("pass")), item(*runId, 62, QStringLiteral("maybe"))};
        QVERIFY(!store.commitItems(broken, &error));
        QVERIFY(error.contains(QStringLiteral("maybe")));
        QVERIFY(!store.item(*runId, 61));
        QCOMPARE(store.items(*runId).size(), std::size_t(50));
    }

    void trashedRunsAreInvisibleUntilBroughtBack()
    {
        Workspace workspace;
        QVERIFY(workspace.open(path("trash.sqlite")));
        EvalStore store(workspace);
        const auto eval = store.saveEval(QStringLiteral("Answers"), definition());
        RunRecord record = runRecord(eval->id, QStringLiteral("doomed"),
                                     QDateTime::fromSecsSinceEpoch(1760000000, Qt::UTC), QStringLiteral("queued"));
        record.openaiId = QStringLiteral("evalrun_x");
        const qint64 first = *store.createRun(runRecord(eval->id, QStringLiteral("first"), QDateTime::currentDateTimeUtc(),
                                                       QStringLiteral("completed")));
        const qint64 doomed = *store.createRun(record);
        QVERIFY(store.commitItems(std::vector<OutputItemRecord>{item(doomed, 0, QStringLiteral("pass")),
                                                                item(doomed, 1, QStringLiteral("fail"), "Lyon")}));
        const RunRecord before = *store.run(doomed);
        QCOMPARE(store.unfinishedRuns().size(), 1);

        QSignalSpy changed(&store, &EvalStore::runsChanged);
        QString error;
        QVERIFY2(store.trashRun(doomed, &error), qPrintable(error));
        QCOMPARE(changed.count(), 1);
        QVERIFY(!store.run(doomed));
        QVERIFY(!store.runByOpenAiId(QStringLiteral("evalrun_x")));
        QCOMPARE(store.runs().size(), 1);
        QVERIFY(store.unfinishedRuns().isEmpty()); // never offered for resume
        QVERIFY(!store.trashRun(doomed, &error));
        QVERIFY(error.contains(QString::number(doomed)));
        // A run created meanwhile takes a fresh id.
        QVERIFY(*store.createRun(runRecord(eval->id, QStringLiteral("later"), QDateTime::currentDateTimeUtc(),
                                           QStringLiteral("completed"))) != doomed);

        changed.clear();
        QVERIFY2(store.untrashRun(doomed, &error), qPrintable(error));
        QCOMPARE(changed.count(), 1);
        const auto after = store.run(doomed);
        QVERIFY(after);
        QCOMPARE(after->name, before.name);
        QCOMPARE(after->createdAt, before.createdAt);
        QCOMPARE(after->openaiId, before.openaiId);
        QCOMPARE(store.items(doomed).size(), std::size_t(2));
        QCOMPARE(store.runs().size(), 3);

        // Purging one run leaves other trashed runs alone; purging all empties the trash.
        QVERIFY(store.trashRun(doomed));
        QVERIFY(store.trashRun(first));
        QVERIFY2(store.purgeTrash(doomed, &error), qPrintable(error));
        QVERIFY(store.items(doomed).empty());
        QVERIFY(!store.untrashRun(doomed));
        QVERIFY(store.untrashRun(first));
        QVERIFY(store.trashRun(first));
        QVERIFY(store.purgeTrash());
        QVERIFY(!store.untrashRun(first));
        QCOMPARE(store.runs().size(), 1);
    }

    void olderWorkspaceGainsRawColumns()
    {
        // A workspace made before migration 0004: its items read back with no raw exchange, and
        // new items of it keep theirs.
        const QString file = path("old.sqlite");
        {
            QSqlDatabase old = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("old"));
            old.setDatabaseName(file);
            QVERIFY(old.open());
            QSqlQuery query(old);
            QVERIFY(query.exec(QStringLiteral("CREATE TABLE schema_version (version INTEGER PRIMARY KEY,"
                                              " name TEXT NOT NULL, applied_at TEXT NOT NULL)")));
            const QStringList names{QStringLiteral("0001_datasets"), QStringLiteral("0002_evals"),
                                    QStringLiteral("0003_human_verdicts")};
            for (int i = 0; i < names.size(); ++i) {
                QFile script(QStringLiteral(":/migrations/%1.sql").arg(names[i]));
                QVERIFY(script.open(QIODevice::ReadOnly));
                QStringList lines;
                for (const QString &line : QString::fromUtf8(script.readAll()).split(QLatin1Char('\n')))
                    if (!line.trimmed().startsWith(QLatin1String("--")))
                        lines << line;
                for (const QString &statement : lines.join(QLatin1Char('\n')).split(QLatin1Char(';'))) {
                    if (!statement.trimmed().isEmpty())
                        QVERIFY2(query.exec(statement), qPrintable(query.lastError().text()));
                }
                QVERIFY(query.exec(QStringLiteral("INSERT INTO schema_version VALUES (%1, '%2', '2026-01-01T00:00:00Z')")
                                       .arg(i + 1)
                                       .arg(names[i])));
            }
            QVERIFY(query.exec(QStringLiteral(
                "INSERT INTO evals (id, eval_key, version, name, definition, definition_hash, created_at)"
                " VALUES (1, 1, 1, 'Old', '{}', 'h', '2026-01-01T00:00:00.000Z')")));
            QVERIFY(query.exec(QStringLiteral("INSERT INTO runs (id, eval_id, status, run_spec, created_at)"
                                              " VALUES (7, 1, 'completed', '{}', '2026-01-01T00:00:00.000Z')")));
            QVERIFY(query.exec(QStringLiteral(
                "INSERT INTO output_items (run_id, datasource_item_id, status, datasource_item, sample, results,"
                " created_at) VALUES (7, 0, 'pass', '{\"a\":1}', '{}', '[]', '2026-01-01T00:00:00.000Z')")));
            query.finish();
            old.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("old"));

        Workspace workspace;
        QString error;
        QVERIFY2(workspace.open(file, &error), qPrintable(error));
        QCOMPARE(workspace.schemaVersion(), Workspace::latestSchemaVersion());
        EvalStore store(workspace);
        const auto before = store.item(7, 0);
        QVERIFY(before);
        QCOMPARE(before->datasourceItem, json({{"a", 1}}));
        QVERIFY(before->rawRequest.is_null());
        QVERIFY(before->rawResponse.is_null());
        OutputItemRecord next = *before;
        next.datasourceItemId = 1;
        next.rawRequest = {{"method", "POST"}, {"url", "u"}, {"body", json::object()}};
        QVERIFY(store.commitItem(next));
        QCOMPARE(store.item(7, 1)->rawRequest, next.rawRequest);
    }

    void responseCache()
    {
        Workspace workspace;
        QVERIFY(workspace.open(path("cache.sqlite")));
        EvalStore store(workspace);
        const QByteArray key = QCryptographicHash::hash("{\"model\":\"m\"}", QCryptographicHash::Sha256);
        QVERIFY(!store.cachedResponse(key));
        const json response = {{"id", "resp_1"}, {"output_text", "Paris"}};
        QVERIFY(store.storeResponse(key, response));
        QCOMPARE(*store.cachedResponse(key), response);
        QVERIFY(!store.cachedResponse(QCryptographicHash::hash("other", QCryptographicHash::Sha256)));
        const json newer = {{"id", "resp_2"}};
        QVERIFY(store.storeResponse(key, newer));
        QCOMPARE(*store.cachedResponse(key), newer);
        QVERIFY(!store.storeResponse(QByteArray(), newer));
    }

    void cacheReaderPreparesOnceAndSeesLaterAnswers()
    {
        Workspace workspace;
        QVERIFY(workspace.open(path("cache-reader.sqlite")));
        EvalStore store(workspace);
        assay::store::ResponseCacheReader reader(workspace);
        QVERIFY(!reader.find("a"));
        QVERIFY(store.storeResponse("a", json{{"id", "resp_a"}}));
        QVERIFY(store.storeResponse("b", json{{"id", "resp_b"}}));
        for (int round = 0; round < 3; ++round) {
            QCOMPARE(reader.find("a").value_or(json()), json({{"id", "resp_a"}}));
            QCOMPARE(reader.find("b").value_or(json()), json({{"id", "resp_b"}}));
            QVERIFY(!reader.find("c"));
        }
        QVERIFY(reader.find("a")); // a hit last: its statement has a row left unread

        // Between lookups the reader holds no read transaction: another connection's writes can
        // be checkpointed completely (a reader left open would keep the WAL growing).
        Workspace other;
        QVERIFY(other.open(path("cache-reader.sqlite")));
        QVERIFY(EvalStore(other).storeResponse("c", json{{"id", "resp_c"}}));
        QSqlQuery checkpoint(other.database());
        QVERIFY(checkpoint.exec(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)")));
        QVERIFY(checkpoint.next());
        QCOMPARE(checkpoint.value(0).toInt(), 0); // not busy
        checkpoint.finish();
        QCOMPARE(reader.find("c").value_or(json()), json({{"id", "resp_c"}}));
    }

    void cacheReaderFindsABatchInOrder()
    {
        Workspace workspace;
        QVERIFY(workspace.open(path("cache-batch.sqlite")));
        EvalStore store(workspace);
        QVERIFY(store.storeResponse("a", json{{"id", "resp_a"}}));
        QVERIFY(store.storeResponse("c", json{{"id", "resp_c"}}));
        assay::store::ResponseCacheReader reader(workspace);
        const std::vector<QByteArray> keys = {"a", "b", "c", "a"};
        const std::vector<std::optional<json>> expected = {json{{"id", "resp_a"}}, std::nullopt,
                                                           json{{"id", "resp_c"}}, json{{"id", "resp_a"}}};
        QVERIFY(reader.findAll(keys) == expected);
        QVERIFY(reader.findAll({}).empty());

        // A transaction already open on the connection: the lookups go on inside it.
        QSqlDatabase db = workspace.database();
        QVERIFY(db.transaction());
        QVERIFY(reader.findAll(keys) == expected);
        QVERIFY(db.commit());
        // The batch's own transaction ended: the connection can write again.
        QVERIFY(store.storeResponse("b", json{{"id", "resp_b"}}));
        QCOMPARE(reader.findAll(keys).at(1).value_or(json()), json({{"id", "resp_b"}}));
    }

    void cacheReaderOnAClosedWorkspaceFindsNothing()
    {
        Workspace workspace;
        assay::store::ResponseCacheReader reader(workspace);
        QVERIFY(!reader.find("a"));
    }

    void reopenKeepsEverything()
    {
        const QString file = path("reopen.sqlite");
        qint64 runId = 0;
        {
            Workspace workspace;
            QVERIFY(workspace.open(file));
            EvalStore store(workspace);
            const auto eval = store.saveEval(QStringLiteral("Answers"), definition());
            runId = *store.createRun(
                runRecord(eval->id, QStringLiteral("kept"), QDateTime::currentDateTimeUtc()));
            QVERIFY(store.commitItem(item(runId, 0, QStringLiteral("pass"))));
            QVERIFY(store.storeResponse("k", json{{"a", 1}}));
            workspace.close();
        }
        Workspace workspace;
        QVERIFY(workspace.open(file));
        EvalStore store(workspace);
        QCOMPARE(store.evals().size(), 1);
        QCOMPARE(store.runs().size(), 1);
        QCOMPARE(store.run(runId)->name, QStringLiteral("kept"));
        QCOMPARE(store.items(runId).size(), std::size_t(1));
        QCOMPARE(*store.cachedResponse("k"), json({{"a", 1}}));
        EvalStore closed(workspace);
        workspace.close();
        QVERIFY(closed.runs().isEmpty());
        QString error;
        QVERIFY(!closed.commitItem(item(runId, 1, QStringLiteral("pass")), &error));
        QVERIFY(!error.isEmpty());
    }

    void secondConnectionSeesCommittedItems()
    {
        const QString file = path("shared.sqlite");
        Workspace writer;
        Workspace reader; // another connection to the same file, as a second process would have
        QVERIFY(writer.open(file));
        QVERIFY(reader.open(file));
        EvalStore writing(writer);
        EvalStore reading(reader);
        const auto eval = writing.saveEval(QStringLiteral("Answers"), definition());
        const auto runId =
            writing.createRun(runRecord(eval->id, QStringLiteral("live"), QDateTime::currentDateTimeUtc(),
                                        QStringLiteral("in_progress")));
        QVERIFY(runId);
        QCOMPARE(reading.unfinishedRuns().size(), 1);
        for (qint64 i = 0; i < 5; ++i) {
            QVERIFY(writing.commitItem(item(*runId, i, QStringLiteral("pass"))));
            // Visible to the other connection as soon as commitItem returns.
            QCOMPARE(reading.finishedItemIds(*runId).size(), i + 1);
        }
        // The reader can write too (busy timeout, IMMEDIATE transactions).
        QVERIFY(reading.commitItem(item(*runId, 5, QStringLiteral("fail"))));
        QCOMPARE(writing.items(*runId).size(), std::size_t(6));
        QCOMPARE(writing.items(*runId).back().status, QStringLiteral("fail"));
    }
};

QTEST_GUILESS_MAIN(TestEvalStore)
#include "tst_eval_store.moc"
