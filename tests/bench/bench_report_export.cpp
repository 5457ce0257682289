// Export time of a 100,000-item run (the target: HTML and CSV in < 5 s each). Items are
// generated deterministically: a 40-word output, three criteria (string_check, text_similarity,
// score_model), ~20% failing and ~1% errored. Prints wall and CPU time per format, the file size,
// and the time to load the run back from a workspace file. Run a Release/RelWithDebInfo build:
//   bench_report_export [items] [--load]

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>

#include <QCoreApplication>
#include <QTemporaryDir>

#include "models/report/csv_report.h"
#include "models/report/html_report.h"
#include "models/report/jsonl_report.h"
#include "models/report/junit_report.h"
#include "models/report/markdown_report.h"
#include "models/report/report_input.h"
#include "models/store/eval_store.h"
#include "models/store/workspace.h"

using namespace assay;
using Clock = std::chrono::steady_clock;
using json = nlohmann::json;

namespace {

double cpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

report::ReportRun generate(qint64 count)
{
    report::ReportRun run;
    run.run.id = 1;
    run.run.evalId = 1;
    run.run.model = QStringLiteral("gpt-4.1-mini");
    run.run.status = QStringLiteral("completed");
    run.run.api = QStringLiteral("responses");
    run.run.createdAt = QDateTime(QDate(2026, 11, 23), QTime(10, 0), Qt::UTC);
    run.eval.id = 1;
    run.eval.evalKey = 1;
    run.eval.name = QStringLiteral("Bench eval");
    run.eval.definition = {{"name", "Bench eval"},
                           {"testing_criteria",
                            json::array({{{"type", "string_check"}, {"name", "exact"}, {"operation", "eq"}},
                                         {{"type", "text_similarity"}, {"name", "similar"}, {"evaluation_metric", "bleu"}},
                                         {{"type", "score_model"}, {"name", "judge"}, {"range", {1, 7}}}})}};
    const char *const words[] = {"the", "model", "answer", "is", "correct", "because", "reference", "says", "so",
                                 "capital", "city", "of", "France", "Paris", "evaluation", "<b>", "score", "a"};
    std::mt19937 rng(42);
    run.items.reserve(static_cast<size_t>(count));
    for (qint64 i = 0; i < count; ++i) {
        std::string output;
        for (int w = 0; w < 40; ++w) {
            if (w)
                output += ' ';
            output += words[rng() % std::size(words)];
        }
        const unsigned roll = rng() % 100;
        const bool errored = roll == 0;
        const bool passed = roll >= 20;
        store::OutputItemRecord item;
        item.runId = 1;
        item.datasourceItemId = i;
        item.status = errored ? QStringLiteral("error") : (passed ? QStringLiteral("pass") : QStringLiteral("fail"));
        item.datasourceItem = {{"question", "Question " + std::to_string(i)}, {"answer", "Paris"}};
        item.sample = {{"input", json::array({{{"role", "user"}, {"content", "Question " + std::to_string(i)}}})},
                       {"output", json::array({{{"role", "assistant"}, {"content", output}}})},
                       {"usage", {{"prompt_tokens", 20}, {"completion_tokens", 50}, {"total_tokens", 70}}}};
        if (errored) {
            item.results = json::array();
            item.error = QStringLiteral("sampling failed: HTTP 500");
        } else {
            const double similarity = static_cast<double>(rng() % 1000) / 1000.0;
            item.results = json::array(
                {{{"name", "exact"}, {"type", "string_check"}, {"score", passed ? 1.0 : 0.0}, {"passed", passed}},
                 {{"name", "similar"}, {"type", "text_similarity"}, {"score", similarity}, {"passed", passed || similarity > 0.5}},
                 {{"name", "judge"}, {"type", "score_model"}, {"score", static_cast<double>(1 + rng() % 7)}, {"passed", passed}}});
        }
        item.latencyMs = 200 + static_cast<qint64>(rng() % 800);
        run.items.push_back(std::move(item));
    }
    return run;
}

template <typename Render>
double measure(const char *name, Render render, qint64 items)
{
    const double cpu0 = cpuSeconds();
    const auto t0 = Clock::now();
    const QByteArray bytes = render();
    const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
    const double cpu = cpuSeconds() - cpu0;
    std::printf("%-9s %8lld items  wall %6.3f s  cpu %6.3f s  %7.2f MB\n", name, static_cast<long long>(items), wall, cpu,
                static_cast<double>(bytes.size()) / 1e6);
    return wall;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const qint64 count = argc > 1 && std::atoll(argv[1]) > 0 ? std::atoll(argv[1]) : 100000;
    report::ReportInput input;
    input.runs.push_back(generate(count));
    const qint64 n = count;

    const double html = measure("html", [&] { return report::HtmlReport::render(input); }, n);
    const double csv = measure("csv", [&] { return report::CsvReport::render(input); }, n);
    measure("jsonl", [&] { return report::JsonlReport::render(input); }, n);
    measure("junit", [&] { return report::JUnitReport::render(input); }, n);
    measure("markdown", [&] { return report::MarkdownReport::render(input); }, n);

    // Two runs compared (the same items with every 10th status flipped).
    report::ReportInput pair = input;
    pair.runs.push_back(input.runs.front());
    pair.runs.back().run.id = 2;
    for (size_t i = 0; i < pair.runs.back().items.size(); i += 10) {
        auto &item = pair.runs.back().items[i];
        item.status = item.status == QLatin1String("pass") ? QStringLiteral("fail") : QStringLiteral("pass");
    }
    measure("html x2", [&] { return report::HtmlReport::render(pair); }, 2 * n);

    // Loading the run from a workspace file, as `assay report` does (slow to set up: one commit per
    // item, so only with --load).
    const bool load = QCoreApplication::arguments().contains(QStringLiteral("--load"));
    QTemporaryDir dir;
    store::Workspace workspace;
    QString error;
    if (load && workspace.open(dir.filePath(QStringLiteral("bench.sqlite")), &error)) {
        store::EvalStore store(workspace);
        const auto eval = store.saveEval(QStringLiteral("Bench eval"), input.runs.front().eval.definition);
        store::RunRecord run = input.runs.front().run;
        run.evalId = eval ? eval->id : 0;
        run.source = QStringLiteral("local");
        const auto runId = store.createRun(run, &error);
        if (runId) {
            for (store::OutputItemRecord item : input.runs.front().items) {
                item.runId = *runId;
                store.commitItem(item);
            }
            const auto t0 = Clock::now();
            const auto loaded = report::loadReportInput(store, {QStringLiteral("latest")}, &error);
            const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
            std::printf("load      %8lld items  wall %6.3f s  (from the workspace file)\n",
                        static_cast<long long>(loaded ? loaded->runs.front().items.size() : 0), wall);
        }
    }
    const bool ok = html < 5.0 && csv < 5.0;
    std::printf("target: HTML and CSV < 5 s each: %s\n", ok ? "met" : "NOT met");
    return ok ? 0 : 1;
}
