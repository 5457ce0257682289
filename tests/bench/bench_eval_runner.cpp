// The eval runner's throughput and memory: 2,000 items against the fake OpenAI server answering
// after 50 ms, concurrency 16, one string_check grader, a temporary workspace. Ideal wall time
// is 2000 / 16 * 50 ms = 6.25 s (target: within 10%); target peak RSS < 100 MB.
//   bench_eval_runner [--items N] [--concurrency C] [--latency MS] [--in-process] [--no-cache]
// By default the fake server runs in a child process (this executable with --serve-fake), so
// the runner's own peak RSS is measured alone; --in-process puts the fake on this process's
// event loop (its request log then counts in the figure too). Both peaks are printed.
// After the run, the same number of requests goes through bare QNetworkAccessManager loops at
// the same concurrency (no runner, no grading, no database): that transport floor is printed
// too, so the runner's own share of the overhead can be told from the HTTP stack's.

#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>

#include <sys/resource.h>
#include <unistd.h>
#include <string>
#include <vector>

#include <QCoreApplication>
#include <QEventLoop>
#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QTemporaryDir>
#include <QTimer>

#include "fakes/fake_openai_server.h"
#include "models/api/api_client.h"
#include "models/eval/eval_runner.h"
#include "models/store/eval_store.h"
#include "models/store/workspace.h"

using assay::api::ApiClient;
using assay::api::Profile;
using assay::eval::EvalRunner;
using assay::eval::EvalSpec;
using assay::eval::RunnerOptions;
using assay::eval::RunSpec;
using assay::eval::RunSummary;
using assay::store::EvalStore;
using assay::store::Workspace;
using assay::testing::FakeOpenAiServer;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

qint64 statusKb(const QString &path, const char *field)
{
    QFile status(path);
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray prefix = QByteArray(field) + ':';
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith(prefix))
            return line.mid(prefix.size()).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

// utime + stime of another process (the fake server child), from /proc/PID/stat.
double processCpuSeconds(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray text = stat.readAll();
    // Fields after the parenthesised command name, which may itself hold spaces.
    const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
    if (fields.size() < 13)
        return -1;
    const long ticks = sysconf(_SC_CLK_TCK);
    return static_cast<double>(fields.at(11).toLongLong() + fields.at(12).toLongLong()) / static_cast<double>(ticks);
}

double cpuSeconds()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

int argValue(const QStringList &args, const QString &name, int fallback)
{
    const qsizetype at = args.indexOf(name);
    return at >= 0 && at + 1 < args.size() ? args.at(at + 1).toInt() : fallback;
}

// Wall seconds for `requests` POSTs to /v1/responses kept `concurrency` at a time by bare
// QNetworkAccessManager loops, six connections per manager as in the runner's client lanes.
double transportFloorSeconds(int port, int requests, int concurrency)
{
    constexpr int kConnectionsPerManager = 6;
    std::vector<std::unique_ptr<QNetworkAccessManager>> managers;
    for (int i = 0; i < (concurrency + kConnectionsPerManager - 1) / kConnectionsPerManager; ++i)
        managers.push_back(std::make_unique<QNetworkAccessManager>());
    QNetworkRequest request(QUrl(QStringLiteral("http://127.0.0.1:%1/v1/responses").arg(port)));
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setRawHeader("Authorization", "Bearer dummy-bench-key");
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    QEventLoop loop;
    int sent = 0;
    int answered = 0;
    std::function<void(int)> sendNext = [&](int lane) {
        if (sent >= requests)
            return;
        const json body = {{"model", "gpt-4.1-mini"},
                           {"input", json::array({{{"role", "user"},
                                                   {"content", "Ticket " + std::to_string(sent) +
                                                                   ": the printer is jammed. LABEL:yes"}}})}};
        ++sent;
        QNetworkReply *reply = managers[static_cast<std::size_t>(lane / kConnectionsPerManager)]->post(
            request, QByteArray::fromStdString(body.dump()));
        QObject::connect(reply, &QNetworkReply::finished, &loop, [&, reply, lane] {
            reply->readAll();
            reply->deleteLater();
            if (++answered == requests)
                loop.quit();
            else
                sendNext(lane);
        });
    };
    const Clock::time_point started = Clock::now();
    for (int lane = 0; lane < concurrency; ++lane)
        sendNext(lane);
    loop.exec();
    return std::chrono::duration<double>(Clock::now() - started).count();
}

