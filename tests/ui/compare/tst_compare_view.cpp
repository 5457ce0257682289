#include <QAction>
#include <QComboBox>
#include <QLineEdit>
#include <QScrollBar>
#include <QSpinBox>
#include <QTableWidget>
#include <QLabel>
#include <QPlainTextEdit>
#include <QTableView>
#include <QTextBlock>
#include <QTextCursor>
#include <QTextDocument>
#include <QtTest>

#include <QTemporaryDir>

#include "fakes/fake_openai_server.h"
#include "models/store/workspace.h"
#include "models/compare/comparison_document.h"
#include "models/compare/comparison_matrix_model.h"
#include "models/compare/comparison_runner.h"
#include "ui/compare/compare_view.h"
#include "ui/compare/diff_view.h"
#include "ui/compare/inputs_editor.h"
#include "ui/compare/variant_header.h"

using assay::compare::CellStatus;
using assay::compare::Rating;
using assay::testing::Behaviour;
using assay::testing::FakeOpenAiServer;
using assay::ui::CompareView;

namespace {

// Not an OpenAI key: only the fake server sees it.
const QString kDummyKey = QStringLiteral("dummy-compare-ui-key");

const QByteArray kAnswerA = "The tide rises twice a day because the moon pulls the oceans toward it.";
// Differs from A in a few words, and carries markup that must show as text, never as HTML.
const QByteArray kAnswerB = "The tide rises twice each day because the moon and the sun pull the oceans <b>gently</b>.";

QString modelOf(const nlohmann::json &request)
{
    return QString::fromStdString(request.value("model", std::string()));
}

// The background colour of the text fragment holding `word` in `document`, or an invalid colour.
QColor backgroundOf(const QTextDocument *document, const QString &word)
{
    for (QTextBlock block = document->begin(); block.isValid(); block = block.next()) {
        for (auto it = block.begin(); !it.atEnd(); ++it) {
            const QTextFragment fragment = it.fragment();
            if (fragment.text().contains(word))
                return fragment.charFormat().background().color();
        }
    }
    return {};
}

} // namespace

class TestCompareView : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void twoColumnsStreamSideBySide();
    void diffAgainstBaselineIsEscaped();
    void ratingKeysStoreTheRating();
    void escapeStopsEveryCell();
    void matrixForManyRows();
    void columnActionsEditTheComparison();
    void repeatsAndGradersShowInCells();
    void saveAndReopenInWorkspace();
    void gradersFromAnEvalFileScoreFinishedCells();

private:
    void runToEnd();
    QString shotPath(const QString &name) const;

    FakeOpenAiServer m_server;
    std::unique_ptr<CompareView> m_view;
};

void TestCompareView::initTestCase()
{
    QVERIFY(m_server.start());
    m_server.setOutputTextProvider([](const nlohmann::json &request) -> QByteArray {
        const QString model = modelOf(request);
        if (model == QStringLiteral("model-b"))
            return kAnswerB;
        if (model == QStringLiteral("model-a"))
            return kAnswerA;
        return {};
    });
}

void TestCompareView::init()
{
    m_server.clearRequests();
    m_view = std::make_unique<CompareView>();
    assay::api::Profile profile;
    profile.name = QStringLiteral("fake");
    profile.baseUrl = m_server.baseUrl().toString();
    m_view->setProfile(profile, kDummyKey);

    assay::prompt::Conversation prompt;
    prompt.instructions = QStringLiteral("Answer in one sentence.");
    prompt.messages.push_back({assay::prompt::Role::User, QStringLiteral("Why does the {{topic}} rise?")});
    assay::prompt::RequestParameters parameters;
    parameters.model = QStringLiteral("model-a");
    m_view->startFromPrompt(prompt, parameters, {{"topic", "tide"}});

    auto variant = m_view->comparison().variant(1);
    variant.parameters.model = QStringLiteral("model-b");
    variant.parameters.temperature = 0.2;
    m_view->document()->setVariant(1, variant);

    m_view->resize(1280, 820);
    m_view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
    m_view->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_view.get()));
}

void TestCompareView::cleanup()
{
    m_view.reset();
}

QString TestCompareView::shotPath(const QString &name) const
{
    const QByteArray dir = qgetenv("ASSAY_COMPARE_SHOTS");
    return dir.isEmpty() ? QString() : QString::fromLocal8Bit(dir) + QLatin1Char('/') + name;
}

