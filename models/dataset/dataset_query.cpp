#include "models/dataset/dataset_query.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <functional>

#include <QElapsedTimer>
#include <QRegularExpression>
#include <QStringDecoder>
#include <QThread>
#include <QThreadPool>

#include "models/dataset/csv_reader.h"
#include "models/dataset/dataset_document.h"
#include "models/dataset/json_syntax.h"
#include "models/dataset/json_text_patch.h"
#include "models/dataset/row_store.h"
#include "models/dataset/worker_relay.h"

namespace assay::dataset {

namespace {

constexpr qint64 kCheckEvery = 4096;
constexpr std::size_t kSortBytes = 64;

constexpr std::array<unsigned char, 256> makeFold()
{
    std::array<unsigned char, 256> table{};
    for (int c = 0; c < 256; ++c)
        table[static_cast<std::size_t>(c)] = static_cast<unsigned char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    return table;
}
constexpr std::array<unsigned char, 256> kFold = makeFold();

unsigned char fold(char c)
{
    return kFold[static_cast<unsigned char>(c)];
}

bool isAscii(const QString &text)
{
    for (QChar c : text) {
        if (c.unicode() >= 0x80)
            return false;
    }
    return true;
}

// A substring to find in raw bytes: memmem when case matters, else Horspool over ASCII-folded bytes.
class Needle {
public:
    Needle() = default;
    Needle(std::string bytes, bool foldCase) : m_bytes(std::move(bytes)), m_fold(foldCase)
    {
        if (m_fold) {
            for (char &c : m_bytes)
                c = static_cast<char>(fold(c));
            m_skip.fill(m_bytes.size());
            for (std::size_t i = 0; i + 1 < m_bytes.size(); ++i)
                m_skip[static_cast<unsigned char>(m_bytes[i])] = m_bytes.size() - 1 - i;
        }
        for (char c : m_bytes) {
            if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20)
                m_needsEscape = true;
            if (static_cast<unsigned char>(c) >= 0x80)
                m_ascii = false;
            if (c == '/')
                m_hasSlash = true;
        }
    }

    bool contains(std::string_view hay) const
    {
        const std::size_t m = m_bytes.size();
        if (m == 0)
            return true;
        if (hay.size() < m)
            return false;
        if (!m_fold) {
#ifdef __GLIBC__
            return memmem(hay.data(), hay.size(), m_bytes.data(), m) != nullptr;
#else
            return hay.find(m_bytes) != std::string_view::npos;
#endif
        }
        const char *h = hay.data();
        const std::size_t last = hay.size() - m;
        std::size_t i = 0;
        while (i <= last) {
            std::size_t j = m - 1;
            while (fold(h[i + j]) == static_cast<unsigned char>(m_bytes[j])) {
                if (j == 0)
                    return true;
                --j;
            }
            i += m_skip[fold(h[i + m - 1])];
        }
        return false;
    }

    // Whether JSON text that does not contain the needle literally may still hold it behind escapes.
    // An ASCII needle without quotes, backslashes or control characters can only hide behind a
    // \u escape of an ASCII character (or \/ when it holds a slash).
    bool mayHideInEscapes(std::string_view json) const
    {
        std::size_t backslash = json.find('\\');
        if (backslash == std::string_view::npos)
            return false;
        if (m_needsEscape || !m_ascii)
            return true;
        for (; backslash != std::string_view::npos && backslash + 1 < json.size();
             backslash = json.find('\\', backslash + 2)) {
            const char e = json[backslash + 1];
            if (e == '/' && m_hasSlash)
                return true;
            if (e == 'u' && backslash + 5 < json.size() && json[backslash + 2] == '0' &&
                json[backslash + 3] == '0' && json[backslash + 4] >= '0' && json[backslash + 4] <= '7')
                return true; // \u0000-\u007f
        }
        return false;
    }

