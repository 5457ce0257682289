// Word-level diff of two outputs: what the run comparison shows for a changed answer.
#include <QRandomGenerator>
#include <QtTest>

#include "models/report/word_diff.h"

using assay::report::DiffSegment;
using assay::report::wordDiff;
using assay::report::wordTokens;
using Kind = DiffSegment::Kind;

namespace {

QString spell(const QList<DiffSegment> &segments, Kind skipped)
{
    QString out;
    for (const DiffSegment &s : segments) {
        if (s.kind != skipped)
            out += s.text;
    }
    return out;
}

int editedTokens(const QList<DiffSegment> &segments)
{
    int edits = 0;
    for (const DiffSegment &s : segments) {
        if (s.kind != Kind::Equal)
            edits += static_cast<int>(wordTokens(s.text).size());
    }
    return edits;
}

// Reference: edits of a minimal diff = n + m - 2 * LCS.
int lcsEdits(const QStringList &a, const QStringList &b)
{
    std::vector<std::vector<int>> t(static_cast<size_t>(a.size() + 1), std::vector<int>(static_cast<size_t>(b.size() + 1), 0));
    for (qsizetype i = 1; i <= a.size(); ++i) {
        for (qsizetype j = 1; j <= b.size(); ++j) {
            const size_t ui = static_cast<size_t>(i), uj = static_cast<size_t>(j);
            t[ui][uj] = a.at(i - 1) == b.at(j - 1) ? t[ui - 1][uj - 1] + 1 : std::max(t[ui - 1][uj], t[ui][uj - 1]);
        }
    }
    return static_cast<int>(a.size() + b.size()) - 2 * t[static_cast<size_t>(a.size())][static_cast<size_t>(b.size())];
}

QString randomText(QRandomGenerator &rng, int words)
{
    static const QStringList vocabulary = {QStringLiteral("the"), QStringLiteral("cat"), QStringLiteral("sat"),
                                           QStringLiteral("on"),  QStringLiteral("a"),   QStringLiteral("mat"),
                                           QStringLiteral("dog"), QStringLiteral("ran")};
    QStringList out;
    for (int i = 0; i < words; ++i)
        out.append(vocabulary.at(rng.bounded(static_cast<int>(vocabulary.size()))));
    return out.join(rng.bounded(4) == 0 ? QStringLiteral(", ") : QStringLiteral(" "));
}

} // namespace

class TestWordDiff : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void tokensSpellTheText()
    {
        const QString text = QStringLiteral("Don't panic:  it's 42 — naïve café,\nokay? 🙂");
        const QStringList tokens = wordTokens(text);
        QCOMPARE(tokens.join(QString()), text);
        QVERIFY(tokens.contains(QStringLiteral("Don't")));
        QVERIFY(tokens.contains(QStringLiteral("naïve")));
        QVERIFY(tokens.contains(QStringLiteral("  ")));
        QVERIFY(tokens.contains(QStringLiteral(":")));
        QVERIFY(tokens.contains(QStringLiteral("🙂")));
    }

    void replacedWordIsOneDeleteAndOneInsert()
    {
        const QList<DiffSegment> diff = wordDiff(QStringLiteral("the quick brown fox"), QStringLiteral("the slow brown fox"));
        const QList<DiffSegment> expected = {{Kind::Equal, QStringLiteral("the ")},
                                             {Kind::Delete, QStringLiteral("quick")},
                                             {Kind::Insert, QStringLiteral("slow")},
                                             {Kind::Equal, QStringLiteral(" brown fox")}};
        QCOMPARE(diff, expected);
    }

    void insertionAndDeletionAtTheEnds()
    {
        QCOMPARE(wordDiff(QStringLiteral("Paris"), QStringLiteral("Paris, France")),
                 (QList<DiffSegment>{{Kind::Equal, QStringLiteral("Paris")}, {Kind::Insert, QStringLiteral(", France")}}));
        QCOMPARE(wordDiff(QStringLiteral("Well, Paris"), QStringLiteral("Paris")),
                 (QList<DiffSegment>{{Kind::Delete, QStringLiteral("Well, ")}, {Kind::Equal, QStringLiteral("Paris")}}));
        QCOMPARE(wordDiff(QString(), QStringLiteral("new text")),
                 (QList<DiffSegment>{{Kind::Insert, QStringLiteral("new text")}}));
        QCOMPARE(wordDiff(QStringLiteral("old"), QString()), (QList<DiffSegment>{{Kind::Delete, QStringLiteral("old")}}));
        QVERIFY(wordDiff(QString(), QString()).isEmpty());
        QCOMPARE(wordDiff(QStringLiteral("same text"), QStringLiteral("same text")),
                 (QList<DiffSegment>{{Kind::Equal, QStringLiteral("same text")}}));
    }

    void wordsAreNotSplit()
    {
        // "cat" -> "cart" is a changed word, not an inserted letter.
        const QList<DiffSegment> diff = wordDiff(QStringLiteral("a cat"), QStringLiteral("a cart"));
        QCOMPARE(diff, (QList<DiffSegment>{{Kind::Equal, QStringLiteral("a ")},
                                           {Kind::Delete, QStringLiteral("cat")},
                                           {Kind::Insert, QStringLiteral("cart")}}));
    }

    void randomPairsAreReconstructedAndMinimal()
    {
        QRandomGenerator rng(20261123);
        for (int round = 0; round < 300; ++round) {
            const QString before = randomText(rng, rng.bounded(0, 30));
            const QString after = randomText(rng, rng.bounded(0, 30));
            const QList<DiffSegment> diff = wordDiff(before, after);
            QCOMPARE(spell(diff, Kind::Insert), before);
            QCOMPARE(spell(diff, Kind::Delete), after);
            QCOMPARE(editedTokens(diff), lcsEdits(wordTokens(before), wordTokens(after)));
            for (qsizetype i = 1; i < diff.size(); ++i) {
                QVERIFY(!(diff.at(i).kind == diff.at(i - 1).kind)); // merged
                QVERIFY(!(diff.at(i - 1).kind == Kind::Insert && diff.at(i).kind == Kind::Delete)); // delete first
            }
        }
    }

    void editLimitFallsBackToAWholeReplacement()
    {
        QRandomGenerator rng(7);
        const QString before = QStringLiteral("start ") + randomText(rng, 400) + QStringLiteral(" end");
        const QString after = QStringLiteral("start ") + randomText(rng, 400) + QStringLiteral(" end");
        const QList<DiffSegment> limited = wordDiff(before, after, 10);
        QCOMPARE(spell(limited, Kind::Insert), before);
        QCOMPARE(spell(limited, Kind::Delete), after);
        QCOMPARE(limited.size(), 4); // common prefix, one deletion, one insertion, common suffix
        QCOMPARE(limited.first().kind, Kind::Equal);
        QCOMPARE(limited.last().kind, Kind::Equal);
    }
};

QTEST_GUILESS_MAIN(TestWordDiff)
#include "tst_word_diff.moc"
