#include "models/api/profile.h"

#include <QSettings>
#include <QtDebug>

#include "models/api/request_record.h"

namespace assay::api {

namespace {

const QString kProfilesArray = QStringLiteral("profiles");
const QString kCurrentKey = QStringLiteral("currentProfile");

QString keySourceName(Profile::KeySource source)
{
    switch (source) {
    case Profile::KeySource::Keychain:
        return QStringLiteral("keychain");
    case Profile::KeySource::Environment:
        return QStringLiteral("environment");
    case Profile::KeySource::None:
        return QStringLiteral("none");
    }
    return QStringLiteral("environment");
}

Profile::KeySource keySourceFromName(const QString &name)
{
    if (name == QLatin1String("keychain"))
        return Profile::KeySource::Keychain;
    if (name == QLatin1String("none"))
        return Profile::KeySource::None;
    return Profile::KeySource::Environment;
}

// A header that carries a credential must never reach the settings file, even when the user
// typed it into the extra headers (an Azure `api-key`, a proxy token, a pasted Authorization).
bool looksLikeSecret(const QString &name, const QString &value)
{
    if (RequestRecord::isSecretHeader(name.toUtf8()))
        return true;
    const QString v = value.trimmed();
    return v.startsWith(QLatin1String("sk-")) ||
           v.startsWith(QLatin1String("Bearer "), Qt::CaseInsensitive) ||
           v.startsWith(QLatin1String("Basic "), Qt::CaseInsensitive);
}

} // namespace

QUrl Profile::endpoint(const QString &path) const
{
    QString base = baseUrl.trimmed();
    while (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    QString tail = path;
    while (tail.startsWith(QLatin1Char('/')))
        tail.remove(0, 1);
    return QUrl(tail.isEmpty() ? base : base + QLatin1Char('/') + tail);
}

QList<Profile> ProfileStore::load()
{
    QSettings settings;
    QList<Profile> profiles;
    const int count = settings.beginReadArray(kProfilesArray);
    for (int i = 0; i < count; ++i) {
        settings.setArrayIndex(i);
        Profile profile;
        profile.name = settings.value(QStringLiteral("name"), profile.name).toString();
        profile.baseUrl = settings.value(QStringLiteral("baseUrl"), profile.baseUrl).toString();
        profile.keySource = keySourceFromName(settings.value(QStringLiteral("keySource")).toString());
        profile.organization = settings.value(QStringLiteral("organization")).toString();
        profile.project = settings.value(QStringLiteral("project")).toString();
        const int headers = settings.beginReadArray(QStringLiteral("extraHeaders"));
        for (int h = 0; h < headers; ++h) {
            settings.setArrayIndex(h);
            const QString name = settings.value(QStringLiteral("name")).toString();
            const QString value = settings.value(QStringLiteral("value")).toString();
            if (!name.isEmpty() && !looksLikeSecret(name, value))
                profile.extraHeaders.append({name, value});
        }
        settings.endArray();
        profiles.append(profile);
    }
    settings.endArray();
    return profiles;
}

void ProfileStore::save(const QList<Profile> &profiles)
{
    QSettings settings;
    settings.remove(kProfilesArray);
    settings.beginWriteArray(kProfilesArray, static_cast<int>(profiles.size()));
    for (int i = 0; i < profiles.size(); ++i) {
        const Profile &profile = profiles.at(i);
        settings.setArrayIndex(i);
        settings.setValue(QStringLiteral("name"), profile.name);
        settings.setValue(QStringLiteral("baseUrl"), profile.baseUrl);
        settings.setValue(QStringLiteral("keySource"), keySourceName(profile.keySource));
        settings.setValue(QStringLiteral("organization"), profile.organization);
        settings.setValue(QStringLiteral("project"), profile.project);
        settings.beginWriteArray(QStringLiteral("extraHeaders"));
        int written = 0;
        for (const auto &[name, value] : profile.extraHeaders) {
            if (name.trimmed().isEmpty())
                continue;
            if (looksLikeSecret(name, value)) {
                // Name only: the value is the secret.
                qWarning().noquote() << QStringLiteral(
                                            "Profile \"%1\": header \"%2\" looks like a credential and "
                                            "was not saved; keep keys in the keychain.")
                                            .arg(profile.name, name);
                continue;
            }
            settings.setArrayIndex(written++);
            settings.setValue(QStringLiteral("name"), name);
            settings.setValue(QStringLiteral("value"), value);
        }
        settings.endArray();
    }
    settings.endArray();
}

QString ProfileStore::currentProfileName()
{
    return QSettings().value(kCurrentKey).toString();
}

void ProfileStore::setCurrentProfileName(const QString &name)
{
    QSettings().setValue(kCurrentKey, name);
}

Profile ProfileStore::find(const QString &name)
{
    const QList<Profile> profiles = load();
    for (const Profile &profile : profiles) {
        if (profile.name == name)
            return profile;
    }
    return Profile{};
}

} // namespace assay::api
