// Item schema inference: what the dataset panel proposes as `item_schema` for a file.
#include <QFile>
#include <QtTest>

#include "models/dataset/json_schema_validator.h"
#include "models/dataset/schema_inference.h"

using assay::dataset::JsonSchemaValidator;
using assay::dataset::SchemaInference;
using assay::dataset::SchemaInferenceOptions;
using ojson = nlohmann::ordered_json;

namespace {

// The items of a sample dataset compiled into the resources, unwrapped from {"item": ...}.
std::vector<ojson> sampleItems(const QString &name)
{
    QFile file(QStringLiteral(":/datasets/%1.jsonl").arg(name));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    std::vector<ojson> items;
    for (const QByteArray &line : file.readAll().split('\n')) {
        if (line.trimmed().isEmpty())
            continue;
        ojson row = ojson::parse(line.toStdString());
        if (row.is_object() && row.size() == 1 && row.contains("item"))
            row = row.at("item");
        items.push_back(std::move(row));
    }
    return items;
}

ojson sampleSchema(const QString &name)
{
    QFile file(QStringLiteral(":/datasets/%1.schema.json").arg(name));
    if (!file.open(QIODevice::ReadOnly))
        return nullptr;
    return ojson::parse(file.readAll().toStdString());
}

std::vector<ojson> rows(const char *jsonArray)
{
    std::vector<ojson> out;
    for (const auto &row : ojson::parse(jsonArray))
        out.push_back(row);
    return out;
}

QByteArray dumped(const ojson &value)
{
    return QByteArray::fromStdString(value.dump());
}

} // namespace

