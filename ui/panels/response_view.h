#pragma once

#include <vector>

#include <QElapsedTimer>
#include <QTimer>

#include <QWidget>

#include "models/itemmodels/response_model.h"

class QLabel;
class QScrollArea;
class QVBoxLayout;
class QFrame;
class QToolButton;

namespace assay::ui {

class MetricsBar;
class StreamingMarkdownView;

// Shows one response as it streams: the message as rendered Markdown (code blocks in
// monospace boxes), the reasoning summary in a collapsible muted box, a refusal highlighted,
// each tool call as a card with its arguments pretty-printed; an error banner above the partial
// output; a "retrying in N s" notice; the metrics bar below.
//
// Streaming stays cheap: model changes only mark parts dirty, and a timer re-renders at most
// every 33 ms (less often when a render pass is slow); the Markdown view renders settled blocks
// once and re-renders only the unsettled tail.
class ResponseView : public QWidget {
    Q_OBJECT
public:
    explicit ResponseView(QWidget *parent = nullptr);
    ~ResponseView() override;

    void setModel(itemmodels::ResponseModel *model);
    itemmodels::ResponseModel *model() const { return m_model; }
    MetricsBar *metricsBar() const { return m_metrics; }

    // What the message part shows now: as plain text (rendered) and as the Markdown it renders.
    QString displayedText() const;
    QString displayedMarkdown() const;
    bool isErrorBannerVisible() const;
    QString errorBannerText() const;
    bool isRetryNoticeVisible() const;
    QString retryNoticeText() const;

    // Renders pending changes now instead of waiting for the coalescing timer.
    void flush();

    struct RenderStats {
        int passes = 0;
        qint64 lastPassNs = 0;
        qint64 maxPassNs = 0;
        qint64 totalPassNs = 0;
        int intervalMs = 0;
    };
    const RenderStats &renderStats() const { return m_stats; }
    void resetRenderStats() { m_stats = RenderStats(); }

    static constexpr int kMinRenderIntervalMs = 33;
    static constexpr int kMaxRenderIntervalMs = 250;

Q_SIGNALS:
    void renderPassFinished(qint64 nanoseconds);

private:
    class PartWidget;
    class TextPart;
    class ReasoningPart;
    class RefusalPart;
    class ToolCallPart;

    void onRowsInserted(int first, int last);
    void onDataChanged(int first, int last);
    void rebuildParts();
    void scheduleRender();
    void renderPass();
    void updateBanner();
    void updatePlaceholder();
    void showRetry(int attempt, int delayMs, const QString &reason);
    void hideRetry();
    void updateRetryText();
    PartWidget *createPart(int row);

    itemmodels::ResponseModel *m_model = nullptr; // not owned; cleared when destroyed
    std::vector<PartWidget *> m_parts;
    std::vector<bool> m_dirty;
    bool m_anyDirty = false;

    QFrame *m_banner = nullptr;
    QLabel *m_bannerIcon = nullptr;
    QLabel *m_bannerTitle = nullptr;
    QLabel *m_bannerBody = nullptr;
    QLabel *m_bannerRequestId = nullptr;
    QFrame *m_retry = nullptr;
    QLabel *m_retryLabel = nullptr;
    QScrollArea *m_scroll = nullptr;
    QWidget *m_content = nullptr;
    QVBoxLayout *m_partsLayout = nullptr;
    QLabel *m_placeholder = nullptr;
    MetricsBar *m_metrics = nullptr;
    QToolButton *m_copyButton = nullptr;

    QTimer m_renderTimer;
    int m_renderIntervalMs = kMinRenderIntervalMs;
    QElapsedTimer m_sinceLastRender;
    RenderStats m_stats;
    bool m_followTail = true;

    QTimer m_retryTick;
    QElapsedTimer m_retryClock;
    int m_retryDelayMs = 0;
    int m_retryAttempt = 0;
    QString m_retryReason;
};

} // namespace assay::ui
