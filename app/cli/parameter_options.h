#pragma once

#include <QString>
#include <QStringList>

#include "models/prompt/request_parameters.h"

namespace assay::cli {

// Applies `--param key=value` assignments to request parameters. Known keys (temperature,
// top_p, max_output_tokens, seed, service_tier, reasoning_effort, metadata.NAME, tools=@FILE,
// json_schema=@FILE, ...) go to their typed field; any other key is sent as it is, the value
// parsed as JSON when it is JSON and as a string otherwise, dotted keys nesting
// (`text.verbosity=low`). Returns an empty string on success, otherwise the problem.
QString applyParameterAssignment(const QString &assignment, prompt::RequestParameters &parameters);

// The keys applyParameterAssignment knows by name, for --help.
QStringList knownParameterKeys();

} // namespace assay::cli
