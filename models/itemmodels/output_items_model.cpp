#include "models/itemmodels/output_items_model.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <iterator>
#include <limits>
#include <mutex>

#include <QLocale>
#include <QSqlDatabase>
#include <QThread>
#include <QThreadPool>

#include "models/store/workspace.h"

namespace assay::itemmodels {

using store::ItemDigest;

struct OutputItemsModel::Chunk {
    std::vector<qint64> itemIds;
    std::vector<quint8> status;
    std::vector<qint32> latency;
    std::vector<qint32> tokens;
    std::vector<double> scores;
    std::vector<quint8> states;
    std::string previews;
    std::vector<quint32> previewEnds; // relative to this chunk's previews
    std::vector<std::pair<int, QString>> errors; // chunk row, message
    std::size_t rows() const { return itemIds.size(); }
};

// Read by the worker under the mutex, so the model can vanish while a load runs: the destructor
// clears `model` before QObject's destructor drops the batches already posted.
struct OutputItemsModel::Shared {
    std::mutex mutex;
    OutputItemsModel *model = nullptr;
    std::atomic<quint64> generation{0};
};

namespace {

qint32 clamp32(qint64 value)
{
    return static_cast<qint32>(std::clamp<qint64>(value, -1, std::numeric_limits<qint32>::max()));
}

OutputItemsModel::CriterionState stateOf(const ItemDigest::Result &result)
{
    using State = OutputItemsModel::CriterionState;
    if (result.errored)
        return State::Errored;
    if (result.invalid)
        return State::Invalid;
    return result.passed ? State::Passed : State::Failed;
}

QString statusText(OutputItemsModel::ItemStatus status)
{
    switch (status) {
    case OutputItemsModel::ItemStatus::Pass:
        return OutputItemsModel::tr("passed");
    case OutputItemsModel::ItemStatus::Fail:
        return OutputItemsModel::tr("failed");
    case OutputItemsModel::ItemStatus::Error:
        break;
    }
    return OutputItemsModel::tr("errored");
}

QString statusWord(OutputItemsModel::ItemStatus status)
{
    switch (status) {
    case OutputItemsModel::ItemStatus::Pass:
        return QStringLiteral("pass");
    case OutputItemsModel::ItemStatus::Fail:
        return QStringLiteral("fail");
    case OutputItemsModel::ItemStatus::Error:
        break;
    }
    return QStringLiteral("error");
}

QString oneLine(QString text)
{
    for (QChar &c : text) {
        if (c == QLatin1Char('\n') || c == QLatin1Char('\r') || c == QLatin1Char('\t'))
            c = QLatin1Char(' ');
    }
    return text;
}

} // namespace

std::unique_ptr<OutputItemsModel::Chunk> OutputItemsModel::makeChunk(std::vector<ItemDigest> &&digests,
                                                                      const QStringList &criteria)
{
    auto chunk = std::make_unique<Chunk>();
    const std::size_t n = digests.size();
    const std::size_t width = static_cast<std::size_t>(criteria.size());
    chunk->itemIds.reserve(n);
    chunk->status.reserve(n);
    chunk->latency.reserve(n);
    chunk->tokens.reserve(n);
    chunk->scores.assign(n * width, std::numeric_limits<double>::quiet_NaN());
    chunk->states.assign(n * width, static_cast<quint8>(CriterionState::Missing));
    chunk->previewEnds.reserve(n);
    std::vector<std::string> names;
    names.reserve(width);
    for (const QString &name : criteria)
        names.push_back(name.toStdString());

    for (std::size_t row = 0; row < n; ++row) {
        ItemDigest &digest = digests[row];
        chunk->itemIds.push_back(digest.datasourceItemId);
        chunk->status.push_back(static_cast<quint8>(digest.status));
        chunk->latency.push_back(clamp32(digest.latencyMs));
        chunk->tokens.push_back(clamp32(digest.totalTokens));
        for (std::size_t r = 0; r < digest.results.size(); ++r) {
            const ItemDigest::Result &result = digest.results[r];
            // By name; results without one (some imports) by position.
            std::size_t column = width;
            if (!result.name.empty()) {
                const auto it = std::find(names.begin(), names.end(), result.name);
                column = static_cast<std::size_t>(it - names.begin());
            } else if (r < width) {
                column = r;
            }
            if (column >= width)
                continue;
            chunk->scores[row * width + column] = result.score;
            chunk->states[row * width + column] = static_cast<quint8>(stateOf(result));
        }
        chunk->previews += digest.preview;
        chunk->previewEnds.push_back(static_cast<quint32>(chunk->previews.size()));
        if (!digest.error.empty())
            chunk->errors.emplace_back(static_cast<int>(row), QString::fromStdString(digest.error));
    }
    return chunk;
}

OutputItemsModel::OutputItemsModel(store::EvalStore *store, store::Workspace *workspace, QObject *parent)
    : QAbstractTableModel(parent), m_store(store), m_workspace(workspace), m_shared(std::make_shared<Shared>())
{
    m_shared->model = this;
}

OutputItemsModel::~OutputItemsModel()
{
    std::lock_guard<std::mutex> lock(m_shared->mutex);
    m_shared->model = nullptr;
    m_shared->generation = m_shared->generation + 1;
}

QStringList OutputItemsModel::criteriaOf(qint64 runId) const
{
    return m_store ? m_store->criterionNames(runId) : QStringList();
}

void OutputItemsModel::setVerdictStore(store::VerdictStore *verdicts)
{
    if (m_verdicts)
        disconnect(m_verdicts, nullptr, this, nullptr);
    m_verdicts = verdicts;
    if (m_verdicts) {
        connect(m_verdicts, &store::VerdictStore::verdictsChanged, this, [this](qint64 runId) {
            if (runId == m_runId)
                reloadVerdicts();
        });
        connect(m_verdicts, &QObject::destroyed, this, [this] { m_verdicts = nullptr; });
    }
    reloadVerdicts();
}

void OutputItemsModel::reloadVerdicts()
{
    m_human.clear();
    if (m_verdicts && m_runId != 0) {
        for (const store::HumanVerdict &verdict : m_verdicts->verdicts(m_runId))
            m_human[verdict.datasourceItemId].push_back(verdict);
    }
    if (rowCount() > 0) {
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1),
                           {role(Role::HumanVerdict), role(Role::HumanNote), role(Role::Disagrees)});
    }
}

