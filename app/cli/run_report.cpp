#include "app/cli/run_report.h"

#include <QLocale>
#include <QSaveFile>

#include "app/cli/text_table.h"

namespace assay::cli {

QString exportedRunId(const store::RunRecord &run)
{
    return run.openaiId.isEmpty() ? QStringLiteral("evalrun_%1").arg(run.id) : run.openaiId;
}

QString exportedEvalId(const store::RunRecord &run, const store::EvalStore &store)
{
    const std::optional<store::EvalRecord> eval = store.eval(run.evalId);
    if (eval && !eval->openaiId.isEmpty())
        return eval->openaiId;
    return QStringLiteral("eval_%1").arg(eval ? eval->evalKey : run.evalId);
}

QString formatPassRate(const eval::RunSummary &summary)
{
    if (summary.total <= 0)
        return QStringLiteral("–");
    return QStringLiteral("%1%").arg(summary.passRate() * 100.0, 0, 'f', 1);
}

QString formatCost(const std::optional<double> &usd)
{
    if (!usd)
        return QStringLiteral("–");
    return QStringLiteral("$%1").arg(*usd, 0, 'f', *usd < 0.01 ? 6 : 4);
}

namespace {

QString formatMs(const std::optional<double> &ms)
{
    return ms ? QString::number(*ms, 'f', 0) : QStringLiteral("–");
}

} // namespace

QString summaryTable(const QList<store::RunRecord> &runs, const QList<eval::RunSummary> &summaries)
{
    using Align = TextTable::Align;
    TextTable table;
    table.addColumn(QStringLiteral("RUN"), Align::Right);
    table.addColumn(QStringLiteral("MODEL"));
    table.addColumn(QStringLiteral("STATUS"));
    table.addColumn(QStringLiteral("TOTAL"), Align::Right);
    table.addColumn(QStringLiteral("PASSED"), Align::Right);
    table.addColumn(QStringLiteral("FAILED"), Align::Right);
    table.addColumn(QStringLiteral("ERRORED"), Align::Right);
    table.addColumn(QStringLiteral("PASS RATE"), Align::Right);
    table.addColumn(QStringLiteral("P50 MS"), Align::Right);
    table.addColumn(QStringLiteral("P95 MS"), Align::Right);
    table.addColumn(QStringLiteral("TOKENS"), Align::Right);
    table.addColumn(QStringLiteral("EST. COST"), Align::Right);
    table.addColumn(QStringLiteral("CACHED"), Align::Right); // items answered from the response cache

    TextTable criteria;
    criteria.addColumn(QStringLiteral("RUN"), Align::Right);
    criteria.addColumn(QStringLiteral("CRITERION"));
    criteria.addColumn(QStringLiteral("PASSED"), Align::Right);
    criteria.addColumn(QStringLiteral("FAILED"), Align::Right);
    criteria.addColumn(QStringLiteral("PASS RATE"), Align::Right);

    for (qsizetype i = 0; i < runs.size() && i < summaries.size(); ++i) {
        const store::RunRecord &run = runs.at(i);
        const eval::RunSummary &s = summaries.at(i);
        qint64 tokens = 0;
        for (const auto &usage : s.perModelUsage)
            tokens += usage.totalTokens;
        table.addRow({QString::number(run.id), run.model, run.status, QString::number(s.total),
                      QString::number(s.passed), QString::number(s.failed), QString::number(s.errored),
                      formatPassRate(s), formatMs(s.latencyP50Ms), formatMs(s.latencyP95Ms),
                      QString::number(tokens), formatCost(s.estimatedCostUsd), QString::number(s.cacheHits)});
        for (const auto &criterion : s.perCriterion) {
            const qint64 graded = criterion.passed + criterion.failed;
            criteria.addRow({QString::number(run.id), QString::fromStdString(criterion.name),
                             QString::number(criterion.passed), QString::number(criterion.failed),
                             graded > 0 ? QStringLiteral("%1%").arg(100.0 * static_cast<double>(criterion.passed) /
                                                                        static_cast<double>(graded),
                                                                    0, 'f', 1)
                                        : QStringLiteral("–")});
        }
    }
    QString text = table.toString();
    if (!criteria.isEmpty())
        text += QLatin1Char('\n') + criteria.toString();
    return text;
}

bool writeOutputItems(const store::EvalStore &store, const QList<store::RunRecord> &runs, const QString &path,
                      qint64 *written, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    qint64 count = 0;
    for (const store::RunRecord &run : runs) {
        const QString runId = exportedRunId(run);
        const QString evalId = exportedEvalId(run, store);
        for (const store::OutputItemRecord &item : store.items(run.id, store::EvalStore::ItemFields::WithoutRawExchanges)) {
            const std::string line = item.toOutputItemJson(runId, evalId).dump(-1, ' ', false,
                                                                                nlohmann::json::error_handler_t::replace) +
                                     '\n';
            if (file.write(line.data(), static_cast<qint64>(line.size())) != static_cast<qint64>(line.size())) {
                *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
                file.cancelWriting();
                return false;
            }
            ++count;
        }
    }
    if (!file.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    *written = count;
    return true;
}

} // namespace assay::cli
