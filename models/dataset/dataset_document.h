#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <QObject>
#include <QString>
#include <QStringList>
#include <nlohmann/json.hpp>

#include "models/dataset/dataset_types.h"

namespace assay::dataset {

struct RowEdit;
struct ColumnOp;
class RowStore;

// An eval dataset opened from a JSONL, CSV or JSON-array file, lazily: the file is memory-mapped,
// a record index (byte offset + line of every record) is built on a worker thread, and rows are
// parsed on demand from their bytes. Edits are kept as new raw text for the rows they touch, so
// saving writes untouched rows byte for byte as they were (numbers, unicode escapes, key order).
//
// Row numbers in the API are logical indexes (0-based) in the current document order.
//
// Formats:
// - JSONL: one JSON object per non-blank line (LF or CRLF); blank lines are skipped but keep their
//   place on save and in line numbers. A row {"item": {...}} (only that member) is wrapped: its
//   columns are the item's, and edits go inside the wrapper.
// - CSV (RFC 4180): a header row names the columns; every cell is a string, except that a cell
//   holding JSON object/array text reads as that value (see column_paths.h for the exact rule).
// - JSON array of objects: each element is a row (it may span lines).
// Columns are item paths flattened with '.' (`ticket.subject`); arrays are single cells.
class DatasetDocument : public QObject {
    Q_OBJECT
public:
    enum class IndexMode {
        Background, // index on a worker thread; rows arrive with rowsIndexed() (the GUI)
        Blocking,   // index before open() returns (command-line tools, tests of readers)
    };

    explicit DatasetDocument(QObject *parent = nullptr);
    ~DatasetDocument() override;

    // Starts opening; returns false with `error` when the file cannot be read at all. Rows become
    // available progressively: rowsIndexed() is emitted as the index grows, then indexFinished().
    // The format comes from detectFormat(). Opening again (a reload) resets the document.
    bool open(const QString &path, QString *error = nullptr, IndexMode mode = IndexMode::Background);
    bool open(const QString &path, DatasetFormat format, QString *error = nullptr,
              IndexMode mode = IndexMode::Background);
    // Builds a document from rows in memory (new datasets, tests, splits); indexed at once. The
    // document has no path until it is saved.
    void setRows(const std::vector<nlohmann::ordered_json> &items, DatasetFormat format);

    QString path() const;
    DatasetFormat format() const;
    bool isIndexing() const;
    // True once every record of the file is indexed (false while indexing or after a cancel).
    bool isComplete() const;
    // Stops indexing; the rows read so far stay visible, but the document cannot be saved.
    void cancelIndexing();

    qint64 rowCount() const;
    // The row's raw text as it will be saved (a JSONL line / CSV record without its line end).
    std::string rawText(qint64 row) const;
    ParsedRow parsedRow(qint64 row) const;
    qint64 lineNumber(qint64 row) const; // file line where the row starts; 0 for a new row
    bool isEdited(qint64 row) const;     // new, or its text changed since it was read
    // The row whose record starts on or before `line` (for "go to line"); -1 when there is none
    // (or it was deleted).
    qint64 rowForLine(qint64 line) const;

    // Column paths, flattened with dots (`ticket.subject`), in first-seen order; for CSV the
    // header (a repeated or empty header name is made unique: "name (2)", "column 3"). For JSON
    // files every key path of every row is found while indexing (one row per distinct shape is
    // parsed); columnsChanged() is emitted as they are found.
    QStringList columns() const;
    // Value of a flattened column path in a row; null when absent (or the row is bad).
    nlohmann::ordered_json value(qint64 row, const QString &column) const;
    // Like value() but tells a missing value apart from null.
    std::optional<nlohmann::ordered_json> findValue(qint64 row, const QString &column) const;
    // Text for a new empty row in this document (`{}`, `{"item":{}}` when the rows are wrapped, or a
    // CSV record of empty fields).
    std::string emptyRowText() const;

