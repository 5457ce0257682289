#include <QtTest>

#include <nlohmann/json.hpp>

#include "models/api/response_result.h"

using namespace assay::api;
using nlohmann::json;

namespace {

QString q(const std::string &text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

// A Response object as openapi.json describes it: reasoning, a message with text + refusal
// parts, and a function call.
json responseObject()
{
    json response = json::parse(R"({
      "id": "resp_abc", "object": "response", "created_at": 1756995314, "status": "completed",
      "completed_at": 1756995318, "error": null, "incomplete_details": null, "instructions": null,
      "model": "o4-mini-2025-04-16", "service_tier": "flex", "parallel_tool_calls": true,
      "temperature": 1.0, "top_p": 1.0, "tool_choice": "auto", "tools": [], "metadata": {},
      "output": [
        {"id": "rs_1", "type": "reasoning", "summary": [
          {"type": "summary_text", "text": "**Plan**\n\nLook it up."},
          {"type": "summary_text", "text": "**Answer**\n\nGive the number."}]},
        {"id": "msg_1", "type": "message", "role": "assistant", "status": "completed", "content": [
          {"type": "output_text", "text": "Paris has 2.1M people. ", "annotations": [],
           "logprobs": [{"token": "Paris", "logprob": -0.01, "bytes": [80,97,114,105,115],
                         "top_logprobs": [{"token": "Paris", "logprob": -0.01, "bytes": []},
                                          {"token": "The", "logprob": -4.6, "bytes": []}]}]},
          {"type": "refusal", "refusal": "I will not guess the exact figure."},
          {"type": "output_text", "text": "Source: INSEE.", "annotations": [], "logprobs": []}]},
        {"id": "fc_1", "type": "function_call", "call_id": "call_1", "name": "search",
         "arguments": "", "status": "completed"}
      ],
      "usage": {"input_tokens": 1200, "input_tokens_details": {"cached_tokens": 1024, "cache_write_tokens": 0},
                "output_tokens": 400, "output_tokens_details": {"reasoning_tokens": 320},
                "total_tokens": 1600}
    })");
    response["output"][2]["arguments"] = R"({"q":"Paris population"})"; // kept out of the raw string: moc does not lex raw strings
    return response;
}

json chatCompletion()
{
    json completion = json::parse(R"({
      "id": "chatcmpl-123", "object": "chat.completion", "created": 1756996300,
      "model": "gpt-4o-2024-08-06", "system_fingerprint": "fp_07871e2ad8", "service_tier": "default",
      "choices": [
        {"index": 1, "message": {"role": "assistant", "content": "second choice", "refusal": null},
         "logprobs": null, "finish_reason": "stop"},
        {"index": 0, "message": {"role": "assistant", "content": "Hi!", "refusal": null,
           "tool_calls": [{"id": "call_9", "type": "function",
                           "function": {"name": "get_time", "arguments": ""}}]},
         "logprobs": {"content": [{"token": "Hi", "logprob": -0.2, "bytes": [72,105],
                                   "top_logprobs": [{"token": "Hello", "logprob": -1.7, "bytes": null}]},
                                  {"token": "!", "logprob": -0.5, "bytes": [33], "top_logprobs": []}],
                      "refusal": null},
         "finish_reason": "length"}
      ],
      "usage": {"prompt_tokens": 50, "completion_tokens": 20, "total_tokens": 70,
                "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
                "completion_tokens_details": {"reasoning_tokens": 5, "audio_tokens": 0,
                                              "accepted_prediction_tokens": 12, "rejected_prediction_tokens": 4}}
    })");
    completion["choices"][1]["message"]["tool_calls"][0]["function"]["arguments"] = R"({"tz":"UTC"})";
    return completion;
}

} // namespace

class TestResponseResult : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void rateLimitResetDurations();
    void usageFromResponses();
    void usageFromChat();
    void usageToleratesMissingAndNullFields();
    void responseObject();
    void failedResponseObject();
    void outputTextFallback();
    void chatCompletion();
    void chatCompletionWithoutChoices();
    void outputTokensPerSecond();
};

void TestResponseResult::usageFromResponses()
{
    const TokenUsage usage = TokenUsage::fromResponses(json::parse(R"({
        "input_tokens": 2143, "input_tokens_details": {"cached_tokens": 1920, "cache_write_tokens": 0},
        "output_tokens": 312, "output_tokens_details": {"reasoning_tokens": 256}, "total_tokens": 2455})"));
    QCOMPARE(usage.inputTokens, 2143);
    QCOMPARE(usage.cachedInputTokens, 1920);
    QCOMPARE(usage.outputTokens, 312);
    QCOMPARE(usage.reasoningTokens, 256);
    QCOMPARE(usage.totalTokens, 2455);
    QCOMPARE(usage.acceptedPredictionTokens, 0);
}

