// The schema checker behind the conformance tests: it must accept what the spec describes and
// reject, with the right JSON path, what it does not. Otherwise the conformance tests prove nothing.
#include <QFile>
#include <QtTest>

#include "support/openapi_validator.h"

using assay::testing::OpenApiValidator;
using assay::testing::SchemaError;
using nlohmann::json;

Q_DECLARE_METATYPE(nlohmann::json)

namespace {

json specExample(const QString &schemaName)
{
    QFile file(OpenApiValidator::specPath());
    if (!file.open(QIODevice::ReadOnly))
        return nullptr;
    static const json spec = [&file] {
        const QByteArray bytes = file.readAll();
        return json::parse(bytes.constBegin(), bytes.constEnd());
    }();
    const json &schema = spec["components"]["schemas"][schemaName.toStdString()];
    const std::string example = schema["x-oaiMeta"]["example"].get<std::string>();
    return json::parse(example);
}

json goodResponse()
{
    return json::parse(R"({
      "id": "resp_123", "object": "response", "created_at": 1741476542, "status": "completed",
      "completed_at": 1741476543, "error": null, "incomplete_details": null, "instructions": null,
      "max_output_tokens": null, "model": "gpt-4.1-2025-04-14",
      "output": [{"type": "message", "id": "msg_1", "status": "completed", "role": "assistant",
                  "content": [{"type": "output_text", "text": "Hi", "annotations": [], "logprobs": []}]}],
      "parallel_tool_calls": true, "previous_response_id": null,
      "reasoning": {"effort": null, "summary": null}, "store": true, "temperature": 1.0,
      "text": {"format": {"type": "text"}}, "tool_choice": "auto", "tools": [], "top_p": 1.0,
      "truncation": "disabled",
      "usage": {"input_tokens": 36, "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
                "output_tokens": 87, "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 123},
      "metadata": {}
    })");
}

json goodChunk()
{
    return json::parse(R"({"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1694268190,
      "model": "gpt-4o-mini", "system_fingerprint": "fp_44709d6fcb", "usage": null,
      "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "logprobs": null,
                   "finish_reason": null}]})");
}

bool hasErrorAt(const QList<SchemaError> &errors, const QString &path, const QString &fragment)
{
    for (const SchemaError &e : errors) {
        if (e.path == path && e.message.contains(fragment))
            return true;
    }
    return false;
}

QString describe(const QList<SchemaError> &errors)
{
    QStringList lines;
    for (const SchemaError &e : errors)
        lines.append(e.toString());
    return lines.isEmpty() ? QStringLiteral("(no errors)") : lines.join(QLatin1Char('\n'));
}

} // namespace

