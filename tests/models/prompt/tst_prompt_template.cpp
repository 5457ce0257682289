#include <QtTest>

#include "models/prompt/prompt_template.h"

using assay::prompt::PromptTemplate;
using json = nlohmann::json;

class TestPromptTemplate : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void spansCoverBracesInQStringUnits();
    void whitespaceInsideBracesIsAllowed_data();
    void whitespaceInsideBracesIsAllowed();
    void textThatIsNotAVariableIsIgnored_data();
    void textThatIsNotAVariableIsIgnored();
    void tripleBracesFindTheInnerVariable();
    void variableNamesAreDistinctInOrder();
    void rendersFlatVariables();
    void rendersNestedPathsAndIndexes();
    void rendersNonStringsAsCompactJson();
    void keepsUnicode();
    void unresolvedAreKeptVerbatimAndReported();
    void literalDottedKeyIsALastResort();
    void quotedKeysReachNamesWithSpaces();
    void textWithoutVariablesIsUnchanged();
};

void TestPromptTemplate::spansCoverBracesInQStringUnits()
{
    // U+1F600 takes two UTF-16 units: the editor's highlighter works in QString offsets.
    const QString text = QStringLiteral("😀 Hi {{ name }}, see {{item.a.b[0].c}}!");
    const auto spans = PromptTemplate::findVariables(text);
    QCOMPARE(spans.size(), 2);
    QCOMPARE(spans[0].start, 6);
    QCOMPARE(spans[0].length, 10);
    QCOMPARE(spans[0].path, QStringLiteral("name"));
    QCOMPARE(text.mid(spans[0].start, spans[0].length), QStringLiteral("{{ name }}"));
    QCOMPARE(spans[1].path, QStringLiteral("item.a.b[0].c"));
    QCOMPARE(text.mid(spans[1].start, spans[1].length), QStringLiteral("{{item.a.b[0].c}}"));
}

void TestPromptTemplate::whitespaceInsideBracesIsAllowed_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("none") << QStringLiteral("{{sample.output_text}}");
    QTest::newRow("spaces") << QStringLiteral("{{ sample.output_text }}");
    QTest::newRow("lots") << QStringLiteral("{{    sample.output_text  }}");
    QTest::newRow("tab and newline") << QStringLiteral("{{\tsample.output_text\n}}");
}

void TestPromptTemplate::whitespaceInsideBracesIsAllowed()
{
    QFETCH(QString, text);
    const auto spans = PromptTemplate::findVariables(text);
    QCOMPARE(spans.size(), 1);
    QCOMPARE(spans[0].path, QStringLiteral("sample.output_text"));
    QCOMPARE(spans[0].start, 0);
    QCOMPARE(spans[0].length, text.size());
    const json context = {{"sample", {{"output_text", "Paris"}}}};
    QCOMPARE(PromptTemplate::render(text, context), QStringLiteral("Paris"));
}

void TestPromptTemplate::textThatIsNotAVariableIsIgnored_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("empty") << QStringLiteral("{{}} and {{   }}");
    QTest::newRow("sentence") << QStringLiteral("{{ not a variable }}");
    QTest::newRow("json") << QStringLiteral("{\"a\": {\"b\": 1}}");
    QTest::newRow("double dot") << QStringLiteral("{{a..b}}");
    QTest::newRow("leading dot") << QStringLiteral("{{.a}}");
    QTest::newRow("trailing dot") << QStringLiteral("{{a.}}");
    QTest::newRow("bad index") << QStringLiteral("{{a[x]}}");
    QTest::newRow("unclosed") << QStringLiteral("{{name");
    QTest::newRow("single braces") << QStringLiteral("{name}");
}

void TestPromptTemplate::textThatIsNotAVariableIsIgnored()
{
    QFETCH(QString, text);
    QVERIFY(PromptTemplate::findVariables(text).isEmpty());
    QStringList unresolved;
    QCOMPARE(PromptTemplate::render(text, json::object(), &unresolved), text);
    QVERIFY(unresolved.isEmpty());
}

void TestPromptTemplate::tripleBracesFindTheInnerVariable()
{
    const QString text = QStringLiteral("{{{name}}}");
    const auto spans = PromptTemplate::findVariables(text);
    QCOMPARE(spans.size(), 1);
    QCOMPARE(spans[0].start, 1);
    QCOMPARE(spans[0].length, 8);
    QCOMPARE(PromptTemplate::render(text, json{{"name", "Ada"}}), QStringLiteral("{Ada}"));
}

void TestPromptTemplate::variableNamesAreDistinctInOrder()
{
    const QString text = QStringLiteral("{{b}} {{ a }} {{b}} {{item.x}} {{a}}");
    QCOMPARE(PromptTemplate::variableNames(text),
             QStringList({QStringLiteral("b"), QStringLiteral("a"), QStringLiteral("item.x")}));
}

void TestPromptTemplate::rendersFlatVariables()
{
    const json variables = {{"name", "Ada"}, {"city", "London"}};
    QStringList unresolved;
    QCOMPARE(PromptTemplate::render(QStringLiteral("Hello {{name}} from {{ city }}.{{name}}{{city}}"),
                                    variables, &unresolved),
             QStringLiteral("Hello Ada from London.AdaLondon"));
    QVERIFY(unresolved.isEmpty());
}

