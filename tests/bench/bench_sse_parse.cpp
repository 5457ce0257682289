// Throughput of the streaming core: SseParser alone at several chunk sizes, then the whole
// pipeline (SseParser + parseResponsesEvent + StreamAccumulator) on a generated Responses
// stream of ~120 MB made of output_text.delta events shaped as the API sends them.
// Usage: bench_sse_parse [megabytes]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "models/api/sse_parser.h"
#include "models/api/stream_accumulator.h"

using namespace assay::api;

namespace {

using Clock = std::chrono::steady_clock;

struct Stream {
    std::string bytes;
    std::size_t deltas = 0;
    std::size_t events = 0;
    std::size_t textBytes = 0;
};

std::string responseObject(const char *status)
{
    std::string usage;
    if (std::string_view(status) == "completed")
        usage = R"(,"usage":{"input_tokens":1200,"input_tokens_details":{"cached_tokens":1024,"cache_write_tokens":0},"output_tokens":900000,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":901200})";
    return std::string(R"({"id":"resp_68b9a1f2c4d08190a7e3b5c6d2f1e0a90c4b7d2e1f3a5c6b","object":"response","created_at":1756995314,"status":")")
           + status
           + R"(","error":null,"incomplete_details":null,"instructions":null,"model":"gpt-4.1-2025-04-14","output":[],"parallel_tool_calls":true,"temperature":1.0,"tool_choice":"auto","tools":[],"top_p":1.0,"metadata":{})"
           + usage + "}";
}

void appendEvent(Stream &stream, const std::string &type, const std::string &json)
{
    stream.bytes += "event: ";
    stream.bytes += type;
    stream.bytes += "\ndata: ";
    stream.bytes += json;
    stream.bytes += "\n\n";
    ++stream.events;
}

Stream generate(std::size_t targetBytes)
{
    // Token-sized pieces of prose, some with characters JSON must escape and multi-byte UTF-8.
    const char *const pieces[] = {" the", " stream", " of", " tokens", ",", " caf\xC3\xA9", " and", " \\\"quoted\\\"",
                                  " words", ".", "\\n\\n", " 日本", " prompt", " caching", " reduces", " latency"};
    const char *const obfuscation[] = {"xK2p", "a1", "7Hq9Z", "Qm3V8r"};
    Stream stream;
    stream.bytes.reserve(targetBytes + 4096);
    long long sequence = 0;
    appendEvent(stream, "response.created",
                R"({"type":"response.created","sequence_number":0,"response":)" + responseObject("in_progress") + "}");
    ++sequence;
    const std::string prefix = R"({"type":"response.output_text.delta","sequence_number":)";
    const std::string middle =
        R"(,"item_id":"msg_68b9a1f4e2c08190a1d3f5b7c9e1a3b50c4b7d2e1f3a5c6b","output_index":0,"content_index":0,"delta":")";
    for (std::size_t i = 0; stream.bytes.size() < targetBytes; ++i) {
        const char *piece = pieces[i % std::size(pieces)];
        appendEvent(stream, "response.output_text.delta",
                    prefix + std::to_string(sequence++) + middle + piece + R"(","logprobs":[],"obfuscation":")"
                        + obfuscation[i % std::size(obfuscation)] + "\"}");
        ++stream.deltas;
    }
    appendEvent(stream, "response.completed",
                R"({"type":"response.completed","sequence_number":)" + std::to_string(sequence)
                    + R"(,"response":)" + responseObject("completed") + "}");
    return stream;
}

double seconds(Clock::duration d)
{
    return std::chrono::duration<double>(d).count();
}

// Best of `runs`: the least disturbed by the other processes on a shared machine.
template <typename Body>
double bestSeconds(int runs, Body body)
{
    double best = 1e9;
    for (int run = 0; run < runs; ++run) {
        const auto start = Clock::now();
        body();
        best = std::min(best, seconds(Clock::now() - start));
    }
    return best;
}

std::size_t parseOnly(const std::string &bytes, std::size_t chunk)
{
    SseParser parser;
    std::vector<SseEvent> events;
    std::size_t count = 0;
    for (std::size_t at = 0; at < bytes.size(); at += chunk) {
        parser.feed(std::string_view(bytes).substr(at, chunk), events);
        count += events.size();
        events.clear(); // as ApiCall does after handing them on
    }
    return count;
}

} // namespace

int main(int argc, char **argv)
{
    const std::size_t megabytes = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 120;
    const auto genStart = Clock::now();
    const Stream stream = generate(megabytes * 1000 * 1000);
    const double mb = static_cast<double>(stream.bytes.size()) / 1e6;
    std::printf("stream: %.1f MB, %zu events, %zu output_text.delta events, %.0f bytes per event (generated in %.2f s)\n",
                mb, stream.events, stream.deltas, static_cast<double>(stream.bytes.size()) / static_cast<double>(stream.events),
                seconds(Clock::now() - genStart));

    struct Size {
        const char *name;
        std::size_t bytes;
    };
    const Size sizes[] = {{"1 KiB", 1024}, {"16 KiB", 16 * 1024}, {"whole", stream.bytes.size()}};
    for (const Size &size : sizes) {
        std::size_t count = 0;
        const double s = bestSeconds(3, [&] { count = parseOnly(stream.bytes, size.bytes); });
        if (count != stream.events) {
            std::printf("ERROR: SseParser gave %zu events, expected %zu\n", count, stream.events);
            return 1;
        }
        std::printf("SseParser chunk=%s: %.0f MB/s, %.2f M events/s\n", size.name, mb / s,
                    static_cast<double>(count) / s / 1e6);
    }

    // The full pipeline, with 16 KiB chunks (a typical readyRead) and a delta callback that
    // does what a view would at least do: look at the text.
    std::size_t deltaBytes = 0;
    std::string finalText;
    const double pipeline = bestSeconds(3, [&] {
        SseParser parser;
        StreamAccumulator accumulator(ApiKind::Responses);
        deltaBytes = 0;
        accumulator.onDelta = [&deltaBytes](const OutputDelta &delta) { deltaBytes += delta.text.size(); };
        std::vector<SseEvent> events;
        constexpr std::size_t chunk = 16 * 1024;
        for (std::size_t at = 0; at < stream.bytes.size(); at += chunk) {
            parser.feed(std::string_view(stream.bytes).substr(at, chunk), events);
            for (const SseEvent &event : events)
                accumulator.consume(event);
            events.clear();
        }
        if (!accumulator.finished())
            std::printf("ERROR: the stream did not finish\n");
        finalText = accumulator.result().outputText;
    });
    if (deltaBytes != finalText.size() || finalText.empty()) {
        std::printf("ERROR: deltas add up to %zu bytes, final text has %zu\n", deltaBytes, finalText.size());
        return 1;
    }
    std::printf("pipeline (SseParser + parseResponsesEvent + StreamAccumulator, 16 KiB chunks): %.1f MB/s, "
                "%.0f ns per delta, %.2f M deltas/s\n",
                mb / pipeline, pipeline * 1e9 / static_cast<double>(stream.deltas),
                static_cast<double>(stream.deltas) / pipeline / 1e6);
    return 0;
}
