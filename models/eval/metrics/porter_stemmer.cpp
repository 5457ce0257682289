#include "models/eval/metrics/porter_stemmer.h"

#include <array>

#include "models/eval/metrics/text_tokenize.h"

namespace assay::eval::metrics {

namespace {

using Word = std::u32string;
using View = std::u32string_view;

bool isConsonant(View w, std::size_t i)
{
    // Iterative form of NLTK's recursion: a 'y' is a consonant at the start or after a vowel.
    bool consonant = true;
    for (std::size_t k = 0; k <= i; ++k) {
        const char32_t c = w[k];
        if (c == U'a' || c == U'e' || c == U'i' || c == U'o' || c == U'u')
            consonant = false;
        else if (c == U'y')
            consonant = (k == 0) ? true : !consonant;
        else
            consonant = true;
    }
    return consonant;
}

// Number of "vc" in the word's consonant/vowel sequence (Porter's m).
int measure(View w)
{
    int m = 0;
    bool previousVowel = false;
    bool previousConsonant = true; // state for the 'y' rule
    for (std::size_t k = 0; k < w.size(); ++k) {
        const char32_t c = w[k];
        bool consonant;
        if (c == U'a' || c == U'e' || c == U'i' || c == U'o' || c == U'u')
            consonant = false;
        else if (c == U'y')
            consonant = (k == 0) ? true : !previousConsonant;
        else
            consonant = true;
        if (consonant && previousVowel)
            ++m;
        previousVowel = !consonant;
        previousConsonant = consonant;
    }
    return m;
}

bool containsVowel(View w)
{
    for (std::size_t i = 0; i < w.size(); ++i) {
        if (!isConsonant(w, i))
            return true;
    }
    return false;
}

bool endsDoubleConsonant(View w)
{
    return w.size() >= 2 && w[w.size() - 1] == w[w.size() - 2] && isConsonant(w, w.size() - 1);
}

bool endsCvc(View w)
{
    const std::size_t n = w.size();
    if (n >= 3 && isConsonant(w, n - 3) && !isConsonant(w, n - 2) && isConsonant(w, n - 1)
        && w[n - 1] != U'w' && w[n - 1] != U'x' && w[n - 1] != U'y')
        return true;
    return n == 2 && !isConsonant(w, 0) && isConsonant(w, 1);
}

bool endsWith(View w, View suffix)
{
    return w.size() >= suffix.size() && w.substr(w.size() - suffix.size()) == suffix;
}

enum class Cond { None, PositiveMeasure, MeasureGt1, IonStem, LogiWord, LlWord, NotLsz, MeasureOneCvc };

struct Rule {
    View suffix;
    View replacement;
    Cond cond;
};

// `word` is the input of the step (conditions of 'logi' and 'll' look at it, not at the stem).
bool holds(Cond cond, View stem, View word)
{
    switch (cond) {
    case Cond::None:
        return true;
    case Cond::PositiveMeasure:
        return measure(stem) > 0;
    case Cond::MeasureGt1:
        return measure(stem) > 1;
    case Cond::IonStem:
        return measure(stem) > 1 && (stem.back() == U's' || stem.back() == U't');
    case Cond::LogiWord:
        return measure(word.substr(0, word.size() - 3)) > 0;
    case Cond::LlWord:
        return measure(word.substr(0, word.size() - 1)) > 1;
    case Cond::NotLsz: {
        const char32_t last = word.back();
        return last != U'l' && last != U's' && last != U'z';
    }
    case Cond::MeasureOneCvc:
        return measure(stem) == 1 && endsCvc(stem);
    }
    return false;
}

// NLTK's _apply_rule_list: the first rule whose suffix matches decides, whether or not its
// condition holds. The pseudo-suffix "*d" means "ends in a double consonant" (and, as in NLTK,
// also matches a literal "*d").
template <std::size_t N>
Word applyRules(View word, const std::array<Rule, N> &rules, View doubleReplacement = {})
{
    for (const Rule &rule : rules) {
        if (rule.suffix == U"*d" && endsDoubleConsonant(word)) {
            const View stem = word.substr(0, word.size() - 2);
            if (holds(rule.cond, stem, word))
                return Word(stem) + Word(doubleReplacement);
            return Word(word);
        }
        if (endsWith(word, rule.suffix)) {
            const View stem = word.substr(0, word.size() - rule.suffix.size());
            if (holds(rule.cond, stem, word)) {
                const View replacement = rule.suffix == U"*d" ? doubleReplacement : rule.replacement;
                return Word(stem) + Word(replacement);
            }
            return Word(word);
        }
    }
    return Word(word);
}

Word step1a(View word)
{
    if (endsWith(word, U"ies") && word.size() == 4)
        return Word(word.substr(0, 1)) + U"ie";
    static const std::array<Rule, 4> rules{{{U"sses", U"ss", Cond::None},
                                            {U"ies", U"i", Cond::None},
                                            {U"ss", U"ss", Cond::None},
                                            {U"s", U"", Cond::None}}};
    return applyRules(word, rules);
}

Word step1b(View word)
{
    if (endsWith(word, U"ied")) {
        if (word.size() == 4)
            return Word(word.substr(0, 1)) + U"ie";
        return Word(word.substr(0, word.size() - 3)) + U"i";
    }
    if (endsWith(word, U"eed")) {
        const View stem = word.substr(0, word.size() - 3);
        if (measure(stem) > 0)
            return Word(stem) + U"ee";
        return Word(word);
    }
    View intermediate;
    bool succeeded = false;
    for (View suffix : {View(U"ed"), View(U"ing")}) {
        if (endsWith(word, suffix)) {
            intermediate = word.substr(0, word.size() - suffix.size());
            if (containsVowel(intermediate)) {
                succeeded = true;
                break;
            }
        }
    }
    if (!succeeded)
        return Word(word);
    static const std::array<Rule, 5> rules{{{U"at", U"ate", Cond::None},
                                            {U"bl", U"ble", Cond::None},
                                            {U"iz", U"ize", Cond::None},
                                            {U"*d", U"", Cond::NotLsz},
                                            {U"", U"e", Cond::MeasureOneCvc}}};
    const char32_t last[1] = {intermediate.back()};
    return applyRules(intermediate, rules, View(last, 1));
}

Word step1c(View word)
{
    // NLTK's condition: y -> i only after a consonant, and not when the stem is one letter.
    if (endsWith(word, U"y")) {
        const View stem = word.substr(0, word.size() - 1);
        if (stem.size() > 1 && isConsonant(stem, stem.size() - 1))
            return Word(stem) + U"i";
    }
    return Word(word);
}

Word step2(View word)
{
    if (endsWith(word, U"alli") && measure(word.substr(0, word.size() - 4)) > 0)
        return step2(Word(word.substr(0, word.size() - 4)) + U"al");
    static const std::array<Rule, 22> rules{{
        {U"ational", U"ate", Cond::PositiveMeasure}, {U"tional", U"tion", Cond::PositiveMeasure},
        {U"enci", U"ence", Cond::PositiveMeasure},   {U"anci", U"ance", Cond::PositiveMeasure},
        {U"izer", U"ize", Cond::PositiveMeasure},    {U"bli", U"ble", Cond::PositiveMeasure},
        {U"alli", U"al", Cond::PositiveMeasure},     {U"entli", U"ent", Cond::PositiveMeasure},
        {U"eli", U"e", Cond::PositiveMeasure},       {U"ousli", U"ous", Cond::PositiveMeasure},
        {U"ization", U"ize", Cond::PositiveMeasure}, {U"ation", U"ate", Cond::PositiveMeasure},
        {U"ator", U"ate", Cond::PositiveMeasure},    {U"alism", U"al", Cond::PositiveMeasure},
        {U"iveness", U"ive", Cond::PositiveMeasure}, {U"fulness", U"ful", Cond::PositiveMeasure},
        {U"ousness", U"ous", Cond::PositiveMeasure}, {U"aliti", U"al", Cond::PositiveMeasure},
        {U"iviti", U"ive", Cond::PositiveMeasure},   {U"biliti", U"ble", Cond::PositiveMeasure},
        {U"fulli", U"ful", Cond::PositiveMeasure},   {U"logi", U"log", Cond::LogiWord},
    }};
    return applyRules(word, rules);
}

Word step3(View word)
{
    static const std::array<Rule, 7> rules{{
        {U"icate", U"ic", Cond::PositiveMeasure}, {U"ative", U"", Cond::PositiveMeasure},
        {U"alize", U"al", Cond::PositiveMeasure}, {U"iciti", U"ic", Cond::PositiveMeasure},
        {U"ical", U"ic", Cond::PositiveMeasure},  {U"ful", U"", Cond::PositiveMeasure},
        {U"ness", U"", Cond::PositiveMeasure},
    }};
    return applyRules(word, rules);
}

Word step4(View word)
{
    static const std::array<Rule, 19> rules{{
        {U"al", U"", Cond::MeasureGt1},   {U"ance", U"", Cond::MeasureGt1},
        {U"ence", U"", Cond::MeasureGt1}, {U"er", U"", Cond::MeasureGt1},
        {U"ic", U"", Cond::MeasureGt1},   {U"able", U"", Cond::MeasureGt1},
        {U"ible", U"", Cond::MeasureGt1}, {U"ant", U"", Cond::MeasureGt1},
        {U"ement", U"", Cond::MeasureGt1}, {U"ment", U"", Cond::MeasureGt1},
        {U"ent", U"", Cond::MeasureGt1},  {U"ion", U"", Cond::IonStem},
        {U"ou", U"", Cond::MeasureGt1},   {U"ism", U"", Cond::MeasureGt1},
        {U"ate", U"", Cond::MeasureGt1},  {U"iti", U"", Cond::MeasureGt1},
        {U"ous", U"", Cond::MeasureGt1},  {U"ive", U"", Cond::MeasureGt1},
        {U"ize", U"", Cond::MeasureGt1},
    }};
    return applyRules(word, rules);
}

Word step5a(View word)
{
    // Both 5a rules are tried (unlike _apply_rule_list), as NLTK does.
    if (endsWith(word, U"e")) {
        const View stem = word.substr(0, word.size() - 1);
        const int m = measure(stem);
        if (m > 1)
            return Word(stem);
        if (m == 1 && !endsCvc(stem))
            return Word(stem);
    }
    return Word(word);
}

Word step5b(View word)
{
    static const std::array<Rule, 1> rules{{{U"ll", U"l", Cond::LlWord}}};
    return applyRules(word, rules);
}

// NLTK's irregular-forms pool: form -> stem.
const Word *irregular(View word)
{
    struct Entry {
        View form;
        View stem;
    };
    static const std::array<Entry, 16> table{{
        {U"sky", U"sky"},         {U"skies", U"sky"},      {U"dying", U"die"},
        {U"lying", U"lie"},       {U"tying", U"tie"},      {U"news", U"news"},
        {U"innings", U"inning"},  {U"inning", U"inning"},  {U"outings", U"outing"},
        {U"outing", U"outing"},   {U"cannings", U"canning"}, {U"canning", U"canning"},
        {U"howe", U"howe"},       {U"proceed", U"proceed"}, {U"exceed", U"exceed"},
        {U"succeed", U"succeed"},
    }};
    static const std::array<Word, 16> stems = [] {
        std::array<Word, 16> out;
        for (std::size_t i = 0; i < table.size(); ++i)
            out[i] = Word(table[i].stem);
        return out;
    }();
    for (std::size_t i = 0; i < table.size(); ++i) {
        if (table[i].form == word)
            return &stems[i];
    }
    return nullptr;
}

} // namespace

std::u32string PorterStemmer::stem(std::u32string_view word) const
{
    const Word lowered = pythonLower(word);
    // NLTK looks the original word up in the pool but returns pool[lowered]; the keys are all
    // lowercase, so a hit means word == lowered.
    if (const Word *hit = irregular(word))
        return *hit;
    if (word.size() <= 2)
        return lowered;
    Word w = step1a(lowered);
    w = step1b(w);
    w = step1c(w);
    w = step2(w);
    w = step3(w);
    w = step4(w);
    w = step5a(w);
    w = step5b(w);
    return w;
}

std::string PorterStemmer::stem(std::string_view utf8Word) const
{
    return encodeUtf8(stem(decodeUtf8(utf8Word)));
}

} // namespace assay::eval::metrics
