// Keeps the fake server and our request bodies true to OpenAI's OpenAPI spec: every JSON body the
// fake sends (each stream event against its own event schema) and every request body
// RequestBuilder produces is checked against openapi.json.
#include <QNetworkAccessManager>
#include <QtTest>

#include "fakes/fake_openai_server.h"
#include "models/prompt/request_builder.h"
#include "support/http_test_client.h"
#include "support/openapi_validator.h"

using assay::testing::Behaviour;
using assay::testing::FakeOpenAiServer;
using assay::testing::HttpResult;
using assay::testing::OpenApiValidator;
using assay::testing::sendHttp;
using assay::testing::sendJson;
using assay::testing::splitSse;
using nlohmann::json;

Q_DECLARE_METATYPE(nlohmann::json)

namespace {

const json kWeatherTool = json::parse(R"({
  "type": "function", "name": "get_weather", "description": "Current weather for a city",
  "strict": true,
  "parameters": {"type": "object", "properties": {"city": {"type": "string"},
                 "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
                 "required": ["city", "unit"], "additionalProperties": false}
})");

json chatTool()
{
    json function = kWeatherTool;
    function.erase("type");
    return {{"type", "function"}, {"function", function}};
}

json responsesRequest(json extra = json::object())
{
    json body = {{"model", "gpt-5-mini"}, {"input", "Say hello"}};
    body.update(extra);
    return body;
}

json chatRequest(json extra = json::object())
{
    json body = {{"model", "gpt-4o-mini"},
                 {"messages", json::array({{{"role", "developer"}, {"content", "Be brief."}},
                                           {{"role", "user"}, {"content", "Say hello"}}})}};
    body.update(extra);
    return body;
}

} // namespace

class TestOpenApiConformance : public QObject {
    Q_OBJECT

private:
    FakeOpenAiServer *m_server = nullptr;
    QNetworkAccessManager *m_manager = nullptr;
    const OpenApiValidator *m_validator = nullptr;

    QUrl url(const QString &path) const { return QUrl(m_server->baseUrl().toString() + path); }

    // The events of a Responses stream, parsed, after checking the SSE framing.
    QList<json> responsesEvents(const HttpResult &result)
    {
        QList<json> events;
        for (const auto &sse : splitSse(result.body)) {
            const json event = json::parse(sse.data.constBegin(), sse.data.constEnd());
            // The SSE event name and the JSON type agree, as the real API sends them.
            if (QByteArray::fromStdString(event.value("type", std::string())) != sse.event)
                return {};
            events.append(event);
        }
        return events;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QString error;
        m_validator = OpenApiValidator::shared(&error);
        QVERIFY2(m_validator, qPrintable(error));
    }

    void init()
    {
        m_server = new FakeOpenAiServer(this);
        QVERIFY(m_server->start());
        m_manager = new QNetworkAccessManager(this);
    }

    // Whatever a test made the fake send must match the spec; stream events are checked against
    // the variant their `type` names, not just "any ResponseStreamEvent".
    void cleanup()
    {
        const auto payloads = m_server->sentPayloads();
        delete m_manager;
        delete m_server;
        m_manager = nullptr;
        m_server = nullptr;
        int checked = 0;
        for (const auto &[schema, payload] : payloads) {
            QString target = schema;
            if (schema == QStringLiteral("ResponseStreamEvent")) {
                const QString type = QString::fromStdString(payload.value("type", std::string()));
                target = m_validator->streamEventSchema(type);
                QVERIFY2(!target.isEmpty(),
                         qPrintable(QStringLiteral("no schema for event type %1").arg(type)));
                ASSAY_VERIFY_SCHEMA(m_validator, payload, QStringLiteral("ResponseStreamEvent"));
            }
            ASSAY_VERIFY_SCHEMA(m_validator, payload, target);
            ++checked;
        }
        QVERIFY2(checked > 0, "the test made the fake send nothing to check");
    }

