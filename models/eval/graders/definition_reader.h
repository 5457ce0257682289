#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace assay::eval {

// Reads the fields of one grader definition and reports the first problem as
// "<path>.<field>: <message>" (e.g. "$.testing_criteria[2].operation: must be a string"), the
// way makeGrader() promises. After the first failure every read returns nothing.
class DefinitionReader {
public:
    DefinitionReader(const nlohmann::json &definition, std::string path, std::string *error);

    bool ok() const { return m_ok; }
    const std::string &path() const { return m_path; }
    std::string fieldPath(const std::string &field) const { return m_path + "." + field; }

    // Records "<path>.<field>: <message>" (or "<path>: <message>" for an empty field); returns false.
    bool fail(const std::string &field, const std::string &message);
    // Records "<fullPath>: <message>" for a path built by the caller (array elements).
    bool failAt(const std::string &fullPath, const std::string &message);

    // A present, non-null field, or nullptr (a missing required one fails).
    const nlohmann::json *field(const char *name, bool required);
    std::optional<std::string> string(const char *name, bool required = true);
    std::optional<double> number(const char *name, bool required = true);

private:
    const nlohmann::json &m_definition;
    std::string m_path;
    std::string *m_error;
    bool m_ok = true;
};

} // namespace assay::eval
