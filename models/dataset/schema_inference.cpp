#include "models/dataset/schema_inference.h"

#include <algorithm>
#include <array>
#include <string>
#include <unordered_map>
#include <utility>

namespace assay::dataset {

namespace {

enum class Kind : int { Null, Boolean, Integer, Number, String, Array, Object };
constexpr int kKindCount = 7;

Kind kindOf(const nlohmann::ordered_json &value)
{
    switch (value.type()) {
    case nlohmann::ordered_json::value_t::null:
        return Kind::Null;
    case nlohmann::ordered_json::value_t::boolean:
        return Kind::Boolean;
    case nlohmann::ordered_json::value_t::number_integer:
    case nlohmann::ordered_json::value_t::number_unsigned:
        return Kind::Integer;
    case nlohmann::ordered_json::value_t::number_float:
        return Kind::Number;
    case nlohmann::ordered_json::value_t::string:
        return Kind::String;
    case nlohmann::ordered_json::value_t::array:
        return Kind::Array;
    case nlohmann::ordered_json::value_t::object:
        return Kind::Object;
    default:
        return Kind::Null; // binary and discarded values never come out of a JSON parser
    }
}

const char *kindName(Kind kind)
{
    switch (kind) {
    case Kind::Null:
        return "null";
    case Kind::Boolean:
        return "boolean";
    case Kind::Integer:
        return "integer";
    case Kind::Number:
        return "number";
    case Kind::String:
        return "string";
    case Kind::Array:
        return "array";
    case Kind::Object:
        return "object";
    }
    return "null";
}

} // namespace

struct SchemaInference::Node {
    qint64 seen = 0;
    std::array<qint64, kKindCount> kindCounts{};
    std::vector<Kind> kindOrder; // first-seen order, for a stable `type` array

    qint64 objectCount = 0;
    std::vector<std::pair<std::string, std::unique_ptr<Node>>> properties;
    std::unordered_map<std::string, std::size_t> propertyIndex;

    std::unique_ptr<Node> items;

    qint64 stringCount = 0;
    std::vector<std::pair<std::string, qint64>> strings; // distinct values, first-seen order
    std::unordered_map<std::string, std::size_t> stringIndex;
    bool tooManyStrings = false;

    void add(const nlohmann::ordered_json &value, const SchemaInferenceOptions &options)
    {
        ++seen;
        const Kind kind = kindOf(value);
        if (kindCounts[static_cast<std::size_t>(kind)]++ == 0)
            kindOrder.push_back(kind);
        switch (kind) {
        case Kind::Object:
            ++objectCount;
            for (const auto &[key, child] : value.items()) {
                auto found = propertyIndex.find(key);
                if (found == propertyIndex.end()) {
                    found = propertyIndex.emplace(key, properties.size()).first;
                    properties.emplace_back(key, std::make_unique<Node>());
                }
                properties[found->second].second->add(child, options);
            }
            break;
        case Kind::Array:
            for (const auto &element : value) {
                if (!items)
                    items = std::make_unique<Node>();
                items->add(element, options);
            }
            break;
        case Kind::String:
            ++stringCount;
            if (!tooManyStrings) {
                const auto &text = value.get_ref<const std::string &>();
                auto found = stringIndex.find(text);
                if (found != stringIndex.end()) {
                    ++strings[found->second].second;
                } else if (static_cast<int>(strings.size()) >= options.enumMaxValues) {
                    // Free text: stop remembering values so memory stays bounded.
                    tooManyStrings = true;
                    strings.clear();
                    stringIndex.clear();
                } else {
                    stringIndex.emplace(text, strings.size());
                    strings.emplace_back(text, 1);
                }
            }
            break;
        default:
            break;
        }
    }

    bool isEnum(const SchemaInferenceOptions &options) const
    {
        if (tooManyStrings || strings.empty() || stringCount < options.enumMinRows)
            return false;
        for (Kind kind : kindOrder) {
            if (kind != Kind::String && kind != Kind::Null)
                return false;
        }
        for (const auto &entry : strings) {
            if (entry.second < options.enumMinCount)
                return false;
        }
        return true;
    }

    nlohmann::ordered_json toSchema(const SchemaInferenceOptions &options) const
    {
        nlohmann::ordered_json schema = nlohmann::ordered_json::object();
        if (seen == 0)
            return schema;

        // JSON Schema's integer is a subset of number: one "number" covers both.
        const bool hasNumber = kindCounts[static_cast<std::size_t>(Kind::Number)] > 0;
        nlohmann::ordered_json types = nlohmann::ordered_json::array();
        for (Kind kind : kindOrder) {
            if (kind == Kind::Integer && hasNumber)
                kind = Kind::Number;
            const std::string name = kindName(kind);
            if (std::find(types.begin(), types.end(), name) == types.end())
                types.push_back(name);
        }
        schema["type"] = types.size() == 1 ? types.front() : types;

        if (isEnum(options)) {
            nlohmann::ordered_json values = nlohmann::ordered_json::array();
            for (const auto &entry : strings)
                values.push_back(entry.first);
            if (kindCounts[static_cast<std::size_t>(Kind::Null)] > 0)
                values.push_back(nullptr);
            schema["enum"] = std::move(values);
        }

        if (objectCount > 0) {
            nlohmann::ordered_json props = nlohmann::ordered_json::object();
            nlohmann::ordered_json required = nlohmann::ordered_json::array();
            for (const auto &[key, child] : properties) {
                props[key] = child->toSchema(options);
                if (child->seen == objectCount)
                    required.push_back(key);
            }
            schema["properties"] = std::move(props);
            if (!required.empty())
                schema["required"] = std::move(required);
        }

        if (items)
            schema["items"] = items->toSchema(options);
        return schema;
    }
};

SchemaInference::SchemaInference(SchemaInferenceOptions options)
    : m_options(options), m_root(std::make_unique<Node>())
{
}

SchemaInference::~SchemaInference() = default;
SchemaInference::SchemaInference(SchemaInference &&) noexcept = default;
SchemaInference &SchemaInference::operator=(SchemaInference &&) noexcept = default;

void SchemaInference::addRow(const nlohmann::ordered_json &item)
{
    m_root->add(item, m_options);
    ++m_rows;
}

qint64 SchemaInference::rowCount() const
{
    return m_rows;
}

void SchemaInference::reset()
{
    m_root = std::make_unique<Node>();
    m_rows = 0;
}

nlohmann::ordered_json SchemaInference::schema() const
{
    return m_root->toSchema(m_options);
}

nlohmann::ordered_json SchemaInference::infer(const std::vector<nlohmann::ordered_json> &items,
                                              SchemaInferenceOptions options)
{
    SchemaInference inference(options);
    for (const auto &item : items)
        inference.addRow(item);
    return inference.schema();
}

} // namespace assay::dataset
