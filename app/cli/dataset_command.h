#pragma once

#include <QStringList>

namespace assay::cli {

// `assay dataset check FILE [--schema SCHEMA.json]` and `assay dataset convert IN OUT`: the dataset
// panel's checks without a display. `arguments` starts with "dataset".
int runDataset(const QStringList &arguments);

} // namespace assay::cli
