// The run comparison view over two runs where one item regresses and an output holds `<b>x</b>`:
// the summary names the regression, the diff shows deleted and inserted words with the tag as
// text, the filter and the keys (R, J/K, Alt+digits, Alt+S) do what their tooltips say.
#include <QAbstractButton>
#include <QComboBox>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTextBlock>
#include <QTextBrowser>
#include <QTextDocument>
#include <QtTest>

#include "models/itemmodels/run_compare_model.h"
#include "models/store/eval_store.h"
#include "models/store/workspace.h"
#include "ui/panels/results/run_compare_view.h"

using assay::itemmodels::RunCompareModel;
using assay::store::EvalStore;
using assay::store::OutputItemRecord;
using assay::store::RunRecord;
using assay::store::Workspace;
using assay::ui::RunCompareView;
using json = nlohmann::json;
using Change = RunCompareModel::Change;

namespace {

json definition()
{
    return {{"name", "Capitals"},
            {"data_source_config", {{"type", "custom"}, {"item_schema", {{"type", "object"}}}}},
            {"testing_criteria",
             json::array({{{"type", "string_check"}, {"name", "exact"}, {"input", "{{ sample.output_text }}"},
                           {"reference", "{{ item.answer }}"}, {"operation", "eq"}},
                          {{"type", "text_similarity"}, {"name", "similar"}, {"input", "{{ sample.output_text }}"},
                           {"reference", "{{ item.answer }}"}, {"evaluation_metric", "fuzzy_match"},
                           {"pass_threshold", 0.5}}})}};
}

OutputItemRecord item(qint64 runId, qint64 index, const char *status, const std::string &output, double exact,
                      double similar)
{
    OutputItemRecord record;
    record.runId = runId;
    record.datasourceItemId = index;
    record.status = QString::fromLatin1(status);
    record.datasourceItem = {{"answer", "Paris"}, {"index", index}};
    record.sample = {{"output", json::array({{{"role", "assistant"}, {"content", output}}})}};
    record.results = json::array({{{"name", "exact"}, {"score", exact}, {"passed", exact >= 1.0}},
                                  {{"name", "similar"}, {"score", similar}, {"passed", similar >= 0.5}}});
    return record;
}

// The text of every fragment of the document with the given property.
QStringList fragments(const QTextDocument *document, const std::function<bool(const QTextCharFormat &)> &test)
{
    QStringList out;
    for (QTextBlock block = document->begin(); block.isValid(); block = block.next()) {
        for (auto it = block.begin(); !it.atEnd(); ++it) {
            const QTextFragment fragment = it.fragment();
            if (fragment.isValid() && test(fragment.charFormat()))
                out << fragment.text();
        }
    }
    return out;
}

} // namespace

