#include <QtTest>

#include <memory>
#include <optional>

#include "fakes/fake_openai_server.h"
#include "models/api/api_client.h"
#include "models/eval/graders/grader.h"
#include "models/eval/graders/label_model_grader.h"
#include "models/eval/graders/score_model_grader.h"
#include "models/eval/reasoning_models.h"
#include "support/openapi_validator.h"
#include "support/scripted_grader_services.h"

using assay::api::ApiError;
using assay::api::ApiKind;
using assay::api::ResponseResult;
using assay::eval::GradeResult;
using assay::eval::Grader;
using assay::eval::GradingContext;
using assay::eval::isReasoningModel;
using assay::eval::makeGrader;
using assay::testing::ScriptedGraderServices;
using json = nlohmann::json;

namespace {

std::unique_ptr<Grader> build(const json &definition, std::string *error = nullptr)
{
    std::string ignored;
    return makeGrader(definition, "$.testing_criteria[1]", error ? error : &ignored);
}

std::optional<GradeResult> gradeOnce(const Grader &grader, const GradingContext &context,
                                     assay::eval::GraderServices &services, int *calls = nullptr)
{
    auto result = std::make_shared<std::optional<GradeResult>>();
    auto count = std::make_shared<int>(0);
    grader.grade(context, services, [result, count](GradeResult graded) {
        ++*count;
        *result = std::move(graded);
    });
    if (!result->has_value())
        static_cast<void>(QTest::qWaitFor([&] { return result->has_value(); }, 15000));
    QCoreApplication::processEvents();
    if (calls)
        *calls = *count;
    return *result;
}

const json kMessages = json::array({
    {{"role", "system"},
     {"content", "You are an expert grader. If the reference and model answer are exact matches, output a score of 1."}},
    {{"role", "user"},
     {"content", "Reference: {{ item.reference_answer }}. Model answer: {{ sample.output_text }}"}},
});

json scoreModel(const std::string &model, json samplingParams = json::object())
{
    json definition = {{"type", "score_model"}, {"name", "my_score_model"}, {"input", kMessages},
                       {"model", model},        {"range", {0, 1}},          {"pass_threshold", 0.5}};
    if (!samplingParams.empty())
        definition["sampling_params"] = std::move(samplingParams);
    return definition;
}

json labelModel(const std::string &model = "gpt-4o-2024-08-06")
{
    return {{"type", "label_model"},
            {"name", "sentiment"},
            {"model", model},
            {"input",
             {{{"type", "message"},
               {"role", "system"},
               {"content", {{"type", "input_text"}, {"text", "Classify the sentiment as positive, neutral or negative"}}}},
              {{"type", "message"},
               {"role", "user"},
               {"content", {{"type", "input_text"}, {"text", "Statement: {{item.response}}"}}}}}},
            {"passing_labels", {"positive"}},
            {"labels", {"positive", "neutral", "negative"}}};
}

GradingContext context()
{
    GradingContext c;
    c.item = {{"reference_answer", "Paris"}, {"response", "I love this product"}};
    c.sample = {{"output_text", "The capital of France is Paris."}, {"output_tools", json::array()}};
    return c;
}

std::string verdict(double result)
{
    return json{{"steps", {{{"description", "Compare the answers"}, {"conclusion", "They name the same city"}}}},
                {"result", result}}
        .dump();
}

// Top-level and nested fields the spec never declares (the real API answers them with 400).
QStringList unknownFields(const assay::testing::OpenApiValidator *spec, const json &body, ApiKind api)
{
    QStringList unknown;
    const auto add = [&](const json &object, const char *schema, const QString &where) {
        for (const QString &key : spec->unknownProperties(object, QLatin1String(schema)))
            unknown.append(where + QLatin1Char('.') + key);
    };
    if (api == ApiKind::Responses) {
        add(body, "CreateResponse", QStringLiteral("$"));
        if (body.contains("reasoning"))
            add(body.at("reasoning"), "Reasoning", QStringLiteral("$.reasoning"));
        add(body.at("text"), "ResponseTextParam", QStringLiteral("$.text"));
        add(body.at("text").at("format"), "TextResponseFormatJsonSchema", QStringLiteral("$.text.format"));
        for (const json &message : body.at("input"))
            add(message, "EasyInputMessage", QStringLiteral("$.input[]"));
    } else {
        add(body, "CreateChatCompletionRequest", QStringLiteral("$"));
        add(body.at("response_format"), "ResponseFormatJsonSchema", QStringLiteral("$.response_format"));
    }
    return unknown;
}

} // namespace

class TestModelGraders : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void reasoningModelNames_data();
    void reasoningModelNames();
    void responsesBodyMatchesTheSpec_data();
    void responsesBodyMatchesTheSpec();
    void chatBodyMatchesTheSpec_data();
    void chatBodyMatchesTheSpec();
    void reasoningParameterRules();
    void maxTokensSpellings();
    void contentPartsAndImages();
    void audioCannotGoToResponses();
    void missingTemplateVariableIsAnError();
    void scoreClampedToRange_data();
    void scoreClampedToRange();
    void missingThresholdUsesRangeMidpoint();
    void nonNumericResultIsInvalidZero_data();
    void nonNumericResultIsInvalidZero();
    void lenientAnswerShapes();
    void apiErrorIsAnItemError();
    void stepsAndSampleKept();
    void labelOutcomes_data();
    void labelOutcomes();
    void labelSchemaRestrictsToLabels();
    void factoryErrors_data();
    void factoryErrors();
    void scoreModelAgainstFakeServer_data();
    void scoreModelAgainstFakeServer();
    void cosineAgainstFakeServer();
};

