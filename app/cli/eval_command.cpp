#include "app/cli/eval_command.h"

#include <cstdio>
#include <functional>
#include <optional>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTimer>

#include "app/cli/cli.h"
#include "app/cli/common_options.h"
#include "app/cli/eval_export_command.h"
#include "app/cli/eval_import_command.h"
#include "app/cli/eval_session.h"
#include "models/eval/eval_spec.h"
#include "models/eval/python_sandbox.h"
#include "models/store/eval_store.h"
#include "models/store/workspace.h"

namespace assay::cli {

namespace {

using nlohmann::json;

constexpr auto kEvalUsage =
    "Usage: assay eval COMMAND [OPTIONS]\n"
    "\n"
    "Run evals locally: the eval is a CreateEvalRequest JSON (data_source_config, testing_criteria),\n"
    "the run a CreateEvalRunRequest JSON (data_source with input_messages, model, sampling_params,\n"
    "source). Every finished item is committed to the workspace at once.\n"
    "\n"
    "Commands:\n"
    "  run EVAL.json --run RUN.json [--data DATA.jsonl] [--model M]... [OPTIONS]\n"
    "        Sample and grade every item; one run per --model. Progress on stderr, a summary\n"
    "        table on stdout. Exit 0, 1 when a pass rate is below --fail-under, 2 on errors.\n"
    "  resume RUN_ID [OPTIONS]\n"
    "        Continue a run that did not complete (killed, canceled with Ctrl+C): only the\n"
    "        items without a result are sampled.\n"
    "  import FILE... | --from-openai [--base-url URL]\n"
    "        Import evals, runs and output items exported from the Evals API, or page them\n"
    "        from the API itself.\n"
    "  export EVAL [--version N] [--out FILE] | export --run RUN_ID|latest [--out FILE] [--eval-out FILE]\n"
    "        Write a stored eval (CreateEvalRequest) or run (CreateEvalRunRequest) back to a file\n"
    "        that `assay eval run` takes again.\n"
    "\n"
    "See `assay eval COMMAND --help` for the options.\n"
    "\n"
    "Options:\n"
    "  -h, --help        Show this help\n";

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

// The options `run` and `resume` share: the connection, pacing, cache, consent and outputs.
struct RunOptions {
    ConnectionOptions connection;
    QCommandLineOption concurrency{QStringLiteral("concurrency"),
                                   QStringLiteral("Items sampled at the same time (default 8)."),
                                   QStringLiteral("N")};
    QCommandLineOption rpm{QStringLiteral("rpm"), QStringLiteral("Requests per minute at most (default: no limit)."),
                           QStringLiteral("N")};
    QCommandLineOption tpm{QStringLiteral("tpm"), QStringLiteral("Tokens per minute at most (default: no limit)."),
                           QStringLiteral("N")};
    QCommandLineOption cache{QStringLiteral("cache"),
                             QStringLiteral("Reuse stored answers for identical requests (default: on unless "
                                            "temperature > 0).")};
    QCommandLineOption noCache{QStringLiteral("no-cache"), QStringLiteral("Always sample.")};
    QCommandLineOption allowPython{QStringLiteral("allow-python"),
                                   QStringLiteral("Allow python graders: their code runs on this machine.")};
    QCommandLineOption data{QStringLiteral("data"), QStringLiteral("Dataset (JSONL) instead of the run's source."),
                            QStringLiteral("DATA.jsonl")};
    QCommandLineOption out{QStringLiteral("out"), QStringLiteral("Write every output item (EvalRunOutputItem JSONL)."),
                           QStringLiteral("items.jsonl")};
    QCommandLineOption failUnder{QStringLiteral("fail-under"),
                                 QStringLiteral("Exit 1 when a run's pass rate is below this (0..1)."),
                                 QStringLiteral("RATE")};
    QCommandLineOption timeout{QStringLiteral("timeout"), QStringLiteral("Request timeout in seconds."),
                               QStringLiteral("S")};

    void addTo(QCommandLineParser &parser) const
    {
        connection.addTo(parser);
        parser.addOptions({concurrency, rpm, tpm, cache, noCache, allowPython, data, out, failUnder, timeout,
                           workspaceOption()});
    }

