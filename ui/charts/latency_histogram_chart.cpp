#include "ui/charts/latency_histogram_chart.h"

#include <algorithm>
#include <cmath>

#include <QLocale>
#include <QPen>
#include <QtCharts/QBarCategoryAxis>
#include <QtCharts/QBarSeries>
#include <QtCharts/QBarSet>
#include <QtCharts/QChart>
#include <QtCharts/QLegend>
#include <QtCharts/QLegendMarker>
#include <QtCharts/QLineSeries>
#include <QtCharts/QValueAxis>

#include "models/eval/run_summary.h"
#include "models/itemmodels/output_items_model.h"

namespace assay::ui {

namespace {

std::vector<double> known(const std::vector<double> &values)
{
    std::vector<double> out;
    out.reserve(values.size());
    for (double value : values) {
        if (std::isfinite(value) && value >= 0.0)
            out.push_back(value);
    }
    return out;
}

// The smallest of 1, 2, 5 x 10^k that is at least `raw` (and at least 1 ms: latencies are whole ms).
double niceWidth(double raw)
{
    if (!(raw > 1.0))
        return 1.0;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    for (double step : {1.0, 2.0, 5.0, 10.0}) {
        if (step * magnitude >= raw)
            return step * magnitude;
    }
    return 10.0 * magnitude;
}

QString ms(double value)
{
    return LatencyHistogramChart::tr("%1 ms").arg(QLocale().toString(value, 'f', 0));
}

} // namespace

int LatencyHistogramChart::Binning::binOf(double value) const
{
    const int bin = static_cast<int>(std::floor((value - low) / width));
    return std::clamp(bin, 0, bins - 1);
}

LatencyHistogramChart::Binning LatencyHistogramChart::chooseBinning(const std::vector<double> &allLatencyMs, int targetBins)
{
    Binning binning;
    const std::vector<double> values = known(allLatencyMs);
    targetBins = std::max(targetBins, 1);
    if (values.empty()) {
        binning.width = 100.0;
        binning.bins = 10;
        return binning;
    }
    const auto [minIt, maxIt] = std::minmax_element(values.begin(), values.end());
    const double low = *minIt;
    double high = *maxIt;
    // Enough items for a p99 to mean something, and a tail far beyond it: cut it into one bin.
    const double p99 = eval::nearestRankPercentile(values, 0.99).value_or(high);
    if (values.size() >= 50 && high > 1.5 * p99 && p99 > low) {
        high = p99;
        binning.overflow = true;
    }
    binning.width = niceWidth((high - low) / targetBins);
    binning.low = std::floor(low / binning.width) * binning.width;
    binning.bins = static_cast<int>(std::floor((high - binning.low) / binning.width)) + 1;
    if (binning.overflow)
        ++binning.bins;
    return binning;
}

std::vector<double> LatencyHistogramChart::latencies(const itemmodels::OutputItemsModel &model)
{
    std::vector<double> out;
    out.reserve(static_cast<std::size_t>(model.rowCount()));
    for (int row = 0; row < model.rowCount(); ++row) {
        if (const qint64 latency = model.latencyMs(row); latency >= 0)
            out.push_back(static_cast<double>(latency));
    }
    return out;
}

std::vector<double> LatencyHistogramChart::latencies(const std::vector<store::OutputItemRecord> &items)
{
    std::vector<double> out;
    out.reserve(items.size());
    for (const store::OutputItemRecord &item : items) {
        if (!item.cacheHit && item.latencyMs >= 0)
            out.push_back(static_cast<double>(item.latencyMs));
    }
    return out;
}

std::vector<double> LatencyHistogramChart::latencies(const std::vector<store::ItemDigest> &digests)
{
    std::vector<double> out;
    out.reserve(digests.size());
    for (const store::ItemDigest &digest : digests) {
        if (!digest.cacheHit && digest.latencyMs >= 0)
            out.push_back(static_cast<double>(digest.latencyMs));
    }
    return out;
}

LatencyHistogramChart::LatencyHistogramChart(QWidget *parent) : QChartView(parent)
{
    setRenderHint(QPainter::Antialiasing);
    setMinimumHeight(220);
    setRuns({});
}

QString LatencyHistogramChart::binLabel(int bin) const
{
    const QString edge = QLocale().toString(m_binning.lowerEdge(bin), 'f', 0);
    if (m_binning.overflow && bin == m_binning.bins - 1)
        return QStringLiteral("≥ ") + edge;
    return edge;
}

void LatencyHistogramChart::setRuns(const QList<Run> &runs)
{
    std::vector<double> all;
    for (const Run &run : runs)
        all.insert(all.end(), run.latencyMs.begin(), run.latencyMs.end());
    m_binning = chooseBinning(all);
    m_stats.clear();
    m_lines.clear();

    auto *chart = new QChart;
    chart->legend()->setAlignment(Qt::AlignBottom);
    m_series = new QBarSeries(chart);
    m_series->setBarWidth(runs.size() > 1 ? 0.9 : 0.95);
    int highest = 0;
    for (const Run &run : runs) {
        RunStats stats;
        stats.label = run.label;
        stats.counts.assign(static_cast<std::size_t>(m_binning.bins), 0);
        const std::vector<double> values = known(run.latencyMs);
        stats.count = static_cast<qint64>(values.size());
        for (double value : values)
            ++stats.counts[static_cast<std::size_t>(m_binning.binOf(value))];
        stats.p50Ms = eval::nearestRankPercentile(values, 0.50);
        stats.p95Ms = eval::nearestRankPercentile(values, 0.95);
        // Legend labels are rendered as HTML by Qt Charts: a run name is the user's text.
        const QString name = run.label.toHtmlEscaped();
        QString legend;
        if (stats.p50Ms && stats.p95Ms)
            legend = tr("%1 (p50 %2, p95 %3; %4 items)").arg(name, ms(*stats.p50Ms), ms(*stats.p95Ms)).arg(stats.count);
        else
            legend = tr("%1 (no latency)").arg(name);
        auto *set = new QBarSet(legend);
        for (int count : stats.counts) {
            set->append(count);
            highest = std::max(highest, count);
        }
        m_series->append(set);
        m_stats.push_back(std::move(stats));
    }
    chart->addSeries(m_series);

    // The legend has no entry for the lines (see below): the title says how to read them.
    if (m_stats.size() == 1 && m_stats.front().p50Ms && m_stats.front().p95Ms)
        chart->setTitle(tr("Sampling latency: p50 %1 (dashed line), p95 %2 (dotted line)")
                            .arg(ms(*m_stats.front().p50Ms), ms(*m_stats.front().p95Ms)));
    else if (!runs.isEmpty())
        chart->setTitle(tr("Sampling latency (dashed lines: p50, dotted lines: p95)"));
    else
        chart->setTitle(tr("Sampling latency"));

    QStringList labels;
    for (int bin = 0; bin < m_binning.bins; ++bin)
        labels << binLabel(bin);
    auto *categoryAxis = new QBarCategoryAxis(chart);
    categoryAxis->append(labels);
    categoryAxis->setTitleText(tr("Latency (ms, lower edge of each bin)"));
    if (m_binning.bins > 12)
        categoryAxis->setLabelsAngle(-60); // ~20 numbers side by side do not fit under the bars
    chart->addAxis(categoryAxis, Qt::AlignBottom);
    m_series->attachAxis(categoryAxis);
    auto *countAxis = new QValueAxis(chart);
    countAxis->setRange(0, std::max(highest, 1) * 1.1);
    countAxis->setLabelFormat(QStringLiteral("%d"));
    countAxis->setTitleText(tr("Items"));
    countAxis->applyNiceNumbers();
    chart->addAxis(countAxis, Qt::AlignLeft);
    m_series->attachAxis(countAxis);

    // The bars sit on category indices; a hidden value axis over the same span places the lines:
    // bin i covers [i - 0.5, i + 0.5).
    auto *positionAxis = new QValueAxis(chart);
    positionAxis->setRange(-0.5, m_binning.bins - 0.5);
    positionAxis->setVisible(false);
    chart->addAxis(positionAxis, Qt::AlignBottom);
    const QList<QBarSet *> sets = m_series->barSets();
    for (int i = 0; i < m_stats.size(); ++i) {
        const RunStats &stats = m_stats[i];
        const QColor color = sets.value(i) ? sets[i]->color().darker(150) : QColor(Qt::black);
        for (const auto &[value, style] : {std::pair{stats.p50Ms, Qt::DashLine}, std::pair{stats.p95Ms, Qt::DotLine}}) {
            if (!value)
                continue;
            double x = (*value - m_binning.low) / m_binning.width - 0.5;
            x = std::clamp(x, -0.5, m_binning.bins - 0.5);
            auto *line = new QLineSeries(chart);
            line->setName(style == Qt::DashLine ? tr("%1 p50").arg(stats.label.toHtmlEscaped())
                                                : tr("%1 p95").arg(stats.label.toHtmlEscaped()));
            line->append(x, 0.0);
            line->append(x, countAxis->max());
            QPen pen(color, 2.0, style);
            line->setPen(pen);
            chart->addSeries(line);
            line->attachAxis(positionAxis);
            line->attachAxis(countAxis);
            // The figures are in the bar set's legend entry already; a marker per line would crowd it.
            for (QLegendMarker *marker : chart->legend()->markers(line))
                marker->setVisible(false);
            m_lines << line;
        }
    }
    if (runs.isEmpty())
        chart->legend()->hide();

    QChart *old = this->chart();
    setChart(chart);
    delete old; // setChart() does not delete the previous chart
}

} // namespace assay::ui
