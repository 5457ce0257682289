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

DeleteRunsCommand::DeleteRunsCommand(store::EvalStore *store, QList<qint64> runIds, QUndoCommand *parent)
    : QUndoCommand(commandText(store, runIds), parent), m_store(store), m_runIds(std::move(runIds))
{
}

DeleteRunsCommand::~DeleteRunsCommand()
{
    // Off the stack while its runs are trashed: nothing can bring them back any more.
    if (!m_store)
        return;
    for (const qint64 id : std::as_const(m_trashed))
        m_store->purgeTrash(id);
}

void DeleteRunsCommand::redo()
{
    m_error.clear();
    m_trashed.clear();
    if (!m_store) {
        setObsolete(true);
        return;
    }
    for (const qint64 id : std::as_const(m_runIds)) {
        if (!m_store->run(id))
            continue; // already gone: nothing to delete or to bring back
        QString error;
        if (!m_store->trashRun(id, &error)) {
            m_error = error;
            continue;
        }
        m_trashed.append(id);
    }
    if (m_trashed.isEmpty())
        setObsolete(true);
}

void DeleteRunsCommand::undo()
{
    m_error.clear();
    if (!m_store)
        return;
    // Under their old ids, so everything that names a run by id (selections, verdicts, reports,
    // other commands on the stack) still finds it.
    for (const qint64 id : std::as_const(m_trashed)) {
        QString error;
        if (!m_store->untrashRun(id, &error))
            m_error = error;
    }
    m_trashed.clear();
}

} // namespace assay::itemmodels
