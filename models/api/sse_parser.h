#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace assay::api {

// One dispatched Server-Sent Event (WHATWG HTML, "event stream interpretation").
struct SseEvent {
    std::string event; // the `event:` field; empty means the default type "message"
    std::string data;  // `data:` lines joined with '\n'
    std::string id;    // the last event ID: like a browser, it carries over to later events
    std::optional<int> retryMs; // a valid `retry:` field inside this event's block

    bool isDone() const { return data == "[DONE]"; } // OpenAI's stream terminator
    bool operator==(const SseEvent &) const = default;
};

// Incremental SSE parser: bytes in, complete events out, correct for any chunking of the byte
// stream (split mid-line, mid UTF-8 character, between CR and LF). Pure: no I/O, no Qt, so it
// can be fuzzed and benchmarked on its own. Bytes are never decoded: a field value is passed
// on exactly as it arrived.
class SseParser {
public:
    // Parses `bytes` and appends every event completed by them to `out`.
    void feed(std::string_view bytes, std::vector<SseEvent> &out);

    // True when bytes of an event have arrived whose terminating blank line has not: at the end
    // of a stream this means the connection was cut mid-event.
    bool hasIncompleteEvent() const;

    // The reconnection time the stream asked for with its last valid `retry:` field, if any,
    // even when that field came in a block without data (which dispatches no event).
    std::optional<int> retryMs() const { return m_retryMs; }

    void reset();

private:
    void processLine(std::string_view line, std::vector<SseEvent> &out);
    void dispatch(std::vector<SseEvent> &out);
    std::size_t skipBom(std::string_view bytes);

    std::string m_line;          // bytes of the current, unterminated line
    bool m_lastWasCR = false;    // a CR ended the previous chunk: a leading LF belongs to it
    bool m_bomChecked = false;
    int m_bomMatched = 0;        // bytes of a BOM seen so far when the first chunk was tiny
    SseEvent m_pending;
    bool m_pendingHasData = false;
    bool m_pendingHasFields = false;
    std::string m_lastEventId;
    std::optional<int> m_retryMs;
};

} // namespace assay::api
