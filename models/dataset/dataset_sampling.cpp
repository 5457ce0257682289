#include "models/dataset/dataset_sampling.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <unordered_map>
#include <unordered_set>

namespace assay::dataset {

namespace {

// Uniform in [0, bound) from raw engine output (rejection sampling, no modulo bias), identical on
// every standard library.
quint64 uniformBelow(std::mt19937_64 &rng, quint64 bound)
{
    const quint64 threshold = (0 - bound) % bound; // 2^64 mod bound
    for (;;) {
        const quint64 r = rng();
        if (r >= threshold)
            return r % bound;
    }
}

// Marks `n` of `size` positions (Floyd's algorithm: exactly n draws, no shuffle of the whole list).
std::vector<bool> choosePositions(std::mt19937_64 &rng, std::size_t size, std::size_t n)
{
    std::vector<bool> chosen(size, false);
    if (n >= size) {
        chosen.assign(size, true);
        return chosen;
    }
    for (std::size_t j = size - n; j < size; ++j) {
        const auto t = static_cast<std::size_t>(uniformBelow(rng, static_cast<quint64>(j) + 1));
        if (chosen[t])
            chosen[j] = true;
        else
            chosen[t] = true;
    }
    return chosen;
}

std::size_t testCountFor(std::size_t size, double testFraction)
{
    const double fraction = std::clamp(std::isfinite(testFraction) ? testFraction : 0.0, 0.0, 1.0);
    return std::min(size, static_cast<std::size_t>(std::llround(static_cast<double>(size) * fraction)));
}

} // namespace

std::vector<qint64> DatasetSampling::sample(const std::vector<qint64> &candidates, qint64 n, quint64 seed)
{
    if (n <= 0)
        return {};
    if (static_cast<std::size_t>(n) >= candidates.size())
        return candidates;
    std::mt19937_64 rng(seed);
    const std::vector<bool> chosen = choosePositions(rng, candidates.size(), static_cast<std::size_t>(n));
    std::vector<qint64> result;
    result.reserve(static_cast<std::size_t>(n));
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        if (chosen[i])
            result.push_back(candidates[i]);
    }
    return result;
}

DatasetSplit DatasetSampling::split(const std::vector<qint64> &candidates, double testFraction, quint64 seed)
{
    std::mt19937_64 rng(seed);
    const std::vector<bool> test =
        choosePositions(rng, candidates.size(), testCountFor(candidates.size(), testFraction));
    DatasetSplit result;
    for (std::size_t i = 0; i < candidates.size(); ++i)
        (test[i] ? result.test : result.train).push_back(candidates[i]);
    return result;
}

DatasetSplit DatasetSampling::stratifiedSplit(const std::vector<qint64> &candidates,
                                              const std::vector<std::string> &labels, double testFraction,
                                              quint64 seed)
{
    // Classes in first-seen order, so the draw does not depend on hash-map iteration.
    std::vector<std::vector<std::size_t>> classes;
    std::unordered_map<std::string, std::size_t> classOf;
    static const std::string kMissing;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        const std::string &label = i < labels.size() ? labels[i] : kMissing;
        auto found = classOf.find(label);
        if (found == classOf.end()) {
            found = classOf.emplace(label, classes.size()).first;
            classes.emplace_back();
        }
        classes[found->second].push_back(i);
    }

    // Largest remainder: floors first, then the rows still owed go to the classes whose exact share
    // lost the most to rounding (ties: the bigger class, then the one seen first).
    const double fraction = std::clamp(std::isfinite(testFraction) ? testFraction : 0.0, 0.0, 1.0);
    const std::size_t total = testCountFor(candidates.size(), fraction);
    std::vector<std::size_t> quota(classes.size());
    std::vector<double> remainder(classes.size());
    std::size_t assigned = 0;
    for (std::size_t c = 0; c < classes.size(); ++c) {
        const double exact = static_cast<double>(classes[c].size()) * fraction;
        quota[c] = std::min(classes[c].size(), static_cast<std::size_t>(std::floor(exact + 1e-9)));
        remainder[c] = exact - static_cast<double>(quota[c]);
        assigned += quota[c];
    }
    std::vector<std::size_t> order(classes.size());
    for (std::size_t c = 0; c < order.size(); ++c)
        order[c] = c;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        if (remainder[a] != remainder[b])
            return remainder[a] > remainder[b];
        return classes[a].size() > classes[b].size();
    });
    for (std::size_t k = 0; assigned < total && k < order.size(); ++k) {
        const std::size_t c = order[k];
        if (quota[c] < classes[c].size()) {
            ++quota[c];
            ++assigned;
        }
    }

    std::mt19937_64 rng(seed);
    std::vector<bool> inTest(candidates.size(), false);
    for (std::size_t c = 0; c < classes.size(); ++c) {
        const std::vector<bool> chosen = choosePositions(rng, classes[c].size(), quota[c]);
        for (std::size_t k = 0; k < classes[c].size(); ++k) {
            if (chosen[k])
                inTest[classes[c][k]] = true;
        }
    }
    DatasetSplit result;
    for (std::size_t i = 0; i < candidates.size(); ++i)
        (inTest[i] ? result.test : result.train).push_back(candidates[i]);
    return result;
}

