#pragma once

#include <optional>

#include <QByteArray>
#include <QString>
#include <nlohmann/json.hpp>

#include "models/compare/comparison.h"

namespace assay::compare {

// Turning a comparison into eval material.
class ComparisonConversions {
public:
    // One {"item": {...}} line per input row (the Evals API's JSONL form). With `idealColumn`,
    // that column's primary output (Done runs only; others get "") is added as `idealField`.
    static QByteArray datasetJsonl(const Comparison &comparison, std::optional<int> idealColumn = std::nullopt,
                                   const QString &idealField = QStringLiteral("ideal"));
    // The same items as JSON objects ({"item": {...}}), for file_content.
    static nlohmann::json datasetItems(const Comparison &comparison, std::optional<int> idealColumn = std::nullopt,
                                       const QString &idealField = QStringLiteral("ideal"));

    // CreateEvalRequest: custom data source with an item_schema inferred from the rows (string
    // properties; `idealField` when given), include_sample_schema, testing_criteria = the
    // comparison's graders.
    static nlohmann::json evalRequest(const Comparison &comparison, const QString &evalName,
                                      std::optional<QString> idealField = std::nullopt);

    // CreateEvalRunRequest for one column: data source `responses` or `completions` (the
    // variant's API), its model, sampling_params from its parameters, input_messages template
    // from its prompt with {{var}} rewritten to {{item.var}}, source file_content with the items.
    // `error` set (and null returned) when the variant has no model or no messages.
    static nlohmann::json evalRunRequest(const Comparison &comparison, int variant, const QString &runName,
                                         std::optional<int> idealColumn = std::nullopt,
                                         const QString &idealField = QStringLiteral("ideal"),
                                         QString *error = nullptr);
};

} // namespace assay::compare
