// The latency histogram: sensible shared bins (a long tail folded into a last bin), each run's
// p50/p95 as nearest-rank percentiles drawn as lines and named in the legend, and the chart
// exported as a PNG with visible bars and as a parseable SVG.
#include <cmath>

#include <QTemporaryDir>
#include <QtCharts/QBarSeries>
#include <QtCharts/QBarSet>
#include <QtCharts/QChart>
#include <QtCharts/QLineSeries>
#include <QtTest>

#include "chart_image_checks.h"
#include "models/store/eval_store.h"
#include "ui/charts/latency_histogram_chart.h"

using assay::ui::LatencyHistogramChart;

namespace {

bool isNiceWidth(double width)
{
    const double magnitude = std::pow(10.0, std::floor(std::log10(width)));
    const double mantissa = width / magnitude;
    return qFuzzyCompare(mantissa, 1.0) || qFuzzyCompare(mantissa, 2.0) || qFuzzyCompare(mantissa, 5.0);
}

std::vector<double> steps(double from, double step, int count)
{
    std::vector<double> values;
    for (int i = 0; i < count; ++i)
        values.push_back(from + step * i);
    return values;
}

} // namespace

class TestLatencyHistogramChart : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void binsCoverEveryValueWithANiceWidth()
    {
        const std::vector<double> values = steps(230.0, 37.0, 40); // 230 .. 1673 ms
        const auto binning = LatencyHistogramChart::chooseBinning(values);
        QVERIFY(isNiceWidth(binning.width));
        QVERIFY2(binning.bins >= 10 && binning.bins <= 25, qPrintable(QString::number(binning.bins)));
        QVERIFY(!binning.overflow);
        QVERIFY(binning.low <= 230.0);
        for (double value : values) {
            const int bin = binning.binOf(value);
            QVERIFY(value >= binning.lowerEdge(bin));
            QVERIFY(value < binning.lowerEdge(bin + 1));
        }
    }

    void longTailGoesIntoAnOverflowBin()
    {
        std::vector<double> values = steps(100.0, 10.0, 99); // 100 .. 1080 ms
        values.push_back(60000.0);                            // one timeout
        LatencyHistogramChart chart;
        chart.setLatencies(QStringLiteral("run"), values);
        const auto &binning = chart.binning();
        QVERIFY(binning.overflow);
        QVERIFY2(binning.bins <= 25, qPrintable(QString::number(binning.bins)));
        QCOMPARE(binning.binOf(60000.0), binning.bins - 1);
        QVERIFY(chart.binLabel(binning.bins - 1).startsWith(QStringLiteral("≥")));
        // The ordinary latencies are spread over the other bins, not squashed into the first.
        const auto &counts = chart.stats().front().counts;
        QCOMPARE(counts.back(), 1);
        int used = 0;
        for (std::size_t i = 0; i + 1 < counts.size(); ++i)
            used += counts[i] > 0 ? 1 : 0;
        QVERIFY2(used >= 10, qPrintable(QString::number(used)));
    }

    void percentilesPerRunAreMarkedAndNamed()
    {
        LatencyHistogramChart chart;
        chart.setRuns({{QStringLiteral("fast"), steps(100.0, 100.0, 10)}, // 100 .. 1000
                       {QStringLiteral("slow"), {400.0, 1200.0, 1800.0, -1.0}}});
        QCOMPARE(chart.stats().size(), 2);
        const auto &fast = chart.stats()[0];
        QCOMPARE(fast.count, 10);
        QCOMPARE(fast.p50Ms.value(), 500.0); // 5th of 10
        QCOMPARE(fast.p95Ms.value(), 1000.0); // 10th of 10
        const auto &slow = chart.stats()[1];
        QCOMPARE(slow.count, 3); // the unknown latency is left out
        QCOMPARE(slow.p50Ms.value(), 1200.0);
        int total = 0;
        for (int count : slow.counts)
            total += count;
        QCOMPARE(total, 3);

        QCOMPARE(chart.series()->count(), 2);
        QVERIFY(chart.series()->barSets()[0]->label().contains(QStringLiteral("500 ms")));
        QVERIFY(chart.series()->barSets()[1]->label().contains(QStringLiteral("1,200 ms")) ||
                chart.series()->barSets()[1]->label().contains(QStringLiteral("1200 ms")));
        // Two vertical lines per run, at the bin positions of p50 and p95.
        const auto lines = chart.percentileLines();
        QCOMPARE(lines.size(), 4);
        const auto &binning = chart.binning();
        const double p50Position = (500.0 - binning.low) / binning.width - 0.5;
        QCOMPARE(lines[0]->at(0).x(), p50Position);
        QCOMPARE(lines[0]->at(1).x(), p50Position);
        QVERIFY(lines[0]->at(1).y() > lines[0]->at(0).y());
    }

    void runNamesInTheLegendAreEscaped()
    {
        // Qt Charts renders legend labels as HTML.
        LatencyHistogramChart chart;
        chart.setLatencies(QStringLiteral("<img src=x>run"), {100.0, 200.0});
        const QString label = chart.series()->barSets().front()->label();
        QVERIFY2(label.startsWith(QStringLiteral("&lt;img src=x&gt;run")), qPrintable(label));
    }

    void itemLatenciesSkipCacheHitsAndUnknowns()
    {
        std::vector<assay::store::OutputItemRecord> items(4);
        items[0].latencyMs = 300;
        items[1].latencyMs = 500;
        items[1].cacheHit = true; // no request was sent: not a sampling latency
        items[2].latencyMs = -1;
        items[3].latencyMs = 700;
        QCOMPARE(LatencyHistogramChart::latencies(items), (std::vector<double>{300.0, 700.0}));
    }

    void exportsVisiblePngAndParseableSvg()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        LatencyHistogramChart chart;
        chart.resize(900, 500);
        std::vector<double> values;
        for (int i = 0; i < 200; ++i)
            values.push_back(300.0 + 700.0 * std::abs(std::sin(i * 0.7)) + (i % 7) * 40.0);
        chart.setRuns({{QStringLiteral("gpt-4.1-mini"), values}, {QStringLiteral("gpt-4.1"), steps(500.0, 9.0, 120)}});
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));

        const QString png = dir.filePath(QStringLiteral("latency.png"));
        QString error;
        QVERIFY2(assay::ui::exportPng(&chart, png, &error), qPrintable(error));
        const QImage image(png);
        QCOMPARE(image.size(), QSize(900, 500));
        QVERIFY(assay::testing::distinctColours(image) > 50);
        // The bars of both runs are painted in their own colours.
        for (QBarSet *set : chart.series()->barSets()) // color() is not const
            QVERIFY2(assay::testing::pixelsNear(image, set->color(), 4) > 200, qPrintable(set->label()));

        const QString svg = dir.filePath(QStringLiteral("latency.svg"));
        QVERIFY2(assay::ui::exportSvg(&chart, svg, &error), qPrintable(error));
        QStringList texts;
        QVERIFY2(assay::testing::parseSvg(svg, &texts, &error), qPrintable(error));
        QVERIFY(texts.join(QLatin1Char(' ')).contains(QStringLiteral("Sampling latency")));
        assay::testing::keepShot(&chart, QStringLiteral("latency-histogram"));
    }
};

QTEST_MAIN(TestLatencyHistogramChart)
#include "tst_latency_histogram_chart.moc"
