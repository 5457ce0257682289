#pragma once

#include <QDateTime>
#include <QString>

#include <nlohmann/json.hpp>

#include "models/store/eval_store.h"

// Builders for workspace records in tests: an eval definition with one string_check, a local
// run of it, and an output item shaped like the runner's.
namespace assay::testing {

nlohmann::json stringCheckEval(const std::string &reference = "{{ item.answer }}");

store::RunRecord localRun(qint64 evalId, const QString &name,
                          const QDateTime &createdAt = QDateTime::fromSecsSinceEpoch(1760000000, Qt::UTC),
                          const QString &status = QStringLiteral("in_progress"));

// "pass" scores 1, anything else 0; latency 120 ms + index.
store::OutputItemRecord outputItem(qint64 runId, qint64 index, const QString &status,
                                   const std::string &output = "Paris");

} // namespace assay::testing
