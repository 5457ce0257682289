#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QtTest/QTest>

#include "compare_fixture.h"
#include "fakes/fake_openai_server.h"
#include "models/api/api_client.h"
#include "models/compare/comparison_document.h"
#include "models/compare/comparison_matrix_model.h"
#include "models/compare/comparison_runner.h"

using namespace assay;
using namespace assay::compare;
using json = nlohmann::json;
using Model = ComparisonMatrixModel;

namespace {

CellRun doneRun(const QString &text, qint64 latency = 100, qint64 outputTokens = 10)
{
    CellRun run;
    run.status = CellStatus::Done;
    run.text = text;
    run.latencyMs = latency;
    api::TokenUsage usage;
    usage.inputTokens = 20;
    usage.outputTokens = outputTokens;
    usage.totalTokens = 20 + outputTokens;
    run.usage = usage;
    run.costUsd = 0.001;
    return run;
}

QString joined(const QVariantList &segments, const QStringList &kinds)
{
    QString text;
    for (const QVariant &segment : segments) {
        const QVariantMap map = segment.toMap();
        if (kinds.contains(map.value(QStringLiteral("kind")).toString()))
            text += map.value(QStringLiteral("text")).toString();
    }
    return text;
}

} // namespace

class TestComparisonMatrixModel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void shapeFollowsTheDocument();
    void rolesReportCellFigures();
    void diffAgainstBaselineIsCorrect();
    void baselineChangeMovesTheDiff();
    void ratingsAreKeptAndNotOnTheBaseline();
    void summaryAveragesDoneRuns();
    void stabilityRoleGroupsRepeats();
    void modelStaysConsistentWhileStreaming();
};

void TestComparisonMatrixModel::shapeFollowsTheDocument()
{
    ComparisonDocument document;
    document.setComparison(testing::makeComparison(3));
    Model model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setDocument(&document);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.columnCount(), 2);
    QCOMPARE(model.headerData(0, Qt::Horizontal).toString(), QStringLiteral("A"));
    QVERIFY(model.headerData(0, Qt::Horizontal, Model::IsBaselineRole).toBool());
    QVERIFY(model.headerData(1, Qt::Horizontal, Qt::ToolTipRole).toString().contains(QStringLiteral("gpt-4.1")));
    QCOMPARE(model.headerData(2, Qt::Vertical, Model::VariablesRole).toMap().value(QStringLiteral("topic")).toString(),
             QStringLiteral("topic-2"));

    QVERIFY(document.duplicateVariant(1));
    QCOMPARE(model.columnCount(), 3);
    QCOMPARE(model.headerData(2, Qt::Horizontal).toString(), QStringLiteral("B (copy)"));
    document.insertRow(1, json{{"topic", "new"}});
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(model.headerData(1, Qt::Vertical, Model::VariablesRole).toMap().value(QStringLiteral("topic")).toString(),
             QStringLiteral("new"));
    document.removeRow(0);
    QCOMPARE(model.rowCount(), 3);
    QVERIFY(document.removeVariant(0)); // the baseline: column 0 becomes the baseline
    QCOMPARE(model.columnCount(), 2);
    QCOMPARE(document.comparison().baseline(), 0);
    QVERIFY(!document.removeVariant(0)); // never under two columns
    for (int i = 0; i < 6; ++i)
        document.addVariant(testing::variantFor(QStringLiteral("X%1").arg(i), QStringLiteral("gpt-4.1")));
    QCOMPARE(model.columnCount(), 8);
    QVERIFY(!document.addVariant(testing::variantFor(QStringLiteral("Y"), QStringLiteral("gpt-4.1"))));
    QVERIFY(document.moveVariant(0, 3));
    QCOMPARE(document.comparison().baseline(), 3);
    QVERIFY(model.headerData(3, Qt::Horizontal, Model::IsBaselineRole).toBool());
    document.setRepeats(3);
    QCOMPARE(model.index(0, 0).data(Model::RepeatsRole).toInt(), 3);
}

