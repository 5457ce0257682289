// The Results panel over a workspace with two runs: runs table, summary, items with a status
// filter and a plain-text drill-down, the grouped pass-rate chart, chart export, and deleting a
// run with undo.
#include <QComboBox>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QtCharts/QBarSeries>
#include <QtCharts/QLineSeries>
#include <QtTest>

#include "models/eval/run_summary.h"
#include "models/itemmodels/output_items_model.h"
#include "models/store/eval_store.h"
#include "models/store/workspace.h"
#include "models/itemmodels/model_selection_model.h"
#include "ui/charts/latency_histogram_chart.h"
#include "ui/charts/pass_rate_chart.h"
#include "ui/charts/pass_rate_trend_chart.h"
#include "ui/dialogs/report_export_dialog.h"
#include "ui/panels/results/model_selection_view.h"
#include "ui/panels/results/run_compare_view.h"
#include "ui/charts/score_histogram_chart.h"
#include "ui/panels/results_panel.h"

using assay::store::EvalStore;
using assay::store::OutputItemRecord;
using assay::store::RunRecord;
using assay::store::Workspace;
using assay::ui::ResultsPanel;
using json = nlohmann::json;

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
                      double similar, qint64 latency)
{
    OutputItemRecord record;
    record.runId = runId;
    record.datasourceItemId = index;
    record.status = QString::fromLatin1(status);
    record.datasourceItem = {{"country", "France"}, {"answer", "Paris"}, {"index", index}};
    record.sample = {{"input", json::array({{{"role", "user"}, {"content", "Capital of France?"}}})},
                     {"output", json::array({{{"role", "assistant"}, {"content", output}}})},
                     {"model", "gpt-4.1-mini"},
                     {"usage", {{"total_tokens", 20}, {"prompt_tokens", 12}, {"completion_tokens", 8}}}};
    record.results = json::array(
        {{{"name", "exact"}, {"type", "string_check"}, {"score", exact}, {"passed", exact >= 1.0}},
         {{"name", "similar"}, {"type", "text_similarity"}, {"score", similar}, {"passed", similar >= 0.5},
          {"sample", {{"reasoning", "close <b>enough</b>"}}}}});
    if (QLatin1String(status) == QLatin1String("error")) {
        record.results = json::array();
        record.error = QStringLiteral("sampling failed");
    }
    record.latencyMs = latency;
    return record;
}

} // namespace

