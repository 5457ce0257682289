#include <QtTest>

#include "models/prompt/request_builder.h"
#include "support/openapi_validator.h"

using namespace assay::prompt;
using assay::api::ApiKind;
using json = nlohmann::json;

namespace {

// Fields the spec never declares, in `object` and in the nested objects we build ourselves.
// The schemas allow unknown keys; the real API answers them with 400 unknown_parameter.
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
        if (body.contains("text")) {
            add(body.at("text"), "ResponseTextParam", QStringLiteral("$.text"));
            add(body.at("text").at("format"), "TextResponseFormatJsonSchema",
                QStringLiteral("$.text.format"));
        }
        for (const json &message : body.value("input", json::array()))
            add(message, "EasyInputMessage", QStringLiteral("$.input[]"));
        for (const json &tool : body.value("tools", json::array())) {
            if (tool.at("type") == "function")
                add(tool, "FunctionTool", QStringLiteral("$.tools[]"));
        }
    } else {
        add(body, "CreateChatCompletionRequest", QStringLiteral("$"));
        if (body.contains("response_format")) {
            add(body.at("response_format"), "ResponseFormatJsonSchema", QStringLiteral("$.response_format"));
        }
        for (const json &tool : body.value("tools", json::array())) {
            add(tool, "ChatCompletionTool", QStringLiteral("$.tools[]"));
            add(tool.at("function"), "FunctionObject", QStringLiteral("$.tools[].function"));
        }
        if (body.contains("prediction"))
            add(body.at("prediction"), "PredictionContent", QStringLiteral("$.prediction"));
    }
    return unknown;
}

const json kAnswerSchema = {
    {"type", "object"},
    {"properties", {{"city", {{"type", "string"}}}, {"population", {{"type", "integer"}}}}},
    {"required", {"city", "population"}},
    {"additionalProperties", false}};

const json kWeatherParameters = {{"type", "object"},
                                 {"properties", {{"location", {{"type", "string"}}}}},
                                 {"required", {"location"}},
                                 {"additionalProperties", false}};

Conversation sampleConversation()
{
    Conversation conversation;
    conversation.instructions = QStringLiteral("Answer questions about {{topic}}.");
    conversation.messages = {{Role::User, QStringLiteral("Which city is {{ item.city }}?")},
                             {Role::Assistant, QStringLiteral("It is in {{item.country}}.")},
                             {Role::User, QStringLiteral("And its population?")}};
    return conversation;
}

const json kVariables = {{"topic", "geography"},
                         {"item", {{"city", "Zürich"}, {"country", "Switzerland 🇨🇭"}}}};

// The parameter set a playground user would plausibly combine, shared by both APIs.
RequestParameters representativeParameters(ApiKind api)
{
    RequestParameters p;
    p.api = api;
    p.model = QStringLiteral("gpt-5-mini");
    p.temperature = 0.2;
    p.topP = 0.9;
    p.maxOutputTokens = 800;
    p.reasoningEffort = QStringLiteral("low");
    p.serviceTier = QStringLiteral("flex");
    p.store = false;
    p.parallelToolCalls = false;
    p.topLogprobs = 3;
    p.verbosity = QStringLiteral("low");
    p.promptCacheKey = QStringLiteral("assay-geo");
    p.safetyIdentifier = QStringLiteral("user-42");
    p.jsonSchema = {{"name", "answer"}, {"schema", kAnswerSchema}, {"strict", true}};
    p.tools = json::array({{{"type", "function"},
                            {"name", "get_weather"},
                            {"description", "Current weather for a place"},
                            {"parameters", kWeatherParameters},
                            {"strict", true}}});
    p.toolChoice = QStringLiteral("required");
    p.metadata = {{QStringLiteral("suite"), QStringLiteral("smoke")}};
    return p;
}

QString jsonDiff(const json &actual, const json &expected)
{
    return QStringLiteral("\nactual:   %1\nexpected: %2\ndiff: %3")
        .arg(QString::fromStdString(actual.dump()), QString::fromStdString(expected.dump()),
             QString::fromStdString(json::diff(expected, actual).dump()));
}

bool anyContains(const QStringList &list, const QString &part)
{
    for (const QString &item : list) {
        if (item.contains(part))
            return true;
    }
    return false;
}

} // namespace

#define COMPARE_JSON(actual, expected)                                                                       \
    QVERIFY2((actual) == (expected), qPrintable(jsonDiff((actual), (expected))))

