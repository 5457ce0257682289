#include "models/compare/comparison_matrix_model.h"

#include <QVariantList>
#include <QVariantMap>

namespace assay::compare {

namespace {

QVariant optionalValue(const std::optional<qint64> &value)
{
    return value ? QVariant::fromValue(*value) : QVariant();
}

QString diffKindName(report::DiffSegment::Kind kind)
{
    switch (kind) {
    case report::DiffSegment::Kind::Delete:
        return QStringLiteral("delete");
    case report::DiffSegment::Kind::Insert:
        return QStringLiteral("insert");
    case report::DiffSegment::Kind::Equal:
        break;
    }
    return QStringLiteral("equal");
}

QVariant jsonToVariant(const nlohmann::json &value)
{
    if (value.is_string())
        return QString::fromStdString(value.get<std::string>());
    if (value.is_null())
        return {};
    return QString::fromStdString(value.dump());
}

} // namespace

ComparisonMatrixModel::ComparisonMatrixModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void ComparisonMatrixModel::setDocument(ComparisonDocument *document)
{
    beginResetModel();
    if (m_document)
        m_document->disconnect(this);
    m_document = document;
    m_diffCache.clear();
    if (document) {
        connect(document, &ComparisonDocument::aboutToReset, this, [this] { beginResetModel(); });
        connect(document, &ComparisonDocument::reset, this, [this] {
            m_diffCache.clear();
            endResetModel();
        });
        connect(document, &ComparisonDocument::rowAboutToBeInserted, this,
                [this](int row) { beginInsertRows({}, row, row); });
        connect(document, &ComparisonDocument::rowInserted, this, [this](int) { endInsertRows(); });
        connect(document, &ComparisonDocument::rowAboutToBeRemoved, this,
                [this](int row) { beginRemoveRows({}, row, row); });
        connect(document, &ComparisonDocument::rowRemoved, this, [this](int) {
            endRemoveRows();
            for (int v = 0; v < columnCount(); ++v)
                Q_EMIT summaryChanged(v);
        });
        connect(document, &ComparisonDocument::variantAboutToBeInserted, this,
                [this](int variant) { beginInsertColumns({}, variant, variant); });
        connect(document, &ComparisonDocument::variantInserted, this, [this](int) { endInsertColumns(); });
        connect(document, &ComparisonDocument::variantAboutToBeRemoved, this,
                [this](int variant) { beginRemoveColumns({}, variant, variant); });
        connect(document, &ComparisonDocument::variantRemoved, this, [this](int) { endRemoveColumns(); });
        connect(document, &ComparisonDocument::variantChanged, this,
                [this](int variant) { Q_EMIT headerDataChanged(Qt::Horizontal, variant, variant); });
        connect(document, &ComparisonDocument::rowValuesChanged, this,
                [this](int row) { Q_EMIT headerDataChanged(Qt::Vertical, row, row); });
        connect(document, &ComparisonDocument::baselineChanged, this, [this](int) {
            m_diffCache.clear();
            if (rowCount() > 0 && columnCount() > 0)
                Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
            Q_EMIT headerDataChanged(Qt::Horizontal, 0, columnCount() - 1);
            for (int v = 0; v < columnCount(); ++v)
                Q_EMIT summaryChanged(v);
        });
        connect(document, &ComparisonDocument::cellChanged, this, &ComparisonMatrixModel::onCellChanged);
    }
    endResetModel();
}

int ComparisonMatrixModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() || !m_document ? 0 : m_document->comparison().rowCount();
}

int ComparisonMatrixModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() || !m_document ? 0 : m_document->comparison().variantCount();
}

void ComparisonMatrixModel::onCellChanged(int row, int variant)
{
    if (row < 0 || row >= rowCount() || variant < 0 || variant >= columnCount())
        return;
    const int baseline = m_document->comparison().baseline();
    if (variant == baseline) {
        invalidateDiffs(row);
        Q_EMIT dataChanged(index(row, 0), index(row, columnCount() - 1));
        for (int v = 0; v < columnCount(); ++v)
            Q_EMIT summaryChanged(v);
        return;
    }
    m_diffCache.remove({m_document->rowId(row), m_document->variantId(variant)});
    Q_EMIT dataChanged(index(row, variant), index(row, variant));
    Q_EMIT summaryChanged(variant);
}

