#include <QtTest>

#include "models/dataset/jsonl_reader.h"
#include "models/dataset/record_index.h"

// Readable QCOMPARE failures for std::string.
namespace QTest {
template <> inline char *toString(const std::string &text)
{
    return qstrdup(
        QByteArray::fromStdString(text).toPercentEncoding(" {}[]\":,.!?'()/-_+*@#$%&=<>|~^").constData());
}
} // namespace QTest

using namespace assay::dataset;

namespace {

struct Indexed {
    std::vector<qint64> begins, ends, lines;
    std::vector<IndexedProblem> problems;
    std::vector<std::string> columns;
    int batches = 0;
    std::vector<qint64> batchSizes;
};

Indexed index(std::string_view data, DatasetFormat format, IndexOptions options = {})
{
    Indexed result;
    const std::atomic<bool> never{false};
    const bool done = buildIndex(
        data, format,
        [&](IndexBatch &&batch) {
            ++result.batches;
            if (batch.chunk) {
                result.batchSizes.push_back(static_cast<qint64>(batch.chunk->size()));
                for (std::size_t i = 0; i < batch.chunk->size(); ++i) {
                    result.begins.push_back(batch.chunk->begins[i]);
                    result.ends.push_back(batch.chunk->ends[i]);
                    result.lines.push_back(batch.chunk->lines[i]);
                }
            }
            for (auto &problem : batch.problems)
                result.problems.push_back(problem);
            for (auto &column : batch.newColumns)
                result.columns.push_back(column);
        },
        never, options);
    if (!done)
        qFatal("index not done");
    return result;
}

std::string textOf(std::string_view data, const Indexed &indexed, std::size_t record)
{
    return std::string(data.substr(static_cast<std::size_t>(indexed.begins[record]),
                                   static_cast<std::size_t>(indexed.ends[record] - indexed.begins[record])));
}

} // namespace