void TestCompareView::runToEnd()
{
    // What a user does: Ctrl+Return anywhere in the view.
    QTest::keyClick(m_view.get(), Qt::Key_Return, Qt::ControlModifier);
    QTRY_VERIFY_WITH_TIMEOUT(m_view->runner()->isRunning() || m_view->runner()->finishedCount() > 0, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(!m_view->runner()->isRunning(), 15000);
}

void TestCompareView::twoColumnsStreamSideBySide()
{
    QCOMPARE(m_view->effectiveLayout(), CompareView::Layout::SideBySide);
    QVERIFY(m_view->columnOutput(0)->isVisible());
    QVERIFY(m_view->columnOutput(1)->isVisible());
    QVERIFY(m_view->variantHeader(0)->isBaseline());
    QVERIFY(!m_view->variantHeader(1)->isBaseline());
    QVERIFY(m_view->variantHeader(1)->findChild<QLabel *>(QStringLiteral("variantSummary"))->text().contains(
        QStringLiteral("model-b")));

    runToEnd();
    QCOMPARE(m_server.requests().size(), 2);
    // Each column sent its own model with the shared prompt, the variable filled in.
    QSet<QString> models;
    for (const auto &request : m_server.requests()) {
        models << modelOf(request.json());
        QVERIFY(QString::fromUtf8(request.body).contains(QStringLiteral("Why does the tide rise?")));
    }
    QCOMPARE(models, (QSet<QString>{QStringLiteral("model-a"), QStringLiteral("model-b")}));

    const auto &c = m_view->comparison();
    QCOMPARE(c.cell(0, 0).status(), CellStatus::Done);
    QCOMPARE(c.cell(0, 1).status(), CellStatus::Done);
    QCOMPARE(m_view->columnOutput(0)->toPlainText(), QString::fromUtf8(kAnswerA));
    QCOMPARE(m_view->columnOutput(1)->toPlainText(), QString::fromUtf8(kAnswerB));
    QVERIFY(m_view->progressText().contains(QStringLiteral("2 of 2")));

    // The status line under each column and the summaries show figures.
    const auto statuses = m_view->findChildren<QLabel *>(QStringLiteral("columnCellStatus"));
    QCOMPARE(statuses.size(), 2);
    QVERIFY2(statuses.at(1)->text().contains(QStringLiteral("tok")), qPrintable(statuses.at(1)->text()));
    const auto summaries = m_view->findChildren<QLabel *>(QStringLiteral("columnSummary"));
    QCOMPARE(summaries.size(), 2);
    QTRY_VERIFY(summaries.at(1)->text().contains(QStringLiteral("1 of 1 done")));
    QVERIFY(summaries.at(1)->text().contains(QStringLiteral("1 differs")));

    // Scrolling one column scrolls the other.
    QString longText;
    for (int i = 0; i < 200; ++i)
        longText += QStringLiteral("line %1\n").arg(i);
    m_view->columnOutput(0)->setPlainText(longText);
    m_view->columnOutput(1)->setPlainText(longText);
    QTRY_VERIFY(m_view->columnOutput(0)->verticalScrollBar()->maximum() > 20);
    m_view->columnOutput(0)->verticalScrollBar()->setValue(15);
    QCOMPARE(m_view->columnOutput(1)->verticalScrollBar()->value(), 15);
}

void TestCompareView::diffAgainstBaselineIsEscaped()
{
    runToEnd();
    // Select column B's cell (click into its answer): the diff against baseline A shows below.
    QTest::mouseClick(m_view->columnOutput(1)->viewport(), Qt::LeftButton);
    QCOMPARE(m_view->currentVariant(), 1);
    auto *diff = m_view->diffView();
    QVERIFY(diff->insertedWords() > 0);
    QVERIFY(diff->deletedWords() > 0);
    const QString shown = diff->toPlainText();
    QVERIFY2(shown.contains(QStringLiteral("<b>gently</b>")), qPrintable(shown)); // as text, not markup
    // "sun" is only in B: inserted (green); "toward" is only in A: deleted (red); "moon" is shared.
    QCOMPARE(backgroundOf(diff->document(), QStringLiteral("sun")), QColor(QStringLiteral("#ccffd8")));
    QCOMPARE(backgroundOf(diff->document(), QStringLiteral("toward")), QColor(QStringLiteral("#ffd7d5")));
    QVERIFY(backgroundOf(diff->document(), QStringLiteral("moon")) != QColor(QStringLiteral("#ccffd8")));

    // The baseline's own cell has nothing to diff against.
    QTest::mouseClick(m_view->columnOutput(0)->viewport(), Qt::LeftButton);
    QVERIFY(diff->toPlainText().contains(QStringLiteral("baseline")));

    if (const QString path = shotPath(QStringLiteral("shot-compare-view-1row.png")); !path.isEmpty()) {
        m_view->selectCell(0, 1);
        m_view->variantHeader(1)->setEditorVisible(true);
        QTest::qWait(50);
        QVERIFY(m_view->grab().save(path));
    }
}

void TestCompareView::ratingKeysStoreTheRating()
{
    runToEnd();
    QTest::mouseClick(m_view->columnOutput(1)->viewport(), Qt::LeftButton);
    QTest::keyClick(m_view->columnOutput(1), Qt::Key_B);
    QCOMPARE(m_view->comparison().cell(0, 1).rating, Rating::Better);
    const auto statuses = m_view->findChildren<QLabel *>(QStringLiteral("columnCellStatus"));
    QVERIFY(statuses.at(1)->text().contains(QStringLiteral("better")));
    QTest::keyClick(m_view->columnOutput(1), Qt::Key_T);
    QCOMPARE(m_view->comparison().cell(0, 1).rating, Rating::Tie);
    QTest::keyClick(m_view->columnOutput(1), Qt::Key_Backspace);
    QCOMPARE(m_view->comparison().cell(0, 1).rating, Rating::None);
    // The baseline is not rated against itself.
    QTest::mouseClick(m_view->columnOutput(0)->viewport(), Qt::LeftButton);
    QTest::keyClick(m_view->columnOutput(0), Qt::Key_W);
    QCOMPARE(m_view->comparison().cell(0, 0).rating, Rating::None);
}

void TestCompareView::escapeStopsEveryCell()
{
    // Both answers stall after a few words: still streaming until stopped.
    Behaviour stall;
    stall.kind = Behaviour::Kind::StallMidStream;
    stall.dropAfterEvents = 9;
    m_server.enqueue(stall);
    m_server.enqueue(stall);
    QTest::keyClick(m_view.get(), Qt::Key_Return, Qt::ControlModifier);
    QTRY_VERIFY_WITH_TIMEOUT(m_view->comparison().cell(0, 0).status() == CellStatus::Streaming
                                 && m_view->comparison().cell(0, 1).status() == CellStatus::Streaming,
                             10000);
    QTRY_VERIFY(!m_view->columnOutput(0)->toPlainText().isEmpty());
    QVERIFY(m_view->stopAllAction()->isEnabled());

    QTest::keyClick(m_view->columnOutput(1), Qt::Key_Escape);
    QTRY_VERIFY_WITH_TIMEOUT(!m_view->runner()->isRunning(), 5000);
    QCOMPARE(m_view->comparison().cell(0, 0).status(), CellStatus::Stopped);
    QCOMPARE(m_view->comparison().cell(0, 1).status(), CellStatus::Stopped);
    // The partial answers stay on screen.
    QVERIFY(!m_view->columnOutput(0)->toPlainText().isEmpty());
    QVERIFY(!m_view->stopAllAction()->isEnabled());
}

void TestCompareView::matrixForManyRows()
{
    auto *inputs = m_view->inputsEditor();
    inputs->addRow();
    inputs->addRow();
    auto *table = inputs->table();
    // What a user does: type the values in (an edit of an empty cell creates its item).
    table->setItem(1, 0, new QTableWidgetItem(QStringLiteral("sea")));
    table->setItem(2, 0, new QTableWidgetItem(QStringLiteral("river")));
    QCOMPARE(m_view->comparison().rowCount(), 3);
    QCOMPARE(m_view->comparison().inputs().value(2, QStringLiteral("topic")), QStringLiteral("river"));
    QCOMPARE(m_view->effectiveLayout(), CompareView::Layout::Matrix);
    QVERIFY(m_view->matrixView()->isVisible());

    runToEnd();
    QCOMPARE(m_server.requests().size(), 6);
    for (int row = 0; row < 3; ++row) {
        QCOMPARE(m_view->comparison().cell(row, 0).status(), CellStatus::Done);
        QCOMPARE(m_view->comparison().cell(row, 1).primary().text, QString::fromUtf8(kAnswerB));
    }
    // Select a cell in the matrix, rate it with the keyboard; the diff follows the selection.
    m_view->matrixView()->setFocus();
    m_view->matrixView()->setCurrentIndex(m_view->matrixModel()->index(2, 1));
    QCOMPARE(m_view->currentRow(), 2);
    QVERIFY(m_view->diffView()->insertedWords() > 0);
    QTest::keyClick(m_view->matrixView(), Qt::Key_W);
    QCOMPARE(m_view->comparison().cell(2, 1).rating, Rating::Worse);
    QCOMPARE(m_view->matrixModel()->index(2, 1).data(assay::compare::ComparisonMatrixModel::RatingRole).toInt(),
             int(Rating::Worse));

    // Run one cell again: only that cell is sent.
    m_server.clearRequests();
    QTest::keyClick(m_view->matrixView(), Qt::Key_R, Qt::ControlModifier);
    QTRY_VERIFY_WITH_TIMEOUT(!m_view->runner()->isRunning() && m_server.requests().size() == 1, 10000);
    QCOMPARE(modelOf(m_server.requests().first().json()), QStringLiteral("model-b"));

    if (const QString path = shotPath(QStringLiteral("shot-compare-view-matrix.png")); !path.isEmpty()) {
        QTest::qWait(100);
        QVERIFY(m_view->grab().save(path));
    }
}

void TestCompareView::columnActionsEditTheComparison()
{
    auto *header = m_view->variantHeader(1);
    // Duplicate, then set the copy as baseline, then remove it.
    Q_EMIT header->duplicateRequested();
    QCOMPARE(m_view->comparison().variantCount(), 3);
    QVERIFY(m_view->variantHeader(2) != nullptr);
    QCOMPARE(m_view->comparison().variant(2).parameters.model, QStringLiteral("model-b"));
    Q_EMIT m_view->variantHeader(2)->baselineRequested();
    QCOMPARE(m_view->comparison().baseline(), 2);
    QVERIFY(m_view->variantHeader(2)->isBaseline());
    QVERIFY(!m_view->variantHeader(0)->isBaseline());
    Q_EMIT m_view->variantHeader(2)->removeRequested();
    QCOMPARE(m_view->comparison().variantCount(), 2);
    // At two columns, Remove is refused.
    Q_EMIT m_view->variantHeader(1)->removeRequested();
    QCOMPARE(m_view->comparison().variantCount(), 2);

    // Editing the model in place changes the variant.
    m_view->variantHeader(0)->setEditorVisible(true);
    auto *model = m_view->variantHeader(0)->findChild<QComboBox *>(QStringLiteral("variantModel"));
    QVERIFY(model);
    model->setCurrentText(QStringLiteral("model-c"));
    QCOMPARE(m_view->comparison().variant(0).parameters.model, QStringLiteral("model-c"));
}

void TestCompareView::repeatsAndGradersShowInCells()
{
    m_view->findChild<QSpinBox *>(QStringLiteral("compareRepeats"))->setValue(3);
    QCOMPARE(m_view->comparison().repeats(), 3);
    // Passes when the answer mentions the sun: column B does, the baseline does not.
    m_view->document()->setGraders(nlohmann::json::parse(R"([{"type": "string_check", "name": "mentions sun",
        "input": "{{sample.output_text}}", "reference": "sun", "operation": "like"}])"));
    runToEnd();
    QCOMPARE(m_server.requests().size(), 6);
    const auto *model = m_view->matrixModel();
    using Roles = assay::compare::ComparisonMatrixModel;
    QTRY_VERIFY(model->index(0, 1).data(Roles::PassedRole).isValid());
    QCOMPARE(model->index(0, 1).data(Roles::PassedRole).toBool(), true);
    QCOMPARE(model->index(0, 0).data(Roles::PassedRole).toBool(), false);
    // The fake answers the same words every time: one distinct answer seen three times.
    m_view->selectCell(0, 1);
    const QString details = m_view->diffView()->toPlainText();
    QVERIFY2(details.contains(QStringLiteral("1 distinct answer over 3 repeats")), qPrintable(details));
    QVERIFY(details.contains(QStringLiteral("×3")));
    const auto summaries = m_view->findChildren<QLabel *>(QStringLiteral("columnSummary"));
    QTRY_VERIFY2(summaries.at(1)->text().contains(QStringLiteral("pass 100%")), qPrintable(summaries.at(1)->text()));
    QVERIFY(summaries.at(0)->text().contains(QStringLiteral("pass 0%")));
}

