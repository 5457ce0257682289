#include "ui/charts/score_histogram_chart.h"

#include <algorithm>
#include <cmath>

#include <QtCharts/QBarCategoryAxis>
#include <QtCharts/QBarSeries>
#include <QtCharts/QBarSet>
#include <QtCharts/QChart>
#include <QtCharts/QValueAxis>

#include "models/itemmodels/output_items_model.h"

namespace assay::ui {

ScoreHistogramChart::Histogram ScoreHistogramChart::compute(const std::vector<double> &scores, int bins)
{
    Histogram histogram;
    bins = std::max(bins, 1);
    histogram.counts.assign(static_cast<std::size_t>(bins), 0);
    std::vector<double> finite;
    for (double score : scores) {
        if (std::isfinite(score))
            finite.push_back(score);
    }
    if (finite.empty())
        return histogram;
    const auto [minIt, maxIt] = std::minmax_element(finite.begin(), finite.end());
    if (*minIt < 0.0 || *maxIt > 1.0) {
        histogram.low = *minIt;
        histogram.high = *maxIt > *minIt ? *maxIt : *minIt + 1.0;
    }
    const double width = (histogram.high - histogram.low) / bins;
    for (double score : finite) {
        int bin = static_cast<int>(std::floor((score - histogram.low) / width));
        bin = std::clamp(bin, 0, bins - 1);
        ++histogram.counts[static_cast<std::size_t>(bin)];
    }
    return histogram;
}

ScoreHistogramChart::ScoreHistogramChart(QWidget *parent) : QChartView(parent)
{
    setRenderHint(QPainter::Antialiasing);
    setMinimumHeight(200);
    setScores({}, {});
}

void ScoreHistogramChart::setFromModel(const itemmodels::OutputItemsModel &model, int criterion)
{
    std::vector<double> scores;
    if (criterion >= 0 && criterion < model.criteria().size()) {
        for (int row = 0; row < model.rowCount(); ++row) {
            if (const auto score = model.score(row, criterion))
                scores.push_back(*score);
        }
    }
    setScores(model.criteria().value(criterion), scores);
}

void ScoreHistogramChart::setScores(const QString &criterion, const std::vector<double> &scores)
{
    m_histogram = compute(scores);
    auto *chart = new QChart;
    chart->setTitle(criterion.isEmpty() ? tr("Scores") : tr("Scores: %1 (%2 items)").arg(criterion).arg(scores.size()));
    chart->legend()->hide();
    m_series = new QBarSeries(chart);
    m_series->setBarWidth(0.95);
    auto *set = new QBarSet(tr("Items"));
    QStringList labels;
    const int bins = static_cast<int>(m_histogram.counts.size());
    const double width = (m_histogram.high - m_histogram.low) / bins;
    int highest = 0;
    for (int i = 0; i < bins; ++i) {
        const int count = m_histogram.counts[static_cast<std::size_t>(i)];
        set->append(count);
        highest = std::max(highest, count);
        // Each bin by its lower edge: a full range per bar does not fit under narrow bars.
        labels << QString::number(m_histogram.low + i * width, 'g', 2);
    }
    m_series->append(set);
    chart->addSeries(m_series);
    auto *categoryAxis = new QBarCategoryAxis(chart);
    categoryAxis->append(labels);
    chart->addAxis(categoryAxis, Qt::AlignBottom);
    m_series->attachAxis(categoryAxis);
    auto *valueAxis = new QValueAxis(chart);
    valueAxis->setRange(0, std::max(highest, 1));
    valueAxis->setLabelFormat(QStringLiteral("%d"));
    // Whole counts only: ticks every 1, 2, 3... items.
    valueAxis->setTickType(QValueAxis::TicksDynamic);
    valueAxis->setTickAnchor(0);
    valueAxis->setTickInterval(std::max(1, (highest + 4) / 5));
    valueAxis->setTitleText(tr("Items"));
    categoryAxis->setTitleText(tr("Score (bin from)"));
    categoryAxis->setLabelsAngle(-90); // ten labels side by side get elided in a narrow dock
    chart->addAxis(valueAxis, Qt::AlignLeft);
    m_series->attachAxis(valueAxis);

    QChart *old = this->chart();
    setChart(chart);
    delete old;
}

} // namespace assay::ui
