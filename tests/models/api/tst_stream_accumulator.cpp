#include <QtTest>

#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "models/api/sse_parser.h"
#include "models/api/stream_accumulator.h"

using namespace assay::api;
using nlohmann::json;

namespace {

std::string readStream(const char *name)
{
    std::ifstream file(std::string(ASSAY_TEST_DATA_DIR) + "/streams/" + name, std::ios::binary);
    std::ostringstream bytes;
    bytes << file.rdbuf();
    return bytes.str();
}

QString q(const std::string &text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

struct Run {
    ResponseResult result;
    std::vector<OutputDelta> deltas;
    bool finished = false;
    bool receivedOutput = false;
    int eventsAfterEnd = 0; // events the accumulator reported as past the end of the stream

    std::string joined(OutputDelta::Kind kind, int index = -1) const
    {
        std::string text;
        for (const OutputDelta &delta : deltas) {
            if (delta.kind == kind && (index < 0 || delta.index == index))
                text += delta.text;
        }
        return text;
    }
    std::vector<OutputDelta> ofKind(OutputDelta::Kind kind) const
    {
        std::vector<OutputDelta> out;
        for (const OutputDelta &delta : deltas) {
            if (delta.kind == kind)
                out.push_back(delta);
        }
        return out;
    }
};

// Feeds a recorded stream through SseParser + StreamAccumulator, `chunk` bytes at a time
// (0 = all at once), as ApiCall does with QNetworkReply::readyRead.
Run runStream(const std::string &bytes, ApiKind api, std::size_t chunk = 0)
{
    Run run;
    SseParser parser;
    StreamAccumulator accumulator(api);
    accumulator.onDelta = [&run](const OutputDelta &delta) { run.deltas.push_back(delta); };
    bool ended = false;
    const std::size_t step = chunk == 0 ? bytes.size() : chunk;
    for (std::size_t at = 0; at < bytes.size(); at += step) {
        std::vector<SseEvent> events;
        parser.feed(std::string_view(bytes).substr(at, step), events);
        for (const SseEvent &event : events) {
            if (ended)
                ++run.eventsAfterEnd;
            if (!accumulator.consume(event))
                ended = true;
        }
    }
    run.result = accumulator.result();
    run.finished = accumulator.finished();
    run.receivedOutput = accumulator.receivedOutput();
    return run;
}

Run runFile(const char *name, ApiKind api, std::size_t chunk = 0)
{
    return runStream(readStream(name), api, chunk);
}

SseEvent dataEvent(const json &object)
{
    SseEvent event;
    event.data = object.dump();
    return event;
}

json textDelta(int outputIndex, int contentIndex, const std::string &delta)
{
    return json{{"type", "response.output_text.delta"}, {"sequence_number", 1}, {"item_id", "msg_1"},
                {"output_index", outputIndex}, {"content_index", contentIndex}, {"delta", delta},
                {"logprobs", json::array()}};
}

json textDone(int outputIndex, int contentIndex, const std::string &text)
{
    return json{{"type", "response.output_text.done"}, {"sequence_number", 2}, {"item_id", "msg_1"},
                {"output_index", outputIndex}, {"content_index", contentIndex}, {"text", text},
                {"logprobs", json::array()}};
}

// The final response object of a recorded stream (the last response.* event's "response").
json finalResponse(const char *name)
{
    SseParser parser;
    std::vector<SseEvent> events;
    parser.feed(readStream(name), events);
    return json::parse(events.back().data).at("response");
}

} // namespace

class TestStreamAccumulator : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void responsesText();
    void responsesFunctionCalls();
    void responsesReasoningSummaryAndRefusal();
    void responsesFailedKeepsPartialOutput();
    void responsesErrorEvent();
    void responsesLogprobsAndUnicode();
    void chatText();
    void chatToolCalls();
    void resultDoesNotDependOnChunking_data();
    void resultDoesNotDependOnChunking();
    void streamedResultMatchesTheFinalResponseObject_data();
    void streamedResultMatchesTheFinalResponseObject();
    void doneEventsAreAuthoritative();
    void severalContentPartsStaySeparate();
    void incompleteResponse();
    void malformedEventThrowsAndKeepsPartialOutput_data();
    void malformedEventThrowsAndKeepsPartialOutput();
    void chatErrorChunk();
    void eventsAfterTheEndAreIgnored();
};

