#include "models/dataset/dataset_types.h"

#include <QFileInfo>

namespace assay::dataset {

QString formatName(DatasetFormat format)
{
    switch (format) {
    case DatasetFormat::Jsonl:
        return QStringLiteral("JSONL");
    case DatasetFormat::Csv:
        return QStringLiteral("CSV");
    case DatasetFormat::JsonArray:
        return QStringLiteral("JSON");
    }
    return QString();
}

DatasetFormat detectFormat(const QString &path, std::string_view firstBytes)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("jsonl") || suffix == QLatin1String("ndjson") ||
        suffix == QLatin1String("jsonlines"))
        return DatasetFormat::Jsonl;
    if (suffix == QLatin1String("csv"))
        return DatasetFormat::Csv;
    std::size_t p = firstBytes.substr(0, 3) == std::string_view("\xEF\xBB\xBF", 3) ? 3 : 0;
    while (p < firstBytes.size() &&
           (firstBytes[p] == ' ' || firstBytes[p] == '\t' || firstBytes[p] == '\r' || firstBytes[p] == '\n'))
        ++p;
    const char first = p < firstBytes.size() ? firstBytes[p] : '\0';
    if (first == '{')
        return DatasetFormat::Jsonl;
    if (first == '[' || suffix == QLatin1String("json"))
        return DatasetFormat::JsonArray;
    return DatasetFormat::Csv;
}

QString RowProblem::toString() const
{
    if (line <= 0)
        return QStringLiteral("new row: %1").arg(message);
    if (column > 0)
        return QStringLiteral("line %1, column %2: %3").arg(line).arg(column).arg(message);
    return QStringLiteral("line %1: %2").arg(line).arg(message);
}

} // namespace assay::dataset
