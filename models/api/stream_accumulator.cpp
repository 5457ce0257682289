#include "models/api/stream_accumulator.h"


#include <stdexcept>
#include "models/api/json_fields.h"

namespace assay::api {

namespace {

using nlohmann::json;

const json &member(const json &object, const char *key) { return jsonMember(object, key); }

std::string text(const json &object, const char *key) { return jsonText(object, key); }

bool startsWith(std::string_view text, std::string_view prefix)
{
    return text.substr(0, prefix.size()) == prefix;
}

} // namespace

// --- PartedText -------------------------------------------------------------------------------

StreamAccumulator::PartedText::Part &StreamAccumulator::PartedText::part(std::string &target, Key key,
                                                                         std::string *added)
{
    // Deltas almost always continue the newest part.
    if (!m_parts.empty() && m_parts.back().key == key)
        return m_parts.back();
    for (Part &existing : m_parts) {
        if (existing.key == key)
            return existing;
    }
    if (!target.empty() && !m_separator.empty()) {
        target.append(m_separator);
        if (added)
            added->append(m_separator);
    }
    m_parts.push_back(Part{key, target.size(), 0});
    return m_parts.back();
}

std::string StreamAccumulator::PartedText::append(std::string &target, Key key, std::string_view delta)
{
    std::string added;
    Part &p = part(target, key, &added);
    const std::size_t at = p.start + p.length;
    if (at == target.size()) {
        target.append(delta);
    } else {
        // A delta for an earlier part (servers do not interleave parts, but nothing forbids it).
        target.insert(at, delta);
        for (Part *later = &p + 1; later != m_parts.data() + m_parts.size(); ++later)
            later->start += delta.size();
    }
    p.length += delta.size();
    added.append(delta);
    return added;
}

std::optional<std::string> StreamAccumulator::PartedText::replace(std::string &target, Key key,
                                                                  std::string_view text)
{
    bool known = false;
    for (const Part &existing : m_parts)
        known = known || existing.key == key;
    if (!known && text.empty())
        return std::string(); // nothing to show, and no separator for an empty part

    std::string added;
    Part &p = part(target, key, &added);
    const std::string_view old(target.data() + p.start, p.length);
    if (startsWith(text, old)) {
        const std::string_view suffix = text.substr(old.size());
        if (!suffix.empty())
            added += append(target, key, suffix);
        return added;
    }
    const std::size_t oldLength = p.length;
    target.replace(p.start, oldLength, text);
    p.length = text.size();
    for (Part *later = &p + 1; later != m_parts.data() + m_parts.size(); ++later)
        later->start = later->start - oldLength + text.size();
    return std::nullopt;
}

// --- StreamAccumulator ------------------------------------------------------------------------

StreamAccumulator::StreamAccumulator(ApiKind api)
    : m_api(api)
{
    m_result.api = api;
}

bool StreamAccumulator::consume(const SseEvent &event)
{
    if (m_finished)
        return false;
    ++m_eventCount;
    if (event.isDone()) {
        if (m_result.status.empty() || m_result.status == "in_progress")
            m_result.status = "completed";
        m_finished = true;
        return false;
    }
    try {
        if (m_api == ApiKind::Responses)
            consumeResponses(parseResponsesEvent(event));
        else
            consumeChat(parseChatChunk(event));
    } catch (const std::exception &error) {
        throw std::runtime_error("stream event " + std::to_string(m_eventCount) + ": " + error.what());
    }
    return !m_finished;
}

void StreamAccumulator::emitDelta(OutputDelta::Kind kind, int index, std::string text)
{
    if (text.empty() && kind != OutputDelta::Kind::ToolCallStarted)
        return;
    m_receivedOutput = true;
    if (onDelta)
        onDelta(OutputDelta{kind, index, std::move(text)});
}

void StreamAccumulator::replacePart(PartedText &parts, std::string &target, PartedText::Key key,
                                    std::string_view text, OutputDelta::Kind kind, int index)
{
    if (const std::optional<std::string> added = parts.replace(target, key, text))
        emitDelta(kind, index, *added);
}

void StreamAccumulator::finishWithError(const nlohmann::json &errorEvent)
{
    m_result.error = ApiError::fromStreamEvent(errorEvent, m_result.requestId);
    if (m_result.status.empty() || m_result.status == "in_progress" || m_result.status == "queued")
        m_result.status = "failed";
    m_finished = true;
}

void StreamAccumulator::applyResponseHeader(const nlohmann::json &response)
{
    if (std::string id = text(response, "id"); !id.empty())
        m_result.responseId = std::move(id);
    if (std::string model = text(response, "model"); !model.empty())
        m_result.model = std::move(model);
    if (std::string status = text(response, "status"); !status.empty())
        m_result.status = std::move(status);
    if (std::string tier = text(response, "service_tier"); !tier.empty())
        m_result.serviceTier = std::move(tier);
}

ToolCall &StreamAccumulator::responsesToolCall(const ResponsesStreamEvent &event)
{
    for (const auto &[outputIndex, slot] : m_toolSlots) {
        if (event.outputIndex >= 0 && outputIndex == event.outputIndex)
            return m_result.toolCalls[slot];
    }
    if (!event.itemId.empty()) {
        for (ToolCall &call : m_result.toolCalls) {
            if (call.itemId == event.itemId)
                return call;
        }
    }
    // Arguments before their output_item.added: start the call so nothing is lost.
    m_toolSlots.emplace_back(event.outputIndex, m_result.toolCalls.size());
    m_result.toolCalls.push_back(ToolCall{std::string(), event.itemId, std::string(), std::string()});
    emitDelta(OutputDelta::Kind::ToolCallStarted, event.outputIndex, std::string());
    return m_result.toolCalls.back();
}

void StreamAccumulator::applyOutputItemDone(const ResponsesStreamEvent &event)
{
    const json &item = member(event.payload, "item");
    const std::string type = text(item, "type");
    if (type == "function_call") {
        ToolCall &call = responsesToolCall(event);
        if (std::string callId = text(item, "call_id"); !callId.empty())
            call.id = std::move(callId);
        if (std::string name = text(item, "name"); !name.empty())
            call.name = std::move(name);
        if (const json &arguments = member(item, "arguments"); arguments.is_string()) {
            const std::string &finalArguments = arguments.get_ref<const std::string &>();
            if (startsWith(finalArguments, call.arguments))
                emitDelta(OutputDelta::Kind::ToolCallArguments, event.outputIndex,
                          finalArguments.substr(call.arguments.size()));
            call.arguments = finalArguments;
        }
    } else if (type == "message") {
        const json &content = member(item, "content");
        if (!content.is_array())
            return;
        for (std::size_t i = 0; i < content.size(); ++i) {
            const json &part = content[i];
            const PartedText::Key key{event.outputIndex, static_cast<int>(i)};
            const std::string partType = text(part, "type");
            if (partType == "output_text")
                replacePart(m_textParts, m_result.outputText, key, text(part, "text"),
                            OutputDelta::Kind::Text, event.outputIndex);
            else if (partType == "refusal")
                replacePart(m_refusalParts, m_result.refusal, key, text(part, "refusal"),
                            OutputDelta::Kind::Refusal, event.outputIndex);
        }
    } else if (type == "reasoning") {
        const json &summary = member(item, "summary");
        if (!summary.is_array())
            return;
        for (std::size_t i = 0; i < summary.size(); ++i)
            replacePart(m_summaryParts, m_result.reasoningSummary,
                        PartedText::Key{event.outputIndex, static_cast<int>(i)}, text(summary[i], "text"),
                        OutputDelta::Kind::ReasoningSummary, event.outputIndex);
    }
}

void StreamAccumulator::applyFinalResponse(const ResponsesStreamEvent &event)
{
    const json &response = member(event.payload, "response");
    applyResponseHeader(response);
    m_result.finishReason = text(member(response, "incomplete_details"), "reason");
    if (const json &usage = member(response, "usage"); usage.is_object())
        m_result.usage = TokenUsage::fromResponses(usage);
    m_result.rawResponse = response;

    // The final object restates the output: it is the server's record, so it wins over what
    // the deltas built (which matters only if deltas went missing).
    ResponseResult finalResult = ResponseResult::fromResponseObject(response);
    const auto settle = [this](std::string &field, const std::string &finalText, OutputDelta::Kind kind) {
        if (finalText.empty() || finalText == field)
            return;
        if (startsWith(finalText, field))
            emitDelta(kind, 0, finalText.substr(field.size()));
        field = finalText;
    };
    settle(m_result.outputText, finalResult.outputText, OutputDelta::Kind::Text);
    settle(m_result.refusal, finalResult.refusal, OutputDelta::Kind::Refusal);
    settle(m_result.reasoningSummary, finalResult.reasoningSummary, OutputDelta::Kind::ReasoningSummary);
    if (!finalResult.toolCalls.empty())
        m_result.toolCalls = std::move(finalResult.toolCalls);
    if (m_result.logprobs.empty())
        m_result.logprobs = std::move(finalResult.logprobs);

    if (event.type == ResponsesEventType::Failed)
        finishWithError(event.payload);
    m_finished = true;
}

void StreamAccumulator::consumeResponses(const ResponsesStreamEvent &event)
{
    using Type = ResponsesEventType;
    const PartedText::Key key{event.outputIndex, event.contentIndex};
    switch (event.type) {
    case Type::OutputTextDelta:
        emitDelta(OutputDelta::Kind::Text, event.outputIndex,
                  m_textParts.append(m_result.outputText, key, event.text));
        appendTokenLogprobs(m_result.logprobs, member(event.payload, "logprobs"));
        break;
    case Type::OutputTextDone:
        replacePart(m_textParts, m_result.outputText, key, event.text, OutputDelta::Kind::Text,
                    event.outputIndex);
        break;
    case Type::RefusalDelta:
        emitDelta(OutputDelta::Kind::Refusal, event.outputIndex,
                  m_refusalParts.append(m_result.refusal, key, event.text));
        break;
    case Type::RefusalDone:
        replacePart(m_refusalParts, m_result.refusal, key, event.text, OutputDelta::Kind::Refusal,
                    event.outputIndex);
        break;
    case Type::ReasoningSummaryTextDelta:
        emitDelta(OutputDelta::Kind::ReasoningSummary, event.outputIndex,
                  m_summaryParts.append(m_result.reasoningSummary, key, event.text));
        break;
    case Type::ReasoningSummaryTextDone:
        replacePart(m_summaryParts, m_result.reasoningSummary, key, event.text,
                    OutputDelta::Kind::ReasoningSummary, event.outputIndex);
        break;
    case Type::ContentPartAdded:
    case Type::ContentPartDone: {
        const std::string partType = text(member(event.payload, "part"), "type");
        if (event.type == Type::ContentPartAdded && event.text.empty())
            break; // parts open empty; only a part restated with text carries anything
        if (partType == "output_text")
            replacePart(m_textParts, m_result.outputText, key, event.text, OutputDelta::Kind::Text,
                        event.outputIndex);
        else if (partType == "refusal")
            replacePart(m_refusalParts, m_result.refusal, key, event.text, OutputDelta::Kind::Refusal,
                        event.outputIndex);
        break;
    }
    case Type::OutputItemAdded: {
        const json &item = member(event.payload, "item");
        if (text(item, "type") != "function_call")
            break;
        bool known = false;
        for (const auto &slot : m_toolSlots)
            known = known || slot.first == event.outputIndex;
        if (known)
            break;
        m_toolSlots.emplace_back(event.outputIndex, m_result.toolCalls.size());
        m_result.toolCalls.push_back(
            ToolCall{text(item, "call_id"), text(item, "id"), text(item, "name"), text(item, "arguments")});
        emitDelta(OutputDelta::Kind::ToolCallStarted, event.outputIndex, m_result.toolCalls.back().name);
        emitDelta(OutputDelta::Kind::ToolCallArguments, event.outputIndex, m_result.toolCalls.back().arguments);
        break;
    }
    case Type::FunctionCallArgumentsDelta: {
        ToolCall &call = responsesToolCall(event);
        call.arguments += event.text;
        emitDelta(OutputDelta::Kind::ToolCallArguments, event.outputIndex, event.text);
        break;
    }
    case Type::FunctionCallArgumentsDone: {
        ToolCall &call = responsesToolCall(event);
        if (std::string name = text(event.payload, "name"); !name.empty())
            call.name = std::move(name);
        if (startsWith(event.text, call.arguments))
            emitDelta(OutputDelta::Kind::ToolCallArguments, event.outputIndex,
                      event.text.substr(call.arguments.size()));
        call.arguments = event.text;
        break;
    }
    case Type::OutputItemDone:
        applyOutputItemDone(event);
        break;
    case Type::Created:
    case Type::InProgress:
    case Type::Queued:
        applyResponseHeader(member(event.payload, "response"));
        break;
    case Type::Completed:
    case Type::Incomplete:
    case Type::Failed:
        applyFinalResponse(event);
        break;
    case Type::Error:
        finishWithError(event.payload);
        break;
    case Type::Other:
        break; // web search progress, annotations, ...: shown by the inspector, not folded here
    }
}

void StreamAccumulator::consumeChat(const ChatStreamChunk &chunk)
{
    if (!chunk.error.is_null()) {
        finishWithError(json{{"error", chunk.error}});
        return;
    }
    if (!chunk.id.empty())
        m_result.responseId = chunk.id;
    if (!chunk.model.empty())
        m_result.model = chunk.model;
    if (!chunk.systemFingerprint.empty())
        m_result.systemFingerprint = chunk.systemFingerprint;
    if (!chunk.serviceTier.empty())
        m_result.serviceTier = chunk.serviceTier;
    if (chunk.usage.is_object())
        m_result.usage = TokenUsage::fromChat(chunk.usage);
    if (m_result.status.empty())
        m_result.status = "in_progress";

    for (const ChatChoiceDelta &choice : chunk.choices) {
        if (choice.index != 0)
            continue; // with n > 1, the first choice is the answer
        if (!choice.content.empty()) {
            m_result.outputText += choice.content;
            emitDelta(OutputDelta::Kind::Text, 0, choice.content);
        }
        if (!choice.refusal.empty()) {
            m_result.refusal += choice.refusal;
            emitDelta(OutputDelta::Kind::Refusal, 0, choice.refusal);
        }
        for (const ChatToolCallDelta &delta : choice.toolCalls) {
            ToolCall *call = nullptr;
            for (const auto &[index, slot] : m_toolSlots) {
                if (index == delta.index)
                    call = &m_result.toolCalls[slot];
            }
            if (!call) {
                m_toolSlots.emplace_back(delta.index, m_result.toolCalls.size());
                m_result.toolCalls.push_back(ToolCall{delta.id, std::string(), delta.name, std::string()});
                call = &m_result.toolCalls.back();
                emitDelta(OutputDelta::Kind::ToolCallStarted, delta.index, delta.name);
            } else {
                if (call->id.empty())
                    call->id = delta.id;
                if (call->name.empty())
                    call->name = delta.name;
            }
            call->arguments += delta.argumentsDelta;
            emitDelta(OutputDelta::Kind::ToolCallArguments, delta.index, delta.argumentsDelta);
        }
        if (choice.logprobs.is_object())
            appendTokenLogprobs(m_result.logprobs, member(choice.logprobs, "content"));
        if (!choice.finishReason.empty()) {
            m_result.finishReason = choice.finishReason;
            m_result.status = (choice.finishReason == "length" || choice.finishReason == "content_filter")
                                  ? "incomplete"
                                  : "completed";
        }
    }
}

} // namespace assay::api
