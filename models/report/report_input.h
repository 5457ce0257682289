#pragma once

#include <optional>
#include <vector>

#include <QDateTime>
#include <QString>
#include <QStringList>

#include "models/store/eval_store.h"

namespace assay::report {

// One run as a report shows it: the run, the exact eval version it ran, and its items.
struct ReportRun {
    store::RunRecord run;
    store::EvalRecord eval;
    std::vector<store::OutputItemRecord> items; // by datasource_item_id (the loader sorts them)
};

// What every report format is rendered from: one run, or two (base first, then the run compared
// with it).
struct ReportInput {
    std::vector<ReportRun> runs;
};

struct ReportOptions {
    // The one line of a report that may differ between two exports of the same runs. Invalid: now.
    QDateTime generatedAt;
    // HTML and PDF show inputs and outputs of at most this many failing items per run (and of as
    // many regressions and improvements): a 100,000-item run must stay a readable file. CSV,
    // JSONL and JUnit always hold every item.
    int maxDetailedItems = 500;
    // A single text (an output, an input message) longer than this is cut with a note.
    int maxTextLength = 20000;
};

// How runs and evals are named in exports (the same as `assay eval run --out`): the OpenAI id when
// imported, else a local id in the API's style.
QString exportedRunId(const store::RunRecord &run);
QString exportedEvalId(const store::EvalRecord &eval, const store::RunRecord &run);

// One run reference (see loadReportInput) resolved to its run, without loading items. nullopt with
// `error` naming the reference when there is no such run.
std::optional<store::RunRecord> resolveRunReference(const store::EvalStore &store, const QString &reference,
                                                    QString *error);

// Resolves the run references of `assay report RUN...`: a local id ("12"), its exported form
// ("evalrun_12"), an imported run's OpenAI id, "latest" (the newest run) or "latest~N" (the N-th
// run before the newest). Loads each run's eval version and items. nullopt with `error` set
// (naming the reference) when one cannot be resolved.
std::optional<ReportInput> loadReportInput(const store::EvalStore &store, const QStringList &references,
                                           QString *error);

} // namespace assay::report