void TestModelGraders::reasoningModelNames_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<bool>("reasoning");
    const std::pair<const char *, bool> cases[] = {
        {"o1", true}, {"o1-2024-12-17", true}, {"o3-mini-2025-01-31", true}, {"o3", true},
        {"o4-mini-2025-04-16", true}, {"o3-pro", true}, {"gpt-5", true}, {"gpt-5-mini", true},
        {"gpt-5.1", true}, {"gpt-5-nano-2025-08-07", true}, {"codex-mini-latest", true},
        {"ft:o4-mini-2025-04-16:acme::abc123", true}, {"openai/gpt-oss-20b", true}, {"O3-MINI", true},
        {"gpt-5-chat-latest", false}, {"gpt-4o-2024-08-06", false}, {"gpt-4o-mini-2024-07-18", false},
        {"gpt-4.1-2025-04-14", false}, {"gpt-4.1-nano-2025-04-14", false}, {"omni-moderation-latest", false},
        {"ollama/llama3.1", false}, {"", false}, {"ft:gpt-4o-mini-2024-07-18:acme::x", false},
    };
    for (const auto &[model, reasoning] : cases)
        QTest::newRow(*model ? model : "(empty)") << QString::fromLatin1(model) << reasoning;
}

void TestModelGraders::reasoningModelNames()
{
    QFETCH(QString, model);
    QFETCH(bool, reasoning);
    QCOMPARE(isReasoningModel(model.toStdString()), reasoning);
}

void TestModelGraders::responsesBodyMatchesTheSpec_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("model");
    QTest::newRow("score, reasoning") << "score" << "o4-mini-2025-04-16";
    QTest::newRow("score, non-reasoning") << "score" << "gpt-4.1-2025-04-14";
    QTest::newRow("label, reasoning") << "label" << "o3-mini-2025-01-31";
    QTest::newRow("label, non-reasoning") << "label" << "gpt-4o-2024-08-06";
}

void TestModelGraders::responsesBodyMatchesTheSpec()
{
    QFETCH(QString, kind);
    QFETCH(QString, model);
    ASSAY_REQUIRE_OPENAPI(spec);
    const json params = {{"temperature", 0.2}, {"top_p", 0.9}, {"seed", 42}, {"max_completions_tokens", 4096},
                         {"reasoning_effort", "medium"}};
    json definition = kind == QLatin1String("score") ? scoreModel(model.toStdString(), params) : labelModel(model.toStdString());
    definition["sampling_params"] = params;
    auto grader = build(definition);
    QVERIFY(grader);
    QVERIFY(grader->needsModel());

    ScriptedGraderServices services;
    services.queueModelAnswer(ScriptedGraderServices::textAnswer(ApiKind::Responses, verdict(1)));
    const auto result = gradeOnce(*grader, context(), services);
    QVERIFY(result);
    QCOMPARE(services.modelCalls().size(), size_t(1));
    QVERIFY(services.modelCalls()[0].api == ApiKind::Responses);
    const json &body = services.modelCalls()[0].body;
    ASSAY_VERIFY_SCHEMA(spec, body, QStringLiteral("CreateResponse"));
    const QStringList unknown = unknownFields(spec, body, ApiKind::Responses);
    QVERIFY2(unknown.isEmpty(), qPrintable(unknown.join(QStringLiteral(", "))));

    QCOMPARE(body.at("model"), json(model.toStdString()));
    QVERIFY(!body.contains("stream") || body.at("stream") == false);
    QVERIFY(!body.contains("seed")); // Responses has none
    QCOMPARE(body.at("max_output_tokens"), json(4096));
    QCOMPARE(body.at("text").at("format").at("type"), json("json_schema"));
    QCOMPARE(body.at("text").at("format").at("strict"), json(true));
    const json expectedSchema = kind == QLatin1String("score")
                                    ? assay::eval::ScoreModelGrader::outputSchema()
                                    : assay::eval::LabelModelGrader::outputSchema({"positive", "neutral", "negative"});
    QCOMPARE(body.at("text").at("format").at("schema"), expectedSchema);
    // The rendered messages, as EasyInputMessages.
    const json &input = body.at("input");
    QCOMPARE(input.size(), size_t(2));
    QCOMPARE(input[0].at("role"), json("system"));
    const std::string userText = input[1].at("content").is_string()
                                     ? input[1].at("content").get<std::string>()
                                     : input[1].at("content")[0].at("text").get<std::string>();
    if (kind == QLatin1String("score"))
        QCOMPARE(userText, std::string("Reference: Paris. Model answer: The capital of France is Paris."));
    else
        QCOMPARE(userText, std::string("Statement: I love this product"));
}

void TestModelGraders::chatBodyMatchesTheSpec_data()
{
    responsesBodyMatchesTheSpec_data();
}

