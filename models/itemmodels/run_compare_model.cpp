#include "models/itemmodels/run_compare_model.h"

#include <algorithm>
#include <atomic>
#include <iterator>
#include <future>
#include <limits>
#include <mutex>

#include <QColor>
#include <QLocale>
#include <QSqlDatabase>
#include <QThreadPool>

#include "models/store/run_item_reader.h"
#include "models/store/workspace.h"

namespace assay::itemmodels {

using store::ItemDigest;

struct RunCompareModel::Rows {
    std::vector<qint64> itemIds;
    std::vector<quint8> changes;
    std::vector<quint8> baseStatus;
    std::vector<quint8> candidateStatus;
    std::vector<double> baseScores;
    std::vector<double> candidateScores;
    std::vector<quint8> baseStates;
    std::vector<quint8> candidateStates;
    std::string previews;
    std::vector<quint32> previewEnds;
    Counts counts;
    std::vector<CriterionStats> stats;
};

// Read by the worker under the mutex, so the model can vanish while a comparison runs.
struct RunCompareModel::Shared {
    std::mutex mutex;
    RunCompareModel *model = nullptr;
    std::atomic<quint64> generation{0};
};

namespace {

using Change = RunCompareModel::Change;
using Status = RunCompareModel::Status;
using CriterionState = RunCompareModel::CriterionState;

CriterionState stateOf(const ItemDigest::Result &result)
{
    if (result.errored)
        return CriterionState::Errored;
    if (result.invalid)
        return CriterionState::Invalid;
    return result.passed ? CriterionState::Passed : CriterionState::Failed;
}

Status statusOf(ItemDigest::Status status)
{
    switch (status) {
    case ItemDigest::Status::Pass:
        return Status::Pass;
    case ItemDigest::Status::Fail:
        return Status::Fail;
    case ItemDigest::Status::Error:
        break;
    }
    return Status::Error;
}

Change classify(const ItemDigest *base, const ItemDigest *candidate)
{
    if (!candidate)
        return Change::OnlyInBase;
    if (!base)
        return Change::OnlyInCandidate;
    const bool before = base->status == ItemDigest::Status::Pass;
    const bool after = candidate->status == ItemDigest::Status::Pass;
    if (before && !after)
        return Change::Regression;
    if (!before && after)
        return Change::Improvement;
    if (before)
        return Change::UnchangedPass;
    if (base->status == ItemDigest::Status::Error || candidate->status == ItemDigest::Status::Error)
        return Change::Errored;
    return Change::UnchangedFail;
}

QString statusText(Status status)
{
    switch (status) {
    case Status::Pass:
        return RunCompareModel::tr("passed");
    case Status::Fail:
        return RunCompareModel::tr("failed");
    case Status::Error:
        return RunCompareModel::tr("errored");
    case Status::Missing:
        break;
    }
    return RunCompareModel::tr("(absent)");
}

QString oneLine(QString text)
{
    for (QChar &c : text) {
        if (c == QLatin1Char('\n') || c == QLatin1Char('\r') || c == QLatin1Char('\t'))
            c = QLatin1Char(' ');
    }
    return text;
}

QString number(double value)
{
    return QLocale().toString(value, 'g', 4);
}

QString signedNumber(double value)
{
    if (value > 0)
        return QStringLiteral("+") + number(value);
    if (value < 0)
        return QString::fromUtf8("\u2212") + number(-value); // a real minus sign
    return QString::fromUtf8("\u00b10");
}

// "0.25 ✗" / "error" / "—"
QString side(std::optional<double> score, CriterionState state)
{
    switch (state) {
    case CriterionState::Missing:
        return QString::fromUtf8("\u2014");
    case CriterionState::Errored:
        return RunCompareModel::tr("error");
    case CriterionState::Passed:
        return number(score.value_or(0.0)) + QString::fromUtf8(" \u2713");
    case CriterionState::Failed:
    case CriterionState::Invalid:
        break;
    }
    return number(score.value_or(0.0)) + QString::fromUtf8(" \u2717");
}

QString stateWord(CriterionState state)
{
    switch (state) {
    case CriterionState::Missing:
        return RunCompareModel::tr("no result");
    case CriterionState::Errored:
        return RunCompareModel::tr("grader error");
    case CriterionState::Invalid:
        return RunCompareModel::tr("invalid grader output, failed");
    case CriterionState::Passed:
        return RunCompareModel::tr("passed");
    case CriterionState::Failed:
        break;
    }
    return RunCompareModel::tr("failed");
}

const QColor kRegression(0xb0, 0x1c, 0x1c);
const QColor kImprovement(0x1b, 0x6e, 0x2a);

// Reads every digest of a run on the calling thread through a connection of its own.
bool readRun(const QString &path, const QString &connection, qint64 runId, int slots,
             const std::atomic<quint64> &generation, quint64 expected, std::vector<ItemDigest> &out, QString &error)
{
    bool ok = false;
    {
        QSqlDatabase db = store::RunItemReader::openReadOnly(path, connection, &error);
        if (db.isValid()) {
            ok = store::RunItemReader(db).readDigests(
                runId, slots, 5000,
                [&](std::vector<ItemDigest> &&batch) {
                    if (generation != expected)
                        return false;
                    if (out.empty())
                        out = std::move(batch);
                    else
                        std::move(batch.begin(), batch.end(), std::back_inserter(out));
                    return true;
                },
                &error);
            db.close();
        }
    }
    QSqlDatabase::removeDatabase(connection);
    return ok;
}

void addCells(const ItemDigest *digest, const std::vector<std::string> &names, std::vector<double> &scores,
              std::vector<quint8> &states)
{
    const std::size_t width = names.size();
    const std::size_t first = scores.size();
    scores.resize(first + width, std::numeric_limits<double>::quiet_NaN());
    states.resize(first + width, static_cast<quint8>(CriterionState::Missing));
    if (!digest)
        return;
    for (std::size_t r = 0; r < digest->results.size(); ++r) {
        const ItemDigest::Result &result = digest->results[r];
        // By name; results without one (some imports) by position.
        std::size_t column = width;
        if (!result.name.empty())
            column = static_cast<std::size_t>(std::find(names.begin(), names.end(), result.name) - names.begin());
        else if (r < width)
            column = r;
        if (column >= width)
            continue;
        scores[first + column] = result.score;
        states[first + column] = static_cast<quint8>(stateOf(result));
    }
}

} // namespace

report::ItemChange RunCompareModel::itemChange(Change change)
{
    switch (change) {
    case Change::Regression:
        return report::ItemChange::Regression;
    case Change::Improvement:
        return report::ItemChange::Improvement;
    case Change::UnchangedPass:
    case Change::UnchangedFail:
    case Change::Errored:
        break;
    case Change::OnlyInBase:
        return report::ItemChange::Removed;
    case Change::OnlyInCandidate:
        return report::ItemChange::Added;
    }
    return report::ItemChange::Unchanged;
}

QString RunCompareModel::changeName(Change change)
{
    switch (change) {
    case Change::Regression:
        return tr("regression");
    case Change::Improvement:
        return tr("improvement");
    case Change::UnchangedPass:
        return tr("unchanged pass");
    case Change::UnchangedFail:
        return tr("unchanged fail");
    case Change::Errored:
        return tr("errored");
    case Change::OnlyInBase:
        return tr("only in base");
    case Change::OnlyInCandidate:
        return tr("only in candidate");
    }
    return {};
}

qint64 RunCompareModel::Counts::total() const
{
    qint64 sum = 0;
    for (qint64 count : byChange)
        sum += count;
    return sum;
}

RunCompareModel::RunCompareModel(store::EvalStore *store, store::Workspace *workspace, QObject *parent)
    : QAbstractTableModel(parent), m_store(store), m_workspace(workspace), m_shared(std::make_shared<Shared>())
{
    m_shared->model = this;
}

RunCompareModel::~RunCompareModel()
{
    std::lock_guard<std::mutex> lock(m_shared->mutex);
    m_shared->model = nullptr;
    m_shared->generation = m_shared->generation + 1;
}

QStringList RunCompareModel::criteriaOf(qint64 runId) const
{
    return m_store ? m_store->criterionNames(runId) : QStringList();
}

void RunCompareModel::clear()
{
    {
        std::lock_guard<std::mutex> lock(m_shared->mutex);
        m_shared->generation = ++m_generation;
    }
    beginResetModel();
    m_baseRunId = 0;
    m_candidateRunId = 0;
    m_loading = false;
    m_criteria.clear();
    m_counts = {};
    m_criterionStats = {};
    m_itemIds = {};
    m_changes = {};
    m_baseStatus = {};
    m_candidateStatus = {};
    m_baseScores = {};
    m_candidateScores = {};
    m_baseStates = {};
    m_candidateStates = {};
    m_previews = {};
    m_previewEnds = {};
    endResetModel();
}

void RunCompareModel::compare(qint64 baseRunId, qint64 candidateRunId)
{
    clear();
    beginResetModel();
    m_baseRunId = baseRunId;
    m_candidateRunId = candidateRunId;
    m_criteria = criteriaOf(baseRunId);
    for (const QString &name : criteriaOf(candidateRunId)) {
        if (!m_criteria.contains(name))
            m_criteria << name;
    }
    m_loading = true;
    endResetModel();
    const quint64 generation = m_generation;
    Q_EMIT loadStarted(baseRunId, candidateRunId);
    if (!m_workspace || !m_workspace->isOpen()) {
        finish(generation, nullptr, tr("The workspace is not open."));
        return;
    }
    QThreadPool::globalInstance()->start(
        [shared = m_shared, path = m_workspace->path(), criteria = m_criteria, baseRunId, candidateRunId, generation] {
            run(shared, path, criteria, baseRunId, candidateRunId, generation);
        });
}

void RunCompareModel::run(const std::shared_ptr<Shared> &shared, const QString &path, const QStringList &criteria,
                          qint64 baseRunId, qint64 candidateRunId, quint64 generation)
{
    const QString prefix = QStringLiteral("assay-run-compare-%1-%2-")
                               .arg(reinterpret_cast<quintptr>(shared.get()))
                               .arg(generation);
    const int slots = static_cast<int>(criteria.size());
    std::vector<ItemDigest> base, candidate;
    QString baseError, candidateError;
    // The two runs are read at once (SQLite's JSON functions are most of the cost; 2 cores).
    auto baseRead = std::async(std::launch::async, [&] {
        return readRun(path, prefix + QStringLiteral("base"), baseRunId, slots, shared->generation, generation, base,
                       baseError);
    });
    const bool candidateOk = readRun(path, prefix + QStringLiteral("candidate"), candidateRunId, slots,
                                     shared->generation, generation, candidate, candidateError);
    const bool baseOk = baseRead.get();

    auto rows = std::make_shared<Rows>();
    QString error;
    if (!baseOk)
        error = baseError;
    else if (!candidateOk)
        error = candidateError;
    if (error.isEmpty() && shared->generation == generation) {
        std::vector<std::string> names;
        for (const QString &name : criteria)
            names.push_back(name.toStdString());
        const std::size_t capacity = std::max(base.size(), candidate.size());
        rows->itemIds.reserve(capacity);
        rows->changes.reserve(capacity);
        rows->baseStatus.reserve(capacity);
        rows->candidateStatus.reserve(capacity);
        rows->baseScores.reserve(capacity * names.size());
        rows->candidateScores.reserve(capacity * names.size());
        rows->baseStates.reserve(capacity * names.size());
        rows->candidateStates.reserve(capacity * names.size());
        rows->previewEnds.reserve(capacity);
        rows->stats.resize(names.size());
        std::vector<double> deltaSums(names.size(), 0.0);
        // Both come by datasource_item_id (unique per run): a merge.
        std::size_t i = 0, j = 0;
        while (i < base.size() || j < candidate.size()) {
            const ItemDigest *b = nullptr;
            const ItemDigest *c = nullptr;
            if (j >= candidate.size() ||
                (i < base.size() && base[i].datasourceItemId < candidate[j].datasourceItemId)) {
                b = &base[i++];
            } else if (i >= base.size() || candidate[j].datasourceItemId < base[i].datasourceItemId) {
                c = &candidate[j++];
            } else {
                b = &base[i++];
                c = &candidate[j++];
            }
            const Change change = classify(b, c);
            ++rows->counts.byChange[static_cast<std::size_t>(change)];
            rows->itemIds.push_back(b ? b->datasourceItemId : c->datasourceItemId);
            rows->changes.push_back(static_cast<quint8>(change));
            rows->baseStatus.push_back(static_cast<quint8>(b ? statusOf(b->status) : Status::Missing));
            rows->candidateStatus.push_back(static_cast<quint8>(c ? statusOf(c->status) : Status::Missing));
            addCells(b, names, rows->baseScores, rows->baseStates);
            addCells(c, names, rows->candidateScores, rows->candidateStates);
            if (b && c) {
                const std::size_t first = rows->baseStates.size() - names.size();
                for (std::size_t k = 0; k < names.size(); ++k) {
                    const auto before = static_cast<CriterionState>(rows->baseStates[first + k]);
                    const auto after = static_cast<CriterionState>(rows->candidateStates[first + k]);
                    CriterionStats &stats = rows->stats[k];
                    const bool passedBefore = before == CriterionState::Passed;
                    const bool passedAfter = after == CriterionState::Passed;
                    stats.regressions += passedBefore && !passedAfter ? 1 : 0;
                    stats.improvements += !passedBefore && passedAfter ? 1 : 0;
                    const auto scored = [](CriterionState s) {
                        return s != CriterionState::Missing && s != CriterionState::Errored;
                    };
                    if (scored(before) && scored(after)) {
                        ++stats.scoredPairs;
                        deltaSums[k] += rows->candidateScores[first + k] - rows->baseScores[first + k];
                    }
                }
            }
            rows->previews += c ? c->preview : b->preview;
            rows->previewEnds.push_back(static_cast<quint32>(rows->previews.size()));
        }
        for (std::size_t k = 0; k < names.size(); ++k) {
            if (rows->stats[k].scoredPairs > 0)
                rows->stats[k].meanDelta = deltaSums[k] / static_cast<double>(rows->stats[k].scoredPairs);
        }
    }
    std::lock_guard<std::mutex> lock(shared->mutex);
    if (!shared->model || shared->generation != generation)
        return;
    RunCompareModel *model = shared->model;
    QMetaObject::invokeMethod(
        model, [model, generation, rows, error] { model->finish(generation, rows, error); }, Qt::QueuedConnection);
}

void RunCompareModel::finish(quint64 generation, const std::shared_ptr<Rows> &rows, const QString &error)
{
    if (generation != m_generation || !m_loading)
        return;
    m_loading = false;
    if (!error.isEmpty() || !rows) {
        Q_EMIT loadFailed(error);
        return;
    }
    m_criterionStats = std::move(rows->stats);
    if (!rows->itemIds.empty()) {
        beginInsertRows({}, 0, static_cast<int>(rows->itemIds.size()) - 1);
        m_itemIds = std::move(rows->itemIds);
        m_changes = std::move(rows->changes);
        m_baseStatus = std::move(rows->baseStatus);
        m_candidateStatus = std::move(rows->candidateStatus);
        m_baseScores = std::move(rows->baseScores);
        m_candidateScores = std::move(rows->candidateScores);
        m_baseStates = std::move(rows->baseStates);
        m_candidateStates = std::move(rows->candidateStates);
        m_previews = std::move(rows->previews);
        m_previewEnds = std::move(rows->previewEnds);
        m_counts = rows->counts;
        endInsertRows();
    }
    Q_EMIT loaded(rowCount());
}

int RunCompareModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_itemIds.size());
}

int RunCompareModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : outputColumn() + 1;
}

int RunCompareModel::criterionOfColumn(int column) const
{
    const int criterion = column - static_cast<int>(Column::FirstCriterion);
    return criterion >= 0 && criterion < m_criteria.size() ? criterion : -1;
}

RunCompareModel::CriterionState RunCompareModel::state(const std::vector<quint8> &states, int row, int criterion) const
{
    const std::size_t width = static_cast<std::size_t>(m_criteria.size());
    if (criterion < 0 || static_cast<std::size_t>(criterion) >= width || row < 0 || row >= rowCount())
        return CriterionState::Missing;
    return static_cast<CriterionState>(states[static_cast<std::size_t>(row) * width + static_cast<std::size_t>(criterion)]);
}

std::optional<double> RunCompareModel::score(const std::vector<double> &scores, const std::vector<quint8> &states,
                                             int row, int criterion) const
{
    const CriterionState s = state(states, row, criterion);
    if (s == CriterionState::Missing || s == CriterionState::Errored)
        return std::nullopt;
    const std::size_t width = static_cast<std::size_t>(m_criteria.size());
    return scores[static_cast<std::size_t>(row) * width + static_cast<std::size_t>(criterion)];
}

std::optional<double> RunCompareModel::baseScore(int row, int criterion) const
{
    return score(m_baseScores, m_baseStates, row, criterion);
}

