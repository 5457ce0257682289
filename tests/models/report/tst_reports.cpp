// Exported reports: every format read back, escaping of model and dataset text, determinism,
// no API key in any format, and the runs loaded from a workspace.
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <QtTest>

#include "models/dataset/csv_reader.h"
#include "models/report/csv_report.h"
#include "models/report/html_report.h"
#include "models/report/jsonl_report.h"
#include "models/report/junit_report.h"
#include "models/report/markdown_report.h"
#include "models/report/pdf_report.h"
#include "models/report/report_data.h"
#include "models/report/report_format.h"
#include "models/report/report_input.h"
#include "models/store/eval_store.h"
#include "models/store/workspace.h"

using namespace assay::report;
using assay::store::EvalRecord;
using assay::store::EvalStore;
using assay::store::OutputItemRecord;
using assay::store::RunRecord;
using assay::store::Workspace;
using json = nlohmann::json;

namespace {

const char kScript[] = "<script>alert(1)</script>";
const char kKey[] = "sk-test-not-a-real-key-123456";

json evalDefinition()
{
    return {{"name", "Capitals <b>"},
            {"data_source_config", {{"type", "custom"}, {"item_schema", {{"type", "object"}}}}},
            {"testing_criteria",
             json::array({{{"type", "string_check"},
                           {"name", "exact"},
                           {"input", "{{ sample.output_text }}"},
                           {"reference", "{{ item.answer }}"},
                           {"operation", "eq"}},
                          {{"type", "text_similarity"},
                           {"name", "similar"},
                           {"input", "{{ sample.output_text }}"},
                           {"reference", "{{ item.answer }}"},
                           {"evaluation_metric", "fuzzy_match"},
                           {"pass_threshold", 0.8}}})}};
}

json grade(const std::string &name, double score, bool passed)
{
    return {{"name", name}, {"type", name == "exact" ? "string_check" : "text_similarity"},
            {"score", score}, {"passed", passed}, {"sample", nullptr}};
}

OutputItemRecord makeItem(qint64 runId, qint64 index, const std::string &answer, const std::string &output,
                          const std::string &status, double similarity)
{
    OutputItemRecord record;
    record.runId = runId;
    record.datasourceItemId = index;
    record.status = QString::fromStdString(status);
    record.datasourceItem = {{"question", "Capital #" + std::to_string(index) + "?"}, {"answer", answer}};
    record.sample = {{"input", json::array({{{"role", "user"}, {"content", "Capital #" + std::to_string(index) + "?"}}})},
                     {"output", json::array({{{"role", "assistant"}, {"content", output}}})},
                     {"model", "gpt-4.1-mini"},
                     {"usage", {{"prompt_tokens", 10}, {"completion_tokens", 5}, {"total_tokens", 15}, {"cached_tokens", 0}}},
                     {"error", nullptr}};
    if (status == "error") {
        record.results = json::array();
        record.error = QStringLiteral("sampling failed: HTTP 500");
    } else {
        const bool exact = output == answer;
        record.results = json::array({grade("exact", exact ? 1.0 : 0.0, exact), grade("similar", similarity, similarity >= 0.8)});
    }
    record.latencyMs = 100 + index * 10;
    record.createdAt = QDateTime(QDate(2026, 11, 23), QTime(10, 0, 0), Qt::UTC);
    return record;
}

// Base run: 0 pass, 1 fail (output holds <script> and a comma/quote/newline), 2 pass,
// 3 error, 4 fail (echoes an API key), 5 fail with a control character.
std::vector<OutputItemRecord> baseItems(qint64 runId)
{
    return {makeItem(runId, 0, "Paris", "Paris", "pass", 1.0),
            makeItem(runId, 1, "Rome", std::string(kScript) + " Rome, \"Italy\"\nsecond line", "fail", 0.5),
            makeItem(runId, 2, "Berlin", "Berlin", "pass", 1.0),
            makeItem(runId, 3, "Madrid", "", "error", 0.0),
            makeItem(runId, 4, "Oslo", std::string("my key is ") + kKey + " and Bearer abcdefghijklmnop", "fail", 0.25),
            makeItem(runId, 5, "Bern", std::string("Bern\x01?"), "fail", 0.75)};
}

// Compared run: 0 regresses, 1 improves, the rest as before.
std::vector<OutputItemRecord> compareItems(qint64 runId)
{
    std::vector<OutputItemRecord> items = baseItems(runId);
    items[0] = makeItem(runId, 0, "Paris", "Lyon is the capital", "fail", 0.3);
    items[1] = makeItem(runId, 1, "Rome", "Rome", "pass", 1.0);
    return items;
}

struct Fixture {
    QTemporaryDir dir;
    Workspace workspace;
    std::unique_ptr<EvalStore> store;
    qint64 baseRun = 0;
    qint64 compareRun = 0;

