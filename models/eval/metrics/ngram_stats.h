#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

// Building blocks of the metrics that compare token sequences: dense token ids, n-gram multiset
// overlap and a bit-parallel longest common subsequence. Kept allocation-free in steady state
// (thread-local scratch) because the grader runs them over large datasets.
namespace assay::eval::metrics::detail {

// Maps the tokens of two texts to ids 0..count-1 (equal strings, equal ids).
struct TokenIds {
    std::vector<std::uint32_t> hyp;
    std::vector<std::uint32_t> ref;
    std::size_t count = 0;
};
void assignTokenIds(const std::vector<std::string_view> &hyp, const std::vector<std::string_view> &ref,
                    TokenIds &out);

// For n = 1..maxN: number of n-grams in each text and the size of their multiset intersection
// (sum over n-grams of min(count in hyp, count in ref)), index n.
struct NgramStats {
    static constexpr int kMaxN = 9;
    std::size_t hypTotal[kMaxN + 1] = {};
    std::size_t refTotal[kMaxN + 1] = {};
    std::size_t overlap[kMaxN + 1] = {};
};
void ngramStats(const TokenIds &ids, int maxN, NgramStats &out);

// Length of the longest common subsequence of two id sequences (ids < alphabetSize).
std::size_t lcsLength(const std::vector<std::uint32_t> &a, const std::vector<std::uint32_t> &b,
                      std::size_t alphabetSize);

// Length of the longest common subsequence of two code point sequences.
std::size_t lcsLength(std::u32string_view a, std::u32string_view b);

// math.fsum: the correctly rounded sum (Shewchuk / CPython's msum).
double fsum(const double *values, std::size_t count);

} // namespace assay::eval::metrics::detail
