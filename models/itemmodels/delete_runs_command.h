#pragma once

#include <vector>

#include <QList>
#include <QString>
#include <QUndoCommand>

#include "models/store/eval_store.h"
#include "models/store/verdict_store.h"

namespace assay::itemmodels {

// Deletes runs (with their items and human verdicts) so that undo brings them back. EvalStore
// cannot re-insert a run under its old id, so undo re-creates each run (same fields, created_at
// kept, so it returns to its place in the list) under a new id and commits its items and verdicts
// to it; runIds() then names the runs as they are now, and a later redo deletes those.
//
// The deleted runs are held in memory (items as JSON) while the command is on the stack.
// A command that found none of its runs is obsolete: QUndoStack::push() drops it.
class DeleteRunsCommand : public QUndoCommand {
public:
    DeleteRunsCommand(store::EvalStore *store, store::VerdictStore *verdicts, QList<qint64> runIds,
                      QUndoCommand *parent = nullptr);

    void redo() override;
    void undo() override;

    QList<qint64> runIds() const { return m_runIds; }
    QString lastError() const { return m_error; } // empty when the last redo/undo went through

private:
    struct Saved {
        qint64 position = 0; // index in m_runIds
        store::RunRecord run;
        std::vector<store::OutputItemRecord> items;
        QList<store::HumanVerdict> verdicts;
    };

    store::EvalStore *m_store;
    store::VerdictStore *m_verdicts;
    QList<qint64> m_runIds;
    std::vector<Saved> m_saved;
    QString m_error;
};

} // namespace assay::itemmodels
