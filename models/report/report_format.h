#pragma once

#include <optional>

#include <QByteArray>
#include <QString>
#include <QStringList>

#include "models/report/report_input.h"

namespace assay::report {

enum class ReportFormat { Html, Pdf, Markdown, Csv, Jsonl, JUnit };

// "html", "pdf", "md" (or "markdown"), "csv", "jsonl", "junit" (or "xml").
std::optional<ReportFormat> reportFormatFromName(const QString &name);
QString reportFormatName(ReportFormat format);
QStringList reportFormatNames();

// The report as bytes, secrets scrubbed. PDF needs a QGuiApplication (fonts); without one it
// fails with `error` set and returns an empty array.
QByteArray renderReport(const ReportInput &input, ReportFormat format, const ReportOptions &options,
                        QString *error = nullptr);
// renderReport() written atomically (QSaveFile) to `path`.
bool writeReport(const ReportInput &input, ReportFormat format, const QString &path, const ReportOptions &options,
                 QString *error = nullptr);

} // namespace assay::report
