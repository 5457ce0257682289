#include <QtTest>

#include "models/dataset/json_syntax.h"
#include "models/dataset/json_text_patch.h"

// Readable QCOMPARE failures for std::string.
namespace QTest {
template <> inline char *toString(const std::string &text)
{
    return qstrdup(
        QByteArray::fromStdString(text).toPercentEncoding(" {}[]\":,.!?'()/-_+*@#$%&=<>|~^").constData());
}
} // namespace QTest

using namespace assay::dataset;

namespace {

std::string sliceOf(std::string_view text, jsontext::Span span)
{
    return std::string(text.substr(span.begin, span.size()));
}

std::string patched(const std::string &text, const std::string &column, const std::string &valueJson)
{
    const auto item = jsontext::itemObject(text);
    if (!item)
        return "<no object>";
    const auto result = jsontext::setValue(text, *item, column, valueJson);
    return result ? *result : "<refused>";
}

// Raw string literals holding \" confuse moc, so these live outside the test class.
const char *const kEscaped = "\"caf\\u00e9 \\ud83d\\ude00 \\\"q\\\" \\\\ \\/ \\n\\t\"";
const char *const kScalars =
    "{\"key\": \"v1\", \"n\": -2.5e3, \"arr\": [true, {\"inner\": null}, \"v\\\"2\"], \"e\": {}}";

} // namespace

