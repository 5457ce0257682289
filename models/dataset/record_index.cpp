#include "models/dataset/record_index.h"

#include <algorithm>
#include <unordered_set>

#include <QElapsedTimer>

#include "models/dataset/column_paths.h"
#include "models/dataset/csv_reader.h"
#include "models/dataset/json_syntax.h"
#include "models/dataset/jsonl_reader.h"

namespace assay::dataset {

void RecordIndex::append(std::shared_ptr<const IndexChunk> chunk)
{
    if (!chunk || chunk->size() == 0)
        return;
    m_firstRecords.push_back(m_size);
    m_size += static_cast<qint64>(chunk->size());
    m_chunks.push_back(std::move(chunk));
}

void RecordIndex::clear()
{
    m_chunks.clear();
    m_firstRecords.clear();
    m_size = 0;
}

std::pair<const IndexChunk *, std::size_t> RecordIndex::locate(qint64 record) const
{
    const auto it = std::upper_bound(m_firstRecords.begin(), m_firstRecords.end(), record);
    const auto chunk = static_cast<std::size_t>(it - m_firstRecords.begin()) - 1;
    return {m_chunks[chunk].get(), static_cast<std::size_t>(record - m_firstRecords[chunk])};
}

qint64 RecordIndex::begin(qint64 record) const
{
    const auto [chunk, i] = locate(record);
    return chunk->begins[i];
}

qint64 RecordIndex::end(qint64 record) const
{
    const auto [chunk, i] = locate(record);
    return chunk->ends[i];
}

qint64 RecordIndex::line(qint64 record) const
{
    const auto [chunk, i] = locate(record);
    return chunk->lines[i];
}

qint64 RecordIndex::recordAtLine(qint64 line) const
{
    if (m_size == 0)
        return -1;
    // Chunks are in line order: find the last chunk whose first line is <= line, then search in it.
    std::size_t chunk = 0;
    for (std::size_t c = 0; c < m_chunks.size(); ++c) {
        if (m_chunks[c]->lines.front() <= line)
            chunk = c;
        else
            break;
    }
    const std::vector<qint32> &lines = m_chunks[chunk]->lines;
    const auto it = std::upper_bound(lines.begin(), lines.end(), line);
    const qint64 inChunk = std::max<qint64>(0, static_cast<qint64>(it - lines.begin()) - 1);
    return m_firstRecords[chunk] + inChunk;
}

std::size_t RecordIndex::memoryBytes() const
{
    std::size_t bytes = 0;
    for (const auto &chunk : m_chunks)
        bytes += chunk->begins.capacity() * sizeof(qint64) + chunk->ends.capacity() * sizeof(qint64) +
                 chunk->lines.capacity() * sizeof(qint32);
    return bytes;
}

std::size_t bomLength(std::string_view data)
{
    return data.size() >= 3 && data.substr(0, 3) == std::string_view("\xEF\xBB\xBF", 3) ? 3 : 0;
}

namespace {

constexpr std::size_t kMaxShapes = 4096;

class Builder {
public:
    Builder(std::string_view data, const std::function<void(IndexBatch &&)> &deliver,
            const std::atomic<bool> &cancelled, const IndexOptions &options)
        : m_data(data), m_deliver(deliver), m_cancelled(cancelled), m_options(options)
    {
        m_timer.start();
        startChunk(0);
    }

    bool jsonl();
    bool csv();
    bool jsonArray();

private:
    void startChunk(qint64 firstRecord)
    {
        m_chunk = std::make_shared<IndexChunk>();
        m_chunk->firstRecord = firstRecord;
        const qint64 capacity = firstRecord == 0 ? m_options.firstBatchRows : m_options.batchRows;
        m_chunk->begins.reserve(static_cast<std::size_t>(capacity));
        m_chunk->ends.reserve(static_cast<std::size_t>(capacity));
        m_chunk->lines.reserve(static_cast<std::size_t>(capacity));
    }

    void addRecord(std::size_t begin, std::size_t end, qint64 line)
    {
        m_chunk->begins.push_back(static_cast<qint64>(begin));
        m_chunk->ends.push_back(static_cast<qint64>(end));
        m_chunk->lines.push_back(
            static_cast<qint32>(std::min<qint64>(line, std::numeric_limits<qint32>::max())));
        ++m_records;
    }

    void addProblem(RowProblem problem, bool bad)
    {
        m_batch.problems.push_back({m_records, std::move(problem), bad});
    }

    // Columns come from parsing one row per distinct shape (set of key paths), not every row.
    void noteShape(quint64 shape, std::string_view text)
    {
        const bool sample =
            m_shapes.size() < kMaxShapes ? m_shapes.insert(shape).second : m_records % 1000 == 0;
        if (!sample)
            return;
        const ParsedRow row = jsonl::parseRecord(text, 1);
        std::vector<std::string> paths;
        appendColumns(row.item, paths);
        for (std::string &path : paths) {
            if (m_columns.add(path))
                m_batch.newColumns.push_back(std::move(path));
        }
    }

