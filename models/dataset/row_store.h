#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "models/dataset/dataset_types.h"
#include "models/dataset/record_index.h"
#include "models/dataset/source_buffer.h"

// The row state of a DatasetDocument as plain data: the source bytes and their index, the edits
// (new raw text per touched row), the logical order (only once rows were inserted or deleted), and
// the lazy column operations. Copying it is cheap (shared chunks and texts), so a worker thread
// gets a consistent snapshot to filter, sort or convert while the user keeps editing.
namespace assay::dataset {

// New text for a row, produced when `opsApplied` column operations had been applied.
struct RowEdit {
    std::string text;
    std::size_t opsApplied = 0;
};

// A column change applied lazily to every row's text when it is read.
struct ColumnOp {
    enum class Kind { Add, Rename };
    Kind kind = Kind::Add;
    std::string column;       // Add: the new column; Rename: the old name
    std::string to;           // Rename: the new name
    std::string valueJson;    // Add (JSON formats): the value given to rows that lack the column
    std::string csvField;     // Add (CSV): the field appended to each record, already quoted
    qint64 csvFieldCount = 0; // Add (CSV): only records with exactly this many fields get it
};

// Index-time problems, in record order, in the chunks the indexer delivered.
class ProblemIndex {
public:
    void append(std::vector<IndexedProblem> problems);
    const IndexedProblem *find(qint64 record) const;
    qint64 size() const { return m_size; }
    void clear();
    template <typename Visit> void forEach(Visit &&visit) const
    {
        for (const auto &chunk : m_chunks)
            for (const IndexedProblem &problem : *chunk)
                visit(problem);
    }

private:
    std::vector<std::shared_ptr<const std::vector<IndexedProblem>>> m_chunks;
    qint64 m_size = 0;
};

struct ProblemCheck {
    RowProblem problem;
    bool bad = false;
};

class RowStore {
public:
    DatasetFormat format = DatasetFormat::Jsonl;
    std::shared_ptr<SourceBuffer> source;
    RecordIndex index;
    ProblemIndex problems;
    std::optional<CsvHeader> csvHeader;
    bool ordered = false;
    std::vector<qint64> order; // logical row -> id, once ordered (ids < 0 are new rows)
    std::unordered_map<qint64, std::shared_ptr<const RowEdit>> edits;
    std::vector<std::shared_ptr<const ColumnOp>> ops;
    std::vector<std::string> columns;
    std::string lineEnding = "\n";

    qint64 rowCount() const { return ordered ? static_cast<qint64>(order.size()) : index.size(); }
    qint64 idAt(qint64 row) const { return ordered ? order[static_cast<std::size_t>(row)] : row; }
    const RowEdit *edit(qint64 id) const;
    bool isPristine(qint64 id) const { return id >= 0 && ops.empty() && !edit(id); }
    std::string_view sourceText(qint64 id) const;
    qint64 lineOfId(qint64 id) const { return id >= 0 ? index.line(id) : 0; }

    // The row's current text (edits and column operations applied): a view into the source bytes
    // when the row is untouched, else into `buffer`.
    std::string_view textOfId(qint64 id, std::string &buffer) const;
    std::string_view text(qint64 row, std::string &buffer) const { return textOfId(idAt(row), buffer); }

    ParsedRow parseId(qint64 id) const;
    std::optional<ProblemCheck> problemOfId(qint64 id) const;
    // Checks a text as a row of this document would be checked.
    std::optional<ProblemCheck> checkText(std::string_view text, qint64 line) const;
    std::optional<nlohmann::ordered_json> findValue(qint64 id, const std::string &column) const;

    // Text with the column operations from `from` on applied.
    std::string applyOps(std::string text, std::size_t from) const;
    int columnIndex(std::string_view column) const;
    std::vector<std::string> csvCells(std::string_view text) const;

    // Writes the rows in `target` format to `sink` (called with consecutive pieces; returns false to
    // stop). Untouched rows are copied byte for byte when the format is unchanged. False with
    // `error` when a bad row cannot be converted or the sink failed.
    bool write(DatasetFormat target, const std::function<bool(std::string_view)> &sink, QString *error) const;

private:
    bool writeSameFormat(const std::function<bool(std::string_view)> &sink) const;
    bool writeConverted(DatasetFormat target, const std::function<bool(std::string_view)> &sink,
                        QString *error) const;
};

// CSV header names made usable as column names: an empty name becomes "column N", a repeated one
// "name (2)".
std::vector<std::string> uniqueColumnNames(const std::vector<std::string> &fields);

} // namespace assay::dataset
