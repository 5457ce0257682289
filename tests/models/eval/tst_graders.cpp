#include <QtTest>

#include <memory>
#include <optional>

#include "models/eval/graders/grader.h"
#include "models/eval/graders/string_check_grader.h"
#include "models/eval/graders/text_similarity_grader.h"
#include "support/openapi_validator.h"
#include "support/scripted_grader_services.h"

using assay::eval::GradeResult;
using assay::eval::Grader;
using assay::eval::GradingContext;
using assay::eval::makeGrader;
using assay::testing::ScriptedGraderServices;
using json = nlohmann::json;

namespace {

std::unique_ptr<Grader> build(const json &definition, std::string *error = nullptr)
{
    std::string ignored;
    return makeGrader(definition, "$.testing_criteria[0]", error ? error : &ignored);
}

// Grades once and waits for the one callback (the services may answer from the event loop).
std::optional<GradeResult> gradeOnce(const Grader &grader, const GradingContext &context,
                                     ScriptedGraderServices &services, int *calls = nullptr)
{
    auto result = std::make_shared<std::optional<GradeResult>>();
    auto count = std::make_shared<int>(0);
    grader.grade(context, services, [result, count](GradeResult graded) {
        ++*count;
        *result = std::move(graded);
    });
    if (!result->has_value())
        static_cast<void>(QTest::qWaitFor([&] { return result->has_value(); }, 5000));
    QCoreApplication::processEvents(); // a second callback would show up here
    if (calls)
        *calls = *count;
    return *result;
}

json stringCheck(const std::string &operation, const std::string &input, const std::string &reference)
{
    return {{"type", "string_check"}, {"name", "check"}, {"operation", operation}, {"input", input}, {"reference", reference}};
}

json similarity(const std::string &metric, double threshold, const std::string &input = "{{ sample.output_text }}",
                const std::string &reference = "{{ item.reference }}")
{
    return {{"type", "text_similarity"}, {"name", "similar"}, {"evaluation_metric", metric},
            {"pass_threshold", threshold}, {"input", input}, {"reference", reference}};
}

GradingContext contextWith(const std::string &output, const std::string &reference)
{
    GradingContext context;
    context.item = {{"reference", reference}};
    context.sample = {{"output_text", output}, {"output_tools", json::array()}, {"choices", json::array()}};
    return context;
}

const char *const kSentence = "the quick brown fox jumps over the lazy dog";

} // namespace

class TestGraders : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void stringCheckOperations_data();
    void stringCheckOperations();
    void stringCheckNameTypeAndJson();
    void stringCheckMissingVariableNamesThePath();
    void stringCheckRendersNonStringsAsJson();
    void stringCheckNestedToolPath();
    void factoryErrorsNameTheJsonPath_data();
    void factoryErrorsNameTheJsonPath();

    void textSimilarityIdenticalTextsScoreOne_data();
    void textSimilarityIdenticalTextsScoreOne();
    void textSimilarityFuzzyKittenSitting();
    void textSimilarityThresholdIsInclusive();
    void textSimilarityRougeOrderDispatch();
    void textSimilarityDisjointTextsScoreZero_data();
    void textSimilarityDisjointTextsScoreZero();
    void textSimilarityMissingVariable();
    void cosineEmbedsBothTexts();
    void cosineUsesTheDefinitionsModel();
    void cosineEmbeddingErrorIsAnItemError();
    void cosineMalformedAnswerIsAnItemError();
    void cosineEmptyTextNeedsNoCall();
};