std::optional<double> RunCompareModel::candidateScore(int row, int criterion) const
{
    return score(m_candidateScores, m_candidateStates, row, criterion);
}

std::optional<double> RunCompareModel::delta(int row, int criterion) const
{
    const std::optional<double> before = baseScore(row, criterion);
    const std::optional<double> after = candidateScore(row, criterion);
    if (before && after)
        return *after - *before;
    return std::nullopt;
}

QString RunCompareModel::preview(int row) const
{
    const std::size_t r = static_cast<std::size_t>(row);
    const quint32 begin = r == 0 ? 0 : m_previewEnds[r - 1];
    const quint32 end = m_previewEnds[r];
    return QString::fromUtf8(m_previews.data() + begin, static_cast<qsizetype>(end - begin));
}

int RunCompareModel::rowForItem(qint64 datasourceItemId) const
{
    const auto it = std::lower_bound(m_itemIds.begin(), m_itemIds.end(), datasourceItemId);
    return it != m_itemIds.end() && *it == datasourceItemId ? static_cast<int>(it - m_itemIds.begin()) : -1;
}

RunCompareModel::Records RunCompareModel::records(int row) const
{
    Records out;
    if (row < 0 || row >= rowCount() || !m_workspace || !m_workspace->isOpen())
        return out;
    const store::RunItemReader reader(m_workspace->database());
    if (baseStatus(row) != Status::Missing)
        out.base = reader.item(m_baseRunId, datasourceItemId(row));
    if (candidateStatus(row) != Status::Missing)
        out.candidate = reader.item(m_candidateRunId, datasourceItemId(row));
    return out;
}

