#pragma once

#include <functional>
#include <list>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <QAbstractTableModel>
#include <QStringList>

#include "models/dataset/dataset_document.h"
#include "models/dataset/dataset_query.h"

class QUndoStack;

namespace assay::itemmodels {

// The dataset table: one row per document row, one column per document column (item paths such as
// `ticket.subject`); the vertical header shows the file line number of each row ("+" for a new
// row). Rows are parsed from the document on demand and kept in a small LRU cache, so a million-row
// file costs no more than the rows on screen. Rows appear as the document's index grows (one
// beginInsertRows per batch).
//
// Filter and sort run on worker threads (DatasetQuery); until a result arrives the view keeps its
// rows, then the model resets to the matching rows in order. Edits made through setData() and the
// row/column functions below go through the QUndoStack given to the constructor (or straight to the
// document without one). The stack is cleared when the document is reopened.
class DatasetTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum class Role : int {
        FullText = Qt::UserRole + 1, // QString: the whole value (strings as they are, other values as
                                     // indented JSON); for a bad row, its raw text (column 0)
        Json,                        // QString: the value as compact JSON; setData parses JSON text
        RawText,                     // QString: the row's raw text; setData replaces it (fixes a bad row)
        RowProblem,                  // QString "line 7, column 3: message", or invalid when the row is fine
        BadRow,                      // bool: the row cannot be read as an item (shown as an error row)
        RowEdited,                   // bool: new or changed since the file was read
        LineNumber,                  // qint64: file line of the row, 0 for a new row
        DocumentRow,                 // qint64: the row's index in the document
    };
    static constexpr int role(Role r) { return static_cast<int>(r); }
    // Characters shown in a cell before it is elided (the whole value is in FullText / the tooltip).
    static constexpr int DisplayLimit = 200;
    static constexpr int CacheRows = 2000;

    explicit DatasetTableModel(dataset::DatasetDocument *document, QUndoStack *undoStack = nullptr,
                               QObject *parent = nullptr);
    ~DatasetTableModel() override;

    dataset::DatasetDocument *document() const { return m_document; }
    QUndoStack *undoStack() const { return m_undoStack; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    // Inserts empty rows (`{}`, or empty CSV fields) before `row`.
    bool insertRows(int row, int count, const QModelIndex &parent = {}) override;
    bool removeRows(int row, int count, const QModelIndex &parent = {}) override;
    // Starts an asynchronous sort (column -1: back to document order).
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

    QString columnPath(int column) const;
    int columnForPath(const QString &path) const; // -1 when absent
    qint64 documentRow(int row) const;
    int modelRow(qint64 documentRow) const; // -1 when filtered out
    // The row showing the record at (or just before) a file line; -1 when none is shown.
    int rowForLine(qint64 line) const;

    // Edits (through the undo stack).
    void duplicateRows(int row, int count);
    bool addColumn(const QString &path, const nlohmann::ordered_json &defaultValue = std::string());
    bool renameColumn(int column, const QString &newPath);

    // Filter / sort.
    void setFilter(const dataset::RowFilter &filter);
    dataset::RowFilter filter() const { return m_filter; }
    void clearFilter() { setFilter(dataset::RowFilter()); }
    int sortColumn() const;
    Qt::SortOrder sortOrder() const;
    bool isFiltered() const { return m_view.has_value(); }
    bool isQueryRunning() const;
    void cancelQuery();

Q_SIGNALS:
    void queryStarted();
    void queryProgress(int percent);
    void queryFinished(int matchingRows);
    void queryFailed(const QString &message);
    void queryCancelled();

private:
    struct CacheEntry {
        qint64 row;
        dataset::ParsedRow parsed;
    };

    const dataset::ParsedRow &parsed(qint64 documentRow) const;
    void forget(qint64 first, qint64 last) const;
    void clearCache() const;
    void syncColumns();
    void runQuery();
    void applyQueryResult(const std::vector<qint64> &rows);
    bool editRow(qint64 documentRow, const std::function<void()> &push) const;

    void onAboutToReset();
    void onReset();
    void onRowsIndexed(qint64 total);
    void onIndexFinished();
    void onRowsChanged(qint64 first, qint64 last);
    void onRowsAboutToBeInserted(qint64 first, qint64 last);
    void onRowsInserted(qint64 first, qint64 last);
    void onRowsAboutToBeRemoved(qint64 first, qint64 last);
    void onRowsRemoved(qint64 first, qint64 last);

    dataset::DatasetDocument *m_document;
    QUndoStack *m_undoStack;
    dataset::DatasetQuery *m_query;
    QStringList m_columns;
    std::vector<std::string> m_paths;
    int m_rowCount = 0;                        // document rows shown when there is no view
    std::optional<std::vector<qint64>> m_view; // model row -> document row, when filtered/sorted
    dataset::RowFilter m_filter;
    std::optional<dataset::RowSort> m_sort;
    quint64 m_structureGeneration = 0;   // bumped by row inserts/removes
    quint64 m_queryGeneration = 0;       // structure generation the running query started at
    bool m_queryBeforeIndexDone = false; // rerun when the index completes
    int m_pendingInsert = -1;            // model row of rows being inserted (view mode)
    bool m_pendingRemove = false;

    mutable std::list<CacheEntry> m_cache; // most recently used first
    mutable std::unordered_map<qint64, std::list<CacheEntry>::iterator> m_cacheIndex;
};

} // namespace assay::itemmodels
