#include "models/prompt/conversation.h"

#include "models/prompt/prompt_template.h"

namespace assay::prompt {

QString roleName(Role role)
{
    switch (role) {
    case Role::Developer:
        return QStringLiteral("developer");
    case Role::User:
        return QStringLiteral("user");
    case Role::Assistant:
        return QStringLiteral("assistant");
    }
    return QStringLiteral("user");
}

bool roleFromName(const QString &name, Role &role)
{
    const QString key = name.trimmed().toLower();
    // "system" is what Chat-era prompts and datasets say; OpenAI treats it as the developer
    // role for current models, and the editor has no separate system role.
    if (key == QLatin1String("developer") || key == QLatin1String("system")) {
        role = Role::Developer;
        return true;
    }
    if (key == QLatin1String("user")) {
        role = Role::User;
        return true;
    }
    if (key == QLatin1String("assistant")) {
        role = Role::Assistant;
        return true;
    }
    return false;
}

QStringList Conversation::variableNames() const
{
    QStringList names = PromptTemplate::variableNames(instructions);
    for (const Message &message : messages) {
        for (const QString &name : PromptTemplate::variableNames(message.text)) {
            if (!names.contains(name))
                names.append(name);
        }
    }
    return names;
}

} // namespace assay::prompt