class TestRunCompareView : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    Workspace m_workspace;
    std::unique_ptr<EvalStore> m_store;
    qint64 m_base = 0;
    qint64 m_candidate = 0;

    qint64 makeRun(const QString &name, const QString &model)
    {
        const auto eval = m_store->saveEval(QStringLiteral("Capitals"), definition());
        RunRecord run;
        run.evalId = eval->id;
        run.name = name;
        run.model = model;
        run.status = QStringLiteral("completed");
        run.runSpec = json::object();
        return m_store->createRun(run).value_or(0);
    }

    static bool compareAndWait(RunCompareView &view, qint64 base, qint64 candidate)
    {
        QSignalSpy loaded(&view, &RunCompareView::comparisonLoaded);
        view.compare(base, candidate);
        return loaded.wait(10000);
    }

    static qint64 currentItem(const RunCompareView &view)
    {
        return view.tableView()->currentIndex().data(RunCompareModel::role(RunCompareModel::Role::DatasourceItemId)).toLongLong();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QString error;
        QVERIFY2(m_workspace.open(m_dir.filePath(QStringLiteral("ws.sqlite")), &error), qPrintable(error));
        m_store = std::make_unique<EvalStore>(m_workspace);
        m_base = makeRun(QStringLiteral("baseline"), QStringLiteral("gpt-4.1"));
        m_candidate = makeRun(QStringLiteral("cheaper"), QStringLiteral("gpt-4.1-mini"));
        QVERIFY(m_base > 0 && m_candidate > 0);
        QVERIFY(m_store->commitItem(item(m_base, 0, "pass", "Paris", 1.0, 0.95)));
        QVERIFY(m_store->commitItem(item(m_base, 1, "pass", "The capital is <b>x</b> Paris, of course.", 1.0, 0.9)));
        QVERIFY(m_store->commitItem(item(m_base, 2, "fail", "Lyon", 0.0, 0.2)));
        QVERIFY(m_store->commitItem(item(m_base, 3, "pass", "Paris", 1.0, 1.0)));
        QVERIFY(m_store->commitItem(item(m_candidate, 0, "pass", "Paris", 1.0, 0.95)));
        QVERIFY(m_store->commitItem(item(m_candidate, 1, "fail", "The capital is <b>x</b> Lyon, of course.", 0.0, 0.4)));
        QVERIFY(m_store->commitItem(item(m_candidate, 2, "fail", "Lyon", 0.0, 0.2)));
        QVERIFY(m_store->commitItem(item(m_candidate, 3, "pass", "Paris", 1.0, 1.0)));
    }

    void summaryNamesTheRegression()
    {
        RunCompareView view;
        view.setStore(m_store.get(), &m_workspace);
        QCOMPARE(view.baseCombo()->count(), 2);
        QVERIFY(compareAndWait(view, m_base, m_candidate));
        QCOMPARE(view.baseRunId(), m_base);
        QCOMPARE(view.candidateRunId(), m_candidate);
        const QString summary = view.summaryText();
        QVERIFY2(summary.contains(QStringLiteral("1 regression")) && !summary.contains(QStringLiteral("1 regressions")),
                 qPrintable(summary));
        QVERIFY2(summary.contains(QStringLiteral("0 improvements")), qPrintable(summary));
        QVERIFY2(summary.contains(QStringLiteral("3 unchanged (2 pass, 1 fail)")), qPrintable(summary));
        QVERIFY2(summary.startsWith(QStringLiteral("4 items")), qPrintable(summary));
        QVERIFY(view.baseCombo()->currentText().contains(QStringLiteral("baseline")));
        QVERIFY(view.candidateCombo()->currentText().contains(QStringLiteral("cheaper")));
        // In words and in red on screen.
        QVERIFY(view.summaryLabel()->text().contains(QStringLiteral("1 regression")));
        QVERIFY(view.summaryLabel()->text().contains(QStringLiteral("#b01c1c")));
        QVERIFY(view.filterButton(Change::Regression)->text().contains(QStringLiteral("(1)")));
        QCOMPARE(view.proxy()->rowCount(), 4);
        // Per criterion: exact lost 1 point on one of four items; similar 0.5 on one.
        const QString criteria = view.criteriaSummaryText();
        QVERIFY2(criteria.contains(QStringLiteral("exact: mean score -0.25, 1 passed \u2192 not, 0 not \u2192 passed")),
                 qPrintable(criteria));
        QVERIFY2(criteria.contains(QStringLiteral("similar: mean score -0.125, 1 passed")), qPrintable(criteria));
    }

    void regressionShowsEscapedWordDiff()
    {
        RunCompareView view;
        view.setStore(m_store.get(), &m_workspace);
        view.resize(1000, 700);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QVERIFY(compareAndWait(view, m_base, m_candidate));
        QCOMPARE(currentItem(view), 0); // the first row is shown at once
        view.tableView()->setFocus();

        // R: the next regression.
        QTest::keyClick(view.tableView(), Qt::Key_R);
        QCOMPARE(currentItem(view), 1);
        QVERIFY(view.tableView()->currentIndex().siblingAtColumn(1).data().toString() == QStringLiteral("regression"));

        QCOMPARE(view.baseOutputView()->toPlainText(), QStringLiteral("The capital is <b>x</b> Paris, of course."));
        QCOMPARE(view.candidateOutputView()->toPlainText(), QStringLiteral("The capital is <b>x</b> Lyon, of course."));
        // The tag is text in the diff: escaped in its HTML, shown as typed.
        const QString shown = view.diffView()->toPlainText();
        QVERIFY2(shown.contains(QStringLiteral("<b>x</b>")), qPrintable(shown));
        QVERIFY(shown.contains(QStringLiteral("Paris")) && shown.contains(QStringLiteral("Lyon")));
        const QString html = view.diffHtml();
        QVERIFY2(html.contains(QStringLiteral("&lt;b&gt;x&lt;/b&gt;")), qPrintable(html));
        QVERIFY(!html.contains(QStringLiteral("<b>")));
        QVERIFY(view.diffView()->toHtml().contains(QStringLiteral("&lt;b&gt;x&lt;/b&gt;")));
        // Deleted words struck through, inserted ones underlined; the common words are neither.
        const QTextDocument *document = view.diffView()->document();
        QCOMPARE(fragments(document, [](const QTextCharFormat &f) { return f.fontStrikeOut(); }),
                 QStringList{QStringLiteral("Paris")});
        QCOMPARE(fragments(document, [](const QTextCharFormat &f) { return f.fontUnderline(); }),
                 QStringList{QStringLiteral("Lyon")});
        const QStringList struck = fragments(document, [](const QTextCharFormat &f) { return f.fontStrikeOut(); });
        QVERIFY(!struck.join(QString()).contains(QStringLiteral("capital")));

        // Each criterion's base and candidate score and pass.
        const QTableWidget *criteria = view.criteriaView();
        QCOMPARE(criteria->rowCount(), 2);
        QCOMPARE(criteria->item(0, 0)->text(), QStringLiteral("exact"));
        QCOMPARE(criteria->item(0, 1)->text(), QStringLiteral("1 pass"));
        QCOMPARE(criteria->item(0, 2)->text(), QStringLiteral("0 fail"));
        QCOMPARE(criteria->item(0, 3)->text(), QStringLiteral("-1"));
        QCOMPARE(criteria->item(1, 1)->text(), QStringLiteral("0.9 pass"));
        QCOMPARE(criteria->item(1, 2)->text(), QStringLiteral("0.4 fail"));

        // J / K move; R wraps around to the only regression.
        QTest::keyClick(view.tableView(), Qt::Key_J);
        QCOMPARE(currentItem(view), 2);
        QTest::keyClick(view.tableView(), Qt::Key_K);
        QTest::keyClick(view.tableView(), Qt::Key_K);
        QCOMPARE(currentItem(view), 0);
        QTest::keyClick(view.tableView(), Qt::Key_J);
        QTest::keyClick(view.tableView(), Qt::Key_J);
        QTest::keyClick(view.tableView(), Qt::Key_J);
        QCOMPARE(currentItem(view), 3);
        QTest::keyClick(view.tableView(), Qt::Key_R);
        QCOMPARE(currentItem(view), 1);

        if (qEnvironmentVariableIsSet("ASSAY_COMPARE_SHOT"))
            QVERIFY(view.grab().save(qEnvironmentVariable("ASSAY_COMPARE_SHOT")));
    }

    void filterToRegressions()
    {
        RunCompareView view;
        view.setStore(m_store.get(), &m_workspace);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QVERIFY(compareAndWait(view, m_base, m_candidate));
        view.tableView()->setFocus();

        QTest::keyClick(view.tableView(), Qt::Key_1, Qt::AltModifier);
        QCOMPARE(view.changeFilter(), std::optional<Change>(Change::Regression));
        QCOMPARE(view.proxy()->rowCount(), 1);
        QVERIFY(view.filterButton(Change::Regression)->isChecked());
        QCOMPARE(currentItem(view), 1); // the one left is shown
        QCOMPARE(view.candidateOutputView()->toPlainText(), QStringLiteral("The capital is <b>x</b> Lyon, of course."));

        QTest::keyClick(view.tableView(), Qt::Key_2, Qt::AltModifier);
        QCOMPARE(view.proxy()->rowCount(), 0);
        QVERIFY(view.diffHtml().isEmpty());

        view.filterButton(std::nullopt)->click();
        QCOMPARE(view.proxy()->rowCount(), 4);
        QVERIFY(!view.changeFilter());
        QTest::keyClick(view.tableView(), Qt::Key_3, Qt::AltModifier); // unchanged pass
        QCOMPARE(view.proxy()->rowCount(), 2);
    }

    void swapTurnsTheRegressionIntoAnImprovement()
    {
        RunCompareView view;
        view.setStore(m_store.get(), &m_workspace);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QVERIFY(compareAndWait(view, m_base, m_candidate));
        QSignalSpy loaded(&view, &RunCompareView::comparisonLoaded);
        view.tableView()->setFocus();
        QTest::keyClick(view.tableView(), Qt::Key_S, Qt::AltModifier);
        QVERIFY(loaded.wait(10000));
        QCOMPARE(view.baseRunId(), m_candidate);
        QCOMPARE(view.candidateRunId(), m_base);
        QVERIFY2(view.summaryText().contains(QStringLiteral("0 regressions")), qPrintable(view.summaryText()));
        QVERIFY(view.summaryText().contains(QStringLiteral("1 improvement")));
        QVERIFY(!view.selectNextRegression());

        // Choosing a run in the header compares again.
        view.baseCombo()->setCurrentIndex(view.baseCombo()->findData(m_base));
        QVERIFY(loaded.wait(10000));
        QCOMPARE(view.model()->baseRunId(), m_base);
        QCOMPARE(view.model()->candidateRunId(), m_base);
        QVERIFY(view.summaryText().contains(QStringLiteral("0 regressions")));
        QVERIFY(view.summaryText().contains(QStringLiteral("4 unchanged")));
    }
};

QTEST_MAIN(TestRunCompareView)
#include "tst_run_compare_view.moc"
