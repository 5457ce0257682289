#pragma once

#include <QList>
#include <QString>
#include <QtCharts/QChartView>

#include "models/store/eval_store.h"

QT_BEGIN_NAMESPACE
class QBarSeries;
QT_END_NAMESPACE

namespace assay::ui {

// Pass rate (0-100 %) per testing criterion as grouped bars: one bar set per run, one category
// per criterion (in the order the runs name them). Read from each run's stored summary.
class PassRateChart : public QChartView {
    Q_OBJECT
public:
    explicit PassRateChart(QWidget *parent = nullptr);

    void setRuns(const QList<store::RunRecord> &runs);
    QBarSeries *series() const { return m_series; }
    int barSetCount() const;
    QStringList categories() const { return m_categories; }

private:
    QBarSeries *m_series = nullptr;
    QStringList m_categories;
};

} // namespace assay::ui