void ComparisonMatrixModel::invalidateDiffs(int row)
{
    const quint64 rowId = m_document->rowId(row);
    for (int v = 0; v < columnCount(); ++v)
        m_diffCache.remove({rowId, m_document->variantId(v)});
}

QList<report::DiffSegment> ComparisonMatrixModel::diffSegments(int row, int variant) const
{
    if (!m_document || row < 0 || row >= rowCount() || variant < 0 || variant >= columnCount())
        return {};
    const Comparison &c = m_document->comparison();
    if (variant == c.baseline())
        return {};
    const CellRun &mine = c.cell(row, variant).primary();
    const CellRun &theirs = c.cell(row, c.baseline()).primary();
    // Diffing while text still streams in would redo the work every frame.
    if (mine.active() || theirs.active() || mine.status == CellStatus::Idle || theirs.status == CellStatus::Idle)
        return {};
    const QPair<quint64, quint64> key{m_document->rowId(row), m_document->variantId(variant)};
    const auto it = m_diffCache.constFind(key);
    if (it != m_diffCache.constEnd())
        return *it;
    QList<report::DiffSegment> segments = report::wordDiff(theirs.text, mine.text);
    m_diffCache.insert(key, segments);
    return segments;
}

ColumnSummary ComparisonMatrixModel::summary(int variant) const
{
    return m_document ? summarizeColumn(m_document->comparison(), variant) : ColumnSummary{};
}

QVariant ComparisonMatrixModel::data(const QModelIndex &index, int role) const
{
    if (!m_document || !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Comparison &c = m_document->comparison();
    const int row = index.row();
    const int variant = index.column();
    const Cell &cell = c.cell(row, variant);
    const CellRun &run = cell.primary();
    switch (role) {
    case Qt::DisplayRole:
    case TextRole:
        return run.text;
    case Qt::ToolTipRole:
        if (!run.error.isEmpty())
            return run.error;
        return cellStatusName(cell.status());
    case StatusRole:
        return static_cast<int>(cell.status());
    case StatusNameRole:
        return cellStatusName(cell.status());
    case ErrorRole:
        for (const CellRun &r : cell.runs)
            if (!r.error.isEmpty())
                return r.error;
        return QString();
    case LatencyMsRole:
        return optionalValue(run.latencyMs);
    case TtftMsRole:
        return optionalValue(run.ttftMs);
    case InputTokensRole:
        return run.usage ? QVariant::fromValue(run.usage->inputTokens) : QVariant();
    case CachedTokensRole:
        return run.usage ? QVariant::fromValue(run.usage->cachedInputTokens) : QVariant();
    case OutputTokensRole:
        return run.usage ? QVariant::fromValue(run.usage->outputTokens) : QVariant();
    case ReasoningTokensRole:
        return run.usage ? QVariant::fromValue(run.usage->reasoningTokens) : QVariant();
    case CostUsdRole:
        return run.costUsd ? QVariant(*run.costUsd) : QVariant();
    case IsBaselineRole:
        return variant == c.baseline();
    case DiffersFromBaselineRole:
        return differsFromBaseline(c, row, variant);
    case DiffSegmentsRole: {
        QVariantList list;
        for (const report::DiffSegment &segment : diffSegments(row, variant))
            list.append(QVariantMap{{QStringLiteral("kind"), diffKindName(segment.kind)},
                                    {QStringLiteral("text"), segment.text}});
        return list;
    }
    case PassedRole: {
        if (run.grading)
            return {};
        const std::optional<bool> passed = run.passed();
        return passed ? QVariant(*passed) : QVariant();
    }
    case GradesRole: {
        QVariantList list;
        for (const eval::GradeResult &grade : run.grades)
            list.append(QVariantMap{{QStringLiteral("name"), QString::fromStdString(grade.name)},
                                    {QStringLiteral("type"), QString::fromStdString(grade.type)},
                                    {QStringLiteral("score"), grade.score},
                                    {QStringLiteral("passed"), grade.passed},
                                    {QStringLiteral("error"), QString::fromStdString(grade.error)},
                                    {QStringLiteral("invalid_reason"), QString::fromStdString(grade.invalidReason)}});
        return list;
    }
    case GradingRole:
        return run.grading;
    case RatingRole:
        return static_cast<int>(cell.rating);
    case RepeatsRole:
        return c.repeats();
    case StabilityRole: {
        QVariantList list;
        for (const StabilityGroup &group : stabilityGroups(cell)) {
            QVariantList repeats;
            for (int r : group.repeats)
                repeats.append(r);
            list.append(QVariantMap{{QStringLiteral("text"), group.text},
                                    {QStringLiteral("count"), group.count},
                                    {QStringLiteral("repeats"), repeats}});
        }
        return list;
    }
    case DistinctAnswersRole:
        return static_cast<int>(stabilityGroups(cell).size());
    case RetriesRole:
        return run.retries;
    case VariablesRole:
        return headerData(row, Qt::Vertical, VariablesRole);
    default:
        return {};
    }
}

bool ComparisonMatrixModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (role != RatingRole || !m_document
        || !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return false;
    if (index.column() == m_document->comparison().baseline())
        return false;
    bool ok = false;
    const int rating = value.toInt(&ok);
    if (!ok || rating < static_cast<int>(Rating::None) || rating > static_cast<int>(Rating::Tie))
        return false;
    m_document->setRating(index.row(), index.column(), static_cast<Rating>(rating));
    return true;
}

Qt::ItemFlags ComparisonMatrixModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable;
}

