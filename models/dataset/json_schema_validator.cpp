#include "models/dataset/json_schema_validator.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <utility>

#include <QByteArray>
#include <QRegularExpression>
#include <QUrl>

using nlohmann::json;

namespace assay::dataset {

namespace {

enum TypeBit : unsigned {
    NullBit = 1u << 0,
    BooleanBit = 1u << 1,
    IntegerBit = 1u << 2,
    NumberBit = 1u << 3,
    StringBit = 1u << 4,
    ArrayBit = 1u << 5,
    ObjectBit = 1u << 6,
};

struct TypeName {
    const char *name;
    unsigned bit;
};

constexpr TypeName kTypeNames[] = {{"null", NullBit},     {"boolean", BooleanBit}, {"integer", IntegerBit},
                                   {"number", NumberBit}, {"string", StringBit},   {"array", ArrayBit},
                                   {"object", ObjectBit}};

// Deep enough for any real schema; stops `{"$ref": "#"}` style cycles that consume no input.
constexpr int kMaxDepth = 256;

struct Node {
    bool alwaysFalse = false;
    bool nullable = false;
    unsigned typeMask = 0; // 0: any type
    std::vector<std::string> typeNames;
    bool hasConst = false;
    json constValue;
    bool hasEnum = false;
    json enumValues;
    std::vector<std::string> required;
    std::unordered_map<std::string, int> properties;
    std::vector<std::pair<QRegularExpression, int>> patternProperties;
    int additional = -1; // -1: anything goes
    std::optional<qint64> minProperties, maxProperties;
    int items = -1;
    std::vector<int> prefixItems;
    std::optional<qint64> minItems, maxItems;
    bool uniqueItems = false;
    std::optional<qint64> minLength, maxLength;
    std::optional<double> minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf;
    std::optional<QRegularExpression> pattern;
    std::string patternSource;
    std::vector<int> allOf, anyOf, oneOf;
    int notSchema = -1;
    bool hasRef = false;
    std::string refPointer; // decoded JSON pointer ("" is the root)
    std::string refSource;  // where the $ref is written, for error messages
    int ref = -1;
};

std::string escapePointerToken(const std::string &token)
{
    std::string out;
    out.reserve(token.size());
    for (char c : token) {
        if (c == '~')
            out += "~0";
        else if (c == '/')
            out += "~1";
        else
            out += c;
    }
    return out;
}

template <typename J> std::string shortDump(const J &value, std::size_t limit = 60)
{
    std::string text = value.dump(-1, ' ', false, J::error_handler_t::replace);
    if (text.size() > limit) {
        // Cut on a UTF-8 boundary so the message stays valid text.
        std::size_t cut = limit;
        while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
            --cut;
        text = text.substr(0, cut) + "...";
    }
    return text;
}

std::string formatNumber(double value)
{
    if (std::isfinite(value) && std::floor(value) == value && std::fabs(value) < 1e15)
        return std::to_string(static_cast<long long>(value));
    return json(value).dump();
}

template <typename J> bool isIntegral(const J &value)
{
    if (value.is_number_integer())
        return true;
    if (value.is_number_float()) {
        const double v = value.template get<double>();
        return std::isfinite(v) && std::floor(v) == v;
    }
    return false;
}

template <typename J> unsigned typeBitsOf(const J &value)
{
    switch (value.type()) {
    case json::value_t::null:
        return NullBit;
    case json::value_t::boolean:
        return BooleanBit;
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
        return IntegerBit | NumberBit;
    case json::value_t::number_float:
        return isIntegral(value) ? (IntegerBit | NumberBit) : NumberBit;
    case json::value_t::string:
        return StringBit;
    case json::value_t::array:
        return ArrayBit;
    case json::value_t::object:
        return ObjectBit;
    default:
        return 0;
    }
}

// JSON equality as JSON Schema defines it (1 == 1.0, object key order ignored), across the two
// nlohmann specialisations (rows are ordered_json, schemas json).
template <typename A, typename B> bool jsonEqual(const A &a, const B &b)
{
    if (a.is_number() && b.is_number()) {
        if (a.is_number_float() || b.is_number_float())
            return a.template get<double>() == b.template get<double>();
        if (a.is_number_unsigned() && b.is_number_unsigned())
            return a.template get<std::uint64_t>() == b.template get<std::uint64_t>();
        if (a.is_number_unsigned()) {
            const auto other = b.template get<std::int64_t>();
            return other >= 0 && static_cast<std::uint64_t>(other) == a.template get<std::uint64_t>();
        }
        if (b.is_number_unsigned()) {
            const auto other = a.template get<std::int64_t>();
            return other >= 0 && static_cast<std::uint64_t>(other) == b.template get<std::uint64_t>();
        }
        return a.template get<std::int64_t>() == b.template get<std::int64_t>();
    }
    if (a.type() != b.type())
        return false;
    switch (a.type()) {
    case json::value_t::null:
        return true;
    case json::value_t::boolean:
        return a.template get<bool>() == b.template get<bool>();
    case json::value_t::string:
        return a.template get_ref<const std::string &>() == b.template get_ref<const std::string &>();
    case json::value_t::array: {
        if (a.size() != b.size())
            return false;
        for (std::size_t i = 0; i < a.size(); ++i) {
            if (!jsonEqual(a[i], b[i]))
                return false;
        }
        return true;
    }
    case json::value_t::object: {
        if (a.size() != b.size())
            return false;
        for (auto it = a.begin(); it != a.end(); ++it) {
            const auto other = b.find(it.key());
            if (other == b.end() || !jsonEqual(it.value(), *other))
                return false;
        }
        return true;
    }
    default:
        return false;
    }
}

qint64 codePointCount(const std::string &text)
{
    qint64 count = 0;
    for (char c : text) {
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80)
            ++count;
    }
    return count;
}

std::string joinTypeNames(const std::vector<std::string> &names)
{
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i > 0)
            out += i + 1 == names.size() ? " or " : ", ";
        out += names[i];
    }
    return out;
}

} // namespace