void TestCompareView::gradersFromAnEvalFileScoreFinishedCells()
{
    runToEnd(); // answers first, graders afterwards
    const auto *model = m_view->matrixModel();
    using Roles = assay::compare::ComparisonMatrixModel;
    QVERIFY(!model->index(0, 1).data(Roles::PassedRole).isValid());

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const auto write = [&dir](const QString &name, const nlohmann::json &document) {
        QFile file(dir.filePath(name));
        if (!file.open(QIODevice::WriteOnly))
            return QString();
        file.write(QByteArray::fromStdString(document.dump(2)));
        return file.fileName();
    };
    const nlohmann::json sunCheck = {{"type", "string_check"}, {"name", "mentions sun"},
                                     {"input", "{{ sample.output_text }}"}, {"reference", "sun"},
                                     {"operation", "like"}};
    const nlohmann::json eval = {{"name", "Tides"},
                                 {"data_source_config", {{"type", "custom"}, {"item_schema", {{"type", "object"}}}}},
                                 {"testing_criteria", nlohmann::json::array({sunCheck})}};

    // A bad definition is refused with its file and JSON path; nothing is attached.
    nlohmann::json broken = eval;
    broken["testing_criteria"][0]["operation"] = "bogus";
    QString error;
    QVERIFY(!m_view->attachGradersFromFile(write(QStringLiteral("broken.json"), broken), &error));
    QVERIFY2(error.contains(QStringLiteral("broken.json")) && error.contains(QStringLiteral("$.testing_criteria[0]")),
             qPrintable(error));
    QVERIFY(m_view->comparison().graders().empty());
    // Python graders need the consent only eval runs ask for.
    nlohmann::json python = eval;
    python["testing_criteria"] = nlohmann::json::array(
        {{{"type", "python"}, {"name", "py"}, {"source", "def grade(sample, item):\n    return 1.0\n"}}});
    QVERIFY(!m_view->attachGradersFromFile(write(QStringLiteral("python.json"), python), &error));
    QVERIFY2(error.contains(QStringLiteral("python")), qPrintable(error));

    // The eval's criteria score the answers already there.
    QVERIFY2(m_view->attachGradersFromFile(write(QStringLiteral("eval.json"), eval), &error), qPrintable(error));
    QTRY_VERIFY(model->index(0, 1).data(Roles::PassedRole).isValid());
    QCOMPARE(model->index(0, 1).data(Roles::PassedRole).toBool(), true);  // B mentions the sun
    QCOMPARE(model->index(0, 0).data(Roles::PassedRole).toBool(), false); // the baseline does not
    QCOMPARE(m_server.requests().size(), 2); // grading sent nothing: string_check is local

    m_view->removeGradersAction()->trigger();
    QTRY_VERIFY(!model->index(0, 1).data(Roles::PassedRole).isValid());
}

