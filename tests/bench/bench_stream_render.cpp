// Streams a synthetic answer into ResponseModel + ResponseView at a fixed rate of deltas per
// second (default 5,000/s for 5 s, realistic Markdown with code blocks) and measures what a user
// would feel: how long the GUI thread is ever unavailable (a "frame": the gap between two beats of
// a 1 ms heartbeat timer, i.e. the longest an input event could wait), the longest single event
// dispatch (paint, layout, timer, ... timed in QApplication::notify), how long each render pass
// takes, and the cost of one delta from arrival to model update (dataChanged included).
//
// (QAbstractEventDispatcher's awake/aboutToBlock do not bracket the dispatch with the glib event
// dispatcher Qt uses on Linux, so they are not used.)
//
// Usage: bench_stream_render [deltas-per-second] [seconds]
// Run it with the offscreen platform (QT_QPA_PLATFORM=offscreen) or under xvfb-run with xcb.

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>
#include <numeric>
#include <random>
#include <tuple>
#include <vector>

#include <QApplication>
#include <QElapsedTimer>
#include <QTimer>

#include "models/itemmodels/response_model.h"
#include "ui/panels/response_view.h"

namespace {

using assay::api::OutputDelta;

QString syntheticAnswer(int targetChars)
{
    const QStringList paragraphs = {
        QStringLiteral("Streaming keeps the wait short: the first words appear almost at once and the rest "
                       "follows while the model is still writing. **Time to first token** is what people "
                       "notice, so the view must never fall behind the network."),
        QStringLiteral("Here is a helper that parses the stream. It uses `QByteArray::indexOf` to find event "
                       "boundaries and keeps partial lines for the next read, so chunking never matters."),
        QStringLiteral("The same idea works for *any* incremental format, as long as the parser is a pure "
                       "state machine with no I/O of its own."),
    };
    const QString code =
        QStringLiteral("```cpp\n"
                       "std::vector<SseEvent> SseParser::feed(QByteArrayView bytes)\n"
                       "{\n"
                       "    m_buffer.append(bytes);\n"
                       "    std::vector<SseEvent> events;\n"
                       "    qsizetype start = 0;\n"
                       "    while (true) {\n"
                       "        const qsizetype end = m_buffer.indexOf(\"\\n\\n\", start);\n"
                       "        if (end < 0)\n"
                       "            break;\n"
                       "        events.push_back(parseEvent(m_buffer.sliced(start, end - start)));\n"
                       "        start = end + 2;\n"
                       "    }\n"
                       "    m_buffer.remove(0, start);\n"
                       "    return events;\n"
                       "}\n"
                       "```\n");
    const QString list = QStringLiteral(
        "1. Read the bytes as they arrive.\n2. Split them into events.\n3. Fold each event into the result.\n"
        "4. Tell the view which part grew.\n");
    const QString table =
        QStringLiteral("| Metric | Value |\n|---|---|\n| TTFT | 312 ms |\n| Speed | 86 tok/s |\n");

    QString text;
    for (int section = 1; text.size() < targetChars; ++section) {
        text += QStringLiteral("## Step %1\n\n").arg(section);
        text += paragraphs[section % paragraphs.size()] + QStringLiteral("\n\n");
        text += paragraphs[(section + 1) % paragraphs.size()] + QStringLiteral("\n\n");
        if (section % 2 == 0)
            text += code + QStringLiteral("\n");
        else
            text += list + QStringLiteral("\n");
        if (section % 5 == 0)
            text += table + QStringLiteral("\n");
    }
    return text;
}

// Token-like pieces: 1..6 characters, as a tokenizer would cut them.
std::vector<std::string> splitIntoDeltas(const QString &text, std::size_t count)
{
    std::vector<std::string> deltas;
    std::mt19937 random(7);
    const double average = static_cast<double>(text.size()) / static_cast<double>(count);
    std::uniform_int_distribution<int> jitter(-1, 1);
    qsizetype pos = 0;
    while (pos < text.size()) {
        const int size = std::max(1, static_cast<int>(average + 0.5) + jitter(random));
        deltas.push_back(text.mid(pos, size).toStdString());
        pos += size;
    }
    return deltas;
}

qint64 threadCpuNs()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<qint64>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// Times every top-level event dispatch: the longest one is the worst single stall. Wall time
// includes the time the OS gave the CPU to other processes; thread CPU time is our own cost.
class TimedApplication : public QApplication {
public:
    using QApplication::QApplication;
    bool notify(QObject *receiver, QEvent *event) override
    {
        if (!measuring || m_depth > 0)
            return QApplication::notify(receiver, event);
        ++m_depth;
        QElapsedTimer timer;
        timer.start();
        const qint64 cpuStart = threadCpuNs();
        const bool result = QApplication::notify(receiver, event);
        const qint64 ns = timer.nsecsElapsed();
        const qint64 cpu = threadCpuNs() - cpuStart;
        --m_depth;
        longestCpuNs = std::max(longestCpuNs, cpu);
        if (cpu > 16000000)
            ++cpuOver16;
        if (ns > longestNs) {
            longestNs = ns;
            longestType = event->type();
        }
        // BENCH_TRACE=1 lists every event that kept the thread busy for more than 8 ms.
        if (ns > 8000000 && qEnvironmentVariableIsSet("BENCH_TRACE"))
            std::fprintf(stderr, "slow event: type %d, %.2f ms at %.3f s, to %s\n",
                         static_cast<int>(event->type()), static_cast<double>(ns) / 1e6,
                         static_cast<double>(sinceStart.nsecsElapsed()) / 1e9,
                         receiver->metaObject()->className());
        auto &[total, count, longest] = byType[static_cast<int>(event->type())];
        total += ns;
        ++count;
        longest = std::max(longest, ns);
        return result;
    }
    bool measuring = false;
    QElapsedTimer sinceStart;
    qint64 longestNs = 0;
    qint64 longestCpuNs = 0;
    int cpuOver16 = 0;
    QEvent::Type longestType = QEvent::None;
    std::map<int, std::tuple<qint64, qint64, qint64>> byType; // type -> total ns, count, longest ns

private:
    int m_depth = 0;
};

struct Summary {
    double max = 0, p99 = 0, p50 = 0, mean = 0;
    std::size_t over16 = 0;
};

Summary summarize(std::vector<double> ms)
{
    Summary s;
    if (ms.empty())
        return s;
    std::sort(ms.begin(), ms.end());
    s.max = ms.back();
    s.p99 = ms[std::min(ms.size() - 1, static_cast<std::size_t>(static_cast<double>(ms.size()) * 0.99))];
    s.p50 = ms[ms.size() / 2];
    s.mean = std::accumulate(ms.begin(), ms.end(), 0.0) / static_cast<double>(ms.size());
    s.over16 =
        static_cast<std::size_t>(std::count_if(ms.begin(), ms.end(), [](double v) { return v > 16.0; }));
    return s;
}

} // namespace

