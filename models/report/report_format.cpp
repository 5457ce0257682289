#include "models/report/report_format.h"

#include <QSaveFile>

#include "models/report/csv_report.h"
#include "models/report/html_report.h"
#include "models/report/jsonl_report.h"
#include "models/report/junit_report.h"
#include "models/report/markdown_report.h"
#include "models/report/pdf_report.h"

namespace assay::report {

std::optional<ReportFormat> reportFormatFromName(const QString &name)
{
    const QString n = name.trimmed().toLower();
    if (n == QLatin1String("html") || n == QLatin1String("htm"))
        return ReportFormat::Html;
    if (n == QLatin1String("pdf"))
        return ReportFormat::Pdf;
    if (n == QLatin1String("md") || n == QLatin1String("markdown"))
        return ReportFormat::Markdown;
    if (n == QLatin1String("csv"))
        return ReportFormat::Csv;
    if (n == QLatin1String("jsonl"))
        return ReportFormat::Jsonl;
    if (n == QLatin1String("junit") || n == QLatin1String("xml"))
        return ReportFormat::JUnit;
    return std::nullopt;
}

QString reportFormatName(ReportFormat format)
{
    switch (format) {
    case ReportFormat::Html:
        return QStringLiteral("html");
    case ReportFormat::Pdf:
        return QStringLiteral("pdf");
    case ReportFormat::Markdown:
        return QStringLiteral("md");
    case ReportFormat::Csv:
        return QStringLiteral("csv");
    case ReportFormat::Jsonl:
        return QStringLiteral("jsonl");
    case ReportFormat::JUnit:
        return QStringLiteral("junit");
    }
    return {};
}

QStringList reportFormatNames()
{
    return {QStringLiteral("html"), QStringLiteral("pdf"), QStringLiteral("md"),
            QStringLiteral("csv"),  QStringLiteral("jsonl"), QStringLiteral("junit")};
}

QByteArray renderReport(const ReportInput &input, ReportFormat format, const ReportOptions &options, QString *error)
{
    switch (format) {
    case ReportFormat::Html:
        return HtmlReport::render(input, options);
    case ReportFormat::Pdf:
        return PdfReport::render(input, options, error);
    case ReportFormat::Markdown:
        return MarkdownReport::render(input, options);
    case ReportFormat::Csv:
        return CsvReport::render(input, options);
    case ReportFormat::Jsonl:
        return JsonlReport::render(input, options);
    case ReportFormat::JUnit:
        return JUnitReport::render(input, options);
    }
    return {};
}

bool writeReport(const ReportInput &input, ReportFormat format, const QString &path, const ReportOptions &options,
                 QString *error)
{
    QString problem;
    const QByteArray bytes = renderReport(input, format, options, &problem);
    if (!problem.isEmpty()) {
        if (error)
            *error = problem;
        return false;
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        if (error)
            *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace assay::report
