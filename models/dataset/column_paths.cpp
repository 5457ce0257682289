#include "models/dataset/column_paths.h"

namespace assay::dataset {

namespace {

void appendColumnsUnder(const nlohmann::ordered_json &object, const std::string &prefix,
                        std::vector<std::string> &out)
{
    for (auto it = object.begin(); it != object.end(); ++it) {
        std::string path = prefix.empty() ? it.key() : prefix + "." + it.key();
        if (it.value().is_object() && !it.value().empty())
            appendColumnsUnder(it.value(), path, out);
        else
            out.push_back(std::move(path));
    }
}

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::vector<std::string> splitPath(const std::string &column)
{
    std::vector<std::string> segments;
    std::size_t start = 0;
    for (;;) {
        const std::size_t dot = column.find('.', start);
        segments.push_back(column.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
        if (dot == std::string::npos)
            break;
        start = dot + 1;
    }
    return segments;
}

} // namespace

void appendColumns(const nlohmann::ordered_json &item, std::vector<std::string> &out)
{
    if (item.is_object())
        appendColumnsUnder(item, std::string(), out);
}

const nlohmann::ordered_json *findColumn(const nlohmann::ordered_json &item, std::string_view column)
{
    const nlohmann::ordered_json *node = &item;
    std::string_view remaining = column;
    for (;;) {
        if (!node->is_object())
            return nullptr;
        const nlohmann::ordered_json *partial = nullptr;
        std::size_t partialLength = 0;
        for (auto it = node->begin(); it != node->end(); ++it) {
            const std::string &key = it.key();
            if (key.size() == remaining.size() && key == remaining)
                return &it.value();
            if (remaining.size() > key.size() && remaining[key.size()] == '.' &&
                remaining.compare(0, key.size(), key) == 0 && it.value().is_object() &&
                key.size() >= partialLength) {
                partial = &it.value();
                partialLength = key.size();
            }
        }
        if (!partial)
            return nullptr;
        node = partial;
        remaining = remaining.substr(partialLength + 1);
    }
}

nlohmann::ordered_json csvCellValue(const std::string &cell)
{
    std::size_t first = 0;
    while (first < cell.size() && isSpace(cell[first]))
        ++first;
    std::size_t last = cell.size();
    while (last > first && isSpace(cell[last - 1]))
        --last;
    if (last > first &&
        ((cell[first] == '{' && cell[last - 1] == '}') || (cell[first] == '[' && cell[last - 1] == ']'))) {
        nlohmann::ordered_json value = nlohmann::ordered_json::parse(cell, nullptr, false);
        if (!value.is_discarded())
            return value;
    }
    return cell;
}

std::string csvCellText(const nlohmann::ordered_json &value)
{
    if (value.is_string())
        return value.get<std::string>();
    if (value.is_null())
        return std::string();
    return value.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

nlohmann::ordered_json csvItem(const std::vector<std::string> &columns, const std::vector<std::string> &cells)
{
    nlohmann::ordered_json item = nlohmann::ordered_json::object();
    const std::size_t count = std::min(columns.size(), cells.size());
    for (std::size_t i = 0; i < count; ++i) {
        const std::string &column = columns[i];
        nlohmann::ordered_json value = csvCellValue(cells[i]);
        if (column.find('.') != std::string::npos) {
            const std::vector<std::string> segments = splitPath(column);
            bool ok = true;
            for (const std::string &segment : segments)
                ok = ok && !segment.empty();
            // Check the whole path first so a clash leaves no half-built objects behind.
            const nlohmann::ordered_json *probe = &item;
            for (std::size_t s = 0; ok && probe && s + 1 < segments.size(); ++s) {
                auto it = probe->find(segments[s]);
                if (it == probe->end())
                    probe = nullptr;
                else if (it->is_object())
                    probe = &*it;
                else
                    ok = false;
            }
            ok = ok && !(probe && probe->contains(segments.back()));
            nlohmann::ordered_json *node = &item;
            for (std::size_t s = 0; ok && s + 1 < segments.size(); ++s) {
                auto it = node->find(segments[s]);
                node = it == node->end() ? &((*node)[segments[s]] = nlohmann::ordered_json::object()) : &*it;
            }
            if (ok) {
                (*node)[segments.back()] = std::move(value);
                continue;
            }
        }
        if (!item.contains(column))
            item[column] = std::move(value);
    }
    return item;
}

bool ColumnList::add(const std::string &column)
{
    if (!m_set.insert(column).second)
        return false;
    m_list.push_back(column);
    return true;
}

void ColumnList::clear()
{
    m_list.clear();
    m_set.clear();
}

} // namespace assay::dataset
