#include "ui/panels/response_view.h"

#include <QApplication>
#include <QClipboard>
#include <QFontDatabase>
#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QScrollArea>
#include <QScrollBar>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>
#include <nlohmann/json.hpp>

#include "models/itemmodels/response_model.h"
#include "ui/widgets/metrics_bar.h"
#include "ui/widgets/streaming_markdown_view.h"

namespace assay::ui {

using itemmodels::ResponseModel;
using PartKind = itemmodels::ResponseModel::PartKind;

namespace {

QFrame *makeCard(QWidget *parent, const QColor &background, const QColor &border)
{
    auto *frame = new QFrame(parent);
    frame->setObjectName(QStringLiteral("card"));
    frame->setStyleSheet(
        QStringLiteral("QFrame#card { background: %1; border: 1px solid %2; border-radius: 6px; }")
            .arg(background.name(), border.name()));
    return frame;
}

QString prettyJson(const QString &text)
{
    try {
        const nlohmann::json parsed = nlohmann::json::parse(text.toStdString());
        return QString::fromStdString(parsed.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
    } catch (const std::exception &) {
        return text; // still streaming, or not JSON: show what arrived
    }
}

QFont monospaceFont()
{
    QFont font = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    font.setPointSizeF(QApplication::font().pointSizeF() * 0.95);
    return font;
}

} // namespace

// --- Part widgets ------------------------------------------------------------------------------

class ResponseView::PartWidget : public QWidget {
public:
    using QWidget::QWidget;
    virtual void render(const ResponseModel &model, int row) = 0;
    virtual QString plainText() const { return {}; }
    virtual QString markdown() const { return {}; }
};

class ResponseView::TextPart : public PartWidget {
public:
    explicit TextPart(QWidget *parent) : PartWidget(parent)
    {
        auto *layout = new QVBoxLayout(this);
        layout->setContentsMargins(0, 0, 0, 0);
        m_view = new StreamingMarkdownView(this);
        m_view->setObjectName(QStringLiteral("responseText"));
        layout->addWidget(m_view);
    }
    void render(const ResponseModel &model, int row) override { m_view->showMarkdown(model.partText(row)); }
    QString plainText() const override { return m_view->toPlainText(); }
    QString markdown() const override { return m_view->markdownSource(); }

private:
    StreamingMarkdownView *m_view;
};

class ResponseView::ReasoningPart : public PartWidget {
public:
    explicit ReasoningPart(QWidget *parent) : PartWidget(parent)
    {
        const QPalette pal = palette();
        const bool dark = pal.color(QPalette::Base).lightnessF() < 0.5;
        auto *outer = new QVBoxLayout(this);
        outer->setContentsMargins(0, 0, 0, 4);
        QFrame *card =
            makeCard(this, dark ? pal.color(QPalette::Base).lighter(115) : QColor(0xf7, 0xf7, 0xf9),
                     dark ? pal.color(QPalette::Base).lighter(150) : QColor(0xe3, 0xe4, 0xe8));
        outer->addWidget(card);
        auto *layout = new QVBoxLayout(card);
        layout->setContentsMargins(8, 4, 8, 6);
        layout->setSpacing(2);
        m_toggle = new QToolButton(card);
        m_toggle->setObjectName(QStringLiteral("reasoningToggle"));
        m_toggle->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
        m_toggle->setAutoRaise(true);
        m_toggle->setCheckable(true);
        m_toggle->setChecked(true);
        m_toggle->setForegroundRole(QPalette::PlaceholderText);
        m_toggle->setStyleSheet(QStringLiteral("QToolButton { border: none; font-weight: 600; }"));
        layout->addWidget(m_toggle);
        m_view = new StreamingMarkdownView(card);
        m_view->setObjectName(QStringLiteral("reasoningText"));
        m_view->setMuted(true);
        m_view->viewport()->setAutoFillBackground(false);
        layout->addWidget(m_view);
        QObject::connect(m_toggle, &QToolButton::clicked, m_toggle, [this](bool expanded) {
            m_userToggled = true;
            setExpanded(expanded);
        });
        setExpanded(true);
    }
    void render(const ResponseModel &model, int row) override
    {
        const QString text = model.partText(row);
        m_view->showMarkdown(text);
        m_words = static_cast<int>(QStringView(text).split(QLatin1Char(' '), Qt::SkipEmptyParts).size());
        updateTitle();
        // Once the answer itself starts, the summary folds away unless the user chose otherwise.
        if (!m_userToggled && m_toggle->isChecked() && row + 1 < model.rowCount())
            setExpanded(false);
    }
    QString plainText() const override { return m_view->toPlainText(); }

private:
    void setExpanded(bool expanded)
    {
        m_toggle->setChecked(expanded);
        m_toggle->setArrowType(expanded ? Qt::DownArrow : Qt::RightArrow);
        m_view->setVisible(expanded);
        updateTitle();
    }
    void updateTitle()
    {
        m_toggle->setText(m_words == 0   ? QObject::tr("Reasoning summary")
                          : m_words == 1 ? QObject::tr("Reasoning summary · 1 word")
                                         : QObject::tr("Reasoning summary · %1 words").arg(m_words));
    }

