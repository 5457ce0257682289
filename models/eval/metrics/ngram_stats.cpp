#include "models/eval/metrics/ngram_stats.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <functional>

namespace assay::eval::metrics::detail {

namespace {

std::size_t tableCapacity(std::size_t expected)
{
    std::size_t capacity = 16;
    while (capacity < expected * 2)
        capacity *= 2;
    return capacity;
}

// Open-addressing map from string to dense id; slots hold id + 1 (0 = empty).
class StringIdMap {
public:
    void reset(std::size_t expected)
    {
        const std::size_t capacity = tableCapacity(expected);
        m_slots.assign(capacity, 0);
        m_hashes.resize(capacity);
        m_keys.resize(capacity);
        m_mask = capacity - 1;
        m_size = 0;
    }

    std::uint32_t idFor(std::string_view key)
    {
        const std::size_t hash = std::hash<std::string_view>{}(key);
        std::size_t slot = hash & m_mask;
        while (m_slots[slot] != 0) {
            if (m_hashes[slot] == hash && m_keys[slot] == key)
                return m_slots[slot] - 1;
            slot = (slot + 1) & m_mask;
        }
        m_slots[slot] = static_cast<std::uint32_t>(++m_size);
        m_hashes[slot] = hash;
        m_keys[slot] = key;
        return m_slots[slot] - 1;
    }

    std::size_t size() const { return m_size; }

private:
    std::vector<std::uint32_t> m_slots;
    std::vector<std::size_t> m_hashes;
    std::vector<std::string_view> m_keys;
    std::size_t m_mask = 0;
    std::size_t m_size = 0;
};

// Open-addressing map from a packed (prefix id, token id) pair to a dense n-gram id.
class PairIdMap {
public:
    void reset(std::size_t expected)
    {
        const std::size_t capacity = tableCapacity(expected);
        m_slots.assign(capacity, 0);
        m_keys.resize(capacity);
        m_mask = capacity - 1;
        m_shift = 64 - std::countr_zero(capacity);
        m_size = 0;
    }

    std::uint32_t idFor(std::uint64_t key)
    {
        std::size_t slot = static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ULL) >> m_shift) & m_mask;
        while (m_slots[slot] != 0) {
            if (m_keys[slot] == key)
                return m_slots[slot] - 1;
            slot = (slot + 1) & m_mask;
        }
        m_slots[slot] = static_cast<std::uint32_t>(++m_size);
        m_keys[slot] = key;
        return m_slots[slot] - 1;
    }

    std::size_t size() const { return m_size; }

private:
    std::vector<std::uint32_t> m_slots;
    std::vector<std::uint64_t> m_keys;
    std::size_t m_mask = 0;
    int m_shift = 60;
    std::size_t m_size = 0;
};

std::size_t multisetOverlap(const std::vector<std::uint32_t> &hyp, const std::vector<std::uint32_t> &ref,
                            std::size_t idCount)
{
    thread_local std::vector<std::uint32_t> hypCounts;
    thread_local std::vector<std::uint32_t> refCounts;
    hypCounts.assign(idCount, 0);
    refCounts.assign(idCount, 0);
    for (std::uint32_t id : hyp)
        ++hypCounts[id];
    for (std::uint32_t id : ref)
        ++refCounts[id];
    std::size_t overlap = 0;
    for (std::size_t id = 0; id < idCount; ++id)
        overlap += std::min(hypCounts[id], refCounts[id]);
    return overlap;
}

