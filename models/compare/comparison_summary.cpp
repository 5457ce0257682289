#include "models/compare/comparison_summary.h"

namespace assay::compare {

ColumnSummary summarizeColumn(const Comparison &comparison, int variant)
{
    ColumnSummary s;
    if (variant < 0 || variant >= comparison.variantCount())
        return s;
    double latency = 0, ttft = 0, input = 0, output = 0, cost = 0;
    int latencyCount = 0, ttftCount = 0, usageCount = 0, passed = 0;
    bool priced = false;
    for (int r = 0; r < comparison.rowCount(); ++r) {
        const Cell &cell = comparison.cell(r, variant);
        for (const CellRun &run : cell.runs) {
            if (run.active())
                ++s.pending;
            if (run.status == CellStatus::Error)
                ++s.errors;
            if (run.status != CellStatus::Done)
                continue;
            ++s.runs;
            if (run.latencyMs) {
                latency += static_cast<double>(*run.latencyMs);
                ++latencyCount;
            }
            if (run.ttftMs) {
                ttft += static_cast<double>(*run.ttftMs);
                ++ttftCount;
            }
            if (run.usage) {
                input += static_cast<double>(run.usage->inputTokens);
                output += static_cast<double>(run.usage->outputTokens);
                s.totalTokens += run.usage->inputTokens + run.usage->outputTokens;
                ++usageCount;
            }
            if (run.costUsd) {
                cost += *run.costUsd;
                priced = true;
            }
            if (const std::optional<bool> ok = run.passed(); ok && !run.grading) {
                ++s.graded;
                passed += *ok ? 1 : 0;
            }
        }
        if (differsFromBaseline(comparison, r, variant))
            ++s.differsFromBaseline;
        switch (cell.rating) {
        case Rating::Better:
            ++s.better;
            break;
        case Rating::Worse:
            ++s.worse;
            break;
        case Rating::Tie:
            ++s.tie;
            break;
        case Rating::None:
            break;
        }
    }
    if (latencyCount)
        s.meanLatencyMs = latency / latencyCount;
    if (ttftCount)
        s.meanTtftMs = ttft / ttftCount;
    if (usageCount) {
        s.meanInputTokens = input / usageCount;
        s.meanOutputTokens = output / usageCount;
    }
    if (priced)
        s.totalCostUsd = cost;
    if (s.graded)
        s.passRate = static_cast<double>(passed) / s.graded;
    return s;
}

std::vector<StabilityGroup> stabilityGroups(const Cell &cell)
{
    std::vector<StabilityGroup> groups;
    for (int i = 0; i < static_cast<int>(cell.runs.size()); ++i) {
        const CellRun &run = cell.runs[static_cast<std::size_t>(i)];
        if (run.status != CellStatus::Done)
            continue;
        const QString text = run.text.trimmed();
        auto it = std::find_if(groups.begin(), groups.end(), [&](const StabilityGroup &g) { return g.text == text; });
        if (it == groups.end()) {
            groups.push_back({text, 0, {}});
            it = groups.end() - 1;
        }
        ++it->count;
        it->repeats.append(i);
    }
    std::stable_sort(groups.begin(), groups.end(),
                     [](const StabilityGroup &a, const StabilityGroup &b) { return a.count > b.count; });
    return groups;
}

bool differsFromBaseline(const Comparison &comparison, int row, int variant)
{
    const int baseline = comparison.baseline();
    if (variant == baseline || row < 0 || row >= comparison.rowCount() || variant < 0
        || variant >= comparison.variantCount())
        return false;
    const CellRun &mine = comparison.cell(row, variant).primary();
    const CellRun &theirs = comparison.cell(row, baseline).primary();
    if (mine.status != CellStatus::Done || theirs.status != CellStatus::Done)
        return false;
    return mine.text.trimmed() != theirs.text.trimmed();
}

} // namespace assay::compare
