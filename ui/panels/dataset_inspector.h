#pragma once

#include <memory>

#include <QWidget>
#include <nlohmann/json.hpp>

class QLabel;
class QPushButton;

namespace assay::dataset {
class JsonSchemaValidator;
}

namespace assay::itemmodels {
class DatasetTableModel;
}

namespace assay::ui {

class JsonView;

// The selected dataset row, whole: its line, whether it was edited, and the item as indented JSON
// with highlighting. A row that cannot be read shows its raw text with the parser's message and
// the spot it points at; the text can be fixed in place and applied (an undoable edit). Rows of
// JSON files can be edited here as JSON too.
class DatasetInspector : public QWidget {
    Q_OBJECT
public:
    explicit DatasetInspector(QWidget *parent = nullptr);

    ~DatasetInspector() override;

    void setModel(itemmodels::DatasetTableModel *model);
    // The item schema: the shown row is checked against it and its violations listed (null: none).
    void setSchema(const nlohmann::ordered_json &schema);
    QString schemaText() const;
    // A model row; -1 shows nothing.
    void showRow(int row);
    int row() const { return m_row; }
    // Re-reads the row (after an edit, undo, reload).
    void refresh();

    JsonView *editor() const { return m_editor; }
    QString problemText() const;
    bool isShowingBadRow() const { return m_bad; }
    // Applies the editor's text to the row; false when it was refused (nothing changes then).
    bool applyEdit();

Q_SIGNALS:
    void statusMessage(const QString &message);

private:
    void updateButtons();
    void checkEditedText();
    QString rowTextForEditor() const;

    itemmodels::DatasetTableModel *m_model = nullptr;
    int m_row = -1;
    bool m_bad = false;
    bool m_editable = false;
    QString m_shownText;
    QLabel *m_title = nullptr;
    QLabel *m_badge = nullptr;
    QLabel *m_problem = nullptr;
    QLabel *m_schemaNotes = nullptr;
    std::unique_ptr<dataset::JsonSchemaValidator> m_validator;
    JsonView *m_editor = nullptr;
    QLabel *m_hint = nullptr;
    QLabel *m_empty = nullptr;
    QPushButton *m_apply = nullptr;
    QPushButton *m_revert = nullptr;
};

} // namespace assay::ui
