#include "models/eval/metrics/text_tokenize.h"

#include <QChar>

namespace assay::eval::metrics {

namespace {

constexpr char32_t kReplacement = 0xFFFD;

// Decodes one code point at text[i], advancing i; strict UTF-8 (no overlongs, no surrogates).
char32_t decodeOne(std::string_view text, std::size_t &i)
{
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char b0 = byte(i);
    if (b0 < 0x80) {
        ++i;
        return b0;
    }
    int extra = 0;
    char32_t c = 0;
    char32_t min = 0;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        extra = 1;
        c = b0 & 0x1F;
        min = 0x80;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        extra = 2;
        c = b0 & 0x0F;
        min = 0x800;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        extra = 3;
        c = b0 & 0x07;
        min = 0x10000;
    } else {
        ++i;
        return kReplacement;
    }
    if (i + static_cast<std::size_t>(extra) >= text.size()) {
        ++i;
        return kReplacement;
    }
    for (int k = 1; k <= extra; ++k) {
        const unsigned char b = byte(i + static_cast<std::size_t>(k));
        if ((b & 0xC0) != 0x80) {
            ++i;
            return kReplacement;
        }
        c = (c << 6) | (b & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
        ++i;
        return kReplacement;
    }
    i += static_cast<std::size_t>(extra) + 1;
    return c;
}

// Unicode "Cased" (Lowercase, Uppercase or Lt). QChar has no Other_Lowercase/Other_Uppercase
// property, so the letter categories stand in for it; this only matters for the Final_Sigma rule.
bool isCased(char32_t c)
{
    return QChar::isLower(c) || QChar::isUpper(c) || QChar::isTitleCase(c);
}

// Unicode "Case_Ignorable": Mn, Me, Cf, Lm, Sk, or Word_Break MidLetter/MidNumLet/Single_Quote.
bool isCaseIgnorable(char32_t c)
{
    switch (c) {
    case 0x0027: case 0x002E: case 0x003A: case 0x00B7: case 0x0387: case 0x055F: case 0x05F4:
    case 0x2018: case 0x2019: case 0x2024: case 0x2027: case 0xFE13: case 0xFE52: case 0xFE55:
    case 0xFF07: case 0xFF0E: case 0xFF1A:
        return true;
    default:
        break;
    }
    switch (QChar::category(c)) {
    case QChar::Mark_NonSpacing:
    case QChar::Mark_Enclosing:
    case QChar::Other_Format:
    case QChar::Letter_Modifier:
    case QChar::Symbol_Modifier:
        return true;
    default:
        return false;
    }
}

// CPython's handle_capital_sigma (Objects/unicodeobject.c).
char32_t lowerSigma(std::u32string_view text, std::size_t i)
{
    std::size_t j = i;
    char32_t c = 0;
    bool found = false;
    while (j > 0) {
        --j;
        c = text[j];
        if (!isCaseIgnorable(c)) {
            found = true;
            break;
        }
    }
    bool finalSigma = found && isCased(c);
    if (finalSigma && i + 1 < text.size()) {
        std::size_t k = i + 1;
        for (; k < text.size(); ++k) {
            c = text[k];
            if (!isCaseIgnorable(c))
                break;
        }
        finalSigma = k == text.size() || !isCased(c);
    }
    return finalSigma ? 0x3C2 : 0x3C3;
}

bool isAsciiAlnumLower(unsigned char b)
{
    return (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9');
}

} // namespace

void decodeUtf8(std::string_view text, std::u32string &out)
{
    out.clear();
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        const auto b = static_cast<unsigned char>(text[i]);
        if (b < 0x80) {
            out.push_back(b);
            ++i;
        } else {
            out.push_back(decodeOne(text, i));
        }
    }
}

std::u32string decodeUtf8(std::string_view text)
{
    std::u32string out;
    decodeUtf8(text, out);
    return out;
}

std::string encodeUtf8(std::u32string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (char32_t c : text) {
        if (c < 0x80) {
            out.push_back(static_cast<char>(c));
        } else if (c < 0x800) {
            out.push_back(static_cast<char>(0xC0 | (c >> 6)));
            out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
        } else if (c < 0x10000) {
            out.push_back(static_cast<char>(0xE0 | (c >> 12)));
            out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
        } else {
            out.push_back(static_cast<char>(0xF0 | (c >> 18)));
            out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
        }
    }
    return out;
}

bool isPythonSpace(char32_t c)
{
    if (c < 0x80)
        return c == 0x20 || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F);
    switch (c) {
    case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F:
    case 0x3000:
        return true;
    default:
        return c >= 0x2000 && c <= 0x200A;
    }
}

