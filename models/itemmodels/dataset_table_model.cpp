#include "models/itemmodels/dataset_table_model.h"

#include <algorithm>

#include <QColor>
#include <QUndoStack>

#include "models/dataset/column_paths.h"
#include "models/dataset/dataset_edit_commands.h"

namespace assay::itemmodels {

using dataset::DatasetDocument;
using dataset::DatasetFormat;
using dataset::ParsedRow;

namespace {

constexpr int kToolTipLimit = 2000;

// The first `limit` characters of UTF-8 text, on one line. Converts only a prefix of the bytes, so
// a megabyte-long field costs no more than a short one.
QString elide(std::string_view utf8, int limit)
{
    std::size_t cut = std::min(utf8.size(), static_cast<std::size_t>(limit) * 4 + 4);
    while (cut < utf8.size() && cut > 0 && (static_cast<unsigned char>(utf8[cut]) & 0xC0) == 0x80)
        --cut;
    QString text = QString::fromUtf8(utf8.data(), static_cast<qsizetype>(cut));
    bool truncated = cut < utf8.size();
    if (text.size() > limit) {
        text.truncate(limit);
        truncated = true;
    }
    text.replace(QLatin1String("\r\n"), QStringLiteral("\u21B5"));
    text.replace(QLatin1Char('\n'), QChar(0x21B5));
    text.replace(QLatin1Char('\r'), QChar(0x21B5));
    text.replace(QLatin1Char('\t'), QLatin1Char(' '));
    if (truncated)
        text.append(QChar(0x2026));
    return text;
}

std::string compactText(const nlohmann::ordered_json &value)
{
    if (value.is_string())
        return value.get<std::string>();
    return value.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

QString fullText(const nlohmann::ordered_json &value)
{
    if (value.is_string())
        return QString::fromStdString(value.get<std::string>());
    const int indent = value.is_structured() ? 2 : -1;
    return QString::fromStdString(
        value.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
}

QString capped(const QString &text, int limit)
{
    return text.size() > limit ? text.left(limit) + QChar(0x2026) : text;
}

} // namespace

DatasetTableModel::DatasetTableModel(DatasetDocument *document, QUndoStack *undoStack, QObject *parent)
    : QAbstractTableModel(parent), m_document(document), m_undoStack(undoStack),
      m_query(new dataset::DatasetQuery(this))
{
    m_columns = m_document->columns();
    for (const QString &column : m_columns)
        m_paths.push_back(column.toStdString());
    m_rowCount = static_cast<int>(m_document->rowCount());

    connect(m_document, &DatasetDocument::documentAboutToReset, this, &DatasetTableModel::onAboutToReset);
    connect(m_document, &DatasetDocument::documentReset, this, &DatasetTableModel::onReset);
    connect(m_document, &DatasetDocument::rowsIndexed, this, &DatasetTableModel::onRowsIndexed);
    connect(m_document, &DatasetDocument::indexFinished, this, &DatasetTableModel::onIndexFinished);
    connect(m_document, &DatasetDocument::columnsChanged, this, &DatasetTableModel::syncColumns);
    connect(m_document, &DatasetDocument::rowsChanged, this, &DatasetTableModel::onRowsChanged);
    connect(m_document, &DatasetDocument::rowsAboutToBeInserted, this,
            &DatasetTableModel::onRowsAboutToBeInserted);
    connect(m_document, &DatasetDocument::rowsInserted, this, &DatasetTableModel::onRowsInserted);
    connect(m_document, &DatasetDocument::rowsAboutToBeRemoved, this,
            &DatasetTableModel::onRowsAboutToBeRemoved);
    connect(m_document, &DatasetDocument::rowsRemoved, this, &DatasetTableModel::onRowsRemoved);

    connect(m_query, &dataset::DatasetQuery::progressed, this, &DatasetTableModel::queryProgress);
    connect(m_query, &dataset::DatasetQuery::failed, this, &DatasetTableModel::queryFailed);
    connect(m_query, &dataset::DatasetQuery::cancelled, this, &DatasetTableModel::queryCancelled);
    connect(m_query, &dataset::DatasetQuery::finished, this, &DatasetTableModel::applyQueryResult);
}

DatasetTableModel::~DatasetTableModel() = default;

int DatasetTableModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid())
        return 0;
    return m_view ? static_cast<int>(m_view->size()) : m_rowCount;
}

int DatasetTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_columns.size());
}

