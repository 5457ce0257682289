#include "models/itemmodels/runs_model.h"

#include <algorithm>

#include <QCryptographicHash>
#include <QFileInfo>
#include <QLocale>
#include <QSet>
#include <QTimer>

#include "models/eval/run_summary.h"

namespace assay::itemmodels {

namespace {

QString statusText(const store::RunRecord &run, qint64 graded)
{
    const QString &status = run.status;
    if (status == QLatin1String("queued"))
        return RunsModel::tr("Queued");
    if (status == QLatin1String("in_progress"))
        return run.totalItems > 0 ? RunsModel::tr("Running %1/%2").arg(graded).arg(run.totalItems)
                                  : RunsModel::tr("Running");
    if (status == QLatin1String("completed"))
        return RunsModel::tr("Completed");
    if (status == QLatin1String("canceled"))
        return RunsModel::tr("Canceled");
    if (status == QLatin1String("failed"))
        return RunsModel::tr("Failed");
    return status;
}

QString timeText(const QDateTime &time)
{
    return time.isValid() ? QLocale().toString(time.toLocalTime(), QLocale::ShortFormat) : QString();
}

qint64 timeValue(const QDateTime &time)
{
    return time.isValid() ? time.toMSecsSinceEpoch() : -1;
}

QString costText(double usd)
{
    // Small runs cost fractions of a cent: keep enough digits to tell them apart.
    return QStringLiteral("$") + QLocale().toString(usd, 'f', usd >= 1.0 ? 2 : 4);
}

} // namespace

RunsModel::RunsModel(store::EvalStore *store, QObject *parent)
    : QAbstractTableModel(parent), m_store(store), m_refreshTimer(new QTimer(this))
{
    m_refreshTimer->setSingleShot(true);
    m_refreshTimer->setInterval(200);
    connect(m_refreshTimer, &QTimer::timeout, this, &RunsModel::refresh);
    if (m_store) {
        connect(m_store, &store::EvalStore::runsChanged, this, [this] {
            if (m_refreshTimer->interval() == 0)
                refresh();
            else if (!m_refreshTimer->isActive())
                m_refreshTimer->start(); // a throttle, not a debounce: a long run still updates
        });
    }
    refresh();
}

int RunsModel::refreshInterval() const
{
    return m_refreshTimer->interval();
}

void RunsModel::setRefreshInterval(int ms)
{
    m_refreshTimer->setInterval(std::max(0, ms));
}

RunsModel::Row RunsModel::makeRow(const store::RunRecord &record)
{
    Row row;
    row.record = record;
    auto name = m_evalNames.find(record.evalId);
    if (name == m_evalNames.end()) {
        QString text;
        if (const std::optional<store::EvalRecord> eval = m_store->eval(record.evalId))
            text = eval->version > 1 ? tr("%1 (v%2)").arg(eval->name).arg(eval->version) : eval->name;
        name = m_evalNames.emplace(record.evalId, text).first;
    }
    row.evalName = name->second;
    const nlohmann::json &source = record.runSpec.is_object() ? record.runSpec.value("data_source", nlohmann::json())
                                                               : nlohmann::json();
    if (source.is_object() && source.contains("input_messages")) {
        const nlohmann::json &messages = source["input_messages"];
        const std::string canonical = messages.dump(); // nlohmann sorts keys: stable across runs
        row.promptHash = QString::fromLatin1(
            QCryptographicHash::hash(QByteArray::fromStdString(canonical), QCryptographicHash::Sha256).toHex().left(8));
        const nlohmann::json &tmpl = messages.value("template", nlohmann::json());
        if (tmpl.is_array() && !tmpl.empty() && tmpl[0].is_object()) {
            const nlohmann::json &content = tmpl[0].value("content", nlohmann::json());
            row.promptPreview = QString::fromStdString(content.is_string() ? content.get<std::string>() : content.dump());
        } else if (messages.contains("item_reference")) {
            row.promptPreview = tr("Messages from the items: %1")
                                    .arg(QString::fromStdString(messages["item_reference"].dump()));
        }
    }
    if (record.summary.is_object()) {
        const eval::RunSummary summary = eval::RunSummary::fromJson(record.summary);
        row.graded = summary.total;
        if (summary.total > 0)
            row.passRate = summary.passRate();
        row.cost = summary.estimatedCostUsd;
        qint64 tokens = 0;
        for (const eval::RunSummary::ModelUsage &usage : summary.perModelUsage)
            tokens += usage.totalTokens;
        row.tokens = tokens;
    }
    return row;
}

bool RunsModel::sameContent(const Row &a, const Row &b)
{
    const store::RunRecord &x = a.record;
    const store::RunRecord &y = b.record;
    return x.name == y.name && x.model == y.model && x.status == y.status && x.source == y.source &&
           x.summary == y.summary && x.totalItems == y.totalItems && x.finishedAt == y.finishedAt &&
           x.datasetPath == y.datasetPath && x.datasetHash == y.datasetHash && a.evalName == b.evalName;
}

void RunsModel::refresh()
{
    m_refreshTimer->stop();
    std::vector<Row> next;
    QSet<qint64> nextIds;
    if (m_store) {
        const QList<store::RunRecord> runs = m_store->runs();
        next.reserve(static_cast<std::size_t>(runs.size()));
        for (const store::RunRecord &run : runs) {
            next.push_back(makeRow(run));
            nextIds.insert(run.id);
        }
    }

    // Removed runs, bottom up, one block of adjacent rows at a time.
    for (int last = static_cast<int>(m_rows.size()) - 1; last >= 0;) {
        if (nextIds.contains(m_rows[static_cast<std::size_t>(last)].record.id)) {
            --last;
            continue;
        }
        int first = last;
        while (first > 0 && !nextIds.contains(m_rows[static_cast<std::size_t>(first - 1)].record.id))
            --first;
        beginRemoveRows({}, first, last);
        m_rows.erase(m_rows.begin() + first, m_rows.begin() + last + 1);
        endRemoveRows();
        last = first - 1;
    }

    // The runs left must keep their order (created_at never changes); otherwise start over.
    std::unordered_map<qint64, std::size_t> position;
    for (std::size_t i = 0; i < next.size(); ++i)
        position.emplace(next[i].record.id, i);
    bool ordered = true;
    for (std::size_t i = 1; i < m_rows.size() && ordered; ++i)
        ordered = position[m_rows[i - 1].record.id] < position[m_rows[i].record.id];
    if (!ordered) {
        beginResetModel();
        m_rows = std::move(next);
        endResetModel();
        return;
    }

    std::size_t row = 0;
    for (std::size_t i = 0; i < next.size();) {
        if (row < m_rows.size() && m_rows[row].record.id == next[i].record.id) {
            if (!sameContent(m_rows[row], next[i])) {
                m_rows[row] = std::move(next[i]);
                const int r = static_cast<int>(row);
                Q_EMIT dataChanged(index(r, 0), index(r, columnCount() - 1));
            }
            ++row;
            ++i;
            continue;
        }
        std::size_t end = i;
        while (end < next.size() && (row >= m_rows.size() || next[end].record.id != m_rows[row].record.id))
            ++end;
        const int first = static_cast<int>(row);
        beginInsertRows({}, first, first + static_cast<int>(end - i) - 1);
        m_rows.insert(m_rows.begin() + static_cast<std::ptrdiff_t>(row), std::make_move_iterator(next.begin() + static_cast<std::ptrdiff_t>(i)),
                      std::make_move_iterator(next.begin() + static_cast<std::ptrdiff_t>(end)));
        endInsertRows();
        row += end - i;
        i = end;
    }
}

int RunsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int RunsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : column(Column::Count);
}