void TestComparisonMatrixModel::rolesReportCellFigures()
{
    ComparisonDocument document;
    document.setComparison(testing::makeComparison(1));
    Model model;
    model.setDocument(&document);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    CellRun run = doneRun(QStringLiteral("hello"), 250, 7);
    run.ttftMs = 40;
    run.usage->cachedInputTokens = 5;
    run.usage->reasoningTokens = 3;
    document.setRun(0, 1, 0, run);
    QVERIFY(!changed.isEmpty());
    const QModelIndex index = model.index(0, 1);
    QCOMPARE(index.data().toString(), QStringLiteral("hello"));
    QCOMPARE(index.data(Model::StatusRole).toInt(), static_cast<int>(CellStatus::Done));
    QCOMPARE(index.data(Model::StatusNameRole).toString(), QStringLiteral("done"));
    QCOMPARE(index.data(Model::LatencyMsRole).toLongLong(), 250);
    QCOMPARE(index.data(Model::TtftMsRole).toLongLong(), 40);
    QCOMPARE(index.data(Model::InputTokensRole).toLongLong(), 20);
    QCOMPARE(index.data(Model::CachedTokensRole).toLongLong(), 5);
    QCOMPARE(index.data(Model::OutputTokensRole).toLongLong(), 7);
    QCOMPARE(index.data(Model::ReasoningTokensRole).toLongLong(), 3);
    QCOMPARE(index.data(Model::CostUsdRole).toDouble(), 0.001);
    QVERIFY(!model.index(0, 0).data(Model::LatencyMsRole).isValid()); // idle cell: no figures
    QVERIFY(!model.index(0, 0).data(Model::CostUsdRole).isValid());
    QVERIFY(!index.data(Model::PassedRole).isValid()); // no graders

    CellRun failed;
    failed.status = CellStatus::Error;
    failed.error = QStringLiteral("HTTP 500 server_error: boom");
    document.setRun(0, 0, 0, failed);
    QCOMPARE(model.index(0, 0).data(Model::ErrorRole).toString(), failed.error);
    QCOMPARE(model.index(0, 0).data(Model::StatusNameRole).toString(), QStringLiteral("error"));
}

void TestComparisonMatrixModel::diffAgainstBaselineIsCorrect()
{
    ComparisonDocument document;
    document.setComparison(testing::makeComparison(2));
    Model model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setDocument(&document);
    const QString before = QStringLiteral("The cat sat on the mat.");
    const QString after = QStringLiteral("The black cat sat on a mat!");
    document.setRun(0, 0, 0, doneRun(before));
    document.setRun(0, 1, 0, doneRun(after));
    document.setRun(1, 0, 0, doneRun(QStringLiteral("same answer\n")));
    document.setRun(1, 1, 0, doneRun(QStringLiteral("  same answer")));

    const QModelIndex cell = model.index(0, 1);
    QVERIFY(cell.data(Model::DiffersFromBaselineRole).toBool());
    const QVariantList segments = cell.data(Model::DiffSegmentsRole).toList();
    // Equal + delete spell the baseline, equal + insert spell the cell.
    QCOMPARE(joined(segments, {QStringLiteral("equal"), QStringLiteral("delete")}), before);
    QCOMPARE(joined(segments, {QStringLiteral("equal"), QStringLiteral("insert")}), after);
    // Only the changed words are marked: unchanged words stay equal.
    const QString inserted = joined(segments, {QStringLiteral("insert")});
    const QString deleted = joined(segments, {QStringLiteral("delete")});
    QVERIFY2(inserted.contains(QStringLiteral("black")) && inserted.contains(QLatin1Char('!')), qPrintable(inserted));
    QVERIFY2(!inserted.contains(QStringLiteral("cat")) && !inserted.contains(QStringLiteral("mat")), qPrintable(inserted));
    QVERIFY2(deleted.contains(QStringLiteral("the")) && deleted.contains(QLatin1Char('.')), qPrintable(deleted));
    QVERIFY2(!deleted.contains(QStringLiteral("cat")), qPrintable(deleted));
    // The baseline never differs from itself; whitespace around an answer does not count.
    QVERIFY(!model.index(0, 0).data(Model::DiffersFromBaselineRole).toBool());
    QVERIFY(model.index(0, 0).data(Model::DiffSegmentsRole).toList().isEmpty());
    QVERIFY(!model.index(1, 1).data(Model::DiffersFromBaselineRole).toBool());

    // The cached diff follows a new output of the baseline.
    document.setRun(0, 0, 0, doneRun(after));
    QVERIFY(!model.index(0, 1).data(Model::DiffersFromBaselineRole).toBool());
    QCOMPARE(joined(model.index(0, 1).data(Model::DiffSegmentsRole).toList(), {QStringLiteral("insert")}), QString());

    // A cell still streaming is not diffed.
    CellRun streaming;
    streaming.status = CellStatus::Streaming;
    streaming.text = QStringLiteral("The");
    document.setRun(0, 1, 0, streaming);
    QVERIFY(model.index(0, 1).data(Model::DiffSegmentsRole).toList().isEmpty());
    QVERIFY(!model.index(0, 1).data(Model::DiffersFromBaselineRole).toBool());
}

