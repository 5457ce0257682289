#include "ui/panels/dataset_jobs.h"

#include "models/dataset/column_paths.h"
#include "models/dataset/dataset_document.h"
#include "models/dataset/dataset_sampling.h"
#include "models/dataset/json_schema_validator.h"
#include "models/dataset/row_store.h"
#include "models/dataset/schema_inference.h"

namespace assay::ui::datasetjobs {

namespace {

struct Candidates {
    std::vector<qint64> rows;
    std::vector<std::string> labels;
};

// The label is the value's compact JSON ("null" when absent), as DatasetSampling::label() makes it.
std::optional<Candidates> usableRows(const dataset::RowStore &rows, const QString &labelColumn,
                                     const std::atomic<bool> &cancelled)
{
    Candidates result;
    const std::string column = labelColumn.toStdString();
    const qint64 count = rows.rowCount();
    for (qint64 row = 0; row < count; ++row) {
        if (cancelled.load(std::memory_order_relaxed))
            return std::nullopt;
        const dataset::ParsedRow parsed = rows.parseId(rows.idAt(row));
        if (parsed.problem)
            continue;
        result.rows.push_back(row);
        if (!column.empty()) {
            const nlohmann::ordered_json *value = dataset::findColumn(parsed.item, column);
            result.labels.push_back(
                (value ? *value : nlohmann::ordered_json())
                    .dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
        }
    }
    return result;
}

bool writeRows(const dataset::RowStore &rows, const std::vector<qint64> &chosen, const QString &path,
               dataset::DatasetFormat format, QString *error)
{
    std::vector<nlohmann::ordered_json> items;
    items.reserve(chosen.size());
    for (qint64 row : chosen) {
        dataset::ParsedRow parsed = rows.parseId(rows.idAt(row));
        if (parsed.wrapped && format == dataset::DatasetFormat::Jsonl)
            items.push_back(nlohmann::ordered_json{{"item", std::move(parsed.item)}});
        else
            items.push_back(std::move(parsed.item));
    }
    dataset::DatasetDocument target;
    target.setRows(items, format);
    return target.save(path, format, error);
}

class ProgressReporter {
public:
    ProgressReporter(qint64 total, const Progress &progress)
        : m_total(std::max<qint64>(1, total)), m_progress(progress)
    {
    }
    void at(qint64 done)
    {
        const int percent = static_cast<int>(done * 100 / m_total);
        if (percent != m_reported && m_progress) {
            m_reported = percent;
            m_progress(percent);
        }
    }

private:
    qint64 m_total;
    const Progress &m_progress;
    int m_reported = -1;
};

} // namespace

std::optional<nlohmann::ordered_json>
inferSchema(const dataset::RowStore &rows, const std::atomic<bool> &cancelled, const Progress &progress)
{
    dataset::SchemaInference inference;
    const qint64 count = rows.rowCount();
    ProgressReporter reporter(count, progress);
    for (qint64 row = 0; row < count; ++row) {
        if (cancelled.load(std::memory_order_relaxed))
            return std::nullopt;
        const dataset::ParsedRow parsed = rows.parseId(rows.idAt(row));
        if (!parsed.isBad())
            inference.addRow(parsed.item);
        reporter.at(row);
    }
    return inference.schema();
}

std::optional<Validation> validate(const dataset::RowStore &rows,
                                   const dataset::JsonSchemaValidator &validator, qint64 maxIssues,
                                   const std::atomic<bool> &cancelled, const Progress &progress)
{
    Validation result;
    const qint64 count = rows.rowCount();
    ProgressReporter reporter(count, progress);
    for (qint64 row = 0; row < count; ++row) {
        if (cancelled.load(std::memory_order_relaxed))
            return std::nullopt;
        const qint64 id = rows.idAt(row);
        const dataset::ParsedRow parsed = rows.parseId(id);
        if (!parsed.isBad()) {
            const QList<dataset::SchemaViolation> violations = validator.validate(parsed.item);
            if (!violations.isEmpty())
                ++result.badRows;
            for (const dataset::SchemaViolation &violation : violations) {
                ++result.violations;
                if (static_cast<qint64>(result.issues.size()) < maxIssues)
                    result.issues.push_back({row, rows.lineOfId(id), violation.path, violation.message});
            }
        }
        reporter.at(row);
    }
    return result;
}

std::optional<Written> writeSample(const dataset::RowStore &rows, const QString &path,
                                   dataset::DatasetFormat format, qint64 count, quint64 seed,
                                   const std::atomic<bool> &cancelled)
{
    const std::optional<Candidates> candidates = usableRows(rows, QString(), cancelled);
    if (!candidates)
        return std::nullopt;
    const std::vector<qint64> chosen = dataset::DatasetSampling::sample(candidates->rows, count, seed);
    Written result;
    result.ok = writeRows(rows, chosen, path, format, &result.error);
    result.sizes = {static_cast<qint64>(chosen.size())};
    return result;
}

std::optional<Written> writeSplit(const dataset::RowStore &rows, const QString &trainPath,
                                  const QString &testPath, dataset::DatasetFormat format, double testFraction,
                                  quint64 seed, const QString &stratifyColumn,
                                  const std::atomic<bool> &cancelled)
{
    const std::optional<Candidates> candidates = usableRows(rows, stratifyColumn, cancelled);
    if (!candidates)
        return std::nullopt;
    const dataset::DatasetSplit parts =
        stratifyColumn.isEmpty() ? dataset::DatasetSampling::split(candidates->rows, testFraction, seed)
                                 : dataset::DatasetSampling::stratifiedSplit(
                                       candidates->rows, candidates->labels, testFraction, seed);
    Written result;
    result.ok = writeRows(rows, parts.train, trainPath, format, &result.error) &&
                writeRows(rows, parts.test, testPath, format, &result.error);
    result.sizes = {static_cast<qint64>(parts.train.size()), static_cast<qint64>(parts.test.size())};
    return result;
}

} // namespace assay::ui::datasetjobs