    bool setUp()
    {
        QString error;
        if (!workspace.open(dir.filePath(QStringLiteral("ws.sqlite")), &error)) {
            qWarning() << error;
            return false;
        }
        store = std::make_unique<EvalStore>(workspace);
        const std::optional<EvalRecord> eval = store->saveEval(QStringLiteral("Capitals <b>"), evalDefinition(), {}, &error);
        if (!eval)
            return false;
        auto addRun = [&](const QDateTime &created, const QString &model, const std::vector<OutputItemRecord> &items) {
            RunRecord run;
            run.evalId = eval->id;
            run.name = QStringLiteral("run ") + model;
            run.model = model;
            run.api = QStringLiteral("responses");
            run.status = QStringLiteral("completed");
            run.source = QStringLiteral("local");
            run.runSpec = {{"data_source", {{"type", "responses"}}}};
            run.totalItems = static_cast<qint64>(items.size());
            run.createdAt = created;
            run.finishedAt = created.addSecs(60);
            const std::optional<qint64> id = store->createRun(run, &error);
            if (!id)
                return qint64(0);
            for (OutputItemRecord item : items) {
                item.runId = *id;
                if (!store->commitItem(item, &error))
                    return qint64(0);
            }
            return *id;
        };
        baseRun = addRun(QDateTime(QDate(2026, 11, 20), QTime(9, 0), Qt::UTC), QStringLiteral("gpt-4.1-mini"), baseItems(0));
        compareRun = addRun(QDateTime(QDate(2026, 11, 21), QTime(9, 0), Qt::UTC), QStringLiteral("gpt-4.1"), compareItems(0));
        return baseRun > 0 && compareRun > 0;
    }

