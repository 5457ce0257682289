#pragma once

#include <QList>
#include <QString>

#include "models/eval/run_summary.h"
#include "models/store/eval_store.h"

namespace assay::cli {

// How the CLI names runs and evals in exported output items: the OpenAI id when the run or eval
// was imported, else a local id in the API's style.
QString exportedRunId(const store::RunRecord &run);
QString exportedEvalId(const store::RunRecord &run, const store::EvalStore &store);

// "90.0%", or "–" when nothing was graded.
QString formatPassRate(const eval::RunSummary &summary);
QString formatCost(const std::optional<double> &usd);

// The table `assay eval run` prints on stdout: one line per run (model, counts, pass rate,
// latency p50/p95, tokens, estimated cost), then per-criterion pass counts.
QString summaryTable(const QList<store::RunRecord> &runs, const QList<eval::RunSummary> &summaries);

// Writes every output item of the runs as EvalRunOutputItem JSONL, atomically.
bool writeOutputItems(const store::EvalStore &store, const QList<store::RunRecord> &runs, const QString &path,
                      qint64 *written, QString *error);

} // namespace assay::cli