void TestComparisonMatrixModel::baselineChangeMovesTheDiff()
{
    ComparisonDocument document;
    document.setComparison(testing::makeComparison(1));
    Model model;
    model.setDocument(&document);
    document.setRun(0, 0, 0, doneRun(QStringLiteral("alpha beta")));
    document.setRun(0, 1, 0, doneRun(QStringLiteral("alpha gamma")));
    QCOMPARE(joined(model.index(0, 1).data(Model::DiffSegmentsRole).toList(), {QStringLiteral("insert")}),
             QStringLiteral("gamma"));
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    document.setBaseline(1);
    QVERIFY(!changed.isEmpty());
    QVERIFY(model.index(0, 1).data(Model::DiffSegmentsRole).toList().isEmpty());
    QCOMPARE(joined(model.index(0, 0).data(Model::DiffSegmentsRole).toList(), {QStringLiteral("insert")}),
             QStringLiteral("beta"));
}

void TestComparisonMatrixModel::ratingsAreKeptAndNotOnTheBaseline()
{
    ComparisonDocument document;
    Comparison c = testing::makeComparison(2);
    c.insertVariant(2, testing::variantFor(QStringLiteral("C"), QStringLiteral("gpt-4.1")));
    document.setComparison(c);
    Model model;
    model.setDocument(&document);
    QVERIFY(model.setData(model.index(0, 1), static_cast<int>(Rating::Better), Model::RatingRole));
    QVERIFY(model.setData(model.index(1, 2), static_cast<int>(Rating::Tie), Model::RatingRole));
    QVERIFY(!model.setData(model.index(0, 0), static_cast<int>(Rating::Worse), Model::RatingRole));
    QVERIFY(!model.setData(model.index(0, 1), 17, Model::RatingRole));
    QCOMPARE(model.index(0, 1).data(Model::RatingRole).toInt(), static_cast<int>(Rating::Better));
    QCOMPARE(model.index(0, 0).data(Model::RatingRole).toInt(), static_cast<int>(Rating::None));
    QCOMPARE(model.summary(1).better, 1);
    QCOMPARE(model.summary(2).tie, 1);
    QVERIFY(document.isModified());
    // Ratings are against the baseline: a new baseline clears them.
    document.setBaseline(2);
    QCOMPARE(model.index(0, 1).data(Model::RatingRole).toInt(), static_cast<int>(Rating::None));
}

