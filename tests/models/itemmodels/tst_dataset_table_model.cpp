#include <QAbstractItemModelTester>
#include <QColor>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QtTest>

#include "models/dataset/dataset_document.h"
#include "models/itemmodels/dataset_table_model.h"

using assay::dataset::DatasetDocument;
using assay::dataset::RowFilter;
using assay::itemmodels::DatasetTableModel;
using Role = DatasetTableModel::Role;

class TestDatasetTableModel : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    int m_counter = 0;

    QString write(const QByteArray &bytes, const QString &suffix = QStringLiteral("jsonl"))
    {
        const QString path = m_dir.filePath(QStringLiteral("data%1.%2").arg(++m_counter).arg(suffix));
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
            qFatal("cannot write fixture");
        return path;
    }

    static QByteArray tickets()
    {
        return "{\"id\": 3, \"text\": \"Printer jam on floor 2\", \"label\": \"Hardware\"}\n"
               "{\"id\": 10, \"text\": \"I can't quit vim\", \"label\": \"Software\"}\n"
               "{\"id\": 1, \"text\": \"caf\\u00e9 menu?\", \"label\": \"Other\"}\n"
               "{\"id\": \"2\", \"printer\": \"yes\", \"text\": \"nothing here\", \"label\": \"other\"}\n"
               "{\"id\": 5, broken\n"
               "{\"id\": 4, \"text\": \"keyboard\"}\n";
    }

    // A document opened synchronously plus a model (with the model tester) over it.
    struct Fixture {
        DatasetDocument document;
        QUndoStack stack;
        DatasetTableModel model{&document, &stack};
        QAbstractItemModelTester tester{&model, QAbstractItemModelTester::FailureReportingMode::QtTest};
    };

    static int column(const DatasetTableModel &model, const char *path)
    {
        return model.columnForPath(QString::fromLatin1(path));
    }

    static QString text(const DatasetTableModel &model, int row, const char *path, int role = Qt::DisplayRole)
    {
        return model.data(model.index(row, column(model, path)), role).toString();
    }

    // Applies a filter/sort and waits for its result.
    static bool settle(DatasetTableModel &model)
    {
        QSignalSpy finished(&model, &DatasetTableModel::queryFinished);
        return !model.isQueryRunning() || finished.wait(10000);
    }

    static QStringList ids(const DatasetTableModel &model)
    {
        QStringList list;
        for (int row = 0; row < model.rowCount(); ++row)
            list << model.data(model.index(row, column(model, "id"))).toString();
        return list;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void rowsArriveInBatchesWhileIndexing()
    {
        QByteArray data;
        for (int i = 0; i < 30000; ++i) {
            if (i % 1000 == 7)
                data += "\n";
            data += "{\"i\": " + QByteArray::number(i) + ", \"t\": {\"s\": \"row " + QByteArray::number(i) +
                    "\"}}\n";
        }
        DatasetDocument document;
        DatasetTableModel model(&document);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy columnsInserted(&model, &QAbstractItemModel::columnsInserted);
        QSignalSpy finished(&document, &DatasetDocument::indexFinished);
        QVERIFY(document.open(write(data)));
        QVERIFY(finished.wait(10000));
        QCOMPARE(model.rowCount(), 30000);
        QVERIFY2(inserted.count() >= 2, "rows should arrive in more than one batch");
        QCOMPARE(reset.count(), 1); // the open itself; never a reset per batch
        QCOMPARE(columnsInserted.count(), 1);
        QCOMPARE(model.columnCount(), 2);
        QCOMPARE(model.headerData(1, Qt::Horizontal).toString(), QStringLiteral("t.s"));
        // The vertical header is the file's line number (blank lines count).
        QCOMPARE(model.headerData(0, Qt::Vertical).toString(), QStringLiteral("1"));
        QCOMPARE(model.headerData(29999, Qt::Vertical).toString(), QStringLiteral("30030"));
        QCOMPARE(model.data(model.index(29999, 1)).toString(), QStringLiteral("row 29999"));
        QCOMPARE(model.rowForLine(30030), 29999);
        QCOMPARE(model.rowForLine(9), 7); // line 8 is blank: line 9 is row 7
    }

    void longValuesAreElidedInTheCell()
    {
        QString longText;
        for (int i = 0; i < 60; ++i)
            longText += QStringLiteral("line %1 caf\u00e9\n").arg(i);
        const nlohmann::ordered_json row = {
            {"text", longText.toStdString()}, {"n", 1.5}, {"tags", {"a", "b"}}};
        Fixture f;
        f.document.setRows({row}, assay::dataset::DatasetFormat::Jsonl);
        const QString display = text(f.model, 0, "text");
        QCOMPARE(display.size(), DatasetTableModel::DisplayLimit + 1);
        QVERIFY(!display.contains(QLatin1Char('\n')));
        QVERIFY(display.endsWith(QChar(0x2026)));
        QCOMPARE(text(f.model, 0, "text", DatasetTableModel::role(Role::FullText)), longText);
        QCOMPARE(text(f.model, 0, "tags"), QStringLiteral("[\"a\",\"b\"]"));
        QCOMPARE(text(f.model, 0, "tags", DatasetTableModel::role(Role::Json)),
                 QStringLiteral("[\"a\",\"b\"]"));
        QCOMPARE(text(f.model, 0, "n"), QStringLiteral("1.5"));
        QCOMPARE(f.model.headerData(0, Qt::Vertical).toString(), QStringLiteral("1"));
    }

    void errorRowsShowTheirRawTextAndProblem()
    {
        Fixture f;
        QVERIFY(f.document.open(write(tickets()), nullptr, DatasetDocument::IndexMode::Blocking));
        const QModelIndex bad = f.model.index(4, 0);
        QVERIFY(f.model.data(bad, DatasetTableModel::role(Role::BadRow)).toBool());
        QCOMPARE(f.model.data(bad).toString(), QStringLiteral("{\"id\": 5, broken"));
        QVERIFY(!f.model.data(f.model.index(4, 1)).isValid());
        QCOMPARE(f.model.data(bad, DatasetTableModel::role(Role::RowProblem)).toString(),
                 QStringLiteral("line 5, column 11: expected a string key, found 'b'"));
        QVERIFY(f.model.data(bad, Qt::BackgroundRole).value<QColor>().isValid());
        QVERIFY(!(f.model.flags(bad) & Qt::ItemIsEditable));
        QVERIFY(f.model.headerData(4, Qt::Vertical, Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("line 5")));
        QVERIFY(!f.model.data(f.model.index(0, 0), Qt::BackgroundRole).isValid());
        QVERIFY(f.model.flags(f.model.index(0, 0)) & Qt::ItemIsEditable);
        // A missing value is an empty cell.
        QVERIFY(!f.model.data(f.model.index(5, column(f.model, "label"))).isValid());
    }

    void cellEditsGoThroughTheUndoStack()
    {
        Fixture f;
        QVERIFY(f.document.open(write(tickets()), nullptr, DatasetDocument::IndexMode::Blocking));
        QSignalSpy changed(&f.model, &QAbstractItemModel::dataChanged);
        const QModelIndex label = f.model.index(0, column(f.model, "label"));
        QVERIFY(f.model.setData(label, QStringLiteral("Printers")));
        QCOMPARE(f.stack.count(), 1);
        QVERIFY(changed.count() >= 1);
        QCOMPARE(f.model.data(label).toString(), QStringLiteral("Printers"));
        QVERIFY(f.model.data(label, DatasetTableModel::role(Role::RowEdited)).toBool());
        // A number stays a number; text stays text even when it looks like one.
        QVERIFY(f.model.setData(f.model.index(0, column(f.model, "id")), QStringLiteral("42")));
        QCOMPARE(f.document.value(0, QStringLiteral("id")), nlohmann::ordered_json(42));
        QVERIFY(f.model.setData(f.model.index(3, column(f.model, "id")), QStringLiteral("7")));
        QCOMPARE(f.document.value(3, QStringLiteral("id")), nlohmann::ordered_json("7"));
        QVERIFY(f.model.setData(label, QStringLiteral("{\"a\": [1]}"), DatasetTableModel::role(Role::Json)));
        QCOMPARE(f.document.value(0, QStringLiteral("label")), nlohmann::ordered_json::parse("{\"a\": [1]}"));
        QVERIFY(!f.model.setData(label, QStringLiteral("{broken"), DatasetTableModel::role(Role::Json)));
        QCOMPARE(f.stack.count(), 4);

        // Fixing the bad row through its raw text.
        const QModelIndex bad = f.model.index(4, 0);
        QVERIFY(f.model.setData(bad, QStringLiteral("{\"id\": 5, \"text\": \"fixed\"}"),
                                DatasetTableModel::role(Role::RawText)));
        QVERIFY(!f.model.data(bad, DatasetTableModel::role(Role::BadRow)).toBool());
        QCOMPARE(text(f.model, 4, "text"), QStringLiteral("fixed"));

        while (f.stack.canUndo())
            f.stack.undo();
        QCOMPARE(f.document.rawText(0),
                 std::string("{\"id\": 3, \"text\": \"Printer jam on floor 2\", \"label\": \"Hardware\"}"));
        QVERIFY(f.model.data(bad, DatasetTableModel::role(Role::BadRow)).toBool());
        QVERIFY(!f.model.data(label, DatasetTableModel::role(Role::RowEdited)).toBool());
        f.stack.redo();
        QCOMPARE(f.model.data(label).toString(), QStringLiteral("Printers"));
    }

    void rowAndColumnEditsThroughTheModel()
    {
        Fixture f;
        QVERIFY(f.document.open(write(tickets()), nullptr, DatasetDocument::IndexMode::Blocking));
        std::vector<std::string> original;
        for (qint64 row = 0; row < f.document.rowCount(); ++row)
            original.push_back(f.document.rawText(row));

        QVERIFY(f.model.insertRows(1, 2));
        QCOMPARE(f.model.rowCount(), 8);
        QCOMPARE(f.model.headerData(1, Qt::Vertical).toString(), QStringLiteral("+"));
        QCOMPARE(f.document.rawText(1), std::string("{}"));
        f.model.duplicateRows(0, 1);
        QCOMPARE(f.model.rowCount(), 9);
        QCOMPARE(f.document.rawText(1), original[0]);
        QVERIFY(f.model.removeRows(2, 3));
        QCOMPARE(f.model.rowCount(), 6);
        QVERIFY(f.model.addColumn(QStringLiteral("split"), "train"));
        QCOMPARE(f.model.columnCount(), 5);
        QCOMPARE(text(f.model, 0, "split"), QStringLiteral("train"));
        QVERIFY(f.model.renameColumn(column(f.model, "label"), QStringLiteral("category")));
        QCOMPARE(f.model.headerData(2, Qt::Horizontal).toString(), QStringLiteral("category"));
        QCOMPARE(text(f.model, 0, "category"), QStringLiteral("Hardware"));
        QVERIFY(!f.model.renameColumn(column(f.model, "category"), QStringLiteral("id")));

        while (f.stack.canUndo())
            f.stack.undo();
        QCOMPARE(f.model.rowCount(), 6);
        QCOMPARE(f.model.columnCount(), 4);
        for (qint64 row = 0; row < f.document.rowCount(); ++row)
            QCOMPARE(f.document.rawText(row), original[static_cast<std::size_t>(row)]);
    }

    void filtersBySubstringRegexColumnAndProblems()
    {
        Fixture f;
        QVERIFY(f.document.open(write(tickets()), nullptr, DatasetDocument::IndexMode::Blocking));
        QSignalSpy started(&f.model, &DatasetTableModel::queryStarted);

        RowFilter filter;
        filter.text = QStringLiteral("PRINTER");
        f.model.setFilter(filter);
        QVERIFY(settle(f.model));
        QVERIFY(f.model.isFiltered());
        // Values only: the row whose key is "printer" does not match.
        QCOMPARE(ids(f.model), QStringList{QStringLiteral("3")});
        QCOMPARE(f.model.documentRow(0), qint64(0));
        QCOMPARE(f.model.headerData(0, Qt::Vertical).toString(), QStringLiteral("1"));

        filter.caseSensitive = true;
        f.model.setFilter(filter);
        QVERIFY(settle(f.model));
        QCOMPARE(f.model.rowCount(), 0);

        filter = RowFilter();
        filter.text = QStringLiteral("caf\u00e9"); // stored as caf\u00e9 in the file
        f.model.setFilter(filter);
        QVERIFY(settle(f.model));
        QCOMPARE(ids(f.model), QStringList{QStringLiteral("1")});

        filter.text = QStringLiteral("CAF\u00c9"); // Unicode case folding
        f.model.setFilter(filter);
        QVERIFY(settle(f.model));
        QCOMPARE(ids(f.model), QStringList{QStringLiteral("1")});

        filter = RowFilter();
        filter.text = QStringLiteral("other");
        filter.column = QStringLiteral("label");
        f.model.setFilter(filter);
        QVERIFY(settle(f.model));
        QCOMPARE(ids(f.model), (QStringList{QStringLiteral("1"), QStringLiteral("2")}));

        filter = RowFilter();
        filter.regex = true;
        filter.text = QStringLiteral("^i can't|^key");
        f.model.setFilter(filter);
        QVERIFY(settle(f.model));
        QCOMPARE(ids(f.model), (QStringList{QStringLiteral("10"), QStringLiteral("4")}));

        // Bad rows are searched as raw text.
        filter = RowFilter();
        filter.text = QStringLiteral("broken");
        f.model.setFilter(filter);
        QVERIFY(settle(f.model));
        QCOMPARE(f.model.rowCount(), 1);
        QVERIFY(f.model.data(f.model.index(0, 0), DatasetTableModel::role(Role::BadRow)).toBool());

        filter = RowFilter();
        filter.problemsOnly = true;
        f.model.setFilter(filter);
        QVERIFY(settle(f.model));
        QCOMPARE(f.model.rowCount(), 1);
        QCOMPARE(f.model.documentRow(0), qint64(4));

        QSignalSpy failed(&f.model, &DatasetTableModel::queryFailed);
        filter = RowFilter();
        filter.regex = true;
        filter.text = QStringLiteral("(unclosed");
        f.model.setFilter(filter);
        QCOMPARE(failed.count(), 1);
        QVERIFY(failed.at(0).at(0).toString().contains(QStringLiteral("invalid regular expression")));

        f.model.clearFilter();
        QVERIFY(!f.model.isFiltered());
        QCOMPARE(f.model.rowCount(), 6);
        QVERIFY(started.count() >= 7);
    }

    void sortsByAColumn()
    {
        Fixture f;
        QVERIFY(f.document.open(write(tickets()), nullptr, DatasetDocument::IndexMode::Blocking));
        f.model.sort(column(f.model, "id"), Qt::AscendingOrder);
        QVERIFY(settle(f.model));
        // Numbers and numeric strings numerically; the bad row (no value) last.
        QCOMPARE(ids(f.model), (QStringList{QStringLiteral("1"), QStringLiteral("2"), QStringLiteral("3"),
                                            QStringLiteral("4"), QStringLiteral("10"),
                                            QStringLiteral("{\"id\": 5, broken")}));
        QCOMPARE(f.model.sortColumn(), column(f.model, "id"));
        f.model.sort(column(f.model, "label"), Qt::DescendingOrder);
        QVERIFY(settle(f.model));
        // ASCII case is ignored ("Other" and "other" tie and keep file order); missing values last.
        QCOMPARE(ids(f.model), (QStringList{QStringLiteral("10"), QStringLiteral("1"), QStringLiteral("2"),
                                            QStringLiteral("3"), QStringLiteral("{\"id\": 5, broken"),
                                            QStringLiteral("4")}));

        // Edits while sorted: removing shown rows and duplicating keeps the view consistent.
        QVERIFY(f.model.removeRows(0, 2));
        QCOMPARE(ids(f.model), (QStringList{QStringLiteral("2"), QStringLiteral("3"),
                                            QStringLiteral("{\"id\": 5, broken"), QStringLiteral("4")}));
        f.model.duplicateRows(0, 1);
        QCOMPARE(ids(f.model), (QStringList{QStringLiteral("2"), QStringLiteral("2"), QStringLiteral("3"),
                                            QStringLiteral("{\"id\": 5, broken"), QStringLiteral("4")}));
        QCOMPARE(f.document.rowCount(), qint64(5));
        f.model.sort(-1);
        QVERIFY(settle(f.model));
        QVERIFY(!f.model.isFiltered());
        QCOMPARE(f.model.rowCount(), 5);
    }

    void aRunningQueryCanBeCancelled()
    {
        QByteArray data;
        for (int i = 0; i < 300000; ++i)
            data += "{\"i\": " + QByteArray::number(i) + ", \"t\": \"needle in row " + QByteArray::number(i) +
                    "\"}\n";
        Fixture f;
        QVERIFY(f.document.open(write(data), nullptr, DatasetDocument::IndexMode::Blocking));
        QSignalSpy cancelled(&f.model, &DatasetTableModel::queryCancelled);
        QSignalSpy finished(&f.model, &DatasetTableModel::queryFinished);
        RowFilter filter;
        filter.regex = true;
        filter.text = QStringLiteral("row \\d*7$");
        f.model.setFilter(filter);
        QVERIFY(f.model.isQueryRunning());
        f.model.cancelQuery();
        QCOMPARE(cancelled.count(), 1);
        QVERIFY(!f.model.isQueryRunning());
        QCoreApplication::processEvents();
        QCOMPARE(finished.count(), 0);
        QVERIFY(!f.model.isFiltered());
        QCOMPARE(f.model.rowCount(), 300000);

        // The same query left to finish.
        f.model.setFilter(filter);
        QVERIFY(settle(f.model));
        QCOMPARE(f.model.rowCount(), 30000);
        QCOMPARE(text(f.model, 1, "t"), QStringLiteral("needle in row 17"));
    }

    void csvCellsAreText()
    {
        Fixture f;
        QVERIFY(f.document.open(write("id,quote\n1,\"say \"\"hi\"\"\"\n2,plain\n", QStringLiteral("csv")),
                                nullptr, DatasetDocument::IndexMode::Blocking));
        QCOMPARE(text(f.model, 0, "quote"), QStringLiteral("say \"hi\""));
        QVERIFY(f.model.setData(f.model.index(1, column(f.model, "id")), QStringLiteral("20")));
        QCOMPARE(f.document.rawText(1), std::string("20,plain"));
        RowFilter filter;
        filter.text = QStringLiteral("\"hi\"");
        f.model.setFilter(filter);
        QVERIFY(settle(f.model));
        QCOMPARE(ids(f.model), QStringList{QStringLiteral("1")});
        f.model.sort(column(f.model, "id"), Qt::DescendingOrder);
        f.model.clearFilter();
        QVERIFY(settle(f.model));
        QCOMPARE(ids(f.model), (QStringList{QStringLiteral("20"), QStringLiteral("1")}));
    }

    void reopeningResetsAndClearsTheUndoStack()
    {
        Fixture f;
        QVERIFY(f.document.open(write(tickets()), nullptr, DatasetDocument::IndexMode::Blocking));
        QVERIFY(f.model.setData(f.model.index(0, 0), QStringLiteral("9")));
        QCOMPARE(f.stack.count(), 1);
        QSignalSpy reset(&f.model, &QAbstractItemModel::modelReset);
        QVERIFY(f.document.open(write("{\"x\": 1}\n"), nullptr, DatasetDocument::IndexMode::Blocking));
        QCOMPARE(reset.count(), 1);
        QCOMPARE(f.stack.count(), 0);
        QCOMPARE(f.model.rowCount(), 1);
        QCOMPARE(f.model.columnCount(), 1);
    }
};

QTEST_GUILESS_MAIN(TestDatasetTableModel)
#include "tst_dataset_table_model.moc"
