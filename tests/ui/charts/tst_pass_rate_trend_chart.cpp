// Pass rate over time for an eval: runs in created order on a date-time axis, an overall line and
// one per criterion, and exactly the runs whose pass rate fell by more than the threshold marked
// and listed in the tooltip.
#include <QTemporaryDir>
#include <QtCharts/QChart>
#include <QtCharts/QDateTimeAxis>
#include <QtCharts/QLineSeries>
#include <QtCharts/QScatterSeries>
#include <QtTest>

#include "chart_image_checks.h"
#include "models/eval/run_summary.h"
#include "models/store/workspace.h"
#include "ui/charts/pass_rate_trend_chart.h"

using assay::store::RunRecord;
using assay::ui::PassRateTrendChart;
using json = nlohmann::json;

namespace {

const QDateTime kStart(QDate(2026, 11, 2), QTime(9, 0), Qt::UTC);

// A run of 100 items: `overall` passed, `exact` of the items passed the "exact" criterion.
RunRecord run(qint64 id, const QString &name, int hoursAfterStart, int overall, int exact)
{
    assay::eval::RunSummary summary;
    summary.total = 100;
    summary.passed = overall;
    summary.failed = 100 - overall;
    summary.perCriterion = {{"exact", exact, 100 - exact}, {"similar", 90, 10}};
    RunRecord record;
    record.id = id;
    record.name = name;
    record.status = QStringLiteral("completed");
    record.createdAt = kStart.addSecs(3600LL * hoursAfterStart);
    record.summary = summary.toJson();
    return record;
}

// Given out of created order on purpose (the runs table lists newest first).
QList<RunRecord> history()
{
    return {run(6, QStringLiteral("six"), 30, 70, 70),   // overall -15: regression
            run(1, QStringLiteral("one"), 0, 80, 50),
            run(3, QStringLiteral("three"), 5, 89, 40),  // overall -1 (noise), exact -20: regression
            run(2, QStringLiteral("two"), 2, 90, 60),
            run(4, QStringLiteral("four"), 8, 85, 42),   // overall -4: regression
            run(5, QStringLiteral("<b>five</b>"), 24, 85, 70),
            run(7, QStringLiteral("queued"), 40, 0, 0)};
}

} // namespace