    void responsesNonStream_data()
    {
        QTest::addColumn<json>("request");
        QTest::addColumn<QString>("firstItemType");
        QTest::newRow("text") << responsesRequest() << QStringLiteral("message");
        QTest::newRow("function call")
            << responsesRequest({{"tools", json::array({kWeatherTool})}}) << QStringLiteral("function_call");
        QTest::newRow("tool_choice none answers in text")
            << responsesRequest({{"tools", json::array({kWeatherTool})}, {"tool_choice", "none"}})
            << QStringLiteral("message");
        QTest::newRow("reasoning summary")
            << responsesRequest({{"reasoning", {{"effort", "low"}, {"summary", "auto"}}}})
            << QStringLiteral("reasoning");
        QTest::newRow("logprobs") << responsesRequest(
                                         {{"top_logprobs", 2},
                                          {"include", json::array({"message.output_text.logprobs"})}})
                                  << QStringLiteral("message");
        QTest::newRow("incomplete at max_output_tokens")
            << responsesRequest({{"max_output_tokens", 16}, {"reasoning", {{"effort", "low"}}}})
            << QStringLiteral("none");
        QTest::newRow("echoes every parameter") << responsesRequest({{"temperature", 0.3},
                                                                     {"top_p", 0.9},
                                                                     {"service_tier", "flex"},
                                                                     {"store", false},
                                                                     {"metadata", {{"run", "42"}}},
                                                                     {"prompt_cache_key", "k"},
                                                                     {"safety_identifier", "u1"},
                                                                     {"text",
                                                                      {{"format",
                                                                        {{"type", "json_schema"},
                                                                         {"name", "out"},
                                                                         {"strict", true},
                                                                         {"schema", {{"type", "object"}}}}},
                                                                       {"verbosity", "low"}}}})
                                                << QStringLiteral("message");
    }

    void responsesNonStream()
    {
        QFETCH(json, request);
        QFETCH(QString, firstItemType);
        const HttpResult result = sendJson(*m_manager, url(QStringLiteral("/responses")), request);
        QCOMPARE(result.status, 200);
        QVERIFY(result.header("content-type").startsWith("application/json"));
        const json response = result.json();
        QCOMPARE(response["model"], request["model"]);
        QVERIFY(response["usage"]["input_tokens_details"].contains("cached_tokens"));
        QVERIFY(response["usage"]["output_tokens_details"].contains("reasoning_tokens"));
        if (firstItemType == QStringLiteral("none")) {
            QCOMPARE(response["status"], json("incomplete"));
            QCOMPARE(response["incomplete_details"]["reason"], json("max_output_tokens"));
            QVERIFY(response["usage"]["output_tokens"].get<int>() <= 16);
        } else {
            QCOMPARE(response["status"], json("completed"));
            QCOMPARE(QString::fromStdString(response["output"][0]["type"].get<std::string>()), firstItemType);
        }
        for (const char *echoed :
             {"temperature", "top_p", "service_tier", "metadata", "store", "prompt_cache_key"}) {
            if (request.contains(echoed))
                QCOMPARE(response[echoed], request[echoed]);
        }
        if (request.contains("text"))
            QCOMPARE(response["text"]["format"], request["text"]["format"]);
    }

    void responsesStream_data()
    {
        QTest::addColumn<json>("request");
        QTest::newRow("text") << responsesRequest();
        QTest::newRow("function call") << responsesRequest({{"tools", json::array({kWeatherTool})}});
        QTest::newRow("reasoning then text")
            << responsesRequest({{"reasoning", {{"effort", "medium"}, {"summary", "detailed"}}}});
        QTest::newRow("reasoning then function call") << responsesRequest(
            {{"reasoning", {{"summary", "auto"}}}, {"tools", json::array({kWeatherTool})}});
        QTest::newRow("logprobs") << responsesRequest(
            {{"top_logprobs", 3}, {"include", json::array({"message.output_text.logprobs"})}});
        QTest::newRow("incomplete") << responsesRequest(
            {{"max_output_tokens", 16}, {"reasoning", {{"effort", "minimal"}}}});
    }

