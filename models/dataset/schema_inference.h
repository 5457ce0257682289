#pragma once

#include <memory>
#include <vector>

#include <QtGlobal>
#include <nlohmann/json.hpp>

namespace assay::dataset {

struct SchemaInferenceOptions {
    // A string property becomes an `enum` when, over at least `enumMinRows` strings, it took at
    // most `enumMaxValues` distinct values and each of them appeared at least `enumMinCount` times:
    // a label column, not free text that happened to repeat.
    int enumMaxValues = 12;
    int enumMinCount = 2;
    qint64 enumMinRows = 10;
};

// Infers a JSON Schema (a draft 2020-12 subset, the shape the Evals API takes as `item_schema`) for
// the items of a dataset. Rows are fed one at a time and only per-path statistics are kept (type
// counts, presence counts and at most enumMaxValues + 1 distinct strings per path), so it runs over a
// million rows in bounded memory.
//
// The result has `type` (an array for unions; "integer" unless a non-integral number was seen),
// `properties` in first-seen order, `required` (properties present in every object seen at that
// place, null values included), `items` for arrays (all elements merged) and `enum` for
// low-cardinality strings.
class SchemaInference {
public:
    explicit SchemaInference(SchemaInferenceOptions options = {});
    ~SchemaInference();
    SchemaInference(SchemaInference &&) noexcept;
    SchemaInference &operator=(SchemaInference &&) noexcept;

    void addRow(const nlohmann::ordered_json &item);
    qint64 rowCount() const;
    void reset();

    // {} ("any value") before the first row.
    nlohmann::ordered_json schema() const;

    static nlohmann::ordered_json infer(const std::vector<nlohmann::ordered_json> &items,
                                        SchemaInferenceOptions options = {});

private:
    struct Node;
    SchemaInferenceOptions m_options;
    std::unique_ptr<Node> m_root;
    qint64 m_rows = 0;
};

} // namespace assay::dataset