struct JsonSchemaValidator::Compiled {
    std::vector<Node> nodes;
    int root = 0;
    QString error;
    JsonSchemaValidatorOptions options;
};

namespace {

class SchemaCompiler {
public:
    SchemaCompiler(const json &root, std::vector<Node> &nodes) : m_root(root), m_nodes(nodes) {}

    QString error() const { return m_error; }

    int compileRoot()
    {
        const int root = compile(m_root, std::string());
        // Refs are resolved after the walk so recursive schemas ($ref back to an ancestor) work.
        for (std::size_t i = 0; i < m_nodes.size(); ++i) {
            if (!m_nodes[i].hasRef)
                continue;
            const std::string pointer = m_nodes[i].refPointer;
            const json *target = nullptr;
            try {
                target = &m_root.at(json::json_pointer(pointer));
            } catch (const json::exception &) {
                target = nullptr;
            }
            if (!target) {
                fail(m_nodes[i].refSource, QStringLiteral("$ref \"#%1\" does not point into this schema")
                                               .arg(QString::fromStdString(pointer)));
                continue;
            }
            const int id = compile(*target, pointer);
            m_nodes[i].ref = id;
        }
        return root;
    }

private:
    const json &m_root;
    std::vector<Node> &m_nodes;
    std::unordered_map<std::string, int> m_byPointer;
    QString m_error;

    void fail(const std::string &pointer, const QString &message)
    {
        if (m_error.isEmpty())
            m_error = QStringLiteral("schema #%1: %2").arg(QString::fromStdString(pointer), message);
    }

