#include <QtTest/QTest>

#include "compare_fixture.h"
#include "models/compare/comparison_conversions.h"
#include "models/compare/comparison_export.h"
#include "models/dataset/dataset_document.h"
#include "models/eval/eval_spec.h"
#include "support/openapi_validator.h"

using namespace assay;
using namespace assay::compare;
using json = nlohmann::json;

// QCOMPARE cannot print nlohmann::json; this says both sides when they differ.
#define JSON_COMPARE(actual, expected)                                                                      \
    do {                                                                                                    \
        const json a_ = (actual);                                                                           \
        const json e_ = (expected);                                                                         \
        QVERIFY2(a_ == e_, qPrintable(QString::fromStdString(a_.dump() + "\n  expected " + e_.dump())));     \
    } while (false)

namespace {

Comparison finishedComparison()
{
    Comparison c = testing::makeComparison(3);
    c.setGraders(json::array({{{"type", "string_check"},
                               {"name", "matches ideal"},
                               {"input", "{{ sample.output_text }}"},
                               {"reference", "{{ item.ideal }}"},
                               {"operation", "eq"}}}));
    for (int r = 0; r < 3; ++r)
        for (int v = 0; v < 2; ++v) {
            CellRun &run = c.run(r, v, 0);
            run.status = CellStatus::Done;
            run.text = QStringLiteral("answer %1 from %2").arg(r).arg(v);
            run.latencyMs = 100 + r;
        }
    c.run(2, 1, 0).status = CellStatus::Error;
    c.run(2, 1, 0).error = QStringLiteral("boom");
    return c;
}

} // namespace

class TestComparisonConversions : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void datasetHasInputsAndIdealAnswers();
    void inputsComeFromJsonlOrADataset();
    void evalAndRunValidateAgainstTheSpec();
    void evalRunTemplatesUseTheItemNamespace();
    void runOfAColumnWithoutModelIsRefused();
    void htmlEscapesEverythingAndIsDeterministic();
    void markdownNeutralisesModelText();
};

void TestComparisonConversions::datasetHasInputsAndIdealAnswers()
{
    const Comparison c = finishedComparison();
    const QByteArray jsonl = ComparisonConversions::datasetJsonl(c, 1);
    const QList<QByteArray> lines = jsonl.trimmed().split('\n');
    QCOMPARE(lines.size(), 3);
    const json first = json::parse(lines[0].toStdString());
    JSON_COMPARE(first, (json{{"item", {{"topic", "topic-0"}, {"ideal", "answer 0 from 1"}}}}));
    // A cell that did not finish gives no ideal answer rather than a wrong one.
    JSON_COMPARE(json::parse(lines[2].toStdString())["item"]["ideal"], json(""));
    // Without a column: only the inputs. The file reads back as the same inputs.
    ComparisonInputs back;
    QString error;
    QVERIFY2(ComparisonInputs::fromJsonl(ComparisonConversions::datasetJsonl(c), &back, &error), qPrintable(error));
    QVERIFY(back == c.inputs());
}

void TestComparisonConversions::inputsComeFromJsonlOrADataset()
{
    ComparisonInputs inputs;
    QString error;
    QVERIFY(ComparisonInputs::fromJsonl("{\"item\": {\"q\": \"a\"}}\n\n{\"q\": \"b\", \"n\": 2}\n", &inputs, &error));
    QCOMPARE(inputs.rowCount(), 2);
    QCOMPARE(inputs.value(0, QStringLiteral("q")), QStringLiteral("a"));
    QCOMPARE(inputs.value(1, QStringLiteral("n")), QStringLiteral("2"));
    QCOMPARE(inputs.variableNames(), (QStringList{QStringLiteral("q"), QStringLiteral("n")}));
    QVERIFY(!ComparisonInputs::fromJsonl("{\"q\": 1}\n[1, 2]\n", &inputs, &error));
    QVERIFY2(error.startsWith(QStringLiteral("line 2")), qPrintable(error));
    QCOMPARE(inputs.rowCount(), 2); // unchanged on failure

    dataset::DatasetDocument document;
    document.setRows({nlohmann::ordered_json{{"topic", "x"}}, nlohmann::ordered_json{{"topic", "y"}},
                      nlohmann::ordered_json{{"topic", "z"}}},
                     dataset::DatasetFormat::Jsonl);
    const ComparisonInputs fromDataset = ComparisonInputs::fromDataset(document, 2);
    QCOMPARE(fromDataset.rowCount(), 2);
    QCOMPARE(fromDataset.value(1, QStringLiteral("topic")), QStringLiteral("y"));
}