int main(int argc, char **argv)
{
    TimedApplication app(argc, argv);
    const QStringList args = app.arguments();
    const int rate = args.size() > 1 ? args[1].toInt() : 5000;
    const double seconds = args.size() > 2 ? args[2].toDouble() : 5.0;
    const auto totalDeltas = static_cast<std::size_t>(rate * seconds);

    const QString answer = syntheticAnswer(static_cast<int>(static_cast<double>(totalDeltas) * 2.4));
    const std::vector<std::string> deltas = splitIntoDeltas(answer, totalDeltas);

    assay::itemmodels::ResponseModel model;
    assay::ui::ResponseView view;
    view.setModel(&model);
    view.resize(900, 760);
    view.show();
    // Let the window map and the fonts load before measuring.
    QElapsedTimer warmup;
    warmup.start();
    while (warmup.elapsed() < 300)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);

    // Frames: the gaps between beats of a 1 ms heartbeat. A gap of g ms means the thread was
    // busy for about g - 1 ms in a row: an input event arriving then waited that long.
    std::vector<double> frames;
    frames.reserve(40000);
    QElapsedTimer beat;
    QTimer heartbeat;
    heartbeat.setTimerType(Qt::PreciseTimer);
    heartbeat.setInterval(1);
    QObject::connect(&heartbeat, &QTimer::timeout, [&]() {
        if (beat.isValid())
            frames.push_back(static_cast<double>(beat.nsecsElapsed()) / 1e6);
        beat.start();
    });

    std::vector<double> renderPasses;
    QObject::connect(&view, &assay::ui::ResponseView::renderPassFinished,
                     [&](qint64 ns) { renderPasses.push_back(static_cast<double>(ns) / 1e6); });

    // The network side: every millisecond, deliver the deltas that are due by now (a read
    // delivers several at once, as a socket does).
    std::size_t sent = 0;
    qint64 deltaNs = 0;
    QElapsedTimer clock;
    QTimer feeder;
    feeder.setTimerType(Qt::PreciseTimer);
    feeder.setInterval(1);
    QObject::connect(&feeder, &QTimer::timeout, [&]() {
        const auto due = std::min(
            deltas.size(), static_cast<std::size_t>(static_cast<double>(clock.nsecsElapsed()) / 1e9 * rate));
        if (sent >= due)
            return;
        QElapsedTimer cost;
        cost.start();
        for (; sent < due; ++sent)
            model.applyDelta(OutputDelta{OutputDelta::Kind::Text, 0, deltas[sent]});
        deltaNs += cost.nsecsElapsed();
        if (sent == deltas.size()) {
            feeder.stop();
            assay::api::ResponseResult result;
            result.outputText = answer.toStdString();
            result.totalMs = clock.elapsed();
            model.applyResult(result);
            QTimer::singleShot(200, &app, &QCoreApplication::quit);
        }
    });

    model.markStarted();
    app.measuring = true;
    app.sinceStart.start();
    clock.start();
    feeder.start();
    heartbeat.start();
    app.exec();
    app.measuring = false;
    const double elapsed = static_cast<double>(clock.nsecsElapsed()) / 1e9 - 0.2;

    const Summary f = summarize(frames);
    const Summary r = summarize(renderPasses);
    const bool complete = view.displayedMarkdown() == answer;
    std::printf("platform            %s\n", qPrintable(QGuiApplication::platformName()));
    std::printf("stream              %zu deltas, %lld chars (%.1f KB) in %.2f s\n", deltas.size(),
                static_cast<long long>(answer.size()), static_cast<double>(answer.toUtf8().size()) / 1024.0,
                elapsed);
    std::printf("deltas/s achieved   %.0f (target %d)\n", static_cast<double>(deltas.size()) / elapsed, rate);
    std::printf(
        "per-delta cost      %.0f ns (delta -> model update, dataChanged and the view's bookkeeping)\n",
        static_cast<double>(deltaNs) / static_cast<double>(deltas.size()));
    std::printf("frames (heartbeat)  %zu, max %.2f ms, p99 %.2f ms, p50 %.2f ms, over 16 ms: %zu\n",
                frames.size(), f.max, f.p99, f.p50, f.over16);
    std::printf(
        "longest event       %.2f ms wall (QEvent type %d); %.2f ms thread CPU; events over 16 ms CPU: %d\n",
        static_cast<double>(app.longestNs) / 1e6, static_cast<int>(app.longestType),
        static_cast<double>(app.longestCpuNs) / 1e6, app.cpuOver16);
    std::vector<std::pair<qint64, int>> heaviest;
    for (const auto &[type, stats] : app.byType)
        heaviest.emplace_back(std::get<0>(stats), type);
    std::sort(heaviest.rbegin(), heaviest.rend());
    for (std::size_t i = 0; i < std::min<std::size_t>(4, heaviest.size()); ++i) {
        const auto &[total, count, longest] = app.byType[heaviest[i].second];
        std::printf("  event type %-4d   %6lld x, total %7.1f ms, mean %.3f ms, max %.2f ms\n",
                    heaviest[i].second, static_cast<long long>(count), static_cast<double>(total) / 1e6,
                    static_cast<double>(total) / 1e6 / static_cast<double>(count),
                    static_cast<double>(longest) / 1e6);
    }
    std::printf("render passes       %zu, max %.2f ms, p99 %.2f ms, mean %.2f ms (final interval %d ms)\n",
                renderPasses.size(), r.max, r.p99, r.mean, view.renderStats().intervalMs);
    std::printf("final text          %s\n", complete ? "complete and identical" : "MISMATCH");
    return complete ? 0 : 1;
}