    void responsesStream()
    {
        QFETCH(json, request);
        request["stream"] = true;
        Behaviour pieces;
        pieces.deltaCount = 4;
        m_server->enqueue(pieces);
        const HttpResult result = sendJson(*m_manager, url(QStringLiteral("/responses")), request);
        QCOMPARE(result.status, 200);
        QCOMPARE(result.header("content-type"), QByteArray("text/event-stream; charset=utf-8"));
        const QList<json> events = responsesEvents(result);
        QVERIFY(events.size() >= 6);
        QCOMPARE(events.first()["type"], json("response.created"));
        QCOMPARE(events.at(1)["type"], json("response.in_progress"));
        const std::string last = events.last()["type"].get<std::string>();
        QVERIFY(last == "response.completed" || last == "response.incomplete");
        for (qsizetype i = 0; i < events.size(); ++i)
            QCOMPARE(events.at(i)["sequence_number"].get<qsizetype>(), i);

        // Deltas add up to what the done events and the final response say.
        std::string text;
        std::string arguments;
        std::string summary;
        for (const json &e : events) {
            const std::string type = e["type"].get<std::string>();
            if (type == "response.output_text.delta")
                text += e["delta"].get<std::string>();
            else if (type == "response.output_text.done")
                QCOMPARE(e["text"].get<std::string>(), text);
            else if (type == "response.function_call_arguments.delta")
                arguments += e["delta"].get<std::string>();
            else if (type == "response.function_call_arguments.done")
                QCOMPARE(e["arguments"].get<std::string>(), arguments);
            else if (type == "response.reasoning_summary_text.delta")
                summary += e["delta"].get<std::string>();
            else if (type == "response.reasoning_summary_text.done")
                QCOMPARE(e["text"].get<std::string>(), summary);
        }
        const json final = events.last()["response"];
        for (const json &item : final["output"]) {
            if (item["type"] == "message")
                QCOMPARE(item["content"][0]["text"].get<std::string>(), text);
            if (item["type"] == "function_call") {
                QCOMPARE(item["arguments"].get<std::string>(), arguments);
                const json args = json::parse(arguments);
                QCOMPARE(args["unit"], json("celsius")); // filled from the tool's schema
            }
            if (item["type"] == "reasoning")
                QCOMPARE(item["summary"][0]["text"].get<std::string>(), summary);
        }
        if (request.contains("reasoning") && request["reasoning"].contains("summary"))
            QCOMPARE(final["output"][0]["type"], json("reasoning"));
    }

    void chatNonStream_data()
    {
        QTest::addColumn<json>("request");
        QTest::newRow("text") << chatRequest();
        QTest::newRow("tool call") << chatRequest({{"tools", json::array({chatTool()})}});
        QTest::newRow("prediction") << chatRequest(
            {{"prediction", {{"type", "content"}, {"content", "Hello! I am a model."}}}});
        QTest::newRow("logprobs") << chatRequest({{"logprobs", true}, {"top_logprobs", 2}});
        QTest::newRow("two choices, reasoning, seed, flex")
            << chatRequest({{"n", 2}, {"reasoning_effort", "low"}, {"seed", 7}, {"service_tier", "flex"}});
        QTest::newRow("length") << chatRequest({{"max_completion_tokens", 3}});
    }

