#!/usr/bin/env python3
"""Writes corpus.jsonl next to this script: the {hypothesis, reference} pairs tst_text_metrics
checks against the Python reference implementations. Hand-written edge cases first, then pairs
generated from a fixed vocabulary with a fixed seed, so the file is reproducible:
    python3 make_corpus.py
"""
import json
import os
import random

HAND = [
    # empty and whitespace-only
    ("", ""),
    ("", "the cat sat on the mat"),
    ("the cat sat on the mat", ""),
    ("   ", "\t\n"),
    (" ", "a"),
    # identical and one word
    ("the cat sat on the mat", "the cat sat on the mat"),
    ("hello", "hello"),
    ("hello", "world"),
    ("Hello", "hello"),
    ("a", "a b c d e"),
    ("a b c d e", "a"),
    ("one two three four", "one two three four"),
    ("one two three", "one two three"),
    ("one two", "one two"),
    # punctuation and case
    ("Hello, world!", "hello world"),
    ("Hello , world !", "hello, world!"),
    ("!!!", "???"),
    ("...", "..."),
    ("It's a dog's life.", "its a dogs life"),
    ("e-mail re-enter co-operate", "email reenter cooperate"),
    ("THE QUICK BROWN FOX", "the quick brown fox"),
    ("The Quick Brown Fox Jumps", "the quick brown fox jumps"),
    ("3.14 is pi", "pi is 3.14"),
    ("Version 2.0.1 released on 2024-05-01", "version 2 0 1 released 2024 05 01"),
    ("under_score snake_case CamelCase", "under score snake case camel case"),
    # repeated words
    ("the the the the the the the", "the cat is on the mat"),
    ("the", "the the the the"),
    ("a a a b b b", "b b b a a a"),
    ("to be or not to be", "to be or not to be that is the question"),
    ("no no no no", "yes yes yes yes"),
    # word order
    ("a b c d e f g h", "h g f e d c b a"),
    ("the cat sat on the mat", "on the mat sat the cat"),
    ("cat the", "the cat"),
    # stemming (meteor)
    ("running runs ran runner", "run running runners ran"),
    ("The cats are running quickly", "the cat is run quick"),
    ("connection connected connecting connections", "connect connect connect connect"),
    ("generalization generalizations generalized", "general generalize generally"),
    ("happiness happy happily", "happi happier happiest"),
    ("relational conditional rational", "relate condition ration"),
    ("hopefulness callousness decisiveness", "hopeful callous decisive"),
    ("skies dying lying tying news innings", "sky die lie tie news inning"),
    ("proceed exceed succeed feed agreed", "proceeding exceeding succeeding feeding agree"),
    ("flies spied died", "fly spy die"),
    ("It is a guide to action which ensures that the military always obeys the commands of the party",
     "It is a guide to action that ensures that the military will forever heed Party commands"),
    ("It is the practical guide for the army always to heed the directions of the party",
     "It is a guide to action that ensures that the military will forever heed Party commands"),
    ("this is a cat", "non matching hypothesis"),
    # accents, umlauts, Latin-1 and Latin Extended
    ("café crème brûlée", "cafe creme brulee"),
    ("Café Crème Brûlée", "café crème brûlée"),
    ("Grüße aus München", "GRÜSSE AUS MÜNCHEN"),
    ("Grüße aus München", "grüße aus münchen"),
    ("ÀÉÎÕÜ ÇÑ ÆØÅ", "àéîõü çñ æøå"),
    ("Łódź Ślęża Żółć", "łódź ślęża żółć"),
    ("ŒUVRE ĲSSEL Ŋ Ǆ ǅ", "œuvre ĳssel ŋ ǆ ǆ"),
    ("naïve coöperate résumé", "naive cooperate resume"),
    ("İstanbul İzmir", "istanbul izmir"),
    ("İSTANBUL", "i̇stanbul"),
    ("200 K temperature", "200 k temperature"),
    # Greek, Cyrillic
    ("ΟΔΟΣ ΟΔΟΣ. ΣΟΦΟΣ", "οδος οδος. σοφος"),
    ("ΟΔΟΣ ΟΔΟΣ. ΣΟΦΟΣ", "οδοσ οδοσ. σοφοσ"),
    ("Σ ΑΣ Σ.", "σ ας σ."),
    ("Привет мир", "ПРИВЕТ МИР"),
    ("Москва столица России", "москва — столица россии"),
    # CJK, no spaces
    ("我喜欢吃苹果", "我喜欢吃香蕉"),
    ("我 喜欢 吃 苹果", "我 喜欢 吃 香蕉"),
    ("東京は日本の首都です", "東京は日本の首都である"),
    ("한국어 문장 입니다", "한국어 문장입니다"),
    # emoji and astral plane
    ("I love 🍕 and 🍺", "I love 🍕"),
    ("👍👍👍", "👍"),
    ("family 👨‍👩‍👧 emoji", "family 👨‍👩‍👦 emoji"),
    ("𝔘𝔫𝔦𝔠𝔬𝔡𝔢 math", "unicode math"),
    # whitespace variants (tab, newline, NBSP, ideographic space, em space, NEL)
    ("the\tcat\nsat", "the cat sat"),
    ("the\u00a0cat\u3000sat", "the cat sat"),
    ("the\u2003cat\u0085sat\u2028on", "the cat sat on"),
    ("the\u200bcat", "the cat"),
    ("  leading and trailing  ", "leading and trailing"),
    # numbers and symbols
    ("$100 + 20% = ?", "100 20"),
    ("a+b=c", "a + b = c"),
    ("<html><body>hi</body></html>", "html body hi body html"),
]


