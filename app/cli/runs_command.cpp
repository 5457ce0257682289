#include "app/cli/runs_command.h"

#include <cstdio>

#include <QCommandLineParser>

#include "app/cli/cli.h"
#include "app/cli/common_options.h"
#include "app/cli/run_report.h"
#include "app/cli/text_table.h"
#include "models/eval/run_summary.h"
#include "models/store/eval_store.h"
#include "models/store/workspace.h"

namespace assay::cli {

namespace {

using nlohmann::json;

constexpr auto kRunsUsage = "Usage: assay runs COMMAND [OPTIONS]\n"
                            "\n"
                            "Commands:\n"
                            "  list [--json]  The eval runs in the workspace, newest first: id, eval, model,\n"
                            "                 status, pass rate, items, created. --json prints a JSON array.\n"
                            "\n"
                            "Options:\n"
                            "  -h, --help        Show this help\n";

void write(FILE *stream, const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    std::fwrite(utf8.constData(), 1, static_cast<size_t>(utf8.size()), stream);
    std::fflush(stream);
}

QString usage()
{
    return QString::fromLatin1(kRunsUsage) + workspaceUsageLine();
}

int runList(const QStringList &arguments)
{
    QCommandLineParser parser;
    const QCommandLineOption helpOption({QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Help"));
    const QCommandLineOption jsonOption(QStringLiteral("json"), QStringLiteral("Print JSON"));
    parser.addOptions({helpOption, jsonOption});
    if (!parser.parse(QStringList{QStringLiteral("assay")} + arguments)) {
        write(stderr, QStringLiteral("assay runs list: %1\n\n%2").arg(parser.errorText(), usage()));
        return UsageError;
    }
    if (parser.isSet(helpOption)) {
        write(stdout, usage());
        return Success;
    }
    if (!parser.positionalArguments().isEmpty()) {
        write(stderr, QStringLiteral("assay runs list: unexpected argument '%1'\n")
                          .arg(parser.positionalArguments().first()));
        return UsageError;
    }

    store::Workspace workspace;
    QString problem;
    if (!openWorkspace(workspace, &problem)) {
        write(stderr, QStringLiteral("assay runs list: %1\n").arg(problem));
        return UsageError;
    }
    store::EvalStore store(workspace);
    const QList<store::RunRecord> runs = store.runs();

    QHash<qint64, QString> evalNames;
    auto evalName = [&](qint64 evalId) {
        auto it = evalNames.find(evalId);
        if (it == evalNames.end()) {
            const std::optional<store::EvalRecord> record = store.eval(evalId);
            it = evalNames.insert(evalId, record ? record->name : QString());
        }
        return it.value();
    };

    if (parser.isSet(jsonOption)) {
        json list = json::array();
        for (const store::RunRecord &run : runs) {
            const eval::RunSummary summary =
                run.summary.is_object() ? eval::RunSummary::fromJson(run.summary) : eval::RunSummary{};
            json entry{{"id", run.id},
                       {"eval_id", run.evalId},
                       {"eval_name", evalName(run.evalId).toStdString()},
                       {"name", run.name.toStdString()},
                       {"model", run.model.toStdString()},
                       {"api", run.api.toStdString()},
                       {"status", run.status.toStdString()},
                       {"source", run.source.toStdString()},
                       {"total_items", run.totalItems},
                       {"finished_items", store.finishedItemIds(run.id).size()},
                       {"result_counts",
                        {{"total", summary.total},
                         {"passed", summary.passed},
                         {"failed", summary.failed},
                         {"errored", summary.errored}}},
                       {"pass_rate", summary.total > 0 ? json(summary.passRate()) : json()},
                       {"created_at", run.createdAt.toUTC().toString(Qt::ISODate).toStdString()}};
            if (!run.openaiId.isEmpty())
                entry["openai_id"] = run.openaiId.toStdString();
            if (run.finishedAt.isValid())
                entry["finished_at"] = run.finishedAt.toUTC().toString(Qt::ISODate).toStdString();
            list.push_back(std::move(entry));
        }
        write(stdout, QString::fromStdString(list.dump(2, ' ', false, json::error_handler_t::replace)) +
                          QLatin1Char('\n'));
        return Success;
    }

    if (runs.isEmpty()) {
        write(stdout, QStringLiteral("No runs in %1\n").arg(workspacePath()));
        return Success;
    }
    using Align = TextTable::Align;
    TextTable table;
    table.addColumn(QStringLiteral("ID"), Align::Right);
    table.addColumn(QStringLiteral("EVAL"));
    table.addColumn(QStringLiteral("RUN"));
    table.addColumn(QStringLiteral("MODEL"));
    table.addColumn(QStringLiteral("STATUS"));
    table.addColumn(QStringLiteral("PASS RATE"), Align::Right);
    table.addColumn(QStringLiteral("ITEMS"), Align::Right);
    table.addColumn(QStringLiteral("CREATED"));
    for (const store::RunRecord &run : runs) {
        const eval::RunSummary summary =
            run.summary.is_object() ? eval::RunSummary::fromJson(run.summary) : eval::RunSummary{};
        const qint64 finished = store.finishedItemIds(run.id).size();
        const QString items = finished == run.totalItems || run.totalItems <= 0
                                  ? QString::number(finished)
                                  : QStringLiteral("%1/%2").arg(finished).arg(run.totalItems);
        QString status = run.status;
        if (run.source == QLatin1String("imported"))
            status += QStringLiteral(" (imported)");
        table.addRow({QString::number(run.id), evalName(run.evalId), run.name, run.model, status,
                      formatPassRate(summary), items,
                      run.createdAt.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"))});
    }
    write(stdout, table.toString());
    return Success;
}

} // namespace

int runRuns(const QStringList &arguments)
{
    const QString command = arguments.value(1);
    if (command.isEmpty()) {
        write(stderr, usage());
        return UsageError;
    }
    if (command == QLatin1String("-h") || command == QLatin1String("--help") || command == QLatin1String("help")) {
        write(stdout, usage());
        return Success;
    }
    if (command == QLatin1String("list") || command == QLatin1String("ls"))
        return runList(arguments.mid(2));
    write(stderr, QStringLiteral("assay runs: unknown command '%1'\n\n%2").arg(command, usage()));
    return UsageError;
}

} // namespace assay::cli
