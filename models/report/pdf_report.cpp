#include "models/report/pdf_report.h"

#include <QAbstractTextDocumentLayout>
#include <QBuffer>
#include <QFont>
#include <QFontMetricsF>
#include <QGuiApplication>
#include <QPageLayout>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QTextCursor>
#include <QTextDocument>
#include <QTextObjectInterface>

#include "models/report/html_document.h"
#include "models/report/report_chart.h"

namespace assay::report {

namespace {

constexpr int kChartObjectType = QTextFormat::UserObject + 71;
constexpr int kChartIndexProperty = QTextFormat::UserProperty + 71;

// Lays a chart out inline in the text flow and paints it with QPainter, so it stays vector in the PDF.
class ChartTextObject : public QObject, public QTextObjectInterface {
    Q_OBJECT
    Q_INTERFACES(QTextObjectInterface)
public:
    ChartTextObject(const std::vector<Chart> &charts, double maxWidth, double pixelsPerChartUnit)
        : m_charts(charts), m_maxWidth(maxWidth), m_unit(pixelsPerChartUnit)
    {
    }

    QSizeF intrinsicSize(QTextDocument *, int, const QTextFormat &format) override
    {
        const Chart *chart = chartOf(format);
        if (!chart)
            return {};
        const double scale = std::min(m_unit, m_maxWidth / chart->width);
        return {chart->width * scale, chart->height * scale};
    }

    void drawObject(QPainter *painter, const QRectF &rect, QTextDocument *, int, const QTextFormat &format) override
    {
        if (const Chart *chart = chartOf(format))
            paintChart(*painter, *chart, rect);
    }

private:
    const Chart *chartOf(const QTextFormat &format) const
    {
        const int index = format.property(kChartIndexProperty).toInt();
        return index >= 0 && static_cast<size_t>(index) < m_charts.size() ? &m_charts[static_cast<size_t>(index)] : nullptr;
    }

    const std::vector<Chart> &m_charts;
    double m_maxWidth;
    double m_unit;
};

} // namespace

QByteArray PdfReport::render(const ReportInput &input, const ReportOptions &options, QString *error)
{
    if (!qobject_cast<QGuiApplication *>(QCoreApplication::instance())) {
        if (error)
            *error = QStringLiteral("PDF export needs the GUI libraries (a QGuiApplication; the offscreen platform will do)");
        return {};
    }
    const ReportData data = analyze(input);
    std::vector<Chart> charts = reportCharts(data);
    for (Chart &chart : charts) {
        chart.title = scrubSecrets(chart.title);
        for (ChartShape &shape : chart.shapes)
            shape.text = scrubSecrets(shape.text);
    }
    const QString body = scrubSecrets(buildReportHtml(data, charts, options, HtmlTarget::Pdf));
    const QString title = scrubSecrets(QStringLiteral("Eval report: ") + data.title);

    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    {
        QPdfWriter writer(&buffer);
        writer.setPageSize(QPageSize(QPageSize::A4));
        writer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout::Millimeter);
        writer.setResolution(144);
        writer.setTitle(title);
        writer.setCreator(QStringLiteral("Assay"));

        QPainter painter;
        if (!painter.begin(&writer)) {
            if (error)
                *error = QStringLiteral("cannot start the PDF writer");
            return {};
        }
        const QRectF paper = writer.pageLayout().paintRectPixels(writer.resolution());
        const double width = paper.width();

        QFont font(QStringLiteral("DejaVu Sans"));
        font.setStyleHint(QFont::SansSerif);
        font.setPointSizeF(9);
        QFont headerFont = font;
        headerFont.setPointSizeF(8);
        const QFontMetricsF headerMetrics(headerFont, &writer);
        const double headerHeight = headerMetrics.height() * 2.2;
        const double bodyHeight = paper.height() - headerHeight;

        QTextDocument document;
        document.documentLayout()->setPaintDevice(&writer);
        document.setDefaultFont(font);
        document.setDocumentMargin(0);
        document.setDefaultStyleSheet(QStringLiteral(
            "h1{font-size:16pt} h2{font-size:13pt} h3{font-size:11pt} h4{font-size:10pt}"
            " th{background-color:#eeeeee} pre{font-family:'DejaVu Sans Mono',monospace;font-size:8pt;white-space:pre-wrap}"
            " .pass{color:#1a7f37} .fail{color:#cf222e} .error{color:#9a6700} .generated,.note{color:#666666} .label{font-weight:bold}"
            " del{color:#cf222e;text-decoration:line-through} ins{color:#1a7f37;text-decoration:underline}"));
        ChartTextObject chartObject(charts, width, static_cast<double>(writer.resolution()) / 96.0);
        document.documentLayout()->registerHandler(kChartObjectType, &chartObject);
        document.setHtml(body);
        for (size_t i = 0; i < charts.size(); ++i) {
            QTextCursor found = document.find(chartPlaceholder(static_cast<int>(i)));
            if (found.isNull())
                continue;
            QTextCharFormat format;
            format.setObjectType(kChartObjectType);
            format.setProperty(kChartIndexProperty, static_cast<int>(i));
            found.insertText(QString(QChar::ObjectReplacementCharacter), format);
        }
        document.setPageSize(QSizeF(width, bodyHeight));
        const int pages = std::max(1, document.pageCount());

        for (int page = 0; page < pages; ++page) {
            if (page > 0)
                writer.newPage();
            painter.setFont(headerFont);
            painter.setPen(QColor(0x55, 0x55, 0x55));
            const QString pageText = QStringLiteral("Page %1 of %2").arg(page + 1).arg(pages);
            const double baseline = headerMetrics.ascent();
            painter.drawText(QPointF(0, baseline),
                             headerMetrics.elidedText(title, Qt::ElideRight, width - headerMetrics.horizontalAdvance(pageText) - 24));
            painter.drawText(QPointF(width - headerMetrics.horizontalAdvance(pageText), baseline), pageText);
            painter.drawLine(QPointF(0, headerMetrics.height() * 1.4), QPointF(width, headerMetrics.height() * 1.4));

            painter.save();
            painter.translate(0, headerHeight - page * bodyHeight);
            document.drawContents(&painter, QRectF(0, page * bodyHeight, width, bodyHeight));
            painter.restore();
        }
        painter.end();
    }
    return bytes;
}

} // namespace assay::report

#include "pdf_report.moc"