    // Called after each record; false when cancelled.
    bool step(std::size_t position)
    {
        const qint64 inChunk = static_cast<qint64>(m_chunk->size());
        if (m_chunk->firstRecord == 0 && inChunk >= m_options.firstBatchRows) {
            flush(position);
        } else if (inChunk >= m_options.batchRows) {
            flush(position);
        } else if ((m_records & 1023) == 0) {
            if (m_cancelled.load(std::memory_order_relaxed))
                return false;
            if (m_timer.elapsed() >= m_options.batchMilliseconds)
                flush(position);
        }
        return true;
    }

    void flush(std::size_t position)
    {
        IndexBatch batch = std::move(m_batch);
        m_batch = IndexBatch();
        if (m_chunk->size() > 0) {
            batch.chunk = std::move(m_chunk);
            startChunk(m_records);
        }
        batch.bytesScanned = static_cast<qint64>(position);
        m_deliver(std::move(batch));
        m_timer.restart();
    }

    bool finish()
    {
        if (m_cancelled.load(std::memory_order_relaxed))
            return false;
        flush(m_data.size());
        return true;
    }

    std::string_view m_data;
    const std::function<void(IndexBatch &&)> &m_deliver;
    const std::atomic<bool> &m_cancelled;
    IndexOptions m_options;
    QElapsedTimer m_timer;
    std::shared_ptr<IndexChunk> m_chunk;
    IndexBatch m_batch;
    qint64 m_records = 0;
    std::unordered_set<quint64> m_shapes;
    ColumnList m_columns;
};

bool Builder::jsonl()
{
    jsonl::LineScanner scanner(m_data, bomLength(m_data), 1);
    jsonl::Record record;
    while (scanner.next(record)) {
        const std::string_view text = m_data.substr(record.begin, record.end - record.begin);
        quint64 shape = 0;
        if (std::optional<RowProblem> problem = jsonl::checkRecord(text, record.line, &shape))
            addProblem(std::move(*problem), true);
        else
            noteShape(shape, text);
        addRecord(record.begin, record.end, record.line);
        if (!step(scanner.position()))
            return false;
    }
    return finish();
}

bool Builder::csv()
{
    const std::size_t n = m_data.size();
    std::size_t pos = bomLength(m_data);
    qint64 line = 1;
    auto skipBlankLines = [&]() {
        while (pos < n &&
               (m_data[pos] == '\n' || (m_data[pos] == '\r' && pos + 1 < n && m_data[pos + 1] == '\n'))) {
            pos += m_data[pos] == '\n' ? 1 : 2;
            ++line;
        }
    };
    skipBlankLines();
    if (pos >= n)
        return finish();

    bool multiline = true;
    CsvHeader header;
    csv::RecordScan scan = csv::scanRecord(m_data, pos, multiline);
    if (scan.error == csv::RecordScan::Error::UnterminatedQuote) {
        // Only the first line is the header then; the rest is read line by line.
        const std::size_t next = csv::nextLine(m_data, pos);
        scan.next = next;
        scan.end = next > pos && m_data[next - 1] == '\n' ? next - 1 : next;
        if (scan.end > pos && m_data[scan.end - 1] == '\r')
            --scan.end;
        scan.lineBreaks = 0;
        header.valid = false;
        multiline = false;
    }
    const std::string_view headerText = m_data.substr(pos, scan.end - pos);
    header.begin = static_cast<qint64>(pos);
    header.end = static_cast<qint64>(scan.end);
    header.fields = csv::parseRecord(headerText);
    if (json::firstInvalidUtf8(headerText) != json::npos)
        header.valid = false;
    const auto fieldCount = static_cast<qint64>(header.fields.size());
    for (const std::string &field : header.fields)
        m_columns.add(field);
    m_batch.header = std::move(header);
    pos = scan.next;
    line += 1 + scan.lineBreaks;

    for (;;) {
        skipBlankLines();
        if (pos >= n)
            break;
        scan = csv::scanRecord(m_data, pos, multiline);
        if (scan.error == csv::RecordScan::Error::UnterminatedQuote) {
            const std::size_t next = csv::nextLine(m_data, pos);
            std::size_t end = next > pos && m_data[next - 1] == '\n' ? next - 1 : next;
            if (end > pos && m_data[end - 1] == '\r')
                --end;
            addProblem(
                jsonl::problemAt(m_data.substr(pos), line, scan.errorOffset - pos,
                                 QStringLiteral("unterminated quoted field (no matching closing quote)")),
                true);
            addRecord(pos, end, line);
            multiline = false;
            pos = next;
            ++line;
        } else {
            const std::string_view text = m_data.substr(pos, scan.end - pos);
            const std::size_t invalid = json::firstInvalidUtf8(text);
            if (invalid != json::npos) {
                addProblem(jsonl::problemAt(
                               text, line, invalid,
                               QStringLiteral("invalid UTF-8 byte 0x%1")
                                   .arg(static_cast<unsigned char>(text[invalid]), 2, 16, QLatin1Char('0'))),
                           true);
            } else if (scan.fields != fieldCount) {
                addProblem({line, 0,
                            QStringLiteral("expected %1 fields, found %2").arg(fieldCount).arg(scan.fields)},
                           false);
            } else if (scan.error == csv::RecordScan::Error::TextAfterQuote) {
                addProblem(jsonl::problemAt(text, line, scan.errorOffset - pos,
                                            QStringLiteral("unexpected text after a closing quote")),
                           false);
            }
            addRecord(pos, scan.end, line);
            pos = scan.next;
            line += 1 + scan.lineBreaks;
        }
        if (!step(pos))
            return false;
    }
    return finish();
}

bool Builder::jsonArray()
{
    const std::size_t n = m_data.size();
    std::size_t p = bomLength(m_data);
    qint64 line = 1;
    auto advance = [&](std::size_t to) {
        to = std::min(to, n);
        line += std::count(m_data.begin() + static_cast<std::ptrdiff_t>(p),
                           m_data.begin() + static_cast<std::ptrdiff_t>(to), '\n');
        p = to;
    };
    auto skipWs = [&]() {
        std::size_t q = p;
        while (q < n && json::isJsonSpace(m_data[q]))
            ++q;
        advance(q);
    };
    // Problem positions count columns from the start of the element's line, not of the element.
    auto problemIn = [&](std::size_t begin, qint64 recordLine, std::size_t offset, const QString &message) {
        std::size_t lineStart = begin;
        while (lineStart > 0 && m_data[lineStart - 1] != '\n')
            --lineStart;
        return jsonl::problemAt(m_data.substr(lineStart), recordLine, offset - lineStart, message);
    };
    auto trimmedEnd = [&](std::size_t begin, std::size_t end) {
        while (end > begin + 1 && json::isJsonSpace(m_data[end - 1]))
            --end;
        return end;
    };

    skipWs();
    if (p >= n)
        return finish();
    if (m_data[p] != '[') {
        addProblem(
            {line, 1, QStringLiteral("a JSON dataset file must be an array of objects ('[' expected)")},
            true);
        addRecord(p, trimmedEnd(p, n), line);
        return finish();
    }
    advance(p + 1);
    for (;;) {
        skipWs();
        if (p >= n || m_data[p] == ']')
            break;
        const std::size_t begin = p;
        const qint64 recordLine = line;
        quint64 shape = 0;
        json::ScanResult scan = json::scanValue(m_data, begin, &shape);
        std::size_t end = 0;
        std::size_t separator = json::npos;
        if (!scan.error) {
            end = scan.end;
            std::size_t q = end;
            while (q < n && json::isJsonSpace(m_data[q]))
                ++q;
            if (q >= n || m_data[q] == ',' || m_data[q] == ']') {
                separator = q < n ? q : json::npos;
                const std::string_view text = m_data.substr(begin, end - begin);
                if (scan.kind != json::ValueKind::Object)
                    addProblem(problemIn(begin, recordLine, begin,
                                         QStringLiteral("the array element is not a JSON object")),
                               true);
                else
                    noteShape(shape, text);
            } else {
                scan.error =
                    json::SyntaxError{q, QStringLiteral("expected ',' or ']' after an array element")};
            }
        }
        if (scan.error) {
            separator = json::findSeparatorLenient(m_data, begin);
            end = trimmedEnd(begin, separator == json::npos ? n : separator);
            addProblem(problemIn(begin, recordLine, scan.error->offset, scan.error->message), true);
        }
        addRecord(begin, end, recordLine);
        if (separator == json::npos || m_data[separator] != ',') {
            advance(separator == json::npos ? n : separator);
            break;
        }
        advance(separator + 1);
        if (!step(p))
            return false;
    }
    return finish();
}

} // namespace

bool buildIndex(std::string_view data, DatasetFormat format,
                const std::function<void(IndexBatch &&)> &deliver, const std::atomic<bool> &cancelled,
                const IndexOptions &options)
{
    Builder builder(data, deliver, cancelled, options);
    switch (format) {
    case DatasetFormat::Jsonl:
        return builder.jsonl();
    case DatasetFormat::Csv:
        return builder.csv();
    case DatasetFormat::JsonArray:
        return builder.jsonArray();
    }
    return false;
}

} // namespace assay::dataset
