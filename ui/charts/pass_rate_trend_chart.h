#pragma once

#include <optional>

#include <QDateTime>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>
#include <QtCharts/QChartView>

#include "models/store/eval_store.h"

QT_BEGIN_NAMESPACE
class QLineSeries;
class QScatterSeries;
QT_END_NAMESPACE

namespace assay::ui {

// Pass rate over time for one eval: its runs in created order on a date-time axis, an "Overall"
// line (passed / graded items, as the runs table shows it) and a line per testing criterion
// (passed / (passed + failed) of that criterion). A run whose pass rate fell by more than the
// threshold since the previous run on the same line is a regression: a red triangle on that
// line, and listed in the chart's tooltip.
//
// Why 2 points by default: a pass rate moves in steps of 100 / n points, and sampling is not
// deterministic (even at temperature 0 a few items flip between identical runs). Flagging every
// drop would mark noise on most runs; more than 2 points ignores one item in 50 changing its
// mind and rounding, and still catches 3 items in 100 failing that used to pass.
class PassRateTrendChart : public QChartView {
    Q_OBJECT
public:
    static constexpr double DefaultThresholdPoints = 2.0;

    struct RunPoint {
        qint64 runId = 0;
        QString label;
        QDateTime createdAt;
        std::optional<double> overall;       // percent 0..100; nullopt without graded items
        QMap<QString, double> perCriterion; // percent 0..100, criteria with graded items only
        QStringList criteriaOrder;          // as the run's summary names them
    };
    struct Regression {
        qint64 runId = 0;
        QString runLabel;
        QString line; // "Overall" or a criterion's name
        QDateTime createdAt;
        double previous = 0.0; // percent
        double current = 0.0;  // percent
    };

    static RunPoint fromRun(const store::RunRecord &run); // from the run's stored summary
    // Every run of the eval `evalKey` (all its versions: editing a grader is what a trend shows).
    static QList<store::RunRecord> runsOfEval(const store::EvalStore &store, qint64 evalKey);
    static QString overallName();
    // Regressions over points already in created order: a line's value dropping by more than
    // `thresholdPoints` against the previous run that has a value on that line.
    static QList<Regression> findRegressions(const QList<RunPoint> &ordered, double thresholdPoints,
                                             bool includeCriteria = true);

    explicit PassRateTrendChart(QWidget *parent = nullptr);

    // Runs without a summary (not started) are left out; the rest are sorted by created_at, then id.
    void setRuns(const QList<store::RunRecord> &runs);
    void setPoints(QList<RunPoint> points);
    void setThreshold(double points); // percentage points, >= 0
    double threshold() const { return m_threshold; }
    void setShowCriteria(bool show);  // false: the overall line only
    bool showCriteria() const { return m_showCriteria; }

    const QList<RunPoint> &points() const { return m_points; } // in created order
    const QList<Regression> &regressions() const { return m_regressions; }
    QList<qint64> regressedRunIds() const; // each once, in created order
    QList<QLineSeries *> lines() const { return m_lines; } // overall first
    QScatterSeries *regressionSeries() const { return m_regressionSeries; }

private:
    void rebuild();

    QList<RunPoint> m_points;
    QList<Regression> m_regressions;
    double m_threshold = DefaultThresholdPoints;
    bool m_showCriteria = true;
    QList<QLineSeries *> m_lines;
    QScatterSeries *m_regressionSeries = nullptr;
};

} // namespace assay::ui