void TestModelGraders::chatBodyMatchesTheSpec()
{
    QFETCH(QString, kind);
    QFETCH(QString, model);
    ASSAY_REQUIRE_OPENAPI(spec);
    const json params = {{"temperature", 0.2}, {"top_p", 0.9}, {"seed", 42}, {"max_completions_tokens", 4096},
                         {"reasoning_effort", "low"}};
    json definition = kind == QLatin1String("score") ? scoreModel(model.toStdString()) : labelModel(model.toStdString());
    definition["sampling_params"] = params;
    auto grader = build(definition);
    QVERIFY(grader);

    ScriptedGraderServices services;
    services.setGraderApi(ApiKind::ChatCompletions);
    services.queueModelAnswer(ScriptedGraderServices::textAnswer(ApiKind::ChatCompletions, verdict(1)));
    QVERIFY(gradeOnce(*grader, context(), services));
    QCOMPARE(services.modelCalls().size(), size_t(1));
    QVERIFY(services.modelCalls()[0].api == ApiKind::ChatCompletions);
    const json &body = services.modelCalls()[0].body;
    ASSAY_VERIFY_SCHEMA(spec, body, QStringLiteral("CreateChatCompletionRequest"));
    const QStringList unknown = unknownFields(spec, body, ApiKind::ChatCompletions);
    QVERIFY2(unknown.isEmpty(), qPrintable(unknown.join(QStringLiteral(", "))));

    QCOMPARE(body.at("seed"), json(42));
    QCOMPARE(body.at("max_completion_tokens"), json(4096));
    QVERIFY(!body.contains("max_tokens"));
    QCOMPARE(body.at("response_format").at("type"), json("json_schema"));
    QCOMPARE(body.at("response_format").at("json_schema").at("strict"), json(true));
    QVERIFY(body.at("response_format").at("json_schema").at("schema").at("required").get<std::vector<std::string>>()
            == std::vector<std::string>({"steps", "result"}));
    QCOMPARE(body.at("messages").size(), size_t(2));
    QVERIFY(!body.contains("input"));
}

void TestModelGraders::reasoningParameterRules()
{
    const json params = {{"temperature", 0.7}, {"top_p", 0.5}, {"max_completions_tokens", 2000}, {"reasoning_effort", "high"}};
    for (const ApiKind api : {ApiKind::Responses, ApiKind::ChatCompletions}) {
        ScriptedGraderServices services;
        services.setGraderApi(api);
        services.setModelScript([](ApiKind kind, const json &) { return ScriptedGraderServices::textAnswer(kind, verdict(0.5)); });

        auto reasoning = build(scoreModel("o4-mini-2025-04-16", params));
        auto plain = build(scoreModel("gpt-4.1-mini-2025-04-14", params));
        QVERIFY(reasoning && plain);
        QVERIFY(gradeOnce(*reasoning, context(), services));
        QVERIFY(gradeOnce(*plain, context(), services));
        const json &toReasoning = services.modelCalls().at(0).body;
        const json &toPlain = services.modelCalls().at(1).body;

        // temperature (and top_p) never reach a reasoning model...
        QVERIFY(!toReasoning.contains("temperature"));
        QVERIFY(!toReasoning.contains("top_p"));
        // ...which gets the effort, in each API's spelling.
        if (api == ApiKind::Responses)
            QCOMPARE(toReasoning.at("reasoning").at("effort"), json("high"));
        else
            QCOMPARE(toReasoning.at("reasoning_effort"), json("high"));

        // reasoning effort never reaches a non-reasoning model, which gets its sampling settings.
        QVERIFY(!toPlain.contains("reasoning"));
        QVERIFY(!toPlain.contains("reasoning_effort"));
        QCOMPARE(toPlain.at("temperature"), json(0.7));
        QCOMPARE(toPlain.at("top_p"), json(0.5));
    }
}

void TestModelGraders::maxTokensSpellings()
{
    const std::pair<json, json> cases[] = {
        {{{"max_completions_tokens", 300}}, 300},
        {{{"max_completion_tokens", 301}}, 301},
        {{{"max_tokens", 302}}, 302}, // the guide's label_model example
        {{{"max_completions_tokens", 5}}, 16}, // Responses' minimum
        {json::object(), nullptr},
    };
    for (const auto &[params, expected] : cases) {
        ScriptedGraderServices services;
        services.queueModelAnswer(ScriptedGraderServices::textAnswer(ApiKind::Responses, verdict(1)));
        auto grader = build(scoreModel("gpt-4.1-2025-04-14", params));
        QVERIFY2(grader, params.dump().c_str());
        QVERIFY(gradeOnce(*grader, context(), services));
        const json &body = services.modelCalls().at(0).body;
        if (expected.is_null())
            QVERIFY(!body.contains("max_output_tokens"));
        else
            QCOMPARE(body.at("max_output_tokens"), expected);
    }
    // Chat takes the value as given.
    ScriptedGraderServices chat;
    chat.setGraderApi(ApiKind::ChatCompletions);
    chat.queueModelAnswer(ScriptedGraderServices::textAnswer(ApiKind::ChatCompletions, verdict(1)));
    auto grader = build(scoreModel("gpt-4.1-2025-04-14", {{"max_tokens", 5}}));
    QVERIFY(gradeOnce(*grader, context(), chat));
    QCOMPARE(chat.modelCalls().at(0).body.at("max_completion_tokens"), json(5));
}

