#include <QTemporaryDir>
#include <QtTest/QTest>

#include "compare_fixture.h"
#include "models/compare/comparison_store.h"
#include "models/store/workspace.h"

using namespace assay;
using namespace assay::compare;
using json = nlohmann::json;

namespace {

// A comparison with every kind of cell content: outputs, metrics, an error, grades, ratings,
// repeats, own prompt on one column, parameters of every kind.
Comparison richComparison()
{
    Comparison c = testing::makeComparison(2);
    c.name = QStringLiteral("Tone check <v2>");
    ComparisonVariant own = testing::variantFor(QStringLiteral("Own prompt"), QStringLiteral("o4-mini"));
    own.useSharedPrompt = false;
    own.prompt.instructions = QStringLiteral("Answer in French.");
    own.prompt.messages.push_back({prompt::Role::User, QStringLiteral("{{topic}} ?")});
    own.prompt.messages.push_back({prompt::Role::Assistant, QStringLiteral("D'accord.")});
    own.parameters.temperature = 0.3;
    own.parameters.maxOutputTokens = 200;
    own.parameters.reasoningEffort = QStringLiteral("low");
    own.parameters.stop = QStringList{QStringLiteral("END")};
    own.parameters.metadata[QStringLiteral("team")] = QStringLiteral("evals");
    own.parameters.jsonSchema = json{{"name", "answer"}, {"schema", {{"type", "object"}}}};
    c.insertVariant(2, own);
    c.setBaseline(1);
    c.setRepeats(2);
    c.setGraders(json::array({{{"type", "string_check"},
                               {"name", "has topic"},
                               {"input", "{{ sample.output_text }}"},
                               {"reference", "topic"},
                               {"operation", "ilike"}}}));
    CellRun run;
    run.status = CellStatus::Done;
    run.text = QStringLiteral("Réponse « complète » \n with <html> & \"quotes\"");
    run.latencyMs = 812;
    run.ttftMs = 120;
    api::TokenUsage usage;
    usage.inputTokens = 31;
    usage.cachedInputTokens = 8;
    usage.outputTokens = 42;
    usage.reasoningTokens = 12;
    usage.totalTokens = 73;
    run.usage = usage;
    run.costUsd = 0.000123456789;
    run.model = QStringLiteral("o4-mini-2025-04-16");
    run.responseId = QStringLiteral("resp_1");
    run.requestId = QStringLiteral("req_1");
    run.retries = 1;
    eval::GradeResult grade;
    grade.name = "has topic";
    grade.type = "string_check";
    grade.score = 1.0;
    grade.passed = true;
    run.grades.push_back(grade);
    c.run(0, 2, 0) = run;
    run.text = QStringLiteral("second repeat");
    c.run(0, 2, 1) = run;
    CellRun failed;
    failed.status = CellStatus::Error;
    failed.error = QStringLiteral("HTTP 500 server_error: boom");
    c.run(1, 0, 0) = failed;
    c.cell(0, 2).rating = Rating::Better;
    c.cell(1, 0).rating = Rating::Worse;
    return c;
}

} // namespace

class TestComparisonStore : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void saveAndReopenRoundTrip();
    void resaveReplacesAndListsNewestFirst();
    void survivesReopeningTheWorkspace();
    void removeAndRename();
    void inFlightCellsReopenStopped();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<store::Workspace> m_workspace;
};

void TestComparisonStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_workspace = std::make_unique<store::Workspace>();
    QString error;
    QVERIFY2(m_workspace->open(m_dir->filePath(QStringLiteral("ws.sqlite")), &error), qPrintable(error));
    QVERIFY(store::Workspace::latestSchemaVersion() >= 5);
}

void TestComparisonStore::cleanup()
{
    m_workspace.reset();
    m_dir.reset();
}

void TestComparisonStore::saveAndReopenRoundTrip()
{
    ComparisonStore store(*m_workspace);
    const Comparison original = richComparison();
    QString error;
    const std::optional<qint64> id = store.save(original, &error);
    QVERIFY2(id, qPrintable(error));
    const std::optional<Comparison> loaded = store.load(*id, &error);
    QVERIFY2(loaded, qPrintable(error));
    Comparison expected = original;
    expected.id = *id;
    QCOMPARE(loaded->definitionJson().dump(), expected.definitionJson().dump());
    QCOMPARE(loaded->cellsJson().dump(), expected.cellsJson().dump());
    QVERIFY(*loaded == expected);
    // Spot checks through the typed API, not only the JSON form.
    QCOMPARE(loaded->variant(2).parameters.temperature, std::optional<double>(0.3));
    QCOMPARE(loaded->variant(2).parameters.stop, QStringList{QStringLiteral("END")});
    QCOMPARE(loaded->variant(2).prompt.messages.size(), std::size_t(2));
    QVERIFY(!loaded->variant(2).useSharedPrompt);
    QCOMPARE(loaded->variant(1).parameters.api, api::ApiKind::ChatCompletions);
    QCOMPARE(loaded->baseline(), 1);
    QCOMPARE(loaded->repeats(), 2);
    QCOMPARE(loaded->run(0, 2, 0).text, original.run(0, 2, 0).text);
    QCOMPARE(loaded->run(0, 2, 0).costUsd, original.run(0, 2, 0).costUsd);
    QVERIFY(loaded->run(0, 2, 0).usage == original.run(0, 2, 0).usage);
    QCOMPARE(loaded->run(0, 2, 0).passed(), std::optional<bool>(true));
    QCOMPARE(loaded->cell(0, 2).rating, Rating::Better);
    QCOMPARE(loaded->cell(1, 0).status(), CellStatus::Error);
    QCOMPARE(loaded->cell(1, 1).status(), CellStatus::Idle);
}