void TestResponseResult::usageFromChat()
{
    const TokenUsage usage = TokenUsage::fromChat(json::parse(R"({
        "prompt_tokens": 1318, "completion_tokens": 90, "total_tokens": 1408,
        "prompt_tokens_details": {"cached_tokens": 1152, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 64, "audio_tokens": 0,
                                      "accepted_prediction_tokens": 7, "rejected_prediction_tokens": 3}})"));
    QCOMPARE(usage.inputTokens, 1318);
    QCOMPARE(usage.cachedInputTokens, 1152);
    QCOMPARE(usage.outputTokens, 90);
    QCOMPARE(usage.reasoningTokens, 64);
    QCOMPARE(usage.acceptedPredictionTokens, 7);
    QCOMPARE(usage.rejectedPredictionTokens, 3);
    QCOMPARE(usage.totalTokens, 1408);
    // Large counts (a long batch) do not overflow.
    QCOMPARE(TokenUsage::fromChat(json{{"prompt_tokens", 5000000000LL}}).inputTokens, 5000000000LL);
}

void TestResponseResult::usageToleratesMissingAndNullFields()
{
    QVERIFY(TokenUsage::fromResponses(json()) == TokenUsage{});
    QVERIFY(TokenUsage::fromChat(json::array()) == TokenUsage{});
    const TokenUsage partial = TokenUsage::fromResponses(json::parse(
        R"({"input_tokens": 10, "input_tokens_details": null, "output_tokens": "7", "output_tokens_details": {}})"));
    QCOMPARE(partial.inputTokens, 10);
    QCOMPARE(partial.cachedInputTokens, 0);
    QCOMPARE(partial.outputTokens, 0); // not a number: treated as unknown, not an error
    QCOMPARE(partial.totalTokens, 0);
    const TokenUsage chat = TokenUsage::fromChat(
        json::parse(R"({"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7, "completion_tokens_details": null})"));
    QCOMPARE(chat.outputTokens, 4);
    QCOMPARE(chat.reasoningTokens, 0);
}

void TestResponseResult::responseObject()
{
    const ResponseResult r = ResponseResult::fromResponseObject(::responseObject());
    QCOMPARE(r.api, ApiKind::Responses);
    QCOMPARE(q(r.responseId), QStringLiteral("resp_abc"));
    QCOMPARE(q(r.model), QStringLiteral("o4-mini-2025-04-16"));
    QCOMPARE(q(r.status), QStringLiteral("completed"));
    QCOMPARE(q(r.serviceTier), QStringLiteral("flex"));
    QCOMPARE(q(r.outputText), QStringLiteral("Paris has 2.1M people. Source: INSEE."));
    QCOMPARE(q(r.refusal), QStringLiteral("I will not guess the exact figure."));
    QCOMPARE(q(r.reasoningSummary), QStringLiteral("**Plan**\n\nLook it up.\n\n**Answer**\n\nGive the number."));
    QCOMPARE(r.toolCalls.size(), std::size_t{1});
    QCOMPARE(q(r.toolCalls[0].id), QStringLiteral("call_1"));
    QCOMPARE(q(r.toolCalls[0].itemId), QStringLiteral("fc_1"));
    QCOMPARE(q(r.toolCalls[0].name), QStringLiteral("search"));
    QCOMPARE(q(r.toolCalls[0].arguments), QStringLiteral("{\"q\":\"Paris population\"}"));
    QCOMPARE(r.logprobs.size(), std::size_t{1});
    QCOMPARE(r.logprobs[0].topAlternatives.size(), std::size_t{2});
    QCOMPARE(q(r.logprobs[0].topAlternatives[1].first), QStringLiteral("The"));
    QCOMPARE(r.logprobs[0].topAlternatives[1].second, -4.6);
    QVERIFY(r.usage.has_value());
    QCOMPARE(r.usage->cachedInputTokens, 1024);
    QCOMPARE(r.usage->reasoningTokens, 320);
    QVERIFY(r.succeeded());
    QCOMPARE(r.rawResponse, ::responseObject());
}

void TestResponseResult::failedResponseObject()
{
    json response = ::responseObject();
    response["status"] = "failed";
    response["output"] = json::array();
    response.erase("usage");
    response["error"] = {{"code", "server_error"}, {"message", "The model failed to generate a response."}};
    const ResponseResult r = ResponseResult::fromResponseObject(response);
    QVERIFY(!r.succeeded());
    QCOMPARE(r.error->code, QStringLiteral("server_error"));
    QCOMPARE(r.error->message, QStringLiteral("The model failed to generate a response."));
    QVERIFY(!r.usage.has_value());
    QVERIFY(!r.hasOutput());

    response["status"] = "incomplete";
    response["error"] = nullptr;
    response["incomplete_details"] = {{"reason", "content_filter"}};
    const ResponseResult incomplete = ResponseResult::fromResponseObject(response);
    QVERIFY(incomplete.succeeded());
    QCOMPARE(q(incomplete.finishReason), QStringLiteral("content_filter"));
}