void TestPromptTemplate::rendersNestedPathsAndIndexes()
{
    const json context = json::parse(R"({
        "item": {"a": {"b": [{"c": "deep"}, {"c": "second"}]}, "tags": ["x", "y", "z"]},
        "sample": {"output_text": "42", "output_tools": [{"function": {"name": "get_weather"}}]}
    })");
    QCOMPARE(PromptTemplate::render(QStringLiteral("{{ item.a.b[0].c }}/{{item.a.b[1].c}}/{{item.tags[2]}}"),
                                    context),
             QStringLiteral("deep/second/z"));
    QCOMPARE(PromptTemplate::render(QStringLiteral("{{sample.output_tools[0].function.name}}"), context),
             QStringLiteral("get_weather"));
    QCOMPARE(PromptTemplate::render(QStringLiteral("answer={{ sample.output_text }}"), context),
             QStringLiteral("answer=42"));
}

void TestPromptTemplate::rendersNonStringsAsCompactJson()
{
    const json context = {{"n", 3},
                          {"x", 2.5},
                          {"yes", true},
                          {"nothing", nullptr},
                          {"obj", {{"a", 1}, {"b", json::array({1, "two"})}}},
                          {"arr", json::array({1, 2, 3})},
                          {"text", "{\"raw\": 1}"}};
    QCOMPARE(PromptTemplate::render(QStringLiteral("{{n}} {{x}} {{yes}} {{nothing}}"), context),
             QStringLiteral("3 2.5 true null"));
    QCOMPARE(PromptTemplate::render(QStringLiteral("{{obj}}|{{arr}}"), context),
             QStringLiteral("{\"a\":1,\"b\":[1,\"two\"]}|[1,2,3]"));
    // A string is inserted as it is, even when it holds JSON: no quotes, no escaping.
    QCOMPARE(PromptTemplate::render(QStringLiteral("{{text}}"), context), QStringLiteral("{\"raw\": 1}"));
}

void TestPromptTemplate::keepsUnicode()
{
    const json context = {{"name", "Zoë 東京 😀"}, {"obj", {{"city", "Zürich"}}}, {"ключ", "значение"}};
    QCOMPARE(PromptTemplate::render(QStringLiteral("Grüße, {{name}}! {{obj}} {{ключ}}"), context),
             QStringLiteral("Grüße, Zoë 東京 😀! {\"city\":\"Zürich\"} значение"));
}

void TestPromptTemplate::unresolvedAreKeptVerbatimAndReported()
{
    const json context = {{"item", {{"list", json::array({"a"})}, {"text", "t"}}}};
    QStringList unresolved = {QStringLiteral("earlier")};
    const QString text =
        QStringLiteral("{{ missing }} {{item.list[5]}} {{item.text.deeper}} {{ missing }} {{earlier}} "
                       "{{item.list[0]}}");
    QCOMPARE(
        PromptTemplate::render(text, context, &unresolved),
        QStringLiteral("{{ missing }} {{item.list[5]}} {{item.text.deeper}} {{ missing }} {{earlier}} a"));
    QCOMPARE(unresolved, QStringList({QStringLiteral("earlier"), QStringLiteral("missing"),
                                      QStringLiteral("item.list[5]"), QStringLiteral("item.text.deeper")}));
    // Not an object at all: nothing resolves, nothing is lost.
    QStringList none;
    QCOMPARE(PromptTemplate::render(QStringLiteral("x {{a}}"), json(), &none), QStringLiteral("x {{a}}"));
    QCOMPARE(none, QStringList({QStringLiteral("a")}));
}

void TestPromptTemplate::literalDottedKeyIsALastResort()
{
    // A CSV column called "user.name" in a flat row.
    const json flat = {{"user.name", "flat"}};
    QCOMPARE(PromptTemplate::render(QStringLiteral("{{user.name}}"), flat), QStringLiteral("flat"));
    const json both = {{"user.name", "flat"}, {"user", {{"name", "nested"}}}};
    QCOMPARE(PromptTemplate::render(QStringLiteral("{{user.name}}"), both), QStringLiteral("nested"));
}

void TestPromptTemplate::quotedKeysReachNamesWithSpaces()
{
    const json context = {{"item", {{"first name", "Grace"}}}};
    QCOMPARE(
        PromptTemplate::render(QStringLiteral("{{ item[\"first name\"] }} {{item['first name']}}"), context),
        QStringLiteral("Grace Grace"));
}

void TestPromptTemplate::textWithoutVariablesIsUnchanged()
{
    const QString text = QStringLiteral("No variables { here } at all.\nSecond line.");
    QStringList unresolved;
    QCOMPARE(PromptTemplate::render(text, json{{"here", "x"}}, &unresolved), text);
    QVERIFY(unresolved.isEmpty());
}

QTEST_GUILESS_MAIN(TestPromptTemplate)
#include "tst_prompt_template.moc"
