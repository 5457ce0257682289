#include "models/itemmodels/response_model.h"

namespace assay::itemmodels {

namespace {

QString qs(const std::string &text)
{
    return QString::fromStdString(text);
}

} // namespace

ResponseModel::ResponseModel(QObject *parent) : QAbstractListModel(parent) {}

int ResponseModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_parts.size());
}

QVariant ResponseModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Part &part = m_parts[static_cast<std::size_t>(index.row())];
    switch (role) {
    case Qt::DisplayRole:
    case TextRole:
        return part.text;
    case KindRole:
        return static_cast<int>(part.kind);
    case ToolNameRole:
        return part.kind == PartKind::ToolCall ? QVariant(part.toolName) : QVariant();
    case ToolCallIdRole:
        return part.kind == PartKind::ToolCall ? QVariant(part.toolCallId) : QVariant();
    default:
        return {};
    }
}

QHash<int, QByteArray> ResponseModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert(KindRole, "kind");
    names.insert(TextRole, "text");
    names.insert(ToolNameRole, "toolName");
    names.insert(ToolCallIdRole, "toolCallId");
    return names;
}

void ResponseModel::clear()
{
    if (m_call)
        disconnect(m_call, nullptr, this, nullptr);
    m_call = nullptr;
    if (!m_parts.empty()) {
        beginRemoveRows(QModelIndex(), 0, static_cast<int>(m_parts.size()) - 1);
        m_parts.clear();
        endRemoveRows();
    }
    m_lastRow = -1;
    m_metrics = Metrics();
    m_metrics.model = m_requestedModel;
    m_result = api::ResponseResult();
    m_clock.invalidate();
    m_sawDelta = false;
    const bool hadError = m_error.has_value();
    m_error.reset();
    setRunning(false);
    Q_EMIT metricsChanged();
    if (hadError)
        Q_EMIT errorChanged();
}

void ResponseModel::attach(api::ApiCall *call)
{
    if (m_call)
        disconnect(m_call, nullptr, this, nullptr);
    m_call = call;
    if (!call)
        return;
    connect(call, &api::ApiCall::headersReceived, this, &ResponseModel::applyHeaders);
    connect(call, &api::ApiCall::deltaReceived, this, &ResponseModel::applyDelta);
    connect(call, &api::ApiCall::retrying, this, &ResponseModel::applyRetry);
    connect(call, &api::ApiCall::finished, this, &ResponseModel::applyResult);
    connect(call, &QObject::destroyed, this, [this, call]() {
        if (m_call == call)
            m_call = nullptr;
    });
    // The call may already have gone out inside createResponse(): the run starts now.
    markStarted();
}

void ResponseModel::setPricing(const prompt::Pricing &pricing)
{
    m_pricing = pricing;
    updateCost();
    Q_EMIT metricsChanged();
}

void ResponseModel::setRequestedModel(const QString &model)
{
    m_requestedModel = model;
    if (m_result.model.empty()) {
        m_metrics.model = model;
        updateCost();
        Q_EMIT metricsChanged();
    }
}

void ResponseModel::markStarted()
{
    if (!m_clock.isValid())
        m_clock.start();
    setRunning(true);
}

void ResponseModel::applyHeaders(int httpStatus, const QString &requestId)
{
    m_metrics.httpStatus = httpStatus;
    if (!requestId.isEmpty())
        m_metrics.requestId = requestId;
    Q_EMIT metricsChanged();
}

