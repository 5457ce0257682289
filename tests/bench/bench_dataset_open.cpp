// Opens, reads, filters and saves a generated 1,000,000-row dataset and prints the figures the
// dataset issue sets targets for: first rows visible, complete index, index memory, random row
// reads, full-text filter, and the same file as CSV. Run a Release/RelWithDebInfo build:
//   bench_dataset_open [--rows N] [--keep DIR]
// The data is generated in a temporary directory (deleted afterwards) and read warm from the page
// cache, so the figures measure Assay, not the disk.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <QCoreApplication>
#include <QEventLoop>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTimer>

#include "models/dataset/dataset_document.h"
#include "models/dataset/dataset_query.h"
#include "models/dataset/row_store.h"
#include "models/itemmodels/dataset_table_model.h"

using namespace assay::dataset;
using assay::itemmodels::DatasetTableModel;
using Clock = std::chrono::steady_clock;

namespace {

double msSince(Clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// kB from a /proc/self/status field (VmRSS, RssAnon, RssFile).
qint64 statusKb(const char *field)
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray prefix = QByteArray(field) + ':';
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith(prefix))
            return line.mid(prefix.size()).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

// Realistic-looking ticket rows: ids, subject and body text of varying length with some unicode
// (raw and \u-escaped), a nested customer object, an array of tags, numbers and booleans.
class Generator {
public:
    explicit Generator(quint64 seed) : m_rng(seed) {}

    struct Row {
        std::string id, subject, body, priority, created, name, tier, label;
        std::vector<std::string> tags;
        double score;
        int count;
        bool escalated;
    };

    Row next(int i)
    {
        static const char *const words[] = {
            "printer", "monitor", "login",  "password", "network", "vpn",    "laptop", "screen",  "refund",
            "invoice", "order",   "delay",  "cannot",   "error",   "crash",  "update", "install", "license",
            "café",    "naïve",   "日本語", "émoji 😀",  "über",    "the",    "a",      "is",      "not",
            "working", "since",   "today",  "please",   "help",    "urgent", "again",  "after",   "reboot"};
        static const char *const labels[] = {"Hardware", "Software", "Billing", "Network", "Other"};
        static const char *const priorities[] = {"low", "medium", "high", "urgent"};
        static const char *const tiers[] = {"free", "pro", "gold", "enterprise"};
        static const char *const names[] = {"Ada Lovelace",      "Grace Hopper", "Zoë Šimić",
                                            "Łukasz Wójcik",     "山田太郎",     "O'Brien, Pat",
                                            "Jean \"JJ\" Dupont"};
        Row row;
        char id[32];
        std::snprintf(id, sizeof id, "TCK-%07d", i);
        row.id = id;
        row.subject = sentence(words, 2 + pick(4));
        row.body = sentence(words, 2 + pick(11));
        if (pick(10) == 0)
            row.body += ", with a comma and a \"quote\"";
        if (pick(7) == 0)
            row.body += "\nsecond line";
        row.priority = priorities[pick(4)];
        char date[32];
        std::snprintf(date, sizeof date, "2026-%02d-%02dT%02d:%02d:00Z", 1 + pick(12), 1 + pick(28), pick(24),
                      pick(60));
        row.created = date;
        row.name = names[pick(7)];
        row.tier = tiers[pick(4)];
        row.label = labels[pick(5)];
        const int tags = pick(4);
        for (int t = 0; t < tags; ++t)
            row.tags.push_back(words[pick(18)]);
        row.score = static_cast<double>(pick(100000)) / 100000.0;
        row.count = pick(500);
        row.escalated = pick(5) == 0;
        return row;
    }

    int pick(int n) { return static_cast<int>(m_rng() % static_cast<quint64>(n)); }

private:
    template <std::size_t N> std::string sentence(const char *const (&words)[N], int count)
    {
        std::string text;
        for (int w = 0; w < count; ++w) {
            if (w > 0)
                text += ' ';
            text += words[pick(static_cast<int>(N))];
        }
        return text;
    }

