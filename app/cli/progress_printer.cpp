#include "app/cli/progress_printer.h"

#include <algorithm>
#include <cstdio>

#include <unistd.h>

namespace assay::cli {

namespace {

constexpr int kRedrawMs = 100;
constexpr qint64 kPlainIntervalMs = 2000;
constexpr int kBarWidth = 24;

void writeErr(const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    std::fwrite(utf8.constData(), 1, static_cast<size_t>(utf8.size()), stderr);
    std::fflush(stderr);
}

QString percent(qint64 part, qint64 whole)
{
    if (whole <= 0)
        return QStringLiteral("–");
    return QStringLiteral("%1%").arg(100.0 * static_cast<double>(part) / static_cast<double>(whole), 0, 'f', 1);
}

} // namespace

ProgressPrinter::ProgressPrinter(QObject *parent) : QObject(parent), m_terminal(::isatty(STDERR_FILENO) == 1)
{
    m_redraw.setInterval(kRedrawMs);
    connect(&m_redraw, &QTimer::timeout, this, [this] {
        if (m_dirty)
            draw();
    });
}

QString ProgressPrinter::formatDuration(qint64 ms)
{
    const qint64 seconds = (ms + 999) / 1000;
    if (seconds < 60)
        return QStringLiteral("%1 s").arg(seconds);
    if (seconds < 3600)
        return QStringLiteral("%1:%2").arg(seconds / 60).arg(seconds % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2:%3")
        .arg(seconds / 3600)
        .arg((seconds / 60) % 60, 2, 10, QLatin1Char('0'))
        .arg(seconds % 60, 2, 10, QLatin1Char('0'));
}

QString ProgressPrinter::describe(const eval::RunProgress &p)
{
    // The pass rate of what is graded so far, as the final summary counts it (errored items count).
    QString text = QStringLiteral("%1/%2 done, %3 passed, %4 failed, %5 errored, pass rate %6")
                       .arg(p.done)
                       .arg(p.total)
                       .arg(p.passed)
                       .arg(p.failed)
                       .arg(p.errored)
                       .arg(percent(p.passed, p.done));
    if (p.etaMs && p.done < p.total)
        text += QStringLiteral(", ETA %1").arg(formatDuration(*p.etaMs));
    if (p.paused)
        text += QStringLiteral(", paused");
    if (!p.waitingReason.isEmpty())
        text += QStringLiteral(", waiting (%1)").arg(p.waitingReason);
    return text;
}

void ProgressPrinter::update(const eval::RunProgress &progress)
{
    m_last = progress;
    if (m_terminal) {
        m_dirty = true;
        if (!m_redraw.isActive()) {
            draw();
            m_redraw.start();
        }
        return;
    }
    if (!m_sincePrint.isValid() || m_sincePrint.elapsed() >= kPlainIntervalMs) {
        m_sincePrint.start();
        writeErr(QStringLiteral("run %1: %2\n").arg(progress.runId).arg(describe(progress)));
    }
}

void ProgressPrinter::draw()
{
    m_dirty = false;
    const eval::RunProgress &p = m_last;
    const int filled =
        p.total > 0 ? static_cast<int>(kBarWidth * std::min<qint64>(p.done, p.total) / p.total) : 0;
    QString bar = QString(filled, QChar(u'\u2588')) + QString(kBarWidth - filled, QChar(u'\u2591'));
    QString text = QStringLiteral("\r\x1b[Krun %1 %2 %3/%4  \u2713%5 \u2717%6 !%7  pass %8")
                       .arg(p.runId)
                       .arg(bar)
                       .arg(p.done)
                       .arg(p.total)
                       .arg(p.passed)
                       .arg(p.failed)
                       .arg(p.errored)
                       .arg(percent(p.passed, p.done));
    if (p.etaMs && p.done < p.total)
        text += QStringLiteral("  ETA %1").arg(formatDuration(*p.etaMs));
    if (p.paused)
        text += QStringLiteral("  paused");
    if (!p.waitingReason.isEmpty())
        text += QStringLiteral("  %1").arg(p.waitingReason);
    writeErr(text);
    m_barShown = true;
}

void ProgressPrinter::clearLine()
{
    if (m_terminal && m_barShown) {
        writeErr(QStringLiteral("\r\x1b[K"));
        m_barShown = false;
    }
}

void ProgressPrinter::finish(const eval::RunProgress &progress, const QString &status)
{
    m_redraw.stop();
    m_dirty = false;
    m_last = progress;
    if (m_terminal) {
        draw();
        writeErr(QStringLiteral("  %1\n").arg(status));
        m_barShown = false;
    } else {
        writeErr(QStringLiteral("run %1: %2 (%3)\n").arg(progress.runId).arg(describe(progress), status));
    }
    m_sincePrint.invalidate();
}

} // namespace assay::cli
