#pragma once

#include <map>

#include <QFrame>
#include <QTimer>

#include "models/itemmodels/response_model.h"

class QLabel;
class QToolButton;

namespace assay::ui {

// The figures of the last run under the response: latency (time to first token, total),
// speed, token usage (input / cached / output / reasoning, accepted and rejected prediction
// tokens), estimated cost, model, service tier, system_fingerprint and the request id (selectable,
// with a copy button). Figures that do not apply are hidden; the elapsed time ticks while a run
// streams.
class MetricsBar : public QFrame {
    Q_OBJECT
public:
    enum class Metric {
        TimeToFirstToken,
        Total,
        Speed,
        InputTokens,
        CachedTokens,
        OutputTokens,
        ReasoningTokens,
        AcceptedPrediction,
        RejectedPrediction,
        Cost,
        Model,
        ServiceTier,
        Fingerprint,
        RequestId,
        Logprobs,
    };

    explicit MetricsBar(QWidget *parent = nullptr);

    void setModel(itemmodels::ResponseModel *model);

    // The text a metric shows, empty when it is hidden.
    QString valueText(Metric metric) const;
    bool isMetricVisible(Metric metric) const;

    static QString formatDuration(qint64 ms);
    static QString formatCount(qint64 count);
    static QString formatCost(double usd);

Q_SIGNALS:
    void logprobsRequested();

private:
    struct Cell {
        QWidget *widget = nullptr;
        QLabel *value = nullptr;
    };

    Cell addCell(Metric metric, const QString &key, const QString &caption, const QString &toolTip,
                 bool selectable = false);
    void set(Metric metric, const QString &value, const QString &toolTip = QString());
    void hide(Metric metric);
    void refresh();

    itemmodels::ResponseModel *m_model = nullptr; // not owned; cleared when destroyed
    std::map<Metric, Cell> m_cells;
    QToolButton *m_copyRequestId = nullptr;
    QToolButton *m_logprobsButton = nullptr;
    QLabel *m_placeholder = nullptr;
    QTimer m_tick; // refreshes the elapsed time while a run streams
};

} // namespace assay::ui
