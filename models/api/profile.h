#pragma once

#include <QList>
#include <QPair>
#include <QString>
#include <QUrl>

namespace assay::api {

// Where requests go and how they authenticate. Holds no secret: the key is looked up through
// the key source each time (SecretStore), so a Profile can be saved anywhere.
struct Profile {
    enum class KeySource { Keychain, Environment, None };

    QString name = QStringLiteral("OpenAI");
    QString baseUrl = QStringLiteral("https://api.openai.com/v1");
    KeySource keySource = KeySource::Environment;
    QString organization; // OpenAI-Organization header
    QString project;      // OpenAI-Project header
    QList<QPair<QString, QString>> extraHeaders;

    // baseUrl + "/" + path, without doubling slashes.
    QUrl endpoint(const QString &path) const;
    bool operator==(const Profile &) const = default;
};

// Profiles persisted in QSettings (group "profiles"). Never stores a key.
class ProfileStore {
public:
    static QList<Profile> load();
    static void save(const QList<Profile> &profiles);
    static QString currentProfileName();
    static void setCurrentProfileName(const QString &name);
    // The named profile, or the default OpenAI profile when there is none by that name.
    static Profile find(const QString &name);
};

} // namespace assay::api