    bool hasQuote() const
    {
        return m_bytes.find('"') != std::string::npos;
    }

private:
    std::string m_bytes;
    bool m_fold = false;
    bool m_needsEscape = false;
    bool m_hasSlash = false;
    bool m_ascii = true;
    std::array<std::size_t, 256> m_skip{};
};

struct CompiledFilter {
    bool active = false;
    bool hasText = false;
    bool useRegex = false;
    QString pattern;
    QRegularExpression::PatternOptions options;
    bool foldCase = false;
    std::string needle;
    std::string column;
    bool problemsOnly = false;
};

std::optional<CompiledFilter> compile(const RowFilter &filter, QString *error)
{
    CompiledFilter compiled;
    compiled.active = filter.isActive();
    compiled.hasText = !filter.text.isEmpty();
    compiled.problemsOnly = filter.problemsOnly;
    compiled.column = filter.column.toStdString();
    if (!compiled.hasText)
        return compiled;
    const bool unicodeFold = !filter.regex && !filter.caseSensitive && !isAscii(filter.text);
    if (filter.regex || unicodeFold) {
        compiled.useRegex = true;
        compiled.pattern = filter.regex ? filter.text : QRegularExpression::escape(filter.text);
        compiled.options = QRegularExpression::MultilineOption | QRegularExpression::DontCaptureOption;
        if (!filter.caseSensitive)
            compiled.options |= QRegularExpression::CaseInsensitiveOption;
        const QRegularExpression check(compiled.pattern, compiled.options);
        if (!check.isValid()) {
            if (error)
                *error = QStringLiteral("invalid regular expression: %1 (at offset %2)")
                             .arg(check.errorString())
                             .arg(check.patternErrorOffset());
            return std::nullopt;
        }
    } else {
        compiled.needle = filter.text.toStdString();
        compiled.foldCase = !filter.caseSensitive;
    }
    return compiled;
}

enum class KeyKind : quint8 { Bool = 1, Number = 2, String = 3, Missing = 4 };

struct SortKey {
    qint64 row = 0;
    double number = 0;
    quint32 offset = 0;
    quint32 length = 0;
    KeyKind kind = KeyKind::Missing;
    quint8 part = 0;
};

struct PartResult {
    std::vector<qint64> rows;
    std::vector<SortKey> keys;
    std::string arena;
};

bool parseNumber(std::string_view text, double &out)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    if (text.empty())
        return false;
    if (text.front() == '+')
        text.remove_prefix(1);
    const auto result = std::from_chars(text.data(), text.data() + text.size(), out);
    return result.ec == std::errc() && result.ptr == text.data() + text.size();
}

// Evaluates the filter and extracts sort keys for one row at a time; one per thread (a
// QRegularExpression is not shared between threads).
class RowEvaluator {
public:
    RowEvaluator(const RowStore &rows, const CompiledFilter &filter, const std::optional<RowSort> &sort)
        : m_rows(rows), m_filter(filter), m_needle(filter.needle, filter.foldCase)
    {
        if (filter.useRegex)
            m_regex = QRegularExpression(filter.pattern, filter.options);
        if (rows.format == DatasetFormat::Csv)
            m_filterColumnIndex = filter.column.empty() ? -1 : rows.columnIndex(filter.column);
        if (sort) {
            m_sortColumn = sort->column.toStdString();
            m_sortColumnIndex = rows.format == DatasetFormat::Csv ? rows.columnIndex(m_sortColumn) : -1;
        }
    }

    // Whether the row passes; `text` is set to its current text.
    bool matches(qint64 id, std::string_view &text)
    {
        text = m_rows.textOfId(id, m_buffer);
        if (!m_filter.active)
            return true;
        bool hasProblem = false;
        bool bad = false;
        if (m_rows.isPristine(id)) {
            if (m_rows.problems.size() > 0) {
                if (const IndexedProblem *problem = m_rows.problems.find(id)) {
                    hasProblem = true;
                    bad = problem->bad;
                }
            }
        } else if (const std::optional<ProblemCheck> check = m_rows.checkText(text, m_rows.lineOfId(id))) {
            hasProblem = true;
            bad = check->bad;
        }
        if (m_filter.problemsOnly && !hasProblem)
            return false;
        if (!m_filter.hasText)
            return true;
        if (bad)
            return rawMatches(text);
        if (m_rows.format == DatasetFormat::Csv)
            return csvMatches(text);
        return jsonMatches(text);
    }

    void appendKey(qint64 row, std::string_view text, qint64 id, quint8 part, PartResult &out)
    {
        SortKey key;
        key.row = row;
        key.part = part;
        std::string value;
        bool isString = true;
        if (!valueOf(id, text, m_sortColumn, m_sortColumnIndex, value, isString)) {
            out.keys.push_back(key);
            return;
        }
        if (!isString) {
            if (value == "null") {
                out.keys.push_back(key);
                return;
            }
            if (value == "true" || value == "false") {
                key.kind = KeyKind::Bool;
                key.number = value == "true" ? 1 : 0;
                out.keys.push_back(key);
                return;
            }
        }
        if (value.empty()) {
            out.keys.push_back(key);
            return;
        }
        if (parseNumber(value, key.number)) {
            key.kind = KeyKind::Number;
        } else {
            key.kind = KeyKind::String;
            key.offset = static_cast<quint32>(out.arena.size());
            const std::size_t length = std::min(value.size(), kSortBytes);
            for (std::size_t i = 0; i < length; ++i)
                out.arena.push_back(static_cast<char>(fold(value[i])));
            key.length = static_cast<quint32>(length);
        }
        out.keys.push_back(key);
    }

private:
    bool rawMatches(std::string_view text)
    {
        if (!m_filter.useRegex)
            return m_needle.contains(text);
        return regexMatches(text);
    }

