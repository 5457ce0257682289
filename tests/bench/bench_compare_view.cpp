// The compare view's responsiveness with a real, shown CompareView against the fake OpenAI server
// (issue 6 figures). One scenario per run, so peak RSS belongs to that scenario:
//   bench_compare_view --streams [--deltas 4000] [--chunk-delay 1] [--max-chunk 1600] [--paragraph 0]
//       1 row x 8 columns (side by side), each column streaming `deltas` one-word deltas at once.
//       Target: ~2,000 deltas/s per stream, no GUI frame longer than 16 ms.
//   bench_compare_view --matrix [--rows 200] [--variants 4] [--concurrency N] [--latency 50] [--words 12]
//       rows x variants cells (800) in the matrix; without --concurrency the view's default limit.
//       Target: in-flight requests (seen by the fake) <= the limit, view responsive, peak RSS < 200 MB.
// Figures printed: the delta rate per stream measured on the client side (first text to done),
// event-loop gaps seen by a 1 ms precise heartbeat timer (max, p99, count > 16 ms), the time spent
// in each top-level event delivery (max, p99, and which event), the frames (UpdateRequest of the
// window: paint of every dirty widget + flush: count, max, p99), viewport paint counts, peak RSS
// (VmHWM). The fake server runs in a child process (this executable with --serve-fake) so its CPU
// and memory do not count against the GUI thread; it reports its in-flight high-water mark on stdout.
// Run with QT_QPA_PLATFORM=offscreen (the offscreen backing store paints into an image).

#include <algorithm>
#include <cstdio>
#include <map>
#include <vector>

#include <sys/prctl.h>
#include <csignal>

#include <QAbstractScrollArea>
#include <QAction>
#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QPlainTextEdit>
#include <QProcess>
#include <QTableView>
#include <QThread>
#include <QTimer>

#include "fakes/fake_openai_server.h"
#include "models/compare/comparison_document.h"
#include "models/compare/comparison_runner.h"
#include "ui/compare/compare_view.h"

using namespace assay;
using namespace assay::compare;
using assay::testing::Behaviour;
using assay::testing::FakeOpenAiServer;
using json = nlohmann::json;

namespace {

qint64 statusKb(const char *field)
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray prefix = QByteArray(field) + ':';
    for (const QByteArray &line : status.readAll().split('\n'))
        if (line.startsWith(prefix))
            return line.mid(prefix.size()).trimmed().split(' ').value(0).toLongLong();
    return -1;
}

int argValue(const QStringList &args, const QString &name, int fallback)
{
    const qsizetype at = args.indexOf(name);
    return at >= 0 && at + 1 < args.size() ? args.at(at + 1).toInt() : fallback;
}

// `paragraph` > 0: a line break after every `paragraph` words (model answers come in paragraphs).
QByteArray answerOf(int words, const QByteArray &stem = "w", int paragraph = 0)
{
    QByteArray text;
    for (int i = 0; i < words; ++i)
        text += (i == 0 ? "" : paragraph > 0 && i % paragraph == 0 ? "\n" : " ") + stem + QByteArray::number(i);
    return text;
}

// Durations in ms: max, p99, count above a limit.
struct Stats {
    std::vector<double> ms;
    void add(double v) { ms.push_back(v); }
    double max() const { return ms.empty() ? 0.0 : *std::max_element(ms.begin(), ms.end()); }
    double percentile(double p) const
    {
        if (ms.empty())
            return 0.0;
        std::vector<double> sorted = ms;
        std::sort(sorted.begin(), sorted.end());
        const auto at = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
        return sorted[std::min(at, sorted.size() - 1)];
    }
    long long above(double limit) const
    {
        return std::count_if(ms.begin(), ms.end(), [limit](double v) { return v > limit; });
    }
};

// Times each top-level event delivery on the GUI thread, and the window's UpdateRequest (a frame).
class TimingApp : public QApplication {
public:
    using QApplication::QApplication;
    bool recording = false;
    Stats events;
    Stats frames;
    double worstEventMs = 0;
    QByteArray worstEvent;
    std::map<int, double> worstByType;
    std::map<QByteArray, std::pair<int, double>> slow; // "type to class" -> (count > 16 ms, max)