class TestResultsPanel : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    Workspace m_workspace;
    std::unique_ptr<EvalStore> m_store;
    qint64 m_first = 0;
    qint64 m_second = 0;

    qint64 makeRun(const QString &name, const std::vector<std::tuple<const char *, std::string, double, double>> &rows)
    {
        const auto eval = m_store->saveEval(QStringLiteral("Capitals"), definition());
        RunRecord run;
        run.evalId = eval->id;
        run.name = name;
        run.model = QStringLiteral("gpt-4.1-mini");
        run.status = QStringLiteral("completed");
        run.source = QStringLiteral("local");
        run.runSpec = json::object();
        // Both runs share one creation instant, as runs made by a script in the same
        // millisecond do: the compare tab must still take the first stored as the base.
        run.createdAt = QDateTime(QDate(2026, 11, 2), QTime(9, 0), Qt::UTC);
        const qint64 id = m_store->createRun(run).value_or(0);
        std::vector<OutputItemRecord> items;
        qint64 index = 0;
        for (const auto &[status, output, exact, similar] : rows) {
            items.push_back(item(id, index, status, output, exact, similar, 100 * (index + 1)));
            m_store->commitItem(items.back());
            ++index;
        }
        auto stored = m_store->run(id).value();
        stored.totalItems = static_cast<qint64>(items.size());
        stored.summary = assay::eval::summarizeRun(items, {"exact", "similar"}, nullptr).toJson();
        stored.finishedAt = QDateTime::currentDateTimeUtc();
        m_store->updateRun(stored);
        return id;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QString error;
        QVERIFY2(m_workspace.open(m_dir.filePath(QStringLiteral("ws.sqlite")), &error), qPrintable(error));
        m_store = std::make_unique<EvalStore>(m_workspace);
        m_first = makeRun(QStringLiteral("first"), {{"pass", "Paris", 1.0, 0.9},
                                                    {"fail", "<script>alert('x')</script> Lyon", 0.0, 0.1},
                                                    {"pass", "Paris", 1.0, 1.0},
                                                    {"error", "", 0.0, 0.0}});
        m_second = makeRun(QStringLiteral("second"), {{"pass", "Paris", 1.0, 0.8}, {"fail", "Paris?", 0.0, 0.6}});
        QVERIFY(m_first > 0 && m_second > 0);
    }

    void showsRunsSummaryItemsChartsAndUndoesDelete()
    {
        ResultsPanel panel;
        panel.resize(1200, 800);
        panel.setWorkspace(&m_workspace);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QAbstractItemModel *runs = panel.runsView()->model();
        QCOMPARE(runs->rowCount(), 2);

        // One run: its items and its numbers.
        panel.selectRuns({m_first});
        QCOMPARE(panel.selectedRunIds(), QList<qint64>{m_first});
        QCOMPARE(panel.currentRunId(), m_first);
        QTRY_COMPARE(panel.itemsView()->model()->rowCount(), 4);
        const QString summary = panel.summaryLabel()->text();
        QVERIFY2(summary.contains(QStringLiteral("4 total, 2 passed, 1 failed, 1 errored")), qPrintable(summary));
        QVERIFY2(summary.contains(QStringLiteral("exact: 2 of 3 passed")), qPrintable(summary));
        QVERIFY2(summary.contains(QStringLiteral("Tokens: 80 — input 48 (0 cached), output 32 (0 reasoning)")),
                 qPrintable(summary));
        QVERIFY2(summary.contains(QStringLiteral("Models answering: gpt-4.1-mini (4 calls)")), qPrintable(summary));
        QCOMPARE(panel.passRateChart()->barSetCount(), 1);

        // Scores: a histogram over the scored items of the chosen criterion.
        QCOMPARE(panel.criterionCombo()->count(), 2);
        panel.criterionCombo()->setCurrentIndex(1);
        const auto &counts = panel.scoreChart()->histogram().counts;
        QCOMPARE(std::accumulate(counts.begin(), counts.end(), 0), 3);
        QCOMPARE(counts.back(), 2); // 0.9 and 1.0: the top edge belongs to the last bin
        QCOMPARE(counts.at(1), 1);  // 0.1

        // Failed only, then Enter on the row: the drill-down shows the markup as text.
        panel.setStatusFilter(ResultsPanel::StatusFilter::Failed);
        QCOMPARE(panel.itemsView()->model()->rowCount(), 1);
        panel.itemsView()->setCurrentIndex(panel.itemsView()->model()->index(0, 0));
        QTest::keyClick(panel.itemsView(), Qt::Key_Return);
        const QString shown = panel.drillDownText();
        QVERIFY2(shown.contains(QStringLiteral("<script>alert('x')</script> Lyon")), qPrintable(shown));
        QVERIFY2(shown.contains(QStringLiteral("close <b>enough</b>")), qPrintable(shown));
        QVERIFY(shown.contains(QStringLiteral("Capital of France?")));
        QVERIFY(shown.contains(QStringLiteral("\"answer\": \"Paris\"")));
        panel.setStatusFilter(ResultsPanel::StatusFilter::All);
        QCOMPARE(panel.itemsView()->model()->rowCount(), 4);

        // Failed on one criterion: "similar" failed only on item 1 (score 0.1), not on the error.
        QCOMPARE(panel.failedCriterionCombo()->count(), 3); // any, exact, similar
        panel.failedCriterionCombo()->setCurrentIndex(2);
        QCOMPARE(panel.itemsView()->model()->rowCount(), 1);
        QCOMPARE(panel.itemsView()->model()->index(0, 0).data().toString(), QStringLiteral("1"));
        panel.failedCriterionCombo()->setCurrentIndex(0);
        QCOMPARE(panel.itemsView()->model()->rowCount(), 4);

        // The runs filter matches any column, case-insensitively.
        panel.runsFilter()->setText(QStringLiteral("SECOND"));
        QCOMPARE(runs->rowCount(), 1);
        panel.runsFilter()->clear();
        QCOMPARE(runs->rowCount(), 2);

        // Both runs: grouped bars, one set per run.
        panel.selectRuns({m_first, m_second});
        QCOMPARE(panel.selectedRunIds().size(), 2);
        QCOMPARE(panel.passRateChart()->barSetCount(), 2);
        QCOMPARE(panel.passRateChart()->categories(), (QStringList{QStringLiteral("exact"), QStringLiteral("similar")}));
        QVERIFY(panel.summaryLabel()->text().contains(QStringLiteral("2 total, 1 passed, 1 failed, 0 errored")));

        // Latency, trend and model selection follow the selection when their tab is shown.
        panel.tabs()->setCurrentWidget(panel.latencyChart()->parentWidget());
        QTRY_COMPARE(panel.latencyChart()->stats().size(), 2);
        for (const auto &stats : panel.latencyChart()->stats()) {
            // first: 100, 200, 300, 400 ms; second: 100, 200 ms (nearest-rank p50)
            const bool first = stats.label == QStringLiteral("first");
            QCOMPARE(stats.count, first ? 4 : 2);
            QCOMPARE(*stats.p50Ms, first ? 200.0 : 100.0);
        }
        panel.tabs()->setCurrentWidget(panel.trendChart()->parentWidget());
        QVERIFY(!panel.trendChart()->lines().isEmpty());
        QCOMPARE(panel.trendChart()->lines().first()->count(), 2); // both runs of the eval
        panel.tabs()->setCurrentWidget(panel.modelSelectionView()->parentWidget());
        QCOMPARE(panel.modelSelectionView()->model()->rowCount(), 2);
        // Compare: the older run is the base; rows are matched by dataset row.
        panel.tabs()->setCurrentWidget(panel.compareView());
        QCOMPARE(panel.compareView()->baseRunId(), m_first);
        QCOMPARE(panel.compareView()->candidateRunId(), m_second);
        QTRY_VERIFY(!panel.compareView()->isLoading());
        QCOMPARE(panel.compareView()->model()->rowCount(), 4); // two matched, two only in the first
        panel.tabs()->setCurrentIndex(0);

        // Export.
        QTemporaryDir out;
        const QString png = out.filePath(QStringLiteral("chart.png"));
        const QString svg = out.filePath(QStringLiteral("chart.svg"));
        QVERIFY(panel.exportChart(panel.passRateChart(), png));
        QVERIFY(panel.exportChart(panel.passRateChart(), svg));
        QImage image(png);
        QVERIFY(!image.isNull());
        QVERIFY(image.width() > 100);
        QFile file(svg);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray svgText = file.readAll();
        QVERIFY(svgText.contains("<svg"));
        QVERIFY(svgText.contains("first")); // the legend names the runs

        // A report of the selected run from the panel (Ctrl+E): CSV with one row per item.
        panel.selectRuns({m_first});
        QVERIFY(panel.exportReportAction()->isEnabled());
        auto *dialog = panel.exportReport();
        QVERIFY(dialog);
        const QString csvPath = out.filePath(QStringLiteral("first.csv"));
        dialog->setFormat(assay::report::ReportFormat::Csv);
        dialog->setFilePath(csvPath);
        QSignalSpy finished(dialog, &assay::ui::ReportExportDialog::exportFinished);
        dialog->startExport();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 20000);
        QFile csv(csvPath);
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QList<QByteArray> csvLines = csv.readAll().trimmed().split('\n');
        QCOMPARE(csvLines.size(), 5); // a header and the four items
        QVERIFY2(csvLines.at(2).contains("Lyon"), csvLines.at(2).constData());

        // Delete one run, then undo.
        panel.selectRuns({m_second});
        panel.deleteSelectedRuns();
        QTRY_COMPARE(runs->rowCount(), 1);
        QVERIFY(!m_store->run(m_second));
        QVERIFY(panel.undoStack()->canUndo());
        panel.undoStack()->undo();
        QTRY_COMPARE(runs->rowCount(), 2);
        QCOMPARE(m_store->runs().size(), 2);

        // The same from the keyboard: Delete in the runs table, Ctrl+Z in the panel.
        panel.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&panel));
        panel.runsView()->setFocus();
        panel.runsView()->selectRow(0);
        QTest::keyClick(panel.runsView(), Qt::Key_Delete);
        QTRY_COMPARE(runs->rowCount(), 1);
        QTest::keyClick(panel.runsView(), Qt::Key_Z, Qt::ControlModifier);
        QTRY_COMPARE(runs->rowCount(), 2);
    }
};

QTEST_MAIN(TestResultsPanel)
#include "tst_results_panel.moc"
