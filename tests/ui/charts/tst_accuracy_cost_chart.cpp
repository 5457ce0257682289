// Accuracy vs cost per 1,000 items across runs (the Model selection guide's worked example): one
// labelled point per run, targets drawn as lines, runs meeting both targets in their own series
// (green stars, a legend entry of their own), and the export to PNG and SVG.
#include <QGraphicsSimpleTextItem>
#include <QTemporaryDir>
#include <QtCharts/QChart>
#include <QtCharts/QLegend>
#include <QtCharts/QLegendMarker>
#include <QtCharts/QLineSeries>
#include <QtCharts/QScatterSeries>
#include <QtTest>

#include "chart_image_checks.h"
#include "ui/charts/accuracy_cost_chart.h"

using assay::ui::AccuracyCostChart;
using Point = AccuracyCostChart::Point;
using Targets = AccuracyCostChart::Targets;

namespace {

QList<Point> guidePoints()
{
    return {{1, QStringLiteral("gpt-4o zero-shot"), 0.845, 1.72},
            {2, QStringLiteral("gpt-4o few-shot (n=5)"), 0.915, 11.92},
            {3, QStringLiteral("gpt-4o-mini fine-tuned"), 0.915, 0.21},
            {4, QStringLiteral("exactly on target"), 0.90, 5.0}};
}

Targets guideTargets()
{
    Targets targets;
    targets.minAccuracy = 0.90;
    targets.maxCostPer1k = 5.0;
    return targets;
}

QList<qint64> idsOf(const QScatterSeries *series, const QList<Point> &points)
{
    QList<qint64> ids;
    for (const QPointF &at : series->points()) {
        for (const Point &point : points) {
            if (qFuzzyCompare(*point.costPer1k, at.x()) && qFuzzyCompare(*point.accuracy * 100.0, at.y()))
                ids << point.runId;
        }
    }
    std::sort(ids.begin(), ids.end());
    return ids;
}

QStringList labelTexts(QChart *chart)
{
    QStringList texts;
    for (QGraphicsItem *item : chart->childItems()) {
        if (auto *text = dynamic_cast<QGraphicsSimpleTextItem *>(item))
            texts << text->text();
    }
    return texts;
}

} // namespace

