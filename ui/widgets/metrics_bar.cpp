#include "ui/widgets/metrics_bar.h"

#include <QApplication>
#include <QClipboard>
#include <QHBoxLayout>
#include <QLabel>
#include <QLayout>
#include <QLocale>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>

#include "models/itemmodels/response_model.h"

namespace assay::ui {

namespace {

// Lays cells out left to right and wraps them onto further lines when the bar is narrow.
class FlowLayout : public QLayout {
public:
    explicit FlowLayout(QWidget *parent, int hSpacing, int vSpacing)
        : QLayout(parent), m_hSpacing(hSpacing), m_vSpacing(vSpacing)
    {
    }
    ~FlowLayout() override
    {
        while (QLayoutItem *item = takeAt(0))
            delete item;
    }
    void addItem(QLayoutItem *item) override { m_items.append(item); }
    int count() const override { return static_cast<int>(m_items.size()); }
    QLayoutItem *itemAt(int index) const override { return m_items.value(index); }
    QLayoutItem *takeAt(int index) override
    {
        return index >= 0 && index < m_items.size() ? m_items.takeAt(index) : nullptr;
    }
    Qt::Orientations expandingDirections() const override { return {}; }
    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override { return arrange(QRect(0, 0, width, 0), false); }
    void setGeometry(const QRect &rect) override
    {
        QLayout::setGeometry(rect);
        arrange(rect, true);
    }
    QSize sizeHint() const override { return minimumSize(); }
    QSize minimumSize() const override
    {
        QSize size;
        for (const QLayoutItem *item : m_items)
            size = size.expandedTo(item->minimumSize());
        const QMargins margins = contentsMargins();
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom());
    }

private:
    int arrange(const QRect &rect, bool apply) const
    {
        const QMargins margins = contentsMargins();
        const QRect area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom());
        int x = area.x();
        int y = area.y();
        int lineHeight = 0;
        for (QLayoutItem *item : m_items) {
            if (item->isEmpty())
                continue;
            const QSize hint = item->sizeHint();
            if (x > area.x() && x + hint.width() > area.right() + 1) {
                x = area.x();
                y += lineHeight + m_vSpacing;
                lineHeight = 0;
            }
            if (apply)
                item->setGeometry(QRect(QPoint(x, y), hint));
            x += hint.width() + m_hSpacing;
            lineHeight = std::max(lineHeight, hint.height());
        }
        return y + lineHeight - rect.y() + margins.bottom();
    }

    QList<QLayoutItem *> m_items;
    int m_hSpacing;
    int m_vSpacing;
};

} // namespace

MetricsBar::MetricsBar(QWidget *parent) : QFrame(parent)
{
    setObjectName(QStringLiteral("metricsBar"));
    setFrameShape(QFrame::NoFrame);
    setAutoFillBackground(true);
    QPalette p = palette();
    p.setColor(QPalette::Window, p.color(QPalette::AlternateBase));
    setPalette(p);
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Minimum);

    auto *flow = new FlowLayout(this, 18, 6);
    flow->setContentsMargins(12, 7, 12, 7);

    m_placeholder = new QLabel(tr("Metrics of the run appear here."), this);
    m_placeholder->setForegroundRole(QPalette::PlaceholderText);
    flow->addWidget(m_placeholder);

    addCell(Metric::TimeToFirstToken, QStringLiteral("ttft"), tr("First token"),
            tr("Time to first token: from sending the request to the first output arriving"));
    addCell(Metric::Total, QStringLiteral("total"), tr("Total"), tr("Total time of the request"));
    addCell(Metric::Speed, QStringLiteral("speed"), tr("Speed"),
            tr("Output tokens per second, after the first token"));
    addCell(Metric::InputTokens, QStringLiteral("inputTokens"), tr("Input"), tr("Input (prompt) tokens"));
    addCell(Metric::CachedTokens, QStringLiteral("cachedTokens"), tr("Cached"),
            tr("Input tokens served from the prompt cache (billed at the cached rate)"));
    addCell(Metric::OutputTokens, QStringLiteral("outputTokens"), tr("Output"),
            tr("Output (completion) tokens"));
    addCell(Metric::ReasoningTokens, QStringLiteral("reasoningTokens"), tr("Reasoning"),
            tr("Output tokens the model spent reasoning (billed as output, not shown)"));
    addCell(Metric::AcceptedPrediction, QStringLiteral("acceptedPrediction"), tr("Prediction ✓"),
            tr("Predicted output tokens that appeared in the completion"));
    addCell(Metric::RejectedPrediction, QStringLiteral("rejectedPrediction"), tr("Prediction ✗"),
            tr("Predicted output tokens that did not appear (still billed as output)"));
    addCell(Metric::Cost, QStringLiteral("cost"), tr("Est. cost"), QString());
    addCell(Metric::Model, QStringLiteral("model"), tr("Model"), tr("The model that answered"), true);
    addCell(Metric::ServiceTier, QStringLiteral("serviceTier"), tr("Tier"),
            tr("The service tier that processed the request"));
    addCell(Metric::Fingerprint, QStringLiteral("fingerprint"), tr("Fingerprint"),
            tr("system_fingerprint: the backend configuration (compare it across runs when using a seed)"),
            true);

    Cell requestId = addCell(Metric::RequestId, QStringLiteral("requestId"), tr("Request ID"),
                             tr("x-request-id: quote it when contacting support"), true);
    m_copyRequestId = new QToolButton(requestId.widget);
    m_copyRequestId->setObjectName(QStringLiteral("copyRequestId"));
    m_copyRequestId->setText(tr("Copy"));
    m_copyRequestId->setToolTip(tr("Copy the request ID"));
    m_copyRequestId->setAutoRaise(true);
    m_copyRequestId->setCursor(Qt::PointingHandCursor);
    static_cast<QBoxLayout *>(requestId.widget->layout()->itemAt(1)->layout())->addWidget(m_copyRequestId);
    connect(m_copyRequestId, &QToolButton::clicked, this,
            [this]() { QApplication::clipboard()->setText(valueText(Metric::RequestId)); });

    Cell logprobs = addCell(Metric::Logprobs, QStringLiteral("logprobs"), tr("Logprobs"),
                            tr("Log probabilities of the output tokens"));
    logprobs.value->hide();
    m_logprobsButton = new QToolButton(logprobs.widget);
    m_logprobsButton->setObjectName(QStringLiteral("showLogprobs"));
    m_logprobsButton->setAutoRaise(true);
    m_logprobsButton->setCursor(Qt::PointingHandCursor);
    static_cast<QBoxLayout *>(logprobs.widget->layout()->itemAt(1)->layout())->addWidget(m_logprobsButton);
    connect(m_logprobsButton, &QToolButton::clicked, this, &MetricsBar::logprobsRequested);

    m_tick.setInterval(100);
    connect(&m_tick, &QTimer::timeout, this, &MetricsBar::refresh);
    refresh();
}

