#pragma once

#include <QList>
#include <QWidget>
#include <nlohmann/json.hpp>

#include "models/prompt/conversation.h"

class QLabel;
class QPushButton;
class QScrollArea;
class QTableView;
class QVBoxLayout;

namespace assay::itemmodels {
class VariablesModel;
}

namespace assay::ui {

class MessageCard;
class PromptEditor;

// The prompt editor: instructions (developer message) and an ordered list of role messages,
// each a QScintilla editor with {{variable}} highlighting, plus a table to fill the variables.
class PromptPanel : public QWidget {
    Q_OBJECT
public:
    explicit PromptPanel(QWidget *parent = nullptr);

    prompt::Conversation conversation() const;
    // Loading is not editing: `changed` is not emitted, and undo starts from the loaded text.
    void setConversation(const prompt::Conversation &conversation);

    // {"name": "value", ...} for every variable used, from the variables table. A dotted path
    // ({{item.city}}) is nested ({"item": {"city": ...}}), as PromptTemplate resolves it.
    nlohmann::json variables() const;
    // Kept even while no editor uses `name`; does not emit `changed`.
    void setVariable(const QString &name, const QString &value);

    // Focuses the last message editor (where a user types the prompt).
    void focusPrompt();

    // Appends an empty message (user after anything but a user message, else assistant) and
    // focuses it. Also on Ctrl+Shift+M.
    void addMessage();

    PromptEditor *instructionsEditor() const { return m_instructions; }
    QList<PromptEditor *> messageEditors() const;
    itemmodels::VariablesModel *variablesModel() const { return m_variables; }

Q_SIGNALS:
    void changed();

private:
    MessageCard *insertCard(int index, const prompt::Message &message);
    void removeCard(MessageCard *card);
    void moveCard(MessageCard *card, int delta);
    void updateCardPositions();
    void syncVariables();
    void updateVariablesHeight();
    void edited();

    PromptEditor *m_instructions = nullptr;
    QScrollArea *m_scroll = nullptr;
    QVBoxLayout *m_cardsLayout = nullptr;
    QList<MessageCard *> m_cards;
    QPushButton *m_addMessage = nullptr;
    QTableView *m_variablesView = nullptr;
    QLabel *m_variablesHint = nullptr;
    itemmodels::VariablesModel *m_variables = nullptr;
    bool m_loading = false;
};

} // namespace assay::ui
