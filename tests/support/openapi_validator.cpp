#include "support/openapi_validator.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <mutex>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include <QFile>
#include <QFileInfo>

using nlohmann::json;

namespace assay::testing {

namespace {

enum class ErrorKind { Type, Enum, Required, Other };

struct Error {
    std::string path;
    std::string message;
    ErrorKind kind = ErrorKind::Other;
    std::string expectedType; // for ErrorKind::Type: what the schema wanted
};

std::string typeOf(const json &value)
{
    switch (value.type()) {
    case json::value_t::null:
        return "null";
    case json::value_t::boolean:
        return "boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
        return "integer";
    case json::value_t::number_float:
        return "number";
    case json::value_t::string:
        return "string";
    case json::value_t::array:
        return "array";
    case json::value_t::object:
        return "object";
    default:
        return "unknown";
    }
}

bool isIntegral(const json &value)
{
    if (value.is_number_integer())
        return true;
    if (value.is_number_float()) {
        const double v = value.get<double>();
        return std::isfinite(v) && std::floor(v) == v;
    }
    return false;
}

bool hasType(const json &value, const std::string &type)
{
    if (type == "null")
        return value.is_null();
    if (type == "boolean")
        return value.is_boolean();
    if (type == "integer")
        return isIntegral(value);
    if (type == "number")
        return value.is_number();
    if (type == "string")
        return value.is_string();
    if (type == "array")
        return value.is_array();
    if (type == "object")
        return value.is_object();
    return true; // unknown type names do not fail a value
}

std::string shortDump(const json &value, std::size_t limit = 80)
{
    std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
    if (text.size() > limit)
        text = text.substr(0, limit) + "...";
    return text;
}

std::string listValues(const std::vector<const json *> &values, std::size_t limit = 25)
{
    std::string text = "[";
    for (std::size_t i = 0; i < values.size() && i < limit; ++i) {
        if (i)
            text += ", ";
        text += shortDump(*values[i], 60);
    }
    if (values.size() > limit)
        text += ", ... (" + std::to_string(values.size() - limit) + " more)";
    return text + "]";
}

bool isIdentifier(const std::string &key)
{
    if (key.empty() || std::isdigit(static_cast<unsigned char>(key.front())))
        return false;
    for (char c : key) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_')
            return false;
    }
    return true;
}

std::size_t utf8Length(const std::string &s)
{
    std::size_t n = 0;
    for (unsigned char c : s)
        n += (c & 0xC0) != 0x80;
    return n;
}

// Keeps `path` balanced across early returns.
class PathScope {
public:
    PathScope(std::string &path, const std::string &suffix) : m_path(path), m_size(path.size())
    {
        m_path += suffix;
    }
    ~PathScope() { m_path.resize(m_size); }
    PathScope(const PathScope &) = delete;
    PathScope &operator=(const PathScope &) = delete;

private:
    std::string &m_path;
    std::size_t m_size;
};

std::string keySuffix(const std::string &key)
{
    return isIdentifier(key) ? "." + key : "[" + json(key).dump() + "]";
}

} // namespace

struct OpenApiValidator::Impl {
    json spec;
    std::unordered_map<std::string, const json *> schemas;     // "#/components/schemas/X" -> node
    std::unordered_map<std::string, std::string> eventSchemas; // event type -> schema name
    std::vector<std::string> eventTypes;
    mutable std::mutex cacheMutex;
    mutable std::unordered_map<std::string, const json *> otherRefs;
    mutable std::unordered_map<std::string, std::optional<std::regex>> regexes;

    const json *resolve(const std::string &ref) const
    {
        if (auto it = schemas.find(ref); it != schemas.end())
            return it->second;
        std::lock_guard lock(cacheMutex);
        if (auto it = otherRefs.find(ref); it != otherRefs.end())
            return it->second;
        const json *target = nullptr;
        if (ref.rfind("#/", 0) == 0) {
            try {
                const json::json_pointer pointer(ref.substr(1));
                if (spec.contains(pointer))
                    target = &spec.at(pointer);
            } catch (const json::exception &) {
                target = nullptr;
            }
        }
        otherRefs.emplace(ref, target);
        return target;
    }