    QToolButton *m_toggle;
    StreamingMarkdownView *m_view;
    bool m_userToggled = false;
    int m_words = 0;
};

class ResponseView::RefusalPart : public PartWidget {
public:
    explicit RefusalPart(QWidget *parent) : PartWidget(parent)
    {
        auto *outer = new QVBoxLayout(this);
        outer->setContentsMargins(0, 4, 0, 4);
        QFrame *card = makeCard(this, QColor(0xff, 0xf4, 0xe5), QColor(0xf0, 0xb4, 0x29));
        outer->addWidget(card);
        auto *layout = new QVBoxLayout(card);
        layout->setContentsMargins(12, 8, 12, 10);
        auto *title = new QLabel(QObject::tr("The model refused"), card);
        title->setStyleSheet(
            QStringLiteral("color: #8a5300; font-weight: 600; background: transparent; border: none;"));
        layout->addWidget(title);
        m_text = new QLabel(card);
        m_text->setObjectName(QStringLiteral("refusalText"));
        m_text->setWordWrap(true);
        m_text->setTextFormat(Qt::PlainText);
        m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
        m_text->setStyleSheet(QStringLiteral("color: #4d3000; background: transparent; border: none;"));
        layout->addWidget(m_text);
    }
    void render(const ResponseModel &model, int row) override { m_text->setText(model.partText(row)); }
    QString plainText() const override { return m_text->text(); }

private:
    QLabel *m_text;
};

class ResponseView::ToolCallPart : public PartWidget {
public:
    explicit ToolCallPart(QWidget *parent) : PartWidget(parent)
    {
        const QPalette pal = palette();
        const bool dark = pal.color(QPalette::Base).lightnessF() < 0.5;
        auto *outer = new QVBoxLayout(this);
        outer->setContentsMargins(0, 4, 0, 4);
        QFrame *card =
            makeCard(this, dark ? pal.color(QPalette::Base).lighter(115) : QColor(0xf5, 0xf8, 0xff),
                     dark ? pal.color(QPalette::Base).lighter(160) : QColor(0xc8, 0xd6, 0xf0));
        outer->addWidget(card);
        auto *layout = new QVBoxLayout(card);
        layout->setContentsMargins(12, 8, 12, 10);
        layout->setSpacing(4);
        auto *header = new QHBoxLayout;
        auto *badge = new QLabel(QObject::tr("Tool call"), card);
        badge->setStyleSheet(QStringLiteral("color: white; background: #3b6fd8; border-radius: 3px; "
                                            "padding: 1px 6px; font-weight: 600; border: none;"));
        header->addWidget(badge);
        m_name = new QLabel(card);
        m_name->setObjectName(QStringLiteral("toolName"));
        QFont nameFont = monospaceFont();
        nameFont.setWeight(QFont::Bold);
        m_name->setFont(nameFont);
        m_name->setTextInteractionFlags(Qt::TextSelectableByMouse);
        m_name->setStyleSheet(QStringLiteral("background: transparent; border: none;"));
        header->addWidget(m_name);
        header->addStretch();
        m_id = new QLabel(card);
        m_id->setForegroundRole(QPalette::PlaceholderText);
        m_id->setTextInteractionFlags(Qt::TextSelectableByMouse);
        m_id->setStyleSheet(QStringLiteral("background: transparent; border: none;"));
        header->addWidget(m_id);
        auto *copy = new QToolButton(card);
        copy->setText(QObject::tr("Copy"));
        copy->setToolTip(QObject::tr("Copy the arguments JSON"));
        copy->setAutoRaise(true);
        header->addWidget(copy);
        layout->addLayout(header);
        m_arguments = new QLabel(card);
        m_arguments->setObjectName(QStringLiteral("toolArguments"));
        m_arguments->setFont(monospaceFont());
        m_arguments->setTextFormat(Qt::PlainText);
        m_arguments->setWordWrap(true);
        m_arguments->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
        m_arguments->setStyleSheet(QStringLiteral("background: transparent; border: none;"));
        layout->addWidget(m_arguments);
        QObject::connect(copy, &QToolButton::clicked, copy,
                         [this]() { QApplication::clipboard()->setText(m_arguments->text()); });
    }
    void render(const ResponseModel &model, int row) override
    {
        const QModelIndex index = model.index(row);
        const QString name = index.data(ResponseModel::ToolNameRole).toString();
        m_name->setText(name.isEmpty() ? QObject::tr("(unnamed)") : name + QStringLiteral("()"));
        m_id->setText(index.data(ResponseModel::ToolCallIdRole).toString());
        m_arguments->setText(prettyJson(model.partText(row)));
    }
    QString plainText() const override { return m_name->text() + QLatin1Char('\n') + m_arguments->text(); }

private:
    QLabel *m_name;
    QLabel *m_id;
    QLabel *m_arguments;
};

// --- ResponseView ------------------------------------------------------------------------------

ResponseView::ResponseView(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("responseView"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);

    // Error banner: above the output, which stays visible beneath it.
    m_banner = new QFrame(this);
    m_banner->setObjectName(QStringLiteral("errorBanner"));
    auto *bannerLayout = new QHBoxLayout(m_banner);
    bannerLayout->setContentsMargins(14, 10, 8, 10);
    bannerLayout->setSpacing(10);
    m_bannerIcon = new QLabel(m_banner);
    bannerLayout->addWidget(m_bannerIcon, 0, Qt::AlignTop);
    auto *bannerText = new QVBoxLayout;
    bannerText->setSpacing(3);
    m_bannerTitle = new QLabel(m_banner);
    m_bannerTitle->setObjectName(QStringLiteral("errorTitle"));
    m_bannerTitle->setWordWrap(true);
    m_bannerTitle->setTextFormat(Qt::PlainText);
    m_bannerTitle->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_bannerBody = new QLabel(m_banner);
    m_bannerBody->setObjectName(QStringLiteral("errorAdvice"));
    m_bannerBody->setWordWrap(true);
    m_bannerBody->setTextFormat(Qt::PlainText);
    m_bannerBody->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_bannerRequestId = new QLabel(m_banner);
    m_bannerRequestId->setObjectName(QStringLiteral("errorRequestId"));
    m_bannerRequestId->setTextFormat(Qt::PlainText);
    m_bannerRequestId->setTextInteractionFlags(Qt::TextSelectableByMouse);
    bannerText->addWidget(m_bannerTitle);
    bannerText->addWidget(m_bannerBody);
    bannerText->addWidget(m_bannerRequestId);
    bannerLayout->addLayout(bannerText, 1);
    auto *dismiss = new QToolButton(m_banner);
    dismiss->setObjectName(QStringLiteral("dismissError"));
    dismiss->setText(QStringLiteral("✕"));
    dismiss->setToolTip(tr("Dismiss"));
    dismiss->setAutoRaise(true);
    bannerLayout->addWidget(dismiss, 0, Qt::AlignTop);
    connect(dismiss, &QToolButton::clicked, m_banner, &QWidget::hide);
    m_banner->hide();
    layout->addWidget(m_banner);

    m_retry = new QFrame(this);
    m_retry->setObjectName(QStringLiteral("retryNotice"));
    m_retry->setStyleSheet(
        QStringLiteral("QFrame#retryNotice { background: #fff8db; border-bottom: 1px solid #ecd88a; }"
                       "QLabel { color: #5c4a00; }"));
    auto *retryLayout = new QHBoxLayout(m_retry);
    retryLayout->setContentsMargins(14, 6, 14, 6);
    m_retryLabel = new QLabel(m_retry);
    m_retryLabel->setWordWrap(true);
    retryLayout->addWidget(m_retryLabel);
    m_retry->hide();
    layout->addWidget(m_retry);

    m_scroll = new QScrollArea(this);
    m_scroll->setObjectName(QStringLiteral("responseScroll"));
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_content = new QWidget(m_scroll);
    m_content->setBackgroundRole(QPalette::Base);
    m_content->setAutoFillBackground(true);
    auto *contentLayout = new QVBoxLayout(m_content);
    contentLayout->setContentsMargins(20, 14, 20, 14);
    contentLayout->setSpacing(6);
    m_partsLayout = new QVBoxLayout;
    m_partsLayout->setSpacing(6);
    contentLayout->addLayout(m_partsLayout);
    m_placeholder = new QLabel(m_content);
    m_placeholder->setObjectName(QStringLiteral("responsePlaceholder"));
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setForegroundRole(QPalette::PlaceholderText);
    m_placeholder->setWordWrap(true);
    m_placeholder->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Expanding); // centred in the empty view
    contentLayout->addWidget(m_placeholder, 1);
    contentLayout->addStretch(1);
    m_scroll->setWidget(m_content);
    m_scroll->viewport()->setBackgroundRole(QPalette::Base);
    layout->addWidget(m_scroll, 1);

