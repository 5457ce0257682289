#pragma once

#include <string>

#include <QString>
#include <nlohmann/json.hpp>

namespace assay::prompt {

// Parses JSON text a person typed or edited; throws std::runtime_error whose message says
// where the text is broken ("line 3, column 14: ...") so the editor can point at it.
nlohmann::json parseJsonText(const std::string &text);

// A JSON path step for error messages: ".name", or "['odd name']" when it is not an identifier.
QString jsonPathKey(const std::string &key);

} // namespace assay::prompt
