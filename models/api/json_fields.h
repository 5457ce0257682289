#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace assay::api {

// Lenient field access for API payloads: servers (and OpenAI-compatible ones more so) omit
// fields or send null where the spec has a value, and a missing field must not throw.

// The member `key` of `object`, or a null value when `object` is not an object or lacks it.
inline const nlohmann::json &jsonMember(const nlohmann::json &object, const char *key)
{
    static const nlohmann::json null;
    if (!object.is_object())
        return null;
    const auto it = object.find(key);
    return it == object.end() ? null : *it;
}

// The string member `key`, or "" when it is absent or not a string.
inline std::string jsonText(const nlohmann::json &object, const char *key)
{
    const nlohmann::json &value = jsonMember(object, key);
    return value.is_string() ? value.get<std::string>() : std::string();
}

} // namespace assay::api