    // Copy the whole answer (raw Markdown), floating at the top right of the output.
    m_copyButton = new QToolButton(this);
    m_copyButton->setObjectName(QStringLiteral("copyResponse"));
    m_copyButton->setText(tr("Copy"));
    m_copyButton->setToolTip(tr("Copy the answer as Markdown"));
    m_copyButton->setAutoRaise(true);
    m_copyButton->hide();
    connect(m_copyButton, &QToolButton::clicked, this,
            [this]() { QApplication::clipboard()->setText(displayedMarkdown()); });
    auto *copyRow = new QHBoxLayout;
    copyRow->setContentsMargins(0, 0, 0, 0);
    copyRow->addStretch();
    copyRow->addWidget(m_copyButton);
    contentLayout->insertLayout(0, copyRow);

    auto *separator = new QFrame(this);
    separator->setFrameShape(QFrame::HLine);
    separator->setFrameShadow(QFrame::Plain);
    separator->setForegroundRole(QPalette::Mid);
    layout->addWidget(separator);
    m_metrics = new MetricsBar(this);
    layout->addWidget(m_metrics);

    // Keep the newest output in view while the user has not scrolled away from it.
    QScrollBar *bar = m_scroll->verticalScrollBar();
    connect(bar, &QScrollBar::rangeChanged, this, [this, bar](int, int max) {
        if (m_followTail)
            bar->setValue(max);
    });
    connect(bar, &QScrollBar::valueChanged, this,
            [this, bar](int value) { m_followTail = value >= bar->maximum() - 8; });

