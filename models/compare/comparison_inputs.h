#pragma once

#include <vector>

#include <QString>
#include <QStringList>
#include <nlohmann/json.hpp>

namespace assay::dataset {
class DatasetDocument;
}

namespace assay::compare {

// The shared inputs: rows of {{variable}} values. Each row is a JSON object (values are usually
// strings; nested values are allowed and render as JSON text in a prompt). One row is the
// "side by side" case; many rows make the matrix.
class ComparisonInputs {
public:
    ComparisonInputs() = default;

    int rowCount() const { return static_cast<int>(m_rows.size()); }
    const nlohmann::json &row(int index) const { return m_rows.at(static_cast<std::size_t>(index)); }
    const std::vector<nlohmann::json> &rows() const { return m_rows; }
    void setRows(std::vector<nlohmann::json> rows);  // non-objects become {}
    void insertRow(int index, nlohmann::json values); // index clamped to [0, rowCount()]
    void removeRow(int index);
    void setRow(int index, nlohmann::json values);
    // One value of one row (creates the key). Value stored as a JSON string.
    void setValue(int index, const QString &variable, const QString &value);
    QString value(int index, const QString &variable) const; // "" when missing; non-strings as JSON text

    // Every key used by any row, in order of first appearance.
    QStringList variableNames() const;

    // A JSONL file: one object per line; a line that is only {"item": {...}} is unwrapped (the
    // Evals API form). Blank lines skipped. nullopt-like failure: returns false, `error` names
    // the line ("line 3: ...").
    static bool fromJsonl(const QByteArray &bytes, ComparisonInputs *out, QString *error);
    static bool fromJsonlFile(const QString &path, ComparisonInputs *out, QString *error);
    // The rows of an open dataset (JSONL / CSV / JSON; rows indexed so far), at most `maxRows`
    // (a comparison is for a handful to a few hundred inputs). Bad rows and non-objects are
    // skipped; `skipped` (optional) counts them.
    static ComparisonInputs fromDataset(const dataset::DatasetDocument &document, int maxRows = 1000,
                                        int *skipped = nullptr);

    nlohmann::json toJson() const; // array of row objects
    static ComparisonInputs fromJson(const nlohmann::json &json);
    bool operator==(const ComparisonInputs &) const = default;

private:
    std::vector<nlohmann::json> m_rows;
};

} // namespace assay::compare
