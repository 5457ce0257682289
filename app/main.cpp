#include <QApplication>
#include <QCoreApplication>
#include <QGuiApplication>

#include "app/cli/cli.h"
#include "app/cli/report_command.h"
#include "app/application.h"

namespace {

void setIdentity()
{
    QCoreApplication::setOrganizationName(QStringLiteral("Assay"));
    QCoreApplication::setApplicationName(QStringLiteral("Assay"));
    QCoreApplication::setApplicationVersion(QStringLiteral(ASSAY_VERSION));
}

} // namespace

// No arguments: the desktop workbench. A subcommand, --help or --version: the headless CLI,
// which never needs a display.
int main(int argc, char **argv)
{
    if (assay::cli::wantsCli(argc, argv)) {
        // PDF layout needs fonts, which only a QGuiApplication provides; offscreen keeps it headless.
        if (assay::cli::reportNeedsGuiApplication(argc, argv)) {
            if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
                qputenv("QT_QPA_PLATFORM", "offscreen");
            QGuiApplication app(argc, argv);
            setIdentity();
            return assay::cli::run(QCoreApplication::arguments());
        }
        QCoreApplication app(argc, argv);
        setIdentity();
        return assay::cli::run(QCoreApplication::arguments());
    }

    QApplication app(argc, argv);
    setIdentity();
    QApplication::setApplicationDisplayName(QStringLiteral("Assay"));
    // Arguments that are not a subcommand are files to open as datasets.
    QStringList files = QCoreApplication::arguments();
    files.removeFirst();
    assay::Application application;
    application.start(files);
    return QApplication::exec();
}