QVariant ComparisonMatrixModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (!m_document)
        return {};
    const Comparison &c = m_document->comparison();
    if (orientation == Qt::Horizontal) {
        if (section < 0 || section >= c.variantCount())
            return {};
        const ComparisonVariant &v = c.variant(section);
        switch (role) {
        case Qt::DisplayRole:
            return v.displayName();
        case Qt::ToolTipRole:
            return (v.parameters.model.isEmpty() ? QStringLiteral("(no model)") : v.parameters.model)
                   + QStringLiteral(" · ")
                   + (v.parameters.api == api::ApiKind::Responses ? QStringLiteral("Responses")
                                                                  : QStringLiteral("Chat Completions"))
                   + (section == c.baseline() ? QStringLiteral(" · baseline") : QString());
        case IsBaselineRole:
            return section == c.baseline();
        default:
            return {};
        }
    }
    if (section < 0 || section >= c.rowCount())
        return {};
    switch (role) {
    case Qt::DisplayRole:
        return section + 1;
    case Qt::ToolTipRole: {
        QStringList lines;
        for (const auto &[key, value] : c.inputs().row(section).items())
            lines.append(QString::fromStdString(key) + QStringLiteral(": ") + jsonToVariant(value).toString());
        return lines.join(QLatin1Char('\n'));
    }
    case VariablesRole: {
        QVariantMap map;
        for (const auto &[key, value] : c.inputs().row(section).items())
            map.insert(QString::fromStdString(key), jsonToVariant(value));
        return map;
    }
    default:
        return {};
    }
}

QHash<int, QByteArray> ComparisonMatrixModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractTableModel::roleNames();
    names.insert(TextRole, "text");
    names.insert(StatusRole, "status");
    names.insert(StatusNameRole, "statusName");
    names.insert(ErrorRole, "error");
    names.insert(LatencyMsRole, "latencyMs");
    names.insert(TtftMsRole, "ttftMs");
    names.insert(InputTokensRole, "inputTokens");
    names.insert(CachedTokensRole, "cachedTokens");
    names.insert(OutputTokensRole, "outputTokens");
    names.insert(ReasoningTokensRole, "reasoningTokens");
    names.insert(CostUsdRole, "costUsd");
    names.insert(IsBaselineRole, "isBaseline");
    names.insert(DiffersFromBaselineRole, "differsFromBaseline");
    names.insert(DiffSegmentsRole, "diffSegments");
    names.insert(PassedRole, "passed");
    names.insert(GradesRole, "grades");
    names.insert(GradingRole, "grading");
    names.insert(RatingRole, "rating");
    names.insert(RepeatsRole, "repeats");
    names.insert(StabilityRole, "stability");
    names.insert(DistinctAnswersRole, "distinctAnswers");
    names.insert(RetriesRole, "retries");
    names.insert(VariablesRole, "variables");
    return names;
}

} // namespace assay::compare
