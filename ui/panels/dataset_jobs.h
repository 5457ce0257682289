#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <QString>
#include <QStringList>
#include <nlohmann/json.hpp>

#include "models/dataset/dataset_types.h"

namespace assay::dataset {
class JsonSchemaValidator;
class RowStore;
} // namespace assay::dataset

// The dataset panel's whole-file work, run on pool threads over a snapshot of the document (no
// widgets here: these could move to models/dataset as they are). Each function stops early and
// returns nullopt once `cancelled` becomes true; `progress` (0..100) is called on the worker
// thread, only when the percentage changes.
namespace assay::ui::datasetjobs {

using Progress = std::function<void(int percent)>;

// The item schema of every readable row.
std::optional<nlohmann::ordered_json>
inferSchema(const dataset::RowStore &rows, const std::atomic<bool> &cancelled, const Progress &progress);

struct SchemaIssue {
    qint64 documentRow = 0;
    qint64 line = 0; // file line; 0 for a new row
    QString path;    // JSON path of the failing value ("$.ticket.priority")
    QString message;
};

struct Validation {
    std::vector<SchemaIssue> issues; // at most maxIssues
    qint64 violations = 0;           // all of them
    qint64 badRows = 0;              // readable rows with at least one violation
};

// Readable rows checked against the schema; unreadable ones are the parse problems' business.
std::optional<Validation> validate(const dataset::RowStore &rows,
                                   const dataset::JsonSchemaValidator &validator, qint64 maxIssues,
                                   const std::atomic<bool> &cancelled, const Progress &progress);

// Rows that parsed without a problem (as DatasetSampling picks them) drawn with the seed, written
// atomically as new datasets (the {"item": ...} wrapper kept for JSONL). `sizes` has the rows
// written per file.
struct Written {
    bool ok = false;
    QString error;
    std::vector<qint64> sizes;
};
std::optional<Written> writeSample(const dataset::RowStore &rows, const QString &path,
                                   dataset::DatasetFormat format, qint64 count, quint64 seed,
                                   const std::atomic<bool> &cancelled);
std::optional<Written> writeSplit(const dataset::RowStore &rows, const QString &trainPath,
                                  const QString &testPath, dataset::DatasetFormat format, double testFraction,
                                  quint64 seed, const QString &stratifyColumn,
                                  const std::atomic<bool> &cancelled);

} // namespace assay::ui::datasetjobs
