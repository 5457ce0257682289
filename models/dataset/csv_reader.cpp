#include "models/dataset/csv_reader.h"

#include <algorithm>
#include <cstring>

#include "models/dataset/json_syntax.h"

namespace assay::dataset::csv {

std::vector<Field> splitRecord(std::string_view record)
{
    std::vector<Field> fields;
    const std::size_t n = record.size();
    std::size_t p = 0;
    for (;;) {
        Field field;
        field.begin = p;
        if (p < n && record[p] == '"') {
            field.quoted = true;
            ++p;
            for (;;) {
                const void *quote = p < n ? std::memchr(record.data() + p, '"', n - p) : nullptr;
                if (!quote) {
                    p = n;
                    break;
                }
                p = static_cast<std::size_t>(static_cast<const char *>(quote) - record.data());
                if (p + 1 < n && record[p + 1] == '"') {
                    p += 2;
                    continue;
                }
                ++p;
                break;
            }
        }
        // Unquoted text, or text after a closing quote, up to the next comma.
        const void *comma = p < n ? std::memchr(record.data() + p, ',', n - p) : nullptr;
        const std::size_t end =
            comma ? static_cast<std::size_t>(static_cast<const char *>(comma) - record.data()) : n;
        field.end = end;
        fields.push_back(field);
        if (!comma)
            break;
        p = end + 1;
    }
    return fields;
}

std::string fieldValue(std::string_view record, const Field &field)
{
    std::string_view raw = record.substr(field.begin, field.end - field.begin);
    if (!field.quoted)
        return std::string(raw);
    std::string value;
    value.reserve(raw.size());
    std::size_t p = 1;
    bool open = true;
    while (p < raw.size()) {
        const char c = raw[p];
        if (open && c == '"') {
            if (p + 1 < raw.size() && raw[p + 1] == '"') {
                value.push_back('"');
                p += 2;
                continue;
            }
            open = false; // the closing quote; anything after it is kept as it is
            ++p;
            continue;
        }
        value.push_back(c);
        ++p;
    }
    return value;
}

std::vector<std::string> parseRecord(std::string_view record)
{
    std::vector<std::string> values;
    for (const Field &field : splitRecord(record))
        values.push_back(fieldValue(record, field));
    return values;
}

std::string quoteField(std::string_view value)
{
    if (value.find_first_of(",\"\r\n") == std::string_view::npos)
        return std::string(value);
    std::string quoted;
    quoted.reserve(value.size() + 2);
    quoted.push_back('"');
    for (char c : value) {
        if (c == '"')
            quoted.push_back('"');
        quoted.push_back(c);
    }
    quoted.push_back('"');
    return quoted;
}

std::string joinRecord(const std::vector<std::string> &values)
{
    if (values.size() == 1 && values.front().empty())
        return std::string("\"\"");
    std::string record;
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i > 0)
            record.push_back(',');
        record += quoteField(values[i]);
    }
    return record;
}

std::size_t nextLine(std::string_view data, std::size_t pos)
{
    if (pos >= data.size())
        return data.size();
    const void *nl = std::memchr(data.data() + pos, '\n', data.size() - pos);
    return nl ? static_cast<std::size_t>(static_cast<const char *>(nl) - data.data()) + 1 : data.size();
}

