#include "ui/widgets/message_card.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>

#include "ui/editor/prompt_editor.h"

namespace assay::ui {

namespace {

QToolButton *makeButton(QWidget *parent, QStyle::StandardPixmap icon, const QString &tip, const char *name)
{
    auto *button = new QToolButton(parent);
    button->setObjectName(QLatin1String(name));
    button->setIcon(parent->style()->standardIcon(icon, nullptr, parent));
    button->setToolTip(tip);
    button->setAccessibleName(tip);
    button->setAutoRaise(true);
    button->setFocusPolicy(Qt::TabFocus);
    return button;
}

} // namespace

MessageCard::MessageCard(QWidget *parent) : QFrame(parent)
{
    setObjectName(QStringLiteral("messageCard"));
    setFrameShape(QFrame::StyledPanel);
    setFrameShadow(QFrame::Plain);

    m_role = new QComboBox(this);
    m_role->setObjectName(QStringLiteral("role"));
    m_role->setToolTip(tr("Who says this message"));
    m_role->setAccessibleName(tr("Message role"));
    for (const prompt::Role role : {prompt::Role::User, prompt::Role::Assistant, prompt::Role::Developer}) {
        const QString name = prompt::roleName(role);
        QString label = name;
        label[0] = label[0].toUpper();
        m_role->addItem(label, name);
    }
    m_role->setSizeAdjustPolicy(QComboBox::AdjustToContents);

    m_up = makeButton(this, QStyle::SP_ArrowUp, tr("Move message up"), "moveUp");
    m_down = makeButton(this, QStyle::SP_ArrowDown, tr("Move message down"), "moveDown");
    m_remove = makeButton(this, QStyle::SP_TitleBarCloseButton, tr("Remove message"), "remove");

    m_editor = new PromptEditor(this);
    m_editor->setObjectName(QStringLiteral("messageEditor"));
    m_editor->setLineRange(2, 20);

    auto *header = new QHBoxLayout;
    header->setContentsMargins(0, 0, 0, 0);
    header->setSpacing(2);
    header->addWidget(m_role);
    header->addStretch(1);
    header->addWidget(m_up);
    header->addWidget(m_down);
    header->addWidget(m_remove);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 6, 8, 8);
    layout->setSpacing(6);
    layout->addLayout(header);
    layout->addWidget(m_editor);

    connect(m_role, &QComboBox::currentIndexChanged, this, [this] {
        updatePlaceholder();
        Q_EMIT changed();
    });
    connect(m_editor, &QsciScintilla::textChanged, this, &MessageCard::changed);
    connect(m_up, &QToolButton::clicked, this, &MessageCard::moveUpRequested);
    connect(m_down, &QToolButton::clicked, this, &MessageCard::moveDownRequested);
    connect(m_remove, &QToolButton::clicked, this, &MessageCard::removeRequested);
    updatePlaceholder();
}

prompt::Message MessageCard::message() const
{
    return {role(), m_editor->text()};
}

void MessageCard::setMessage(const prompt::Message &message)
{
    setRole(message.role);
    m_editor->setPlainText(message.text);
}

prompt::Role MessageCard::role() const
{
    prompt::Role role = prompt::Role::User;
    prompt::roleFromName(m_role->currentData().toString(), role);
    return role;
}

void MessageCard::setRole(prompt::Role role)
{
    const int index = m_role->findData(prompt::roleName(role));
    if (index >= 0)
        m_role->setCurrentIndex(index);
}

QList<QWidget *> MessageCard::focusChain() const
{
    return {m_role, m_editor, m_up, m_down, m_remove};
}

void MessageCard::setPosition(int index, int count)
{
    m_up->setEnabled(index > 0);
    m_down->setEnabled(index + 1 < count);
}

void MessageCard::updatePlaceholder()
{
    switch (role()) {
    case prompt::Role::User:
        m_editor->setPlaceholderText(tr("Enter a user message… Use {{name}} for a variable."));
        break;
    case prompt::Role::Assistant:
        m_editor->setPlaceholderText(tr("Enter an assistant reply, as an example for the model…"));
        break;
    case prompt::Role::Developer:
        m_editor->setPlaceholderText(tr("Enter developer instructions…"));
        break;
    }
}

} // namespace assay::ui
