#include "app/cli/dataset_command.h"

#include <cstdio>
#include <optional>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QTimer>

#include "app/cli/cli.h"
#include "app/cli/common_options.h"
#include "models/dataset/dataset_document.h"
#include "models/dataset/json_schema_validator.h"
#include "models/dataset/schema_inference.h"

namespace assay::cli {

namespace {

using dataset::DatasetDocument;
using dataset::DatasetFormat;

constexpr auto kDatasetUsage =
    "Usage: assay dataset COMMAND [OPTIONS]\n"
    "\n"
    "Check and convert eval datasets: JSONL (with or without the {\"item\": ...} wrapper), CSV and\n"
    "JSON arrays of objects. Files are read lazily, so any size works.\n"
    "\n"
    "Commands:\n"
    "  check FILE [--schema SCHEMA.json]\n"
    "        Print the row count, the columns and the inferred item schema, or validate every row\n"
    "        against SCHEMA (an item schema, or a data_source_config / eval with `item_schema`).\n"
    "        Every bad row is printed as FILE:LINE[:COL]: message.\n"
    "        Exit code 0 when every row is good, 1 when any row is bad, 2 on a usage error.\n"
    "  convert IN OUT\n"
    "        Convert between JSONL (.jsonl, .ndjson), CSV (.csv) and JSON (.json), chosen by OUT's\n"
    "        extension. OUT is written atomically. Bad rows of IN are reported (exit code 1).\n"
    "\n"
    "Options:\n"
    "  -h, --help  Show this help (or `assay dataset COMMAND --help`)\n";

constexpr auto kCheckUsage =
    "Usage: assay dataset check FILE [--schema SCHEMA.json]\n"
    "\n"
    "Print the row count, the columns and the inferred item schema (pretty JSON), or,\n"
    "with --schema, validate every row against it. Every bad row is printed as\n"
    "FILE:LINE[:COL]: message. Exit code 0 when clean, 1 when any row is bad.\n"
    "\n"
    "Options:\n"
    "  --schema SCHEMA.json  Item schema to validate against (or a file with an\n"
    "                        `item_schema`, such as a data_source_config)\n"
    "  -h, --help            Show this help\n";

constexpr auto kConvertUsage =
    "Usage: assay dataset convert IN OUT\n"
    "\n"
    "Convert a dataset between JSONL (.jsonl, .ndjson), CSV (.csv) and JSON (.json);\n"
    "the output format follows OUT's extension. OUT is replaced atomically.\n"
    "\n"
    "Options:\n"
    "  -h, --help  Show this help\n";

void write(FILE *stream, const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    std::fwrite(utf8.constData(), 1, static_cast<size_t>(utf8.size()), stream);
}

void out(const QString &text)
{
    write(stdout, text);
}

void err(const QString &text)
{
    write(stderr, text);
    std::fflush(stderr);
}

QString location(const QString &file, qint64 line, qint64 column = 0)
{
    if (column > 0)
        return QStringLiteral("%1:%2:%3").arg(file).arg(line).arg(column);
    return QStringLiteral("%1:%2").arg(file).arg(line);
}

std::optional<DatasetFormat> formatFromExtension(const QString &path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("jsonl") || suffix == QLatin1String("ndjson"))
        return DatasetFormat::Jsonl;
    if (suffix == QLatin1String("csv"))
        return DatasetFormat::Csv;
    if (suffix == QLatin1String("json"))
        return DatasetFormat::JsonArray;
    return std::nullopt;
}

// The item schema in a schema file: the file itself, or its `item_schema` (a data_source_config) or
// `data_source_config.item_schema` (an eval), so a schema exported from the Evals API works as is.
std::optional<nlohmann::json> readSchema(const QString &path, QString *problem)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *problem = QStringLiteral("cannot read the schema %1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    nlohmann::json schema;
    try {
        schema = nlohmann::json::parse(file.readAll().toStdString());
    } catch (const nlohmann::json::parse_error &e) {
        *problem =
            QStringLiteral("the schema %1 is not valid JSON: %2").arg(path, QString::fromUtf8(e.what()));
        return std::nullopt;
    }
    if (schema.is_object()) {
        if (schema.contains("item_schema"))
            schema = schema.at("item_schema");
        else if (schema.contains("data_source_config") && schema.at("data_source_config").is_object() &&
                 schema.at("data_source_config").contains("item_schema"))
            schema = schema.at("data_source_config").at("item_schema");
    }
    return schema;
}

// Opens `path`, waits for the index inside the event loop (the document indexes on a worker thread)
// and then runs `whenIndexed`, whose return value becomes the exit code.
template <typename Fn> int withIndexedDocument(const QString &path, const QString &command, Fn whenIndexed)
{
    DatasetDocument document;
    bool handled = false;
    QObject::connect(&document, &DatasetDocument::indexFinished, &document, [&](qint64) {
        if (handled)
            return;
        handled = true;
        const int code = whenIndexed(document);
        std::fflush(stdout);
        QCoreApplication::exit(code);
    });
    // open() runs inside the loop so exit() works even when the index finishes synchronously.
    QTimer::singleShot(0, &document, [&] {
        QString error;
        if (!document.open(path, &error)) {
            handled = true;
            if (error.isEmpty())
                error = QStringLiteral("cannot open %1").arg(path);
            err(QStringLiteral("assay dataset %1: %2\n").arg(command, error));
            QCoreApplication::exit(Failure);
        }
    });
    return QCoreApplication::exec();
}

int runCheck(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption helpOption({QStringLiteral("h"), QStringLiteral("help")},
                                        QStringLiteral("Help"));
    const QCommandLineOption schemaOption(QStringLiteral("schema"), QStringLiteral("Item schema"),
                                          QStringLiteral("SCHEMA.json"));
    parser.addOptions({helpOption, schemaOption});
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("Dataset"));
    if (!parser.parse(QStringList{QStringLiteral("assay")} + arguments)) {
        err(QStringLiteral("assay dataset check: %1\n\n%2")
                .arg(parser.errorText(), QString::fromLatin1(kCheckUsage)));
        return UsageError;
    }
    if (parser.isSet(helpOption)) {
        out(QString::fromLatin1(kCheckUsage) + workspaceUsageLine());
        return Success;
    }
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1) {
        err(QStringLiteral("assay dataset check: expected exactly one FILE\n\n%1")
                .arg(QString::fromLatin1(kCheckUsage)));
        return UsageError;
    }
    const QString file = positional.first();

    std::optional<dataset::JsonSchemaValidator> validator;
    const QString schemaPath = parser.value(schemaOption);
    if (parser.isSet(schemaOption)) {
        QString problem;
        const std::optional<nlohmann::json> schema = readSchema(schemaPath, &problem);
        if (!schema) {
            err(QStringLiteral("assay dataset check: %1\n").arg(problem));
            return UsageError;
        }
        validator.emplace(*schema);
        if (!validator->isValid()) {
            err(QStringLiteral("assay dataset check: %1: %2\n").arg(schemaPath, validator->schemaError()));
            return UsageError;
        }
    }

    return withIndexedDocument(file, QStringLiteral("check"), [&](const DatasetDocument &document) {
        const qint64 rows = document.rowCount();
        out(QStringLiteral("%1: %2 %3 (%4)\n")
                .arg(file)
                .arg(rows)
                .arg(rows == 1 ? QStringLiteral("row") : QStringLiteral("rows"),
                     dataset::formatName(document.format())));

        // One pass in row order: parse problems and schema violations are printed as they are met,
        // rows are parsed one at a time (the document keeps only a small cache), and inference keeps
        // statistics, not rows.
        const auto problems = document.problems();
        auto nextProblem = problems.begin();
        dataset::SchemaInference inference;
        qint64 badRows = 0;
        qint64 wrappedRows = 0;
        qint64 parsedRows = 0;
        for (qint64 row = 0; row < rows; ++row) {
            while (nextProblem != problems.end() && nextProblem->first < row)
                ++nextProblem;
            if (nextProblem != problems.end() && nextProblem->first == row) {
                const dataset::RowProblem &problem = nextProblem->second;
                out(QStringLiteral("%1: %2\n")
                        .arg(location(file, problem.line, problem.column), problem.message));
                ++badRows;
                continue;
            }
            const dataset::ParsedRow parsed = document.parsedRow(row);
            if (parsed.problem) {
                out(QStringLiteral("%1: %2\n")
                        .arg(location(file, parsed.problem->line, parsed.problem->column),
                             parsed.problem->message));
                ++badRows;
                continue;
            }
            ++parsedRows;
            if (parsed.wrapped)
                ++wrappedRows;
            if (validator) {
                const QList<dataset::SchemaViolation> violations = validator->validate(parsed.item);
                for (const dataset::SchemaViolation &violation : violations)
                    out(QStringLiteral("%1: %2\n")
                            .arg(location(file, document.lineNumber(row)), violation.toString()));
                if (!violations.isEmpty())
                    ++badRows;
            } else {
                inference.addRow(parsed.item);
            }
        }

        const QStringList columns = document.columns();
        if (columns.isEmpty())
            out(QStringLiteral("Columns: none\n"));
        else
            out(QStringLiteral("Columns (%1): %2\n")
                    .arg(columns.size())
                    .arg(columns.join(QStringLiteral(", "))));
        if (wrappedRows > 0 && wrappedRows < parsedRows)
            out(QStringLiteral("Note: %1 of %2 rows use the {\"item\": ...} wrapper and the others do not.\n")
                    .arg(wrappedRows)
                    .arg(parsedRows));
        if (validator) {
            out(QStringLiteral("Schema %1: %2 of %3 rows valid\n")
                    .arg(schemaPath)
                    .arg(rows - badRows)
                    .arg(rows));
        } else {
            out(QStringLiteral("Inferred item schema:\n%1\n")
                    .arg(QString::fromStdString(inference.schema().dump(
                        2, ' ', false, nlohmann::ordered_json::error_handler_t::replace))));
        }
        if (badRows > 0) {
            out(QStringLiteral("%1 of %2 rows are bad\n").arg(badRows).arg(rows));
            return static_cast<int>(Failure);
        }
        out(QStringLiteral("All rows are good\n"));
        return static_cast<int>(Success);
    });
}

