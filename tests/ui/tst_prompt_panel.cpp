#include <QAbstractItemModelTester>
#include <QShortcut>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <QToolButton>
#include <QVBoxLayout>

#include "models/itemmodels/variables_model.h"
#include "ui/editor/prompt_editor.h"
#include "ui/panels/prompt_panel.h"
#include "ui/widgets/message_card.h"

using assay::prompt::Conversation;
using assay::prompt::Message;
using assay::prompt::Role;
using assay::ui::PromptEditor;
using assay::ui::PromptPanel;

namespace {

// A window hosting the panel, shown and active so key events and shortcuts behave as for a user.
struct Window {
    QWidget widget;
    PromptPanel *panel = nullptr;

    Window()
    {
        auto *layout = new QVBoxLayout(&widget);
        panel = new PromptPanel(&widget);
        layout->addWidget(panel);
        widget.resize(520, 720);
        widget.show();
        widget.activateWindow();
    }
    bool ready() { return QTest::qWaitForWindowActive(&widget); }
};

long indicatorAt(const PromptEditor *editor, int indicator, long position)
{
    return editor->SendScintilla(QsciScintillaBase::SCI_INDICATORVALUEAT, static_cast<unsigned long>(indicator), position);
}

QString variableName(const QAbstractItemModel *model, int row)
{
    return model->index(row, 0).data().toString();
}

} // namespace