void ResponseModel::applyDelta(const api::OutputDelta &delta)
{
    if (!m_sawDelta) {
        m_sawDelta = true;
        if (m_clock.isValid() && !m_metrics.timeToFirstTokenMs) {
            m_metrics.timeToFirstTokenMs = m_clock.elapsed();
            Q_EMIT metricsChanged();
        }
    }

    using DeltaKind = api::OutputDelta::Kind;
    switch (delta.kind) {
    case DeltaKind::Text:
    case DeltaKind::Refusal:
    case DeltaKind::ReasoningSummary: {
        // One part per kind: the accumulator already joins several content parts of a kind
        // (with their separator inside the delta), so this row's text is exactly the result's.
        const PartKind kind = delta.kind == DeltaKind::Text      ? PartKind::Text
                              : delta.kind == DeltaKind::Refusal ? PartKind::Refusal
                                                                 : PartKind::ReasoningSummary;
        if (delta.text.empty())
            return;
        const int row = findPart(kind, 0);
        if (row < 0)
            appendPart(Part{kind, 0, qs(delta.text), {}, {}});
        else
            appendToPart(row, qs(delta.text));
        return;
    }
    case DeltaKind::ToolCallStarted: {
        const int row = findPart(PartKind::ToolCall, delta.index);
        if (row < 0) {
            appendPart(Part{PartKind::ToolCall, delta.index, {}, qs(delta.text), {}});
        } else if (!delta.text.empty()) {
            m_parts[static_cast<std::size_t>(row)].toolName = qs(delta.text);
            const QModelIndex changed = index(row);
            Q_EMIT dataChanged(changed, changed, {ToolNameRole});
        }
        return;
    }
    case DeltaKind::ToolCallArguments: {
        const int row = findPart(PartKind::ToolCall, delta.index);
        if (row < 0)
            appendPart(Part{PartKind::ToolCall, delta.index, qs(delta.text), {}, {}});
        else if (!delta.text.empty())
            appendToPart(row, qs(delta.text));
        return;
    }
    }
}

void ResponseModel::applyRetry(int attempt, int delayMs, const api::ApiError &reason)
{
    m_metrics.retries = attempt;
    Q_EMIT metricsChanged();
    Q_EMIT retryScheduled(attempt, delayMs, reason.summary());
}

void ResponseModel::applyResult(const api::ResponseResult &result)
{
    m_result = result;
    reconcile(result);

    if (result.timeToFirstTokenMs)
        m_metrics.timeToFirstTokenMs = result.timeToFirstTokenMs;
    m_metrics.totalMs = result.totalMs
                            ? result.totalMs
                            : (m_clock.isValid() ? std::optional<qint64>(m_clock.elapsed()) : std::nullopt);
    m_metrics.outputTokensPerSecond = result.outputTokensPerSecond();
    m_metrics.usage = result.usage;
    m_metrics.model = result.model.empty() ? m_requestedModel : qs(result.model);
    m_metrics.systemFingerprint = qs(result.systemFingerprint);
    if (!result.requestId.isEmpty())
        m_metrics.requestId = result.requestId;
    else if (result.error && !result.error->requestId.isEmpty())
        m_metrics.requestId = result.error->requestId;
    m_metrics.serviceTier = qs(result.serviceTier);
    m_metrics.responseId = qs(result.responseId);
    m_metrics.status = qs(result.status);
    m_metrics.finishReason = qs(result.finishReason);
    if (result.httpStatus != 0)
        m_metrics.httpStatus = result.httpStatus;
    m_metrics.retries = result.retries;
    m_metrics.logprobCount = static_cast<int>(result.logprobs.size());
    updateCost();

    const bool errorDiffers = result.error.has_value() || m_error.has_value();
    m_error = result.error;
    setRunning(false);
    Q_EMIT metricsChanged();
    if (errorDiffers)
        Q_EMIT errorChanged();
    Q_EMIT runFinished();
}

void ResponseModel::setError(const std::optional<api::ApiError> &error)
{
    m_error = error;
    if (error)
        setRunning(false);
    Q_EMIT errorChanged();
}

QString ResponseModel::text() const
{
    const int row = findPart(PartKind::Text, 0);
    return row < 0 ? QString() : m_parts[static_cast<std::size_t>(row)].text;
}

std::optional<qint64> ResponseModel::elapsedMs() const
{
    if (m_running && m_clock.isValid())
        return m_clock.elapsed();
    return m_metrics.totalMs;
}

