#pragma once

#include <string>
#include <vector>

#include <QString>
#include <QUndoCommand>
#include <nlohmann/json.hpp>

#include "models/dataset/dataset_document.h"

// Undoable edits of a DatasetDocument. Each command remembers the exact state it replaced (the
// row's previous text or its untouched source bytes, the rows' identities, the column operations),
// so undo restores the previous raw text exactly and a row that is back to untouched is saved byte
// for byte again. Commands hold a plain pointer to the document: clear the stack before the
// document goes away or is reopened (DatasetTableModel does that on documentReset()).
//
// A command whose edit the document refuses (a bad row, an unknown column...) is obsolete:
// QUndoStack::push() drops it. Check isObsolete() before pushing to tell the user.
namespace assay::dataset {

class DatasetEditCommand : public QUndoCommand {
public:
    DatasetDocument *document() const { return m_document; }

protected:
    DatasetEditCommand(DatasetDocument *document, const QString &text, QUndoCommand *parent);

    DatasetDocument *m_document;
    bool m_done = false; // redo() ran once: later redos restore the recorded "after" state
    DatasetDocument::ColumnState m_columnsBefore;
    DatasetDocument::ColumnState m_columnsAfter;
};

class SetValueCommand : public DatasetEditCommand {
public:
    SetValueCommand(DatasetDocument *document, qint64 row, const QString &column,
                    nlohmann::ordered_json value, QUndoCommand *parent = nullptr);
    void redo() override;
    void undo() override;

private:
    qint64 m_row;
    QString m_column;
    nlohmann::ordered_json m_value;
    DatasetDocument::RowState m_before;
    DatasetDocument::RowState m_after;
};

class SetRawTextCommand : public DatasetEditCommand {
public:
    SetRawTextCommand(DatasetDocument *document, qint64 row, std::string raw, QUndoCommand *parent = nullptr);
    void redo() override;
    void undo() override;

private:
    qint64 m_row;
    std::string m_raw;
    DatasetDocument::RowState m_before;
    DatasetDocument::RowState m_after;
};

class InsertRowsCommand : public DatasetEditCommand {
public:
    InsertRowsCommand(DatasetDocument *document, qint64 row, std::vector<std::string> rawRows,
                      QUndoCommand *parent = nullptr);
    void redo() override;
    void undo() override;

protected:
    InsertRowsCommand(DatasetDocument *document, qint64 row, std::vector<std::string> rawRows,
                      const QString &text, QUndoCommand *parent);

private:
    qint64 m_row;
    std::vector<std::string> m_rawRows;
    std::vector<DatasetDocument::RowState> m_rows;
};

// Copies of rows [first, first + count) inserted right after them.
class DuplicateRowsCommand : public InsertRowsCommand {
public:
    DuplicateRowsCommand(DatasetDocument *document, qint64 first, qint64 count,
                         QUndoCommand *parent = nullptr);
};

class RemoveRowsCommand : public DatasetEditCommand {
public:
    RemoveRowsCommand(DatasetDocument *document, qint64 row, qint64 count, QUndoCommand *parent = nullptr);
    void redo() override;
    void undo() override;

private:
    qint64 m_row;
    qint64 m_count;
    std::vector<DatasetDocument::RowState> m_rows;
};

class AddColumnCommand : public DatasetEditCommand {
public:
    AddColumnCommand(DatasetDocument *document, const QString &column,
                     nlohmann::ordered_json defaultValue = std::string(), QUndoCommand *parent = nullptr);
    void redo() override;
    void undo() override;

private:
    QString m_column;
    nlohmann::ordered_json m_default;
};

class RenameColumnCommand : public DatasetEditCommand {
public:
    RenameColumnCommand(DatasetDocument *document, const QString &from, const QString &to,
                        QUndoCommand *parent = nullptr);
    void redo() override;
    void undo() override;

private:
    QString m_from;
    QString m_to;
};

} // namespace assay::dataset