class TestPromptPanel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void startsWithOneEmptyUserMessage()
    {
        PromptPanel panel;
        const Conversation conversation = panel.conversation();
        QVERIFY(conversation.instructions.isEmpty());
        QCOMPARE(conversation.messages.size(), std::size_t(1));
        QCOMPARE(conversation.messages.front().role, Role::User);
        QVERIFY(conversation.messages.front().text.isEmpty());
    }

    void conversationRoundTrips()
    {
        PromptPanel panel;
        QSignalSpy changed(&panel, &PromptPanel::changed);
        Conversation conversation;
        conversation.instructions = QStringLiteral("You are terse.\nAnswer in {{language}}.");
        conversation.messages = {{Role::Developer, QStringLiteral("Never apologise.")},
                                 {Role::User, QStringLiteral("Où est la gare? 🚉 {{city}}")},
                                 {Role::Assistant, QStringLiteral("Tout droit.")},
                                 {Role::User, QStringLiteral("Line one\n\nLine three")}};
        panel.setConversation(conversation);
        QCOMPARE(panel.conversation(), conversation);
        QCOMPARE(panel.messageEditors().size(), 4);
        QCOMPARE(changed.count(), 0); // loading is not an edit

        // A shorter conversation drops the extra cards.
        Conversation shorter;
        shorter.messages = {{Role::Assistant, QStringLiteral("Hi")}};
        panel.setConversation(shorter);
        QCOMPARE(panel.conversation(), shorter);
        QCOMPARE(panel.messageEditors().size(), 1);

        // Loading leaves nothing to undo: Ctrl+Z must not bring back the previous prompt.
        QVERIFY(!panel.messageEditors().front()->isUndoAvailable());
    }

    void typedVariableAppearsInTableAndValueFlowsIntoVariables()
    {
        Window window;
        QVERIFY(window.ready());
        PromptPanel *panel = window.panel;
        auto *view = panel->findChild<QTableView *>(QStringLiteral("variables"));
        QVERIFY(view);
        QAbstractItemModelTester tester(view->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(!view->isVisible()); // nothing to fill yet: a hint is shown instead

        QSignalSpy changed(panel, &PromptPanel::changed);
        PromptEditor *editor = panel->messageEditors().constFirst();
        editor->setFocus();
        QTest::keyClicks(editor, QStringLiteral("Weather in {{city}} on {{ day }}?"));
        QCOMPARE(editor->text(), QStringLiteral("Weather in {{city}} on {{ day }}?"));
        QVERIFY(changed.count() > 0);
        QVERIFY(view->isVisible());
        QCOMPARE(view->model()->rowCount(), 2);
        QCOMPARE(variableName(view->model(), 0), QStringLiteral("city"));
        QCOMPARE(variableName(view->model(), 1), QStringLiteral("day"));

        // The user fills a value in the table.
        const QModelIndex cityValue = view->model()->index(0, 1);
        QVERIFY(view->model()->flags(cityValue) & Qt::ItemIsEditable);
        changed.clear();
        QVERIFY(view->model()->setData(cityValue, QStringLiteral("Lisbon")));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(panel->variables().at("city").get<std::string>(), std::string("Lisbon"));
        QCOMPARE(panel->variables().at("day").get<std::string>(), std::string());

        // Instructions count too, in order of first appearance.
        panel->instructionsEditor()->setText(QStringLiteral("Use {{units}}."));
        QCOMPARE(variableName(view->model(), 0), QStringLiteral("units"));
        QCOMPARE(view->model()->rowCount(), 3);
    }

    void valueComesBackWhenTheVariableDoes()
    {
        Window window;
        QVERIFY(window.ready());
        PromptPanel *panel = window.panel;
        PromptEditor *editor = panel->messageEditors().constFirst();
        editor->setFocus();
        QTest::keyClicks(editor, QStringLiteral("Hi {{name}}"));
        panel->setVariable(QStringLiteral("name"), QStringLiteral("Ada"));
        QCOMPARE(panel->variables().at("name").get<std::string>(), std::string("Ada"));

        // Deleting the placeholder (one character is enough) removes the row...
        QTest::keyClick(editor, Qt::Key_Backspace);
        QCOMPARE(panel->variablesModel()->rowCount(), 0);
        QVERIFY(panel->variables().empty());
        // ...and Scintilla's own undo brings it back with its value.
        QTest::keyClick(editor, Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(editor->text(), QStringLiteral("Hi {{name}}"));
        QCOMPARE(panel->variables().at("name").get<std::string>(), std::string("Ada"));
    }

    void ctrlReturnAndEscapeReachTheWindowShortcuts()
    {
        Window window;
        auto *run = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), &window.widget);
        auto *runEnter = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Enter), &window.widget);
        auto *stop = new QShortcut(QKeySequence(Qt::Key_Escape), &window.widget);
        QSignalSpy ran(run, &QShortcut::activated);
        QSignalSpy ranEnter(runEnter, &QShortcut::activated);
        QSignalSpy stopped(stop, &QShortcut::activated);
        QVERIFY(window.ready());

        for (PromptEditor *editor : {window.panel->messageEditors().constFirst(), window.panel->instructionsEditor()}) {
            editor->setFocus();
            QVERIFY(editor->hasFocus());
            QTest::keyClicks(editor, QStringLiteral("abc"));
            ran.clear();
            ranEnter.clear();
            stopped.clear();
            QTest::keyClick(editor, Qt::Key_Return, Qt::ControlModifier);
            QCOMPARE(ran.count(), 1);
            QTest::keyClick(editor, Qt::Key_Enter, Qt::ControlModifier);
            QCOMPARE(ranEnter.count(), 1);
            QTest::keyClick(editor, Qt::Key_Escape);
            QCOMPARE(stopped.count(), 1);
            // The editor neither inserted a line break nor lost its text.
            QCOMPARE(editor->text(), QStringLiteral("abc"));

            // A plain Return is still a line break.
            QTest::keyClick(editor, Qt::Key_Return);
            QCOMPARE(editor->lines(), 2);
            QCOMPARE(ran.count(), 1);
        }
    }

    void ctrlShiftMAddsAMessage()
    {
        Window window;
        QVERIFY(window.ready());
        PromptPanel *panel = window.panel;
        QSignalSpy changed(panel, &PromptPanel::changed);
        PromptEditor *first = panel->messageEditors().constFirst();
        first->setFocus();
        QTest::keyClick(first, Qt::Key_M, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(panel->messageEditors().size(), 2);
        QCOMPARE(changed.count(), 1);
        QVERIFY(first->text().isEmpty()); // the shortcut typed nothing
        // After a user message comes the assistant's turn; the new editor has the focus.
        QCOMPARE(panel->conversation().messages.back().role, Role::Assistant);
        QVERIFY(panel->messageEditors().constLast()->hasFocus());
        panel->addMessage();
        QCOMPARE(panel->conversation().messages.back().role, Role::User);
    }

    void cardsMoveAndRemove()
    {
        PromptPanel panel;
        Conversation conversation;
        conversation.messages = {{Role::User, QStringLiteral("one")},
                                 {Role::Assistant, QStringLiteral("two")},
                                 {Role::User, QStringLiteral("three")}};
        panel.setConversation(conversation);
        auto cards = [&panel] {
            QList<assay::ui::MessageCard *> result;
            for (PromptEditor *editor : panel.messageEditors())
                result << qobject_cast<assay::ui::MessageCard *>(editor->parentWidget());
            return result;
        };
        auto button = [](assay::ui::MessageCard *card, const char *name) {
            return card->findChild<QToolButton *>(QLatin1String(name));
        };
        QVERIFY(!button(cards().at(0), "moveUp")->isEnabled());
        QVERIFY(!button(cards().at(2), "moveDown")->isEnabled());

        QSignalSpy changed(&panel, &PromptPanel::changed);
        button(cards().at(2), "moveUp")->click();
        QCOMPARE(panel.conversation().messages.at(1).text, QStringLiteral("three"));
        QCOMPARE(panel.conversation().messages.at(2).text, QStringLiteral("two"));
        button(cards().at(0), "moveDown")->click();
        QCOMPARE(panel.conversation().messages.at(0).text, QStringLiteral("three"));
        QCOMPARE(panel.conversation().messages.at(1).text, QStringLiteral("one"));
        button(cards().at(1), "remove")->click();
        QCOMPARE(panel.conversation().messages.size(), std::size_t(2));
        QCOMPARE(panel.conversation().messages.at(1).text, QStringLiteral("two"));
        QCOMPARE(changed.count(), 3);

        cards().at(0)->setRole(Role::Developer);
        QCOMPARE(panel.conversation().messages.at(0).role, Role::Developer);
    }

    void focusPromptFocusesTheLastMessage()
    {
        Window window;
        QVERIFY(window.ready());
        window.panel->addMessage();
        window.panel->instructionsEditor()->setFocus();
        window.panel->focusPrompt();
        QVERIFY(window.panel->messageEditors().constLast()->hasFocus());
    }

    void variableHighlightUsesScintillaBytePositions()
    {
        PromptEditor editor;
        // é is 2 UTF-8 bytes, 😀 is 2 UTF-16 units and 4 bytes, 名前 is 6 bytes.
        editor.setText(QStringLiteral("héllo 😀 {{名前}} and {{x}}"));
        const long start = 12;         // bytes of "héllo 😀 "
        const long end = start + 10;   // bytes of "{{名前}}"
        for (const int indicator : {PromptEditor::VariableBoxIndicator, PromptEditor::VariableTextIndicator}) {
            QCOMPARE(indicatorAt(&editor, indicator, start - 1), 0L);
            QCOMPARE(indicatorAt(&editor, indicator, start), 1L);
            QCOMPARE(indicatorAt(&editor, indicator, end - 1), 1L);
            QCOMPARE(indicatorAt(&editor, indicator, end), 0L);
            QCOMPARE(editor.SendScintilla(QsciScintillaBase::SCI_INDICATOREND, static_cast<unsigned long>(indicator), start), end);
            // " and " then {{x}}: 5 bytes more.
            QCOMPARE(indicatorAt(&editor, indicator, end + 5), 1L);
            QCOMPARE(indicatorAt(&editor, indicator, end + 4), 0L);
        }
        QCOMPARE(editor.variableSpans().size(), 2);

        // Removing the braces removes the mark.
        editor.setText(QStringLiteral("héllo 😀 名前"));
        QCOMPARE(indicatorAt(&editor, PromptEditor::VariableBoxIndicator, start), 0L);
    }

    void editorGrowsWithItsContentUpToAMaximum()
    {
        Window window;
        QVERIFY(window.ready());
        PromptEditor *editor = window.panel->messageEditors().constFirst();
        const int empty = editor->height();
        editor->setText(QStringLiteral("1\n2\n3\n4\n5\n6"));
        const int six = editor->height();
        QVERIFY2(six > empty, qPrintable(QStringLiteral("%1 -> %2").arg(empty).arg(six)));
        QString many;
        for (int i = 0; i < 200; ++i)
            many += QStringLiteral("line %1\n").arg(i);
        editor->setText(many);
        const int capped = editor->height();
        QVERIFY(capped > six);
        editor->append(QStringLiteral("one more\n"));
        QCOMPARE(editor->height(), capped);
    }
};

QTEST_MAIN(TestPromptPanel)
#include "tst_prompt_panel.moc"