    ReportInput load(const QStringList &refs)
    {
        QString error;
        std::optional<ReportInput> input = loadReportInput(*store, refs, &error);
        if (!input)
            qWarning() << error;
        return input.value_or(ReportInput{});
    }
};

ReportOptions at(int hour)
{
    ReportOptions options;
    options.generatedAt = QDateTime(QDate(2026, 11, 23), QTime(hour, 0), Qt::UTC);
    return options;
}

QByteArray withoutGeneratedLine(const QByteArray &bytes)
{
    QList<QByteArray> lines = bytes.split('\n');
    lines.removeIf([](const QByteArray &line) { return line.contains("Generated at "); });
    return lines.join('\n');
}

// The parsed document's text and the element names, or a parse error.
struct Parsed {
    QString text;
    QStringList elements;
    QMap<QString, int> counts;
    QString error;
};

Parsed parseXml(const QByteArray &bytes)
{
    Parsed parsed;
    QXmlStreamReader xml(bytes);
    while (!xml.atEnd()) {
        const auto token = xml.readNext();
        if (token == QXmlStreamReader::StartElement) {
            parsed.elements.append(xml.name().toString());
            ++parsed.counts[xml.name().toString()];
            for (const auto &attribute : xml.attributes())
                parsed.text += attribute.value().toString() + QLatin1Char('\n');
        } else if (token == QXmlStreamReader::Characters) {
            parsed.text += xml.text().toString();
        }
    }
    if (xml.hasError())
        parsed.error = QStringLiteral("%1 at line %2").arg(xml.errorString()).arg(xml.lineNumber());
    return parsed;
}

std::vector<std::vector<std::string>> readCsv(const QByteArray &bytes)
{
    const std::string data = bytes.toStdString();
    std::vector<std::vector<std::string>> rows;
    std::size_t pos = 0;
    while (pos < data.size()) {
        const auto scan = assay::dataset::csv::scanRecord(data, pos);
        if (scan.error != assay::dataset::csv::RecordScan::Error::None)
            return {};
        rows.push_back(assay::dataset::csv::parseRecord(std::string_view(data).substr(pos, scan.end - pos)));
        pos = scan.next;
    }
    return rows;
}

// ASSAY_KEEP_REPORTS=DIR keeps the exports of the two-run fixture for a person to look at.
void keep(const QString &name, const QByteArray &bytes)
{
    const QString dir = qEnvironmentVariable("ASSAY_KEEP_REPORTS");
    if (dir.isEmpty())
        return;
    QFile file(dir + QLatin1Char('/') + name);
    if (file.open(QIODevice::WriteOnly))
        file.write(bytes);
}

QString pdfText(const QByteArray &pdf, QString *problem)
{
    const QString pdftotext = QStandardPaths::findExecutable(QStringLiteral("pdftotext"));
    if (pdftotext.isEmpty()) {
        *problem = QStringLiteral("pdftotext (poppler-utils) is not installed");
        return {};
    }
    QTemporaryDir dir;
    QFile file(dir.filePath(QStringLiteral("r.pdf")));
    if (!file.open(QIODevice::WriteOnly) || file.write(pdf) != pdf.size())
        return {};
    file.close();
    QProcess process;
    process.start(pdftotext, {QStringLiteral("-layout"), file.fileName(), QStringLiteral("-")});
    if (!process.waitForFinished(60000) || process.exitCode() != 0) {
        *problem = QString::fromUtf8(process.readAllStandardError());
        return {};
    }
    return QString::fromUtf8(process.readAllStandardOutput());
}

} // namespace

