#include <QLabel>
#include <QSignalSpy>
#include <QTextBlock>
#include <QTextDocument>
#include <QToolButton>
#include <QtTest>

#include "models/itemmodels/response_model.h"
#include "ui/panels/inspector_panel.h"
#include "ui/panels/response_view.h"
#include "ui/widgets/metrics_bar.h"
#include "ui/widgets/streaming_markdown_view.h"

using assay::api::ApiError;
using assay::api::OutputDelta;
using assay::api::ResponseResult;
using assay::itemmodels::ResponseModel;
using assay::ui::MetricsBar;
using assay::ui::ResponseView;
using assay::ui::StreamingMarkdownRenderer;
using assay::ui::StreamingMarkdownView;

namespace {

const QString kMarkdown = QStringLiteral("# Result\n\nFirst paragraph with **bold** and `code`.\n\n"
                                         "```python\ndef f(x):\n\n    return x * 2\n```\n\n"
                                         "1. one\n2. two\n\n   still item two\n3. three\n\n"
                                         "| a | b |\n|---|---|\n| 1 | 2 |\n\n"
                                         "> quoted\n\nLast line.\n");

void feed(ResponseModel &model, const QString &text, int step)
{
    for (qsizetype i = 0; i < text.size(); i += step)
        model.applyDelta(OutputDelta{OutputDelta::Kind::Text, 0, text.mid(i, step).toStdString()});
}

QString renderedWhole(const QString &markdown)
{
    QTextDocument document;
    document.setMarkdown(markdown, QTextDocument::MarkdownFeatures(QTextDocument::MarkdownDialectGitHub) | QTextDocument::MarkdownNoHTML);
    return document.toPlainText().simplified();
}

} // namespace

class TestResponseView : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void settledBoundaryNeverSplitsABlock();
    void streamedMarkdownRendersLikeTheWholeText();
    void settledBlocksAreNotRenderedAgain();
    void rawHtmlInTheAnswerIsShownAsText();
    void manyDeltasAreCoalescedIntoFewRenders();
    void errorBannerKeepsPartialOutput();
    void stoppedRunSaysSoCalmly();
    void retryNoticeCountsDown();
    void reasoningToolCallsAndRefusalHaveTheirOwnLook();
    void metricsBarShowsUsageAndCost();
    void inspectorShowsTheRecordWithoutTheKey();
};

void TestResponseView::settledBoundaryNeverSplitsABlock()
{
    // A blank line inside a code fence is not a boundary.
    const QString fence = QStringLiteral("```\na\n\nb\n```\n\nAfter\n");
    QCOMPARE(StreamingMarkdownRenderer::settledBoundary(fence, 0), fence.indexOf(QStringLiteral("After")));
    // An unterminated fence: nothing after its start is settled.
    const QString open = QStringLiteral("Intro\n\n```\ncode\n\nmore code\n\nstill code");
    QCOMPARE(StreamingMarkdownRenderer::settledBoundary(open, 0), open.indexOf(QStringLiteral("```")));
    // A list may go on after a blank line: neither an item nor an indented continuation starts a
    // settled block; a paragraph at the margin does.
    const QString list = QStringLiteral("- a\n\n- b\n\n  more b\n\nPara\n");
    QCOMPARE(StreamingMarkdownRenderer::settledBoundary(list, 0), list.indexOf(QStringLiteral("Para")));
    // Digits alone could still become "12. item": wait.
    QCOMPARE(StreamingMarkdownRenderer::settledBoundary(QStringLiteral("A\n\n12"), 0), 0);
    QCOMPARE(StreamingMarkdownRenderer::settledBoundary(QStringLiteral("A\n\n12 apples"), 0), 3);
}

void TestResponseView::streamedMarkdownRendersLikeTheWholeText()
{
    for (int step : {1, 2, 5, 17, 400}) {
        StreamingMarkdownView view;
        view.resize(500, 100);
        for (qsizetype i = step; i < kMarkdown.size() + step; i += step)
            view.showMarkdown(kMarkdown.left(i));
        QCOMPARE(view.toPlainText().simplified(), renderedWhole(kMarkdown));
        QVERIFY2(view.renderer().settledLength() > kMarkdown.indexOf(QStringLiteral("> quoted")),
                 "the settled prefix grows as blocks complete");
    }
}

