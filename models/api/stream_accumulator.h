#pragma once

#include <functional>
#include <string>

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
class StreamAccumulator {
public:
    explicit StreamAccumulator(ApiKind api);

    // Called for every delta; may be empty.
    std::function<void(const OutputDelta &)> onDelta;

    // Feed one SSE event. Returns false once the stream has ended ([DONE], response.completed,
    // response.failed, response.incomplete, an error event). Throws std::runtime_error on a
    // malformed event; the result keeps everything received before it.
    bool consume(const SseEvent &event);

    bool finished() const { return m_finished; }
    bool receivedOutput() const { return m_receivedOutput; }
    const ResponseResult &result() const { return m_result; }
    ResponseResult &result() { return m_result; }

private:
    void consumeResponses(const ResponsesStreamEvent &event);
    void consumeChat(const ChatStreamChunk &chunk);
    void emitDelta(OutputDelta::Kind kind, int index, const std::string &text);

    ResponseResult m_result;
    bool m_finished = false;
    bool m_receivedOutput = false;
};

} // namespace assay::api
