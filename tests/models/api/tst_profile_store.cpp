#include <QtTest>

#include <QFile>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>

#include "models/api/profile.h"

using assay::api::Profile;
using assay::api::ProfileStore;

namespace {

QStringList g_messages;

void captureMessages(QtMsgType, const QMessageLogContext &, const QString &message)
{
    g_messages.append(message);
}

} // namespace

class TestProfileStore : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void endpointJoinsWithoutDoubleSlashes();
    void roundTrip();
    void savingFewerProfilesForgetsTheRest();
    void currentProfileAndFind();
    void secretLookingHeadersAreNeverStored();

private:
    QByteArray settingsFileBytes() const;
    QTemporaryDir m_dir;
};

void TestProfileStore::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
    QCoreApplication::setOrganizationName(QStringLiteral("AssayTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_profile_store"));
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_dir.path());
}

void TestProfileStore::init()
{
    QSettings settings;
    settings.clear();
    settings.sync();
}

QByteArray TestProfileStore::settingsFileBytes() const
{
    QSettings settings;
    settings.sync();
    QFile file(settings.fileName());
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

void TestProfileStore::endpointJoinsWithoutDoubleSlashes()
{
    Profile profile;
    QCOMPARE(profile.endpoint(QStringLiteral("responses")).toString(),
             QStringLiteral("https://api.openai.com/v1/responses"));
    profile.baseUrl = QStringLiteral("http://localhost:11434/v1/");
    QCOMPARE(profile.endpoint(QStringLiteral("/chat/completions")).toString(),
             QStringLiteral("http://localhost:11434/v1/chat/completions"));
    QCOMPARE(profile.endpoint(QStringLiteral("models")).toString(),
             QStringLiteral("http://localhost:11434/v1/models"));
}

void TestProfileStore::roundTrip()
{
    Profile openai;
    openai.organization = QStringLiteral("org_123");
    openai.project = QStringLiteral("proj_456");
    openai.keySource = Profile::KeySource::Keychain;

    Profile local;
    local.name = QStringLiteral("Local Ollama");
    local.baseUrl = QStringLiteral("http://127.0.0.1:11434/v1");
    local.keySource = Profile::KeySource::None;
    local.extraHeaders = {{QStringLiteral("X-Trace"), QStringLiteral("on")},
                          {QStringLiteral("OpenAI-Beta"), QStringLiteral("assistants=v2")}};

    ProfileStore::save({openai, local});
    const QList<Profile> loaded = ProfileStore::load();
    QCOMPARE(loaded.size(), 2);
    QCOMPARE(loaded.at(0), openai);
    QCOMPARE(loaded.at(1), local);
    QVERIFY(settingsFileBytes().contains("proj_456"));
}

void TestProfileStore::savingFewerProfilesForgetsTheRest()
{
    Profile a;
    a.name = QStringLiteral("A");
    Profile b;
    b.name = QStringLiteral("B");
    b.extraHeaders = {{QStringLiteral("X-One"), QStringLiteral("1")},
                      {QStringLiteral("X-Two"), QStringLiteral("2")}};
    ProfileStore::save({a, b});
    b.extraHeaders.removeLast();
    ProfileStore::save({b});
    const QList<Profile> loaded = ProfileStore::load();
    QCOMPARE(loaded.size(), 1);
    QCOMPARE(loaded.at(0), b);
}

void TestProfileStore::currentProfileAndFind()
{
    Profile local;
    local.name = QStringLiteral("Local");
    local.baseUrl = QStringLiteral("http://127.0.0.1:8080/v1");
    ProfileStore::save({local});
    ProfileStore::setCurrentProfileName(QStringLiteral("Local"));
    QCOMPARE(ProfileStore::currentProfileName(), QStringLiteral("Local"));
    QCOMPARE(ProfileStore::find(QStringLiteral("Local")).baseUrl, local.baseUrl);
    // Saving the list keeps which one is current.
    ProfileStore::save({local});
    QCOMPARE(ProfileStore::currentProfileName(), QStringLiteral("Local"));

    const Profile fallback = ProfileStore::find(QStringLiteral("Nope"));
    QCOMPARE(fallback, Profile{});
    QCOMPARE(fallback.baseUrl, QStringLiteral("https://api.openai.com/v1"));
}

void TestProfileStore::secretLookingHeadersAreNeverStored()
{
    const QString secret = QStringLiteral("sk-proj-ZZTOPSECRET0123456789");
    Profile azure;
    azure.name = QStringLiteral("Azure");
    azure.extraHeaders = {{QStringLiteral("api-key"), secret},
                          {QStringLiteral("Authorization"), QStringLiteral("Bearer ") + secret},
                          {QStringLiteral("X-Custom-Token"), secret},
                          {QStringLiteral("X-Trace"), QStringLiteral("visible")}};

    g_messages.clear();
    const QtMessageHandler previous = qInstallMessageHandler(captureMessages);
    ProfileStore::save({azure});
    qInstallMessageHandler(previous);

    const QByteArray file = settingsFileBytes();
    QVERIFY(!file.isEmpty());
    QVERIFY(!file.contains("ZZTOPSECRET"));
    QVERIFY(file.contains("visible"));

    const QList<Profile> loaded = ProfileStore::load();
    QCOMPARE(loaded.size(), 1);
    const QList<QPair<QString, QString>> kept{{QStringLiteral("X-Trace"), QStringLiteral("visible")}};
    QCOMPARE(loaded.at(0).extraHeaders, kept);

    // The user is told, by header name, and the value is not in the message.
    QVERIFY(!g_messages.isEmpty());
    const QString all = g_messages.join(QLatin1Char('\n'));
    QVERIFY(all.contains(QLatin1String("api-key")));
    QVERIFY(!all.contains(QLatin1String("ZZTOPSECRET")));
}

QTEST_GUILESS_MAIN(TestProfileStore)
#include "tst_profile_store.moc"
