#include "models/eval/metrics/text_metrics.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <utility>

#include "models/eval/metrics/ngram_stats.h"
#include "models/eval/metrics/porter_stemmer.h"
#include "models/eval/metrics/text_tokenize.h"

namespace assay::eval::metrics {

namespace {

// Tokens of both texts split as Python's str.split() does, mapped to shared ids.
const detail::TokenIds &whitespaceTokenIds(std::string_view hypothesis, std::string_view reference)
{
    thread_local std::vector<std::string_view> hyp;
    thread_local std::vector<std::string_view> ref;
    thread_local detail::TokenIds ids;
    splitPythonWhitespace(hypothesis, hyp);
    splitPythonWhitespace(reference, ref);
    detail::assignTokenIds(hyp, ref, ids);
    return ids;
}

// Tokens of both texts as rouge-score's default tokenizer makes them, mapped to shared ids.
const detail::TokenIds &rougeTokenIds(std::string_view hypothesis, std::string_view reference)
{
    thread_local std::string hypBuffer;
    thread_local std::string refBuffer;
    thread_local std::vector<TokenSpan> hypSpans;
    thread_local std::vector<TokenSpan> refSpans;
    thread_local std::vector<std::string_view> hyp;
    thread_local std::vector<std::string_view> ref;
    thread_local detail::TokenIds ids;
    rougeTokenize(hypothesis, hypBuffer, hypSpans);
    rougeTokenize(reference, refBuffer, refSpans);
    hyp.clear();
    ref.clear();
    for (const TokenSpan &span : hypSpans)
        hyp.emplace_back(hypBuffer.data() + span.offset, span.length);
    for (const TokenSpan &span : refSpans)
        ref.emplace_back(refBuffer.data() + span.offset, span.length);
    detail::assignTokenIds(hyp, ref, ids);
    return ids;
}

// rouge_score.scoring.fmeasure, same operation order.
double rougeFmeasure(double precision, double recall)
{
    if (precision + recall > 0)
        return 2 * precision * recall / (precision + recall);
    return 0.0;
}

using EnumWord = std::pair<std::size_t, std::u32string>;
using Match = std::pair<std::size_t, std::size_t>;

// nltk meteor_score._match_enums: for each hypothesis word from the last, the last still-unmatched
// reference word equal to it; both are removed from the lists.
void matchEnums(std::vector<EnumWord> &hyp, std::vector<EnumWord> &ref, std::vector<Match> &matches)
{
    for (std::size_t i = hyp.size(); i-- > 0;) {
        for (std::size_t j = ref.size(); j-- > 0;) {
            if (hyp[i].second == ref[j].second) {
                matches.emplace_back(hyp[i].first, ref[j].first);
                hyp.erase(hyp.begin() + static_cast<std::ptrdiff_t>(i));
                ref.erase(ref.begin() + static_cast<std::ptrdiff_t>(j));
                break;
            }
        }
    }
}

} // namespace

// rapidfuzz fuzz.ratio(a, b) / 100 (= python-Levenshtein's Levenshtein.ratio), over Unicode code
// points of the decoded UTF-8, no preprocessing: 1 - indel_distance / (len(a) + len(b)), where
// indel_distance = len(a) + len(b) - 2 * LCS. Two empty strings give 1.0, as rapidfuzz's
// normalized_similarity does (its normalized distance is 0 when both lengths are 0).
double fuzzyRatio(std::string_view a, std::string_view b)
{
    thread_local std::u32string left;
    thread_local std::u32string right;
    decodeUtf8(a, left);
    decodeUtf8(b, right);
    const std::size_t lengthSum = left.size() + right.size();
    if (lengthSum == 0)
        return 1.0;
    const std::size_t lcs = detail::lcsLength(left, right);
    const std::size_t distance = lengthSum - 2 * lcs;
    return 1.0 - static_cast<double>(distance) / static_cast<double>(lengthSum);
}

// nltk 3.8 nltk.translate.bleu_score.sentence_bleu([reference], hypothesis) with its defaults:
// weights (0.25,)*4, no smoothing (SmoothingFunction().method0), no auto_reweigh. Tokens: Python
// str.split(). Mirrors nltk exactly: 0 when no unigram matches; an order with no match enters as
// sys.float_info.min (so the score is ~1e-77 or less rather than exactly 0); the log terms are summed with
// math.fsum; brevity penalty exp(1 - r/c) when c <= r.
double bleu(std::string_view hypothesis, std::string_view reference)
{
    const detail::TokenIds &ids = whitespaceTokenIds(hypothesis, reference);
    detail::NgramStats stats;
    detail::ngramStats(ids, 4, stats);
    if (stats.overlap[1] == 0)
        return 0.0;
    double terms[4];
    for (int n = 1; n <= 4; ++n) {
        const double p = stats.overlap[n] != 0
                             ? static_cast<double>(stats.overlap[n])
                                   / static_cast<double>(std::max<std::size_t>(1, stats.hypTotal[n]))
                             : DBL_MIN;
        terms[n - 1] = 0.25 * std::log(p);
    }
    const std::size_t hypLength = ids.hyp.size();
    const std::size_t refLength = ids.ref.size();
    double brevity = 1.0;
    if (hypLength > refLength)
        brevity = 1.0;
    else if (hypLength == 0)
        brevity = 0.0;
    else
        brevity = std::exp(1 - static_cast<double>(refLength) / static_cast<double>(hypLength));
    return brevity * std::exp(detail::fsum(terms, 4));
}

// nltk 3.8 nltk.translate.gleu_score.sentence_gleu([reference], hypothesis, min_len=1, max_len=4).
// Tokens: Python str.split(). matched 1..4-grams / max(hypothesis 1..4-grams, reference
// 1..4-grams); 0.0 when both texts are empty.
double gleu(std::string_view hypothesis, std::string_view reference)
{
    const detail::TokenIds &ids = whitespaceTokenIds(hypothesis, reference);
    detail::NgramStats stats;
    detail::ngramStats(ids, 4, stats);
    std::size_t truePositives = 0;
    std::size_t hypCount = 0;
    std::size_t refCount = 0;
    for (int n = 1; n <= 4; ++n) {
        truePositives += stats.overlap[n];
        hypCount += stats.hypTotal[n];
        refCount += stats.refTotal[n];
    }
    const std::size_t all = std::max(hypCount, refCount);
    if (all == 0)
        return 0.0;
    return static_cast<double>(truePositives) / static_cast<double>(all);
}

// nltk 3.8 nltk.translate.meteor_score.single_meteor_score(reference, hypothesis) with its
// defaults (preprocess=str.lower, PorterStemmer() in NLTK_EXTENSIONS mode, alpha=0.9, beta=3,
// gamma=0.5) but no WordNet synonym stage: no WordNet data ships with Assay. The stage is dropped
// rather than approximated; with a WordNet whose synsets() are empty nltk's result is identical,
// because a word's own (stemmed) form is its only "synonym" and the stem stage already matched
// every such pair. Tokens: Python str.split(), then Python str.lower() per token.
double meteor(std::string_view hypothesis, std::string_view reference)
{
    static const PorterStemmer stemmer;
    thread_local std::vector<std::string_view> hypTokens;
    thread_local std::vector<std::string_view> refTokens;
    splitPythonWhitespace(hypothesis, hypTokens);
    splitPythonWhitespace(reference, refTokens);
    std::vector<EnumWord> hyp;
    std::vector<EnumWord> ref;
    hyp.reserve(hypTokens.size());
    ref.reserve(refTokens.size());
    for (std::size_t i = 0; i < hypTokens.size(); ++i)
        hyp.emplace_back(i, pythonLower(decodeUtf8(hypTokens[i])));
    for (std::size_t i = 0; i < refTokens.size(); ++i)
        ref.emplace_back(i, pythonLower(decodeUtf8(refTokens[i])));
    const std::size_t translationLength = hyp.size();
    const std::size_t referenceLength = ref.size();

    std::vector<Match> matches;
    matchEnums(hyp, ref, matches);
    for (EnumWord &word : hyp)
        word.second = stemmer.stem(word.second);
    for (EnumWord &word : ref)
        word.second = stemmer.stem(word.second);
    matchEnums(hyp, ref, matches);
    std::stable_sort(matches.begin(), matches.end(),
                     [](const Match &x, const Match &y) { return x.first < y.first; });

    const std::size_t matchCount = matches.size();
    // Where nltk divides by zero (no words, or no match) it returns 0.
    if (translationLength == 0 || referenceLength == 0 || matchCount == 0)
        return 0.0;
    const double alpha = 0.9;
    const double beta = 3.0;
    const double gamma = 0.5;
    const double precision = static_cast<double>(matchCount) / static_cast<double>(translationLength);
    const double recall = static_cast<double>(matchCount) / static_cast<double>(referenceLength);
    const double fmean = (precision * recall) / (alpha * precision + (1 - alpha) * recall);
    // nltk _count_chunks: runs of matches adjacent in both texts.
    std::size_t chunks = 1;
    for (std::size_t i = 0; i + 1 < matches.size(); ++i) {
        if (!(matches[i + 1].first == matches[i].first + 1 && matches[i + 1].second == matches[i].second + 1))
            ++chunks;
    }
    const double fragmentation = static_cast<double>(chunks) / static_cast<double>(matchCount);
    const double penalty = gamma * std::pow(fragmentation, beta);
    return (1 - penalty) * fmean;
}

// rouge-score 0.1.2 RougeScorer(["rougeN"], use_stemmer=False).score(reference, hypothesis)
// ["rougeN"].fmeasure: _create_ngrams / _score_ngrams (clipped n-gram overlap, precision over the
// hypothesis, recall over the reference, F1; 0 when both are 0). Tokens: rouge-score's default
// tokenizer (lowercase, runs of [a-z0-9], see rougeTokenize). n < 1 gives 0 (rouge-score rejects it).
double rougeN(std::string_view hypothesis, std::string_view reference, int n)
{
    if (n < 1 || n > detail::NgramStats::kMaxN)
        return 0.0;
    const detail::TokenIds &ids = rougeTokenIds(hypothesis, reference);
    detail::NgramStats stats;
    detail::ngramStats(ids, n, stats);
    const double overlap = static_cast<double>(stats.overlap[n]);
    const double precision = overlap / static_cast<double>(std::max<std::size_t>(stats.hypTotal[n], 1));
    const double recall = overlap / static_cast<double>(std::max<std::size_t>(stats.refTotal[n], 1));
    return rougeFmeasure(precision, recall);
}

// rouge-score 0.1.2 RougeScorer(["rougeL"], use_stemmer=False).score(reference, hypothesis)
// ["rougeL"].fmeasure: _score_lcs (token-level LCS, 0 when either text has no tokens). Not
// rougeLsum. Tokens: rouge-score's default tokenizer, as for rougeN.
double rougeL(std::string_view hypothesis, std::string_view reference)
{
    const detail::TokenIds &ids = rougeTokenIds(hypothesis, reference);
    if (ids.hyp.empty() || ids.ref.empty())
        return 0.0;
    const auto lcs = static_cast<double>(detail::lcsLength(ids.ref, ids.hyp, ids.count));
    const double precision = lcs / static_cast<double>(ids.hyp.size());
    const double recall = lcs / static_cast<double>(ids.ref.size());
    return rougeFmeasure(precision, recall);
}

// dot(a, b) / (|a| |b|), the usual cosine similarity of two embedding vectors. It lies in [-1, 1];
// 0 when either vector is empty, their lengths differ, or a norm is 0.
double cosineSimilarity(const std::vector<double> &a, const std::vector<double> &b)
{
    if (a.empty() || b.empty() || a.size() != b.size())
        return 0.0;
    double dot = 0.0;
    double normA = 0.0;
    double normB = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        dot += a[i] * b[i];
        normA += a[i] * a[i];
        normB += b[i] * b[i];
    }
    if (normA == 0.0 || normB == 0.0)
        return 0.0;
    return dot / (std::sqrt(normA) * std::sqrt(normB));
}

} // namespace assay::eval::metrics
