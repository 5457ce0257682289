#pragma once

#include <string>
#include <string_view>
#include <vector>

// Text handling shared by the metrics. The reference implementations are Python, so "a character"
// means a Unicode code point and whitespace, lowercasing and splitting follow CPython 3.11.
namespace assay::eval::metrics {

// UTF-8 to code points; an invalid byte becomes U+FFFD (the references never see invalid UTF-8:
// they are given decoded Python strings).
std::u32string decodeUtf8(std::string_view text);
void decodeUtf8(std::string_view text, std::u32string &out);
std::string encodeUtf8(std::u32string_view text);

// Python str.isspace() for one code point (the set str.split() splits on).
bool isPythonSpace(char32_t c);

// Python str.split() with no arguments: runs of whitespace separate tokens, no empty tokens.
std::vector<std::string_view> splitPythonWhitespace(std::string_view text);
void splitPythonWhitespace(std::string_view text, std::vector<std::string_view> &out);

// Python str.lower(): full lowercase mapping (U+0130 becomes "i" + U+0307) and the Final_Sigma
// rule for U+03A3. Simple mappings come from QChar (Unicode 14 in Qt 6.4, as in Python 3.11).
std::u32string pythonLower(std::u32string_view text);

// rouge-score 0.1.2 tokenize.tokenize(text, stemmer=None): text.lower(), every run of characters
// other than [a-z0-9] becomes a space, split, drop empty tokens. Only ASCII letters and digits
// survive, plus the two non-ASCII letters whose Python lowercase is ASCII (U+0130 -> "i" then a
// combining dot that separates, U+212A KELVIN SIGN -> "k"). Tokens are appended to `buffer`; each
// token is (offset, length) into it.
struct TokenSpan {
    std::size_t offset;
    std::size_t length;
};
void rougeTokenize(std::string_view text, std::string &buffer, std::vector<TokenSpan> &tokens);
std::vector<std::string> rougeTokens(std::string_view text);

} // namespace assay::eval::metrics