void TestResponseView::rawHtmlInTheAnswerIsShownAsText()
{
    StreamingMarkdownView view;
    view.resize(500, 100);
    view.showMarkdown(QStringLiteral("**bold** <img src=x onerror=alert(1)> <b>tag</b>\n\nnext paragraph\n"));
    const QString shown = view.toPlainText();
    // The markup is text the model wrote: it stays visible as written instead of becoming elements.
    QVERIFY2(shown.contains(QStringLiteral("<img src=x onerror=alert(1)>")), qPrintable(shown));
    QVERIFY2(shown.contains(QStringLiteral("<b>tag</b>")), qPrintable(shown));
    QVERIFY2(!shown.contains(QStringLiteral("**bold**")), "Markdown itself is still rendered");
}

void TestResponseView::settledBlocksAreNotRenderedAgain()
{
    StreamingMarkdownView view;
    view.showMarkdown(QStringLiteral("# Title\n\nFirst paragraph.\n\nSecond"));
    QTextBlock first = view.document()->begin();
    QCOMPARE(first.text(), QStringLiteral("Title"));
    first.setUserState(4242); // a re-render would create a fresh block without it
    view.showMarkdown(QStringLiteral("# Title\n\nFirst paragraph.\n\nSecond paragraph grows and grows."));
    view.showMarkdown(
        QStringLiteral("# Title\n\nFirst paragraph.\n\nSecond paragraph grows and grows.\n\nThird."));
    QCOMPARE(view.document()->begin().userState(), 4242);
    QVERIFY(view.toPlainText().contains(QStringLiteral("Third.")));

    // Text that is not a continuation renders from scratch.
    view.showMarkdown(QStringLiteral("Something else"));
    QCOMPARE(view.toPlainText().trimmed(), QStringLiteral("Something else"));
}

void TestResponseView::manyDeltasAreCoalescedIntoFewRenders()
{
    ResponseModel model;
    ResponseView view;
    view.setModel(&model);
    view.resize(700, 500);
    view.show();
    model.markStarted();
    QString text;
    for (int i = 0; i < 40; ++i)
        text += kMarkdown;
    feed(model, text, 3); // ~10k deltas without returning to the event loop
    QVERIFY2(view.renderStats().passes <= 2, qPrintable(QStringLiteral("%1 render passes for %2 deltas")
                                                            .arg(view.renderStats().passes)
                                                            .arg(text.size() / 3)));
    QTRY_COMPARE(view.displayedMarkdown(), text); // the timer renders what arrived
    QCOMPARE(view.displayedText().simplified(), renderedWhole(text));
}

void TestResponseView::errorBannerKeepsPartialOutput()
{
    ResponseModel model;
    ResponseView view;
    view.setModel(&model);
    view.show();
    model.markStarted();
    feed(model, QStringLiteral("Half of an answer"), 4);
    ResponseResult result;
    result.outputText = "Half of an answer";
    result.error = ApiError::fromHttp(
        500, R"({"error": {"message": "The server had an error", "type": "server_error", "code": null}})",
        QStringLiteral("req_abc"));
    model.applyResult(result);

    QVERIFY(view.isErrorBannerVisible());
    QVERIFY(view.errorBannerText().contains(QStringLiteral("The server had an error")));
    QVERIFY(view.errorBannerText().contains(result.error->advice()));
    QVERIFY(view.errorBannerText().contains(QStringLiteral("req_abc")));
    QCOMPARE(view.displayedText().trimmed(), QStringLiteral("Half of an answer"));

    model.clear();
    QVERIFY(!view.isErrorBannerVisible());
    QVERIFY(view.displayedText().isEmpty());
}