    // Edits. Each emits rowsChanged / rowsInserted / rowsRemoved / columnsChanged. Undo is built
    // on these by the QUndoCommands of dataset_edit_commands.h.
    //
    // setValue rewrites only the bytes of that value (JSON) or that field (CSV, re-quoted only
    // when needed); a missing JSON key is appended to its object. False when the row is bad, the
    // column is unknown (CSV) or a step of the path holds a non-object value.
    bool setValue(qint64 row, const QString &column, const nlohmann::ordered_json &value);
    // Replaces a row's text (fixing a bad row in place). JSONL text is kept on one line: valid
    // JSON is minified, otherwise line breaks become spaces.
    void setRawText(qint64 row, const std::string &raw);
    void insertRows(qint64 row, const std::vector<std::string> &rawRows);
    std::vector<std::string> removeRows(qint64 row, qint64 count); // returns the removed raw rows
    // Column changes apply to every row lazily (when a row is read, filtered or saved), never by
    // rewriting every row up front. Both are refused (false) while indexing, for an existing
    // column (add) or when `to` exists (rename). A JSON column is added with `defaultValue`
    // to the rows that lack it; a CSV column is appended to the header and every record.
    bool addColumn(const QString &column, const nlohmann::ordered_json &defaultValue = std::string());
    bool renameColumn(const QString &from, const QString &to);

    // Rows with a problem, in row order (for the problems list and `dataset check`): bad rows and
    // readable-but-suspicious ones (see ParsedRow). Edited rows are checked as they are now.
    std::vector<std::pair<qint64, RowProblem>> problems() const;
    // Number of rows with a problem (cheap; counts the index's findings and edited rows).
    qint64 problemCount() const;

    // Writes atomically (QSaveFile). Untouched rows are written byte for byte when the format is
    // unchanged. Saving in another format converts (and is an export: the document keeps its path
    // and format); a conversion refuses bad rows (fix or delete them first). Returns false with
    // `error` naming the problem; the document and the target are unchanged then. Refused while
    // indexing or after a cancelled index. Saving in the same format to another path makes that the
    // document's path.
    bool save(const QString &path, DatasetFormat format, QString *error = nullptr);
    // The same, but the bytes are written on a worker thread from a snapshot, so saving a large
    // file never freezes the GUI and the document stays usable (edits made meanwhile keep it
    // modified). saveFinished() follows on this thread. Returns false with `error` when saving
    // cannot start (still indexing, a save already running, no path).
    bool saveInBackground(const QString &path, DatasetFormat format, QString *error = nullptr);
    bool isSaving() const;
    // Changed since it was opened or saved (undo counts as a change; a QUndoStack's clean state is
    // the better signal for a window title).
    bool isModified() const;

    // SHA-256 of the content as it would be saved, so a run can name exactly the data it used.
    // For an unmodified file it is computed on the indexing worker after the index is complete
    // (contentHashReady()); otherwise it is computed on the spot.
    QByteArray contentHash() const;
    bool hasContentHash() const;

    // --- For undo commands (dataset_edit_commands.h) and workers; not for views. ---
    // A row's identity in the file plus its edit, so undo can put it back exactly.
    struct RowState {
        qint64 id = 0;
        std::shared_ptr<const RowEdit> edit;
    };
    // The column list and the lazy column operations.
    struct ColumnState {
        std::vector<std::string> columns;
        std::vector<std::shared_ptr<const ColumnOp>> ops;
    };
    RowState rowState(qint64 row) const;
    void restoreRowState(qint64 row, const RowState &state);
    std::vector<RowState> takeRows(qint64 row, qint64 count);
    void putRows(qint64 row, const std::vector<RowState> &states);
    ColumnState columnState() const;
    void restoreColumnState(const ColumnState &state);
    // A consistent copy of the rows for a worker thread (shares the mapping and the index).
    std::shared_ptr<const RowStore> snapshot() const;

Q_SIGNALS:
    void saveFinished(const QString &path, bool ok, const QString &error);
    void documentAboutToReset(); // open() / setRows() is about to replace everything
    void documentReset();
    void rowsIndexed(qint64 totalRows); // the index grew (emitted in batches)
    void indexProgress(int percent);
    void indexFinished(qint64 totalRows); // also after cancelIndexing(); see isComplete()
    void rowsChanged(qint64 first, qint64 last);
    void rowsAboutToBeInserted(qint64 first, qint64 last);
    void rowsInserted(qint64 first, qint64 last);
    void rowsAboutToBeRemoved(qint64 first, qint64 last);
    void rowsRemoved(qint64 first, qint64 last);
    void columnsChanged();
    void fileChangedOnDisk(); // the open file was modified by someone else
    void contentHashReady();

private:
    QString checkCanSave(const QString &path) const;
    void markSaved(const QString &path, DatasetFormat format, quint64 savedGeneration);

    class Private;
    std::unique_ptr<Private> d;
};

} // namespace assay::dataset
