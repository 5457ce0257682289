// Seeded sampling and train/test splits: reproducible per seed, without replacement, in file order,
// stratified splits proportional per class, and the written datasets hold exactly the chosen rows.
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <map>
#include <set>

#include "models/dataset/dataset_document.h"
#include "models/dataset/dataset_sampling.h"

using assay::dataset::DatasetDocument;
using assay::dataset::DatasetFormat;
using assay::dataset::DatasetSampling;
using assay::dataset::DatasetSplit;
using ojson = nlohmann::ordered_json;

namespace {

std::vector<qint64> range(qint64 n)
{
    std::vector<qint64> out;
    for (qint64 i = 0; i < n; ++i)
        out.push_back(i);
    return out;
}

bool ascendingAndDistinct(const std::vector<qint64> &rows)
{
    for (std::size_t i = 1; i < rows.size(); ++i) {
        if (rows[i - 1] >= rows[i])
            return false;
    }
    return true;
}

// Train and test are disjoint and together exactly the candidates.
bool partitions(const DatasetSplit &split, const std::vector<qint64> &candidates)
{
    std::vector<qint64> all = split.train;
    all.insert(all.end(), split.test.begin(), split.test.end());
    std::sort(all.begin(), all.end());
    std::vector<qint64> expected = candidates;
    std::sort(expected.begin(), expected.end());
    return all == expected && ascendingAndDistinct(split.train) && ascendingAndDistinct(split.test);
}

void writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(bytes);
}

// Opens a file and waits for its index (the document indexes on a worker thread).
bool openIndexed(DatasetDocument &document, const QString &path)
{
    QSignalSpy finished(&document, &DatasetDocument::indexFinished);
    if (!document.open(path))
        return false;
    return !document.isIndexing() || finished.count() > 0 || finished.wait(30000);
}

std::vector<ojson> itemsOf(const DatasetDocument &document)
{
    std::vector<ojson> items;
    for (qint64 row = 0; row < document.rowCount(); ++row)
        items.push_back(document.parsedRow(row).item);
    return items;
}

} // namespace

class TestDatasetSampling : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;

