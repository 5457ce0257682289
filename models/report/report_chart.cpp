#include "models/report/report_chart.h"

#include <algorithm>
#include <cmath>

#include <QColor>
#include <QFont>
#include <QFontMetricsF>
#include <QPainter>

namespace assay::report {

using nlohmann::json;

namespace {

const QString kSeriesColors[] = {QStringLiteral("#4c78a8"), QStringLiteral("#f58518")};
const QString kInk = QStringLiteral("#333333");
const QString kGrid = QStringLiteral("#cccccc");

QString seriesColor(size_t index)
{
    return kSeriesColors[index % 2];
}

ChartShape rect(double x, double y, double w, double h, const QString &color)
{
    ChartShape s;
    s.kind = ChartShape::Kind::Rect;
    s.rect = QRectF(x, y, w, h);
    s.color = color;
    return s;
}

ChartShape line(double x1, double y1, double x2, double y2, const QString &color)
{
    ChartShape s;
    s.kind = ChartShape::Kind::Line;
    s.rect = QRectF(QPointF(x1, y1), QPointF(x2, y2));
    s.color = color;
    return s;
}

ChartShape text(double x, double y, const QString &content, ChartShape::Anchor anchor = ChartShape::Anchor::Start,
                double size = 11.0, bool bold = false)
{
    ChartShape s;
    s.kind = ChartShape::Kind::Text;
    s.rect = QRectF(x, y, 0, 0);
    s.color = kInk;
    s.text = content;
    s.anchor = anchor;
    s.fontSize = size;
    s.bold = bold;
    return s;
}

QString shortLabel(const QString &label, int max = 26)
{
    return label.size() <= max ? label : label.left(max - 1) + QChar(0x2026);
}

void addLegend(Chart &chart, const ReportData &data, double y)
{
    if (data.runs.size() < 2)
        return;
    double x = 180;
    for (size_t r = 0; r < data.runs.size(); ++r) {
        chart.shapes.push_back(rect(x, y - 9, 10, 10, seriesColor(r)));
        const QString label = shortLabel(data.runs[r].label, 40);
        chart.shapes.push_back(text(x + 14, y, label));
        x += 30 + 7.0 * static_cast<double>(label.size());
    }
}

Chart passRateChart(const ReportData &data)
{
    Chart chart;
    chart.title = QStringLiteral("Pass rate per criterion");
    const double left = 180, barArea = 380, top = 34;
    const double barHeight = 14, groupGap = 10;
    const size_t series = data.runs.size();
    const qsizetype categories = data.criteria.size() + 1;
    const double groupHeight = static_cast<double>(series) * barHeight + groupGap;
    const double bottom = top + static_cast<double>(categories) * groupHeight;
    chart.height = bottom + (series > 1 ? 44 : 24);
    chart.shapes.push_back(text(0, 16, chart.title, ChartShape::Anchor::Start, 13, true));
    for (int tick = 0; tick <= 4; ++tick) {
        const double x = left + barArea * tick / 4.0;
        chart.shapes.push_back(line(x, top - 4, x, bottom, kGrid));
        chart.shapes.push_back(text(x, bottom + 14, QStringLiteral("%1%").arg(tick * 25), ChartShape::Anchor::Middle, 10));
    }
    for (qsizetype c = 0; c < categories; ++c) {
        const double y = top + static_cast<double>(c) * groupHeight;
        const QString label = c == 0 ? QStringLiteral("All criteria (items)") : data.criteria.at(c - 1);
        chart.shapes.push_back(text(left - 6, y + groupHeight / 2.0, shortLabel(label), ChartShape::Anchor::End));
        for (size_t r = 0; r < series; ++r) {
            const RunView &run = data.runs[r];
            double rate = 0;
            bool graded = false;
            if (c == 0) {
                graded = run.summary.total > 0;
                rate = run.summary.passRate();
            } else {
                const CriterionStats &stats = run.criteria[static_cast<size_t>(c - 1)];
                graded = stats.passed + stats.failed > 0;
                rate = stats.passRate();
            }
            const double by = y + static_cast<double>(r) * barHeight;
            chart.shapes.push_back(rect(left, by + 1, std::max(0.0, barArea * rate), barHeight - 2, seriesColor(r)));
            chart.shapes.push_back(text(left + barArea * rate + 4, by + barHeight - 3,
                                        graded ? formatPercent(rate) : QStringLiteral("n/a"), ChartShape::Anchor::Start, 10));
        }
    }
    chart.shapes.push_back(line(left, top - 4, left, bottom, kInk));
    addLegend(chart, data, bottom + 34);
    return chart;
}

std::optional<Chart> histogram(const ReportData &data, size_t criterion)
{
    std::optional<double> lo, hi;
    for (const RunView &run : data.runs) {
        const CriterionStats &stats = run.criteria[criterion];
        if (stats.minScore)
            lo = lo ? std::min(*lo, *stats.minScore) : *stats.minScore;
        if (stats.maxScore)
            hi = hi ? std::max(*hi, *stats.maxScore) : *stats.maxScore;
    }
    if (!lo || !hi)
        return std::nullopt;
    constexpr int kBins = 10;
    const int bins = *hi > *lo ? kBins : 1;
    const double span = *hi - *lo;
    const std::string name = data.criteria.at(static_cast<qsizetype>(criterion)).toStdString();
    std::vector<std::vector<qint64>> counts(data.runs.size(), std::vector<qint64>(static_cast<size_t>(bins), 0));
    qint64 maxCount = 0;
    for (size_t r = 0; r < data.runs.size(); ++r) {
        for (const store::OutputItemRecord &item : data.runs[r].source->items) {
            const json *result = findResult(item, name);
            if (!result || (result->contains("error") && (*result)["error"].is_string()))
                continue;
            const auto score = result->find("score");
            if (score == result->end() || !score->is_number())
                continue;
            const double value = score->get<double>();
            if (!std::isfinite(value))
                continue;
            int bin = bins == 1 ? 0 : static_cast<int>(std::floor((value - *lo) / span * bins));
            bin = std::clamp(bin, 0, bins - 1);
            qint64 &count = counts[r][static_cast<size_t>(bin)];
            maxCount = std::max(maxCount, ++count);
        }
    }
    Chart chart;
    chart.title = QStringLiteral("Scores: %1").arg(data.criteria.at(static_cast<qsizetype>(criterion)));
    const double left = 60, top = 34, plotWidth = 540, plotHeight = 120;
    const double bottom = top + plotHeight;
    chart.height = bottom + (data.runs.size() > 1 ? 48 : 28);
    chart.shapes.push_back(text(0, 16, shortLabel(chart.title, 80), ChartShape::Anchor::Start, 13, true));
    chart.shapes.push_back(line(left, bottom, left + plotWidth, bottom, kInk));
    chart.shapes.push_back(line(left, top, left, bottom, kInk));
    chart.shapes.push_back(text(left - 6, top + 4, QString::number(maxCount), ChartShape::Anchor::End, 10));
    chart.shapes.push_back(text(left - 6, bottom, QStringLiteral("0"), ChartShape::Anchor::End, 10));
    const double binWidth = plotWidth / bins;
    const double barWidth = (binWidth - 4) / static_cast<double>(data.runs.size());
    for (int b = 0; b < bins; ++b) {
        for (size_t r = 0; r < data.runs.size(); ++r) {
            const qint64 count = counts[r][static_cast<size_t>(b)];
            const double h = maxCount > 0 ? plotHeight * static_cast<double>(count) / static_cast<double>(maxCount) : 0;
            chart.shapes.push_back(rect(left + b * binWidth + 2 + static_cast<double>(r) * barWidth, bottom - h, barWidth, h,
                                        seriesColor(r)));
        }
    }
    if (bins == 1) {
        chart.shapes.push_back(text(left + plotWidth / 2, bottom + 14, formatScore(*lo), ChartShape::Anchor::Middle, 10));
    } else {
        for (int t = 0; t <= 2; ++t) {
            const double value = *lo + span * t / 2.0;
            chart.shapes.push_back(text(left + plotWidth * t / 2.0, bottom + 14, formatScore(value),
                                        t == 0 ? ChartShape::Anchor::Start
                                               : (t == 2 ? ChartShape::Anchor::End : ChartShape::Anchor::Middle),
                                        10));
        }
    }
    addLegend(chart, data, bottom + 38);
    return chart;
}

QString num(double value)
{
    const QString text = QString::number(value, 'f', 1);
    return text == QLatin1String("-0.0") ? QStringLiteral("0.0") : text;
}

} // namespace

std::vector<Chart> reportCharts(const ReportData &data)
{
    std::vector<Chart> charts;
    if (data.runs.empty())
        return charts;
    charts.push_back(passRateChart(data));
    for (size_t c = 0; c < static_cast<size_t>(data.criteria.size()); ++c) {
        if (std::optional<Chart> chart = histogram(data, c))
            charts.push_back(std::move(*chart));
    }
    return charts;
}

QString chartToSvg(const Chart &chart)
{
    QString out;
    out += QStringLiteral("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"%1\" height=\"%2\" "
                          "viewBox=\"0 0 %1 %2\" role=\"img\" aria-label=\"%3\">\n")
               .arg(num(chart.width), num(chart.height), html(chart.title));
    out += QStringLiteral("<title>%1</title>\n").arg(html(chart.title));
    for (const ChartShape &s : chart.shapes) {
        switch (s.kind) {
        case ChartShape::Kind::Rect:
            out += QStringLiteral("<rect x=\"%1\" y=\"%2\" width=\"%3\" height=\"%4\" fill=\"%5\"/>\n")
                       .arg(num(s.rect.x()), num(s.rect.y()), num(s.rect.width()), num(s.rect.height()), s.color);
            break;
        case ChartShape::Kind::Line:
            out += QStringLiteral("<line x1=\"%1\" y1=\"%2\" x2=\"%3\" y2=\"%4\" stroke=\"%5\" stroke-width=\"1\"/>\n")
                       .arg(num(s.rect.left()), num(s.rect.top()), num(s.rect.right()), num(s.rect.bottom()), s.color);
            break;
        case ChartShape::Kind::Text: {
            const QString anchor = s.anchor == ChartShape::Anchor::Start
                                       ? QStringLiteral("start")
                                       : (s.anchor == ChartShape::Anchor::Middle ? QStringLiteral("middle") : QStringLiteral("end"));
            out += QStringLiteral("<text x=\"%1\" y=\"%2\" text-anchor=\"%3\" font-size=\"%4\"%5 fill=\"%6\">%7</text>\n")
                       .arg(num(s.rect.x()), num(s.rect.y()), anchor, num(s.fontSize),
                            s.bold ? QStringLiteral(" font-weight=\"bold\"") : QString(), s.color, html(s.text));
            break;
        }
        }
    }
    out += QStringLiteral("</svg>\n");
    return out;
}

void paintChart(QPainter &painter, const Chart &chart, const QRectF &target)
{
    const double scale = std::min(target.width() / chart.width, target.height() / chart.height);
    painter.save();
    painter.translate(target.topLeft());
    painter.scale(scale, scale);
    painter.setRenderHint(QPainter::Antialiasing, true);
    for (const ChartShape &s : chart.shapes) {
        const QColor color(s.color);
        switch (s.kind) {
        case ChartShape::Kind::Rect:
            painter.fillRect(s.rect, color);
            break;
        case ChartShape::Kind::Line:
            painter.setPen(QPen(color, 1.0));
            painter.drawLine(s.rect.topLeft(), s.rect.bottomRight());
            break;
        case ChartShape::Kind::Text: {
            QFont font = painter.font();
            font.setPixelSize(std::max(1, static_cast<int>(std::lround(s.fontSize))));
            font.setBold(s.bold);
            painter.setFont(font);
            painter.setPen(color);
            const QFontMetricsF metrics(font, painter.device());
            const double width = metrics.horizontalAdvance(s.text);
            double x = s.rect.x();
            if (s.anchor == ChartShape::Anchor::Middle)
                x -= width / 2;
            else if (s.anchor == ChartShape::Anchor::End)
                x -= width;
            painter.drawText(QPointF(x, s.rect.y()), s.text);
            break;
        }
        }
    }
    painter.restore();
}

} // namespace assay::report