void TestStreamAccumulator::responsesText()
{
    const Run run = runFile("responses_text.sse", ApiKind::Responses);
    const ResponseResult &r = run.result;
    QVERIFY(run.finished);
    QCOMPARE(run.eventsAfterEnd, 0);
    QVERIFY(r.succeeded());
    QCOMPARE(q(r.outputText),
             QStringLiteral("Prompt caching reuses the longest previously seen prefix of your prompt, so put "
                            "static content (instructions, examples) first and variable content last.\n\n"
                            "- Minimum: **1024** tokens\n- Increments: 128 tokens\n\n"
                            "Check `usage.input_tokens_details.cached_tokens` to see \"hits\"."));
    QCOMPARE(q(r.responseId), QStringLiteral("resp_68b9a1f2c4d08190a7e3b5c6d2f1e0a90c4b7d2e1f3a5c6b"));
    QCOMPARE(q(r.model), QStringLiteral("gpt-5-mini-2025-08-07"));
    QCOMPARE(q(r.status), QStringLiteral("completed"));
    QCOMPARE(q(r.serviceTier), QStringLiteral("default")); // the final value, not created's "auto"
    QCOMPARE(q(r.finishReason), QString());
    QVERIFY(r.refusal.empty() && r.reasoningSummary.empty() && r.toolCalls.empty());

    QVERIFY(r.usage.has_value());
    QCOMPARE(r.usage->inputTokens, 2143);
    QCOMPARE(r.usage->cachedInputTokens, 1920);
    QCOMPARE(r.usage->outputTokens, 312);
    QCOMPARE(r.usage->reasoningTokens, 256);
    QCOMPARE(r.usage->totalTokens, 2455);
    QCOMPARE(q(r.rawResponse.at("id").get<std::string>()), q(r.responseId));

    // Deltas arrive one per output_text.delta, in order, and add up to the final text.
    QCOMPARE(run.deltas.size(), std::size_t{55});
    QCOMPARE(q(run.deltas.front().text), QStringLiteral("Prompt"));
    QCOMPARE(q(run.deltas[1].text), QStringLiteral(" caching"));
    for (const OutputDelta &delta : run.deltas) {
        QCOMPARE(delta.kind, OutputDelta::Kind::Text);
        QCOMPARE(delta.index, 1); // the message is output item 1, after the reasoning item
    }
    QCOMPARE(q(run.joined(OutputDelta::Kind::Text)), q(r.outputText));
    QVERIFY(run.receivedOutput);
}

void TestStreamAccumulator::responsesFunctionCalls()
{
    const Run run = runFile("responses_function_call.sse", ApiKind::Responses);
    const ResponseResult &r = run.result;
    QVERIFY(run.finished);
    QVERIFY(r.outputText.empty());
    QCOMPARE(r.toolCalls.size(), std::size_t{2});

    QCOMPARE(q(r.toolCalls[0].id), QStringLiteral("call_Qm3V8rT1yLpX0aZ4cN7dE2fH"));
    QCOMPARE(q(r.toolCalls[0].itemId), QStringLiteral("fc_68b9a2c1a0c88190a3b4c5d6e7f8091a0f1e2d3c4b5a6978"));
    QCOMPARE(q(r.toolCalls[0].name), QStringLiteral("get_weather"));
    QCOMPARE(json::parse(r.toolCalls[0].arguments), (json{{"city", "Paris (FR)"}, {"unit", "c"}}));
    QCOMPARE(q(r.toolCalls[1].id), QStringLiteral("call_Wn5K1sU9zMqY3bB6eO8fG4hJ"));
    QCOMPARE(json::parse(r.toolCalls[1].arguments), (json{{"city", "São Paulo"}, {"unit", "c"}}));

    const std::vector<OutputDelta> started = run.ofKind(OutputDelta::Kind::ToolCallStarted);
    QCOMPARE(started.size(), std::size_t{2});
    QCOMPARE(q(started[0].text), QStringLiteral("get_weather"));
    QCOMPARE(started[0].index, 0);
    QCOMPARE(started[1].index, 1);
    // Each call's argument deltas come after its start and add up to its arguments.
    QCOMPARE(q(run.joined(OutputDelta::Kind::ToolCallArguments, 0)), q(r.toolCalls[0].arguments));
    QCOMPARE(q(run.joined(OutputDelta::Kind::ToolCallArguments, 1)), q(r.toolCalls[1].arguments));
    QCOMPARE(run.deltas.front().kind, OutputDelta::Kind::ToolCallStarted);

    QCOMPARE(r.usage->inputTokens, 87);
    QCOMPARE(r.usage->outputTokens, 46);
    QCOMPARE(r.usage->totalTokens, 133);
}