    std::optional<qint64> count(const json &schema, const char *key, const std::string &pointer)
    {
        const auto it = schema.find(key);
        if (it == schema.end())
            return std::nullopt;
        if (!isIntegral(*it) || it->get<double>() < 0) {
            fail(pointer + "/" + key, QStringLiteral("must be a non-negative integer"));
            return std::nullopt;
        }
        return static_cast<qint64>(it->get<double>());
    }

    std::optional<double> number(const json &schema, const char *key, const std::string &pointer)
    {
        const auto it = schema.find(key);
        if (it == schema.end() || it->is_boolean()) // booleans: OpenAPI 3.0 exclusive*, read below
            return std::nullopt;
        if (!it->is_number()) {
            fail(pointer + "/" + key, QStringLiteral("must be a number"));
            return std::nullopt;
        }
        return it->get<double>();
    }

    std::optional<QRegularExpression> regex(const json &value, const std::string &pointer)
    {
        if (!value.is_string()) {
            fail(pointer, QStringLiteral("a pattern must be a string"));
            return std::nullopt;
        }
        QRegularExpression re(QString::fromStdString(value.get<std::string>()));
        if (!re.isValid()) {
            fail(pointer, QStringLiteral("invalid regular expression: %1").arg(re.errorString()));
            return std::nullopt;
        }
        re.optimize();
        return re;
    }

    std::vector<int> schemaList(const json &schema, const char *key, const std::string &pointer)
    {
        std::vector<int> ids;
        const auto it = schema.find(key);
        if (it == schema.end())
            return ids;
        if (!it->is_array() || it->empty()) {
            fail(pointer + "/" + key, QStringLiteral("must be a non-empty array of schemas"));
            return ids;
        }
        for (std::size_t i = 0; i < it->size(); ++i)
            ids.push_back(compile((*it)[i], pointer + "/" + key + "/" + std::to_string(i)));
        return ids;
    }