    void chatNonStream()
    {
        QFETCH(json, request);
        const HttpResult result = sendJson(*m_manager, url(QStringLiteral("/chat/completions")), request);
        QCOMPARE(result.status, 200);
        const json completion = result.json();
        QCOMPARE(completion["object"], json("chat.completion"));
        QCOMPARE(completion["model"], request["model"]);
        QVERIFY(completion["system_fingerprint"].is_string());
        const json usage = completion["usage"];
        QVERIFY(usage["prompt_tokens_details"].contains("cached_tokens"));
        QVERIFY(usage["completion_tokens_details"].contains("reasoning_tokens"));
        QCOMPARE(completion["choices"].size(), static_cast<std::size_t>(request.value("n", 1)));
        if (request.contains("prediction")) {
            QVERIFY(usage["completion_tokens_details"]["accepted_prediction_tokens"].get<int>() > 0);
            QVERIFY(usage["completion_tokens_details"]["rejected_prediction_tokens"].get<int>() > 0);
        }
        if (request.contains("tools")) {
            QCOMPARE(completion["choices"][0]["finish_reason"], json("tool_calls"));
            QVERIFY(completion["choices"][0]["message"]["content"].is_null());
        }
        if (request.contains("logprobs"))
            QCOMPARE(completion["choices"][0]["logprobs"]["content"][0]["top_logprobs"].size(), 2u);
        if (request.contains("max_completion_tokens"))
            QCOMPARE(completion["choices"][0]["finish_reason"], json("length"));
        if (request.contains("reasoning_effort"))
            QVERIFY(usage["completion_tokens_details"]["reasoning_tokens"].get<int>() > 0);
    }

    void chatStream_data()
    {
        QTest::addColumn<json>("request");
        QTest::newRow("text with usage") << chatRequest({{"stream_options", {{"include_usage", true}}}});
        QTest::newRow("text without usage") << chatRequest();
        QTest::newRow("tool call") << chatRequest(
            {{"tools", json::array({chatTool()})}, {"stream_options", {{"include_usage", true}}}});
        QTest::newRow("logprobs") << chatRequest({{"logprobs", true}, {"top_logprobs", 1}});
    }

    void chatStream()
    {
        QFETCH(json, request);
        request["stream"] = true;
        const HttpResult result = sendJson(*m_manager, url(QStringLiteral("/chat/completions")), request);
        QCOMPARE(result.status, 200);
        const auto sse = splitSse(result.body);
        QVERIFY(sse.size() >= 3);
        QCOMPARE(sse.last().data, QByteArray("[DONE]"));
        const bool includeUsage = request.contains("stream_options");
        std::string content;
        std::string arguments;
        std::string finish;
        for (qsizetype i = 0; i + 1 < sse.size(); ++i) {
            QVERIFY(sse.at(i).event.isEmpty()); // chat chunks are bare data lines
            const json chunk = json::parse(sse.at(i).data.constBegin(), sse.at(i).data.constEnd());
            QCOMPARE(chunk["object"], json("chat.completion.chunk"));
            QCOMPARE(chunk.contains("usage"), includeUsage);
            if (chunk["choices"].empty()) {
                QVERIFY(includeUsage);
                QCOMPARE(i, sse.size() - 2); // the usage chunk comes last
                QVERIFY(chunk["usage"]["total_tokens"].get<int>() > 0);
                continue;
            }
            const json delta = chunk["choices"][0]["delta"];
            if (delta.contains("content") && delta["content"].is_string())
                content += delta["content"].get<std::string>();
            if (delta.contains("tool_calls"))
                arguments += delta["tool_calls"][0]["function"].value("arguments", std::string());
            if (chunk["choices"][0]["finish_reason"].is_string())
                finish = chunk["choices"][0]["finish_reason"].get<std::string>();
        }
        if (request.contains("tools")) {
            QCOMPARE(finish, std::string("tool_calls"));
            QCOMPARE(json::parse(arguments)["city"], json("Paris"));
        } else {
            QCOMPARE(finish, std::string("stop"));
            QVERIFY(!content.empty());
        }
    }