    bool notify(QObject *receiver, QEvent *event) override
    {
        // notify() runs on every thread with an event loop (the network thread too): GUI thread only.
        if (!recording || QThread::currentThread() != thread() || m_depth > 0)
            return QApplication::notify(receiver, event);
        ++m_depth;
        QElapsedTimer t;
        t.start();
        const int type = static_cast<int>(event->type());
        const bool frame = event->type() == QEvent::UpdateRequest && receiver->isWidgetType();
        const QByteArray name = receiver->metaObject()->className();
        const bool result = QApplication::notify(receiver, event);
        const double ms = static_cast<double>(t.nsecsElapsed()) / 1e6;
        --m_depth;
        events.add(ms);
        if (frame)
            frames.add(ms);
        double &w = worstByType[type];
        w = std::max(w, ms);
        if (ms > 16.0) {
            auto &entry = slow["event type " + QByteArray::number(type) + " to " + name];
            ++entry.first;
            entry.second = std::max(entry.second, ms);
        }
        if (ms > worstEventMs) {
            worstEventMs = ms;
            worstEvent = "event type " + QByteArray::number(type) + " to " + name;
        }
        return result;
    }

private:
    int m_depth = 0;
};

class PaintCounter : public QObject {
public:
    long long paints = 0;
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::Paint)
            ++paints;
        return QObject::eventFilter(watched, event);
    }
};

int serveFake(const QStringList &args)
{
    FakeOpenAiServer server;
    if (args.contains(QStringLiteral("--streams"))) {
        const int deltas = argValue(args, QStringLiteral("--deltas"), 4000);
        for (int i = 0; i < 8; ++i) {
            Behaviour b;
            b.outputText = answerOf(deltas, "w", argValue(args, QStringLiteral("--paragraph"), 0));
            b.deltaCount = deltas;
            b.chunkDelayMs = argValue(args, QStringLiteral("--chunk-delay"), 1);
            // Several events per write: a 1 ms timer alone caps a stream near 1,000 writes/s.
            b.maxChunk = argValue(args, QStringLiteral("--max-chunk"), 1600);
            server.enqueue(b);
        }
    } else {
        server.setDefaultResponseDelayMs(argValue(args, QStringLiteral("--latency"), 50));
        const int words = argValue(args, QStringLiteral("--words"), 12);
        // Answers differ by model, so half the columns differ from the baseline.
        const QByteArray a = answerOf(words, "a");
        const QByteArray b = answerOf(words, "b");
        server.setOutputTextProvider([a, b](const json &request) {
            return request.value("model", std::string()) == "gpt-4.1" ? b : a;
        });
    }
    if (!server.start())
        return 1;
    std::printf("port %d\n", server.port());
    std::fflush(stdout);
    // The in-flight high-water mark, whenever it changes.
    int reported = -1;
    QTimer report;
    QObject::connect(&report, &QTimer::timeout, [&] {
        if (server.maxActiveRequests() != reported) {
            reported = server.maxActiveRequests();
            std::printf("max %d\n", reported);
            std::fflush(stdout);
        }
    });
    report.start(20);
    return QCoreApplication::exec();
}

} // namespace

