#include "ui/panels/prompt_panel.h"

#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QShortcut>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include "models/itemmodels/variables_model.h"
#include "ui/editor/prompt_editor.h"
#include "ui/widgets/message_card.h"

namespace assay::ui {

namespace {

QLabel *sectionTitle(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    QFont bold = label->font();
    bold.setBold(true);
    label->setFont(bold);
    return label;
}

QLabel *hintLabel(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setForegroundRole(QPalette::PlaceholderText);
    label->setWordWrap(true);
    return label;
}

constexpr int MaxVisibleVariableRows = 6;

} // namespace

PromptPanel::PromptPanel(QWidget *parent) : QWidget(parent)
{
    m_instructions = new PromptEditor(this);
    m_instructions->setObjectName(QStringLiteral("instructions"));
    m_instructions->setAccessibleName(tr("Instructions"));
    m_instructions->setPlaceholderText(
        tr("Instructions for the model: its role, tone, rules… Sent as `instructions` "
           "(Responses) or a leading developer message (Chat Completions)."));
    m_instructions->setLineRange(2, 8);

    // Cards live in a scroll area; the "Add message" button follows the last card.
    auto *cardsHost = new QWidget;
    cardsHost->setObjectName(QStringLiteral("messages"));
    m_cardsLayout = new QVBoxLayout;
    m_cardsLayout->setContentsMargins(0, 0, 0, 0);
    m_cardsLayout->setSpacing(8);

    m_addMessage = new QPushButton(QIcon::fromTheme(QStringLiteral("list-add")), tr("Add message"), cardsHost);
    m_addMessage->setObjectName(QStringLiteral("addMessage"));
    m_addMessage->setToolTip(tr("Add a message to the conversation (Ctrl+Shift+M)"));

    auto *addRow = new QHBoxLayout;
    addRow->setContentsMargins(0, 0, 0, 0);
    addRow->addWidget(m_addMessage);
    addRow->addStretch(1);

    auto *hostLayout = new QVBoxLayout(cardsHost);
    hostLayout->setContentsMargins(0, 0, 4, 0);
    hostLayout->setSpacing(8);
    hostLayout->addLayout(m_cardsLayout);
    hostLayout->addLayout(addRow);
    hostLayout->addStretch(1);

    m_scroll = new QScrollArea(this);
    m_scroll->setObjectName(QStringLiteral("messagesScroll"));
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_scroll->setWidget(cardsHost);

    m_variables = new itemmodels::VariablesModel(this);
    m_variablesView = new QTableView(this);
    m_variablesView->setObjectName(QStringLiteral("variables"));
    m_variablesView->setAccessibleName(tr("Variables"));
    m_variablesView->setModel(m_variables);
    m_variablesView->verticalHeader()->setVisible(false);
    m_variablesView->horizontalHeader()->setStretchLastSection(true);
    m_variablesView->horizontalHeader()->setSectionResizeMode(
        static_cast<int>(itemmodels::VariablesModel::Column::Name), QHeaderView::ResizeToContents);
    m_variablesView->horizontalHeader()->setHighlightSections(false);
    m_variablesView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_variablesView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_variablesView->setEditTriggers(QAbstractItemView::AllEditTriggers);
    m_variablesView->setWordWrap(false);
    m_variablesView->setAlternatingRowColors(true);
    m_variablesView->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_variablesView->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    m_variablesHint = hintLabel(tr("Write {{name}} in the instructions or a message to add a variable here."), this);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    layout->setSpacing(6);
    layout->addWidget(sectionTitle(tr("Instructions"), this));
    layout->addWidget(m_instructions);
    layout->addSpacing(6);
    layout->addWidget(sectionTitle(tr("Messages"), this));
    layout->addWidget(m_scroll, 1);
    layout->addSpacing(6);
    layout->addWidget(sectionTitle(tr("Variables"), this));
    layout->addWidget(m_variablesView);
    layout->addWidget(m_variablesHint);

    connect(m_instructions, &QsciScintilla::textChanged, this, &PromptPanel::edited);
    connect(m_addMessage, &QPushButton::clicked, this, &PromptPanel::addMessage);
    auto *addShortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_M), this);
    addShortcut->setContext(Qt::WidgetWithChildrenShortcut);
    connect(addShortcut, &QShortcut::activated, this, &PromptPanel::addMessage);

    connect(m_variables, &QAbstractItemModel::dataChanged, this, [this] {
        if (!m_loading)
            Q_EMIT changed();
    });
    connect(m_variables, &QAbstractItemModel::rowsInserted, this, &PromptPanel::updateVariablesHeight);
    connect(m_variables, &QAbstractItemModel::rowsRemoved, this, &PromptPanel::updateVariablesHeight);

    m_loading = true;
    insertCard(0, {prompt::Role::User, QString()});
    m_loading = false;
    updateVariablesHeight();
}

prompt::Conversation PromptPanel::conversation() const
{
    prompt::Conversation conversation;
    conversation.instructions = m_instructions->text();
    conversation.messages.reserve(static_cast<std::size_t>(m_cards.size()));
    for (const MessageCard *card : m_cards)
        conversation.messages.push_back(card->message());
    return conversation;
}