    std::mt19937_64 m_rng;
};

std::string jsonString(const std::string &text, bool escapeUnicode)
{
    std::string out = "\"";
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else if (escapeUnicode && text.compare(i, 2, "\xC3\xA9") == 0) { // é as \u00e9
            out += "\\u00e9";
            ++i;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

std::string csvField(const std::string &text)
{
    if (text.find_first_of(",\"\n\r") == std::string::npos)
        return text;
    std::string out = "\"";
    for (char c : text) {
        if (c == '"')
            out += '"';
        out += c;
    }
    return out + "\"";
}

struct Files {
    QString jsonl, csv;
    qint64 jsonlBytes = 0, csvBytes = 0;
};

Files generate(const QString &dir, int rows)
{
    Files files{dir + QStringLiteral("/tickets.jsonl"), dir + QStringLiteral("/tickets.csv")};
    QFile jsonl(files.jsonl), csv(files.csv);
    if (!jsonl.open(QIODevice::WriteOnly) || !csv.open(QIODevice::WriteOnly))
        qFatal("cannot write the benchmark data");
    Generator gen(20261123);
    std::string j, c;
    c = "id,ticket.subject,ticket.body,ticket.priority,ticket.created,customer.name,customer.tier,tags,score,"
        "count,"
        "escalated,label\n";
    char number[64];
    for (int i = 0; i < rows; ++i) {
        const Generator::Row r = gen.next(i);
        const bool escape = i % 3 == 0;
        std::string tags = "[";
        for (std::size_t t = 0; t < r.tags.size(); ++t)
            tags += (t ? ", " : "") + jsonString(r.tags[t], false);
        tags += "]";
        std::snprintf(number, sizeof number, "%.5f", r.score);
        j += "{\"id\": " + jsonString(r.id, false) +
             ", \"ticket\": {\"subject\": " + jsonString(r.subject, escape) +
             ", \"body\": " + jsonString(r.body, escape) +
             ", \"priority\": " + jsonString(r.priority, false) +
             ", \"created\": " + jsonString(r.created, false) +
             "}, \"customer\": {\"name\": " + jsonString(r.name, false) +
             ", \"tier\": " + jsonString(r.tier, false) + "}, \"tags\": " + tags + ", \"score\": " + number +
             ", \"count\": " + std::to_string(r.count) +
             ", \"escalated\": " + (r.escalated ? "true" : "false") +
             ", \"label\": " + jsonString(r.label, false) + "}\n";
        c += csvField(r.id) + "," + csvField(r.subject) + "," + csvField(r.body) + "," + r.priority + "," +
             r.created + "," + csvField(r.name) + "," + r.tier + "," + csvField(tags) + "," + number + "," +
             std::to_string(r.count) + "," + (r.escalated ? "true" : "false") + "," + r.label + "\n";
        if (j.size() > (8 << 20)) {
            jsonl.write(j.data(), static_cast<qint64>(j.size()));
            files.jsonlBytes += static_cast<qint64>(j.size());
            j.clear();
        }
        if (c.size() > (8 << 20)) {
            csv.write(c.data(), static_cast<qint64>(c.size()));
            files.csvBytes += static_cast<qint64>(c.size());
            c.clear();
        }
    }
    jsonl.write(j.data(), static_cast<qint64>(j.size()));
    csv.write(c.data(), static_cast<qint64>(c.size()));
    files.jsonlBytes += static_cast<qint64>(j.size());
    files.csvBytes += static_cast<qint64>(c.size());
    return files;
}

struct OpenFigures {
    double firstRowsMs = -1;
    double indexMs = -1;
    double hashMs = -1;
    qint64 rows = 0;
    qint64 anonKbBefore = 0, anonKbAfter = 0, fileKbAfter = 0;
    std::size_t indexBytes = 0;
    QString firstCell;
};

// Opens `path` the way the GUI does (model on the document, index in the background) and times
// the first visible rows, the complete index and the content hash.
OpenFigures openAndMeasure(DatasetDocument &document, DatasetTableModel &model, const QString &path)
{
    OpenFigures figures;
    figures.anonKbBefore = statusKb("RssAnon");
    QEventLoop loop;
    Clock::time_point start;
    bool indexed = false;
    bool hashed = false;
    auto c1 = QObject::connect(&document, &DatasetDocument::rowsIndexed, &loop, [&]() {
        if (figures.firstRowsMs < 0 && model.rowCount() > 0) {
            figures.firstCell = model.data(model.index(0, 0)).toString();
            figures.firstRowsMs = msSince(start);
        }
    });
    auto c2 = QObject::connect(&document, &DatasetDocument::indexFinished, &loop, [&]() {
        figures.indexMs = msSince(start);
        figures.anonKbAfter = statusKb("RssAnon");
        figures.fileKbAfter = statusKb("RssFile");
        indexed = true;
        if (hashed)
            loop.quit();
    });
    auto c3 = QObject::connect(&document, &DatasetDocument::contentHashReady, &loop, [&]() {
        figures.hashMs = msSince(start);
        hashed = true;
        if (indexed)
            loop.quit();
    });
    start = Clock::now();
    QString error;
    if (!document.open(path, &error))
        qFatal("open failed: %s", qPrintable(error));
    loop.exec();
    QObject::disconnect(c1);
    QObject::disconnect(c2);
    QObject::disconnect(c3);
    figures.rows = document.rowCount();
    figures.indexBytes = document.snapshot()->index.memoryBytes();
    return figures;
}

struct Latency {
    double p50 = 0, p99 = 0, max = 0;
};

Latency randomReads(const DatasetDocument &document, int reads)
{
    std::mt19937_64 rng(7);
    std::vector<double> times;
    times.reserve(static_cast<std::size_t>(reads));
    std::size_t keep = 0;
    for (int i = 0; i < reads; ++i) {
        const auto row = static_cast<qint64>(rng() % static_cast<quint64>(document.rowCount()));
        const Clock::time_point start = Clock::now();
        const ParsedRow parsed = document.parsedRow(row);
        times.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
        keep += parsed.item.size();
    }
    std::sort(times.begin(), times.end());
    if (keep == 0)
        std::printf("(no items read?)\n");
    return {times[times.size() / 2], times[times.size() * 99 / 100], times.back()};
}

struct QueryFigures {
    double ms = -1;
    qint64 matches = 0;
};

QueryFigures timeQuery(const DatasetDocument &document, const RowFilter &filter,
                       const std::optional<RowSort> &sort)
{
    DatasetQuery query;
    QEventLoop loop;
    QueryFigures figures;
    QObject::connect(&query, &DatasetQuery::finished, &loop, [&](const std::vector<qint64> &rows) {
        figures.matches = static_cast<qint64>(rows.size());
        loop.quit();
    });
    QObject::connect(&query, &DatasetQuery::failed, &loop, [&](const QString &message) {
        std::printf("query failed: %s\n", qPrintable(message));
        loop.quit();
    });
    const Clock::time_point start = Clock::now();
    query.start(document, filter, sort);
    loop.exec();
    figures.ms = msSince(start);
    return figures;
}

void printOpen(const char *name, const OpenFigures &f, qint64 bytes)
{
    std::printf("%s: %lld rows, %.1f MB\n", name, static_cast<long long>(f.rows),
                static_cast<double>(bytes) / 1e6);
    std::printf("  first rows visible     %8.1f ms   (row 0, column 0: \"%s\")\n", f.firstRowsMs,
                qPrintable(f.firstCell.left(40)));
    std::printf("  index complete         %8.1f ms\n", f.indexMs);
    std::printf("  content hash ready     %8.1f ms   (SHA-256 on the worker after the index)\n", f.hashMs);
    std::printf("  index arrays           %8.1f MB\n", static_cast<double>(f.indexBytes) / 1e6);
    std::printf(
        "  RssAnon increase       %8.1f MB   (anonymous memory; the mapped file is RssFile: %.1f MB)\n",
        static_cast<double>(f.anonKbAfter - f.anonKbBefore) / 1024.0,
        static_cast<double>(f.fileKbAfter) / 1024.0);
}


int csvSection(const QString &path, qint64 bytes)
{
    DatasetDocument document;
    DatasetTableModel model(&document);
    const OpenFigures open = openAndMeasure(document, model, path);
    printOpen("CSV", open, bytes);
    const Latency latency = randomReads(document, 10000);
    std::printf("  random row parse       p50 %.1f us, p99 %.1f us, max %.1f us (10,000 rows)\n", latency.p50,
                latency.p99, latency.max);
    RowFilter substring;
    substring.text = QStringLiteral("refund");
    QueryFigures q = timeQuery(document, substring, std::nullopt);
    std::printf("  filter substring       %8.1f ms   (\"refund\", %lld matches)\n", q.ms,
                static_cast<long long>(q.matches));
    RowFilter regex;
    regex.regex = true;
    regex.text = QStringLiteral("\\bprinter\\b.*\\b(crash|error)\\b");
    q = timeQuery(document, regex, std::nullopt);
    std::printf("  filter regex           %8.1f ms   (%lld matches)\n", q.ms, static_cast<long long>(q.matches));
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    int rows = 1000000;
    QString keep;
    const QStringList args = app.arguments();
    if (args.size() == 4 && args[1] == QLatin1String("--csv-section"))
        return csvSection(args[2], args[3].toLongLong());
    for (int i = 1; i + 1 < args.size(); ++i) {
        if (args[i] == QLatin1String("--rows"))
            rows = args[i + 1].toInt();
        if (args[i] == QLatin1String("--keep"))
            keep = args[i + 1];
    }
    QTemporaryDir temp;
    const QString dir = keep.isEmpty() ? temp.path() : keep;

    Clock::time_point start = Clock::now();
    const Files files = generate(dir, rows);
    std::printf("generated %d rows: JSONL %.1f MB, CSV %.1f MB in %.1f s\n\n", rows,
                static_cast<double>(files.jsonlBytes) / 1e6, static_cast<double>(files.csvBytes) / 1e6,
                msSince(start) / 1000.0);

    {
        DatasetDocument document;
        DatasetTableModel model(&document);
        const OpenFigures open = openAndMeasure(document, model, files.jsonl);
        printOpen("JSONL", open, files.jsonlBytes);
        std::printf("  columns                %lld: %s\n", static_cast<long long>(document.columns().size()),
                    qPrintable(document.columns().join(QLatin1Char(' '))));

        const Latency latency = randomReads(document, 10000);
        std::printf("  random row parse       p50 %.1f us, p99 %.1f us, max %.1f us (10,000 rows)\n",
                    latency.p50, latency.p99, latency.max);

        RowFilter substring;
        substring.text = QStringLiteral("refund");
        QueryFigures q = timeQuery(document, substring, std::nullopt);
        std::printf("  filter substring       %8.1f ms   (\"refund\", all columns, %lld matches)\n", q.ms,
                    static_cast<long long>(q.matches));
        RowFilter rare;
        rare.text = QStringLiteral("TCK-0999999");
        q = timeQuery(document, rare, std::nullopt);
        std::printf("  filter rare substring  %8.1f ms   (\"TCK-0999999\", %lld matches)\n", q.ms,
                    static_cast<long long>(q.matches));
        RowFilter unicode;
        unicode.text = QStringLiteral("caf\u00e9 na\u00efve");
        unicode.caseSensitive = true;
        q = timeQuery(document, unicode, std::nullopt);
        std::printf("  filter unicode         %8.1f ms   (\"caf\u00e9 na\u00efve\", also behind \\u escapes, "
                    "%lld matches)\n",
                    q.ms, static_cast<long long>(q.matches));
        RowFilter regex;
        regex.regex = true;
        regex.text = QStringLiteral("\\bprinter\\b.*\\b(crash|error)\\b");
        q = timeQuery(document, regex, std::nullopt);
        std::printf("  filter regex           %8.1f ms   (%s, %lld matches)\n", q.ms, qPrintable(regex.text),
                    static_cast<long long>(q.matches));
        RowFilter column;
        column.text = QStringLiteral("urgent");
        column.column = QStringLiteral("ticket.priority");
        q = timeQuery(document, column, std::nullopt);
        std::printf("  filter one column      %8.1f ms   (ticket.priority ~ urgent, %lld matches)\n", q.ms,
                    static_cast<long long>(q.matches));
        q = timeQuery(document, RowFilter(), RowSort{QStringLiteral("score"), Qt::DescendingOrder});
        std::printf("  sort by number         %8.1f ms   (score, %lld rows)\n", q.ms,
                    static_cast<long long>(q.matches));
        q = timeQuery(document, RowFilter(), RowSort{QStringLiteral("ticket.subject"), Qt::AscendingOrder});
        std::printf("  sort by text           %8.1f ms   (ticket.subject)\n", q.ms);

        document.setValue(rows / 2, QStringLiteral("label"), "Edited");
        start = Clock::now();
        QString error;
        if (!document.save(dir + QStringLiteral("/edited.jsonl"), DatasetFormat::Jsonl, &error))
            std::printf("save failed: %s\n", qPrintable(error));
        std::printf("  save after one edit    %8.1f ms   (untouched rows copied byte for byte)\n",
                    msSince(start));
        QFile::remove(dir + QStringLiteral("/edited.jsonl"));
    }
    // The CSV run gets a process of its own, so its memory figure is not hidden by memory the JSONL
    // run freed.
    std::printf("\n");
    std::fflush(stdout);
    QProcess::execute(QCoreApplication::applicationFilePath(),
                      {QStringLiteral("--csv-section"), files.csv, QString::number(files.csvBytes)});
    return 0;
}