void TestCompareView::saveAndReopenInWorkspace()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    assay::store::Workspace workspace;
    QString error;
    QVERIFY2(workspace.open(dir.filePath(QStringLiteral("workspace.sqlite")), &error), qPrintable(error));
    QVERIFY(!m_view->saveAction()->isEnabled());
    m_view->setWorkspace(&workspace);
    QVERIFY(m_view->saveAction()->isEnabled());

    runToEnd();
    m_view->selectCell(0, 1);
    QTest::keyClick(m_view->columnOutput(1), Qt::Key_B);
    auto *name = m_view->findChild<QLineEdit *>(QStringLiteral("comparisonName"));
    name->clear();
    QTest::keyClicks(name, QStringLiteral("Tides"));
    QTest::keyClick(m_view.get(), Qt::Key_S, Qt::ControlModifier);
    QVERIFY(!m_view->document()->isModified());
    const qint64 id = m_view->comparison().id;
    QVERIFY(id > 0);

    // A fresh view reopens it with outputs and the rating.
    CompareView other;
    other.setWorkspace(&workspace);
    QVERIFY2(other.openComparison(id, &error), qPrintable(error));
    QCOMPARE(other.comparison().name, QStringLiteral("Tides"));
    QCOMPARE(other.comparison().cell(0, 1).rating, Rating::Better);
    QCOMPARE(other.columnOutput(1)->toPlainText(), QString::fromUtf8(kAnswerB));

    // Make dataset and export write files a user can open.
    const QString datasetPath = dir.filePath(QStringLiteral("tides.jsonl"));
    QVERIFY2(other.writeDataset(datasetPath, 1, &error), qPrintable(error));
    QFile dataset(datasetPath);
    QVERIFY(dataset.open(QIODevice::ReadOnly));
    const nlohmann::json line = nlohmann::json::parse(dataset.readLine().toStdString());
    QCOMPARE(QString::fromStdString(line["item"]["topic"].get<std::string>()), QStringLiteral("tide"));
    QCOMPARE(QString::fromStdString(line["item"]["ideal"].get<std::string>()), QString::fromUtf8(kAnswerB));
    const QString htmlPath = dir.filePath(QStringLiteral("tides.html"));
    QVERIFY2(other.writeExport(htmlPath, true, &error), qPrintable(error));
    QFile html(htmlPath);
    QVERIFY(html.open(QIODevice::ReadOnly));
    const QByteArray page = html.readAll();
    QVERIFY(page.contains("&lt;b&gt;gently&lt;/b&gt;"));
    QVERIFY(!page.contains("<b>gently</b>"));
}

QTEST_MAIN(TestCompareView)
#include "tst_compare_view.moc"
