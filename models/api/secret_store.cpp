#include "models/api/secret_store.h"

#include <QTimer>
#include <qt6keychain/keychain.h>

namespace assay::api {

namespace {

const QString kService = QStringLiteral("Assay");

// Why the keychain could not help, in words a user can act on. Never includes the key.
QString keychainProblem(const QKeychain::Job &job)
{
    // QtKeychain often says only "Unknown error"; the code at least lets a bug report be precise.
    const QString code = QStringLiteral("QtKeychain error %1").arg(static_cast<int>(job.error()));
    const QString detail =
        job.errorString().isEmpty() ? code : code + QStringLiteral(": ") + job.errorString();
    switch (job.error()) {
    case QKeychain::AccessDenied:
    case QKeychain::AccessDeniedByUser:
        return QStringLiteral("The system keychain denied access (%1)").arg(detail);
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
    case QKeychain::OtherError:
        return QStringLiteral("No system keychain is available (%1)").arg(detail);
    default:
        return QStringLiteral("The system keychain failed (%1)").arg(detail);
    }
}

const QString kKeptInMemory = QStringLiteral("; the key is kept in memory until Assay quits");

} // namespace

SecretStore::SecretStore(QObject *parent) : QObject(parent) {}

QString SecretStore::environmentKey()
{
    return qEnvironmentVariable("OPENAI_API_KEY").trimmed();
}

void SecretStore::readKey(const Profile &profile, std::function<void(QString key, QString problem)> done)
{
    // Every answer is delivered from the event loop, whatever the source, so callers see one
    // behaviour (a keychain answer is always asynchronous).
    auto reply = [this, done](QString key, QString problem) {
        QTimer::singleShot(
            0, this, [done, key = std::move(key), problem = std::move(problem)]() { done(key, problem); });
    };

    switch (profile.keySource) {
    case Profile::KeySource::None:
        reply(QString(), QString());
        return;
    case Profile::KeySource::Environment: {
        const QString key = environmentKey();
        reply(key, key.isEmpty() ? QStringLiteral("OPENAI_API_KEY is not set: set it before starting Assay, "
                                                  "or store a key for profile \"%1\" in the keychain.")
                                       .arg(profile.name)
                                 : QString());
        return;
    }
    case Profile::KeySource::Keychain:
        break;
    }

    if (const auto it = m_sessionKeys.constFind(profile.name); it != m_sessionKeys.constEnd()) {
        reply(it.value(), QString());
        return;
    }

    auto *job = new QKeychain::ReadPasswordJob(kService, this);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(profile.name);
    const QString name = profile.name;
    connect(job, &QKeychain::Job::finished, this, [done, name](QKeychain::Job *finishedJob) {
        auto *read = static_cast<QKeychain::ReadPasswordJob *>(finishedJob);
        if (read->error() == QKeychain::NoError) {
            done(read->textData(), QString());
        } else if (read->error() == QKeychain::EntryNotFound) {
            done(QString(), QStringLiteral("No API key is stored for profile \"%1\": enter one in the "
                                           "profile settings.")
                                .arg(name));
        } else {
            done(QString(), keychainProblem(*read) +
                                QStringLiteral(": enter the key for profile \"%1\" again; it will be kept in "
                                               "memory until Assay quits.")
                                    .arg(name));
        }
    });
    job->start();
}

void SecretStore::writeKey(const Profile &profile, const QString &key,
                           std::function<void(QString problem)> done)
{
    auto *job = new QKeychain::WritePasswordJob(kService, this);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(profile.name);
    job->setTextData(key);
    const QString name = profile.name;
    connect(job, &QKeychain::Job::finished, this, [this, done, name, key](QKeychain::Job *finishedJob) {
        if (finishedJob->error() == QKeychain::NoError) {
            m_sessionKeys.remove(name); // the keychain is the one place now
            if (done)
                done(QString());
            return;
        }
        // Nowhere else to put it safely: memory for this session, and the user is told.
        m_sessionKeys.insert(name, key);
        if (done)
            done(keychainProblem(*finishedJob) + kKeptInMemory);
    });
    job->start();
}

void SecretStore::forgetKey(const Profile &profile)
{
    m_sessionKeys.remove(profile.name);
    auto *job = new QKeychain::DeletePasswordJob(kService, this);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(profile.name);
    job->start();
}

} // namespace assay::api