    void models()
    {
        const HttpResult list = sendHttp(*m_manager, "GET", url(QStringLiteral("/models")));
        QCOMPARE(list.status, 200);
        const HttpResult one = sendHttp(*m_manager, "GET", url(QStringLiteral("/models/gpt-4.5-preview")));
        QCOMPARE(one.json()["shutdown_date"], json("2026-12-14"));
    }

    void everyError_data()
    {
        QTest::addColumn<int>(
            "kind"); // 0 scripted, 1 no key, 2 unknown path, 3 bad JSON, 4 unknown response, 5 strict
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("code");
        const auto scripted = [](const char *name, const Behaviour &b, const char *code) {
            QTest::newRow(name) << 0 << b.status << QString::fromLatin1(code);
            return b;
        };
        scripted("unauthorized", Behaviour::unauthorized(), "invalid_api_key");
        scripted("model not found", Behaviour::modelNotFound("gpt-0"), "model_not_found");
        scripted("rate limited", Behaviour::rateLimited("3"), "rate_limit_exceeded");
        scripted("server error", Behaviour::serverError(), "");
        scripted("overloaded", Behaviour::serverError(503), "");
        scripted("insufficient quota", Behaviour::insufficientQuota(), "insufficient_quota");
        QTest::newRow("no key") << 1 << 401 << QStringLiteral("invalid_api_key");
        QTest::newRow("unknown path") << 2 << 404 << QString();
        QTest::newRow("bad JSON") << 3 << 400 << QString();
        QTest::newRow("unknown response id") << 4 << 404 << QString();
        QTest::newRow("strict: unknown parameter") << 5 << 400 << QStringLiteral("unknown_parameter");
    }

    void everyError()
    {
        QFETCH(int, kind);
        QFETCH(int, status);
        QFETCH(QString, code);
        HttpResult result;
        switch (kind) {
        case 0: {
            const QString row = QString::fromLatin1(QTest::currentDataTag());
            Behaviour b = row == QStringLiteral("unauthorized")      ? Behaviour::unauthorized()
                          : row == QStringLiteral("model not found") ? Behaviour::modelNotFound("gpt-0")
                          : row == QStringLiteral("rate limited")    ? Behaviour::rateLimited("3")
                          : row == QStringLiteral("server error")    ? Behaviour::serverError()
                          : row == QStringLiteral("overloaded")      ? Behaviour::serverError(503)
                                                                     : Behaviour::insufficientQuota();
            m_server->enqueue(b);
            result =
                sendJson(*m_manager, url(QStringLiteral("/responses")), responsesRequest({{"stream", true}}));
            QCOMPARE(result.header("retry-after").isEmpty(), b.retryAfter.isEmpty());
            break;
        }
        case 1:
            result =
                sendJson(*m_manager, url(QStringLiteral("/chat/completions")), chatRequest(), QByteArray());
            break;
        case 2:
            result = sendHttp(*m_manager, "POST", url(QStringLiteral("/completions/v2")));
            break;
        case 3:
            result = sendHttp(*m_manager, "POST", url(QStringLiteral("/responses")), "{\"model\":");
            break;
        case 4:
            result = sendHttp(*m_manager, "GET", url(QStringLiteral("/responses/resp_missing")));
            break;
        case 5:
            m_server->setStrictRequests(true);
            result = sendJson(*m_manager, url(QStringLiteral("/chat/completions")),
                              chatRequest({{"max_output_tokens", 5}}));
            break;
        }
        QCOMPARE(result.status, status);
        QVERIFY(result.header("content-type").startsWith("application/json")); // even for stream requests
        QVERIFY(!result.header("x-request-id").isEmpty());
        const json error = result.json()["error"];
        QVERIFY(error["message"].is_string() && !error["message"].get<std::string>().empty());
        if (code.isEmpty())
            QVERIFY(error["code"].is_null());
        else
            QCOMPARE(QString::fromStdString(error["code"].get<std::string>()), code);
    }

