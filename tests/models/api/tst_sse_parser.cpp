#include <QtTest>

#include <fstream>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "models/api/sse_parser.h"

using assay::api::SseEvent;
using assay::api::SseParser;

namespace {

const char *const kStreams[] = {
    "responses_text.sse",      "responses_function_call.sse", "responses_reasoning_refusal.sse",
    "responses_failed.sse",    "responses_error_event.sse",   "chat_text.sse",
    "chat_tool_calls.sse",     "responses_crlf_unicode.sse",
};

std::string readStream(const char *name)
{
    std::ifstream file(std::string(ASSAY_TEST_DATA_DIR) + "/streams/" + name, std::ios::binary);
    std::ostringstream bytes;
    bytes << file.rdbuf();
    return bytes.str();
}

QString q(const std::string &text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

struct Parsed {
    std::vector<SseEvent> events;
    bool incomplete = false;
};

Parsed parseChunks(std::string_view bytes, const std::vector<std::size_t> &cuts)
{
    SseParser parser;
    Parsed parsed;
    std::size_t from = 0;
    for (const std::size_t cut : cuts) {
        parser.feed(bytes.substr(from, cut - from), parsed.events);
        from = cut;
    }
    parser.feed(bytes.substr(from), parsed.events);
    parsed.incomplete = parser.hasIncompleteEvent();
    return parsed;
}

Parsed parseWhole(std::string_view bytes)
{
    return parseChunks(bytes, {});
}

std::string describe(const std::vector<SseEvent> &events)
{
    std::string text;
    for (const SseEvent &event : events)
        text += "[" + event.event + "|" + event.id + "|" + event.data + "]";
    return text;
}

std::string replaceAll(std::string text, std::string_view from, std::string_view to)
{
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

} // namespace

class TestSseParser : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void recordedStreams_data();
    void recordedStreams();
    void everySplitPointGivesTheSameEvents_data() { recordedStreams_data(); }
    void everySplitPointGivesTheSameEvents();
    void randomChunkingsGiveTheSameEvents_data() { recordedStreams_data(); }
    void randomChunkingsGiveTheSameEvents();
    void everyPairOfSplitPointsOnTheSmallStream();
    void lineEndingsAreEquivalent_data() { recordedStreams_data(); }
    void lineEndingsAreEquivalent();
    void crAtChunkEndThenLfIsOneLineEnd();
    void byteOrderMark();
    void commentsAreIgnored();
    void multiLineData();
    void fieldsWithoutValueOrSpace();
    void blockWithoutDataIsNotDispatched();
    void eventIdAndRetryFields();
    void incompleteEventAfterACut();
    void doneMarker();
    void resetForgetsPartialState();
};

void TestSseParser::recordedStreams_data()
{
    QTest::addColumn<QString>("name");
    for (const char *name : kStreams)
        QTest::newRow(name) << QString::fromLatin1(name);
}

// The recorded streams themselves: each event is one JSON object (or [DONE]) whose `event:` name,
// where the server sends one, is its "type"; nothing is left over at the end.
void TestSseParser::recordedStreams()
{
    QFETCH(QString, name);
    const std::string bytes = readStream(name.toLatin1().constData());
    QVERIFY2(!bytes.empty(), "recorded stream missing");
    const Parsed parsed = parseWhole(bytes);
    QVERIFY(!parsed.incomplete);
    QVERIFY(parsed.events.size() >= 2);

    // One event per data block: the number of blank-line separated blocks that carry data.
    const std::string lf = replaceAll(replaceAll(bytes, "\r\n", "\n"), "\r", "\n");
    std::size_t blocksWithData = 0;
    for (std::size_t at = 0; at < lf.size();) {
        const std::size_t end = std::min(lf.find("\n\n", at), lf.size());
        const std::string block = "\n" + lf.substr(at, end - at);
        if (block.find("\ndata:") != std::string::npos)
            ++blocksWithData;
        at = end + 2;
    }
    QCOMPARE(parsed.events.size(), blocksWithData);

    for (const SseEvent &event : parsed.events) {
        if (event.isDone()) {
            QVERIFY(&event == &parsed.events.back());
            continue;
        }
        const nlohmann::json object = nlohmann::json::parse(event.data, nullptr, false);
        QVERIFY2(object.is_object(), event.data.c_str());
        if (!event.event.empty())
            QCOMPARE(q(event.event), q(object.at("type").get<std::string>()));
    }
}

void TestSseParser::everySplitPointGivesTheSameEvents()
{
    QFETCH(QString, name);
    const std::string bytes = readStream(name.toLatin1().constData());
    const Parsed whole = parseWhole(bytes);
    for (std::size_t cut = 0; cut <= bytes.size(); ++cut) {
        const Parsed split = parseChunks(bytes, {cut});
        if (split.events != whole.events || split.incomplete != whole.incomplete)
            QFAIL(qPrintable(QStringLiteral("split at byte %1 of %2 differs: %3")
                                 .arg(cut)
                                 .arg(bytes.size())
                                 .arg(q(describe(split.events)).left(300))));
    }
    // Byte by byte: every UTF-8 character and every CR LF pair is split somewhere.
    std::vector<std::size_t> everyByte;
    for (std::size_t cut = 1; cut < bytes.size(); ++cut)
        everyByte.push_back(cut);
    QVERIFY(parseChunks(bytes, everyByte).events == whole.events);
}

void TestSseParser::randomChunkingsGiveTheSameEvents()
{
    QFETCH(QString, name);
    const std::string bytes = readStream(name.toLatin1().constData());
    const Parsed whole = parseWhole(bytes);
    std::mt19937 random(20240521u); // fixed: a failure must reproduce
    for (int round = 0; round < 300; ++round) {
        const std::size_t maxChunk = std::size_t{1} << (round % 10); // 1 .. 512 bytes
        std::uniform_int_distribution<std::size_t> chunk(1, maxChunk);
        std::vector<std::size_t> cuts;
        for (std::size_t at = chunk(random); at < bytes.size(); at += chunk(random))
            cuts.push_back(at);
        const Parsed split = parseChunks(bytes, cuts);
        QVERIFY2(split.events == whole.events, qPrintable(QStringLiteral("round %1").arg(round)));
        QCOMPARE(split.incomplete, whole.incomplete);
    }
}

void TestSseParser::everyPairOfSplitPointsOnTheSmallStream()
{
    const std::string bytes = readStream("responses_error_event.sse");
    QVERIFY(bytes.size() < 2000); // keeps this O(n^2) test quick
    const Parsed whole = parseWhole(bytes);
    QCOMPARE(whole.events.size(), std::size_t{2});
    for (std::size_t first = 0; first <= bytes.size(); ++first) {
        for (std::size_t second = first; second <= bytes.size(); ++second) {
            if (parseChunks(bytes, {first, second}).events != whole.events)
                QFAIL(qPrintable(QStringLiteral("splits at %1 and %2 differ").arg(first).arg(second)));
        }
    }
}

void TestSseParser::lineEndingsAreEquivalent()
{
    QFETCH(QString, name);
    const std::string original = readStream(name.toLatin1().constData());
    const std::string lf = replaceAll(replaceAll(original, "\r\n", "\n"), "\r", "\n");
    const std::string cr = replaceAll(lf, "\n", "\r");
    const std::string crlf = replaceAll(lf, "\n", "\r\n");
    const Parsed expected = parseWhole(lf);
    QVERIFY(!expected.events.empty());
    QVERIFY(parseWhole(original).events == expected.events);
    QVERIFY(parseWhole(cr).events == expected.events);
    QVERIFY(parseWhole(crlf).events == expected.events);

    // Every cut of the CRLF and CR forms too: a cut between CR and LF must not add a line.
    for (const std::string *variant : {&crlf, &cr}) {
        for (std::size_t cut = 0; cut <= variant->size(); cut += 3)
            QVERIFY(parseChunks(*variant, {cut}).events == expected.events);
    }
    // Mixed endings within one stream.
    std::string mixed;
    int n = 0;
    for (const char c : lf) {
        if (c != '\n') {
            mixed.push_back(c);
            continue;
        }
        const char *const endings[] = {"\n", "\r\n", "\r"};
        const char *ending = endings[n++ % 3];
        if (!mixed.empty() && mixed.back() == '\r' && ending[0] == '\n')
            ending = "\r\n"; // CR then LF would be one line end, not two
        mixed += ending;
    }
    QVERIFY(parseWhole(mixed).events == expected.events);
}

void TestSseParser::crAtChunkEndThenLfIsOneLineEnd()
{
    // If CR + LF across chunks counted as two line ends, "a" would be dispatched on its own.
    const Parsed joined = parseChunks("data: a\r\ndata: b\r\n\r\n", {8});
    QCOMPARE(joined.events.size(), std::size_t{1});
    QCOMPARE(q(joined.events[0].data), QStringLiteral("a\nb"));

    // CR then CR are two line ends: the second one is the blank line.
    const Parsed twoEnds = parseChunks("data: a\r\rdata: b\r\r", {8});
    QCOMPARE(twoEnds.events.size(), std::size_t{2});
    QCOMPARE(q(twoEnds.events[0].data), QStringLiteral("a"));
    QCOMPARE(q(twoEnds.events[1].data), QStringLiteral("b"));

    // The CR survives an empty chunk in between.
    SseParser parser;
    std::vector<SseEvent> events;
    parser.feed("data: a\r", events);
    parser.feed("", events);
    parser.feed("\ndata: b\n\n", events);
    QCOMPARE(events.size(), std::size_t{1});
    QCOMPARE(q(events[0].data), QStringLiteral("a\nb"));
}

void TestSseParser::byteOrderMark()
{
    const std::string withBom = "\xEF\xBB\xBF" "data: x\n\n";
    const Parsed whole = parseWhole(withBom);
    QCOMPARE(whole.events.size(), std::size_t{1}); // the field is "data", not "\xEF\xBB\xBF" "data"
    QCOMPARE(q(whole.events[0].data), QStringLiteral("x"));
    for (std::size_t cut = 0; cut <= withBom.size(); ++cut)
        QVERIFY(parseChunks(withBom, {cut}).events == whole.events);
    QVERIFY(parseChunks(withBom, {1, 2, 3}).events == whole.events);

    // Only a leading BOM is skipped: later, those bytes make the field name unknown.
    const Parsed twice = parseWhole("\xEF\xBB\xBF" "data: 1\n\n" "\xEF\xBB\xBF" "data: 2\n\n");
    QCOMPARE(twice.events.size(), std::size_t{1});
    QCOMPARE(q(twice.events[0].data), QStringLiteral("1"));

    // A prefix of a BOM that is not one stays part of the line.
    const std::string almost = "\xEF\xBB" "data: 3\n\n";
    QCOMPARE(parseWhole(almost).events.size(), std::size_t{0});
    QVERIFY(parseChunks(almost, {1}).events.empty());
    const Parsed field = parseChunks("\xEF" "\xBB" "x: 1\nevent: e\ndata: 4\n\n", {1, 2});
    QCOMPARE(field.events.size(), std::size_t{1});
    QCOMPARE(q(field.events[0].event), QStringLiteral("e"));
}

void TestSseParser::commentsAreIgnored()
{
    QVERIFY(parseWhole(": keep-alive\n\n: another\n\n").events.empty());
    const Parsed parsed = parseWhole(": keep-alive\ndata: {\"a\":1}\n: in the middle\ndata: 2\n\n");
    QCOMPARE(parsed.events.size(), std::size_t{1});
    QCOMPARE(q(parsed.events[0].data), QStringLiteral("{\"a\":1}\n2"));
    QVERIFY(!parseWhole(": keep-al").incomplete); // a cut comment is no event
}

void TestSseParser::multiLineData()
{
    const Parsed parsed = parseWhole("data: first\ndata:\ndata:  two spaces\ndata:no space\n\n");
    QCOMPARE(parsed.events.size(), std::size_t{1});
    // One leading space is stripped, no more; an empty data line adds an empty line.
    QCOMPARE(q(parsed.events[0].data), QStringLiteral("first\n\n two spaces\nno space"));

    // A JSON object spread over data lines joins back into valid JSON.
    const Parsed json = parseWhole("data: {\ndata:  \"type\": \"x\"\ndata: }\n\n");
    QCOMPARE(nlohmann::json::parse(json.events.at(0).data).at("type").get<std::string>(), std::string("x"));
}

void TestSseParser::fieldsWithoutValueOrSpace()
{
    // "data" alone is the field "data" with an empty value: the data buffer is not empty.
    const Parsed bare = parseWhole("data\n\n");
    QCOMPARE(bare.events.size(), std::size_t{1});
    QCOMPARE(q(bare.events[0].data), QString());
    // Values keep colons after the first one, and everything after one space.
    const Parsed colons = parseWhole("event:a:b\ndata: x: y \n\n");
    QCOMPARE(q(colons.events.at(0).event), QStringLiteral("a:b"));
    QCOMPARE(q(colons.events.at(0).data), QStringLiteral("x: y "));
    // Unknown fields and field names that merely start like a known one are ignored.
    const Parsed unknown = parseWhole("foo: bar\ndatum: 1\ndata: 2\n\n");
    QCOMPARE(unknown.events.size(), std::size_t{1});
    QCOMPARE(q(unknown.events[0].data), QStringLiteral("2"));
}

void TestSseParser::blockWithoutDataIsNotDispatched()
{
    const Parsed parsed = parseWhole("event: ping\n\nid: 7\n\nretry: 10\n\ndata: real\n\n");
    QCOMPARE(parsed.events.size(), std::size_t{1});
    // The event type of the data-less block does not leak into the next event.
    QCOMPARE(q(parsed.events[0].event), QString());
    QCOMPARE(q(parsed.events[0].data), QStringLiteral("real"));
    QCOMPARE(q(parsed.events[0].id), QStringLiteral("7")); // the last event ID persists
}

void TestSseParser::eventIdAndRetryFields()
{
    SseParser parser;
    std::vector<SseEvent> events;
    parser.feed("event: response.created\nid: 42\nretry: 1500\ndata: a\n\n", events);
    parser.feed("data: b\n\n", events);                          // id carries over, retry does not
    parser.feed(std::string_view("id: x\0y\ndata: c\n\n", 17), events); // an id with NUL is ignored
    parser.feed("id\nretry: 12a\nretry:\nretry: 99999999999\ndata: d\n\n", events);
    QCOMPARE(events.size(), std::size_t{4});

    QCOMPARE(q(events[0].event), QStringLiteral("response.created"));
    QCOMPARE(q(events[0].id), QStringLiteral("42"));
    QCOMPARE(events[0].retryMs, std::optional<int>(1500));

    QCOMPARE(q(events[1].event), QString());
    QCOMPARE(q(events[1].id), QStringLiteral("42"));
    QVERIFY(!events[1].retryMs.has_value());

    QCOMPARE(q(events[2].id), QStringLiteral("42"));
    QCOMPARE(q(events[2].data), QStringLiteral("c"));

    QCOMPARE(q(events[3].id), QString()); // "id" with no value resets the last event ID
    // Non-digits and empty values are ignored; a huge value is digits only, so it counts.
    QCOMPARE(events[3].retryMs, std::optional<int>(INT_MAX));
    QCOMPARE(parser.retryMs(), std::optional<int>(INT_MAX));

    // A retry in a block without data still reaches the stream.
    SseParser crlf;
    std::vector<SseEvent> recorded;
    crlf.feed(readStream("responses_crlf_unicode.sse"), recorded);
    QCOMPARE(crlf.retryMs(), std::optional<int>(3000));
    QCOMPARE(q(recorded.front().id), QStringLiteral("1"));
    QCOMPARE(q(recorded.back().id), QStringLiteral("14"));
}

void TestSseParser::incompleteEventAfterACut()
{
    QVERIFY(!parseWhole("").incomplete);
    QVERIFY(parseWhole("data: x\n").incomplete);
    QVERIFY(parseWhole("data: x").incomplete);
    QVERIFY(parseWhole("event: response.output_text.delta\n").incomplete);
    QVERIFY(!parseWhole("data: x\n\n").incomplete);
    QVERIFY(!parseWhole("data: x\r\n\r").incomplete); // the blank line ended with the CR

    // Cut a recorded stream after every byte: complete exactly at event boundaries.
    const std::string bytes = readStream("responses_function_call.sse");
    std::size_t boundaries = 0;
    for (std::size_t cut = 1; cut <= bytes.size(); ++cut) {
        const std::string_view prefix(bytes.data(), cut);
        const bool atBoundary = prefix.size() >= 2 && prefix.substr(prefix.size() - 2) == "\n\n";
        boundaries += atBoundary ? 1 : 0;
        SseParser parser;
        std::vector<SseEvent> events;
        parser.feed(prefix, events);
        if (parser.hasIncompleteEvent() == atBoundary)
            QFAIL(qPrintable(QStringLiteral("cut at %1: incomplete=%2").arg(cut).arg(parser.hasIncompleteEvent())));
    }
    QCOMPARE(boundaries, parseWhole(bytes).events.size());
}

void TestSseParser::doneMarker()
{
    const Parsed parsed = parseWhole(readStream("chat_text.sse"));
    QVERIFY(parsed.events.back().isDone());
    for (std::size_t i = 0; i + 1 < parsed.events.size(); ++i)
        QVERIFY(!parsed.events[i].isDone());
    QVERIFY(!parseWhole("data: [DONE] \n\n").events.at(0).isDone());
}

void TestSseParser::resetForgetsPartialState()
{
    SseParser parser;
    std::vector<SseEvent> events;
    parser.feed("id: 5\nevent: a\ndata: half", events);
    QVERIFY(parser.hasIncompleteEvent());
    parser.reset();
    QVERIFY(!parser.hasIncompleteEvent());
    parser.feed("\xEF\xBB\xBF" "data: new\n\n", events); // a new stream may start with a BOM
    QCOMPARE(events.size(), std::size_t{1});
    QCOMPARE(q(events[0].data), QStringLiteral("new"));
    QCOMPARE(q(events[0].event), QString());
    QCOMPARE(q(events[0].id), QString());
}

QTEST_GUILESS_MAIN(TestSseParser)
#include "tst_sse_parser.moc"