    // Fills `settings` from the parsed options; false with the problem.
    bool read(const QCommandLineParser &parser, EvalSession::Settings &settings, QString *problem) const
    {
        auto positive = [&](const QCommandLineOption &option, int &target, bool allowZero) {
            if (!parser.isSet(option))
                return true;
            bool ok = false;
            const int value = parser.value(option).toInt(&ok);
            if (!ok || value < (allowZero ? 0 : 1)) {
                *problem = QStringLiteral("--%1 must be a %2 whole number, not '%3'")
                               .arg(option.names().first(),
                                    allowZero ? QStringLiteral("non-negative") : QStringLiteral("positive"),
                                    parser.value(option));
                return false;
            }
            target = value;
            return true;
        };
        if (!positive(concurrency, settings.options.concurrency, false) ||
            !positive(rpm, settings.options.requestsPerMinute, true) ||
            !positive(tpm, settings.options.tokensPerMinute, true))
            return false;
        if (parser.isSet(cache) && parser.isSet(noCache)) {
            *problem = QStringLiteral("--cache and --no-cache contradict each other");
            return false;
        }
        if (parser.isSet(cache))
            settings.options.useCache = true;
        else if (parser.isSet(noCache))
            settings.options.useCache = false;
        settings.options.allowPython = parser.isSet(allowPython);
        if (parser.isSet(timeout)) {
            bool ok = false;
            const double seconds = parser.value(timeout).toDouble(&ok);
            if (!ok || seconds <= 0) {
                *problem = QStringLiteral("--timeout must be a positive number of seconds");
                return false;
            }
            settings.options.requestTimeoutMs = static_cast<int>(seconds * 1000);
        }
        if (parser.isSet(failUnder)) {
            bool ok = false;
            const double rate = parser.value(failUnder).toDouble(&ok);
            if (!ok || rate < 0.0 || rate > 1.0) {
                *problem = QStringLiteral("--fail-under must be a pass rate between 0 and 1, not '%1'")
                               .arg(parser.value(failUnder));
                return false;
            }
            settings.failUnder = rate;
        }
        settings.outPath = parser.value(out);
        settings.profile = connection.resolve(parser);
        return true;
    }
};

std::optional<json> readJsonFile(const QString &path, QString *problem)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *problem = QStringLiteral("%1: cannot read: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    const QByteArray bytes = file.readAll();
    try {
        return json::parse(bytes.begin(), bytes.end());
    } catch (const json::parse_error &e) {
        *problem = QStringLiteral("%1: not valid JSON: %2").arg(path, QString::fromUtf8(e.what()));
        return std::nullopt;
    }
}

void printProblems(const QString &file, const std::vector<eval::SpecProblem> &problems)
{
    for (const eval::SpecProblem &problem : problems)
        writeErr(QStringLiteral("%1: %2: %3\n")
                     .arg(file, QString::fromStdString(problem.path), QString::fromStdString(problem.message)));
}

// JSON paths of the python graders in testing criteria (multi graders' sub-graders included).
void findPythonGraders(const json &node, const std::string &path, QStringList &found)
{
    if (node.is_object()) {
        if (node.value("type", json()) == json("python"))
            found << QString::fromStdString(path);
        for (const auto &[key, value] : node.items())
            findPythonGraders(value, path + "." + key, found);
    } else if (node.is_array()) {
        for (std::size_t i = 0; i < node.size(); ++i)
            findPythonGraders(node.at(i), path + "[" + std::to_string(i) + "]", found);
    }
}

// Python graders run only with --allow-python; then say whether their network is cut off.
bool checkPythonConsent(const QString &command, const QString &file, const json &testingCriteria, bool allowed)
{
    QStringList graders;
    findPythonGraders(testingCriteria, "$.testing_criteria", graders);
    if (graders.isEmpty())
        return true;
    if (!allowed) {
        writeErr(QStringLiteral("assay eval %1: %2: %3: a python grader runs its code on this machine; "
                                "pass --allow-python to allow it\n")
                     .arg(command, file, graders.first()));
        return false;
    }
    eval::PythonSandbox sandbox;
    if (!sandbox.networkIsolationAvailable())
        writeErr(QStringLiteral("assay eval %1: warning: %2\n").arg(command, eval::PythonSandbox::isolationUnavailableMessage()));
    return true;
}

// Parses arguments; returns an exit code when done (help, usage error), nullopt to go on.
std::optional<int> parseCommon(QCommandLineParser &parser, const QStringList &arguments, const QString &command,
                               const QString &usage)
{
    if (!parser.parse(QStringList{QStringLiteral("assay")} + arguments)) {
        writeErr(QStringLiteral("assay eval %1: %2\n\n%3").arg(command, parser.errorText(), usage));
        return UsageError;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        writeOut(usage);
        return Success;
    }
    return std::nullopt;
}

// Runs `session` in the event loop with the workspace open; returns the exit code.
int runSession(store::EvalStore &store, EvalSession::Settings settings, std::vector<EvalSession::Job> jobs)
{
    EvalSession session(store, std::move(settings));
    for (EvalSession::Job &job : jobs)
        session.addJob(std::move(job));
    QTimer::singleShot(0, &session, &EvalSession::start);
    return QCoreApplication::exec();
}

QString usageFor(const QCommandLineParser &parser, const QString &synopsis, const QString &description)
{
    // QCommandLineParser's help starts with its own usage line; ours names the subcommand.
    QString help = parser.helpText();
    const qsizetype options = help.indexOf(QLatin1String("Options:"));
    if (options > 0)
        help = help.mid(options);
    return QStringLiteral("Usage: %1\n\n%2\n\n%3").arg(synopsis, description, help);
}

int runRun(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    parser.addHelpOption();
    RunOptions common;
    const QCommandLineOption runOption(QStringLiteral("run"), QStringLiteral("The run (CreateEvalRunRequest JSON); repeatable: one run per "
                                                      "prompt variant."),
                                       QStringLiteral("RUN.json"));
    const QCommandLineOption modelOption(QStringLiteral("model"),
                                         QStringLiteral("Model to sample, repeatable: one run per model "
                                                        "(default: the run's model)."),
                                         QStringLiteral("M"));
    const QCommandLineOption apiOption(QStringLiteral("api"),
                                       QStringLiteral("responses or chat (default: the run's data source)."),
                                       QStringLiteral("API"));
    parser.addOptions({runOption, modelOption, apiOption});
    common.addTo(parser);
    parser.addPositionalArgument(QStringLiteral("EVAL.json"), QStringLiteral("The eval (CreateEvalRequest JSON)."));
    const QString usage = usageFor(
        parser,
        QStringLiteral("assay eval run EVAL.json --run RUN.json... [--data DATA.jsonl] [--model M]... [OPTIONS]"),
        QStringLiteral("Samples every item of the run's data with each model, grades it with the eval's\n"
                       "testing criteria and commits each output item to the workspace. Progress goes to\n"
                       "stderr, a summary table to stdout. Ctrl+C cancels (finished items are kept).\n"
                       "Exit 0; 1 when a run's pass rate is below --fail-under; 2 on bad input, a\n"
                       "failed or canceled run, or a workspace failure.\n"
                       "The key comes from the profile's keychain entry or OPENAI_API_KEY."));
    if (auto done = parseCommon(parser, arguments, QStringLiteral("run"), usage))
        return *done;

    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1) {
        writeErr(QStringLiteral("assay eval run: expected exactly one EVAL.json\n\n%1").arg(usage));
        return UsageError;
    }
    if (!parser.isSet(runOption)) {
        writeErr(QStringLiteral("assay eval run: --run RUN.json is required\n\n%1").arg(usage));
        return UsageError;
    }
    EvalSession::Settings settings;
    QString problem;
    if (!common.read(parser, settings, &problem)) {
        writeErr(QStringLiteral("assay eval run: %1\n").arg(problem));
        return UsageError;
    }