void TestModelGraders::contentPartsAndImages()
{
    ASSAY_REQUIRE_OPENAPI(spec);
    // The GraderScoreModel example: content parts with input_text and input_image, plus an
    // assistant turn made of output_text.
    json definition = scoreModel("gpt-4.1-2025-04-14");
    definition["input"] = {
        {{"role", "user"},
         {"content",
          {{{"type", "input_text"}, {"text", "Reference answer: {{item.reference_answer}}\n\nModel answer: {{sample.output_text}}"}},
           {{"type", "input_image"}, {"image_url", "https://example.com/reference.png"}, {"file_id", nullptr}, {"detail", "auto"}}}}},
        {{"role", "assistant"}, {"content", {{"type", "output_text"}, {"text", "Noted."}}}},
        {{"role", "developer"}, {"content", {"Score it now."}}},
    };
    auto grader = build(definition);
    QVERIFY(grader);
    for (const ApiKind api : {ApiKind::Responses, ApiKind::ChatCompletions}) {
        ScriptedGraderServices services;
        services.setGraderApi(api);
        services.queueModelAnswer(ScriptedGraderServices::textAnswer(api, verdict(1)));
        const auto result = gradeOnce(*grader, context(), services);
        QVERIFY(result && !result->errored());
        const json &body = services.modelCalls().at(0).body;
        if (api == ApiKind::Responses) {
            ASSAY_VERIFY_SCHEMA(spec, body, QStringLiteral("CreateResponse"));
            const json &user = body.at("input").at(0).at("content");
            QCOMPARE(user.at(0).at("type"), json("input_text"));
            QCOMPARE(user.at(0).at("text"),
                     json("Reference answer: Paris\n\nModel answer: The capital of France is Paris."));
            QCOMPARE(user.at(1).at("type"), json("input_image"));
            QCOMPARE(user.at(1).at("image_url"), json("https://example.com/reference.png"));
            QCOMPARE(body.at("input").at(1).at("content"), json("Noted."));
        } else {
            ASSAY_VERIFY_SCHEMA(spec, body, QStringLiteral("CreateChatCompletionRequest"));
            const json &user = body.at("messages").at(0).at("content");
            QCOMPARE(user.at(0).at("type"), json("text"));
            QCOMPARE(user.at(1).at("type"), json("image_url"));
            QCOMPARE(user.at(1).at("image_url").at("url"), json("https://example.com/reference.png"));
            QCOMPARE(body.at("messages").at(1).at("content"), json("Noted."));
        }
        // The sample keeps the rendered EvalItem messages.
        QCOMPARE(result->sample.at("input").at(0).at("content").at(0).at("text"),
                 json("Reference answer: Paris\n\nModel answer: The capital of France is Paris."));
    }
}

void TestModelGraders::audioCannotGoToResponses()
{
    json definition = scoreModel("gpt-4o-2024-08-06");
    definition["input"] = {{{"role", "user"},
                            {"content", {{{"type", "input_audio"}, {"input_audio", {{"data", "UklGRg=="}, {"format", "wav"}}}}}}}};
    auto grader = build(definition);
    QVERIFY(grader);
    ScriptedGraderServices services;
    const auto result = gradeOnce(*grader, context(), services);
    QVERIFY(result && result->errored());
    QVERIFY2(result->error.find("audio") != std::string::npos, result->error.c_str());
    QVERIFY(services.modelCalls().empty());

    ASSAY_REQUIRE_OPENAPI(spec);
    services.setGraderApi(ApiKind::ChatCompletions);
    services.queueModelAnswer(ScriptedGraderServices::textAnswer(ApiKind::ChatCompletions, verdict(1)));
    const auto chat = gradeOnce(*grader, context(), services);
    QVERIFY(chat && !chat->errored());
    ASSAY_VERIFY_SCHEMA(spec, services.modelCalls().at(0).body, QStringLiteral("CreateChatCompletionRequest"));
}

void TestModelGraders::missingTemplateVariableIsAnError()
{
    json definition = scoreModel("gpt-4.1-2025-04-14");
    definition["input"][1]["content"] = "Expected: {{ item.expected }}";
    auto grader = build(definition);
    ScriptedGraderServices services;
    const auto result = gradeOnce(*grader, context(), services);
    QVERIFY(result && result->errored());
    QVERIFY2(result->error.find("item.expected") != std::string::npos, result->error.c_str());
    QVERIFY(services.modelCalls().empty()); // nothing was paid for
}

void TestModelGraders::scoreClampedToRange_data()
{
    QTest::addColumn<double>("min");
    QTest::addColumn<double>("max");
    QTest::addColumn<double>("threshold");
    QTest::addColumn<double>("answered");
    QTest::addColumn<double>("score");
    QTest::addColumn<bool>("passed");
    QTest::newRow("inside") << 0.0 << 1.0 << 0.5 << 0.8 << 0.8 << true;
    QTest::newRow("at threshold") << 0.0 << 1.0 << 0.5 << 0.5 << 0.5 << true;
    QTest::newRow("below threshold") << 0.0 << 1.0 << 0.5 << 0.49 << 0.49 << false;
    QTest::newRow("above range") << 0.0 << 1.0 << 0.5 << 1.7 << 1.0 << true;
    QTest::newRow("below range") << 0.0 << 1.0 << 0.5 << -1.0 << 0.0 << false;
    QTest::newRow("1-10 above") << 1.0 << 10.0 << 7.0 << 12.0 << 10.0 << true;
    QTest::newRow("1-10 below") << 1.0 << 10.0 << 7.0 << 0.0 << 1.0 << false;
    QTest::newRow("negative range") << -1.0 << 1.0 << 0.0 << -0.25 << -0.25 << false;
}

