#include "app/cli/report_command.h"

#include <cstdio>
#include <cstring>

#include <QCommandLineParser>

#include "app/cli/cli.h"
#include "app/cli/common_options.h"
#include "models/report/report_format.h"
#include "models/report/report_input.h"
#include "models/report/report_writer.h"
#include "models/store/eval_store.h"
#include "models/store/workspace.h"

namespace assay::cli {

namespace {

constexpr auto kReportUsage =
    "Usage: assay report RUN [RUN2] [--format FORMAT] --out FILE\n"
    "\n"
    "Exports the results of an eval run, or compares two runs of an eval (RUN is the base,\n"
    "RUN2 the run compared with it: regressions, improvements, score deltas).\n"
    "RUN is a run id from `assay runs list`, `latest` (the newest run) or `latest~N`.\n"
    "\n"
    "Options:\n"
    "  --format FORMAT   html, pdf, md, csv, jsonl or junit (default: from the --out extension)\n"
    "  --out FILE        Where to write the report (`-` for stdout; not for pdf)\n"
    "  --max-items N     HTML/PDF: detail at most N failing items per run (default 500)\n"
    "  -h, --help        Show this help\n";

void write(FILE *stream, const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    std::fwrite(utf8.constData(), 1, static_cast<size_t>(utf8.size()), stream);
    std::fflush(stream);
}

QString usage()
{
    return QString::fromLatin1(kReportUsage) + workspaceUsageLine();
}

int fail(const QString &message, int code)
{
    write(stderr, QStringLiteral("assay report: %1\n").arg(message));
    return code;
}

} // namespace

bool reportNeedsGuiApplication(int argc, char **argv)
{
    bool report = false;
    for (int i = 1; i < argc; ++i) {
        const char *arg = argv[i];
        if (!report) {
            if (!std::strcmp(arg, "--workspace")) {
                ++i;
                continue;
            }
            if (!std::strncmp(arg, "--workspace=", 12))
                continue;
            if (std::strcmp(arg, "report") != 0)
                return false;
            report = true;
            continue;
        }
        const QString value = QString::fromLocal8Bit(arg).toLower();
        if (value == QLatin1String("--format=pdf") || value.endsWith(QLatin1String(".pdf")))
            return true;
        if ((value == QLatin1String("--format")) && i + 1 < argc &&
            QString::fromLocal8Bit(argv[i + 1]).toLower() == QLatin1String("pdf"))
            return true;
    }
    return false;
}

int runReportCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption helpOption({QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Help"));
    const QCommandLineOption formatOption(QStringLiteral("format"), QStringLiteral("Report format"),
                                          QStringLiteral("FORMAT"));
    const QCommandLineOption outOption({QStringLiteral("o"), QStringLiteral("out")}, QStringLiteral("Output file"),
                                       QStringLiteral("FILE"));
    const QCommandLineOption maxItemsOption(QStringLiteral("max-items"), QStringLiteral("Detailed items"),
                                            QStringLiteral("N"));
    parser.addOptions({helpOption, formatOption, outOption, maxItemsOption});
    if (!parser.parse(QStringList{QStringLiteral("assay")} + arguments.mid(1))) {
        write(stderr, QStringLiteral("assay report: %1\n\n%2").arg(parser.errorText(), usage()));
        return UsageError;
    }
    if (parser.isSet(helpOption)) {
        write(stdout, usage());
        return Success;
    }
    const QStringList runs = parser.positionalArguments();
    if (runs.isEmpty()) {
        write(stderr, QStringLiteral("assay report: name a run (an id from `assay runs list`, or latest)\n\n") + usage());
        return UsageError;
    }
    if (runs.size() > 2)
        return fail(QStringLiteral("a report shows one run or compares two; %1 were given").arg(runs.size()), UsageError);
    if (!parser.isSet(outOption))
        return fail(QStringLiteral("--out FILE is required (`--out -` writes to stdout)"), UsageError);
    const QString out = parser.value(outOption);

    std::optional<report::ReportFormat> format;
    if (parser.isSet(formatOption)) {
        format = report::reportFormatFromName(parser.value(formatOption));
        if (!format) {
            return fail(QStringLiteral("unknown format '%1' (use %2)")
                            .arg(parser.value(formatOption), report::reportFormatNames().join(QStringLiteral(", "))),
                        UsageError);
        }
    } else {
        format = out == QLatin1String("-") ? std::nullopt : report::reportFormatForPath(out);
        if (!format)
            return fail(QStringLiteral("say which --format (%1)").arg(report::reportFormatNames().join(QStringLiteral(", "))),
                        UsageError);
    }
    if (out == QLatin1String("-") && *format == report::ReportFormat::Pdf)
        return fail(QStringLiteral("a PDF cannot go to stdout: give --out FILE.pdf"), UsageError);

    report::ReportOptions options;
    if (parser.isSet(maxItemsOption)) {
        bool ok = false;
        options.maxDetailedItems = parser.value(maxItemsOption).toInt(&ok);
        if (!ok || options.maxDetailedItems < 0)
            return fail(QStringLiteral("--max-items needs a number >= 0"), UsageError);
    }

    store::Workspace workspace;
    QString problem;
    if (!openWorkspace(workspace, &problem))
        return fail(problem, UsageError);
    store::EvalStore store(workspace);
    std::optional<report::ReportInput> input = report::loadReportInput(store, runs, &problem);
    if (!input)
        return fail(problem, UsageError);

    if (out == QLatin1String("-")) {
        const QByteArray bytes = report::renderReport(*input, *format, options, &problem);
        if (!problem.isEmpty())
            return fail(problem, Failure);
        std::fwrite(bytes.constData(), 1, static_cast<size_t>(bytes.size()), stdout);
        std::fflush(stdout);
        return Success;
    }
    if (!report::writeReport(*input, *format, out, options, &problem))
        return fail(problem, Failure);
    qint64 items = 0;
    QStringList ids;
    for (const report::ReportRun &run : input->runs) {
        items += static_cast<qint64>(run.items.size());
        ids.append(report::exportedRunId(run.run));
    }
    write(stderr, QStringLiteral("Wrote the %1 report of %2 (%3 items) to %4\n")
                      .arg(report::reportFormatName(*format), ids.join(QStringLiteral(" vs ")),
                           QString::number(items), out));
    return Success;
}

} // namespace assay::cli
