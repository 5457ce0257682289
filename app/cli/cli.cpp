#include "app/cli/cli.h"

#include <cstring>

#include <QCoreApplication>
#include <QTextStream>

#include "app/cli/ask_command.h"
#include "app/cli/common_options.h"
#include "app/cli/dataset_command.h"
#include "app/cli/eval_command.h"
#include "app/cli/report_command.h"
#include "app/cli/runs_command.h"

namespace assay::cli {

namespace {

struct Subcommand {
    const char *name;
    const char *summary;
    int (*run)(const QStringList &arguments);
};

constexpr Subcommand kSubcommands[] = {
    {"ask", "Send one prompt and stream the answer to stdout", &runAsk},
    {"dataset", "Check an eval dataset against a schema, or convert JSONL <-> CSV", &runDataset},
    {"eval", "Run an eval locally, resume a run, import evals and runs, or export them as files",
     &runEval},
    {"runs", "List the eval runs in the workspace", &runRuns},
    {"report", "Export runs as html, pdf, md, csv, jsonl or junit (two runs: compared)", &runReportCommand},
};

void printUsage(QTextStream &out)
{
    out << "Usage: assay [COMMAND] [OPTIONS]\n\n"
           "Without a command, Assay starts its desktop workbench.\n\n"
           "Commands:\n";
    for (const auto &command : kSubcommands)
        out << "  " << QString::fromLatin1(command.name).leftJustified(10) << command.summary << '\n';
    out << "\nOptions:\n"
           "  -h, --help        Show this help (or `assay COMMAND --help`)\n"
           "  -v, --version     Show the version\n"
        << workspaceUsageLine()
        << "\n"
           "The API key comes from the profile's keychain entry or OPENAI_API_KEY.\n";
}

} // namespace

bool wantsCli(int argc, char **argv)
{
    if (argc < 2)
        return false;
    // `assay --workspace PATH COMMAND ...` names the command after the global option.
    int index = 1;
    if (!std::strcmp(argv[index], "--workspace"))
        index += 2;
    else if (!std::strncmp(argv[index], "--workspace=", 12))
        index += 1;
    if (index >= argc)
        return index > 1;
    const char *first = argv[index];
    if (!std::strcmp(first, "-h") || !std::strcmp(first, "--help") || !std::strcmp(first, "-v") ||
        !std::strcmp(first, "--version"))
        return true;
    for (const auto &command : kSubcommands) {
        if (!std::strcmp(first, command.name))
            return true;
    }
    return false;
}

int run(const QStringList &commandLine)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    QStringList arguments = commandLine;
    GlobalOptions global;
    QString problem;
    if (!takeGlobalOptions(arguments, global, &problem)) {
        err << "assay: " << problem << "\n";
        return UsageError;
    }
    setGlobalOptions(global);
    if (arguments.size() < 2) {
        printUsage(err);
        return UsageError;
    }
    const QString first = arguments.at(1);
    if (first == QLatin1String("-h") || first == QLatin1String("--help")) {
        printUsage(out);
        return Success;
    }
    if (first == QLatin1String("-v") || first == QLatin1String("--version")) {
        out << "assay " << QCoreApplication::applicationVersion() << '\n';
        return Success;
    }
    for (const auto &command : kSubcommands) {
        if (first == QLatin1String(command.name))
            return command.run(arguments.mid(1));
    }
    err << "assay: unknown command '" << first << "'\n\n";
    printUsage(err);
    return UsageError;
}

} // namespace assay::cli