void TestModelGraders::scoreClampedToRange()
{
    QFETCH(double, min);
    QFETCH(double, max);
    QFETCH(double, threshold);
    QFETCH(double, answered);
    QFETCH(double, score);
    QFETCH(bool, passed);
    json definition = scoreModel("gpt-4.1-2025-04-14");
    definition["range"] = {min, max};
    definition["pass_threshold"] = threshold;
    auto grader = build(definition);
    QVERIFY(grader);
    ScriptedGraderServices services;
    services.queueModelAnswer(ScriptedGraderServices::textAnswer(ApiKind::Responses, verdict(answered)));
    const auto result = gradeOnce(*grader, context(), services);
    QVERIFY(result && !result->errored());
    QVERIFY2(result->invalidReason.empty(), result->invalidReason.c_str());
    QCOMPARE(result->score, score);
    QCOMPARE(result->passed, passed);
}

void TestModelGraders::missingThresholdUsesRangeMidpoint()
{
    json definition = scoreModel("gpt-4.1-2025-04-14");
    definition.erase("pass_threshold");
    definition["range"] = {0, 10};
    auto grader = build(definition);
    QVERIFY(grader);
    ScriptedGraderServices services;
    for (const auto &[answered, passes] : {std::pair{5.0, true}, std::pair{4.9, false}, std::pair{9.0, true}}) {
        services.queueModelAnswer(ScriptedGraderServices::textAnswer(ApiKind::Responses, verdict(answered)));
        const auto result = gradeOnce(*grader, context(), services);
        QVERIFY(result && !result->errored());
        QCOMPARE(result->passed, passes);
    }
}

void TestModelGraders::nonNumericResultIsInvalidZero_data()
{
    QTest::addColumn<QString>("answer");
    QTest::addColumn<QString>("finishReason");
    QTest::addColumn<QString>("reasonHas");
    QTest::newRow("string result") << R"({"steps": [], "result": "high"})" << "" << "not a number";
    QTest::newRow("null result") << R"({"steps": [], "result": null})" << "" << "not a number";
    QTest::newRow("no result") << R"({"steps": []})" << "" << "no result";
    QTest::newRow("array") << R"([0.9])" << "" << "not a number";
    QTest::newRow("prose") << "I would give this a 0.9." << "" << "not valid JSON";
    QTest::newRow("malformed JSON") << R"({"steps": [], "result": 0.9)" << "" << "not valid JSON";
    QTest::newRow("cut off") << R"({"steps": [{"description": "Compare)" << "length" << "cut off";
    QTest::newRow("empty") << "" << "" << "no answer";
}

void TestModelGraders::nonNumericResultIsInvalidZero()
{
    QFETCH(QString, answer);
    QFETCH(QString, finishReason);
    QFETCH(QString, reasonHas);
    // A range that excludes 0 still grades invalid answers 0 (the guide's default).
    json definition = scoreModel("gpt-4.1-2025-04-14");
    definition["range"] = {1, 5};
    definition["pass_threshold"] = 0;
    auto grader = build(definition);
    ScriptedGraderServices services;
    services.setGraderApi(ApiKind::ChatCompletions);
    services.queueModelAnswer(ScriptedGraderServices::textAnswer(ApiKind::ChatCompletions, answer.toStdString(),
                                                                 "gpt-4.1-2025-04-14", finishReason.toStdString()));
    const auto result = gradeOnce(*grader, context(), services);
    QVERIFY(result);
    QVERIFY2(!result->errored(), result->error.c_str()); // graded (failed), not errored
    QCOMPARE(result->score, 0.0);
    QVERIFY(!result->passed); // even with pass_threshold 0
    QVERIFY2(result->invalidReason.find(reasonHas.toStdString()) != std::string::npos, result->invalidReason.c_str());
    QCOMPARE(result->toJson().at("invalid_reason"), json(result->invalidReason));
    QCOMPARE(result->sample.at("output"), json(answer.toStdString()));
}

void TestModelGraders::lenientAnswerShapes()
{
    auto grader = build(scoreModel("gpt-4.1-2025-04-14"));
    ScriptedGraderServices services;
    // A server that ignores response_format: a fenced JSON block, or a bare number.
    services.queueModelAnswer(ScriptedGraderServices::textAnswer(ApiKind::Responses, "```json\n" + verdict(0.75) + "\n```"));
    auto result = gradeOnce(*grader, context(), services);
    QVERIFY(result && result->invalidReason.empty());
    QCOMPARE(result->score, 0.75);
    services.queueModelAnswer(ScriptedGraderServices::textAnswer(ApiKind::Responses, " 0.25\n"));
    result = gradeOnce(*grader, context(), services);
    QVERIFY(result && result->invalidReason.empty());
    QCOMPARE(result->score, 0.25);
    QVERIFY(!result->passed);
}

