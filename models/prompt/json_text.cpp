#include "models/prompt/json_text.h"

#include <algorithm>
#include <stdexcept>

namespace assay::prompt {

namespace {

// nlohmann reports a 1-based byte offset; people count lines and characters.
QString locate(const std::string &text, std::size_t byte)
{
    int line = 1;
    int column = 0;
    const std::size_t end = std::min(byte, text.size());
    for (std::size_t i = 0; i < end; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '\n') {
            ++line;
            column = 0;
        } else if ((c & 0xC0) != 0x80) { // count UTF-8 lead bytes, not continuation bytes
            ++column;
        }
    }
    return QStringLiteral("line %1, column %2").arg(line).arg(std::max(column, 1));
}

} // namespace

nlohmann::json parseJsonText(const std::string &text)
{
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error &error) {
        // what() is "[json.exception.parse_error.101] parse error at line 1, column 2: ...";
        // keep only the part after the location, which we compute ourselves.
        std::string what = error.what();
        const std::size_t colon = what.find(": ", what.find("parse error"));
        const std::string reason = colon == std::string::npos ? what : what.substr(colon + 2);
        throw std::runtime_error(
            (locate(text, error.byte) + QStringLiteral(": ") + QString::fromStdString(reason)).toStdString());
    }
}

QString jsonPathKey(const std::string &key)
{
    bool identifier = !key.empty() && !(key[0] >= '0' && key[0] <= '9');
    for (const char c : key) {
        const bool ok =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        if (!ok) {
            identifier = false;
            break;
        }
    }
    if (identifier)
        return QLatin1Char('.') + QString::fromStdString(key);
    QString escaped = QString::fromStdString(key);
    escaped.replace(QLatin1Char('\\'), QLatin1String("\\\\"))
        .replace(QLatin1Char('\''), QLatin1String("\\'"));
    return QStringLiteral("['") + escaped + QStringLiteral("']");
}

} // namespace assay::prompt