class TestRequestBuilder : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void responsesBodyForARepresentativeSet();
    void chatBodyForARepresentativeSet();
    void bodiesConformToTheOpenApiSpec_data();
    void bodiesConformToTheOpenApiSpec();
    void chatOnlyParametersAreDroppedOnResponses();
    void responsesOnlyParametersAreDroppedOnChat();
    void chatOnlyParametersAreSentOnChat();
    void nonStreamingSendsNoStreamFields();
    void zeroTopLogprobsStillAsksForLogprobs();
    void unsetParametersAreNotSent();
    void variablesRenderAndUnresolvedWarn();
    void unicodeIsSentAsUtf8();
    void schemaErrorsNameThePath_data();
    void schemaErrorsNameThePath();
    void validSchemasPass_data();
    void validSchemasPass();
    void invalidSchemaBlocksTheRequest();
    void bareSchemaIsAccepted();
    void strictIsSentOnlyWhenSet();
    void chatToolsBecomeResponsesTools();
    void responsesToolsBecomeChatTools();
    void parseToolsAcceptsBothFormsAndSingleObjects();
    void parseToolsErrors_data();
    void parseToolsErrors();
    void toolChoiceNamesAFunction();
    void toolSettingsWithoutToolsAreDropped();
    void unknownToolChoiceIsAnError();
    void builtInToolsPassToResponsesOnly();
    void extraIsMergedLast();
    void missingModelOrMessagesIsAnError();
    void backgroundNeedsStore();
    void metadataLimits();
    void tooManyStopSequences();
};

void TestRequestBuilder::responsesBodyForARepresentativeSet()
{
    RequestParameters p = representativeParameters(ApiKind::Responses);
    p.reasoningSummary = QStringLiteral("auto");
    const auto result = RequestBuilder::build(sampleConversation(), p, kVariables, true);
    QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
    QVERIFY2(result.warnings.isEmpty(), qPrintable(result.warnings.join(QLatin1Char('\n'))));

    const json expected = {
        {"model", "gpt-5-mini"},
        {"instructions", "Answer questions about geography."},
        {"input",
         {{{"type", "message"}, {"role", "user"}, {"content", "Which city is Zürich?"}},
          {{"type", "message"}, {"role", "assistant"}, {"content", "It is in Switzerland 🇨🇭."}},
          {{"type", "message"}, {"role", "user"}, {"content", "And its population?"}}}},
        {"temperature", 0.2},
        {"top_p", 0.9},
        {"max_output_tokens", 800},
        {"reasoning", {{"effort", "low"}, {"summary", "auto"}}},
        {"service_tier", "flex"},
        {"store", false},
        {"parallel_tool_calls", false},
        {"top_logprobs", 3},
        {"include", {"message.output_text.logprobs"}},
        {"text",
         {{"format",
           {{"type", "json_schema"}, {"name", "answer"}, {"schema", kAnswerSchema}, {"strict", true}}},
          {"verbosity", "low"}}},
        {"tools",
         {{{"type", "function"},
           {"name", "get_weather"},
           {"description", "Current weather for a place"},
           {"parameters", kWeatherParameters},
           {"strict", true}}}},
        {"tool_choice", "required"},
        {"prompt_cache_key", "assay-geo"},
        {"safety_identifier", "user-42"},
        {"metadata", {{"suite", "smoke"}}},
        {"stream", true}};
    COMPARE_JSON(result.body, expected);
}

void TestRequestBuilder::chatBodyForARepresentativeSet()
{
    RequestParameters p = representativeParameters(ApiKind::ChatCompletions);
    p.seed = 7;
    p.frequencyPenalty = 0.5;
    p.presencePenalty = -0.25;
    p.stop = {QStringLiteral("\n\n"), QStringLiteral("END")};
    const auto result = RequestBuilder::build(sampleConversation(), p, kVariables, true);
    QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
    QVERIFY2(result.warnings.isEmpty(), qPrintable(result.warnings.join(QLatin1Char('\n'))));

    const json expected = {
        {"model", "gpt-5-mini"},
        {"messages",
         {{{"role", "developer"}, {"content", "Answer questions about geography."}},
          {{"role", "user"}, {"content", "Which city is Zürich?"}},
          {{"role", "assistant"}, {"content", "It is in Switzerland 🇨🇭."}},
          {{"role", "user"}, {"content", "And its population?"}}}},
        {"temperature", 0.2},
        {"top_p", 0.9},
        {"max_completion_tokens", 800},
        {"reasoning_effort", "low"},
        {"seed", 7},
        {"service_tier", "flex"},
        {"store", false},
        {"parallel_tool_calls", false},
        {"logprobs", true},
        {"top_logprobs", 3},
        {"response_format",
         {{"type", "json_schema"},
          {"json_schema", {{"name", "answer"}, {"schema", kAnswerSchema}, {"strict", true}}}}},
        {"verbosity", "low"},
        {"tools",
         {{{"type", "function"},
           {"function",
            {{"name", "get_weather"},
             {"description", "Current weather for a place"},
             {"parameters", kWeatherParameters},
             {"strict", true}}}}}},
        {"tool_choice", "required"},
        {"frequency_penalty", 0.5},
        {"presence_penalty", -0.25},
        {"stop", {"\n\n", "END"}},
        {"prompt_cache_key", "assay-geo"},
        {"safety_identifier", "user-42"},
        {"metadata", {{"suite", "smoke"}}},
        {"stream", true},
        {"stream_options", {{"include_usage", true}}}};
    COMPARE_JSON(result.body, expected);
}