void TestModelGraders::apiErrorIsAnItemError()
{
    auto grader = build(scoreModel("gpt-4.1-2025-04-14"));
    ScriptedGraderServices services;
    services.setAsync(true);
    const ApiError error = ApiError::fromHttp(
        404, R"({"error": {"message": "The model `gpt-4.1-2025-04-14` does not exist", "type": "invalid_request_error", "code": "model_not_found"}})",
        QStringLiteral("req_404"));
    services.queueModelAnswer(ScriptedGraderServices::errorAnswer(ApiKind::Responses, error));
    int calls = 0;
    const auto result = gradeOnce(*grader, context(), services, &calls);
    QCOMPARE(calls, 1);
    QVERIFY(result && result->errored());
    QVERIFY2(result->error.find(error.summary().toStdString()) != std::string::npos, result->error.c_str());
    QVERIFY(!result->passed);
    QVERIFY(result->invalidReason.empty());
    // What was asked is kept for the person reading the error.
    QCOMPARE(result->sample.at("input").size(), size_t(2));
}

void TestModelGraders::stepsAndSampleKept()
{
    auto grader = build(scoreModel("o4-mini-2025-04-16"));
    ScriptedGraderServices services;
    services.setAsync(true);
    const std::string answer = verdict(0.9);
    services.queueModelAnswer(ScriptedGraderServices::textAnswer(ApiKind::Responses, answer, "o4-mini-2025-04-16"));
    const auto result = gradeOnce(*grader, context(), services);
    QVERIFY(result && !result->errored());
    QCOMPARE(result->name, std::string("my_score_model"));
    QCOMPARE(result->type, std::string("score_model"));
    QCOMPARE(result->score, 0.9);
    QVERIFY(result->passed);
    const json &sample = result->sample;
    QCOMPARE(sample.at("output"), json(answer));
    QCOMPARE(sample.at("steps"), json::parse(answer).at("steps"));
    QCOMPARE(sample.at("model"), json("o4-mini-2025-04-16"));
    QCOMPARE(sample.at("usage").at("prompt_tokens"), json(120));
    QCOMPARE(sample.at("usage").at("completion_tokens"), json(30));
    QCOMPARE(sample.at("usage").at("reasoning_tokens"), json(10));
    QCOMPARE(sample.at("input").at(1).at("content"),
             json("Reference: Paris. Model answer: The capital of France is Paris."));
    QCOMPARE(result->toJson().at("sample"), sample);
}

void TestModelGraders::labelOutcomes_data()
{
    QTest::addColumn<QString>("answer");
    QTest::addColumn<double>("score");
    QTest::addColumn<bool>("passed");
    QTest::addColumn<QString>("invalidHas");
    QTest::newRow("passing label") << R"({"steps": [], "result": "positive"})" << 1.0 << true << "";
    QTest::newRow("other label") << R"({"steps": [], "result": "negative"})" << 0.0 << false << "";
    QTest::newRow("not a label") << R"({"steps": [], "result": "ecstatic"})" << 0.0 << false << "not one of the labels";
    QTest::newRow("case differs") << R"({"steps": [], "result": "Positive"})" << 0.0 << false << "not one of the labels";
    QTest::newRow("no result") << R"({"steps": []})" << 0.0 << false << "no label";
    QTest::newRow("bare label") << "positive\n" << 1.0 << true << "";
    QTest::newRow("JSON string label") << R"("neutral")" << 0.0 << false << "";
    QTest::newRow("prose") << "It is positive." << 0.0 << false << "not valid JSON";
}

void TestModelGraders::labelOutcomes()
{
    QFETCH(QString, answer);
    QFETCH(double, score);
    QFETCH(bool, passed);
    QFETCH(QString, invalidHas);
    auto grader = build(labelModel());
    QVERIFY(grader);
    ScriptedGraderServices services;
    services.queueModelAnswer(ScriptedGraderServices::textAnswer(ApiKind::Responses, answer.toStdString()));
    const auto result = gradeOnce(*grader, context(), services);
    QVERIFY(result);
    QVERIFY2(!result->errored(), result->error.c_str());
    QCOMPARE(result->score, score);
    QCOMPARE(result->passed, passed);
    if (invalidHas.isEmpty())
        QVERIFY2(result->invalidReason.empty(), result->invalidReason.c_str());
    else
        QVERIFY2(result->invalidReason.find(invalidHas.toStdString()) != std::string::npos, result->invalidReason.c_str());
    QCOMPARE(result->type, std::string("label_model"));
}

void TestModelGraders::labelSchemaRestrictsToLabels()
{
    auto grader = build(labelModel());
    ScriptedGraderServices services;
    services.setGraderApi(ApiKind::ChatCompletions);
    services.queueModelAnswer(ScriptedGraderServices::textAnswer(ApiKind::ChatCompletions, R"({"steps": [], "result": "neutral"})"));
    QVERIFY(gradeOnce(*grader, context(), services));
    const json schema = services.modelCalls().at(0).body.at("response_format").at("json_schema").at("schema");
    QCOMPARE(schema.at("properties").at("result").at("enum"), json({"positive", "neutral", "negative"}));
    QCOMPARE(schema.at("additionalProperties"), json(false));
    QCOMPARE(schema.at("properties").at("steps").at("items").at("required"), json({"description", "conclusion"}));
}