    int compile(const json &schema, const std::string &pointer)
    {
        if (const auto found = m_byPointer.find(pointer); found != m_byPointer.end())
            return found->second;
        const int id = static_cast<int>(m_nodes.size());
        m_nodes.emplace_back();
        m_byPointer.emplace(pointer, id);
        Node node; // filled aside: compiling children grows m_nodes and would move a reference
        if (schema.is_boolean()) {
            node.alwaysFalse = !schema.get<bool>();
            m_nodes[static_cast<std::size_t>(id)] = std::move(node);
            return id;
        }
        if (!schema.is_object()) {
            fail(pointer, QStringLiteral("a schema must be an object or a boolean"));
            return id;
        }

        if (const auto it = schema.find("type"); it != schema.end()) {
            const json names = it->is_array() ? *it : json::array({*it});
            for (const auto &name : names) {
                bool known = false;
                if (name.is_string()) {
                    for (const auto &entry : kTypeNames) {
                        if (name.get_ref<const std::string &>() == entry.name) {
                            node.typeMask |= entry.bit;
                            node.typeNames.emplace_back(entry.name);
                            known = true;
                        }
                    }
                }
                if (!known)
                    fail(pointer + "/type",
                         QStringLiteral("unknown type %1").arg(QString::fromStdString(name.dump())));
            }
        }
        if (const auto it = schema.find("nullable"); it != schema.end() && it->is_boolean())
            node.nullable = it->get<bool>();
        if (const auto it = schema.find("const"); it != schema.end()) {
            node.hasConst = true;
            node.constValue = *it;
        }
        if (const auto it = schema.find("enum"); it != schema.end()) {
            if (!it->is_array())
                fail(pointer + "/enum", QStringLiteral("must be an array"));
            node.hasEnum = true;
            node.enumValues = it->is_array() ? *it : json::array();
        }
        if (const auto it = schema.find("required"); it != schema.end()) {
            if (!it->is_array())
                fail(pointer + "/required", QStringLiteral("must be an array of property names"));
            else
                for (const auto &name : *it) {
                    if (name.is_string())
                        node.required.push_back(name.get<std::string>());
                    else
                        fail(pointer + "/required", QStringLiteral("must be an array of property names"));
                }
        }
        if (const auto it = schema.find("properties"); it != schema.end() && it->is_object()) {
            for (auto property = it->begin(); property != it->end(); ++property)
                node.properties[property.key()] =
                    compile(property.value(), pointer + "/properties/" + escapePointerToken(property.key()));
        }
        if (const auto it = schema.find("patternProperties"); it != schema.end() && it->is_object()) {
            for (auto property = it->begin(); property != it->end(); ++property) {
                const std::string at = pointer + "/patternProperties/" + escapePointerToken(property.key());
                if (auto re = regex(json(property.key()), at))
                    node.patternProperties.emplace_back(std::move(*re), compile(property.value(), at));
            }
        }
        if (const auto it = schema.find("additionalProperties"); it != schema.end())
            node.additional = compile(*it, pointer + "/additionalProperties");
        node.minProperties = count(schema, "minProperties", pointer);
        node.maxProperties = count(schema, "maxProperties", pointer);

        if (const auto it = schema.find("items"); it != schema.end()) {
            if (it->is_array()) { // draft-04 tuple form
                for (std::size_t i = 0; i < it->size(); ++i)
                    node.prefixItems.push_back(compile((*it)[i], pointer + "/items/" + std::to_string(i)));
                if (const auto more = schema.find("additionalItems"); more != schema.end())
                    node.items = compile(*more, pointer + "/additionalItems");
            } else {
                node.items = compile(*it, pointer + "/items");
            }
        }
        if (const auto it = schema.find("prefixItems"); it != schema.end()) {
            if (!it->is_array())
                fail(pointer + "/prefixItems", QStringLiteral("must be an array of schemas"));
            else
                for (std::size_t i = 0; i < it->size(); ++i)
                    node.prefixItems.push_back(
                        compile((*it)[i], pointer + "/prefixItems/" + std::to_string(i)));
        }
        node.minItems = count(schema, "minItems", pointer);
        node.maxItems = count(schema, "maxItems", pointer);
        if (const auto it = schema.find("uniqueItems"); it != schema.end() && it->is_boolean())
            node.uniqueItems = it->get<bool>();

        node.minLength = count(schema, "minLength", pointer);
        node.maxLength = count(schema, "maxLength", pointer);
        if (const auto it = schema.find("pattern"); it != schema.end()) {
            node.pattern = regex(*it, pointer + "/pattern");
            if (it->is_string())
                node.patternSource = it->get<std::string>();
        }

        node.minimum = number(schema, "minimum", pointer);
        node.maximum = number(schema, "maximum", pointer);
        node.exclusiveMinimum = number(schema, "exclusiveMinimum", pointer);
        node.exclusiveMaximum = number(schema, "exclusiveMaximum", pointer);
        // OpenAPI 3.0 / draft 4: a boolean exclusive* turns the matching bound exclusive.
        if (const auto it = schema.find("exclusiveMinimum"); it != schema.end() && it->is_boolean()) {
            if (it->get<bool>() && node.minimum) {
                node.exclusiveMinimum = node.minimum;
                node.minimum.reset();
            }
        }
        if (const auto it = schema.find("exclusiveMaximum"); it != schema.end() && it->is_boolean()) {
            if (it->get<bool>() && node.maximum) {
                node.exclusiveMaximum = node.maximum;
                node.maximum.reset();
            }
        }
        node.multipleOf = number(schema, "multipleOf", pointer);
        if (node.multipleOf && *node.multipleOf <= 0) {
            fail(pointer + "/multipleOf", QStringLiteral("must be greater than 0"));
            node.multipleOf.reset();
        }

        node.allOf = schemaList(schema, "allOf", pointer);
        node.anyOf = schemaList(schema, "anyOf", pointer);
        node.oneOf = schemaList(schema, "oneOf", pointer);
        if (const auto it = schema.find("not"); it != schema.end())
            node.notSchema = compile(*it, pointer + "/not");

        if (const auto it = schema.find("$ref"); it != schema.end()) {
            const std::string ref = it->is_string() ? it->get<std::string>() : std::string();
            if (ref.empty() || ref.front() != '#') {
                fail(pointer + "/$ref",
                     QStringLiteral("only local references (\"#/...\") are supported, not %1")
                         .arg(QString::fromStdString(it->dump())));
            } else {
                const QByteArray decoded =
                    QByteArray::fromPercentEncoding(QByteArray::fromStdString(ref.substr(1)));
                if (!decoded.isEmpty() && !decoded.startsWith('/')) {
                    fail(pointer + "/$ref", QStringLiteral("anchor references (%1) are not supported")
                                                .arg(QString::fromStdString(ref)));
                } else {
                    node.hasRef = true;
                    node.refPointer = decoded.toStdString();
                    node.refSource = pointer + "/$ref";
                }
            }
        }

        m_nodes[static_cast<std::size_t>(id)] = std::move(node);
        return id;
    }
};

struct Issue {
    std::string path;
    std::string message;
    std::size_t depth = 0;     // path segments: tells a mismatch at the value from one inside it
    bool typeMismatch = false; // the value is not of the schema's type at all
};
using Issues = std::vector<Issue>;

template <typename J> class Checker {
public:
    Checker(const std::vector<Node> &nodes, const JsonSchemaValidatorOptions &options)
        : m_nodes(nodes), m_options(options)
    {
    }

    void check(int id, const J &value, Issues &out, std::size_t limit, int depth = 0)
    {
        if (out.size() >= limit)
            return;
        if (depth > kMaxDepth) {
            add(out, "the schema nests too deeply here (a $ref cycle?)");
            return;
        }
        const Node &node = m_nodes[static_cast<std::size_t>(id)];
        if (node.alwaysFalse) {
            add(out, "no value is allowed here");
            return;
        }
        if (m_options.openApiNullable && node.nullable && value.is_null())
            return;
        if (node.ref >= 0)
            check(node.ref, value, out, limit, depth + 1);
        if (node.typeMask && !(typeBitsOf(value) & node.typeMask)) {
            // Every other keyword would only restate this.
            add(out, shortDump(value) + " is not of type " + joinTypeNames(node.typeNames), true);
            return;
        }
        if (node.hasConst && !jsonEqual(value, node.constValue))
            add(out, shortDump(value) + " is not the constant " + shortDump(node.constValue));
        if (node.hasEnum) {
            bool found = false;
            for (const auto &candidate : node.enumValues) {
                if (jsonEqual(value, candidate)) {
                    found = true;
                    break;
                }
            }
            if (!found)
                add(out, shortDump(value) + " is not one of " + shortDump(node.enumValues, 200));
        }

        if (value.is_object())
            checkObject(node, value, out, limit, depth);
        else if (value.is_array())
            checkArray(node, value, out, limit, depth);
        else if (value.is_string())
            checkString(node, value, out);
        else if (value.is_number())
            checkNumber(node, value, out);

        for (int sub : node.allOf)
            check(sub, value, out, limit, depth + 1);
        if (!node.anyOf.empty())
            checkAlternatives(node.anyOf, false, value, out, limit, depth);
        if (!node.oneOf.empty())
            checkAlternatives(node.oneOf, true, value, out, limit, depth);
        if (node.notSchema >= 0) {
            Issues ignored;
            check(node.notSchema, value, ignored, 1, depth + 1);
            if (ignored.empty())
                add(out, shortDump(value) + " must not match the \"not\" schema");
        }
    }

private:
    struct Segment {
        const std::string *key = nullptr;
        std::size_t index = 0;
    };

    const std::vector<Node> &m_nodes;
    const JsonSchemaValidatorOptions &m_options;
    std::vector<Segment> m_path;

    std::string pathString() const
    {
        std::string out = "$";
        for (const Segment &segment : m_path) {
            if (!segment.key) {
                out += '[' + std::to_string(segment.index) + ']';
                continue;
            }
            const std::string &key = *segment.key;
            bool plain = !key.empty() && !(key.front() >= '0' && key.front() <= '9');
            for (char c : key) {
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_')) {
                    plain = false;
                    break;
                }
            }
            if (plain)
                out += '.' + key;
            else
                out += '[' + json(key).dump(-1, ' ', false, json::error_handler_t::replace) + ']';
        }
        return out;
    }

