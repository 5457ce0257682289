#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <QtGlobal>

#include "models/dataset/dataset_types.h"

// RFC 4180 CSV over raw bytes: finding record boundaries in a file (quote-aware, a quoted field may
// span lines), splitting one record into fields, and writing fields back with minimal quoting.
//
// Reading is lenient the way common tools are: a '"' inside an unquoted field is kept as a literal
// character; characters after a closing quote are kept and reported. A record ends at LF or CRLF
// outside quotes; the terminator is not part of the record.
namespace assay::dataset::csv {

// One field of a record: its raw span inside the record text (quotes included when quoted).
struct Field {
    std::size_t begin = 0;
    std::size_t end = 0;
    bool quoted = false;
};

// Splits one record (no line terminator) into fields. An unterminated quoted field runs to the end.
std::vector<Field> splitRecord(std::string_view record);
// The field's value: quotes removed and doubled quotes undone.
std::string fieldValue(std::string_view record, const Field &field);
std::vector<std::string> parseRecord(std::string_view record);

// `value` as a CSV field: quoted (with doubled quotes) only when it holds a comma, a quote, CR or LF.
std::string quoteField(std::string_view value);
// Fields joined with commas. A record of one empty field is written as "" so that it does not read
// back as a blank line.
std::string joinRecord(const std::vector<std::string> &values);

// Where the record starting at `pos` in `data` ends.
struct RecordScan {
    enum class Error { None, UnterminatedQuote, TextAfterQuote };
    std::size_t end = 0;   // one past the record's last byte, before its line terminator
    std::size_t next = 0;  // where the next record starts (after the terminator)
    qint64 lineBreaks = 0; // line breaks inside the record (in quoted fields)
    qint64 fields = 1;
    Error error = Error::None;
    // UnterminatedQuote: the opening quote (also when a quoted field ran over lines and its closing
    // quote is followed by text, i.e. it paired with a later field's quote); TextAfterQuote: the
    // first character after the closing quote.
    std::size_t errorOffset = 0;
};

// Scans one record. With `multilineQuotes` false a quoted field must close on its own line (used
// after an unterminated quote was found, so one stray quote cannot swallow the rest of the file
// record after record). An UnterminatedQuote result leaves end/next at the end of the data.
RecordScan scanRecord(std::string_view data, std::size_t pos, bool multilineQuotes = true);

struct RecordCheck {
    RowProblem problem;
    bool bad = false; // the record cannot be read (invalid UTF-8, unterminated quote, two records)
};
// Checks one record's text as the reader would see it: UTF-8, quotes, a line break outside quotes,
// and the field count against `expectedFields` (a mismatch is reported but the row is readable).
std::optional<RecordCheck> checkRecord(std::string_view text, qint64 line, qint64 expectedFields);

// The offset just past the line break that ends the line containing `pos` (or data.size()).
std::size_t nextLine(std::string_view data, std::size_t pos);

} // namespace assay::dataset::csv
