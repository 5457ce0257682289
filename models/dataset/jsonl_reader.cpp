#include "models/dataset/jsonl_reader.h"

#include <cstring>

#include "models/dataset/json_syntax.h"

namespace assay::dataset::jsonl {

LineScanner::LineScanner(std::string_view data, std::size_t start, qint64 firstLine)
    : m_data(data), m_pos(start), m_line(firstLine)
{
}

bool LineScanner::next(Record &record)
{
    const char *d = m_data.data();
    const std::size_t n = m_data.size();
    while (m_pos < n) {
        const void *nl = std::memchr(d + m_pos, '\n', n - m_pos);
        const std::size_t lineEnd = nl ? static_cast<std::size_t>(static_cast<const char *>(nl) - d) : n;
        const std::size_t begin = m_pos;
        const qint64 line = m_line;
        m_pos = nl ? lineEnd + 1 : n;
        ++m_line;
        std::size_t end = lineEnd;
        if (end > begin && d[end - 1] == '\r')
            --end;
        std::size_t p = begin;
        while (p < end && (d[p] == ' ' || d[p] == '\t' || d[p] == '\r'))
            ++p;
        if (p == end)
            continue;
        record = {begin, end, line};
        return true;
    }
    return false;
}

RowProblem problemAt(std::string_view text, qint64 firstLine, std::size_t offset, const QString &message)
{
    const json::TextPosition position = json::textPosition(text, offset);
    RowProblem problem;
    problem.line = firstLine + position.line - 1;
    problem.column = position.column;
    problem.message = message;
    return problem;
}

std::optional<RowProblem> checkRecord(std::string_view text, qint64 firstLine, quint64 *shape)
{
    json::ValueKind kind = json::ValueKind::Literal;
    if (auto error = json::checkSyntax(text, &kind, shape))
        return problemAt(text, firstLine, error->offset, error->message);
    if (kind != json::ValueKind::Object) {
        const std::size_t first = text.find_first_not_of(" \t\r\n");
        return problemAt(text, firstLine, first == std::string_view::npos ? 0 : first,
                         QStringLiteral("the row is not a JSON object"));
    }
    return std::nullopt;
}

ParsedRow parseRecord(std::string_view text, qint64 firstLine)
{
    ParsedRow row;
    nlohmann::ordered_json value = nlohmann::ordered_json::parse(text.begin(), text.end(), nullptr, false);
    if (value.is_discarded() || !value.is_object()) {
        // The checker says where and why in words a person can act on.
        std::optional<RowProblem> problem = checkRecord(text, firstLine);
        row.problem =
            problem ? *problem : RowProblem{firstLine, 0, QStringLiteral("the row is not valid JSON")};
        return row;
    }
    if (value.size() == 1 && value.begin().key() == "item" && value.begin().value().is_object()) {
        row.wrapped = true;
        row.item = std::move(value.begin().value());
    } else {
        row.item = std::move(value);
    }
    return row;
}

} // namespace assay::dataset::jsonl
