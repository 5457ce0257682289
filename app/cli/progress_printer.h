#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QTimer>

#include "models/eval/eval_runner.h"

namespace assay::cli {

// Progress of eval runs on stderr. On a terminal: one bar redrawn in place (counts, pass rate,
// ETA), at most ~10 times a second. In a pipe or a log: a plain line at most every ~2 s, and
// one when the run ends.
class ProgressPrinter : public QObject {
    Q_OBJECT
public:
    explicit ProgressPrinter(QObject *parent = nullptr);

    // Detected with isatty(stderr); tests and pipes get plain lines.
    bool isTerminal() const { return m_terminal; }
    void setTerminal(bool terminal) { m_terminal = terminal; }

    void update(const eval::RunProgress &progress);
    // The last line for a run (always printed); `status` is the run's final status.
    void finish(const eval::RunProgress &progress, const QString &status);
    // Clears the bar (before printing something else on stderr).
    void clearLine();

    static QString formatDuration(qint64 ms);
    static QString describe(const eval::RunProgress &progress); // "12/20 done · 10 passed ..."

private:
    void draw();

    bool m_terminal = false;
    bool m_dirty = false;
    bool m_barShown = false;
    eval::RunProgress m_last;
    QElapsedTimer m_sincePrint;
    QTimer m_redraw;
};

} // namespace assay::cli