    bool tokenContains(std::string_view text, jsontext::Span token)
    {
        const std::string_view raw = text.substr(token.begin, token.size());
        if (raw.front() != '"')
            return m_needle.contains(raw);
        const std::string_view inner = raw.substr(1, raw.size() - 2);
        if (inner.find('\\') == std::string_view::npos)
            return m_needle.contains(inner);
        m_scratch.clear();
        jsontext::appendDecoded(m_scratch, raw);
        return m_needle.contains(m_scratch);
    }

    void appendToken(std::string_view text, jsontext::Span token)
    {
        const std::string_view raw = text.substr(token.begin, token.size());
        if (raw.front() == '"')
            jsontext::appendDecoded(m_joined, raw);
        else
            m_joined.append(raw);
        m_joined.push_back('\n');
    }

    bool regexMatchesJoined()
    {
        if (!m_joined.empty())
            m_joined.pop_back();
        return regexMatches(m_joined);
    }

    // Decodes into a reused buffer: no allocation per row once it is large enough.
    bool regexMatches(std::string_view utf8)
    {
        const auto size = static_cast<qsizetype>(utf8.size());
        if (m_subject.capacity() < size)
            m_subject.reserve(size * 2);
        m_subject.resize(size); // UTF-16 never needs more units than UTF-8 has bytes
        m_decoder.resetState();
        QChar *end = m_decoder.appendToBuffer(m_subject.data(), QByteArrayView(utf8.data(), size));
        m_subject.truncate(end - m_subject.constData());
        // The decoder always produces valid UTF-16: skip PCRE2's check of the subject.
        return m_regex
            .match(QStringView(m_subject), 0, QRegularExpression::NormalMatch,
                   QRegularExpression::DontCheckSubjectStringMatchOption)
            .hasMatch();
    }

    bool spanMatches(std::string_view text, jsontext::Span span)
    {
        if (m_filter.useRegex) {
            m_joined.clear();
            jsontext::forEachScalar(text, span, [&](jsontext::Span token) {
                appendToken(text, token);
                return true;
            });
            return regexMatchesJoined();
        }
        return !jsontext::forEachScalar(text, span,
                                        [&](jsontext::Span token) { return !tokenContains(text, token); });
    }

    bool jsonMatches(std::string_view text)
    {
        if (m_filter.column.empty()) {
            if (!m_filter.useRegex && !m_needle.contains(text) && !m_needle.mayHideInEscapes(text))
                return false;
            return spanMatches(text, jsontext::rootValue(text));
        }
        const std::optional<jsontext::Span> item = jsontext::itemObject(text);
        if (!item)
            return false;
        const std::optional<jsontext::Location> location = jsontext::find(text, *item, m_filter.column);
        return location && spanMatches(text, location->value);
    }

    bool csvMatches(std::string_view text)
    {
        if (!m_filter.useRegex && m_filter.column.empty() && !m_needle.hasQuote() && !m_needle.contains(text))
            return false;
        const std::vector<csv::Field> fields = csv::splitRecord(text);
        if (!m_filter.column.empty()) {
            if (m_filterColumnIndex < 0 || static_cast<std::size_t>(m_filterColumnIndex) >= fields.size())
                return false;
            const std::string value =
                csv::fieldValue(text, fields[static_cast<std::size_t>(m_filterColumnIndex)]);
            if (!m_filter.useRegex)
                return m_needle.contains(value);
            return regexMatches(value);
        }
        if (m_filter.useRegex) {
            m_joined.clear();
            for (const csv::Field &field : fields) {
                m_joined += csv::fieldValue(text, field);
                m_joined.push_back('\n');
            }
            return regexMatchesJoined();
        }
        for (const csv::Field &field : fields) {
            if (!field.quoted ? m_needle.contains(text.substr(field.begin, field.end - field.begin))
                              : m_needle.contains(csv::fieldValue(text, field)))
                return true;
        }
        return false;
    }

