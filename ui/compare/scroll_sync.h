#pragma once

#include <QList>
#include <QObject>
#include <QPointer>

class QAbstractScrollArea;
class QScrollBar;

namespace assay::ui {

// Keeps the vertical scroll positions of several areas together: scrolling one scrolls the others
// to the same offset (clamped to their range). Areas may come and go (a column removed); a deleted
// area drops out by itself.
class ScrollSync : public QObject {
    Q_OBJECT
public:
    explicit ScrollSync(QObject *parent = nullptr);

    void add(QAbstractScrollArea *area);
    void remove(QAbstractScrollArea *area);
    void clear();

    void setEnabled(bool enabled) { m_enabled = enabled; }
    bool isEnabled() const { return m_enabled; }

private:
    void follow(QScrollBar *source);

    QList<QPointer<QAbstractScrollArea>> m_areas;
    bool m_enabled = true;
    bool m_syncing = false;
};

} // namespace assay::ui
