#pragma once

#include <optional>
#include <string_view>

#include <QString>
#include <nlohmann/json.hpp>

// Value types shared by the dataset readers, the document and the views (dataset_document.h
// includes this; code that only needs the types can include it alone).
namespace assay::dataset {

enum class DatasetFormat { Jsonl, Csv, JsonArray };

QString formatName(DatasetFormat format);
// From the file name's extension (.jsonl/.ndjson, .csv, .json), else sniffed from the content.
DatasetFormat detectFormat(const QString &path, std::string_view firstBytes);

// A problem with one record, where it is in the file.
struct RowProblem {
    qint64 line = 0;   // 1-based file line of the problem (the record's first line when unknown)
    qint64 column = 0; // 1-based, in characters; 0 when unknown
    QString message;
    // "line 7, column 3: message" (without the column when unknown).
    QString toString() const;
};

// One parsed row. `item` keeps key order (ordered_json). For JSONL rows that came wrapped as
// {"item": {...}} `wrapped` is true and the wrapper is kept on save.
//
// A row whose text cannot be read as an item (broken JSON, not an object, an unterminated CSV
// quote, invalid UTF-8) has a null `item` and a `problem`; its raw text is still kept and saved.
// A row that was read but is suspicious (a CSV record with too few or too many fields, text after
// a closing quote) has both an item and a problem.
struct ParsedRow {
    nlohmann::ordered_json item; // null when the row is bad
    bool wrapped = false;
    std::optional<RowProblem> problem; // set for a malformed row: its raw text is still kept

    bool isBad() const { return item.is_null(); }
};

} // namespace assay::dataset
