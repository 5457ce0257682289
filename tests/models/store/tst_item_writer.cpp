// ItemWriter: a run's items committed from a thread of its own, in order, reported once durable.

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "models/store/eval_store.h"
#include "models/store/item_writer.h"
#include "models/store/workspace.h"
#include "support/store_fixtures.h"

using assay::store::EvalStore;
using assay::store::ItemWriter;
using assay::store::OutputItemRecord;
using assay::store::Workspace;
using assay::testing::localRun;
using assay::testing::outputItem;
using assay::testing::stringCheckEval;

namespace {
constexpr int kWaitMs = 10000;
}

class TestItemWriter : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_path;
    std::unique_ptr<Workspace> m_workspace;
    std::unique_ptr<EvalStore> m_store;
    qint64 m_runId = 0;

    // Everything the writer reports until `count` items (or a failure) came back.
    static ItemWriter::Written collect(ItemWriter &writer, int count)
    {
        ItemWriter::Written all;
        QSignalSpy written(&writer, &ItemWriter::written);
        QElapsedTimer clock;
        clock.start();
        while (static_cast<int>(all.records.size()) < count && all.error.isEmpty() && clock.elapsed() < kWaitMs) {
            // A signal emitted before wait() started is missed: take what is there either way.
            written.wait(50);
            ItemWriter::Written some = writer.takeWritten();
            for (OutputItemRecord &record : some.records)
                all.records.push_back(std::move(record));
            if (!some.error.isEmpty())
                all.error = some.error;
        }
        return all;
    }

private Q_SLOTS:
    void init()
    {
        QVERIFY(m_dir.isValid());
        m_path = m_dir.filePath(QStringLiteral("workspace-%1.sqlite").arg(QString::fromLatin1(QTest::currentTestFunction())));
        m_workspace = std::make_unique<Workspace>();
        QString error;
        QVERIFY2(m_workspace->open(m_path, &error), qPrintable(error));
        m_store = std::make_unique<EvalStore>(*m_workspace);
        const auto eval = m_store->saveEval(QStringLiteral("Answers"), stringCheckEval());
        QVERIFY(eval);
        const auto run = m_store->createRun(localRun(eval->id, QStringLiteral("writer")));
        QVERIFY(run);
        m_runId = *run;
    }

    void cleanup()
    {
        m_store.reset();
        m_workspace.reset();
    }

    void writesInOrderAndReportsOnlyWhatIsStored()
    {
        ItemWriter writer(m_path);
        constexpr int kItems = 200;
        for (int i = 0; i < kItems; ++i)
            writer.enqueue(outputItem(m_runId, i, i % 3 == 0 ? QStringLiteral("fail") : QStringLiteral("pass")));
        const ItemWriter::Written written = collect(writer, kItems);
        QVERIFY2(written.error.isEmpty(), qPrintable(written.error));
        QCOMPARE(static_cast<int>(written.records.size()), kItems);
        for (int i = 0; i < kItems; ++i)
            QCOMPARE(written.records[static_cast<std::size_t>(i)].datasourceItemId, qint64(i));
        QCOMPARE(writer.unreportedCount(), std::size_t(0));
        // Read through the other connection (this thread's): every reported item is there.
        const std::vector<OutputItemRecord> stored = m_store->items(m_runId);
        QCOMPARE(static_cast<int>(stored.size()), kItems);
        QCOMPARE(stored[3].status, QStringLiteral("fail"));
        QCOMPARE(stored[4].sample["output"][0]["content"].get<std::string>(), "Paris");
    }

    void cachesAnswersWithTheirItems()
    {
        ItemWriter writer(m_path);
        OutputItemRecord cached = outputItem(m_runId, 0, QStringLiteral("pass"), "Lyon");
        writer.enqueue(cached, QByteArrayLiteral("key-0"));
        writer.enqueue(outputItem(m_runId, 1, QStringLiteral("pass"))); // no key: not cached
        QCOMPARE(static_cast<int>(collect(writer, 2).records.size()), 2);
        const std::optional<nlohmann::json> answer = m_store->cachedResponse(QByteArrayLiteral("key-0"));
        QVERIFY(answer);
        QCOMPARE(*answer, cached.rawResponse);
    }

    void waitUntilWrittenReturnsWithEverythingDurable()
    {
        ItemWriter writer(m_path);
        for (int i = 0; i < 100; ++i)
            writer.enqueue(outputItem(m_runId, i, QStringLiteral("pass")));
        writer.waitUntilWritten(); // no event loop: the writer's thread does the work
        QCOMPARE(m_store->finishedItemIds(m_runId).size(), 100);
        QCOMPARE(writer.unreportedCount(), std::size_t(100)); // written, not yet taken
        QCOMPARE(static_cast<int>(writer.takeWritten().records.size()), 100);
        QCOMPARE(writer.unreportedCount(), std::size_t(0));
    }

    void destructionWritesWhatIsQueued()
    {
        {
            ItemWriter writer(m_path);
            for (int i = 0; i < 50; ++i)
                writer.enqueue(outputItem(m_runId, i, QStringLiteral("pass")));
        }
        QCOMPARE(m_store->finishedItemIds(m_runId).size(), 50);
    }

    void aFailedWriteNamesItsItemsAndStopsTheWriter()
    {
        ItemWriter writer(m_path);
        writer.enqueue(outputItem(m_runId, 0, QStringLiteral("pass")));
        QCOMPARE(static_cast<int>(collect(writer, 1).records.size()), 1);
        // No run 999999: the foreign key refuses the item, and the batch with it.
        writer.enqueue(outputItem(999999, 7, QStringLiteral("pass")));
        const ItemWriter::Written failed = collect(writer, 1);
        QVERIFY(failed.records.empty());
        QVERIFY2(failed.error.startsWith(QStringLiteral("could not save item 7: ")), qPrintable(failed.error));
        // Nothing more is written once a write failed: the run that owns the writer is ending.
        writer.enqueue(outputItem(m_runId, 1, QStringLiteral("pass")));
        writer.waitUntilWritten();
        QCOMPARE(writer.unreportedCount(), std::size_t(0));
        QCOMPARE(m_store->finishedItemIds(m_runId), QSet<qint64>({0}));
    }

    void aWorkspaceThatCannotOpenIsReported()
    {
        ItemWriter writer(m_dir.path()); // a folder, not a workspace file
        writer.enqueue(outputItem(m_runId, 0, QStringLiteral("pass")));
        const ItemWriter::Written failed = collect(writer, 1);
        QVERIFY(failed.records.empty());
        QVERIFY2(failed.error.startsWith(QStringLiteral("could not save item 0: ")), qPrintable(failed.error));
        QVERIFY2(failed.error.contains(QStringLiteral("not a file")), qPrintable(failed.error));
    }
};

QTEST_GUILESS_MAIN(TestItemWriter)
#include "tst_item_writer.moc"
