#include "models/report/html_report.h"

#include "models/report/html_document.h"

namespace assay::report {

// One self-contained file: inline CSS, charts as inline SVG, no script and no network reference.
// It is also well-formed XML, so tools (and the tests) can parse it back.
QByteArray HtmlReport::render(const ReportInput &input, const ReportOptions &options)
{
    const ReportData data = analyze(input);
    return scrubSecrets(buildReportHtml(data, reportCharts(data), options, HtmlTarget::Browser).toUtf8());
}

} // namespace assay::report