qint64 DatasetTableModel::documentRow(int row) const
{
    if (row < 0 || row >= rowCount())
        return -1;
    return m_view ? (*m_view)[static_cast<std::size_t>(row)] : row;
}

int DatasetTableModel::modelRow(qint64 documentRow) const
{
    if (documentRow < 0)
        return -1;
    if (!m_view)
        return documentRow < m_rowCount ? static_cast<int>(documentRow) : -1;
    const auto it = std::find(m_view->begin(), m_view->end(), documentRow);
    return it == m_view->end() ? -1 : static_cast<int>(it - m_view->begin());
}

int DatasetTableModel::rowForLine(qint64 line) const
{
    return modelRow(m_document->rowForLine(line));
}

QString DatasetTableModel::columnPath(int column) const
{
    return column >= 0 && column < m_columns.size() ? m_columns.at(column) : QString();
}

int DatasetTableModel::columnForPath(const QString &path) const
{
    return static_cast<int>(m_columns.indexOf(path));
}

const ParsedRow &DatasetTableModel::parsed(qint64 documentRow) const
{
    const auto found = m_cacheIndex.find(documentRow);
    if (found != m_cacheIndex.end()) {
        m_cache.splice(m_cache.begin(), m_cache, found->second);
        return found->second->parsed;
    }
    m_cache.push_front(CacheEntry{documentRow, m_document->parsedRow(documentRow)});
    m_cacheIndex[documentRow] = m_cache.begin();
    if (m_cache.size() > static_cast<std::size_t>(CacheRows)) {
        m_cacheIndex.erase(m_cache.back().row);
        m_cache.pop_back();
    }
    return m_cache.front().parsed;
}

void DatasetTableModel::forget(qint64 first, qint64 last) const
{
    if (last - first >= static_cast<qint64>(m_cache.size())) {
        for (auto it = m_cache.begin(); it != m_cache.end();) {
            if (it->row >= first && it->row <= last) {
                m_cacheIndex.erase(it->row);
                it = m_cache.erase(it);
            } else {
                ++it;
            }
        }
        return;
    }
    for (qint64 row = first; row <= last; ++row) {
        const auto found = m_cacheIndex.find(row);
        if (found != m_cacheIndex.end()) {
            m_cache.erase(found->second);
            m_cacheIndex.erase(found);
        }
    }
}

void DatasetTableModel::clearCache() const
{
    m_cache.clear();
    m_cacheIndex.clear();
}

QVariant DatasetTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || !checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const qint64 row = documentRow(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case Qt::EditRole:
    case Qt::ToolTipRole:
    case Qt::BackgroundRole:
    case static_cast<int>(Role::FullText):
    case static_cast<int>(Role::Json):
    case static_cast<int>(Role::RowProblem):
    case static_cast<int>(Role::BadRow):
        break;
    case static_cast<int>(Role::RawText):
        return QString::fromStdString(m_document->rawText(row));
    case static_cast<int>(Role::RowEdited):
        return m_document->isEdited(row);
    case static_cast<int>(Role::LineNumber):
        return m_document->lineNumber(row);
    case static_cast<int>(Role::DocumentRow):
        return row;
    default:
        return {};
    }

    const ParsedRow &parsedRow = parsed(row);
    const bool bad = parsedRow.isBad();
    switch (role) {
    case static_cast<int>(Role::RowProblem):
        return parsedRow.problem ? QVariant(parsedRow.problem->toString()) : QVariant();
    case static_cast<int>(Role::BadRow):
        return bad;
    case Qt::BackgroundRole:
        if (!parsedRow.problem)
            return {};
        return bad ? QColor(255, 205, 210) : QColor(255, 236, 179);
    default:
        break;
    }

    if (bad) {
        if (index.column() != 0)
            return {};
        const std::string raw = m_document->rawText(row);
        switch (role) {
        case Qt::DisplayRole:
            return elide(raw, DisplayLimit);
        case static_cast<int>(Role::FullText):
            return QString::fromStdString(raw);
        case Qt::ToolTipRole:
            return parsedRow.problem->toString() + QStringLiteral("\n\n") +
                   capped(QString::fromStdString(raw), kToolTipLimit);
        default:
            return {};
        }
    }

    const nlohmann::ordered_json *value =
        dataset::findColumn(parsedRow.item, m_paths[static_cast<std::size_t>(index.column())]);
    if (!value) {
        if (role == Qt::EditRole)
            return QString();
        if (role == Qt::ToolTipRole && parsedRow.problem)
            return parsedRow.problem->toString();
        return {};
    }
    switch (role) {
    case Qt::DisplayRole:
        return elide(compactText(*value), DisplayLimit);
    case Qt::EditRole:
        return QString::fromStdString(compactText(*value));
    case static_cast<int>(Role::FullText):
        return fullText(*value);
    case static_cast<int>(Role::Json):
        return QString::fromStdString(
            value->dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
    case Qt::ToolTipRole: {
        QString tip = capped(fullText(*value), kToolTipLimit);
        if (parsedRow.problem)
            tip = parsedRow.problem->toString() + QStringLiteral("\n\n") + tip;
        return tip;
    }
    default:
        return {};
    }
}

