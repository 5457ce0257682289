#include <QtTest>

#include <QFile>
#include <QTemporaryDir>

#include "models/prompt/pricing.h"

using assay::api::TokenUsage;
using assay::prompt::ModelPrice;
using assay::prompt::Pricing;
using json = nlohmann::json;

namespace {

// A table with round prices so the arithmetic below is checkable by hand.
Pricing testTable()
{
    return Pricing::fromJson(json::parse(R"({
        "models": [
            {"model": "gpt-4.1", "input": 2.0, "cached_input": 0.5, "output": 8.0},
            {"model": "gpt-4.1-mini", "input": 0.4, "cached_input": 0.1, "output": 1.6},
            {"model": "o1-pro", "input": 150.0, "output": 600.0}
        ]})"));
}

TokenUsage usage(qint64 input, qint64 cached, qint64 output, qint64 reasoning = 0)
{
    TokenUsage u;
    u.inputTokens = input;
    u.cachedInputTokens = cached;
    u.outputTokens = output;
    u.reasoningTokens = reasoning;
    u.totalTokens = input + output;
    return u;
}

void writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    QCOMPARE(file.write(content), content.size());
}

} // namespace

class TestPricing : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void builtInTableListsCurrentModels();
    void longestPrefixWins_data();
    void longestPrefixWins();
    void unknownModelHasNoPrice();
    void costBillsCachedInputAtTheCachedRate();
    void reasoningTokensAreNotCountedTwice();
    void flexHalvesTheCost();
    void missingCachedPriceMeansFullInputPrice();
    void badEntriesAreNamed_data();
    void badEntriesAreNamed();
    void toJsonRoundTrips();
    void userTableWinsWhenValid();
    void brokenUserTableFallsBackWithAMessage();
    void missingUserTableIsNotAnError();
};

void TestPricing::builtInTableListsCurrentModels()
{
    const Pricing pricing = Pricing::builtIn();
    QVERIFY(!pricing.prices().empty());
    QVERIFY(pricing.note().contains(QStringLiteral("2026-11")));
    for (const char *model : {"gpt-5", "gpt-5-mini", "gpt-5-nano", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano",
                              "gpt-4o", "gpt-4o-mini", "o3", "o4-mini"}) {
        const auto price = pricing.priceFor(QLatin1String(model));
        QVERIFY2(price.has_value(), model);
        QCOMPARE(price->model, QLatin1String(model));
        QVERIFY2(price->input > 0 && price->output > price->input, model);
        QVERIFY2(price->cachedInput > 0 && price->cachedInput < price->input, model);
    }
}

void TestPricing::longestPrefixWins_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("entry");
    QTest::newRow("dated mini") << QStringLiteral("gpt-4.1-mini-2025-04-14")
                                << QStringLiteral("gpt-4.1-mini");
    QTest::newRow("dated full") << QStringLiteral("gpt-4.1-2025-04-14") << QStringLiteral("gpt-4.1");
    QTest::newRow("nano is not 4.1") << QStringLiteral("gpt-4.1-nano") << QStringLiteral("gpt-4.1-nano");
    QTest::newRow("4o mini") << QStringLiteral("gpt-4o-mini-2024-07-18") << QStringLiteral("gpt-4o-mini");
    QTest::newRow("4o") << QStringLiteral("gpt-4o-2024-08-06") << QStringLiteral("gpt-4o");
    QTest::newRow("5 mini") << QStringLiteral("gpt-5-mini-2025-08-07") << QStringLiteral("gpt-5-mini");
    QTest::newRow("o4 mini") << QStringLiteral("o4-mini-2025-04-16") << QStringLiteral("o4-mini");
    QTest::newRow("o3 dated") << QStringLiteral("o3-2025-04-16") << QStringLiteral("o3");
    QTest::newRow("case") << QStringLiteral("GPT-4.1-Mini") << QStringLiteral("gpt-4.1-mini");
}

void TestPricing::longestPrefixWins()
{
    QFETCH(QString, model);
    QFETCH(QString, entry);
    const auto price = Pricing::builtIn().priceFor(model);
    QVERIFY(price.has_value());
    QCOMPARE(price->model, entry);
}

void TestPricing::unknownModelHasNoPrice()
{
    const Pricing pricing = testTable();
    QVERIFY(!pricing.priceFor(QStringLiteral("llama3.1:8b")).has_value());
    QVERIFY(!pricing.priceFor(QStringLiteral("gpt-4")).has_value()); // shorter than every entry
    QVERIFY(!pricing.costUsd(QStringLiteral("llama3.1:8b"), usage(1000, 0, 1000)).has_value());
}

void TestPricing::costBillsCachedInputAtTheCachedRate()
{
    const Pricing pricing = testTable();
    // 600 uncached input at $2/M + 400 cached at $0.5/M + 500 output at $8/M.
    const auto cost = pricing.costUsd(QStringLiteral("gpt-4.1-2025-04-14"), usage(1000, 400, 500));
    QVERIFY(cost.has_value());
    QCOMPARE(*cost, (600 * 2.0 + 400 * 0.5 + 500 * 8.0) / 1e6);
    // The mini entry, not gpt-4.1's prices.
    const auto mini = pricing.costUsd(QStringLiteral("gpt-4.1-mini-2025-04-14"), usage(1000, 400, 500));
    QCOMPARE(*mini, (600 * 0.4 + 400 * 0.1 + 500 * 1.6) / 1e6);
    // A million uncached input tokens cost exactly the listed input price.
    QCOMPARE(*pricing.costUsd(QStringLiteral("gpt-4.1"), usage(1'000'000, 0, 0)), 2.0);
}