    // Follows a chain of bare $refs to the schema that says something.
    const json *follow(const json *schema) const
    {
        for (int guard = 0; guard < 32 && schema && schema->is_object(); ++guard) {
            auto it = schema->find("$ref");
            if (it == schema->end() || !it->is_string())
                return schema;
            schema = resolve(it->get<std::string>());
        }
        return schema;
    }

    bool matchesPattern(const std::string &pattern, const std::string &text) const
    {
        std::lock_guard lock(cacheMutex);
        auto it = regexes.find(pattern);
        if (it == regexes.end()) {
            std::optional<std::regex> compiled;
            try {
                compiled.emplace(pattern, std::regex::ECMAScript);
            } catch (const std::regex_error &) {
                compiled.reset(); // a pattern std::regex cannot read is not held against the value
            }
            it = regexes.emplace(pattern, std::move(compiled)).first;
        }
        return !it->second || std::regex_search(text, *it->second);
    }

    void validate(const json &value, const json &schema, std::string &path, std::vector<Error> &out) const;
    void validateUnion(const json &value, const json &branches, const json &schema, std::string &path,
                       std::vector<Error> &out) const;
    void validateObject(const json &value, const json &schema, std::string &path,
                        std::vector<Error> &out) const;
    // For a union branch: the allowed values of the discriminating property, if the branch
    // declares them directly (enum or const). Empty when unknown.
    std::vector<const json *> discriminatorValues(const json &branch, const std::string &property) const;
    void collectProperties(const json &schema, std::set<std::string> &names, int depth) const;
};

