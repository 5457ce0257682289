#include "ui/charts/pass_rate_chart.h"

#include <QtCharts/QBarCategoryAxis>
#include <QtCharts/QBarSeries>
#include <QtCharts/QBarSet>
#include <QtCharts/QChart>
#include <QtCharts/QValueAxis>

#include "models/eval/run_summary.h"

namespace assay::ui {

PassRateChart::PassRateChart(QWidget *parent) : QChartView(parent)
{
    setRenderHint(QPainter::Antialiasing);
    setMinimumHeight(200);
    setRuns({});
}

int PassRateChart::barSetCount() const
{
    return m_series ? static_cast<int>(m_series->count()) : 0;
}

void PassRateChart::setRuns(const QList<store::RunRecord> &runs)
{
    // A fresh chart each time: axes and categories change with the runs, and QChart does not
    // shrink category axes on its own.
    auto *chart = new QChart;
    chart->setTitle(tr("Pass rate per criterion"));
    chart->legend()->setAlignment(Qt::AlignBottom);
    m_series = new QBarSeries(chart);
    m_categories.clear();

    std::vector<eval::RunSummary> summaries;
    for (const store::RunRecord &run : runs) {
        summaries.push_back(eval::RunSummary::fromJson(run.summary));
        for (const auto &criterion : summaries.back().perCriterion) {
            const QString name = QString::fromStdString(criterion.name);
            if (!m_categories.contains(name))
                m_categories << name;
        }
    }
    for (int i = 0; i < runs.size(); ++i) {
        const store::RunRecord &run = runs[i];
        const QString label = run.name.isEmpty() ? tr("Run %1").arg(run.id) : run.name;
        // Qt Charts renders legend labels as rich text: a run's name is the user's text, not markup.
        auto *set = new QBarSet(label.toHtmlEscaped());
        for (const QString &category : std::as_const(m_categories)) {
            double rate = 0.0;
            for (const auto &criterion : summaries[static_cast<std::size_t>(i)].perCriterion) {
                const qint64 graded = criterion.passed + criterion.failed;
                if (QString::fromStdString(criterion.name) == category && graded > 0)
                    rate = 100.0 * static_cast<double>(criterion.passed) / static_cast<double>(graded);
            }
            set->append(rate);
        }
        m_series->append(set);
    }
    chart->addSeries(m_series);

    auto *categoryAxis = new QBarCategoryAxis(chart);
    categoryAxis->append(m_categories);
    chart->addAxis(categoryAxis, Qt::AlignBottom);
    m_series->attachAxis(categoryAxis);
    auto *valueAxis = new QValueAxis(chart);
    valueAxis->setRange(0, 100);
    valueAxis->setLabelFormat(QStringLiteral("%d %%"));
    chart->addAxis(valueAxis, Qt::AlignLeft);
    m_series->attachAxis(valueAxis);

    QChart *old = this->chart();
    setChart(chart);
    delete old; // setChart() does not delete the previous chart
}

} // namespace assay::ui