void TestStreamAccumulator::responsesReasoningSummaryAndRefusal()
{
    const Run run = runFile("responses_reasoning_refusal.sse", ApiKind::Responses);
    const ResponseResult &r = run.result;
    QVERIFY(run.finished);
    QCOMPARE(q(r.reasoningSummary),
             QStringLiteral("**Assessing the request**\n\nThe user asks for step-by-step instructions to "
                            "bypass a software licence check.\n\n**Deciding**\n\nThat would facilitate "
                            "piracy, so I should decline briefly and offer a legitimate alternative."));
    QCOMPARE(q(r.refusal), QStringLiteral("I’m sorry, but I can’t help with bypassing licence checks. If "
                                          "the licence is broken, the vendor’s support can reissue it."));
    QVERIFY(r.outputText.empty());
    QVERIFY(r.hasOutput());
    QCOMPARE(r.usage->reasoningTokens, 512);
    QCOMPARE(r.usage->outputTokens, 587);

    QCOMPARE(q(run.joined(OutputDelta::Kind::ReasoningSummary)), q(r.reasoningSummary));
    QCOMPARE(q(run.joined(OutputDelta::Kind::Refusal)), q(r.refusal));
    // Reasoning is reported before the refusal, as it streamed.
    QCOMPARE(run.deltas.front().kind, OutputDelta::Kind::ReasoningSummary);
    QCOMPARE(run.deltas.back().kind, OutputDelta::Kind::Refusal);
    QCOMPARE(run.deltas.back().index, 1);
}

void TestStreamAccumulator::responsesFailedKeepsPartialOutput()
{
    const Run run = runFile("responses_failed.sse", ApiKind::Responses);
    const ResponseResult &r = run.result;
    QVERIFY(run.finished);
    QVERIFY(!r.succeeded());
    QCOMPARE(r.error->kind, ApiError::Kind::StreamError);
    QCOMPARE(r.error->code, QStringLiteral("server_error"));
    QVERIFY(r.error->message.contains(QStringLiteral("invalid content")));
    QCOMPARE(q(r.status), QStringLiteral("failed"));
    QCOMPARE(q(r.outputText), QStringLiteral("The three laws of thermodynamics are:"));
    QCOMPARE(q(run.joined(OutputDelta::Kind::Text)), q(r.outputText));
    QVERIFY(!r.usage.has_value());
}

void TestStreamAccumulator::responsesErrorEvent()
{
    StreamAccumulator accumulator(ApiKind::Responses);
    accumulator.result().requestId = QStringLiteral("req_123");
    SseParser parser;
    std::vector<SseEvent> events;
    parser.feed(readStream("responses_error_event.sse"), events);
    QCOMPARE(events.size(), std::size_t{2});
    QVERIFY(accumulator.consume(events[0]));
    QVERIFY(!accumulator.consume(events[1]));
    const ResponseResult &r = accumulator.result();
    QVERIFY(accumulator.finished());
    QVERIFY(r.error.has_value());
    QCOMPARE(r.error->kind, ApiError::Kind::StreamError);
    QCOMPARE(r.error->code, QStringLiteral("rate_limit_exceeded"));
    QVERIFY(r.error->message.startsWith(QStringLiteral("Rate limit reached for gpt-4.1")));
    QCOMPARE(r.error->requestId, QStringLiteral("req_123"));
    QCOMPARE(q(r.status), QStringLiteral("failed"));
    QCOMPARE(q(r.responseId), QStringLiteral("resp_68b9a5f0a1b28190e5f6a7b8c9d0e1f20c1d2e3f40516273"));
    QVERIFY(!accumulator.receivedOutput());
}

