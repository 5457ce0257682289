#!/usr/bin/python3
"""Reference values for tst_text_metrics, computed by the implementations Assay's metrics follow.

    reference.py metrics CORPUS.jsonl   one JSON object per pair: fuzzy, bleu, gleu, meteor,
                                        rouge1..rouge5, rougeL
    reference.py stem < words.json      JSON list of nltk PorterStemmer().stem(word)
    reference.py unicode                JSON {"lower": {cp: str.lower(chr(cp))} where it differs,
                                        "space": [cp where chr(cp).isspace()]}

fuzzy: python-Levenshtein's Levenshtein.ratio (normalized Indel similarity, = rapidfuzz
fuzz.ratio / 100). bleu / gleu / meteor: nltk 3.8 (meteor with a WordNet stand-in whose synsets()
are empty: Assay ships no WordNet data). ROUGE: rouge-score 0.1.2 is not packaged for Debian, so
its scoring (tokenize.tokenize without stemmer, _create_ngrams, _score_ngrams, _score_lcs,
scoring.fmeasure) is restated below in a few lines, independently of the C++ code.
Exit code 3 when nltk or Levenshtein is missing (run packaging/install-deps.sh).
"""
import collections
import json
import re
import sys
import warnings

try:
    import Levenshtein
    from nltk.translate.bleu_score import sentence_bleu
    from nltk.translate.gleu_score import sentence_gleu
    from nltk.translate.meteor_score import single_meteor_score
    from nltk.stem.porter import PorterStemmer
except ImportError as error:
    sys.stderr.write(f"missing Python package ({error}): run packaging/install-deps.sh\n")
    sys.exit(3)


class NoWordNet:
    """WordNet without synonyms: METEOR's synonym stage then matches nothing new."""

    def synsets(self, word):
        return []


# --- rouge-score 0.1.2, restated ---------------------------------------------------------------

def rouge_tokenize(text):
    text = re.sub(r"[^a-z0-9]+", " ", text.lower())
    return [t for t in re.split(r"\s+", text) if re.match(r"^[a-z0-9]+$", t)]


def rouge_fmeasure(precision, recall):
    return 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0


def rouge_n(target, prediction, n):
    def grams(tokens):
        return collections.Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
    t, p = grams(target), grams(prediction)
    overlap = sum(min(count, p[gram]) for gram, count in t.items())
    precision = overlap / max(sum(p.values()), 1)
    recall = overlap / max(sum(t.values()), 1)
    return rouge_fmeasure(precision, recall)


def rouge_l(target, prediction):
    if not target or not prediction:
        return 0.0
    previous = [0] * (len(prediction) + 1)
    for a in target:
        row = [0]
        for j, b in enumerate(prediction):
            row.append(previous[j] + 1 if a == b else max(previous[j + 1], row[j]))
        previous = row
    lcs = previous[-1]
    return rouge_fmeasure(lcs / len(prediction), lcs / len(target))


# --------------------------------------------------------------------------------------------------

def metrics(path):
    warnings.simplefilter("ignore")  # nltk warns about BLEU orders without matches
    nowordnet = NoWordNet()
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            pair = json.loads(line)
            hyp, ref = pair["hypothesis"], pair["reference"]
            hyp_tokens, ref_tokens = hyp.split(), ref.split()
            rouge_hyp, rouge_ref = rouge_tokenize(hyp), rouge_tokenize(ref)
            out = {
                "fuzzy": Levenshtein.ratio(hyp, ref),
                "bleu": float(sentence_bleu([ref_tokens], hyp_tokens)),
                "gleu": float(sentence_gleu([ref_tokens], hyp_tokens)),
                "meteor": float(single_meteor_score(ref_tokens, hyp_tokens, wordnet=nowordnet)),
                "rougeL": rouge_l(rouge_ref, rouge_hyp),
            }
            for n in range(1, 6):
                out[f"rouge{n}"] = rouge_n(rouge_ref, rouge_hyp, n)
            print(json.dumps(out))


def stem():
    stemmer = PorterStemmer()
    words = json.load(sys.stdin)
    print(json.dumps([stemmer.stem(w) for w in words], ensure_ascii=False))


def unicode_tables():
    lower = {}
    space = []
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        c = chr(cp)
        if c.lower() != c:
            lower[str(cp)] = c.lower()
        if c.isspace():
            space.append(cp)
    print(json.dumps({"lower": lower, "space": space}, ensure_ascii=False))


if __name__ == "__main__":
    sys.stdout.reconfigure(encoding="utf-8")
    sys.stdin.reconfigure(encoding="utf-8")
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "metrics" and len(sys.argv) == 3:
        metrics(sys.argv[2])
    elif mode == "stem":
        stem()
    elif mode == "unicode":
        unicode_tables()
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)
