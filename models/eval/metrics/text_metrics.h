#pragma once

#include <string>
#include <string_view>
#include <vector>

// The text_similarity grader's metrics. Each follows one reference implementation (named at its
// definition) and matches it to 1e-6; all return a score in [0, 1].
namespace assay::eval::metrics {

// rapidfuzz fuzz.ratio / 100: normalized Indel similarity over Unicode code points.
double fuzzyRatio(std::string_view a, std::string_view b);
// Sentence BLEU (hypothesis = model output, reference = expected text).
double bleu(std::string_view hypothesis, std::string_view reference);
// Google BLEU (GLEU) for one sentence pair.
double gleu(std::string_view hypothesis, std::string_view reference);
// METEOR (exact and stem matching).
double meteor(std::string_view hypothesis, std::string_view reference);
// ROUGE-N F-measure, n in 1..5.
double rougeN(std::string_view hypothesis, std::string_view reference, int n);
// ROUGE-L F-measure (longest common subsequence).
double rougeL(std::string_view hypothesis, std::string_view reference);
// Cosine similarity of two embeddings (0 when either is empty, the lengths differ, or a norm is 0).
double cosineSimilarity(const std::vector<double> &a, const std::vector<double> &b);

} // namespace assay::eval::metrics