bool DatasetTableModel::editRow(qint64 documentRow, const std::function<void()> &push) const
{
    const DatasetDocument::RowState before = m_document->rowState(documentRow);
    const DatasetDocument::ColumnState columnsBefore = m_document->columnState();
    push();
    const DatasetDocument::RowState after = m_document->rowState(documentRow);
    return after.edit != before.edit || m_document->columnState().columns != columnsBefore.columns;
}

bool DatasetTableModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (!index.isValid() || !checkIndex(index, CheckIndexOption::IndexIsValid))
        return false;
    const qint64 row = documentRow(index.row());
    const QString column = columnPath(index.column());

    if (role == static_cast<int>(Role::RawText)) {
        const std::string raw = value.toString().toStdString();
        if (raw == m_document->rawText(row))
            return true;
        return editRow(row, [&]() {
            if (m_undoStack)
                m_undoStack->push(new dataset::SetRawTextCommand(m_document, row, raw));
            else
                m_document->setRawText(row, raw);
        });
    }

    nlohmann::ordered_json newValue;
    if (role == static_cast<int>(Role::Json)) {
        newValue = nlohmann::ordered_json::parse(value.toString().toStdString(), nullptr, false);
        if (newValue.is_discarded())
            return false;
    } else if (role == Qt::EditRole) {
        const std::string text = value.toString().toStdString();
        const std::optional<nlohmann::ordered_json> current = m_document->findValue(row, column);
        newValue = text;
        // A cell that held a number, boolean, null, object or array takes JSON; text stays text.
        if (m_document->format() != DatasetFormat::Csv && current && !current->is_string()) {
            nlohmann::ordered_json parsedValue = nlohmann::ordered_json::parse(text, nullptr, false);
            if (!parsedValue.is_discarded())
                newValue = std::move(parsedValue);
        }
    } else {
        return false;
    }
    if (parsed(row).isBad())
        return false;
    const std::optional<nlohmann::ordered_json> current = m_document->findValue(row, column);
    if (current && *current == newValue)
        return true;
    return editRow(row, [&]() {
        if (m_undoStack)
            m_undoStack->push(new dataset::SetValueCommand(m_document, row, column, newValue));
        else
            m_document->setValue(row, column, newValue);
    });
}

Qt::ItemFlags DatasetTableModel::flags(const QModelIndex &index) const
{
    if (!index.isValid() || !checkIndex(index, CheckIndexOption::IndexIsValid))
        return Qt::NoItemFlags;
    Qt::ItemFlags flags = Qt::ItemIsSelectable | Qt::ItemIsEnabled | Qt::ItemNeverHasChildren;
    if (!parsed(documentRow(index.row())).isBad())
        flags |= Qt::ItemIsEditable;
    return flags;
}