void TestComparisonStore::resaveReplacesAndListsNewestFirst()
{
    ComparisonStore store(*m_workspace);
    Comparison first = testing::makeComparison(1);
    first.name = QStringLiteral("first");
    Comparison second = testing::makeComparison(3);
    second.name = QStringLiteral("second");
    const auto firstId = store.save(first);
    const auto secondId = store.save(second);
    QVERIFY(firstId && secondId && *firstId != *secondId);
    first.id = *firstId;
    first.insertRow(1, json{{"topic", "added"}});
    first.run(1, 0, 0).status = CellStatus::Done;
    first.run(1, 0, 0).text = QStringLiteral("new output");
    QString error;
    QCOMPARE(store.save(first, &error), firstId);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const QList<SavedComparison> saved = store.list();
    QCOMPARE(saved.size(), 2);
    QCOMPARE(saved[0].id, *firstId); // updated last
    QCOMPARE(saved[0].name, QStringLiteral("first"));
    QCOMPARE(saved[0].rowCount, 2);
    QCOMPARE(saved[0].variantCount, 2);
    QCOMPARE(saved[1].rowCount, 3);
    const auto loaded = store.load(*firstId);
    QVERIFY(loaded);
    QCOMPARE(loaded->rowCount(), 2);
    QCOMPARE(loaded->run(1, 0, 0).text, QStringLiteral("new output"));
    QCOMPARE(loaded->run(0, 0, 0).status, CellStatus::Idle);
}

void TestComparisonStore::survivesReopeningTheWorkspace()
{
    const Comparison original = richComparison();
    qint64 id = 0;
    {
        ComparisonStore store(*m_workspace);
        id = store.save(original).value_or(0);
        QVERIFY(id > 0);
    }
    m_workspace->close();
    QVERIFY(m_workspace->open(m_dir->filePath(QStringLiteral("ws.sqlite"))));
    ComparisonStore store(*m_workspace);
    const auto loaded = store.load(id);
    QVERIFY(loaded);
    QCOMPARE(loaded->cellsJson().dump(), original.cellsJson().dump());
}

void TestComparisonStore::removeAndRename()
{
    ComparisonStore store(*m_workspace);
    const auto id = store.save(testing::makeComparison(1));
    QVERIFY(id);
    QVERIFY(store.rename(*id, QStringLiteral("renamed")));
    QCOMPARE(store.list().value(0).name, QStringLiteral("renamed"));
    QCOMPARE(store.load(*id)->name, QStringLiteral("renamed"));
    QString error;
    QVERIFY(store.remove(*id, &error));
    QVERIFY(store.list().isEmpty());
    QVERIFY(!store.load(*id, &error));
    QVERIFY(!error.isEmpty());
    QVERIFY(!store.remove(*id, &error));
    // Its cells went with it (ON DELETE CASCADE), so a new save starts clean.
    Comparison again = testing::makeComparison(1);
    again.id = *id;
    QVERIFY(!store.save(again, &error)); // that id is gone
}

void TestComparisonStore::inFlightCellsReopenStopped()
{
    ComparisonStore store(*m_workspace);
    Comparison c = testing::makeComparison(1);
    c.run(0, 0, 0).status = CellStatus::Streaming;
    c.run(0, 0, 0).text = QStringLiteral("partial");
    c.run(0, 1, 0).status = CellStatus::Queued;
    QString error;
    const auto id = store.save(c, &error);
    QVERIFY2(id, qPrintable(error));
    const auto loaded = store.load(*id);
    QVERIFY(loaded);
    QCOMPARE(loaded->run(0, 0, 0).status, CellStatus::Stopped);
    QCOMPARE(loaded->run(0, 0, 0).text, QStringLiteral("partial"));
    QCOMPARE(loaded->run(0, 1, 0).status, CellStatus::Stopped);
}

QTEST_GUILESS_MAIN(TestComparisonStore)
#include "tst_comparison_store.moc"