class TestSchemaInference : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void itTicketsSample()
    {
        const std::vector<ojson> items = sampleItems(QStringLiteral("it_tickets"));
        QVERIFY(items.size() >= 20);
        const ojson schema = SchemaInference::infer(items);
        QCOMPARE(dumped(schema),
                 QByteArray(R"({"type":"object","properties":{"ticket_text":{"type":"string"},)"
                            R"("correct_label":{"type":"string","enum":["Hardware","Software","Other"]}},)"
                            R"("required":["ticket_text","correct_label"]})"));
        // What was inferred accepts every row, and agrees with the schema shipped beside the data.
        const JsonSchemaValidator inferred(schema);
        for (const ojson &item : items)
            QVERIFY2(inferred.accepts(item), item.dump().c_str());
        const ojson shipped = sampleSchema(QStringLiteral("it_tickets"));
        QCOMPARE(dumped(shipped.at("required")), dumped(schema.at("required")));
        QCOMPARE(dumped(shipped.at("properties").at("correct_label").at("enum")),
                 dumped(schema.at("properties").at("correct_label").at("enum")));
    }

    void newsHeadlinesSample()
    {
        const std::vector<ojson> items = sampleItems(QStringLiteral("news_headlines"));
        QVERIFY(items.size() >= 20);
        const ojson schema = SchemaInference::infer(items);
        // The headline is free text; the topic is a label, its values in first-seen order.
        QVERIFY(!schema.at("properties").at("input").contains("enum"));
        QCOMPARE(
            dumped(schema.at("properties").at("ground_truth")),
            QByteArray(R"({"type":"string","enum":["Technology","Markets","World","Business","Sports"]})"));
        const ojson shipped = sampleSchema(QStringLiteral("news_headlines"));
        QCOMPARE(dumped(shipped.at("properties").at("ground_truth").at("enum")),
                 dumped(schema.at("properties").at("ground_truth").at("enum")));
    }

    void pushNotificationsSample()
    {
        const std::vector<ojson> items = sampleItems(QStringLiteral("push_notifications"));
        QVERIFY(items.size() >= 20);
        const ojson schema = SchemaInference::infer(items);
        const ojson &props = schema.at("properties");
        QCOMPARE(dumped(props.at("notification_count")), QByteArray(R"({"type":"integer"})"));
        // Some categories appear only once: a label column needs every value at least twice.
        QCOMPARE(dumped(props.at("category")), QByteArray(R"({"type":"string"})"));
        QCOMPARE(dumped(schema.at("required")),
                 QByteArray(R"(["notifications","notification_count","category","reference_summary"])"));
        const JsonSchemaValidator shipped(sampleSchema(QStringLiteral("push_notifications")));
        QVERIFY(shipped.isValid());
        for (const ojson &item : items)
            QVERIFY2(shipped.accepts(item), item.dump().c_str());
    }

    void mixedTypesBecomeUnions()
    {
        const ojson schema = SchemaInference::infer(rows(R"([
            {"a": 1, "b": 1, "c": 2.5, "d": true},
            {"a": "one", "b": 2.5, "c": 3, "d": null},
            {"a": null, "b": 3, "c": 4, "d": false}])"));
        const ojson &props = schema.at("properties");
        QCOMPARE(dumped(props.at("a")), QByteArray(R"({"type":["integer","string","null"]})"));
        // Integers and fractions together are "number" (integer is a subset), whatever came first.
        QCOMPARE(dumped(props.at("b")), QByteArray(R"({"type":"number"})"));
        QCOMPARE(dumped(props.at("c")), QByteArray(R"({"type":"number"})"));
        QCOMPARE(dumped(props.at("d")), QByteArray(R"({"type":["boolean","null"]})"));
        QCOMPARE(dumped(schema.at("required")), QByteArray(R"(["a","b","c","d"])"));
    }

    void nestedObjectsAndArrays()
    {
        const ojson schema = SchemaInference::infer(rows(R"([
            {"ticket": {"subject": "Printer", "priority": 1, "tags": ["hw", "floor3"]},
             "history": [{"by": "ana", "at": 1}, {"by": "bo"}]},
            {"ticket": {"subject": "VPN", "tags": []}, "history": []},
            {"ticket": {"subject": "Mail", "priority": 2, "tags": ["sw"]}, "history": [{"by": "cy", "at": 3}],
             "empty": []}])"));
        QCOMPARE(
            dumped(schema),
            QByteArray(R"({"type":"object","properties":{)"
                       R"("ticket":{"type":"object","properties":{"subject":{"type":"string"},)"
                       R"("priority":{"type":"integer"},"tags":{"type":"array","items":{"type":"string"}}},)"
                       R"("required":["subject","tags"]},)"
                       R"("history":{"type":"array","items":{"type":"object","properties":{)"
                       R"("by":{"type":"string"},"at":{"type":"integer"}},"required":["by"]}},)"
                       R"("empty":{"type":"array"}},)"
                       R"("required":["ticket","history"]})"));
    }

    void optionalFieldsAndNulls()
    {
        const ojson schema = SchemaInference::infer(rows(R"([
            {"id": 1, "note": null, "extra": "x"},
            {"id": 2, "note": "late"},
            {"id": 3, "note": null}])"));
        // Present in every row (even as null) is required; missing anywhere is optional.
        QCOMPARE(dumped(schema.at("required")), QByteArray(R"(["id","note"])"));
        QCOMPARE(dumped(schema.at("properties").at("note")), QByteArray(R"({"type":["null","string"]})"));
        QCOMPARE(dumped(schema.at("properties").at("extra")), QByteArray(R"({"type":"string"})"));
    }

    void propertiesKeepFirstSeenOrder()
    {
        const ojson schema =
            SchemaInference::infer(rows(R"([{"zeta": 1}, {"alpha": 1, "zeta": 2}, {"mid": 3}])"));
        std::vector<std::string> keys;
        for (const auto &[key, value] : schema.at("properties").items())
            keys.push_back(key);
        QCOMPARE(keys, (std::vector<std::string>{"zeta", "alpha", "mid"}));
        QVERIFY(!schema.contains("required")); // nothing is in every row
    }

    void enumRules_data()
    {
        QTest::addColumn<QStringList>("values");
        QTest::addColumn<QByteArray>("expected");
        const QStringList tenRows = {QStringLiteral("low"), QStringLiteral("high"), QStringLiteral("low"),
                                     QStringLiteral("mid"), QStringLiteral("high"), QStringLiteral("mid"),
                                     QStringLiteral("low"), QStringLiteral("low"),  QStringLiteral("high"),
                                     QStringLiteral("mid")};
        QTest::newRow("label column")
            << tenRows << QByteArray(R"({"type":"string","enum":["low","high","mid"]})");
        QTest::newRow("too few rows") << tenRows.mid(1) << QByteArray(R"({"type":"string"})");
        QStringList onceOnly = tenRows;
        onceOnly << QStringLiteral("urgent");
        QTest::newRow("a value seen once") << onceOnly << QByteArray(R"({"type":"string"})");
        QStringList many;
        for (int i = 0; i < 13; ++i)
            many << QStringLiteral("v%1").arg(i) << QStringLiteral("v%1").arg(i);
        QTest::newRow("13 distinct values") << many << QByteArray(R"({"type":"string"})");
        QTest::newRow("12 distinct values")
            << many.mid(0, 24)
            << QByteArray(R"({"type":"string","enum":["v0","v1","v2","v3","v4","v5",)"
                          R"("v6","v7","v8","v9","v10","v11"]})");
    }

    void enumRules()
    {
        QFETCH(QStringList, values);
        QFETCH(QByteArray, expected);
        SchemaInference inference;
        for (const QString &value : values)
            inference.addRow(ojson{{"priority", value.toStdString()}});
        QCOMPARE(dumped(inference.schema().at("properties").at("priority")), expected);
        QCOMPARE(inference.rowCount(), static_cast<qint64>(values.size()));
    }

    void enumWithNullsAllowsNull()
    {
        SchemaInference inference;
        // 15 rows: 5 nulls and 10 strings (the row minimum counts strings, not nulls).
        for (int i = 0; i < 15; ++i)
            inference.addRow(ojson{{"label", i % 3 == 0 ? ojson(nullptr) : ojson(i % 2 ? "yes" : "no")}});
        const ojson label = inference.schema().at("properties").at("label");
        QCOMPARE(dumped(label.at("type")), QByteArray(R"(["null","string"])"));
        QCOMPARE(dumped(label.at("enum")), QByteArray(R"(["yes","no",null])"));
        const JsonSchemaValidator validator(inference.schema());
        QVERIFY(validator.accepts(ojson{{"label", nullptr}}));
        QVERIFY(!validator.accepts(ojson{{"label", "maybe"}}));
    }

    void customThresholds()
    {
        SchemaInferenceOptions options;
        options.enumMinRows = 3;
        options.enumMinCount = 1;
        options.enumMaxValues = 2;
        const ojson schema = SchemaInference::infer(rows(R"([{"x": "a"}, {"x": "b"}, {"x": "a"}])"), options);
        QCOMPARE(dumped(schema.at("properties").at("x").at("enum")), QByteArray(R"(["a","b"])"));
        const ojson three = SchemaInference::infer(rows(R"([{"x": "a"}, {"x": "b"}, {"x": "c"}])"), options);
        QVERIFY(!three.at("properties").at("x").contains("enum"));
    }

    void nonObjectRowsAndEmptyInput()
    {
        SchemaInference inference;
        QCOMPARE(dumped(inference.schema()), QByteArray("{}")); // nothing seen: anything goes
        inference.addRow(ojson::parse("[1, 2]"));
        inference.addRow(ojson("text"));
        QCOMPARE(dumped(inference.schema()),
                 QByteArray(R"({"type":["array","string"],"items":{"type":"integer"}})"));
        inference.reset();
        QCOMPARE(inference.rowCount(), qint64(0));
        QCOMPARE(dumped(inference.schema()), QByteArray("{}"));
    }

    void streamsManyRowsOfFreeText()
    {
        // Every row has a new subject: the inference must give up remembering them (no enum) and the
        // label column must still be found over the whole stream.
        SchemaInference inference;
        const char *labels[] = {"Hardware", "Software", "Other"};
        for (int i = 0; i < 200000; ++i)
            inference.addRow(
                ojson{{"subject", "ticket number " + std::to_string(i)}, {"label", labels[i % 3]}});
        const ojson schema = inference.schema();
        QCOMPARE(dumped(schema.at("properties").at("subject")), QByteArray(R"({"type":"string"})"));
        QCOMPARE(dumped(schema.at("properties").at("label").at("enum")),
                 QByteArray(R"(["Hardware","Software","Other"])"));
        QCOMPARE(inference.rowCount(), qint64(200000));
    }
};

QTEST_GUILESS_MAIN(TestSchemaInference)
#include "tst_schema_inference.moc"
