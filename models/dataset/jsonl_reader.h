#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "models/dataset/dataset_types.h"

// JSON Lines: one JSON object per non-blank line. Finding the records is a memchr loop over the
// mapped bytes; checking and parsing one record is done per row (the checker at index time, the
// ordered_json parse only when a row is shown or used). The same row functions serve the elements
// of a JSON array file, whose records may span lines.
namespace assay::dataset::jsonl {

struct Record {
    std::size_t begin = 0; // first byte of the line
    std::size_t end = 0;   // one past its last byte, before "\n" or "\r\n"
    qint64 line = 0;       // 1-based
};

// Walks the non-blank lines of `data` from `start` (whose line number is `firstLine`). Lines holding
// only spaces, tabs or a CR are blank: skipped, but counted so line numbers match the file.
class LineScanner {
public:
    explicit LineScanner(std::string_view data, std::size_t start = 0, qint64 firstLine = 1);
    bool next(Record &record);
    std::size_t position() const { return m_pos; }
    qint64 line() const { return m_line; }

private:
    std::string_view m_data;
    std::size_t m_pos;
    qint64 m_line;
};

// A problem at byte `offset` of a record whose first line is `firstLine`.
RowProblem problemAt(std::string_view text, qint64 firstLine, std::size_t offset, const QString &message);

// Checks that a record is one JSON object (strictly: RFC 8259 syntax, valid UTF-8 in strings).
// `shape` receives the hash of its key paths (see json::scanValue).
std::optional<RowProblem> checkRecord(std::string_view text, qint64 firstLine, quint64 *shape = nullptr);

// Parses a record into a row, detecting the {"item": {...}} wrapper (a root object whose only
// member is "item" holding an object). A record that does not parse gives a row with a problem.
ParsedRow parseRecord(std::string_view text, qint64 firstLine);

} // namespace assay::dataset::jsonl