class TestAccuracyCostChart : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void classifiesPointsByBothTargets()
    {
        AccuracyCostChart chart;
        chart.setPoints(guidePoints());
        chart.setTargets(guideTargets());
        // Fine-tuned: accurate and cheap; on-target counts as met; zero-shot misses accuracy,
        // few-shot misses cost.
        QCOMPARE(idsOf(chart.metSeries(), guidePoints()), (QList<qint64>{3, 4}));
        QCOMPARE(idsOf(chart.unmetSeries(), guidePoints()), (QList<qint64>{1, 2}));
        QCOMPARE(chart.metRunIds(), (QList<qint64>{3, 4}));
        QCOMPARE(chart.metSeries()->name(), QStringLiteral("Meets targets"));
        QCOMPARE(chart.unmetSeries()->name(), QStringLiteral("Misses a target"));
        QVERIFY(chart.metSeries()->markerShape() != chart.unmetSeries()->markerShape());
        QVERIFY(chart.metSeries()->color() != chart.unmetSeries()->color());
        const auto metMarkers = chart.chart()->legend()->markers(chart.metSeries());
        QCOMPARE(metMarkers.size(), 1);
        QVERIFY(metMarkers.front()->isVisible());

        // Only an accuracy target: few-shot now qualifies, cost no longer matters.
        Targets accuracyOnly;
        accuracyOnly.minAccuracy = 0.90;
        chart.setTargets(accuracyOnly);
        QCOMPARE(chart.metRunIds(), (QList<qint64>{2, 3, 4}));
        QVERIFY(chart.accuracyTargetLine());
        QVERIFY(!chart.costTargetLine());

        // A tighter cost target moves the on-target run out.
        Targets tight = guideTargets();
        tight.maxCostPer1k = 4.99;
        chart.setTargets(tight);
        QCOMPARE(chart.metRunIds(), (QList<qint64>{3}));
    }

    void targetsAreLinesAcrossThePlot()
    {
        AccuracyCostChart chart;
        chart.setPoints(guidePoints());
        chart.setTargets(guideTargets());
        const QLineSeries *accuracy = chart.accuracyTargetLine();
        const QLineSeries *cost = chart.costTargetLine();
        QVERIFY(accuracy && cost);
        QCOMPARE(accuracy->count(), 2);
        QCOMPARE(accuracy->at(0).y(), 90.0);
        QCOMPARE(accuracy->at(1).y(), 90.0);
        QVERIFY(accuracy->at(1).x() > 11.92); // spans past the farthest point
        QCOMPARE(cost->at(0).x(), 5.0);
        QCOMPARE(cost->at(1).x(), 5.0);
        QVERIFY(cost->at(0).y() < 84.5 && cost->at(1).y() >= 100.0);
        QVERIFY(accuracy->name().contains(QStringLiteral("90")));
        QVERIFY(cost->name().contains(QStringLiteral("$5.00")));
    }

    void withoutTargetsEveryRunIsOnePlainSeries()
    {
        AccuracyCostChart chart;
        chart.setPoints(guidePoints());
        QCOMPARE(chart.metSeries()->count(), 4);
        QCOMPARE(chart.unmetSeries()->count(), 0);
        QCOMPARE(chart.metSeries()->name(), QStringLiteral("Runs"));
        QVERIFY(!chart.accuracyTargetLine() && !chart.costTargetLine());
    }

    void runsWithoutCostAreNamedNotPlotted()
    {
        AccuracyCostChart chart;
        QList<Point> points = guidePoints();
        points << Point{9, QStringLiteral("<b>unpriced</b> model"), 0.95, std::nullopt};
        chart.setPoints(points);
        chart.setTargets(guideTargets());
        QCOMPARE(chart.unplottedRunIds(), (QList<qint64>{9}));
        QCOMPARE(chart.metSeries()->count() + chart.unmetSeries()->count(), 4);
        // Named in the (rich text) title, escaped.
        QVERIFY(chart.chart()->title().contains(QStringLiteral("&lt;b&gt;unpriced&lt;/b&gt; model")));
        QVERIFY(!labelTexts(chart.chart()).contains(QStringLiteral("<b>unpriced</b> model")));
    }

    void everyPlottedPointIsLabelled()
    {
        AccuracyCostChart chart;
        chart.resize(800, 500);
        chart.setPoints(guidePoints());
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        const QStringList texts = labelTexts(chart.chart());
        for (const Point &point : guidePoints())
            QVERIFY2(texts.contains(point.label), qPrintable(point.label));
        // Labels stay inside the chart view.
        for (QGraphicsItem *item : chart.chart()->childItems()) {
            if (auto *text = dynamic_cast<QGraphicsSimpleTextItem *>(item)) {
                const QRectF box = text->mapRectToScene(text->boundingRect());
                QVERIFY2(chart.sceneRect().contains(box), qPrintable(text->text()));
            }
        }
    }

    void exportsVisiblePngAndParseableSvg()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        AccuracyCostChart chart;
        chart.resize(900, 560);
        chart.setPoints(guidePoints());
        chart.setTargets(guideTargets());
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));

        const QString png = dir.filePath(QStringLiteral("scatter.png"));
        QString error;
        QVERIFY2(assay::ui::exportPng(&chart, png, &error), qPrintable(error));
        const QImage image(png);
        QVERIFY(assay::testing::distinctColours(image) > 50);
        // Met stars, unmet circles and both target lines are painted.
        QVERIFY(assay::testing::pixelsNear(image, chart.metSeries()->color(), 6) > 50);
        QVERIFY(assay::testing::pixelsNear(image, chart.unmetSeries()->color(), 6) > 50);
        QVERIFY(assay::testing::pixelsNear(image, chart.accuracyTargetLine()->pen().color(), 6) > 100);
        QVERIFY(assay::testing::pixelsNear(image, chart.costTargetLine()->pen().color(), 6) > 100);

        const QString svg = dir.filePath(QStringLiteral("scatter.svg"));
        QVERIFY2(assay::ui::exportSvg(&chart, svg, &error), qPrintable(error));
        QStringList texts;
        QVERIFY2(assay::testing::parseSvg(svg, &texts, &error), qPrintable(error));
        const QString all = texts.join(QLatin1Char(' '));
        QVERIFY(all.contains(QStringLiteral("gpt-4o-mini fine-tuned")));
        QVERIFY(all.contains(QStringLiteral("Cost per 1,000 items")));
        assay::testing::keepShot(&chart, QStringLiteral("accuracy-cost"));
    }
};

QTEST_MAIN(TestAccuracyCostChart)
#include "tst_accuracy_cost_chart.moc"
