#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include <QString>
#include <QtGlobal>

// Strict, allocation-free JSON syntax checking over raw bytes. The record indexer runs it over every
// row of a file (hundreds of MB), so it is a byte loop with a lookup table, not a DOM parser: it finds
// the first error (with its byte offset) and, optionally, a hash of the row's shape so a caller can
// parse only rows whose set of key paths it has not seen yet.
namespace assay::dataset::json {

inline constexpr std::size_t npos = std::string_view::npos;

// Offset of the first byte that is not well-formed UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF), or npos when all of `text` is valid.
std::size_t firstInvalidUtf8(std::string_view text);

// Length of the well-formed UTF-8 sequence starting at text[pos], 0 when it is not one.
int utf8SequenceLength(std::string_view text, std::size_t pos);

struct SyntaxError {
    std::size_t offset = 0; // byte offset in the checked text
    QString message;
};

enum class ValueKind { Object, Array, String, Number, Literal };

struct ScanResult {
    std::size_t end = 0; // one past the value (valid when !error)
    ValueKind kind = ValueKind::Literal;
    std::optional<SyntaxError> error;
};

// Scans one JSON value starting at `pos` (leading whitespace skipped) and stops after it.
// `shape`, when given, receives an order-insensitive hash of the value's flattened key paths: every
// key path that ends in a non-object value (or an empty object) counts once; arrays are leaves.
ScanResult scanValue(std::string_view text, std::size_t pos, quint64 *shape = nullptr);

// Checks that `text` is exactly one JSON value surrounded by optional whitespace.
std::optional<SyntaxError> checkSyntax(std::string_view text, ValueKind *kind = nullptr,
                                       quint64 *shape = nullptr);

// Without validating: the offset of the first ',' or unmatched ']' / '}' at or after `pos`, skipping
// strings and balanced brackets; npos when the text ends first. Resynchronises a JSON array file
// after a broken element.
std::size_t findSeparatorLenient(std::string_view text, std::size_t pos);

// 1-based line and column (in Unicode code points) of a byte offset, counted from the start of
// `text`; lines are separated by '\n'.
struct TextPosition {
    qint64 line = 1;
    qint64 column = 1;
};
TextPosition textPosition(std::string_view text, std::size_t offset);

inline bool isJsonSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

} // namespace assay::dataset::json
