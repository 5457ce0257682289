#pragma once

#include <QFrame>

#include "models/prompt/conversation.h"

class QComboBox;
class QToolButton;

namespace assay::ui {

class PromptEditor;

// One message of the conversation: its role, its text, and buttons to move or remove it.
class MessageCard : public QFrame {
    Q_OBJECT
public:
    explicit MessageCard(QWidget *parent = nullptr);

    prompt::Message message() const;
    void setMessage(const prompt::Message &message);

    prompt::Role role() const;
    void setRole(prompt::Role role);

    PromptEditor *editor() const { return m_editor; }

    // Role, text, then the buttons: the order Tab visits them.
    QList<QWidget *> focusChain() const;

    // Enables the move and remove buttons for a card at `index` of `count`.
    void setPosition(int index, int count);

Q_SIGNALS:
    void changed();
    void moveUpRequested();
    void moveDownRequested();
    void removeRequested();

private:
    void updatePlaceholder();

    QComboBox *m_role = nullptr;
    QToolButton *m_up = nullptr;
    QToolButton *m_down = nullptr;
    QToolButton *m_remove = nullptr;
    PromptEditor *m_editor = nullptr;
};

} // namespace assay::ui