void TestRequestBuilder::bodiesConformToTheOpenApiSpec_data()
{
    QTest::addColumn<int>("api");
    QTest::addColumn<bool>("stream");
    QTest::addColumn<bool>("everything");
    QTest::newRow("responses stream") << int(ApiKind::Responses) << true << true;
    QTest::newRow("responses plain") << int(ApiKind::Responses) << false << false;
    QTest::newRow("chat stream") << int(ApiKind::ChatCompletions) << true << true;
    QTest::newRow("chat plain") << int(ApiKind::ChatCompletions) << false << false;
}

void TestRequestBuilder::bodiesConformToTheOpenApiSpec()
{
    QFETCH(int, api);
    QFETCH(bool, stream);
    QFETCH(bool, everything);
    const auto kind = static_cast<ApiKind>(api);
    RequestParameters p = representativeParameters(kind);
    if (everything) {
        p.reasoningSummary = QStringLiteral("detailed");
        p.seed = 1;
        p.frequencyPenalty = 0.1;
        p.presencePenalty = 0.1;
        p.prediction = QStringLiteral("predicted");
        p.stop = {QStringLiteral("STOP")};
        p.background = kind == ApiKind::Responses;
        p.store = true;
        p.toolChoice = QStringLiteral("get_weather");
        // A Chat-form tool without strict/parameters: the Responses form needs both.
        p.tools.push_back({{"type", "function"}, {"function", {{"name", "now"}}}});
    }
    const auto result = RequestBuilder::build(sampleConversation(), p, kVariables, stream);
    QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
    ASSAY_REQUIRE_OPENAPI(spec);
    const QString schema = kind == ApiKind::Responses ? QStringLiteral("CreateResponse")
                                                      : QStringLiteral("CreateChatCompletionRequest");
    ASSAY_VERIFY_SCHEMA(spec, result.body, schema);
    const QStringList unknown = unknownFields(spec, result.body, kind);
    QVERIFY2(unknown.isEmpty(), qPrintable(unknown.join(QStringLiteral(", "))));
}

void TestRequestBuilder::chatOnlyParametersAreDroppedOnResponses()
{
    RequestParameters p = representativeParameters(ApiKind::Responses);
    p.seed = 99;
    p.prediction = QStringLiteral("The city is");
    p.frequencyPenalty = 0.3;
    p.presencePenalty = 0.4;
    p.stop = {QStringLiteral("END")};
    const auto result = RequestBuilder::build(sampleConversation(), p, kVariables, false);
    QVERIFY(result.error.isEmpty());
    for (const char *key : {"seed", "prediction", "frequency_penalty", "presence_penalty", "stop"}) {
        QVERIFY2(!result.body.contains(key), key);
        QVERIFY2(anyContains(result.warnings, QLatin1String(key)), key);
    }
    QCOMPARE(result.warnings.size(), 5);
    for (const QString &warning : result.warnings)
        QVERIFY2(warning.endsWith(QLatin1Char('.')) && warning.contains(QStringLiteral("not sent")),
                 qPrintable(warning));
    // What the API accepts is still there.
    QCOMPARE(result.body.at("temperature").get<double>(), 0.2);
}

void TestRequestBuilder::responsesOnlyParametersAreDroppedOnChat()
{
    RequestParameters p = representativeParameters(ApiKind::ChatCompletions);
    p.reasoningSummary = QStringLiteral("concise");
    p.background = true;
    const auto result = RequestBuilder::build(sampleConversation(), p, kVariables, false);
    QVERIFY(result.error.isEmpty());
    QVERIFY(!result.body.contains("background"));
    QVERIFY(!result.body.contains("reasoning"));
    QCOMPARE(result.body.at("reasoning_effort"), json("low")); // the effort itself is sent
    QCOMPARE(result.warnings.size(), 2);
    QVERIFY(anyContains(result.warnings, QStringLiteral("reasoning.summary")));
    QVERIFY(anyContains(result.warnings, QStringLiteral("background")));
}

void TestRequestBuilder::chatOnlyParametersAreSentOnChat()
{
    RequestParameters p;
    p.api = ApiKind::ChatCompletions;
    p.model = QStringLiteral("gpt-4o");
    p.prediction = QStringLiteral("class User {\n  email: string;\n}");
    p.seed = -3;
    Conversation conversation;
    conversation.messages = {{Role::User, QStringLiteral("Rename username to email.")}};
    const auto result = RequestBuilder::build(conversation, p, json::object(), false);
    QVERIFY(result.warnings.isEmpty());
    const json expected = {
        {"model", "gpt-4o"},
        {"messages", {{{"role", "user"}, {"content", "Rename username to email."}}}},
        {"seed", -3},
        {"prediction", {{"type", "content"}, {"content", "class User {\n  email: string;\n}"}}}};
    COMPARE_JSON(result.body, expected);
}