void TestGraders::stringCheckOperations_data()
{
    QTest::addColumn<QString>("operation");
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("reference");
    QTest::addColumn<bool>("passes");

    QTest::newRow("eq equal") << "eq" << "Paris" << "Paris" << true;
    QTest::newRow("eq differs in case") << "eq" << "paris" << "Paris" << false;
    QTest::newRow("eq trailing space counts") << "eq" << "Paris " << "Paris" << false;
    QTest::newRow("ne different") << "ne" << "Lyon" << "Paris" << true;
    QTest::newRow("ne equal") << "ne" << "Paris" << "Paris" << false;
    QTest::newRow("neq different") << "neq" << "Lyon" << "Paris" << true;
    QTest::newRow("neq equal") << "neq" << "Paris" << "Paris" << false;
    QTest::newRow("like contains") << "like" << "The capital is Paris." << "Paris" << true;
    QTest::newRow("like is case-sensitive") << "like" << "The capital is PARIS." << "Paris" << false;
    QTest::newRow("like reference longer") << "like" << "Paris" << "Paris, France" << false;
    QTest::newRow("ilike ignores case") << "ilike" << "The capital is PARIS." << "paris" << true;
    QTest::newRow("ilike absent") << "ilike" << "The capital is Lyon." << "paris" << false;
    QTest::newRow("eq unicode") << "eq" << "Zürich 東京 🚀" << "Zürich 東京 🚀" << true;
    QTest::newRow("like unicode") << "like" << "Reise nach Zürich 🚀" << "Zürich 🚀" << true;
    QTest::newRow("ilike unicode case") << "ilike" << "ÉCOLE NORMALE SUPÉRIEURE" << "école normale" << true;
    QTest::newRow("ilike greek case") << "ilike" << "ΑΘΗΝΑ" << "αθηνα" << true;
    QTest::newRow("eq precomposed vs decomposed") << "eq" << QString::fromUtf8("caf\xc3\xa9")
                                                  << QString::fromUtf8("cafe\xcc\x81") << false;
    QTest::newRow("like empty reference") << "like" << "anything" << "" << true;
}

void TestGraders::stringCheckOperations()
{
    QFETCH(QString, operation);
    QFETCH(QString, input);
    QFETCH(QString, reference);
    QFETCH(bool, passes);

    // Both sides go through the template, as in a real criterion.
    std::string error;
    auto grader = build(stringCheck(operation.toStdString(), "{{ sample.output_text }}", "{{ item.reference }}"), &error);
    QVERIFY2(grader, error.c_str());
    ScriptedGraderServices services;
    const auto result = gradeOnce(*grader, contextWith(input.toStdString(), reference.toStdString()), services);
    QVERIFY(result);
    QVERIFY2(!result->errored(), result->error.c_str());
    QCOMPARE(result->passed, passes);
    QCOMPARE(result->score, passes ? 1.0 : 0.0);
    QVERIFY(result->invalidReason.empty());
}

void TestGraders::stringCheckNameTypeAndJson()
{
    auto grader = build({{"type", "string_check"}, {"name", "capital matches"}, {"operation", "eq"},
                         {"input", "{{ sample.output_text }}"}, {"reference", "{{ item.reference }}"}});
    QVERIFY(grader);
    QCOMPARE(grader->name(), std::string("capital matches"));
    QCOMPARE(grader->type(), std::string("string_check"));
    QVERIFY(!grader->needsModel());
    QVERIFY(!grader->needsPython());

    ScriptedGraderServices services;
    const auto result = gradeOnce(*grader, contextWith("Paris", "Paris"), services);
    QVERIFY(result);
    const json shaped = result->toJson();
    QCOMPARE(shaped.at("name"), json("capital matches"));
    QCOMPARE(shaped.at("type"), json("string_check"));
    QCOMPARE(shaped.at("score"), json(1.0));
    QCOMPARE(shaped.at("passed"), json(true));
    QVERIFY(shaped.contains("sample"));
    QVERIFY(!shaped.contains("error"));
    QVERIFY(!shaped.contains("invalid_reason"));
}

void TestGraders::stringCheckMissingVariableNamesThePath()
{
    auto grader = build(stringCheck("eq", "{{ sample.output_text }}", "{{ item.answer.city }}"));
    QVERIFY(grader);
    ScriptedGraderServices services;
    GradingContext context = contextWith("Paris", "Paris");
    context.item = {{"answer", {{"country", "France"}}}};
    const auto result = gradeOnce(*grader, context, services);
    QVERIFY(result);
    QVERIFY(result->errored());
    QVERIFY2(result->error.find("item.answer.city") != std::string::npos, result->error.c_str());
    QVERIFY2(result->error.find("reference") != std::string::npos, result->error.c_str());
    QVERIFY(!result->passed);
    QCOMPARE(result->score, 0.0);
    QCOMPARE(result->toJson().at("error"), json(result->error));

    // A missing sample field is reported the same way (and not as an empty string that could match).
    auto onInput = build(stringCheck("eq", "{{ sample.output_json.city }}", ""));
    QVERIFY(onInput);
    const auto inputResult = gradeOnce(*onInput, contextWith("Paris", "Paris"), services);
    QVERIFY(inputResult && inputResult->errored());
    QVERIFY2(inputResult->error.find("sample.output_json.city") != std::string::npos, inputResult->error.c_str());
}

