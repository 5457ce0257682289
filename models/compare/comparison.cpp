#include "models/compare/comparison.h"

#include <algorithm>
#include <stdexcept>

namespace assay::compare {

using nlohmann::json;

Comparison::Comparison()
{
    m_variants.resize(2);
    m_variants[0].name = QStringLiteral("A");
    m_variants[1].name = QStringLiteral("B");
    m_inputs.insertRow(0, json::object());
    resizeCells();
}

const prompt::Conversation &Comparison::promptFor(int index) const
{
    const ComparisonVariant &v = variant(index);
    return v.useSharedPrompt ? m_sharedPrompt : v.prompt;
}

void Comparison::setVariant(int index, ComparisonVariant value)
{
    if (index < 0 || index >= variantCount())
        return;
    m_variants[static_cast<std::size_t>(index)] = std::move(value);
}

bool Comparison::insertVariant(int index, ComparisonVariant value)
{
    if (variantCount() >= kMaxVariants)
        return false;
    index = std::clamp(index, 0, variantCount());
    m_variants.insert(m_variants.begin() + index, std::move(value));
    for (auto &row : m_cells) {
        Cell cell;
        cell.runs.resize(static_cast<std::size_t>(m_repeats));
        row.insert(row.begin() + index, std::move(cell));
    }
    if (m_baseline >= index && variantCount() > 1)
        ++m_baseline;
    return true;
}

bool Comparison::removeVariant(int index)
{
    if (variantCount() <= kMinVariants || index < 0 || index >= variantCount())
        return false;
    m_variants.erase(m_variants.begin() + index);
    for (auto &row : m_cells)
        row.erase(row.begin() + index);
    if (m_baseline == index) {
        m_baseline = 0;
        for (auto &row : m_cells)
            for (Cell &cell : row)
                cell.rating = Rating::None;
    } else if (m_baseline > index) {
        --m_baseline;
    }
    return true;
}

bool Comparison::duplicateVariant(int index)
{
    if (index < 0 || index >= variantCount())
        return false;
    ComparisonVariant copy = variant(index);
    copy.name = copy.displayName() + QStringLiteral(" (copy)");
    return insertVariant(index + 1, std::move(copy));
}

bool Comparison::moveVariant(int from, int to)
{
    if (from < 0 || from >= variantCount() || to < 0 || to >= variantCount() || from == to)
        return false;
    auto move = [from, to](auto &vec) {
        auto item = std::move(vec[static_cast<std::size_t>(from)]);
        vec.erase(vec.begin() + from);
        vec.insert(vec.begin() + to, std::move(item));
    };
    move(m_variants);
    for (auto &row : m_cells)
        move(row);
    if (m_baseline == from)
        m_baseline = to;
    else if (from < m_baseline && to >= m_baseline)
        --m_baseline;
    else if (from > m_baseline && to <= m_baseline)
        ++m_baseline;
    return true;
}

void Comparison::setBaseline(int index)
{
    if (index < 0 || index >= variantCount() || index == m_baseline)
        return;
    m_baseline = index;
    for (auto &row : m_cells)
        for (Cell &cell : row)
            cell.rating = Rating::None;
}

void Comparison::setInputs(ComparisonInputs inputs)
{
    m_inputs = std::move(inputs);
    m_cells.clear();
    resizeCells();
}

void Comparison::insertRow(int index, json values)
{
    index = std::clamp(index, 0, rowCount());
    m_inputs.insertRow(index, std::move(values));
    std::vector<Cell> cells(static_cast<std::size_t>(variantCount()));
    for (Cell &cell : cells)
        cell.runs.resize(static_cast<std::size_t>(m_repeats));
    m_cells.insert(m_cells.begin() + index, std::move(cells));
}

void Comparison::removeRow(int index)
{
    if (index < 0 || index >= rowCount())
        return;
    m_inputs.removeRow(index);
    m_cells.erase(m_cells.begin() + index);
}

void Comparison::setRowValues(int index, json values)
{
    m_inputs.setRow(index, std::move(values));
}

void Comparison::setRepeats(int repeats)
{
    m_repeats = std::clamp(repeats, 1, kMaxRepeats);
    resizeCells();
}

void Comparison::setGraders(json testingCriteria)
{
    m_graders = testingCriteria.is_array() ? std::move(testingCriteria) : json::array();
}

const Cell &Comparison::cell(int row, int variant) const
{
    return m_cells.at(static_cast<std::size_t>(row)).at(static_cast<std::size_t>(variant));
}

Cell &Comparison::cell(int row, int variant)
{
    return m_cells.at(static_cast<std::size_t>(row)).at(static_cast<std::size_t>(variant));
}

CellRun &Comparison::run(int row, int variant, int repeat)
{
    return cell(row, variant).runs.at(static_cast<std::size_t>(repeat));
}

const CellRun &Comparison::run(int row, int variant, int repeat) const
{
    return cell(row, variant).runs.at(static_cast<std::size_t>(repeat));
}

void Comparison::clearOutputs()
{
    for (auto &row : m_cells)
        for (Cell &cell : row)
            for (CellRun &run : cell.runs)
                run = CellRun();
}

void Comparison::resizeCells()
{
    m_cells.resize(static_cast<std::size_t>(rowCount()));
    for (auto &row : m_cells) {
        row.resize(static_cast<std::size_t>(variantCount()));
        for (Cell &cell : row)
            cell.runs.resize(static_cast<std::size_t>(m_repeats));
    }
}

json Comparison::definitionJson() const
{
    json variants = json::array();
    for (const ComparisonVariant &v : m_variants)
        variants.push_back(v.toJson());
    return {{"format", 1},
            {"name", name.toStdString()},
            {"shared_prompt", conversationToJson(m_sharedPrompt)},
            {"variants", variants},
            {"baseline", m_baseline},
            {"inputs", m_inputs.toJson()},
            {"repeats", m_repeats},
            {"graders", m_graders}};
}

json Comparison::cellsJson() const
{
    json rows = json::array();
    for (const auto &row : m_cells) {
        json cells = json::array();
        for (const Cell &cell : row) {
            json runs = json::array();
            for (const CellRun &run : cell.runs)
                runs.push_back(run.toJson());
            cells.push_back({{"rating", ratingName(cell.rating).toStdString()}, {"runs", runs}});
        }
        rows.push_back(cells);
    }
    return rows;
}

Comparison Comparison::fromJson(const json &definition, const json &cells)
{
    if (!definition.is_object())
        throw std::runtime_error("comparison: expected an object");
    Comparison c;
    c.name = QString::fromStdString(definition.value("name", std::string()));
    c.m_sharedPrompt = conversationFromJson(definition.value("shared_prompt", json()));
    const json variants = definition.value("variants", json::array());
    if (!variants.is_array() || variants.size() < kMinVariants || variants.size() > kMaxVariants)
        throw std::runtime_error("variants: expected 2 to 8 variants");
    c.m_variants.clear();
    for (const json &v : variants)
        c.m_variants.push_back(ComparisonVariant::fromJson(v));
    c.m_baseline = std::clamp(definition.value("baseline", 0), 0, c.variantCount() - 1);
    c.m_inputs = ComparisonInputs::fromJson(definition.value("inputs", json::array()));
    c.m_repeats = std::clamp(definition.value("repeats", 1), 1, kMaxRepeats);
    c.setGraders(definition.value("graders", json::array()));
    c.m_cells.clear();
    c.resizeCells();
    if (cells.is_array()) {
        for (std::size_t r = 0; r < cells.size() && r < c.m_cells.size(); ++r) {
            const json &row = cells[r];
            if (!row.is_array())
                continue;
            for (std::size_t v = 0; v < row.size() && v < c.m_cells[r].size(); ++v) {
                const json &cell = row[v];
                if (!cell.is_object())
                    continue;
                Cell &target = c.m_cells[r][v];
                target.rating = ratingFromName(QString::fromStdString(cell.value("rating", std::string())));
                const json runs = cell.value("runs", json::array());
                for (std::size_t i = 0; i < runs.size() && i < target.runs.size(); ++i)
                    target.runs[i] = CellRun::fromJson(runs[i]);
            }
        }
    }
    return c;
}

bool Comparison::operator==(const Comparison &other) const
{
    return id == other.id && definitionJson() == other.definitionJson() && cellsJson() == other.cellsJson();
}

} // namespace assay::compare
