#include "models/dataset/json_syntax.h"

#include <array>
#include <cstring>

namespace assay::dataset::json {

namespace {

constexpr int kMaxDepth = 512;
constexpr quint64 kRootSeed = 0x6a09e667f3bcc908ULL;

// Bytes the string loop must look at: the quote, the backslash, control characters and non-ASCII.
constexpr std::array<bool, 256> makeStringSpecial()
{
    std::array<bool, 256> table{};
    for (int c = 0; c < 256; ++c)
        table[static_cast<std::size_t>(c)] = c == '"' || c == '\\' || c < 0x20 || c >= 0x80;
    return table;
}
constexpr std::array<bool, 256> kStringSpecial = makeStringSpecial();

quint64 hashBytes(const char *data, std::size_t size)
{
    quint64 h = 1469598103934665603ULL; // FNV-1a
    for (std::size_t i = 0; i < size; ++i) {
        h ^= static_cast<unsigned char>(data[i]);
        h *= 1099511628211ULL;
    }
    return h;
}

quint64 mix(quint64 a, quint64 b)
{
    quint64 x = a ^ (b + 0x9e3779b97f4a7c15ULL + (a << 6) + (a >> 2));
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

class Scanner {
public:
    Scanner(std::string_view text) : m_d(text.data()), m_n(text.size()), m_text(text) {}

    std::size_t skipWs(std::size_t p) const
    {
        while (p < m_n && isJsonSpace(m_d[p]))
            ++p;
        return p;
    }

    // p at the opening quote; on success p is one past the closing quote.
    std::optional<SyntaxError> string(std::size_t &p) const
    {
        const std::size_t open = p;
        std::size_t q = p + 1;
        for (;;) {
            while (q < m_n && !kStringSpecial[static_cast<unsigned char>(m_d[q])])
                ++q;
            if (q >= m_n)
                return SyntaxError{open, QStringLiteral("unterminated string")};
            const auto c = static_cast<unsigned char>(m_d[q]);
            if (c == '"') {
                p = q + 1;
                return std::nullopt;
            }
            if (c == '\\') {
                if (q + 1 >= m_n)
                    return SyntaxError{open, QStringLiteral("unterminated string")};
                const char e = m_d[q + 1];
                if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' ||
                    e == 't') {
                    q += 2;
                    continue;
                }
                if (e != 'u')
                    return SyntaxError{q, QStringLiteral("invalid escape sequence in a string")};
                const int unit = hex4(q + 2);
                if (unit < 0)
                    return SyntaxError{q, QStringLiteral("\\u must be followed by four hex digits")};
                if (unit >= 0xDC00 && unit <= 0xDFFF)
                    return SyntaxError{q, QStringLiteral("lone low surrogate in a \\u escape")};
                if (unit >= 0xD800 && unit <= 0xDBFF) {
                    const int low =
                        (q + 7 < m_n && m_d[q + 6] == '\\' && m_d[q + 7] == 'u') ? hex4(q + 8) : -1;
                    if (low < 0xDC00 || low > 0xDFFF)
                        return SyntaxError{q,
                                           QStringLiteral("high surrogate not followed by a low surrogate")};
                    q += 12;
                } else {
                    q += 6;
                }
                continue;
            }
            if (c < 0x20)
                return SyntaxError{q, QStringLiteral("control character in a string (it must be escaped)")};
            const int length = utf8SequenceLength(m_text, q);
            if (length == 0)
                return SyntaxError{q,
                                   QStringLiteral("invalid UTF-8 byte 0x%1").arg(c, 2, 16, QLatin1Char('0'))};
            q += static_cast<std::size_t>(length);
        }
    }

    std::optional<SyntaxError> number(std::size_t &p) const
    {
        std::size_t q = p;
        if (m_d[q] == '-')
            ++q;
        if (q >= m_n || !isDigit(m_d[q]))
            return SyntaxError{q, QStringLiteral("invalid number")};
        if (m_d[q] == '0') {
            ++q;
        } else {
            while (q < m_n && isDigit(m_d[q]))
                ++q;
        }
        if (q < m_n && m_d[q] == '.') {
            ++q;
            if (q >= m_n || !isDigit(m_d[q]))
                return SyntaxError{q, QStringLiteral("invalid number: a digit must follow '.'")};
            while (q < m_n && isDigit(m_d[q]))
                ++q;
        }
        if (q < m_n && (m_d[q] == 'e' || m_d[q] == 'E')) {
            ++q;
            if (q < m_n && (m_d[q] == '+' || m_d[q] == '-'))
                ++q;
            if (q >= m_n || !isDigit(m_d[q]))
                return SyntaxError{q, QStringLiteral("invalid number: a digit must follow the exponent")};
            while (q < m_n && isDigit(m_d[q]))
                ++q;
        }
        p = q;
        return std::nullopt;
    }

    std::optional<SyntaxError> literal(std::size_t &p, std::string_view word) const
    {
        if (m_n - p < word.size() || std::memcmp(m_d + p, word.data(), word.size()) != 0)
            return SyntaxError{p, QStringLiteral("invalid literal (expected true, false or null)")};
        p += word.size();
        return std::nullopt;
    }

private:
    int hex4(std::size_t at) const
    {
        if (at + 4 > m_n)
            return -1;
        int value = 0;
        for (std::size_t i = 0; i < 4; ++i) {
            const int digit = hexValue(m_d[at + i]);
            if (digit < 0)
                return -1;
            value = value * 16 + digit;
        }
        return value;
    }

    const char *m_d;
    std::size_t m_n;
    std::string_view m_text;
};

QString describe(char c)
{
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f)
        return QStringLiteral("'%1'").arg(QLatin1Char(c));
    return QStringLiteral("byte 0x%1").arg(u, 2, 16, QLatin1Char('0'));
}

} // namespace