int runConvert(const QStringList &arguments)
{
    QCommandLineParser parser;
    const QCommandLineOption helpOption({QStringLiteral("h"), QStringLiteral("help")},
                                        QStringLiteral("Help"));
    parser.addOption(helpOption);
    parser.addPositionalArgument(QStringLiteral("IN"), QStringLiteral("Input"));
    parser.addPositionalArgument(QStringLiteral("OUT"), QStringLiteral("Output"));
    if (!parser.parse(QStringList{QStringLiteral("assay")} + arguments)) {
        err(QStringLiteral("assay dataset convert: %1\n\n%2")
                .arg(parser.errorText(), QString::fromLatin1(kConvertUsage)));
        return UsageError;
    }
    if (parser.isSet(helpOption)) {
        out(QString::fromLatin1(kConvertUsage) + workspaceUsageLine());
        return Success;
    }
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 2) {
        err(QStringLiteral("assay dataset convert: expected IN and OUT\n\n%1")
                .arg(QString::fromLatin1(kConvertUsage)));
        return UsageError;
    }
    const QString input = positional.at(0);
    const QString output = positional.at(1);
    const std::optional<DatasetFormat> format = formatFromExtension(output);
    if (!format) {
        err(QStringLiteral(
                "assay dataset convert: cannot tell the output format from '%1': use .jsonl, .csv or .json\n")
                .arg(output));
        return UsageError;
    }
    if (QFileInfo(input).absoluteFilePath() == QFileInfo(output).absoluteFilePath()) {
        err(QStringLiteral("assay dataset convert: IN and OUT are the same file\n"));
        return UsageError;
    }

    return withIndexedDocument(input, QStringLiteral("convert"), [&](DatasetDocument &document) {
        const auto problems = document.problems();
        for (const auto &[row, problem] : problems)
            err(QStringLiteral("%1: %2\n")
                    .arg(location(input, problem.line, problem.column), problem.message));
        QString error;
        if (!document.save(output, *format, &error)) {
            // The document's message already names the file.
            err(QStringLiteral("assay dataset convert: %1\n").arg(error));
            return static_cast<int>(Failure);
        }
        out(QStringLiteral("%1: %2 rows written (%3)\n")
                .arg(output)
                .arg(document.rowCount())
                .arg(dataset::formatName(*format)));
        if (!problems.empty()) {
            err(QStringLiteral("assay dataset convert: %1 has %2 bad %3 (listed above)\n")
                    .arg(input)
                    .arg(problems.size())
                    .arg(problems.size() == 1 ? QStringLiteral("row") : QStringLiteral("rows")));
            return static_cast<int>(Failure);
        }
        return static_cast<int>(Success);
    });
}

} // namespace

int runDataset(const QStringList &arguments)
{
    const QString command = arguments.value(1);
    if (command.isEmpty()) {
        err(QString::fromLatin1(kDatasetUsage));
        return UsageError;
    }
    if (command == QLatin1String("-h") || command == QLatin1String("--help") ||
        command == QLatin1String("help")) {
        out(QString::fromLatin1(kDatasetUsage) + workspaceUsageLine());
        return Success;
    }
    if (command == QLatin1String("check"))
        return runCheck(arguments.mid(2));
    if (command == QLatin1String("convert"))
        return runConvert(arguments.mid(2));
    err(QStringLiteral("assay dataset: unknown command '%1'\n\n%2")
            .arg(command, QString::fromLatin1(kDatasetUsage)));
    return UsageError;
}

} // namespace assay::cli
