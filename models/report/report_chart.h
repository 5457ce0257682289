#pragma once

#include <vector>

#include <QRectF>
#include <QString>

#include "models/report/report_data.h"

class QPainter;

namespace assay::report {

// A chart as a few primitives in its own coordinate space (pixels at 96 dpi), so the HTML report
// (inline SVG text) and the PDF report (vector QPainter paths) draw the same picture, and the
// SVG text is the same bytes every time.
struct ChartShape {
    enum class Kind { Rect, Line, Text };
    Kind kind = Kind::Rect;
    QRectF rect;    // Rect; Line: from topLeft to bottomRight; Text: anchor point at rect.topLeft (baseline)
    QString color;  // "#rrggbb"
    QString text;   // Text
    enum class Anchor { Start, Middle, End };
    Anchor anchor = Anchor::Start;
    double fontSize = 11.0;
    bool bold = false;
};

struct Chart {
    QString title;
    double width = 640;
    double height = 200;
    std::vector<ChartShape> shapes;
};

// Pass rate per criterion (and the item pass rate), one bar per run; then a score histogram per
// criterion that has numeric scores.
std::vector<Chart> reportCharts(const ReportData &data);

QString chartToSvg(const Chart &chart);
// Draws `chart` scaled into `target` (aspect ratio kept).
void paintChart(QPainter &painter, const Chart &chart, const QRectF &target);

} // namespace assay::report
