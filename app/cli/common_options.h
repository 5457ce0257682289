#pragma once

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QString>
#include <QStringList>

#include "models/api/profile.h"

namespace assay::store {
class Workspace;
}

namespace assay::cli {

// Options every subcommand accepts, handled here once: `--workspace PATH` selects the workspace
// database (default store::Workspace::defaultPath()). cli::run() takes it out of the arguments
// (before or after the subcommand) so no subcommand parser has to know it.
struct GlobalOptions {
    QString workspacePath; // empty: the default
};

// Removes `--workspace PATH` / `--workspace=PATH` from `arguments` (which start with the program
// or subcommand name) up to a `--`. False with `error` set when the value is missing.
bool takeGlobalOptions(QStringList &arguments, GlobalOptions &options, QString *error);
void setGlobalOptions(const GlobalOptions &options);
const GlobalOptions &globalOptions();

// The workspace file the command line selected.
QString workspacePath();
// Opens (creating the folder when needed) the selected workspace. False with a message that names
// the file.
bool openWorkspace(store::Workspace &workspace, QString *error);

// For --help texts of parsers: the option is parsed by takeGlobalOptions, listed here.
QCommandLineOption workspaceOption();
// The line the static usage texts print for it.
QString workspaceUsageLine();

// Where requests go: --profile NAME and --base-url URL, resolved the way `assay ask` does
// (a --base-url without --profile takes the key from OPENAI_API_KEY).
struct ConnectionOptions {
    QCommandLineOption profile{QStringLiteral("profile"), QStringLiteral("Connection profile to use."),
                               QStringLiteral("NAME")};
    QCommandLineOption baseUrl{QStringLiteral("base-url"),
                               QStringLiteral("API base URL (default https://api.openai.com/v1)."),
                               QStringLiteral("URL")};

    void addTo(QCommandLineParser &parser) const { parser.addOptions({profile, baseUrl}); }
    api::Profile resolve(const QCommandLineParser &parser) const;
};

// Local OpenAI-compatible servers (Ollama, vLLM, llama.cpp, LM Studio) usually take no key.
bool profileNeedsKey(const api::Profile &profile);
// The message printed when no key was found.
QString missingKeyMessage(const QString &command, const api::Profile &profile, const QString &problem);

} // namespace assay::cli
