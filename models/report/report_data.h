#pragma once

#include <optional>
#include <vector>

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <nlohmann/json.hpp>

#include "models/eval/run_summary.h"
#include "models/report/report_input.h"
#include "models/report/run_comparison.h"

namespace assay::report {

// One criterion of one run, counted over the run's items.
struct CriterionStats {
    QString name;
    QString type;
    qint64 passed = 0;
    qint64 failed = 0;  // graded, not passed
    qint64 errored = 0; // the grader could not grade
    qint64 missing = 0; // no result for this criterion (e.g. the item errored before grading)
    std::optional<double> meanScore;
    std::optional<double> minScore;
    std::optional<double> maxScore;
    double passRate() const
    {
        const qint64 graded = passed + failed;
        return graded > 0 ? static_cast<double>(passed) / static_cast<double>(graded) : 0.0;
    }
};

// A run with what every format prints about it, computed once.
struct RunView {
    const ReportRun *source = nullptr;
    QString runId;  // exported id
    QString evalId; // exported id
    QString label;  // "evalrun_12 (gpt-4.1-mini)"
    eval::RunSummary summary;
    qint64 totalTokens = 0;
    std::vector<CriterionStats> criteria; // ReportData::criteria order
};

// Everything derived from a ReportInput, deterministic (no hash-order iteration anywhere).
struct ReportData {
    QString title;          // the eval's name
    QStringList criteria;   // testing_criteria order, then names only found in results
    QList<nlohmann::json> criterionDefinitions; // per criteria entry; null when not in the definition
    std::vector<RunView> runs;
    std::optional<RunComparison> comparison; // when two runs are given
};

ReportData analyze(const ReportInput &input);

// The result of `criterion` in an item's results, or null.
const nlohmann::json *findResult(const store::OutputItemRecord &item, const std::string &criterion);
// sample.output[0].content as text ("" when none).
QString outputText(const store::OutputItemRecord &item);
// sample.input as "role: content" lines, or the datasource item as JSON when there is no input.
QString inputText(const store::OutputItemRecord &item);
qint64 itemTokens(const store::OutputItemRecord &item); // -1 unknown
// The criteria an item did not pass: "name (score 0.2500)", or "name (error: ...)".
QStringList failedCriteria(const store::OutputItemRecord &item, const QStringList &criteria);

// Fixed, locale-free number formats so that exports are byte-identical.
QString formatScore(double value);  // 4 decimals
QString formatPercent(double ratio); // "87.5%"
QString formatOptionalMs(const std::optional<double> &ms);
QString formatCostUsd(const std::optional<double> &usd);
QString jsonText(const nlohmann::json &value, int indent = 2);

// Text fit for XML 1.0 (HTML parsed as XHTML, JUnit): characters XML cannot carry (control
// characters other than tab/LF/CR, U+FFFE/U+FFFF, lone surrogates) become U+FFFD.
QString xmlSafe(const QString &text);
// Cuts text longer than `limit` with a note saying how much was left out.
QString truncated(const QString &text, int limit);
// xmlSafe + toHtmlEscaped.
QString html(const QString &text);

// Replaces anything that looks like an API key ("sk-..." keys, "Bearer ..." tokens) with
// "[REDACTED]". Every format passes its final bytes through it, so no key the model or the
// dataset echoed reaches a report.
QByteArray scrubSecrets(const QByteArray &text);
QString scrubSecrets(const QString &text);

} // namespace assay::report

namespace assay::report {
// "Generated at 2026-11-23T10:00:00Z by Assay 0.4.0": the only line that differs between two exports.
QString generatedAtLine(const ReportOptions &options);
} // namespace assay::report