void TestGraders::stringCheckRendersNonStringsAsJson()
{
    ScriptedGraderServices services;
    GradingContext context = contextWith("", "");
    context.item = {{"count", 3}, {"ok", true}, {"point", {{"x", 1}, {"y", 2}}}, {"tags", {"a", "b"}}, {"none", nullptr}};

    const std::pair<const char *, const char *> cases[] = {
        {"{{ item.count }}", "3"},
        {"{{ item.ok }}", "true"},
        {"{{ item.point }}", R"({"x":1,"y":2})"},
        {"{{ item.tags }}", R"(["a","b"])"},
        {"{{item.point.y}} of {{ item.count }}", "2 of 3"},
    };
    for (const auto &[input, expected] : cases) {
        auto grader = build(stringCheck("eq", input, expected));
        QVERIFY(grader);
        const auto result = gradeOnce(*grader, context, services);
        QVERIFY(result);
        QVERIFY2(!result->errored(), result->error.c_str());
        QVERIFY2(result->passed, input);
    }
}

void TestGraders::stringCheckNestedToolPath()
{
    // The Graders guide's tool-call check.
    auto name = build(stringCheck("eq", "get_acceptors", "{{sample.output_tools[0].function.name}}"));
    auto arguments = build(stringCheck("eq", "{\"smiles\": \"{{item.smiles}}\"}", "{{sample.output_tools[0].function.arguments}}"));
    QVERIFY(name && arguments);

    GradingContext context;
    context.item = {{"smiles", "CCO"}};
    context.sample = {{"output_text", ""},
                      {"output_tools",
                       {{{"id", "call_1"},
                         {"type", "function"},
                         {"function", {{"name", "get_acceptors"}, {"arguments", "{\"smiles\": \"CCO\"}"}}}}}}};
    ScriptedGraderServices services;
    auto result = gradeOnce(*name, context, services);
    QVERIFY(result && !result->errored() && result->passed);
    result = gradeOnce(*arguments, context, services);
    QVERIFY(result && !result->errored() && result->passed);

    context.sample["output_tools"][0]["function"]["name"] = "get_donors";
    result = gradeOnce(*name, context, services);
    QVERIFY(result && !result->errored() && !result->passed);

    // No tool call at all: the path does not resolve, so the item errors rather than failing quietly.
    context.sample["output_tools"] = json::array();
    result = gradeOnce(*name, context, services);
    QVERIFY(result && result->errored());
    QVERIFY2(result->error.find("sample.output_tools[0].function.name") != std::string::npos, result->error.c_str());
}

void TestGraders::factoryErrorsNameTheJsonPath_data()
{
    QTest::addColumn<QString>("definition");
    QTest::addColumn<QString>("expected");

    QTest::newRow("not an object") << R"(["eq"])" << "$.testing_criteria[0]: ";
    QTest::newRow("no type") << R"({"name": "x"})" << "$.testing_criteria[0].type: is required";
    QTest::newRow("type not a string") << R"({"type": 3, "name": "x"})" << "$.testing_criteria[0].type: must be a string";
    QTest::newRow("unknown type") << R"({"type": "regex_check"})"
                                  << "$.testing_criteria[0].type: unknown grader type \"regex_check\"";
    QTest::newRow("no name") << R"({"type": "string_check", "input": "a", "reference": "b", "operation": "eq"})"
                             << "$.testing_criteria[0].name: is required";
    QTest::newRow("no operation") << R"({"type": "string_check", "name": "x", "input": "a", "reference": "b"})"
                                  << "$.testing_criteria[0].operation: is required";
    QTest::newRow("unknown operation")
        << R"({"type": "string_check", "name": "x", "input": "a", "reference": "b", "operation": "startswith"})"
        << "$.testing_criteria[0].operation: unknown operation \"startswith\"";
    QTest::newRow("input not a string")
        << R"({"type": "string_check", "name": "x", "input": 1, "reference": "b", "operation": "eq"})"
        << "$.testing_criteria[0].input: must be a string";
    QTest::newRow("no reference") << R"({"type": "string_check", "name": "x", "input": "a", "operation": "eq"})"
                                  << "$.testing_criteria[0].reference: is required";
    QTest::newRow("similarity without threshold")
        << R"({"type": "text_similarity", "name": "x", "input": "a", "reference": "b", "evaluation_metric": "bleu"})"
        << "$.testing_criteria[0].pass_threshold: is required";
    QTest::newRow("similarity threshold not a number")
        << R"({"type": "text_similarity", "name": "x", "input": "a", "reference": "b", "evaluation_metric": "bleu", "pass_threshold": "0.5"})"
        << "$.testing_criteria[0].pass_threshold: must be a number";
    QTest::newRow("unknown metric")
        << R"({"type": "text_similarity", "name": "x", "input": "a", "reference": "b", "evaluation_metric": "rouge_6", "pass_threshold": 0.5})"
        << "$.testing_criteria[0].evaluation_metric: unknown metric \"rouge_6\"";
    QTest::newRow("no metric")
        << R"({"type": "text_similarity", "name": "x", "input": "a", "reference": "b", "pass_threshold": 0.5})"
        << "$.testing_criteria[0].evaluation_metric: is required";
}