RecordScan scanRecord(std::string_view data, std::size_t pos, bool multilineQuotes)
{
    const char *d = data.data();
    const std::size_t n = data.size();
    RecordScan scan;
    auto finish = [&](std::size_t lineEnd) {
        // lineEnd is the '\n' (or n); a CR right before it belongs to the terminator.
        scan.next = lineEnd < n ? lineEnd + 1 : n;
        scan.end = (lineEnd > pos && d[lineEnd - 1] == '\r') ? lineEnd - 1 : lineEnd;
        return scan;
    };

    std::size_t p = pos;
    std::size_t lineEnd = 0; // the next '\n' (or n) at or after p, once looked up
    bool lineKnown = false;
    for (;;) {
        if (p < n && d[p] == '"') {
            const std::size_t open = p;
            const qint64 breaksBefore = scan.lineBreaks;
            const std::size_t limit = multilineQuotes ? n : nextLine(data, p);
            ++p;
            for (;;) {
                const void *quote = p < limit ? std::memchr(d + p, '"', limit - p) : nullptr;
                if (!quote) {
                    scan.error = RecordScan::Error::UnterminatedQuote;
                    scan.errorOffset = open;
                    scan.end = n;
                    scan.next = n;
                    return scan;
                }
                const auto q = static_cast<std::size_t>(static_cast<const char *>(quote) - d);
                scan.lineBreaks += std::count(d + p, d + q, '\n');
                if (q + 1 < n && d[q + 1] == '"') {
                    p = q + 2;
                    continue;
                }
                p = q + 1;
                break;
            }
            lineKnown = false; // the quoted field may have crossed lines
            if (p >= n)
                return finish(n);
            if (d[p] == ',') {
                ++scan.fields;
                ++p;
                continue;
            }
            if (d[p] == '\n')
                return finish(p);
            if (d[p] == '\r' && (p + 1 >= n || d[p + 1] == '\n'))
                return finish(p + 1 < n ? p + 1 : n);
            if (scan.lineBreaks > breaksBefore) {
                // A quoted field ran over lines and its "closing" quote is followed by text: it most
                // likely paired with the opening quote of a later field. Report the opening quote.
                scan.error = RecordScan::Error::UnterminatedQuote;
                scan.errorOffset = open;
                scan.end = n;
                scan.next = n;
                return scan;
            }
            if (scan.error == RecordScan::Error::None) {
                scan.error = RecordScan::Error::TextAfterQuote;
                scan.errorOffset = p;
            }
        }
        // Unquoted field (or the rest of a field after its closing quote): up to ',' or the line end,
        // found with memchr rather than byte by byte.
        if (!lineKnown || lineEnd < p) {
            const void *nl = p < n ? std::memchr(d + p, '\n', n - p) : nullptr;
            lineEnd = nl ? static_cast<std::size_t>(static_cast<const char *>(nl) - d) : n;
            lineKnown = true;
        }
        const void *comma = p < lineEnd ? std::memchr(d + p, ',', lineEnd - p) : nullptr;
        if (!comma)
            return finish(lineEnd);
        ++scan.fields;
        p = static_cast<std::size_t>(static_cast<const char *>(comma) - d) + 1;
    }
}

std::optional<RecordCheck> checkRecord(std::string_view text, qint64 line, qint64 expectedFields)
{
    auto at = [&](std::size_t offset, const QString &message, bool bad) {
        const json::TextPosition position = json::textPosition(text, offset);
        return RecordCheck{RowProblem{line + position.line - 1, position.column, message}, bad};
    };
    const std::size_t invalid = json::firstInvalidUtf8(text);
    if (invalid != json::npos)
        return at(invalid,
                  QStringLiteral("invalid UTF-8 byte 0x%1")
                      .arg(static_cast<unsigned char>(text[invalid]), 2, 16, QLatin1Char('0')),
                  true);
    const RecordScan scan = scanRecord(text, 0, true);
    if (scan.error == RecordScan::Error::UnterminatedQuote)
        return at(scan.errorOffset, QStringLiteral("unterminated quoted field"), true);
    if (scan.end < text.size())
        return at(scan.end, QStringLiteral("a line break outside quotes splits the row in two"), true);
    if (scan.fields != expectedFields)
        return RecordCheck{
            RowProblem{line, 0,
                       QStringLiteral("expected %1 fields, found %2").arg(expectedFields).arg(scan.fields)},
            false};
    if (scan.error == RecordScan::Error::TextAfterQuote)
        return at(scan.errorOffset, QStringLiteral("unexpected text after a closing quote"), false);
    return std::nullopt;
}

} // namespace assay::dataset::csv