void TestRequestBuilder::nonStreamingSendsNoStreamFields()
{
    for (const ApiKind api : {ApiKind::Responses, ApiKind::ChatCompletions}) {
        const auto result =
            RequestBuilder::build(sampleConversation(), representativeParameters(api), kVariables, false);
        QVERIFY(!result.body.contains("stream"));
        QVERIFY(!result.body.contains("stream_options"));
    }
    const auto responses = RequestBuilder::build(
        sampleConversation(), representativeParameters(ApiKind::Responses), kVariables, true);
    QVERIFY(!responses.body.contains("stream_options")); // usage always arrives in response.completed
}

void TestRequestBuilder::zeroTopLogprobsStillAsksForLogprobs()
{
    RequestParameters p;
    p.model = QStringLiteral("gpt-4.1");
    p.topLogprobs = 0;
    Conversation conversation;
    conversation.messages = {{Role::User, QStringLiteral("hi")}};
    const auto responses = RequestBuilder::build(conversation, p, {}, false);
    QCOMPARE(responses.body.at("top_logprobs"), json(0));
    COMPARE_JSON(responses.body.at("include"), json::array({"message.output_text.logprobs"}));
    p.api = ApiKind::ChatCompletions;
    const auto chat = RequestBuilder::build(conversation, p, {}, false);
    QCOMPARE(chat.body.at("logprobs"), json(true));
    QCOMPARE(chat.body.at("top_logprobs"), json(0));
}

void TestRequestBuilder::unsetParametersAreNotSent()
{
    RequestParameters p;
    p.model = QStringLiteral("o3");
    Conversation conversation;
    conversation.messages = {{Role::User, QStringLiteral("hi")}};
    const auto responses = RequestBuilder::build(conversation, p, {}, false);
    COMPARE_JSON(
        responses.body,
        json({{"model", "o3"}, {"input", {{{"type", "message"}, {"role", "user"}, {"content", "hi"}}}}}));
    p.api = ApiKind::ChatCompletions;
    const auto chat = RequestBuilder::build(conversation, p, {}, false);
    COMPARE_JSON(chat.body, json({{"model", "o3"}, {"messages", {{{"role", "user"}, {"content", "hi"}}}}}));
}

void TestRequestBuilder::variablesRenderAndUnresolvedWarn()
{
    Conversation conversation;
    conversation.instructions = QStringLiteral("Tone: {{tone}}. Audience: {{audience}}.");
    conversation.messages = {{Role::User, QStringLiteral("{{question}} ({{ item.id }})")}};
    const json variables = {{"tone", "dry"}, {"item", {{"id", 17}}}};
    RequestParameters p;
    p.model = QStringLiteral("gpt-5");
    const auto result = RequestBuilder::build(conversation, p, variables, false);
    QVERIFY(result.error.isEmpty()); // unresolved variables do not block the request
    QCOMPARE(result.body.at("instructions"), json("Tone: dry. Audience: {{audience}}."));
    QCOMPARE(result.body.at("input")[0].at("content"), json("{{question}} (17)"));
    QCOMPARE(result.warnings.size(), 1);
    QVERIFY2(result.warnings[0].contains(QStringLiteral("{{audience}}")) &&
                 result.warnings[0].contains(QStringLiteral("{{question}}")),
             qPrintable(result.warnings[0]));

    p.api = ApiKind::ChatCompletions;
    const auto chat = RequestBuilder::build(conversation, p, variables, false);
    QCOMPARE(chat.body.at("messages")[0].at("content"), json("Tone: dry. Audience: {{audience}}."));
    QCOMPARE(chat.body.at("messages")[1].at("content"), json("{{question}} (17)"));
}

void TestRequestBuilder::unicodeIsSentAsUtf8()
{
    Conversation conversation;
    conversation.instructions = QStringLiteral("Réponds en français, s'il te plaît.");
    conversation.messages = {{Role::User, QStringLiteral("東京の天気は？ {{emoji}}")}};
    RequestParameters p;
    p.model = QStringLiteral("gpt-5-nano");
    const auto result = RequestBuilder::build(conversation, p, json{{"emoji", "☀️"}}, false);
    QCOMPARE(QString::fromStdString(result.body.at("input")[0].at("content").get<std::string>()),
             QStringLiteral("東京の天気は？ ☀️"));
    const QByteArray wire = QByteArray::fromStdString(result.body.dump());
    QVERIFY(wire.contains(QStringLiteral("français").toUtf8()));
    QVERIFY(wire.contains(QStringLiteral("東京の天気は？ ☀️").toUtf8()));
}

