#include "app/cli/common_options.h"

#include <QDir>
#include <QFileInfo>

#include "models/store/workspace.h"

namespace assay::cli {

namespace {

GlobalOptions &storage()
{
    static GlobalOptions options;
    return options;
}

const QString kWorkspace = QStringLiteral("--workspace");

} // namespace

bool takeGlobalOptions(QStringList &arguments, GlobalOptions &options, QString *error)
{
    for (qsizetype i = 1; i < arguments.size();) {
        const QString &argument = arguments.at(i);
        if (argument == QLatin1String("--"))
            break;
        if (argument == kWorkspace) {
            if (i + 1 >= arguments.size() || arguments.at(i + 1).isEmpty()) {
                *error = QStringLiteral("--workspace needs a PATH");
                return false;
            }
            options.workspacePath = arguments.at(i + 1);
            arguments.remove(i, 2);
            continue;
        }
        if (argument.startsWith(kWorkspace + QLatin1Char('='))) {
            options.workspacePath = argument.mid(kWorkspace.size() + 1);
            if (options.workspacePath.isEmpty()) {
                *error = QStringLiteral("--workspace needs a PATH");
                return false;
            }
            arguments.remove(i);
            continue;
        }
        ++i;
    }
    return true;
}

void setGlobalOptions(const GlobalOptions &options)
{
    storage() = options;
}

const GlobalOptions &globalOptions()
{
    return storage();
}

QString workspacePath()
{
    const QString given = storage().workspacePath;
    return given.isEmpty() ? store::Workspace::defaultPath() : QFileInfo(given).absoluteFilePath();
}

bool openWorkspace(store::Workspace &workspace, QString *error)
{
    const QString path = workspacePath();
    QDir().mkpath(QFileInfo(path).absolutePath());
    QString problem;
    if (!workspace.open(path, &problem)) {
        *error = QStringLiteral("cannot open the workspace %1: %2").arg(QDir::toNativeSeparators(path), problem);
        return false;
    }
    return true;
}

QCommandLineOption workspaceOption()
{
    return QCommandLineOption(QStringLiteral("workspace"),
                              QStringLiteral("Workspace database (default %1).")
                                  .arg(QDir::toNativeSeparators(store::Workspace::defaultPath())),
                              QStringLiteral("PATH"));
}

QString workspaceUsageLine()
{
    return QStringLiteral("  --workspace PATH  Workspace database (default %1)\n")
        .arg(QDir::toNativeSeparators(store::Workspace::defaultPath()));
}

api::Profile ConnectionOptions::resolve(const QCommandLineParser &parser) const
{
    api::Profile result = api::ProfileStore::find(parser.value(profile));
    if (parser.isSet(baseUrl)) {
        result.baseUrl = parser.value(baseUrl);
        if (!parser.isSet(profile))
            result.keySource = api::Profile::KeySource::Environment;
    }
    return result;
}

bool profileNeedsKey(const api::Profile &profile)
{
    return profile.baseUrl.contains(QLatin1String("api.openai.com"));
}

QString missingKeyMessage(const QString &command, const api::Profile &profile, const QString &problem)
{
    return QStringLiteral("assay %1: no API key for profile '%2'%3.\n  Set OPENAI_API_KEY or store a "
                          "key for the profile in Assay (Connection > Manage profiles).\n")
        .arg(command, profile.name, problem.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(problem));
}

} // namespace assay::cli
