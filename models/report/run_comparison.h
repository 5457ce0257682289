#pragma once

#include <optional>
#include <vector>

#include <QString>
#include <QStringList>

#include "models/store/eval_store.h"

namespace assay::report {

// How one dataset item fared from the base run to the compared run. An item passes when its
// status is "pass"; failing and erroring are both "not passing".
enum class ItemChange {
    Regression,  // passed in base, not in compared
    Improvement, // not passing in base, passes in compared
    Unchanged,   // same passing state (the status may still differ: fail <-> error)
    Added,       // only in the compared run
    Removed,     // only in the base run
};

QString itemChangeName(ItemChange change); // "regression", "improvement", ...

struct CriterionDelta {
    std::optional<double> baseScore;
    std::optional<double> compareScore;
    std::optional<bool> basePassed;
    std::optional<bool> comparePassed;
    std::optional<double> delta() const
    {
        if (baseScore && compareScore)
            return *compareScore - *baseScore;
        return std::nullopt;
    }
};

struct ItemComparison {
    qint64 datasourceItemId = 0;
    ItemChange change = ItemChange::Unchanged;
    const store::OutputItemRecord *base = nullptr;    // null when Added
    const store::OutputItemRecord *compare = nullptr; // null when Removed
    std::vector<CriterionDelta> criteria;             // RunComparison::criteria order
};

struct CriterionComparison {
    QString name;
    qint64 basePassed = 0, baseGraded = 0;
    qint64 comparePassed = 0, compareGraded = 0;
    qint64 regressions = 0;  // matched items: passed -> not passed on this criterion
    qint64 improvements = 0; // matched items: not passed -> passed
    qint64 scoredPairs = 0;  // matched items with a score in both runs
    std::optional<double> meanBaseScore;    // over the scored pairs
    std::optional<double> meanCompareScore; // over the scored pairs
    std::optional<double> meanDelta() const
    {
        if (meanBaseScore && meanCompareScore)
            return *meanCompareScore - *meanBaseScore;
        return std::nullopt;
    }
};

// Two runs of (usually) the same eval matched item by item on datasource_item_id.
struct RunComparison {
    QStringList criteria;
    std::vector<ItemComparison> items; // by datasource_item_id
    std::vector<CriterionComparison> perCriterion;
    qint64 regressions = 0, improvements = 0, unchanged = 0, added = 0, removed = 0;
    qint64 unchangedPassing = 0; // of `unchanged`, passing in both
    qint64 statusChanged = 0;    // matched items whose status string differs (fail <-> error included)
};

// Pure: the records must outlive the result (it points into them). `criteria` empty: the names of
// the base items' results in first-seen order, then new names of the compared run's.
RunComparison compareRuns(const std::vector<store::OutputItemRecord> &base,
                          const std::vector<store::OutputItemRecord> &compare, QStringList criteria = {});

} // namespace assay::report