MetricsBar::Cell MetricsBar::addCell(Metric metric, const QString &key, const QString &caption,
                                     const QString &toolTip, bool selectable)
{
    auto *widget = new QWidget(this);
    widget->setObjectName(QStringLiteral("metric_") + key);
    widget->setToolTip(toolTip);
    auto *column = new QVBoxLayout(widget);
    column->setContentsMargins(0, 0, 0, 0);
    column->setSpacing(0);

    auto *captionLabel = new QLabel(caption.toUpper(), widget);
    QFont small = captionLabel->font();
    small.setPointSizeF(small.pointSizeF() * 0.78);
    small.setLetterSpacing(QFont::PercentageSpacing, 106);
    captionLabel->setFont(small);
    captionLabel->setForegroundRole(QPalette::PlaceholderText);
    column->addWidget(captionLabel);

    auto *row = new QHBoxLayout;
    row->setContentsMargins(0, 0, 0, 0);
    row->setSpacing(2);
    auto *value = new QLabel(widget);
    value->setObjectName(QStringLiteral("value_") + key);
    QFont strong = value->font();
    strong.setWeight(QFont::DemiBold);
    value->setFont(strong);
    if (selectable) {
        value->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
        value->setCursor(Qt::IBeamCursor);
    }
    row->addWidget(value);
    column->addLayout(row);

    layout()->addWidget(widget);
    widget->hide();
    Cell cell{widget, value};
    m_cells[metric] = cell;
    return cell;
}

void MetricsBar::setModel(itemmodels::ResponseModel *model)
{
    if (m_model)
        disconnect(m_model, nullptr, this, nullptr);
    m_model = model;
    if (model) {
        connect(model, &QObject::destroyed, this, [this]() {
            m_model = nullptr;
            m_tick.stop();
        });
        connect(model, &itemmodels::ResponseModel::metricsChanged, this, &MetricsBar::refresh);
        connect(model, &itemmodels::ResponseModel::runningChanged, this, [this](bool running) {
            if (running)
                m_tick.start();
            else
                m_tick.stop();
            refresh();
        });
    }
    refresh();
}

QString MetricsBar::valueText(Metric metric) const
{
    const auto it = m_cells.find(metric);
    if (it == m_cells.end() || it->second.widget->isHidden())
        return {};
    if (metric == Metric::Logprobs)
        return m_logprobsButton->text();
    return it->second.value->text();
}

bool MetricsBar::isMetricVisible(Metric metric) const
{
    const auto it = m_cells.find(metric);
    return it != m_cells.end() && !it->second.widget->isHidden();
}

QString MetricsBar::formatDuration(qint64 ms)
{
    if (ms < 1000)
        return tr("%1 ms").arg(ms);
    if (ms < 60 * 1000)
        return tr("%1 s").arg(static_cast<double>(ms) / 1000.0, 0, 'f', ms < 10 * 1000 ? 2 : 1);
    return tr("%1 min %2 s").arg(ms / 60000).arg((ms % 60000) / 1000);
}

QString MetricsBar::formatCount(qint64 count)
{
    QLocale locale = QLocale::system();
    locale.setNumberOptions(locale.numberOptions() & ~QLocale::OmitGroupSeparator);
    return locale.toString(count);
}

