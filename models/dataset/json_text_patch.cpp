#include "models/dataset/json_text_patch.h"

#include <cstring>

namespace assay::dataset::jsontext {

namespace {

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
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

unsigned hex4(std::string_view s, std::size_t at)
{
    unsigned value = 0;
    for (std::size_t i = 0; i < 4 && at + i < s.size(); ++i)
        value = value * 16 + static_cast<unsigned>(std::max(0, hexValue(s[at + i])));
    return value;
}

void appendUtf8(std::string &out, unsigned cp)
{
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

// The key's text; raw bytes unless it holds escapes.
std::string keyText(std::string_view text, Span key)
{
    const std::string_view inner = text.substr(key.begin + 1, key.size() - 2);
    if (inner.find('\\') == std::string_view::npos)
        return std::string(inner);
    return decodeString(text.substr(key.begin, key.size()));
}

// How an object spaces its members, so an inserted member looks like its neighbours.
struct Style {
    std::string colon = ":";
    std::string separator = ",";
};

Style styleOf(std::string_view text, std::size_t objectBegin, const std::vector<Member> &list)
{
    Style style;
    if (list.empty())
        return style;
    const Member &first = list.front();
    // Between the key's closing quote and the value: e.g. ": " or ":".
    style.colon = std::string(text.substr(first.key.end, first.value.begin - first.key.end));
    if (list.size() >= 2) {
        style.separator = std::string(text.substr(first.value.end, list[1].key.begin - first.value.end));
    } else {
        // One member: a multi-line object indents like its first member; a one-line object puts a
        // space after the comma when it puts one after the colon.
        const std::string_view lead = text.substr(objectBegin + 1, first.key.begin - objectBegin - 1);
        if (lead.find('\n') != std::string_view::npos)
            style.separator = std::string(",") + std::string(lead);
        else
            style.separator = style.colon.find(' ') != std::string::npos ? ", " : ",";
    }
    return style;
}

struct Resolved {
    std::optional<Location> found;
    Span object;                // the deepest object reached
    std::string_view remaining; // the part of the column not matched below `object`
    bool blocked = false;       // the next step exists but is not an object
};

// Calls visit(Member) for each member of the object at objectBegin, without allocating; stops when
// visit returns false.
template <typename Visit> void forEachMember(std::string_view text, std::size_t objectBegin, Visit &&visit)
{
    std::size_t p = skipWhitespace(text, objectBegin + 1);
    while (p < text.size() && text[p] == '"') {
        Member member;
        member.key = {p, skipString(text, p)};
        p = skipWhitespace(text, member.key.end);
        if (p >= text.size() || text[p] != ':')
            return;
        p = skipWhitespace(text, p + 1);
        member.value = {p, skipValue(text, p)};
        if (!visit(member))
            return;
        p = skipWhitespace(text, member.value.end);
        if (p >= text.size() || text[p] != ',')
            return;
        p = skipWhitespace(text, p + 1);
    }
}

Resolved resolve(std::string_view text, Span object, std::string_view column)
{
    Resolved r;
    r.object = object;
    r.remaining = column;
    std::string decoded;
    for (;;) {
        std::optional<Member> full;
        std::optional<Member> partial;
        std::size_t partialLength = 0;
        bool prefixIsScalar = false;
        forEachMember(text, r.object.begin, [&](const Member &member) {
            std::string_view key = text.substr(member.key.begin + 1, member.key.size() - 2);
            if (key.find('\\') != std::string_view::npos) {
                decoded = decodeString(text.substr(member.key.begin, member.key.size()));
                key = decoded;
            }
            if (key == r.remaining) {
                full = member;
                return false;
            }
            if (r.remaining.size() > key.size() && r.remaining[key.size()] == '.' &&
                r.remaining.compare(0, key.size(), key) == 0) {
                if (text[member.value.begin] == '{') {
                    if (key.size() >= partialLength) {
                        partial = member;
                        partialLength = key.size();
                    }
                } else {
                    prefixIsScalar = true;
                }
            }
            return true;
        });
        if (full) {
            r.found = Location{full->key, full->value, r.object};
            return r;
        }
        if (!partial) {
            r.blocked = prefixIsScalar;
            return r;
        }
        r.object = partial->value;
        r.remaining = r.remaining.substr(partialLength + 1);
    }
}

// JSON for `remaining` (a dotted path) holding valueJson: "key":value, nesting objects on the dots.
std::string memberText(std::string_view remaining, std::string_view valueJson, const Style &style)
{
    const std::size_t dot = remaining.find('.');
    if (dot == std::string_view::npos || dot == 0 || dot + 1 == remaining.size())
        return encodeString(remaining) + style.colon + std::string(valueJson);
    Style inner;
    inner.colon = style.colon;
    return encodeString(remaining.substr(0, dot)) + style.colon + "{" +
           memberText(remaining.substr(dot + 1), valueJson, inner) + "}";
}

std::string insertMember(std::string_view text, Span object, std::string_view remaining,
                         std::string_view valueJson)
{
    const std::vector<Member> list = members(text, object.begin);
    const Style style = styleOf(text, object.begin, list);
    std::string out;
    out.reserve(text.size() + remaining.size() + valueJson.size() + 8);
    if (list.empty()) {
        out.append(text.substr(0, object.begin + 1));
        out += memberText(remaining, valueJson, style);
        out.append(text.substr(object.begin + 1));
    } else {
        const std::size_t at = list.back().value.end;
        out.append(text.substr(0, at));
        out += style.separator;
        out += memberText(remaining, valueJson, style);
        out.append(text.substr(at));
    }
    return out;
}

std::string removeMember(std::string_view text, const Location &location)
{
    const std::vector<Member> list = members(text, location.parent.begin);
    std::size_t index = 0;
    while (index < list.size() && list[index].key.begin != location.key.begin)
        ++index;
    Span cut;
    if (list.size() == 1) {
        cut = {location.key.begin, location.value.end};
    } else if (index == 0) {
        cut = {location.key.begin, list[1].key.begin};
    } else {
        cut = {list[index - 1].value.end, location.value.end};
    }
    std::string out(text.substr(0, cut.begin));
    out.append(text.substr(cut.end));
    return out;
}

} // namespace

std::size_t skipWhitespace(std::string_view text, std::size_t pos)
{
    while (pos < text.size() && isSpace(text[pos]))
        ++pos;
    return pos;
}

std::size_t skipString(std::string_view text, std::size_t pos)
{
    const std::size_t n = text.size();
    std::size_t p = pos + 1;
    for (;;) {
        const void *hit = p < n ? std::memchr(text.data() + p, '"', n - p) : nullptr;
        if (!hit)
            return n;
        std::size_t q = static_cast<std::size_t>(static_cast<const char *>(hit) - text.data());
        // The quote is escaped when an odd number of backslashes precede it.
        std::size_t backslashes = 0;
        while (q - backslashes > p && text[q - backslashes - 1] == '\\')
            ++backslashes;
        if (backslashes % 2 == 0)
            return q + 1;
        p = q + 1;
    }
}

std::size_t skipValue(std::string_view text, std::size_t pos)
{
    const std::size_t n = text.size();
    if (pos >= n)
        return n;
    const char c = text[pos];
    if (c == '"')
        return skipString(text, pos);
    if (c == '{' || c == '[') {
        int depth = 0;
        std::size_t p = pos;
        while (p < n) {
            const char ch = text[p];
            if (ch == '"') {
                p = skipString(text, p);
                continue;
            }
            if (ch == '{' || ch == '[') {
                ++depth;
            } else if (ch == '}' || ch == ']') {
                if (--depth == 0)
                    return p + 1;
            }
            ++p;
        }
        return n;
    }
    std::size_t p = pos;
    while (p < n && text[p] != ',' && text[p] != '}' && text[p] != ']' && !isSpace(text[p]))
        ++p;
    return p;
}

Span rootValue(std::string_view text)
{
    const std::size_t begin = skipWhitespace(text, 0);
    return {begin, skipValue(text, begin)};
}

std::vector<Member> members(std::string_view text, std::size_t objectBegin)
{
    std::vector<Member> list;
    std::size_t p = skipWhitespace(text, objectBegin + 1);
    while (p < text.size() && text[p] == '"') {
        Member member;
        member.key = {p, skipString(text, p)};
        p = skipWhitespace(text, member.key.end);
        if (p >= text.size() || text[p] != ':')
            break;
        p = skipWhitespace(text, p + 1);
        member.value = {p, skipValue(text, p)};
        list.push_back(member);
        p = skipWhitespace(text, member.value.end);
        if (p >= text.size() || text[p] != ',')
            break;
        p = skipWhitespace(text, p + 1);
    }
    return list;
}

std::optional<Span> itemObject(std::string_view text, bool *wrapped)
{
    if (wrapped)
        *wrapped = false;
    const std::size_t begin = skipWhitespace(text, 0);
    if (begin >= text.size() || text[begin] != '{')
        return std::nullopt;
    // Valid JSON: the root object ends at the last non-space byte. Only the first two members are
    // looked at, so this costs little on a long row.
    std::size_t end = text.size();
    while (end > begin && isSpace(text[end - 1]))
        --end;
    int count = 0;
    Member first;
    forEachMember(text, begin, [&](const Member &member) {
        if (count++ == 0)
            first = member;
        return count < 2;
    });
    if (count == 1 && text[first.value.begin] == '{' && keyText(text, first.key) == "item") {
        if (wrapped)
            *wrapped = true;
        return first.value;
    }
    return Span{begin, end};
}

std::string decodeString(std::string_view token)
{
    std::string out;
    appendDecoded(out, token);
    return out;
}

void appendDecoded(std::string &out, std::string_view token)
{
    if (token.size() < 2)
        return;
    const std::string_view s = token.substr(1, token.size() - 2);
    if (s.find('\\') == std::string_view::npos) {
        out.append(s);
        return;
    }
    out.reserve(out.size() + s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c != '\\' || i + 1 >= s.size()) {
            out.push_back(c);
            continue;
        }
        const char e = s[++i];
        switch (e) {
        case 'b':
            out.push_back('\b');
            break;
        case 'f':
            out.push_back('\f');
            break;
        case 'n':
            out.push_back('\n');
            break;
        case 'r':
            out.push_back('\r');
            break;
        case 't':
            out.push_back('\t');
            break;
        case 'u': {
            unsigned cp = hex4(s, i + 1);
            i += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 < s.size() && s[i + 1] == '\\' && s[i + 2] == 'u') {
                const unsigned low = hex4(s, i + 3);
                if (low >= 0xDC00 && low <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                    i += 6;
                }
            }
            appendUtf8(out, cp);
            break;
        }
        default:
            out.push_back(e);
            break; // '"', '\\', '/'
        }
    }
}

