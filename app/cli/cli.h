#pragma once

#include <QStringList>

namespace assay::cli {

// True when the command line asks for the headless CLI (a subcommand, --help or --version),
// so main() can start a QCoreApplication and never touch a display.
bool wantsCli(int argc, char **argv);

// Runs the CLI; returns the process exit code. Requires a QCoreApplication.
int run(const QStringList &arguments);

// Exit codes shared by every subcommand.
enum ExitCode { Success = 0, Failure = 1, UsageError = 2 };

} // namespace assay::cli
