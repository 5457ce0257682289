#pragma once

#include <optional>
#include <vector>

#include <QList>
#include <QString>
#include <QtCharts/QChartView>

#include "models/itemmodels/model_selection_model.h"

QT_BEGIN_NAMESPACE
class QGraphicsSimpleTextItem;
class QLineSeries;
class QScatterSeries;
QT_END_NAMESPACE

namespace assay::ui {

// Accuracy against cost per 1,000 items, one point per run, labelled with the run's method (its
// name, else its model): the Model selection guide's trade-off at a glance. The accuracy target is
// a horizontal line, the cost target a vertical one; runs meeting both (of the targets set) are
// green stars in a "Meets targets" series, the others grey circles. Latency targets are the
// table's business: a point here answers "accurate enough, cheap enough?". Runs without an
// accuracy or a cost estimate cannot be placed and are named under the title instead.
class AccuracyCostChart : public QChartView {
    Q_OBJECT
public:
    struct Point {
        qint64 runId = 0;
        QString label;
        std::optional<double> accuracy; // fraction 0..1
        std::optional<double> costPer1k; // USD
    };
    using Targets = itemmodels::ModelSelectionModel::Targets;

    // Whether the point meets the accuracy and cost targets that are set (true when none is set).
    static bool meetsTargets(const Point &point, const Targets &targets);
    static Point fromEntry(const itemmodels::ModelSelectionModel::Entry &entry);

    explicit AccuracyCostChart(QWidget *parent = nullptr);

    void setPoints(const QList<Point> &points);
    void setTargets(const Targets &targets);
    // The model's rows and targets (call again, or connect modelReset/targetsChanged, to follow it).
    void setFromModel(const itemmodels::ModelSelectionModel &model);

    const QList<Point> &points() const { return m_points; }
    Targets targets() const { return m_targets; }
    QScatterSeries *metSeries() const { return m_met; }     // "Meets targets" (or all runs when no target is set)
    QScatterSeries *unmetSeries() const { return m_unmet; } // "Misses a target"
    QLineSeries *accuracyTargetLine() const { return m_accuracyLine; } // null without an accuracy target
    QLineSeries *costTargetLine() const { return m_costLine; }         // null without a cost target
    QList<qint64> metRunIds() const;
    QList<qint64> unplottedRunIds() const;

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    void rebuild();
    void placeLabels();

    QList<Point> m_points;
    Targets m_targets;
    QScatterSeries *m_met = nullptr;
    QScatterSeries *m_unmet = nullptr;
    QLineSeries *m_accuracyLine = nullptr;
    QLineSeries *m_costLine = nullptr;
    struct Label {
        QGraphicsSimpleTextItem *item = nullptr;
        QPointF value; // chart coordinates (cost, accuracy %)
        QScatterSeries *series = nullptr;
    };
    QList<Label> m_labels;
};

} // namespace assay::ui