void TestRequestBuilder::schemaErrorsNameThePath_data()
{
    QTest::addColumn<QByteArray>("schema");
    QTest::addColumn<QString>("expected");
    QTest::newRow("not an object") << QByteArray(R"([1, 2])")
                                   << QStringLiteral("$: a schema must be a JSON object");
    QTest::newRow("no type") << QByteArray(R"({"properties": {}})")
                             << QStringLiteral("$.type: the root schema must have");
    QTest::newRow("array root") << QByteArray(R"({"type": "array", "items": {"type": "string"}})")
                                << QStringLiteral(
                                       "$.type: the root schema must be of type \"object\", not \"array\"");
    QTest::newRow("properties not object") << QByteArray(R"({"type": "object", "properties": ["a"]})")
                                           << QStringLiteral("$.properties: must be an object");
    QTest::newRow("property not object")
        << QByteArray(R"({"type": "object", "properties": {"age": "integer"}})")
        << QStringLiteral("$.properties.age: must be a schema object");
    QTest::newRow("required unknown")
        << QByteArray(R"({"type": "object", "properties": {"a": {"type": "string"}},
                                                        "required": ["a", "b"]})")
        << QStringLiteral("$.required[1]: 'b' is not a property");
    QTest::newRow("nested required")
        << QByteArray(R"({"type": "object", "properties": {"address": {"type": "object",
               "properties": {"street": {"type": "string"}, "city": {"type": "string"}},
               "required": ["street", "zip"]}}})")
        << QStringLiteral("$.properties.address.required[1]: 'zip' is not a property");
    QTest::newRow("in array items")
        << QByteArray(
               R"({"type": "object", "properties": {"rows": {"type": "array", "items": {"type": "object",
               "properties": {"x": []}}}}})")
        << QStringLiteral("$.properties.rows.items.properties.x: must be a schema object");
    QTest::newRow("in anyOf")
        << QByteArray(
               R"({"type": "object", "properties": {"v": {"anyOf": [{"type": "string"}, {"type": "int"}]}}})")
        << QStringLiteral("$.properties.v.anyOf[1].type: \"int\" is not a JSON Schema type");
    QTest::newRow("in $defs") << QByteArray(R"({"type": "object", "properties": {"p": {"$ref": "#/$defs/P"}},
               "$defs": {"P": {"type": "object", "properties": {}, "required": ["name"]}}})")
                              << QStringLiteral("$.$defs.P.required[0]: 'name' is not a property");
    QTest::newRow("odd key")
        << QByteArray(
               R"({"type": "object", "properties": {"first name": {"type": "object", "required": ["x"]}}})")
        << QStringLiteral("$.properties['first name'].required[0]: 'x' is not a property");
    QTest::newRow("required not array")
        << QByteArray(R"({"type": "object", "properties": {}, "required": "a"})")
        << QStringLiteral("$.required: must be an array");
}

void TestRequestBuilder::schemaErrorsNameThePath()
{
    QFETCH(QByteArray, schema);
    QFETCH(QString, expected);
    const QString error = RequestBuilder::validateJsonSchema(json::parse(schema.toStdString()));
    QVERIFY2(error.startsWith(expected), qPrintable(error));
}

void TestRequestBuilder::validSchemasPass_data()
{
    QTest::addColumn<QByteArray>("schema");
    QTest::newRow("empty object") << QByteArray(R"({"type": "object"})");
    QTest::newRow("answer") << QByteArray::fromStdString(kAnswerSchema.dump());
    QTest::newRow("nested everything") << QByteArray(R"({
        "type": "object",
        "properties": {
            "steps": {"type": "array", "items": {"type": "object",
                      "properties": {"explanation": {"type": "string"}, "output": {"type": "string"}},
                      "required": ["explanation", "output"], "additionalProperties": false}},
            "final_answer": {"type": ["string", "null"]},
            "kind": {"enum": ["a", "b"]},
            "node": {"$ref": "#/$defs/node"}
        },
        "required": ["steps", "final_answer", "kind", "node"],
        "additionalProperties": false,
        "$defs": {"node": {"type": "object",
                           "properties": {"children": {"type": "array", "items": {"$ref": "#"}}},
                           "required": ["children"], "additionalProperties": false}}
    })");
}

void TestRequestBuilder::validSchemasPass()
{
    QFETCH(QByteArray, schema);
    const QString error = RequestBuilder::validateJsonSchema(json::parse(schema.toStdString()));
    QVERIFY2(error.isEmpty(), qPrintable(error));
}

