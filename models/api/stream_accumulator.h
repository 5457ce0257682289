#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/api/response_result.h"
#include "models/api/stream_events.h"

namespace assay::api {

// What a stream just added, for a view that shows output as it arrives.
struct OutputDelta {
    enum class Kind { Text, Refusal, ReasoningSummary, ToolCallStarted, ToolCallArguments };
    Kind kind = Kind::Text;
    int index = 0;      // output index (Responses) / tool call index (Chat)
    std::string text;   // the delta; the tool name for ToolCallStarted
};

// Folds stream events of either API into a ResponseResult, reporting each delta as it goes.
// Pure state machine: no I/O, no timing (the caller stamps times), so tests drive it directly.
// Text made of several parts (content parts, reasoning summaries) is kept per part, so a
// *.done event restating one part replaces exactly that part. Deltas are reported so that
// their concatenation is the final text (the blank line between reasoning summaries included).
class StreamAccumulator {
public:
    explicit StreamAccumulator(ApiKind api);

    // Called for every delta; may be empty.
    std::function<void(const OutputDelta &)> onDelta;

    // Feed one SSE event. Returns false once the stream has ended ([DONE], response.completed,
    // response.failed, response.incomplete, an error event); events after that are ignored.
    // Throws std::runtime_error ("stream event N: ...") on a malformed event; the result keeps
    // everything received before it.
    bool consume(const SseEvent &event);

    bool finished() const { return m_finished; }
    bool receivedOutput() const { return m_receivedOutput; }
    const ResponseResult &result() const { return m_result; }
    ResponseResult &result() { return m_result; }

private:
    // One string (outputText, refusal, reasoningSummary) assembled from keyed parts.
    class PartedText {
    public:
        using Key = std::pair<int, int>; // (output index, content or summary index)
        explicit PartedText(std::string_view separator) : m_separator(separator) {}
        // Returns what was added to `target`: the delta, after a separator if it opens a part.
        std::string append(std::string &target, Key key, std::string_view delta);
        // Makes `text` the part's content. Returns the added suffix when the old content was a
        // prefix of it (so a live view can catch up), nullopt when it changed otherwise.
        std::optional<std::string> replace(std::string &target, Key key, std::string_view text);

    private:
        struct Part {
            Key key;
            std::size_t start;
            std::size_t length;
        };
        Part &part(std::string &target, Key key, std::string *added);
        std::string_view m_separator;
        std::vector<Part> m_parts;
    };

    void consumeResponses(const ResponsesStreamEvent &event);
    void consumeChat(const ChatStreamChunk &chunk);
    void emitDelta(OutputDelta::Kind kind, int index, std::string text);
    void applyResponseHeader(const nlohmann::json &response);
    void applyFinalResponse(const ResponsesStreamEvent &event);
    void applyOutputItemDone(const ResponsesStreamEvent &event);
    void replacePart(PartedText &parts, std::string &target, PartedText::Key key,
                     std::string_view text, OutputDelta::Kind kind, int index);
    ToolCall &responsesToolCall(const ResponsesStreamEvent &event);
    void finishWithError(const nlohmann::json &errorEvent);

    ApiKind m_api;
    ResponseResult m_result;
    bool m_finished = false;
    bool m_receivedOutput = false;
    long long m_eventCount = 0;
    PartedText m_textParts{""};
    PartedText m_refusalParts{""};
    PartedText m_summaryParts{"\n\n"};
    std::vector<std::pair<int, std::size_t>> m_toolSlots; // output index / Chat tool index -> toolCalls
};

} // namespace assay::api