void TestStreamAccumulator::responsesLogprobsAndUnicode()
{
    const Run run = runFile("responses_crlf_unicode.sse", ApiKind::Responses);
    const ResponseResult &r = run.result;
    QVERIFY(run.finished);
    QCOMPARE(q(r.outputText), QStringLiteral("naïve café 日本語 🙂"));
    QCOMPARE(r.logprobs.size(), std::size_t{6});
    QCOMPARE(q(r.logprobs[1].token), QStringLiteral("ïve"));
    QCOMPARE(r.logprobs[1].logprob, -0.003);
    QCOMPARE(r.logprobs[1].topAlternatives.size(), std::size_t{1});
    QCOMPARE(q(r.logprobs[1].topAlternatives[0].first), QStringLiteral("ive"));
    QCOMPARE(r.logprobs[1].topAlternatives[0].second, -5.9);
    QCOMPARE(q(r.logprobs[5].token), QStringLiteral(" 🙂"));
    QCOMPARE(r.usage->totalTokens, 31);
    QCOMPARE(q(run.joined(OutputDelta::Kind::Text)), q(r.outputText));
}

void TestStreamAccumulator::chatText()
{
    const Run run = runFile("chat_text.sse", ApiKind::ChatCompletions);
    const ResponseResult &r = run.result;
    QVERIFY(run.finished);
    QCOMPARE(r.api, ApiKind::ChatCompletions);
    QCOMPARE(q(r.outputText), QStringLiteral("Bonjour! Comment puis-je vous aider ?"));
    QCOMPARE(q(r.responseId), QStringLiteral("chatcmpl-CC3kq9ZxV1yT8bN2mW4rP6sD0fGhJ"));
    QCOMPARE(q(r.model), QStringLiteral("gpt-4o-2024-08-06"));
    QCOMPARE(q(r.systemFingerprint), QStringLiteral("fp_07871e2ad8"));
    QCOMPARE(q(r.serviceTier), QStringLiteral("default"));
    QCOMPARE(q(r.finishReason), QStringLiteral("stop"));
    QCOMPARE(q(r.status), QStringLiteral("completed"));

    QVERIFY(r.usage.has_value()); // from the include_usage chunk, whose choices are empty
    QCOMPARE(r.usage->inputTokens, 1318);
    QCOMPARE(r.usage->cachedInputTokens, 1152);
    QCOMPARE(r.usage->outputTokens, 9);
    QCOMPARE(r.usage->acceptedPredictionTokens, 3);
    QCOMPARE(r.usage->rejectedPredictionTokens, 2);
    QCOMPARE(r.usage->totalTokens, 1327);

    QCOMPARE(r.logprobs.size(), std::size_t{9});
    QCOMPARE(q(r.logprobs[0].token), QStringLiteral("Bon"));
    QCOMPARE(r.logprobs[0].topAlternatives.size(), std::size_t{2});
    QCOMPARE(q(r.logprobs[0].topAlternatives[1].first), QStringLiteral("Hello"));
    QCOMPARE(r.logprobs[0].topAlternatives[1].second, -6.9);
    std::string fromLogprobs;
    for (const TokenLogprob &token : r.logprobs)
        fromLogprobs += token.token;
    QCOMPARE(q(fromLogprobs), q(r.outputText));

    QCOMPARE(run.deltas.size(), std::size_t{9}); // the role chunk's empty content is no delta
    QCOMPARE(q(run.joined(OutputDelta::Kind::Text)), q(r.outputText));
}

void TestStreamAccumulator::chatToolCalls()
{
    const Run run = runFile("chat_tool_calls.sse", ApiKind::ChatCompletions);
    const ResponseResult &r = run.result;
    QVERIFY(run.finished);
    QCOMPARE(q(r.finishReason), QStringLiteral("tool_calls"));
    QVERIFY(r.outputText.empty());
    QCOMPARE(r.toolCalls.size(), std::size_t{2});
    QCOMPARE(q(r.toolCalls[0].id), QStringLiteral("call_8vX2bN4mQ6wE1rT3yU5iO7pA"));
    QCOMPARE(q(r.toolCalls[0].name), QStringLiteral("get_weather"));
    QCOMPARE(json::parse(r.toolCalls[0].arguments), (json{{"city", "Tokyo"}, {"unit", "c"}}));
    QCOMPARE(q(r.toolCalls[1].id), QStringLiteral("call_3kL5zX7cV9bN1mQ3wE5rT7yU"));
    QCOMPARE(q(r.toolCalls[1].name), QStringLiteral("get_time"));
    QCOMPARE(json::parse(r.toolCalls[1].arguments), (json{{"tz", "Asia/Tokyo"}}));
    QCOMPARE(r.usage->totalTokens, 160);

    const std::vector<OutputDelta> started = run.ofKind(OutputDelta::Kind::ToolCallStarted);
    QCOMPARE(started.size(), std::size_t{2});
    QCOMPARE(q(started[1].text), QStringLiteral("get_time"));
    QCOMPARE(started[1].index, 1);
    QCOMPARE(q(run.joined(OutputDelta::Kind::ToolCallArguments, 0)), q(r.toolCalls[0].arguments));
    QCOMPARE(q(run.joined(OutputDelta::Kind::ToolCallArguments, 1)), q(r.toolCalls[1].arguments));
}

