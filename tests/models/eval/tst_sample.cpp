#include <QtTest>

#include "models/api/response_result.h"
#include "models/eval/eval_template.h"
#include "models/eval/sample.h"

using assay::api::ResponseResult;
using assay::eval::Sample;
using json = nlohmann::json;

namespace {

json responseObject(const json &output, const json &extra = json::object())
{
    json response = {{"id", "resp_1"},
                     {"object", "response"},
                     {"created_at", 1700000000},
                     {"status", "completed"},
                     {"model", "gpt-4.1-mini-2025-04-14"},
                     {"output", output},
                     {"usage",
                      {{"input_tokens", 12},
                       {"input_tokens_details", {{"cached_tokens", 4}}},
                       {"output_tokens", 7},
                       {"output_tokens_details", {{"reasoning_tokens", 2}}},
                       {"total_tokens", 19}}}};
    for (auto it = extra.begin(); it != extra.end(); ++it)
        response[it.key()] = it.value();
    return response;
}

json messageItem(const std::string &text)
{
    return {{"type", "message"},
            {"id", "msg_1"},
            {"role", "assistant"},
            {"status", "completed"},
            {"content", json::array({{{"type", "output_text"}, {"text", text}, {"annotations", json::array()}}})}};
}

json functionCallItem()
{
    return {{"type", "function_call"},
            {"id", "fc_1"},
            {"call_id", "call_abc"},
            {"name", "get_weather"},
            {"arguments", R"({"city":"Paris"})"},
            {"status", "completed"}};
}

json chatCompletion(const json &message, const std::string &finishReason)
{
    return {{"id", "chatcmpl-1"},
            {"object", "chat.completion"},
            {"created", 1700000000},
            {"model", "gpt-4.1-mini-2025-04-14"},
            {"system_fingerprint", "fp_42"},
            {"choices", json::array({{{"index", 0}, {"message", message}, {"finish_reason", finishReason}, {"logprobs", nullptr}}})},
            {"usage",
             {{"prompt_tokens", 12},
              {"completion_tokens", 7},
              {"total_tokens", 19},
              {"prompt_tokens_details", {{"cached_tokens", 4}}},
              {"completion_tokens_details", {{"reasoning_tokens", 2}}}}}};
}

} // namespace

