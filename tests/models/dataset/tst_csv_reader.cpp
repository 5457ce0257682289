#include <QtTest>

#include "models/dataset/csv_reader.h"
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
    std::optional<CsvHeader> header;
    std::vector<std::string> records;
    std::vector<qint64> lines;
    std::vector<IndexedProblem> problems;
};

Indexed index(std::string_view data)
{
    Indexed result;
    const std::atomic<bool> never{false};
    buildIndex(
        data, DatasetFormat::Csv,
        [&](IndexBatch &&batch) {
            if (batch.header)
                result.header = batch.header;
            if (batch.chunk) {
                for (std::size_t i = 0; i < batch.chunk->size(); ++i) {
                    const auto begin = static_cast<std::size_t>(batch.chunk->begins[i]);
                    result.records.emplace_back(
                        data.substr(begin, static_cast<std::size_t>(batch.chunk->ends[i]) - begin));
                    result.lines.push_back(batch.chunk->lines[i]);
                }
            }
            for (auto &problem : batch.problems)
                result.problems.push_back(problem);
        },
        never);
    return result;
}

using Strings = std::vector<std::string>;

} // namespace

class TestCsvReader : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void splitsQuotedFields()
    {
        QCOMPARE(csv::parseRecord("a,\"b,c\",\"say \"\"hi\"\"\",,\"\""),
                 (Strings{"a", "b,c", "say \"hi\"", "", ""}));
        QCOMPARE(csv::parseRecord("\"line one\nline two\",x"), (Strings{"line one\nline two", "x"}));
        QCOMPARE(csv::parseRecord(""), (Strings{""}));
        QCOMPARE(csv::parseRecord("a,"), (Strings{"a", ""}));
        QCOMPARE(csv::parseRecord("5\"4,x"),
                 (Strings{"5\"4", "x"})); // a quote inside an unquoted field is text
        QCOMPARE(csv::parseRecord("\"ab\"cd,x"),
                 (Strings{"abcd", "x"}));                            // text after a closing quote is kept
        QCOMPARE(csv::parseRecord("\"open,x"), (Strings{"open,x"})); // unterminated: runs to the end
    }

    void fieldSpansCoverTheRawBytes()
    {
        const std::string record = "1,\"x, y\",z";
        const std::vector<csv::Field> fields = csv::splitRecord(record);
        QCOMPARE(fields.size(), std::size_t(3));
        QCOMPARE(record.substr(fields[1].begin, fields[1].end - fields[1].begin), std::string("\"x, y\""));
        QVERIFY(fields[1].quoted);
        QVERIFY(!fields[2].quoted);
    }

    void quotesOnlyWhenNeeded()
    {
        QCOMPARE(csv::quoteField("plain text"), std::string("plain text"));
        QCOMPARE(csv::quoteField("a,b"), std::string("\"a,b\""));
        QCOMPARE(csv::quoteField("say \"hi\""), std::string("\"say \"\"hi\"\"\""));
        QCOMPARE(csv::quoteField("two\nlines"), std::string("\"two\nlines\""));
        QCOMPARE(csv::joinRecord({"a", "b,c", ""}), std::string("a,\"b,c\","));
        QCOMPARE(csv::joinRecord({""}), std::string("\"\"")); // not a blank line
    }

    void scansRecordBoundaries()
    {
        const std::string data = "a,\"b\nc\",d\r\ne,f\ng";
        csv::RecordScan scan = csv::scanRecord(data, 0);
        QCOMPARE(data.substr(0, scan.end), std::string("a,\"b\nc\",d"));
        QCOMPARE(scan.lineBreaks, qint64(1));
        QCOMPARE(scan.fields, qint64(3));
        scan = csv::scanRecord(data, scan.next);
        QCOMPARE(scan.fields, qint64(2));
        QCOMPARE(scan.next, data.size() - 1);
        scan = csv::scanRecord(data, scan.next);
        QCOMPARE(scan.end, data.size());
        QCOMPARE(scan.next, data.size());

        scan = csv::scanRecord("x,\"never closed\ny,z\n", 0);
        QCOMPARE(scan.error, csv::RecordScan::Error::UnterminatedQuote);
        QCOMPARE(scan.errorOffset, std::size_t(2));
        scan = csv::scanRecord("\"q\"x,1\n", 0);
        QCOMPARE(scan.error, csv::RecordScan::Error::TextAfterQuote);
        QCOMPARE(scan.errorOffset, std::size_t(3));
        // Line by line mode: a quote must close on its own line.
        scan = csv::scanRecord("\"a\nb\",c\n", 0, false);
        QCOMPARE(scan.error, csv::RecordScan::Error::UnterminatedQuote);
    }

    void checksARecordAsTheReaderWould()
    {
        QVERIFY(!csv::checkRecord("a,b", 4, 2));
        auto check = csv::checkRecord("a,b,c", 4, 2);
        QVERIFY(check && !check->bad);
        QCOMPARE(check->problem.toString(), QStringLiteral("line 4: expected 2 fields, found 3"));
        check = csv::checkRecord("a,\"b", 4, 2);
        QVERIFY(check && check->bad);
        QCOMPARE(check->problem.column, qint64(3));
        check = csv::checkRecord("a,b\nc,d", 4, 2);
        QVERIFY(check && check->bad);
        QCOMPARE(check->problem.line, qint64(4));
        check = csv::checkRecord("a,\xC3", 9, 2);
        QVERIFY(check && check->bad);
        QCOMPARE(check->problem.column, qint64(3));
    }

    void indexesWithBomAndCrlf()
    {
        const std::string data = "\xEF\xBB\xBFid,text\r\n1,hello\r\n2,\"multi\r\nline\"\r\n\r\n3,end\r\n";
        const Indexed indexed = index(data);
        QVERIFY(indexed.header);
        QCOMPARE(indexed.header->fields, (Strings{"id", "text"})); // the BOM is not part of the first name
        QCOMPARE(indexed.records, (Strings{"1,hello", "2,\"multi\r\nline\"", "3,end"}));
        QCOMPARE(indexed.lines, (std::vector<qint64>{2, 3, 6}));
        QVERIFY(indexed.problems.empty());
    }

    void emptyAndHeaderOnlyFiles()
    {
        Indexed indexed = index("");
        QVERIFY(!indexed.header);
        QVERIFY(indexed.records.empty());
        indexed = index("a,b\n");
        QVERIFY(indexed.header);
        QCOMPARE(indexed.header->fields, (Strings{"a", "b"}));
        QVERIFY(indexed.records.empty());
        indexed = index("a,b");
        QCOMPARE(indexed.header->fields, (Strings{"a", "b"}));
        QVERIFY(indexed.records.empty());
    }

    void raggedRowsAreReportedButKept()
    {
        const Indexed indexed = index("a,b,c\n1,2,3\n4,5\n6,7,8,9\n");
        QCOMPARE(indexed.records.size(), std::size_t(3));
        QCOMPARE(indexed.problems.size(), std::size_t(2));
        QCOMPARE(indexed.problems[0].record, qint64(1));
        QVERIFY(!indexed.problems[0].bad);
        QCOMPARE(indexed.problems[0].problem.toString(),
                 QStringLiteral("line 3: expected 3 fields, found 2"));
        QCOMPARE(indexed.problems[1].problem.toString(),
                 QStringLiteral("line 4: expected 3 fields, found 4"));
    }

    void hugeFieldsAreOneRecord()
    {
        std::string huge(3 * 1024 * 1024, 'x');
        for (std::size_t i = 1000; i < huge.size(); i += 5000)
            huge[i] = '\n';
        const std::string data = "id,body\n1,\"" + huge + "\"\n2,small\n";
        const Indexed indexed = index(data);
        QCOMPARE(indexed.records.size(), std::size_t(2));
        QCOMPARE(indexed.records[0].size(), huge.size() + 4);
        QCOMPARE(indexed.lines[1],
                 qint64(3 + static_cast<qint64>(std::count(huge.begin(), huge.end(), '\n'))));
        QVERIFY(indexed.problems.empty());
    }

    void anUnbalancedQuoteDoesNotSwallowTheFile()
    {
        const std::string data = "id,text\n"
                                 "1,fine\n"
                                 "2,\"broken\n"
                                 "3,after\n"
                                 "4,\"quoted, ok\"\n";
        const Indexed indexed = index(data);
        QCOMPARE(indexed.records, (Strings{"1,fine", "2,\"broken", "3,after", "4,\"quoted, ok\""}));
        QCOMPARE(indexed.lines, (std::vector<qint64>{2, 3, 4, 5}));
        QCOMPARE(indexed.problems.size(), std::size_t(1));
        QVERIFY(indexed.problems[0].bad);
        QCOMPARE(indexed.problems[0].problem.line, qint64(3));
        QCOMPARE(indexed.problems[0].problem.column, qint64(3));
        QVERIFY(indexed.problems[0].problem.message.contains(QStringLiteral("unterminated quoted field")));
    }

    void invalidUtf8IsABadRowAtItsColumn()
    {
        const Indexed indexed = index("a,b\nok,\xFF\xFE\n");
        QCOMPARE(indexed.problems.size(), std::size_t(1));
        QVERIFY(indexed.problems[0].bad);
        QCOMPARE(indexed.problems[0].problem.line, qint64(2));
        QCOMPARE(indexed.problems[0].problem.column, qint64(4));
    }
};

QTEST_GUILESS_MAIN(TestCsvReader)
#include "tst_csv_reader.moc"
