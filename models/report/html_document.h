#pragma once

#include <vector>

#include <QString>

#include "models/report/report_chart.h"
#include "models/report/report_data.h"

namespace assay::report {

enum class HtmlTarget {
    Browser, // XHTML-compatible HTML5: inline CSS, charts as inline SVG
    Pdf,     // the subset QTextDocument lays out: charts left as "[[assay-chart:N]]" paragraphs
};

// The one document both the HTML and the PDF report show: summary, charts, criteria, the
// comparison (two runs), failing items with inputs and outputs. Every text from the eval, the
// dataset or a model goes through html().
QString buildReportHtml(const ReportData &data, const std::vector<Chart> &charts, const ReportOptions &options,
                        HtmlTarget target);

QString chartPlaceholder(int index);

} // namespace assay::report