int RunsModel::rowForRun(qint64 runId) const
{
    for (std::size_t i = 0; i < m_rows.size(); ++i) {
        if (m_rows[i].record.id == runId)
            return static_cast<int>(i);
    }
    return -1;
}

qint64 RunsModel::runId(int row) const
{
    return row >= 0 && row < rowCount() ? m_rows[static_cast<std::size_t>(row)].record.id : 0;
}

std::optional<double> RunsModel::passRate(int row) const
{
    return m_rows[static_cast<std::size_t>(row)].passRate;
}

std::optional<double> RunsModel::cost(int row) const
{
    return m_rows[static_cast<std::size_t>(row)].cost;
}

std::optional<qint64> RunsModel::tokens(int row) const
{
    return m_rows[static_cast<std::size_t>(row)].tokens;
}

QVariant RunsModel::display(const Row &row, Column column) const
{
    const store::RunRecord &run = row.record;
    switch (column) {
    case Column::Name:
        return run.name.isEmpty() ? tr("Run %1").arg(run.id) : run.name;
    case Column::Eval:
        return row.evalName;
    case Column::Model:
        return run.model;
    case Column::Prompt:
        return row.promptHash;
    case Column::Status:
        return statusText(run, row.graded);
    case Column::Source:
        return run.source == QLatin1String("imported") ? tr("imported") : tr("local");
    case Column::Dataset: {
        const QString file = run.datasetPath.isEmpty() ? tr("inline items") : QFileInfo(run.datasetPath).fileName();
        return run.datasetHash.isEmpty() ? file : tr("%1 · %2").arg(file, run.datasetHash.left(8));
    }
    case Column::Started:
        return timeText(run.createdAt);
    case Column::Finished:
        return timeText(run.finishedAt);
    case Column::PassRate:
        return row.passRate ? QVariant(QLocale().toString(*row.passRate * 100.0, 'f', 1) + QLatin1Char('%')) : QVariant();
    case Column::Cost:
        return row.cost ? QVariant(costText(*row.cost)) : QVariant();
    case Column::Tokens:
        return row.tokens ? QVariant(QLocale().toString(*row.tokens)) : QVariant();
    case Column::Count:
        break;
    }
    return {};
}