void TestComparisonConversions::evalAndRunValidateAgainstTheSpec()
{
    ASSAY_REQUIRE_OPENAPI(validator);
    const Comparison c = finishedComparison();
    const json evalBody = ComparisonConversions::evalRequest(c, QStringLiteral("From comparison"), QStringLiteral("ideal"));
    QStringList errors = validator->check(evalBody, QStringLiteral("CreateEvalRequest"));
    QVERIFY2(errors.isEmpty(), qPrintable(testing::formatErrors(errors)));
    QVERIFY(validator->unknownProperties(evalBody, QStringLiteral("CreateEvalRequest")).isEmpty());
    JSON_COMPARE(evalBody["testing_criteria"], c.graders());
    JSON_COMPARE(evalBody["data_source_config"]["item_schema"]["required"], (json{"topic", "ideal"}));

    for (int v = 0; v < 2; ++v) {
        QString error;
        const json run = ComparisonConversions::evalRunRequest(c, v, QStringLiteral("column"), 0,
                                                               QStringLiteral("ideal"), &error);
        QVERIFY2(!run.is_null(), qPrintable(error));
        errors = validator->check(run, QStringLiteral("CreateEvalRunRequest"));
        QVERIFY2(errors.isEmpty(), qPrintable(testing::formatErrors(errors)));
        JSON_COMPARE(run["data_source"]["type"], json(v == 0 ? "responses" : "completions"));
        JSON_COMPARE(run["data_source"]["model"], json(v == 0 ? "gpt-4.1-mini" : "gpt-4.1"));
        QCOMPARE(run["data_source"]["source"]["content"].size(), std::size_t(3));
        // Assay's own eval engine accepts both definitions too.
        std::vector<eval::SpecProblem> problems;
        QVERIFY(eval::EvalSpec::parse(evalBody, &problems));
        const auto spec = eval::RunSpec::parse(run, QString(), &problems);
        QVERIFY2(spec, problems.empty() ? "" : problems.front().toString().c_str());
        QCOMPARE(eval::loadRunItems(*spec).items.size(), std::size_t(3));
    }
}

void TestComparisonConversions::evalRunTemplatesUseTheItemNamespace()
{
    Comparison c = finishedComparison();
    ComparisonVariant v = c.variant(0);
    v.parameters.temperature = 0.2;
    v.parameters.maxOutputTokens = 50;
    v.parameters.jsonSchema = json{{"name", "answer"}, {"schema", {{"type", "object"}, {"properties", json::object()}}}};
    c.setVariant(0, v);
    const json run = ComparisonConversions::evalRunRequest(c, 0, QStringLiteral("r"));
    const json messages = run["data_source"]["input_messages"]["template"];
    QCOMPARE(messages.size(), std::size_t(2));
    JSON_COMPARE(messages[0], (json{{"role", "developer"}, {"content", "Be brief."}}));
    JSON_COMPARE(messages[1], (json{{"role", "user"}, {"content", "Answer about {{item.topic}}."}}));
    const json sampling = run["data_source"]["sampling_params"];
    JSON_COMPARE(sampling["temperature"], json(0.2));
    JSON_COMPARE(sampling["max_completion_tokens"], json(50));
    JSON_COMPARE(sampling["text"]["format"]["type"], json("json_schema"));
    ASSAY_REQUIRE_OPENAPI(validator);
    const QStringList errors = validator->check(run, QStringLiteral("CreateEvalRunRequest"));
    QVERIFY2(errors.isEmpty(), qPrintable(testing::formatErrors(errors)));
    // The eval engine renders the template with an item as the live comparison did.
    std::vector<eval::SpecProblem> problems;
    const auto spec = eval::RunSpec::parse(run, QString(), &problems);
    QVERIFY(spec);
    const eval::SamplingRequest request = eval::buildSamplingRequest(*spec, json{{"topic", "topic-1"}});
    QVERIFY(!request.error);
    QVERIFY(request.body.dump().find("Answer about topic-1.") != std::string::npos);
}