int ResponseModel::findPart(PartKind kind, int index) const
{
    const auto matches = [&](const Part &part) {
        return part.kind == kind && (kind != PartKind::ToolCall || part.index == index);
    };
    if (m_lastRow >= 0 && m_lastRow < static_cast<int>(m_parts.size()) &&
        matches(m_parts[static_cast<std::size_t>(m_lastRow)]))
        return m_lastRow;
    for (std::size_t row = 0; row < m_parts.size(); ++row) {
        if (matches(m_parts[row])) {
            m_lastRow = static_cast<int>(row);
            return m_lastRow;
        }
    }
    return -1;
}

int ResponseModel::appendPart(Part part)
{
    const int row = static_cast<int>(m_parts.size());
    beginInsertRows(QModelIndex(), row, row);
    m_parts.push_back(std::move(part));
    endInsertRows();
    m_lastRow = row;
    return row;
}

void ResponseModel::appendToPart(int row, const QString &text)
{
    // The hot path while streaming: no allocation beyond the append itself.
    static const QList<int> textRoles{TextRole, Qt::DisplayRole};
    m_parts[static_cast<std::size_t>(row)].text.append(text);
    const QModelIndex changed = index(row);
    Q_EMIT dataChanged(changed, changed, textRoles);
}

void ResponseModel::setPartText(int row, const QString &text)
{
    Part &part = m_parts[static_cast<std::size_t>(row)];
    if (part.text == text)
        return;
    part.text = text;
    const QModelIndex changed = index(row);
    Q_EMIT dataChanged(changed, changed, {TextRole, Qt::DisplayRole});
}

// The final result is the server's record: it fills in what the deltas did not deliver (a
// non-streaming answer, tool call names and ids that only arrive with output_item.done).
void ResponseModel::reconcile(const api::ResponseResult &result)
{
    const std::pair<PartKind, const std::string *> texts[] = {
        {PartKind::ReasoningSummary, &result.reasoningSummary},
        {PartKind::Text, &result.outputText},
        {PartKind::Refusal, &result.refusal},
    };
    for (const auto &[kind, full] : texts) {
        if (full->empty())
            continue;
        const int row = findPart(kind, 0);
        if (row < 0)
            appendPart(Part{kind, 0, qs(*full), {}, {}});
        else
            setPartText(row, qs(*full));
    }

    std::vector<int> toolRows;
    for (std::size_t row = 0; row < m_parts.size(); ++row) {
        if (m_parts[row].kind == PartKind::ToolCall)
            toolRows.push_back(static_cast<int>(row));
    }
    for (std::size_t i = 0; i < result.toolCalls.size(); ++i) {
        const api::ToolCall &call = result.toolCalls[i];
        if (i >= toolRows.size()) {
            appendPart(Part{PartKind::ToolCall, static_cast<int>(i), qs(call.arguments), qs(call.name),
                            qs(call.id)});
            continue;
        }
        const int row = toolRows[i];
        Part &part = m_parts[static_cast<std::size_t>(row)];
        const QString name = qs(call.name);
        const QString id = qs(call.id);
        const QString arguments = qs(call.arguments);
        if ((!name.isEmpty() && part.toolName != name) || part.toolCallId != id ||
            (!arguments.isEmpty() && part.text != arguments)) {
            if (!name.isEmpty())
                part.toolName = name;
            part.toolCallId = id;
            if (!arguments.isEmpty())
                part.text = arguments;
            const QModelIndex changed = index(row);
            Q_EMIT dataChanged(changed, changed, {TextRole, Qt::DisplayRole, ToolNameRole, ToolCallIdRole});
        }
    }
}

void ResponseModel::updateCost()
{
    m_metrics.costUsd.reset();
    if (m_metrics.usage && !m_metrics.model.isEmpty())
        m_metrics.costUsd = m_pricing.costUsd(m_metrics.model, *m_metrics.usage, m_metrics.serviceTier);
}

void ResponseModel::setRunning(bool running)
{
    if (m_running == running)
        return;
    m_running = running;
    Q_EMIT runningChanged(running);
}

} // namespace assay::itemmodels
