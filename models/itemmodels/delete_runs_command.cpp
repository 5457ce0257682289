#include "models/itemmodels/delete_runs_command.h"

#include <utility>

#include <QCoreApplication>

namespace assay::itemmodels {

namespace {

QString commandText(store::EvalStore *store, const QList<qint64> &ids)
{
    if (ids.size() == 1 && store) {
        if (const std::optional<store::RunRecord> run = store->run(ids.front()); run && !run->name.isEmpty())
            return QCoreApplication::translate("DeleteRunsCommand", "Delete run “%1”").arg(run->name);
    }
    return QCoreApplication::translate("DeleteRunsCommand", "Delete %n run(s)", nullptr, static_cast<int>(ids.size()));
}

} // namespace

DeleteRunsCommand::DeleteRunsCommand(store::EvalStore *store, store::VerdictStore *verdicts, QList<qint64> runIds,
                                     QUndoCommand *parent)
    : QUndoCommand(commandText(store, runIds), parent), m_store(store), m_verdicts(verdicts), m_runIds(std::move(runIds))
{
}

void DeleteRunsCommand::redo()
{
    m_error.clear();
    m_saved.clear();
    if (!m_store) {
        setObsolete(true);
        return;
    }
    for (const qint64 id : std::as_const(m_runIds)) {
        std::optional<store::RunRecord> run = m_store->run(id);
        if (!run)
            continue;
        Saved saved;
        saved.run = std::move(*run);
        saved.items = m_store->items(id);
        if (m_verdicts)
            saved.verdicts = m_verdicts->verdicts(id);
        QString error;
        if (!m_store->deleteRun(id, &error)) {
            m_error = error;
            continue;
        }
        m_saved.push_back(std::move(saved));
    }
    if (m_saved.empty())
        setObsolete(true);
}

void DeleteRunsCommand::undo()
{
    m_error.clear();
    // Under their old ids, so everything that names a run by id (selections, verdicts, reports,
    // other commands on the stack) still finds it.
    for (Saved &saved : m_saved) {
        QString error;
        if (!m_store->restoreRun(saved.run, saved.items, &error)) {
            m_error = error;
            continue;
        }
        if (m_verdicts && !saved.verdicts.isEmpty() && !m_verdicts->restoreVerdicts(saved.verdicts, &error))
            m_error = error;
    }
    m_saved.clear();
}

} // namespace assay::itemmodels
