#pragma once

#include <QByteArray>
#include <QString>

#include "models/report/report_input.h"

namespace assay::report {

// The HTML report's content as a paginated A4 PDF: a header line on every page (title and page
// number), text laid out by QTextDocument, charts drawn as vector paths. Needs a QGuiApplication
// (fonts); without one render() fails with `error` set.
class PdfReport {
public:
    static QByteArray render(const ReportInput &input, const ReportOptions &options = {}, QString *error = nullptr);
};

} // namespace assay::report
