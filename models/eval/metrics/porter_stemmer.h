#pragma once

#include <string>
#include <string_view>

namespace assay::eval::metrics {

// NLTK 3.8's nltk.stem.porter.PorterStemmer in its default NLTK_EXTENSIONS mode, stem(word,
// to_lowercase=True): Porter (1980) with Martin Porter's and NLTK's amendments (irregular-forms
// table, words of 1-2 characters kept, 'ies'/'ied' on 4-letter words, y->i only after a consonant,
// 'alli', 'fulli' and 'logi' rules). Works on code points as Python does: any non-ASCII letter
// counts as a consonant.
class PorterStemmer {
public:
    std::u32string stem(std::u32string_view word) const;
    std::string stem(std::string_view utf8Word) const;
};

} // namespace assay::eval::metrics