const store::HumanVerdict *OutputItemsModel::humanVerdict(int row, int criterion) const
{
    if (m_human.empty())
        return nullptr;
    const auto it = m_human.find(datasourceItemId(row));
    if (it == m_human.end())
        return nullptr;
    const QString name = criterion < 0 ? QString() : m_criteria.value(criterion);
    for (const store::HumanVerdict &verdict : it->second) {
        if (verdict.criterion == name)
            return &verdict;
    }
    return nullptr;
}

QVariant OutputItemsModel::verdictData(int row, int criterion, int r) const
{
    const store::HumanVerdict *verdict = humanVerdict(row, criterion);
    if (!verdict)
        return {};
    using Verdict = store::HumanVerdict::Verdict;
    if (r == role(Role::HumanNote))
        return verdict->note;
    if (r == role(Role::HumanVerdict)) {
        return verdict->verdict == Verdict::Pass   ? QStringLiteral("pass")
               : verdict->verdict == Verdict::Fail ? QStringLiteral("fail")
                                                   : QString();
    }
    // Disagrees: only a pass/fail verdict against a graded result says anything.
    if (verdict->verdict == Verdict::None)
        return {};
    const bool human = verdict->verdict == Verdict::Pass;
    if (criterion < 0) {
        if (status(row) == ItemStatus::Error)
            return {};
        return human != (status(row) == ItemStatus::Pass);
    }
    const CriterionState state = criterionState(row, criterion);
    if (state == CriterionState::Missing || state == CriterionState::Errored)
        return {};
    return human != (state == CriterionState::Passed);
}

void OutputItemsModel::clear()
{
    {
        std::lock_guard<std::mutex> lock(m_shared->mutex);
        m_shared->generation = ++m_generation;
    }
    beginResetModel();
    m_runId = 0;
    m_loading = false;
    m_criteria.clear();
    m_itemIds = {};
    m_status = {};
    m_latency = {};
    m_tokens = {};
    m_scores = {};
    m_states = {};
    m_previews = {};
    m_previewEnds = {};
    m_errors.clear();
    m_human.clear();
    m_parts.clear();
    m_currentPart = 0;
    endResetModel();
}