std::string encodeString(std::string_view utf8)
{
    static const char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(utf8.size() + 2);
    out.push_back('"');
    for (char c : utf8) {
        const auto u = static_cast<unsigned char>(c);
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\b':
            out += "\\b";
            break;
        case '\f':
            out += "\\f";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (u < 0x20) {
                out += "\\u00";
                out.push_back(hex[u >> 4]);
                out.push_back(hex[u & 0xF]);
            } else {
                out.push_back(c);
            }
        }
    }
    out.push_back('"');
    return out;
}

std::optional<Location> find(std::string_view text, Span object, std::string_view column)
{
    return resolve(text, object, column).found;
}

std::optional<std::string> setValue(std::string_view text, Span object, std::string_view column,
                                    std::string_view valueJson)
{
    const Resolved r = resolve(text, object, column);
    if (r.found) {
        std::string out(text.substr(0, r.found->value.begin));
        out.append(valueJson);
        out.append(text.substr(r.found->value.end));
        return out;
    }
    if (r.blocked)
        return std::nullopt;
    return insertMember(text, r.object, r.remaining, valueJson);
}

std::optional<std::string> insertValue(std::string_view text, Span object, std::string_view column,
                                       std::string_view valueJson)
{
    const Resolved r = resolve(text, object, column);
    if (r.found || r.blocked)
        return std::nullopt;
    return insertMember(text, r.object, r.remaining, valueJson);
}