QVariant RunCompareModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int row = index.row();
    const int column = index.column();
    const int criterion = criterionOfColumn(column);
    const Change rowChange = change(row);

    if (role == RunCompareModel::role(Role::DatasourceItemId))
        return datasourceItemId(row);
    if (role == RunCompareModel::role(Role::ChangeKind))
        return static_cast<int>(rowChange);

    if (criterion >= 0) {
        const CriterionState before = baseState(row, criterion);
        const CriterionState after = candidateState(row, criterion);
        const std::optional<double> d = delta(row, criterion);
        const auto passed = [](CriterionState s) {
            return s == CriterionState::Missing || s == CriterionState::Errored ? QVariant()
                                                                                : QVariant(s == CriterionState::Passed);
        };
        switch (role) {
        case Qt::DisplayRole: {
            QString text = side(baseScore(row, criterion), before) + QString::fromUtf8(" \u2192 ") +
                           side(candidateScore(row, criterion), after);
            if (d)
                text += QStringLiteral(" (%1)").arg(signedNumber(*d));
            return text;
        }
        case static_cast<int>(Role::Sort):
        case static_cast<int>(Role::Delta):
            return d ? QVariant(*d) : QVariant();
        case static_cast<int>(Role::BaseScore): {
            const auto value = baseScore(row, criterion);
            return value ? QVariant(*value) : QVariant();
        }
        case static_cast<int>(Role::CandidateScore): {
            const auto value = candidateScore(row, criterion);
            return value ? QVariant(*value) : QVariant();
        }
        case static_cast<int>(Role::BasePassed):
            return passed(before);
        case static_cast<int>(Role::CandidatePassed):
            return passed(after);
        case Qt::ForegroundRole:
            if (before == CriterionState::Passed && after != CriterionState::Passed && after != CriterionState::Missing)
                return kRegression;
            if (before != CriterionState::Passed && before != CriterionState::Missing && after == CriterionState::Passed)
                return kImprovement;
            return {};
        case Qt::ToolTipRole:
            return tr("%1: base %2 (%3), candidate %4 (%5)%6")
                .arg(m_criteria[criterion], side(baseScore(row, criterion), before), stateWord(before),
                     side(candidateScore(row, criterion), after), stateWord(after),
                     d ? tr(", delta %1").arg(signedNumber(*d)) : QString());
        case Qt::TextAlignmentRole:
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        default:
            return {};
        }
    }

    switch (static_cast<Column>(column)) {
    case Column::Index:
        if (role == Qt::DisplayRole || role == RunCompareModel::role(Role::Sort))
            return datasourceItemId(row);
        if (role == Qt::TextAlignmentRole)
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        return {};
    case Column::Change:
        switch (role) {
        case Qt::DisplayRole:
            return changeName(rowChange);
        case static_cast<int>(Role::Sort):
            return static_cast<int>(rowChange);
        case Qt::ForegroundRole:
            if (rowChange == Change::Regression)
                return kRegression;
            if (rowChange == Change::Improvement)
                return kImprovement;
            return {};
        default:
            return {};
        }
    case Column::BaseStatus:
    case Column::CandidateStatus: {
        const Status status = column == static_cast<int>(Column::BaseStatus) ? baseStatus(row) : candidateStatus(row);
        switch (role) {
        case Qt::DisplayRole:
            return statusText(status);
        case static_cast<int>(Role::Sort):
            return static_cast<int>(status);
        case static_cast<int>(Role::BasePassed):
        case static_cast<int>(Role::CandidatePassed): {
            // Each status column answers for its own run.
            const bool own = (role == RunCompareModel::role(Role::BasePassed)) ==
                             (column == static_cast<int>(Column::BaseStatus));
            if (!own || status == Status::Missing || status == Status::Error)
                return {};
            return status == Status::Pass;
        }
        default:
            return {};
        }
    }
    case Column::FirstCriterion:
        break;
    }
    if (column == outputColumn()) {
        if (role == Qt::DisplayRole || role == RunCompareModel::role(Role::Sort))
            return oneLine(preview(row));
        if (role == Qt::ToolTipRole)
            return preview(row);
    }
    return {};
}

