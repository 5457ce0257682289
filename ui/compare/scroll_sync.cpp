#include "ui/compare/scroll_sync.h"

#include <QAbstractScrollArea>
#include <QScrollBar>

namespace assay::ui {

ScrollSync::ScrollSync(QObject *parent) : QObject(parent) {}

void ScrollSync::add(QAbstractScrollArea *area)
{
    if (!area || m_areas.contains(area))
        return;
    m_areas.append(area);
    QScrollBar *bar = area->verticalScrollBar();
    connect(bar, &QScrollBar::valueChanged, this, [this, bar] { follow(bar); });
}

void ScrollSync::remove(QAbstractScrollArea *area)
{
    if (!area)
        return;
    m_areas.removeAll(area);
    disconnect(area->verticalScrollBar(), nullptr, this, nullptr);
}

void ScrollSync::clear()
{
    for (const auto &area : std::as_const(m_areas)) {
        if (area)
            disconnect(area->verticalScrollBar(), nullptr, this, nullptr);
    }
    m_areas.clear();
}

void ScrollSync::follow(QScrollBar *source)
{
    if (!m_enabled || m_syncing)
        return;
    // The same offset in pixels, not the same fraction: answers line up line by line from the top,
    // and a column still streaming does not drag the finished ones through their text.
    m_syncing = true;
    for (const auto &area : std::as_const(m_areas)) {
        if (!area)
            continue;
        QScrollBar *bar = area->verticalScrollBar();
        if (bar != source)
            bar->setValue(source->value());
    }
    m_syncing = false;
}

} // namespace assay::ui
