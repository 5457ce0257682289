#include "models/report/run_comparison.h"

#include <algorithm>

namespace assay::report {

namespace {

using nlohmann::json;

bool passes(const store::OutputItemRecord &item)
{
    return item.status == QLatin1String("pass");
}

void addNames(QStringList &names, const std::vector<store::OutputItemRecord> &items)
{
    for (const store::OutputItemRecord &item : items) {
        if (!item.results.is_array())
            continue;
        for (const json &result : item.results) {
            if (!result.is_object())
                continue;
            const auto name = result.find("name");
            if (name == result.end() || !name->is_string())
                continue;
            const QString text = QString::fromStdString(name->get<std::string>());
            if (!names.contains(text))
                names.append(text);
        }
    }
}

struct Cell {
    std::optional<double> score;
    std::optional<bool> passed; // nullopt when the grader errored
};

std::vector<Cell> cellsOf(const store::OutputItemRecord *item, const QStringList &criteria)
{
    std::vector<Cell> cells(static_cast<size_t>(criteria.size()));
    if (!item || !item->results.is_array())
        return cells;
    for (const json &result : item->results) {
        if (!result.is_object())
            continue;
        const auto name = result.find("name");
        if (name == result.end() || !name->is_string())
            continue;
        const qsizetype index = criteria.indexOf(QString::fromStdString(name->get<std::string>()));
        if (index < 0)
            continue;
        Cell &cell = cells[static_cast<size_t>(index)];
        const bool errored = result.contains("error") && result["error"].is_string() &&
                             !result["error"].get<std::string>().empty();
        if (const auto score = result.find("score"); score != result.end() && score->is_number() && !errored)
            cell.score = score->get<double>();
        if (const auto passed = result.find("passed"); passed != result.end() && passed->is_boolean() && !errored)
            cell.passed = passed->get<bool>();
    }
    return cells;
}

} // namespace

QString itemChangeName(ItemChange change)
{
    switch (change) {
    case ItemChange::Regression:
        return QStringLiteral("regression");
    case ItemChange::Improvement:
        return QStringLiteral("improvement");
    case ItemChange::Unchanged:
        return QStringLiteral("unchanged");
    case ItemChange::Added:
        return QStringLiteral("added");
    case ItemChange::Removed:
        return QStringLiteral("removed");
    }
    return {};
}

RunComparison compareRuns(const std::vector<store::OutputItemRecord> &base,
                          const std::vector<store::OutputItemRecord> &compare, QStringList criteria)
{
    RunComparison out;
    if (criteria.isEmpty()) {
        addNames(criteria, base);
        addNames(criteria, compare);
    }
    out.criteria = criteria;
    const size_t criterionCount = static_cast<size_t>(criteria.size());
    out.perCriterion.resize(criterionCount);
    for (size_t c = 0; c < criterionCount; ++c)
        out.perCriterion[c].name = criteria.at(static_cast<qsizetype>(c));
    std::vector<double> baseSums(criterionCount, 0.0), compareSums(criterionCount, 0.0);

    // Both sides ordered by id (the store returns them so; sort pointers in case a caller did not).
    auto ordered = [](const std::vector<store::OutputItemRecord> &items) {
        std::vector<const store::OutputItemRecord *> pointers;
        pointers.reserve(items.size());
        for (const auto &item : items)
            pointers.push_back(&item);
        std::stable_sort(pointers.begin(), pointers.end(), [](const auto *l, const auto *r) {
            return l->datasourceItemId < r->datasourceItemId;
        });
        return pointers;
    };
    const auto left = ordered(base);
    const auto right = ordered(compare);
    out.items.reserve(std::max(left.size(), right.size()));

    size_t i = 0, j = 0;
    while (i < left.size() || j < right.size()) {
        const store::OutputItemRecord *b = nullptr;
        const store::OutputItemRecord *c = nullptr;
        if (j >= right.size() || (i < left.size() && left[i]->datasourceItemId < right[j]->datasourceItemId)) {
            b = left[i++];
        } else if (i >= left.size() || right[j]->datasourceItemId < left[i]->datasourceItemId) {
            c = right[j++];
        } else {
            b = left[i++];
            c = right[j++];
            // A duplicate id on one side pairs with nothing: skip to its last record.
            while (i < left.size() && left[i]->datasourceItemId == b->datasourceItemId)
                b = left[i++];
            while (j < right.size() && right[j]->datasourceItemId == c->datasourceItemId)
                c = right[j++];
        }
        ItemComparison item;
        item.datasourceItemId = b ? b->datasourceItemId : c->datasourceItemId;
        item.base = b;
        item.compare = c;
        if (!c) {
            item.change = ItemChange::Removed;
            ++out.removed;
        } else if (!b) {
            item.change = ItemChange::Added;
            ++out.added;
        } else if (passes(*b) && !passes(*c)) {
            item.change = ItemChange::Regression;
            ++out.regressions;
        } else if (!passes(*b) && passes(*c)) {
            item.change = ItemChange::Improvement;
            ++out.improvements;
        } else {
            item.change = ItemChange::Unchanged;
            ++out.unchanged;
            if (passes(*b))
                ++out.unchangedPassing;
        }
        if (b && c && b->status != c->status)
            ++out.statusChanged;

        const std::vector<Cell> baseCells = cellsOf(b, criteria);
        const std::vector<Cell> compareCells = cellsOf(c, criteria);
        item.criteria.resize(criterionCount);
        for (size_t k = 0; k < criterionCount; ++k) {
            CriterionDelta &delta = item.criteria[k];
            delta.baseScore = baseCells[k].score;
            delta.basePassed = baseCells[k].passed;
            delta.compareScore = compareCells[k].score;
            delta.comparePassed = compareCells[k].passed;
            CriterionComparison &stats = out.perCriterion[k];
            if (delta.basePassed) {
                ++stats.baseGraded;
                stats.basePassed += *delta.basePassed ? 1 : 0;
            }
            if (delta.comparePassed) {
                ++stats.compareGraded;
                stats.comparePassed += *delta.comparePassed ? 1 : 0;
            }
            if (b && c) {
                const bool before = delta.basePassed.value_or(false);
                const bool after = delta.comparePassed.value_or(false);
                if (before && !after)
                    ++stats.regressions;
                else if (!before && after)
                    ++stats.improvements;
                if (delta.baseScore && delta.compareScore) {
                    ++stats.scoredPairs;
                    baseSums[k] += *delta.baseScore;
                    compareSums[k] += *delta.compareScore;
                }
            }
        }
        out.items.push_back(std::move(item));
    }
    for (size_t k = 0; k < criterionCount; ++k) {
        CriterionComparison &stats = out.perCriterion[k];
        if (stats.scoredPairs > 0) {
            stats.meanBaseScore = baseSums[k] / static_cast<double>(stats.scoredPairs);
            stats.meanCompareScore = compareSums[k] / static_cast<double>(stats.scoredPairs);
        }
    }
    return out;
}

} // namespace assay::report