void TestStreamAccumulator::resultDoesNotDependOnChunking_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("chat");
    QTest::newRow("responses text") << QStringLiteral("responses_text.sse") << false;
    QTest::newRow("function calls") << QStringLiteral("responses_function_call.sse") << false;
    QTest::newRow("reasoning refusal") << QStringLiteral("responses_reasoning_refusal.sse") << false;
    QTest::newRow("failed") << QStringLiteral("responses_failed.sse") << false;
    QTest::newRow("crlf unicode") << QStringLiteral("responses_crlf_unicode.sse") << false;
    QTest::newRow("chat text") << QStringLiteral("chat_text.sse") << true;
    QTest::newRow("chat tools") << QStringLiteral("chat_tool_calls.sse") << true;
}

void TestStreamAccumulator::resultDoesNotDependOnChunking()
{
    QFETCH(QString, name);
    QFETCH(bool, chat);
    const ApiKind api = chat ? ApiKind::ChatCompletions : ApiKind::Responses;
    const std::string bytes = readStream(name.toLatin1().constData());
    const Run whole = runStream(bytes, api);
    for (const std::size_t chunk : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{7},
                                    std::size_t{64}, std::size_t{1000}}) {
        const Run split = runStream(bytes, api, chunk);
        QCOMPARE(q(split.result.outputText), q(whole.result.outputText));
        QCOMPARE(q(split.result.refusal), q(whole.result.refusal));
        QCOMPARE(q(split.result.reasoningSummary), q(whole.result.reasoningSummary));
        QVERIFY(split.result.toolCalls == whole.result.toolCalls);
        QVERIFY(split.result.usage == whole.result.usage);
        QCOMPARE(split.result.logprobs.size(), whole.result.logprobs.size());
        QCOMPARE(split.deltas.size(), whole.deltas.size());
        for (std::size_t i = 0; i < whole.deltas.size(); ++i)
            QCOMPARE(q(split.deltas[i].text), q(whole.deltas[i].text));
    }
}

void TestStreamAccumulator::streamedResultMatchesTheFinalResponseObject_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("text") << QStringLiteral("responses_text.sse");
    QTest::newRow("function calls") << QStringLiteral("responses_function_call.sse");
    QTest::newRow("reasoning refusal") << QStringLiteral("responses_reasoning_refusal.sse");
    QTest::newRow("crlf unicode") << QStringLiteral("responses_crlf_unicode.sse");
}

// Streaming and the non-streaming parser must agree on what a response says.
void TestStreamAccumulator::streamedResultMatchesTheFinalResponseObject()
{
    QFETCH(QString, name);
    const QByteArray file = name.toLatin1();
    const Run run = runFile(file.constData(), ApiKind::Responses);
    const ResponseResult parsed = ResponseResult::fromResponseObject(finalResponse(file.constData()));
    QCOMPARE(q(run.result.outputText), q(parsed.outputText));
    QCOMPARE(q(run.result.refusal), q(parsed.refusal));
    QCOMPARE(q(run.result.reasoningSummary), q(parsed.reasoningSummary));
    QVERIFY(run.result.toolCalls == parsed.toolCalls);
    QVERIFY(run.result.usage == parsed.usage);
    QCOMPARE(q(run.result.status), q(parsed.status));
}