void TestRequestBuilder::invalidSchemaBlocksTheRequest()
{
    for (const ApiKind api : {ApiKind::Responses, ApiKind::ChatCompletions}) {
        RequestParameters p = representativeParameters(api);
        p.jsonSchema = {{"name", "address"},
                        {"schema",
                         {{"type", "object"},
                          {"properties", {{"street", {{"type", "string"}}}}},
                          {"required", {"street", "zip"}}}}};
        const auto result = RequestBuilder::build(sampleConversation(), p, kVariables, false);
        QVERIFY2(result.error.contains(QStringLiteral("$.required[1]: 'zip' is not a property")),
                 qPrintable(result.error));
        QVERIFY(result.body.is_null());
    }
    RequestParameters p = representativeParameters(ApiKind::Responses);
    p.jsonSchema = {{"name", "has spaces"}, {"schema", kAnswerSchema}};
    const auto badName = RequestBuilder::build(sampleConversation(), p, kVariables, false);
    QVERIFY2(badName.error.contains(QStringLiteral("has spaces")), qPrintable(badName.error));
    p.jsonSchema = {{"name", "answer"}, {"strict", true}};
    const auto noSchema = RequestBuilder::build(sampleConversation(), p, kVariables, false);
    QVERIFY2(noSchema.error.contains(QStringLiteral("\"schema\" is missing")), qPrintable(noSchema.error));
}

void TestRequestBuilder::bareSchemaIsAccepted()
{
    RequestParameters p = representativeParameters(ApiKind::ChatCompletions);
    p.jsonSchema = kAnswerSchema;
    const auto result = RequestBuilder::build(sampleConversation(), p, kVariables, false);
    QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
    COMPARE_JSON(
        result.body.at("response_format"),
        json({{"type", "json_schema"}, {"json_schema", {{"name", "response"}, {"schema", kAnswerSchema}}}}));
}

void TestRequestBuilder::strictIsSentOnlyWhenSet()
{
    RequestParameters p = representativeParameters(ApiKind::Responses);
    p.jsonSchema = {{"name", "answer"}, {"schema", kAnswerSchema}, {"description", "One city"}};
    auto result = RequestBuilder::build(sampleConversation(), p, kVariables, false);
    COMPARE_JSON(result.body.at("text").at("format"), json({{"type", "json_schema"},
                                                            {"name", "answer"},
                                                            {"description", "One city"},
                                                            {"schema", kAnswerSchema}}));
    p.jsonSchema["strict"] = false;
    result = RequestBuilder::build(sampleConversation(), p, kVariables, false);
    QCOMPARE(result.body.at("text").at("format").at("strict"), json(false));
}

void TestRequestBuilder::chatToolsBecomeResponsesTools()
{
    RequestParameters p = representativeParameters(ApiKind::Responses);
    p.tools = json::array({{{"type", "function"},
                            {"function",
                             {{"name", "get_weather"},
                              {"description", "Current weather for a place"},
                              {"parameters", kWeatherParameters},
                              {"strict", true}}}},
                           {{"type", "function"}, {"function", {{"name", "now"}}}}});
    const auto result = RequestBuilder::build(sampleConversation(), p, kVariables, false);
    QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
    const json expected = {{{"type", "function"},
                            {"name", "get_weather"},
                            {"description", "Current weather for a place"},
                            {"parameters", kWeatherParameters},
                            {"strict", true}},
                           // Responses requires parameters and strict; strict false keeps Chat's default.
                           {{"type", "function"},
                            {"name", "now"},
                            {"parameters", {{"type", "object"}, {"properties", json::object()}}},
                            {"strict", false}}};
    COMPARE_JSON(result.body.at("tools"), expected);
}

void TestRequestBuilder::responsesToolsBecomeChatTools()
{
    RequestParameters p = representativeParameters(ApiKind::ChatCompletions);
    p.tools = json::array({{{"type", "function"}, {"name", "now"}, {"description", "The time"}},
                           {{"type", "function"},
                            {"name", "lookup"},
                            {"parameters", kWeatherParameters},
                            {"strict", false},
                            {"defer_loading", true}}});
    p.toolChoice = QStringLiteral("auto");
    const auto result = RequestBuilder::build(sampleConversation(), p, kVariables, false);
    QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
    const json expected = {
        {{"type", "function"}, {"function", {{"name", "now"}, {"description", "The time"}}}},
        {{"type", "function"},
         {"function", {{"name", "lookup"}, {"parameters", kWeatherParameters}, {"strict", false}}}}};
    COMPARE_JSON(result.body.at("tools"), expected);
    // The Responses-only field is reported, not silently lost.
    QCOMPARE(result.warnings.size(), 1);
    QVERIFY(result.warnings[0].contains(QStringLiteral("defer_loading")));
}