    void add(Issues &out, std::string message, bool typeMismatch = false)
    {
        out.push_back({pathString(), std::move(message), m_path.size(), typeMismatch});
    }

    void checkObject(const Node &node, const J &value, Issues &out, std::size_t limit, int depth)
    {
        for (const std::string &name : node.required) {
            if (!value.contains(name))
                add(out, "missing required property \"" + name + "\"");
        }
        const auto size = static_cast<qint64>(value.size());
        const auto properties = [](qint64 n) {
            return std::to_string(n) + (n == 1 ? " property" : " properties");
        };
        if (node.minProperties && size < *node.minProperties)
            add(out, "has " + properties(size) + ", fewer than minProperties " +
                         std::to_string(*node.minProperties));
        if (node.maxProperties && size > *node.maxProperties)
            add(out, "has " + properties(size) + ", more than maxProperties " +
                         std::to_string(*node.maxProperties));
        if (node.properties.empty() && node.patternProperties.empty() && node.additional < 0)
            return;
        for (auto it = value.begin(); it != value.end() && out.size() < limit; ++it) {
            const std::string &key = it.key();
            m_path.push_back({&key, 0});
            bool declared = false;
            if (const auto found = node.properties.find(key); found != node.properties.end()) {
                declared = true;
                check(found->second, it.value(), out, limit, depth + 1);
            }
            if (!node.patternProperties.empty()) {
                const QString qkey = QString::fromStdString(key);
                for (const auto &[re, sub] : node.patternProperties) {
                    if (re.match(qkey).hasMatch()) {
                        declared = true;
                        check(sub, it.value(), out, limit, depth + 1);
                    }
                }
            }
            if (!declared && node.additional >= 0) {
                if (m_nodes[static_cast<std::size_t>(node.additional)].alwaysFalse)
                    add(out, "property \"" + key + "\" is not allowed");
                else
                    check(node.additional, it.value(), out, limit, depth + 1);
            }
            m_path.pop_back();
        }
    }

