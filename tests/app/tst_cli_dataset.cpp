// `assay dataset check` and `assay dataset convert` end to end: the real binary on files in a
// temporary folder.
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

using ojson = nlohmann::ordered_json;

namespace {

struct CliRun {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

QByteArray resource(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

int lineCount(const QByteArray &bytes)
{
    return static_cast<int>(bytes.trimmed().split('\n').size());
}

// The pretty JSON printed after "Inferred item schema:".
ojson printedSchema(const QByteArray &out)
{
    const qsizetype start = out.indexOf("Inferred item schema:\n");
    if (start < 0)
        return nullptr;
    const qsizetype from = start + static_cast<qsizetype>(qstrlen("Inferred item schema:\n"));
    qsizetype end = out.indexOf("\n}\n", from);
    end = end < 0 ? out.indexOf("{}\n", from) + 2 : end + 2;
    return ojson::parse(out.mid(from, end - from).toStdString(), nullptr, false);
}

} // namespace

class TestCliDataset : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    // Runs the binary in the temporary folder (so FILE is printed as given) without blocking the
    // event loop.
    CliRun run(const QStringList &arguments)
    {
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("DISPLAY"));
        env.remove(QStringLiteral("WAYLAND_DISPLAY"));
        env.remove(QStringLiteral("QT_QPA_PLATFORM"));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir.filePath(QStringLiteral("config")));
        env.insert(QStringLiteral("XDG_DATA_HOME"), m_dir.filePath(QStringLiteral("data")));
        process.setProcessEnvironment(env);
        process.setWorkingDirectory(m_dir.path());
        QSignalSpy finished(&process, &QProcess::finished);
        process.start(QStringLiteral(ASSAY_BINARY), QStringList{QStringLiteral("dataset")} + arguments);
        process.closeWriteChannel();
        if (!finished.wait(120000)) {
            process.kill();
            qWarning("assay did not finish in time");
        }
        return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
                process.readAllStandardOutput(), process.readAllStandardError()};
    }

    void write(const QString &name, const QByteArray &bytes)
    {
        QFile file(m_dir.filePath(name));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(bytes);
    }

    QByteArray read(const QString &name) const
    {
        QFile file(m_dir.filePath(name));
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void helpAndUsageErrors()
    {
        const CliRun help = run({QStringLiteral("--help")});
        QCOMPARE(help.exitCode, 0);
        QVERIFY2(help.out.contains("check FILE") && help.out.contains("convert IN OUT"),
                 help.out.constData());
        const CliRun checkHelp = run({QStringLiteral("check"), QStringLiteral("--help")});
        QCOMPARE(checkHelp.exitCode, 0);
        QVERIFY(checkHelp.out.contains("--schema"));

        const QList<QStringList> usageErrors = {
            {},
            {QStringLiteral("frobnicate")},
            {QStringLiteral("check")},
            {QStringLiteral("check"), QStringLiteral("a.jsonl"), QStringLiteral("b.jsonl")},
            {QStringLiteral("check"), QStringLiteral("--bogus"), QStringLiteral("a.jsonl")},
            {QStringLiteral("check"), QStringLiteral("a.jsonl"), QStringLiteral("--schema"),
             QStringLiteral("missing.json")},
            {QStringLiteral("convert"), QStringLiteral("a.jsonl")},
            {QStringLiteral("convert"), QStringLiteral("a.jsonl"), QStringLiteral("b.xlsx")},
            {QStringLiteral("convert"), QStringLiteral("a.jsonl"), QStringLiteral("./a.jsonl")},
        };
        for (const QStringList &arguments : usageErrors) {
            const CliRun r = run(arguments);
            QVERIFY2(r.exitCode == 2, qPrintable(arguments.join(QLatin1Char(' '))));
            QVERIFY2(!r.err.isEmpty(), qPrintable(arguments.join(QLatin1Char(' '))));
        }
    }

    void cleanSampleExitsZeroWithInferredSchema()
    {
        const QByteArray data = resource(QStringLiteral(":/datasets/news_headlines.jsonl"));
        QVERIFY(!data.isEmpty());
        write(QStringLiteral("news.jsonl"), data);
        const CliRun r = run({QStringLiteral("check"), QStringLiteral("news.jsonl")});
        QVERIFY2(r.exitCode == 0, (r.out + r.err).constData());
        QVERIFY2(r.out.startsWith(QStringLiteral("news.jsonl: %1 rows (").arg(lineCount(data)).toUtf8()),
                 r.out.constData());
        QVERIFY2(r.out.contains("Columns (2): input, ground_truth\n"), r.out.constData());
        const ojson schema = printedSchema(r.out);
        QVERIFY2(schema.is_object(), r.out.constData());
        QCOMPARE(schema.at("properties").at("ground_truth").at("enum").dump(),
                 std::string(R"(["Technology","Markets","World","Business","Sports"])"));
        QCOMPARE(schema.at("required").dump(), std::string(R"(["input","ground_truth"])"));
        QVERIFY(r.out.endsWith("All rows are good\n"));
    }

    void samplesPassTheirOwnSchemas()
    {
        for (const QString &name : {QStringLiteral("it_tickets"), QStringLiteral("news_headlines"),
                                    QStringLiteral("push_notifications")}) {
            const QByteArray data = resource(QStringLiteral(":/datasets/%1.jsonl").arg(name));
            write(name + QStringLiteral(".jsonl"), data);
            write(name + QStringLiteral(".schema.json"),
                  resource(QStringLiteral(":/datasets/%1.schema.json").arg(name)));
            const CliRun r = run({QStringLiteral("check"), name + QStringLiteral(".jsonl"),
                                  QStringLiteral("--schema"), name + QStringLiteral(".schema.json")});
            QVERIFY2(r.exitCode == 0, (r.out + r.err).constData());
            const int rows = lineCount(data);
            QVERIFY2(r.out.contains(QStringLiteral(": %1 of %1 rows valid\n").arg(rows).toUtf8()),
                     r.out.constData());
        }
    }

    void malformedLineIsReportedWithLineAndColumn()
    {
        const QByteArray broken = R"({"ticket_text": "Mouse is dead", "correct_label": })";
        write(QStringLiteral("broken.jsonl"),
              "{\"ticket_text\": \"My monitor won't turn on!\", \"correct_label\": \"Hardware\"}"
              "\n" +
                  broken +
                  "\n"
                  R"({"ticket_text": "vim", "correct_label": "Software"})"
                  "\n");
        const CliRun r = run({QStringLiteral("check"), QStringLiteral("broken.jsonl")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.out.startsWith("broken.jsonl: 3 rows"), r.out.constData());
        const QString expected = QStringLiteral("broken.jsonl:2:%1: ").arg(broken.indexOf('}') + 1);
        QVERIFY2(r.out.contains(expected.toUtf8()), r.out.constData());
        QVERIFY2(r.out.contains("1 of 3 rows are bad\n"), r.out.constData());
        // The good rows still make the inferred schema.
        QCOMPARE(printedSchema(r.out).at("required").dump(),
                 std::string(R"(["ticket_text","correct_label"])"));
    }

    void schemaViolationsAreReportedPerRow()
    {
        write(QStringLiteral("tickets.jsonl"),
              "{\"item\": {\"ticket_text\": \"Printer jams\", \"correct_label\": \"Hardware\"}}\n"
              "{\"item\": {\"ticket_text\": \"Excel crashes\", \"correct_label\": \"Hardwre\"}}\n"
              "{\"item\": {\"ticket_text\": \"Lunch?\", \"correct_label\": \"Other\"}}\n"
              "{\"item\": {\"ticket_text\": \"VPN down\"}}\n");
        // A data_source_config as exported from the Evals API works as the schema file.
        write(QStringLiteral("config.json"), R"({"type": "custom", "item_schema": {"type": "object",
            "properties": {"ticket_text": {"type": "string"},
                           "correct_label": {"enum": ["Hardware", "Software", "Other"]}},
            "required": ["ticket_text", "correct_label"]}, "include_sample_schema": true})");
        const CliRun r = run({QStringLiteral("check"), QStringLiteral("tickets.jsonl"),
                              QStringLiteral("--schema"), QStringLiteral("config.json")});
        QCOMPARE(r.exitCode, 1);
        const QList<QByteArray> lines = r.out.split('\n');
        QVERIFY2(
            lines.contains(
                R"(tickets.jsonl:2: $.correct_label: "Hardwre" is not one of ["Hardware","Software","Other"])"),
            r.out.constData());
        QVERIFY2(lines.contains(R"(tickets.jsonl:4: $: missing required property "correct_label")"),
                 r.out.constData());
        QVERIFY2(r.out.contains(": 2 of 4 rows valid\n"), r.out.constData());
        QVERIFY(!r.out.contains("tickets.jsonl:1:"));
        QVERIFY(!r.out.contains("tickets.jsonl:3:"));
    }

    void brokenSchemaIsAUsageError()
    {
        write(QStringLiteral("one.jsonl"), "{\"a\": 1}\n");
        write(QStringLiteral("bad-schema.json"), R"({"properties": {"a": {"type": "intger"}}})");
        const CliRun r = run({QStringLiteral("check"), QStringLiteral("one.jsonl"),
                              QStringLiteral("--schema"), QStringLiteral("bad-schema.json")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("unknown type"), r.err.constData());
    }

    void emptyAndMissingFiles()
    {
        write(QStringLiteral("empty.jsonl"), QByteArray());
        const CliRun empty = run({QStringLiteral("check"), QStringLiteral("empty.jsonl")});
        QCOMPARE(empty.exitCode, 0);
        QVERIFY2(empty.out.startsWith("empty.jsonl: 0 rows"), empty.out.constData());
        const CliRun missing = run({QStringLiteral("check"), QStringLiteral("no-such-file.jsonl")});
        QCOMPARE(missing.exitCode, 1);
        QVERIFY2(missing.err.contains("no-such-file.jsonl"), missing.err.constData());
    }

    void badLineFarIntoALargeFile()
    {
        // The file is read lazily and rows one at a time; the line number is still exact.
        QByteArray big;
        for (int i = 1; i <= 50000; ++i)
            big += QStringLiteral("{\"id\": %1, \"label\": \"%2\"}\n")
                       .arg(i)
                       .arg(i % 2 ? QStringLiteral("odd") : QStringLiteral("even"))
                       .toUtf8();
        big += "{\"id\": 50001, \"label\": \"odd\"\n"; // unterminated object
        write(QStringLiteral("big.jsonl"), big);
        const CliRun r = run({QStringLiteral("check"), QStringLiteral("big.jsonl")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.out.startsWith("big.jsonl: 50001 rows"), r.out.constData());
        QVERIFY2(QRegularExpression(QStringLiteral("^big\\.jsonl:50001:\\d+: "),
                                    QRegularExpression::MultilineOption)
                     .match(QString::fromUtf8(r.out))
                     .hasMatch(),
                 r.out.constData());
        QCOMPARE(printedSchema(r.out).at("properties").at("label").dump(),
                 std::string(R"({"type":"string","enum":["odd","even"]})"));
    }

    void convertRoundTripKeepsValues()
    {
        std::vector<ojson> items = {
            ojson{{"id", "t-1"}, {"text", "plain"}, {"label", "Hardware"}},
            ojson{{"id", "t-2"}, {"text", "commas, \"quotes\" and\nnew lines"}, {"label", "Software"}},
            ojson{{"id", "t-3"}, {"text", "  spaces kept  "}, {"label", ""}},
            ojson{{"id", "t-4"}, {"text", "unicode: naïve café 日本語 🙂"}, {"label", "Other"}},
        };
        QByteArray jsonl;
        for (const ojson &item : items)
            jsonl += QByteArray::fromStdString(item.dump()) + '\n';
        write(QStringLiteral("in.jsonl"), jsonl);

        const CliRun toCsv =
            run({QStringLiteral("convert"), QStringLiteral("in.jsonl"), QStringLiteral("out.csv")});
        QVERIFY2(toCsv.exitCode == 0, (toCsv.out + toCsv.err).constData());
        const QByteArray csv = read(QStringLiteral("out.csv"));
        QVERIFY2(csv.startsWith("id,text,label"), csv.constData());
        QVERIFY2(csv.contains("\"commas, \"\"quotes\"\" and\nnew lines\""), csv.constData());

        const CliRun back =
            run({QStringLiteral("convert"), QStringLiteral("out.csv"), QStringLiteral("back.jsonl")});
        QVERIFY2(back.exitCode == 0, (back.out + back.err).constData());
        const QList<QByteArray> lines = read(QStringLiteral("back.jsonl")).trimmed().split('\n');
        QCOMPARE(lines.size(), static_cast<qsizetype>(items.size()));
        for (std::size_t i = 0; i < items.size(); ++i)
            QCOMPARE(ojson::parse(lines[static_cast<qsizetype>(i)].toStdString()).dump(), items[i].dump());
    }

    void convertReportsBadRowsAndKeepsThem()
    {
        const QByteArray bytes = "{\"a\": \"x\"}\n{\"a\": \"y\",}\n{\"a\": \"z\"}\n";
        write(QStringLiteral("bad.jsonl"), bytes);
        // JSONL to JSONL keeps the bad row as it was, and says so.
        const CliRun same =
            run({QStringLiteral("convert"), QStringLiteral("bad.jsonl"), QStringLiteral("copy.ndjson")});
        QCOMPARE(same.exitCode, 1);
        QVERIFY2(same.err.contains("bad.jsonl:2:"), same.err.constData());
        QCOMPARE(read(QStringLiteral("copy.ndjson")), bytes);
        // A row that cannot become CSV fields is reported, not dropped.
        const CliRun csv =
            run({QStringLiteral("convert"), QStringLiteral("bad.jsonl"), QStringLiteral("bad.csv")});
        QCOMPARE(csv.exitCode, 1);
        QVERIFY2(csv.err.contains("bad.jsonl:2:"), csv.err.constData());
        const QByteArray written = read(QStringLiteral("bad.csv"));
        QVERIFY(written.isEmpty() || written.contains("y"));
    }
};

QTEST_GUILESS_MAIN(TestCliDataset)
#include "tst_cli_dataset.moc"