class TestJsonlReader : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void walksNonBlankLinesKeepingLineNumbers()
    {
        const std::string data = "{\"a\":1}\r\n\r\n   \n{\"a\":2}\n\t\n{\"a\":3}";
        jsonl::LineScanner scanner(data);
        jsonl::Record record;
        std::vector<std::pair<std::string, qint64>> seen;
        while (scanner.next(record))
            seen.emplace_back(data.substr(record.begin, record.end - record.begin), record.line);
        const std::vector<std::pair<std::string, qint64>> expected{
            {"{\"a\":1}", 1}, {"{\"a\":2}", 4}, {"{\"a\":3}", 6}};
        QCOMPARE(seen, expected);
    }

    void checkReportsLineAndColumn()
    {
        const auto problem = jsonl::checkRecord(R"({"ticket": "café", "n": 1,})", 12);
        QVERIFY(problem);
        QCOMPARE(problem->line, qint64(12));
        QCOMPARE(problem->column, qint64(27)); // characters, not bytes: the closing brace
        QVERIFY(problem->message.contains(QStringLiteral("expected a string key")));
        QVERIFY(!jsonl::checkRecord(R"({"ok": true})", 1));
    }

    void rowsMustBeObjects()
    {
        for (const char *text : {"[1, 2]", "\"text\"", "42", "null"}) {
            const auto problem = jsonl::checkRecord(text, 3);
            QVERIFY2(problem, text);
            QVERIFY(problem->message.contains(QStringLiteral("not a JSON object")));
        }
    }

    void invalidUtf8IsAProblemAtItsColumn()
    {
        const auto problem = jsonl::checkRecord("{\"text\": \"ab\xfe\"}", 5);
        QVERIFY(problem);
        QCOMPARE(problem->line, qint64(5));
        QCOMPARE(problem->column, qint64(13));
        QVERIFY(problem->message.contains(QStringLiteral("UTF-8")));
    }

    void parsesRowsKeepingKeyOrderAndTheWrapper()
    {
        const ParsedRow plain = jsonl::parseRecord(R"({"z": 1, "a": {"m": 2, "b": 3}})", 1);
        QVERIFY(!plain.wrapped);
        QVERIFY(!plain.problem);
        QCOMPARE(QString::fromStdString(plain.item.dump()), QStringLiteral(R"({"z":1,"a":{"m":2,"b":3}})"));

        const ParsedRow wrapped = jsonl::parseRecord(
            R"({ "item": { "ticket_text": "My monitor is dead!", "correct_label": "Hardware" } })", 1);
        QVERIFY(wrapped.wrapped);
        QCOMPARE(wrapped.item.value("correct_label", std::string()), std::string("Hardware"));

        const ParsedRow bad = jsonl::parseRecord(R"({"a": )", 9);
        QVERIFY(bad.isBad());
        QVERIFY(bad.problem);
        QCOMPARE(bad.problem->line, qint64(9));
        QCOMPARE(bad.problem->column, qint64(7));
    }

    void indexesRecordsProblemsAndColumns()
    {
        const std::string data = "\xEF\xBB\xBF{\"id\": 1, \"t\": {\"s\": \"x\"}}\n"
                                 "\n"
                                 "{\"id\": 2, broken\n"
                                 "{\"t\": {\"s\": \"y\"}, \"id\": 3}\n"
                                 "{\"item\": {\"id\": 4, \"label\": \"L\"}}\n";
        const Indexed indexed = index(data, DatasetFormat::Jsonl);
        QCOMPARE(indexed.begins.size(), std::size_t(4));
        QCOMPARE(indexed.lines, (std::vector<qint64>{1, 3, 4, 5}));
        QCOMPARE(textOf(data, indexed, 1), std::string("{\"id\": 2, broken"));
        QCOMPARE(indexed.problems.size(), std::size_t(1));
        QCOMPARE(indexed.problems[0].record, qint64(1));
        QVERIFY(indexed.problems[0].bad);
        QCOMPARE(indexed.problems[0].problem.line, qint64(3));
        QCOMPARE(indexed.problems[0].problem.column, qint64(11));
        // Columns: first-seen order over every distinct shape; the wrapper's item is unwrapped.
        QCOMPARE(indexed.columns, (std::vector<std::string>{"id", "t.s", "label"}));
    }

    void deliversAFirstSmallBatchThenLargerOnes()
    {
        std::string data;
        for (int i = 0; i < 2500; ++i)
            data += "{\"i\": " + std::to_string(i) + "}\n";
        IndexOptions options;
        options.firstBatchRows = 100;
        options.batchRows = 1000;
        options.batchMilliseconds = 1000000;
        const Indexed indexed = index(data, DatasetFormat::Jsonl, options);
        QCOMPARE(indexed.begins.size(), std::size_t(2500));
        QCOMPARE(indexed.batchSizes, (std::vector<qint64>{100, 1000, 1000, 400}));
        QCOMPARE(indexed.lines.back(), qint64(2500));
    }

    void stopsWhenCancelled()
    {
        std::string data;
        for (int i = 0; i < 5000; ++i)
            data += "{}\n";
        std::atomic<bool> cancelled{false};
        int batches = 0;
        IndexOptions options;
        options.firstBatchRows = 10;
        const bool done = buildIndex(
            data, DatasetFormat::Jsonl,
            [&](IndexBatch &&) {
                ++batches;
                cancelled = true;
            },
            cancelled, options);
        QVERIFY(!done);
        QCOMPARE(batches, 1);
    }

    void indexesJsonArrayElements()
    {
        const std::string data = "[\n"
                                 "  {\"a\": 1,\n   \"b\": \"x\"},\n"
                                 "  {\"a\": 2, \"b\": [1, 2]}, 7,\n"
                                 "  {\"a\": oops},\n"
                                 "  {\"a\": 4}\n"
                                 "]\n";
        const Indexed indexed = index(data, DatasetFormat::JsonArray);
        QCOMPARE(indexed.begins.size(), std::size_t(5));
        QCOMPARE(indexed.lines, (std::vector<qint64>{2, 4, 4, 5, 6}));
        QCOMPARE(textOf(data, indexed, 0), std::string("{\"a\": 1,\n   \"b\": \"x\"}"));
        QCOMPARE(textOf(data, indexed, 3), std::string("{\"a\": oops}"));
        QCOMPARE(indexed.problems.size(), std::size_t(2));
        QCOMPARE(indexed.problems[0].record, qint64(2));
        QVERIFY(indexed.problems[0].problem.message.contains(QStringLiteral("not a JSON object")));
        QCOMPARE(indexed.problems[0].problem.column, qint64(26));
        QCOMPARE(indexed.problems[1].record, qint64(3));
        QCOMPARE(indexed.problems[1].problem.line, qint64(5));
        QCOMPARE(indexed.problems[1].problem.column, qint64(9));
        QCOMPARE(indexed.columns, (std::vector<std::string>{"a", "b"}));
    }

    void aTruncatedJsonArrayKeepsTheRestAsOneBadRow()
    {
        const std::string data = "[{\"a\": 1}, {\"a\": \"unterminated}";
        const Indexed indexed = index(data, DatasetFormat::JsonArray);
        QCOMPARE(indexed.begins.size(), std::size_t(2));
        QCOMPARE(textOf(data, indexed, 1), std::string("{\"a\": \"unterminated}"));
        QCOMPARE(indexed.problems.size(), std::size_t(1));
        QVERIFY(indexed.problems[0].problem.message.contains(QStringLiteral("unterminated string")));
    }
};

QTEST_GUILESS_MAIN(TestJsonlReader)
#include "tst_jsonl_reader.moc"
