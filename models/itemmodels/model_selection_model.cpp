#include "models/itemmodels/model_selection_model.h"

#include <QLocale>

#include "models/eval/run_summary.h"
#include "models/store/workspace.h"

namespace assay::itemmodels {

namespace {

using Column = ModelSelectionModel::Column;

bool isMetric(Column column)
{
    return column == Column::Accuracy || column == Column::CostPer1k || column == Column::AvgLatency ||
           column == Column::P95Latency;
}

QString percent(double fraction)
{
    return QLocale().toString(fraction * 100.0, 'f', 1) + QLatin1Char('%');
}

QString usd(double value)
{
    return QStringLiteral("$") + QLocale().toString(value, 'f', value >= 1.0 ? 2 : 4);
}

QString milliseconds(double ms)
{
    if (ms >= 1000.0)
        return ModelSelectionModel::tr("%1 s").arg(QLocale().toString(ms / 1000.0, 'f', 2));
    return ModelSelectionModel::tr("%1 ms").arg(QLocale().toString(ms, 'f', 0));
}

QString formatted(Column column, double value)
{
    switch (column) {
    case Column::Accuracy:
        return percent(value);
    case Column::CostPer1k:
        return usd(value);
    default:
        return milliseconds(value);
    }
}

} // namespace

ModelSelectionModel::ModelSelectionModel(store::Workspace *workspace, QObject *parent)
    : QAbstractTableModel(parent), m_workspace(workspace)
{
}

ModelSelectionModel::Entry ModelSelectionModel::entryForRun(const store::RunRecord &run,
                                                            const std::optional<store::LatencyStats> &latency)
{
    Entry entry;
    entry.runId = run.id;
    entry.model = run.model;
    entry.method = run.name.isEmpty() ? run.model : run.name;
    if (run.summary.is_object()) {
        const eval::RunSummary summary = eval::RunSummary::fromJson(run.summary);
        entry.items = summary.total;
        if (summary.total > 0) {
            entry.accuracy = summary.passRate();
            if (summary.estimatedCostUsd)
                entry.costPer1k = *summary.estimatedCostUsd / static_cast<double>(summary.total) * 1000.0;
        }
        entry.p95LatencyMs = summary.latencyP95Ms;
        // A summary may carry the mean itself (not every writer adds it).
        const nlohmann::json mean = run.summary.value("/latency_ms/mean"_json_pointer, nlohmann::json());
        if (mean.is_number())
            entry.avgLatencyMs = mean.get<double>();
    }
    if (latency && latency->count > 0) {
        entry.avgLatencyMs = latency->meanMs;
        if (!entry.p95LatencyMs)
            entry.p95LatencyMs = latency->p95Ms;
    }
    return entry;
}

void ModelSelectionModel::setRuns(const QList<store::RunRecord> &runs)
{
    std::vector<Entry> entries;
    entries.reserve(static_cast<std::size_t>(runs.size()));
    for (const store::RunRecord &run : runs) {
        std::optional<store::LatencyStats> latency;
        if (m_workspace && m_workspace->isOpen())
            latency = store::RunItemReader(m_workspace->database()).latency(run.id);
        entries.push_back(entryForRun(run, latency));
    }
    setEntries(std::move(entries));
}

void ModelSelectionModel::setEntries(std::vector<Entry> entries)
{
    beginResetModel();
    m_entries = std::move(entries);
    endResetModel();
}

void ModelSelectionModel::setTargets(const Targets &targets)
{
    m_targets = targets;
    Q_EMIT headerDataChanged(Qt::Horizontal, 0, columnCount() - 1);
    if (!m_entries.empty())
        Q_EMIT dataChanged(index(0, column(Column::Accuracy)), index(rowCount() - 1, column(Column::AllTargets)));
    Q_EMIT targetsChanged();
}

void ModelSelectionModel::setAccuracyTarget(std::optional<double> minAccuracy)
{
    Targets targets = m_targets;
    targets.minAccuracy = minAccuracy;
    setTargets(targets);
}

void ModelSelectionModel::setCostTarget(std::optional<double> maxCostPer1k)
{
    Targets targets = m_targets;
    targets.maxCostPer1k = maxCostPer1k;
    setTargets(targets);
}

void ModelSelectionModel::setAverageLatencyTarget(std::optional<double> maxMs)
{
    Targets targets = m_targets;
    targets.maxAvgLatencyMs = maxMs;
    setTargets(targets);
}

void ModelSelectionModel::setP95LatencyTarget(std::optional<double> maxMs)
{
    Targets targets = m_targets;
    targets.maxP95LatencyMs = maxMs;
    setTargets(targets);
}

std::optional<double> ModelSelectionModel::value(const Entry &entry, Column column) const
{
    switch (column) {
    case Column::Accuracy:
        return entry.accuracy;
    case Column::CostPer1k:
        return entry.costPer1k;
    case Column::AvgLatency:
        return entry.avgLatencyMs;
    case Column::P95Latency:
        return entry.p95LatencyMs;
    case Column::Items:
        return static_cast<double>(entry.items);
    default:
        return std::nullopt;
    }
}

std::optional<double> ModelSelectionModel::target(Column column) const
{
    switch (column) {
    case Column::Accuracy:
        return m_targets.minAccuracy;
    case Column::CostPer1k:
        return m_targets.maxCostPer1k;
    case Column::AvgLatency:
        return m_targets.maxAvgLatencyMs;
    case Column::P95Latency:
        return m_targets.maxP95LatencyMs;
    default:
        return std::nullopt;
    }
}

std::optional<bool> ModelSelectionModel::targetMet(int row, Column column) const
{
    if (column == Column::AllTargets)
        return allTargetsMet(row);
    const std::optional<double> goal = target(column);
    if (!goal)
        return std::nullopt;
    const std::optional<double> actual = value(entry(row), column);
    if (!actual)
        return false;
    // Accuracy is a floor; cost and latency are ceilings. Meeting the target exactly counts.
    return column == Column::Accuracy ? *actual >= *goal : *actual <= *goal;
}

std::optional<bool> ModelSelectionModel::allTargetsMet(int row) const
{
    if (!m_targets.any())
        return std::nullopt;
    for (Column column : {Column::Accuracy, Column::CostPer1k, Column::AvgLatency, Column::P95Latency}) {
        if (const std::optional<bool> met = targetMet(row, column); met && !*met)
            return false;
    }
    return true;
}

int ModelSelectionModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_entries.size());
}

int ModelSelectionModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : column(Column::Count);
}

QVariant ModelSelectionModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Entry &row = entry(index.row());
    const auto col = static_cast<Column>(index.column());
    if (role == ModelSelectionModel::role(Role::RunId))
        return row.runId;
    if (role == ModelSelectionModel::role(Role::TargetMet) || role == Qt::CheckStateRole) {
        const std::optional<bool> met = targetMet(index.row(), col);
        if (!met)
            return {};
        if (role == Qt::CheckStateRole)
            return *met ? Qt::Checked : Qt::Unchecked;
        return *met;
    }
    if (isMetric(col) || col == Column::Items) {
        const std::optional<double> actual = value(row, col);
        switch (role) {
        case Qt::DisplayRole:
            if (!actual)
                return {};
            return col == Column::Items ? QLocale().toString(row.items) : formatted(col, *actual);
        case static_cast<int>(Role::Sort):
            return actual.value_or(-1.0);
        case Qt::TextAlignmentRole:
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        case Qt::ToolTipRole: {
            const std::optional<double> goal = target(col);
            if (!goal)
                return actual ? QVariant(formatted(col, actual.value())) : QVariant();
            const QString relation = col == Column::Accuracy ? QStringLiteral("≥") : QStringLiteral("≤");
            if (!actual)
                return tr("Unknown; target %1 %2").arg(relation, formatted(col, *goal));
            return tr("%1; target %2 %3").arg(formatted(col, *actual), relation, formatted(col, *goal));
        }
        default:
            return {};
        }
    }
    if (role != Qt::DisplayRole && role != static_cast<int>(Role::Sort) && role != Qt::ToolTipRole)
        return {};
    switch (col) {
    case Column::Method:
        return row.method;
    case Column::Model:
        return row.model;
    case Column::AllTargets: {
        const std::optional<bool> met = allTargetsMet(index.row());
        if (role == static_cast<int>(Role::Sort))
            return met ? (*met ? 1 : 0) : -1;
        if (!met)
            return {};
        return *met ? tr("all targets met") : tr("missed");
    }
    default:
        return {};
    }
}

QVariant ModelSelectionModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= columnCount() ||
        (role != Qt::DisplayRole && role != Qt::ToolTipRole))
        return QAbstractTableModel::headerData(section, orientation, role);
    const auto col = static_cast<Column>(section);
    QString title;
    switch (col) {
    case Column::Method:
        title = tr("Method");
        break;
    case Column::Model:
        title = tr("Model");
        break;
    case Column::Items:
        title = tr("Items");
        break;
    case Column::Accuracy:
        title = tr("Accuracy");
        break;
    case Column::CostPer1k:
        title = tr("Cost / 1,000 items");
        break;
    case Column::AvgLatency:
        title = tr("Avg. latency");
        break;
    case Column::P95Latency:
        title = tr("p95 latency");
        break;
    case Column::AllTargets:
        title = tr("Targets");
        break;
    case Column::Count:
        break;
    }
    if (const std::optional<double> goal = target(col)) {
        const QString relation = col == Column::Accuracy ? QStringLiteral("≥") : QStringLiteral("≤");
        const QString suffix = QStringLiteral("%1 %2").arg(relation, formatted(col, *goal));
        return role == Qt::DisplayRole ? tr("%1 (%2)").arg(title, suffix) : tr("Target: %1").arg(suffix);
    }
    return title;
}

} // namespace assay::itemmodels
