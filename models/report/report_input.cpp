#include "models/report/report_input.h"

#include <algorithm>

namespace assay::report {

QString exportedRunId(const store::RunRecord &run)
{
    return run.openaiId.isEmpty() ? QStringLiteral("evalrun_%1").arg(run.id) : run.openaiId;
}

QString exportedEvalId(const store::EvalRecord &eval, const store::RunRecord &run)
{
    if (!eval.openaiId.isEmpty())
        return eval.openaiId;
    return QStringLiteral("eval_%1").arg(eval.id > 0 ? eval.evalKey : run.evalId);
}

namespace {

std::optional<store::RunRecord> resolve(const store::EvalStore &store, const QString &reference, QString *error)
{
    const QString ref = reference.trimmed();
    if (ref == QLatin1String("latest") || ref.startsWith(QLatin1String("latest~"))) {
        qsizetype back = 0;
        if (ref.size() > 7) {
            bool ok = false;
            back = ref.mid(7).toLongLong(&ok);
            if (!ok || back < 0) {
                *error = QStringLiteral("'%1' is not a run: use latest, latest~1, latest~2...").arg(reference);
                return std::nullopt;
            }
        }
        const QList<store::RunRecord> runs = store.runs(); // newest first
        if (back >= runs.size()) {
            *error = runs.isEmpty() ? QStringLiteral("there are no runs in the workspace")
                                    : QStringLiteral("'%1': the workspace has only %2 run(s)").arg(reference, QString::number(runs.size()));
            return std::nullopt;
        }
        return runs.at(back);
    }
    bool ok = false;
    qint64 id = ref.toLongLong(&ok);
    if (!ok && ref.startsWith(QLatin1String("evalrun_"))) {
        id = ref.mid(8).toLongLong(&ok);
        if (!ok) {
            if (auto run = store.runByOpenAiId(ref))
                return run;
        }
    }
    if (ok && id > 0) {
        if (auto run = store.run(id))
            return run;
    } else if (!ok) {
        if (auto run = store.runByOpenAiId(ref))
            return run;
    }
    *error = QStringLiteral("no run '%1' in the workspace (see `assay runs list`)").arg(reference);
    return std::nullopt;
}

} // namespace

std::optional<store::RunRecord> resolveRunReference(const store::EvalStore &store, const QString &reference,
                                                    QString *error)
{
    QString problem;
    std::optional<store::RunRecord> run = resolve(store, reference, &problem);
    if (!run && error)
        *error = problem;
    return run;
}

std::optional<ReportInput> loadReportInput(const store::EvalStore &store, const QStringList &references,
                                           QString *error)
{
    QString problem;
    ReportInput input;
    for (const QString &reference : references) {
        std::optional<store::RunRecord> run = resolve(store, reference, &problem);
        if (!run) {
            if (error)
                *error = problem;
            return std::nullopt;
        }
        ReportRun entry;
        entry.run = *run;
        if (std::optional<store::EvalRecord> eval = store.eval(run->evalId))
            entry.eval = *eval;
        entry.items = store.items(run->id, store::EvalStore::ItemFields::WithoutRawExchanges);
        std::stable_sort(entry.items.begin(), entry.items.end(),
                         [](const auto &l, const auto &r) { return l.datasourceItemId < r.datasourceItemId; });
        input.runs.push_back(std::move(entry));
    }
    return input;
}

} // namespace assay::report