void OutputItemsModel::load(qint64 runId)
{
    clear();
    beginResetModel();
    m_runId = runId;
    m_criteria = criteriaOf(runId);
    m_loading = true;
    endResetModel();
    reloadVerdicts();
    const quint64 generation = m_generation;
    Q_EMIT loadStarted(runId);

    if (!m_workspace || !m_workspace->isOpen()) {
        finish(generation, tr("The workspace is not open."));
        return;
    }
    const QString path = m_workspace->path();
    // Two workers split a big run by item id (SQLite's JSON functions are most of the cost).
    int parts = 1;
    qint64 middle = 0;
    if (QThread::idealThreadCount() >= 2) {
        if (const auto range = store::RunItemReader(m_workspace->database()).itemIdRange(runId);
            range && range->second - range->first >= m_parallelFromRows) {
            parts = 2;
            middle = range->first + (range->second - range->first + 1) / 2;
        }
    }
    m_parts.assign(static_cast<std::size_t>(parts), PartState());
    m_currentPart = 0;
    m_loadError.clear();
    for (int part = 0; part < parts; ++part) {
        const qint64 from = part == 0 ? 0 : middle;
        const qint64 to = part + 1 == parts ? std::numeric_limits<qint64>::max() : middle;
        QThreadPool::globalInstance()->start([shared = m_shared, path, criteria = m_criteria, runId, generation, part,
                                              from, to] {
            readPart(shared, path, criteria, runId, generation, part, from, to);
        });
    }
}

void OutputItemsModel::readPart(const std::shared_ptr<Shared> &shared, const QString &path, const QStringList &criteria,
                                qint64 runId, quint64 generation, int part, qint64 fromId, qint64 toId)
{
    auto post = [&shared, generation](auto call) {
        std::lock_guard<std::mutex> lock(shared->mutex);
        if (!shared->model || shared->generation != generation)
            return false;
        OutputItemsModel *model = shared->model;
        QMetaObject::invokeMethod(model, [model, call] { call(model); }, Qt::QueuedConnection);
        return true;
    };
    const QString connection = QStringLiteral("assay-output-items-%1-%2-%3")
                                   .arg(reinterpret_cast<quintptr>(shared.get()))
                                   .arg(generation)
                                   .arg(part);
    QString error;
    {
        QSqlDatabase db = store::RunItemReader::openReadOnly(path, connection, &error);
        if (db.isValid()) {
            std::vector<ItemDigest> pending;
            bool first = part == 0;
            auto flush = [&] {
                std::shared_ptr<Chunk> chunk = makeChunk(std::move(pending), criteria);
                pending = {};
                first = false;
                return post([generation, part, chunk](OutputItemsModel *model) { model->append(generation, part, chunk); });
            };
            const bool ok = store::RunItemReader(db).readDigests(
                runId, static_cast<int>(criteria.size()), FirstBatchRows,
                [&](std::vector<ItemDigest> &&batch) {
                    if (shared->generation != generation)
                        return false;
                    std::move(batch.begin(), batch.end(), std::back_inserter(pending));
                    if (pending.size() < static_cast<std::size_t>(first ? FirstBatchRows : BatchRows))
                        return true;
                    return flush();
                },
                &error, fromId, toId);
            if (ok && !pending.empty())
                flush();
            if (ok)
                error.clear();
            db.close();
        }
    }
    QSqlDatabase::removeDatabase(connection);
    post([generation, part, error](OutputItemsModel *model) { model->partFinished(generation, part, error); });
}

void OutputItemsModel::append(quint64 generation, int part, const std::shared_ptr<Chunk> &chunk)
{
    if (generation != m_generation || !chunk || chunk->rows() == 0 || part < m_currentPart ||
        static_cast<std::size_t>(part) >= m_parts.size())
        return;
    if (part > m_currentPart) {
        m_parts[static_cast<std::size_t>(part)].waiting.push_back(chunk);
        return;
    }
    appendRows(*chunk);
}

void OutputItemsModel::partFinished(quint64 generation, int part, const QString &error)
{
    if (generation != m_generation || static_cast<std::size_t>(part) >= m_parts.size())
        return;
    m_parts[static_cast<std::size_t>(part)].done = true;
    if (!error.isEmpty() && m_loadError.isEmpty())
        m_loadError = error;
    while (m_currentPart < static_cast<int>(m_parts.size()) && m_parts[static_cast<std::size_t>(m_currentPart)].done) {
        ++m_currentPart;
        if (m_currentPart < static_cast<int>(m_parts.size())) {
            std::vector<std::shared_ptr<Chunk>> waiting = std::move(m_parts[static_cast<std::size_t>(m_currentPart)].waiting);
            for (const std::shared_ptr<Chunk> &chunk : waiting)
                appendRows(*chunk);
        }
    }
    if (m_currentPart == static_cast<int>(m_parts.size()))
        finish(generation, m_loadError);
}

