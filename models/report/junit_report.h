#pragma once

#include <QByteArray>

#include "models/report/report_input.h"

namespace assay::report {

class JUnitReport {
public:
    // UTF-8, secrets scrubbed, deterministic for the same input (but for the generated-at line).
    static QByteArray render(const ReportInput &input, const ReportOptions &options = {});
};

} // namespace assay::report
