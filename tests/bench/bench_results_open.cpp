// Opens a 100,000-item run in the results table and prints the figures issue 5 sets a target for
// (all rows in the OutputItemsModel in < 1 s), plus memory, filter/sort and drill-down times.
//   bench_results_open [--items N] [--keep DIR] [--no-full-read]
// The workspace is generated in a temporary directory (deleted afterwards) through
// EvalStore::commitItem, one transaction per item as the runner commits them; that insert is
// timed separately. --no-full-read skips the comparison with EvalStore::items() (full JSON).

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iterator>
#include <random>
#include <string>

#include <QCoreApplication>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTimer>

#include "models/itemmodels/output_items_model.h"
#include "models/store/eval_store.h"
#include "models/store/workspace.h"

using assay::itemmodels::OutputItemsFilterModel;
using assay::itemmodels::OutputItemsModel;
using assay::store::EvalStore;
using assay::store::OutputItemRecord;
using assay::store::RunRecord;
using assay::store::Workspace;
using Clock = std::chrono::steady_clock;
using json = nlohmann::json;

namespace {

double msSince(Clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

qint64 statusKb(const char *field)
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray prefix = QByteArray(field) + ':';
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith(prefix))
            return line.mid(prefix.size()).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

class Words {
public:
    explicit Words(quint64 seed) : m_rng(seed) {}
    std::string text(int words)
    {
        static const char *vocabulary[] = {"refund", "invoice", "printer", "password", "reset", "billing", "the",
                                           "account", "cannot", "login", "error", "please", "help", "charged",
                                           "twice", "order", "shipping", "late", "café", "naïve", "urgent", "a",
                                           "my", "is", "not", "working", "since", "yesterday", "thanks", "ticket"};
        std::uniform_int_distribution<int> pick(0, static_cast<int>(std::size(vocabulary)) - 1);
        std::string out;
        for (int i = 0; i < words; ++i) {
            if (i)
                out += ' ';
            out += vocabulary[pick(m_rng)];
        }
        return out;
    }
    int number(int low, int high) { return std::uniform_int_distribution<int>(low, high)(m_rng); }

private:
    std::mt19937_64 m_rng;
};

json definition()
{
    return {{"name", "Ticket triage"},
            {"data_source_config", {{"type", "custom"}, {"item_schema", {{"type", "object"}}}}},
            {"testing_criteria",
             json::array({{{"type", "string_check"}, {"name", "label"}, {"input", "{{ sample.output_text }}"},
                           {"reference", "{{ item.label }}"}, {"operation", "eq"}},
                          {{"type", "score_model"}, {"name", "helpfulness"}, {"model", "o4-mini"},
                           {"input", json::array()}, {"range", {0, 1}}, {"pass_threshold", 0.6}}})}};
}

// About 1.8 KB of JSON per item: the ticket, the sampling input and output, two grader results
// (the model grader's with its request and reasoning).
OutputItemRecord makeItem(Words &words, qint64 runId, qint64 index)
{
    const std::string label = index % 4 == 0 ? "billing" : "technical";
    const bool labelPassed = index % 5 != 0;
    const double helpfulness = static_cast<double>(words.number(0, 100)) / 100.0;
    const bool errored = index % 97 == 0;
    OutputItemRecord item;
    item.runId = runId;
    item.datasourceItemId = index;
    item.datasourceItem = {{"ticket", words.text(45)}, {"label", label}, {"customer", {{"tier", "gold"}, {"id", index}}}};
    const std::string output = labelPassed ? label : "other";
    item.sample = {{"input", json::array({{{"role", "system"}, {"content", "Classify the ticket. " + words.text(25)}},
                                          {{"role", "user"}, {"content", item.datasourceItem["ticket"]}}})},
                   {"output", json::array({{{"role", "assistant"}, {"content", output + ": " + words.text(20)}}})},
                   {"finish_reason", "stop"},
                   {"model", "gpt-4.1-mini-2025-04-14"},
                   {"usage", {{"total_tokens", 180 + index % 50}, {"prompt_tokens", 150}, {"completion_tokens", 30 + index % 50}, {"cached_tokens", 0}}},
                   {"error", nullptr},
                   {"temperature", 0.0},
                   {"max_completion_tokens", 256},
                   {"top_p", 1.0},
                   {"seed", 7}};
    json labelResult = {{"name", "label"}, {"type", "string_check"}, {"score", labelPassed ? 1.0 : 0.0},
                         {"passed", labelPassed}, {"sample", nullptr}};
    json modelResult = {{"name", "helpfulness"}, {"type", "score_model"}, {"score", helpfulness},
                         {"passed", helpfulness >= 0.6},
                         {"sample", {{"input", json::array({{{"role", "user"}, {"content", "Rate: " + words.text(40)}}})},
                                     {"output", json::array({{{"role", "assistant"}, {"content", "{\"result\": 0.7}"}}})},
                                     {"steps", json::array({{{"description", words.text(30)}, {"conclusion", words.text(8)}}})},
                                     {"usage", {{"total_tokens", 300}}}}}};
    if (errored)
        modelResult["error"] = "the grader model's API failed: 503";
    item.results = json::array({labelResult, modelResult});
    item.status = errored ? QStringLiteral("error")
                          : (labelPassed && helpfulness >= 0.6 ? QStringLiteral("pass") : QStringLiteral("fail"));
    if (errored)
        item.error = QStringLiteral("helpfulness: the grader model's API failed: 503");
    item.latencyMs = 200 + words.number(0, 1800);
    item.cacheHit = false;
    item.createdAt = QDateTime::currentDateTimeUtc();
    return item;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    qint64 count = 100000;
    QString keep;
    bool fullRead = true;
    bool reuse = false;
    const QStringList args = app.arguments();
    for (qsizetype i = 1; i < args.size(); ++i) {
        if (args[i] == QLatin1String("--items") && i + 1 < args.size())
            count = args[++i].toLongLong();
        else if (args[i] == QLatin1String("--keep") && i + 1 < args.size())
            keep = args[++i];
        else if (args[i] == QLatin1String("--no-full-read"))
            fullRead = false;
        else if (args[i] == QLatin1String("--reuse"))
            reuse = true; // with --keep: open the run a previous invocation left there
    }

    QTemporaryDir tempDir;
    const QString dir = keep.isEmpty() ? tempDir.path() : keep;
    const QString path = dir + QStringLiteral("/bench-results.sqlite");
    reuse = reuse && !keep.isEmpty() && QFile::exists(path);
    if (!reuse)
        QFile::remove(path);
    Workspace workspace;
    QString error;
    if (!workspace.open(path, &error)) {
        std::fprintf(stderr, "cannot open the workspace: %s\n", qPrintable(error));
        return 2;
    }
    EvalStore store(workspace);
    qint64 runId = 0;
    auto start = Clock::now();
    if (reuse && !store.runs().isEmpty()) {
        runId = store.runs().first().id;
    } else {
    const auto eval = store.saveEval(QStringLiteral("Ticket triage"), definition());
    RunRecord run;
    run.evalId = eval->id;
    run.name = QStringLiteral("bench");
    run.model = QStringLiteral("gpt-4.1-mini");
    run.status = QStringLiteral("completed");
    run.runSpec = json::object();
    run.totalItems = count;
    runId = store.createRun(run).value_or(0);

    Words words(42);
    start = Clock::now();
    for (qint64 i = 0; i < count; ++i) {
        if (!store.commitItem(makeItem(words, runId, i), &error)) {
            std::fprintf(stderr, "commitItem failed: %s\n", qPrintable(error));
            return 2;
        }
    }
    const double insertMs = msSince(start);
    std::printf("insert: %lld items with EvalStore::commitItem (one transaction each): %.0f ms (%.0f items/s)\n",
                static_cast<long long>(count), insertMs, static_cast<double>(count) / insertMs * 1000.0);
    std::printf("workspace file: %.1f MB (+ WAL %.1f MB)\n", static_cast<double>(QFileInfo(path).size()) / 1e6,
                static_cast<double>(QFileInfo(path + QStringLiteral("-wal")).size()) / 1e6);
    }

    const qint64 rssBefore = statusKb("VmRSS");
    const qint64 anonBefore = statusKb("RssAnon");
    OutputItemsModel model(&store, &workspace);
    double firstRowsMs = -1;
    QObject::connect(&model, &QAbstractItemModel::rowsInserted, &model, [&] {
        if (firstRowsMs < 0)
            firstRowsMs = msSince(start);
    });
    QEventLoop loop;
    QObject::connect(&model, &OutputItemsModel::loaded, &loop, &QEventLoop::quit);
    QObject::connect(&model, &OutputItemsModel::loadFailed, &loop, [&](const QString &message) {
        std::fprintf(stderr, "load failed: %s\n", qPrintable(message));
        loop.quit();
    });
    start = Clock::now();
    model.load(runId);
    const double loadCallMs = msSince(start);
    loop.exec();
    const double allRowsMs = msSince(start);
    std::printf("open: load() returned in %.1f ms; first rows after %.1f ms; all %d rows after %.1f ms (target < 1000 ms)\n",
                loadCallMs, firstRowsMs, model.rowCount(), allRowsMs);
    std::printf("memory: model arrays %.1f MB (%.0f bytes/row); RSS %+.1f MB (anon %+.1f MB)\n",
                static_cast<double>(model.memoryBytes()) / 1e6,
                static_cast<double>(model.memoryBytes()) / static_cast<double>(std::max(1, model.rowCount())),
                static_cast<double>(statusKb("VmRSS") - rssBefore) / 1024.0,
                static_cast<double>(statusKb("RssAnon") - anonBefore) / 1024.0);

    OutputItemsFilterModel proxy;
    start = Clock::now();
    proxy.setSourceModel(&model);
    std::printf("proxy: set source %.1f ms\n", msSince(start));
    start = Clock::now();
    proxy.setStatusFilter(OutputItemsFilterModel::Failed);
    int rows = proxy.rowCount();
    std::printf("proxy: status = failed -> %d rows in %.1f ms\n", rows, msSince(start));
    start = Clock::now();
    proxy.setStatusFilter(OutputItemsFilterModel::AnyStatus);
    proxy.setFailedCriterion(0);
    rows = proxy.rowCount();
    std::printf("proxy: criterion 'label' failed -> %d rows in %.1f ms\n", rows, msSince(start));
    start = Clock::now();
    proxy.setStatusFilter(OutputItemsFilterModel::Errored | OutputItemsFilterModel::Failed);
    proxy.setFailedCriterion(-1);
    rows = proxy.rowCount();
    std::printf("proxy: back to failed + errored -> %d rows in %.1f ms\n", rows, msSince(start));
    proxy.setStatusFilter(OutputItemsFilterModel::AnyStatus);
    proxy.setFailedCriterion(-1);
    start = Clock::now();
    proxy.sort(model.criterionColumn(1), Qt::DescendingOrder);
    std::printf("proxy: sort %d rows by helpfulness score in %.1f ms\n", proxy.rowCount(), msSince(start));
    start = Clock::now();
    proxy.sort(model.latencyColumn(), Qt::AscendingOrder);
    std::printf("proxy: sort by latency in %.1f ms\n", msSince(start));

    start = Clock::now();
    int found = 0;
    for (int i = 0; i < 100; ++i)
        found += model.record(static_cast<int>((static_cast<qint64>(i) * 7919) % std::max(1, model.rowCount()))) ? 1 : 0;
    std::printf("drill-down: record(row) %.2f ms each (%d/100 found)\n", msSince(start) / 100.0, found);

    if (fullRead) {
        const qint64 rss = statusKb("VmRSS");
        start = Clock::now();
        const auto items = store.items(runId);
        std::printf("for comparison: EvalStore::items() (full JSON) %zu items in %.0f ms, RSS %+.1f MB\n", items.size(),
                    msSince(start), static_cast<double>(statusKb("VmRSS") - rss) / 1024.0);
    }
    std::printf("peak RSS (VmHWM): %.1f MB\n", static_cast<double>(statusKb("VmHWM")) / 1024.0);
    return 0;
}