void OutputItemsModel::appendRows(const Chunk &c)
{
    const Chunk *chunk = &c;
    const int first = static_cast<int>(m_itemIds.size());
    const int last = first + static_cast<int>(chunk->rows()) - 1;
    beginInsertRows({}, first, last);
    const quint32 base = static_cast<quint32>(m_previews.size());
    m_itemIds.insert(m_itemIds.end(), chunk->itemIds.begin(), chunk->itemIds.end());
    m_status.insert(m_status.end(), chunk->status.begin(), chunk->status.end());
    m_latency.insert(m_latency.end(), chunk->latency.begin(), chunk->latency.end());
    m_tokens.insert(m_tokens.end(), chunk->tokens.begin(), chunk->tokens.end());
    m_scores.insert(m_scores.end(), chunk->scores.begin(), chunk->scores.end());
    m_states.insert(m_states.end(), chunk->states.begin(), chunk->states.end());
    m_previews += chunk->previews;
    for (quint32 end : chunk->previewEnds)
        m_previewEnds.push_back(base + end);
    for (const auto &[row, message] : chunk->errors)
        m_errors.emplace(first + row, message);
    endInsertRows();
}

void OutputItemsModel::finish(quint64 generation, const QString &error)
{
    if (generation != m_generation || !m_loading)
        return;
    m_loading = false;
    // The arrays grew by doubling while batches came in: give the slack back.
    m_itemIds.shrink_to_fit();
    m_status.shrink_to_fit();
    m_latency.shrink_to_fit();
    m_tokens.shrink_to_fit();
    m_scores.shrink_to_fit();
    m_states.shrink_to_fit();
    m_previews.shrink_to_fit();
    m_previewEnds.shrink_to_fit();
    if (!error.isEmpty())
        Q_EMIT loadFailed(error);
    else
        Q_EMIT loaded(rowCount());
}

int OutputItemsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_itemIds.size());
}

int OutputItemsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : outputColumn() + 1;
}

int OutputItemsModel::criterionOfColumn(int column) const
{
    const int criterion = column - static_cast<int>(Column::FirstCriterion);
    return criterion >= 0 && criterion < m_criteria.size() ? criterion : -1;
}

OutputItemsModel::CriterionState OutputItemsModel::criterionState(int row, int criterion) const
{
    const std::size_t width = static_cast<std::size_t>(m_criteria.size());
    if (criterion < 0 || static_cast<std::size_t>(criterion) >= width)
        return CriterionState::Missing;
    return static_cast<CriterionState>(m_states[static_cast<std::size_t>(row) * width + static_cast<std::size_t>(criterion)]);
}

std::optional<double> OutputItemsModel::score(int row, int criterion) const
{
    const CriterionState state = criterionState(row, criterion);
    if (state == CriterionState::Missing || state == CriterionState::Errored)
        return std::nullopt;
    const std::size_t width = static_cast<std::size_t>(m_criteria.size());
    return m_scores[static_cast<std::size_t>(row) * width + static_cast<std::size_t>(criterion)];
}

QString OutputItemsModel::preview(int row) const
{
    const std::size_t r = static_cast<std::size_t>(row);
    const quint32 begin = r == 0 ? 0 : m_previewEnds[r - 1];
    const quint32 end = m_previewEnds[r];
    return QString::fromUtf8(m_previews.data() + begin, static_cast<qsizetype>(end - begin));
}

int OutputItemsModel::rowForItem(qint64 datasourceItemId) const
{
    const auto it = std::lower_bound(m_itemIds.begin(), m_itemIds.end(), datasourceItemId);
    return it != m_itemIds.end() && *it == datasourceItemId ? static_cast<int>(it - m_itemIds.begin()) : -1;
}

std::optional<store::OutputItemRecord> OutputItemsModel::record(int row) const
{
    if (row < 0 || row >= rowCount() || !m_workspace || !m_workspace->isOpen())
        return std::nullopt;
    return store::RunItemReader(m_workspace->database()).item(m_runId, datasourceItemId(row));
}

std::size_t OutputItemsModel::memoryBytes() const
{
    std::size_t bytes = m_itemIds.capacity() * sizeof(qint64) + m_status.capacity() + m_latency.capacity() * 4 +
                        m_tokens.capacity() * 4 + m_scores.capacity() * sizeof(double) + m_states.capacity() +
                        m_previews.capacity() + m_previewEnds.capacity() * 4;
    for (const auto &[row, message] : m_errors)
        bytes += sizeof(row) + 32 + static_cast<std::size_t>(message.size()) * 2;
    return bytes;
}