QVariant RunCompareModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= columnCount())
        return QAbstractTableModel::headerData(section, orientation, role);
    const int criterion = criterionOfColumn(section);
    if (role == Qt::ToolTipRole) {
        if (criterion >= 0)
            return tr("%1: base score \u2192 candidate score (delta); \u2713 passed, \u2717 failed. Sorts by the delta.")
                .arg(m_criteria[criterion]);
        if (section == outputColumn())
            return tr("The candidate run's output (the base run's when the candidate has no such item)");
        return {};
    }
    if (role != Qt::DisplayRole)
        return {};
    if (criterion >= 0)
        return m_criteria[criterion];
    switch (static_cast<Column>(section)) {
    case Column::Index:
        return tr("#");
    case Column::Change:
        return tr("Change");
    case Column::BaseStatus:
        return tr("Base");
    case Column::CandidateStatus:
        return tr("Candidate");
    case Column::FirstCriterion:
        break;
    }
    return tr("Output");
}

RunCompareFilterModel::RunCompareFilterModel(QObject *parent) : QSortFilterProxyModel(parent)
{
    setSortRole(RunCompareModel::role(RunCompareModel::Role::Sort));
}

const RunCompareModel *RunCompareFilterModel::rows() const
{
    return qobject_cast<const RunCompareModel *>(sourceModel());
}