    // The value of a column as text; `isString` false for JSON numbers, literals and containers.
    bool valueOf(qint64 id, std::string_view text, const std::string &column, int csvIndex,
                 std::string &value, bool &isString)
    {
        const bool pristine = m_rows.isPristine(id);
        if (pristine && m_rows.problems.size() > 0) {
            const IndexedProblem *problem = m_rows.problems.find(id);
            if (problem && problem->bad)
                return false;
        }
        if (m_rows.format == DatasetFormat::Csv) {
            if (csvIndex < 0)
                return false;
            if (!pristine) {
                const std::optional<ProblemCheck> check = m_rows.checkText(text, m_rows.lineOfId(id));
                if (check && check->bad)
                    return false;
            }
            const std::vector<csv::Field> fields = csv::splitRecord(text);
            if (static_cast<std::size_t>(csvIndex) >= fields.size())
                return false;
            value = csv::fieldValue(text, fields[static_cast<std::size_t>(csvIndex)]);
            isString = true;
            return true;
        }
        if (!pristine && json::checkSyntax(text))
            return false;
        const std::optional<jsontext::Span> item = jsontext::itemObject(text);
        if (!item)
            return false;
        const std::optional<jsontext::Location> location = jsontext::find(text, *item, column);
        if (!location)
            return false;
        const std::string_view token = text.substr(location->value.begin, location->value.size());
        isString = token.front() == '"';
        value = isString ? jsontext::decodeString(token) : std::string(token);
        return true;
    }

    const RowStore &m_rows;
    const CompiledFilter &m_filter;
    Needle m_needle;
    QRegularExpression m_regex;
    int m_filterColumnIndex = -1;
    std::string m_sortColumn;
    int m_sortColumnIndex = -1;
    std::string m_buffer;
    std::string m_joined;
    std::string m_scratch;
    QString m_subject;
    QStringDecoder m_decoder{QStringDecoder::Utf8};
};

// Filters rows [begin, end) into `out`; false when cancelled.
bool runPart(const RowStore &rows, const CompiledFilter &filter, const std::optional<RowSort> &sort,
             qint64 begin, qint64 end, quint8 part, const std::atomic<bool> *cancelled,
             std::atomic<qint64> *processed, PartResult &out, const std::function<void()> &tick = {})
{
    RowEvaluator evaluator(rows, filter, sort);
    std::string_view text;
    for (qint64 row = begin; row < end; ++row) {
        if ((row - begin) % kCheckEvery == kCheckEvery - 1) {
            if (cancelled && cancelled->load(std::memory_order_relaxed))
                return false;
            if (processed)
                processed->fetch_add(kCheckEvery, std::memory_order_relaxed);
            if (tick)
                tick();
        }
        const qint64 id = rows.idAt(row);
        if (!evaluator.matches(id, text))
            continue;
        if (sort)
            evaluator.appendKey(row, text, id, part, out);
        else
            out.rows.push_back(row);
    }
    return true;
}

std::vector<qint64> combine(std::vector<PartResult> &parts, const std::optional<RowSort> &sort)
{
    std::vector<qint64> rows;
    if (!sort) {
        std::size_t total = 0;
        for (const PartResult &part : parts)
            total += part.rows.size();
        rows.reserve(total);
        for (const PartResult &part : parts)
            rows.insert(rows.end(), part.rows.begin(), part.rows.end());
        return rows;
    }
    std::vector<SortKey> keys;
    for (PartResult &part : parts) {
        keys.insert(keys.end(), part.keys.begin(), part.keys.end());
        part.keys = {};
    }
    const bool ascending = sort->order == Qt::AscendingOrder;
    auto compareStrings = [&](const SortKey &a, const SortKey &b) {
        const char *pa = parts[a.part].arena.data() + a.offset;
        const char *pb = parts[b.part].arena.data() + b.offset;
        const int c = std::memcmp(pa, pb, std::min(a.length, b.length));
        if (c != 0)
            return c;
        return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
    };
    std::sort(keys.begin(), keys.end(), [&](const SortKey &a, const SortKey &b) {
        if (a.kind != b.kind) {
            if (a.kind == KeyKind::Missing)
                return false;
            if (b.kind == KeyKind::Missing)
                return true;
            return ascending ? a.kind < b.kind : a.kind > b.kind;
        }
        int c = 0;
        if (a.kind == KeyKind::String)
            c = compareStrings(a, b);
        else if (a.kind != KeyKind::Missing)
            c = a.number < b.number ? -1 : a.number > b.number ? 1 : 0;
        if (c != 0)
            return ascending ? c < 0 : c > 0;
        return a.row < b.row;
    });
    rows.reserve(keys.size());
    for (const SortKey &key : keys)
        rows.push_back(key.row);
    return rows;
}