QVariant DatasetTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal) {
        if (section < 0 || section >= m_columns.size())
            return {};
        if (role == Qt::DisplayRole || role == Qt::ToolTipRole)
            return m_columns.at(section);
        return {};
    }
    if (section < 0 || section >= rowCount())
        return {};
    const qint64 row = documentRow(section);
    switch (role) {
    case Qt::DisplayRole: {
        const qint64 line = m_document->lineNumber(row);
        return line > 0 ? QString::number(line) : QStringLiteral("+");
    }
    case Qt::ToolTipRole: {
        const ParsedRow &parsedRow = parsed(row);
        if (parsedRow.problem)
            return parsedRow.problem->toString();
        const qint64 line = m_document->lineNumber(row);
        return line > 0 ? QStringLiteral("line %1").arg(line) : QStringLiteral("new row");
    }
    case static_cast<int>(Role::LineNumber):
        return m_document->lineNumber(row);
    case static_cast<int>(Role::DocumentRow):
        return row;
    default:
        return {};
    }
}

bool DatasetTableModel::insertRows(int row, int count, const QModelIndex &parent)
{
    if (parent.isValid() || count <= 0 || row < 0 || row > rowCount())
        return false;
    const qint64 at = row < rowCount() ? documentRow(row) : m_document->rowCount();
    std::vector<std::string> rows(static_cast<std::size_t>(count), m_document->emptyRowText());
    if (m_undoStack)
        m_undoStack->push(new dataset::InsertRowsCommand(m_document, at, std::move(rows)));
    else
        m_document->insertRows(at, rows);
    return true;
}

bool DatasetTableModel::removeRows(int row, int count, const QModelIndex &parent)
{
    if (parent.isValid() || count <= 0 || row < 0 || row + count > rowCount())
        return false;
    // Document rows from the highest down, grouped into runs, so earlier removals do not shift later ones.
    std::vector<qint64> rows;
    for (int r = row; r < row + count; ++r)
        rows.push_back(documentRow(r));
    std::sort(rows.begin(), rows.end(), std::greater<>());
    std::vector<std::pair<qint64, qint64>> runs; // (first, count)
    for (qint64 documentRow : rows) {
        if (!runs.empty() && runs.back().first == documentRow + 1) {
            runs.back().first = documentRow;
            ++runs.back().second;
        } else {
            runs.emplace_back(documentRow, 1);
        }
    }
    if (m_undoStack && runs.size() > 1)
        m_undoStack->beginMacro(tr("Delete %n row(s)", nullptr, count));
    for (const auto &[first, n] : runs) {
        if (m_undoStack)
            m_undoStack->push(new dataset::RemoveRowsCommand(m_document, first, n));
        else
            m_document->takeRows(first, n);
    }
    if (m_undoStack && runs.size() > 1)
        m_undoStack->endMacro();
    return true;
}

void DatasetTableModel::duplicateRows(int row, int count)
{
    if (count <= 0 || row < 0 || row + count > rowCount())
        return;
    if (!m_view) {
        if (m_undoStack)
            m_undoStack->push(new dataset::DuplicateRowsCommand(m_document, row, count));
        else
            m_document->insertRows(row + count, [&]() {
                std::vector<std::string> raws;
                for (int r = row; r < row + count; ++r)
                    raws.push_back(m_document->rawText(r));
                return raws;
            }());
        return;
    }
    std::vector<qint64> rows;
    for (int r = row; r < row + count; ++r)
        rows.push_back(documentRow(r));
    std::sort(rows.begin(), rows.end(), std::greater<>());
    if (m_undoStack)
        m_undoStack->beginMacro(tr("Duplicate %n row(s)", nullptr, count));
    for (qint64 documentRow : rows) {
        if (m_undoStack)
            m_undoStack->push(new dataset::DuplicateRowsCommand(m_document, documentRow, 1));
        else
            m_document->insertRows(documentRow + 1, {m_document->rawText(documentRow)});
    }
    if (m_undoStack)
        m_undoStack->endMacro();
}

bool DatasetTableModel::addColumn(const QString &path, const nlohmann::ordered_json &defaultValue)
{
    if (m_undoStack)
        m_undoStack->push(new dataset::AddColumnCommand(m_document, path, defaultValue));
    else
        m_document->addColumn(path, defaultValue);
    return m_columns.contains(path);
}

bool DatasetTableModel::renameColumn(int column, const QString &newPath)
{
    const QString from = columnPath(column);
    if (from.isEmpty())
        return false;
    if (m_undoStack)
        m_undoStack->push(new dataset::RenameColumnCommand(m_document, from, newPath));
    else
        m_document->renameColumn(from, newPath);
    return m_columns.value(column) == newPath;
}