// Hyyrö's bit-parallel LCS (as in rapidfuzz's lcs_seq): one machine word tracks 64 pattern
// positions, so the cost is ceil(m / 64) * n word operations. maskAt(j) gives the match mask
// blocks of the pattern for text symbol j.
template <typename MaskAt>
std::size_t bitParallelLcs(std::size_t m, std::size_t blocks, std::size_t n, MaskAt maskAt)
{
    if (m == 0 || n == 0)
        return 0;
    std::size_t lcs = 0;
    if (blocks == 1) {
        std::uint64_t s = ~0ULL;
        for (std::size_t j = 0; j < n; ++j) {
            const std::uint64_t u = s & maskAt(j)[0];
            s = (s + u) | (s - u);
        }
        std::uint64_t zeros = ~s;
        if (m < 64)
            zeros &= (1ULL << m) - 1;
        return static_cast<std::size_t>(std::popcount(zeros));
    }
    thread_local std::vector<std::uint64_t> state;
    state.assign(blocks, ~0ULL);
    for (std::size_t j = 0; j < n; ++j) {
        const std::uint64_t *pm = maskAt(j);
        std::uint64_t carry = 0;
        for (std::size_t k = 0; k < blocks; ++k) {
            const std::uint64_t v = state[k];
            const std::uint64_t u = v & pm[k];
            std::uint64_t x = v + u;
            const std::uint64_t carry1 = x < v ? 1 : 0;
            x += carry;
            const std::uint64_t carry2 = x < carry ? 1 : 0;
            carry = carry1 | carry2;
            state[k] = x | (v - u);
        }
    }
    for (std::size_t k = 0; k < blocks; ++k) {
        std::uint64_t zeros = ~state[k];
        const std::size_t bitsHere = std::min<std::size_t>(64, m - k * 64);
        if (bitsHere < 64)
            zeros &= (1ULL << bitsHere) - 1;
        lcs += static_cast<std::size_t>(std::popcount(zeros));
    }
    return lcs;
}

} // namespace

void assignTokenIds(const std::vector<std::string_view> &hyp, const std::vector<std::string_view> &ref,
                    TokenIds &out)
{
    thread_local StringIdMap map;
    map.reset(hyp.size() + ref.size());
    out.hyp.resize(hyp.size());
    out.ref.resize(ref.size());
    for (std::size_t i = 0; i < hyp.size(); ++i)
        out.hyp[i] = map.idFor(hyp[i]);
    for (std::size_t i = 0; i < ref.size(); ++i)
        out.ref[i] = map.idFor(ref[i]);
    out.count = map.size();
}

void ngramStats(const TokenIds &ids, int maxN, NgramStats &out)
{
    out = NgramStats{};
    maxN = std::clamp(maxN, 0, NgramStats::kMaxN);
    if (maxN < 1)
        return;
    out.hypTotal[1] = ids.hyp.size();
    out.refTotal[1] = ids.ref.size();
    out.overlap[1] = multisetOverlap(ids.hyp, ids.ref, ids.count);

    // The id of the n-gram at position i is the id of the pair (id of the (n-1)-gram at i,
    // token at i + n - 1), so each order costs one hash lookup per position.
    thread_local std::vector<std::uint32_t> hypGrams;
    thread_local std::vector<std::uint32_t> refGrams;
    thread_local PairIdMap map;
    hypGrams = ids.hyp;
    refGrams = ids.ref;
    for (int n = 2; n <= maxN; ++n) {
        const std::size_t hypCount = ids.hyp.size() >= static_cast<std::size_t>(n) ? ids.hyp.size() - n + 1 : 0;
        const std::size_t refCount = ids.ref.size() >= static_cast<std::size_t>(n) ? ids.ref.size() - n + 1 : 0;
        out.hypTotal[n] = hypCount;
        out.refTotal[n] = refCount;
        if (hypCount == 0 && refCount == 0)
            continue;
        map.reset(hypCount + refCount);
        for (std::size_t i = 0; i < hypCount; ++i)
            hypGrams[i] = map.idFor((static_cast<std::uint64_t>(hypGrams[i]) << 32) | ids.hyp[i + n - 1]);
        for (std::size_t i = 0; i < refCount; ++i)
            refGrams[i] = map.idFor((static_cast<std::uint64_t>(refGrams[i]) << 32) | ids.ref[i + n - 1]);
        hypGrams.resize(hypCount);
        refGrams.resize(refCount);
        out.overlap[n] = (hypCount == 0 || refCount == 0) ? 0 : multisetOverlap(hypGrams, refGrams, map.size());
    }
}

std::size_t lcsLength(const std::vector<std::uint32_t> &a, const std::vector<std::uint32_t> &b,
                      std::size_t alphabetSize)
{
    const bool aIsPattern = a.size() <= b.size();
    const std::vector<std::uint32_t> &pattern = aIsPattern ? a : b;
    const std::vector<std::uint32_t> &text = aIsPattern ? b : a;
    const std::size_t m = pattern.size();
    if (m == 0 || text.empty())
        return 0;
    const std::size_t blocks = (m + 63) / 64;
    // Mask rows only for symbols of the pattern; row 0 stays all-zero for the others.
    thread_local std::vector<std::uint32_t> rowOf;
    thread_local std::vector<std::uint64_t> masks;
    rowOf.assign(alphabetSize, 0);
    std::size_t rows = 1;
    for (std::uint32_t symbol : pattern) {
        if (rowOf[symbol] == 0)
            rowOf[symbol] = static_cast<std::uint32_t>(rows++);
    }
    masks.assign(rows * blocks, 0);
    for (std::size_t i = 0; i < m; ++i)
        masks[rowOf[pattern[i]] * blocks + i / 64] |= 1ULL << (i % 64);
    const std::uint64_t *base = masks.data();
    return bitParallelLcs(m, blocks, text.size(),
                          [&](std::size_t j) { return base + rowOf[text[j]] * blocks; });
}

