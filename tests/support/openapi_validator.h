#pragma once

#include <memory>

#include <QList>
#include <QString>
#include <QStringList>
#include <QtTest/QTest>
#include <nlohmann/json.hpp>

namespace assay::testing {

// One way a JSON value breaks a schema, with where (a JSON path such as $.output[0].type).
struct SchemaError {
    QString path;
    QString message;
    QString toString() const { return path + QStringLiteral(": ") + message; }
};

// Checks JSON values against the component schemas of OpenAI's openapi.json, so the fake server
// cannot drift from the real API and our request bodies stay acceptable to it.
//
// Supported: local $ref (with sibling keywords, as OpenAPI 3.1 allows), type (string or array
// of types), OpenAPI 3.0 `nullable`, enum, const, required, properties, additionalProperties
// (false or a schema), propertyNames, min/maxProperties, items, min/maxItems, min/maxLength,
// pattern (ECMAScript), minimum/maximum, exclusiveMinimum/Maximum (3.0 boolean and 3.1 numeric
// forms), allOf, anyOf, oneOf, not. `format` is ignored.
//
// oneOf is checked like anyOf: many of the spec's oneOf unions have branches that overlap (two
// object schemas without required discriminating fields, `string` next to an enum of strings),
// so "exactly one" would reject payloads the real API sends. When no branch of a union fits,
// the errors of the closest branch are reported (the one whose `type`/discriminator value
// matches, else the one with the fewest errors), not every branch's.
class OpenApiValidator {
public:
    explicit OpenApiValidator(nlohmann::json spec);
    ~OpenApiValidator();
    OpenApiValidator(const OpenApiValidator &) = delete;
    OpenApiValidator &operator=(const OpenApiValidator &) = delete;

    // The spec at ASSAY_OPENAPI_SPEC, parsed once per process. nullptr (and *error set) when the
    // file is missing or unreadable. Use ASSAY_REQUIRE_OPENAPI in tests.
    static const OpenApiValidator *shared(QString *error = nullptr);
    static QString specPath();

    bool hasSchema(const QString &name) const;

    // Empty when `value` matches components.schemas[schemaName]. An unknown schema name is
    // reported as an error at "$".
    QList<SchemaError> validate(const nlohmann::json &value, const QString &schemaName) const;
    // The same, as "path: message" strings (handy for QVERIFY2 messages).
    QStringList check(const nlohmann::json &value, const QString &schemaName) const;

    // Top-level keys of `object` that the schema (through $ref/allOf/anyOf/oneOf) never declares.
    // The real API answers those with 400 unknown_parameter, while the schema itself allows them.
    QStringList unknownProperties(const nlohmann::json &object, const QString &schemaName) const;

    // The ResponseStreamEvent variant for an event `type` ("response.output_text.delta" ->
    // "ResponseTextDeltaEvent"); empty if the spec has none.
    QString streamEventSchema(const QString &eventType) const;
    QStringList streamEventTypes() const;

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

// Multi-line text for a failure message (at most `limit` errors).
QString formatErrors(const QStringList &errors, int limit = 15);

} // namespace assay::testing

// Declares `var` as the shared validator, or fails the current test saying where the spec is
// expected.
#define ASSAY_REQUIRE_OPENAPI(var)                                                                           \
    QString var##LoadError;                                                                                  \
    const ::assay::testing::OpenApiValidator *var =                                                          \
        ::assay::testing::OpenApiValidator::shared(&var##LoadError);                                         \
    if (!var)                                                                                                \
        QFAIL(qPrintable(var##LoadError));

// Fails the current test with the schema errors, if any.
#define ASSAY_VERIFY_SCHEMA(validator, value, schemaName)                                                    \
    do {                                                                                                     \
        const QStringList assaySchemaErrors_ = (validator)->check((value), (schemaName));                    \
        QVERIFY2(                                                                                            \
            assaySchemaErrors_.isEmpty(),                                                                    \
            qPrintable(QStringLiteral("does not match %1:\n%2\nvalue: %3")                                   \
                           .arg(QString(schemaName), ::assay::testing::formatErrors(assaySchemaErrors_),     \
                                QString::fromStdString((value).dump()).left(2000))));                        \
    } while (false)