class TestSample : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void responsesTextBecomesChatShapedChoice()
    {
        ResponseResult result = ResponseResult::fromResponseObject(responseObject(json::array({messageItem("Paris")})));
        result.requestId = QStringLiteral("req_9");
        const Sample sample = Sample::fromResponseResult(result, false);
        QCOMPARE(sample.outputText, std::string("Paris"));
        QVERIFY(sample.outputJson.is_null());
        QVERIFY(sample.outputTools.empty());
        QCOMPARE(sample.finishReason, std::string("stop"));
        QCOMPARE(sample.model, std::string("gpt-4.1-mini-2025-04-14"));
        QCOMPARE(sample.responseId, std::string("resp_1"));
        QCOMPARE(sample.requestId, std::string("req_9"));
        const json expected = json::parse(R"([{"index": 0, "message": {"role": "assistant", "content": "Paris"},
                                               "finish_reason": "stop"}])");
        QCOMPARE(sample.choices, expected);
    }

    void usageIsChatNamedInTheNamespace()
    {
        const Sample sample = Sample::fromResponseResult(
            ResponseResult::fromResponseObject(responseObject(json::array({messageItem("x")}))), false);
        const json ns = sample.toNamespace();
        QCOMPARE(ns["usage"]["prompt_tokens"].get<int>(), 12);
        QCOMPARE(ns["usage"]["completion_tokens"].get<int>(), 7);
        QCOMPARE(ns["usage"]["total_tokens"].get<int>(), 19);
        QCOMPARE(ns["usage"]["cached_tokens"].get<int>(), 4);
        QCOMPARE(ns["usage"]["reasoning_tokens"].get<int>(), 2);
        for (const char *key : {"output_text", "output_json", "output_tools", "choices"})
            QVERIFY2(ns.contains(key), key);
    }

    void jsonOutputIsParsedOnlyWhenAskedFor()
    {
        const ResponseResult result =
            ResponseResult::fromResponseObject(responseObject(json::array({messageItem(R"({"label": "spam", "score": 3})")})));
        const Sample asked = Sample::fromResponseResult(result, true);
        QCOMPARE(asked.outputJson["label"].get<std::string>(), std::string("spam"));
        QCOMPARE(asked.toNamespace()["output_json"]["score"].get<int>(), 3);
        QVERIFY(Sample::fromResponseResult(result, false).outputJson.is_null());

        const ResponseResult broken =
            ResponseResult::fromResponseObject(responseObject(json::array({messageItem(R"({"label": )")})));
        const Sample unparsed = Sample::fromResponseResult(broken, true);
        QVERIFY(unparsed.outputJson.is_null());
        QCOMPARE(unparsed.outputText, std::string(R"({"label": )"));
    }

    void functionCallsAreChatShapedFromBothApis()
    {
        const Sample fromResponses = Sample::fromResponseResult(
            ResponseResult::fromResponseObject(responseObject(json::array({functionCallItem()}))), false);
        const json chatMessage = {{"role", "assistant"},
                                  {"content", nullptr},
                                  {"tool_calls",
                                   json::array({{{"id", "call_abc"},
                                                 {"type", "function"},
                                                 {"function", {{"name", "get_weather"}, {"arguments", R"({"city":"Paris"})"}}}}})}};
        const Sample fromChat =
            Sample::fromResponseResult(ResponseResult::fromChatCompletion(chatCompletion(chatMessage, "tool_calls")), false);

        const json expectedTools = chatMessage["tool_calls"];
        QCOMPARE(fromResponses.outputTools, expectedTools);
        QCOMPARE(fromChat.outputTools, expectedTools);
        QCOMPARE(fromResponses.finishReason, std::string("tool_calls"));
        QCOMPARE(fromChat.finishReason, std::string("tool_calls"));
        QCOMPARE(fromResponses.choices, fromChat.choices);
        QVERIFY(fromResponses.choices[0]["message"]["content"].is_null());

        // What a grader template reads.
        const auto rendered = assay::eval::renderTemplate("{{ sample.output_tools[0].function.name }}",
                                                          {{"item", json::object()}, {"sample", fromResponses.toNamespace()}});
        QVERIFY(!rendered.missingPath);
        QCOMPARE(rendered.text, std::string("get_weather"));
    }

    void chatKeepsFingerprintAndFinishReason()
    {
        const Sample sample = Sample::fromResponseResult(
            ResponseResult::fromChatCompletion(chatCompletion({{"role", "assistant"}, {"content", "Hi"}}, "length")), false);
        QCOMPARE(sample.outputText, std::string("Hi"));
        QCOMPARE(sample.finishReason, std::string("length"));
        QCOMPARE(sample.systemFingerprint, std::string("fp_42"));
        QCOMPARE(sample.responseId, std::string("chatcmpl-1"));
        QCOMPARE(sample.choices[0]["finish_reason"].get<std::string>(), std::string("length"));
        QCOMPARE(sample.toNamespace()["usage"]["cached_tokens"].get<int>(), 4);
    }

    void truncatedResponseEndsWithLength()
    {
        const json response = responseObject(json::array({messageItem("The answer is")}),
                                             {{"status", "incomplete"},
                                              {"incomplete_details", {{"reason", "max_output_tokens"}}}});
        const Sample sample = Sample::fromResponseResult(ResponseResult::fromResponseObject(response), false);
        QCOMPARE(sample.finishReason, std::string("length"));
        QCOMPARE(sample.choices[0]["finish_reason"].get<std::string>(), std::string("length"));
    }

    void refusalIsKeptOnTheMessage()
    {
        json item = messageItem("");
        item["content"] = json::array({{{"type", "refusal"}, {"refusal", "I can't help with that."}}});
        const Sample sample =
            Sample::fromResponseResult(ResponseResult::fromResponseObject(responseObject(json::array({item}))), false);
        QCOMPARE(sample.choices[0]["message"]["refusal"].get<std::string>(), std::string("I can't help with that."));
        QCOMPARE(sample.outputText, std::string());
    }

    void noUsageGivesZeros()
    {
        ResponseResult result;
        result.outputText = "ok";
        const json ns = Sample::fromResponseResult(result, false).toNamespace();
        QCOMPARE(ns["usage"]["total_tokens"].get<int>(), 0);
        QCOMPARE(ns["output_text"].get<std::string>(), std::string("ok"));
    }
};

QTEST_GUILESS_MAIN(TestSample)
#include "tst_sample.moc"
