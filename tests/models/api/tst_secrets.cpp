#include <QtTest>

#include <QDir>
#include <QDirIterator>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QUuid>

#include "fakes/fake_openai_server.h"
#include "models/api/api_client.h"
#include "models/api/secret_store.h"

using assay::api::ApiCall;
using assay::api::ApiClient;
using assay::api::ApiKind;
using assay::api::Profile;
using assay::api::ProfileStore;
using assay::api::ResponseResult;
using assay::api::SecretStore;
using assay::testing::Behaviour;
using assay::testing::FakeOpenAiServer;

namespace {

// Distinctive enough that any copy of it, or of its middle, is found wherever it lands.
const QString kKey = QStringLiteral("sk-proj-ASSAYDISTINCTIVE7f3k9QzWvXbL2mN8pR4tY6");
const QString kKeyMiddle = QStringLiteral("DISTINCTIVE7f3k9");

QStringList g_messages;

void captureMessages(QtMsgType, const QMessageLogContext &, const QString &message)
{
    g_messages.append(message);
}

bool leaks(const QString &text)
{
    return text.contains(kKeyMiddle) || text.contains(kKey);
}

bool leaks(const QByteArray &bytes)
{
    return bytes.contains(kKeyMiddle.toUtf8()) || bytes.contains(kKey.toUtf8());
}

} // namespace

class TestSecrets : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void keyNeverLeavesTheRequest();
    void failedRequestDoesNotEchoTheKey();
    void keyEchoedByTheServerIsScrubbed();
    void keychainFallsBackToMemory();
    void environmentKeySource();

private:
    Profile profileFor(FakeOpenAiServer &server) const;
    QByteArray everyFileUnder(const QString &path) const;
    QTemporaryDir m_dir;
    QtMessageHandler m_previous = nullptr;
};

void TestSecrets::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
    QCoreApplication::setOrganizationName(QStringLiteral("AssayTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_secrets"));
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_dir.path());
}

void TestSecrets::init()
{
    g_messages.clear();
    // Everything Qt, QtKeychain or our code logs while the key is around.
    m_previous = qInstallMessageHandler(captureMessages);
}

void TestSecrets::cleanup()
{
    qInstallMessageHandler(m_previous);
    for (const QString &message : std::as_const(g_messages))
        QVERIFY2(!leaks(message), "a log message contains the key");
}

Profile TestSecrets::profileFor(FakeOpenAiServer &server) const
{
    Profile profile;
    profile.name = QStringLiteral("Fake %1").arg(QUuid::createUuid().toString(QUuid::WithoutBraces));
    profile.baseUrl = server.baseUrl().toString();
    profile.keySource = Profile::KeySource::Keychain;
    profile.project = QStringLiteral("proj_secret_test");
    return profile;
}

QByteArray TestSecrets::everyFileUnder(const QString &path) const
{
    QByteArray all;
    QDirIterator it(path, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QFile file(it.next());
        if (file.open(QIODevice::ReadOnly))
            all += file.readAll();
    }
    return all;
}

void TestSecrets::keyNeverLeavesTheRequest()
{
    FakeOpenAiServer server;
    QVERIFY(server.start());
    const Profile profile = profileFor(server);
    ProfileStore::save({profile});
    ProfileStore::setCurrentProfileName(profile.name);

    SecretStore secrets;
    QString writeProblem;
    bool written = false;
    secrets.writeKey(profile, kKey, [&](QString problem) {
        written = true;
        writeProblem = std::move(problem);
    });
    QTRY_VERIFY_WITH_TIMEOUT(written, 10000);
    QVERIFY(!leaks(writeProblem));

    QString key;
    bool read = false;
    secrets.readKey(profile, [&](QString k, QString) {
        read = true;
        key = std::move(k);
    });
    QTRY_VERIFY_WITH_TIMEOUT(read, 10000);
    QCOMPARE(key, kKey);

    ApiClient client;
    nlohmann::json body = {{"model", "gpt-test"}, {"input", "hello"}, {"stream", true}};
    ApiCall *call = client.createResponse(profile, key, ApiKind::Responses, body, 10000);
    std::optional<ResponseResult> result;
    connect(call, &ApiCall::finished, this, [&](const ResponseResult &r) { result = r; });
    QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 10000);
    QVERIFY(result->succeeded());

    // The key really went out...
    QCOMPARE(server.requests().constFirst().header("authorization"), QByteArray("Bearer ") + kKey.toUtf8());

    // ...and is nowhere a user or a log could see it.
    const auto &record = call->record();
    for (const auto &[name, value] : record.requestHeaders)
        QVERIFY2(!leaks(value), name.constData());
    QVERIFY(!leaks(record.url));
    QVERIFY(!leaks(record.requestBody));
    QVERIFY(!leaks(record.toCurl()));
    QVERIFY(!leaks(QString::fromStdString(result->rawResponse.dump())));

    const QByteArray settings = everyFileUnder(m_dir.path());
    QVERIFY(settings.contains("proj_secret_test")); // the profile was written there...
    QVERIFY(!leaks(settings));                      // ...the key was not
    QVERIFY(!leaks(everyFileUnder(QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation))));
    QVERIFY(!leaks(everyFileUnder(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation))));

    secrets.forgetKey(profile);
}

