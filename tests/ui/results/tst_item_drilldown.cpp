// The item drill-down over a temporary workspace: model text shown as text (never HTML), Markdown
// rendered, JSON and tool calls pretty-printed, model graders' steps and output, the raw exchange
// with the key redacted, and verdicts by keyboard (stored, undoable, agreement updated).
#include <QLabel>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTextBlock>
#include <QTextBrowser>
#include <QTextDocument>
#include <QUndoStack>
#include <QtTest>

#include "models/store/eval_store.h"
#include "models/store/verdict_store.h"
#include "models/store/workspace.h"
#include "ui/panels/results/agreement_view.h"
#include "ui/panels/results/item_drilldown.h"

using assay::store::EvalStore;
using assay::store::HumanVerdict;
using assay::store::OutputItemRecord;
using assay::store::RunRecord;
using assay::store::VerdictStore;
using assay::store::Workspace;
using assay::ui::AgreementView;
using assay::ui::ItemDrillDown;
using json = nlohmann::json;
using Verdict = HumanVerdict::Verdict;

namespace {

const char *const kHostileOutput = "The capital is **bold** Paris. <script>alert(1)</script>";
const char *const kKeyLike = "sk-proj-abcdefghijklmnop1234";

json definition()
{
    return {{"name", "Capitals"},
            {"data_source_config", {{"type", "custom"}, {"item_schema", {{"type", "object"}}}}},
            {"testing_criteria",
             json::array({{{"type", "string_check"},
                           {"name", "exact"},
                           {"input", "{{ sample.output_text }}"},
                           {"reference", "{{ item.answer }}"},
                           {"operation", "eq"}},
                          {{"type", "score_model"},
                           {"name", "judge"},
                           {"model", "gpt-4.1"},
                           {"input", json::array({{{"role", "user"},
                                                   {"content", "Grade {{ sample.output_text }}"}}})}}})}};
}

OutputItemRecord item(qint64 runId, qint64 index, const char *status, const json &message, bool exactPassed)
{
    OutputItemRecord record;
    record.runId = runId;
    record.datasourceItemId = index;
    record.status = QString::fromLatin1(status);
    record.datasourceItem = {{"country", "France"}, {"answer", "Paris"}, {"note", "<b>row</b>"}};
    record.sample = {
        {"input", json::array({{{"role", "system"}, {"content", "Answer briefly."}},
                               {{"role", "user"}, {"content", "Capital of <img src=x onerror=alert(2)>?"}}})},
        {"output", json::array({message})},
        {"model", "gpt-4.1-mini-2025-04-14"},
        {"finish_reason", "stop"},
        {"usage", {{"total_tokens", 20}, {"prompt_tokens", 12}, {"completion_tokens", 8}}}};
    record.results = json::array(
        {{{"name", "exact"},
          {"type", "string_check"},
          {"score", exactPassed ? 1.0 : 0.0},
          {"passed", exactPassed}},
         {{"name", "judge"},
          {"type", "score_model"},
          {"score", 0.9},
          {"passed", true},
          {"sample",
           {{"input", json::array({{{"role", "user"}, {"content", "Grade it"}}})},
            {"output",
             "{\"steps\":[{\"description\":\"compared\",\"conclusion\":\"same city\"}],\"result\":0.9}"},
            {"steps",
             json::array({{{"description", "compared the <i>answer</i>"}, {"conclusion", "same city"}}})},
            {"model", "gpt-4.1-2025-04-14"},
            {"usage", nullptr}}}}});
    record.latencyMs = 240 + index;
    return record;
}

json assistant(const std::string &content)
{
    return {{"role", "assistant"}, {"content", content}};
}

} // namespace

