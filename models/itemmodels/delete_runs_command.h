#pragma once

#include <vector>

#include <QList>
#include <QString>
#include <QUndoCommand>

#include "models/store/eval_store.h"
#include "models/store/verdict_store.h"

namespace assay::itemmodels {

// Deletes runs (with their items and human verdicts) so that undo brings them back under the
// same ids, with the same fields, items and verdicts (EvalStore::restoreRun, one transaction per
// run). runIds() therefore never changes.
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