QString MetricsBar::formatCost(double usd)
{
    if (usd == 0.0)
        return QStringLiteral("$0");
    if (usd < 0.0001)
        return QStringLiteral("< $0.0001");
    if (usd < 0.01)
        return QStringLiteral("$%1").arg(usd, 0, 'f', 5);
    if (usd < 1.0)
        return QStringLiteral("$%1").arg(usd, 0, 'f', 4);
    return QStringLiteral("$%1").arg(usd, 0, 'f', 2);
}

void MetricsBar::set(Metric metric, const QString &value, const QString &toolTip)
{
    Cell &cell = m_cells[metric];
    cell.value->setText(value);
    if (!toolTip.isEmpty())
        cell.widget->setToolTip(toolTip);
    cell.widget->show();
}

void MetricsBar::hide(Metric metric)
{
    m_cells[metric].widget->hide();
}

void MetricsBar::refresh()
{
    if (!m_model) {
        for (auto &[metric, cell] : m_cells)
            cell.widget->hide();
        m_placeholder->show();
        return;
    }
    const itemmodels::ResponseModel::Metrics &m = m_model->metrics();
    const bool running = m_model->isRunning();
    bool any = false;
    const auto show = [&](Metric metric, const QString &value, const QString &toolTip = QString()) {
        set(metric, value, toolTip);
        any = true;
    };

    if (m.timeToFirstTokenMs)
        show(Metric::TimeToFirstToken, formatDuration(*m.timeToFirstTokenMs));
    else if (running)
        show(Metric::TimeToFirstToken, QStringLiteral("…"));
    else
        hide(Metric::TimeToFirstToken);

    if (const std::optional<qint64> elapsed = m_model->elapsedMs())
        show(Metric::Total,
             running ? formatDuration(*elapsed) + QStringLiteral(" …") : formatDuration(*elapsed));
    else
        hide(Metric::Total);

    if (m.outputTokensPerSecond && !running)
        show(Metric::Speed, tr("%1 tok/s").arg(*m.outputTokensPerSecond, 0, 'f', 1));
    else
        hide(Metric::Speed);

    if (m.usage) {
        const api::TokenUsage &u = *m.usage;
        show(Metric::InputTokens, formatCount(u.inputTokens));
        show(Metric::CachedTokens, formatCount(u.cachedInputTokens));
        show(Metric::OutputTokens, formatCount(u.outputTokens));
        if (u.reasoningTokens > 0)
            show(Metric::ReasoningTokens, formatCount(u.reasoningTokens));
        else
            hide(Metric::ReasoningTokens);
        if (u.acceptedPredictionTokens > 0)
            show(Metric::AcceptedPrediction, formatCount(u.acceptedPredictionTokens));
        else
            hide(Metric::AcceptedPrediction);
        if (u.rejectedPredictionTokens > 0)
            show(Metric::RejectedPrediction, formatCount(u.rejectedPredictionTokens));
        else
            hide(Metric::RejectedPrediction);

        const std::optional<prompt::ModelPrice> price = m_model->pricing().priceFor(m.model);
        if (m.costUsd && price) {
            show(Metric::Cost, formatCost(*m.costUsd),
                 tr("Estimated from the pricing table entry \"%1\" (USD per 1M tokens: input %2, cached %3, "
                    "output %4)%5. Edit it in Tools ▸ Edit pricing…")
                     .arg(price->model)
                     .arg(price->input)
                     .arg(price->cachedInput)
                     .arg(price->output)
                     .arg(m.serviceTier == QLatin1String("flex") ? tr(", flex price") : QString()));
        } else {
            show(Metric::Cost, QStringLiteral("—"),
                 tr("No price for \"%1\" in the pricing table: add one in Tools ▸ Edit pricing…")
                     .arg(m.model));
        }
    } else {
        for (Metric metric :
             {Metric::InputTokens, Metric::CachedTokens, Metric::OutputTokens, Metric::ReasoningTokens,
              Metric::AcceptedPrediction, Metric::RejectedPrediction, Metric::Cost})
            hide(metric);
    }

    if (!m.model.isEmpty() && (running || m.usage || !m.responseId.isEmpty()))
        show(Metric::Model, m.model);
    else
        hide(Metric::Model);
    if (!m.serviceTier.isEmpty())
        show(Metric::ServiceTier, m.serviceTier);
    else
        hide(Metric::ServiceTier);
    if (!m.systemFingerprint.isEmpty())
        show(Metric::Fingerprint, m.systemFingerprint);
    else
        hide(Metric::Fingerprint);
    if (!m.requestId.isEmpty())
        show(Metric::RequestId, m.requestId);
    else
        hide(Metric::RequestId);
    if (m.logprobCount > 0) {
        m_logprobsButton->setText(tr("%n token(s) ▸", nullptr, m.logprobCount));
        show(Metric::Logprobs, QString());
    } else {
        hide(Metric::Logprobs);
    }

    m_placeholder->setVisible(!any);
}

} // namespace assay::ui
