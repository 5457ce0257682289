#include "app/cli/eval_import_command.h"

#include <algorithm>
#include <cstdio>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTimer>

#include "app/cli/cli.h"
#include "app/cli/common_options.h"
#include "app/cli/interrupt_watcher.h"
#include "models/api/api_client.h"
#include "models/api/secret_store.h"
#include "models/eval/eval_import.h"
#include "models/eval/openai_evals_importer.h"
#include "models/store/eval_store.h"
#include "models/store/workspace.h"

namespace assay::cli {

namespace {

void writeOut(const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    std::fwrite(utf8.constData(), 1, static_cast<size_t>(utf8.size()), stdout);
    std::fflush(stdout);
}

void writeErr(const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    std::fwrite(utf8.constData(), 1, static_cast<size_t>(utf8.size()), stderr);
    std::fflush(stderr);
}

// Problems on stderr, the counts on stdout; exit 2 when anything could not be imported.
int printReport(const eval::ImportReport &report)
{
    for (const eval::ImportProblem &problem : report.problems)
        writeErr(QString::fromStdString(problem.toString()) + QLatin1Char('\n'));
    if (!report.error.empty())
        writeErr(QStringLiteral("assay eval import: %1\n").arg(QString::fromStdString(report.error)));
    writeOut(QString::fromStdString(report.summary()) + QLatin1Char('\n'));
    if (report.unchanged > 0)
        writeOut(QStringLiteral("%1 already in the workspace\n").arg(report.unchanged));
    return report.hasErrors() || !report.error.empty() || report.cancelled ? UsageError : Success;
}

} // namespace

int runEvalImport(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    parser.addHelpOption();
    ConnectionOptions connection;
    const QCommandLineOption fromOpenAi(QStringLiteral("from-openai"),
                                       QStringLiteral("Page evals, runs and output items from the Evals API "
                                                      "(GET /evals ...) instead of reading files."));
    const QCommandLineOption evalOption(QStringLiteral("eval"),
                                        QStringLiteral("With --from-openai: only this eval id (repeatable)."),
                                        QStringLiteral("ID"));
    parser.addOptions({fromOpenAi, evalOption});
    connection.addTo(parser);
    parser.addOption(workspaceOption());
    parser.addPositionalArgument(QStringLiteral("FILE"),
                                 QStringLiteral("Exported eval, eval.run or eval.run.output_item objects: "
                                                "JSON (one object, a list page or an array) or JSONL."),
                                 QStringLiteral("FILE..."));
    QString help = parser.helpText();
    help = help.mid(std::max<qsizetype>(0, help.indexOf(QLatin1String("Options:"))));
    const QString usage =
        QStringLiteral("Usage: assay eval import FILE... | --from-openai [--base-url URL] [--eval ID]...\n\n"
                       "Stores evals, runs and output items exported from the Evals API in the workspace\n"
                       "(evals first, whatever the order given). Importing the same objects again adds\n"
                       "no duplicates. Counts go to stdout, problems to stderr (FILE:LINE or JSON path).\n"
                       "Exit 0, or 2 when something could not be imported.\n\n") +
        help;

    if (!parser.parse(QStringList{QStringLiteral("assay")} + arguments)) {
        writeErr(QStringLiteral("assay eval import: %1\n\n%2").arg(parser.errorText(), usage));
        return UsageError;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        writeOut(usage);
        return Success;
    }
    const QStringList files = parser.positionalArguments();
    const bool remote = parser.isSet(fromOpenAi);
    if (remote == !files.isEmpty()) {
        writeErr(QStringLiteral("assay eval import: give FILE... or --from-openai (not both)\n\n%1").arg(usage));
        return UsageError;
    }

    store::Workspace workspace;
    QString problem;
    if (!openWorkspace(workspace, &problem)) {
        writeErr(QStringLiteral("assay eval import: %1\n").arg(problem));
        return UsageError;
    }
    store::EvalStore store(workspace);

    if (!remote)
        return printReport(eval::importFiles(files, store));

    const api::Profile profile = connection.resolve(parser);
    api::SecretStore secrets;
    api::ApiClient client;
    eval::OpenAiEvalsImporter importer(client, store);
    InterruptWatcher interrupts;
    QObject::connect(&interrupts, &InterruptWatcher::interrupted, &importer, [&](int count) {
        if (count >= 2 || !importer.isRunning()) {
            QCoreApplication::exit(UsageError);
            return;
        }
        writeErr(QStringLiteral("assay eval import: canceling; what was fetched is kept\n"));
        importer.cancel();
    });
    QElapsedTimer sincePrint;
    QObject::connect(&importer, &eval::OpenAiEvalsImporter::progressed, &importer,
                     [&](const QString &stage, int evals, int runs, int items) {
                         if (sincePrint.isValid() && sincePrint.elapsed() < 2000)
                             return;
                         sincePrint.start();
                         writeErr(QStringLiteral("%1 (%2 evals, %3 runs, %4 items so far)\n")
                                      .arg(stage)
                                      .arg(evals)
                                      .arg(runs)
                                      .arg(items));
                     });
    QObject::connect(&importer, &eval::OpenAiEvalsImporter::finished, &importer,
                     [](const eval::ImportReport &report) { QCoreApplication::exit(printReport(report)); });
    const QStringList evalIds = parser.values(evalOption);
    QTimer::singleShot(0, &importer, [&] {
        secrets.readKey(profile, [&](const QString &key, const QString &keyProblem) {
            if (key.isEmpty() && profileNeedsKey(profile)) {
                writeErr(missingKeyMessage(QStringLiteral("eval import"), profile, keyProblem));
                QCoreApplication::exit(UsageError);
                return;
            }
            writeErr(QStringLiteral("Importing from %1\n").arg(profile.baseUrl));
            importer.start(profile, key, evalIds);
        });
    });
    return QCoreApplication::exec();
}

} // namespace assay::cli
