#pragma once

#include <optional>
#include <vector>

#include <QAbstractListModel>
#include <QElapsedTimer>

#include "models/api/api_client.h"
#include "models/api/api_error.h"
#include "models/api/response_result.h"
#include "models/api/stream_accumulator.h"
#include "models/prompt/pricing.h"

namespace assay::itemmodels {

// The output of one response as it arrives: one row per part (reasoning summary, message text,
// refusal, each tool call) in arrival order, plus the run's metrics and error. A delta to an
// existing part appends and emits dataChanged for that row only, so a view can redraw just the
// tail; a new part inserts a row. Never reset per token.
class ResponseModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum class PartKind { ReasoningSummary, Text, Refusal, ToolCall };
    Q_ENUM(PartKind)

    enum Role {
        KindRole = Qt::UserRole + 1, // PartKind as int
        TextRole,                    // the part's text (tool call: its arguments JSON text)
        ToolNameRole,                // tool calls only
        ToolCallIdRole,              // tool calls only, once known
    };

    struct Metrics {
        std::optional<qint64> timeToFirstTokenMs;
        std::optional<qint64> totalMs;
        std::optional<double> outputTokensPerSecond;
        std::optional<api::TokenUsage> usage;
        std::optional<double> costUsd; // nullopt: no price for the model (or no usage yet)
        QString model;                 // as the server named it, else as requested
        QString systemFingerprint;
        QString requestId;
        QString serviceTier;
        QString responseId;
        QString status;
        QString finishReason;
        int httpStatus = 0;
        int retries = 0;
        int logprobCount = 0;
    };

    explicit ResponseModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Forgets everything of the previous run.
    void clear();

    // Follows one call: started/headers/deltas/retrying/finished. A previously attached call is
    // let go (its late signals are ignored). The model does not own the call.
    void attach(api::ApiCall *call);
    api::ApiCall *attachedCall() const { return m_call; }

    void setPricing(const prompt::Pricing &pricing);
    const prompt::Pricing &pricing() const { return m_pricing; }
    // The model the request asked for: used for the cost until the server names its model.
    void setRequestedModel(const QString &model);

    // The feeding API the call's signals go through (tests and benchmarks drive it directly).
    void markStarted();
    void applyHeaders(int httpStatus, const QString &requestId);
    void applyDelta(const api::OutputDelta &delta);
    void applyRetry(int attempt, int delayMs, const api::ApiError &reason);
    void applyResult(const api::ResponseResult &result);
    // An error found before anything was sent (invalid parameters, missing key, ...).
    void setError(const std::optional<api::ApiError> &error);

    bool isRunning() const { return m_running; }
    const Metrics &metrics() const { return m_metrics; }
    const std::optional<api::ApiError> &error() const { return m_error; }
    // The last finished result (logprobs, raw response); empty while a run streams.
    const api::ResponseResult &result() const { return m_result; }

    PartKind kind(int row) const { return m_parts.at(static_cast<std::size_t>(row)).kind; }
    QString partText(int row) const { return m_parts.at(static_cast<std::size_t>(row)).text; }
    QString toolName(int row) const { return m_parts.at(static_cast<std::size_t>(row)).toolName; }
    // The message text (what the model answered), as raw Markdown.
    QString text() const;
    // Milliseconds since the request went out while a run is live, else the final total.
    std::optional<qint64> elapsedMs() const;

Q_SIGNALS:
    void metricsChanged();
    void errorChanged();
    void runningChanged(bool running);
    void retryScheduled(int attempt, int delayMs, const QString &reason);
    void runFinished();

private:
    struct Part {
        PartKind kind = PartKind::Text;
        int index = 0; // tool call index (output index on Responses); unused for text parts
        QString text;
        QString toolName;
        QString toolCallId;
    };

    int findPart(PartKind kind, int index) const;
    int appendPart(Part part);
    void appendToPart(int row, const QString &text);
    void setPartText(int row, const QString &text);
    void reconcile(const api::ResponseResult &result);
    void updateCost();
    void setRunning(bool running);

    std::vector<Part> m_parts;
    Metrics m_metrics;
    std::optional<api::ApiError> m_error;
    api::ResponseResult m_result;
    prompt::Pricing m_pricing;
    QString m_requestedModel;
    api::ApiCall *m_call = nullptr; // not owned; cleared when destroyed
    QElapsedTimer m_clock;
    bool m_running = false;
    bool m_sawDelta = false;
    mutable int m_lastRow = -1; // the part the last delta went to: nearly always the next one's too
};

} // namespace assay::itemmodels