void TestModelGraders::factoryErrors_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("value"); // JSON; "DELETE" removes the field
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("expected");
    QTest::newRow("no model") << "model" << "DELETE" << "score" << "$.testing_criteria[1].model: is required";
    QTest::newRow("empty model") << "model" << R"("")" << "score" << "$.testing_criteria[1].model: ";
    QTest::newRow("no input") << "input" << "DELETE" << "label" << "$.testing_criteria[1].input: is required";
    QTest::newRow("input not a list") << "input" << R"("grade this")" << "score" << "$.testing_criteria[1].input: ";
    QTest::newRow("bad role") << "input" << R"([{"role": "critic", "content": "x"}])" << "score"
                              << "$.testing_criteria[1].input[0].role: ";
    QTest::newRow("no content") << "input" << R"([{"role": "user"}, {"role": "user"}])" << "score"
                                << "$.testing_criteria[1].input[0].content: ";
    QTest::newRow("unknown part") << "input" << R"([{"role": "user", "content": [{"type": "input_video", "url": "x"}]}])"
                                  << "score" << "$.testing_criteria[1].input[0].content: ";
    QTest::newRow("range of one") << "range" << "[1]" << "score" << "$.testing_criteria[1].range: ";
    QTest::newRow("range reversed") << "range" << "[5, 1]" << "score" << "$.testing_criteria[1].range: ";
    QTest::newRow("threshold text") << "pass_threshold" << R"("high")" << "score"
                                    << "$.testing_criteria[1].pass_threshold: must be a number";
    QTest::newRow("temperature text") << "sampling_params" << R"({"temperature": "hot"})" << "score"
                                      << "$.testing_criteria[1].sampling_params.temperature: must be a number";
    QTest::newRow("seed fraction") << "sampling_params" << R"({"seed": 1.5})" << "score"
                                   << "$.testing_criteria[1].sampling_params.seed: must be an integer";
    QTest::newRow("zero tokens") << "sampling_params" << R"({"max_completions_tokens": 0})" << "label"
                                 << "$.testing_criteria[1].sampling_params.max_completions_tokens: ";
    QTest::newRow("no labels") << "labels" << "DELETE" << "label" << "$.testing_criteria[1].labels: is required";
    QTest::newRow("empty labels") << "labels" << "[]" << "label" << "$.testing_criteria[1].labels: ";
    QTest::newRow("label not text") << "labels" << R"(["positive", 2])" << "label"
                                    << "$.testing_criteria[1].labels[1]: must be a string";
    QTest::newRow("passing not a label") << "passing_labels" << R"(["positive", "great"])" << "label"
                                         << "$.testing_criteria[1].passing_labels[1]: \"great\" is not one of the labels";
    QTest::newRow("no passing labels") << "passing_labels" << "DELETE" << "label"
                                       << "$.testing_criteria[1].passing_labels: is required";
}

void TestModelGraders::factoryErrors()
{
    QFETCH(QString, field);
    QFETCH(QString, value);
    QFETCH(QString, kind);
    QFETCH(QString, expected);
    json definition = kind == QLatin1String("score") ? scoreModel("gpt-4.1-2025-04-14") : labelModel();
    if (value == QLatin1String("DELETE"))
        definition.erase(field.toStdString());
    else
        definition[field.toStdString()] = json::parse(value.toStdString());
    std::string error;
    QVERIFY(!build(definition, &error));
    QVERIFY2(QString::fromStdString(error).startsWith(expected), error.c_str());
}

namespace {

// Model grader calls over the real client, as the runner makes them.
class ClientGraderServices : public assay::eval::GraderServices {
public:
    ClientGraderServices(assay::api::ApiClient &client, assay::api::Profile profile, ApiKind api)
        : m_client(client)
        , m_profile(std::move(profile))
        , m_api(api)
    {
    }
    void callModel(ApiKind api, const json &body, std::function<void(const ResponseResult &)> done) override
    {
        assay::api::ApiCall *call = m_client.createResponse(m_profile, QStringLiteral("sk-test-graders"), api, body, 10000);
        QObject::connect(call, &assay::api::ApiCall::finished, call, [call, done](const ResponseResult &result) {
            done(result);
            call->deleteLater();
        });
    }
    ApiKind graderApi() const override { return m_api; }
    void embed(const json &body, std::function<void(const json &, const std::optional<ApiError> &)> done) override
    {
        assay::api::ApiCall *call = m_client.requestJson(m_profile, QStringLiteral("sk-test-graders"), "POST",
                                                         QStringLiteral("embeddings"), body, 10000);
        QObject::connect(call, &assay::api::ApiCall::finished, call, [call, done](const ResponseResult &result) {
            done(result.rawResponse, result.error);
            call->deleteLater();
        });
    }
    void runPython(const std::string &, const json &, const json &,
                   std::function<void(const assay::eval::PythonOutcome &)> done) override
    {
        assay::eval::PythonOutcome outcome;
        outcome.error = "not used";
        done(outcome);
    }

private:
    assay::api::ApiClient &m_client;
    assay::api::Profile m_profile;
    ApiKind m_api;
};

} // namespace

void TestModelGraders::scoreModelAgainstFakeServer_data()
{
    QTest::addColumn<bool>("chat");
    QTest::newRow("responses") << false;
    QTest::newRow("chat") << true;
}