int main(int argc, char **argv)
{
    QStringList early;
    for (int i = 0; i < argc; ++i)
        early << QString::fromLocal8Bit(argv[i]);
    if (early.contains(QStringLiteral("--serve-fake"))) {
        prctl(PR_SET_PDEATHSIG, SIGKILL); // never outlive the benchmark
        QCoreApplication core(argc, argv);
        return serveFake(early);
    }

    TimingApp app(argc, argv);
    const QStringList args = app.arguments();
    const bool streams = args.contains(QStringLiteral("--streams"));
    const int rows = streams ? 1 : argValue(args, QStringLiteral("--rows"), 200);
    const int variants = streams ? 8 : argValue(args, QStringLiteral("--variants"), 4);
    const int concurrency = argValue(args, QStringLiteral("--concurrency"), streams ? 8 : 0); // 0 = view default
    const int deltas = argValue(args, QStringLiteral("--deltas"), 4000);

    QStringList childArgs = args.mid(1);
    childArgs << QStringLiteral("--serve-fake");
    QProcess child;
    child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    // A benchmark may wait for its helper process; product code never does.
    child.start(QCoreApplication::applicationFilePath(), childArgs);
    if (!child.waitForStarted(10000) || !child.waitForReadyRead(10000)) {
        std::fprintf(stderr, "could not start the fake server process\n");
        return 1;
    }
    const QByteArray first = child.readLine().trimmed();
    const int port = first.mid(5).toInt();
    int fakeMaxInFlight = 0;
    QObject::connect(&child, &QProcess::readyReadStandardOutput, [&] {
        while (child.canReadLine()) {
            const QByteArray line = child.readLine().trimmed();
            if (line.startsWith("max "))
                fakeMaxInFlight = std::max(fakeMaxInFlight, line.mid(4).toInt());
        }
    });

    Comparison comparison;
    comparison.name = QStringLiteral("bench");
    prompt::Conversation shared;
    shared.instructions = QStringLiteral("Answer briefly.");
    shared.messages.push_back({prompt::Role::User, QStringLiteral("Question {{n}}: {{question}}")});
    comparison.setSharedPrompt(shared);
    for (int v = 0; v < variants; ++v) {
        ComparisonVariant variant;
        variant.name = QStringLiteral("V%1").arg(v + 1);
        variant.parameters.model = v % 2 ? QStringLiteral("gpt-4.1") : QStringLiteral("gpt-4.1-mini");
        variant.parameters.api = v % 2 ? api::ApiKind::ChatCompletions : api::ApiKind::Responses;
        if (v < comparison.variantCount())
            comparison.setVariant(v, variant);
        else
            comparison.insertVariant(v, variant);
    }
    std::vector<json> values;
    for (int r = 0; r < rows; ++r)
        values.push_back({{"n", r}, {"question", "What is item " + std::to_string(r) + "?"}});
    ComparisonInputs inputs;
    inputs.setRows(values);
    comparison.setInputs(inputs);

    ui::CompareView view;
    api::Profile profile;
    profile.baseUrl = QStringLiteral("http://127.0.0.1:%1/v1").arg(port);
    view.setProfile(profile, QStringLiteral("dummy-bench-key"));
    if (concurrency > 0)
        view.setMaxConcurrent(concurrency);
    view.setComparison(comparison);
    view.setLayoutMode(streams ? ui::CompareView::Layout::SideBySide : ui::CompareView::Layout::Matrix);
    view.resize(1600, 1000);
    view.show();

    PaintCounter paints;
    if (streams) {
        for (int v = 0; v < variants; ++v)
            if (QPlainTextEdit *out = view.columnOutput(v))
                out->viewport()->installEventFilter(&paints);
    } else {
        view.matrixView()->viewport()->installEventFilter(&paints);
    }

    // Client-side stream rate: words arrived between the first text and the end, per column.
    const ComparisonDocument *document = view.document();
    QElapsedTimer wall;
    std::vector<qint64> firstTextNs(std::size_t(variants), -1), doneNs(std::size_t(variants), -1);
    QObject::connect(document, &ComparisonDocument::cellChanged, [&](int row, int variant) {
        if (!streams || row != 0)
            return;
        const CellRun &run = document->comparison().cell(row, variant).primary();
        const auto v = std::size_t(variant);
        if (firstTextNs[v] < 0 && !run.text.isEmpty())
            firstTextNs[v] = wall.nsecsElapsed();
        if (doneNs[v] < 0 && run.status == CellStatus::Done)
            doneNs[v] = wall.nsecsElapsed();
    });

    // Event-loop heartbeat: a 1 ms precise timer; the gap between two fires is how long the loop
    // was away (1 ms when idle).
    Stats gaps;
    QElapsedTimer beat;
    QTimer heartbeat;
    heartbeat.setTimerType(Qt::PreciseTimer);
    heartbeat.setInterval(1);
    int clientMaxActive = 0;
    ComparisonRunner *runner = view.runner();
    QObject::connect(&heartbeat, &QTimer::timeout, [&] {
        gaps.add(static_cast<double>(beat.nsecsElapsed()) / 1e6);
        beat.restart();
        clientMaxActive = std::max(clientMaxActive, runner->activeCount());
    });

    const qint64 rssBeforeKb = statusKb("VmRSS");
    int exitCode = 0;
    bool reported = false;
    const auto finish = [&](bool timedOut) {
        if (reported)
            return;
        reported = true;
        app.recording = false;
        heartbeat.stop();
        const double seconds = static_cast<double>(wall.nsecsElapsed()) / 1e9;
        // Let the fake report its last high-water mark.
        child.waitForReadyRead(100);
        while (child.canReadLine()) {
            const QByteArray line = child.readLine().trimmed();
            if (line.startsWith("max "))
                fakeMaxInFlight = std::max(fakeMaxInFlight, line.mid(4).toInt());
        }
        int done = 0, failed = 0;
        for (int r = 0; r < rows; ++r)
            for (int v = 0; v < variants; ++v) {
                const CellStatus s = document->comparison().cell(r, v).primary().status;
                done += s == CellStatus::Done ? 1 : 0;
                failed += s == CellStatus::Error ? 1 : 0;
            }
        const int limit = concurrency > 0 ? concurrency : -1;
        std::printf("bench_compare_view (%s): %d rows x %d variants = %d cells, concurrency %s, platform %s\n",
                    streams ? "streams, side by side" : "matrix", rows, variants, rows * variants,
                    concurrency > 0 ? qPrintable(QString::number(concurrency)) : "view default",
                    qPrintable(QGuiApplication::platformName()));
        std::printf("  wall time        %.2f s; %d done, %d failed%s\n", seconds, done, failed,
                    timedOut ? qPrintable(QStringLiteral("; TIMED OUT: %1 active, %2 queued")
                                              .arg(runner->activeCount())
                                              .arg(runner->queuedCount()))
                             : "");
        if (streams) {
            Stats rates;
            for (int v = 0; v < variants; ++v) {
                const auto i = std::size_t(v);
                if (firstTextNs[i] < 0 || doneNs[i] <= firstTextNs[i])
                    continue;
                const qsizetype words = document->comparison().cell(0, v).primary().text.count(QLatin1Char(' ')) +
                                      document->comparison().cell(0, v).primary().text.count(QLatin1Char('\n')) + 1;
                rates.add(static_cast<double>(words) / (static_cast<double>(doneNs[i] - firstTextNs[i]) / 1e9));
            }
            std::sort(rates.ms.begin(), rates.ms.end());
            std::printf("  deltas/s/stream  min %.0f, max %.0f (client side, %d deltas each, first text to done; "
                        "target ~2000)\n",
                        rates.ms.empty() ? 0.0 : rates.ms.front(), rates.max(), deltas);
        }
        std::printf("  in flight        max %d seen by the fake, max %d active in the runner (limit %s)\n",
                    fakeMaxInFlight, clientMaxActive,
                    limit > 0 ? qPrintable(QString::number(limit)) : "view default");
        std::printf("  loop gaps        max %.1f ms, p99 %.1f ms, p50 %.2f ms, %lld gaps > 16 ms of %zu "
                    "(1 ms heartbeat)\n",
                    gaps.max(), gaps.percentile(0.99), gaps.percentile(0.5), gaps.above(16.0), gaps.ms.size());
        std::printf("  frames           %zu UpdateRequests: max %.1f ms, p99 %.1f ms, %lld > 16 ms; "
                    "%lld viewport paints\n",
                    app.frames.ms.size(), app.frames.max(), app.frames.percentile(0.99), app.frames.above(16.0),
                    paints.paints);
        std::printf("  events           %zu top-level deliveries: max %.1f ms (%s), p99 %.2f ms, %lld > 16 ms\n",
                    app.events.ms.size(), app.events.max(), app.worstEvent.constData(), app.events.percentile(0.99),
                    app.events.above(16.0));
        for (const auto &[what, entry] : app.slow)
            std::printf("    > 16 ms        %d x %s (max %.1f ms)\n", entry.first, what.constData(), entry.second);
        std::printf("  peak RSS         %.1f MB (VmHWM, fake excluded; before the run %.1f MB; target < 200 MB)\n",
                    static_cast<double>(statusKb("VmHWM")) / 1024.0, static_cast<double>(rssBeforeKb) / 1024.0);
        std::fflush(stdout);
        if (timedOut || done != rows * variants || (limit > 0 && fakeMaxInFlight > limit))
            exitCode = 2;
        child.kill();
        child.waitForFinished(5000);
        QTimer::singleShot(0, &app, [&] { QCoreApplication::exit(exitCode); });
    };
    QObject::connect(runner, &ComparisonRunner::runningChanged, &app, [&](bool running) {
        if (!running)
            finish(false);
    });
    QTimer::singleShot(argValue(args, QStringLiteral("--timeout"), 90) * 1000, &app, [&] { finish(true); });
    // Start once the window has been shown and painted.
    QTimer::singleShot(300, &app, [&] {
        app.recording = true;
        wall.start();
        beat.start();
        heartbeat.start();
        view.runAllAction()->trigger();
    });
    return app.exec();
}
