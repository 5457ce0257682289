#include "models/compare/comparison_inputs.h"

#include <algorithm>

#include <QFile>

#include "models/dataset/dataset_document.h"

namespace assay::compare {

using nlohmann::json;

void ComparisonInputs::setRows(std::vector<json> rows)
{
    for (json &row : rows)
        if (!row.is_object())
            row = json::object();
    m_rows = std::move(rows);
}

void ComparisonInputs::insertRow(int index, json values)
{
    if (!values.is_object())
        values = json::object();
    index = std::clamp(index, 0, rowCount());
    m_rows.insert(m_rows.begin() + index, std::move(values));
}

void ComparisonInputs::removeRow(int index)
{
    if (index >= 0 && index < rowCount())
        m_rows.erase(m_rows.begin() + index);
}

void ComparisonInputs::setRow(int index, json values)
{
    if (index < 0 || index >= rowCount())
        return;
    m_rows[static_cast<std::size_t>(index)] = values.is_object() ? std::move(values) : json::object();
}

void ComparisonInputs::setValue(int index, const QString &variable, const QString &value)
{
    if (index < 0 || index >= rowCount() || variable.isEmpty())
        return;
    m_rows[static_cast<std::size_t>(index)][variable.toStdString()] = value.toStdString();
}

QString ComparisonInputs::value(int index, const QString &variable) const
{
    if (index < 0 || index >= rowCount())
        return {};
    const json &row = m_rows[static_cast<std::size_t>(index)];
    const auto it = row.find(variable.toStdString());
    if (it == row.end() || it->is_null())
        return {};
    if (it->is_string())
        return QString::fromStdString(it->get<std::string>());
    return QString::fromStdString(it->dump());
}

QStringList ComparisonInputs::variableNames() const
{
    QStringList names;
    for (const json &row : m_rows)
        for (const auto &[key, value] : row.items()) {
            const QString name = QString::fromStdString(key);
            if (!names.contains(name))
                names.append(name);
        }
    return names;
}

bool ComparisonInputs::fromJsonl(const QByteArray &bytes, ComparisonInputs *out, QString *error)
{
    std::vector<json> rows;
    const QList<QByteArray> lines = bytes.split('\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QByteArray line = lines[i].trimmed();
        if (line.isEmpty())
            continue;
        json value = json::parse(line.constBegin(), line.constEnd(), nullptr, false);
        if (value.is_discarded() || !value.is_object()) {
            if (error)
                *error = QStringLiteral("line %1: %2").arg(i + 1).arg(value.is_discarded() ? QStringLiteral("not valid JSON")
                                                                                           : QStringLiteral("not a JSON object"));
            return false;
        }
        if (value.size() == 1 && value.contains("item") && value["item"].is_object())
            value = json(value["item"]);
        rows.push_back(std::move(value));
    }
    if (out)
        out->setRows(std::move(rows));
    return true;
}

bool ComparisonInputs::fromJsonlFile(const QString &path, ComparisonInputs *out, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("Cannot read %1: %2").arg(path, file.errorString());
        return false;
    }
    return fromJsonl(file.readAll(), out, error);
}

ComparisonInputs ComparisonInputs::fromDataset(const dataset::DatasetDocument &document, int maxRows, int *skipped)
{
    std::vector<json> rows;
    int bad = 0;
    const qint64 count = document.rowCount();
    for (qint64 i = 0; i < count && static_cast<int>(rows.size()) < maxRows; ++i) {
        const dataset::ParsedRow parsed = document.parsedRow(i);
        if (parsed.isBad() || !parsed.item.is_object()) {
            ++bad;
            continue;
        }
        // ordered_json -> json through text keeps every value exactly.
        rows.push_back(json::parse(parsed.item.dump()));
    }
    if (skipped)
        *skipped = bad;
    ComparisonInputs inputs;
    inputs.setRows(std::move(rows));
    return inputs;
}

json ComparisonInputs::toJson() const
{
    json rows = json::array();
    for (const json &row : m_rows)
        rows.push_back(row);
    return rows;
}

ComparisonInputs ComparisonInputs::fromJson(const json &value)
{
    ComparisonInputs inputs;
    if (value.is_array())
        inputs.setRows(value.get<std::vector<json>>());
    return inputs;
}

} // namespace assay::compare
