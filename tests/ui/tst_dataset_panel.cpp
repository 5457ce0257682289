#include <QAction>
#include <QApplication>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QHeaderView>
#include <QLineEdit>
#include <QMimeData>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>
#include <QUndoStack>
#include <QUrl>
#include <QVBoxLayout>

#include "models/dataset/dataset_document.h"
#include "models/dataset/dataset_query.h"
#include "models/itemmodels/dataset_table_model.h"
#include "models/store/workspace.h"
#include "ui/dialogs/dataset_schema_dialog.h"
#include "ui/panels/dataset_inspector.h"
#include "ui/panels/dataset_panel.h"
#include "ui/widgets/json_view.h"

using assay::dataset::RowFilter;
using assay::itemmodels::DatasetTableModel;
using assay::ui::DatasetPanel;
using Role = DatasetTableModel::Role;

namespace {

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(bytes) == bytes.size();
}

// A window hosting the panel, shown and active so key events and shortcuts behave as for a user.
struct Window {
    QWidget widget;
    DatasetPanel *panel = nullptr;

    Window()
    {
        auto *layout = new QVBoxLayout(&widget);
        panel = new DatasetPanel(&widget);
        layout->addWidget(panel);
        widget.resize(1100, 700);
        widget.show();
        widget.activateWindow();
    }
    bool ready() { return QTest::qWaitForWindowActive(&widget); }
};

bool waitIndexed(DatasetPanel &panel)
{
    return QTest::qWaitFor(
        [&]() { return !panel.document()->isIndexing() && panel.document()->isComplete(); }, 10000);
}

QString cell(const DatasetPanel &panel, int row, const QString &column, int role = Qt::DisplayRole)
{
    const int col = panel.model()->columnForPath(column);
    return panel.model()->index(row, col).data(role).toString();
}

QStringList problemLines(const QStandardItemModel *model)
{
    QStringList lines;
    for (int row = 0; row < model->rowCount(); ++row)
        lines << model->index(row, 0).data().toString();
    return lines;
}

} // namespace

