#pragma once

#include <optional>
#include <vector>

#include <QList>
#include <QString>

#include "models/compare/comparison.h"

namespace assay::compare {

// Per-column figures over its Done runs (every repeat of every row).
struct ColumnSummary {
    int runs = 0;      // runs counted (status Done)
    int errors = 0;    // runs that ended Error
    int pending = 0;   // runs queued or streaming
    std::optional<double> meanLatencyMs;
    std::optional<double> meanTtftMs;
    double meanInputTokens = 0;
    double meanOutputTokens = 0;
    qint64 totalTokens = 0;        // input + output over the counted runs
    std::optional<double> totalCostUsd; // nullopt when no counted run had a price
    std::optional<double> passRate;     // 0..1 over graded runs; nullopt when none graded
    int graded = 0;
    int differsFromBaseline = 0;   // rows whose primary text differs from the baseline's
    int better = 0, worse = 0, tie = 0; // ratings
};
ColumnSummary summarizeColumn(const Comparison &comparison, int variant);

// Stability over a cell's repeats: distinct answers, compared as exact text after trimming
// leading and trailing whitespace (no other normalisation). Most frequent first; ties in order
// of first appearance. Only Done runs count.
struct StabilityGroup {
    QString text;        // the trimmed answer
    int count = 0;
    QList<int> repeats;  // which repeats gave it (0-based)
};
std::vector<StabilityGroup> stabilityGroups(const Cell &cell);

// Whether a cell's primary text differs from the baseline column's in the same row (trimmed,
// exact). False when either is not Done, and on the baseline column itself.
bool differsFromBaseline(const Comparison &comparison, int row, int variant);

} // namespace assay::compare