void TestPricing::reasoningTokensAreNotCountedTwice()
{
    const Pricing pricing = testTable();
    const auto without = pricing.costUsd(QStringLiteral("gpt-4.1"), usage(100, 0, 1000, 0));
    const auto with = pricing.costUsd(QStringLiteral("gpt-4.1"), usage(100, 0, 1000, 800));
    QCOMPARE(*with, *without);
    QCOMPARE(*with, (100 * 2.0 + 1000 * 8.0) / 1e6);
}

void TestPricing::flexHalvesTheCost()
{
    const Pricing pricing = testTable();
    const TokenUsage u = usage(2000, 1000, 300);
    const double standard = *pricing.costUsd(QStringLiteral("gpt-4.1"), u);
    QCOMPARE(*pricing.costUsd(QStringLiteral("gpt-4.1"), u, QStringLiteral("flex")), standard / 2);
    QCOMPARE(*pricing.costUsd(QStringLiteral("gpt-4.1"), u, QStringLiteral("default")), standard);
    QCOMPARE(*pricing.costUsd(QStringLiteral("gpt-4.1"), u, QStringLiteral("auto")), standard);
}

void TestPricing::missingCachedPriceMeansFullInputPrice()
{
    const Pricing pricing = testTable();
    const auto price = pricing.priceFor(QStringLiteral("o1-pro"));
    QCOMPARE(price->cachedInput, 150.0);
    QCOMPARE(*pricing.costUsd(QStringLiteral("o1-pro"), usage(1000, 1000, 0)), 1000 * 150.0 / 1e6);
}

void TestPricing::badEntriesAreNamed_data()
{
    QTest::addColumn<QByteArray>("document");
    QTest::addColumn<QStringList>("expected");
    QTest::newRow("no models") << QByteArray(R"({"prices": []})")
                               << QStringList{QStringLiteral("\"models\"")};
    QTest::newRow("string price") << QByteArray(R"({"models": [{"model": "a", "input": 1, "output": 2},
                                                 {"model": "gpt-x", "input": "1.25", "output": 2}]})")
                                  << QStringList{QStringLiteral("models[1] (gpt-x)"),
                                                 QStringLiteral("\"input\"")};
    QTest::newRow("missing output") << QByteArray(R"({"models": [{"model": "gpt-y", "input": 1}]})")
                                    << QStringList{QStringLiteral("models[0] (gpt-y)"),
                                                   QStringLiteral("\"output\"")};
    QTest::newRow("negative")
        << QByteArray(R"({"models": [{"model": "z", "input": 1, "cached_input": -1, "output": 2}]})")
        << QStringList{QStringLiteral("models[0] (z)"), QStringLiteral("cached_input")};
    QTest::newRow("no name") << QByteArray(R"({"models": [{"input": 1, "output": 2}]})")
                             << QStringList{QStringLiteral("models[0]"), QStringLiteral("\"model\"")};
    QTest::newRow("twice") << QByteArray(R"({"models": [{"model": "m", "input": 1, "output": 2},
                                          {"model": "M", "input": 1, "output": 2}]})")
                           << QStringList{QStringLiteral("models[1] (M)"), QStringLiteral("twice")};
}

void TestPricing::badEntriesAreNamed()
{
    QFETCH(QByteArray, document);
    QFETCH(QStringList, expected);
    try {
        Pricing::fromJson(json::parse(document.toStdString()));
        QFAIL("fromJson accepted a broken table");
    } catch (const std::runtime_error &error) {
        const QString message = QString::fromUtf8(error.what());
        for (const QString &part : expected)
            QVERIFY2(message.contains(part), qPrintable(message));
    }
}

void TestPricing::toJsonRoundTrips()
{
    const Pricing builtIn = Pricing::builtIn();
    const Pricing again = Pricing::fromJson(builtIn.toJson());
    QCOMPARE(again.prices().size(), builtIn.prices().size());
    QVERIFY(again.prices() == builtIn.prices());
    QCOMPARE(again.note(), builtIn.note());
}

void TestPricing::userTableWinsWhenValid()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("pricing.json"));
    writeFile(path, R"({"models": [{"model": "my-model", "input": 1, "cached_input": 0.5, "output": 3}]})");
    QString error;
    const Pricing pricing = Pricing::loadUserOrBuiltIn(path, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(pricing.prices().size(), std::size_t(1));
    QCOMPARE(pricing.priceFor(QStringLiteral("my-model-v2"))->output, 3.0);
    QVERIFY(!pricing.priceFor(QStringLiteral("gpt-4.1")).has_value());
}

void TestPricing::brokenUserTableFallsBackWithAMessage()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("pricing.json"));

    writeFile(path, R"({"models": [{"model": "gpt-z", "input": 1, "output": "cheap"}]})");
    QString error;
    Pricing pricing = Pricing::loadUserOrBuiltIn(path, &error);
    QVERIFY2(error.contains(path) && error.contains(QStringLiteral("models[0] (gpt-z)")), qPrintable(error));
    QVERIFY(pricing.prices() == Pricing::builtIn().prices());

    writeFile(path, "{\n  \"models\": [\n    {\"model\": \"a\",, }\n");
    error.clear();
    pricing = Pricing::loadUserOrBuiltIn(path, &error);
    QVERIFY2(error.contains(QStringLiteral("line 3")), qPrintable(error));
    QVERIFY(pricing.priceFor(QStringLiteral("gpt-5")).has_value());
}

void TestPricing::missingUserTableIsNotAnError()
{
    QTemporaryDir dir;
    QString error;
    const Pricing pricing = Pricing::loadUserOrBuiltIn(dir.filePath(QStringLiteral("absent.json")), &error);
    QVERIFY(error.isEmpty());
    QVERIFY(pricing.prices() == Pricing::builtIn().prices());
}

QTEST_GUILESS_MAIN(TestPricing)
#include "tst_pricing.moc"
