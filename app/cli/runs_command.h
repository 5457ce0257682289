#pragma once

#include <QStringList>

namespace assay::cli {

// `assay runs list [--json]`: the eval runs in the workspace, newest first.
int runRuns(const QStringList &arguments);

} // namespace assay::cli