void OpenApiValidator::Impl::validate(const json &value, const json &schema, std::string &path,
                                      std::vector<Error> &out) const
{
    if (schema.is_boolean()) {
        if (!schema.get<bool>())
            out.push_back({path, "no value is allowed here", ErrorKind::Other, {}});
        return;
    }
    if (!schema.is_object())
        return;

    // OpenAPI 3.0 style: `nullable: true` admits null whatever the rest of the schema says
    // (it is often next to a $ref or an enum that lists no null).
    if (value.is_null()) {
        auto nullable = schema.find("nullable");
        if (nullable != schema.end() && nullable->is_boolean() && nullable->get<bool>())
            return;
    }

    if (auto ref = schema.find("$ref"); ref != schema.end() && ref->is_string()) {
        const json *target = resolve(ref->get<std::string>());
        if (!target) {
            out.push_back({path, "unresolvable $ref " + ref->get<std::string>(), ErrorKind::Other, {}});
            return;
        }
        // A nullable $ref: the target alone decides everything but null.
        validate(value, *target, path, out);
    }

    if (auto type = schema.find("type"); type != schema.end()) {
        bool ok = true;
        std::string expected;
        if (type->is_string()) {
            expected = type->get<std::string>();
            ok = hasType(value, expected);
        } else if (type->is_array()) {
            ok = false;
            for (const auto &t : *type) {
                if (!t.is_string())
                    continue;
                if (!expected.empty())
                    expected += " or ";
                expected += t.get<std::string>();
                ok = ok || hasType(value, t.get<std::string>());
            }
        }
        if (!ok) {
            out.push_back({path,
                           "expected " + expected + ", got " + typeOf(value) +
                               (value.is_null() ? std::string() : " " + shortDump(value, 40)),
                           ErrorKind::Type, expected});
            return; // the other keywords would only repeat the same mistake
        }
    }

    if (auto c = schema.find("const"); c != schema.end() && value != *c)
        out.push_back(
            {path, shortDump(value) + " is not the constant " + shortDump(*c), ErrorKind::Enum, {}});

    if (auto e = schema.find("enum"); e != schema.end() && e->is_array()) {
        bool found = false;
        for (const auto &candidate : *e) {
            if (candidate == value) {
                found = true;
                break;
            }
        }
        if (!found) {
            std::vector<const json *> values;
            for (const auto &candidate : *e)
                values.push_back(&candidate);
            out.push_back(
                {path, shortDump(value) + " is not one of " + listValues(values), ErrorKind::Enum, {}});
        }
    }

    if (value.is_string()) {
        const std::string &text = value.get_ref<const std::string &>();
        if (auto m = schema.find("minLength");
            m != schema.end() && m->is_number() && static_cast<double>(utf8Length(text)) < m->get<double>())
            out.push_back(
                {path, "string is shorter than " + m->dump() + " characters", ErrorKind::Other, {}});
        if (auto m = schema.find("maxLength");
            m != schema.end() && m->is_number() && static_cast<double>(utf8Length(text)) > m->get<double>())
            out.push_back({path, "string is longer than " + m->dump() + " characters", ErrorKind::Other, {}});
        if (auto p = schema.find("pattern");
            p != schema.end() && p->is_string() && !matchesPattern(p->get<std::string>(), text))
            out.push_back({path,
                           shortDump(value) + " does not match the pattern " + p->get<std::string>(),
                           ErrorKind::Other,
                           {}});
    }

    if (value.is_number()) {
        const double v = value.get<double>();
        const auto flag = [&schema](const char *key) {
            auto it = schema.find(key);
            return it != schema.end() && it->is_boolean() && it->get<bool>();
        };
        if (auto m = schema.find("minimum"); m != schema.end() && m->is_number()) {
            const double limit = m->get<double>();
            if (flag("exclusiveMinimum") ? v <= limit : v < limit)
                out.push_back(
                    {path, shortDump(value) + " is below the minimum " + m->dump(), ErrorKind::Other, {}});
        }
        if (auto m = schema.find("maximum"); m != schema.end() && m->is_number()) {
            const double limit = m->get<double>();
            if (flag("exclusiveMaximum") ? v >= limit : v > limit)
                out.push_back(
                    {path, shortDump(value) + " is above the maximum " + m->dump(), ErrorKind::Other, {}});
        }
        if (auto m = schema.find("exclusiveMinimum");
            m != schema.end() && m->is_number() && v <= m->get<double>())
            out.push_back({path, shortDump(value) + " is not above " + m->dump(), ErrorKind::Other, {}});
        if (auto m = schema.find("exclusiveMaximum");
            m != schema.end() && m->is_number() && v >= m->get<double>())
            out.push_back({path, shortDump(value) + " is not below " + m->dump(), ErrorKind::Other, {}});
    }

    if (value.is_array()) {
        const double size = static_cast<double>(value.size());
        if (auto m = schema.find("minItems"); m != schema.end() && m->is_number() && size < m->get<double>())
            out.push_back({path,
                           "array has " + std::to_string(value.size()) + " items, fewer than " + m->dump(),
                           ErrorKind::Other,
                           {}});
        if (auto m = schema.find("maxItems"); m != schema.end() && m->is_number() && size > m->get<double>())
            out.push_back({path,
                           "array has " + std::to_string(value.size()) + " items, more than " + m->dump(),
                           ErrorKind::Other,
                           {}});
        if (auto items = schema.find("items");
            items != schema.end() && (items->is_object() || items->is_boolean())) {
            for (std::size_t i = 0; i < value.size(); ++i) {
                PathScope scope(path, "[" + std::to_string(i) + "]");
                validate(value[i], *items, path, out);
            }
        }
    }

    if (value.is_object())
        validateObject(value, schema, path, out);

    if (auto all = schema.find("allOf"); all != schema.end() && all->is_array()) {
        for (const auto &part : *all)
            validate(value, part, path, out);
    }
    if (auto any = schema.find("anyOf"); any != schema.end() && any->is_array())
        validateUnion(value, *any, schema, path, out);
    if (auto one = schema.find("oneOf"); one != schema.end() && one->is_array())
        validateUnion(value, *one, schema, path, out); // deliberately anyOf semantics, see header
    if (auto no = schema.find("not"); no != schema.end()) {
        std::vector<Error> inner;
        validate(value, *no, path, inner);
        if (inner.empty())
            out.push_back(
                {path, "matches a schema it must not match: " + shortDump(*no), ErrorKind::Other, {}});
    }
}

