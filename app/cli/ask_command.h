#pragma once

#include <QStringList>

namespace assay::cli {

// `assay ask`: one prompt through the same client layer as the GUI, answer streamed to stdout,
// usage and timing on stderr, non-zero exit with the API's message on failure.
int runAsk(const QStringList &arguments);

} // namespace assay::cli