void DatasetTableModel::sort(int column, Qt::SortOrder order)
{
    if (column < 0 || column >= m_columns.size())
        m_sort.reset();
    else
        m_sort = dataset::RowSort{m_columns.at(column), order};
    runQuery();
}

int DatasetTableModel::sortColumn() const
{
    return m_sort ? columnForPath(m_sort->column) : -1;
}

Qt::SortOrder DatasetTableModel::sortOrder() const
{
    return m_sort ? m_sort->order : Qt::AscendingOrder;
}

void DatasetTableModel::setFilter(const dataset::RowFilter &filter)
{
    m_filter = filter;
    runQuery();
}

bool DatasetTableModel::isQueryRunning() const
{
    return m_query->isRunning();
}

void DatasetTableModel::cancelQuery()
{
    m_query->cancel();
}

void DatasetTableModel::runQuery()
{
    if (!m_filter.isActive() && !m_sort) {
        if (m_query->isRunning())
            m_query->cancel();
        if (m_view) {
            beginResetModel();
            m_view.reset();
            m_rowCount = static_cast<int>(m_document->rowCount());
            endResetModel();
        }
        return;
    }
    m_queryGeneration = m_structureGeneration;
    m_queryBeforeIndexDone = m_document->isIndexing();
    Q_EMIT queryStarted();
    m_query->start(*m_document, m_filter, m_sort);
}

void DatasetTableModel::applyQueryResult(const std::vector<qint64> &rows)
{
    if (m_queryGeneration != m_structureGeneration) {
        // Rows were inserted or deleted meanwhile: the result's row numbers are stale.
        runQuery();
        return;
    }
    beginResetModel();
    m_view = rows;
    m_rowCount = static_cast<int>(m_document->rowCount());
    endResetModel();
    Q_EMIT queryFinished(static_cast<int>(rows.size()));
}

void DatasetTableModel::syncColumns()
{
    const QStringList columns = m_document->columns();
    if (columns == m_columns)
        return;
    clearCache();
    auto setColumns = [this, &columns]() {
        m_columns = columns;
        m_paths.clear();
        for (const QString &column : m_columns)
            m_paths.push_back(column.toStdString());
    };
    const auto oldCount = m_columns.size();
    const auto newCount = columns.size();
    if (newCount > oldCount && columns.mid(0, oldCount) == m_columns) {
        beginInsertColumns({}, static_cast<int>(oldCount), static_cast<int>(newCount - 1));
        setColumns();
        endInsertColumns();
    } else if (newCount < oldCount && m_columns.mid(0, newCount) == columns) {
        beginRemoveColumns({}, static_cast<int>(newCount), static_cast<int>(oldCount - 1));
        setColumns();
        endRemoveColumns();
    } else if (newCount == oldCount) {
        setColumns();
        Q_EMIT headerDataChanged(Qt::Horizontal, 0, static_cast<int>(newCount - 1));
        if (rowCount() > 0)
            Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, static_cast<int>(newCount - 1)));
    } else {
        beginResetModel();
        setColumns();
        endResetModel();
    }
}

void DatasetTableModel::onAboutToReset()
{
    m_query->cancel();
    beginResetModel();
}

void DatasetTableModel::onReset()
{
    clearCache();
    m_view.reset();
    m_filter = dataset::RowFilter();
    m_sort.reset();
    m_columns = m_document->columns();
    m_paths.clear();
    for (const QString &column : m_columns)
        m_paths.push_back(column.toStdString());
    m_rowCount = static_cast<int>(m_document->rowCount());
    ++m_structureGeneration;
    if (m_undoStack)
        m_undoStack->clear();
    endResetModel();
}

void DatasetTableModel::onRowsIndexed(qint64 total)
{
    if (m_view) {
        m_rowCount = static_cast<int>(total);
        return; // the view shows the query's rows; the query reruns when the index completes
    }
    if (total <= m_rowCount)
        return;
    beginInsertRows({}, m_rowCount, static_cast<int>(total - 1));
    m_rowCount = static_cast<int>(total);
    endInsertRows();
}

