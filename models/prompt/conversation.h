#pragma once

#include <QString>
#include <QStringList>
#include <vector>

namespace assay::prompt {

enum class Role { Developer, User, Assistant };

QString roleName(Role role);                 // "developer" / "user" / "assistant"
bool roleFromName(const QString &name, Role &role);

struct Message {
    Role role = Role::User;
    QString text;
    bool operator==(const Message &) const = default;
};

// What the prompt editor holds: instructions (sent as `instructions` on the Responses API and
// as a leading developer message on Chat Completions) and an ordered list of role messages.
struct Conversation {
    QString instructions;
    std::vector<Message> messages;

    // Every distinct {{variable}} name used, in order of first appearance.
    QStringList variableNames() const;
    bool operator==(const Conversation &) const = default;
};

} // namespace assay::prompt
