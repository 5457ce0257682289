#include "ui/charts/chart_export.h"

#include <QFileInfo>
#include <QPainter>
#include <QPixmap>
#include <QSvgGenerator>
#include <QWidget>

namespace assay::ui {

namespace {
void setError(QString *error, const QString &message)
{
    if (error)
        *error = message;
}
QSize exportSize(QWidget *widget)
{
    // A hidden tab's widget may never have been laid out: give it a sensible size.
    const QSize size = widget->size();
    return size.width() < 50 || size.height() < 50 ? QSize(800, 500) : size;
}
} // namespace

bool exportPng(QWidget *widget, const QString &path, QString *error)
{
    if (!widget) {
        setError(error, QObject::tr("Nothing to export."));
        return false;
    }
    if (widget->size() != exportSize(widget))
        widget->resize(exportSize(widget));
    const QPixmap pixmap = widget->grab();
    if (pixmap.isNull() || !pixmap.save(path, "PNG")) {
        setError(error, QObject::tr("Could not write %1.").arg(path));
        return false;
    }
    return true;
}

bool exportSvg(QWidget *widget, const QString &path, QString *error)
{
    if (!widget) {
        setError(error, QObject::tr("Nothing to export."));
        return false;
    }
    if (widget->size() != exportSize(widget))
        widget->resize(exportSize(widget));
    QSvgGenerator generator;
    generator.setFileName(path);
    generator.setSize(widget->size());
    generator.setViewBox(QRect(QPoint(0, 0), widget->size()));
    generator.setTitle(QFileInfo(path).completeBaseName());
    QPainter painter;
    if (!painter.begin(&generator)) {
        setError(error, QObject::tr("Could not write %1.").arg(path));
        return false;
    }
    widget->render(&painter);
    painter.end();
    if (!QFileInfo::exists(path)) {
        setError(error, QObject::tr("Could not write %1.").arg(path));
        return false;
    }
    return true;
}

bool exportChart(QWidget *widget, const QString &path, QString *error)
{
    if (path.endsWith(QLatin1String(".svg"), Qt::CaseInsensitive))
        return exportSvg(widget, path, error);
    return exportPng(widget, path, error);
}

} // namespace assay::ui
