#include "models/api/sse_parser.h"

#include <algorithm>
#include <climits>
#include <cstring>

namespace assay::api {

namespace {

constexpr char kBom[] = "\xEF\xBB\xBF";

// memchr rather than a byte loop: it is vectorised, and the parser's speed is its speed.
const char *findByte(const char *from, const char *end, char byte)
{
    if (from >= end)
        return end;
    const void *hit = std::memchr(from, byte, static_cast<std::size_t>(end - from));
    return hit ? static_cast<const char *>(hit) : end;
}

std::optional<int> parseRetry(std::string_view value)
{
    if (value.empty())
        return std::nullopt;
    long long ms = 0;
    for (const char c : value) {
        if (c < '0' || c > '9')
            return std::nullopt;
        // Digits only is valid however long; an absurd value just means "very long".
        ms = std::min<long long>(ms * 10 + (c - '0'), INT_MAX);
    }
    return static_cast<int>(ms);
}

} // namespace

void SseParser::feed(std::string_view bytes, std::vector<SseEvent> &out)
{
    std::size_t start = 0;
    if (!m_bomChecked) {
        start = skipBom(bytes);
        if (!m_bomChecked)
            return;
    }

    const char *p = bytes.data() + start;
    const char *const end = bytes.data() + bytes.size();

    if (m_lastWasCR && p < end) {
        m_lastWasCR = false;
        if (*p == '\n')
            ++p;
    }

    // The next LF and CR are searched once each and reused until passed, so a stream that never
    // contains CR costs one memchr over each chunk for it, not one per line.
    const char *nextLf = findByte(p, end, '\n');
    const char *nextCr = findByte(p, end, '\r');
    while (p < end) {
        if (nextLf < p)
            nextLf = findByte(p, end, '\n');
        if (nextCr < p)
            nextCr = findByte(p, end, '\r');
        const char *eol = std::min(nextLf, nextCr);
        if (eol == end) {
            m_line.append(p, static_cast<std::size_t>(end - p));
            break;
        }

        const std::string_view piece(p, static_cast<std::size_t>(eol - p));
        if (m_line.empty()) {
            processLine(piece, out); // the whole line is in this chunk: no copy
        } else {
            m_line.append(piece);
            processLine(m_line, out);
            m_line.clear();
        }

        p = eol + 1;
        if (*eol == '\r') {
            if (p == end)
                m_lastWasCR = true;
            else if (*p == '\n')
                ++p;
        }
    }
}

// A BOM may itself arrive split over several tiny chunks. Returns where parsing starts in
// `bytes`; leaves m_bomChecked false while all bytes so far are a BOM prefix (kept in m_line,
// since they are ordinary line bytes should the BOM turn out not to be one).
std::size_t SseParser::skipBom(std::string_view bytes)
{
    std::size_t i = 0;
    while (i < bytes.size()) {
        if (bytes[i] != kBom[m_bomMatched]) {
            m_bomChecked = true;
            return 0; // earlier prefix bytes sit in m_line; this chunk is parsed from its start
        }
        ++m_bomMatched;
        ++i;
        if (m_bomMatched == 3) {
            m_bomChecked = true;
            m_line.clear();
            return i;
        }
    }
    m_line.append(bytes);
    return bytes.size();
}

void SseParser::processLine(std::string_view line, std::vector<SseEvent> &out)
{
    if (line.empty()) {
        dispatch(out);
        return;
    }
    if (line.front() == ':')
        return; // a comment, e.g. OpenAI's ": keep-alive"

    std::string_view field = line;
    std::string_view value;
    if (const std::size_t colon = line.find(':'); colon != std::string_view::npos) {
        field = line.substr(0, colon);
        value = line.substr(colon + 1);
        if (!value.empty() && value.front() == ' ')
            value.remove_prefix(1);
    }
    m_pendingHasFields = true;

    if (field == "data") {
        if (m_pendingHasData) {
            m_pending.data.push_back('\n');
            m_pending.data.append(value);
        } else {
            m_pending.data.assign(value);
            m_pendingHasData = true;
        }
    } else if (field == "event") {
        m_pending.event.assign(value);
    } else if (field == "id") {
        if (value.find('\0') == std::string_view::npos)
            m_lastEventId.assign(value);
    } else if (field == "retry") {
        if (const std::optional<int> ms = parseRetry(value)) {
            m_pending.retryMs = ms;
            m_retryMs = ms;
        }
    }
    // Any other field is ignored, as the spec says.
}

void SseParser::dispatch(std::vector<SseEvent> &out)
{
    // A block without any data line is not an event (spec: "if the data buffer is empty").
    if (m_pendingHasData) {
        m_pending.id = m_lastEventId;
        out.push_back(std::move(m_pending));
    }
    m_pending = SseEvent{};
    m_pendingHasData = false;
    m_pendingHasFields = false;
}

bool SseParser::hasIncompleteEvent() const
{
    // A partial line counts unless it is plainly a comment.
    return m_pendingHasFields || (!m_line.empty() && m_line.front() != ':');
}

void SseParser::reset()
{
    *this = SseParser{};
}

} // namespace assay::api