void TestStreamAccumulator::doneEventsAreAuthoritative()
{
    StreamAccumulator accumulator(ApiKind::Responses);
    std::vector<OutputDelta> deltas;
    accumulator.onDelta = [&deltas](const OutputDelta &delta) { deltas.push_back(delta); };
    accumulator.consume(dataEvent(textDelta(0, 0, "Hel")));
    accumulator.consume(dataEvent(textDelta(0, 0, "lo")));
    // A done text that extends what arrived: the missing tail is reported as a delta.
    accumulator.consume(dataEvent(textDone(0, 0, "Hello!")));
    QCOMPARE(q(accumulator.result().outputText), QStringLiteral("Hello!"));
    QCOMPARE(deltas.size(), std::size_t{3});
    QCOMPARE(q(deltas.back().text), QStringLiteral("!"));
    // A done text that differs replaces the part.
    accumulator.consume(dataEvent(textDone(0, 0, "Goodbye")));
    QCOMPARE(q(accumulator.result().outputText), QStringLiteral("Goodbye"));
    QCOMPARE(deltas.size(), std::size_t{3});

    // Same for function call arguments.
    accumulator.consume(dataEvent(json{{"type", "response.output_item.added"}, {"sequence_number", 3},
                                       {"output_index", 1},
                                       {"item", {{"type", "function_call"}, {"id", "fc_1"}, {"call_id", "call_1"},
                                                 {"name", "lookup"}, {"arguments", ""}, {"status", "in_progress"}}}}));
    accumulator.consume(dataEvent(json{{"type", "response.function_call_arguments.delta"}, {"sequence_number", 4},
                                       {"item_id", "fc_1"}, {"output_index", 1}, {"delta", "{\"q\":"}}));
    accumulator.consume(dataEvent(json{{"type", "response.function_call_arguments.done"}, {"sequence_number", 5},
                                       {"item_id", "fc_1"}, {"output_index", 1}, {"name", "lookup"},
                                       {"arguments", "{\"q\":\"x\"}"}}));
    QCOMPARE(accumulator.result().toolCalls.size(), std::size_t{1});
    QCOMPARE(q(accumulator.result().toolCalls[0].arguments), QStringLiteral("{\"q\":\"x\"}"));
    QCOMPARE(q(accumulator.result().toolCalls[0].id), QStringLiteral("call_1"));
    QCOMPARE(q(deltas.back().text), QStringLiteral("\"x\"}"));
}

void TestStreamAccumulator::severalContentPartsStaySeparate()
{
    StreamAccumulator accumulator(ApiKind::Responses);
    accumulator.consume(dataEvent(textDelta(0, 0, "One. ")));
    accumulator.consume(dataEvent(textDelta(1, 0, "Two")));
    accumulator.consume(dataEvent(textDelta(1, 0, ".")));
    // Restating the first part must not touch the second.
    accumulator.consume(dataEvent(textDone(0, 0, "One! ")));
    QCOMPARE(q(accumulator.result().outputText), QStringLiteral("One! Two."));
    accumulator.consume(dataEvent(textDone(1, 0, "Two.")));
    QCOMPARE(q(accumulator.result().outputText), QStringLiteral("One! Two."));

    // Reasoning summaries are separated by a blank line, which is part of the deltas.
    StreamAccumulator reasoning(ApiKind::Responses);
    std::string shown;
    reasoning.onDelta = [&shown](const OutputDelta &delta) { shown += delta.text; };
    for (int summary = 0; summary < 2; ++summary) {
        reasoning.consume(dataEvent(json{{"type", "response.reasoning_summary_text.delta"}, {"sequence_number", 1},
                                         {"item_id", "rs_1"}, {"output_index", 0}, {"summary_index", summary},
                                         {"delta", summary == 0 ? "first" : "second"}}));
    }
    QCOMPARE(q(reasoning.result().reasoningSummary), QStringLiteral("first\n\nsecond"));
    QCOMPARE(q(shown), q(reasoning.result().reasoningSummary));
}

void TestStreamAccumulator::incompleteResponse()
{
    json response = finalResponse("responses_text.sse");
    response["status"] = "incomplete";
    response["incomplete_details"] = {{"reason", "max_output_tokens"}};
    StreamAccumulator accumulator(ApiKind::Responses);
    accumulator.consume(dataEvent(textDelta(1, 0, "Prompt caching")));
    QVERIFY(!accumulator.consume(
        dataEvent(json{{"type", "response.incomplete"}, {"sequence_number", 9}, {"response", response}})));
    QCOMPARE(q(accumulator.result().status), QStringLiteral("incomplete"));
    QCOMPARE(q(accumulator.result().finishReason), QStringLiteral("max_output_tokens"));
    QVERIFY(accumulator.result().succeeded());
    QCOMPARE(accumulator.result().usage->outputTokens, 312);
}