void TestComparisonConversions::runOfAColumnWithoutModelIsRefused()
{
    Comparison c = finishedComparison();
    ComparisonVariant v = c.variant(1);
    v.parameters.model.clear();
    c.setVariant(1, v);
    QString error;
    QVERIFY(ComparisonConversions::evalRunRequest(c, 1, QStringLiteral("r"), std::nullopt, QStringLiteral("ideal"),
                                                  &error)
                .is_null());
    QVERIFY(error.contains(QStringLiteral("no model")));
}

void TestComparisonConversions::htmlEscapesEverythingAndIsDeterministic()
{
    Comparison c = finishedComparison();
    c.name = QStringLiteral("<b>name</b>");
    c.setRowValues(0, json{{"topic", "<script>alert('input')</script>"}});
    c.run(0, 0, 0).text = QStringLiteral("<img src=x onerror=alert(1)> & sk-proj-abcdefghijklmnopqrstuvwxyz123456");
    ComparisonVariant v = c.variant(1);
    v.name = QStringLiteral("<i>B</i> 100%9");
    c.setVariant(1, v);
    ComparisonExport::Options options;
    options.generatedAt = QDateTime(QDate(2026, 11, 23), QTime(8, 0), Qt::UTC);
    const QByteArray html = ComparisonExport::html(c, options);
    QVERIFY(!html.contains("<script"));
    QVERIFY(!html.contains("<img"));
    QVERIFY(!html.contains("<b>name"));
    QVERIFY(!html.contains("<i>B"));
    QVERIFY(html.contains("&lt;script&gt;"));
    QVERIFY(html.contains("&lt;i&gt;B&lt;/i&gt; 100%9 (") || html.contains("&lt;i&gt;B&lt;/i&gt; 100%9<"));
    QVERIFY(html.contains("&lt;img src=x onerror=alert(1)&gt; &amp;"));
    QVERIFY2(!html.contains("sk-proj-abcdefghijklmnopqrstuvwxyz123456"), "a key-like string never reaches a report");
    QVERIFY(!html.contains("http://") && !html.contains("https://")); // self-contained
    QVERIFY(html.contains("Generated at 2026-11-23T08:00:00Z"));
    QCOMPARE(ComparisonExport::html(c, options), html);
    options.generatedAt = options.generatedAt.addSecs(60);
    const QByteArray later = ComparisonExport::html(c, options);
    QCOMPARE(later.size(), html.size()); // only the generated-at line differs
    QVERIFY(later != html);
    // The baseline diff is marked for the differing cell.
    QVERIFY(html.contains("<ins>") || html.contains("<del>"));
}

void TestComparisonConversions::markdownNeutralisesModelText()
{
    Comparison c = finishedComparison();
    c.setRepeats(2);
    c.run(0, 0, 0).status = CellStatus::Done;
    c.run(0, 0, 0).text = QStringLiteral("```\n<script>x</script>\n``` [link](http://evil) **bold**");
    c.run(0, 0, 1).status = CellStatus::Done;
    c.run(0, 0, 1).text = QStringLiteral("other");
    c.setRowValues(1, json{{"topic", "<b>| pipe"}});
    ComparisonExport::Options options;
    options.generatedAt = QDateTime(QDate(2026, 11, 23), QTime(8, 0), Qt::UTC);
    const QByteArray md = ComparisonExport::markdown(c, options);
    QCOMPARE(ComparisonExport::markdown(c, options), md);
    // Model text sits in a fence longer than any backtick run inside it: nothing in it is markup.
    QVERIFY2(md.contains("````text\n```\n<script>x</script>\n``` [link](http://evil) **bold**\n````\n"), md.constData());
    // Outside fences (inputs, names) HTML and Markdown punctuation are neutralised.
    QVERIFY(md.contains("Distinct answers over 2 repeats (exact text after trimming)"));
    QVERIFY(md.contains("\\<b\\>") || md.contains("&lt;b&gt;"));
    QVERIFY(md.contains("\\| pipe"));
}

QTEST_GUILESS_MAIN(TestComparisonConversions)
#include "tst_comparison_conversions.moc"