    const QString evalPath = positional.first();
    const std::optional<json> evalJson = readJsonFile(evalPath, &problem);
    if (!evalJson) {
        writeErr(problem + QLatin1Char('\n'));
        return UsageError;
    }
    std::vector<eval::SpecProblem> problems;
    const std::optional<eval::EvalSpec> evalSpec = eval::EvalSpec::parse(*evalJson, &problems);
    if (!evalSpec) {
        printProblems(evalPath, problems);
        if (problems.empty())
            writeErr(QStringLiteral("%1: not a valid eval\n").arg(evalPath));
        return UsageError;
    }

    // Each --run file is a prompt variant and each --model a model: one run per pair, so they
    // can be compared item by item.
    struct Variant {
        eval::RunSpec spec;
        eval::LoadedItems loaded;
        QStringList models;
    };
    std::vector<Variant> variants;
    for (const QString &runPath : parser.values(runOption)) {
        const std::optional<json> runJson = readJsonFile(runPath, &problem);
        if (!runJson) {
            writeErr(problem + QLatin1Char('\n'));
            return UsageError;
        }
        problems.clear();
        std::optional<eval::RunSpec> runSpec =
            eval::RunSpec::parse(*runJson, QFileInfo(runPath).absolutePath(), &problems);
        if (!runSpec) {
            printProblems(runPath, problems);
            if (problems.empty())
                writeErr(QStringLiteral("%1: not a valid run\n").arg(runPath));
            return UsageError;
        }
        if (parser.isSet(apiOption)) {
            const QString api = parser.value(apiOption).toLower();
            if (api == QLatin1String("chat") || api == QLatin1String("completions"))
                runSpec->api = api::ApiKind::ChatCompletions;
            else if (api == QLatin1String("responses"))
                runSpec->api = api::ApiKind::Responses;
            else {
                writeErr(QStringLiteral("assay eval run: --api must be responses or chat, not '%1'\n").arg(api));
                return UsageError;
            }
        }
        QStringList models = parser.values(modelOption);
        if (models.isEmpty()) {
            if (runSpec->model.empty()) {
                writeErr(QStringLiteral("assay eval run: %1 names no model: pass --model\n").arg(runPath));
                return UsageError;
            }
            models << QString::fromStdString(runSpec->model);
        }

        eval::LoadedItems loaded = eval::loadRunItems(*runSpec, parser.value(common.data));
        if (loaded.error) {
            writeErr(QStringLiteral("assay eval run: %1\n").arg(QString::fromStdString(*loaded.error)));
            return UsageError;
        }
        if (parser.isSet(common.data)) {
            // The stored run then names the file it ran over, so `assay eval resume` finds it.
            runSpec->items = json::array();
            runSpec->itemsFile = QFileInfo(parser.value(common.data)).absoluteFilePath().toStdString();
        }
        if (loaded.items.empty()) {
            writeErr(QStringLiteral("assay eval run: the run has no items (%1)\n")
                         .arg(parser.isSet(common.data) ? parser.value(common.data) : runPath));
            return UsageError;
        }
        variants.push_back({std::move(*runSpec), std::move(loaded), models});
    }
    if (!checkPythonConsent(QStringLiteral("run"), evalPath, evalSpec->testingCriteria,
                            settings.options.allowPython))
        return UsageError;