class TestReports : public QObject {
    Q_OBJECT

private:
    Fixture m_fixture;

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_fixture.setUp()); }

    void loaderResolvesReferences()
    {
        QString error;
        const auto latest = loadReportInput(*m_fixture.store, {QStringLiteral("latest")}, &error);
        QVERIFY2(latest, qPrintable(error));
        QCOMPARE(latest->runs.size(), size_t(1));
        QCOMPARE(latest->runs[0].run.id, m_fixture.compareRun);
        QCOMPARE(latest->runs[0].items.size(), size_t(6));
        QCOMPARE(latest->runs[0].eval.name, QStringLiteral("Capitals <b>"));

        const auto pair = loadReportInput(*m_fixture.store, {QStringLiteral("latest~1"), QStringLiteral("latest")}, &error);
        QVERIFY(pair);
        QCOMPARE(pair->runs[0].run.id, m_fixture.baseRun);
        const auto byId = loadReportInput(*m_fixture.store,
                                          {QString::number(m_fixture.baseRun), QStringLiteral("evalrun_%1").arg(m_fixture.compareRun)},
                                          &error);
        QVERIFY(byId);
        QCOMPARE(byId->runs[1].run.id, m_fixture.compareRun);

        QVERIFY(!loadReportInput(*m_fixture.store, {QStringLiteral("999")}, &error));
        QVERIFY(error.contains(QStringLiteral("999")));
        QVERIFY(!loadReportInput(*m_fixture.store, {QStringLiteral("latest~5")}, &error));
        QVERIFY(error.contains(QStringLiteral("latest~5")));
    }

    void csvHasOneRowPerItemWithEveryScore()
    {
        const ReportInput input = m_fixture.load({QString::number(m_fixture.baseRun)});
        const auto rows = readCsv(CsvReport::render(input));
        QCOMPARE(rows.size(), size_t(7));
        const std::vector<std::string> header = {"run_id", "datasource_item_id", "status", "exact.score", "exact.passed",
                                                 "similar.score", "similar.passed", "latency_ms", "tokens", "output_text",
                                                 "error"};
        QCOMPARE(rows[0], header);
        const std::string runId = "evalrun_" + std::to_string(m_fixture.baseRun);
        const auto &rome = rows[2];
        QCOMPARE(rome[0], runId);
        QCOMPARE(rome[1], std::string("1"));
        QCOMPARE(rome[2], std::string("fail"));
        QCOMPARE(std::stod(rome[3]), 0.0);
        QCOMPARE(rome[4], std::string("false"));
        QCOMPARE(std::stod(rome[5]), 0.5);
        QCOMPARE(rome[6], std::string("false"));
        QCOMPARE(rome[7], std::string("110"));
        QCOMPARE(rome[8], std::string("15"));
        // Comma, quotes and a line break survive the round trip.
        QCOMPARE(rome[9], std::string(kScript) + " Rome, \"Italy\"\nsecond line");
        const auto &errored = rows[4];
        QCOMPARE(errored[2], std::string("error"));
        QCOMPARE(errored[3], std::string());
        QCOMPARE(errored[10], std::string("sampling failed: HTTP 500"));
        for (const auto &row : rows)
            QCOMPARE(row.size(), header.size());
    }

    void csvOfTwoRunsHoldsBoth()
    {
        const ReportInput input = m_fixture.load({QStringLiteral("latest~1"), QStringLiteral("latest")});
        const auto rows = readCsv(CsvReport::render(input));
        QCOMPARE(rows.size(), size_t(13));
        QCOMPARE(rows[7][0], "evalrun_" + std::to_string(m_fixture.compareRun));
        QCOMPARE(rows[7][2], std::string("fail")); // item 0 regressed
    }

    void jsonlIsOneOutputItemPerLine()
    {
        const ReportInput input = m_fixture.load({QString::number(m_fixture.baseRun)});
        const QByteArray bytes = JsonlReport::render(input);
        const QList<QByteArray> lines = bytes.trimmed().split('\n');
        QCOMPARE(lines.size(), 6);
        for (qsizetype i = 0; i < lines.size(); ++i) {
            const json object = json::parse(lines.at(i).toStdString());
            QCOMPARE(object["object"].get<std::string>(), std::string("eval.run.output_item"));
            QCOMPARE(object["datasource_item_id"].get<qint64>(), i);
            QCOMPARE(object["run_id"].get<std::string>(), "evalrun_" + std::to_string(m_fixture.baseRun));
        }
        const json rome = json::parse(lines.at(1).toStdString());
        QCOMPARE(rome["sample"]["output"][0]["content"].get<std::string>(), std::string(kScript) + " Rome, \"Italy\"\nsecond line");
        QCOMPARE(rome["results"].size(), size_t(2));
    }

    void junitCountsMatchTheRun()
    {
        const ReportInput input = m_fixture.load({QString::number(m_fixture.baseRun)});
        const Parsed parsed = parseXml(JUnitReport::render(input));
        QVERIFY2(parsed.error.isEmpty(), qPrintable(parsed.error));
        QCOMPARE(parsed.counts.value(QStringLiteral("testsuite")), 1);
        QCOMPARE(parsed.counts.value(QStringLiteral("testcase")), 6);
        QCOMPARE(parsed.counts.value(QStringLiteral("failure")), 3);
        QCOMPARE(parsed.counts.value(QStringLiteral("error")), 1);

        QXmlStreamReader xml(JUnitReport::render(input));
        QString romeFailure;
        QString suiteFailures;
        while (!xml.atEnd()) {
            if (xml.readNext() != QXmlStreamReader::StartElement)
                continue;
            if (xml.name() == QLatin1String("testsuite"))
                suiteFailures = xml.attributes().value(QStringLiteral("failures")).toString();
            if (xml.name() == QLatin1String("testcase") && xml.attributes().value(QStringLiteral("name")) == QLatin1String("item 1")) {
                xml.readNextStartElement();
                QCOMPARE(xml.name().toString(), QStringLiteral("failure"));
                romeFailure = xml.attributes().value(QStringLiteral("message")).toString();
            }
        }
        QCOMPARE(suiteFailures, QStringLiteral("3"));
        QVERIFY2(romeFailure.contains(QStringLiteral("exact (score 0.0000)")), qPrintable(romeFailure));
        QVERIFY2(romeFailure.contains(QStringLiteral("similar (score 0.5000)")), qPrintable(romeFailure));
        // Model text reaches the CI log as text.
        QVERIFY(parsed.text.contains(QString::fromLatin1(kScript)));
    }

    void htmlIsSelfContainedAndParsesBack()
    {
        const ReportInput input = m_fixture.load({QString::number(m_fixture.baseRun)});
        const QByteArray bytes = HtmlReport::render(input, at(10));
        const Parsed parsed = parseXml(bytes);
        QVERIFY2(parsed.error.isEmpty(), qPrintable(parsed.error));
        QCOMPARE(parsed.elements.value(0), QStringLiteral("html"));
        QVERIFY(parsed.counts.value(QStringLiteral("style")) == 1);
        QVERIFY(parsed.counts.value(QStringLiteral("svg")) >= 3); // pass rates + a histogram per criterion
        QCOMPARE(parsed.counts.value(QStringLiteral("script")), 0);
        QCOMPARE(parsed.counts.value(QStringLiteral("img")), 0);
        QCOMPARE(parsed.counts.value(QStringLiteral("link")), 0);
        // No network reference: the only URLs are the XHTML and SVG namespaces.
        QString urls = QString::fromUtf8(bytes);
        urls.remove(QStringLiteral("http://www.w3.org/1999/xhtml")).remove(QStringLiteral("http://www.w3.org/2000/svg"));
        QVERIFY(!urls.contains(QStringLiteral("http://")));
        QVERIFY(!urls.contains(QStringLiteral("https://")));

        // Summary: 6 items, 2 passed, 3 failed, 1 errored.
        QVERIFY(parsed.text.contains(QStringLiteral("33.3%")));
        QVERIFY(parsed.text.contains(QStringLiteral("Eval report: Capitals <b>")));
        // Criteria and their definitions.
        QVERIFY(parsed.text.contains(QStringLiteral("\"evaluation_metric\": \"fuzzy_match\"")));
        QVERIFY(parsed.text.contains(QStringLiteral("Pass rate per criterion")));
        // Failing items with input and output; passing items not detailed.
        QVERIFY(parsed.text.contains(QStringLiteral("user: Capital #1?")));
        QVERIFY(!parsed.text.contains(QStringLiteral("user: Capital #0?")));
        QVERIFY(parsed.text.contains(QStringLiteral("sampling failed: HTTP 500")));
    }

    void escapingShowsMarkupAsText()
    {
        const ReportInput input = m_fixture.load({QString::number(m_fixture.baseRun)});
        const QByteArray htmlBytes = HtmlReport::render(input);
        QVERIFY(!htmlBytes.contains(kScript));
        QVERIFY(!htmlBytes.contains("<b>"));
        QVERIFY(htmlBytes.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        QVERIFY(parseXml(htmlBytes).text.contains(QString::fromLatin1(kScript)));
        // The control character in item 5 is replaced, not written raw (the file stays XML).
        QVERIFY(!htmlBytes.contains('\x01'));

        const QByteArray markdown = MarkdownReport::render(input);
        QVERIFY(!markdown.contains("<script"));
        QVERIFY(markdown.contains("&lt;script&gt;"));
        QVERIFY(!markdown.contains("<b>"));

        const QByteArray junit = JUnitReport::render(input);
        QVERIFY(!junit.contains(kScript));
        QVERIFY(!junit.contains('\x01'));
    }

    void markdownSummarisesForAPullRequest()
    {
        const ReportInput input = m_fixture.load({QStringLiteral("latest~1"), QStringLiteral("latest")});
        const QString md = QString::fromUtf8(MarkdownReport::render(input, at(10)));
        // Markdown punctuation is escaped: "evalrun_1" reads "evalrun\_1" in the source.
        const QString base = QStringLiteral("evalrun\\_%1").arg(m_fixture.baseRun);
        const QString compared = QStringLiteral("evalrun\\_%1").arg(m_fixture.compareRun);
        QVERIFY(md.contains(QStringLiteral("| Run | Model | Status | Total | Passed | Failed | Errored | Pass rate |")));
        QVERIFY(md.contains(QStringLiteral("| %1 | gpt-4.1-mini | completed | 6 | 2 | 3 | 1 | 33.3% |").arg(base)));
        QVERIFY(md.contains(QStringLiteral("| %1 | gpt-4.1 | completed | 6 | 2 | 3 | 1 | 33.3% |").arg(compared)));
        QVERIFY(md.contains(QStringLiteral("**1 regressions** (pass → fail), **1 improvements** (fail → pass)")));
        // Every table row has the header's cell count (escaped pipes do not split cells).
        for (const QString &line : md.split(QLatin1Char('\n'))) {
            if (!line.startsWith(QLatin1String("| ")))
                continue;
            QString cells = line;
            cells.remove(QStringLiteral("\\|"));
            QVERIFY(cells.count(QLatin1Char('|')) >= 4);
        }
    }

    void htmlShowsTheComparison()
    {
        const ReportInput input = m_fixture.load({QStringLiteral("latest~1"), QStringLiteral("latest")});
        const QByteArray bytes = HtmlReport::render(input);
        keep(QStringLiteral("report.html"), bytes);
        keep(QStringLiteral("report.md"), MarkdownReport::render(input));
        keep(QStringLiteral("report.xml"), JUnitReport::render(input));
        const Parsed parsed = parseXml(bytes);
        QVERIFY2(parsed.error.isEmpty(), qPrintable(parsed.error));
        QVERIFY(parsed.text.contains(QStringLiteral("Regressions (pass → fail)")));
        QVERIFY(parsed.text.contains(QStringLiteral("Improvements (fail → pass)")));
        QVERIFY(bytes.contains("id=\"regression-0\""));
        QVERIFY(bytes.contains("id=\"improvement-1\""));
        // Word diff of item 0's output: "Paris" -> "Lyon is the capital".
        QVERIFY(bytes.contains("<del>Paris</del><ins>Lyon is the capital</ins>"));
        QVERIFY(parsed.counts.value(QStringLiteral("del")) >= 2);
    }

    void exportsAreDeterministic()
    {
        const ReportInput input = m_fixture.load({QStringLiteral("latest~1"), QStringLiteral("latest")});
        for (const ReportFormat format : {ReportFormat::Html, ReportFormat::Markdown, ReportFormat::Csv,
                                          ReportFormat::Jsonl, ReportFormat::JUnit}) {
            const QByteArray first = renderReport(input, format, at(10));
            const QByteArray second = renderReport(m_fixture.load({QStringLiteral("latest~1"), QStringLiteral("latest")}),
                                                   format, at(11));
            QVERIFY(!first.isEmpty());
            QCOMPARE(withoutGeneratedLine(first), withoutGeneratedLine(second));
            if (format == ReportFormat::Html || format == ReportFormat::Markdown) {
                QVERIFY(first != second); // the generated-at line is the one difference
                QCOMPARE(first.count("Generated at "), 1);
            }
        }
    }

    void noApiKeyInAnyFormat()
    {
        const ReportInput input = m_fixture.load({QStringLiteral("latest~1"), QStringLiteral("latest")});
        for (const ReportFormat format : {ReportFormat::Html, ReportFormat::Markdown, ReportFormat::Csv,
                                          ReportFormat::Jsonl, ReportFormat::JUnit}) {
            const QByteArray bytes = renderReport(input, format, at(10));
            QVERIFY2(!bytes.contains(kKey), qPrintable(reportFormatName(format)));
            QVERIFY2(!bytes.contains("abcdefghijklmnop"), qPrintable(reportFormatName(format)));
            QVERIFY2(bytes.contains("[REDACTED]"), qPrintable(reportFormatName(format)));
        }
        // The rest of the text around the key is kept.
        const auto rows = readCsv(CsvReport::render(input));
        QCOMPARE(rows[5][9], std::string("my key is [REDACTED] and Bearer [REDACTED]"));
        // Words that merely contain "sk-" are left alone.
        QCOMPARE(scrubSecrets(QByteArray("task-force-of-the-year-2026 sk-short")),
                 QByteArray("task-force-of-the-year-2026 sk-short"));
    }

    void pdfHasTheSummaryAndPages()
    {
        const ReportInput input = m_fixture.load({QStringLiteral("latest~1"), QStringLiteral("latest")});
        QString error;
        const QByteArray pdf = PdfReport::render(input, at(10), &error);
        QVERIFY2(!pdf.isEmpty(), qPrintable(error));
        QVERIFY(pdf.startsWith("%PDF-"));
        keep(QStringLiteral("report.pdf"), pdf);
        QString problem;
        const QString text = pdfText(pdf, &problem);
        QVERIFY2(!text.isEmpty(), qPrintable(problem));
        QVERIFY(text.contains(QStringLiteral("Eval report: Capitals <b>")));
        QVERIFY(text.contains(QStringLiteral("Page 1 of")));
        QVERIFY(text.contains(QStringLiteral("33.3%")));
        QVERIFY(text.contains(QStringLiteral("Pass rate per criterion"))); // chart text, drawn as vector
        QVERIFY(text.contains(QString::fromLatin1(kScript)));
        QVERIFY(text.contains(QStringLiteral("Regressions")));
        QVERIFY(!text.contains(QString::fromLatin1(kKey)));
        const int pages = static_cast<int>(text.count(QLatin1Char('\f')));
        QVERIFY(pages >= 2);
        QVERIFY(text.contains(QStringLiteral("Page %1 of %1").arg(pages)));

        // Same text on a second export, but for the generated-at line.
        const QString again = pdfText(PdfReport::render(input, at(11), &error), &problem);
        auto strip = [](QString t) {
            return t.remove(QRegularExpression(QStringLiteral("Generated at [^\\n]*")));
        };
        QCOMPARE(strip(again), strip(text));
    }

    void writeReportIsAtomicAndNamesTheFile()
    {
        const ReportInput input = m_fixture.load({QStringLiteral("latest")});
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("r.csv"));
        QString error;
        QVERIFY(writeReport(input, ReportFormat::Csv, path, {}, &error));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), CsvReport::render(input));
        QVERIFY(!writeReport(input, ReportFormat::Csv, dir.filePath(QStringLiteral("missing/r.csv")), {}, &error));
        QVERIFY(error.contains(QStringLiteral("missing/r.csv")));
        QCOMPARE(reportFormatFromName(QStringLiteral("md")), ReportFormat::Markdown);
        QCOMPARE(reportFormatFromName(QStringLiteral("JUNIT")), ReportFormat::JUnit);
        QVERIFY(!reportFormatFromName(QStringLiteral("docx")));
    }
};

QTEST_MAIN(TestReports)
#include "tst_reports.moc"
