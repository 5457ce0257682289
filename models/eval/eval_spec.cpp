#include "models/eval/eval_spec.h"

#include <map>
#include <mutex>
#include <regex>

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include "models/dataset/json_schema_validator.h"
#include "models/eval/eval_template.h"
#include "models/eval/graders/grader.h"
#include "models/eval/reasoning_models.h"

namespace assay::eval {

namespace {

using json = nlohmann::json;

// --- The openapi.json request schemas, compiled in (resources/schemas, see extract_schemas.py) ----

constexpr auto kEvalSchema = "CreateEvalRequest";
constexpr auto kRunSchema = "CreateEvalRunRequest";

struct SchemaSet {
    json document; // null when the resource is missing (a broken build)
    std::map<std::string, dataset::JsonSchemaValidator> validators;
};

std::mutex s_schemaMutex;

SchemaSet &schemaSet(const std::string &name)
{
    static std::map<std::string, SchemaSet> sets;
    auto it = sets.find(name);
    if (it != sets.end())
        return it->second;
    SchemaSet set;
    QFile file(QStringLiteral(":/schemas/%1.schema.json").arg(QString::fromStdString(name)));
    if (file.open(QIODevice::ReadOnly)) {
        const QByteArray bytes = file.readAll();
        set.document = json::parse(bytes.constBegin(), bytes.constEnd(), nullptr, false);
        if (set.document.is_discarded())
            set.document = nullptr;
    }
    return sets.emplace(name, std::move(set)).first->second;
}

// A validator for the root of a schema file ("") with some member schemas relaxed, or for one of
// its $defs. The root ones skip the parts validated separately (per variant), so a grader's
// problem is reported against its own type, not against the closest of five unions.
std::optional<dataset::JsonSchemaValidator> validatorFor(const std::string &file, const std::string &def,
                                                         const std::vector<std::string> &relaxed = {})
{
    const std::lock_guard lock(s_schemaMutex);
    SchemaSet &set = schemaSet(file);
    if (set.document.is_null())
        return std::nullopt;
    const std::string key = def.empty() ? std::string("#root") : def;
    auto it = set.validators.find(key);
    if (it != set.validators.end())
        return it->second;
    json schema;
    if (def.empty()) {
        schema = set.document;
        for (const std::string &member : relaxed) {
            if (member == "testing_criteria")
                schema["properties"][member]["items"] = json::object();
            else
                schema["properties"][member] = {{"type", "object"}};
        }
    } else {
        if (!set.document["$defs"].contains(def))
            return std::nullopt;
        schema = {{"$ref", "#/$defs/" + def}, {"$defs", set.document["$defs"]}};
    }
    dataset::JsonSchemaValidatorOptions options;
    options.openApiNullable = true;
    options.maxViolations = 50;
    return set.validators.emplace(key, dataset::JsonSchemaValidator(schema, options)).first->second;
}

void addProblem(std::vector<SpecProblem> &problems, std::string path, std::string message)
{
    for (const SpecProblem &problem : problems) {
        if (problem.path == path && problem.message == message)
            return;
    }
    problems.push_back({std::move(path), std::move(message)});
}

bool hasProblemAtOrBelow(const std::vector<SpecProblem> &problems, const std::string &path)
{
    for (const SpecProblem &problem : problems) {
        if (problem.path.compare(0, path.size(), path) == 0 &&
            (problem.path.size() == path.size() || problem.path[path.size()] == '.' ||
             problem.path[path.size()] == '['))
            return true;
    }
    return false;
}

bool isBelow(const std::string &deeper, const std::string &path)
{
    return deeper.size() > path.size() && deeper.compare(0, path.size(), path) == 0 &&
           (deeper[path.size()] == '.' || deeper[path.size()] == '[');
}

// Validates `value` and adds the most specific violations under `prefix` (the JSON path of
// `value` in the whole definition): a missing member is reported at the member's own path, and a
// union's "matches none" is dropped when the closest variant says what exactly is wrong.
void validateInto(const dataset::JsonSchemaValidator &validator, const json &value, const std::string &prefix,
                  std::vector<SpecProblem> &problems)
{
    static const std::regex missing("^missing required property \"([A-Za-z0-9_]+)\"$");
    std::vector<SpecProblem> found;
    for (const dataset::SchemaViolation &violation : validator.validate(value)) {
        std::string path = prefix + violation.path.toStdString().substr(1);
        std::string message = violation.message.toStdString();
        std::smatch match;
        if (std::regex_match(message, match, missing)) {
            path += "." + match[1].str();
            message = "is missing (required)";
        }
        found.push_back({path, message});
    }
    for (std::size_t i = 0; i < found.size(); ++i) {
        bool general = false;
        const bool unionMessage = found[i].message.find("does not match any of the") != std::string::npos;
        for (std::size_t j = 0; j < found.size() && !general; ++j) {
            if (i == j)
                continue;
            general = isBelow(found[j].path, found[i].path) ||
                      (unionMessage && found[j].path == found[i].path &&
                       found[j].message.find("does not match any of the") == std::string::npos);
        }
        if (!general)
            addProblem(problems, found[i].path, found[i].message);
    }
}

bool validateDef(const std::string &file, const std::string &def, const json &value,
                 const std::string &prefix, std::vector<SpecProblem> &problems)
{
    const auto validator = validatorFor(file, def);
    if (!validator) {
        addProblem(problems, prefix, "this build of Assay lacks the schema " + file + "#" + def);
        return false;
    }
    const std::size_t before = problems.size();
    validateInto(*validator, value, prefix, problems);
    return problems.size() == before;
}

void validateRoot(const std::string &file, const json &value, const std::vector<std::string> &relaxed,
                  std::vector<SpecProblem> &problems)
{
    const auto validator = validatorFor(file, {}, relaxed);
    if (!validator) {
        addProblem(problems, "$", "this build of Assay lacks the schema " + file);
        return;
    }
    validateInto(*validator, value, "$", problems);
}

std::string quoted(const std::string &text)
{
    return json(text).dump();
}

// "path: message" from makeGrader.
SpecProblem splitGraderError(const std::string &error, const std::string &fallbackPath)
{
    if (error.rfind("$", 0) == 0) {
        const std::size_t colon = error.find(": ");
        if (colon != std::string::npos)
            return {error.substr(0, colon), error.substr(colon + 2)};
    }
    return {fallbackPath, error.empty() ? std::string("invalid grader") : error};
}

// {{ sample.* }} in a run's input messages: the sample does not exist before sampling.
void findSampleReferences(const json &value, const std::string &path, std::vector<SpecProblem> &problems)
{
    static const std::regex sampleVariable("\\{\\{\\s*sample(\\.[^}\\s]*)?\\s*\\}\\}");
    if (value.is_string()) {
        std::smatch match;
        const std::string text = value.get<std::string>();
        if (std::regex_search(text, match, sampleVariable))
            addProblem(problems, path,
                       "the input messages refer to " + match.str() +
                           ", but the sample namespace exists only after sampling (use {{ item.* }})");
    } else if (value.is_array()) {
        for (std::size_t i = 0; i < value.size(); ++i)
            findSampleReferences(value[i], path + "[" + std::to_string(i) + "]", problems);
    } else if (value.is_object()) {
        for (auto it = value.begin(); it != value.end(); ++it)
            findSampleReferences(it.value(), path + "." + it.key(), problems);
    }
}

void eraseNullMembers(json &object)
{
    if (!object.is_object())
        return;
    for (auto it = object.begin(); it != object.end();) {
        if (it->is_null())
            it = object.erase(it);
        else
            ++it;
    }
}

std::optional<api::ApiKind> apiFromWord(const std::string &word)
{
    if (word == "responses")
        return api::ApiKind::Responses;
    if (word == "chat" || word == "completions" || word == "chat_completions" || word == "chat.completions")
        return api::ApiKind::ChatCompletions;
    return std::nullopt;
}

QString resolveLocalPath(const std::string &given, const QString &baseDir)
{
    QString path = QString::fromStdString(given);
    if (path.startsWith(QLatin1String("file://")))
        path = path.mid(7);
    else if (path.startsWith(QLatin1String("file:")))
        path = path.mid(5);
    if (path.startsWith(QLatin1String("~/")))
        path = QDir::homePath() + path.mid(1);
    QFileInfo info(path);
    if (info.isRelative())
        info = QFileInfo(QDir(baseDir.isEmpty() ? QDir::currentPath() : baseDir), path);
    return QDir::cleanPath(info.absoluteFilePath());
}

// --- Shapes that differ between the two APIs ---------------------------------------------------

// Chat response_format -> Responses text.format.
json toTextFormat(const json &responseFormat)
{
    if (!responseFormat.is_object())
        return responseFormat;
    if (responseFormat.value("type", "") == "json_schema" && responseFormat.contains("json_schema")) {
        json format = {{"type", "json_schema"}};
        const json &inner = responseFormat["json_schema"];
        for (auto it = inner.begin(); it != inner.end(); ++it)
            format[it.key()] = it.value();
        if (!format.contains("schema"))
            format["schema"] = json::object();
        return format;
    }
    return responseFormat;
}

// Responses text.format -> Chat response_format.
json toResponseFormat(const json &textFormat)
{
    if (!textFormat.is_object())
        return textFormat;
    if (textFormat.value("type", "") == "json_schema" && !textFormat.contains("json_schema")) {
        json inner = textFormat;
        inner.erase("type");
        return {{"type", "json_schema"}, {"json_schema", inner}};
    }
    return textFormat;
}

json toResponsesTools(const json &tools)
{
    json out = json::array();
    for (const json &tool : tools) {
        if (tool.is_object() && tool.value("type", "") == "function" && tool.contains("function") &&
            tool["function"].is_object()) {
            const json &function = tool["function"];
            json converted = {{"type", "function"}, {"name", function.value("name", "")}};
            if (function.contains("description"))
                converted["description"] = function["description"];
            converted["parameters"] =
                function.contains("parameters") ? function["parameters"] : json(nullptr);
            converted["strict"] = function.contains("strict") ? function["strict"] : json(false);
            out.push_back(std::move(converted));
        } else {
            out.push_back(tool);
        }
    }
    return out;
}

json toChatTools(const json &tools)
{
    json out = json::array();
    for (const json &tool : tools) {
        if (tool.is_object() && tool.value("type", "") == "function" && !tool.contains("function")) {
            json function = {{"name", tool.value("name", "")}};
            for (const char *field : {"description", "parameters", "strict"}) {
                if (tool.contains(field) && !tool[field].is_null())
                    function[field] = tool[field];
            }
            out.push_back({{"type", "function"}, {"function", std::move(function)}});
        } else {
            out.push_back(tool);
        }
    }
    return out;
}

bool isTextPart(const json &part)
{
    if (!part.is_object() || !part.contains("text") || !part["text"].is_string())
        return false;
    const std::string type = part.value("type", "text");
    return type == "text" || type == "input_text" || type == "output_text";
}

std::string joinedText(const json &parts)
{
    std::string text;
    for (const json &part : parts)
        text += part.value("text", "");
    return text;
}

// Template messages (EasyInputMessage / EvalItem: content a string, one content part or a list)
// in the form each API takes.
json messageForResponses(const json &message)
{
    if (!message.is_object())
        return message;
    json out = message;
    const std::string role = message.value("role", "user");
    json content = message.contains("content") ? message["content"] : json("");
    if (content.is_object())
        content = json::array({content});
    if (content.is_array()) {
        bool allText = true;
        for (const json &part : content)
            allText = allText && isTextPart(part);
        if (allText && (role == "assistant" || content.size() == 1)) {
            content = joinedText(content);
        } else {
            json parts = json::array();
            for (json part : content) {
                if (isTextPart(part)) {
                    part["type"] = "input_text";
                } else if (part.is_object() && part.value("type", "") == "image_url" &&
                           part.contains("image_url")) {
                    const json &image = part["image_url"];
                    json converted = {
                        {"type", "input_image"},
                        {"image_url", image.is_object() ? json(image.value("url", "")) : image}};
                    converted["detail"] =
                        image.is_object() ? image.value("detail", "auto") : std::string("auto");
                    part = converted;
                } else if (part.is_object() && part.value("type", "") == "input_image" &&
                           !part.contains("detail")) {
                    part["detail"] = "auto";
                }
                parts.push_back(std::move(part));
            }
            content = std::move(parts);
        }
    }
    out["content"] = std::move(content);
    return out;
}

json messageForChat(const json &message)
{
    if (!message.is_object())
        return message;
    const std::string role = message.value("role", "user");
    json content = message.contains("content") ? message["content"] : json("");
    if (content.is_object())
        content = json::array({content});
    if (content.is_array()) {
        bool allText = true;
        for (const json &part : content)
            allText = allText && isTextPart(part);
        if (allText) {
            content = joinedText(content);
        } else {
            json parts = json::array();
            for (const json &part : content) {
                if (isTextPart(part)) {
                    parts.push_back({{"type", "text"}, {"text", part["text"]}});
                } else if (part.is_object() && part.value("type", "") == "input_image") {
                    json image = {{"url", part.value("image_url", "")}};
                    if (part.contains("detail"))
                        image["detail"] = part["detail"];
                    parts.push_back({{"type", "image_url"}, {"image_url", image}});
                } else {
                    parts.push_back(part);
                }
            }
            content = std::move(parts);
        }
    }
    return {{"role", role}, {"content", std::move(content)}};
}

// "item.a.b" / "a.b" in the item namespace.
const json *lookupItemPath(const json &item, std::string path)
{
    if (path.rfind("item.", 0) == 0)
        path = path.substr(5);
    else if (path == "item")
        return &item;
    const json *current = &item;
    std::size_t start = 0;
    while (start <= path.size()) {
        const std::size_t dot = path.find('.', start);
        const std::string key =
            path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        if (!current->is_object() || !current->contains(key))
            return nullptr;
        current = &(*current)[key];
        if (dot == std::string::npos)
            break;
        start = dot + 1;
    }
    return current;
}

std::optional<json> firstOf(const json &params, std::initializer_list<const char *> names)
{
    for (const char *name : names) {
        auto it = params.find(name);
        if (it != params.end() && !it->is_null())
            return *it;
    }
    return std::nullopt;
}

// Splits one row into the item and the sample it carries (Evals API JSONL rows are {"item": ...}
// or {"item": ..., "sample": ...}; anything else is the item itself).
void splitRow(const json &row, json &item, json &sample)
{
    if (row.is_object() && row.contains("item") && row["item"].is_object()) {
        bool onlyEnvelope = true;
        for (auto it = row.begin(); it != row.end(); ++it)
            onlyEnvelope = onlyEnvelope && (it.key() == "item" || it.key() == "sample");
        if (onlyEnvelope) {
            item = row["item"];
            sample = row.contains("sample") ? row["sample"] : json(nullptr);
            return;
        }
    }
    item = row;
    sample = nullptr;
}

std::string parseMessage(const json::parse_error &error)
{
    std::string message = error.what();
    const std::size_t bracket = message.find("] ");
    if (message.rfind("[json.exception", 0) == 0 && bracket != std::string::npos)
        message = message.substr(bracket + 2);
    return message;
}

} // namespace

// --- EvalSpec -----------------------------------------------------------------------------------

std::optional<EvalSpec> EvalSpec::parse(const nlohmann::json &definition,
                                        std::vector<SpecProblem> *problemsOut)
{
    std::vector<SpecProblem> problems;
    auto finish = [&](std::optional<EvalSpec> spec) -> std::optional<EvalSpec> {
        if (problemsOut)
            *problemsOut = problems;
        if (!problems.empty())
            return std::nullopt;
        return spec;
    };
    if (!definition.is_object()) {
        addProblem(problems, "$", "an eval definition must be a JSON object (a CreateEvalRequest body)");
        return finish(std::nullopt);
    }

    EvalSpec spec;
    spec.raw = definition;
    json body = definition;
    // An exported Eval object (GET /evals/{id}): drop what the API adds.
    if (body.value("object", "") == "eval") {
        if (body.contains("id") && body["id"].is_string())
            spec.openaiId = body["id"].get<std::string>();
        for (const char *field : {"object", "id", "created_at"})
            body.erase(field);
    }
    if (body.contains("metadata") && body["metadata"].is_null())
        body.erase("metadata");

    if (body.contains("data_source_config") && body["data_source_config"].is_object()) {
        json &config = body["data_source_config"];
        const std::string type = config.value("type", "");
        // The Eval object returns `schema` ({item: ..., sample: ...}) where the request had item_schema.
        if (config.contains("schema") && !config.contains("item_schema")) {
            const json schema = config["schema"];
            config.erase("schema");
            if (type == "custom") {
                const bool wrapped = schema.is_object() && schema.contains("properties") &&
                                     schema["properties"].is_object() &&
                                     schema["properties"].contains("item");
                config["item_schema"] = wrapped ? schema["properties"]["item"] : schema;
                if (wrapped && schema["properties"].contains("sample"))
                    config["include_sample_schema"] = true;
            }
        }
    }

    validateRoot(kEvalSchema, body, {"data_source_config", "testing_criteria"}, problems);

    if (!body.contains("name") || (body["name"].is_string() && body["name"].get<std::string>().empty()))
        addProblem(problems, "$.name", "is missing: Assay keeps evals by name");
    else if (body["name"].is_string())
        spec.name = body["name"].get<std::string>();

    if (body.contains("data_source_config") && body["data_source_config"].is_object()) {
        const json &config = body["data_source_config"];
        static const std::map<std::string, std::string> configs = {
            {"custom", "CreateEvalCustomDataSourceConfig"},
            {"logs", "CreateEvalLogsDataSourceConfig"},
            {"stored_completions", "CreateEvalStoredCompletionsDataSourceConfig"}};
        const std::string type = config.value("type", "");
        const auto found = configs.find(type);
        if (!config.contains("type")) {
            addProblem(problems, "$.data_source_config.type",
                       "is missing (custom, logs or stored_completions)");
        } else if (found == configs.end()) {
            addProblem(problems, "$.data_source_config.type",
                       config["type"].dump() +
                           " is not a data source type (custom, logs or stored_completions)");
        } else if (validateDef(kEvalSchema, found->second, config, "$.data_source_config", problems)) {
            spec.dataSourceType = type;
            spec.dataSourceConfig = config;
            if (type == "custom") {
                spec.itemSchema = config["item_schema"];
                spec.includeSampleSchema = config.value("include_sample_schema", false);
                // The eval's own schema must compile: every row is checked against it.
                const dataset::JsonSchemaValidator itemValidator(spec.itemSchema);
                if (!itemValidator.isValid())
                    addProblem(problems, "$.data_source_config.item_schema",
                               "is not a usable JSON Schema: " + itemValidator.schemaError().toStdString());
            }
        }
    }

    if (body.contains("testing_criteria") && body["testing_criteria"].is_array()) {
        static const std::map<std::string, std::string> graders = {
            {"label_model", "CreateEvalLabelModelGrader"},
            {"string_check", "EvalGraderStringCheck"},
            {"text_similarity", "EvalGraderTextSimilarity"},
            {"python", "EvalGraderPython"},
            {"score_model", "EvalGraderScoreModel"}};
        const json &criteria = body["testing_criteria"];
        for (std::size_t i = 0; i < criteria.size(); ++i) {
            const json &criterion = criteria[i];
            const std::string path = "$.testing_criteria[" + std::to_string(i) + "]";
            if (!criterion.is_object()) {
                addProblem(problems, path, "a testing criterion must be an object (a grader definition)");
                continue;
            }
            // Per type, so the message names the field of this grader; other types (multi) are
            // Assay's own and only makeGrader knows them.
            const auto found = graders.find(criterion.value("type", ""));
            if (found != graders.end())
                validateDef(kEvalSchema, found->second, criterion, path, problems);
            std::string error;
            if (!makeGrader(criterion, path, &error)) {
                const SpecProblem problem = splitGraderError(error, path);
                if (!hasProblemAtOrBelow(problems, problem.path))
                    addProblem(problems, problem.path, problem.message);
            }
        }
        // Results and summaries are keyed by criterion name.
        std::map<std::string, std::size_t> seen;
        for (std::size_t i = 0; i < criteria.size(); ++i) {
            if (!criteria[i].is_object() || !criteria[i].contains("name") || !criteria[i]["name"].is_string())
                continue;
            const std::string name = criteria[i]["name"].get<std::string>();
            const auto [it, inserted] = seen.emplace(name, i);
            if (!inserted)
                addProblem(problems, "$.testing_criteria[" + std::to_string(i) + "].name",
                           quoted(name) + " is already the name of testing_criteria[" +
                               std::to_string(it->second) + "]: criteria need distinct names");
        }
        spec.testingCriteria = criteria;
    }
    if (body.contains("metadata") && body["metadata"].is_object())
        spec.metadata = body["metadata"];
    return finish(std::move(spec));
}

nlohmann::json EvalSpec::toJson() const
{
    json config = dataSourceConfig;
    if (!config.is_object() || config.empty() || dataSourceType == "custom")
        config = {
            {"type", "custom"}, {"item_schema", itemSchema}, {"include_sample_schema", includeSampleSchema}};
    return {{"name", name},
            {"data_source_config", config},
            {"testing_criteria", testingCriteria},
            {"metadata", metadata}};
}

// --- RunSpec ------------------------------------------------------------------------------------

std::optional<RunSpec> RunSpec::parse(const nlohmann::json &definition, const QString &baseDir,
                                      std::vector<SpecProblem> *problemsOut)
{
    std::vector<SpecProblem> problems;
    auto finish = [&](std::optional<RunSpec> spec) -> std::optional<RunSpec> {
        if (problemsOut)
            *problemsOut = problems;
        if (!problems.empty())
            return std::nullopt;
        return spec;
    };
    if (!definition.is_object()) {
        addProblem(problems, "$", "a run definition must be a JSON object (a CreateEvalRunRequest body)");
        return finish(std::nullopt);
    }
    RunSpec spec;
    spec.raw = definition;
    json body = definition;
    if (body.value("object", "") == "eval.run") {
        if (body.contains("id") && body["id"].is_string())
            spec.openaiId = body["id"].get<std::string>();
        for (const char *field :
             {"object", "id", "eval_id", "status", "model", "created_at", "report_url", "result_counts",
              "per_model_usage", "per_testing_criteria_results", "error"})
            body.erase(field);
    }
    if (body.contains("metadata") && body["metadata"].is_null())
        body.erase("metadata");
    validateRoot(kRunSchema, body, {"data_source"}, problems);
    if (body.contains("name") && body["name"].is_string())
        spec.name = body["name"].get<std::string>();
    if (body.contains("metadata") && body["metadata"].is_object())
        spec.metadata = body["metadata"];

    if (!body.contains("data_source") || !body["data_source"].is_object())
        return finish(std::nullopt); // the root schema said why

    json source = body["data_source"];
    eraseNullMembers(source); // exported runs carry "sampling_params": null
    const std::string type = source.value("type", "");
    static const std::map<std::string, std::string> sources = {
        {"completions", "CreateEvalCompletionsRunDataSource"},
        {"responses", "CreateEvalResponsesRunDataSource"},
        {"jsonl", "CreateEvalJsonlRunDataSource"}};
    const auto found = sources.find(type);
    if (!source.contains("type")) {
        addProblem(problems, "$.data_source.type", "is missing (completions, responses or jsonl)");
        return finish(std::nullopt);
    }
    if (found == sources.end()) {
        addProblem(problems, "$.data_source.type",
                   source["type"].dump() +
                       " is not a run data source type (completions, responses or jsonl)");
        return finish(std::nullopt);
    }
    spec.dataSourceType = type;
    spec.api = type == "completions" ? api::ApiKind::ChatCompletions : api::ApiKind::Responses;

    // Assay's extensions, validated here and hidden from the openapi schema.
    json checked = source;
    if (source.contains("assay_api")) {
        checked.erase("assay_api");
        const auto api = source["assay_api"].is_string() ? apiFromWord(source["assay_api"].get<std::string>())
                                                         : std::nullopt;
        if (!api)
            addProblem(problems, "$.data_source.assay_api", "must be \"responses\" or \"chat\"");
        else
            spec.api = *api;
    }
    if (source.contains("source") && source["source"].is_object()) {
        const json &itemsSource = source["source"];
        const std::string sourceType = itemsSource.value("type", "");
        if (sourceType == "file") {
            if (!itemsSource.contains("path") || !itemsSource["path"].is_string() ||
                itemsSource["path"].get<std::string>().empty()) {
                addProblem(problems, "$.data_source.source.path",
                           "is missing: the JSONL file with the items");
            } else {
                spec.itemsFile =
                    resolveLocalPath(itemsSource["path"].get<std::string>(), baseDir).toStdString();
                checked["source"] = {{"type", "file_id"}, {"id", itemsSource["path"]}};
            }
        } else if (sourceType == "file_id") {
            if (itemsSource.contains("id") && itemsSource["id"].is_string())
                spec.itemsFile =
                    resolveLocalPath(itemsSource["id"].get<std::string>(), baseDir).toStdString();
        } else if (sourceType == "file_content") {
            if (itemsSource.contains("content") && itemsSource["content"].is_array())
                spec.items = itemsSource["content"];
        } else if (sourceType == "stored_completions" || sourceType == "responses") {
            addProblem(problems, "$.data_source.source.type",
                       quoted(sourceType) + " reads data stored at OpenAI; a local run takes file_content "
                                            "(inline items) or file_id / file (a local JSONL file)");
        }
    }
    validateDef(kRunSchema, found->second, checked, "$.data_source", problems);

    if (type != "jsonl") {
        if (source.contains("model") && source["model"].is_string())
            spec.model = source["model"].get<std::string>();
        if (source.contains("sampling_params") && source["sampling_params"].is_object())
            spec.samplingParams = source["sampling_params"];
        if (!source.contains("input_messages")) {
            addProblem(problems, "$.data_source.input_messages",
                       "is missing: a " + type + " run needs the messages to sample with");
        } else if (source["input_messages"].is_object()) {
            const json &messages = source["input_messages"];
            const std::string messagesType = messages.value("type", "");
            if (messagesType == "template" && messages.contains("template") &&
                messages["template"].is_array()) {
                spec.inputMessages = messages["template"];
                findSampleReferences(spec.inputMessages, "$.data_source.input_messages.template", problems);
            } else if (messagesType == "item_reference" && messages.contains("item_reference") &&
                       messages["item_reference"].is_string()) {
                spec.itemReference = messages["item_reference"].get<std::string>();
            }
        }
    }
    return finish(std::move(spec));
}

nlohmann::json RunSpec::toJson() const
{
    json source;
    if (!itemsFile.empty())
        source = {{"type", "file_id"}, {"id", itemsFile}};
    else
        source = {{"type", "file_content"}, {"content", items}};
    json dataSource = {{"type", dataSourceType}, {"source", source}};
    if (needsSampling()) {
        if (!model.empty())
            dataSource["model"] = model;
        if (!itemReference.empty())
            dataSource["input_messages"] = {{"type", "item_reference"}, {"item_reference", itemReference}};
        else
            dataSource["input_messages"] = {{"type", "template"}, {"template", inputMessages}};
        if (!samplingParams.empty())
            dataSource["sampling_params"] = samplingParams;
        const api::ApiKind natural =
            dataSourceType == "completions" ? api::ApiKind::ChatCompletions : api::ApiKind::Responses;
        if (api != natural)
            dataSource["assay_api"] = api == api::ApiKind::ChatCompletions ? "chat" : "responses";
    }
    json body = {{"data_source", dataSource}, {"metadata", metadata}};
    if (!name.empty())
        body["name"] = name;
    return body;
}

bool RunSpec::requestsJsonOutput() const
{
    auto isJson = [](const json &format) {
        if (!format.is_object())
            return false;
        const std::string type = format.value("type", "");
        return type == "json_schema" || type == "json_object";
    };
    if (samplingParams.contains("response_format") && isJson(samplingParams["response_format"]))
        return true;
    return samplingParams.contains("text") && samplingParams["text"].is_object() &&
           samplingParams["text"].contains("format") && isJson(samplingParams["text"]["format"]);
}

// --- Items --------------------------------------------------------------------------------------

LoadedItems loadRunItems(const RunSpec &run, const QString &dataOverride)
{
    LoadedItems loaded;
    const QString path = dataOverride.isEmpty() ? QString::fromStdString(run.itemsFile) : dataOverride;
    if (path.isEmpty()) {
        for (const json &row : run.items) {
            json item;
            json sample;
            splitRow(row, item, sample);
            loaded.items.push_back(std::move(item));
            loaded.samples.push_back(std::move(sample));
        }
        return loaded;
    }
    const std::string name = QDir::toNativeSeparators(path).toStdString();
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        std::string message =
            name + ": cannot read the items file (" + file.errorString().toStdString() + ")";
        if (!QFileInfo::exists(path) && QFileInfo(path).fileName().startsWith(QLatin1String("file-")))
            message += "; it looks like an OpenAI file id: download the file and give its local path";
        loaded.error = message;
        return loaded;
    }
    const QByteArray all = file.readAll();
    const QByteArray trimmed = all.trimmed();
    // A JSON array file is accepted as well as JSONL.
    if (trimmed.startsWith('[')) {
        try {
            const json rows = json::parse(trimmed.constBegin(), trimmed.constEnd());
            for (std::size_t i = 0; i < rows.size(); ++i) {
                if (!rows[i].is_object()) {
                    loaded.error = name + ": element " + std::to_string(i) + " is not a JSON object";
                    return loaded;
                }
                json item;
                json sample;
                splitRow(rows[i], item, sample);
                loaded.items.push_back(std::move(item));
                loaded.samples.push_back(std::move(sample));
            }
        } catch (const json::parse_error &error) {
            loaded.error = name + ": " + parseMessage(error);
        }
        return loaded;
    }
    const QList<QByteArray> lines = all.split('\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        if (line.isEmpty())
            continue;
        const std::string where = name + ":" + std::to_string(i + 1) + ": ";
        json row;
        try {
            row = json::parse(line.constBegin(), line.constEnd());
        } catch (const json::parse_error &error) {
            loaded.error = where + parseMessage(error);
            loaded.items.clear();
            loaded.samples.clear();
            return loaded;
        }
        if (!row.is_object()) {
            loaded.error = where + "expected a JSON object, found " + std::string(row.type_name());
            loaded.items.clear();
            loaded.samples.clear();
            return loaded;
        }
        json item;
        json sample;
        splitRow(row, item, sample);
        loaded.items.push_back(std::move(item));
        loaded.samples.push_back(std::move(sample));
    }
    return loaded;
}

