#pragma once

#include <optional>
#include <vector>

#include <QList>
#include <QString>
#include <QtCharts/QChartView>

#include "models/store/eval_store.h"
#include "models/store/run_item_reader.h"

QT_BEGIN_NAMESPACE
class QBarSeries;
class QLineSeries;
QT_END_NAMESPACE

namespace assay::itemmodels {
class OutputItemsModel;
}

namespace assay::ui {

// Sampling latency of one or more runs' items as a histogram (grouped bars, one set per run), with
// each run's p50 and p95 drawn as vertical lines (dashed p50, dotted p95) and given in its legend
// entry. Bins share one "nice" width (1, 2 or 5 x 10^k ms, about 20 bins); a long tail (a few
// timeouts) would squash every other bar, so values above 1.5 x p99 go into a last "≥ edge" bin.
class LatencyHistogramChart : public QChartView {
    Q_OBJECT
public:
    static constexpr int TargetBins = 20;

    struct Run {
        QString label;              // run name
        std::vector<double> latencyMs; // one per item; negative (unknown) values are ignored
    };
    struct Binning {
        double low = 0.0;   // lower edge of the first bin (ms)
        double width = 1.0; // ms
        int bins = 1;
        bool overflow = false; // the last bin holds everything >= low + (bins - 1) * width
        int binOf(double ms) const;
        double lowerEdge(int bin) const { return low + bin * width; }
    };
    struct RunStats {
        QString label;
        qint64 count = 0;
        std::optional<double> p50Ms; // nearest rank, like RunSummary
        std::optional<double> p95Ms;
        std::vector<int> counts; // Binning::bins entries
    };

    static Binning chooseBinning(const std::vector<double> &allLatencyMs, int targetBins = TargetBins);
    // Latencies of the model's rows (unknown ones left out).
    static std::vector<double> latencies(const itemmodels::OutputItemsModel &model);
    // Sampling latencies of stored items: cache hits and unknown latencies left out, like RunSummary.
    static std::vector<double> latencies(const std::vector<store::OutputItemRecord> &items);
    // The same from RunItemReader::readDigests batches (the cheap path for 100k-item runs).
    static std::vector<double> latencies(const std::vector<store::ItemDigest> &digests);

    explicit LatencyHistogramChart(QWidget *parent = nullptr);

    void setRuns(const QList<Run> &runs);
    void setLatencies(const QString &label, const std::vector<double> &latencyMs) { setRuns({Run{label, latencyMs}}); }

    const Binning &binning() const { return m_binning; }
    const QList<RunStats> &stats() const { return m_stats; }
    QBarSeries *series() const { return m_series; }
    // The p50 and p95 lines, two per run with items (p50 first).
    QList<QLineSeries *> percentileLines() const { return m_lines; }
    QString binLabel(int bin) const;

private:
    Binning m_binning;
    QList<RunStats> m_stats;
    QBarSeries *m_series = nullptr;
    QList<QLineSeries *> m_lines;
};

} // namespace assay::ui