private Q_SLOTS:
    void sampleIsSeededOrderedAndWithoutReplacement()
    {
        const std::vector<qint64> candidates = range(1000);
        const std::vector<qint64> a = DatasetSampling::sample(candidates, 100, 42);
        QCOMPARE(a.size(), std::size_t(100));
        QVERIFY(ascendingAndDistinct(a));
        QCOMPARE(DatasetSampling::sample(candidates, 100, 42), a);
        QVERIFY(DatasetSampling::sample(candidates, 100, 43) != a);
        // Candidates need not be contiguous: the result is a subsequence of them.
        const std::vector<qint64> odd = {1, 3, 5, 7, 9, 11, 13};
        const std::vector<qint64> picked = DatasetSampling::sample(odd, 3, 5);
        QCOMPARE(picked.size(), std::size_t(3));
        for (qint64 row : picked)
            QVERIFY(row % 2 == 1);
        QVERIFY(ascendingAndDistinct(picked));
    }

    void sampleEdges()
    {
        QCOMPARE(DatasetSampling::sample(range(5), 0, 1), std::vector<qint64>{});
        QCOMPARE(DatasetSampling::sample(range(5), -3, 1), std::vector<qint64>{});
        QCOMPARE(DatasetSampling::sample(range(5), 5, 1), range(5));
        QCOMPARE(DatasetSampling::sample(range(5), 50, 1), range(5));
        QCOMPARE(DatasetSampling::sample({}, 3, 1), std::vector<qint64>{});
    }

    void sameDrawOnEveryPlatform()
    {
        // Computed independently (a Python mt19937_64, the same rejection sampling and Floyd's
        // algorithm): a recorded seed redraws the same rows whatever standard library built Assay.
        QCOMPARE(DatasetSampling::sample(range(100), 5, 42), (std::vector<qint64>{42, 54, 81, 91, 96}));
        QCOMPARE(DatasetSampling::split(range(20), 0.25, 7).test, (std::vector<qint64>{1, 6, 7, 11, 16}));
    }

    void sampleIsUniform()
    {
        // One row of ten over 2000 seeds: each row is picked about 200 times (binomial sd ~13).
        std::vector<int> hits(10, 0);
        for (quint64 seed = 0; seed < 2000; ++seed) {
            const std::vector<qint64> one = DatasetSampling::sample(range(10), 1, seed);
            QCOMPARE(one.size(), std::size_t(1));
            ++hits[static_cast<std::size_t>(one.front())];
        }
        for (int count : hits)
            QVERIFY2(count > 130 && count < 270, qPrintable(QString::number(count)));
    }

    void splitCoversEverythingOnce()
    {
        const std::vector<qint64> candidates = range(101);
        const DatasetSplit split = DatasetSampling::split(candidates, 0.2, 2024);
        QVERIFY(partitions(split, candidates));
        QCOMPARE(split.test.size(), std::size_t(20)); // round(101 * 0.2)
        QCOMPARE(split.train.size(), std::size_t(81));
        const DatasetSplit again = DatasetSampling::split(candidates, 0.2, 2024);
        QCOMPARE(again.test, split.test);
        QCOMPARE(again.train, split.train);
        QVERIFY(DatasetSampling::split(candidates, 0.2, 2025).test != split.test);

        QCOMPARE(DatasetSampling::split(candidates, 0.0, 1).test.size(), std::size_t(0));
        QCOMPARE(DatasetSampling::split(candidates, 1.0, 1).train.size(), std::size_t(0));
        QVERIFY(partitions(DatasetSampling::split(candidates, 1.0, 1), candidates));
        QCOMPARE(DatasetSampling::split(candidates, 7.5, 1).test.size(), candidates.size()); // clamped
    }

    void stratifiedSplitKeepsClassProportions()
    {
        // 50 A, 30 B, 20 C interleaved; 20% test: exactly 10, 6 and 4.
        std::vector<qint64> candidates = range(100);
        std::vector<std::string> labels;
        for (qint64 i = 0; i < 100; ++i)
            labels.push_back(i % 10 < 5 ? "A" : i % 10 < 8 ? "B" : "C");
        const DatasetSplit split = DatasetSampling::stratifiedSplit(candidates, labels, 0.2, 99);
        QVERIFY(partitions(split, candidates));
        std::map<std::string, int> testCounts;
        for (qint64 row : split.test)
            ++testCounts[labels[static_cast<std::size_t>(row)]];
        QCOMPARE(testCounts["A"], 10);
        QCOMPARE(testCounts["B"], 6);
        QCOMPARE(testCounts["C"], 4);
        const DatasetSplit again = DatasetSampling::stratifiedSplit(candidates, labels, 0.2, 99);
        QCOMPARE(again.test, split.test);
    }

    void stratifiedRoundingStaysWithinOneRow_data()
    {
        QTest::addColumn<QList<int>>("classSizes");
        QTest::addColumn<double>("fraction");
        QTest::newRow("7/5/3 at 30%") << QList<int>{7, 5, 3} << 0.3;
        QTest::newRow("singletons") << QList<int>{1, 1, 1, 1, 1, 1, 1} << 0.3;
        QTest::newRow("one big class") << QList<int>{97, 2, 1} << 0.1;
        QTest::newRow("half") << QList<int>{9, 9, 9} << 0.5;
    }

    void stratifiedRoundingStaysWithinOneRow()
    {
        QFETCH(QList<int>, classSizes);
        QFETCH(double, fraction);
        std::vector<qint64> candidates;
        std::vector<std::string> labels;
        for (int c = 0; c < classSizes.size(); ++c) {
            for (int i = 0; i < classSizes[c]; ++i) {
                candidates.push_back(static_cast<qint64>(candidates.size()) * 3); // sparse row numbers
                labels.push_back("class" + std::to_string(c));
            }
        }
        for (quint64 seed : {1ull, 2ull, 3ull}) {
            const DatasetSplit split = DatasetSampling::stratifiedSplit(candidates, labels, fraction, seed);
            QVERIFY(partitions(split, candidates));
            QCOMPARE(split.test.size(), static_cast<std::size_t>(
                                            std::llround(static_cast<double>(candidates.size()) * fraction)));
            std::map<std::string, int> testCounts;
            for (qint64 row : split.test)
                ++testCounts[labels[static_cast<std::size_t>(row / 3)]];
            for (int c = 0; c < classSizes.size(); ++c) {
                const double exact = classSizes[c] * fraction;
                const int got = testCounts["class" + std::to_string(c)];
                QVERIFY2(std::abs(got - exact) < 1.0,
                         qPrintable(QStringLiteral("class %1: %2 vs %3").arg(c).arg(got).arg(exact)));
            }
        }
    }

    void documentSplitByColumnAndWrittenDatasets()
    {
        QVERIFY(m_dir.isValid());
        std::vector<ojson> items;
        const char *labels[] = {"Hardware", "Hardware", "Hardware", "Software", "Software", "Other"};
        for (int i = 0; i < 60; ++i)
            items.push_back(ojson{{"ticket_text", "ticket " + std::to_string(i)},
                                  {"meta", {{"label", labels[i % 6]}, {"n", i}}}});
        DatasetDocument source;
        source.setRows(items, DatasetFormat::Jsonl);
        QCOMPARE(source.rowCount(), qint64(60));

        const DatasetSplit split = DatasetSampling::splitRows(source, 0.25, 11, QStringLiteral("meta.label"));
        QVERIFY(partitions(split, range(60)));
        std::map<std::string, int> testCounts;
        for (qint64 row : split.test)
            ++testCounts[items[static_cast<std::size_t>(row)]["meta"]["label"].get<std::string>()];
        QCOMPARE(testCounts["Hardware"], 8); // 30 * 0.25 = 7.5 -> largest remainder
        QCOMPARE(testCounts["Software"], 5);
        QCOMPARE(testCounts["Other"], 2); // 10 * 0.25 = 2.5
        QCOMPARE(split.test.size(), std::size_t(15));

        const QString trainPath = m_dir.filePath(QStringLiteral("train.jsonl"));
        const QString testPath = m_dir.filePath(QStringLiteral("test.jsonl"));
        QString error;
        QVERIFY2(
            DatasetSampling::writeSplit(source, split, trainPath, testPath, DatasetFormat::Jsonl, &error),
            qPrintable(error));
        DatasetDocument train;
        DatasetDocument test;
        QVERIFY(openIndexed(train, trainPath));
        QVERIFY(openIndexed(test, testPath));
        QCOMPARE(train.rowCount(), qint64(split.train.size()));
        QCOMPARE(test.rowCount(), qint64(split.test.size()));
        const std::vector<ojson> testItems = itemsOf(test);
        for (std::size_t i = 0; i < split.test.size(); ++i)
            QCOMPARE(testItems[i].dump(), items[static_cast<std::size_t>(split.test[i])].dump());
        const std::vector<ojson> trainItems = itemsOf(train);
        for (std::size_t i = 0; i < split.train.size(); ++i)
            QCOMPARE(trainItems[i].dump(), items[static_cast<std::size_t>(split.train[i])].dump());
    }

    void badRowsAreNeverSampledAndWrappersKept()
    {
        const QString path = m_dir.filePath(QStringLiteral("wrapped.jsonl"));
        writeFile(path, "{\"item\": {\"q\": \"a\", \"n\": 1}}\n"
                        "{\"item\": {\"q\": \"b\", \"n\": 2}}\n"
                        "{\"item\": {\"q\": \"c\", \"n\": }}\n"
                        "{\"item\": {\"q\": \"d\", \"n\": 4}}\n");
        DatasetDocument source;
        QVERIFY(openIndexed(source, path));
        QCOMPARE(source.rowCount(), qint64(4));
        QCOMPARE(DatasetSampling::usableRows(source), (std::vector<qint64>{0, 1, 3}));
        const std::vector<qint64> all = DatasetSampling::sampleRows(source, 10, 3);
        QCOMPARE(all, (std::vector<qint64>{0, 1, 3}));
        const DatasetSplit split = DatasetSampling::splitRows(source, 0.5, 3);
        QVERIFY(partitions(split, {0, 1, 3}));

        // A bad row cannot be written as data.
        QString error;
        QVERIFY(!DatasetSampling::writeRows(source, {2}, m_dir.filePath(QStringLiteral("bad.jsonl")),
                                            DatasetFormat::Jsonl, &error));
        QVERIFY2(error.contains(QLatin1String("line 3")), qPrintable(error));

        const QString samplePath = m_dir.filePath(QStringLiteral("sample.jsonl"));
        QVERIFY2(DatasetSampling::writeRows(source, {1, 3}, samplePath, DatasetFormat::Jsonl, &error),
                 qPrintable(error));
        QFile written(samplePath);
        QVERIFY(written.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = written.readAll().trimmed().split('\n');
        QCOMPARE(lines.size(), 2);
        QCOMPARE(ojson::parse(lines[0].toStdString()).dump(), std::string(R"({"item":{"q":"b","n":2}})"));
        QCOMPARE(ojson::parse(lines[1].toStdString()).dump(), std::string(R"({"item":{"q":"d","n":4}})"));

        // As CSV the wrapper is dropped: the columns are the item's fields.
        const QString csvPath = m_dir.filePath(QStringLiteral("sample.csv"));
        QVERIFY2(DatasetSampling::writeRows(source, {0, 3}, csvPath, DatasetFormat::Csv, &error),
                 qPrintable(error));
        DatasetDocument csv;
        QVERIFY(openIndexed(csv, csvPath));
        QCOMPARE(csv.rowCount(), qint64(2));
        QCOMPARE(csv.columns(), (QStringList{QStringLiteral("q"), QStringLiteral("n")}));
        QCOMPARE(csv.value(1, QStringLiteral("q")).get<std::string>(), std::string("d"));
    }
};

QTEST_GUILESS_MAIN(TestDatasetSampling)
#include "tst_dataset_sampling.moc"