int serveFake(int latencyMs)
{
    FakeOpenAiServer server;
    server.setDefaultResponseDelayMs(latencyMs);
    server.setOutputTextProvider([](const json &request) -> QByteArray {
        // Echo the label the prompt carries, so the grader has something to check.
        const std::string text = request.dump();
        const std::size_t at = text.find("LABEL:");
        if (at == std::string::npos)
            return {};
        const std::size_t end = text.find_first_of("\" ", at + 6);
        return QByteArray::fromStdString(text.substr(at + 6, end - at - 6));
    });
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
    const int latencyMs = argValue(args, QStringLiteral("--latency"), 50);
    if (args.contains(QStringLiteral("--serve-fake")))
        return serveFake(latencyMs);

    const int items = argValue(args, QStringLiteral("--items"), 2000);
    const int concurrency = argValue(args, QStringLiteral("--concurrency"), 16);
    const bool inProcess = args.contains(QStringLiteral("--in-process"));

    QTemporaryDir dir;
    Workspace workspace;
    QString error;
    if (!dir.isValid() || !workspace.open(dir.filePath(QStringLiteral("bench.sqlite")), &error)) {
        std::fprintf(stderr, "workspace: %s\n", qPrintable(error));
        return 1;
    }
    EvalStore store(workspace);

    std::unique_ptr<FakeOpenAiServer> server;
    QProcess child;
    int port = 0;
    if (inProcess) {
        server = std::make_unique<FakeOpenAiServer>();
        server->setDefaultResponseDelayMs(latencyMs);
        server->setOutputTextProvider([](const json &request) -> QByteArray {
            const std::string text = request.dump();
            const std::size_t at = text.find("LABEL:");
            if (at == std::string::npos)
                return {};
            const std::size_t end = text.find_first_of("\" ", at + 6);
            return QByteArray::fromStdString(text.substr(at + 6, end - at - 6));
        });
        if (!server->start())
            return 1;
        port = server->port();
    } else {
        // A benchmark may wait for its helper process; product code never does.
        child.start(QCoreApplication::applicationFilePath(),
                    {QStringLiteral("--serve-fake"), QStringLiteral("--latency"), QString::number(latencyMs)});
        if (!child.waitForStarted(10000) || !child.waitForReadyRead(10000)) {
            std::fprintf(stderr, "could not start the fake server process\n");
            return 1;
        }
        port = child.readLine().trimmed().toInt();
    }

    json content = json::array();
    for (int i = 0; i < items; ++i) {
        const std::string label = i % 2 == 0 ? "yes" : "no";
        const json item = {{"text", "Ticket " + std::to_string(i) + ": the printer on floor 3 is jammed again."},
                           {"label", label}};
        content.push_back({{"item", item}});
    }
    const json evalDef = {
        {"name", "bench"},
        {"data_source_config",
         {{"type", "custom"},
          {"item_schema",
           {{"type", "object"},
            {"properties", {{"text", {{"type", "string"}}}, {"label", {{"type", "string"}}}}},
            {"required", {"text", "label"}}}}}},
        {"testing_criteria", json::array({{{"type", "string_check"},
                                           {"name", "label"},
                                           {"input", "{{ sample.output_text }}"},
                                           {"reference", "{{ item.label }}"},
                                           {"operation", "eq"}}})}};
    const json runDef = {
        {"name", "bench-run"},
        {"data_source",
         {{"type", "responses"},
          {"model", "gpt-4.1-mini"},
          {"input_messages",
           {{"type", "template"},
            {"template", json::array({{{"role", "developer"}, {"content", "Classify the ticket."}},
                                      {{"role", "user"}, {"content", "{{ item.text }} LABEL:{{ item.label }}"}}})}}},
          {"source", {{"type", "file_content"}, {"content", content}}}}}};
    std::vector<assay::eval::SpecProblem> problems;
    const auto eval = EvalSpec::parse(evalDef, &problems);
    const auto run = RunSpec::parse(runDef, QString(), &problems);
    if (!eval || !run) {
        std::fprintf(stderr, "spec: %s\n", problems.empty() ? "?" : problems.front().toString().c_str());
        return 1;
    }
    assay::eval::LoadedItems loaded = assay::eval::loadRunItems(*run);
    content = json();

    ApiClient client;
    EvalRunner runner(client, store);
    Profile profile;
    profile.baseUrl = QStringLiteral("http://127.0.0.1:%1/v1").arg(port);
    RunnerOptions options;
    options.concurrency = concurrency;
    if (args.contains(QStringLiteral("--no-cache")))
        options.useCache = false; // default: on (the run sets no temperature)

    const qint64 rssBeforeKb = statusKb(QStringLiteral("/proc/self/status"), "VmRSS");
    int exitCode = 0;
    double runnerSeconds = 0;
    Clock::time_point started;
    double cpuAtStart = 0;
    double childCpuAtStart = 0;
    QObject::connect(&runner, &EvalRunner::finished, &app,
                     [&](qint64, const RunSummary &summary, const QString &status) {
                         const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
                         runnerSeconds = seconds;
                         const double ideal = items / static_cast<double>(concurrency) * latencyMs / 1000.0;
                         const qint64 hwmKb = statusKb(QStringLiteral("/proc/self/status"), "VmHWM");
                         std::printf("eval runner: %d items, concurrency %d, %d ms latency, fake server %s\n", items,
                                     concurrency, latencyMs, inProcess ? "in this process" : "in a child process");
                         std::printf("  status %s: %lld passed, %lld failed, %lld errored\n", qPrintable(status),
                                     static_cast<long long>(summary.passed), static_cast<long long>(summary.failed),
                                     static_cast<long long>(summary.errored));
                         std::printf("  wall time      %.3f s (ideal %.3f s, %+.1f%%; target within 10%%)\n", seconds,
                                     ideal, (seconds / ideal - 1.0) * 100.0);
                         std::printf("  CPU time       %.3f s in this process (all threads), %.2f ms per item\n",
                                     cpuSeconds() - cpuAtStart, (cpuSeconds() - cpuAtStart) * 1000.0 / items);
                         std::printf("  latency        p50 %.1f ms, p95 %.1f ms\n", summary.latencyP50Ms.value_or(-1),
                                     summary.latencyP95Ms.value_or(-1));
                         std::printf("  peak RSS       %.1f MB (VmHWM of this process%s; RSS before the run %.1f MB; "
                                     "target < 100 MB)\n",
                                     hwmKb / 1024.0, inProcess ? ", fake server included" : "", rssBeforeKb / 1024.0);
                         if (!inProcess) {
                             const qint64 childKb = statusKb(
                                 QStringLiteral("/proc/%1/status").arg(child.processId()), "VmHWM");
                             const double childCpu = processCpuSeconds(child.processId()) - childCpuAtStart;
                             std::printf("  fake server    %.1f MB peak RSS, CPU %.3f s (%.2f ms per item) (child process)\n",
                                         childKb / 1024.0, childCpu, childCpu * 1000.0 / items);
                         }
                         if (!runner.errorMessage().isEmpty())
                             std::printf("  error          %s\n", qPrintable(runner.errorMessage()));
                         if (status != QLatin1String("completed") || summary.errored > 0)
                             exitCode = 2;
                         QCoreApplication::exit(exitCode);
                     });
    childCpuAtStart = inProcess ? 0.0 : processCpuSeconds(child.processId());
    started = Clock::now();
    cpuAtStart = cpuSeconds();
    const auto id =
        runner.start(*eval, *run, std::move(loaded), profile, QStringLiteral("sk-bench"), options, &error);
    if (!id) {
        std::fprintf(stderr, "start: %s\n", qPrintable(error));
        return 1;
    }
    const int code = QCoreApplication::exec();
    if (code == 0) {
        const double floorCpuAtStart = cpuSeconds();
        const double floor = transportFloorSeconds(port, items, concurrency);
        const double floorCpu = cpuSeconds() - floorCpuAtStart;
        const double ideal = items / static_cast<double>(concurrency) * latencyMs / 1000.0;
        std::printf("  transport      %.3f s for the same %d requests from bare QNetworkAccessManager loops "
                    "(%+.1f%% of ideal): the floor under the runner\n",
                    floor, items, (floor / ideal - 1.0) * 100.0);
        std::printf("  transport CPU  %.3f s in this process (all threads), %.2f ms per request\n", floorCpu,
                    floorCpu * 1000.0 / items);
        std::printf("  runner's share %+.1f%% of ideal on top of that floor\n",
                    (runnerSeconds - floor) / ideal * 100.0);
    }
    if (!inProcess) {
        child.kill();
        child.waitForFinished(5000);
    }
    return code;
}
