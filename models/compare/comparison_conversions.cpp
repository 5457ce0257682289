#include "models/compare/comparison_conversions.h"

#include "models/prompt/prompt_template.h"

namespace assay::compare {

using nlohmann::json;

namespace {

// {{var}} -> {{item.var}}: the Evals API resolves template variables in the `item` namespace.
// Paths that already name a namespace (item., sample.) are left as they are.
QString toItemTemplate(const QString &text)
{
    QString out;
    qsizetype at = 0;
    for (const prompt::PromptTemplate::Span &span : prompt::PromptTemplate::findVariables(text)) {
        out += text.mid(at, span.start - at);
        if (span.path.startsWith(QStringLiteral("item.")) || span.path.startsWith(QStringLiteral("sample.")))
            out += text.mid(span.start, span.length);
        else
            out += QStringLiteral("{{item.") + span.path + QStringLiteral("}}");
        at = span.start + span.length;
    }
    out += text.mid(at);
    return out;
}

json jsonSchemaFormat(const json &schema)
{
    // RequestParameters::jsonSchema: {"name","schema","strict"?,"description"?} or a bare schema.
    json named = schema;
    if (!(schema.is_object() && schema.contains("schema") && schema["schema"].is_object()))
        named = {{"name", "response"}, {"schema", schema}};
    if (!named.contains("name"))
        named["name"] = "response";
    return named;
}

} // namespace

json ComparisonConversions::datasetItems(const Comparison &comparison, std::optional<int> idealColumn,
                                         const QString &idealField)
{
    json items = json::array();
    const bool withIdeal = idealColumn && *idealColumn >= 0 && *idealColumn < comparison.variantCount()
                           && !idealField.isEmpty();
    for (int r = 0; r < comparison.rowCount(); ++r) {
        json item = comparison.inputs().row(r);
        if (withIdeal) {
            const CellRun &run = comparison.cell(r, *idealColumn).primary();
            item[idealField.toStdString()] = run.status == CellStatus::Done ? run.text.toStdString() : std::string();
        }
        items.push_back({{"item", item}});
    }
    return items;
}

QByteArray ComparisonConversions::datasetJsonl(const Comparison &comparison, std::optional<int> idealColumn,
                                               const QString &idealField)
{
    QByteArray out;
    for (const json &line : datasetItems(comparison, idealColumn, idealField)) {
        out += QByteArray::fromStdString(line.dump());
        out += '\n';
    }
    return out;
}

json ComparisonConversions::evalRequest(const Comparison &comparison, const QString &evalName,
                                        std::optional<QString> idealField)
{
    json properties = json::object();
    json required = json::array();
    QStringList names = comparison.inputs().variableNames();
    if (idealField && !idealField->isEmpty() && !names.contains(*idealField))
        names.append(*idealField);
    for (const QString &name : names) {
        // Strings unless every row holds another JSON type for this key.
        std::string type;
        for (const json &row : comparison.inputs().rows()) {
            const auto it = row.find(name.toStdString());
            if (it == row.end())
                continue;
            std::string t = it->is_string() ? "string" : it->is_boolean() ? "boolean" : it->is_number_integer() ? "integer"
                          : it->is_number() ? "number" : it->is_array() ? "array" : it->is_object() ? "object" : "null";
            if (type.empty())
                type = t;
            else if (type != t)
                type = "mixed";
        }
        if (type.empty() || type == "mixed" || type == "null")
            properties[name.toStdString()] = json::object();
        else
            properties[name.toStdString()] = {{"type", type}};
        required.push_back(name.toStdString());
    }
    json itemSchema = {{"type", "object"}, {"properties", properties}, {"required", required}};
    return {{"name", evalName.toStdString()},
            {"data_source_config", {{"type", "custom"}, {"item_schema", itemSchema}, {"include_sample_schema", true}}},
            {"testing_criteria", comparison.graders()},
            {"metadata", {{"source", "assay comparison"}}}};
}

json ComparisonConversions::evalRunRequest(const Comparison &comparison, int variant, const QString &runName,
                                           std::optional<int> idealColumn, const QString &idealField, QString *error)
{
    auto failed = [error](const QString &message) {
        if (error)
            *error = message;
        return json();
    };
    if (variant < 0 || variant >= comparison.variantCount())
        return failed(QStringLiteral("There is no column %1.").arg(variant + 1));
    const ComparisonVariant &v = comparison.variant(variant);
    const prompt::Conversation &conversation = comparison.promptFor(variant);
    const prompt::RequestParameters &p = v.parameters;
    if (p.model.trimmed().isEmpty())
        return failed(QStringLiteral("Column \"%1\" has no model.").arg(v.displayName()));

    json messages = json::array();
    if (!conversation.instructions.trimmed().isEmpty())
        messages.push_back({{"role", "developer"}, {"content", toItemTemplate(conversation.instructions).toStdString()}});
    for (const prompt::Message &message : conversation.messages)
        messages.push_back({{"role", prompt::roleName(message.role).toStdString()},
                            {"content", toItemTemplate(message.text).toStdString()}});
    if (messages.empty())
        return failed(QStringLiteral("Column \"%1\" has no prompt to send.").arg(v.displayName()));

    const bool responses = p.api == api::ApiKind::Responses;
    json sampling = json::object();
    if (p.temperature)
        sampling["temperature"] = *p.temperature;
    if (p.topP)
        sampling["top_p"] = *p.topP;
    if (p.maxOutputTokens)
        sampling["max_completion_tokens"] = *p.maxOutputTokens;
    if (p.seed)
        sampling["seed"] = *p.seed;
    if (!p.reasoningEffort.isEmpty())
        sampling["reasoning_effort"] = p.reasoningEffort.toStdString();
    if (!p.jsonSchema.is_null()) {
        json format = jsonSchemaFormat(p.jsonSchema);
        if (responses) {
            format["type"] = "json_schema";
            sampling["text"] = {{"format", format}};
        } else {
            sampling["response_format"] = {{"type", "json_schema"}, {"json_schema", format}};
        }
    }

    json dataSource = {{"type", responses ? "responses" : "completions"},
                       {"model", p.model.toStdString()},
                       {"input_messages", {{"type", "template"}, {"template", messages}}},
                       {"source", {{"type", "file_content"}, {"content", datasetItems(comparison, idealColumn, idealField)}}}};
    if (!sampling.empty())
        dataSource["sampling_params"] = sampling;
    json body = {{"data_source", dataSource}, {"metadata", {{"source", "assay comparison"}}}};
    if (!runName.isEmpty())
        body["name"] = runName.toStdString();
    return body;
}

} // namespace assay::compare