std::optional<std::string> removeValue(std::string_view text, Span object, std::string_view column)
{
    const Resolved r = resolve(text, object, column);
    if (!r.found)
        return std::nullopt;
    return removeMember(text, *r.found);
}

std::optional<std::string> renameKey(std::string_view text, Span object, std::string_view from,
                                     std::string_view to)
{
    if (from == to)
        return std::nullopt;
    const Resolved source = resolve(text, object, from);
    if (!source.found)
        return std::nullopt;
    const Resolved target = resolve(text, object, to);
    if (target.found || target.blocked)
        return std::nullopt;
    // `from` = parentPath + key; when `to` = parentPath + newKey (no further dots) rename in place.
    const std::size_t parentLength = from.size() - source.remaining.size();
    const std::string_view parentPath = from.substr(0, parentLength);
    if (to.size() > parentLength && to.substr(0, parentLength) == parentPath &&
        to.substr(parentLength).find('.') == std::string_view::npos) {
        std::string out(text.substr(0, source.found->key.begin));
        out += encodeString(to.substr(parentLength));
        out.append(text.substr(source.found->key.end));
        return out;
    }
    const std::string valueJson(text.substr(source.found->value.begin, source.found->value.size()));
    const std::string removed = removeMember(text, *source.found);
    // The cut lies inside `object`, so the object still starts where it did.
    const Span shrunk{object.begin, object.end - (text.size() - removed.size())};
    return setValue(removed, shrunk, to, valueJson);
}

std::string minify(std::string_view json)
{
    std::string out;
    out.reserve(json.size());
    std::size_t p = 0;
    while (p < json.size()) {
        const char c = json[p];
        if (c == '"') {
            const std::size_t end = skipString(json, p);
            out.append(json.substr(p, end - p));
            p = end;
        } else {
            if (!isSpace(c))
                out.push_back(c);
            ++p;
        }
    }
    return out;
}

} // namespace assay::dataset::jsontext