def long_text(rng, vocab, words):
    return " ".join(rng.choice(vocab) for _ in range(words))


def mutate(rng, words, vocab, rate):
    out = []
    for w in words:
        r = rng.random()
        if r < rate * 0.35:
            out.append(rng.choice(vocab))  # substitute
        elif r < rate * 0.6:
            continue  # delete
        elif r < rate * 0.8:
            out.append(w)
            out.append(rng.choice(vocab))  # insert
        elif r < rate * 0.9:
            out.append(w.upper() if rng.random() < 0.5 else w.capitalize())
        else:
            out.append(w)
    if len(out) > 2 and rng.random() < rate:
        i = rng.randrange(len(out) - 1)
        out[i], out[i + 1] = out[i + 1], out[i]
    return out


def main():
    rng = random.Random(20261123)
    vocab = (
        "the a an of to in on at for with by from and or but not is are was were be been "
        "cat cats dog dogs run runs running ran runner quick quickly quicker brown fox jumps jumped "
        "jumping lazy over under model models evaluate evaluation evaluated evaluating score scores "
        "scoring reference hypothesis text texts generate generated generation generational "
        "connect connected connection connections happy happiness happily relate relational "
        "condition conditional hope hopeful hopefulness sky skies die dying lie lying news "
        "agree agreed agreement feed proceed succeed controll control rolling rolled "
        "Paris paris London london Berlin café Café naïve résumé Grüße straße München "
        "日本 東京 中文 😀 🍕 ok OK, done. yes! no? (maybe) \"quoted\" it's don't "
        "3 42 3.14 2024 1st 2nd"
    ).split()
    pairs = list(HAND)
    # Long texts: fuzzy_match crosses many 64-character blocks; ROUGE-L and METEOR see long inputs.
    base = long_text(rng, vocab, 1200)
    pairs.append((base, " ".join(mutate(rng, base.split(), vocab, 0.2))))
    pairs.append((base, base))
    pairs.append(("x" * 3000, "x" * 2999 + "y"))
    pairs.append(("abc" * 700, "acb" * 700))
    pairs.append(("é" * 130 + "a", "a" + "é" * 130))
    pairs.append(("the quick brown fox jumps over the lazy dog " * 20, "the quick brown dog jumps over the lazy fox " * 20))
    # Strings around the 64-character block boundaries of the bit-parallel LCS.
    for length in (63, 64, 65, 127, 128, 129):
        s = "".join(rng.choice("abcdé") for _ in range(length))
        t = "".join(c if rng.random() > 0.2 else rng.choice("abcdé") for c in s)
        pairs.append((s, t))
    # Generated pairs: 0..60 words, mutation rate 0..1.
    for k in range(220):
        n = rng.choice([0, 1, 2, 3, 4, 5, 8, 12, 20, 35, 50, 60])
        words = [rng.choice(vocab) for _ in range(n)]
        rate = rng.choice([0.0, 0.05, 0.1, 0.3, 0.5, 0.8, 1.0])
        ref = mutate(rng, words, vocab, rate)
        if k % 2:
            pairs.append((" ".join(words), " ".join(ref)))
        else:
            pairs.append((" ".join(ref), " ".join(words)))
    # Close paraphrases: long enough and mutated little, so BLEU's 3- and 4-grams match too.
    for k in range(60):
        n = rng.choice([6, 10, 20, 30, 50])
        words = [rng.choice(vocab) for _ in range(n)]
        ref = mutate(rng, words, vocab, rng.choice([0.02, 0.05, 0.1, 0.15]))
        pairs.append((" ".join(words), " ".join(ref)))
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        for h, r in pairs:
            f.write(json.dumps({"hypothesis": h, "reference": r}, ensure_ascii=False) + "\n")
    print(f"{len(pairs)} pairs written to {path}")


if __name__ == "__main__":
    main()