    void backgroundRetrieveAndCancel()
    {
        const json queued =
            sendJson(*m_manager, url(QStringLiteral("/responses")),
                     responsesRequest({{"background", true}, {"reasoning", {{"effort", "high"}}}}))
                .json();
        QCOMPARE(queued["status"], json("queued"));
        QCOMPARE(queued["background"], json(true));
        const QString id = QString::fromStdString(queued["id"].get<std::string>());
        QCOMPARE(sendHttp(*m_manager, "GET", url(QStringLiteral("/responses/") + id)).json()["status"],
                 json("in_progress"));
        QCOMPARE(sendHttp(*m_manager, "GET", url(QStringLiteral("/responses/") + id)).json()["status"],
                 json("completed"));

        const json other =
            sendJson(*m_manager, url(QStringLiteral("/responses")), responsesRequest({{"background", true}}))
                .json();
        const QString otherId = QString::fromStdString(other["id"].get<std::string>());
        const HttpResult cancelled =
            sendHttp(*m_manager, "POST", url(QStringLiteral("/responses/%1/cancel").arg(otherId)));
        QCOMPARE(cancelled.json()["status"], json("cancelled"));
        // Not a background response: cannot be cancelled.
        const json plain = sendJson(*m_manager, url(QStringLiteral("/responses")), responsesRequest()).json();
        const QString plainId = QString::fromStdString(plain["id"].get<std::string>());
        QCOMPARE(
            sendHttp(*m_manager, "POST", url(QStringLiteral("/responses/%1/cancel").arg(plainId))).status,
            400);
        QCOMPARE(sendHttp(*m_manager, "GET", url(QStringLiteral("/responses/") + plainId)).json()["id"],
                 plain["id"]);
    }

    void scriptedStreamsSendOnlyValidJson()
    {
        // Payloads sent before a drop/stall/malformed event are still checked in cleanup().
        for (auto kind : {Behaviour::Kind::DropMidStream, Behaviour::Kind::MalformedStream}) {
            Behaviour b;
            b.kind = kind;
            b.dropAfterEvents = 4;
            m_server->enqueue(b);
            sendJson(*m_manager, url(QStringLiteral("/responses")), responsesRequest({{"stream", true}}));
            m_server->enqueue(b);
            sendJson(*m_manager, url(QStringLiteral("/chat/completions")), chatRequest({{"stream", true}}));
        }
        QCOMPARE(m_server->sentPayloads().size(), 16);
    }

    void requestBodiesMatchTheSpec_data()
    {
        QTest::addColumn<int>("api"); // 0 Responses, 1 Chat
        QTest::addColumn<bool>("everything");
        QTest::addColumn<bool>("stream");
        QTest::newRow("responses minimal") << 0 << false << false;
        QTest::newRow("responses every parameter") << 0 << true << false;
        QTest::newRow("responses every parameter, stream") << 0 << true << true;
        QTest::newRow("chat minimal") << 1 << false << false;
        QTest::newRow("chat every parameter") << 1 << true << false;
        QTest::newRow("chat every parameter, stream") << 1 << true << true;
    }

