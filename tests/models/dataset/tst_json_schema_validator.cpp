// JsonSchemaValidator: every keyword passes what it should, and a failure names the JSON path of
// the failing value and says why, the way `assay dataset check` and the dataset panel show it.
#include <QFile>
#include <QtTest>

#include "models/dataset/json_schema_validator.h"

using assay::dataset::JsonSchemaValidator;
using assay::dataset::JsonSchemaValidatorOptions;
using assay::dataset::SchemaViolation;
using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

namespace {

QStringList messages(const QList<SchemaViolation> &violations)
{
    QStringList out;
    for (const SchemaViolation &violation : violations)
        out << violation.toString();
    return out;
}

QStringList check(const char *schema, const char *value, JsonSchemaValidatorOptions options = {})
{
    const JsonSchemaValidator validator(json::parse(schema), options);
    if (!validator.isValid())
        return {QStringLiteral("schema error: ") + validator.schemaError()};
    const ojson parsed = ojson::parse(value);
    const QStringList found = messages(validator.validate(parsed));
    // accepts() is the fast path of the same rules.
    if (validator.accepts(parsed) != found.isEmpty())
        return {QStringLiteral("accepts() disagrees with validate()")};
    return found;
}

} // namespace

class TestJsonSchemaValidator : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void keywords_data()
    {
        QTest::addColumn<QByteArray>("schema");
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<QStringList>("expected");
        auto row = [](const char *name, const char *schema, const char *value, QStringList expected = {}) {
            QTest::newRow(name) << QByteArray(schema) << QByteArray(value) << expected;
        };
        const auto s = [](const char *text) { return QString::fromUtf8(text); };

        // type
        row("type ok", R"({"type":"string"})", R"("x")");
        row("type wrong", R"({"type":"string"})", "7", {s("$: 7 is not of type string")});
        row("type union ok", R"({"type":["string","null"]})", "null");
        row("type union wrong", R"({"type":["string","integer","null"]})", "true",
            {s("$: true is not of type string, integer or null")});
        row("integer accepts 1.0", R"({"type":"integer"})", "1.0");
        row("integer rejects 1.5", R"({"type":"integer"})", "1.5", {s("$: 1.5 is not of type integer")});
        row("number accepts integers", R"({"type":"number"})", "3");
        row("nested type", R"({"properties":{"ticket":{"properties":{"id":{"type":"integer"}}}}})",
            R"({"ticket":{"id":"A-1"}})", {s("$.ticket.id: \"A-1\" is not of type integer")});

        // enum and const
        row("enum with path",
            R"({"type":"object","properties":{"ticket":{"type":"object","properties":{"priority":{"enum":["low","high"]}}}}})",
            R"({"ticket":{"priority":7}})", {s("$.ticket.priority: 7 is not one of [\"low\",\"high\"]")});
        row("enum ok", R"({"enum":["low","high",null]})", "null");
        row("enum numbers compare as numbers", R"({"enum":[1,2]})", "2.0");
        row("enum objects ignore key order", R"({"enum":[{"a":1,"b":2}]})", R"({"b":2,"a":1})");
        row("const wrong", R"({"const":"Hardware"})", R"("hardware")",
            {s("$: \"hardware\" is not the constant \"Hardware\"")});
        row("const ok", R"({"const":[1,{"x":null}]})", R"([1,{"x":null}])");

        // objects
        row("required", R"({"properties":{"ticket":{"required":["subject","body"]}}})",
            R"({"ticket":{"body":"b"}})", {s("$.ticket: missing required property \"subject\"")});
        row("additionalProperties false", R"({"properties":{"a":{}},"additionalProperties":false})",
            R"({"a":1,"extra":2})", {s("$.extra: property \"extra\" is not allowed")});
        row("additionalProperties schema",
            R"({"properties":{"a":{}},"additionalProperties":{"type":"integer"}})",
            R"({"a":"x","b":1,"c":"y"})", {s("$.c: \"y\" is not of type integer")});
        row("patternProperties",
            R"({"patternProperties":{"^x_":{"type":"string"}},"additionalProperties":false})",
            R"({"x_a":"ok","x_b":2,"y":1})",
            {s("$.x_b: 2 is not of type string"), s("$.y: property \"y\" is not allowed")});
        row("minProperties", R"({"minProperties":2})", R"({"a":1})",
            {s("$: has 1 property, fewer than minProperties 2")});
        row("maxProperties", R"({"maxProperties":1})", R"({"a":1,"b":2})",
            {s("$: has 2 properties, more than maxProperties 1")});
        row("odd key path", R"({"properties":{"odd key":{"type":"integer"},"1st":{"type":"integer"}}})",
            R"({"odd key":"x","1st":"y"})",
            {s("$[\"odd key\"]: \"x\" is not of type integer"),
             s("$[\"1st\"]: \"y\" is not of type integer")});

        // arrays
        row("items", R"({"properties":{"tags":{"items":{"type":"string"}}}})",
            R"({"tags":["a",2,"c",false]})",
            {s("$.tags[1]: 2 is not of type string"), s("$.tags[3]: false is not of type string")});
        row("prefixItems then items false",
            R"({"prefixItems":[{"type":"integer"},{"type":"string"}],"items":false})", R"([1,"a",3])",
            {s("$[2]: no item allowed here: the array takes at most 2 items")});
        row("prefixItems wrong", R"({"prefixItems":[{"type":"integer"},{"type":"string"}]})",
            R"(["a","b",{}])", {s("$[0]: \"a\" is not of type integer")});
        row("minItems", R"({"minItems":2})", "[1]", {s("$: has 1 item, fewer than minItems 2")});
        row("maxItems", R"({"maxItems":2})", "[1,2,3]", {s("$: has 3 items, more than maxItems 2")});
        row("uniqueItems", R"({"uniqueItems":true})", R"([1,"a",1.0])",
            {s("$[2]: 1.0 repeats item [0] (uniqueItems)")});

        // strings (length counts characters, not bytes)
        row("minLength", R"({"minLength":3})", R"("né")", {s("$: \"né\" is shorter than 3 characters")});
        row("maxLength counts code points", R"({"maxLength":3})", R"("日本語")");
        row("maxLength", R"({"maxLength":3})", R"("abcd")", {s("$: \"abcd\" is longer than 3 characters")});
        row("pattern", R"({"pattern":"^[A-Z]{3}-\\d+$"})", R"("ab-1")",
            {s("$: \"ab-1\" does not match the pattern \"^[A-Z]{3}-\\\\d+$\"")});
        row("pattern is unanchored", R"({"pattern":"b"})", R"("abc")");
        row("pattern unicode", R"({"pattern":"^café$"})", R"("café")");

        // numbers
        row("minimum", R"({"minimum":1})", "0", {s("$: 0 is less than the minimum 1")});
        row("minimum inclusive", R"({"minimum":1})", "1");
        row("maximum", R"({"maximum":5})", "5.5", {s("$: 5.5 is greater than the maximum 5")});
        row("exclusiveMinimum", R"({"exclusiveMinimum":0})", "0",
            {s("$: 0 is not greater than the exclusive minimum 0")});
        row("exclusiveMaximum", R"({"exclusiveMaximum":1.5})", "1.5",
            {s("$: 1.5 is not less than the exclusive maximum 1.5")});
        row("OpenAPI 3.0 boolean exclusiveMinimum", R"({"minimum":5,"exclusiveMinimum":true})", "5",
            {s("$: 5 is not greater than the exclusive minimum 5")});
        row("multipleOf", R"({"multipleOf":0.5})", "1.25", {s("$: 1.25 is not a multiple of 0.5")});
        row("multipleOf ok", R"({"multipleOf":0.1})", "0.3");

        // combinators
        row("allOf reports every branch", R"({"allOf":[{"minimum":3},{"multipleOf":2}]})", "1",
            {s("$: 1 is less than the minimum 3"), s("$: 1 is not a multiple of 2")});
        row("anyOf ok", R"({"anyOf":[{"type":"string"},{"type":"integer"}]})", "3");
        row("anyOf wrong type", R"({"anyOf":[{"type":"string"},{"type":"integer"}]})", "true",
            {s("$: true does not match any of the 2 anyOf schemas")});
        // When one branch took the value's type, its reasons are the useful ones.
        row("anyOf explains the closest branch",
            R"({"properties":{"grader":{"anyOf":[{"type":"string"},{"type":"object","required":["type"]}]}}})",
            R"({"grader":{"name":"x"}})",
            {s("$.grader: {\"name\":\"x\"} does not match any of the 2 anyOf schemas"),
             s("$.grader: missing required property \"type\"")});
        row("oneOf exactly one", R"({"oneOf":[{"type":"integer"},{"type":"string"}]})", "3");
        row("oneOf two match", R"({"oneOf":[{"type":"integer"},{"minimum":0}]})", "3",
            {s("$: 3 matches 2 of the oneOf schemas (0, 1), expected exactly one")});
        row("oneOf none", R"({"oneOf":[{"type":"integer"},{"type":"string"}]})", "[]",
            {s("$: [] does not match any of the 2 oneOf schemas")});
        row("not", R"({"not":{"type":"null"}})", "null", {s("$: null must not match the \"not\" schema")});
        row("false schema", R"({"properties":{"gone":false}})", R"({"gone":1})",
            {s("$.gone: no value is allowed here")});
        row("true schema", "true", R"({"anything":[1,2]})");

        // references
        row("$ref into $defs",
            R"({"$defs":{"label":{"enum":["a","b"]}},"properties":{"x":{"$ref":"#/$defs/label"}}})",
            R"({"x":"c"})", {s("$.x: \"c\" is not one of [\"a\",\"b\"]")});
        row("$ref into definitions",
            R"({"definitions":{"n":{"type":"integer","minimum":0}},"items":{"$ref":"#/definitions/n"}})",
            "[1,-1]", {s("$[1]: -1 is less than the minimum 0")});
        row("$ref with siblings", R"({"$defs":{"s":{"type":"string"}},"$ref":"#/$defs/s","maxLength":2})",
            R"("abc")", {s("$: \"abc\" is longer than 2 characters")});
        row("recursive $ref",
            R"({"type":"object","properties":{"name":{"type":"string"},"children":{"type":"array","items":{"$ref":"#"}}}})",
            R"({"name":"root","children":[{"name":"a","children":[{"name":"b"},{"name":5}]}]})",
            {s("$.children[0].children[1].name: 5 is not of type string")});
        row("$ref with escaped pointer",
            R"({"$defs":{"a/b":{"type":"integer"},"c d":{"type":"string"}},)"
            R"("properties":{"x":{"$ref":"#/$defs/a~1b"},"y":{"$ref":"#/$defs/c%20d"}}})",
            R"({"x":"1","y":2})",
            {s("$.x: \"1\" is not of type integer"), s("$.y: 2 is not of type string")});

        // annotations do not constrain
        row("annotations ignored",
            R"({"title":"t","description":"d","format":"email","default":1,"examples":[]})",
            R"("not an email")");
    }

    void keywords()
    {
        QFETCH(QByteArray, schema);
        QFETCH(QByteArray, value);
        QFETCH(QStringList, expected);
        QCOMPARE(check(schema.constData(), value.constData()), expected);
    }

    void openApiNullable()
    {
        const char *schema =
            R"({"type":"object","properties":{"reason":{"type":"string","nullable":true,"enum":["a"]}}})";
        JsonSchemaValidatorOptions openApi;
        openApi.openApiNullable = true;
        QCOMPARE(check(schema, R"({"reason":null})", openApi), QStringList());
        QCOMPARE(check(schema, R"({"reason":"b"})", openApi),
                 QStringList{QStringLiteral("$.reason: \"b\" is not one of [\"a\"]")});
        // Plain JSON Schema has no `nullable`: it is an annotation there.
        QCOMPARE(check(schema, R"({"reason":null})"),
                 QStringList{QStringLiteral("$.reason: null is not of type string")});
    }

    void brokenSchemas_data()
    {
        QTest::addColumn<QByteArray>("schema");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("unknown type") << QByteArray(R"({"properties":{"a":{"type":"strng"}}})")
                                      << QStringLiteral("#/properties/a/type: unknown type \"strng\"");
        QTest::newRow("bad regex") << QByteArray("{\"pattern\":\"(unclosed\"}")
                                   << QStringLiteral("#/pattern: invalid regular expression");
        QTest::newRow("missing ref")
            << QByteArray("{\"items\":{\"$ref\":\"#/$defs/nope\"}}")
            << QStringLiteral("#/items/$ref: $ref \"#/$defs/nope\" does not point into this schema");
        QTest::newRow("remote ref") << QByteArray("{\"$ref\":\"https://example.com/s.json\"}")
                                    << QStringLiteral("only local references");
        QTest::newRow("not a schema")
            << QByteArray(R"({"properties":{"a":3}})")
            << QStringLiteral("#/properties/a: a schema must be an object or a boolean");
        QTest::newRow("negative minLength") << QByteArray(R"({"minLength":-1})")
                                            << QStringLiteral("#/minLength: must be a non-negative integer");
    }

    void brokenSchemas()
    {
        QFETCH(QByteArray, schema);
        QFETCH(QString, mentions);
        const JsonSchemaValidator validator(json::parse(schema.constData()));
        QVERIFY(!validator.isValid());
        QVERIFY2(validator.schemaError().contains(mentions), qPrintable(validator.schemaError()));
        // A broken schema never passes a value silently.
        const auto violations = validator.validate(json::object());
        QCOMPARE(violations.size(), 1);
        QCOMPARE(violations.first().path, QStringLiteral("$"));
        QVERIFY(!validator.accepts(json("x")));
    }

    void emptyValidatorAcceptsEverything()
    {
        const JsonSchemaValidator any;
        QVERIFY(any.isValid());
        QVERIFY(any.accepts(json::parse(R"({"a":[1,null]})")));
        QVERIFY(any.validate(ojson(3)).isEmpty());
    }

    void bothJsonFlavoursAndOrderedSchema()
    {
        const ojson schema =
            ojson::parse(R"({"type":"object","required":["id"],"properties":{"id":{"type":"integer"}}})");
        const JsonSchemaValidator validator(schema);
        QVERIFY(validator.accepts(json::parse(R"({"id":1})")));
        QVERIFY(validator.accepts(ojson::parse(R"({"id":1})")));
        QCOMPARE(messages(validator.validate(json::parse(R"({"id":"1"})"))),
                 QStringList{QStringLiteral("$.id: \"1\" is not of type integer")});
    }

    void violationsAreCapped()
    {
        JsonSchemaValidatorOptions options;
        options.maxViolations = 5;
        const JsonSchemaValidator validator(json::parse(R"({"items":{"type":"string"}})"), options);
        json many = json::array();
        for (int i = 0; i < 1000; ++i)
            many.push_back(i);
        QCOMPARE(validator.validate(many).size(), 5);
        QCOMPARE(validator.validate(many).first().path, QStringLiteral("$[0]"));
    }

    void longValuesAreShortenedInMessages()
    {
        const std::string longText(500, 'x');
        const JsonSchemaValidator validator(json::parse(R"({"type":"integer"})"));
        const auto violations = validator.validate(json(longText));
        QCOMPARE(violations.size(), 1);
        QVERIFY(violations.first().message.size() < 120);
        QVERIFY(violations.first().message.contains(QLatin1String("...")));
    }

    void compiledOnceValidatesManyRows()
    {
        // The shipped sample schemas compile, accept their own rows and reject a broken one.
        for (const char *name : {"it_tickets", "news_headlines", "push_notifications"}) {
            QFile schemaFile(QStringLiteral(":/datasets/%1.schema.json").arg(QLatin1String(name)));
            QVERIFY(schemaFile.open(QIODevice::ReadOnly));
            const JsonSchemaValidator validator(json::parse(schemaFile.readAll().toStdString()));
            QVERIFY2(validator.isValid(), qPrintable(validator.schemaError()));
            QFile data(QStringLiteral(":/datasets/%1.jsonl").arg(QLatin1String(name)));
            QVERIFY(data.open(QIODevice::ReadOnly));
            int rows = 0;
            for (const QByteArray &line : data.readAll().split('\n')) {
                if (line.isEmpty())
                    continue;
                ojson item = ojson::parse(line.toStdString());
                if (item.contains("item"))
                    item = item.at("item");
                QVERIFY2(validator.accepts(item), line.constData());
                ++rows;
            }
            QVERIFY(rows >= 20);
        }
        QFile schemaFile(QStringLiteral(":/datasets/it_tickets.schema.json"));
        QVERIFY(schemaFile.open(QIODevice::ReadOnly));
        const JsonSchemaValidator tickets(json::parse(schemaFile.readAll().toStdString()));
        QCOMPARE(
            messages(tickets.validate(ojson::parse(R"({"ticket_text":"","correct_label":"Hardwre","x":1})"))),
            (QStringList{QStringLiteral("$.ticket_text: \"\" is shorter than 1 characters"),
                         QStringLiteral("$.correct_label: \"Hardwre\" is not one of "
                                        "[\"Hardware\",\"Software\",\"Other\"]"),
                         QStringLiteral("$.x: property \"x\" is not allowed")}));
        // Copies share the compiled schema and give the same answers.
        const JsonSchemaValidator copy = tickets;
        QVERIFY(copy.accepts(ojson::parse(R"({"ticket_text":"t","correct_label":"Other"})")));
        QVERIFY(!copy.accepts(ojson::parse(R"({"ticket_text":"t"})")));
    }
};

QTEST_GUILESS_MAIN(TestJsonSchemaValidator)
#include "tst_json_schema_validator.moc"