class TestPassRateTrendChart : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void runsInCreatedOrderOnATimeAxis()
    {
        QList<RunRecord> runs = history();
        runs.last().summary = nullptr; // not started: no point
        PassRateTrendChart chart;
        chart.setRuns(runs);
        QList<qint64> order;
        for (const auto &point : chart.points())
            order << point.runId;
        QCOMPARE(order, (QList<qint64>{1, 2, 3, 4, 5, 6}));
        const auto lines = chart.lines();
        QCOMPARE(lines.size(), 3); // Overall, exact, similar
        QCOMPARE(lines[0]->name(), PassRateTrendChart::overallName());
        QCOMPARE(lines[1]->name(), QStringLiteral("exact"));
        QCOMPARE(lines[0]->count(), 6);
        QCOMPARE(lines[0]->at(0), QPointF(static_cast<double>(kStart.toMSecsSinceEpoch()), 80.0));
        QCOMPARE(lines[1]->at(2).y(), 40.0);
        const auto axes = chart.chart()->axes(Qt::Horizontal);
        QCOMPARE(axes.size(), 1);
        QVERIFY(qobject_cast<QDateTimeAxis *>(axes.front()));
        QVERIFY(!axes.front()->titleText().isEmpty());
        QVERIFY(!chart.chart()->axes(Qt::Vertical).front()->titleText().isEmpty());
    }

    void marksExactlyTheRunsThatRegressed()
    {
        QList<RunRecord> runs = history();
        runs.removeLast();
        PassRateTrendChart chart;
        chart.setRuns(runs);
        QCOMPARE(chart.threshold(), 2.0);
        // Three: the one-point overall dip of "three" alone would be noise, its exact drop is not.
        QCOMPARE(chart.regressedRunIds(), (QList<qint64>{3, 4, 6}));
        QCOMPARE(chart.regressions().size(), 3);
        QCOMPARE(chart.regressions()[0].line, QStringLiteral("exact"));
        QCOMPARE(chart.regressions()[0].previous, 60.0);
        QCOMPARE(chart.regressions()[0].current, 40.0);
        // One red triangle per regression, on the line that dropped.
        const QScatterSeries *marks = chart.regressionSeries();
        QCOMPARE(marks->count(), 3);
        QCOMPARE(marks->at(0), QPointF(static_cast<double>(kStart.addSecs(5 * 3600).toMSecsSinceEpoch()), 40.0));
        QCOMPARE(marks->at(1).y(), 85.0);
        QCOMPARE(marks->at(2).y(), 70.0);
        QCOMPARE(marks->markerShape(), QScatterSeries::MarkerShapeTriangle);

        const QString tip = chart.toolTip();
        auto listed = [&tip](const QString &name) { return tip.contains(QStringLiteral("• ") + name + QStringLiteral(" (")); };
        for (const QString &name : {QStringLiteral("three"), QStringLiteral("four"), QStringLiteral("six")})
            QVERIFY2(listed(name), qPrintable(tip));
        for (const QString &name : {QStringLiteral("one"), QStringLiteral("two"), QStringLiteral("&lt;b&gt;five&lt;/b&gt;")})
            QVERIFY2(!listed(name), qPrintable(tip));

        // Overall only: the criterion drop of "three" is no longer looked at.
        chart.setShowCriteria(false);
        QCOMPARE(chart.regressedRunIds(), (QList<qint64>{4, 6}));
        QCOMPARE(chart.lines().size(), 1);
        // Threshold 0: any drop, the one-point dip included.
        chart.setThreshold(0.0);
        QCOMPARE(chart.regressedRunIds(), (QList<qint64>{3, 4, 6}));
        // Large threshold: only the 15-point fall.
        chart.setThreshold(10.0);
        QCOMPARE(chart.regressedRunIds(), (QList<qint64>{6}));
    }

    void noRegressionsWhenPassRatesOnlyRise()
    {
        PassRateTrendChart chart;
        chart.setRuns({run(1, QStringLiteral("a"), 0, 50, 50), run(2, QStringLiteral("b"), 1, 60, 60)});
        QVERIFY(chart.regressions().isEmpty());
        QCOMPARE(chart.regressionSeries()->count(), 0);
        QVERIFY(chart.toolTip().startsWith(QStringLiteral("No regressions")));
    }

    void runNamesInTheTooltipAreEscaped()
    {
        PassRateTrendChart chart;
        chart.setRuns({run(1, QStringLiteral("a"), 0, 90, 90), run(2, QStringLiteral("<b>bold</b>"), 1, 50, 50)});
        QCOMPARE(chart.regressedRunIds(), (QList<qint64>{2}));
        QVERIFY(chart.toolTip().contains(QStringLiteral("&lt;b&gt;bold&lt;/b&gt;")));
        QVERIFY(!chart.toolTip().contains(QStringLiteral("<b>bold</b>")));
    }

    void criterionNamesInTheLegendAreEscaped()
    {
        RunRecord record = run(1, QStringLiteral("a"), 0, 90, 90);
        record.summary["per_testing_criteria_results"][0]["testing_criteria"] = "<i>exact</i>";
        PassRateTrendChart chart;
        chart.setRuns({record});
        QCOMPARE(chart.points().front().criteriaOrder.front(), QStringLiteral("<i>exact</i>"));
        QCOMPARE(chart.lines()[1]->name(), QStringLiteral("&lt;i&gt;exact&lt;/i&gt;"));
    }

    void runsOfAnEvalIncludeItsVersionsOnly()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        assay::store::Workspace workspace;
        QVERIFY(workspace.open(dir.filePath(QStringLiteral("ws.sqlite"))));
        assay::store::EvalStore store(workspace);
        const auto first = store.saveEval(QStringLiteral("Capitals"), {{"name", "Capitals"}, {"v", 1}, {"testing_criteria", json::array()}});
        const auto second = store.saveEval(QStringLiteral("Capitals"), {{"name", "Capitals"}, {"v", 2}, {"testing_criteria", json::array()}});
        const auto other = store.saveEval(QStringLiteral("Other"), {{"name", "Other"}, {"testing_criteria", json::array()}});
        QVERIFY(first && second && other);
        QCOMPARE(first->evalKey, second->evalKey);
        QVERIFY(first->id != second->id);
        QList<qint64> expected;
        for (const auto &eval : {*first, *second, *other}) {
            RunRecord record = run(0, eval.name, 0, 50, 50);
            record.evalId = eval.id;
            record.runSpec = json::object();
            const qint64 id = store.createRun(record).value_or(0);
            QVERIFY(id > 0);
            if (eval.evalKey == first->evalKey)
                expected << id;
        }
        QList<qint64> ids;
        for (const RunRecord &record : PassRateTrendChart::runsOfEval(store, first->evalKey))
            ids << record.id;
        std::sort(ids.begin(), ids.end());
        QCOMPARE(ids, expected);
    }

    void exportsVisiblePngAndParseableSvg()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QList<RunRecord> runs = history();
        runs.removeLast();
        PassRateTrendChart chart;
        chart.resize(900, 520);
        chart.setRuns(runs);
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));

        const QString png = dir.filePath(QStringLiteral("trend.png"));
        QString error;
        QVERIFY2(assay::ui::exportPng(&chart, png, &error), qPrintable(error));
        const QImage image(png);
        QVERIFY(assay::testing::distinctColours(image) > 50);
        QVERIFY(assay::testing::pixelsNear(image, chart.regressionSeries()->color(), 6) > 60); // the triangles
        QVERIFY(assay::testing::pixelsNear(image, chart.lines().front()->pen().color(), 6) > 200);

        const QString svg = dir.filePath(QStringLiteral("trend.svg"));
        QVERIFY2(assay::ui::exportSvg(&chart, svg, &error), qPrintable(error));
        QStringList texts;
        QVERIFY2(assay::testing::parseSvg(svg, &texts, &error), qPrintable(error));
        QVERIFY(texts.join(QLatin1Char(' ')).contains(QStringLiteral("Pass rate over time")));
        assay::testing::keepShot(&chart, QStringLiteral("pass-rate-trend"));
    }
};

QTEST_MAIN(TestPassRateTrendChart)
#include "tst_pass_rate_trend_chart.moc"