void splitPythonWhitespace(std::string_view text, std::vector<std::string_view> &out)
{
    out.clear();
    std::size_t i = 0;
    std::size_t start = std::string_view::npos;
    while (i < text.size()) {
        const auto b = static_cast<unsigned char>(text[i]);
        const std::size_t at = i;
        bool space = false;
        if (b < 0x80) {
            space = b == 0x20 || (b >= 0x09 && b <= 0x0D) || (b >= 0x1C && b <= 0x1F);
            ++i;
        } else {
            space = isPythonSpace(decodeOne(text, i));
        }
        if (space) {
            if (start != std::string_view::npos) {
                out.push_back(text.substr(start, at - start));
                start = std::string_view::npos;
            }
        } else if (start == std::string_view::npos) {
            start = at;
        }
    }
    if (start != std::string_view::npos)
        out.push_back(text.substr(start));
}

std::vector<std::string_view> splitPythonWhitespace(std::string_view text)
{
    std::vector<std::string_view> out;
    splitPythonWhitespace(text, out);
    return out;
}

std::u32string pythonLower(std::u32string_view text)
{
    std::u32string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char32_t c = text[i];
        if (c < 0x80) {
            out.push_back(c >= U'A' && c <= U'Z' ? c + 32 : c);
        } else if (c == 0x130) {
            // The one unconditional multi-character lowercase mapping in SpecialCasing.txt.
            out.push_back(U'i');
            out.push_back(0x307);
        } else if (c == 0x3A3) {
            out.push_back(lowerSigma(text, i));
        } else {
            out.push_back(QChar::toLower(c));
        }
    }
    return out;
}

void rougeTokenize(std::string_view text, std::string &buffer, std::vector<TokenSpan> &tokens)
{
    buffer.clear();
    tokens.clear();
    buffer.reserve(text.size());
    std::size_t start = std::string::npos;
    const auto closeToken = [&] {
        if (start != std::string::npos) {
            tokens.push_back({start, buffer.size() - start});
            start = std::string::npos;
        }
    };
    const auto append = [&](char c) {
        if (start == std::string::npos)
            start = buffer.size();
        buffer.push_back(c);
    };
    std::size_t i = 0;
    while (i < text.size()) {
        const auto b = static_cast<unsigned char>(text[i]);
        if (b < 0x80) {
            ++i;
            const auto lower = static_cast<unsigned char>(b >= 'A' && b <= 'Z' ? b + 32 : b);
            if (isAsciiAlnumLower(lower))
                append(static_cast<char>(lower));
            else
                closeToken();
            continue;
        }
        const char32_t c = decodeOne(text, i);
        if (c == 0x130) { // lowercases to "i" + U+0307; the combining dot is a separator
            append('i');
            closeToken();
        } else if (c == 0x212A) { // KELVIN SIGN lowercases to ASCII "k"
            append('k');
        } else {
            closeToken();
        }
    }
    closeToken();
}

std::vector<std::string> rougeTokens(std::string_view text)
{
    std::string buffer;
    std::vector<TokenSpan> spans;
    rougeTokenize(text, buffer, spans);
    std::vector<std::string> out;
    out.reserve(spans.size());
    for (const TokenSpan &span : spans)
        out.push_back(buffer.substr(span.offset, span.length));
    return out;
}

} // namespace assay::eval::metrics
