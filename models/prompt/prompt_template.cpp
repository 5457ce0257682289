#include "models/prompt/prompt_template.h"

#include <optional>
#include <vector>

namespace assay::prompt {

namespace {

// One step of a variable path: `.name` / `["name"]` (a key) or `[3]` (an index).
struct Segment {
    QString key;
    std::optional<std::size_t> index;
};

bool isNameChar(QChar c)
{
    return c.isLetterOrNumber() || c == QLatin1Char('_') || c == QLatin1Char('-');
}

// Parses `item.a.b[0].c` / `name` / `row["first name"]`. Anything else is not a variable, so
// text such as `{{ not a variable }}` or JSON with `}}` in it is left alone.
std::optional<std::vector<Segment>> parsePath(const QString &path)
{
    std::vector<Segment> segments;
    const qsizetype n = path.size();
    qsizetype pos = 0;
    bool expectName = true; // at the start and after '.', a name must follow
    while (pos < n) {
        const QChar c = path.at(pos);
        if (c == QLatin1Char('[')) {
            if (!segments.empty() && expectName)
                return std::nullopt; // "a.[0]"
            ++pos;
            if (pos >= n)
                return std::nullopt;
            const QChar open = path.at(pos);
            Segment segment;
            if (open == QLatin1Char('"') || open == QLatin1Char('\'')) {
                const qsizetype close = path.indexOf(open, pos + 1);
                if (close < 0)
                    return std::nullopt;
                segment.key = path.mid(pos + 1, close - pos - 1);
                pos = close + 1;
            } else {
                const qsizetype digitsStart = pos;
                while (pos < n && path.at(pos).isDigit() && path.at(pos).unicode() < 128)
                    ++pos;
                if (pos == digitsStart)
                    return std::nullopt;
                bool ok = false;
                const qulonglong value = path.mid(digitsStart, pos - digitsStart).toULongLong(&ok);
                if (!ok)
                    return std::nullopt;
                segment.index = static_cast<std::size_t>(value);
            }
            if (pos >= n || path.at(pos) != QLatin1Char(']'))
                return std::nullopt;
            ++pos;
            segments.push_back(std::move(segment));
            expectName = false;
        } else if (c == QLatin1Char('.')) {
            if (expectName)
                return std::nullopt; // ".a" or "a..b"
            expectName = true;
            ++pos;
        } else if (isNameChar(c)) {
            if (!expectName)
                return std::nullopt; // "a[0]b"
            const qsizetype start = pos;
            while (pos < n && isNameChar(path.at(pos)))
                ++pos;
            segments.push_back(Segment{path.mid(start, pos - start), std::nullopt});
            expectName = false;
        } else {
            return std::nullopt;
        }
    }
    if (segments.empty() || expectName)
        return std::nullopt; // empty or trailing '.'
    return segments;
}

bool isAsciiNumber(const QString &text)
{
    if (text.isEmpty())
        return false;
    for (const QChar c : text) {
        if (c.unicode() < '0' || c.unicode() > '9')
            return false;
    }
    return true;
}

const nlohmann::json *resolve(const nlohmann::json &context, const std::vector<Segment> &segments)
{
    const nlohmann::json *current = &context;
    for (const Segment &segment : segments) {
        if (segment.index) {
            if (current->is_array()) {
                if (*segment.index >= current->size())
                    return nullptr;
                current = &(*current)[*segment.index];
                continue;
            }
            if (current->is_object()) {
                const auto it = current->find(std::to_string(*segment.index));
                if (it == current->end())
                    return nullptr;
                current = &*it;
                continue;
            }
            return nullptr;
        }
        if (current->is_object()) {
            const auto it = current->find(segment.key.toStdString());
            if (it == current->end())
                return nullptr;
            current = &*it;
        } else if (current->is_array() && isAsciiNumber(segment.key)) {
            // `items.0` reads as an index too, as JSON-path-like syntaxes allow.
            const std::size_t index = segment.key.toULongLong();
            if (index >= current->size())
                return nullptr;
            current = &(*current)[index];
        } else {
            return nullptr;
        }
    }
    return current;
}

QString valueText(const nlohmann::json &value)
{
    if (value.is_string())
        return QString::fromStdString(value.get<std::string>());
    return QString::fromStdString(value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

} // namespace

QList<PromptTemplate::Span> PromptTemplate::findVariables(const QString &text)
{
    QList<Span> spans;
    const QString open = QStringLiteral("{{");
    const QString close = QStringLiteral("}}");
    qsizetype from = 0;
    while (true) {
        const qsizetype start = text.indexOf(open, from);
        if (start < 0)
            break;
        const qsizetype end = text.indexOf(close, start + 2);
        if (end < 0)
            break;
        const QString path = text.mid(start + 2, end - start - 2).trimmed();
        if (parsePath(path)) {
            spans.append(Span{start, end + 2 - start, path});
            from = end + 2;
        } else {
            // Not a variable here; "{{{name}}}" still finds "{{name}}" one character later.
            from = start + 1;
        }
    }
    return spans;
}

QStringList PromptTemplate::variableNames(const QString &text)
{
    QStringList names;
    for (const Span &span : findVariables(text)) {
        if (!names.contains(span.path))
            names.append(span.path);
    }
    return names;
}

QString PromptTemplate::render(const QString &text, const nlohmann::json &context, QStringList *unresolved)
{
    const QList<Span> spans = findVariables(text);
    if (spans.isEmpty())
        return text;
    QString out;
    out.reserve(text.size());
    qsizetype copied = 0;
    for (const Span &span : spans) {
        out.append(QStringView(text).mid(copied, span.start - copied));
        copied = span.start + span.length;
        const nlohmann::json *value = resolve(context, *parsePath(span.path));
        if (!value && context.is_object()) {
            // A flat table may name a column "user.name": take the literal key as a last resort.
            const auto it = context.find(span.path.toStdString());
            if (it != context.end())
                value = &*it;
        }
        if (value) {
            out.append(valueText(*value));
        } else {
            out.append(QStringView(text).mid(span.start, span.length));
            if (unresolved && !unresolved->contains(span.path))
                unresolved->append(span.path);
        }
    }
    out.append(QStringView(text).mid(copied));
    return out;
}

} // namespace assay::prompt
