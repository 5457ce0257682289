#include "models/dataset/row_store.h"

#include <algorithm>

#include "models/dataset/column_paths.h"
#include "models/dataset/csv_reader.h"
#include "models/dataset/json_syntax.h"
#include "models/dataset/json_text_patch.h"
#include "models/dataset/jsonl_reader.h"

namespace assay::dataset {

void ProblemIndex::append(std::vector<IndexedProblem> problems)
{
    if (problems.empty())
        return;
    m_size += static_cast<qint64>(problems.size());
    m_chunks.push_back(std::make_shared<const std::vector<IndexedProblem>>(std::move(problems)));
}

const IndexedProblem *ProblemIndex::find(qint64 record) const
{
    // Chunks are in record order: the last chunk starting at or before `record` may hold it.
    auto chunkIt = std::upper_bound(m_chunks.begin(), m_chunks.end(), record,
                                    [](qint64 r, const auto &chunk) { return r < chunk->front().record; });
    if (chunkIt == m_chunks.begin())
        return nullptr;
    const std::vector<IndexedProblem> &chunk = **(chunkIt - 1);
    auto it = std::lower_bound(chunk.begin(), chunk.end(), record,
                               [](const IndexedProblem &p, qint64 r) { return p.record < r; });
    return it != chunk.end() && it->record == record ? &*it : nullptr;
}

void ProblemIndex::clear()
{
    m_chunks.clear();
    m_size = 0;
}

std::vector<std::string> uniqueColumnNames(const std::vector<std::string> &fields)
{
    ColumnList names;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        const std::string base = fields[i].empty() ? "column " + std::to_string(i + 1) : fields[i];
        std::string name = base;
        for (int k = 2; names.contains(name); ++k)
            name = base + " (" + std::to_string(k) + ")";
        names.add(name);
    }
    return names.list();
}

const RowEdit *RowStore::edit(qint64 id) const
{
    if (edits.empty())
        return nullptr;
    const auto it = edits.find(id);
    return it == edits.end() ? nullptr : it->second.get();
}

std::string_view RowStore::sourceText(qint64 id) const
{
    const std::string_view bytes = source ? source->bytes() : std::string_view();
    const auto begin = static_cast<std::size_t>(index.begin(id));
    return bytes.substr(begin, static_cast<std::size_t>(index.end(id)) - begin);
}

std::string_view RowStore::textOfId(qint64 id, std::string &buffer) const
{
    const RowEdit *e = edit(id);
    if (!e) {
        if (ops.empty())
            return sourceText(id);
        buffer = applyOps(std::string(sourceText(id)), 0);
        return buffer;
    }
    if (e->opsApplied >= ops.size())
        return e->text;
    buffer = applyOps(e->text, e->opsApplied);
    return buffer;
}

std::string RowStore::applyOps(std::string text, std::size_t from) const
{
    if (from >= ops.size())
        return text;
    if (format == DatasetFormat::Csv) {
        for (std::size_t i = from; i < ops.size(); ++i) {
            const ColumnOp &op = *ops[i];
            if (op.kind != ColumnOp::Kind::Add)
                continue; // a CSV rename only changes the header
            const csv::RecordScan scan = csv::scanRecord(text, 0, true);
            if (scan.error == csv::RecordScan::Error::UnterminatedQuote || scan.end != text.size())
                continue;
            if (scan.fields == op.csvFieldCount) {
                text.push_back(',');
                text += op.csvField;
            }
        }
        return text;
    }
    if (json::checkSyntax(text))
        return text; // a bad row keeps its text until someone fixes it
    for (std::size_t i = from; i < ops.size(); ++i) {
        const ColumnOp &op = *ops[i];
        const std::optional<jsontext::Span> item = jsontext::itemObject(text);
        if (!item)
            return text;
        std::optional<std::string> changed = op.kind == ColumnOp::Kind::Add
                                                 ? jsontext::insertValue(text, *item, op.column, op.valueJson)
                                                 : jsontext::renameKey(text, *item, op.column, op.to);
        if (changed)
            text = std::move(*changed);
    }
    return text;
}

int RowStore::columnIndex(std::string_view column) const
{
    for (std::size_t i = 0; i < columns.size(); ++i) {
        if (columns[i] == column)
            return static_cast<int>(i);
    }
    return -1;
}

std::vector<std::string> RowStore::csvCells(std::string_view text) const
{
    return csv::parseRecord(text);
}

