#include "fakes/fake_payloads.h"

#include <algorithm>
#include <map>
#include <string>

using nlohmann::json;

namespace assay::testing::fake {

namespace {

std::string str(const QByteArray &bytes)
{
    return std::string(bytes.constData(), static_cast<std::size_t>(bytes.size()));
}

QByteArray bytesOf(const std::string &text)
{
    return QByteArray::fromStdString(text);
}

const json *member(const json &object, const char *key)
{
    if (!object.is_object())
        return nullptr;
    auto it = object.find(key);
    return it == object.end() ? nullptr : &*it;
}

std::string stringMember(const json &object, const char *key, const std::string &fallback = {})
{
    const json *value = member(object, key);
    return value && value->is_string() ? value->get<std::string>() : fallback;
}

// -1 when absent or not an integer.
int intMember(const json &object, const char *key)
{
    const json *value = member(object, key);
    if (!value || !value->is_number())
        return -1;
    return static_cast<int>(value->get<double>());
}

bool boolMember(const json &object, const char *key, bool fallback)
{
    const json *value = member(object, key);
    return value && value->is_boolean() ? value->get<bool>() : fallback;
}

// Roughly four characters per token, like the rule of thumb in OpenAI's docs.
int estimateInputTokens(const json &request)
{
    std::size_t chars = stringMember(request, "instructions").size();
    for (const char *key : {"input", "messages"}) {
        if (const json *value = member(request, key))
            chars += value->dump().size();
    }
    return std::max(1, static_cast<int>(chars / 4));
}

int reasoningTokensFor(const std::string &effort)
{
    static const std::map<std::string, int> tokens = {{"minimal", 8}, {"low", 32},    {"medium", 64},
                                                      {"high", 128},  {"xhigh", 256}, {"max", 512}};
    auto it = tokens.find(effort);
    return it == tokens.end() ? 0 : it->second;
}

QByteArray joinPieces(const QList<QByteArray> &pieces, qsizetype count)
{
    QByteArray text;
    for (qsizetype i = 0; i < count && i < pieces.size(); ++i)
        text += pieces.at(i);
    return text;
}

json serviceTierFor(const json &request)
{
    const std::string tier = stringMember(request, "service_tier");
    if (tier == "flex" || tier == "priority" || tier == "scale")
        return tier;
    return "default"; // what "auto" resolves to on a normal project
}

struct ToolChoice {
    bool call = false;
    std::string name;
    json parameters;
};

// The function the simulated model calls: the one tool_choice names, else the first function
// tool, unless tool_choice is "none".
ToolChoice chooseTool(const json &request, bool chat)
{
    ToolChoice choice;
    const json *tools = member(request, "tools");
    if (!tools || !tools->is_array() || tools->empty())
        return choice;
    const json *toolChoice = member(request, "tool_choice");
    if (toolChoice && toolChoice->is_string() && toolChoice->get<std::string>() == "none")
        return choice;
    std::string wanted;
    if (toolChoice && toolChoice->is_object()) {
        wanted = chat ? stringMember(toolChoice->value("function", json::object()), "name")
                      : stringMember(*toolChoice, "name");
    }
    for (const json &tool : *tools) {
        if (!tool.is_object() || stringMember(tool, "type") != "function")
            continue;
        const json &function = chat ? tool.value("function", json::object()) : tool;
        const std::string name = stringMember(function, "name");
        if (name.empty() || (!wanted.empty() && name != wanted))
            continue;
        choice.call = true;
        choice.name = name;
        choice.parameters = function.value("parameters", json::object());
        break;
    }
    return choice;
}

double logprobFor(int index)
{
    return -0.0125 * static_cast<double>(index % 7 + 1);
}

json tokenBytes(const QByteArray &token)
{
    json list = json::array();
    for (char c : token)
        list.push_back(static_cast<int>(static_cast<unsigned char>(c)));
    return list;
}

// Responses API output_text.logprobs entry (LogProb).
json responsesLogprob(const QByteArray &token, int index, int top)
{
    json alternatives = json::array();
    for (int i = 0; i < top; ++i) {
        const QByteArray alt = i == 0 ? token : token + QByteArray::number(i);
        alternatives.push_back(
            {{"token", str(alt)}, {"logprob", logprobFor(index) - i}, {"bytes", tokenBytes(alt)}});
    }
    return {{"token", str(token)},
            {"logprob", logprobFor(index)},
            {"bytes", tokenBytes(token)},
            {"top_logprobs", alternatives}};
}

// Chat Completions logprobs.content entry (ChatCompletionTokenLogprob).
json chatLogprob(const QByteArray &token, int index, int top)
{
    return responsesLogprob(token, index, top); // same fields: token, logprob, bytes, top_logprobs
}

json functionToolEcho(const json &tool)
{
    if (stringMember(tool, "type") != "function")
        return tool;
    json echo = tool;
    // The API fills what the request left out.
    if (!echo.contains("strict") || echo["strict"].is_null())
        echo["strict"] = true;
    if (!echo.contains("parameters"))
        echo["parameters"] = json::object();
    if (!echo.contains("description"))
        echo["description"] = nullptr;
    return echo;
}

} // namespace

json errorBody(const QByteArray &message, const QByteArray &type, const QByteArray &param,
               const QByteArray &code)
{
    return {{"error",
             {{"message", str(message)},
              {"type", str(type)},
              {"param", param.isEmpty() ? json(nullptr) : json(str(param))},
              {"code", code.isEmpty() ? json(nullptr) : json(str(code))}}}};
}

QList<QByteArray> splitText(const QByteArray &text, int count)
{
    QList<QByteArray> pieces;
    if (text.isEmpty())
        return pieces;
    if (count <= 0) {
        // One piece per word, the space travelling with the word that follows it (as tokens do).
        qsizetype start = 0;
        for (qsizetype i = 1; i < text.size(); ++i) {
            if (text.at(i) == ' ' && text.at(i - 1) != ' ') {
                pieces.append(text.mid(start, i - start));
                start = i;
            }
        }
        pieces.append(text.mid(start));
        return pieces;
    }
    const qsizetype size = text.size();
    const qsizetype wanted = std::min<qsizetype>(count, size);
    qsizetype start = 0;
    for (qsizetype k = 1; k <= wanted && start < size; ++k) {
        qsizetype end = k == wanted ? size : (size * k) / wanted;
        // Never end a piece inside a UTF-8 sequence: move past continuation bytes.
        while (end < size && (static_cast<unsigned char>(text.at(end)) & 0xC0) == 0x80)
            ++end;
        if (end <= start)
            continue;
        pieces.append(text.mid(start, end - start));
        start = end;
    }
    return pieces;
}

json sampleArguments(const json &schema)
{
    json args = json::object();
    const json *props = member(schema, "properties");
    if (!props || !props->is_object())
        return args;
    std::vector<std::string> names;
    if (const json *required = member(schema, "required");
        required && required->is_array() && !required->empty()) {
        for (const json &name : *required) {
            if (name.is_string())
                names.push_back(name.get<std::string>());
        }
    } else {
        for (auto it = props->begin(); it != props->end(); ++it)
            names.push_back(it.key());
    }
    for (const std::string &name : names) {
        const json prop = props->value(name, json::object());
        json value;
        std::string type = stringMember(prop, "type");
        if (const json *t = member(prop, "type"); t && t->is_array()) {
            for (const json &candidate : *t) {
                if (candidate.is_string() && candidate.get<std::string>() != "null") {
                    type = candidate.get<std::string>();
                    break;
                }
            }
        }
        if (const json *values = member(prop, "enum"); values && values->is_array() && !values->empty())
            value = values->front();
        else if (type == "string")
            value = (name.find("city") != std::string::npos || name.find("location") != std::string::npos)
                        ? "Paris"
                        : "example";
        else if (type == "integer")
            value = 3;
        else if (type == "number")
            value = 21.5;
        else if (type == "boolean")
            value = true;
        else if (type == "array")
            value = json::array();
        else if (type == "object")
            value = sampleArguments(prop);
        else
            value = nullptr;
        args[name] = value;
    }
    return args;
}

json responseSnapshot(const json &final, const char *status)
{
    json snapshot = final;
    snapshot["status"] = status;
    snapshot["output"] = json::array();
    snapshot["completed_at"] = nullptr;
    snapshot["incomplete_details"] = nullptr;
    // The real API sends "usage": null here; the spec's Response.usage is not nullable, so the
    // fake leaves it out (both mean "not known yet").
    snapshot.erase("usage");
    return snapshot;
}

ResponsesAnswer responsesAnswer(const json &request, const Generation &generation)
{
    const std::string serial = str(generation.serial);
    const std::string responseId = "resp_" + serial;
    const std::string messageId = "msg_" + serial;
    const std::string reasoningId = "rs_" + serial;
    const std::string callItemId = "fc_" + serial;
    const std::string callId = "call_" + serial;

    const json reasoningRequest = request.value("reasoning", json::object());
    const std::string effort =
        reasoningRequest.is_object() ? stringMember(reasoningRequest, "effort") : std::string();
    const std::string summaryMode =
        reasoningRequest.is_object() ? stringMember(reasoningRequest, "summary") : std::string();
    const int maxOutput = intMember(request, "max_output_tokens");
    // Reasoning tokens count against max_output_tokens too.
    const int reasoningTokens =
        std::min(reasoningTokensFor(effort.empty() && !summaryMode.empty() ? "medium" : effort),
                 maxOutput >= 0 ? maxOutput : 1 << 30);
    const int inputTokens = estimateInputTokens(request);
    const ToolChoice tool = chooseTool(request, false);
    bool wantLogprobs = false;
    if (const json *include = member(request, "include"); include && include->is_array()) {
        for (const json &entry : *include)
            wantLogprobs = wantLogprobs ||
                           (entry.is_string() && entry.get<std::string>() == "message.output_text.logprobs");
    }
    const int topLogprobs = std::max(0, intMember(request, "top_logprobs"));

    const json *textMember = member(request, "text");
    const json textParam = textMember && textMember->is_object() ? *textMember : json::object();

    // The response object as the request shaped it (fields echoed the way the API does).
    json response = {
        {"id", responseId},
        {"object", "response"},
        {"created_at", generation.createdAt},
        {"status", "in_progress"},
        {"background", boolMember(request, "background", false)},
        {"completed_at", nullptr},
        {"error", nullptr},
        {"incomplete_details", nullptr},
        {"instructions", member(request, "instructions") ? request["instructions"] : json(nullptr)},
        {"max_output_tokens", maxOutput >= 0 ? json(maxOutput) : json(nullptr)},
        {"max_tool_calls", nullptr},
        {"model", stringMember(request, "model")},
        {"output", json::array()},
        {"parallel_tool_calls", boolMember(request, "parallel_tool_calls", true)},
        {"previous_response_id",
         member(request, "previous_response_id") ? request["previous_response_id"] : json(nullptr)},
        {"prompt_cache_key",
         member(request, "prompt_cache_key") ? request["prompt_cache_key"] : json(nullptr)},
        {"reasoning",
         {{"effort", effort.empty() ? json(nullptr) : json(effort)},
          {"summary", summaryMode.empty() ? json(nullptr) : json(summaryMode)}}},
        {"safety_identifier",
         member(request, "safety_identifier") ? request["safety_identifier"] : json(nullptr)},
        {"service_tier", serviceTierFor(request)},
        {"store", boolMember(request, "store", true)},
        {"temperature", member(request, "temperature") && request["temperature"].is_number()
                            ? request["temperature"]
                            : json(1.0)},
        {"text",
         {{"format", textParam.value("format", json{{"type", "text"}})},
          {"verbosity", textParam.value("verbosity", json("medium"))}}},
        {"tool_choice", member(request, "tool_choice") ? request["tool_choice"] : json("auto")},
        {"tools", json::array()},
        {"top_logprobs", topLogprobs},
        {"top_p", member(request, "top_p") && request["top_p"].is_number() ? request["top_p"] : json(1.0)},
        {"truncation", stringMember(request, "truncation", "disabled")},
        {"metadata", member(request, "metadata") && request["metadata"].is_object() ? request["metadata"]
                                                                                    : json::object()},
    };
    if (const json *tools = member(request, "tools"); tools && tools->is_array()) {
        for (const json &t : *tools)
            response["tools"].push_back(functionToolEcho(t));
    }
    if (response["text"]["verbosity"].is_null())
        response["text"]["verbosity"] = "medium";

    ResponsesAnswer answer;
    int sequence = 0;
    const auto emitEvent = [&](const char *type, json event) {
        event["type"] = type;
        event["sequence_number"] = sequence++;
        answer.events.append({QStringLiteral("ResponseStreamEvent"), std::move(event), QByteArray(type)});
    };

    emitEvent("response.created", {{"response", response}});
    emitEvent("response.in_progress", {{"response", response}});

    json output = json::array();
    int outputTokens = reasoningTokens;
    bool incomplete = false;

    if (!summaryMode.empty()) {
        const QByteArray summary =
            "**Planning the answer**\n\nThe request is clear, so a short and direct reply fits best.";
        const int index = static_cast<int>(output.size());
        json item = {{"id", reasoningId}, {"type", "reasoning"}, {"summary", json::array()}};
        emitEvent("response.output_item.added", {{"output_index", index}, {"item", item}});
        emitEvent("response.reasoning_summary_part.added",
                  {{"item_id", reasoningId},
                   {"output_index", index},
                   {"summary_index", 0},
                   {"part", {{"type", "summary_text"}, {"text", ""}}}});
        for (const QByteArray &piece : splitText(summary, 0)) {
            emitEvent("response.reasoning_summary_text.delta", {{"item_id", reasoningId},
                                                                {"output_index", index},
                                                                {"summary_index", 0},
                                                                {"delta", str(piece)}});
        }
        emitEvent("response.reasoning_summary_text.done", {{"item_id", reasoningId},
                                                           {"output_index", index},
                                                           {"summary_index", 0},
                                                           {"text", str(summary)}});
        const json part = {{"type", "summary_text"}, {"text", str(summary)}};
        emitEvent("response.reasoning_summary_part.done",
                  {{"item_id", reasoningId}, {"output_index", index}, {"summary_index", 0}, {"part", part}});
        item["summary"] = json::array({part});
        emitEvent("response.output_item.done", {{"output_index", index}, {"item", item}});
        output.push_back(item);
    }

    if (tool.call) {
        const std::string arguments = sampleArguments(tool.parameters).dump();
        const int index = static_cast<int>(output.size());
        json item = {{"id", callItemId}, {"type", "function_call"}, {"status", "in_progress"},
                     {"arguments", ""},  {"call_id", callId},       {"name", tool.name}};
        emitEvent("response.output_item.added", {{"output_index", index}, {"item", item}});
        for (const QByteArray &piece : splitText(bytesOf(arguments), 3)) {
            emitEvent("response.function_call_arguments.delta",
                      {{"item_id", callItemId}, {"output_index", index}, {"delta", str(piece)}});
        }
        emitEvent("response.function_call_arguments.done", {{"item_id", callItemId},
                                                            {"output_index", index},
                                                            {"name", tool.name},
                                                            {"arguments", arguments}});
        item["status"] = "completed";
        item["arguments"] = arguments;
        emitEvent("response.output_item.done", {{"output_index", index}, {"item", item}});
        output.push_back(item);
        outputTokens += std::max(1, static_cast<int>(arguments.size() / 4));
    } else {
        const QList<QByteArray> words = splitText(generation.text, 0);
        qsizetype kept = words.size();
        if (maxOutput >= 0 && reasoningTokens + kept > maxOutput) {
            kept = std::max(0, maxOutput - reasoningTokens);
            incomplete = true;
        }
        const QByteArray text = joinPieces(words, kept);
        outputTokens += static_cast<int>(kept);
        if (!text.isEmpty()) {
            const int index = static_cast<int>(output.size());
            const char *itemStatus = incomplete ? "incomplete" : "completed";
            json item = {{"id", messageId},
                         {"type", "message"},
                         {"status", "in_progress"},
                         {"content", json::array()},
                         {"role", "assistant"}};
            emitEvent("response.output_item.added", {{"output_index", index}, {"item", item}});
            json part = {{"type", "output_text"},
                         {"annotations", json::array()},
                         {"logprobs", json::array()},
                         {"text", ""}};
            emitEvent(
                "response.content_part.added",
                {{"item_id", messageId}, {"output_index", index}, {"content_index", 0}, {"part", part}});
            json allLogprobs = json::array();
            int tokenIndex = 0;
            for (const QByteArray &piece : splitText(text, generation.deltaCount)) {
                json deltaLogprobs = json::array();
                if (wantLogprobs) {
                    json entry = responsesLogprob(piece, tokenIndex++, topLogprobs);
                    allLogprobs.push_back(entry);
                    json top = json::array();
                    for (const json &alt : entry["top_logprobs"])
                        top.push_back({{"token", alt["token"]}, {"logprob", alt["logprob"]}});
                    deltaLogprobs.push_back(
                        {{"token", entry["token"]}, {"logprob", entry["logprob"]}, {"top_logprobs", top}});
                }
                emitEvent("response.output_text.delta", {{"item_id", messageId},
                                                         {"output_index", index},
                                                         {"content_index", 0},
                                                         {"delta", str(piece)},
                                                         {"logprobs", deltaLogprobs}});
            }
            json doneLogprobs = json::array();
            for (const json &entry : allLogprobs)
                doneLogprobs.push_back({{"token", entry["token"]}, {"logprob", entry["logprob"]}});
            emitEvent("response.output_text.done", {{"item_id", messageId},
                                                    {"output_index", index},
                                                    {"content_index", 0},
                                                    {"text", str(text)},
                                                    {"logprobs", doneLogprobs}});
            part["text"] = str(text);
            part["logprobs"] = allLogprobs;
            emitEvent(
                "response.content_part.done",
                {{"item_id", messageId}, {"output_index", index}, {"content_index", 0}, {"part", part}});
            item["status"] = itemStatus;
            item["content"] = json::array({part});
            emitEvent("response.output_item.done", {{"output_index", index}, {"item", item}});
            output.push_back(item);
        }
    }

    response["status"] = incomplete ? "incomplete" : "completed";
    response["completed_at"] = incomplete ? json(nullptr) : json(generation.createdAt + 1);
    if (incomplete)
        response["incomplete_details"] = {{"reason", "max_output_tokens"}};
    response["output"] = output;
    const int cached = std::min(generation.cachedTokens, inputTokens);
    response["usage"] = {
        {"input_tokens", inputTokens},
        {"input_tokens_details", {{"cached_tokens", cached}, {"cache_write_tokens", 0}}},
        {"output_tokens", outputTokens},
        {"output_tokens_details", {{"reasoning_tokens", reasoningTokens}}},
        {"total_tokens", inputTokens + outputTokens},
    };
    emitEvent(incomplete ? "response.incomplete" : "response.completed", {{"response", response}});
    answer.final = response;
    return answer;
}

ChatAnswer chatAnswer(const json &request, const Generation &generation)
{
    const std::string serial = str(generation.serial);
    const std::string id = "chatcmpl-" + serial;
    const std::string model = stringMember(request, "model");
    const ToolChoice tool = chooseTool(request, true);
    int maxOutput = intMember(request, "max_completion_tokens");
    if (maxOutput < 0)
        maxOutput = intMember(request, "max_tokens");
    const int reasoningTokens = std::min(reasoningTokensFor(stringMember(request, "reasoning_effort")),
                                         maxOutput >= 0 ? maxOutput : 1 << 30);
    const int inputTokens = estimateInputTokens(request);
    const int choiceCount = std::max(1, intMember(request, "n"));
    const bool wantLogprobs = boolMember(request, "logprobs", false);
    const int topLogprobs = std::max(0, intMember(request, "top_logprobs"));
    const bool includeUsage =
        boolMember(request.value("stream_options", json::object()), "include_usage", false);

    const json head = {{"id", id},
                       {"created", generation.createdAt},
                       {"model", model},
                       {"service_tier", serviceTierFor(request)},
                       {"system_fingerprint", "fp_f4ke0penai"}};

    // Predicted outputs: words of the prediction that the answer reuses are accepted, the rest
    // rejected (and still billed as completion tokens, as the docs say).
    int accepted = 0;
    int rejected = 0;
    const QList<QByteArray> words = splitText(generation.text, 0);
    if (const json *prediction = member(request, "prediction"); prediction && prediction->is_object()) {
        QByteArray predicted;
        if (const json *content = member(*prediction, "content")) {
            if (content->is_string()) {
                predicted = bytesOf(content->get<std::string>());
            } else if (content->is_array()) {
                for (const json &part : *content)
                    predicted += bytesOf(stringMember(part, "text")) + ' ';
            }
        }
        QList<QByteArray> remaining;
        for (const QByteArray &w : words)
            remaining.append(w.trimmed());
        for (const QByteArray &w : predicted.simplified().split(' ')) {
            if (w.isEmpty())
                continue;
            if (const qsizetype at = remaining.indexOf(w); at >= 0) {
                ++accepted;
                remaining.removeAt(at);
            } else {
                ++rejected;
            }
        }
    }

    qsizetype kept = words.size();
    bool truncated = false;
    if (maxOutput >= 0 && reasoningTokens + kept > maxOutput) {
        kept = std::max(0, maxOutput - reasoningTokens);
        truncated = true;
    }
    const QByteArray text = joinPieces(words, kept);
    const std::string arguments = tool.call ? sampleArguments(tool.parameters).dump() : std::string();
    const int perChoiceTokens =
        tool.call ? std::max(1, static_cast<int>(arguments.size() / 4)) : static_cast<int>(kept);
    const std::string finishReason = tool.call ? "tool_calls" : (truncated ? "length" : "stop");
    const QList<QByteArray> pieces = splitText(text, generation.deltaCount);

    ChatAnswer answer;
    json completion = head;
    completion["object"] = "chat.completion";
    completion["choices"] = json::array();
    for (int c = 0; c < choiceCount; ++c) {
        json message = {{"role", "assistant"}, {"refusal", nullptr}, {"annotations", json::array()}};
        json logprobs = nullptr;
        if (tool.call) {
            message["content"] = nullptr;
            message["tool_calls"] =
                json::array({{{"id", "call_" + serial + "_" + std::to_string(c)},
                              {"type", "function"},
                              {"function", {{"name", tool.name}, {"arguments", arguments}}}}});
        } else {
            message["content"] = str(text);
            if (wantLogprobs) {
                json content = json::array();
                int index = 0;
                for (const QByteArray &piece : pieces)
                    content.push_back(chatLogprob(piece, index++, topLogprobs));
                logprobs = {{"content", content}, {"refusal", nullptr}};
            }
        }
        completion["choices"].push_back(
            {{"index", c}, {"message", message}, {"logprobs", logprobs}, {"finish_reason", finishReason}});
    }
    const int completionTokens = perChoiceTokens * choiceCount + reasoningTokens + rejected;
    const int cached = std::min(generation.cachedTokens, inputTokens);
    const json usage = {
        {"prompt_tokens", inputTokens},
        {"completion_tokens", completionTokens},
        {"total_tokens", inputTokens + completionTokens},
        {"prompt_tokens_details", {{"cached_tokens", cached}, {"audio_tokens", 0}}},
        {"completion_tokens_details",
         {{"reasoning_tokens", reasoningTokens},
          {"audio_tokens", 0},
          {"accepted_prediction_tokens", accepted},
          {"rejected_prediction_tokens", rejected}}},
    };
    completion["usage"] = usage;
    answer.completion = completion;

    const auto chunk = [&](json choices) {
        json body = head;
        body["object"] = "chat.completion.chunk";
        body["choices"] = std::move(choices);
        if (includeUsage)
            body["usage"] = nullptr;
        answer.chunks.append(
            {QStringLiteral("CreateChatCompletionStreamResponse"), std::move(body), QByteArray()});
    };
    for (int c = 0; c < choiceCount; ++c) {
        if (tool.call) {
            const std::string callId = "call_" + serial + "_" + std::to_string(c);
            chunk(json::array(
                {{{"index", c},
                  {"delta",
                   {{"role", "assistant"},
                    {"content", nullptr},
                    {"refusal", nullptr},
                    {"tool_calls", json::array({{{"index", 0},
                                                 {"id", callId},
                                                 {"type", "function"},
                                                 {"function", {{"name", tool.name}, {"arguments", ""}}}}})}}},
                  {"logprobs", nullptr},
                  {"finish_reason", nullptr}}}));
            for (const QByteArray &piece : splitText(bytesOf(arguments), 3)) {
                chunk(json::array(
                    {{{"index", c},
                      {"delta",
                       {{"tool_calls",
                         json::array({{{"index", 0}, {"function", {{"arguments", str(piece)}}}}})}}},
                      {"logprobs", nullptr},
                      {"finish_reason", nullptr}}}));
            }
        } else {
            chunk(json::array({{{"index", c},
                                {"delta", {{"role", "assistant"}, {"content", ""}, {"refusal", nullptr}}},
                                {"logprobs", nullptr},
                                {"finish_reason", nullptr}}}));
            int index = 0;
            for (const QByteArray &piece : pieces) {
                json logprobs = nullptr;
                if (wantLogprobs)
                    logprobs = {{"content", json::array({chatLogprob(piece, index, topLogprobs)})},
                                {"refusal", nullptr}};
                ++index;
                chunk(json::array({{{"index", c},
                                    {"delta", {{"content", str(piece)}}},
                                    {"logprobs", logprobs},
                                    {"finish_reason", nullptr}}}));
            }
        }
        chunk(json::array({{{"index", c},
                            {"delta", json::object()},
                            {"logprobs", nullptr},
                            {"finish_reason", finishReason}}}));
    }
    if (includeUsage) {
        json body = head;
        body["object"] = "chat.completion.chunk";
        body["choices"] = json::array();
        body["usage"] = usage;
        answer.chunks.append(
            {QStringLiteral("CreateChatCompletionStreamResponse"), std::move(body), QByteArray()});
    }
    return answer;
}

json defaultModels()
{
    const auto model = [](const char *id, qint64 created, const char *owner) {
        return json{{"id", id}, {"object", "model"}, {"created", created}, {"owned_by", owner}};
    };
    json data = json::array();
    data.push_back(model("gpt-5", 1754425777, "system"));
    data.push_back(model("gpt-5-mini", 1754425867, "system"));
    data.push_back(model("gpt-4.1", 1744316542, "system"));
    data.push_back(model("gpt-4o-mini", 1721172741, "system"));
    data.push_back(model("o3", 1744225308, "system"));
    json retiring = model("gpt-4.5-preview", 1740623059, "system");
    retiring["shutdown_date"] = "2026-12-14"; // announced retirement, as GET /models now reports
    data.push_back(retiring);
    data.push_back(model("text-embedding-3-small", 1705948997, "system"));
    data.push_back(model("ft:gpt-4o-mini-2024-07-18:acme::B3xkQ9rT", 1730000000, "user-acme"));
    return {{"object", "list"}, {"data", data}};
}

} // namespace assay::testing::fake