int utf8SequenceLength(std::string_view text, std::size_t pos)
{
    const auto *s = reinterpret_cast<const unsigned char *>(text.data());
    const std::size_t n = text.size();
    const unsigned char c = s[pos];
    if (c < 0x80)
        return 1;
    auto cont = [&](std::size_t i) { return i < n && (s[i] & 0xC0) == 0x80; };
    auto inRange = [&](std::size_t i, unsigned char lo, unsigned char hi) {
        return i < n && s[i] >= lo && s[i] <= hi;
    };
    if (c >= 0xC2 && c <= 0xDF)
        return cont(pos + 1) ? 2 : 0;
    if (c == 0xE0)
        return inRange(pos + 1, 0xA0, 0xBF) && cont(pos + 2) ? 3 : 0;
    if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF)
        return cont(pos + 1) && cont(pos + 2) ? 3 : 0;
    if (c == 0xED)
        return inRange(pos + 1, 0x80, 0x9F) && cont(pos + 2) ? 3 : 0;
    if (c == 0xF0)
        return inRange(pos + 1, 0x90, 0xBF) && cont(pos + 2) && cont(pos + 3) ? 4 : 0;
    if (c >= 0xF1 && c <= 0xF3)
        return cont(pos + 1) && cont(pos + 2) && cont(pos + 3) ? 4 : 0;
    if (c == 0xF4)
        return inRange(pos + 1, 0x80, 0x8F) && cont(pos + 2) && cont(pos + 3) ? 4 : 0;
    return 0;
}

std::size_t firstInvalidUtf8(std::string_view text)
{
    const char *d = text.data();
    const std::size_t n = text.size();
    std::size_t i = 0;
    while (i < n) {
        if (i + 8 <= n) {
            quint64 word;
            std::memcpy(&word, d + i, 8);
            if ((word & 0x8080808080808080ULL) == 0) {
                i += 8;
                continue;
            }
        }
        if (static_cast<unsigned char>(d[i]) < 0x80) {
            ++i;
            continue;
        }
        const int length = utf8SequenceLength(text, i);
        if (length == 0)
            return i;
        i += static_cast<std::size_t>(length);
    }
    return npos;
}