std::optional<ProblemCheck> RowStore::checkText(std::string_view text, qint64 line) const
{
    if (format == DatasetFormat::Csv) {
        std::optional<csv::RecordCheck> check =
            csv::checkRecord(text, line, static_cast<qint64>(columns.size()));
        if (!check)
            return std::nullopt;
        return ProblemCheck{std::move(check->problem), check->bad};
    }
    std::optional<RowProblem> problem = jsonl::checkRecord(text, line);
    if (!problem)
        return std::nullopt;
    return ProblemCheck{std::move(*problem), true};
}

std::optional<ProblemCheck> RowStore::problemOfId(qint64 id) const
{
    if (isPristine(id)) {
        const IndexedProblem *problem = problems.find(id);
        if (!problem)
            return std::nullopt;
        return ProblemCheck{problem->problem, problem->bad};
    }
    std::string buffer;
    return checkText(textOfId(id, buffer), lineOfId(id));
}

ParsedRow RowStore::parseId(qint64 id) const
{
    std::string buffer;
    const std::string_view text = textOfId(id, buffer);
    const qint64 line = lineOfId(id);
    std::optional<ProblemCheck> check;
    if (isPristine(id)) {
        if (const IndexedProblem *problem = problems.find(id))
            check = ProblemCheck{problem->problem, problem->bad};
    } else {
        check = checkText(text, line);
    }
    ParsedRow row;
    if (check && check->bad) {
        row.problem = check->problem;
        return row;
    }
    if (format == DatasetFormat::Csv) {
        row.item = csvItem(columns, csvCells(text));
    } else {
        row = jsonl::parseRecord(text, line);
        if (row.problem)
            return row;
    }
    if (check)
        row.problem = check->problem;
    return row;
}

std::optional<nlohmann::ordered_json> RowStore::findValue(qint64 id, const std::string &column) const
{
    std::string buffer;
    const std::string_view text = textOfId(id, buffer);
    if (format == DatasetFormat::Csv) {
        const int i = columnIndex(column);
        if (i < 0)
            return std::nullopt;
        const std::optional<ProblemCheck> check = problemOfId(id);
        if (check && check->bad)
            return std::nullopt;
        const std::vector<std::string> cells = csvCells(text);
        if (static_cast<std::size_t>(i) >= cells.size())
            return std::nullopt;
        return csvCellValue(cells[static_cast<std::size_t>(i)]);
    }
    if (isPristine(id)) {
        const IndexedProblem *problem = problems.find(id);
        if (problem && problem->bad)
            return std::nullopt;
    } else if (json::checkSyntax(text)) {
        return std::nullopt;
    }
    const std::optional<jsontext::Span> item = jsontext::itemObject(text);
    if (!item)
        return std::nullopt;
    const std::optional<jsontext::Location> location = jsontext::find(text, *item, column);
    if (!location)
        return std::nullopt;
    const std::string_view token = text.substr(location->value.begin, location->value.size());
    nlohmann::ordered_json value = nlohmann::ordered_json::parse(token.begin(), token.end(), nullptr, false);
    if (value.is_discarded())
        return std::nullopt;
    return value;
}

namespace {

bool endsLine(std::string_view piece)
{
    return piece.empty() || piece.back() == '\n' || piece == std::string_view("\xEF\xBB\xBF", 3);
}

} // namespace

bool RowStore::write(DatasetFormat target, const std::function<bool(std::string_view)> &sink,
                     QString *error) const
{
    const bool ok = target == format ? writeSameFormat(sink) : writeConverted(target, sink, error);
    if (!ok && error && error->isEmpty())
        *error = QStringLiteral("could not write the data");
    return ok;
}

