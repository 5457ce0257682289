#pragma once

#include <vector>

#include <QStringList>
#include <QWidget>
#include <nlohmann/json.hpp>

class QLabel;
class QTableWidget;
class QToolButton;

namespace assay::dataset {
class DatasetDocument;
}

namespace assay::ui {

// The shared inputs of a comparison: one row per set of {{variable}} values, one column per
// variable the variants use (plus any column a loaded dataset brings). Values are typed in, or
// "Load from dataset…" takes the rows of a JSONL / CSV / JSON file (read in the background, up
// to MaxLoadedRows). A value that parses as a JSON object or array is kept as JSON, so a prompt
// can use {{ticket.subject}}; everything else is a string.
class InputsEditor : public QWidget {
    Q_OBJECT
public:
    static constexpr int MaxLoadedRows = 1000;

    explicit InputsEditor(QWidget *parent = nullptr);
    ~InputsEditor() override;

    // The variables the variants use: they are always columns (first, in this order).
    void setVariableNames(const QStringList &names);
    QStringList columns() const;

    // Each row is a JSON object: column path -> value, nested by dots ({"ticket":{"subject":..}}).
    std::vector<nlohmann::json> rows() const;
    nlohmann::json rowValues(int row) const;
    // Loading is not editing: no signal is emitted.
    void setRows(const std::vector<nlohmann::json> &rows);
    int rowCount() const;

    void addRow();
    void removeSelectedRows();
    // Starts reading `path`; `loaded` follows (or `loadFailed`). Replaces the rows when it succeeds.
    bool loadFromFile(const QString &path, QString *error = nullptr);

    QTableWidget *table() const { return m_table; }

Q_SIGNALS:
    // What the user changed, so a document can keep the cells of rows left alone.
    void rowValuesEdited(int row);
    void rowInserted(int row);
    void rowRemoved(int row);
    void rowsReplaced();
    void loaded(int rows, const QString &path);
    void loadFailed(const QString &message);
    void statusMessage(const QString &message);

private:
    void chooseFile();
    void finishLoad();
    void rebuildColumns(const QStringList &extra);
    void updateHint();
    static QString cellText(const nlohmann::json &row, const QString &path);
    static nlohmann::json cellValue(const QString &text);

    QStringList m_variables;
    QStringList m_extraColumns;
    QTableWidget *m_table = nullptr;
    QToolButton *m_add = nullptr;
    QToolButton *m_remove = nullptr;
    QToolButton *m_load = nullptr;
    QLabel *m_hint = nullptr;
    dataset::DatasetDocument *m_loading = nullptr;
    bool m_filling = false;
};

} // namespace assay::ui
