#pragma once

#include <optional>
#include <vector>

#include <QString>
#include <nlohmann/json.hpp>

#include "models/compare/comparison_cell.h"
#include "models/compare/comparison_inputs.h"
#include "models/compare/comparison_variant.h"

namespace assay::compare {

// A comparison as a value: variants (2..8 columns), shared prompt, inputs (rows), repeats,
// attached graders and every cell's outputs. Copyable; ComparisonDocument wraps one for the GUI.
// Invariant: cells are rowCount() x variantCount() x repeats(); the structural setters keep it.
class Comparison {
public:
    static constexpr int kMinVariants = 2;
    static constexpr int kMaxVariants = 8;
    static constexpr int kMaxRepeats = 20;

    Comparison(); // two variants using the shared prompt, one empty row, repeats 1

    qint64 id = 0; // ComparisonStore id; 0 until saved
    QString name;

    const prompt::Conversation &sharedPrompt() const { return m_sharedPrompt; }
    void setSharedPrompt(prompt::Conversation conversation) { m_sharedPrompt = std::move(conversation); }
    // The prompt a variant sends (its own or the shared one).
    const prompt::Conversation &promptFor(int variant) const;

    int variantCount() const { return static_cast<int>(m_variants.size()); }
    const ComparisonVariant &variant(int index) const { return m_variants.at(static_cast<std::size_t>(index)); }
    const std::vector<ComparisonVariant> &variants() const { return m_variants; }
    void setVariant(int index, ComparisonVariant variant); // keeps the column's cells
    // False (nothing changes) past kMaxVariants / under kMinVariants.
    bool insertVariant(int index, ComparisonVariant variant); // new column of idle cells
    bool removeVariant(int index);                            // baseline moves to 0 if it was removed
    bool duplicateVariant(int index);                         // copy inserted right after, named "... (copy)"
    bool moveVariant(int from, int to);

    int baseline() const { return m_baseline; }
    void setBaseline(int variant); // ratings are against the baseline: changing it clears them

    const ComparisonInputs &inputs() const { return m_inputs; }
    int rowCount() const { return m_inputs.rowCount(); }
    void setInputs(ComparisonInputs inputs); // resets every cell
    void insertRow(int index, nlohmann::json values);
    void removeRow(int index);
    void setRowValues(int index, nlohmann::json values); // keeps the row's cells (now stale)

    int repeats() const { return m_repeats; }
    void setRepeats(int repeats); // clamped to 1..kMaxRepeats; keeps existing runs up to the new count

    // testing_criteria: an array of grader definitions (EvalSpec's form).
    const nlohmann::json &graders() const { return m_graders; }
    void setGraders(nlohmann::json testingCriteria);

    const Cell &cell(int row, int variant) const;
    Cell &cell(int row, int variant);
    CellRun &run(int row, int variant, int repeat);
    const CellRun &run(int row, int variant, int repeat) const;
    void clearOutputs(); // every run back to Idle, ratings kept

    // Stable JSON of the whole comparison (definition + cells); what the store writes.
    nlohmann::json definitionJson() const; // name, shared prompt, variants, baseline, inputs, repeats, graders
    nlohmann::json cellsJson() const;      // [[{rating, runs[...]}, ...per variant], ...per row]
    static Comparison fromJson(const nlohmann::json &definition, const nlohmann::json &cells); // throws std::runtime_error

    bool operator==(const Comparison &other) const; // everything, cells included

private:
    void resizeCells();

    prompt::Conversation m_sharedPrompt;
    std::vector<ComparisonVariant> m_variants;
    int m_baseline = 0;
    ComparisonInputs m_inputs;
    int m_repeats = 1;
    nlohmann::json m_graders = nlohmann::json::array();
    std::vector<std::vector<Cell>> m_cells; // [row][variant]
};

} // namespace assay::compare