QVariant OutputItemsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int row = index.row();
    const int column = index.column();
    const int criterion = criterionOfColumn(column);
    const ItemStatus itemStatus = status(row);
    const auto errorText = [&] {
        const auto it = m_errors.find(row);
        return it == m_errors.end() ? QString() : it->second;
    };

    if (role == OutputItemsModel::role(Role::DatasourceItemId))
        return datasourceItemId(row);
    if (role == OutputItemsModel::role(Role::ItemStatus))
        return statusWord(itemStatus);
    if (role == OutputItemsModel::role(Role::HumanVerdict) || role == OutputItemsModel::role(Role::HumanNote) ||
        role == OutputItemsModel::role(Role::Disagrees)) {
        if (criterion >= 0 || column == static_cast<int>(Column::Status))
            return verdictData(row, criterion, role);
        return {};
    }
    if (role == OutputItemsModel::role(Role::Error)) {
        const QString error = errorText();
        return error.isEmpty() ? QVariant() : QVariant(error);
    }

    if (criterion >= 0) {
        const CriterionState state = criterionState(row, criterion);
        const std::optional<double> value = score(row, criterion);
        switch (role) {
        case Qt::DisplayRole:
            if (state == CriterionState::Errored)
                return tr("error");
            return value ? QVariant(QLocale().toString(*value, 'g', 4)) : QVariant();
        case Qt::CheckStateRole:
        case static_cast<int>(Role::Passed):
            if (state == CriterionState::Missing || state == CriterionState::Errored)
                return {};
            if (role == Qt::CheckStateRole)
                return state == CriterionState::Passed ? Qt::Checked : Qt::Unchecked;
            return state == CriterionState::Passed;
        case static_cast<int>(Role::Score):
        case static_cast<int>(Role::Sort):
            return value ? QVariant(*value) : QVariant();
        case static_cast<int>(Role::CriterionState):
            return static_cast<int>(state);
        case Qt::ToolTipRole:
            switch (state) {
            case CriterionState::Missing:
                return tr("%1: no result").arg(m_criteria[criterion]);
            case CriterionState::Errored:
                return tr("%1: the grader could not grade this item").arg(m_criteria[criterion]);
            case CriterionState::Invalid:
                return tr("%1: invalid grader output (score 0, failed)").arg(m_criteria[criterion]);
            case CriterionState::Passed:
            case CriterionState::Failed:
                return tr("%1: score %2, %3")
                    .arg(m_criteria[criterion], QLocale().toString(value.value_or(0.0), 'g', 6),
                         state == CriterionState::Passed ? tr("passed") : tr("failed"));
            }
            return {};
        case Qt::TextAlignmentRole:
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        default:
            return {};
        }
    }

    if (column == static_cast<int>(Column::Index)) {
        if (role == Qt::DisplayRole || role == OutputItemsModel::role(Role::Sort))
            return datasourceItemId(row);
        if (role == Qt::TextAlignmentRole)
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        return {};
    }
    if (column == static_cast<int>(Column::Status)) {
        switch (role) {
        case Qt::DisplayRole:
            return statusText(itemStatus);
        case static_cast<int>(Role::Sort):
            return static_cast<int>(itemStatus);
        case static_cast<int>(Role::Passed):
            return itemStatus == ItemStatus::Error ? QVariant() : QVariant(itemStatus == ItemStatus::Pass);
        case Qt::ToolTipRole:
            return itemStatus == ItemStatus::Error ? errorText() : statusText(itemStatus);
        default:
            return {};
        }
    }
    if (column == latencyColumn() || column == tokensColumn()) {
        const qint64 value = column == latencyColumn() ? latencyMs(row) : totalTokens(row);
        switch (role) {
        case Qt::DisplayRole:
            if (value < 0)
                return {};
            return column == latencyColumn() ? tr("%1 ms").arg(QLocale().toString(value)) : QLocale().toString(value);
        case static_cast<int>(Role::Sort):
            return value;
        case Qt::TextAlignmentRole:
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        default:
            return {};
        }
    }
    if (column == outputColumn()) {
        switch (role) {
        case Qt::DisplayRole: {
            const QString text = preview(row);
            return oneLine(text.isEmpty() && itemStatus == ItemStatus::Error ? errorText() : text);
        }
        case Qt::ToolTipRole: {
            const QString text = preview(row);
            return text.isEmpty() ? errorText() : text;
        }
        case static_cast<int>(Role::Sort):
            return preview(row);
        default:
            return {};
        }
    }
    return {};
}