    store::Workspace workspace;
    if (!openWorkspace(workspace, &problem)) {
        writeErr(QStringLiteral("assay eval run: %1\n").arg(problem));
        return UsageError;
    }
    store::EvalStore store(workspace);

    std::vector<EvalSession::Job> jobs;
    for (const Variant &variant : variants) {
        for (const QString &model : variant.models) {
            EvalSession::Job job;
            job.eval = *evalSpec;
            job.run = variant.spec;
            job.run.model = model.toStdString();
            job.loaded = variant.loaded;
            jobs.push_back(std::move(job));
        }
    }
    return runSession(store, std::move(settings), std::move(jobs));
}

int runResume(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    parser.addHelpOption();
    RunOptions common;
    common.addTo(parser);
    parser.addPositionalArgument(QStringLiteral("RUN_ID"), QStringLiteral("The run to continue (see `assay runs list`)."));
    const QString usage =
        usageFor(parser, QStringLiteral("assay eval resume RUN_ID [OPTIONS]"),
                 QStringLiteral("Continues an unfinished run with its stored eval and run definitions: only\n"
                                "the items without a result are sampled. The items come from the run's\n"
                                "stored source (or --data). Exit codes as for `assay eval run`."));
    if (auto done = parseCommon(parser, arguments, QStringLiteral("resume"), usage))
        return *done;
    const QStringList positional = parser.positionalArguments();
    bool ok = false;
    const qint64 runId = positional.value(0).toLongLong(&ok);
    if (positional.size() != 1 || !ok) {
        writeErr(QStringLiteral("assay eval resume: expected one RUN_ID (a number)\n\n%1").arg(usage));
        return UsageError;
    }
    EvalSession::Settings settings;
    QString problem;
    if (!common.read(parser, settings, &problem)) {
        writeErr(QStringLiteral("assay eval resume: %1\n").arg(problem));
        return UsageError;
    }

    store::Workspace workspace;
    if (!openWorkspace(workspace, &problem)) {
        writeErr(QStringLiteral("assay eval resume: %1\n").arg(problem));
        return UsageError;
    }
    store::EvalStore store(workspace);
    const std::optional<store::RunRecord> record = store.run(runId);
    if (!record) {
        writeErr(QStringLiteral("assay eval resume: there is no run %1 in %2\n").arg(runId).arg(workspacePath()));
        return UsageError;
    }
    if (record->status == QLatin1String("completed")) {
        writeErr(QStringLiteral("assay eval resume: run %1 is already complete\n").arg(runId));
        return UsageError;
    }
    const std::optional<store::EvalRecord> evalRecord = store.eval(record->evalId);
    if (evalRecord &&
        !checkPythonConsent(QStringLiteral("resume"), QStringLiteral("run %1").arg(runId),
                            evalRecord->definition.value("testing_criteria", json::array()),
                            settings.options.allowPython))
        return UsageError;

    std::vector<eval::SpecProblem> problems;
    const std::optional<eval::RunSpec> runSpec = eval::RunSpec::parse(record->runSpec, QString(), &problems);
    if (!runSpec) {
        printProblems(QStringLiteral("run %1").arg(runId), problems);
        return UsageError;
    }
    // The items come from where the run took them (its dataset file, which a --data run
    // remembers too); --data points elsewhere when that file moved.
    QString data = parser.value(common.data);
    if (data.isEmpty() && !record->datasetPath.isEmpty() && QFileInfo::exists(record->datasetPath))
        data = record->datasetPath;
    const eval::LoadedItems loaded = eval::loadRunItems(*runSpec, data);
    if (loaded.error) {
        writeErr(QStringLiteral("assay eval resume: %1\n").arg(QString::fromStdString(*loaded.error)));
        return UsageError;
    }

    std::vector<EvalSession::Job> jobs(1);
    jobs.front().resumeRunId = runId;
    jobs.front().run = *runSpec;
    jobs.front().loaded = loaded;
    return runSession(store, std::move(settings), std::move(jobs));
}

} // namespace

int runEval(const QStringList &arguments)
{
    const QString command = arguments.value(1);
    const QString usage = QString::fromLatin1(kEvalUsage) + workspaceUsageLine();
    if (command.isEmpty()) {
        writeErr(usage);
        return UsageError;
    }
    if (command == QLatin1String("-h") || command == QLatin1String("--help") || command == QLatin1String("help")) {
        writeOut(usage);
        return Success;
    }
    if (command == QLatin1String("run"))
        return runRun(arguments.mid(2));
    if (command == QLatin1String("resume"))
        return runResume(arguments.mid(2));
    if (command == QLatin1String("import"))
        return runEvalImport(arguments.mid(2));
    if (command == QLatin1String("export"))
        return runEvalExport(arguments.mid(2));
    writeErr(QStringLiteral("assay eval: unknown command '%1'\n\n%2").arg(command, usage));
    return UsageError;
}

} // namespace assay::cli
