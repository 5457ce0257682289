#include "ui/charts/accuracy_cost_chart.h"

#include <algorithm>
#include <cmath>

#include <QCursor>
#include <QGraphicsSimpleTextItem>
#include <QLocale>
#include <QPen>
#include <QToolTip>
#include <QtCharts/QChart>
#include <QtCharts/QLegend>
#include <QtCharts/QLegendMarker>
#include <QtCharts/QLineSeries>
#include <QtCharts/QScatterSeries>
#include <QtCharts/QValueAxis>

namespace assay::ui {

namespace {

const QColor kMet(0x2e, 0x7d, 0x32);     // green
const QColor kUnmet(0x8a, 0x8a, 0x8a);   // grey: still readable, clearly "not this one"
const QColor kAccuracyLine(0x15, 0x65, 0xc0);
const QColor kCostLine(0xe6, 0x51, 0x00);

QString percent(double fraction)
{
    return QLocale().toString(fraction * 100.0, 'f', 1) + QLatin1Char('%');
}

QString usd(double value)
{
    return QStringLiteral("$") + QLocale().toString(value, 'f', value >= 1.0 ? 2 : 4);
}

bool plottable(const AccuracyCostChart::Point &point)
{
    return point.accuracy && point.costPer1k && std::isfinite(*point.accuracy) && std::isfinite(*point.costPer1k);
}

} // namespace

bool AccuracyCostChart::meetsTargets(const Point &point, const Targets &targets)
{
    // Accuracy is a floor and cost a ceiling; meeting a target exactly counts (as in the table).
    if (targets.minAccuracy && !(point.accuracy && *point.accuracy >= *targets.minAccuracy))
        return false;
    if (targets.maxCostPer1k && !(point.costPer1k && *point.costPer1k <= *targets.maxCostPer1k))
        return false;
    return true;
}

AccuracyCostChart::Point AccuracyCostChart::fromEntry(const itemmodels::ModelSelectionModel::Entry &entry)
{
    Point point;
    point.runId = entry.runId;
    point.label = entry.method.isEmpty() ? entry.model : entry.method;
    point.accuracy = entry.accuracy;
    point.costPer1k = entry.costPer1k;
    return point;
}

AccuracyCostChart::AccuracyCostChart(QWidget *parent) : QChartView(parent)
{
    setRenderHint(QPainter::Antialiasing);
    setMinimumHeight(260);
    rebuild();
}

void AccuracyCostChart::setPoints(const QList<Point> &points)
{
    m_points = points;
    rebuild();
}

void AccuracyCostChart::setTargets(const Targets &targets)
{
    m_targets = targets;
    rebuild();
}

void AccuracyCostChart::setFromModel(const itemmodels::ModelSelectionModel &model)
{
    QList<Point> points;
    for (int row = 0; row < model.rowCount(); ++row)
        points << fromEntry(model.entry(row));
    m_points = points;
    m_targets = model.targets();
    rebuild();
}

QList<qint64> AccuracyCostChart::metRunIds() const
{
    QList<qint64> ids;
    for (const Point &point : m_points) {
        if (plottable(point) && meetsTargets(point, m_targets))
            ids << point.runId;
    }
    return ids;
}

QList<qint64> AccuracyCostChart::unplottedRunIds() const
{
    QList<qint64> ids;
    for (const Point &point : m_points) {
        if (!plottable(point))
            ids << point.runId;
    }
    return ids;
}

void AccuracyCostChart::rebuild()
{
    auto *chart = new QChart;
    chart->legend()->setAlignment(Qt::AlignBottom);
    m_labels.clear();
    const bool anyTarget = m_targets.minAccuracy || m_targets.maxCostPer1k;

    m_met = new QScatterSeries(chart);
    m_met->setName(anyTarget ? tr("Meets targets") : tr("Runs"));
    m_met->setMarkerShape(anyTarget ? QScatterSeries::MarkerShapeStar : QScatterSeries::MarkerShapeCircle);
    m_met->setMarkerSize(anyTarget ? 20.0 : 13.0);
    m_met->setColor(anyTarget ? kMet : kAccuracyLine);
    m_met->setBorderColor(anyTarget ? kMet.darker(140) : kAccuracyLine.darker(140));
    m_unmet = new QScatterSeries(chart);
    m_unmet->setName(tr("Misses a target"));
    m_unmet->setMarkerShape(QScatterSeries::MarkerShapeCircle);
    m_unmet->setMarkerSize(13.0);
    m_unmet->setColor(kUnmet);
    m_unmet->setBorderColor(kUnmet.darker(140));

    double maxCost = m_targets.maxCostPer1k.value_or(0.0);
    double minAccuracy = m_targets.minAccuracy.value_or(1.0) * 100.0;
    QStringList unplotted;
    for (const Point &point : std::as_const(m_points)) {
        if (!plottable(point)) {
            unplotted << point.label;
            continue;
        }
        const QPointF value(*point.costPer1k, *point.accuracy * 100.0);
        maxCost = std::max(maxCost, value.x());
        minAccuracy = std::min(minAccuracy, value.y());
        QScatterSeries *series = meetsTargets(point, m_targets) ? m_met : m_unmet;
        series->append(value);
        auto *label = new QGraphicsSimpleTextItem(point.label, chart);
        label->setZValue(20);
        m_labels.push_back({label, value, series});
    }

    QString title = tr("Accuracy vs cost per 1,000 items");
    if (!unplotted.isEmpty())
        title += QStringLiteral("<br><small>") +
                 tr("Not shown (no accuracy or cost estimate): %1").arg(unplotted.join(QStringLiteral(", ")).toHtmlEscaped()) +
                 QStringLiteral("</small>");
    chart->setTitle(title);

    // Room right of the farthest point for its label; accuracy from a round number below the
    // lowest point, so close runs (84.5% vs 91.5%) do not sit on one line at the top.
    auto *costAxis = new QValueAxis(chart);
    costAxis->setRange(0.0, maxCost > 0.0 ? maxCost * 1.25 : 1.0);
    costAxis->applyNiceNumbers(); // $0, $2, $4 ... rather than $3.72 steps
    const double xMax = costAxis->max();
    costAxis->setLabelFormat(xMax >= 10.0 ? QStringLiteral("$%.0f") : QStringLiteral("$%.2f"));
    costAxis->setTitleText(tr("Cost per 1,000 items (USD, estimated)"));
    const double yMin = std::clamp(std::floor((minAccuracy - 5.0) / 10.0) * 10.0, 0.0, 90.0);
    auto *accuracyAxis = new QValueAxis(chart);
    accuracyAxis->setRange(yMin, 100.0);
    accuracyAxis->setTickType(QValueAxis::TicksDynamic);
    accuracyAxis->setTickAnchor(0.0);
    accuracyAxis->setTickInterval(100.0 - yMin <= 30.0 ? 5.0 : 10.0);
    accuracyAxis->setLabelFormat(QStringLiteral("%d%%"));
    accuracyAxis->setTitleText(tr("Accuracy (% of items passed)"));
    chart->addAxis(costAxis, Qt::AlignBottom);
    chart->addAxis(accuracyAxis, Qt::AlignLeft);

    m_accuracyLine = nullptr;
    m_costLine = nullptr;
    if (m_targets.minAccuracy) {
        m_accuracyLine = new QLineSeries(chart);
        m_accuracyLine->setName(tr("Accuracy target ≥ %1").arg(percent(*m_targets.minAccuracy)));
        m_accuracyLine->append(0.0, *m_targets.minAccuracy * 100.0);
        m_accuracyLine->append(xMax, *m_targets.minAccuracy * 100.0);
        m_accuracyLine->setPen(QPen(kAccuracyLine, 2.0, Qt::DashLine));
    }
    if (m_targets.maxCostPer1k) {
        m_costLine = new QLineSeries(chart);
        m_costLine->setName(tr("Cost target ≤ %1").arg(usd(*m_targets.maxCostPer1k)));
        m_costLine->append(*m_targets.maxCostPer1k, yMin);
        m_costLine->append(*m_targets.maxCostPer1k, 100.0);
        m_costLine->setPen(QPen(kCostLine, 2.0, Qt::DashLine));
    }
    for (QLineSeries *line : {m_accuracyLine, m_costLine}) {
        if (!line)
            continue;
        chart->addSeries(line);
        line->attachAxis(costAxis);
        line->attachAxis(accuracyAxis);
    }
    // Points after the lines so they are drawn on top.
    for (QScatterSeries *series : {m_unmet, m_met}) {
        chart->addSeries(series);
        series->attachAxis(costAxis);
        series->attachAxis(accuracyAxis);
        connect(series, &QScatterSeries::hovered, this, [this](const QPointF &point, bool state) {
            if (!state) {
                QToolTip::hideText();
                return;
            }
            for (const Point &candidate : std::as_const(m_points)) {
                if (plottable(candidate) && qFuzzyCompare(*candidate.costPer1k + 1.0, point.x() + 1.0) &&
                    qFuzzyCompare(*candidate.accuracy * 100.0 + 1.0, point.y() + 1.0)) {
                    QToolTip::showText(QCursor::pos(), tr("%1\nAccuracy %2\nCost %3 per 1,000 items")
                                                           .arg(candidate.label, percent(*candidate.accuracy),
                                                                usd(*candidate.costPer1k)),
                                       this);
                    return;
                }
            }
        });
    }
    if (!anyTarget) {
        for (QLegendMarker *marker : chart->legend()->markers(m_unmet))
            marker->setVisible(false);
    }
    connect(chart, &QChart::plotAreaChanged, this, [this] { placeLabels(); });

    QChart *old = this->chart();
    setChart(chart);
    delete old; // setChart() does not delete the previous chart
    placeLabels();
}

void AccuracyCostChart::resizeEvent(QResizeEvent *event)
{
    QChartView::resizeEvent(event);
    placeLabels();
}

void AccuracyCostChart::placeLabels()
{
    QChart *current = chart();
    if (!current)
        return;
    const QRectF plot = current->plotArea();
    for (const Label &label : std::as_const(m_labels)) {
        const QPointF at = current->mapToPosition(label.value, label.series);
        const QRectF box = label.item->boundingRect();
        // Right of the point; left of it when that would leave the plot area.
        QPointF topLeft(at.x() + 10.0, at.y() - box.height() - 4.0);
        if (topLeft.x() + box.width() > plot.right())
            topLeft.setX(at.x() - 10.0 - box.width());
        if (topLeft.y() < plot.top())
            topLeft.setY(at.y() + 4.0);
        label.item->setPos(topLeft);
    }
}

} // namespace assay::ui