    void checkArray(const Node &node, const J &value, Issues &out, std::size_t limit, int depth)
    {
        const auto size = static_cast<qint64>(value.size());
        const auto items = [](qint64 n) { return std::to_string(n) + (n == 1 ? " item" : " items"); };
        if (node.minItems && size < *node.minItems)
            add(out, "has " + items(size) + ", fewer than minItems " + std::to_string(*node.minItems));
        if (node.maxItems && size > *node.maxItems)
            add(out, "has " + items(size) + ", more than maxItems " + std::to_string(*node.maxItems));
        for (std::size_t i = 0; i < value.size() && out.size() < limit; ++i) {
            int sub = -1;
            if (i < node.prefixItems.size())
                sub = node.prefixItems[i];
            else
                sub = node.items;
            if (sub < 0)
                continue;
            m_path.push_back({nullptr, i});
            if (m_nodes[static_cast<std::size_t>(sub)].alwaysFalse)
                add(out, "no item allowed here: the array takes at most " + items(static_cast<qint64>(i)));
            else
                check(sub, value[i], out, limit, depth + 1);
            m_path.pop_back();
        }
        if (node.uniqueItems) {
            for (std::size_t j = 1; j < value.size() && out.size() < limit; ++j) {
                for (std::size_t i = 0; i < j; ++i) {
                    if (jsonEqual(value[i], value[j])) {
                        m_path.push_back({nullptr, j});
                        add(out,
                            shortDump(value[j]) + " repeats item [" + std::to_string(i) + "] (uniqueItems)");
                        m_path.pop_back();
                        break;
                    }
                }
            }
        }
    }