bool RowStore::writeSameFormat(const std::function<bool(std::string_view)> &sink) const
{
    const std::string_view data = source ? source->bytes() : std::string_view();
    const qint64 records = index.size();
    auto at = [&](qint64 offset) { return static_cast<std::size_t>(offset); };
    auto spanEnd = [&](qint64 id) { return id + 1 < records ? at(index.begin(id + 1)) : data.size(); };
    const std::size_t firstBegin = records > 0 ? at(index.begin(0)) : data.size();
    const qint64 rows = rowCount();
    std::string buffer;

    if (format == DatasetFormat::JsonArray && ordered) {
        // Rows were inserted or deleted: elements keep their bytes, the separators are rewritten.
        if (!sink("[\n"))
            return false;
        for (qint64 row = 0; row < rows; ++row) {
            if (row > 0 && !sink(",\n"))
                return false;
            if (!sink(text(row, buffer)))
                return false;
        }
        return sink(rows > 0 ? "\n]\n" : "]\n");
    }
    const bool lineBased = format != DatasetFormat::JsonArray;

    bool atLineStart = true;
    auto put = [&](std::string_view piece) {
        if (!piece.empty())
            atLineStart = piece.back() == '\n';
        return sink(piece);
    };
    if (format == DatasetFormat::Csv && csvHeader) {
        const auto headerBegin = at(csvHeader->begin);
        const auto headerEnd = at(csvHeader->end);
        const std::string header = ops.empty()
                                       ? std::string(data.substr(headerBegin, headerEnd - headerBegin))
                                       : csv::joinRecord(columns);
        const std::string_view afterHeader =
            data.substr(headerEnd, std::max(firstBegin, headerEnd) - headerEnd);
        if (!sink(data.substr(0, headerBegin)) || !sink(header) || !sink(afterHeader))
            return false;
        atLineStart = !afterHeader.empty() && afterHeader.back() == '\n';
    } else if (format == DatasetFormat::Csv && !columns.empty()) {
        const std::string_view prefix = data.substr(0, firstBegin);
        if (!sink(prefix) || !sink(csv::joinRecord(columns)) || !sink(lineEnding))
            return false;
    } else {
        const std::string_view prefix = data.substr(0, firstBegin);
        if (!sink(prefix))
            return false;
        atLineStart = endsLine(prefix);
    }

    qint64 row = 0;
    while (row < rows) {
        const qint64 id = idAt(row);
        if (lineBased && !atLineStart && !put(lineEnding))
            return false;
        if (isPristine(id)) {
            // Untouched rows in file order go out as one run of original bytes, separators included.
            qint64 last = id;
            qint64 next = row + 1;
            while (next < rows && idAt(next) == last + 1 && isPristine(last + 1)) {
                ++last;
                ++next;
            }
            const std::size_t begin = at(index.begin(id));
            const std::size_t end = spanEnd(last);
            if (!put(data.substr(begin, end - begin)))
                return false;
            row = next;
            continue;
        }
        if (!put(textOfId(id, buffer)))
            return false;
        if (id >= 0) {
            const std::size_t gapBegin = at(index.end(id));
            const std::size_t gapEnd = spanEnd(id);
            if (!put(data.substr(gapBegin, gapEnd - gapBegin)))
                return false;
        } else {
            if (lineBased && !put(lineEnding))
                return false;
        }
        ++row;
    }
    return true;
}

bool RowStore::writeConverted(DatasetFormat target, const std::function<bool(std::string_view)> &sink,
                              QString *error) const
{
    const qint64 rows = rowCount();
    std::string buffer;
    std::string piece;
    if (target == DatasetFormat::Csv && !sink(csv::joinRecord(columns) + "\n"))
        return false;
    if (target == DatasetFormat::JsonArray && !sink(rows > 0 ? "[\n" : "[]\n"))
        return false;
    for (qint64 row = 0; row < rows; ++row) {
        const qint64 id = idAt(row);
        const std::optional<ProblemCheck> check = problemOfId(id);
        if (check && check->bad) {
            if (error)
                *error = QStringLiteral("row %1 cannot be converted (%2); fix or delete it first")
                             .arg(row + 1)
                             .arg(check->problem.toString());
            return false;
        }
        const std::string_view text = textOfId(id, buffer);
        if (format == DatasetFormat::Csv) {
            piece = csvItem(columns, csvCells(text))
                        .dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
        } else if (target == DatasetFormat::Csv) {
            std::vector<std::string> cells;
            cells.reserve(columns.size());
            const std::optional<jsontext::Span> item = jsontext::itemObject(text);
            for (const std::string &column : columns) {
                const std::optional<jsontext::Location> location =
                    item ? jsontext::find(text, *item, column) : std::nullopt;
                if (!location) {
                    cells.emplace_back();
                    continue;
                }
                const std::string_view token = text.substr(location->value.begin, location->value.size());
                if (token.front() == '"')
                    cells.push_back(jsontext::decodeString(token));
                else if (token == "null")
                    cells.emplace_back();
                else
                    cells.emplace_back(token);
            }
            piece = csv::joinRecord(cells);
        } else if (target == DatasetFormat::Jsonl) {
            piece = jsontext::minify(text);
        } else {
            piece.assign(text);
        }
        if (target == DatasetFormat::JsonArray) {
            if (row > 0 && !sink(",\n"))
                return false;
            if (!sink(piece))
                return false;
        } else {
            piece.push_back('\n');
            if (!sink(piece))
                return false;
        }
    }
    if (target == DatasetFormat::JsonArray && rows > 0 && !sink("\n]\n"))
        return false;
    return true;
}

} // namespace assay::dataset
