#pragma once

#include <string>
#include <string_view>
#include <vector>

// The text_similarity grader's metrics. Each follows one reference implementation (named, with its
// tokenization, at its definition in text_metrics.cpp) and matches it to 1e-6 (checked by
// tst_text_metrics against the Python originals). Text is UTF-8. All scores are in [0, 1] except
// cosine similarity, which is in [-1, 1]. Thread-safe (scratch buffers are thread-local).
namespace assay::eval::metrics {

// rapidfuzz fuzz.ratio / 100: normalized Indel similarity over Unicode code points, no
// preprocessing (case and punctuation count). Two empty strings give 1.
double fuzzyRatio(std::string_view a, std::string_view b);
// Sentence BLEU (hypothesis = model output, reference = expected text): nltk sentence_bleu with
// default weights and no smoothing, tokens = Python str.split().
double bleu(std::string_view hypothesis, std::string_view reference);
// Google BLEU (GLEU) for one sentence pair: nltk sentence_gleu, 1- to 4-grams, str.split() tokens.
double gleu(std::string_view hypothesis, std::string_view reference);
// METEOR (exact and Porter-stem matching, no WordNet synonyms): nltk single_meteor_score,
// str.split() tokens lowercased.
double meteor(std::string_view hypothesis, std::string_view reference);
// ROUGE-N F-measure, n in 1..5 (rouge-score, no stemmer: lowercase, [a-z0-9] runs as tokens).
double rougeN(std::string_view hypothesis, std::string_view reference, int n);
// ROUGE-L F-measure (longest common subsequence of rouge-score tokens; not rougeLsum).
double rougeL(std::string_view hypothesis, std::string_view reference);
// Cosine similarity of two embeddings (0 when either is empty, the lengths differ, or a norm is 0).
double cosineSimilarity(const std::vector<double> &a, const std::vector<double> &b);

} // namespace assay::eval::metrics