QVariant OutputItemsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= columnCount())
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    if (const int criterion = criterionOfColumn(section); criterion >= 0)
        return role == Qt::DisplayRole ? m_criteria[criterion] : tr("Score of the testing criterion %1 (ticked when it passed)").arg(m_criteria[criterion]);
    if (section == static_cast<int>(Column::Index))
        return role == Qt::DisplayRole ? tr("#") : tr("The item's index in the run's data (datasource_item_id)");
    if (section == static_cast<int>(Column::Status))
        return tr("Status");
    if (section == latencyColumn())
        return role == Qt::DisplayRole ? tr("Latency") : tr("Sampling latency (0 for a cached answer)");
    if (section == tokensColumn())
        return role == Qt::DisplayRole ? tr("Tokens") : tr("Tokens of the sampling call");
    return tr("Output");
}

// --- OutputItemsFilterModel ---------------------------------------------------------------------

OutputItemsFilterModel::OutputItemsFilterModel(QObject *parent) : QSortFilterProxyModel(parent)
{
    setSortRole(OutputItemsModel::role(OutputItemsModel::Role::Sort));
}

const OutputItemsModel *OutputItemsFilterModel::items() const
{
    return qobject_cast<const OutputItemsModel *>(sourceModel());
}

void OutputItemsFilterModel::setStatusFilter(StatusFilter filter)
{
    if (filter == m_statusFilter)
        return;
    m_statusFilter = filter;
    // A full rebuild: invalidateFilter() removes and inserts the changed rows range by range, which
    // is quadratic when 100,000 rows alternate (seconds where this takes milliseconds).
    invalidate();
}

void OutputItemsFilterModel::setFailedCriterion(int criterion)
{
    if (criterion == m_failedCriterion)
        return;
    m_failedCriterion = criterion;
    invalidate();
}

bool OutputItemsFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const OutputItemsModel *model = items();
    if (!model || sourceParent.isValid())
        return QSortFilterProxyModel::filterAcceptsRow(sourceRow, sourceParent);
    StatusFlag flag = Errored;
    switch (model->status(sourceRow)) {
    case OutputItemsModel::ItemStatus::Pass:
        flag = Passed;
        break;
    case OutputItemsModel::ItemStatus::Fail:
        flag = Failed;
        break;
    case OutputItemsModel::ItemStatus::Error:
        break;
    }
    if (!m_statusFilter.testFlag(flag))
        return false;
    if (m_failedCriterion >= 0) {
        const OutputItemsModel::CriterionState state = model->criterionState(sourceRow, m_failedCriterion);
        if (state != OutputItemsModel::CriterionState::Failed && state != OutputItemsModel::CriterionState::Invalid)
            return false;
    }
    return QSortFilterProxyModel::filterAcceptsRow(sourceRow, sourceParent);
}

bool OutputItemsFilterModel::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    const OutputItemsModel *model = items();
    if (!model || left.column() != right.column())
        return QSortFilterProxyModel::lessThan(left, right);
    const int column = left.column();
    const int a = left.row();
    const int b = right.row();
    // Ties fall back to the item order, so a sort is stable and predictable.
    const auto byId = [&] { return model->datasourceItemId(a) < model->datasourceItemId(b); };
    if (const int criterion = model->criterionOfColumn(column); criterion >= 0) {
        // Items without a score (errored, missing) sort below every score.
        const double low = -std::numeric_limits<double>::infinity();
        const double x = model->score(a, criterion).value_or(low);
        const double y = model->score(b, criterion).value_or(low);
        return x != y ? x < y : byId();
    }
    if (column == static_cast<int>(OutputItemsModel::Column::Index))
        return byId();
    if (column == static_cast<int>(OutputItemsModel::Column::Status)) {
        const int x = static_cast<int>(model->status(a));
        const int y = static_cast<int>(model->status(b));
        return x != y ? x < y : byId();
    }
    if (column == model->latencyColumn()) {
        const qint64 x = model->latencyMs(a);
        const qint64 y = model->latencyMs(b);
        return x != y ? x < y : byId();
    }
    if (column == model->tokensColumn()) {
        const qint64 x = model->totalTokens(a);
        const qint64 y = model->totalTokens(b);
        return x != y ? x < y : byId();
    }
    const int order = model->preview(a).localeAwareCompare(model->preview(b));
    return order != 0 ? order < 0 : byId();
}

} // namespace assay::itemmodels