    m_renderTimer.setSingleShot(true);
    connect(&m_renderTimer, &QTimer::timeout, this, &ResponseView::renderPass);
    m_retryTick.setInterval(200);
    connect(&m_retryTick, &QTimer::timeout, this, &ResponseView::updateRetryText);
    m_stats.intervalMs = m_renderIntervalMs;
    updatePlaceholder();
}

ResponseView::~ResponseView() = default;

void ResponseView::setModel(ResponseModel *model)
{
    if (m_model)
        disconnect(m_model, nullptr, this, nullptr);
    m_model = model;
    m_metrics->setModel(model);
    if (model) {
        connect(model, &QObject::destroyed, this, [this]() {
            m_model = nullptr;
            rebuildParts();
        });
        connect(model, &QAbstractItemModel::rowsInserted, this,
                [this](const QModelIndex &, int first, int last) { onRowsInserted(first, last); });
        connect(model, &QAbstractItemModel::dataChanged, this,
                [this](const QModelIndex &topLeft, const QModelIndex &bottomRight) {
                    onDataChanged(topLeft.row(), bottomRight.row());
                });
        connect(model, &QAbstractItemModel::rowsRemoved, this, &ResponseView::rebuildParts);
        connect(model, &QAbstractItemModel::modelReset, this, &ResponseView::rebuildParts);
        connect(model, &QAbstractItemModel::layoutChanged, this, &ResponseView::rebuildParts);
        connect(model, &ResponseModel::errorChanged, this, &ResponseView::updateBanner);
        connect(model, &ResponseModel::retryScheduled, this, &ResponseView::showRetry);
        connect(model, &ResponseModel::runningChanged, this, [this](bool running) {
            if (running) {
                m_followTail = true;
            } else {
                hideRetry();
                flush(); // the final text shows at once, not a frame later
            }
            updatePlaceholder();
        });
        connect(model, &ResponseModel::runFinished, this, &ResponseView::flush);
    }
    rebuildParts();
    updateBanner();
}

QString ResponseView::displayedText() const
{
    QStringList texts;
    for (std::size_t row = 0; row < m_parts.size(); ++row) {
        if (m_model && static_cast<int>(row) < m_model->rowCount() &&
            m_model->kind(static_cast<int>(row)) == PartKind::Text)
            texts << m_parts[row]->plainText();
    }
    return texts.join(QLatin1Char('\n'));
}

QString ResponseView::displayedMarkdown() const
{
    QStringList texts;
    for (std::size_t row = 0; row < m_parts.size(); ++row) {
        if (m_model && static_cast<int>(row) < m_model->rowCount() &&
            m_model->kind(static_cast<int>(row)) == PartKind::Text)
            texts << m_parts[row]->markdown();
    }
    return texts.join(QLatin1Char('\n'));
}

bool ResponseView::isErrorBannerVisible() const
{
    return !m_banner->isHidden();
}

QString ResponseView::errorBannerText() const
{
    if (m_banner->isHidden())
        return {};
    return QStringList{m_bannerTitle->text(), m_bannerBody->text(), m_bannerRequestId->text()}.join(
        QLatin1Char('\n'));
}

bool ResponseView::isRetryNoticeVisible() const
{
    return !m_retry->isHidden();
}

QString ResponseView::retryNoticeText() const
{
    return m_retry->isHidden() ? QString() : m_retryLabel->text();
}

void ResponseView::onRowsInserted(int first, int last)
{
    for (int row = first; row <= last; ++row) {
        PartWidget *part = createPart(row);
        m_parts.insert(m_parts.begin() + row, part);
        m_dirty.insert(m_dirty.begin() + row, true);
        m_partsLayout->insertWidget(row, part);
        // The first output shows at once (time to first token is what the user waits for).
        if (row == 0)
            part->render(*m_model, row), m_dirty[static_cast<std::size_t>(row)] = false;
    }
    // An earlier part (the reasoning summary) may fold away now that the answer started.
    if (first > 0)
        m_dirty[static_cast<std::size_t>(first - 1)] = true;
    m_anyDirty = true;
    m_copyButton->setVisible(true);
    hideRetry(); // output arrives: the retry went through
    updatePlaceholder();
    scheduleRender();
}

void ResponseView::onDataChanged(int first, int last)
{
    // The hot path while streaming (thousands of times a second): mark, schedule, return.
    const int count = static_cast<int>(m_dirty.size());
    for (int row = std::max(first, 0); row <= last && row < count; ++row)
        m_dirty[static_cast<std::size_t>(row)] = true;
    m_anyDirty = true;
    if (!m_renderTimer.isActive())
        scheduleRender();
}

void ResponseView::scheduleRender()
{
    if (m_renderTimer.isActive())
        return;
    // Coalesce: never render more often than the interval, but do not delay a render that
    // is already due (the first change after a quiet period shows at once).
    const qint64 since = m_sinceLastRender.isValid() ? m_sinceLastRender.elapsed() : m_renderIntervalMs;
    m_renderTimer.start(static_cast<int>(std::max<qint64>(0, m_renderIntervalMs - since)));
}

void ResponseView::flush()
{
    m_renderTimer.stop();
    renderPass();
}

void ResponseView::renderPass()
{
    if (!m_anyDirty || !m_model) {
        m_anyDirty = false;
        return;
    }
    QElapsedTimer clock;
    clock.start();
    const int rows = std::min(static_cast<int>(m_parts.size()), m_model->rowCount());
    for (int row = 0; row < rows; ++row) {
        if (!m_dirty[static_cast<std::size_t>(row)])
            continue;
        m_dirty[static_cast<std::size_t>(row)] = false;
        m_parts[static_cast<std::size_t>(row)]->render(*m_model, row);
    }
    m_anyDirty = false;
    // Apply the new heights now, so the scroll area resizes its content and follows the tail
    // before the next paint: the document change and the relayout reach the screen in one paint
    // rather than two. (Each part's layout would otherwise wait for its own posted request.)
    for (PartWidget *part : m_parts) {
        if (part->layout())
            part->layout()->activate();
    }
    m_content->layout()->activate();
    const qint64 ns = clock.nsecsElapsed();
    m_sinceLastRender.start();

    // Adaptive: a pass may take at most about a third of the interval, so input and painting
    // keep the rest of the time.
    const qint64 passMs = ns / 1000000;
    m_renderIntervalMs =
        static_cast<int>(std::clamp<qint64>(passMs * 3, kMinRenderIntervalMs, kMaxRenderIntervalMs));
    ++m_stats.passes;
    m_stats.lastPassNs = ns;
    m_stats.maxPassNs = std::max(m_stats.maxPassNs, ns);
    m_stats.totalPassNs += ns;
    m_stats.intervalMs = m_renderIntervalMs;
    Q_EMIT renderPassFinished(ns);
}

void ResponseView::rebuildParts()
{
    for (PartWidget *part : m_parts)
        delete part;
    m_parts.clear();
    m_dirty.clear();
    m_anyDirty = false;
    m_followTail = true;
    if (m_model && m_model->rowCount() > 0)
        onRowsInserted(0, m_model->rowCount() - 1);
    m_copyButton->setVisible(!m_parts.empty());
    updatePlaceholder();
}

ResponseView::PartWidget *ResponseView::createPart(int row)
{
    switch (m_model->kind(row)) {
    case PartKind::ReasoningSummary:
        return new ReasoningPart(m_content);
    case PartKind::Text:
        return new TextPart(m_content);
    case PartKind::Refusal:
        return new RefusalPart(m_content);
    case PartKind::ToolCall:
        return new ToolCallPart(m_content);
    }
    return new TextPart(m_content);
}

void ResponseView::updateBanner()
{
    if (!m_model || !m_model->error()) {
        m_banner->hide();
        return;
    }
    const api::ApiError &error = *m_model->error();
    const bool stopped = error.kind == api::ApiError::Kind::Cancelled;
    if (stopped) {
        m_banner->setStyleSheet(
            QStringLiteral("QFrame#errorBanner { background: #f1f3f5; border-bottom: 1px solid #d5d9de; }"
                           "QLabel { color: #333a40; }"));
        m_bannerIcon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxInformation).pixmap(20, 20));
        m_bannerTitle->setText(tr("Stopped."));
        m_bannerBody->setText(m_model->rowCount() > 0
                                  ? tr("The output received before stopping is kept below.")
                                  : tr("Nothing had arrived yet."));
    } else {
        m_banner->setStyleSheet(
            QStringLiteral("QFrame#errorBanner { background: #fdecea; border-bottom: 1px solid #f1b8b3; }"
                           "QLabel { color: #5f1610; }"
                           "QLabel#errorTitle { font-weight: 600; }"));
        m_bannerIcon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxCritical).pixmap(20, 20));
        m_bannerTitle->setText(error.summary());
        QString advice = error.advice();
        if (m_model->rowCount() > 0 &&
            !error.summary().contains(QStringLiteral("partial"), Qt::CaseInsensitive))
            advice += (advice.isEmpty() ? QString() : QStringLiteral(" ")) +
                      tr("The partial output is kept below.");
        m_bannerBody->setText(advice);
    }
    m_bannerBody->setVisible(!m_bannerBody->text().isEmpty());
    const QString requestId = !error.requestId.isEmpty() ? error.requestId : m_model->metrics().requestId;
    m_bannerRequestId->setText(requestId.isEmpty() ? QString() : tr("Request ID: %1").arg(requestId));
    m_bannerRequestId->setVisible(!requestId.isEmpty() && !stopped);
    m_banner->show();
    updatePlaceholder();
}