void TestStreamAccumulator::malformedEventThrowsAndKeepsPartialOutput_data()
{
    QTest::addColumn<bool>("chat");
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QString>("expected"); // must appear in the message
    QTest::newRow("invalid json") << false << QByteArray("{\"type\":\"response.output_text.delta\",\"delta\":nul}")
                                  << QStringLiteral("stream event 3: invalid JSON at byte");
    QTest::newRow("truncated json") << false << QByteArray("{\"type\":\"response.output_text.delta\",\"del")
                                    << QStringLiteral("should be a Responses stream event object");
    QTest::newRow("not an object") << false << QByteArray("[1,2]") << QStringLiteral("got a JSON array");
    QTest::newRow("missing type") << false << QByteArray("{\"delta\":\"x\"}") << QStringLiteral("missing \"type\"");
    QTest::newRow("delta not a string")
        << false << QByteArray("{\"type\":\"response.output_text.delta\",\"delta\":5}")
        << QStringLiteral("response.output_text.delta: \"delta\" must be a string, got number");
    QTest::newRow("missing delta") << false << QByteArray("{\"type\":\"response.refusal.delta\"}")
                                   << QStringLiteral("response.refusal.delta: missing \"delta\"");
    QTest::newRow("completed without response") << false << QByteArray("{\"type\":\"response.completed\"}")
                                                << QStringLiteral("missing \"response\"");
    QTest::newRow("chat invalid json") << true << QByteArray("{\"choices\": [}")
                                       << QStringLiteral("stream event 3: invalid JSON at byte 14");
    QTest::newRow("chat content not a string")
        << true << QByteArray("{\"choices\":[{\"index\":0,\"delta\":{\"content\":7}}]}")
        << QStringLiteral("choices[0].delta: \"content\" must be a string or null");
    QTest::newRow("chat tool call without index")
        << true << QByteArray("{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"id\":\"c\"}]}}]}")
        << QStringLiteral("tool_calls[0]: missing \"index\"");
}

void TestStreamAccumulator::malformedEventThrowsAndKeepsPartialOutput()
{
    QFETCH(bool, chat);
    QFETCH(QByteArray, data);
    QFETCH(QString, expected);
    const ApiKind api = chat ? ApiKind::ChatCompletions : ApiKind::Responses;

    // Two good events, then the bad one.
    const std::string good = chat ? readStream("chat_text.sse") : readStream("responses_text.sse");
    SseParser parser;
    std::vector<SseEvent> events;
    parser.feed(good, events);
    StreamAccumulator accumulator(api);
    const std::size_t firstDelta = chat ? 1 : 6; // the first event carrying text
    QVERIFY(accumulator.consume(events[firstDelta]));
    QVERIFY(accumulator.consume(events[firstDelta + 1]));
    const std::string before = accumulator.result().outputText;
    QVERIFY(!before.empty());

    SseEvent bad;
    bad.data = data.toStdString();
    QString message;
    try {
        accumulator.consume(bad);
    } catch (const std::runtime_error &error) {
        message = QString::fromUtf8(error.what());
    }
    QVERIFY2(message.contains(expected), qPrintable(message));
    QVERIFY2(message.startsWith(QStringLiteral("stream event 3: ")), qPrintable(message));
    QCOMPARE(q(accumulator.result().outputText), q(before));
}

void TestStreamAccumulator::chatErrorChunk()
{
    StreamAccumulator accumulator(ApiKind::ChatCompletions);
    SseEvent event;
    event.data = R"({"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}})";
    QVERIFY(!accumulator.consume(event));
    QVERIFY(accumulator.result().error.has_value());
    QCOMPARE(accumulator.result().error->type, QStringLiteral("server_error"));
    QVERIFY(accumulator.result().error->message.startsWith(QStringLiteral("The server had an error")));
}

void TestStreamAccumulator::eventsAfterTheEndAreIgnored()
{
    StreamAccumulator accumulator(ApiKind::ChatCompletions);
    SseEvent done;
    done.data = "[DONE]";
    QVERIFY(!accumulator.consume(done));
    SseEvent late;
    late.data = R"({"id":"x","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"late"},"finish_reason":null}]})";
    QVERIFY(!accumulator.consume(late));
    QVERIFY(accumulator.result().outputText.empty());
}

QTEST_GUILESS_MAIN(TestStreamAccumulator)
#include "tst_stream_accumulator.moc"