void TestComparisonMatrixModel::summaryAveragesDoneRuns()
{
    ComparisonDocument document;
    document.setComparison(testing::makeComparison(3));
    Model model;
    model.setDocument(&document);
    QSignalSpy summary(&model, &Model::summaryChanged);
    document.setRun(0, 1, 0, doneRun(QStringLiteral("a"), 100, 10));
    document.setRun(1, 1, 0, doneRun(QStringLiteral("b"), 300, 30));
    CellRun failed;
    failed.status = CellStatus::Error;
    failed.error = QStringLiteral("boom");
    document.setRun(2, 1, 0, failed);
    QVERIFY(!summary.isEmpty());
    const ColumnSummary s = model.summary(1);
    QCOMPARE(s.runs, 2);
    QCOMPARE(s.errors, 1);
    QCOMPARE(s.meanLatencyMs, std::optional<double>(200.0));
    QCOMPARE(s.meanOutputTokens, 20.0);
    QCOMPARE(s.meanInputTokens, 20.0);
    QCOMPARE(s.totalTokens, qint64(80));
    QVERIFY(s.totalCostUsd.has_value());
    QVERIFY(qFuzzyCompare(*s.totalCostUsd, 0.002));
    QVERIFY(!s.passRate.has_value());
    QCOMPARE(model.summary(0).runs, 0);
    QVERIFY(!model.summary(0).meanLatencyMs.has_value());
}

void TestComparisonMatrixModel::stabilityRoleGroupsRepeats()
{
    ComparisonDocument document;
    Comparison c = testing::makeComparison(1);
    c.setRepeats(4);
    document.setComparison(c);
    Model model;
    model.setDocument(&document);
    document.setRun(0, 0, 0, doneRun(QStringLiteral("B")));
    document.setRun(0, 0, 1, doneRun(QStringLiteral("A")));
    document.setRun(0, 0, 2, doneRun(QStringLiteral(" A\n")));
    document.setRun(0, 0, 3, doneRun(QStringLiteral("a"))); // case matters: exact text
    const QVariantList groups = model.index(0, 0).data(Model::StabilityRole).toList();
    QCOMPARE(groups.size(), 3);
    QCOMPARE(groups[0].toMap().value(QStringLiteral("text")).toString(), QStringLiteral("A"));
    QCOMPARE(groups[0].toMap().value(QStringLiteral("count")).toInt(), 2);
    QCOMPARE(groups[1].toMap().value(QStringLiteral("text")).toString(), QStringLiteral("B"));
    QCOMPARE(groups[2].toMap().value(QStringLiteral("text")).toString(), QStringLiteral("a"));
    QCOMPARE(model.index(0, 0).data(Model::DistinctAnswersRole).toInt(), 3);
    // Only finished answers count.
    CellRun streaming;
    streaming.status = CellStatus::Streaming;
    streaming.text = QStringLiteral("B");
    document.setRun(0, 0, 0, streaming);
    QCOMPARE(model.index(0, 0).data(Model::DistinctAnswersRole).toInt(), 2);
    QCOMPARE(model.index(0, 0).data(Model::StatusRole).toInt(), static_cast<int>(CellStatus::Streaming));
}

void TestComparisonMatrixModel::modelStaysConsistentWhileStreaming()
{
    testing::FakeOpenAiServer server;
    QVERIFY(server.start());
    server.setDefaultResponseDelayMs(10);
    api::ApiClient client;
    client.setRetryPolicy(testing::fastRetries(0));
    ComparisonDocument document;
    document.setComparison(testing::makeComparison(5));
    Model model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setDocument(&document);
    ComparisonRunner runner(&document, &client);
    runner.setProfile(testing::fakeProfile(server.baseUrl()), QStringLiteral("dummy-test-key"));
    runner.setMaxConcurrent(3);
    runner.runAll();
    // Edit the structure while cells stream: the tester checks every signal sequence.
    document.addVariant(testing::variantFor(QStringLiteral("C"), QStringLiteral("gpt-4.1-mini")));
    document.removeRow(4);
    runner.runColumn(2);
    QTRY_VERIFY_WITH_TIMEOUT(!runner.isRunning(), 30000);
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(model.columnCount(), 3);
    for (int r = 0; r < 4; ++r)
        for (int v = 0; v < 3; ++v)
            QCOMPARE(model.index(r, v).data(Model::StatusRole).toInt(), static_cast<int>(CellStatus::Done));
    QVERIFY(!model.index(0, 0).data().toString().isEmpty());
}

QTEST_GUILESS_MAIN(TestComparisonMatrixModel)
#include "tst_comparison_matrix_model.moc"