void ResponseView::updatePlaceholder()
{
    const bool empty = m_parts.empty();
    const bool running = m_model && m_model->isRunning();
    if (!empty) {
        m_placeholder->hide();
        return;
    }
    if (running)
        m_placeholder->setText(tr("Waiting for the first token…"));
    else if (m_model && m_model->error())
        m_placeholder->setText(QString());
    else
        m_placeholder->setText(
            tr("Write a prompt and press Ctrl+Return to run it.\nThe answer streams in here."));
    m_placeholder->setVisible(!m_placeholder->text().isEmpty());
}

void ResponseView::showRetry(int attempt, int delayMs, const QString &reason)
{
    m_retryAttempt = attempt;
    m_retryDelayMs = delayMs;
    m_retryReason = reason;
    m_retryClock.start();
    m_retryTick.start();
    updateRetryText();
    m_retry->show();
}

void ResponseView::hideRetry()
{
    m_retryTick.stop();
    m_retry->hide();
}

void ResponseView::updateRetryText()
{
    const qint64 left = std::max<qint64>(0, m_retryDelayMs - m_retryClock.elapsed());
    const int seconds = static_cast<int>((left + 999) / 1000);
    m_retryLabel->setText(
        left > 0 ? tr("Retrying in %n s (attempt %1) — %2", nullptr, seconds)
                       .arg(m_retryAttempt + 1)
                       .arg(m_retryReason)
                 : tr("Retrying now (attempt %1) — %2").arg(m_retryAttempt + 1).arg(m_retryReason));
}

} // namespace assay::ui
