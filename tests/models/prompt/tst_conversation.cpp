#include <QtTest>

#include "models/prompt/conversation.h"

using namespace assay::prompt;

class TestConversation : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void roleNamesAreTheApiNames();
    void roleNamesRoundTrip();
    void roleFromNameAcceptsSystemAndCase();
    void unknownRoleIsRejected();
    void variableNamesSpanInstructionsAndMessages();
    void noVariablesGivesAnEmptyList();
};

void TestConversation::roleNamesAreTheApiNames()
{
    QCOMPARE(roleName(Role::Developer), QStringLiteral("developer"));
    QCOMPARE(roleName(Role::User), QStringLiteral("user"));
    QCOMPARE(roleName(Role::Assistant), QStringLiteral("assistant"));
}

void TestConversation::roleNamesRoundTrip()
{
    for (const Role role : {Role::Developer, Role::User, Role::Assistant}) {
        Role parsed = role == Role::User ? Role::Assistant : Role::User;
        QVERIFY(roleFromName(roleName(role), parsed));
        QCOMPARE(parsed, role);
    }
}

void TestConversation::roleFromNameAcceptsSystemAndCase()
{
    Role role = Role::User;
    QVERIFY(roleFromName(QStringLiteral("system"), role));
    QCOMPARE(role, Role::Developer);
    role = Role::User;
    QVERIFY(roleFromName(QStringLiteral(" Assistant "), role));
    QCOMPARE(role, Role::Assistant);
    QVERIFY(roleFromName(QStringLiteral("DEVELOPER"), role));
    QCOMPARE(role, Role::Developer);
}

void TestConversation::unknownRoleIsRejected()
{
    Role role = Role::Assistant;
    QVERIFY(!roleFromName(QStringLiteral("tool"), role));
    QVERIFY(!roleFromName(QString(), role));
    QCOMPARE(role, Role::Assistant); // untouched on failure
}

void TestConversation::variableNamesSpanInstructionsAndMessages()
{
    Conversation conversation;
    conversation.instructions = QStringLiteral("You answer about {{ topic }} for {{audience}}.");
    conversation.messages = {
        {Role::User, QStringLiteral("Explain {{item.question}} to {{audience}}")},
        {Role::Assistant, QStringLiteral("Sure: {{ topic }}")},
        {Role::User, QStringLiteral("And {{item.rows[0].name}}? {not a variable}")},
    };
    QCOMPARE(conversation.variableNames(),
             QStringList({QStringLiteral("topic"), QStringLiteral("audience"),
                          QStringLiteral("item.question"), QStringLiteral("item.rows[0].name")}));
}

void TestConversation::noVariablesGivesAnEmptyList()
{
    Conversation conversation;
    conversation.instructions = QStringLiteral("Be brief.");
    conversation.messages = {{Role::User, QStringLiteral("Hello {there}")}};
    QVERIFY(conversation.variableNames().isEmpty());
}

QTEST_GUILESS_MAIN(TestConversation)
#include "tst_conversation.moc"