// --- Sampling -----------------------------------------------------------------------------------

SamplingRequest buildSamplingRequest(const RunSpec &run, const nlohmann::json &item)
{
    SamplingRequest request;
    if (!run.needsSampling()) {
        request.error = "a jsonl run brings its own samples: nothing to sample";
        return request;
    }
    if (run.model.empty()) {
        request.error = "the run names no model ($.data_source.model)";
        return request;
    }
    const json context = {{"item", item}};
    json messages;
    if (!run.itemReference.empty()) {
        const json *referenced = lookupItemPath(item, run.itemReference);
        if (!referenced) {
            request.error =
                "input_messages.item_reference " + run.itemReference + " is missing from the item";
            return request;
        }
        if (referenced->is_string())
            messages = json::array({{{"role", "user"}, {"content", *referenced}}});
        else if (referenced->is_array())
            messages = *referenced;
        else {
            request.error =
                "input_messages.item_reference " + run.itemReference + " is not a list of messages";
            return request;
        }
    } else {
        MessagesResult rendered = renderMessages(run.inputMessages, context);
        if (rendered.error) {
            request.error = *rendered.error;
            return request;
        }
        messages = std::move(rendered.messages);
    }

    const json &params = run.samplingParams;
    const bool reasoning = isReasoningModel(run.model);
    const auto temperature = firstOf(params, {"temperature"});
    const auto topP = firstOf(params, {"top_p"});
    const auto maxTokens =
        firstOf(params, {"max_completion_tokens", "max_completions_tokens", "max_output_tokens"});
    const auto effort = firstOf(params, {"reasoning_effort"});
    const auto seed = firstOf(params, {"seed"});
    std::optional<json> tools = firstOf(params, {"tools"});
    std::optional<json> format;
    if (auto responseFormat = firstOf(params, {"response_format"}))
        format = toTextFormat(*responseFormat);
    else if (params.contains("text") && params["text"].is_object() && params["text"].contains("format"))
        format = params["text"]["format"];

    json body = {{"model", run.model}};
    if (run.api == api::ApiKind::Responses) {
        json input = json::array();
        for (const json &message : messages)
            input.push_back(messageForResponses(message));
        body["input"] = std::move(input);
        // Reasoning models refuse sampling temperature; the others refuse reasoning settings.
        if (temperature && !reasoning)
            body["temperature"] = *temperature;
        if (topP && !reasoning)
            body["top_p"] = *topP;
        if (maxTokens)
            body["max_output_tokens"] = *maxTokens;
        if (effort && reasoning)
            body["reasoning"] = {{"effort", *effort}};
        if (format)
            body["text"] = {{"format", *format}};
        if (tools && tools->is_array() && !tools->empty())
            body["tools"] = toResponsesTools(*tools);
        // The Responses API has no seed: it is dropped.
    } else {
        json chat = json::array();
        for (const json &message : messages)
            chat.push_back(messageForChat(message));
        body["messages"] = std::move(chat);
        if (temperature && !reasoning)
            body["temperature"] = *temperature;
        if (topP && !reasoning)
            body["top_p"] = *topP;
        if (seed)
            body["seed"] = *seed;
        if (maxTokens)
            body["max_completion_tokens"] = *maxTokens;
        if (effort && reasoning)
            body["reasoning_effort"] = *effort;
        if (format)
            body["response_format"] = toResponseFormat(*format);
        if (tools && tools->is_array() && !tools->empty())
            body["tools"] = toChatTools(*tools);
    }
    request.body = std::move(body);
    return request;
}

} // namespace assay::eval
