#pragma once

#include <QStringList>

namespace assay::cli {

// `assay eval run|resume|import`: runs an eval locally (one run per --model), continues an
// unfinished run, or imports evals, runs and output items exported from the Evals API.
// Progress on stderr, the summary table on stdout. Exit 0, 1 when a run's pass rate is below
// --fail-under, 2 on bad input, a failed or interrupted run, or a store failure.
int runEval(const QStringList &arguments);

} // namespace assay::cli