void OpenApiValidator::Impl::validateObject(const json &value, const json &schema, std::string &path,
                                            std::vector<Error> &out) const
{
    if (auto required = schema.find("required"); required != schema.end() && required->is_array()) {
        for (const auto &name : *required) {
            if (name.is_string() && !value.contains(name.get<std::string>())) {
                PathScope scope(path, keySuffix(name.get<std::string>()));
                out.push_back({path, "required property is missing", ErrorKind::Required, {}});
            }
        }
    }
    const auto props = schema.find("properties");
    const bool hasProps = props != schema.end() && props->is_object();
    const auto additional = schema.find("additionalProperties");
    const bool checkAdditional =
        additional != schema.end() && (additional->is_object() || additional->is_boolean());
    const auto names = schema.find("propertyNames");
    for (auto it = value.begin(); it != value.end(); ++it) {
        PathScope scope(path, keySuffix(it.key()));
        const json *propSchema = nullptr;
        if (hasProps) {
            auto p = props->find(it.key());
            if (p != props->end())
                propSchema = &*p;
        }
        if (propSchema) {
            validate(it.value(), *propSchema, path, out);
        } else if (checkAdditional) {
            if (additional->is_boolean()) {
                if (!additional->get<bool>())
                    out.push_back({path, "property is not allowed here", ErrorKind::Other, {}});
            } else {
                validate(it.value(), *additional, path, out);
            }
        }
        if (names != schema.end())
            validate(json(it.key()), *names, path, out);
    }
    const double count = static_cast<double>(value.size());
    if (auto m = schema.find("maxProperties");
        m != schema.end() && m->is_number() && count > m->get<double>())
        out.push_back({path, "object has more than " + m->dump() + " properties", ErrorKind::Other, {}});
    if (auto m = schema.find("minProperties");
        m != schema.end() && m->is_number() && count < m->get<double>())
        out.push_back({path, "object has fewer than " + m->dump() + " properties", ErrorKind::Other, {}});
}

std::vector<const json *> OpenApiValidator::Impl::discriminatorValues(const json &branch,
                                                                      const std::string &property) const
{
    std::vector<const json *> values;
    const json *resolved = follow(&branch);
    if (!resolved || !resolved->is_object())
        return values;
    auto props = resolved->find("properties");
    if (props == resolved->end() || !props->is_object())
        return values;
    auto prop = props->find(property);
    if (prop == props->end())
        return values;
    const json *propSchema = follow(&*prop);
    if (!propSchema || !propSchema->is_object())
        return values;
    if (auto c = propSchema->find("const"); c != propSchema->end()) {
        values.push_back(&*c);
    } else if (auto e = propSchema->find("enum"); e != propSchema->end() && e->is_array()) {
        for (const auto &v : *e)
            values.push_back(&v);
    }
    return values;
}