ScanResult scanValue(std::string_view text, std::size_t pos, quint64 *shape)
{
    struct Frame {
        bool object;
        bool track; // members' key paths count towards the shape
        quint64 path;
    };
    std::array<Frame, kMaxDepth> stack;
    int depth = 0;

    const Scanner scan(text);
    const char *d = text.data();
    const std::size_t n = text.size();
    ScanResult result;
    auto fail = [&](std::size_t at, QString message) {
        result.error = SyntaxError{at, std::move(message)};
        return result;
    };

    // Context of the value about to be scanned: whether its key path is tracked, the path hash and
    // whether it is an object member (the root value has no key path of its own).
    bool ctxTrack = shape != nullptr;
    quint64 ctxPath = kRootSeed;
    bool ctxMember = false;
    bool root = true;
    auto leaf = [&]() {
        if (ctxTrack && ctxMember)
            *shape += mix(ctxPath, 0x51ULL);
    };
    // Scans a key at p (after the '{' or ','), then the ':'; sets the member value's context.
    auto key = [&](std::size_t &p, const Frame &frame) -> std::optional<SyntaxError> {
        if (p >= n)
            return SyntaxError{p, QStringLiteral("unexpected end of text: expected a string key")};
        if (d[p] != '"')
            return SyntaxError{p, QStringLiteral("expected a string key, found %1").arg(describe(d[p]))};
        const std::size_t keyBegin = p;
        if (auto error = scan.string(p))
            return error;
        if (frame.track)
            ctxPath = mix(frame.path, hashBytes(d + keyBegin, p - keyBegin));
        ctxTrack = frame.track;
        ctxMember = true;
        p = scan.skipWs(p);
        if (p >= n || d[p] != ':')
            return SyntaxError{p, QStringLiteral("expected ':' after an object key")};
        p = scan.skipWs(p + 1);
        return std::nullopt;
    };

    std::size_t p = scan.skipWs(pos);
    for (;;) {
        if (p >= n)
            return fail(p, QStringLiteral("unexpected end of text: expected a value"));
        const char c = d[p];
        ValueKind kind;
        if (c == '{') {
            kind = ValueKind::Object;
            p = scan.skipWs(p + 1);
            if (p < n && d[p] == '}') {
                ++p;
                leaf();
            } else {
                if (depth == kMaxDepth)
                    return fail(p, QStringLiteral("nesting deeper than %1 levels").arg(kMaxDepth));
                stack[static_cast<std::size_t>(depth++)] = {true, ctxTrack, ctxPath};
                if (root) {
                    result.kind = kind;
                    root = false;
                }
                if (auto error = key(p, stack[static_cast<std::size_t>(depth - 1)]))
                    return fail(error->offset, error->message);
                continue;
            }
        } else if (c == '[') {
            kind = ValueKind::Array;
            leaf();
            p = scan.skipWs(p + 1);
            if (p < n && d[p] == ']') {
                ++p;
            } else {
                if (depth == kMaxDepth)
                    return fail(p, QStringLiteral("nesting deeper than %1 levels").arg(kMaxDepth));
                stack[static_cast<std::size_t>(depth++)] = {false, false, 0};
                if (root) {
                    result.kind = kind;
                    root = false;
                }
                ctxTrack = false;
                ctxMember = false;
                continue;
            }
        } else if (c == '"') {
            kind = ValueKind::String;
            if (auto error = scan.string(p))
                return fail(error->offset, error->message);
            leaf();
        } else if (c == '-' || isDigit(c)) {
            kind = ValueKind::Number;
            if (auto error = scan.number(p))
                return fail(error->offset, error->message);
            leaf();
        } else if (c == 't' || c == 'f' || c == 'n') {
            kind = ValueKind::Literal;
            if (auto error = scan.literal(p, c == 't'   ? std::string_view("true")
                                             : c == 'f' ? std::string_view("false")
                                                        : std::string_view("null")))
                return fail(error->offset, error->message);
            leaf();
        } else {
            return fail(p, QStringLiteral("unexpected %1: expected a value").arg(describe(c)));
        }
        if (root) {
            result.kind = kind;
            root = false;
        }

        // A value is complete: consume separators and closing brackets up to the next value.
        for (;;) {
            if (depth == 0) {
                result.end = p;
                return result;
            }
            const Frame &frame = stack[static_cast<std::size_t>(depth - 1)];
            p = scan.skipWs(p);
            if (p >= n)
                return fail(p, frame.object ? QStringLiteral("unexpected end of text: expected ',' or '}'")
                                            : QStringLiteral("unexpected end of text: expected ',' or ']'"));
            if (d[p] == ',') {
                p = scan.skipWs(p + 1);
                if (frame.object) {
                    if (auto error = key(p, frame))
                        return fail(error->offset, error->message);
                } else {
                    ctxTrack = false;
                    ctxMember = false;
                }
                break;
            }
            if (d[p] == (frame.object ? '}' : ']')) {
                ++p;
                --depth;
                continue;
            }
            return fail(p, frame.object
                               ? QStringLiteral("expected ',' or '}' after an object member, found %1")
                                     .arg(describe(d[p]))
                               : QStringLiteral("expected ',' or ']' after an array element, found %1")
                                     .arg(describe(d[p])));
        }
    }
}

std::optional<SyntaxError> checkSyntax(std::string_view text, ValueKind *kind, quint64 *shape)
{
    ScanResult result = scanValue(text, 0, shape);
    if (result.error)
        return result.error;
    std::size_t p = result.end;
    while (p < text.size() && isJsonSpace(text[p]))
        ++p;
    if (p < text.size())
        return SyntaxError{p, QStringLiteral("unexpected %1 after the JSON value").arg(describe(text[p]))};
    if (kind)
        *kind = result.kind;
    return std::nullopt;
}

std::size_t findSeparatorLenient(std::string_view text, std::size_t pos)
{
    const char *d = text.data();
    const std::size_t n = text.size();
    int depth = 0;
    std::size_t p = pos;
    while (p < n) {
        const char c = d[p];
        if (c == '"') {
            ++p;
            while (p < n && d[p] != '"')
                p += d[p] == '\\' ? 2 : 1;
            ++p;
            continue;
        }
        if (c == '{' || c == '[') {
            ++depth;
        } else if (c == '}' || c == ']') {
            if (depth == 0)
                return p;
            --depth;
        } else if (c == ',' && depth == 0) {
            return p;
        }
        ++p;
    }
    return npos;
}

TextPosition textPosition(std::string_view text, std::size_t offset)
{
    TextPosition position;
    offset = std::min(offset, text.size());
    std::size_t lineStart = 0;
    for (std::size_t i = 0; i < offset; ++i) {
        if (text[i] == '\n') {
            ++position.line;
            lineStart = i + 1;
        }
    }
    for (std::size_t i = lineStart; i < offset; ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80)
            ++position.column;
    }
    return position;
}

} // namespace assay::dataset::json
