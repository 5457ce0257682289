#pragma once

#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>

// Column paths of dataset items: nested objects flattened with '.', and the mapping between CSV
// cells and JSON values.
//
// CSV <-> JSON rule (used when reading CSV rows and converting between formats):
// - JSON -> CSV cell: a string is written as it is; null or a missing value is an empty cell;
//   numbers, booleans, arrays and empty objects are written as their JSON text.
// - CSV cell -> JSON: text that is a JSON object or array ({...} / [...], surrounding spaces
//   allowed) becomes that value; anything else, numbers included, stays a string.
// - A CSV header `a.b` nests: the cell becomes item["a"]["b"] (unless that clashes with another
//   column, then the key is the literal "a.b").
namespace assay::dataset {

// Leaf column paths of `item` in key order, appended to `out`: non-empty objects are flattened,
// anything else (scalars, arrays, empty objects) is a leaf.
void appendColumns(const nlohmann::ordered_json &item, std::vector<std::string> &out);

// The value at a column path; nullptr when absent. At each level the longest matching key wins, so
// keys that contain dots resolve too.
const nlohmann::ordered_json *findColumn(const nlohmann::ordered_json &item, std::string_view column);

nlohmann::ordered_json csvCellValue(const std::string &cell);
std::string csvCellText(const nlohmann::ordered_json &value);
nlohmann::ordered_json csvItem(const std::vector<std::string> &columns,
                               const std::vector<std::string> &cells);

// Distinct strings in first-seen order.
class ColumnList {
public:
    bool add(const std::string &column); // false when already there
    bool contains(const std::string &column) const { return m_set.count(column) > 0; }
    const std::vector<std::string> &list() const { return m_list; }
    std::size_t size() const { return m_list.size(); }
    void clear();

private:
    std::vector<std::string> m_list;
    std::unordered_set<std::string> m_set;
};

} // namespace assay::dataset
