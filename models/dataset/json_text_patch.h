#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Edits JSON text in place: finds a value's byte span by its column path and replaces, inserts,
// removes or renames a member while every other byte of the text stays exactly as it was (number
// spellings such as 1.0e10, \u00e9 escapes, key order, whitespace). That is what lets a dataset
// row be edited without re-serialising it.
//
// Every function here expects syntactically valid JSON (json::checkSyntax passed); on other text
// the results are unspecified but memory-safe.
//
// Column paths are object keys joined with '.' (`ticket.subject`). A key that itself contains a
// dot is matched too: at each level the longest key that matches a prefix of the path wins.
namespace assay::dataset::jsontext {

struct Span {
    std::size_t begin = 0;
    std::size_t end = 0;
    std::size_t size() const { return end - begin; }
    bool operator==(const Span &) const = default;
};

struct Member {
    Span key; // the key's string token, quotes included
    Span value;
};

std::size_t skipWhitespace(std::string_view text, std::size_t pos);
// pos at the opening quote of a string token; returns one past its closing quote.
std::size_t skipString(std::string_view text, std::size_t pos);
// pos at the first byte of a value; returns one past it.
std::size_t skipValue(std::string_view text, std::size_t pos);

// The top-level value of the text (surrounding whitespace excluded).
Span rootValue(std::string_view text);
// Members of the object starting at objectBegin ('{'), in text order.
std::vector<Member> members(std::string_view text, std::size_t objectBegin);

// The object holding a dataset row's item: the root object, or the value of "item" when the root is
// exactly {"item": {...}} (the wrapper the Evals API uses for run data sources). nullopt when the
// root is not an object.
std::optional<Span> itemObject(std::string_view text, bool *wrapped = nullptr);

// A string token (quotes included) decoded to UTF-8.
std::string decodeString(std::string_view token);
// The same, appended to `out`.
void appendDecoded(std::string &out, std::string_view token);
// UTF-8 text as a JSON string token: '"', '\\' and control characters escaped, the rest kept as is.
std::string encodeString(std::string_view utf8);

struct Location {
    Span key;
    Span value;
    Span parent; // the object holding the member
};
// The member at `column` inside `object` (a span from itemObject or a nested object).
std::optional<Location> find(std::string_view text, Span object, std::string_view column);

// Sets the value at `column` to `valueJson` (JSON text): replaces the value's bytes when present,
// otherwise appends a member (creating objects on the way) in the object's own spacing style.
// nullopt when a step of the path exists but is not an object.
std::optional<std::string> setValue(std::string_view text, Span object, std::string_view column,
                                    std::string_view valueJson);
// Like setValue but only when `column` is absent; nullopt when it is present or cannot be created.
std::optional<std::string> insertValue(std::string_view text, Span object, std::string_view column,
                                       std::string_view valueJson);
// Removes the member at `column`; nullopt when it is absent.
std::optional<std::string> removeValue(std::string_view text, Span object, std::string_view column);
// Moves the member at `from` to `to`. When both have the same parent only the key token changes
// (the member keeps its place); otherwise the member is removed and appended under `to`. nullopt
// when `from` is absent or `to` already exists.
std::optional<std::string> renameKey(std::string_view text, Span object, std::string_view from,
                                     std::string_view to);

// The text without whitespace outside strings (numbers and escapes untouched).
std::string minify(std::string_view json);

// Calls visit(Span token) for every scalar value inside `value` (strings as tokens with quotes,
// numbers, true/false/null), in text order, skipping object keys. Stops when visit returns false;
// returns false then.
template <typename Visit> bool forEachScalar(std::string_view text, Span value, Visit &&visit)
{
    // Container kinds by depth (true: object), on the stack: no allocation per row.
    constexpr int kMaxDepth = 512;
    bool inObject[kMaxDepth];
    int depth = 0;
    std::size_t p = value.begin;
    const std::size_t end = value.end;
    bool expectKey = false;
    while (p < end) {
        const char c = text[p];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ':') {
            ++p;
        } else if (c == ',') {
            expectKey = depth > 0 && depth <= kMaxDepth && inObject[depth - 1];
            ++p;
        } else if (c == '{' || c == '[') {
            if (depth < kMaxDepth)
                inObject[depth] = c == '{';
            ++depth;
            expectKey = c == '{';
            ++p;
        } else if (c == '}' || c == ']') {
            if (depth > 0)
                --depth;
            expectKey = false;
            ++p;
        } else if (c == '"') {
            const std::size_t tokenEnd = skipString(text, p);
            if (!expectKey && !visit(Span{p, tokenEnd}))
                return false;
            expectKey = false;
            p = tokenEnd;
        } else {
            std::size_t q = p;
            while (q < end && text[q] != ',' && text[q] != '}' && text[q] != ']' && text[q] != ' ' &&
                   text[q] != '\t' && text[q] != '\n' && text[q] != '\r')
                ++q;
            if (!visit(Span{p, q}))
                return false;
            p = q;
        }
    }
    return true;
}

} // namespace assay::dataset::jsontext