void OpenApiValidator::Impl::validateUnion(const json &value, const json &branches, const json &schema,
                                           std::string &path, std::vector<Error> &out) const
{
    std::string property = "type";
    if (auto disc = schema.find("discriminator"); disc != schema.end() && disc->is_object()) {
        if (auto name = disc->find("propertyName"); name != disc->end() && name->is_string())
            property = name->get<std::string>();
    }
    const json *tag = nullptr;
    if (value.is_object()) {
        if (auto it = value.find(property); it != value.end() && it->is_string())
            tag = &*it;
    }

    struct Attempt {
        std::vector<Error> errors;
        bool rootTypeMismatch = false;
    };
    std::vector<Attempt> attempts;
    std::vector<const json *> allTags; // the discriminator values the branches would accept
    for (const auto &branch : branches) {
        if (tag) {
            // Cheap rejection first: a branch whose declared `type` value differs cannot fit, and
            // skipping it keeps 50-way unions (stream events, output items) fast.
            const auto tags = discriminatorValues(branch, property);
            if (!tags.empty()) {
                bool match = false;
                for (const json *t : tags)
                    match = match || *t == *tag;
                if (!match) {
                    allTags.insert(allTags.end(), tags.begin(), tags.end());
                    continue;
                }
            }
        }
        Attempt attempt;
        validate(value, branch, path, attempt.errors);
        if (attempt.errors.empty())
            return;
        for (const Error &e : attempt.errors)
            attempt.rootTypeMismatch =
                attempt.rootTypeMismatch || (e.kind == ErrorKind::Type && e.path == path);
        attempts.push_back(std::move(attempt));
    }

    if (attempts.empty()) {
        if (tag) {
            PathScope scope(path, keySuffix(property));
            out.push_back(
                {path, shortDump(*tag) + " is not one of " + listValues(allTags), ErrorKind::Enum, {}});
        } else {
            out.push_back({path, "matches none of the alternatives", ErrorKind::Other, {}});
        }
        return;
    }

    const Attempt *best = nullptr;
    bool allRootMismatch = true;
    for (const Attempt &a : attempts) {
        allRootMismatch = allRootMismatch && a.rootTypeMismatch;
        if (!best || (best->rootTypeMismatch && !a.rootTypeMismatch) ||
            (best->rootTypeMismatch == a.rootTypeMismatch && a.errors.size() < best->errors.size()))
            best = &a;
    }
    if (allRootMismatch) {
        // Merge "expected string" + "expected null" into one readable line.
        std::vector<std::string> expected;
        for (const Attempt &a : attempts) {
            for (const Error &e : a.errors) {
                if (e.kind == ErrorKind::Type && e.path == path && !e.expectedType.empty() &&
                    std::find(expected.begin(), expected.end(), e.expectedType) == expected.end())
                    expected.push_back(e.expectedType);
            }
        }
        std::string joined;
        for (const auto &e : expected)
            joined += (joined.empty() ? "" : " or ") + e;
        out.push_back({path,
                       "expected " + joined + ", got " + typeOf(value) +
                           (value.is_null() ? std::string() : " " + shortDump(value, 40)),
                       ErrorKind::Type, joined});
        return;
    }
    out.insert(out.end(), best->errors.begin(), best->errors.end());
}

void OpenApiValidator::Impl::collectProperties(const json &schema, std::set<std::string> &names,
                                               int depth) const
{
    if (depth > 16 || !schema.is_object())
        return;
    if (auto ref = schema.find("$ref"); ref != schema.end() && ref->is_string()) {
        if (const json *target = resolve(ref->get<std::string>()))
            collectProperties(*target, names, depth + 1);
    }
    if (auto props = schema.find("properties"); props != schema.end() && props->is_object()) {
        for (auto it = props->begin(); it != props->end(); ++it)
            names.insert(it.key());
    }
    for (const char *key : {"allOf", "anyOf", "oneOf"}) {
        if (auto parts = schema.find(key); parts != schema.end() && parts->is_array()) {
            for (const auto &part : *parts)
                collectProperties(part, names, depth + 1);
        }
    }
}

OpenApiValidator::OpenApiValidator(json spec) : d(std::make_unique<Impl>())
{
    d->spec = std::move(spec);
    const json *schemas = nullptr;
    if (d->spec.contains("components") && d->spec["components"].contains("schemas"))
        schemas = &d->spec["components"]["schemas"];
    if (schemas && schemas->is_object()) {
        for (auto it = schemas->begin(); it != schemas->end(); ++it)
            d->schemas.emplace("#/components/schemas/" + it.key(), &it.value());
        if (auto events = schemas->find("ResponseStreamEvent"); events != schemas->end()) {
            for (const char *key : {"anyOf", "oneOf"}) {
                auto branches = events->find(key);
                if (branches == events->end() || !branches->is_array())
                    continue;
                for (const auto &branch : *branches) {
                    if (!branch.contains("$ref"))
                        continue;
                    const std::string ref = branch["$ref"].get<std::string>();
                    const std::string name = ref.substr(ref.rfind('/') + 1);
                    for (const json *tag : d->discriminatorValues(branch, "type")) {
                        if (tag->is_string()) {
                            d->eventSchemas.emplace(tag->get<std::string>(), name);
                            d->eventTypes.push_back(tag->get<std::string>());
                        }
                    }
                }
            }
        }
    }
}

OpenApiValidator::~OpenApiValidator() = default;

