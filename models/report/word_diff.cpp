#include "models/report/word_diff.h"

#include <algorithm>
#include <vector>

#include <QHash>

namespace assay::report {

namespace {

bool isWordChar(QChar c)
{
    return c.isLetterOrNumber() || c == QLatin1Char('_') || c.isMark();
}

bool isApostrophe(QChar c)
{
    return c == QLatin1Char('\'') || c == QChar(0x2019);
}

struct Op {
    DiffSegment::Kind kind;
    const QString *token;
};

QList<DiffSegment> buildSegments(const std::vector<Op> &ops)
{
    // Inside a stretch of changes, deletions first: "old words" then "new words" reads best.
    QList<DiffSegment> segments;
    QString deleted, inserted;
    auto flushChanges = [&]() {
        if (!deleted.isEmpty())
            segments.append({DiffSegment::Kind::Delete, deleted});
        if (!inserted.isEmpty())
            segments.append({DiffSegment::Kind::Insert, inserted});
        deleted.clear();
        inserted.clear();
    };
    for (const Op &op : ops) {
        switch (op.kind) {
        case DiffSegment::Kind::Delete:
            deleted += *op.token;
            break;
        case DiffSegment::Kind::Insert:
            inserted += *op.token;
            break;
        case DiffSegment::Kind::Equal:
            flushChanges();
            if (!segments.isEmpty() && segments.last().kind == DiffSegment::Kind::Equal)
                segments.last().text += *op.token;
            else
                segments.append({DiffSegment::Kind::Equal, *op.token});
            break;
        }
    }
    flushChanges();
    return segments;
}

} // namespace

QStringList wordTokens(const QString &text)
{
    QStringList tokens;
    const qsizetype n = text.size();
    qsizetype i = 0;
    while (i < n) {
        const QChar c = text.at(i);
        qsizetype j = i + 1;
        if (c.isSpace()) {
            while (j < n && text.at(j).isSpace())
                ++j;
        } else if (isWordChar(c) || (c.isHighSurrogate() && j < n && text.at(j).isLowSurrogate() &&
                                     QChar::isLetterOrNumber(QChar::surrogateToUcs4(c, text.at(j))))) {
            while (j < n) {
                const QChar d = text.at(j);
                if (isWordChar(d)) {
                    ++j;
                } else if (isApostrophe(d) && j + 1 < n && isWordChar(text.at(j + 1))) {
                    j += 2;
                } else if (d.isHighSurrogate() && j + 1 < n && text.at(j + 1).isLowSurrogate() &&
                           QChar::isLetterOrNumber(QChar::surrogateToUcs4(d, text.at(j + 1)))) {
                    j += 2;
                } else {
                    break;
                }
            }
        } else if (c.isHighSurrogate() && j < n && text.at(j).isLowSurrogate()) {
            ++j;
        }
        tokens.append(text.mid(i, j - i));
        i = j;
    }
    return tokens;
}

QList<DiffSegment> wordDiff(const QString &before, const QString &after, int maxEdits)
{
    const QStringList a = wordTokens(before);
    const QStringList b = wordTokens(after);
    // Tokens compared as integers: the hash is only looked up, never iterated.
    QHash<QString, int> ids;
    auto internStable = [&ids](const QStringList &tokens) {
        std::vector<int> out;
        out.reserve(static_cast<size_t>(tokens.size()));
        for (const QString &t : tokens) {
            auto it = ids.constFind(t);
            if (it == ids.constEnd())
                it = ids.insert(t, static_cast<int>(ids.size()));
            out.push_back(it.value());
        }
        return out;
    };
    const std::vector<int> x = internStable(a);
    const std::vector<int> y = internStable(b);

    const int n = static_cast<int>(x.size());
    const int m = static_cast<int>(y.size());
    int prefix = 0;
    while (prefix < n && prefix < m && x[static_cast<size_t>(prefix)] == y[static_cast<size_t>(prefix)])
        ++prefix;
    int suffix = 0;
    while (suffix < n - prefix && suffix < m - prefix &&
           x[static_cast<size_t>(n - 1 - suffix)] == y[static_cast<size_t>(m - 1 - suffix)])
        ++suffix;

    std::vector<Op> ops;
    ops.reserve(static_cast<size_t>(n + m));
    for (int i = 0; i < prefix; ++i)
        ops.push_back({DiffSegment::Kind::Equal, &a.at(i)});

    const int N = n - prefix - suffix;
    const int M = m - prefix - suffix;
    auto A = [&](int i) { return x[static_cast<size_t>(prefix + i)]; };
    auto B = [&](int j) { return y[static_cast<size_t>(prefix + j)]; };

    std::vector<Op> middle; // built backwards
    bool solved = false;
    if (N == 0 || M == 0) {
        solved = false; // handled by the plain delete/insert below
    } else {
        const int dMax = std::min(N + M, std::max(0, maxEdits));
        const int offset = dMax + 1;
        std::vector<int> v(static_cast<size_t>(2 * dMax + 3), 0);
        // trace[d]: v[-d..d] as it stood when round d began.
        std::vector<std::vector<int>> trace;
        int found = -1;
        for (int d = 0; d <= dMax && found < 0; ++d) {
            trace.emplace_back(v.begin() + (offset - d), v.begin() + (offset + d + 1));
            for (int k = -d; k <= d; k += 2) {
                int px;
                if (k == -d || (k != d && v[static_cast<size_t>(offset + k - 1)] < v[static_cast<size_t>(offset + k + 1)]))
                    px = v[static_cast<size_t>(offset + k + 1)];
                else
                    px = v[static_cast<size_t>(offset + k - 1)] + 1;
                int py = px - k;
                while (px < N && py < M && A(px) == B(py)) {
                    ++px;
                    ++py;
                }
                v[static_cast<size_t>(offset + k)] = px;
                if (px >= N && py >= M) {
                    found = d;
                    break;
                }
            }
        }
        if (found >= 0) {
            solved = true;
            int cx = N, cy = M;
            for (int d = found; d > 0; --d) {
                const std::vector<int> &prev = trace[static_cast<size_t>(d)];
                auto at = [&](int k) { return prev[static_cast<size_t>(k + d)]; };
                const int k = cx - cy;
                int prevK;
                if (k == -d || (k != d && at(k - 1) < at(k + 1)))
                    prevK = k + 1;
                else
                    prevK = k - 1;
                const int prevX = at(prevK);
                const int prevY = prevX - prevK;
                while (cx > prevX && cy > prevY) {
                    middle.push_back({DiffSegment::Kind::Equal, &a.at(prefix + cx - 1)});
                    --cx;
                    --cy;
                }
                if (cx == prevX) {
                    middle.push_back({DiffSegment::Kind::Insert, &b.at(prefix + cy - 1)});
                    --cy;
                } else {
                    middle.push_back({DiffSegment::Kind::Delete, &a.at(prefix + cx - 1)});
                    --cx;
                }
            }
            while (cx > 0 && cy > 0) {
                middle.push_back({DiffSegment::Kind::Equal, &a.at(prefix + cx - 1)});
                --cx;
                --cy;
            }
            std::reverse(middle.begin(), middle.end());
        }
    }
    if (!solved) {
        for (int i = 0; i < N; ++i)
            middle.push_back({DiffSegment::Kind::Delete, &a.at(prefix + i)});
        for (int j = 0; j < M; ++j)
            middle.push_back({DiffSegment::Kind::Insert, &b.at(prefix + j)});
    }
    ops.insert(ops.end(), middle.begin(), middle.end());
    for (int i = n - suffix; i < n; ++i)
        ops.push_back({DiffSegment::Kind::Equal, &a.at(i)});
    return buildSegments(ops);
}

} // namespace assay::report