void TestGraders::factoryErrorsNameTheJsonPath()
{
    QFETCH(QString, definition);
    QFETCH(QString, expected);
    std::string error;
    auto grader = makeGrader(json::parse(definition.toStdString()), "$.testing_criteria[0]", &error);
    QVERIFY(!grader);
    QVERIFY2(QString::fromStdString(error).startsWith(expected),
             qPrintable(QStringLiteral("got: ") + QString::fromStdString(error)));
}

void TestGraders::textSimilarityIdenticalTextsScoreOne_data()
{
    QTest::addColumn<QString>("metric");
    QTest::addColumn<double>("atLeast");
    for (const char *metric : {"fuzzy_match", "bleu", "gleu", "rouge_1", "rouge_2", "rouge_3", "rouge_4", "rouge_5", "rouge_l"})
        QTest::newRow(metric) << QString::fromLatin1(metric) << 1.0;
    // METEOR's fragmentation penalty keeps even an identical sentence just below 1 (NLTK: 0.9993 for 9 words).
    QTest::newRow("meteor") << QStringLiteral("meteor") << 0.99;
}

void TestGraders::textSimilarityIdenticalTextsScoreOne()
{
    QFETCH(QString, metric);
    QFETCH(double, atLeast);
    std::string error;
    auto grader = build(similarity(metric.toStdString(), atLeast - 1e-9), &error);
    QVERIFY2(grader, error.c_str());
    QVERIFY(!grader->needsModel());
    ScriptedGraderServices services;
    const auto result = gradeOnce(*grader, contextWith(kSentence, kSentence), services);
    QVERIFY(result);
    QVERIFY2(!result->errored(), result->error.c_str());
    QVERIFY2(result->score >= atLeast - 1e-9 && result->score <= 1.0 + 1e-9, qPrintable(QString::number(result->score)));
    QVERIFY(result->passed);
    QVERIFY(services.embedCalls().empty());
}

void TestGraders::textSimilarityFuzzyKittenSitting()
{
    // rapidfuzz fuzz.ratio("kitten", "sitting") = 61.538...: the normalised Indel similarity 8/13.
    auto grader = build(similarity("fuzzy_match", 0.6));
    QVERIFY(grader);
    ScriptedGraderServices services;
    const auto result = gradeOnce(*grader, contextWith("kitten", "sitting"), services);
    QVERIFY(result && !result->errored());
    QVERIFY2(std::abs(result->score - 8.0 / 13.0) < 1e-6, qPrintable(QString::number(result->score, 'g', 10)));
    QVERIFY(result->passed);

    auto stricter = build(similarity("fuzzy_match", 0.62));
    const auto failed = gradeOnce(*stricter, contextWith("kitten", "sitting"), services);
    QVERIFY(failed && !failed->errored());
    QCOMPARE(failed->score, result->score);
    QVERIFY(!failed->passed);
    QVERIFY(failed->invalidReason.empty());
}