QString OpenApiValidator::specPath()
{
#ifdef ASSAY_OPENAPI_SPEC
    return QString::fromUtf8(ASSAY_OPENAPI_SPEC);
#else
    return QString();
#endif
}

const OpenApiValidator *OpenApiValidator::shared(QString *error)
{
    struct Loaded {
        std::unique_ptr<OpenApiValidator> validator;
        QString error;
    };
    static const Loaded loaded = [] {
        Loaded result;
        const QString path = specPath();
        QFile file(path);
        if (path.isEmpty() || !file.open(QIODevice::ReadOnly)) {
            result.error =
                QStringLiteral("OpenAI's OpenAPI spec is missing: cannot read \"%1\" (%2). The conformance "
                               "checks need shared/openai/openapi.json beside the repository; configure "
                               "with -DASSAY_OPENAPI_SPEC=/path/to/openapi.json.")
                    .arg(QFileInfo(path).absoluteFilePath(), file.errorString());
            return result;
        }
        const QByteArray bytes = file.readAll();
        try {
            result.validator =
                std::make_unique<OpenApiValidator>(json::parse(bytes.constBegin(), bytes.constEnd()));
        } catch (const json::exception &e) {
            result.error = QStringLiteral("OpenAPI spec \"%1\" is not valid JSON: %2")
                               .arg(path, QString::fromUtf8(e.what()));
            return result;
        }
        if (!result.validator->hasSchema(QStringLiteral("Response"))) {
            result.error =
                QStringLiteral("\"%1\" has no components.schemas.Response: is it OpenAI's openapi.json?")
                    .arg(path);
            result.validator.reset();
        }
        return result;
    }();
    if (error)
        *error = loaded.error;
    return loaded.validator.get();
}

bool OpenApiValidator::hasSchema(const QString &name) const
{
    return d->schemas.count("#/components/schemas/" + name.toStdString()) > 0;
}

QList<SchemaError> OpenApiValidator::validate(const json &value, const QString &schemaName) const
{
    QList<SchemaError> result;
    auto it = d->schemas.find("#/components/schemas/" + schemaName.toStdString());
    if (it == d->schemas.end()) {
        result.append(
            {QStringLiteral("$"), QStringLiteral("no schema named %1 in the spec").arg(schemaName)});
        return result;
    }
    std::vector<Error> errors;
    std::string path = "$";
    d->validate(value, *it->second, path, errors);
    for (const Error &e : errors)
        result.append({QString::fromStdString(e.path), QString::fromStdString(e.message)});
    return result;
}

QStringList OpenApiValidator::check(const json &value, const QString &schemaName) const
{
    QStringList lines;
    for (const SchemaError &e : validate(value, schemaName))
        lines.append(e.toString());
    return lines;
}

QStringList OpenApiValidator::unknownProperties(const json &object, const QString &schemaName) const
{
    QStringList unknown;
    auto it = d->schemas.find("#/components/schemas/" + schemaName.toStdString());
    if (it == d->schemas.end() || !object.is_object())
        return unknown;
    std::set<std::string> names;
    d->collectProperties(*it->second, names, 0);
    for (auto field = object.begin(); field != object.end(); ++field) {
        if (!names.count(field.key()))
            unknown.append(QString::fromStdString(field.key()));
    }
    return unknown;
}

QString OpenApiValidator::streamEventSchema(const QString &eventType) const
{
    auto it = d->eventSchemas.find(eventType.toStdString());
    return it == d->eventSchemas.end() ? QString() : QString::fromStdString(it->second);
}

QStringList OpenApiValidator::streamEventTypes() const
{
    QStringList types;
    for (const auto &t : d->eventTypes)
        types.append(QString::fromStdString(t));
    return types;
}

QString formatErrors(const QStringList &errors, int limit)
{
    QStringList shown = errors.mid(0, limit);
    if (errors.size() > limit)
        shown.append(QStringLiteral("... and %1 more").arg(errors.size() - limit));
    return QStringLiteral("  ") + shown.join(QStringLiteral("\n  "));
}

} // namespace assay::testing
