#pragma once

#include <optional>
#include <vector>

#include <QString>
#include <nlohmann/json.hpp>

#include "models/api/response_result.h"

namespace assay::prompt {

// USD per million tokens for one model (or model family, by prefix).
struct ModelPrice {
    QString model;
    double input = 0;
    double cachedInput = 0;
    double output = 0;
    bool operator==(const ModelPrice &) const = default;
};

// The editable pricing table. Ships as resources/pricing.json; the user's copy lives in the app
// data folder and wins. Model names change: lookups match the longest model-name prefix.
class Pricing {
public:
    static Pricing fromJson(const nlohmann::json &document); // throws std::runtime_error
    static Pricing builtIn();                                 // :/pricing.json
    // The user's table at `path` if it exists and parses, else the built-in one.
    static Pricing loadUserOrBuiltIn(const QString &path, QString *error = nullptr);
    nlohmann::json toJson() const;

    std::optional<ModelPrice> priceFor(const QString &model) const;
    // Cost in USD; cached input tokens are billed at the cached rate; flex halves the price.
    // Reasoning tokens are already counted in usage.outputTokens. nullopt: model not in the table.
    std::optional<double> costUsd(const QString &model, const api::TokenUsage &usage,
                                  const QString &serviceTier = {}) const;

    const std::vector<ModelPrice> &prices() const { return m_prices; }
    void setPrices(std::vector<ModelPrice> prices) { m_prices = std::move(prices); }
    // The table's own "note" (where the prices come from, when), kept through an edit.
    const QString &note() const { return m_note; }

private:
    std::vector<ModelPrice> m_prices;
    QString m_note;
};

} // namespace assay::prompt
