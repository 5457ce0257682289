#include "models/itemmodels/delete_runs_command.h"

#include <algorithm>

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
    for (qsizetype i = 0; i < m_runIds.size(); ++i) {
        const qint64 id = m_runIds[i];
        std::optional<store::RunRecord> run = m_store->run(id);
        if (!run)
            continue;
        Saved saved;
        saved.position = i;
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
    // By old id, so runs created in the same millisecond come back in their old order.
    std::vector<Saved *> order;
    for (Saved &saved : m_saved)
        order.push_back(&saved);
    std::sort(order.begin(), order.end(), [](const Saved *a, const Saved *b) { return a->run.id < b->run.id; });
    for (Saved *entry : order) {
        Saved &saved = *entry;
        QString error;
        const std::optional<qint64> id = m_store->createRun(saved.run, &error);
        if (!id) {
            m_error = error;
            continue;
        }
        for (store::OutputItemRecord &item : saved.items) {
            item.runId = *id;
            if (!m_store->commitItem(item, &error))
                m_error = error;
        }
        if (m_verdicts && !saved.verdicts.isEmpty()) {
            for (store::HumanVerdict &verdict : saved.verdicts)
                verdict.runId = *id;
            if (!m_verdicts->restoreVerdicts(saved.verdicts, &error))
                m_error = error;
        }
        m_runIds[saved.position] = *id;
    }
    m_saved.clear();
}

} // namespace assay::itemmodels
