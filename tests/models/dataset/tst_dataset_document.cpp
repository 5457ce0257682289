#include <random>

#include <QCryptographicHash>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QtTest>

#include "models/dataset/dataset_document.h"
#include "models/dataset/dataset_edit_commands.h"

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

QByteArray readAll(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QByteArray("<unreadable>");
    return file.readAll();
}

} // namespace

class TestDatasetDocument : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    int m_counter = 0;

    QString write(const QByteArray &bytes, const QString &suffix)
    {
        const QString path = m_dir.filePath(QStringLiteral("data%1.%2").arg(++m_counter).arg(suffix));
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
            qFatal("cannot write fixture");
        return path;
    }

    QString target(const QString &suffix)
    {
        return m_dir.filePath(QStringLiteral("out%1.%2").arg(++m_counter).arg(suffix));
    }

    // Opens in the background, as the GUI does, and waits for the index.
    bool openAndWait(DatasetDocument &document, const QString &path)
    {
        QSignalSpy finished(&document, &DatasetDocument::indexFinished);
        QString error;
        if (!document.open(path, &error)) {
            qWarning("%s", qPrintable(error));
            return false;
        }
        return finished.wait(10000) && document.isComplete();
    }

    QString saved(DatasetDocument &document, DatasetFormat format, const QString &suffix)
    {
        const QString path = target(suffix);
        QString error;
        if (!document.save(path, format, &error))
            qWarning("save failed: %s", qPrintable(error));
        return path;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void opensJsonlWithFileLineNumbers()
    {
        const QByteArray data = "{\"id\": 1, \"text\": \"a\"}\n\n{\"id\": 2, \"text\": \"b\"}\r\n   \n"
                                "{\"item\": {\"id\": 3, \"text\": \"c\"}}\n";
        DatasetDocument document;
        QSignalSpy indexed(&document, &DatasetDocument::rowsIndexed);
        QVERIFY(openAndWait(document, write(data, QStringLiteral("jsonl"))));
        QVERIFY(indexed.count() >= 1);
        QCOMPARE(document.format(), DatasetFormat::Jsonl);
        QCOMPARE(document.rowCount(), qint64(3));
        QCOMPARE(document.lineNumber(0), qint64(1));
        QCOMPARE(document.lineNumber(1), qint64(3));
        QCOMPARE(document.lineNumber(2), qint64(5));
        QCOMPARE(document.columns(), (QStringList{QStringLiteral("id"), QStringLiteral("text")}));
        const ParsedRow third = document.parsedRow(2);
        QVERIFY(third.wrapped);
        QCOMPARE(document.value(2, QStringLiteral("text")), nlohmann::ordered_json("c"));
        QCOMPARE(document.value(0, QStringLiteral("id")), nlohmann::ordered_json(1));
        QVERIFY(!document.findValue(0, QStringLiteral("missing")));
        QCOMPARE(document.rawText(1), std::string("{\"id\": 2, \"text\": \"b\"}"));
        QVERIFY(document.problems().empty());
        QVERIFY(!document.isModified());
    }

    void blockingOpenIndexesBeforeReturning()
    {
        DatasetDocument document;
        QVERIFY(document.open(write("{\"a\": 1}\n{\"a\": 2}\n", QStringLiteral("jsonl")), nullptr,
                              DatasetDocument::IndexMode::Blocking));
        QCOMPARE(document.rowCount(), qint64(2));
        QVERIFY(document.isComplete());
    }

    void missingFileFailsWithAMessage()
    {
        DatasetDocument document;
        QString error;
        QVERIFY(!document.open(m_dir.filePath(QStringLiteral("nope.jsonl")), &error));
        QVERIFY(error.contains(QStringLiteral("nope.jsonl")));
    }

    void malformedLineIsKeptReportedAndSaved()
    {
        const QByteArray data = "{\"id\": 1}\n{\"id\": 2, \"text\": \"unterminated}\n{\"id\": 3}\n";
        DatasetDocument document;
        QVERIFY(openAndWait(document, write(data, QStringLiteral("jsonl"))));
        QCOMPARE(document.rowCount(), qint64(3));
        const ParsedRow bad = document.parsedRow(1);
        QVERIFY(bad.isBad());
        QVERIFY(bad.problem);
        const auto problems = document.problems();
        QCOMPARE(problems.size(), std::size_t(1));
        QCOMPARE(problems[0].first, qint64(1));
        QCOMPARE(problems[0].second.line, qint64(2));
        QCOMPARE(problems[0].second.column, qint64(19));
        QVERIFY(problems[0].second.message.contains(QStringLiteral("unterminated string")));
        QCOMPARE(document.rawText(1), std::string("{\"id\": 2, \"text\": \"unterminated}"));

        QVERIFY(document.setValue(2, QStringLiteral("id"), 30));
        QVERIFY(!document.setValue(1, QStringLiteral("id"), 20)); // a bad row has no values to edit
        const QString out = saved(document, DatasetFormat::Jsonl, QStringLiteral("jsonl"));
        QCOMPARE(readAll(out),
                 QByteArray("{\"id\": 1}\n{\"id\": 2, \"text\": \"unterminated}\n{\"id\": 30}\n"));

        // Fixing the row in place clears its problem.
        document.setRawText(1, "{\"id\": 2, \"text\": \"fixed\"}");
        QVERIFY(document.problems().empty());
        QCOMPARE(document.value(1, QStringLiteral("text")), nlohmann::ordered_json("fixed"));
    }

    void invalidUtf8IsAProblemAndTheBytesAreKept()
    {
        const QByteArray data = "{\"t\": \"ok\"}\n{\"t\": \"bad \xff byte\"}\n";
        DatasetDocument document;
        const QString path = write(data, QStringLiteral("jsonl"));
        QVERIFY(openAndWait(document, path));
        const auto problems = document.problems();
        QCOMPARE(problems.size(), std::size_t(1));
        QCOMPARE(problems[0].second.line, qint64(2));
        QCOMPARE(problems[0].second.column, qint64(12));
        QVERIFY(problems[0].second.message.contains(QStringLiteral("UTF-8")));
        QCOMPARE(document.rawText(1), std::string("{\"t\": \"bad \xff byte\"}"));
        QVERIFY(document.setValue(0, QStringLiteral("t"), "changed"));
        QCOMPARE(readAll(saved(document, DatasetFormat::Jsonl, QStringLiteral("jsonl"))),
                 QByteArray("{\"t\": \"changed\"}\n{\"t\": \"bad \xff byte\"}\n"));
    }

    void opensAJsonArrayOfObjects()
    {
        const QByteArray data =
            "[\n  {\n    \"id\": 1,\n    \"label\": \"a\"\n  },\n  {\"id\": 2, \"label\": \"b\"}\n]\n";
        DatasetDocument document;
        const QString path = write(data, QStringLiteral("json"));
        QVERIFY(openAndWait(document, path));
        QCOMPARE(document.format(), DatasetFormat::JsonArray);
        QCOMPARE(document.rowCount(), qint64(2));
        QCOMPARE(document.lineNumber(1), qint64(6));
        QCOMPARE(document.value(0, QStringLiteral("label")), nlohmann::ordered_json("a"));
        QVERIFY(document.setValue(0, QStringLiteral("label"), "z"));
        QCOMPARE(readAll(saved(document, DatasetFormat::JsonArray, QStringLiteral("json"))),
                 QByteArray(data).replace("\"label\": \"a\"", "\"label\": \"z\""));
        // Deleting a row rewrites only the separators; elements keep their bytes.
        document.removeRows(1, 1);
        QCOMPARE(readAll(saved(document, DatasetFormat::JsonArray, QStringLiteral("json"))),
                 QByteArray("[\n{\n    \"id\": 1,\n    \"label\": \"z\"\n  }\n]\n"));
    }

    void csvEdgeCases()
    {
        const QByteArray data = "\xEF\xBB\xBFid,text,meta\r\n"
                                "1,\"comma, inside\",\"{\"\"k\"\": [1, 2]}\"\r\n"
                                "2,\"say \"\"hi\"\"\",\r\n"
                                "3,\"two\r\nlines\",x\r\n"
                                "4,short\r\n"
                                "5,\"unbalanced,x\r\n"
                                "6,after,y\r\n";
        DatasetDocument document;
        QVERIFY(openAndWait(document, write(data, QStringLiteral("csv"))));
        QCOMPARE(document.format(), DatasetFormat::Csv);
        QCOMPARE(document.columns(),
                 (QStringList{QStringLiteral("id"), QStringLiteral("text"), QStringLiteral("meta")}));
        QCOMPARE(document.rowCount(), qint64(6));
        QCOMPARE(document.value(0, QStringLiteral("text")), nlohmann::ordered_json("comma, inside"));
        // A cell holding JSON object/array text reads as that value; everything else is a string.
        QCOMPARE(document.value(0, QStringLiteral("meta")),
                 nlohmann::ordered_json::parse(R"({"k": [1, 2]})"));
        QCOMPARE(document.value(0, QStringLiteral("id")), nlohmann::ordered_json("1"));
        QCOMPARE(document.value(1, QStringLiteral("text")), nlohmann::ordered_json("say \"hi\""));
        QCOMPARE(document.value(2, QStringLiteral("text")), nlohmann::ordered_json("two\r\nlines"));
        QCOMPARE(document.lineNumber(3), qint64(6));

        const auto problems = document.problems();
        QCOMPARE(problems.size(), std::size_t(2));
        // The ragged row is reported with its line and still shown.
        QCOMPARE(problems[0].first, qint64(3));
        QCOMPARE(problems[0].second.toString(), QStringLiteral("line 6: expected 3 fields, found 2"));
        QCOMPARE(document.value(3, QStringLiteral("text")), nlohmann::ordered_json("short"));
        QVERIFY(!document.parsedRow(3).isBad());
        // The unbalanced quote is reported at its line and column; the next line still opens.
        QCOMPARE(problems[1].first, qint64(4));
        QCOMPARE(problems[1].second.line, qint64(7));
        QCOMPARE(problems[1].second.column, qint64(3));
        QVERIFY(document.parsedRow(4).isBad());
        QCOMPARE(document.value(5, QStringLiteral("text")), nlohmann::ordered_json("after"));
        // Untouched, every byte comes back.
        QCOMPARE(readAll(saved(document, DatasetFormat::Csv, QStringLiteral("csv"))), data);
    }

    void emptyAndHeaderOnlyCsv()
    {
        DatasetDocument document;
        QVERIFY(openAndWait(document, write("", QStringLiteral("csv"))));
        QCOMPARE(document.rowCount(), qint64(0));
        QVERIFY(document.columns().isEmpty());
        QVERIFY(openAndWait(document, write("a,b,a,\n", QStringLiteral("csv"))));
        QCOMPARE(document.rowCount(), qint64(0));
        QCOMPARE(document.columns(), (QStringList{QStringLiteral("a"), QStringLiteral("b"),
                                                  QStringLiteral("a (2)"), QStringLiteral("column 4")}));
    }

    void hugeCsvFieldIsOneValue()
    {
        const std::string huge(4 * 1024 * 1024, 'y');
        const QByteArray data = QByteArray("id,body\n1,\"") + QByteArray::fromStdString(huge) + "\"\n2,b\n";
        DatasetDocument document;
        QVERIFY(openAndWait(document, write(data, QStringLiteral("csv"))));
        QCOMPARE(document.rowCount(), qint64(2));
        QCOMPARE(document.value(0, QStringLiteral("body")).get<std::string>().size(), huge.size());
    }

    void editingOneRowKeepsEveryOtherByte()
    {
        const QByteArray data = "\n{ \"n\" : 1.0e10, \"s\": \"caf\\u00e9\" }\r\n"
                                "{\"n\": 2, \"label\": \"x\"}\r\n\r\n"
                                "{\"n\":3,\"t\":\"\\ud83d\\ude00\"}";
        DatasetDocument document;
        QVERIFY(openAndWait(document, write(data, QStringLiteral("jsonl"))));
        QVERIFY(document.setValue(1, QStringLiteral("label"), "y"));
        QVERIFY(document.isEdited(1));
        QVERIFY(!document.isEdited(0));
        QCOMPARE(readAll(saved(document, DatasetFormat::Jsonl, QStringLiteral("jsonl"))),
                 QByteArray(data).replace("\"label\": \"x\"", "\"label\": \"y\""));
    }

    void editingOneCellKeepsTheRestOfTheRow()
    {
        const std::string row =
            R"({"n": 1.0e10, "name": "caf\u00e9", "label": "x", "nested": {"k": [1, 2.50]}, "u": "\u00e9"})";
        DatasetDocument document;
        QVERIFY(openAndWait(document, write(QByteArray::fromStdString(row + "\n"), QStringLiteral("jsonl"))));
        QVERIFY(document.setValue(0, QStringLiteral("label"), "new label"));
        std::string expected = row;
        expected.replace(expected.find("\"x\""), 3, "\"new label\"");
        QCOMPARE(document.rawText(0), expected);
        QVERIFY(document.setValue(0, QStringLiteral("nested.k"), nlohmann::ordered_json::parse("[3]")));
        QVERIFY(document.setValue(0, QStringLiteral("nested.extra"), true));
        expected.replace(expected.find("[1, 2.50]"), 9, "[3], \"extra\": true");
        QCOMPARE(document.rawText(0), expected);
        QVERIFY(document.columns().contains(QStringLiteral("nested.extra")));
    }

    void csvEditRequotesOnlyTheTouchedField()
    {
        const QByteArray data = "a,b,c\r\n1,\"quoted, kept\",plain\r\n2,x,y\r\n";
        DatasetDocument document;
        QVERIFY(openAndWait(document, write(data, QStringLiteral("csv"))));
        QVERIFY(document.setValue(0, QStringLiteral("c"), "needs, quotes"));
        QVERIFY(document.setValue(1, QStringLiteral("a"), 7)); // non-strings are written as JSON text
        QVERIFY(!document.setValue(1, QStringLiteral("nope"), "x"));
        QCOMPARE(readAll(saved(document, DatasetFormat::Csv, QStringLiteral("csv"))),
                 QByteArray("a,b,c\r\n1,\"quoted, kept\",\"needs, quotes\"\r\n7,x,y\r\n"));
    }

    void insertingAndDeletingRowsKeepsUntouchedBytes()
    {
        const QByteArray data = "{\"i\": 0}\n{\"i\": 1}\n\n{\"i\": 2}\n{\"i\": 3}";
        DatasetDocument document;
        QVERIFY(openAndWait(document, write(data, QStringLiteral("jsonl"))));
        QSignalSpy aboutToInsert(&document, &DatasetDocument::rowsAboutToBeInserted);
        QSignalSpy removed(&document, &DatasetDocument::rowsRemoved);
        document.insertRows(1, {"{\"i\": \"new\"}"});
        QCOMPARE(aboutToInsert.count(), 1);
        QCOMPARE(document.rowCount(), qint64(5));
        QCOMPARE(document.lineNumber(1), qint64(0));
        QVERIFY(document.isEdited(1));
        const std::vector<std::string> gone = document.removeRows(3, 1);
        QCOMPARE(gone, (std::vector<std::string>{"{\"i\": 2}"}));
        QCOMPARE(removed.count(), 1);
        // A row after the last one (which had no line break) starts on a line of its own.
        document.insertRows(document.rowCount(), {"{\"i\": \"end\"}"});
        QCOMPARE(readAll(saved(document, DatasetFormat::Jsonl, QStringLiteral("jsonl"))),
                 QByteArray("{\"i\": 0}\n{\"i\": \"new\"}\n{\"i\": 1}\n\n{\"i\": 3}\n{\"i\": \"end\"}\n"));
        QCOMPARE(document.rowForLine(5), qint64(3));
        QCOMPARE(document.rowForLine(4), qint64(2)); // line 4 (deleted row) -> the row before it
    }

    void columnChangesApplyLazilyToEveryRow()
    {
        const QByteArray data = "{\"label\": \"a\", \"text\": \"x\"}\n{\"label\":\"b\"}\nnot "
                                "json\n{\"item\": {\"label\": \"c\"}}\n";
        DatasetDocument document;
        QVERIFY(openAndWait(document, write(data, QStringLiteral("jsonl"))));
        QVERIFY(document.addColumn(QStringLiteral("split"), "train"));
        QVERIFY(!document.addColumn(QStringLiteral("split")));
        QVERIFY(document.renameColumn(QStringLiteral("label"), QStringLiteral("category")));
        QVERIFY(!document.renameColumn(QStringLiteral("text"), QStringLiteral("split")));
        QCOMPARE(document.columns(),
                 (QStringList{QStringLiteral("category"), QStringLiteral("text"), QStringLiteral("split")}));
        QCOMPARE(document.rawText(0),
                 std::string("{\"category\": \"a\", \"text\": \"x\", \"split\": \"train\"}"));
        QCOMPARE(document.rawText(1), std::string("{\"category\":\"b\",\"split\":\"train\"}"));
        QCOMPARE(document.rawText(2), std::string("not json"));
        QCOMPARE(document.value(3, QStringLiteral("category")), nlohmann::ordered_json("c"));
        QCOMPARE(readAll(saved(document, DatasetFormat::Jsonl, QStringLiteral("jsonl"))),
                 QByteArray("{\"category\": \"a\", \"text\": \"x\", \"split\": \"train\"}\n"
                            "{\"category\":\"b\",\"split\":\"train\"}\n"
                            "not json\n"
                            "{\"item\": {\"category\": \"c\", \"split\": \"train\"}}\n"));
        // An edit after the column change sees it and is not changed twice.
        QVERIFY(document.setValue(1, QStringLiteral("split"), "test"));
        QCOMPARE(document.rawText(1), std::string("{\"category\":\"b\",\"split\":\"test\"}"));
    }

    void csvColumnChanges()
    {
        const QByteArray data = "a,b\n1,2\n3\n";
        DatasetDocument document;
        QVERIFY(openAndWait(document, write(data, QStringLiteral("csv"))));
        QVERIFY(document.addColumn(QStringLiteral("c, d")));
        QVERIFY(document.renameColumn(QStringLiteral("a"), QStringLiteral("A")));
        QCOMPARE(readAll(saved(document, DatasetFormat::Csv, QStringLiteral("csv"))),
                 QByteArray("A,b,\"c, d\"\n1,2,\n3\n"));
        QCOMPARE(document.value(0, QStringLiteral("A")), nlohmann::ordered_json("1"));
    }

    void undoAndRedoRestoreExactText()
    {
        const QByteArray data = "{\"id\": 1, \"label\": \"a\"}\n{\"id\": 2,  \"label\": "
                                "\"b\"}\nbroken\n{\"id\": 3, \"label\": \"c\"}\n";
        DatasetDocument document;
        const QString path = write(data, QStringLiteral("jsonl"));
        QVERIFY(openAndWait(document, path));
        QUndoStack stack;
        auto texts = [&document]() {
            std::vector<std::string> all;
            for (qint64 row = 0; row < document.rowCount(); ++row)
                all.push_back(document.rawText(row));
            all.push_back(document.columns().join(QLatin1Char('|')).toStdString());
            return all;
        };
        std::vector<std::vector<std::string>> states{texts()};
        stack.push(new SetValueCommand(&document, 0, QStringLiteral("label"), "A"));
        states.push_back(texts());
        stack.push(new SetRawTextCommand(&document, 2, "{\"id\": 9, \"label\": \"fixed\", \"extra\": 1}"));
        states.push_back(texts());
        stack.push(new InsertRowsCommand(&document, 1, {"{\"id\": 10}"}));
        states.push_back(texts());
        stack.push(new DuplicateRowsCommand(&document, 3, 2));
        states.push_back(texts());
        stack.push(new RemoveRowsCommand(&document, 0, 2));
        states.push_back(texts());
        stack.push(new AddColumnCommand(&document, QStringLiteral("split"), "train"));
        states.push_back(texts());
        stack.push(new SetValueCommand(&document, 0, QStringLiteral("split"), "test"));
        states.push_back(texts());
        stack.push(new RenameColumnCommand(&document, QStringLiteral("label"), QStringLiteral("category")));
        states.push_back(texts());
        QCOMPARE(stack.count(), 8);

        // A refused edit leaves nothing on the stack.
        stack.push(new SetValueCommand(&document, 0, QStringLiteral("category.deeper"), "x"));
        QCOMPARE(stack.count(), 8);

        for (int i = static_cast<int>(states.size()) - 2; i >= 0; --i) {
            stack.undo();
            QCOMPARE(texts(), states[static_cast<std::size_t>(i)]);
        }
        QVERIFY(document.problems().size() == 1);
        // Everything undone: the file comes back byte for byte.
        QCOMPARE(readAll(saved(document, DatasetFormat::Jsonl, QStringLiteral("jsonl"))), data);
        for (std::size_t i = 1; i < states.size(); ++i) {
            stack.redo();
            QCOMPARE(texts(), states[i]);
        }
    }

    void conversionsFollowTheDocumentedRule()
    {
        const QByteArray data = "{\"id\": 1, \"n\": 1.0e10, \"t\": {\"s\": \"a, \\\"b\\\"\\nc\"}, \"tags\": "
                                "[\"x\", \"\\u00e9\"], \"z\": null}\n"
                                "{\"item\": {\"id\": 2, \"flag\": true}}\n";
        DatasetDocument document;
        QVERIFY(openAndWait(document, write(data, QStringLiteral("jsonl"))));
        QCOMPARE(document.columns(),
                 (QStringList{QStringLiteral("id"), QStringLiteral("n"), QStringLiteral("t.s"),
                              QStringLiteral("tags"), QStringLiteral("z"), QStringLiteral("flag")}));
        const QString csvPath = saved(document, DatasetFormat::Csv, QStringLiteral("csv"));
        QCOMPARE(readAll(csvPath),
                 QByteArray("id,n,t.s,tags,z,flag\n"
                            "1,1.0e10,\"a, \"\"b\"\"\nc\",\"[\"\"x\"\", \"\"\\u00e9\"\"]\",,\n"
                            "2,,,,,true\n"));
        // Saving in another format is an export: the document keeps its own.
        QCOMPARE(document.format(), DatasetFormat::Jsonl);

        DatasetDocument fromCsv;
        QVERIFY(openAndWait(fromCsv, csvPath));
        QCOMPARE(
            readAll(saved(fromCsv, DatasetFormat::Jsonl, QStringLiteral("jsonl"))),
            QByteArray(
                "{\"id\":\"1\",\"n\":\"1.0e10\",\"t\":{\"s\":\"a, "
                "\\\"b\\\"\\nc\"},\"tags\":[\"x\",\"é\"],\"z\":\"\",\"flag\":\"\"}\n"
                "{\"id\":\"2\",\"n\":\"\",\"t\":{\"s\":\"\"},\"tags\":\"\",\"z\":\"\",\"flag\":\"true\"}\n"));
    }

    void jsonArrayAndJsonlConvert()
    {
        DatasetDocument document;
        QVERIFY(
            openAndWait(document, write("[\n  {\n    \"a\": 1.50,\n    \"b\": \"x y\"\n  },\n  {\"a\": 2}\n]",
                                        QStringLiteral("json"))));
        const QString jsonl = saved(document, DatasetFormat::Jsonl, QStringLiteral("jsonl"));
        QCOMPARE(readAll(jsonl), QByteArray("{\"a\":1.50,\"b\":\"x y\"}\n{\"a\":2}\n"));
        DatasetDocument back;
        QVERIFY(openAndWait(back, jsonl));
        QCOMPARE(readAll(saved(back, DatasetFormat::JsonArray, QStringLiteral("json"))),
                 QByteArray("[\n{\"a\":1.50,\"b\":\"x y\"},\n{\"a\":2}\n]\n"));
    }

    void saveIsAtomicAndConversionRefusesBadRows()
    {
        DatasetDocument document;
        QVERIFY(openAndWait(document, write("{\"a\": 1}\n{oops\n", QStringLiteral("jsonl"))));
        const QString existing = write("OLD CONTENT", QStringLiteral("csv"));
        QString error;
        QVERIFY(!document.save(existing, DatasetFormat::Csv, &error));
        QVERIFY2(error.contains(QStringLiteral("row 2")) && error.contains(QStringLiteral("line 2")),
                 qPrintable(error));
        QCOMPARE(readAll(existing), QByteArray("OLD CONTENT"));
        QVERIFY(!document.save(m_dir.filePath(QStringLiteral("no/such/dir/x.jsonl")), DatasetFormat::Jsonl,
                               &error));
        QVERIFY(!error.isEmpty());
        // Nothing half-written is left next to the target.
        const QStringList leftovers =
            QDir(m_dir.path()).entryList(QStringList{QStringLiteral("*.csv.*")}, QDir::Files);
        QVERIFY2(leftovers.isEmpty(), qPrintable(leftovers.join(QLatin1Char(','))));
    }

    void savingToTheOpenFileKeepsWorking()
    {
        const QString path = write("{\"a\": 1}\n{\"a\": 2}\n", QStringLiteral("jsonl"));
        DatasetDocument document;
        QVERIFY(openAndWait(document, path));
        QVERIFY(document.setValue(0, QStringLiteral("a"), 10));
        QVERIFY(document.isModified());
        QString error;
        QVERIFY2(document.save(path, DatasetFormat::Jsonl, &error), qPrintable(error));
        QVERIFY(!document.isModified());
        QCOMPARE(readAll(path), QByteArray("{\"a\": 10}\n{\"a\": 2}\n"));
        QVERIFY(document.setValue(1, QStringLiteral("a"), 20));
        QVERIFY(document.save(path, DatasetFormat::Jsonl, &error));
        QCOMPARE(readAll(path), QByteArray("{\"a\": 10}\n{\"a\": 20}\n"));
    }

    void backgroundSaveWritesTheSnapshotAndKeepsLaterEdits()
    {
        const QString path = write("{\"a\": 1}\n{\"a\": 2}\n", QStringLiteral("jsonl"));
        DatasetDocument document;
        QVERIFY(openAndWait(document, path));
        QSignalSpy finished(&document, &DatasetDocument::saveFinished);
        QSignalSpy changedOnDisk(&document, &DatasetDocument::fileChangedOnDisk);
        QVERIFY(document.setValue(0, QStringLiteral("a"), 10));
        QString error;
        QVERIFY2(document.saveInBackground(path, DatasetFormat::Jsonl, &error), qPrintable(error));
        QVERIFY(document.isSaving());
        QVERIFY(!document.saveInBackground(path, DatasetFormat::Jsonl, &error)); // one at a time
        QVERIFY(error.contains(QLatin1String("still running")));
        // An edit made while the worker writes is not in the file, so the document stays modified.
        QVERIFY(document.setValue(1, QStringLiteral("a"), 20));
        QVERIFY(finished.wait(5000));
        QCOMPARE(finished.first().at(1).toBool(), true);
        QVERIFY(!document.isSaving());
        QCOMPARE(readAll(path), QByteArray("{\"a\": 10}\n{\"a\": 2}\n"));
        QVERIFY(document.isModified());

        finished.clear();
        QVERIFY(document.saveInBackground(path, DatasetFormat::Jsonl, &error));
        QVERIFY(finished.wait(5000));
        QCOMPARE(readAll(path), QByteArray("{\"a\": 10}\n{\"a\": 20}\n"));
        QVERIFY(!document.isModified());
        QTest::qWait(200); // the watcher's notification of our own rename must not count
        QCOMPARE(changedOnDisk.count(), 0);
    }

    void backgroundSaveReportsAFailure()
    {
        const QString path = write("{\"a\": 1}\n", QStringLiteral("jsonl"));
        DatasetDocument document;
        QVERIFY(openAndWait(document, path));
        QSignalSpy finished(&document, &DatasetDocument::saveFinished);
        const QString unwritable = m_dir.filePath(QStringLiteral("no-such-folder/out.jsonl"));
        QVERIFY(document.saveInBackground(unwritable, DatasetFormat::Jsonl));
        QVERIFY(finished.wait(5000));
        QCOMPARE(finished.first().at(1).toBool(), false);
        QVERIFY(finished.first().at(2).toString().contains(QLatin1String("no-such-folder")));
        QCOMPARE(document.path(), QFileInfo(path).absoluteFilePath());
    }

    void reportsChangesMadeByOthers()
    {
        const QString path = write("{\"a\": 1}\n", QStringLiteral("jsonl"));
        DatasetDocument document;
        QVERIFY(openAndWait(document, path));
        QSignalSpy changed(&document, &DatasetDocument::fileChangedOnDisk);
        QVERIFY(document.setValue(0, QStringLiteral("a"), 2));
        QString error;
        QVERIFY(document.save(path, DatasetFormat::Jsonl, &error)); // our own save is not "someone else"
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::Append));
            file.write("{\"a\": 3}\n");
        }
        QVERIFY(changed.wait(5000));
        QCOMPARE(changed.count(), 1);
    }

    void contentHashIsTheSha256OfTheSavedBytes()
    {
        const QByteArray data = "{\"a\": 1}\n{\"a\": 2}\n";
        const QString path = write(data, QStringLiteral("jsonl"));
        DatasetDocument document;
        QSignalSpy hashed(&document, &DatasetDocument::contentHashReady);
        QVERIFY(openAndWait(document, path));
        QVERIFY(hashed.count() > 0 || hashed.wait(5000));
        QVERIFY(document.hasContentHash());
        QCOMPARE(document.contentHash(), QCryptographicHash::hash(data, QCryptographicHash::Sha256));
        QVERIFY(document.setValue(1, QStringLiteral("a"), 3));
        const QByteArray edited = document.contentHash();
        QVERIFY(edited != QCryptographicHash::hash(data, QCryptographicHash::Sha256));
        QCOMPARE(edited, QCryptographicHash::hash(
                             readAll(saved(document, DatasetFormat::Jsonl, QStringLiteral("jsonl"))),
                             QCryptographicHash::Sha256));
    }

    void aCancelledIndexCannotBeSaved()
    {
        QByteArray data;
        for (int i = 0; i < 200000; ++i)
            data += "{\"i\": " + QByteArray::number(i) + ", \"t\": \"some text to make the row longer\"}\n";
        DatasetDocument document;
        QSignalSpy finished(&document, &DatasetDocument::indexFinished);
        QVERIFY(document.open(write(data, QStringLiteral("jsonl"))));
        QVERIFY(document.isIndexing());
        document.cancelIndexing();
        QVERIFY(finished.wait(10000));
        QVERIFY(!document.isIndexing());
        QVERIFY(!document.isComplete());
        QVERIFY(document.rowCount() < 200000);
        QString error;
        QVERIFY(!document.save(target(QStringLiteral("jsonl")), DatasetFormat::Jsonl, &error));
        QVERIFY(error.contains(QStringLiteral("cancelled")));
    }

    void reopeningResetsTheDocument()
    {
        DatasetDocument document;
        QSignalSpy reset(&document, &DatasetDocument::documentReset);
        QVERIFY(openAndWait(document, write("{\"a\": 1}\n", QStringLiteral("jsonl"))));
        QVERIFY(openAndWait(document, write("{\"b\": 1}\n{\"b\": 2}\n", QStringLiteral("jsonl"))));
        QCOMPARE(reset.count(), 2);
        QCOMPARE(document.rowCount(), qint64(2));
        QCOMPARE(document.columns(), QStringList{QStringLiteral("b")});
    }

    // Whatever the bytes, a document opens, every row can be read, and an untouched document saves
    // back byte for byte; edits on top of garbage do not crash either.
    void anyBytesOpenAndSaveBackUnchanged()
    {
        static const char alphabet[] = "{}[]\",:\\ \n\r\tab01-.eE\xC3\xA9\xFF\xEF\xBB\xBFu";
        const std::string seeds[] = {"{\"a\": 1, \"b\": {\"c\": [1, 2]}}\n{\"a\": \"x\\u00e9\"}\n",
                                     "a,b\r\n1,\"x\r\ny\"\r\n2,\"q\"\"q\"\r\n",
                                     "[{\"a\": 1}, {\"a\": [true]}]"};
        std::mt19937 rng(20261123);
        const QString fuzzPath = m_dir.filePath(QStringLiteral("fuzz.bin"));
        for (int round = 0; round < 200; ++round) {
            std::string bytes;
            if (round % 2 == 0) {
                const std::size_t length = rng() % 120;
                for (std::size_t i = 0; i < length; ++i)
                    bytes.push_back(alphabet[rng() % (sizeof alphabet - 1)]);
            } else {
                bytes = seeds[rng() % 3];
                for (int m = 0; m < 3; ++m) {
                    const std::size_t at = rng() % (bytes.size() + 1);
                    if (rng() % 2 == 0 && at < bytes.size())
                        bytes.erase(at, 1);
                    else
                        bytes.insert(at, 1, alphabet[rng() % (sizeof alphabet - 1)]);
                }
            }
            const QByteArray data = QByteArray::fromStdString(bytes);
            {
                QFile file(fuzzPath); // one file rewritten each round: creating files is slow on some disks
                QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
                QCOMPARE(file.write(data), data.size());
            }
            for (DatasetFormat format :
                 {DatasetFormat::Jsonl, DatasetFormat::Csv, DatasetFormat::JsonArray}) {
                DatasetDocument document;
                QVERIFY(document.open(fuzzPath, format, nullptr, DatasetDocument::IndexMode::Blocking));
                for (qint64 row = 0; row < document.rowCount(); ++row) {
                    document.parsedRow(row);
                    document.rawText(row);
                    for (const QString &column : document.columns())
                        document.findValue(row, column);
                }
                document.problems();
                // The hash runs the same writer as save(); every fiftieth round goes through the file too.
                const QByteArray written =
                    round % 50 == 0 ? readAll(saved(document, format, QStringLiteral("bin"))) : QByteArray();
                QVERIFY2(
                    document.contentHash() == QCryptographicHash::hash(data, QCryptographicHash::Sha256) &&
                        (round % 50 != 0 || written == data),
                    qPrintable(QStringLiteral("round %1, %2: %3")
                                   .arg(round)
                                   .arg(formatName(format), QString::fromLatin1(data.toPercentEncoding()))));
                if (document.rowCount() > 0) {
                    document.setValue(0, QStringLiteral("a"), "v");
                    document.setRawText(document.rowCount() - 1, "{\"z\": 1}");
                    document.insertRows(0, {document.emptyRowText()});
                    document.removeRows(1, 1);
                    document.addColumn(QStringLiteral("new"));
                    for (qint64 row = 0; row < document.rowCount(); ++row)
                        document.parsedRow(row);
                    document.problems();
                    document.contentHash();
                }
            }
        }
    }

    void buildsADocumentFromRows()
    {
        const std::vector<nlohmann::ordered_json> items{
            nlohmann::ordered_json::parse(R"({"q": "a,b", "meta": {"k": 1}})"),
            nlohmann::ordered_json::parse(R"({"q": "c"})")};
        DatasetDocument document;
        document.setRows(items, DatasetFormat::Csv);
        QCOMPARE(document.rowCount(), qint64(2));
        QVERIFY(document.path().isEmpty());
        QCOMPARE(document.columns(), (QStringList{QStringLiteral("q"), QStringLiteral("meta.k")}));
        QCOMPARE(readAll(saved(document, DatasetFormat::Csv, QStringLiteral("csv"))),
                 QByteArray("q,meta.k\n\"a,b\",1\nc,\n"));
        document.setRows(items, DatasetFormat::Jsonl);
        QCOMPARE(document.parsedRow(0).item, items[0]);
        QCOMPARE(document.emptyRowText(), std::string("{}"));
    }
};

QTEST_GUILESS_MAIN(TestDatasetDocument)
#include "tst_dataset_document.moc"