void TestGraders::textSimilarityThresholdIsInclusive()
{
    ScriptedGraderServices services;
    // Identical texts score exactly 1: a threshold of 1 passes (score >= pass_threshold)...
    auto exact = build(similarity("fuzzy_match", 1.0));
    auto result = gradeOnce(*exact, contextWith("Paris", "Paris"), services);
    QVERIFY(result && result->passed);
    QCOMPARE(result->score, 1.0);
    // ...and anything less than identical does not.
    result = gradeOnce(*exact, contextWith("Paris.", "Paris"), services);
    QVERIFY(result && !result->passed);
    QVERIFY(result->score < 1.0 && result->score > 0.8);
    // A threshold of 0 passes everything, even completely different texts.
    auto lenient = build(similarity("fuzzy_match", 0.0));
    result = gradeOnce(*lenient, contextWith("abc", "xyz"), services);
    QVERIFY(result && result->passed);
    QCOMPARE(result->score, 0.0);
}

void TestGraders::textSimilarityRougeOrderDispatch()
{
    // Same words in another order: every unigram matches, no bigram does.
    const std::string reversed = "echo delta charlie bravo alpha";
    const std::string ordered = "alpha bravo charlie delta echo";
    // One word swapped in the middle: bigrams "alpha bravo" and "delta echo" of 4 match, no trigram.
    const std::string swapped = "alpha bravo zulu delta echo";
    ScriptedGraderServices services;
    const auto scoreOf = [&](const char *metric, const std::string &output) {
        auto grader = build(similarity(metric, 0.5));
        if (!grader)
            return -1.0;
        const auto result = gradeOnce(*grader, contextWith(output, ordered), services);
        return result && !result->errored() ? result->score : -1.0;
    };
    QCOMPARE(scoreOf("rouge_1", reversed), 1.0);
    QCOMPARE(scoreOf("rouge_2", reversed), 0.0);
    QVERIFY(std::abs(scoreOf("rouge_l", reversed) - 0.2) < 1e-6); // LCS of 1 word out of 5
    QVERIFY(std::abs(scoreOf("rouge_1", swapped) - 0.8) < 1e-6);
    QVERIFY(std::abs(scoreOf("rouge_2", swapped) - 0.5) < 1e-6);
    QCOMPARE(scoreOf("rouge_3", swapped), 0.0);
    QVERIFY(std::abs(scoreOf("rouge_l", swapped) - 0.8) < 1e-6);
}

void TestGraders::textSimilarityDisjointTextsScoreZero_data()
{
    QTest::addColumn<QString>("metric");
    for (const char *metric : {"fuzzy_match", "bleu", "gleu", "meteor", "rouge_1", "rouge_5", "rouge_l"})
        QTest::newRow(metric) << QString::fromLatin1(metric);
}

void TestGraders::textSimilarityDisjointTextsScoreZero()
{
    QFETCH(QString, metric);
    auto grader = build(similarity(metric.toStdString(), 0.1));
    QVERIFY(grader);
    ScriptedGraderServices services;
    const auto result = gradeOnce(*grader, contextWith("qqq", "alpha bravo charlie delta echo"), services);
    QVERIFY(result && !result->errored());
    QVERIFY2(result->score < 0.1, qPrintable(QString::number(result->score)));
    QVERIFY(!result->passed);
}

void TestGraders::textSimilarityMissingVariable()
{
    auto grader = build(similarity("bleu", 0.5, "{{ sample.output_text }}", "{{ item.expected }}"));
    QVERIFY(grader);
    ScriptedGraderServices services;
    const auto result = gradeOnce(*grader, contextWith("x", "y"), services);
    QVERIFY(result && result->errored());
    QVERIFY2(result->error.find("item.expected") != std::string::npos, result->error.c_str());
}

void TestGraders::cosineEmbedsBothTexts()
{
    auto grader = build(similarity("cosine", 0.5));
    QVERIFY(grader);
    QVERIFY(grader->needsModel());
    ScriptedGraderServices services;
    services.setAsync(true);
    // Answered out of order: `index` says which embedding belongs to which text.
    json answer = ScriptedGraderServices::embeddingsResponse({{1.0, 0.0, 0.0}, {0.6, 0.8, 0.0}});
    std::swap(answer["data"][0], answer["data"][1]);
    services.queueEmbedAnswer({answer, std::nullopt});

    int calls = 0;
    const auto result = gradeOnce(*grader, contextWith("the model said this", "the reference says that"), services, &calls);
    QCOMPARE(calls, 1);
    QVERIFY(result);
    QVERIFY2(!result->errored(), result->error.c_str());
    QVERIFY2(std::abs(result->score - 0.6) < 1e-9, qPrintable(QString::number(result->score)));
    QVERIFY(result->passed);

    QCOMPARE(services.embedCalls().size(), size_t(1));
    const json &body = services.embedCalls().front();
    QCOMPARE(body.at("model"), json("text-embedding-3-large"));
    QCOMPARE(body.at("input"), json({"the model said this", "the reference says that"}));
    ASSAY_REQUIRE_OPENAPI(spec);
    ASSAY_VERIFY_SCHEMA(spec, body, QStringLiteral("CreateEmbeddingRequest"));
    QVERIFY(spec->unknownProperties(body, QStringLiteral("CreateEmbeddingRequest")).isEmpty());

    // Orthogonal embeddings: 0, below the threshold.
    services.queueEmbedAnswer({ScriptedGraderServices::embeddingsResponse({{1.0, 0.0}, {0.0, 2.0}}), std::nullopt});
    const auto orthogonal = gradeOnce(*grader, contextWith("a", "b"), services);
    QVERIFY(orthogonal && !orthogonal->errored());
    QVERIFY(std::abs(orthogonal->score) < 1e-9);
    QVERIFY(!orthogonal->passed);
}

