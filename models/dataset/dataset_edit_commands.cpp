#include "models/dataset/dataset_edit_commands.h"

#include <QCoreApplication>

namespace assay::dataset {

namespace {

QString tr(const char *text, int n = -1)
{
    return QCoreApplication::translate("DatasetEditCommands", text, nullptr, n);
}

} // namespace

DatasetEditCommand::DatasetEditCommand(DatasetDocument *document, const QString &text, QUndoCommand *parent)
    : QUndoCommand(text, parent), m_document(document)
{
}

SetValueCommand::SetValueCommand(DatasetDocument *document, qint64 row, const QString &column,
                                 nlohmann::ordered_json value, QUndoCommand *parent)
    : DatasetEditCommand(document, tr("Edit %1").arg(column), parent), m_row(row), m_column(column),
      m_value(std::move(value))
{
}

void SetValueCommand::redo()
{
    if (m_done) {
        m_document->restoreColumnState(m_columnsAfter);
        m_document->restoreRowState(m_row, m_after);
        return;
    }
    m_before = m_document->rowState(m_row);
    m_columnsBefore = m_document->columnState();
    if (!m_document->setValue(m_row, m_column, m_value)) {
        setObsolete(true);
        return;
    }
    m_after = m_document->rowState(m_row);
    m_columnsAfter = m_document->columnState();
    m_done = true;
}

void SetValueCommand::undo()
{
    m_document->restoreRowState(m_row, m_before);
    m_document->restoreColumnState(m_columnsBefore);
}

SetRawTextCommand::SetRawTextCommand(DatasetDocument *document, qint64 row, std::string raw,
                                     QUndoCommand *parent)
    : DatasetEditCommand(document, tr("Edit row text"), parent), m_row(row), m_raw(std::move(raw))
{
}

void SetRawTextCommand::redo()
{
    if (m_done) {
        m_document->restoreColumnState(m_columnsAfter);
        m_document->restoreRowState(m_row, m_after);
        return;
    }
    if (m_row < 0 || m_row >= m_document->rowCount()) {
        setObsolete(true);
        return;
    }
    m_before = m_document->rowState(m_row);
    m_columnsBefore = m_document->columnState();
    m_document->setRawText(m_row, m_raw);
    m_after = m_document->rowState(m_row);
    m_columnsAfter = m_document->columnState();
    m_done = true;
}

void SetRawTextCommand::undo()
{
    m_document->restoreRowState(m_row, m_before);
    m_document->restoreColumnState(m_columnsBefore);
}

InsertRowsCommand::InsertRowsCommand(DatasetDocument *document, qint64 row, std::vector<std::string> rawRows,
                                     QUndoCommand *parent)
    : InsertRowsCommand(document, row, std::move(rawRows), QString(), parent)
{
    setText(tr("Insert %n row(s)", static_cast<int>(m_rawRows.size())));
}

InsertRowsCommand::InsertRowsCommand(DatasetDocument *document, qint64 row, std::vector<std::string> rawRows,
                                     const QString &text, QUndoCommand *parent)
    : DatasetEditCommand(document, text, parent), m_row(row), m_rawRows(std::move(rawRows))
{
}

void InsertRowsCommand::redo()
{
    if (m_done) {
        m_document->restoreColumnState(m_columnsAfter);
        m_document->putRows(m_row, m_rows);
        return;
    }
    if (m_rawRows.empty()) {
        setObsolete(true);
        return;
    }
    m_row = std::clamp<qint64>(m_row, 0, m_document->rowCount());
    m_columnsBefore = m_document->columnState();
    m_document->insertRows(m_row, m_rawRows);
    for (qint64 r = m_row; r < m_row + static_cast<qint64>(m_rawRows.size()); ++r)
        m_rows.push_back(m_document->rowState(r));
    m_columnsAfter = m_document->columnState();
    m_done = true;
}

void InsertRowsCommand::undo()
{
    m_document->takeRows(m_row, static_cast<qint64>(m_rows.size()));
    m_document->restoreColumnState(m_columnsBefore);
}

namespace {

std::vector<std::string> rawRowsOf(DatasetDocument *document, qint64 first, qint64 count)
{
    std::vector<std::string> rows;
    for (qint64 row = first; row < first + count && row < document->rowCount(); ++row) {
        if (row >= 0)
            rows.push_back(document->rawText(row));
    }
    return rows;
}

} // namespace

DuplicateRowsCommand::DuplicateRowsCommand(DatasetDocument *document, qint64 first, qint64 count,
                                           QUndoCommand *parent)
    : InsertRowsCommand(document, first + count, rawRowsOf(document, first, count),
                        tr("Duplicate %n row(s)", static_cast<int>(count)), parent)
{
}

RemoveRowsCommand::RemoveRowsCommand(DatasetDocument *document, qint64 row, qint64 count,
                                     QUndoCommand *parent)
    : DatasetEditCommand(document, tr("Delete %n row(s)", static_cast<int>(count)), parent), m_row(row),
      m_count(count)
{
}

void RemoveRowsCommand::redo()
{
    if (!m_done && (m_row < 0 || m_count <= 0 || m_row >= m_document->rowCount())) {
        setObsolete(true);
        return;
    }
    m_rows = m_document->takeRows(m_row, m_count);
    m_count = static_cast<qint64>(m_rows.size());
    m_done = true;
}

void RemoveRowsCommand::undo()
{
    m_document->putRows(m_row, m_rows);
}

AddColumnCommand::AddColumnCommand(DatasetDocument *document, const QString &column,
                                   nlohmann::ordered_json defaultValue, QUndoCommand *parent)
    : DatasetEditCommand(document, tr("Add column %1").arg(column), parent), m_column(column),
      m_default(std::move(defaultValue))
{
}

void AddColumnCommand::redo()
{
    if (m_done) {
        m_document->restoreColumnState(m_columnsAfter);
        return;
    }
    m_columnsBefore = m_document->columnState();
    if (!m_document->addColumn(m_column, m_default)) {
        setObsolete(true);
        return;
    }
    m_columnsAfter = m_document->columnState();
    m_done = true;
}

void AddColumnCommand::undo()
{
    m_document->restoreColumnState(m_columnsBefore);
}

RenameColumnCommand::RenameColumnCommand(DatasetDocument *document, const QString &from, const QString &to,
                                         QUndoCommand *parent)
    : DatasetEditCommand(document, tr("Rename column %1 to %2").arg(from, to), parent), m_from(from), m_to(to)
{
}

void RenameColumnCommand::redo()
{
    if (m_done) {
        m_document->restoreColumnState(m_columnsAfter);
        return;
    }
    m_columnsBefore = m_document->columnState();
    if (!m_document->renameColumn(m_from, m_to)) {
        setObsolete(true);
        return;
    }
    m_columnsAfter = m_document->columnState();
    m_done = true;
}

void RenameColumnCommand::undo()
{
    m_document->restoreColumnState(m_columnsBefore);
}

} // namespace assay::dataset
