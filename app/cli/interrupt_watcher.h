#pragma once

#include <QObject>

class QSocketNotifier;

namespace assay::cli {

// Turns SIGINT (Ctrl+C) and SIGTERM into a Qt signal. The handler only writes one byte to a
// socket pair (async-signal-safe); the event loop reads it and emits interrupted(). One instance
// at a time; the previous handlers come back when it is destroyed.
class InterruptWatcher : public QObject {
    Q_OBJECT
public:
    explicit InterruptWatcher(QObject *parent = nullptr);
    ~InterruptWatcher() override;

    int count() const { return m_count; }

Q_SIGNALS:
    void interrupted(int count); // 1 on the first Ctrl+C, 2 on the second...

private:
    void onReadable();

    QSocketNotifier *m_notifier = nullptr;
    int m_count = 0;
};

} // namespace assay::cli
