#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/dataset/dataset_types.h"

// The record index of a dataset file: where each record starts and ends and on which line, in
// compact arrays (20 bytes a record: 20 MB for a million rows), built in immutable chunks so a
// worker can hand them over in batches and readers on other threads can share them.
namespace assay::dataset {

struct IndexChunk {
    qint64 firstRecord = 0;
    std::vector<qint64> begins; // byte offset of the record's first byte
    std::vector<qint64> ends;   // one past its last byte (line terminator excluded)
    std::vector<qint32> lines;  // 1-based line of its first byte
    std::size_t size() const { return begins.size(); }
};

class RecordIndex {
public:
    qint64 size() const { return m_size; }
    void append(std::shared_ptr<const IndexChunk> chunk);
    void clear();

    qint64 begin(qint64 record) const;
    qint64 end(qint64 record) const;
    qint64 line(qint64 record) const;
    // The last record starting on or before `line`; 0 when the line is before the first record,
    // -1 when there are no records.
    qint64 recordAtLine(qint64 line) const;
    std::size_t memoryBytes() const;

private:
    std::pair<const IndexChunk *, std::size_t> locate(qint64 record) const;

    std::vector<std::shared_ptr<const IndexChunk>> m_chunks;
    std::vector<qint64> m_firstRecords;
    qint64 m_size = 0;
};

struct IndexedProblem {
    qint64 record = 0;
    RowProblem problem;
    bool bad = false; // the record cannot be read as an item at all
};

struct CsvHeader {
    qint64 begin = 0;
    qint64 end = 0;
    std::vector<std::string> fields;
    bool valid = true; // false when its bytes are not UTF-8 or its quote does not close
};

struct IndexBatch {
    std::shared_ptr<const IndexChunk> chunk; // may be null (header-only or final batch)
    std::vector<IndexedProblem> problems;
    std::vector<std::string> newColumns; // column paths seen for the first time, in order
    std::optional<CsvHeader> header;     // CSV: with the first batch
    qint64 bytesScanned = 0;
};

struct IndexOptions {
    qint64 firstBatchRows = 1000; // so the first screen of rows shows at once
    qint64 batchRows = 65536;
    int batchMilliseconds = 50;
};

// Builds the index of `data` in `format`, calling deliver() with each batch (the last one may be
// empty). Returns false when `cancelled` became true first.
bool buildIndex(std::string_view data, DatasetFormat format,
                const std::function<void(IndexBatch &&)> &deliver, const std::atomic<bool> &cancelled,
                const IndexOptions &options = {});

// Length of a UTF-8 byte order mark at the start of `data` (0 or 3).
std::size_t bomLength(std::string_view data);

} // namespace assay::dataset
