#pragma once

#include <QList>
#include <QPointer>
#include <QString>
#include <QUndoCommand>

#include "models/store/eval_store.h"

namespace assay::itemmodels {

// Deletes runs with undo by moving them to the workspace's trash (EvalStore::trashRun): one row
// changes per run however many items it has, so neither delete nor undo reads items, and undo
// brings each run back under the same id with the same fields, items and human verdicts.
// runIds() therefore never changes.
//
// The runs leave the trash for good when the command leaves the undo stack while they are in it
// (the stack is cleared or closed); runs a crash left in the trash are purged by whoever next
// opens the workspace for the Results panel (EvalStore::purgeTrash()).
// A command that found none of its runs is obsolete: QUndoStack::push() drops it.
class DeleteRunsCommand : public QUndoCommand {
public:
    DeleteRunsCommand(store::EvalStore *store, QList<qint64> runIds, QUndoCommand *parent = nullptr);
    ~DeleteRunsCommand() override;

    void redo() override;
    void undo() override;

    QList<qint64> runIds() const { return m_runIds; }
    QString lastError() const { return m_error; } // empty when the last redo/undo went through

private:
    QPointer<store::EvalStore> m_store;
    QList<qint64> m_runIds;
    QList<qint64> m_trashed; // what the last redo moved to the trash; empty after undo
    QString m_error;
};

} // namespace assay::itemmodels