void RunCompareFilterModel::setChangeFilter(const QList<RunCompareModel::Change> &changes)
{
    quint32 mask = 0;
    for (RunCompareModel::Change change : changes)
        mask |= 1u << static_cast<unsigned>(change);
    if (mask == m_mask)
        return;
    m_mask = mask;
    invalidateFilter();
}

QList<RunCompareModel::Change> RunCompareFilterModel::changeFilter() const
{
    QList<RunCompareModel::Change> changes;
    for (int i = 0; i < RunCompareModel::ChangeCount; ++i) {
        if (m_mask & (1u << static_cast<unsigned>(i)))
            changes << static_cast<RunCompareModel::Change>(i);
    }
    return changes;
}

bool RunCompareFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (sourceParent.isValid())
        return false;
    const RunCompareModel *model = rows();
    if (!model || m_mask == 0)
        return true;
    return (m_mask & (1u << static_cast<unsigned>(model->change(sourceRow)))) != 0;
}

bool RunCompareFilterModel::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    const RunCompareModel *model = rows();
    if (!model)
        return QSortFilterProxyModel::lessThan(left, right);
    const int l = left.row();
    const int r = right.row();
    const int column = left.column();
    const int criterion = model->criterionOfColumn(column);
    if (criterion >= 0) {
        const std::optional<double> a = model->delta(l, criterion);
        const std::optional<double> b = model->delta(r, criterion);
        if (a && b && *a != *b)
            return *a < *b;
        // Rows without a delta go last in either order; ties stay by item id.
        const bool ascending = sortOrder() == Qt::AscendingOrder;
        if (a.has_value() != b.has_value())
            return ascending ? a.has_value() : b.has_value();
        return ascending ? model->datasourceItemId(l) < model->datasourceItemId(r)
                         : model->datasourceItemId(l) > model->datasourceItemId(r);
    }
    switch (static_cast<RunCompareModel::Column>(column)) {
    case RunCompareModel::Column::Index:
        return model->datasourceItemId(l) < model->datasourceItemId(r);
    case RunCompareModel::Column::Change:
        if (model->change(l) != model->change(r))
            return model->change(l) < model->change(r);
        return model->datasourceItemId(l) < model->datasourceItemId(r);
    case RunCompareModel::Column::BaseStatus:
        if (model->baseStatus(l) != model->baseStatus(r))
            return model->baseStatus(l) < model->baseStatus(r);
        return model->datasourceItemId(l) < model->datasourceItemId(r);
    case RunCompareModel::Column::CandidateStatus:
        if (model->candidateStatus(l) != model->candidateStatus(r))
            return model->candidateStatus(l) < model->candidateStatus(r);
        return model->datasourceItemId(l) < model->datasourceItemId(r);
    case RunCompareModel::Column::FirstCriterion:
        break;
    }
    return QString::localeAwareCompare(model->preview(l), model->preview(r)) < 0;
}

} // namespace assay::itemmodels
