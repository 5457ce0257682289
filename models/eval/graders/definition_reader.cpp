#include "models/eval/graders/definition_reader.h"

#include <cmath>

namespace assay::eval {

DefinitionReader::DefinitionReader(const nlohmann::json &definition, std::string path, std::string *error)
    : m_definition(definition)
    , m_path(std::move(path))
    , m_error(error)
{
}

bool DefinitionReader::fail(const std::string &field, const std::string &message)
{
    return failAt(field.empty() ? m_path : fieldPath(field), message);
}

bool DefinitionReader::failAt(const std::string &fullPath, const std::string &message)
{
    if (m_ok && m_error)
        *m_error = fullPath + ": " + message;
    m_ok = false;
    return false;
}

const nlohmann::json *DefinitionReader::field(const char *name, bool required)
{
    if (!m_ok)
        return nullptr;
    if (!m_definition.is_object()) {
        fail({}, "a grader must be a JSON object");
        return nullptr;
    }
    const auto it = m_definition.find(name);
    if (it == m_definition.end() || it->is_null()) {
        if (required)
            fail(name, "is required");
        return nullptr;
    }
    return &*it;
}

std::optional<std::string> DefinitionReader::string(const char *name, bool required)
{
    const nlohmann::json *value = field(name, required);
    if (!value)
        return std::nullopt;
    if (!value->is_string()) {
        fail(name, "must be a string");
        return std::nullopt;
    }
    return value->get<std::string>();
}

std::optional<double> DefinitionReader::number(const char *name, bool required)
{
    const nlohmann::json *value = field(name, required);
    if (!value)
        return std::nullopt;
    if (!value->is_number()) {
        fail(name, "must be a number");
        return std::nullopt;
    }
    const double number = value->get<double>();
    if (!std::isfinite(number)) {
        fail(name, "must be a finite number");
        return std::nullopt;
    }
    return number;
}

} // namespace assay::eval