    void checkString(const Node &node, const J &value, Issues &out)
    {
        const std::string &text = value.template get_ref<const std::string &>();
        if (node.minLength || node.maxLength) {
            const qint64 length = codePointCount(text);
            if (node.minLength && length < *node.minLength)
                add(out,
                    shortDump(value) + " is shorter than " + std::to_string(*node.minLength) + " characters");
            if (node.maxLength && length > *node.maxLength)
                add(out,
                    shortDump(value) + " is longer than " + std::to_string(*node.maxLength) + " characters");
        }
        if (node.pattern && !node.pattern->match(QString::fromStdString(text)).hasMatch())
            add(out, shortDump(value) + " does not match the pattern " + json(node.patternSource).dump());
    }

    void checkNumber(const Node &node, const J &value, Issues &out)
    {
        const double number = value.template get<double>();
        if (node.minimum && number < *node.minimum)
            add(out, shortDump(value) + " is less than the minimum " + formatNumber(*node.minimum));
        if (node.maximum && number > *node.maximum)
            add(out, shortDump(value) + " is greater than the maximum " + formatNumber(*node.maximum));
        if (node.exclusiveMinimum && number <= *node.exclusiveMinimum)
            add(out, shortDump(value) + " is not greater than the exclusive minimum " +
                         formatNumber(*node.exclusiveMinimum));
        if (node.exclusiveMaximum && number >= *node.exclusiveMaximum)
            add(out, shortDump(value) + " is not less than the exclusive maximum " +
                         formatNumber(*node.exclusiveMaximum));
        if (node.multipleOf) {
            bool ok = true;
            if (isIntegral(value) && std::floor(*node.multipleOf) == *node.multipleOf &&
                std::fabs(number) < 9e15) {
                ok = std::fmod(number, *node.multipleOf) == 0;
            } else {
                const double quotient = number / *node.multipleOf;
                ok = std::fabs(quotient - std::round(quotient)) <= 1e-9 * std::max(1.0, std::fabs(quotient));
            }
            if (!ok)
                add(out, shortDump(value) + " is not a multiple of " + formatNumber(*node.multipleOf));
        }
    }

    void checkAlternatives(const std::vector<int> &branches, bool exactlyOne, const J &value, Issues &out,
                           std::size_t limit, int depth)
    {
        const char *keyword = exactlyOne ? "oneOf" : "anyOf";
        // accepts() asks for one issue: then a branch only has to be told valid or not.
        const std::size_t branchLimit =
            limit <= 1 ? 1 : static_cast<std::size_t>(std::max(1, m_options.maxViolations));
        std::vector<Issues> failures;
        std::vector<std::size_t> matching;
        for (std::size_t i = 0; i < branches.size(); ++i) {
            Issues issues;
            check(branches[i], value, issues, branchLimit, depth + 1);
            if (issues.empty()) {
                matching.push_back(i);
                if (!exactlyOne)
                    return;
            }
            failures.push_back(std::move(issues));
        }
        if (exactlyOne && matching.size() == 1)
            return;
        if (matching.size() > 1) {
            std::string which;
            for (std::size_t i : matching)
                which += (which.empty() ? "" : ", ") + std::to_string(i);
            add(out, shortDump(value) + " matches " + std::to_string(matching.size()) +
                         " of the oneOf schemas (" + which + "), expected exactly one");
            return;
        }
        add(out, shortDump(value) + " does not match any of the " + std::to_string(branches.size()) + " " +
                     keyword + " schemas");
        // Then say why the closest branch failed: the one that took the value's type and failed
        // least. Branches of another type would only add noise ("is not of type object").
        const std::size_t here = m_path.size();
        const Issues *closest = nullptr;
        for (const Issues &issues : failures) {
            bool wrongType = false;
            for (const Issue &issue : issues)
                wrongType = wrongType || (issue.typeMismatch && issue.depth == here);
            if (!wrongType && (!closest || issues.size() < closest->size()))
                closest = &issues;
        }
        if (closest) {
            for (const Issue &issue : *closest) {
                if (out.size() >= limit)
                    break;
                out.push_back(issue);
            }
        }
    }
};

