// Throughput of the text_similarity metrics on one thread: 100,000 pairs of 50-word texts (a
// deterministic generator: the reference is the hypothesis with ~30% of its words substituted,
// dropped, inserted or re-cased). The target is < 2 s per metric for BLEU, ROUGE-L and
// fuzzy_match; the other metrics are printed for information. Run a Release/RelWithDebInfo build:
//   bench_text_metrics [pairs]

#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "models/eval/metrics/text_metrics.h"

using namespace assay::eval::metrics;
using Clock = std::chrono::steady_clock;

namespace {

// CPU time of this thread: on a machine shared with other jobs wall time overstates the cost.
double threadCpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Pair {
    std::string hypothesis;
    std::string reference;
};

std::vector<Pair> generate(std::size_t count)
{
    const char *const vocabulary[] = {
        "the", "a", "of", "to", "in", "and", "is", "was", "for", "on", "with", "model", "models",
        "evaluation", "evaluate", "score", "scores", "answer", "answers", "question", "reference",
        "output", "text", "quickly", "running", "runs", "connected", "connection", "happiness",
        "Paris", "London", "capital", "city", "country", "population", "million", "people",
        "river", "bridge", "museum", "history", "century", "built", "famous", "largest", "north",
        "south", "caf\xC3\xA9", "na\xC3\xAFve", "Stra\xC3\x9F" "e", "2024", "3.14", "data,", "results.",
        "however", "because", "therefore", "(see", "below)", "\"quoted\"", "it's", "don't",
    };
    constexpr std::size_t vocabularySize = sizeof(vocabulary) / sizeof(vocabulary[0]);
    std::mt19937_64 rng(20261123);
    const auto pick = [&] { return std::string(vocabulary[rng() % vocabularySize]); };
    std::vector<Pair> pairs;
    pairs.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        std::vector<std::string> words;
        for (int w = 0; w < 50; ++w)
            words.push_back(pick());
        Pair pair;
        for (const std::string &word : words) {
            const unsigned roll = static_cast<unsigned>(rng() % 100);
            std::string out = word;
            if (roll < 10)
                out = pick(); // substitute
            else if (roll < 17)
                continue; // drop
            else if (roll < 24)
                out += " " + pick(); // insert
            else if (roll < 30 && !out.empty() && out[0] >= 'a' && out[0] <= 'z')
                out[0] = static_cast<char>(out[0] - 32); // re-case
            if (!pair.reference.empty())
                pair.reference += ' ';
            pair.reference += out;
        }
        for (const std::string &word : words) {
            if (!pair.hypothesis.empty())
                pair.hypothesis += ' ';
            pair.hypothesis += word;
        }
        pairs.push_back(std::move(pair));
    }
    return pairs;
}

template <typename Metric>
void measure(const char *name, const std::vector<Pair> &pairs, Metric metric, bool hasTarget)
{
    double checksum = 0.0;
    const double cpuStart = threadCpuSeconds();
    const auto start = Clock::now();
    for (const Pair &pair : pairs)
        checksum += metric(pair.hypothesis, pair.reference);
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    const double cpu = threadCpuSeconds() - cpuStart;
    // The target is stated for 100,000 pairs: scale when another count was asked for.
    const double scale = 100000.0 / static_cast<double>(pairs.size());
    std::printf("%-12s wall %7.3f s (%6.2f us/pair)  cpu %7.3f s (%6.2f us/pair)  mean %.6f", name, seconds,
                seconds * 1e6 / static_cast<double>(pairs.size()), cpu, cpu * 1e6 / static_cast<double>(pairs.size()),
                checksum / static_cast<double>(pairs.size()));
    if (hasTarget) {
        std::printf("  < 2 s per 100,000 pairs: wall %s, cpu %s", seconds * scale < 2.0 ? "MET" : "MISSED",
                    cpu * scale < 2.0 ? "MET" : "MISSED");
    }
    std::printf("\n");
}

} // namespace

int main(int argc, char **argv)
{
    const std::size_t count = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 100000;
    const auto start = Clock::now();
    const std::vector<Pair> pairs = generate(count);
    std::size_t bytes = 0;
    for (const Pair &pair : pairs)
        bytes += pair.hypothesis.size() + pair.reference.size();
    std::printf("%zu pairs of 50-word texts, %.0f bytes per pair on average (generated in %.2f s), one thread\n",
                pairs.size(), static_cast<double>(bytes) / static_cast<double>(pairs.size()),
                std::chrono::duration<double>(Clock::now() - start).count());

    measure("bleu", pairs, [](const std::string &h, const std::string &r) { return bleu(h, r); }, true);
    measure("rouge_l", pairs, [](const std::string &h, const std::string &r) { return rougeL(h, r); }, true);
    measure("fuzzy_match", pairs, [](const std::string &h, const std::string &r) { return fuzzyRatio(h, r); }, true);
    measure("gleu", pairs, [](const std::string &h, const std::string &r) { return gleu(h, r); }, false);
    for (int n = 1; n <= 5; ++n) {
        const std::string name = "rouge_" + std::to_string(n);
        measure(name.c_str(), pairs, [n](const std::string &h, const std::string &r) { return rougeN(h, r, n); },
                false);
    }
    measure("meteor", pairs, [](const std::string &h, const std::string &r) { return meteor(h, r); }, false);
    return 0;
}