std::size_t lcsLength(std::u32string_view a, std::u32string_view b)
{
    // A common prefix and suffix belong to every LCS; stripping them shortens the bit-parallel part.
    std::size_t prefix = 0;
    while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix])
        ++prefix;
    a.remove_prefix(prefix);
    b.remove_prefix(prefix);
    std::size_t suffix = 0;
    while (suffix < a.size() && suffix < b.size() && a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix])
        ++suffix;
    a.remove_suffix(suffix);
    b.remove_suffix(suffix);
    const std::size_t common = prefix + suffix;

    const std::u32string_view pattern = a.size() <= b.size() ? a : b;
    const std::u32string_view text = a.size() <= b.size() ? b : a;
    const std::size_t m = pattern.size();
    if (m == 0 || text.empty())
        return common;
    const std::size_t blocks = (m + 63) / 64;

    // ASCII symbols index a direct table; other code points a sorted key list.
    thread_local std::vector<std::uint64_t> ascii;
    thread_local std::vector<char32_t> keys;
    thread_local std::vector<std::uint64_t> other;
    thread_local std::vector<std::uint64_t> zero;
    ascii.assign(128 * blocks, 0);
    zero.assign(blocks, 0);
    keys.clear();
    for (char32_t c : pattern) {
        if (c >= 128)
            keys.push_back(c);
    }
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    other.assign(keys.size() * blocks, 0);
    const auto otherRow = [&](char32_t c) -> std::ptrdiff_t {
        const auto it = std::lower_bound(keys.begin(), keys.end(), c);
        if (it == keys.end() || *it != c)
            return -1;
        return it - keys.begin();
    };
    for (std::size_t i = 0; i < m; ++i) {
        const char32_t c = pattern[i];
        const std::uint64_t bit = 1ULL << (i % 64);
        if (c < 128)
            ascii[c * blocks + i / 64] |= bit;
        else
            other[static_cast<std::size_t>(otherRow(c)) * blocks + i / 64] |= bit;
    }
    const bool anyOther = !keys.empty();
    const std::size_t lcs = bitParallelLcs(m, blocks, text.size(), [&](std::size_t j) -> const std::uint64_t * {
        const char32_t c = text[j];
        if (c < 128)
            return ascii.data() + c * blocks;
        if (!anyOther)
            return zero.data();
        const std::ptrdiff_t row = otherRow(c);
        return row < 0 ? zero.data() : other.data() + static_cast<std::size_t>(row) * blocks;
    });
    return common + lcs;
}

double fsum(const double *values, std::size_t count)
{
    // CPython's math_fsum (Modules/mathmodule.c) for finite inputs.
    std::vector<double> partials;
    partials.reserve(count);
    for (std::size_t k = 0; k < count; ++k) {
        double x = values[k];
        std::size_t i = 0;
        for (double y : partials) {
            if (std::fabs(x) < std::fabs(y))
                std::swap(x, y);
            const double hi = x + y;
            const double lo = y - (hi - x);
            if (lo != 0.0)
                partials[i++] = lo;
            x = hi;
        }
        partials.resize(i);
        partials.push_back(x);
    }
    std::size_t n = partials.size();
    double hi = 0.0;
    if (n > 0) {
        hi = partials[--n];
        double lo = 0.0;
        while (n > 0) {
            const double x = hi;
            const double y = partials[--n];
            hi = x + y;
            const double yr = hi - x;
            lo = y - yr;
            if (lo != 0.0)
                break;
        }
        if (n > 0 && ((lo < 0.0 && partials[n - 1] < 0.0) || (lo > 0.0 && partials[n - 1] > 0.0))) {
            const double y = lo * 2.0;
            const double x = hi + y;
            const double yr = x - hi;
            if (y == yr)
                hi = x;
        }
    }
    return hi;
}

} // namespace assay::eval::metrics::detail