class TestItemDrillDown : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    Workspace m_workspace;
    std::unique_ptr<EvalStore> m_store;
    std::unique_ptr<VerdictStore> m_verdicts;
    qint64 m_run = 0;

    bool hasBoldFragment(const QTextDocument *document, const QString &text)
    {
        for (QTextBlock block = document->begin(); block.isValid(); block = block.next()) {
            for (auto it = block.begin(); !it.atEnd(); ++it) {
                const QTextFragment fragment = it.fragment();
                if (fragment.text().contains(text) && fragment.charFormat().fontWeight() >= QFont::Bold)
                    return true;
            }
        }
        return false;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(m_workspace.open(m_dir.filePath(QStringLiteral("ws.sqlite"))));
        m_store = std::make_unique<EvalStore>(m_workspace);
        m_verdicts = std::make_unique<VerdictStore>(m_workspace);
        const auto eval = m_store->saveEval(QStringLiteral("Capitals"), definition());
        QVERIFY(eval);
        RunRecord run;
        run.evalId = eval->id;
        run.name = QStringLiteral("capitals <b>run</b>");
        run.model = QStringLiteral("gpt-4.1-mini");
        run.status = QStringLiteral("completed");
        run.runSpec = json::object();
        run.totalItems = 4;
        m_run = m_store->createRun(run).value_or(0);
        QVERIFY(m_run > 0);

        OutputItemRecord hostile = item(m_run, 0, "pass", assistant(kHostileOutput), true);
        hostile.rawRequest = {
            {"method", "POST"},
            {"url", "https://api.openai.com/v1/responses"},
            {"body",
             {{"model", "gpt-4.1-mini"},
              {"input", json::array({{{"role", "user"},
                                      {"content", std::string("Capital of France? ") + kKeyLike}}})}}}};
        hostile.rawResponse = {{"id", "resp_123"}, {"object", "response"}, {"output_text", "Paris"}};
        json toolMessage = {
            {"role", "assistant"},
            {"content", nullptr},
            {"tool_calls",
             json::array({{{"id", "call_1"},
                           {"type", "function"},
                           {"function",
                            {{"name", "lookup_city"}, {"arguments", "{\"city\":\"Paris\",\"n\":2}"}}}}})}};
        QVERIFY(m_store->commitItems(std::vector<OutputItemRecord>{
            hostile, item(m_run, 1, "fail", assistant("{\"answer\":\"Lyon\",\"sure\":false}"), false),
             item(m_run, 2, "pass", toolMessage, true)}));
    }

    void showsModelTextAsTextAndMarkdownRendered()
    {
        ItemDrillDown view;
        view.setStores(m_store.get(), m_verdicts.get());
        QVERIFY(view.showItem(m_run, 0));
        QCOMPARE(view.runId(), m_run);
        QCOMPARE(view.datasourceItemId(), 0);
        const QString text = view.text();
        QVERIFY2(text.contains(QStringLiteral("<script>alert(1)</script>")), qPrintable(text));
        QVERIFY(text.contains(QStringLiteral("Capital of <img src=x onerror=alert(2)>?")));
        QVERIFY(text.contains(QStringLiteral("\"note\": \"<b>row</b>\""))); // the dataset row, as JSON text
        const QString html = view.document()->toHtml();
        QVERIFY(html.contains(QStringLiteral("&lt;script&gt;alert(1)&lt;/script&gt;")));
        QVERIFY(!html.contains(QStringLiteral("<script")));
        QVERIFY(!html.contains(QStringLiteral("<img")));
        // Markdown: the stars are gone and the word is bold.
        QVERIFY(!text.contains(QStringLiteral("**bold**")));
        QVERIFY(hasBoldFragment(view.document(), QStringLiteral("bold")));
        QVERIFY(!hasBoldFragment(view.document(), QStringLiteral("Paris.")));
        // The model grader's steps and its own output (pretty JSON).
        QVERIFY(text.contains(QStringLiteral("compared the <i>answer</i> → same city")));
        QVERIFY(text.contains(QStringLiteral("\"result\": 0.9")));
        QVERIFY(text.contains(QStringLiteral("gpt-4.1-2025-04-14")));
        // The run's name in the title is text too.
        QVERIFY(view.findChild<QLabel *>(QStringLiteral("drillDownTitle"))
                    ->text()
                    .contains(QStringLiteral("<b>run</b>")));
        QCOMPARE(view.findChild<QLabel *>(QStringLiteral("drillDownTitle"))->textFormat(), Qt::PlainText);
    }

    void prettyPrintsJsonAndToolCalls()
    {
        ItemDrillDown view;
        view.setStores(m_store.get(), m_verdicts.get());
        QVERIFY(view.showItem(m_run, 1));
        QString text = view.text();
        QVERIFY2(text.contains(QStringLiteral("\"answer\": \"Lyon\",\n")), qPrintable(text));
        QVERIFY(!text.contains(QStringLiteral("{\"answer\":\"Lyon\"")));
        QVERIFY(view.showItem(m_run, 2));
        text = view.text();
        QVERIFY(text.contains(QStringLiteral("Tool call: lookup_city")));
        QVERIFY(text.contains(QStringLiteral("\"city\": \"Paris\",")));
        QVERIFY(!view.showItem(m_run, 99));
        QCOMPARE(view.runId(), 0);
    }

    void rawExchangeWithTheKeyRedacted()
    {
        ItemDrillDown view;
        view.setStores(m_store.get(), m_verdicts.get());
        QVERIFY(view.showItem(m_run, 0));
        const QString text = view.text();
        QVERIFY(text.contains(QStringLiteral("POST https://api.openai.com/v1/responses")));
        QVERIFY(text.contains(QStringLiteral("Authorization: Bearer [redacted]")));
        QVERIFY(text.contains(QStringLiteral("\"model\": \"gpt-4.1-mini\"")));
        QVERIFY(text.contains(QStringLiteral("Capital of France?")));
        QVERIFY(text.contains(QStringLiteral("\"id\": \"resp_123\"")));
        QVERIFY(!text.contains(QString::fromLatin1(kKeyLike)));
        const QString key = qEnvironmentVariable("OPENAI_API_KEY");
        if (!key.isEmpty())
            QVERIFY(!text.contains(key));
        // An item without a recorded exchange says so.
        QVERIFY(view.showItem(m_run, 1));
        QVERIFY(view.text().contains(QStringLiteral("Not recorded")));
        QVERIFY(!view.text().contains(QStringLiteral("Authorization")));
    }

    void judgesByKeyboardWithUndoAndAgreement()
    {
        ItemDrillDown view;
        QUndoStack stack;
        view.setStores(m_store.get(), m_verdicts.get());
        view.setUndoStack(&stack);
        AgreementView agreement;
        agreement.setVerdictStore(m_verdicts.get());
        agreement.setRun(m_run);
        QCOMPARE(agreement.rowCount(), 0);
        view.resize(900, 700);
        view.show();
        QVERIFY(QTest::qWaitForWindowActive(&view));
        QVERIFY(view.showItem(m_run, 0));
        view.setFocus();
        QTableWidget *criteria = view.criteriaTable();
        QCOMPARE(criteria->rowCount(), 3); // whole item, exact, judge
        QCOMPARE(criteria->item(0, 4)->text(), QStringLiteral("no verdicts to compare"));
        QVERIFY(view.passAction()->toolTip().contains(QStringLiteral("(P)")));
        QVERIFY(view.nextAction()->toolTip().contains(QStringLiteral("J")));

        QTest::keyClick(view.browser(), Qt::Key_P);
        auto stored = m_verdicts->verdict(m_run, 0, QString());
        QVERIFY(stored);
        QCOMPARE(stored->verdict, Verdict::Pass);
        QVERIFY(criteria->item(0, 4)->text().startsWith(QStringLiteral("1 of 1 agree")));
        QCOMPARE(criteria->item(0, 3)->data(Qt::UserRole).toString(), QStringLiteral("Pass"));
        QVERIFY(view.verdictText().contains(QStringLiteral("Pass")));
        QCOMPARE(agreement.rowCount(), 1);
        QCOMPARE(agreement.cellText(0, AgreementView::AgreedColumn), QStringLiteral("1"));

        QTest::keyClick(view.browser(), Qt::Key_F); // the grader said pass: now they disagree
        QCOMPARE(m_verdicts->verdict(m_run, 0, QString())->verdict, Verdict::Fail);
        QVERIFY(criteria->item(0, 4)->text().startsWith(QStringLiteral("0 of 1 agree")));
        QCOMPARE(agreement.cellText(0, AgreementView::AgreedColumn), QStringLiteral("0"));
        QCOMPARE(agreement.cellText(0, AgreementView::RateColumn), QStringLiteral("0.0%"));

        stack.undo();
        QCOMPARE(m_verdicts->verdict(m_run, 0, QString())->verdict, Verdict::Pass);
        QVERIFY(criteria->item(0, 4)->text().startsWith(QStringLiteral("1 of 1 agree")));

        // A note: N opens the editor, typed keys are text (P is not a verdict there), Ctrl+Enter saves.
        QTest::keyClick(view.browser(), Qt::Key_N);
        QVERIFY(view.noteEditor()->isVisible());
        QVERIFY(view.noteEditor()->hasFocus());
        QTest::keyClicks(view.noteEditor(), QStringLiteral("Paris <b>ok</b>"));
        QCOMPARE(m_verdicts->verdict(m_run, 0, QString())->verdict, Verdict::Pass);
        QTest::keyClick(view.noteEditor(), Qt::Key_Return, Qt::ControlModifier);
        QVERIFY(!view.noteEditor()->isVisible());
        stored = m_verdicts->verdict(m_run, 0, QString());
        QCOMPARE(stored->note, QStringLiteral("Paris <b>ok</b>"));
        QCOMPARE(stored->verdict, Verdict::Pass); // the note kept the verdict
        QVERIFY(view.verdictText().contains(QStringLiteral("Paris <b>ok</b>")));

        // Clear (Backspace) drops the verdict and keeps the note.
        QTest::keyClick(view.browser(), Qt::Key_Backspace);
        stored = m_verdicts->verdict(m_run, 0, QString());
        QVERIFY(stored);
        QCOMPARE(stored->verdict, Verdict::None);
        QCOMPARE(stored->note, QStringLiteral("Paris <b>ok</b>"));
        QCOMPARE(criteria->item(0, 4)->text(), QStringLiteral("no verdicts to compare"));
        stack.undo();
        QCOMPARE(m_verdicts->verdict(m_run, 0, QString())->verdict, Verdict::Pass);
        stack.undo(); // the note
        QVERIFY(m_verdicts->verdict(m_run, 0, QString())->note.isEmpty());

        // Per criterion: Shift+F on the selected row.
        criteria->setCurrentCell(1, 0);
        QTest::keyClick(view.browser(), Qt::Key_F, Qt::ShiftModifier);
        QCOMPARE(m_verdicts->verdict(m_run, 0, QStringLiteral("exact"))->verdict, Verdict::Fail);
        QVERIFY(criteria->item(1, 4)->text().startsWith(QStringLiteral("0 of 1 agree")));
        QCOMPARE(agreement.rowCount(), 2);
        QCOMPARE(agreement.cellText(1, AgreementView::CriterionColumn), QStringLiteral("exact"));

        // Next / previous are the panel's to handle.
        QSignalSpy next(&view, &ItemDrillDown::nextItemRequested);
        QSignalSpy previous(&view, &ItemDrillDown::previousItemRequested);
        QTest::keyClick(view.browser(), Qt::Key_J);
        QTest::keyClick(view.browser(), Qt::Key_Down, Qt::AltModifier);
        QTest::keyClick(view.browser(), Qt::Key_K);
        QTest::keyClick(view.browser(), Qt::Key_Up, Qt::AltModifier);
        QCOMPARE(next.count(), 2);
        QCOMPARE(previous.count(), 2);

        // Verdicts follow the item shown.
        QVERIFY(view.showItem(m_run, 1));
        QTest::keyClick(view.browser(), Qt::Key_P); // the grader failed it
        QCOMPARE(m_verdicts->verdict(m_run, 1, QString())->verdict, Verdict::Pass);
        QCOMPARE(m_verdicts->verdict(m_run, 0, QString())->verdict, Verdict::Pass);
        QVERIFY(criteria->item(0, 4)->text().startsWith(QStringLiteral("1 of 2 agree")));

        if (const QString shot = qEnvironmentVariable("ASSAY_DRILLDOWN_SHOT"); !shot.isEmpty()) {
            QVERIFY(view.showItem(m_run, 0));
            QCoreApplication::processEvents(); // the layout after the note editor closed
            QVERIFY(view.grab().save(shot));
            view.browser()->verticalScrollBar()->setValue(view.browser()->verticalScrollBar()->maximum());
            QCoreApplication::processEvents();
            QVERIFY(
                view.grab().save(QString(shot).replace(QStringLiteral(".png"), QStringLiteral("-raw.png"))));
        }
        m_verdicts->clearVerdict(m_run, 0, QString());
        m_verdicts->clearVerdict(m_run, 1, QString());
        m_verdicts->clearVerdict(m_run, 0, QStringLiteral("exact"));
    }
};

QTEST_MAIN(TestItemDrillDown)
#include "tst_item_drilldown.moc"