void TestModelGraders::scoreModelAgainstFakeServer()
{
    QFETCH(bool, chat);
    const ApiKind api = chat ? ApiKind::ChatCompletions : ApiKind::Responses;
    assay::testing::FakeOpenAiServer server;
    QVERIFY(server.start());
    server.setStrictRequests(true); // refused like the real API if the body breaks the spec
    // The fake "grader model" reads the rendered prompt: it scores 0.8 when the answer names Paris.
    server.setOutputTextProvider([](const json &request) -> QByteArray {
        const std::string prompt = request.dump();
        const double score = prompt.find("Model answer: The capital of France is Paris.") != std::string::npos ? 0.8 : 0.1;
        return QByteArray::fromStdString(verdict(score));
    });
    assay::api::ApiClient client;
    assay::api::Profile profile;
    profile.name = QStringLiteral("Fake");
    profile.baseUrl = server.baseUrl().toString();
    profile.keySource = assay::api::Profile::KeySource::Keychain;
    ClientGraderServices services(client, profile, api);

    auto grader = build(scoreModel("gpt-4.1-mini-2025-04-14", {{"temperature", 0}, {"seed", 7}, {"max_completions_tokens", 500}}));
    QVERIFY(grader);
    auto result = gradeOnce(*grader, context(), services);
    QVERIFY(result);
    QVERIFY2(!result->errored(), result->error.c_str());
    QVERIFY2(result->invalidReason.empty(), result->invalidReason.c_str());
    QCOMPARE(result->score, 0.8);
    QVERIFY(result->passed);
    QCOMPARE(result->sample.at("steps").at(0).at("conclusion"), json("They name the same city"));
    QVERIFY(result->sample.at("usage").at("total_tokens").get<int>() > 0);

    QCOMPARE(server.requests().size(), 1);
    const auto &request = server.requests().at(0);
    QCOMPARE(request.path, chat ? QByteArray("/v1/chat/completions") : QByteArray("/v1/responses"));
    const json body = request.json();
    QVERIFY(body.contains(chat ? "response_format" : "text"));

    GradingContext wrong = context();
    wrong.sample["output_text"] = "Lyon";
    result = gradeOnce(*grader, wrong, services);
    QVERIFY(result && !result->errored());
    QCOMPARE(result->score, 0.1);
    QVERIFY(!result->passed);

    // A failing grader model is the item's error, with the API's own words.
    server.enqueue(assay::testing::Behaviour::modelNotFound("gpt-4.1-mini-2025-04-14"));
    result = gradeOnce(*grader, context(), services);
    QVERIFY(result && result->errored());
    QVERIFY2(result->error.find("model_not_found") != std::string::npos, result->error.c_str());
}

void TestModelGraders::cosineAgainstFakeServer()
{
    ASSAY_REQUIRE_OPENAPI(spec);
    assay::testing::FakeOpenAiServer server;
    QVERIFY(server.start());
    QStringList bodyErrors;
    // A tiny embedding model: "Paris" points one way, anything else another.
    server.addRoute([&bodyErrors, spec](const assay::testing::ReceivedRequest &request)
                        -> std::optional<assay::testing::ExtraAnswer> {
        if (request.path != "/v1/embeddings")
            return std::nullopt;
        const json body = request.json();
        bodyErrors += spec->check(body, QStringLiteral("CreateEmbeddingRequest"));
        json data = json::array();
        int index = 0;
        for (const json &text : body.at("input")) {
            const bool paris = text.get<std::string>().find("Paris") != std::string::npos;
            data.push_back({{"object", "embedding"}, {"index", index++},
                            {"embedding", paris ? json({0.6, 0.8}) : json({1.0, 0.0})}});
        }
        return assay::testing::ExtraAnswer{
            200,
            {{"object", "list"}, {"data", data}, {"model", body.at("model")},
             {"usage", {{"prompt_tokens", 9}, {"total_tokens", 9}}}},
            QStringLiteral("CreateEmbeddingResponse")};
    });
    assay::api::ApiClient client;
    assay::api::Profile profile;
    profile.baseUrl = server.baseUrl().toString();
    profile.keySource = assay::api::Profile::KeySource::Keychain;
    ClientGraderServices services(client, profile, ApiKind::Responses);

    auto grader = build({{"type", "text_similarity"}, {"name", "close enough"}, {"evaluation_metric", "cosine"},
                         {"pass_threshold", 0.9}, {"input", "{{ sample.output_text }}"}, {"reference", "{{ item.reference_answer }}"}});
    QVERIFY(grader);
    auto result = gradeOnce(*grader, context(), services); // both mention Paris
    QVERIFY(result);
    QVERIFY2(!result->errored(), result->error.c_str());
    QVERIFY(std::abs(result->score - 1.0) < 1e-9);
    QVERIFY(result->passed);

    GradingContext other = context();
    other.sample["output_text"] = "Lyon";
    result = gradeOnce(*grader, other, services);
    QVERIFY(result && !result->errored());
    QVERIFY(std::abs(result->score - 0.6) < 1e-9);
    QVERIFY(!result->passed);
    QVERIFY2(bodyErrors.isEmpty(), qPrintable(bodyErrors.join(QLatin1Char('\n'))));
    QCOMPARE(server.requests().size(), 2);
    QCOMPARE(server.requests().at(0).json().at("model"), json("text-embedding-3-large"));
    for (const auto &[kind, payload] : server.sentPayloads()) {
        if (kind == QLatin1String("CreateEmbeddingResponse"))
            ASSAY_VERIFY_SCHEMA(spec, payload, kind);
    }
}

QTEST_GUILESS_MAIN(TestModelGraders)
#include "tst_model_graders.moc"
