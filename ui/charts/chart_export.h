#pragma once

#include <QString>

class QWidget;

namespace assay::ui {

// Writes what a chart widget shows to an image file. Returns false with `error` set on failure.
bool exportPng(QWidget *widget, const QString &path, QString *error = nullptr);
bool exportSvg(QWidget *widget, const QString &path, QString *error = nullptr);
// By the file's suffix (".svg", else PNG).
bool exportChart(QWidget *widget, const QString &path, QString *error = nullptr);

} // namespace assay::ui