class TestJsonTextPatch : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void findsNestedValuesByPath()
    {
        const std::string text =
            R"({"id": 7, "ticket": {"subject": "Printer", "tags": ["a", "b"]}, "n": 1.0e10})";
        const auto item = jsontext::itemObject(text);
        QVERIFY(item);
        const auto subject = jsontext::find(text, *item, "ticket.subject");
        QVERIFY(subject);
        QCOMPARE(sliceOf(text, subject->value), std::string("\"Printer\""));
        QCOMPARE(sliceOf(text, subject->key), std::string("\"subject\""));
        QCOMPARE(sliceOf(text, jsontext::find(text, *item, "ticket.tags")->value),
                 std::string(R"(["a", "b"])"));
        QCOMPARE(sliceOf(text, jsontext::find(text, *item, "n")->value), std::string("1.0e10"));
        QVERIFY(!jsontext::find(text, *item, "ticket.missing"));
        QVERIFY(!jsontext::find(text, *item, "id.deeper"));
    }

    void matchesEscapedKeysAndKeysWithDots()
    {
        const std::string text = R"({"caf\u00e9": 1, "a.b": 2, "a": {"b": 3, "c": 4}})";
        const auto item = jsontext::itemObject(text);
        QCOMPARE(sliceOf(text, jsontext::find(text, *item, "café")->value), std::string("1"));
        // The longest key matching a prefix wins: "a.b" is the literal key.
        QCOMPARE(sliceOf(text, jsontext::find(text, *item, "a.b")->value), std::string("2"));
        QCOMPARE(sliceOf(text, jsontext::find(text, *item, "a.c")->value), std::string("4"));
    }

    void replacingAValueKeepsEveryOtherByte()
    {
        const std::string text = R"({"id": 1.0e10,  "name": "caf\u00e9", "label" : "old", "x": [1, 2.50]})";
        QCOMPARE(patched(text, "label", "\"new\""),
                 std::string(R"({"id": 1.0e10,  "name": "caf\u00e9", "label" : "new", "x": [1, 2.50]})"));
        QCOMPARE(patched(text, "id", "42"),
                 std::string(R"({"id": 42,  "name": "caf\u00e9", "label" : "old", "x": [1, 2.50]})"));
    }

    void insertsMissingKeysInTheObjectsOwnStyle()
    {
        QCOMPARE(patched(R"({"a": 1, "b": 2})", "c", "3"), std::string(R"({"a": 1, "b": 2, "c": 3})"));
        QCOMPARE(patched(R"({"a":1,"b":2})", "c", "3"), std::string(R"({"a":1,"b":2,"c":3})"));
        QCOMPARE(patched("{}", "c", "3"), std::string(R"({"c":3})"));
        QCOMPARE(patched(R"({"a": 1})", "t.s.x", "\"v\""),
                 std::string(R"({"a": 1, "t": {"s": {"x": "v"}}})"));
        QCOMPARE(patched(R"({"t": {"s": 1}})", "t.u", "2"), std::string(R"({"t": {"s": 1, "u": 2}})"));
        // A step that exists but is not an object cannot hold the new key.
        QCOMPARE(patched(R"({"a": "text"})", "a.b", "1"), std::string("<refused>"));
        const std::string pretty = "{\n  \"a\": 1,\n  \"b\": 2\n}";
        QCOMPARE(patched(pretty, "c", "3"), std::string("{\n  \"a\": 1,\n  \"b\": 2,\n  \"c\": 3\n}"));
    }

    void editsInsideTheItemWrapper()
    {
        const std::string text = R"({"item": {"ticket_text": "vim", "correct_label": "Software"}})";
        bool wrapped = false;
        const auto item = jsontext::itemObject(text, &wrapped);
        QVERIFY(wrapped);
        QCOMPARE(*jsontext::setValue(text, *item, "correct_label", "\"Other\""),
                 std::string(R"({"item": {"ticket_text": "vim", "correct_label": "Other"}})"));
        // With a second member the row is not a wrapper: `item` is an ordinary column.
        const std::string two = R"({"item": {"a": 1}, "sample": {}})";
        jsontext::itemObject(two, &wrapped);
        QVERIFY(!wrapped);
    }

    void insertOnlyWhenAbsent()
    {
        const std::string text = R"({"a": 1})";
        const auto item = jsontext::itemObject(text);
        QVERIFY(!jsontext::insertValue(text, *item, "a", "2"));
        QCOMPARE(*jsontext::insertValue(text, *item, "b", "2"), std::string(R"({"a": 1, "b": 2})"));
    }

    void removesMembersWithTheirSeparators()
    {
        const std::string text = R"({"a": 1, "b": 2, "c": 3})";
        const auto item = jsontext::itemObject(text);
        QCOMPARE(*jsontext::removeValue(text, *item, "a"), std::string(R"({"b": 2, "c": 3})"));
        QCOMPARE(*jsontext::removeValue(text, *item, "b"), std::string(R"({"a": 1, "c": 3})"));
        QCOMPARE(*jsontext::removeValue(text, *item, "c"), std::string(R"({"a": 1, "b": 2})"));
        const std::string one = R"({"a": 1})";
        QCOMPARE(*jsontext::removeValue(one, *jsontext::itemObject(one), "a"), std::string("{}"));
        QVERIFY(!jsontext::removeValue(text, *item, "zzz"));
    }

    void renamesKeysInPlaceOrMovesThem()
    {
        const std::string text = R"({"a": 1, "t": {"s": "x", "u": 2}, "z": 0})";
        const auto item = jsontext::itemObject(text);
        QCOMPARE(*jsontext::renameKey(text, *item, "a", "b"),
                 std::string(R"({"b": 1, "t": {"s": "x", "u": 2}, "z": 0})"));
        QCOMPARE(*jsontext::renameKey(text, *item, "t.s", "t.subject"),
                 std::string(R"({"a": 1, "t": {"subject": "x", "u": 2}, "z": 0})"));
        QCOMPARE(*jsontext::renameKey(text, *item, "t.s", "s"),
                 std::string(R"({"a": 1, "t": {"u": 2}, "z": 0, "s": "x"})"));
        QVERIFY(!jsontext::renameKey(text, *item, "a", "z"));    // target exists
        QVERIFY(!jsontext::renameKey(text, *item, "nope", "x")); // source missing
    }

    void decodesAndEncodesStrings()
    {
        QCOMPARE(jsontext::decodeString(kEscaped), std::string("café \xF0\x9F\x98\x80 \"q\" \\ / \n\t"));
        QCOMPARE(jsontext::encodeString("a\"b\\c\nd\x01 é"), std::string("\"a\\\"b\\\\c\\nd\\u0001 é\""));
    }

    void minifiesOutsideStringsOnly()
    {
        QCOMPARE(jsontext::minify("{\n  \"a b\": [1, 2],\n  \"c\": \"x  y\"\n}"),
                 std::string(R"({"a b":[1,2],"c":"x  y"})"));
    }

    void visitsScalarValuesButNotKeys()
    {
        const std::string text = kScalars;
        std::vector<std::string> seen;
        jsontext::forEachScalar(text, jsontext::rootValue(text), [&](jsontext::Span token) {
            seen.push_back(sliceOf(text, token));
            return true;
        });
        const std::vector<std::string> expected{"\"v1\"", "-2.5e3", "true", "null", "\"v\\\"2\""};
        QCOMPARE(seen, expected);
    }

    void syntaxErrorsSayWhereAndWhy_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<int>("offset");
        QTest::addColumn<QString>("fragment");
        QTest::newRow("trailing comma")
            << QByteArray(R"({"a": 1,})") << 8 << QStringLiteral("expected a string key");
        QTest::newRow("missing colon") << QByteArray(R"({"a" 1})") << 5 << QStringLiteral("expected ':'");
        QTest::newRow("unterminated string")
            << QByteArray("{\"a\": \"abc") << 6 << QStringLiteral("unterminated string");
        QTest::newRow("bad literal") << QByteArray(R"({"a": tru})") << 6 << QStringLiteral("invalid literal");
        QTest::newRow("leading zero")
            << QByteArray(R"({"a": 01})") << 7 << QStringLiteral("expected ',' or '}'");
        QTest::newRow("bad escape") << QByteArray(R"({"a": "\x"})") << 7 << QStringLiteral("invalid escape");
        QTest::newRow("lone surrogate")
            << QByteArray(R"({"a": "\udc00"})") << 7 << QStringLiteral("surrogate");
        QTest::newRow("raw control") << QByteArray("{\"a\": \"x\ty\"}") << 8
                                     << QStringLiteral("control character");
        QTest::newRow("invalid utf8")
            << QByteArray("{\"a\": \"x\xff\"}") << 8 << QStringLiteral("invalid UTF-8 byte 0xff");
        QTest::newRow("overlong utf8")
            << QByteArray("{\"a\": \"\xc0\xaf\"}") << 7 << QStringLiteral("invalid UTF-8");
        QTest::newRow("after value") << QByteArray(R"({"a": 1} x)") << 9
                                     << QStringLiteral("after the JSON value");
        QTest::newRow("empty") << QByteArray("  ") << 2 << QStringLiteral("expected a value");
    }

    void syntaxErrorsSayWhereAndWhy()
    {
        QFETCH(QByteArray, text);
        QFETCH(int, offset);
        QFETCH(QString, fragment);
        const auto error =
            json::checkSyntax(std::string_view(text.constData(), static_cast<std::size_t>(text.size())));
        QVERIFY(error);
        QCOMPARE(static_cast<int>(error->offset), offset);
        QVERIFY2(error->message.contains(fragment), qPrintable(error->message));
    }

    void acceptsValidJson()
    {
        for (const char *text :
             {R"({"a": [1, -0.5, 2e-3, 1E+2, true, false, null, "\ud83d\ude00"], "b": {}})", "[]", "\"x\"",
              " 12 ", "{\"é\": \"\xF0\x9F\x98\x80\"}"}) {
            json::ValueKind kind;
            const auto error = json::checkSyntax(text, &kind);
            QVERIFY2(!error, text);
        }
    }

    void shapeHashIgnoresKeyOrderButNotKeys()
    {
        auto shape = [](const char *text) {
            quint64 hash = 0;
            const auto error = json::checkSyntax(text, nullptr, &hash);
            return error ? quint64(0) : hash;
        };
        QCOMPARE(shape(R"({"a": 1, "b": {"c": "x"}})"), shape(R"({"b": {"c": "y"}, "a": 2})"));
        QVERIFY(shape(R"({"a": 1, "b": {"c": "x"}})") != shape(R"({"a": 1, "b": {"d": "x"}})"));
        QVERIFY(shape(R"({"a": 1, "b": {"c": "x"}})") != shape(R"({"a": 1, "b": "flat"})"));
        // Array contents are one cell: they do not change the shape.
        QCOMPARE(shape(R"({"a": [{"x": 1}]})"), shape(R"({"a": [{"y": 2}, 3]})"));
    }

    void validatesUtf8()
    {
        QCOMPARE(json::firstInvalidUtf8("plain ascii text, long enough for the fast path"), json::npos);
        QCOMPARE(json::firstInvalidUtf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"), json::npos);
        QCOMPARE(json::firstInvalidUtf8("abcdefghij\xFFz"), std::size_t(10));
        QCOMPARE(json::firstInvalidUtf8("ab\xED\xA0\x80"), std::size_t(2));   // encoded surrogate
        QCOMPARE(json::firstInvalidUtf8("ab\xE2\x82"), std::size_t(2));       // truncated
        QCOMPARE(json::firstInvalidUtf8("\xF4\x90\x80\x80"), std::size_t(0)); // above U+10FFFF
    }

    void positionsCountLinesAndCharacters()
    {
        const std::string text = "{\n  \"é\": x}";
        const json::TextPosition position = json::textPosition(text, text.find('x'));
        QCOMPARE(position.line, qint64(2));
        QCOMPARE(position.column, qint64(8));
    }
};

QTEST_GUILESS_MAIN(TestJsonTextPatch)
#include "tst_json_text_patch.moc"