template <typename J>
QList<SchemaViolation> runValidation(const std::vector<Node> &nodes, int root, const QString &schemaError,
                                     const JsonSchemaValidatorOptions &options, const J &value,
                                     std::size_t limit)
{
    QList<SchemaViolation> violations;
    if (!schemaError.isEmpty()) {
        violations.push_back({QStringLiteral("$"), schemaError});
        return violations;
    }
    Issues issues;
    Checker<J> checker(nodes, options);
    checker.check(root, value, issues, limit);
    violations.reserve(static_cast<qsizetype>(issues.size()));
    for (const Issue &issue : issues)
        violations.push_back({QString::fromStdString(issue.path), QString::fromStdString(issue.message)});
    return violations;
}

} // namespace

JsonSchemaValidator::JsonSchemaValidator() = default;

JsonSchemaValidator::JsonSchemaValidator(const nlohmann::json &schema, JsonSchemaValidatorOptions options)
{
    auto compiled = std::make_shared<Compiled>();
    compiled->options = options;
    SchemaCompiler compiler(schema, compiled->nodes);
    compiled->root = compiler.compileRoot();
    compiled->error = compiler.error();
    m_compiled = std::move(compiled);
}

JsonSchemaValidator::JsonSchemaValidator(const nlohmann::ordered_json &schema,
                                         JsonSchemaValidatorOptions options)
    : JsonSchemaValidator(nlohmann::json(schema), options)
{
}

JsonSchemaValidator::~JsonSchemaValidator() = default;
JsonSchemaValidator::JsonSchemaValidator(const JsonSchemaValidator &) = default;
JsonSchemaValidator &JsonSchemaValidator::operator=(const JsonSchemaValidator &) = default;
JsonSchemaValidator::JsonSchemaValidator(JsonSchemaValidator &&) noexcept = default;
JsonSchemaValidator &JsonSchemaValidator::operator=(JsonSchemaValidator &&) noexcept = default;

bool JsonSchemaValidator::isValid() const
{
    return !m_compiled || m_compiled->error.isEmpty();
}

QString JsonSchemaValidator::schemaError() const
{
    return m_compiled ? m_compiled->error : QString();
}

QList<SchemaViolation> JsonSchemaValidator::validate(const nlohmann::json &value) const
{
    if (!m_compiled)
        return {};
    const auto limit = static_cast<std::size_t>(std::max(1, m_compiled->options.maxViolations));
    return runValidation(m_compiled->nodes, m_compiled->root, m_compiled->error, m_compiled->options, value,
                         limit);
}

QList<SchemaViolation> JsonSchemaValidator::validate(const nlohmann::ordered_json &value) const
{
    if (!m_compiled)
        return {};
    const auto limit = static_cast<std::size_t>(std::max(1, m_compiled->options.maxViolations));
    return runValidation(m_compiled->nodes, m_compiled->root, m_compiled->error, m_compiled->options, value,
                         limit);
}

bool JsonSchemaValidator::accepts(const nlohmann::json &value) const
{
    return !m_compiled || runValidation(m_compiled->nodes, m_compiled->root, m_compiled->error,
                                        m_compiled->options, value, 1)
                              .isEmpty();
}

bool JsonSchemaValidator::accepts(const nlohmann::ordered_json &value) const
{
    return !m_compiled || runValidation(m_compiled->nodes, m_compiled->root, m_compiled->error,
                                        m_compiled->options, value, 1)
                              .isEmpty();
}

} // namespace assay::dataset