void TestRequestBuilder::parseToolsAcceptsBothFormsAndSingleObjects()
{
    const json flat = {{"type", "function"}, {"name", "get_weather"}, {"parameters", kWeatherParameters}};
    const QString nestedText = QStringLiteral(R"([{"type": "function", "function": {"name": "get_weather",
        "parameters": {"type": "object", "properties": {"location": {"type": "string"}},
                       "required": ["location"], "additionalProperties": false}}}])");
    COMPARE_JSON(RequestBuilder::parseTools(nestedText), json::array({flat}));
    COMPARE_JSON(RequestBuilder::parseTools(QString::fromStdString(flat.dump())), json::array({flat}));
    COMPARE_JSON(RequestBuilder::parseTools(QStringLiteral("  \n")), json::array());
    // A function definition without "type" is still a function.
    COMPARE_JSON(RequestBuilder::parseTools(QStringLiteral(R"({"name": "now"})")),
                 json::array({{{"type", "function"}, {"name", "now"}}}));
}

void TestRequestBuilder::parseToolsErrors_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");
    QTest::newRow("broken json") << QStringLiteral("[\n  {\"name\": \"a\",\n   \"parameters\": }\n]")
                                 << QStringLiteral("line 3, column");
    QTest::newRow("no name") << QStringLiteral(R"([{"type": "function", "function": {"description": "x"}}])")
                             << QStringLiteral("tools[0].function: a function tool needs a \"name\"");
    QTest::newRow("bad name") << QStringLiteral(
                                     R"([{"name": "ok"}, {"type": "function", "name": "get weather"}])")
                              << QStringLiteral("tools[1].name: 'get weather' may only contain");
    QTest::newRow("bad parameters")
        << QStringLiteral(R"([{"type": "function", "name": "f", "parameters": {"type": "object",
              "properties": {"a": {"type": "string"}}, "required": ["b"]}}])")
        << QStringLiteral("tools[0].parameters: $.required[0]: 'b' is not a property");
    QTest::newRow("parameters not schema")
        << QStringLiteral(R"([{"name": "f", "parameters": "none"}])")
        << QStringLiteral("tools[0].parameters: must be a JSON schema object");
    QTest::newRow("not an object") << QStringLiteral(R"(["get_weather"])")
                                   << QStringLiteral("tools[0]: a tool must be a JSON object");
    QTest::newRow("no type") << QStringLiteral(R"([{"description": "x"}])")
                             << QStringLiteral("tools[0]: a tool needs a \"type\"");
    QTest::newRow("a number") << QStringLiteral("42") << QStringLiteral("tools: expected an array");
}

void TestRequestBuilder::parseToolsErrors()
{
    QFETCH(QString, text);
    QFETCH(QString, expected);
    try {
        RequestBuilder::parseTools(text);
        QFAIL("parseTools accepted bad input");
    } catch (const std::runtime_error &error) {
        const QString message = QString::fromUtf8(error.what());
        QVERIFY2(message.startsWith(expected), qPrintable(message));
    }
}

void TestRequestBuilder::toolChoiceNamesAFunction()
{
    RequestParameters p = representativeParameters(ApiKind::Responses);
    p.toolChoice = QStringLiteral("get_weather");
    auto result = RequestBuilder::build(sampleConversation(), p, kVariables, false);
    COMPARE_JSON(result.body.at("tool_choice"), json({{"type", "function"}, {"name", "get_weather"}}));
    p.api = ApiKind::ChatCompletions;
    result = RequestBuilder::build(sampleConversation(), p, kVariables, false);
    COMPARE_JSON(result.body.at("tool_choice"),
                 json({{"type", "function"}, {"function", {{"name", "get_weather"}}}}));
}

void TestRequestBuilder::toolSettingsWithoutToolsAreDropped()
{
    for (const ApiKind api : {ApiKind::Responses, ApiKind::ChatCompletions}) {
        RequestParameters p = representativeParameters(api);
        p.tools = json::array();
        const auto result = RequestBuilder::build(sampleConversation(), p, kVariables, false);
        QVERIFY(result.error.isEmpty());
        QVERIFY(!result.body.contains("tools"));
        QVERIFY(!result.body.contains("tool_choice"));
        QVERIFY(!result.body.contains("parallel_tool_calls"));
        QCOMPARE(result.warnings.size(), 2);
        QVERIFY(anyContains(result.warnings, QStringLiteral("tool_choice")));
        QVERIFY(anyContains(result.warnings, QStringLiteral("parallel_tool_calls")));
    }
}

void TestRequestBuilder::unknownToolChoiceIsAnError()
{
    RequestParameters p = representativeParameters(ApiKind::Responses);
    p.toolChoice = QStringLiteral("get_wether");
    const auto result = RequestBuilder::build(sampleConversation(), p, kVariables, false);
    QVERIFY2(result.error.contains(QStringLiteral("get_wether")), qPrintable(result.error));
    QVERIFY(result.body.is_null());
}

