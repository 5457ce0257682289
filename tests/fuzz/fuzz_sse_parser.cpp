// libFuzzer target for assay::api::SseParser (built with clang++ by tests/fuzz/CMakeLists.txt).
//
// The whole input is the byte stream; its first bytes also choose where to cut it (byte 0: how
// many cuts, 0..7; then two bytes per cut: its position as a fraction of the input), so the
// recorded streams serve as seeds unchanged. For every input it checks that
//  - feeding the stream whole, cut at those positions, and byte by byte gives the same events
//    and the same hasIncompleteEvent()/retryMs();
//  - those events equal what a naive transcription of the WHATWG algorithm produces;
//  - no event carries a line break where the spec makes one impossible.
// Any difference aborts, which libFuzzer reports as a crash with the input saved.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/api/sse_parser.h"

using assay::api::SseEvent;
using assay::api::SseParser;

namespace {

struct Outcome {
    std::vector<SseEvent> events;
    bool incomplete = false;
    std::optional<int> retryMs;
    bool operator==(const Outcome &) const = default;
};

Outcome parseWithCuts(std::string_view bytes, const std::vector<std::size_t> &cuts)
{
    SseParser parser;
    Outcome outcome;
    std::size_t from = 0;
    for (const std::size_t cut : cuts) {
        parser.feed(bytes.substr(from, cut - from), outcome.events);
        from = cut;
    }
    parser.feed(bytes.substr(from), outcome.events);
    outcome.incomplete = parser.hasIncompleteEvent();
    outcome.retryMs = parser.retryMs();
    return outcome;
}

// The spec read literally, one complete line at a time, with no concern for speed or chunking.
Outcome reference(std::string_view bytes)
{
    if (bytes.substr(0, 3) == "\xEF\xBB\xBF")
        bytes.remove_prefix(3);

    Outcome outcome;
    std::string data;
    std::string type;
    std::string lastId;
    std::optional<int> blockRetry;
    bool fields = false;

    std::size_t i = 0;
    while (true) {
        std::size_t end = i;
        while (end < bytes.size() && bytes[end] != '\r' && bytes[end] != '\n')
            ++end;
        if (end == bytes.size()) {
            const std::string_view partial = bytes.substr(i);
            outcome.incomplete = fields || (!partial.empty() && partial.front() != ':');
            return outcome;
        }
        const std::string_view line = bytes.substr(i, end - i);
        i = end + 1;
        if (bytes[end] == '\r' && i < bytes.size() && bytes[i] == '\n')
            ++i;

        if (line.empty()) {
            if (!data.empty()) {
                data.pop_back(); // the LF after the last data line
                outcome.events.push_back(SseEvent{type, data, lastId, blockRetry});
            }
            data.clear();
            type.clear();
            blockRetry.reset();
            fields = false;
            continue;
        }
        if (line.front() == ':')
            continue;
        std::string_view name = line;
        std::string_view value;
        if (const std::size_t colon = line.find(':'); colon != std::string_view::npos) {
            name = line.substr(0, colon);
            value = line.substr(colon + 1);
            if (!value.empty() && value.front() == ' ')
                value.remove_prefix(1);
        }
        fields = true;
        if (name == "event") {
            type = value;
        } else if (name == "data") {
            data += value;
            data += '\n';
        } else if (name == "id") {
            if (value.find('\0') == std::string_view::npos)
                lastId = value;
        } else if (name == "retry") {
            bool digits = !value.empty();
            long long ms = 0;
            for (const char c : value) {
                digits = digits && c >= '0' && c <= '9';
                if (digits)
                    ms = std::min<long long>(ms * 10 + (c - '0'), 2147483647LL);
            }
            if (digits) {
                blockRetry = static_cast<int>(ms);
                outcome.retryMs = blockRetry;
            }
        }
    }
}

[[noreturn]] void fail(const char *what, std::string_view input)
{
    std::fprintf(stderr, "fuzz_sse_parser: %s (input of %zu bytes)\n", what, input.size());
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string_view input(reinterpret_cast<const char *>(data), size);
    const std::size_t cutCount = size == 0 ? 0 : std::min<std::size_t>(data[0] % 8, (size - 1) / 2);

    std::vector<std::size_t> cuts;
    for (std::size_t c = 0; c < cutCount; ++c) {
        const std::size_t fraction = (std::size_t{data[1 + 2 * c]} << 8) | data[2 + 2 * c];
        cuts.push_back(fraction * input.size() / 65535);
    }
    std::sort(cuts.begin(), cuts.end());

    const Outcome whole = parseWithCuts(input, {});
    if (parseWithCuts(input, cuts) != whole)
        fail("cut input parsed differently from the whole input", input);
    if (input.size() <= 4096) {
        std::vector<std::size_t> everyByte;
        for (std::size_t at = 1; at < input.size(); ++at)
            everyByte.push_back(at);
        if (parseWithCuts(input, everyByte) != whole)
            fail("byte-by-byte input parsed differently from the whole input", input);
    }
    if (reference(input) != whole)
        fail("parser disagrees with the reference transcription of the spec", input);

    for (const SseEvent &event : whole.events) {
        if (event.data.find('\r') != std::string::npos)
            fail("a CR inside event data", input);
        if (event.event.find_first_of("\r\n") != std::string::npos
            || event.id.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos)
            fail("a line break or NUL inside an event type or id", input);
    }
    return 0;
}
