#include "models/prompt/request_builder.h"

#include <optional>
#include <stdexcept>

#include "models/prompt/json_text.h"
#include "models/prompt/prompt_template.h"

namespace assay::prompt {

namespace {

using json = nlohmann::json;
using api::ApiKind;

std::string utf8(const QString &text)
{
    return text.toStdString();
}

QString qs(const std::string &text)
{
    return QString::fromStdString(text);
}

// Function and response-format names: "a-z, A-Z, 0-9, underscores and dashes, at most 64".
bool isValidName(const std::string &name)
{
    if (name.empty() || name.size() > 64)
        return false;
    for (const char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                        c == '_' || c == '-';
        if (!ok)
            return false;
    }
    return true;
}

QString nameRule()
{
    return QStringLiteral("may only contain a-z, A-Z, 0-9, underscores and dashes, at most 64 characters");
}

// ---- JSON schema checks --------------------------------------------------------------------

bool isSchemaTypeName(const json &value)
{
    static const char *const names[] = {"string", "number", "integer", "boolean", "object", "array", "null"};
    if (!value.is_string())
        return false;
    for (const char *name : names) {
        if (value.get<std::string>() == name)
            return true;
    }
    return false;
}

QString checkSchema(const json &schema, const QString &path, bool root);

QString checkSubschemaList(const json &schema, const char *keyword, const QString &path)
{
    const auto it = schema.find(keyword);
    if (it == schema.end())
        return {};
    const QString here = path + QLatin1Char('.') + QLatin1String(keyword);
    if (!it->is_array())
        return here + QStringLiteral(": must be an array of schemas");
    for (std::size_t i = 0; i < it->size(); ++i) {
        const QString error = checkSchema((*it)[i], here + QStringLiteral("[%1]").arg(i), false);
        if (!error.isEmpty())
            return error;
    }
    return {};
}

QString checkSubschemaMap(const json &schema, const char *keyword, const QString &path)
{
    const auto it = schema.find(keyword);
    if (it == schema.end())
        return {};
    const QString here = path + QLatin1Char('.') + QLatin1String(keyword);
    if (!it->is_object())
        return here + QStringLiteral(": must be an object mapping names to schemas");
    for (const auto &[key, value] : it->items()) {
        const QString error = checkSchema(value, here + jsonPathKey(key), false);
        if (!error.isEmpty())
            return error;
    }
    return {};
}

QString checkSchema(const json &schema, const QString &path, bool root)
{
    if (!schema.is_object())
        return path + QStringLiteral(": a schema must be a JSON object, not %1")
                          .arg(QLatin1String(schema.type_name()));

    const auto type = schema.find("type");
    if (root) {
        // Structured outputs (and function parameters) need an object at the root.
        if (type == schema.end())
            return path + QStringLiteral(".type: the root schema must have \"type\": \"object\"");
        if (!type->is_string() || type->get<std::string>() != "object")
            return path + QStringLiteral(".type: the root schema must be of type \"object\", not %1")
                              .arg(qs(type->dump()));
    } else if (type != schema.end()) {
        if (type->is_array()) {
            for (std::size_t i = 0; i < type->size(); ++i) {
                if (!isSchemaTypeName((*type)[i]))
                    return path + QStringLiteral(".type[%1]: %2 is not a JSON Schema type")
                                      .arg(i)
                                      .arg(qs((*type)[i].dump()));
            }
        } else if (!isSchemaTypeName(*type)) {
            return path + QStringLiteral(".type: %1 is not a JSON Schema type").arg(qs(type->dump()));
        }
    }

    const auto properties = schema.find("properties");
    if (properties != schema.end()) {
        if (!properties->is_object())
            return path + QStringLiteral(".properties: must be an object mapping property names to schemas");
        for (const auto &[key, value] : properties->items()) {
            const QString here = path + QStringLiteral(".properties") + jsonPathKey(key);
            if (!value.is_object())
                return here + QStringLiteral(": must be a schema object, not %1")
                                  .arg(QLatin1String(value.type_name()));
            const QString error = checkSchema(value, here, false);
            if (!error.isEmpty())
                return error;
        }
    }

    const auto required = schema.find("required");
    if (required != schema.end()) {
        if (!required->is_array())
            return path + QStringLiteral(".required: must be an array of property names");
        for (std::size_t i = 0; i < required->size(); ++i) {
            const json &name = (*required)[i];
            const QString here = path + QStringLiteral(".required[%1]").arg(i);
            if (!name.is_string())
                return here + QStringLiteral(": must be a property name (a string)");
            const bool known = properties != schema.end() && properties->is_object() &&
                               properties->contains(name.get<std::string>());
            if (!known)
                return here + QStringLiteral(": '%1' is not a property").arg(qs(name.get<std::string>()));
        }
    }

    const auto items = schema.find("items");
    if (items != schema.end()) {
        if (items->is_array()) {
            const QString error = checkSubschemaList(schema, "items", path);
            if (!error.isEmpty())
                return error;
        } else if (!items->is_boolean()) {
            const QString error = checkSchema(*items, path + QStringLiteral(".items"), false);
            if (!error.isEmpty())
                return error;
        }
    }

    const auto additional = schema.find("additionalProperties");
    if (additional != schema.end() && !additional->is_boolean()) {
        const QString error = checkSchema(*additional, path + QStringLiteral(".additionalProperties"), false);
        if (!error.isEmpty())
            return error;
    }

    const auto negated = schema.find("not");
    if (negated != schema.end()) {
        const QString error = checkSchema(*negated, path + QStringLiteral(".not"), false);
        if (!error.isEmpty())
            return error;
    }

    for (const char *keyword : {"anyOf", "oneOf", "allOf", "prefixItems"}) {
        const QString error = checkSubschemaList(schema, keyword, path);
        if (!error.isEmpty())
            return error;
    }
    for (const char *keyword : {"$defs", "definitions"}) {
        const QString error = checkSubschemaMap(schema, keyword, path);
        if (!error.isEmpty())
            return error;
    }
    return {};
}

// ---- Function tools ------------------------------------------------------------------------

[[noreturn]] void toolError(const QString &message)
{
    throw std::runtime_error(message.toStdString());
}

// Brings one tool to the Responses (flat) form: {"type":"function","name",...}. The user may
// paste either that or Chat's {"type":"function","function":{...}}. Other tool types (web
// search, file search...) are kept as they are.
json normalizeTool(const json &tool, std::size_t index)
{
    const QString where = QStringLiteral("tools[%1]").arg(index);
    if (!tool.is_object())
        toolError(
            where +
            QStringLiteral(": a tool must be a JSON object, not %1").arg(QLatin1String(tool.type_name())));

    const auto type = tool.find("type");
    if (type != tool.end() && !type->is_string())
        toolError(where + QStringLiteral(".type: must be a string such as \"function\""));
    const bool nested = tool.contains("function");
    const bool function = (type == tool.end() && (nested || tool.contains("name"))) ||
                          (type != tool.end() && type->get<std::string>() == "function");
    if (!function) {
        if (type == tool.end())
            toolError(where + QStringLiteral(": a tool needs a \"type\" (\"function\" for a function tool)"));
        return tool;
    }

    json flat = json::object();
    QString fieldPath = where;
    if (nested) {
        const json &inner = tool["function"];
        fieldPath = where + QStringLiteral(".function");
        if (!inner.is_object())
            toolError(fieldPath +
                      QStringLiteral(": must be an object with the function's name and parameters"));
        flat = inner;
    } else {
        flat = tool;
    }
    flat.erase("type");
    flat.erase("function");

    const auto name = flat.find("name");
    if (name == flat.end())
        toolError(fieldPath + QStringLiteral(": a function tool needs a \"name\""));
    if (!name->is_string())
        toolError(fieldPath + QStringLiteral(".name: must be a string"));
    if (!isValidName(name->get<std::string>()))
        toolError(fieldPath + QStringLiteral(".name: '%1' %2").arg(qs(name->get<std::string>()), nameRule()));

    const auto description = flat.find("description");
    if (description != flat.end() && !description->is_string() && !description->is_null())
        toolError(fieldPath + QStringLiteral(".description: must be a string"));

    const auto strict = flat.find("strict");
    if (strict != flat.end() && !strict->is_boolean() && !strict->is_null())
        toolError(fieldPath + QStringLiteral(".strict: must be true or false"));

    const auto parameters = flat.find("parameters");
    if (parameters != flat.end() && !parameters->is_null()) {
        if (!parameters->is_object())
            toolError(fieldPath + QStringLiteral(".parameters: must be a JSON schema object"));
        // {} means "no parameters" to the API; anything else must be an object schema.
        if (!parameters->empty()) {
            const QString error = checkSchema(*parameters, QStringLiteral("$"), true);
            if (!error.isEmpty())
                toolError(fieldPath + QStringLiteral(".parameters: ") + error);
        }
    }

    json result = {{"type", "function"}};
    result.update(flat);
    return result;
}

json normalizeTools(const json &tools)
{
    if (tools.is_null())
        return json::array();
    if (tools.is_object())
        return json::array({normalizeTool(tools, 0)});
    if (!tools.is_array())
        toolError(QStringLiteral("tools: expected an array of tool objects, not %1")
                      .arg(QLatin1String(tools.type_name())));
    json result = json::array();
    for (std::size_t i = 0; i < tools.size(); ++i)
        result.push_back(normalizeTool(tools[i], i));
    return result;
}

bool isFunctionTool(const json &tool)
{
    return tool.value("type", std::string()) == "function";
}

json responsesTool(const json &tool)
{
    if (!isFunctionTool(tool))
        return tool;
    json result = tool;
    // FunctionTool requires `parameters` and `strict`. false keeps Chat's meaning for a tool
    // pasted without `strict` and accepts any schema; the user can ask for true.
    if (!result.contains("parameters") || result["parameters"].is_null())
        result["parameters"] = {{"type", "object"}, {"properties", json::object()}};
    if (!result.contains("strict") || result["strict"].is_null())
        result["strict"] = false;
    if (result.contains("description") && result["description"].is_null())
        result.erase("description");
    return result;
}

json chatTool(const json &tool, QStringList &warnings)
{
    json function = json::object();
    for (const auto &[key, value] : tool.items()) {
        if (key == "type" || value.is_null())
            continue;
        if (key == "name" || key == "description" || key == "parameters" || key == "strict") {
            function[key] = value;
        } else {
            warnings.append(
                QStringLiteral("Tool %1: \"%2\" was not sent because Chat Completions function tools "
                               "do not accept it.")
                    .arg(qs(tool.value("name", std::string())), qs(key)));
        }
    }
    return {{"type", "function"}, {"function", function}};
}

// ---- Structured output ---------------------------------------------------------------------

struct OutputFormat {
    json name;
    json schema;
    json strict;      // null: not sent, the API's default applies
    json description; // null: not sent
};

// Accepts {"name","schema","strict","description"} or a bare schema. Sets `error` if unusable.
std::optional<OutputFormat> outputFormat(const json &spec, QString &error)
{
    if (spec.is_null() || (spec.is_object() && spec.empty()))
        return std::nullopt;
    if (!spec.is_object()) {
        error = QStringLiteral("Structured output: expected a JSON object, not %1")
                    .arg(QLatin1String(spec.type_name()));
        return std::nullopt;
    }
    OutputFormat format;
    format.name = "response";
    format.strict = nullptr;
    format.description = nullptr;
    if (spec.contains("schema")) {
        format.schema = spec["schema"];
        if (spec.contains("name")) {
            const json &name = spec["name"];
            if (!name.is_string() || !isValidName(name.get<std::string>())) {
                error = QStringLiteral("Structured output name %1 %2").arg(qs(name.dump()), nameRule());
                return std::nullopt;
            }
            format.name = name;
        }
        if (spec.contains("strict") && !spec["strict"].is_null()) {
            if (!spec["strict"].is_boolean()) {
                error = QStringLiteral("Structured output \"strict\" must be true or false");
                return std::nullopt;
            }
            format.strict = spec["strict"];
        }
        if (spec.contains("description") && spec["description"].is_string())
            format.description = spec["description"];
    } else if (spec.contains("name") || spec.contains("strict")) {
        error = QStringLiteral("Structured output: \"schema\" is missing (expected {\"name\", \"schema\", "
                               "\"strict\"} or a bare JSON schema)");
        return std::nullopt;
    } else {
        format.schema = spec; // a bare schema pasted as it is
    }
    const QString schemaError = RequestBuilder::validateJsonSchema(format.schema);
    if (!schemaError.isEmpty()) {
        error = QStringLiteral("Structured output schema: ") + schemaError;
        return std::nullopt;
    }
    return format;
}

// ---- Extra parameters ----------------------------------------------------------------------

// "reasoning.effort": "low" becomes {"reasoning": {"effort": "low"}} (request bodies have no
// top-level key with a dot, so a dotted key can only mean a nested field).
json expandDottedKeys(const json &extra)
{
    json patch = json::object();
    for (const auto &[key, value] : extra.items()) {
        json *target = &patch;
        std::size_t start = 0;
        while (true) {
            const std::size_t dot = key.find('.', start);
            const std::string part =
                key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
            if (dot == std::string::npos) {
                (*target)[part] = value;
                break;
            }
            json &next = (*target)[part];
            if (!next.is_object())
                next = json::object();
            target = &next;
            start = dot + 1;
        }
    }
    return patch;
}

QString apiLabel(ApiKind api)
{
    return api == ApiKind::Responses ? QStringLiteral("the Responses API")
                                     : QStringLiteral("Chat Completions");
}

void dropped(QStringList &warnings, const char *parameter, const QString &why)
{
    warnings.append(QStringLiteral("%1 was not sent: %2").arg(QLatin1String(parameter), why));
}

} // namespace

QString RequestBuilder::validateJsonSchema(const nlohmann::json &schema)
{
    return checkSchema(schema, QStringLiteral("$"), true);
}

nlohmann::json RequestBuilder::parseTools(const QString &text)
{
    if (text.trimmed().isEmpty())
        return json::array();
    return normalizeTools(parseJsonText(utf8(text)));
}

RequestBuilder::Result RequestBuilder::build(const Conversation &conversation,
                                             const RequestParameters &parameters,
                                             const nlohmann::json &variables, bool stream)
{
    Result result;
    const bool responses = parameters.api == ApiKind::Responses;
    const QString api = apiLabel(parameters.api);
    QStringList &warnings = result.warnings;

    // Problems that make the request pointless are errors, checked before anything is built.
    const std::optional<OutputFormat> format = outputFormat(parameters.jsonSchema, result.error);
    if (!result.error.isEmpty())
        return result;
    json tools;
    try {
        tools = normalizeTools(parameters.tools);
    } catch (const std::exception &error) {
        result.error = QString::fromUtf8(error.what());
        return result;
    }
    if (parameters.metadata.size() > 16) {
        result.error = QStringLiteral("metadata has %1 entries; the API accepts at most 16.")
                           .arg(parameters.metadata.size());
        return result;
    }
    for (const auto &[key, value] : parameters.metadata) {
        if (key.isEmpty() || key.size() > 64 || value.size() > 512) {
            result.error =
                QStringLiteral("metadata \"%1\": keys must be 1-64 characters and values at most 512.")
                    .arg(key);
            return result;
        }
    }
    if (parameters.stop.size() > 4 && !responses) {
        result.error = QStringLiteral("Chat Completions accepts at most 4 stop sequences, not %1.")
                           .arg(parameters.stop.size());
        return result;
    }
    if (responses && parameters.background && parameters.store == false) {
        result.error =
            QStringLiteral("Background mode needs store on: the response must be kept so it can be fetched.");
        return result;
    }

    // Variables.
    const json context = variables.is_null() ? json::object() : variables;
    QStringList unresolved;
    const QString instructions = PromptTemplate::render(conversation.instructions, context, &unresolved);
    std::vector<std::pair<QString, QString>> messages; // role, rendered text
    for (const Message &message : conversation.messages)
        messages.emplace_back(roleName(message.role),
                              PromptTemplate::render(message.text, context, &unresolved));
    if (!unresolved.isEmpty()) {
        QStringList shown;
        for (const QString &name : unresolved)
            shown.append(QStringLiteral("{{%1}}").arg(name));
        warnings.append(
            QStringLiteral("No value for %1; sent as typed.").arg(shown.join(QStringLiteral(", "))));
    }
    const bool hasInstructions = !instructions.trimmed().isEmpty();

    json &body = result.body;
    body = json::object();
    body["model"] = utf8(parameters.model.trimmed());

    if (responses) {
        if (hasInstructions)
            body["instructions"] = utf8(instructions);
        if (!messages.empty()) {
            json input = json::array();
            for (const auto &[role, text] : messages)
                input.push_back({{"type", "message"}, {"role", utf8(role)}, {"content", utf8(text)}});
            body["input"] = std::move(input);
        }
    } else {
        json list = json::array();
        if (hasInstructions)
            list.push_back({{"role", "developer"}, {"content", utf8(instructions)}});
        for (const auto &[role, text] : messages)
            list.push_back({{"role", utf8(role)}, {"content", utf8(text)}});
        body["messages"] = std::move(list);
    }

    if (parameters.temperature)
        body["temperature"] = *parameters.temperature;
    if (parameters.topP)
        body["top_p"] = *parameters.topP;
    if (parameters.maxOutputTokens)
        body[responses ? "max_output_tokens" : "max_completion_tokens"] = *parameters.maxOutputTokens;

    if (responses) {
        json reasoning = json::object();
        if (!parameters.reasoningEffort.isEmpty())
            reasoning["effort"] = utf8(parameters.reasoningEffort);
        if (!parameters.reasoningSummary.isEmpty())
            reasoning["summary"] = utf8(parameters.reasoningSummary);
        if (!reasoning.empty())
            body["reasoning"] = std::move(reasoning);
    } else {
        if (!parameters.reasoningEffort.isEmpty())
            body["reasoning_effort"] = utf8(parameters.reasoningEffort);
        if (!parameters.reasoningSummary.isEmpty())
            dropped(
                warnings, "reasoning.summary",
                QStringLiteral("Chat Completions returns no reasoning summaries (the Responses API does)."));
    }

    if (parameters.seed) {
        if (responses)
            dropped(warnings, "seed",
                    QStringLiteral("the Responses API has no seed (Chat Completions has)."));
        else
            body["seed"] = *parameters.seed;
    }
    if (!parameters.serviceTier.isEmpty())
        body["service_tier"] = utf8(parameters.serviceTier);
    if (parameters.store)
        body["store"] = *parameters.store;

    if (parameters.topLogprobs) {
        body["top_logprobs"] = *parameters.topLogprobs;
        if (responses)
            body["include"] = json::array({"message.output_text.logprobs"});
        else
            body["logprobs"] = true;
    }

    if (format) {
        json config = {{"type", "json_schema"}, {"name", format->name}, {"schema", format->schema}};
        if (!format->strict.is_null())
            config["strict"] = format->strict;
        if (!format->description.is_null())
            config["description"] = format->description;
        if (responses) {
            body["text"]["format"] = std::move(config);
        } else {
            config.erase("type");
            body["response_format"] = {{"type", "json_schema"}, {"json_schema", std::move(config)}};
        }
    }
    if (!parameters.verbosity.isEmpty()) {
        if (responses)
            body["text"]["verbosity"] = utf8(parameters.verbosity);
        else
            body["verbosity"] = utf8(parameters.verbosity);
    }

    // Tools, and the two settings that only mean something alongside them.
    json sentTools = json::array();
    for (const json &tool : tools) {
        if (responses) {
            sentTools.push_back(responsesTool(tool));
        } else if (isFunctionTool(tool)) {
            sentTools.push_back(chatTool(tool, warnings));
        } else {
            warnings.append(
                QStringLiteral("The %1 tool was not sent: Chat Completions accepts function tools only.")
                    .arg(qs(tool.value("type", std::string()))));
        }
    }
    if (!sentTools.empty())
        body["tools"] = sentTools;
    const QString choice = parameters.toolChoice.trimmed();
    if (!choice.isEmpty()) {
        if (sentTools.empty()) {
            dropped(warnings, "tool_choice", QStringLiteral("no tools are defined."));
        } else if (choice == QLatin1String("auto") || choice == QLatin1String("none") ||
                   choice == QLatin1String("required")) {
            body["tool_choice"] = utf8(choice);
        } else {
            // Any other value names the one function the model must call.
            bool known = false;
            for (const json &tool : tools)
                known = known || (isFunctionTool(tool) && tool.value("name", std::string()) == utf8(choice));
            if (!known) {
                result.error =
                    QStringLiteral("tool_choice \"%1\" is neither auto, none, required nor the name of a "
                                   "function tool.")
                        .arg(choice);
                result.body = json();
                return result;
            }
            if (responses)
                body["tool_choice"] = {{"type", "function"}, {"name", utf8(choice)}};
            else
                body["tool_choice"] = {{"type", "function"}, {"function", {{"name", utf8(choice)}}}};
        }
    }
    if (parameters.parallelToolCalls) {
        if (sentTools.empty())
            dropped(warnings, "parallel_tool_calls", QStringLiteral("no tools are defined."));
        else
            body["parallel_tool_calls"] = *parameters.parallelToolCalls;
    }

    if (parameters.frequencyPenalty) {
        if (responses)
            dropped(warnings, "frequency_penalty", QStringLiteral("the Responses API does not accept it."));
        else
            body["frequency_penalty"] = *parameters.frequencyPenalty;
    }
    if (parameters.presencePenalty) {
        if (responses)
            dropped(warnings, "presence_penalty", QStringLiteral("the Responses API does not accept it."));
        else
            body["presence_penalty"] = *parameters.presencePenalty;
    }
    if (!parameters.prediction.isEmpty()) {
        if (responses)
            dropped(warnings, "prediction",
                    QStringLiteral("predicted outputs are a Chat Completions feature."));
        else
            body["prediction"] = {{"type", "content"}, {"content", utf8(parameters.prediction)}};
    }
    QStringList stops;
    for (const QString &stop : parameters.stop) {
        if (!stop.isEmpty())
            stops.append(stop);
    }
    if (!stops.isEmpty()) {
        if (responses) {
            dropped(warnings, "stop", QStringLiteral("the Responses API does not accept stop sequences."));
        } else {
            json list = json::array();
            for (const QString &stop : stops)
                list.push_back(utf8(stop));
            body["stop"] = std::move(list);
        }
    }

    if (!parameters.promptCacheKey.isEmpty())
        body["prompt_cache_key"] = utf8(parameters.promptCacheKey);
    if (!parameters.safetyIdentifier.isEmpty())
        body["safety_identifier"] = utf8(parameters.safetyIdentifier);
    if (!parameters.metadata.empty()) {
        json metadata = json::object();
        for (const auto &[key, value] : parameters.metadata)
            metadata[utf8(key)] = utf8(value);
        body["metadata"] = std::move(metadata);
    }
    if (parameters.background) {
        if (responses)
            body["background"] = true;
        else
            dropped(warnings, "background",
                    QStringLiteral("background mode exists only on the Responses API."));
    }
    if (stream) {
        body["stream"] = true;
        if (!responses)
            body["stream_options"] = {{"include_usage", true}}; // usage arrives in the last chunk
    }

    // Last, so `--param key=value` can set or override any field; null removes one (RFC 7396).
    if (parameters.extra.is_object() && !parameters.extra.empty())
        body.merge_patch(expandDottedKeys(parameters.extra));
    else if (!parameters.extra.is_null() && !parameters.extra.is_object())
        warnings.append(QStringLiteral("Extra parameters were ignored: they must be a JSON object."));

    const auto model = body.find("model");
    if (model == body.end() || !model->is_string() || model->get<std::string>().empty()) {
        result.error = QStringLiteral("Choose a model: %1 needs one.").arg(api);
        result.body = json();
        return result;
    }
    const bool empty = responses ? (!body.contains("input") && !body.contains("instructions"))
                                 : (!body.contains("messages") || body["messages"].empty());
    if (empty) {
        result.error =
            QStringLiteral("Nothing to send: write %1 first.")
                .arg(responses ? QStringLiteral("instructions or a message") : QStringLiteral("a message"));
        result.body = json();
        return result;
    }
    return result;
}

} // namespace assay::prompt