std::vector<qint64> DatasetSampling::usableRows(const DatasetDocument &document)
{
    std::unordered_set<qint64> bad;
    for (const auto &problem : document.problems())
        bad.insert(problem.first);
    std::vector<qint64> rows;
    const qint64 count = document.rowCount();
    rows.reserve(static_cast<std::size_t>(std::max<qint64>(0, count - static_cast<qint64>(bad.size()))));
    for (qint64 row = 0; row < count; ++row) {
        if (!bad.count(row))
            rows.push_back(row);
    }
    return rows;
}

std::string DatasetSampling::label(const DatasetDocument &document, qint64 row, const QString &column)
{
    return document.value(row, column).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::vector<qint64> DatasetSampling::sampleRows(const DatasetDocument &document, qint64 n, quint64 seed)
{
    return sample(usableRows(document), n, seed);
}

DatasetSplit DatasetSampling::splitRows(const DatasetDocument &document, double testFraction, quint64 seed,
                                        const QString &stratifyColumn)
{
    const std::vector<qint64> rows = usableRows(document);
    if (stratifyColumn.isEmpty())
        return split(rows, testFraction, seed);
    std::vector<std::string> labels;
    labels.reserve(rows.size());
    for (qint64 row : rows)
        labels.push_back(label(document, row, stratifyColumn));
    return stratifiedSplit(rows, labels, testFraction, seed);
}

bool DatasetSampling::writeRows(const DatasetDocument &source, const std::vector<qint64> &rows,
                                const QString &path, DatasetFormat format, QString *error)
{
    std::vector<nlohmann::ordered_json> items;
    items.reserve(rows.size());
    for (qint64 row : rows) {
        if (row < 0 || row >= source.rowCount()) {
            if (error)
                *error = QStringLiteral("Row %1 is not in the dataset (it has %2 rows).")
                             .arg(row + 1)
                             .arg(source.rowCount());
            return false;
        }
        ParsedRow parsed = source.parsedRow(row);
        if (parsed.problem) {
            if (error)
                *error = QStringLiteral("Row %1 (line %2) does not parse: %3")
                             .arg(row + 1)
                             .arg(parsed.problem->line)
                             .arg(parsed.problem->message);
            return false;
        }
        if (parsed.wrapped && format == DatasetFormat::Jsonl)
            items.push_back(nlohmann::ordered_json{{"item", std::move(parsed.item)}});
        else
            items.push_back(std::move(parsed.item));
    }
    DatasetDocument target;
    target.setRows(items, format);
    return target.save(path, format, error);
}

bool DatasetSampling::writeSplit(const DatasetDocument &source, const DatasetSplit &split,
                                 const QString &trainPath, const QString &testPath, DatasetFormat format,
                                 QString *error)
{
    return writeRows(source, split.train, trainPath, format, error) &&
           writeRows(source, split.test, testPath, format, error);
}

} // namespace assay::dataset
