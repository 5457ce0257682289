#include "ui/charts/pass_rate_trend_chart.h"

#include <algorithm>

#include <QCursor>
#include <QHash>
#include <QLocale>
#include <QPen>
#include <QToolTip>
#include <QtCharts/QChart>
#include <QtCharts/QDateTimeAxis>
#include <QtCharts/QLineSeries>
#include <QtCharts/QScatterSeries>
#include <QtCharts/QValueAxis>

#include "models/eval/run_summary.h"

namespace assay::ui {

namespace {

QString pct(double value)
{
    return QLocale().toString(value, 'f', 1) + QLatin1Char('%');
}

QString when(const QDateTime &at)
{
    return QLocale().toString(at.toLocalTime(), QStringLiteral("yyyy-MM-dd HH:mm"));
}

std::optional<double> valueOn(const PassRateTrendChart::RunPoint &point, const QString &line)
{
    if (line == PassRateTrendChart::overallName())
        return point.overall;
    const auto it = point.perCriterion.constFind(line);
    return it == point.perCriterion.constEnd() ? std::nullopt : std::optional<double>(*it);
}

QStringList lineNames(const QList<PassRateTrendChart::RunPoint> &points, bool includeCriteria)
{
    QStringList names{PassRateTrendChart::overallName()};
    if (!includeCriteria)
        return names;
    for (const auto &point : points) {
        for (const QString &criterion : point.criteriaOrder) {
            if (!names.contains(criterion))
                names << criterion;
        }
    }
    return names;
}

} // namespace

QString PassRateTrendChart::overallName()
{
    return tr("Overall");
}

PassRateTrendChart::RunPoint PassRateTrendChart::fromRun(const store::RunRecord &run)
{
    RunPoint point;
    point.runId = run.id;
    point.label = run.name.isEmpty() ? tr("Run %1").arg(run.id) : run.name;
    point.createdAt = run.createdAt;
    if (!run.summary.is_object())
        return point;
    const eval::RunSummary summary = eval::RunSummary::fromJson(run.summary);
    if (summary.total > 0)
        point.overall = 100.0 * summary.passRate();
    for (const auto &criterion : summary.perCriterion) {
        const QString name = QString::fromStdString(criterion.name);
        point.criteriaOrder << name;
        const qint64 graded = criterion.passed + criterion.failed;
        if (graded > 0)
            point.perCriterion.insert(name, 100.0 * static_cast<double>(criterion.passed) / static_cast<double>(graded));
    }
    return point;
}

QList<store::RunRecord> PassRateTrendChart::runsOfEval(const store::EvalStore &store, qint64 evalKey)
{
    QList<store::RunRecord> runs;
    QHash<qint64, qint64> keyOfVersion; // one eval() lookup per version, not per run
    for (const store::RunRecord &run : store.runs()) {
        auto it = keyOfVersion.constFind(run.evalId);
        if (it == keyOfVersion.constEnd()) {
            const auto eval = store.eval(run.evalId);
            it = keyOfVersion.insert(run.evalId, eval ? eval->evalKey : -1);
        }
        if (*it == evalKey)
            runs << run;
    }
    return runs;
}

QList<PassRateTrendChart::Regression> PassRateTrendChart::findRegressions(const QList<RunPoint> &ordered,
                                                                          double thresholdPoints, bool includeCriteria)
{
    QList<Regression> found;
    const QStringList names = lineNames(ordered, includeCriteria);
    for (const RunPoint &point : ordered) {
        for (const QString &line : names) {
            const std::optional<double> current = valueOn(point, line);
            if (!current)
                continue;
            // The previous run with a value on this line (a run may lack a criterion).
            std::optional<double> previous;
            for (const RunPoint &earlier : ordered) {
                if (&earlier == &point)
                    break;
                if (const auto value = valueOn(earlier, line))
                    previous = value;
            }
            if (previous && *previous - *current > thresholdPoints)
                found.push_back({point.runId, point.label, line, point.createdAt, *previous, *current});
        }
    }
    return found;
}

PassRateTrendChart::PassRateTrendChart(QWidget *parent) : QChartView(parent)
{
    setRenderHint(QPainter::Antialiasing);
    setMinimumHeight(220);
    rebuild();
}

void PassRateTrendChart::setRuns(const QList<store::RunRecord> &runs)
{
    QList<RunPoint> points;
    for (const store::RunRecord &run : runs) {
        if (run.summary.is_object())
            points << fromRun(run);
    }
    setPoints(std::move(points));
}

void PassRateTrendChart::setPoints(QList<RunPoint> points)
{
    std::stable_sort(points.begin(), points.end(), [](const RunPoint &a, const RunPoint &b) {
        return a.createdAt != b.createdAt ? a.createdAt < b.createdAt : a.runId < b.runId;
    });
    m_points = std::move(points);
    rebuild();
}

void PassRateTrendChart::setThreshold(double points)
{
    m_threshold = std::max(points, 0.0);
    rebuild();
}

void PassRateTrendChart::setShowCriteria(bool show)
{
    m_showCriteria = show;
    rebuild();
}

QList<qint64> PassRateTrendChart::regressedRunIds() const
{
    QList<qint64> ids;
    for (const Regression &regression : m_regressions) {
        if (!ids.contains(regression.runId))
            ids << regression.runId;
    }
    return ids;
}

void PassRateTrendChart::rebuild()
{
    m_regressions = findRegressions(m_points, m_threshold, m_showCriteria);
    m_lines.clear();

    auto *chart = new QChart;
    chart->setTitle(tr("Pass rate over time"));
    chart->legend()->setAlignment(Qt::AlignBottom);

    auto *timeAxis = new QDateTimeAxis(chart);
    timeAxis->setTitleText(tr("Run created"));
    QDateTime first = m_points.isEmpty() ? QDateTime::currentDateTimeUtc() : m_points.front().createdAt;
    QDateTime last = m_points.isEmpty() ? first : m_points.back().createdAt;
    // Margins so the first and last markers are not cut in half by the plot edge.
    const qint64 span = first.msecsTo(last);
    const qint64 pad = span > 0 ? std::max<qint64>(span / 20, 60 * 1000) : 3600 * 1000;
    first = first.addMSecs(-pad);
    last = last.addMSecs(pad);
    timeAxis->setRange(first.toLocalTime(), last.toLocalTime());
    timeAxis->setFormat(first.daysTo(last) >= 2 ? QStringLiteral("MMM d") : QStringLiteral("MMM d HH:mm"));
    timeAxis->setTickCount(std::clamp(static_cast<int>(m_points.size()) + 1, 3, 7));
    auto *rateAxis = new QValueAxis(chart);
    rateAxis->setRange(0.0, 100.0);
    rateAxis->setLabelFormat(QStringLiteral("%d%%"));
    rateAxis->setTitleText(tr("Pass rate"));
    chart->addAxis(timeAxis, Qt::AlignBottom);
    chart->addAxis(rateAxis, Qt::AlignLeft);

    auto showPointTip = [this](const QString &line, const QPointF &at) {
        for (const RunPoint &point : std::as_const(m_points)) {
            if (point.createdAt.toMSecsSinceEpoch() != static_cast<qint64>(at.x()))
                continue;
            if (const auto value = valueOn(point, line)) {
                QToolTip::showText(QCursor::pos(),
                                   QStringLiteral("<qt>%1<br>%2<br>%3: %4</qt>")
                                       .arg(point.label.toHtmlEscaped(), when(point.createdAt), line.toHtmlEscaped(), pct(*value)),
                                   this);
                return;
            }
        }
    };

    for (const QString &name : lineNames(m_points, m_showCriteria)) {
        auto *line = new QLineSeries(chart);
        line->setName(name.toHtmlEscaped()); // legend labels are HTML; criterion names are the user's
        for (const RunPoint &point : std::as_const(m_points)) {
            if (const auto value = valueOn(point, name))
                line->append(static_cast<double>(point.createdAt.toMSecsSinceEpoch()), *value);
        }
        line->setPointsVisible(true);
        if (name == overallName()) {
            QPen pen = line->pen();
            pen.setWidthF(3.0);
            line->setPen(pen);
        }
        chart->addSeries(line);
        line->attachAxis(timeAxis);
        line->attachAxis(rateAxis);
        connect(line, &QLineSeries::hovered, this, [showPointTip, name](const QPointF &at, bool state) {
            if (state)
                showPointTip(name, at);
            else
                QToolTip::hideText();
        });
        m_lines << line;
    }

    m_regressionSeries = new QScatterSeries(chart);
    m_regressionSeries->setName(tr("Regression (drop > %1 points)").arg(QLocale().toString(m_threshold, 'g', 3)));
    m_regressionSeries->setMarkerShape(QScatterSeries::MarkerShapeTriangle);
    m_regressionSeries->setMarkerSize(16.0);
    m_regressionSeries->setColor(QColor(0xc6, 0x28, 0x28));
    m_regressionSeries->setBorderColor(QColor(0x7f, 0x00, 0x00));
    for (const Regression &regression : std::as_const(m_regressions))
        m_regressionSeries->append(static_cast<double>(regression.createdAt.toMSecsSinceEpoch()), regression.current);
    chart->addSeries(m_regressionSeries);
    m_regressionSeries->attachAxis(timeAxis);
    m_regressionSeries->attachAxis(rateAxis);

    // Names and labels are the user's text: escaped, and the tooltip forced to rich text.
    QString tip;
    if (m_regressions.isEmpty()) {
        tip = tr("No regressions (a drop of more than %1 points against the previous run).")
                  .arg(QLocale().toString(m_threshold, 'g', 3));
    } else {
        tip = QStringLiteral("<qt><b>") +
              tr("Regressions (a drop of more than %1 points against the previous run):")
                  .arg(QLocale().toString(m_threshold, 'g', 3)) +
              QStringLiteral("</b>");
        for (const Regression &regression : std::as_const(m_regressions)) {
            tip += QStringLiteral("<br>• ") + tr("%1 (%2), %3: %4 → %5")
                                                 .arg(regression.runLabel.toHtmlEscaped(), when(regression.createdAt),
                                                      regression.line.toHtmlEscaped(), pct(regression.previous),
                                                      pct(regression.current));
        }
        tip += QStringLiteral("</qt>");
    }
    setToolTip(tip);

    QChart *old = this->chart();
    setChart(chart);
    delete old; // setChart() does not delete the previous chart
}

} // namespace assay::ui