void TestSecrets::failedRequestDoesNotEchoTheKey()
{
    FakeOpenAiServer server;
    QVERIFY(server.start());
    server.enqueue(Behaviour::unauthorized());
    ApiClient client;
    ApiCall *call = client.createResponse(
        profileFor(server), kKey, ApiKind::ChatCompletions,
        {{"model", "gpt-test"}, {"messages", nlohmann::json::array({{{"role", "user"}, {"content", "x"}}})}},
        10000);
    std::optional<ResponseResult> result;
    connect(call, &ApiCall::finished, this, [&](const ResponseResult &r) { result = r; });
    QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 10000);
    QVERIFY(result->error.has_value());
    QCOMPARE(result->error->httpStatus, 401);
    QVERIFY(!leaks(result->error->message));
    QVERIFY(!leaks(result->error->summary()));
    QVERIFY(!leaks(result->error->advice()));
    QVERIFY(!leaks(call->record().toCurl()));
}

void TestSecrets::keyEchoedByTheServerIsScrubbed()
{
    // Some proxies and compatible servers quote a rejected key in full.
    FakeOpenAiServer server;
    QVERIFY(server.start());
    const QByteArray body = R"({"error": {"message": "Invalid key )" + kKey.toUtf8() +
                            R"(", "type": "auth_error", "param": null, "code": "invalid_key"}})";
    Behaviour echo;
    echo.kind = Behaviour::Kind::RawResponse;
    echo.raw = "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: " +
               QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    server.enqueue(echo);

    ApiClient client;
    ApiCall *call = client.createResponse(profileFor(server), kKey, ApiKind::Responses,
                                          {{"model", "gpt-test"}, {"input", "x"}}, 10000);
    std::optional<ResponseResult> result;
    connect(call, &ApiCall::finished, this, [&](const ResponseResult &r) { result = r; });
    QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 10000);
    QVERIFY(result->error.has_value());
    QCOMPARE(result->error->httpStatus, 401);
    QVERIFY(result->error->message.startsWith(QLatin1String("Invalid key ")));
    QVERIFY(!leaks(result->error->message));
    QVERIFY(!leaks(result->error->summary()));
    QVERIFY(!call->record().responseBody.isEmpty());
    QVERIFY(!leaks(call->record().responseBody));
}

void TestSecrets::keychainFallsBackToMemory()
{
    Profile profile;
    profile.name = QStringLiteral("assay-test-%1").arg(QUuid::createUuid().toString(QUuid::WithoutBraces));
    profile.keySource = Profile::KeySource::Keychain;

    SecretStore secrets;
    QString problem;
    bool written = false;
    secrets.writeKey(profile, kKey, [&](QString p) {
        written = true;
        problem = std::move(p);
    });
    QTRY_VERIFY_WITH_TIMEOUT(written, 10000);
    if (!problem.isEmpty()) {
        // No keychain service (this headless box): the user is told, the key stays in memory.
        QVERIFY2(problem.contains(QLatin1String("kept in memory until Assay quits")), qPrintable(problem));
        QVERIFY(!leaks(problem));
    }

    QString key;
    QString readProblem;
    bool read = false;
    secrets.readKey(profile, [&](QString k, QString p) {
        read = true;
        key = std::move(k);
        readProblem = std::move(p);
    });
    QTRY_VERIFY_WITH_TIMEOUT(read, 10000);
    QCOMPARE(key, kKey);

    // Another SecretStore (Assay restarted) has no memory of a key the keychain could not keep.
    SecretStore later;
    read = false;
    later.readKey(profile, [&](QString k, QString p) {
        read = true;
        key = std::move(k);
        readProblem = std::move(p);
    });
    QTRY_VERIFY_WITH_TIMEOUT(read, 10000);
    if (!problem.isEmpty()) {
        QVERIFY(key.isEmpty());
        QVERIFY(!readProblem.isEmpty());
    }

    secrets.forgetKey(profile);
    read = false;
    secrets.readKey(profile, [&](QString k, QString p) {
        read = true;
        key = std::move(k);
        readProblem = std::move(p);
    });
    QTRY_VERIFY_WITH_TIMEOUT(read, 10000);
    QVERIFY(key.isEmpty());
    QVERIFY(!readProblem.isEmpty());
}

void TestSecrets::environmentKeySource()
{
    Profile profile;
    profile.keySource = Profile::KeySource::Environment;
    SecretStore secrets;

    qputenv("OPENAI_API_KEY", kKey.toUtf8());
    QString key;
    QString problem;
    bool read = false;
    secrets.readKey(profile, [&](QString k, QString p) {
        read = true;
        key = std::move(k);
        problem = std::move(p);
    });
    QVERIFY(!read); // always answered from the event loop
    QTRY_VERIFY_WITH_TIMEOUT(read, 10000);
    QCOMPARE(key, kKey);
    QVERIFY(problem.isEmpty());

    qputenv("OPENAI_API_KEY", "");
    read = false;
    secrets.readKey(profile, [&](QString k, QString p) {
        read = true;
        key = std::move(k);
        problem = std::move(p);
    });
    QTRY_VERIFY_WITH_TIMEOUT(read, 10000);
    QVERIFY(key.isEmpty());
    QVERIFY(problem.contains(QLatin1String("OPENAI_API_KEY")));
}

QTEST_GUILESS_MAIN(TestSecrets)
#include "tst_secrets.moc"
