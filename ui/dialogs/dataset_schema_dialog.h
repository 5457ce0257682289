#pragma once

#include <QDialog>
#include <nlohmann/json.hpp>

class QLabel;
class QPushButton;

namespace assay::ui {

class JsonView;

// The item JSON Schema of a dataset, editable: inferred from the rows or as the user left it.
// "Use schema" keeps it for the dataset (and the workspace); "Validate" also checks every row.
// The text must parse as a JSON object before either is allowed.
class DatasetSchemaDialog : public QDialog {
    Q_OBJECT
public:
    explicit DatasetSchemaDialog(QWidget *parent = nullptr);

    void setSchema(const nlohmann::ordered_json &schema, const QString &origin);
    // The edited schema; null when the text does not parse as an object (error() says why).
    nlohmann::ordered_json schema() const;
    QString error() const;
    JsonView *editor() const { return m_editor; }

Q_SIGNALS:
    void schemaAccepted(const nlohmann::ordered_json &schema);
    void validateRequested(const nlohmann::ordered_json &schema);
    void saveRequested(const nlohmann::ordered_json &schema);
    void inferRequested();

private:
    void checkText();

    QLabel *m_origin = nullptr;
    JsonView *m_editor = nullptr;
    QLabel *m_status = nullptr;
    QPushButton *m_use = nullptr;
    QPushButton *m_validate = nullptr;
    QPushButton *m_save = nullptr;
    QPushButton *m_infer = nullptr;
};

} // namespace assay::ui
