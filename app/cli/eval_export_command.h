#pragma once

#include <QStringList>

namespace assay::cli {

// `assay eval export EVAL [--version N] [--out eval.json]` writes a stored eval as a
// CreateEvalRequest body; `assay eval export --run RUN [--out run.json] [--eval-out eval.json]`
// writes the run's CreateEvalRunRequest body (and the eval version it ran), so that
// `assay eval run eval.json --run run.json` runs the same thing again. Exit 0, or 2 on errors.
int runEvalExport(const QStringList &arguments);

} // namespace assay::cli
