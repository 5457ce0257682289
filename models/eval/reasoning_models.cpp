#include "models/eval/reasoning_models.h"

#include <cctype>
#include <string>

namespace assay::eval {

namespace {

bool startsWith(std::string_view text, std::string_view prefix)
{
    return text.substr(0, prefix.size()) == prefix;
}

// "o1", "o3-mini", "o4-mini-2025-04-16", "o10": an 'o', digits, then the end or a '-'.
bool isOSeries(std::string_view name)
{
    if (name.size() < 2 || name[0] != 'o' || !std::isdigit(static_cast<unsigned char>(name[1])))
        return false;
    size_t i = 1;
    while (i < name.size() && std::isdigit(static_cast<unsigned char>(name[i])))
        ++i;
    return i == name.size() || name[i] == '-';
}

} // namespace

bool isReasoningModel(std::string_view model)
{
    std::string name;
    name.reserve(model.size());
    for (char c : model)
        name.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    std::string_view view = name;
    if (startsWith(view, "ft:"))
        view.remove_prefix(3);
    if (const size_t slash = view.rfind('/'); slash != std::string_view::npos)
        view.remove_prefix(slash + 1);

    if (isOSeries(view))
        return true;
    if (startsWith(view, "gpt-5"))
        return view.find("-chat") == std::string_view::npos; // gpt-5-chat-latest takes temperature
    return startsWith(view, "codex-mini") || startsWith(view, "gpt-oss");
}

} // namespace assay::eval
