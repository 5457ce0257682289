#pragma once

#include <memory>
#include <string>
#include <vector>

#include <QList>
#include <QString>
#include <nlohmann/json.hpp>

namespace assay::dataset {

// One way a value breaks a schema. `path` is the JSON path of the failing value ("$",
// "$.ticket.priority", "$.tags[2]", "$[\"odd key\"]").
struct SchemaViolation {
    QString path;
    QString message;
    QString toString() const { return path + QStringLiteral(": ") + message; }
};

struct JsonSchemaValidatorOptions {
    // OpenAPI 3.0 has no "null" type; it marks nullable schemas with `nullable: true`. Honouring it
    // lets the OpenAPI conformance checks of tests/support (OpenApiValidator) reuse this class.
    bool openApiNullable = false;
    // Stop collecting after this many violations per validated value (a broken row in a huge file
    // should not produce thousands of lines).
    int maxViolations = 20;
};

// Validates JSON values against a JSON Schema (the draft 2020-12 subset eval item schemas use).
// The schema is compiled once (refs resolved, patterns compiled) and then validates any number of
// values without reparsing. Copies are cheap: they share the compiled schema.
//
// Keywords: type (a name or an array of names), enum, const, required, properties,
// patternProperties, additionalProperties (boolean or schema), min/maxProperties, items (a schema;
// the draft-04 array form is read as prefixItems), prefixItems, min/maxItems, uniqueItems,
// min/maxLength (Unicode code points), minimum/maximum, exclusiveMinimum/exclusiveMaximum (numbers,
// or OpenAPI 3.0 booleans), multipleOf, pattern (QRegularExpression, unanchored like ECMAScript),
// allOf/anyOf/oneOf/not, $ref to local "#..." JSON pointers (into $defs, definitions or anywhere,
// recursion allowed) with sibling keywords, boolean schemas. Annotations (title, description,
// format, default, examples...) are ignored.
class JsonSchemaValidator {
public:
    // A validator that accepts everything (the empty schema).
    JsonSchemaValidator();
    explicit JsonSchemaValidator(const nlohmann::json &schema, JsonSchemaValidatorOptions options = {});
    explicit JsonSchemaValidator(const nlohmann::ordered_json &schema,
                                 JsonSchemaValidatorOptions options = {});
    ~JsonSchemaValidator();
    JsonSchemaValidator(const JsonSchemaValidator &);
    JsonSchemaValidator &operator=(const JsonSchemaValidator &);
    JsonSchemaValidator(JsonSchemaValidator &&) noexcept;
    JsonSchemaValidator &operator=(JsonSchemaValidator &&) noexcept;

    // False when the schema itself is broken (unknown type name, bad regex, unresolvable $ref...);
    // such a validator reports every value as invalid with schemaError() at "$".
    bool isValid() const;
    QString schemaError() const;

    QList<SchemaViolation> validate(const nlohmann::json &value) const;
    QList<SchemaViolation> validate(const nlohmann::ordered_json &value) const;
    bool accepts(const nlohmann::json &value) const;
    bool accepts(const nlohmann::ordered_json &value) const;

private:
    struct Compiled;
    std::shared_ptr<const Compiled> m_compiled;
};

} // namespace assay::dataset