void TestGraders::cosineUsesTheDefinitionsModel()
{
    json definition = similarity("cosine", 0.5);
    definition["model"] = "text-embedding-3-small";
    auto grader = build(definition);
    QVERIFY(grader);
    ScriptedGraderServices services;
    services.setEmbedScript([](const json &) {
        return ScriptedGraderServices::EmbedAnswer{
            ScriptedGraderServices::embeddingsResponse({{0.5, 0.5}, {0.5, 0.5}}, "text-embedding-3-small"), std::nullopt};
    });
    const auto result = gradeOnce(*grader, contextWith("same", "same"), services);
    QVERIFY(result && !result->errored());
    QVERIFY(std::abs(result->score - 1.0) < 1e-9);
    QCOMPARE(services.embedCalls().at(0).at("model"), json("text-embedding-3-small"));

    std::string error;
    definition["model"] = 7;
    QVERIFY(!build(definition, &error));
    QCOMPARE(error, std::string("$.testing_criteria[0].model: must be a string"));
}

void TestGraders::cosineEmbeddingErrorIsAnItemError()
{
    auto grader = build(similarity("cosine", 0.5));
    ScriptedGraderServices services;
    services.setAsync(true);
    assay::api::ApiError error = assay::api::ApiError::fromHttp(
        401, R"({"error": {"message": "Incorrect API key provided", "type": "invalid_request_error", "code": "invalid_api_key"}})",
        QStringLiteral("req_7"));
    services.queueEmbedAnswer({json(), error});
    const auto result = gradeOnce(*grader, contextWith("a", "b"), services);
    QVERIFY(result && result->errored());
    QVERIFY2(result->error.find(error.summary().toStdString()) != std::string::npos, result->error.c_str());
    QVERIFY(!result->passed);
}

void TestGraders::cosineMalformedAnswerIsAnItemError()
{
    auto grader = build(similarity("cosine", 0.5));
    ScriptedGraderServices services;
    services.queueEmbedAnswer({ScriptedGraderServices::embeddingsResponse({{1.0, 0.0}}), std::nullopt});
    auto result = gradeOnce(*grader, contextWith("a", "b"), services);
    QVERIFY(result && result->errored());
    services.queueEmbedAnswer({ScriptedGraderServices::embeddingsResponse({{1.0, 0.0}, {1.0, 0.0, 0.0}}), std::nullopt});
    result = gradeOnce(*grader, contextWith("a", "b"), services);
    QVERIFY(result && result->errored());
    services.queueEmbedAnswer({json("not an object"), std::nullopt});
    result = gradeOnce(*grader, contextWith("a", "b"), services);
    QVERIFY(result && result->errored());
}

void TestGraders::cosineEmptyTextNeedsNoCall()
{
    auto grader = build(similarity("cosine", 0.5));
    ScriptedGraderServices services;
    auto result = gradeOnce(*grader, contextWith("", "a reference"), services);
    QVERIFY(result && !result->errored());
    QCOMPARE(result->score, 0.0);
    QVERIFY(!result->passed);
    result = gradeOnce(*grader, contextWith("", ""), services);
    QVERIFY(result && !result->errored());
    QCOMPARE(result->score, 1.0);
    QVERIFY(services.embedCalls().empty());
}

QTEST_GUILESS_MAIN(TestGraders)
#include "tst_graders.moc"