class TestDatasetPanel : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    QString sampleCopy(const QString &name)
    {
        const QString path = m_dir.filePath(name);
        QFile::remove(path);
        if (!QFile::copy(QStringLiteral(":/datasets/it_tickets.jsonl"), path))
            return {};
        QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner);
        return path;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void startsEmptyWithOpenOffered()
    {
        DatasetPanel panel;
        QCOMPARE(panel.shownRowCount(), 0);
        QVERIFY(panel.filePath().isEmpty());
        QVERIFY(panel.openAction()->isEnabled());
        QVERIFY(!panel.saveAction()->isEnabled());
        // The window can put the panel's actions in its menus.
        QVERIFY(panel.actions().contains(panel.undoAction()));
        QVERIFY(panel.actions().contains(panel.findAction()));
    }

    void editUndoRedoSaveReopen()
    {
        const QString path = sampleCopy(QStringLiteral("tickets.jsonl"));
        QVERIFY(!path.isEmpty());
        const QByteArray original = readFile(path);
        const QList<QByteArray> originalLines = original.split('\n');

        DatasetPanel panel;
        QVERIFY(panel.openFile(path));
        QVERIFY(waitIndexed(panel));
        QTRY_COMPARE(panel.shownRowCount(), 32);
        QVERIFY(panel.statusText().contains(QStringLiteral("32 rows")));
        QCOMPARE(panel.model()->columnPath(0), QStringLiteral("ticket_text"));
        QCOMPARE(panel.model()->headerData(0, Qt::Vertical).toString(), QStringLiteral("1"));

        const QString before = cell(panel, 2, QStringLiteral("ticket_text"));
        QCOMPARE(before, QStringLiteral("Best restaurants in Cleveland?"));
        const QModelIndex index =
            panel.model()->index(2, panel.model()->columnForPath(QStringLiteral("ticket_text")));
        QVERIFY(panel.model()->setData(index, QStringLiteral("Where do I reset my VPN token?")));
        QCOMPARE(cell(panel, 2, QStringLiteral("ticket_text")),
                 QStringLiteral("Where do I reset my VPN token?"));
        QVERIFY(panel.isModified());
        QVERIFY(panel.windowTitle().contains(QStringLiteral("tickets.jsonl")));

        panel.undoStack()->undo();
        QCOMPARE(cell(panel, 2, QStringLiteral("ticket_text")), before);
        QVERIFY(!panel.isModified());
        panel.undoStack()->redo();
        QCOMPARE(cell(panel, 2, QStringLiteral("ticket_text")),
                 QStringLiteral("Where do I reset my VPN token?"));

        QSignalSpy saved(&panel, &DatasetPanel::saveCompleted);
        QVERIFY(panel.save());
        QVERIFY(saved.wait(10000));
        QCOMPARE(saved.first().at(1).toBool(), true);
        QVERIFY(!panel.isModified());
        const QList<QByteArray> savedLines = readFile(path).split('\n');
        QCOMPARE(savedLines.size(), originalLines.size());
        for (int i = 0; i < savedLines.size(); ++i) {
            if (i == 2)
                QVERIFY(savedLines.at(i).contains("Where do I reset my VPN token?"));
            else
                QCOMPARE(savedLines.at(i), originalLines.at(i)); // untouched rows byte for byte
        }

        DatasetPanel reopened;
        QVERIFY(reopened.openFile(path));
        QVERIFY(waitIndexed(reopened));
        QTRY_COMPARE(reopened.shownRowCount(), 32);
        QCOMPARE(cell(reopened, 2, QStringLiteral("ticket_text")),
                 QStringLiteral("Where do I reset my VPN token?"));
        QCOMPARE(cell(reopened, 2, QStringLiteral("correct_label")), QStringLiteral("Other"));
    }

    void keyboardEditingAndRowKeys()
    {
        const QString path = sampleCopy(QStringLiteral("keys.jsonl"));
        Window window;
        QVERIFY(window.ready());
        DatasetPanel *panel = window.panel;
        QVERIFY(panel->openFile(path));
        QVERIFY(waitIndexed(*panel));
        QTRY_COMPARE(panel->shownRowCount(), 32);

        QTableView *view = panel->tableView();
        const int labelColumn = panel->model()->columnForPath(QStringLiteral("correct_label"));
        view->setFocus();
        view->setCurrentIndex(panel->model()->index(0, labelColumn));
        QTRY_VERIFY(view->hasFocus());
        QTest::keyClick(view, Qt::Key_F2);
        auto *editor = qobject_cast<QLineEdit *>(QApplication::focusWidget());
        QVERIFY(editor);
        QCOMPARE(editor->text(), QStringLiteral("Hardware"));
        editor->selectAll();
        QTest::keyClicks(editor, QStringLiteral("Software"));
        QTest::keyClick(editor, Qt::Key_Return);
        // The delegate commits on Return from a queued call.
        QTRY_COMPARE(cell(*panel, 0, QStringLiteral("correct_label")), QStringLiteral("Software"));
        QCOMPARE(panel->undoStack()->count(), 1);
        // The inspector shows the selected row whole, with the new value.
        QTRY_VERIFY(panel->inspector()->editor()->text().contains(QStringLiteral("\"Software\"")));

        // Undo through the panel's shortcut.
        view->setFocus();
        QTest::keyClick(view, Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(cell(*panel, 0, QStringLiteral("correct_label")), QStringLiteral("Hardware"));
        QTest::keyClick(view, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(cell(*panel, 0, QStringLiteral("correct_label")), QStringLiteral("Software"));

        // Ctrl+D duplicates the current row right after it; Delete removes it again; Insert adds one.
        view->setCurrentIndex(panel->model()->index(1, 0));
        view->selectionModel()->select(view->currentIndex(), QItemSelectionModel::ClearAndSelect);
        QTest::keyClick(view, Qt::Key_D, Qt::ControlModifier);
        QCOMPARE(panel->shownRowCount(), 33);
        QCOMPARE(cell(*panel, 2, QStringLiteral("ticket_text")),
                 cell(*panel, 1, QStringLiteral("ticket_text")));
        view->setCurrentIndex(panel->model()->index(2, 0));
        view->selectionModel()->select(view->currentIndex(), QItemSelectionModel::ClearAndSelect);
        QTest::keyClick(view, Qt::Key_Delete);
        QCOMPARE(panel->shownRowCount(), 32);
        QCOMPARE(cell(*panel, 2, QStringLiteral("ticket_text")),
                 QStringLiteral("Best restaurants in Cleveland?"));
        QTest::keyClick(view, Qt::Key_Insert);
        QCOMPARE(panel->shownRowCount(), 33);
        QCOMPARE(panel->model()->headerData(view->currentIndex().row(), Qt::Vertical).toString(),
                 QStringLiteral("+"));
        panel->undoStack()->undo();
        QCOMPARE(panel->shownRowCount(), 32);
    }

    void malformedLineIsAnErrorRowListedInProblems()
    {
        const QString path = m_dir.filePath(QStringLiteral("broken.jsonl"));
        QVERIFY(writeFile(path, "{\"q\": \"2+2\", \"a\": \"4\"}\n"
                                "{\"q\": \"capital of France\", \"a\": \"Paris\"\n"
                                "{\"q\": \"largest planet\", \"a\": \"Jupiter\"}\n"));
        Window window;
        QVERIFY(window.ready());
        DatasetPanel *panel = window.panel;
        QVERIFY(panel->openFile(path));
        QVERIFY(waitIndexed(*panel));
        QTRY_COMPARE(panel->shownRowCount(), 3);

        const QModelIndex bad = panel->model()->index(1, 0);
        QVERIFY(bad.data(DatasetTableModel::role(Role::BadRow)).toBool());
        QVERIFY(bad.data(Qt::BackgroundRole).isValid());
        QVERIFY(bad.data(Qt::ToolTipRole).toString().contains(QStringLiteral("line 2")));
        QVERIFY(!panel->model()->index(0, 0).data(DatasetTableModel::role(Role::BadRow)).toBool());

        QTRY_COMPARE(problemLines(panel->problemsModel()), QStringList{QStringLiteral("2")});
        QVERIFY(panel->problemsView()->isVisible());

        // Clicking the problem selects the row; the inspector shows its raw text and the message.
        const QModelIndex problem = panel->problemsModel()->index(0, 2);
        panel->problemsView()->setCurrentIndex(problem);
        Q_EMIT panel->problemsView()->activated(problem);
        QCOMPARE(panel->tableView()->currentIndex().row(), 1);
        QVERIFY(panel->inspector()->isShowingBadRow());
        QVERIFY(!panel->inspector()->problemText().isEmpty());
        QCOMPARE(panel->inspector()->editor()->text(),
                 QStringLiteral("{\"q\": \"capital of France\", \"a\": \"Paris\""));

        // Fix it in place; the fix is undoable.
        panel->inspector()->editor()->setText(
            QStringLiteral("{\"q\": \"capital of France\", \"a\": \"Paris\"}"));
        QVERIFY(panel->inspector()->applyEdit());
        QVERIFY(!panel->model()->index(1, 0).data(DatasetTableModel::role(Role::BadRow)).toBool());
        QCOMPARE(cell(*panel, 1, QStringLiteral("a")), QStringLiteral("Paris"));
        QTRY_COMPARE(panel->problemsModel()->rowCount(), 0);
        panel->undoStack()->undo();
        QVERIFY(panel->model()->index(1, 0).data(DatasetTableModel::role(Role::BadRow)).toBool());
        QTRY_COMPARE(problemLines(panel->problemsModel()), QStringList{QStringLiteral("2")});
    }

    void filterNarrowsRowsAndClearRestores()
    {
        const QString path = sampleCopy(QStringLiteral("filter.jsonl"));
        const int hardware = static_cast<int>(readFile(path).count("\"correct_label\": \"Hardware\""));
        QVERIFY(hardware > 0 && hardware < 32);

        DatasetPanel panel;
        QVERIFY(panel.openFile(path));
        QVERIFY(waitIndexed(panel));
        QTRY_COMPARE(panel.shownRowCount(), 32);

        RowFilter filter;
        filter.text = QStringLiteral("hardware");
        filter.column = QStringLiteral("correct_label");
        panel.setFilter(filter);
        QTRY_COMPARE(panel.shownRowCount(), hardware);
        for (int row = 0; row < panel.shownRowCount(); ++row)
            QCOMPARE(cell(panel, row, QStringLiteral("correct_label")), QStringLiteral("Hardware"));
        QVERIFY(panel.statusText().contains(QStringLiteral("%1 of 32 rows").arg(hardware)));

        filter.text = QStringLiteral("^(Soft|Hard)ware$");
        filter.regex = true;
        panel.setFilter(filter);
        const int other = static_cast<int>(readFile(path).count("\"correct_label\": \"Other\""));
        QTRY_COMPARE(panel.shownRowCount(), 32 - other);

        panel.clearFilter();
        QTRY_COMPARE(panel.shownRowCount(), 32);
        QCOMPARE(panel.model()->headerData(31, Qt::Vertical).toString(), QStringLiteral("32"));
    }

    void findBarFromTheKeyboard()
    {
        const QString path = sampleCopy(QStringLiteral("find.jsonl"));
        const int software = static_cast<int>(readFile(path).count("\"correct_label\": \"Software\""));
        Window window;
        QVERIFY(window.ready());
        DatasetPanel *panel = window.panel;
        QVERIFY(panel->openFile(path));
        QVERIFY(waitIndexed(*panel));
        QTRY_COMPARE(panel->shownRowCount(), 32);
        panel->tableView()->setFocus();
        QTRY_VERIFY(panel->tableView()->hasFocus());
        QTest::keyClick(panel->tableView(), Qt::Key_F, Qt::ControlModifier);
        auto *edit = qobject_cast<QLineEdit *>(QApplication::focusWidget());
        QVERIFY(edit);
        QTest::keyClicks(edit, QStringLiteral("software"));
        QTest::keyClick(edit, Qt::Key_Return);
        QTRY_COMPARE(panel->shownRowCount(), software);
        QTest::keyClick(edit, Qt::Key_Escape);
        QTRY_COMPARE(panel->shownRowCount(), 32);
    }

    void headerClicksSortThenRestoreFileOrder()
    {
        const QString path = sampleCopy(QStringLiteral("sort.jsonl"));
        DatasetPanel panel;
        QVERIFY(panel.openFile(path));
        QVERIFY(waitIndexed(panel));
        QTRY_COMPARE(panel.shownRowCount(), 32);
        const int label = panel.model()->columnForPath(QStringLiteral("correct_label"));
        QHeaderView *header = panel.tableView()->horizontalHeader();
        Q_EMIT header->sectionClicked(label);
        // File order starts and ends with Hardware: sorted ascending, Software comes last.
        QTRY_COMPARE(cell(panel, 31, QStringLiteral("correct_label")), QStringLiteral("Software"));
        QCOMPARE(cell(panel, 0, QStringLiteral("correct_label")), QStringLiteral("Hardware"));
        QVERIFY(header->isSortIndicatorShown());
        Q_EMIT header->sectionClicked(label);
        QTRY_COMPARE(cell(panel, 31, QStringLiteral("correct_label")), QStringLiteral("Hardware"));
        QCOMPARE(cell(panel, 0, QStringLiteral("correct_label")), QStringLiteral("Software"));
        Q_EMIT header->sectionClicked(label);
        QTRY_COMPARE(panel.model()->headerData(31, Qt::Vertical).toString(), QStringLiteral("32"));
        QCOMPARE(panel.model()->headerData(0, Qt::Vertical).toString(), QStringLiteral("1"));
        QVERIFY(!header->isSortIndicatorShown());
    }

    void openingOverUnsavedEditsAsksFirst()
    {
        const QString first = sampleCopy(QStringLiteral("first.jsonl"));
        const QString second = sampleCopy(QStringLiteral("second.jsonl"));
        DatasetPanel panel;
        QVERIFY(panel.openFile(first));
        QVERIFY(waitIndexed(panel));
        QTRY_COMPARE(panel.shownRowCount(), 32);
        QVERIFY(panel.model()->setData(panel.model()->index(0, 0), QStringLiteral("changed")));
        panel.openDiscardingEdits(second);
        QCOMPARE(panel.filePath(), QFileInfo(first).absoluteFilePath()); // not yet: the user is asked
        QCOMPARE(cell(panel, 0, QStringLiteral("ticket_text")), QStringLiteral("changed"));
    }

    void goToLineSelectsTheRow()
    {
        const QString path = sampleCopy(QStringLiteral("goto.jsonl"));
        DatasetPanel panel;
        QVERIFY(panel.openFile(path));
        QVERIFY(waitIndexed(panel));
        QTRY_COMPARE(panel.shownRowCount(), 32);
        QVERIFY(panel.goToLine(17));
        QCOMPARE(
            panel.tableView()->currentIndex().data(DatasetTableModel::role(Role::LineNumber)).toLongLong(),
            17);
        QVERIFY(!panel.goToLine(400) || panel.tableView()->currentIndex().row() == 31);
    }

    void validationListsSchemaViolations()
    {
        const QString path = m_dir.filePath(QStringLiteral("labels.jsonl"));
        QVERIFY(writeFile(path,
                          "{\"item\": {\"ticket_text\": \"Printer jams\", \"correct_label\": \"Hardware\"}}\n"
                          "{\"item\": {\"ticket_text\": \"Excel crashes\", \"correct_label\": \"Banana\"}}\n"
                          "{\"item\": {\"ticket_text\": \"\", \"correct_label\": \"Other\"}}\n"));
        // The schema saved next to the data is picked up, as the samples ship it.
        QVERIFY(QFile::copy(QStringLiteral(":/datasets/it_tickets.schema.json"),
                            m_dir.filePath(QStringLiteral("labels.schema.json"))));
        DatasetPanel panel;
        QVERIFY(panel.openFile(path));
        QVERIFY(waitIndexed(panel));
        QVERIFY(panel.itemSchema().is_object());

        QSignalSpy finished(&panel, &DatasetPanel::validationFinished);
        panel.validate();
        QVERIFY(finished.wait(10000));
        QCOMPARE(finished.first().first().toInt(), 2);
        QTRY_COMPARE(problemLines(panel.problemsModel()),
                     (QStringList{QStringLiteral("2"), QStringLiteral("3")}));
        QVERIFY(
            panel.problemsModel()->index(0, 1).data().toString().contains(QStringLiteral("correct_label")));
        QVERIFY(panel.statusText().contains(QStringLiteral("2 schema violations")));
        // Clicking a violation selects its row; the inspector says what is wrong with it.
        Q_EMIT panel.problemsView()->activated(panel.problemsModel()->index(0, 2));
        QCOMPARE(panel.tableView()->currentIndex().row(), 1);
        QVERIFY(panel.inspector()->schemaText().contains(QStringLiteral("Banana")));
    }

    void schemaDialogShowsAndEditsTheSchema()
    {
        const QString path = sampleCopy(QStringLiteral("edit.jsonl"));
        QVERIFY(QFile::copy(QStringLiteral(":/datasets/it_tickets.schema.json"),
                            m_dir.filePath(QStringLiteral("edit.schema.json"))));
        DatasetPanel panel;
        QVERIFY(panel.openFile(path));
        QVERIFY(waitIndexed(panel));
        QAction *schemaAction = nullptr;
        for (QAction *action : panel.actions()) {
            if (action->text() == QStringLiteral("Item &Schema…"))
                schemaAction = action;
        }
        QVERIFY(schemaAction);
        schemaAction->trigger();
        auto *dialog = panel.findChild<assay::ui::DatasetSchemaDialog *>();
        QVERIFY(dialog);
        QVERIFY(dialog->editor()->text().contains(QStringLiteral("\"Hardware\"")));

        dialog->editor()->setText(QStringLiteral("{ \"type\": "));
        QVERIFY(!dialog->error().isEmpty());
        QVERIFY(dialog->schema().is_null());

        nlohmann::ordered_json edited = panel.itemSchema();
        edited["properties"]["correct_label"]["enum"].push_back("Network");
        dialog->editor()->setText(QString::fromStdString(edited.dump(2)));
        QVERIFY(dialog->error().isEmpty());
        QPushButton *use = nullptr;
        for (QPushButton *button : dialog->findChildren<QPushButton *>()) {
            if (button->text() == QStringLiteral("Use schema"))
                use = button;
        }
        QVERIFY(use && use->isEnabled());
        use->click();
        QCOMPARE(panel.itemSchema()["properties"]["correct_label"]["enum"].size(), std::size_t(4));
    }

    void inferredSchemaHasTheColumns()
    {
        const QString path = sampleCopy(QStringLiteral("infer.jsonl"));
        DatasetPanel panel;
        QVERIFY(panel.openFile(path));
        QVERIFY(waitIndexed(panel));
        QSignalSpy inferred(&panel, &DatasetPanel::inferFinished);
        panel.inferSchema(false);
        QVERIFY(inferred.wait(10000));
        const nlohmann::ordered_json schema = panel.itemSchema();
        QVERIFY(schema["properties"].contains("ticket_text"));
        QVERIFY(schema["properties"]["correct_label"].contains("enum"));
    }

    void dropOpensTheFile()
    {
        const QString path = sampleCopy(QStringLiteral("dropped.jsonl"));
        Window window;
        QVERIFY(window.ready());
        DatasetPanel *panel = window.panel;
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(path)});
        const QPoint at = panel->rect().center();
        QDragEnterEvent enter(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(panel, &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(at), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(panel, &drop);
        QCOMPARE(panel->filePath(), QFileInfo(path).absoluteFilePath());
        QVERIFY(waitIndexed(*panel));
        QTRY_COMPARE(panel->shownRowCount(), 32);

        // Something that is not a file is refused.
        QMimeData text;
        text.setText(QStringLiteral("hello"));
        QDragEnterEvent refused(at, Qt::CopyAction, &text, Qt::LeftButton, Qt::NoModifier);
        refused.setAccepted(false);
        QApplication::sendEvent(panel, &refused);
        QVERIFY(!refused.isAccepted());
    }

    void changedOnDiskOffersReload()
    {
        const QString path = sampleCopy(QStringLiteral("watched.jsonl"));
        DatasetPanel panel;
        QVERIFY(panel.openFile(path));
        QVERIFY(waitIndexed(panel));
        QTRY_COMPARE(panel.shownRowCount(), 32);
        QVERIFY(!panel.isChangedOnDiskBarVisible());
        QVERIFY(writeFile(path, "{\"ticket_text\": \"only one\", \"correct_label\": \"Other\"}\n"));
        QTRY_VERIFY_WITH_TIMEOUT(panel.isChangedOnDiskBarVisible(), 10000);
        panel.reloadFromDisk();
        QVERIFY(waitIndexed(panel));
        QTRY_COMPARE(panel.shownRowCount(), 1);
        QVERIFY(!panel.isChangedOnDiskBarVisible());
    }

    void sampleAndSplitWriteNewDatasets()
    {
        const QString path = sampleCopy(QStringLiteral("source.jsonl"));
        DatasetPanel panel;
        QVERIFY(panel.openFile(path));
        QVERIFY(waitIndexed(panel));
        QSignalSpy written(&panel, &DatasetPanel::datasetWritten);
        const QString samplePath = m_dir.filePath(QStringLiteral("source.sample.jsonl"));
        QVERIFY(panel.writeSample(samplePath, 10, 7));
        QTRY_COMPARE(written.count(), 1);
        const QByteArray sample = readFile(samplePath);
        QCOMPARE(sample.count('\n'), 10);
        // Every sampled row is a row of the source, wrapper and all.
        std::vector<nlohmann::json> sourceRows;
        for (const QByteArray &line : readFile(path).trimmed().split('\n'))
            sourceRows.push_back(nlohmann::json::parse(line.toStdString()));
        for (const QByteArray &line : sample.trimmed().split('\n')) {
            const nlohmann::json row = nlohmann::json::parse(line.toStdString());
            QVERIFY2(std::find(sourceRows.begin(), sourceRows.end(), row) != sourceRows.end(),
                     line.constData());
        }

        // The same seed draws the same rows again.
        const QString againPath = m_dir.filePath(QStringLiteral("source.sample2.jsonl"));
        QVERIFY(panel.writeSample(againPath, 10, 7));
        QTRY_COMPARE(written.count(), 2);
        QCOMPARE(readFile(againPath), sample);

        const QString trainPath = m_dir.filePath(QStringLiteral("source.train.jsonl"));
        const QString testPath = m_dir.filePath(QStringLiteral("source.test.jsonl"));
        QVERIFY(panel.writeSplit(trainPath, testPath, 0.25, 7, QStringLiteral("correct_label")));
        QTRY_COMPARE(written.count(), 4);
        QCOMPARE(readFile(trainPath).count('\n') + readFile(testPath).count('\n'), 32);
        QCOMPARE(readFile(testPath).count('\n'), 8);
        // Stratified: every label of the source is in the test set.
        for (const char *label : {"\"Hardware\"", "\"Software\"", "\"Other\""})
            QVERIFY(readFile(testPath).contains(label));
    }

    void registersInTheWorkspace()
    {
        assay::store::Workspace workspace;
        QVERIFY(workspace.open(m_dir.filePath(QStringLiteral("workspace.sqlite"))));
        const QString path = sampleCopy(QStringLiteral("registered.jsonl"));
        DatasetPanel panel;
        panel.setWorkspace(&workspace);
        QVERIFY(panel.openFile(path));
        QVERIFY(waitIndexed(panel));
        QTRY_VERIFY(workspace.datasetByPath(QFileInfo(path).absoluteFilePath()).has_value());
        const auto record = *workspace.datasetByPath(QFileInfo(path).absoluteFilePath());
        QCOMPARE(record.rowCount, 32);
        QCOMPARE(record.format, QStringLiteral("jsonl"));
        QCOMPARE(record.contentHash.size(), 64);
        QCOMPARE(record.name, QStringLiteral("registered"));

        // Saving an edit updates the record: same dataset, new content hash.
        QVERIFY(panel.model()->setData(panel.model()->index(0, 0), QStringLiteral("My monitor is fine now")));
        QVERIFY(panel.save());
        QTRY_VERIFY(workspace.datasetByPath(record.path)->contentHash != record.contentHash);
        QCOMPARE(workspace.datasetByPath(record.path)->id, record.id);
        QCOMPARE(workspace.datasets().size(), 1);
    }

    void saveAsCsvExportsAndKeepsTheDocument()
    {
        const QString path = sampleCopy(QStringLiteral("export.jsonl"));
        DatasetPanel panel;
        QVERIFY(panel.openFile(path));
        QVERIFY(waitIndexed(panel));
        const QString csvPath = m_dir.filePath(QStringLiteral("export.csv"));
        QSignalSpy saved(&panel, &DatasetPanel::saveCompleted);
        QVERIFY(panel.saveAs(csvPath, assay::dataset::DatasetFormat::Csv));
        QVERIFY(saved.wait(10000));
        const QList<QByteArray> lines = readFile(csvPath).trimmed().split('\n');
        QCOMPARE(lines.size(), 33);
        QCOMPARE(lines.first().trimmed(), QByteArray("ticket_text,correct_label"));
        QCOMPARE(panel.filePath(), QFileInfo(path).absoluteFilePath());

        DatasetPanel csv;
        QVERIFY(csv.openFile(csvPath));
        QVERIFY(waitIndexed(csv));
        QTRY_COMPARE(csv.shownRowCount(), 32);
        QCOMPARE(cell(csv, 2, QStringLiteral("ticket_text")),
                 QStringLiteral("Best restaurants in Cleveland?"));
    }

    void opensAJsonArray()
    {
        const QString path = m_dir.filePath(QStringLiteral("array.json"));
        QVERIFY(writeFile(
            path, "[\n  {\"prompt\": \"Summarize: the meeting moved\", \"ideal\": \"Meeting moved\"},\n"
                  "  {\"prompt\": \"Summarize: lunch is free\", \"ideal\": \"Free lunch\"}\n]\n"));
        DatasetPanel panel;
        QVERIFY(panel.openFile(path));
        QVERIFY(waitIndexed(panel));
        QTRY_COMPARE(panel.shownRowCount(), 2);
        QCOMPARE(cell(panel, 1, QStringLiteral("ideal")), QStringLiteral("Free lunch"));
        QCOMPARE(panel.model()->headerData(1, Qt::Vertical).toString(), QStringLiteral("3"));
    }
};

QTEST_MAIN(TestDatasetPanel)
#include "tst_dataset_panel.moc"
