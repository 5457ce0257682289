#pragma once

#include <functional>

#include <QHash>
#include <QObject>
#include <QString>

#include "models/api/profile.h"

namespace assay::api {

// Finds and keeps API keys without ever writing them in plain text: the OS keychain through
// QtKeychain, or OPENAI_API_KEY. When no keychain service is available (a headless box) a key the
// user types is held in memory for this session only, and the user is told so.
class SecretStore : public QObject {
    Q_OBJECT
public:
    explicit SecretStore(QObject *parent = nullptr);

    // Asynchronous: a keychain may wait for the user to unlock it; never blocks the caller.
    // The callback gets the key (empty if none) and, when empty, a message saying why.
    void readKey(const Profile &profile, std::function<void(QString key, QString problem)> done);

    // Stores in the keychain; falls back to memory and reports the keychain's problem.
    void writeKey(const Profile &profile, const QString &key, std::function<void(QString problem)> done);
    void forgetKey(const Profile &profile);

    static QString environmentKey(); // OPENAI_API_KEY, or empty

private:
    QHash<QString, QString> m_sessionKeys; // profile name -> key typed this session (memory only)
};

} // namespace assay::api
