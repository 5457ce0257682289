// The comparison runner's throughput, memory and responsiveness against the fake OpenAI server.
//   bench_compare [--rows 200] [--variants 4] [--concurrency 8] [--latency MS] [--words W]
//                 [--streams] [--in-process]
// Matrix mode (default): rows x variants cells (800), each answer W words streamed one delta per
// word after `latency` ms; a ComparisonMatrixModel is attached as the view would be. Prints wall
// time (ideal: cells / concurrency * latency plus streaming), peak RSS (target < 200 MB), the
// longest event-loop stall seen by a 5 ms timer (what a GUI frame would wait), and how many
// cellChanged updates the model received versus deltas streamed.
// --streams: 1 row x 8 variants, each streaming 4,000 deltas (1 ms apart) at once: the issue's
// "8 columns at 2,000 deltas/s" case; prints deltas/s achieved and the longest stall.
// The fake server runs in a child process (this executable with --serve-fake) so its memory and
// CPU are not counted, unless --in-process.

#include <chrono>
#include <cstdio>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTimer>

#include "fakes/fake_openai_server.h"
#include "models/api/api_client.h"
#include "models/compare/comparison_document.h"
#include "models/compare/comparison_matrix_model.h"
#include "models/compare/comparison_runner.h"
#include "models/compare/comparison_summary.h"

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

QByteArray answerOf(int words)
{
    QByteArray text;
    for (int i = 0; i < words; ++i)
        text += (i ? " w" : "w") + QByteArray::number(i);
    return text;
}

void configure(FakeOpenAiServer &server, int latencyMs, int words, bool streams)
{
    server.setDefaultResponseDelayMs(latencyMs);
    if (streams) {
        for (int i = 0; i < 8; ++i) {
            Behaviour b;
            b.outputText = answerOf(4000);
            b.deltaCount = 4000;
            b.chunkDelayMs = 1;
            server.enqueue(b);
        }
    } else {
        const QByteArray text = answerOf(words);
        server.setOutputTextProvider([text](const json &) { return text; });
    }
}

int serveFake(int latencyMs, int words, bool streams)
{
    FakeOpenAiServer server;
    configure(server, latencyMs, words, streams);
    if (!server.start())
        return 1;
    std::printf("%d\n", server.port());
    std::fflush(stdout);
    return QCoreApplication::exec();
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const bool streams = args.contains(QStringLiteral("--streams"));
    const int latencyMs = argValue(args, QStringLiteral("--latency"), streams ? 0 : 50);
    const int words = argValue(args, QStringLiteral("--words"), 60);
    if (args.contains(QStringLiteral("--serve-fake")))
        return serveFake(latencyMs, words, streams);
    const int rows = streams ? 1 : argValue(args, QStringLiteral("--rows"), 200);
    const int variants = streams ? 8 : argValue(args, QStringLiteral("--variants"), 4);
    const int concurrency = streams ? 8 : argValue(args, QStringLiteral("--concurrency"), 8);
    const bool inProcess = args.contains(QStringLiteral("--in-process"));

    std::unique_ptr<FakeOpenAiServer> server;
    QProcess child;
    int port = 0;
    if (inProcess) {
        server = std::make_unique<FakeOpenAiServer>();
        configure(*server, latencyMs, words, streams);
        if (!server->start())
            return 1;
        port = server->port();
    } else {
        QStringList childArgs{QStringLiteral("--serve-fake"), QStringLiteral("--latency"), QString::number(latencyMs),
                              QStringLiteral("--words"), QString::number(words)};
        if (streams)
            childArgs << QStringLiteral("--streams");
        // A benchmark may wait for its helper process; product code never does.
        child.start(QCoreApplication::applicationFilePath(), childArgs);
        if (!child.waitForStarted(10000) || !child.waitForReadyRead(10000)) {
            std::fprintf(stderr, "could not start the fake server process\n");
            return 1;
        }
        port = child.readLine().trimmed().toInt();
    }

    Comparison comparison;
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

    ComparisonDocument document;
    document.setComparison(comparison);
    ComparisonMatrixModel model;
    model.setDocument(&document);
    qint64 dataChanged = 0;
    QObject::connect(&model, &QAbstractItemModel::dataChanged, [&dataChanged] { ++dataChanged; });

    api::ApiClient client;
    ComparisonRunner runner(&document, &client);
    api::Profile profile;
    profile.baseUrl = QStringLiteral("http://127.0.0.1:%1/v1").arg(port);
    runner.setProfile(profile, QStringLiteral("dummy-bench-key"));
    runner.setMaxConcurrent(concurrency);

    // Event-loop responsiveness: how late a 5 ms timer fires is how long a frame would wait.
    QElapsedTimer tick;
    qint64 worstStallMs = 0;
    QTimer probe;
    probe.setInterval(5);
    QObject::connect(&probe, &QTimer::timeout, [&] {
        worstStallMs = std::max(worstStallMs, tick.restart() - 5);
    });

    const qint64 rssBeforeKb = statusKb("VmRSS");
    QElapsedTimer wall;
    QObject::connect(&runner, &ComparisonRunner::runningChanged, &app, [&](bool running) {
        if (running)
            return;
        const double seconds = static_cast<double>(wall.elapsed()) / 1000.0;
        int done = 0, failed = 0;
        qint64 chars = 0;
        for (int r = 0; r < rows; ++r)
            for (int v = 0; v < variants; ++v) {
                const CellRun &run = document.comparison().cell(r, v).primary();
                done += run.status == CellStatus::Done ? 1 : 0;
                failed += run.status == CellStatus::Error ? 1 : 0;
                chars += run.text.size();
            }
        const int cells = rows * variants;
        const qint64 deltas = streams ? qint64(8) * 4000 : qint64(cells) * words;
        std::printf("bench_compare (%s): %d rows x %d variants = %d cells, concurrency %d, latency %d ms%s\n",
                    streams ? "streams" : "matrix", rows, variants, cells, concurrency, latencyMs,
                    inProcess ? ", fake in process" : "");
        std::printf("  wall time      %.2f s%s\n", seconds,
                    streams ? "" : qPrintable(QStringLiteral(" (latency floor %1 s)")
                                                  .arg(double(cells) / concurrency * latencyMs / 1000.0, 0, 'f', 2)));
        std::printf("  cells          %d done, %d failed; %lld characters of output\n", done, failed,
                    static_cast<long long>(chars));
        std::printf("  deltas         %lld streamed (%.0f/s overall), %lld model dataChanged signals\n",
                    static_cast<long long>(deltas), double(deltas) / seconds, static_cast<long long>(dataChanged));
        std::printf("  longest stall  %lld ms of the event loop (5 ms probe timer)\n",
                    static_cast<long long>(worstStallMs));
        std::printf("  peak RSS       %.1f MB (VmHWM; before the run %.1f MB; target < 200 MB)\n",
                    statusKb("VmHWM") / 1024.0, rssBeforeKb / 1024.0);
        const ColumnSummary s = summarizeColumn(document.comparison(), 0);
        std::printf("  column 1       mean latency %.0f ms, mean output tokens %.1f\n", s.meanLatencyMs.value_or(-1),
                    s.meanOutputTokens);
        std::fflush(stdout);
        if (child.state() != QProcess::NotRunning) {
            child.kill();
            child.waitForFinished(5000);
        }
        app.exit(done == cells ? 0 : 2);
    });
    QTimer::singleShot(0, &app, [&] {
        wall.start();
        tick.start();
        probe.start();
        runner.runAll();
    });
    return app.exec();
}