    void requestBodiesMatchTheSpec()
    {
        QFETCH(int, api);
        QFETCH(bool, everything);
        QFETCH(bool, stream);
        using namespace assay::prompt;
        const bool responses = api == 0;
        Conversation conversation;
        conversation.instructions = QStringLiteral("You answer questions about {{topic}}.");
        conversation.messages.push_back({Role::User, QStringLiteral("What is {{topic}}?")});
        conversation.messages.push_back({Role::Assistant, QStringLiteral("A kind of weather.")});
        conversation.messages.push_back({Role::User, QStringLiteral("And in {{city}}?")});
        RequestParameters p;
        p.api = responses ? assay::api::ApiKind::Responses : assay::api::ApiKind::ChatCompletions;
        p.model = QStringLiteral("gpt-5-mini");
        if (everything) {
            p.temperature = 0.7;
            p.topP = 0.95;
            p.maxOutputTokens = 512;
            p.reasoningEffort = QStringLiteral("low");
            if (responses)
                p.reasoningSummary = QStringLiteral("auto");
            p.seed = 1234;
            p.serviceTier = QStringLiteral("flex");
            p.store = true;
            p.parallelToolCalls = false;
            p.topLogprobs = 5;
            if (!responses) {
                p.frequencyPenalty = 0.5;
                p.presencePenalty = -0.5;
                p.prediction = QStringLiteral("Rain in Paris.");
                p.stop = {QStringLiteral("END")};
            }
            p.verbosity = QStringLiteral("medium");
            p.promptCacheKey = QStringLiteral("weather-v1");
            p.safetyIdentifier = QStringLiteral("user-7f3a");
            p.jsonSchema = json::parse(R"({"name": "forecast", "strict": true, "schema": {"type": "object",
                "properties": {"summary": {"type": "string"}, "rain": {"type": "boolean"}},
                "required": ["summary", "rain"], "additionalProperties": false}})");
            p.tools = json::array({kWeatherTool});
            p.toolChoice = QStringLiteral("auto");
            p.metadata = {{QStringLiteral("experiment"), QStringLiteral("conformance")},
                          {QStringLiteral("variant"), QStringLiteral("b")}};
        }
        const RequestBuilder::Result built =
            RequestBuilder::build(conversation, p, json{{"topic", "fog"}, {"city", "Paris"}}, stream);
        QVERIFY2(built.error.isEmpty(), qPrintable(built.error));
        const json &body = built.body;
        const QString schema =
            responses ? QStringLiteral("CreateResponse") : QStringLiteral("CreateChatCompletionRequest");
        ASSAY_VERIFY_SCHEMA(m_validator, body, schema);
        const QStringList unknown = m_validator->unknownProperties(body, schema);
        QVERIFY2(unknown.isEmpty(),
                 qPrintable(QStringLiteral("the API would refuse: ") + unknown.join(QStringLiteral(", "))));
        if (everything) {
            // Every parameter the API has made it into the body (none silently lost).
            QStringList expected = {QStringLiteral("temperature"),
                                    QStringLiteral("top_p"),
                                    QStringLiteral("service_tier"),
                                    QStringLiteral("store"),
                                    QStringLiteral("top_logprobs"),
                                    QStringLiteral("prompt_cache_key"),
                                    QStringLiteral("safety_identifier"),
                                    QStringLiteral("metadata"),
                                    QStringLiteral("tools"),
                                    QStringLiteral("tool_choice"),
                                    QStringLiteral("parallel_tool_calls")};
            if (responses)
                expected << QStringLiteral("max_output_tokens") << QStringLiteral("reasoning")
                         << QStringLiteral("text") << QStringLiteral("include")
                         << QStringLiteral("instructions") << QStringLiteral("input");
            else
                expected << QStringLiteral("max_completion_tokens") << QStringLiteral("reasoning_effort")
                         << QStringLiteral("seed") << QStringLiteral("response_format")
                         << QStringLiteral("prediction") << QStringLiteral("logprobs")
                         << QStringLiteral("frequency_penalty") << QStringLiteral("stop")
                         << QStringLiteral("messages");
            for (const QString &key : expected)
                QVERIFY2(body.contains(key.toStdString()), qPrintable(key));
            if (responses)
                QVERIFY2(!built.warnings.isEmpty(),
                         "seed should be reported as not sent on the Responses API");
        }

        // The fake, checking requests like the real API, takes it.
        m_server->setStrictRequests(true);
        const HttpResult result = sendJson(
            *m_manager, url(responses ? QStringLiteral("/responses") : QStringLiteral("/chat/completions")),
            body);
        QVERIFY2(result.status == 200, result.body.constData());
    }
};

QTEST_GUILESS_MAIN(TestOpenApiConformance)
#include "tst_openapi_conformance.moc"