QVariant RunsModel::sortValue(const Row &row, Column column) const
{
    const store::RunRecord &run = row.record;
    switch (column) {
    case Column::Started:
        return timeValue(run.createdAt);
    case Column::Finished:
        return timeValue(run.finishedAt);
    case Column::PassRate:
        return row.passRate.value_or(-1.0);
    case Column::Cost:
        return row.cost.value_or(-1.0);
    case Column::Tokens:
        return row.tokens.value_or(-1);
    case Column::Status:
        return run.status;
    case Column::Source:
        return run.source;
    case Column::Dataset:
        return run.datasetPath + QLatin1Char('\n') + run.datasetHash;
    default:
        return display(row, column).toString().toCaseFolded();
    }
}

QVariant RunsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows[static_cast<std::size_t>(index.row())];
    const auto col = static_cast<Column>(index.column());
    switch (role) {
    case Qt::DisplayRole:
        return display(row, col);
    case Qt::ToolTipRole:
        if (col == Column::Dataset) {
            return tr("%1\nSHA-256 %2")
                .arg(row.record.datasetPath.isEmpty() ? tr("items inline in the run") : row.record.datasetPath,
                     row.record.datasetHash.isEmpty() ? tr("unknown") : row.record.datasetHash);
        }
        if (col == Column::Prompt) {
            return row.promptHash.isEmpty()
                       ? tr("No prompt template: the items carry their own samples")
                       : tr("Prompt version %1 (runs with the same value sent the same template)\n%2")
                             .arg(row.promptHash, row.promptPreview.left(300));
        }
        if (col == Column::Cost && !row.cost && row.record.summary.is_object())
            return tr("No price is known for a model of this run");
        return display(row, col);
    case Qt::TextAlignmentRole:
        if (col == Column::PassRate || col == Column::Cost || col == Column::Tokens)
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        return {};
    case static_cast<int>(Role::Sort):
        return sortValue(row, col);
    case static_cast<int>(Role::RunId):
        return row.record.id;
    case static_cast<int>(Role::EvalId):
        return row.record.evalId;
    case static_cast<int>(Role::RunStatus):
        return row.record.status;
    case static_cast<int>(Role::RunSource):
        return row.record.source;
    default:
        return {};
    }
}

QVariant RunsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= columnCount())
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (static_cast<Column>(section)) {
    case Column::Name:
        return tr("Name");
    case Column::Eval:
        return tr("Eval");
    case Column::Model:
        return tr("Model");
    case Column::Prompt:
        return tr("Prompt");
    case Column::Status:
        return tr("Status");
    case Column::Source:
        return tr("Source");
    case Column::Dataset:
        return tr("Dataset");
    case Column::Started:
        return tr("Started");
    case Column::Finished:
        return tr("Finished");
    case Column::PassRate:
        return tr("Pass rate");
    case Column::Cost:
        return tr("Cost");
    case Column::Tokens:
        return tr("Tokens");
    case Column::Count:
        break;
    }
    return {};
}

} // namespace assay::itemmodels
