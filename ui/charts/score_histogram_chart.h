#pragma once

#include <vector>

#include <QString>
#include <QtCharts/QChartView>

QT_BEGIN_NAMESPACE
class QBarSeries;
QT_END_NAMESPACE

namespace assay::itemmodels {
class OutputItemsModel;
}

namespace assay::ui {

// Histogram of one criterion's scores: 10 bins over [0, 1], or over the observed range when a
// score falls outside it.
class ScoreHistogramChart : public QChartView {
    Q_OBJECT
public:
    static constexpr int Bins = 10;
    struct Histogram {
        double low = 0.0;
        double high = 1.0;
        std::vector<int> counts; // Bins entries; the top edge belongs to the last bin
    };
    static Histogram compute(const std::vector<double> &scores, int bins = Bins);

    explicit ScoreHistogramChart(QWidget *parent = nullptr);

    void setScores(const QString &criterion, const std::vector<double> &scores);
    // The scores of `criterion` over the model's rows (items without a score are left out).
    void setFromModel(const itemmodels::OutputItemsModel &model, int criterion);

    const Histogram &histogram() const { return m_histogram; }
    QBarSeries *series() const { return m_series; }

private:
    Histogram m_histogram;
    QBarSeries *m_series = nullptr;
};

} // namespace assay::ui