void TestRequestBuilder::builtInToolsPassToResponsesOnly()
{
    RequestParameters p = representativeParameters(ApiKind::Responses);
    p.tools.push_back({{"type", "web_search"}});
    auto result = RequestBuilder::build(sampleConversation(), p, kVariables, false);
    QCOMPARE(result.body.at("tools").size(), std::size_t(2));
    COMPARE_JSON(result.body.at("tools")[1], json({{"type", "web_search"}}));
    p.api = ApiKind::ChatCompletions;
    result = RequestBuilder::build(sampleConversation(), p, kVariables, false);
    QCOMPARE(result.body.at("tools").size(), std::size_t(1));
    QVERIFY(anyContains(result.warnings, QStringLiteral("web_search")));
}

void TestRequestBuilder::extraIsMergedLast()
{
    RequestParameters p = representativeParameters(ApiKind::Responses);
    p.extra = {{"temperature", 1.0},         // overrides a field we set
               {"reasoning.effort", "high"}, // dotted key reaches a nested field
               {"text.format.strict", false},
               {"max_tool_calls", 3}, // a field the editor has no control for
               {"top_p", nullptr}};   // null removes a field
    const auto result = RequestBuilder::build(sampleConversation(), p, kVariables, false);
    QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
    QCOMPARE(result.body.at("temperature"), json(1.0));
    COMPARE_JSON(result.body.at("reasoning"), json({{"effort", "high"}}));
    QCOMPARE(result.body.at("text").at("format").at("strict"), json(false));
    QCOMPARE(result.body.at("text").at("format").at("name"), json("answer")); // siblings kept
    QCOMPARE(result.body.at("max_tool_calls"), json(3));
    QVERIFY(!result.body.contains("top_p"));
}

void TestRequestBuilder::missingModelOrMessagesIsAnError()
{
    RequestParameters p;
    p.model = QStringLiteral("  ");
    auto result = RequestBuilder::build(sampleConversation(), p, kVariables, false);
    QVERIFY(result.error.contains(QStringLiteral("model")));
    QVERIFY(result.body.is_null());
    // --param model=... is enough.
    p.extra = {{"model", "gpt-5"}};
    result = RequestBuilder::build(sampleConversation(), p, kVariables, false);
    QVERIFY2(result.error.isEmpty(), qPrintable(result.error));

    p.model = QStringLiteral("gpt-5");
    p.extra = json::object();
    result = RequestBuilder::build(Conversation{}, p, {}, false);
    QVERIFY(!result.error.isEmpty());
    p.api = ApiKind::ChatCompletions;
    result = RequestBuilder::build(Conversation{}, p, {}, false);
    QVERIFY(!result.error.isEmpty());
    // Instructions alone make a developer message: enough for Chat.
    Conversation instructionsOnly;
    instructionsOnly.instructions = QStringLiteral("Say hi.");
    result = RequestBuilder::build(instructionsOnly, p, {}, false);
    QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
    QCOMPARE(result.body.at("messages").size(), std::size_t(1));
}

void TestRequestBuilder::backgroundNeedsStore()
{
    RequestParameters p = representativeParameters(ApiKind::Responses);
    p.background = true;
    p.store = false;
    auto result = RequestBuilder::build(sampleConversation(), p, kVariables, false);
    QVERIFY(result.error.contains(QStringLiteral("store")));
    p.store.reset();
    result = RequestBuilder::build(sampleConversation(), p, kVariables, true);
    QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
    QCOMPARE(result.body.at("background"), json(true));
    QCOMPARE(result.body.at("stream"), json(true));
}

void TestRequestBuilder::metadataLimits()
{
    RequestParameters p = representativeParameters(ApiKind::Responses);
    for (int i = 0; i < 17; ++i)
        p.metadata[QStringLiteral("k%1").arg(i)] = QStringLiteral("v");
    QVERIFY(RequestBuilder::build(sampleConversation(), p, kVariables, false)
                .error.contains(QStringLiteral("16")));
    p.metadata = {{QString(65, QLatin1Char('k')), QStringLiteral("v")}};
    QVERIFY(!RequestBuilder::build(sampleConversation(), p, kVariables, false).error.isEmpty());
    p.metadata = {{QStringLiteral("k"), QString(513, QLatin1Char('v'))}};
    QVERIFY(!RequestBuilder::build(sampleConversation(), p, kVariables, false).error.isEmpty());
    p.metadata = {{QString(64, QLatin1Char('k')), QString(512, QLatin1Char('v'))}};
    QVERIFY(RequestBuilder::build(sampleConversation(), p, kVariables, false).error.isEmpty());
}

void TestRequestBuilder::tooManyStopSequences()
{
    RequestParameters p = representativeParameters(ApiKind::ChatCompletions);
    p.stop = {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c"), QStringLiteral("d"),
              QStringLiteral("e")};
    QVERIFY(RequestBuilder::build(sampleConversation(), p, kVariables, false)
                .error.contains(QStringLiteral("4")));
}

QTEST_GUILESS_MAIN(TestRequestBuilder)
#include "tst_request_builder.moc"