void DatasetTableModel::onIndexFinished()
{
    if (m_queryBeforeIndexDone && (m_filter.isActive() || m_sort)) {
        m_queryBeforeIndexDone = false;
        runQuery();
    }
}

void DatasetTableModel::onRowsChanged(qint64 first, qint64 last)
{
    forget(first, last);
    if (m_columns.isEmpty())
        return;
    const int lastColumn = static_cast<int>(m_columns.size() - 1);
    if (!m_view) {
        const int top = static_cast<int>(std::min<qint64>(first, m_rowCount - 1));
        const int bottom = static_cast<int>(std::min<qint64>(last, m_rowCount - 1));
        if (top < 0 || bottom < top)
            return;
        Q_EMIT dataChanged(index(top, 0), index(bottom, lastColumn));
        Q_EMIT headerDataChanged(Qt::Vertical, top, bottom);
        return;
    }
    int top = -1;
    int bottom = -1;
    for (std::size_t r = 0; r < m_view->size(); ++r) {
        const qint64 row = (*m_view)[r];
        if (row >= first && row <= last) {
            if (top < 0)
                top = static_cast<int>(r);
            bottom = static_cast<int>(r);
        }
    }
    if (top >= 0) {
        Q_EMIT dataChanged(index(top, 0), index(bottom, lastColumn));
        Q_EMIT headerDataChanged(Qt::Vertical, top, bottom);
    }
}

void DatasetTableModel::onRowsAboutToBeInserted(qint64 first, qint64 last)
{
    const int count = static_cast<int>(last - first + 1);
    if (!m_view) {
        beginInsertRows({}, static_cast<int>(first), static_cast<int>(first) + count - 1);
        return;
    }
    // New rows show right after the row that precedes them in the document (or first).
    int position = 0;
    if (first > 0) {
        const auto it = std::find(m_view->begin(), m_view->end(), first - 1);
        position = it == m_view->end() ? static_cast<int>(m_view->size())
                                       : static_cast<int>(it - m_view->begin()) + 1;
    }
    m_pendingInsert = position;
    beginInsertRows({}, position, position + count - 1);
}

void DatasetTableModel::onRowsInserted(qint64 first, qint64 last)
{
    ++m_structureGeneration;
    clearCache();
    const qint64 count = last - first + 1;
    m_rowCount = static_cast<int>(m_document->rowCount());
    if (m_view) {
        for (qint64 &row : *m_view) {
            if (row >= first)
                row += count;
        }
        std::vector<qint64> added;
        for (qint64 row = first; row <= last; ++row)
            added.push_back(row);
        m_view->insert(m_view->begin() + m_pendingInsert, added.begin(), added.end());
        m_pendingInsert = -1;
    }
    endInsertRows();
}

void DatasetTableModel::onRowsAboutToBeRemoved(qint64 first, qint64 last)
{
    clearCache();
    if (!m_view) {
        m_pendingRemove = true;
        beginRemoveRows({}, static_cast<int>(first), static_cast<int>(last));
        return;
    }
    // The shown rows among the removed ones, removed now in runs from the bottom up.
    std::vector<int> rows;
    for (std::size_t r = 0; r < m_view->size(); ++r) {
        if ((*m_view)[r] >= first && (*m_view)[r] <= last)
            rows.push_back(static_cast<int>(r));
    }
    while (!rows.empty()) {
        const int bottom = rows.back();
        int top = bottom;
        rows.pop_back();
        while (!rows.empty() && rows.back() == top - 1) {
            top = rows.back();
            rows.pop_back();
        }
        beginRemoveRows({}, top, bottom);
        m_view->erase(m_view->begin() + top, m_view->begin() + bottom + 1);
        endRemoveRows();
    }
}

void DatasetTableModel::onRowsRemoved(qint64 first, qint64 last)
{
    ++m_structureGeneration;
    clearCache(); // views may have read rows between the two signals, before the rows moved
    const qint64 count = last - first + 1;
    m_rowCount = static_cast<int>(m_document->rowCount());
    if (m_view) {
        for (qint64 &row : *m_view) {
            if (row > last)
                row -= count;
        }
    }
    if (m_pendingRemove) {
        m_pendingRemove = false;
        endRemoveRows();
    }
}

} // namespace assay::itemmodels
