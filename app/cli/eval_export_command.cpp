#include "app/cli/eval_export_command.h"

#include <cstdio>
#include <optional>

#include <QCommandLineParser>
#include <QSaveFile>

#include "app/cli/cli.h"
#include "app/cli/common_options.h"
#include "app/cli/eval_command.h"
#include "models/eval/eval_spec.h"
#include "models/report/report_input.h"
#include "models/store/eval_store.h"
#include "models/store/workspace.h"

namespace assay::cli {

namespace {

using nlohmann::json;

constexpr auto kExportUsage =
    "Usage: assay eval export EVAL [--version N] [--out eval.json]\n"
    "       assay eval export --run RUN [--out run.json] [--eval-out eval.json]\n"
    "\n"
    "Writes a stored eval as a CreateEvalRequest body, or a run as the CreateEvalRunRequest body it\n"
    "ran with (model, sampling_params, input_messages; items inline or the file they came from), so\n"
    "that `assay eval run eval.json --run run.json` runs the same thing again.\n"
    "EVAL is an eval's name, its local id (`eval_N` as reports name it, or a version's number from\n"
    "`assay runs list --json`) or its OpenAI id; RUN is a run id from `assay runs list` or `latest`.\n"
    "\n"
    "Options:\n"
    "  --version N       The eval's version N (default: the latest)\n"
    "  --run RUN         Export this run's definition instead of an eval\n"
    "  --out FILE        Where to write (default: stdout)\n"
    "  --eval-out FILE   With --run: also write the eval version the run used\n"
    "  -h, --help        Show this help\n";

void write(FILE *stream, const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    std::fwrite(utf8.constData(), 1, static_cast<size_t>(utf8.size()), stream);
    std::fflush(stream);
}

QString usage()
{
    return QString::fromLatin1(kExportUsage) + workspaceUsageLine();
}

int fail(const QString &message)
{
    write(stderr, QStringLiteral("assay eval export: %1\n").arg(message));
    return UsageError;
}

// nlohmann::json keeps object keys sorted, so the same definition always gives the same bytes.
QByteArray fileBytes(const json &body)
{
    return QByteArray::fromStdString(body.dump(2, ' ', false, json::error_handler_t::replace)) + '\n';
}

// To a temporary file renamed over `path` at the end: a crash never leaves half a definition.
bool writeFile(const QString &path, const QByteArray &bytes, QString *error)
{
    if (path.isEmpty() || path == QLatin1String("-")) {
        std::fwrite(bytes.constData(), 1, static_cast<size_t>(bytes.size()), stdout);
        std::fflush(stdout);
        return true;
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

// The eval an EVAL argument names (any version of it); nullopt with the reason.
std::optional<store::EvalRecord> findEval(const store::EvalStore &store, const QString &reference, QString *error)
{
    const QString ref = reference.trimmed();
    if (auto byOpenAi = store.evalByOpenAiId(ref))
        return byOpenAi;
    if (auto byName = store.latestEval(ref))
        return byName;
    bool ok = false;
    if (ref.startsWith(QLatin1String("eval_"))) {
        // Reports and exported items name a local eval eval_<key>: the key all its versions share.
        const qint64 key = ref.mid(5).toLongLong(&ok);
        if (ok) {
            const QList<store::EvalRecord> versions = store.versions(key);
            if (!versions.isEmpty())
                return versions.last();
        }
    } else {
        const qint64 id = ref.toLongLong(&ok);
        if (ok) {
            if (auto record = store.eval(id))
                return record;
        }
    }
    *error = QStringLiteral("no eval '%1' in the workspace").arg(reference);
    return std::nullopt;
}

// The stored definition as a clean CreateEvalRequest (an imported Eval object loses its id,
// object and created_at); nullopt with the reason when it is not one.
std::optional<json> evalBody(const store::EvalRecord &record, QString *error)
{
    std::vector<eval::SpecProblem> problems;
    const std::optional<eval::EvalSpec> spec = eval::EvalSpec::parse(record.definition, &problems);
    if (!spec) {
        *error = QStringLiteral("eval '%1' (version %2) has no valid definition to export%3")
                     .arg(record.name)
                     .arg(record.version)
                     .arg(problems.empty() ? QString()
                                           : QStringLiteral(": ") + QString::fromStdString(problems.front().toString()));
        return std::nullopt;
    }
    // A definition stored as a CreateEvalRequest goes out as it is, so that running the file again
    // finds the same eval version; an exported Eval object (id, object, schema) is rewritten as one.
    json body = record.definition.contains("object") || record.definition.contains("id") ? spec->toJson()
                                                                                         : record.definition;
    if (body.value("metadata", json()).is_object() && body["metadata"].contains("assay_placeholder")) {
        *error = QStringLiteral("eval '%1' is a stand-in for an eval that was never imported: import it first")
                     .arg(record.name);
        return std::nullopt;
    }
    return body;
}

std::optional<json> runBody(const store::RunRecord &run, QString *error)
{
    const QString id = report::exportedRunId(run);
    if (!run.runSpec.is_object() || run.runSpec.empty()) {
        *error = QStringLiteral("run %1 has no stored definition (it was imported without one)").arg(id);
        return std::nullopt;
    }
    std::vector<eval::SpecProblem> problems;
    const std::optional<eval::RunSpec> spec = eval::RunSpec::parse(run.runSpec, QString(), &problems);
    if (!spec) {
        *error = QStringLiteral("run %1 has no valid definition to export%2")
                     .arg(id, problems.empty() ? QString()
                                               : QStringLiteral(": ") +
                                                     QString::fromStdString(problems.front().toString()));
        return std::nullopt;
    }
    return spec->toJson();
}

} // namespace

int runEvalExport(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption helpOption({QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Help"));
    const QCommandLineOption versionOption(QStringLiteral("version"), QStringLiteral("Eval version"),
                                           QStringLiteral("N"));
    const QCommandLineOption runOption(QStringLiteral("run"), QStringLiteral("Run"), QStringLiteral("RUN"));
    const QCommandLineOption outOption({QStringLiteral("o"), QStringLiteral("out")}, QStringLiteral("Output file"),
                                       QStringLiteral("FILE"));
    const QCommandLineOption evalOutOption(QStringLiteral("eval-out"), QStringLiteral("Eval output file"),
                                           QStringLiteral("FILE"));
    parser.addOptions({helpOption, versionOption, runOption, outOption, evalOutOption});
    if (!parser.parse(QStringList{QStringLiteral("assay")} + arguments)) {
        write(stderr, QStringLiteral("assay eval export: %1\n\n%2").arg(parser.errorText(), usage()));
        return UsageError;
    }
    if (parser.isSet(helpOption)) {
        write(stdout, usage());
        return Success;
    }
    const QStringList positional = parser.positionalArguments();
    const bool exportRun = parser.isSet(runOption);
    if (exportRun ? !positional.isEmpty() : positional.size() != 1) {
        write(stderr, QStringLiteral("assay eval export: name one eval, or a run with --run\n\n") + usage());
        return UsageError;
    }
    if (exportRun && parser.isSet(versionOption))
        return fail(QStringLiteral("--version is for an eval; a run exports the eval version it ran"));
    if (!exportRun && parser.isSet(evalOutOption))
        return fail(QStringLiteral("--eval-out goes with --run"));
    std::optional<int> version;
    if (parser.isSet(versionOption)) {
        bool ok = false;
        version = parser.value(versionOption).toInt(&ok);
        if (!ok || *version < 1)
            return fail(QStringLiteral("--version needs a version number (1, 2, ...), not '%1'")
                            .arg(parser.value(versionOption)));
    }
    const QString out = parser.value(outOption);
    const QString evalOut = parser.value(evalOutOption);
    if (exportRun && (out.isEmpty() || out == QLatin1String("-")) && evalOut == QLatin1String("-"))
        return fail(QStringLiteral("the run and its eval cannot both go to stdout: give --out or --eval-out a file"));

    store::Workspace workspace;
    QString problem;
    if (!openWorkspace(workspace, &problem))
        return fail(problem);
    store::EvalStore store(workspace);

    if (!exportRun) {
        std::optional<store::EvalRecord> record = findEval(store, positional.first(), &problem);
        if (!record)
            return fail(problem);
        if (version) {
            const QList<store::EvalRecord> versions = store.versions(record->evalKey);
            record.reset();
            for (const store::EvalRecord &candidate : versions) {
                if (candidate.version == *version)
                    record = candidate;
            }
            if (!record)
                return fail(QStringLiteral("eval '%1' has no version %2 (it has %3)")
                                .arg(positional.first())
                                .arg(*version)
                                .arg(versions.size()));
        } else {
            const QList<store::EvalRecord> versions = store.versions(record->evalKey);
            if (!versions.isEmpty())
                record = versions.last();
        }
        const std::optional<json> body = evalBody(*record, &problem);
        if (!body)
            return fail(problem);
        if (!writeFile(out, fileBytes(*body), &problem))
            return fail(problem);
        if (!out.isEmpty() && out != QLatin1String("-"))
            write(stderr, QStringLiteral("Wrote eval '%1' version %2 to %3\n").arg(record->name).arg(record->version).arg(out));
        return Success;
    }

    const std::optional<store::RunRecord> run = report::resolveRunReference(store, parser.value(runOption), &problem);
    if (!run)
        return fail(problem);
    const std::optional<json> body = runBody(*run, &problem);
    if (!body)
        return fail(problem);
    std::optional<json> evalJson;
    std::optional<store::EvalRecord> evalRecord;
    if (!evalOut.isEmpty()) {
        evalRecord = store.eval(run->evalId);
        if (!evalRecord)
            return fail(QStringLiteral("the eval of run %1 is not in the workspace").arg(report::exportedRunId(*run)));
        evalJson = evalBody(*evalRecord, &problem);
        if (!evalJson)
            return fail(problem);
    }
    // Both checked before either is written, so a bad eval never leaves a lone run file.
    if (!writeFile(out, fileBytes(*body), &problem))
        return fail(problem);
    if (evalJson && !writeFile(evalOut, fileBytes(*evalJson), &problem))
        return fail(problem);
    if (!out.isEmpty() && out != QLatin1String("-"))
        write(stderr, QStringLiteral("Wrote run %1 to %2\n").arg(report::exportedRunId(*run), out));
    if (evalJson && evalOut != QLatin1String("-"))
        write(stderr, QStringLiteral("Wrote eval '%1' version %2 to %3\n")
                          .arg(evalRecord->name)
                          .arg(evalRecord->version)
                          .arg(evalOut));
    return Success;
}

} // namespace assay::cli