void TestResponseResult::outputTextFallback()
{
    const ResponseResult r = ResponseResult::fromResponseObject(
        json{{"id", "resp_1"}, {"status", "completed"}, {"output", json::array()}, {"output_text", "from SDK field"}});
    QCOMPARE(q(r.outputText), QStringLiteral("from SDK field"));
    // Garbage does not throw: a body that is not an object gives an empty result.
    QVERIFY(!ResponseResult::fromResponseObject(json("nope")).hasOutput());
}

void TestResponseResult::chatCompletion()
{
    const ResponseResult r = ResponseResult::fromChatCompletion(::chatCompletion());
    QCOMPARE(r.api, ApiKind::ChatCompletions);
    QCOMPARE(q(r.responseId), QStringLiteral("chatcmpl-123"));
    QCOMPARE(q(r.model), QStringLiteral("gpt-4o-2024-08-06"));
    QCOMPARE(q(r.systemFingerprint), QStringLiteral("fp_07871e2ad8"));
    QCOMPARE(q(r.serviceTier), QStringLiteral("default"));
    QCOMPARE(q(r.outputText), QStringLiteral("Hi!")); // choice index 0, though listed second
    QCOMPARE(q(r.finishReason), QStringLiteral("length"));
    QCOMPARE(q(r.status), QStringLiteral("incomplete"));
    QVERIFY(r.refusal.empty());
    QCOMPARE(r.toolCalls.size(), std::size_t{1});
    QCOMPARE(q(r.toolCalls[0].id), QStringLiteral("call_9"));
    QCOMPARE(q(r.toolCalls[0].name), QStringLiteral("get_time"));
    QCOMPARE(q(r.toolCalls[0].arguments), QStringLiteral("{\"tz\":\"UTC\"}"));
    QCOMPARE(r.logprobs.size(), std::size_t{2});
    QCOMPARE(q(r.logprobs[0].token), QStringLiteral("Hi"));
    QCOMPARE(r.logprobs[0].logprob, -0.2);
    QCOMPARE(q(r.logprobs[0].topAlternatives.at(0).first), QStringLiteral("Hello"));
    QCOMPARE(r.usage->outputTokens, 20);
    QCOMPARE(r.usage->reasoningTokens, 5);
    QCOMPARE(r.usage->acceptedPredictionTokens, 12);
    QCOMPARE(r.usage->rejectedPredictionTokens, 4);
}

void TestResponseResult::chatCompletionWithoutChoices()
{
    const ResponseResult r = ResponseResult::fromChatCompletion(json{{"id", "chatcmpl-0"}, {"choices", json::array()}});
    QCOMPARE(q(r.responseId), QStringLiteral("chatcmpl-0"));
    QVERIFY(!r.hasOutput());
    QVERIFY(!r.usage.has_value());
}

void TestResponseResult::outputTokensPerSecond()
{
    ResponseResult r;
    QVERIFY(!r.outputTokensPerSecond().has_value());
    r.usage = TokenUsage{};
    r.usage->outputTokens = 300;
    r.timeToFirstTokenMs = 500;
    QVERIFY(!r.outputTokensPerSecond().has_value()); // total unknown
    r.totalMs = 3500;
    QCOMPARE(r.outputTokensPerSecond().value(), 100.0); // 300 tokens over the 3 s after the first
    r.totalMs = 500;
    QVERIFY(!r.outputTokensPerSecond().has_value()); // no span to divide by
    r.totalMs = 750;
    QCOMPARE(r.outputTokensPerSecond().value(), 1200.0);
    r.timeToFirstTokenMs.reset();
    QVERIFY(!r.outputTokensPerSecond().has_value());
}

void TestResponseResult::rateLimitResetDurations()
{
    // The API writes Go durations in x-ratelimit-reset-*.
    using assay::api::RateLimitInfo;
    QCOMPARE(RateLimitInfo::parseDuration("6ms"), std::optional<qint64>(6));
    QCOMPARE(RateLimitInfo::parseDuration("20s"), std::optional<qint64>(20000));
    QCOMPARE(RateLimitInfo::parseDuration("1.5s"), std::optional<qint64>(1500));
    QCOMPARE(RateLimitInfo::parseDuration("1m0s"), std::optional<qint64>(60000));
    QCOMPARE(RateLimitInfo::parseDuration("6m30.25s"), std::optional<qint64>(390250));
    QCOMPARE(RateLimitInfo::parseDuration("1h2m"), std::optional<qint64>(3720000));
    QCOMPARE(RateLimitInfo::parseDuration(""), std::nullopt);
    QCOMPARE(RateLimitInfo::parseDuration("soon"), std::nullopt);
    QCOMPARE(RateLimitInfo::parseDuration("5x"), std::nullopt);
}

QTEST_GUILESS_MAIN(TestResponseResult)
#include "tst_response_result.moc"
