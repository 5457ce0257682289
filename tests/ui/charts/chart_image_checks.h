#pragma once

// Checks shared by the chart tests: what an exported PNG and SVG must hold for a person to see
// the chart (not a blank or a one-colour rectangle), and a way to keep screenshots for review.
#include <QColor>
#include <QFile>
#include <QImage>
#include <QSet>
#include <QString>
#include <QWidget>
#include <QXmlStreamReader>

#include "ui/charts/chart_export.h"

namespace assay::testing {

inline int distinctColours(const QImage &image)
{
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x)
            colours.insert(image.pixel(x, y));
    }
    return static_cast<int>(colours.size());
}

// Pixels within `tolerance` of `colour` on each channel (antialiased edges blend).
inline int pixelsNear(const QImage &image, const QColor &colour, int tolerance = 12)
{
    int count = 0;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            const QColor c = image.pixelColor(x, y);
            if (qAbs(c.red() - colour.red()) <= tolerance && qAbs(c.green() - colour.green()) <= tolerance &&
                qAbs(c.blue() - colour.blue()) <= tolerance)
                ++count;
        }
    }
    return count;
}

// The SVG parses as XML with an <svg> root; `texts` collects the character data of <text> elements.
inline bool parseSvg(const QString &path, QStringList *texts, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot open %1").arg(path);
        return false;
    }
    QXmlStreamReader xml(&file);
    bool sawRoot = false;
    int drawn = 0;
    while (!xml.atEnd()) {
        xml.readNext();
        if (!xml.isStartElement())
            continue;
        if (!sawRoot) {
            if (xml.name() != QLatin1String("svg")) {
                *error = QStringLiteral("root is not <svg>");
                return false;
            }
            sawRoot = true;
        }
        if (xml.name() == QLatin1String("path") || xml.name() == QLatin1String("polyline") ||
            xml.name() == QLatin1String("rect") || xml.name() == QLatin1String("image"))
            ++drawn;
        if (xml.name() == QLatin1String("text"))
            *texts << xml.readElementText(QXmlStreamReader::IncludeChildElements).simplified();
    }
    if (xml.hasError()) {
        *error = xml.errorString();
        return false;
    }
    if (!sawRoot || drawn == 0) {
        *error = QStringLiteral("no drawing in the SVG");
        return false;
    }
    return true;
}

// With ASSAY_SHOT_DIR set, keeps a screenshot of `widget` as <dir>/shot-<name>.png for a person to look at.
inline void keepShot(QWidget *widget, const QString &name)
{
    const QString dir = qEnvironmentVariable("ASSAY_SHOT_DIR");
    if (!dir.isEmpty())
        widget->grab().save(dir + QStringLiteral("/shot-") + name + QStringLiteral(".png"), "PNG");
}

} // namespace assay::testing
