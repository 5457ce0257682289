#include <QApplication>
#include <QCoreApplication>

#include "app/cli/cli.h"
#include "ui/main_window.h"

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
        QCoreApplication app(argc, argv);
        setIdentity();
        return assay::cli::run(QCoreApplication::arguments());
    }

    QApplication app(argc, argv);
    setIdentity();
    QApplication::setApplicationDisplayName(QStringLiteral("Assay"));
    assay::ui::MainWindow window;
    window.show();
    return QApplication::exec();
}