class TestOpenApiValidator : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void loadsTheSpecOnce()
    {
        ASSAY_REQUIRE_OPENAPI(validator);
        QCOMPARE(OpenApiValidator::shared(), validator); // cached, not parsed again
        QVERIFY(validator->hasSchema(QStringLiteral("Response")));
        QVERIFY(!validator->hasSchema(QStringLiteral("NoSuchSchema")));
        QCOMPARE(validator->streamEventSchema(QStringLiteral("response.output_text.delta")),
                 QStringLiteral("ResponseTextDeltaEvent"));
        QCOMPARE(validator->streamEventSchema(QStringLiteral("response.completed")),
                 QStringLiteral("ResponseCompletedEvent"));
        QCOMPARE(validator->streamEventSchema(QStringLiteral("response.made_up")), QString());
        QVERIFY(validator->streamEventTypes().size() > 40);
    }

    void acceptsKnownGood_data()
    {
        QTest::addColumn<QString>("schema");
        QTest::addColumn<json>("value");
        // The spec's own examples, where they agree with their schemas. (Several do not: the
        // ResponseTextDelta/Done and ContentPartAdded examples lack the required `logprobs`, the
        // ResponseCompletedEvent example has "user": null and lacks parallel_tool_calls.)
        for (const char *name :
             {"Model", "CreateChatCompletionResponse", "ResponseReasoningSummaryPartDoneEvent",
              "ResponseOutputItemAddedEvent", "ResponseFunctionCallArgumentsDoneEvent",
              "ResponseReasoningSummaryTextDeltaEvent", "ResponseErrorEvent"}) {
            const QString schema = QString::fromLatin1(name);
            QTest::newRow(qPrintable(QStringLiteral("spec example ") + schema))
                << schema << specExample(schema);
        }
        QTest::newRow("response") << QStringLiteral("Response") << goodResponse();
        QTest::newRow("chunk with nullable usage/finish_reason")
            << QStringLiteral("CreateChatCompletionStreamResponse") << goodChunk();
        QTest::newRow("error body") << QStringLiteral("ErrorResponse")
                                    << json::parse(
                                           R"({"error": {"message": "m", "type": "invalid_request_error",
                                                     "param": null, "code": "invalid_api_key"}})");
        QTest::newRow("models list with shutdown_date")
            << QStringLiteral("ListModelsResponse") << json::parse(R"({"object": "list", "data": [
                 {"id": "gpt-5", "object": "model", "created": 1, "owned_by": "system"},
                 {"id": "old", "object": "model", "created": 2, "owned_by": "system", "shutdown_date": "2026-12-01"},
                 {"id": "x", "object": "model", "created": 3, "owned_by": "system", "shutdown_date": null}]})");
        QTest::newRow("responses request")
            << QStringLiteral("CreateResponse")
            << json::parse(R"({"model": "gpt-5", "input": [{"role": "user", "content": "hi"}],
                                                "reasoning": {"effort": "low", "summary": "auto"}, "max_output_tokens": 256,
                                                "tools": [{"type": "function", "name": "f", "strict": true,
                                                           "parameters": {"type": "object", "properties": {}}}],
                                                "text": {"format": {"type": "json_schema", "name": "s",
                                                          "schema": {"type": "object"}, "strict": true}}})");
        QTest::newRow("chat request")
            << QStringLiteral("CreateChatCompletionRequest")
            << json::parse(R"({"model": "gpt-4o", "messages": [{"role": "developer", "content": "Be brief"},
                                           {"role": "user", "content": "hi"}], "seed": 42, "top_logprobs": 20, "logprobs": true,
                                           "prediction": {"type": "content", "content": "x"}, "service_tier": "flex"})");
    }

    void acceptsKnownGood()
    {
        QFETCH(QString, schema);
        QFETCH(json, value);
        ASSAY_REQUIRE_OPENAPI(validator);
        QVERIFY(!value.is_null());
        const QList<SchemaError> errors = validator->validate(value, schema);
        QVERIFY2(errors.isEmpty(), qPrintable(describe(errors)));
    }

    void rejectsWithThePath_data()
    {
        QTest::addColumn<QString>("schema");
        QTest::addColumn<json>("value");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("fragment");

        json model = specExample(QStringLiteral("Model"));
        json noOwner = model;
        noOwner.erase("owned_by");
        QTest::newRow("missing required")
            << QStringLiteral("Model") << noOwner << QStringLiteral("$.owned_by")
            << QStringLiteral("required property is missing");
        json wrongType = model;
        wrongType["created"] = "yesterday";
        QTest::newRow("wrong type") << QStringLiteral("Model") << wrongType << QStringLiteral("$.created")
                                    << QStringLiteral("expected integer, got string");
        json fraction = model;
        fraction["created"] = 1.5;
        QTest::newRow("number where integer")
            << QStringLiteral("Model") << fraction << QStringLiteral("$.created")
            << QStringLiteral("expected integer");
        json nullId = model;
        nullId["id"] = nullptr;
        QTest::newRow("null where not nullable")
            << QStringLiteral("Model") << nullId << QStringLiteral("$.id")
            << QStringLiteral("expected string, got null");
        json wrongObject = model;
        wrongObject["object"] = "engine";
        QTest::newRow("wrong enum") << QStringLiteral("Model") << wrongObject << QStringLiteral("$.object")
                                    << QStringLiteral("\"engine\" is not one of [\"model\"]");

        json response = goodResponse();
        response["output"][0]["content"][0]["type"] = "foo";
        QTest::newRow("wrong enum deep in a union")
            << QStringLiteral("Response") << response << QStringLiteral("$.output[0].content[0].type")
            << QStringLiteral("\"foo\" is not one of");
        response = goodResponse();
        response["output"][0].erase("status");
        QTest::newRow("missing field of the chosen union branch")
            << QStringLiteral("Response") << response << QStringLiteral("$.output[0].status")
            << QStringLiteral("required");
        response = goodResponse();
        response.erase("tools");
        QTest::newRow("required in allOf part") << QStringLiteral("Response") << response
                                                << QStringLiteral("$.tools") << QStringLiteral("required");
        response = goodResponse();
        response["usage"]["input_tokens_details"]["cached_tokens"] = nullptr;
        QTest::newRow("null usage detail")
            << QStringLiteral("Response") << response
            << QStringLiteral("$.usage.input_tokens_details.cached_tokens") << QStringLiteral("got null");
        response = goodResponse();
        response["status"] = "done";
        QTest::newRow("status enum") << QStringLiteral("Response") << response << QStringLiteral("$.status")
                                     << QStringLiteral("is not one of");

        json chunk = goodChunk();
        chunk["choices"][0]["finish_reason"] = "finished";
        QTest::newRow("nullable enum still checks values")
            << QStringLiteral("CreateChatCompletionStreamResponse") << chunk
            << QStringLiteral("$.choices[0].finish_reason") << QStringLiteral("is not one of");
        chunk = goodChunk();
        chunk["usage"] = json{{"prompt_tokens", 1}, {"completion_tokens", nullptr}, {"total_tokens", 1}};
        QTest::newRow("nullable $ref checks a present value")
            << QStringLiteral("CreateChatCompletionStreamResponse") << chunk
            << QStringLiteral("$.usage.completion_tokens") << QStringLiteral("got null");

        QTest::newRow("string-or-null union gets one line")
            << QStringLiteral("ErrorResponse")
            << json::parse(R"({"error": {"message": "m", "type": "t", "param": null, "code": 42}})")
            << QStringLiteral("$.error.code") << QStringLiteral("expected string or null, got integer 42");

        const json chatBase =
            json::parse(R"({"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]})");
        json chat = chatBase;
        chat["top_logprobs"] = 21;
        QTest::newRow("maximum") << QStringLiteral("CreateChatCompletionRequest") << chat
                                 << QStringLiteral("$.top_logprobs") << QStringLiteral("above the maximum");
        chat = chatBase;
        chat["messages"] = json::array();
        QTest::newRow("minItems") << QStringLiteral("CreateChatCompletionRequest") << chat
                                  << QStringLiteral("$.messages") << QStringLiteral("fewer than 1");
        chat = chatBase;
        chat["reasoning_effort"] = "extreme";
        QTest::newRow("enum behind $ref and anyOf")
            << QStringLiteral("CreateChatCompletionRequest") << chat << QStringLiteral("$.reasoning_effort")
            << QStringLiteral("\"extreme\" is not one of");
        chat = chatBase;
        chat["messages"][0]["role"] = "robot";
        QTest::newRow("unknown message role")
            << QStringLiteral("CreateChatCompletionRequest") << chat << QStringLiteral("$.messages[0].role")
            << QStringLiteral("\"robot\" is not one of");
        json create = json::parse(R"({"model": "gpt-5", "input": "hi", "max_output_tokens": 8})");
        QTest::newRow("minimum") << QStringLiteral("CreateResponse") << create
                                 << QStringLiteral("$.max_output_tokens")
                                 << QStringLiteral("below the minimum 16");
        create =
            json::parse(R"({"model": "gpt-5", "input": "hi", "tools": [{"type": "function", "strict": true,
                                 "parameters": {}}]})");
        QTest::newRow("tool without name: closest branch")
            << QStringLiteral("CreateResponse") << create << QStringLiteral("$.tools[0].name")
            << QStringLiteral("required");
        QTest::newRow("unknown schema")
            << QStringLiteral("NoSuchSchema") << json::object() << QStringLiteral("$")
            << QStringLiteral("no schema named NoSuchSchema");
    }

    void rejectsWithThePath()
    {
        QFETCH(QString, schema);
        QFETCH(json, value);
        QFETCH(QString, path);
        QFETCH(QString, fragment);
        ASSAY_REQUIRE_OPENAPI(validator);
        const QList<SchemaError> errors = validator->validate(value, schema);
        QVERIFY2(hasErrorAt(errors, path, fragment),
                 qPrintable(
                     QStringLiteral("wanted %1: ...%2...\ngot:\n%3").arg(path, fragment, describe(errors))));
        // The closest branch only, not every alternative of every union on the way.
        QVERIFY2(errors.size() <= 3, qPrintable(describe(errors)));
    }

    void unionFailureNamesTheClosestBranch()
    {
        ASSAY_REQUIRE_OPENAPI(validator);
        // An output_text.delta event missing its delta: the report is about that event type,
        // not the 50 other stream events.
        const json event =
            json::parse(R"({"type": "response.output_text.delta", "item_id": "msg_1", "output_index": 0,
                                          "content_index": 0, "sequence_number": 3, "logprobs": []})");
        const QList<SchemaError> errors = validator->validate(event, QStringLiteral("ResponseStreamEvent"));
        QCOMPARE(errors.size(), 1);
        QCOMPARE(errors.first().path, QStringLiteral("$.delta"));
        // A type no variant has: one error listing the valid types.
        const QList<SchemaError> unknown =
            validator->validate(json{{"type", "response.exploded"}, {"sequence_number", 1}},
                                QStringLiteral("ResponseStreamEvent"));
        QCOMPARE(unknown.size(), 1);
        QCOMPARE(unknown.first().path, QStringLiteral("$.type"));
        QVERIFY(unknown.first().message.contains(QStringLiteral("response.completed")));
    }

    void reportsUnknownTopLevelParameters()
    {
        ASSAY_REQUIRE_OPENAPI(validator);
        const json request = {
            {"model", "gpt-5"}, {"input", "hi"}, {"seed", 1}, {"max_tokens", 5}, {"temperature", 0.2}};
        QStringList unknown = validator->unknownProperties(request, QStringLiteral("CreateResponse"));
        unknown.sort();
        QCOMPARE(unknown, (QStringList{QStringLiteral("max_tokens"), QStringLiteral("seed")}));
        QVERIFY(validator
                    ->unknownProperties(json{{"model", "m"}, {"messages", json::array()}, {"seed", 1}},
                                        QStringLiteral("CreateChatCompletionRequest"))
                    .isEmpty());
    }

    void keywordSemantics_data()
    {
        QTest::addColumn<json>("schema");
        QTest::addColumn<json>("value");
        QTest::addColumn<QString>("path"); // empty: must be valid

        const auto row = [](const char *name, json schema, json value, const char *path) {
            QTest::newRow(name) << std::move(schema) << std::move(value) << QString::fromLatin1(path);
        };
        row("type array ok", {{"type", {"string", "null"}}}, nullptr, "");
        row("type array bad", {{"type", {"string", "null"}}}, 3, "$");
        row("integer-valued float is an integer", {{"type", "integer"}}, 3.0, "");
        row("nullable 3.0", {{"type", "string"}, {"nullable", true}}, nullptr, "");
        row("not nullable", {{"type", "string"}}, nullptr, "$");
        row("const ok", {{"const", "x"}}, "x", "");
        row("const bad", {{"const", "x"}}, "y", "$");
        row("not", {{"not", {{"required", {"a", "b"}}}}}, {{"a", 1}, {"b", 2}}, "$");
        row("not ok", {{"not", {{"required", {"a", "b"}}}}}, {{"a", 1}}, "");
        row("pattern bad", {{"type", "string"}, {"pattern", "^tunnel_[a-z0-9]{4}$"}}, "tunnel_AB", "$");
        row("pattern ok", {{"type", "string"}, {"pattern", "^tunnel_[a-z0-9]{4}$"}}, "tunnel_ab12", "");
        row("exclusiveMinimum 3.0 form", {{"minimum", 0}, {"exclusiveMinimum", true}}, 0, "$");
        row("exclusiveMinimum 3.1 form", {{"exclusiveMinimum", 0}}, 0, "$");
        row("exclusiveMinimum above", {{"exclusiveMinimum", 0}}, 0.1, "");
        row("maxLength counts characters", {{"type", "string"}, {"maxLength", 3}}, "äöü", "");
        row("maxLength bad", {{"type", "string"}, {"maxLength", 2}}, "äöü", "$");
        row("maxProperties", {{"type", "object"}, {"maxProperties", 1}}, {{"a", 1}, {"b", 2}}, "$");
        row("propertyNames", {{"type", "object"}, {"propertyNames", {{"maxLength", 2}}}}, {{"abc", 1}},
            "$.abc");
        row("additionalProperties false",
            {{"type", "object"}, {"properties", {{"a", json::object()}}}, {"additionalProperties", false}},
            {{"a", 1}, {"b", 2}}, "$.b");
        row("additionalProperties schema",
            {{"type", "object"}, {"additionalProperties", {{"type", "string"}}}}, {{"k", 1}}, "$.k");
        row("items", {{"type", "array"}, {"items", {{"type", "integer"}}}}, {1, "two", 3}, "$[1]");
        row("maxItems", {{"type", "array"}, {"maxItems", 2}}, {1, 2, 3}, "$");
        row("allOf", {{"allOf", {{{"required", {"a"}}}, {{"required", {"b"}}}}}}, {{"a", 1}}, "$.b");
        row("anyOf ok", {{"anyOf", {{{"type", "string"}}, {{"type", "integer"}}}}}, 5, "");
        // Overlapping oneOf branches (both match) are accepted: see openapi_validator.h.
        row("overlapping oneOf", {{"oneOf", {{{"type", "string"}}, {{"type", "string"}, {"enum", {"a"}}}}}},
            "a", "");
        row("odd key path", {{"type", "object"}, {"properties", {{"a b", {{"type", "string"}}}}}},
            {{"a b", 1}}, "$[\"a b\"]");
        row("$ref with nullable sibling", {{"$ref", "#/components/schemas/Leaf"}, {"nullable", true}},
            nullptr, "");
        row("$ref checked", {{"$ref", "#/components/schemas/Leaf"}}, {{"n", "x"}}, "$.n");
        row("unresolvable $ref", {{"$ref", "#/components/schemas/Missing"}}, 1, "$");
    }

    void keywordSemantics()
    {
        QFETCH(json, schema);
        QFETCH(json, value);
        QFETCH(QString, path);
        const json spec = {
            {"components",
             {{"schemas",
               {{"Subject", schema},
                {"Leaf", {{"type", "object"}, {"properties", {{"n", {{"type", "integer"}}}}}}}}}}}};
        const OpenApiValidator validator(spec);
        const QList<SchemaError> errors = validator.validate(value, QStringLiteral("Subject"));
        if (path.isEmpty()) {
            QVERIFY2(errors.isEmpty(), qPrintable(describe(errors)));
        } else {
            QVERIFY2(!errors.isEmpty(), "accepted a value the schema forbids");
            QCOMPARE(errors.first().path, path);
        }
    }
};

QTEST_GUILESS_MAIN(TestOpenApiValidator)
#include "tst_openapi_validator.moc"