void PromptPanel::setConversation(const prompt::Conversation &conversation)
{
    m_loading = true;
    m_instructions->setPlainText(conversation.instructions);
    // Reuse the cards there are; a prompt with the same shape loads without flicker.
    const int wanted = static_cast<int>(conversation.messages.size());
    while (m_cards.size() > wanted)
        removeCard(m_cards.last());
    for (int i = 0; i < wanted; ++i) {
        const prompt::Message &message = conversation.messages.at(static_cast<std::size_t>(i));
        if (i < m_cards.size())
            m_cards.at(i)->setMessage(message);
        else
            insertCard(i, message);
    }
    updateCardPositions();
    syncVariables();
    m_loading = false;
}

nlohmann::json PromptPanel::variables() const
{
    return m_variables->variables();
}

void PromptPanel::setVariable(const QString &name, const QString &value)
{
    m_loading = true;
    m_variables->setValue(name, value);
    m_loading = false;
}

void PromptPanel::focusPrompt()
{
    PromptEditor *editor = m_cards.isEmpty() ? m_instructions : m_cards.last()->editor();
    editor->setFocus(Qt::OtherFocusReason);
    const int lastLine = std::max(0, editor->lines() - 1);
    editor->setCursorPosition(lastLine, editor->text(lastLine).size());
    if (!m_cards.isEmpty())
        m_scroll->ensureWidgetVisible(m_cards.last(), 0, 0);
}

void PromptPanel::addMessage()
{
    const prompt::Role role = !m_cards.isEmpty() && m_cards.last()->role() == prompt::Role::User
                                  ? prompt::Role::Assistant
                                  : prompt::Role::User;
    MessageCard *card = insertCard(static_cast<int>(m_cards.size()), {role, QString()});
    updateCardPositions();
    edited();
    card->editor()->setFocus(Qt::OtherFocusReason);
    // The scroll area learns the new height only after the layout ran.
    QTimer::singleShot(0, card, [this, card] { m_scroll->ensureWidgetVisible(card, 0, 0); });
}

QList<PromptEditor *> PromptPanel::messageEditors() const
{
    QList<PromptEditor *> editors;
    for (const MessageCard *card : m_cards)
        editors.append(card->editor());
    return editors;
}

MessageCard *PromptPanel::insertCard(int index, const prompt::Message &message)
{
    auto *card = new MessageCard(m_scroll->widget());
    card->setMessage(message);
    m_cards.insert(index, card);
    m_cardsLayout->insertWidget(index, card);
    connect(card, &MessageCard::changed, this, &PromptPanel::edited);
    connect(card, &MessageCard::removeRequested, this, [this, card] {
        const int position = static_cast<int>(m_cards.indexOf(card));
        removeCard(card);
        updateCardPositions();
        edited();
        // Keep the keyboard near where the card was.
        if (!m_cards.isEmpty())
            m_cards.at(std::min(position, static_cast<int>(m_cards.size()) - 1))->editor()->setFocus();
        else
            m_addMessage->setFocus();
    });
    connect(card, &MessageCard::moveUpRequested, this, [this, card] { moveCard(card, -1); });
    connect(card, &MessageCard::moveDownRequested, this, [this, card] { moveCard(card, +1); });
    return card;
}

void PromptPanel::removeCard(MessageCard *card)
{
    m_cards.removeOne(card);
    m_cardsLayout->removeWidget(card);
    card->hide();
    card->deleteLater();
}

void PromptPanel::moveCard(MessageCard *card, int delta)
{
    const int from = static_cast<int>(m_cards.indexOf(card));
    const int to = from + delta;
    if (from < 0 || to < 0 || to >= m_cards.size())
        return;
    m_cards.move(from, to);
    m_cardsLayout->removeWidget(card);
    m_cardsLayout->insertWidget(to, card);
    updateCardPositions();
    edited();
}

void PromptPanel::updateCardPositions()
{
    const int count = static_cast<int>(m_cards.size());
    for (int i = 0; i < count; ++i) {
        m_cards.at(i)->setPosition(i, count);
        m_cards.at(i)->editor()->setAccessibleName(tr("Message %1").arg(i + 1));
    }
    // Tab order follows the cards' visible order, not their creation order.
    QWidget *previous = m_instructions;
    for (MessageCard *card : std::as_const(m_cards)) {
        for (QWidget *widget : card->focusChain()) {
            setTabOrder(previous, widget);
            previous = widget;
        }
    }
    setTabOrder(previous, m_addMessage);
    setTabOrder(m_addMessage, m_variablesView);
}

void PromptPanel::syncVariables()
{
    m_variables->setVariableNames(conversation().variableNames());
}

void PromptPanel::updateVariablesHeight()
{
    const int rows = m_variables->rowCount();
    m_variablesView->setVisible(rows > 0);
    m_variablesHint->setVisible(rows == 0);
    if (rows == 0)
        return;
    const int rowHeight = m_variablesView->verticalHeader()->defaultSectionSize();
    const int visibleRows = std::min(rows, MaxVisibleVariableRows);
    const int height = m_variablesView->horizontalHeader()->sizeHint().height() + visibleRows * rowHeight
                       + 2 * m_variablesView->frameWidth();
    m_variablesView->setFixedHeight(height);
}

void PromptPanel::edited()
{
    syncVariables();
    if (!m_loading)
        Q_EMIT changed();
}

} // namespace assay::ui
