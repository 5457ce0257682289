#pragma once

#include <string>
#include <vector>

#include <QString>
#include <QtGlobal>

#include "models/dataset/dataset_document.h"

namespace assay::dataset {

struct DatasetSplit {
    std::vector<qint64> train; // ascending row indexes
    std::vector<qint64> test;  // ascending row indexes
};

// Seeded sampling and train/test splits over the rows of a dataset.
//
// Everything is reproducible from the seed on every platform: std::mt19937_64 is specified
// exactly by the standard, but std::uniform_int_distribution is not (libstdc++ and libc++ draw
// differently), so bounded draws use our own rejection sampling on the raw 64-bit output. A run that
// records (seed, n) can be redrawn bit for bit. Results keep the original row order.
class DatasetSampling {
public:
    // --- Pure index operations (on any list of candidate rows) ----------------------------------

    // `n` distinct elements of `candidates`, chosen uniformly, returned in their original order.
    // All of them when n >= size.
    static std::vector<qint64> sample(const std::vector<qint64> &candidates, qint64 n, quint64 seed);
    // Splits candidates into train and test; test gets round(size * testFraction) rows.
    static DatasetSplit split(const std::vector<qint64> &candidates, double testFraction, quint64 seed);
    // The same, stratified: labels[i] is the class of candidates[i]; every class is split in the
    // same proportion (largest-remainder rounding, so the test size is still round(size * fraction)
    // and no class is off by more than one row).
    static DatasetSplit stratifiedSplit(const std::vector<qint64> &candidates,
                                        const std::vector<std::string> &labels, double testFraction,
                                        quint64 seed);

    // --- On a document -------------------------------------------------------------------------

    // Rows that parsed (bad rows are never sampled: they are listed by DatasetDocument::problems()).
    static std::vector<qint64> usableRows(const DatasetDocument &document);
    // The class of a row for stratification: the column's value as compact JSON ("null" when absent).
    static std::string label(const DatasetDocument &document, qint64 row, const QString &column);

    static std::vector<qint64> sampleRows(const DatasetDocument &document, qint64 n, quint64 seed);
    // Stratified by `stratifyColumn` unless it is empty.
    static DatasetSplit splitRows(const DatasetDocument &document, double testFraction, quint64 seed,
                                  const QString &stratifyColumn = {});

    // Writes the given rows of `source` to `path` as a new dataset (DatasetDocument::setRows +
    // save, atomic). Rows that came with the {"item": ...} wrapper keep it when written as JSONL.
    static bool writeRows(const DatasetDocument &source, const std::vector<qint64> &rows, const QString &path,
                          DatasetFormat format, QString *error = nullptr);
    static bool writeSplit(const DatasetDocument &source, const DatasetSplit &split, const QString &trainPath,
                           const QString &testPath, DatasetFormat format, QString *error = nullptr);
};

} // namespace assay::dataset