void TestResponseView::stoppedRunSaysSoCalmly()
{
    ResponseModel model;
    ResponseView view;
    view.setModel(&model);
    model.markStarted();
    feed(model, QStringLiteral("Some"), 2);
    ResponseResult result;
    result.outputText = "Some";
    result.error = ApiError::make(ApiError::Kind::Cancelled, QStringLiteral("Cancelled"));
    model.applyResult(result);
    QVERIFY(view.isErrorBannerVisible());
    QVERIFY(view.errorBannerText().startsWith(QStringLiteral("Stopped")));
    QCOMPARE(view.displayedText().trimmed(), QStringLiteral("Some"));
}

void TestResponseView::retryNoticeCountsDown()
{
    ResponseModel model;
    ResponseView view;
    view.setModel(&model);
    model.markStarted();
    model.applyRetry(1, 3000,
                     ApiError::fromHttp(429, R"({"error": {"message": "Slow down", "type": "requests",
                                                  "code": "rate_limit_exceeded"}})",
                                        QString()));
    QVERIFY(view.isRetryNoticeVisible());
    QVERIFY2(view.retryNoticeText().contains(QStringLiteral("Retrying in 3 s")),
             qPrintable(view.retryNoticeText()));
    QVERIFY(view.retryNoticeText().contains(QStringLiteral("attempt 2")));
    QTRY_VERIFY_WITH_TIMEOUT(view.retryNoticeText().contains(QStringLiteral("Retrying in 2 s")), 3000);
    feed(model, QStringLiteral("Now it works"), 4);
    QVERIFY(!view.isRetryNoticeVisible());
}

void TestResponseView::reasoningToolCallsAndRefusalHaveTheirOwnLook()
{
    ResponseModel model;
    ResponseView view;
    view.setModel(&model);
    view.resize(700, 600);
    view.show();
    model.applyDelta(OutputDelta{OutputDelta::Kind::ReasoningSummary, 0, "**Plan** check the weather"});
    model.applyDelta(OutputDelta{OutputDelta::Kind::ToolCallStarted, 1, "get_weather"});
    model.applyDelta(OutputDelta{OutputDelta::Kind::ToolCallArguments, 1, R"({"city":"Paris","days":)"});
    view.flush();
    auto *arguments = view.findChild<QLabel *>(QStringLiteral("toolArguments"));
    QVERIFY(arguments);
    QCOMPARE(arguments->text(), QStringLiteral(R"({"city":"Paris","days":)")); // partial: shown as it came
    model.applyDelta(OutputDelta{OutputDelta::Kind::ToolCallArguments, 1, "3}"});
    view.flush();
    QCOMPARE(arguments->text(), QStringLiteral("{\n  \"city\": \"Paris\",\n  \"days\": 3\n}"));
    QCOMPARE(view.findChild<QLabel *>(QStringLiteral("toolName"))->text(), QStringLiteral("get_weather()"));

    // The summary folds away once the answer proper started; the user can open it again.
    auto *reasoning = view.findChild<StreamingMarkdownView *>(QStringLiteral("reasoningText"));
    QVERIFY(reasoning);
    QVERIFY(reasoning->toPlainText().contains(QStringLiteral("Plan check the weather")));
    QVERIFY(reasoning->isHidden());
    auto *toggle = view.findChild<QToolButton *>(QStringLiteral("reasoningToggle"));
    toggle->click();
    QVERIFY(!reasoning->isHidden());

    model.applyDelta(OutputDelta{OutputDelta::Kind::Refusal, 0, "I can't help with that."});
    view.flush();
    auto *refusal = view.findChild<QLabel *>(QStringLiteral("refusalText"));
    QVERIFY(refusal);
    QCOMPARE(refusal->text(), QStringLiteral("I can't help with that."));
}