struct QueryJob {
    std::shared_ptr<const RowStore> rows;
    CompiledFilter filter;
    std::optional<RowSort> sort;
    std::vector<PartResult> parts;
    std::atomic<qint64> processed{0};
    std::atomic<int> remaining{0};
    std::atomic<bool> failedPart{false};
    std::shared_ptr<WorkerRelay> relay;
};

} // namespace

DatasetQuery::DatasetQuery(QObject *parent) : QObject(parent) {}

DatasetQuery::~DatasetQuery()
{
    if (m_relay)
        m_relay->detach();
}

bool DatasetQuery::isRunning() const
{
    return m_relay != nullptr;
}

void DatasetQuery::cancel()
{
    if (!m_relay)
        return;
    m_relay->detach();
    m_relay.reset();
    Q_EMIT cancelled();
}

void DatasetQuery::start(const DatasetDocument &document, const RowFilter &filter,
                         const std::optional<RowSort> &sort)
{
    if (m_relay) {
        m_relay->detach();
        m_relay.reset();
    }
    QString error;
    std::optional<CompiledFilter> compiled = compile(filter, &error);
    if (!compiled) {
        Q_EMIT failed(error);
        return;
    }
    auto job = std::make_shared<QueryJob>();
    job->rows = document.snapshot();
    job->filter = std::move(*compiled);
    job->sort = sort;
    job->relay = std::make_shared<WorkerRelay>(this);
    m_relay = job->relay;

    const qint64 total = job->rows->rowCount();
    const int threads = std::max(1, QThread::idealThreadCount());
    const int partCount = total < 20000 ? 1 : std::min(threads, 8);
    job->parts.resize(static_cast<std::size_t>(partCount));
    job->remaining.store(partCount);
    WorkerRelay *const token = job->relay.get();

    for (int part = 0; part < partCount; ++part) {
        QThreadPool::globalInstance()->start([this, job, part, partCount, total, token]() {
            const qint64 begin = total * part / partCount;
            const qint64 end = total * (part + 1) / partCount;
            QElapsedTimer timer;
            timer.start();
            qint64 lastReport = 0;
            // The first part reports everyone's progress (the shared counter), at most every 50 ms.
            const std::function<void()> tick = [&]() {
                if (part != 0 || timer.elapsed() - lastReport < 50)
                    return;
                lastReport = timer.elapsed();
                const int percent =
                    static_cast<int>(job->processed.load(std::memory_order_relaxed) * 100 / total);
                job->relay->post([this, token, percent]() {
                    if (m_relay.get() == token)
                        Q_EMIT progressed(std::min(percent, 99));
                });
            };
            const bool done = runPart(*job->rows, job->filter, job->sort, begin, end,
                                      static_cast<quint8>(part), &job->relay->cancelledFlag(),
                                      &job->processed, job->parts[static_cast<std::size_t>(part)], tick);
            if (!done)
                job->failedPart.store(true);
            if (job->remaining.fetch_sub(1) != 1) {
                // Not the last part: report progress on the way out.
                const int percent = total > 0 ? static_cast<int>(job->processed.load() * 100 / total) : 100;
                job->relay->post([this, token, percent]() {
                    if (m_relay.get() == token)
                        Q_EMIT progressed(std::min(percent, 99));
                });
                return;
            }
            if (job->failedPart.load() || job->relay->isCancelled())
                return;
            auto rows = std::make_shared<std::vector<qint64>>(combine(job->parts, job->sort));
            job->relay->post([this, token, rows]() {
                if (m_relay.get() != token)
                    return;
                m_relay.reset();
                Q_EMIT progressed(100);
                Q_EMIT finished(*rows);
            });
        });
    }
}

std::optional<std::vector<qint64>> DatasetQuery::run(const RowStore &rows, const RowFilter &filter,
                                                     const std::optional<RowSort> &sort, QString *error,
                                                     const std::atomic<bool> *cancelled)
{
    const std::optional<CompiledFilter> compiled = compile(filter, error);
    if (!compiled)
        return std::nullopt;
    std::vector<PartResult> parts(1);
    if (!runPart(rows, *compiled, sort, 0, rows.rowCount(), 0, cancelled, nullptr, parts[0]))
        return std::nullopt;
    return combine(parts, sort);
}

} // namespace assay::dataset
