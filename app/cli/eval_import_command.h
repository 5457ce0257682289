#pragma once

#include <QStringList>

namespace assay::cli {

// `assay eval import FILE... | --from-openai [--base-url URL]`: evals, runs and output items
// exported from the Evals API (JSON or JSONL files), or paged from the API, into the workspace.
int runEvalImport(const QStringList &arguments);

} // namespace assay::cli