void TestResponseView::metricsBarShowsUsageAndCost()
{
    ResponseModel model;
    model.setPricing(assay::prompt::Pricing::fromJson(nlohmann::json::parse(
        R"({"models": [{"model": "gpt-test", "input": 2.0, "cached_input": 0.5, "output": 8.0}]})")));
    model.setRequestedModel(QStringLiteral("gpt-test"));
    ResponseView view;
    view.setModel(&model);
    MetricsBar *bar = view.metricsBar();
    QVERIFY(!bar->isMetricVisible(MetricsBar::Metric::InputTokens));

    ResponseResult result;
    result.model = "gpt-test";
    result.outputText = "ok";
    result.usage = assay::api::TokenUsage{12345, 1000, 250, 0, 0, 0, 12595};
    result.timeToFirstTokenMs = 150;
    result.totalMs = 2150;
    result.systemFingerprint = "fp_42";
    result.requestId = QStringLiteral("req_777");
    model.applyResult(result);

    const auto digits = [&](MetricsBar::Metric metric) {
        QString text = bar->valueText(metric);
        text.remove(QRegularExpression(QStringLiteral("[^0-9]")));
        return text.toLongLong();
    };
    QCOMPARE(digits(MetricsBar::Metric::InputTokens), 12345);
    QCOMPARE(digits(MetricsBar::Metric::CachedTokens), 1000);
    QCOMPARE(digits(MetricsBar::Metric::OutputTokens), 250);
    QCOMPARE(bar->valueText(MetricsBar::Metric::TimeToFirstToken), QStringLiteral("150 ms"));
    QCOMPARE(bar->valueText(MetricsBar::Metric::Total), QStringLiteral("2.15 s"));
    QCOMPARE(bar->valueText(MetricsBar::Metric::Speed), QStringLiteral("125.0 tok/s"));
    QCOMPARE(bar->valueText(MetricsBar::Metric::RequestId), QStringLiteral("req_777"));
    QCOMPARE(bar->valueText(MetricsBar::Metric::Fingerprint), QStringLiteral("fp_42"));
    // 11345 * 2 + 1000 * 0.5 + 250 * 8 per 1M = $0.02519
    QCOMPARE(bar->valueText(MetricsBar::Metric::Cost),
             MetricsBar::formatCost((11345 * 2.0 + 1000 * 0.5 + 250 * 8.0) / 1e6));
    QCOMPARE(bar->valueText(MetricsBar::Metric::Cost), QStringLiteral("$0.0252"));
    QVERIFY(!bar->isMetricVisible(MetricsBar::Metric::ReasoningTokens));
    QVERIFY(!bar->isMetricVisible(MetricsBar::Metric::AcceptedPrediction));

    result.usage->acceptedPredictionTokens = 9;
    result.usage->rejectedPredictionTokens = 4;
    result.model = "unknown-model";
    model.applyResult(result);
    QCOMPARE(digits(MetricsBar::Metric::AcceptedPrediction), 9);
    QCOMPARE(digits(MetricsBar::Metric::RejectedPrediction), 4);
    QCOMPARE(bar->valueText(MetricsBar::Metric::Cost), QStringLiteral("—")); // no price: no made-up cost
}

void TestResponseView::inspectorShowsTheRecordWithoutTheKey()
{
    assay::api::RequestRecord record;
    record.method = QStringLiteral("POST");
    record.url = QStringLiteral("http://127.0.0.1:1/v1/responses");
    record.requestHeaders = {
        {"Authorization", assay::api::RequestRecord::redact("Authorization", "Bearer sk-secret-123456")},
        {"Content-Type", "application/json"}};
    record.requestBody = R"({"model":"gpt-test","input":"Hi"})";
    record.status = 200;
    record.responseHeaders = {{"x-request-id", "req_9"}};
    record.responseBody = "event: response.created\ndata: {\"type\":\"response.created\"}\n\n";
    assay::ui::InspectorPanel panel;
    panel.setRecord(record);
    const QString shown = panel.shownText();
    QVERIFY(shown.contains(QStringLiteral("POST http://127.0.0.1:1/v1/responses")));
    QVERIFY(shown.contains(QStringLiteral("Authorization")));
    QVERIFY(!shown.contains(QStringLiteral("sk-secret-123456")));
    QVERIFY(shown.contains(QStringLiteral("\"model\": \"gpt-test\""))); // pretty-printed
    QVERIFY(shown.contains(QStringLiteral("req_9")));
    QVERIFY(shown.contains(QStringLiteral("response.created")));
}

QTEST_MAIN(TestResponseView)
#include "tst_response_view.moc"
