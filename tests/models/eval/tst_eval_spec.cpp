// Eval and run definitions: openapi.json shapes accepted, mistakes reported at their JSON path,
// items loaded from files, and sampling requests the real API would take.
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include "models/eval/eval_spec.h"
#include "support/openapi_validator.h"

using assay::api::ApiKind;
using assay::eval::buildSamplingRequest;
using assay::eval::EvalSpec;
using assay::eval::loadRunItems;
using assay::eval::RunSpec;
using assay::eval::SpecProblem;
using json = nlohmann::json;

namespace {

json readResource(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return nullptr;
    const QByteArray bytes = file.readAll();
    return json::parse(bytes.constBegin(), bytes.constEnd(), nullptr, false);
}

json validEval()
{
    return {{"name", "Capitals"},
            {"data_source_config",
             {{"type", "custom"},
              {"item_schema",
               {{"type", "object"},
                {"properties", {{"country", {{"type", "string"}}}, {"capital", {{"type", "string"}}}}},
                {"required", {"country", "capital"}}}},
              {"include_sample_schema", true}}},
            {"testing_criteria", json::array({{{"type", "string_check"},
                                               {"name", "Exact capital"},
                                               {"input", "{{ sample.output_text }}"},
                                               {"reference", "{{ item.capital }}"},
                                               {"operation", "eq"}}})}};
}

json validRun(const std::string &type = "responses")
{
    return {
        {"name", "capitals-run"},
        {"data_source",
         {{"type", type},
          {"model", "gpt-4.1-mini"},
          {"input_messages",
           {{"type", "template"},
            {"template", json::array({{{"role", "developer"}, {"content", "Answer with the capital only."}},
                                      {{"role", "user"}, {"content", "Capital of {{ item.country }}?"}}})}}},
          {"sampling_params",
           {{"temperature", 0.2}, {"top_p", 0.9}, {"seed", 7}, {"max_completion_tokens", 50}}},
          {"source",
           {{"type", "file_content"},
            {"content", json::array({{{"item", {{"country", "France"}, {"capital", "Paris"}}}},
                                     {{"item", {{"country", "Peru"}, {"capital", "Lima"}}}}})}}}}}};
}

QStringList paths(const std::vector<SpecProblem> &problems)
{
    QStringList out;
    for (const SpecProblem &problem : problems)
        out << QString::fromStdString(problem.path);
    return out;
}

QString describe(const std::vector<SpecProblem> &problems)
{
    QStringList out;
    for (const SpecProblem &problem : problems)
        out << QString::fromStdString(problem.toString());
    return out.join(QLatin1Char('\n'));
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

} // namespace

class TestEvalSpec : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void exampleFilesAreValidApiBodies()
    {
        ASSAY_REQUIRE_OPENAPI(openapi);
        const json eval = readResource(QStringLiteral(":/evals/it_tickets_eval.json"));
        const json run = readResource(QStringLiteral(":/evals/it_tickets_run.json"));
        QVERIFY(eval.is_object());
        QVERIFY(run.is_object());
        ASSAY_VERIFY_SCHEMA(openapi, eval, QStringLiteral("CreateEvalRequest"));
        ASSAY_VERIFY_SCHEMA(openapi, run, QStringLiteral("CreateEvalRunRequest"));

        std::vector<SpecProblem> problems;
        const auto spec = EvalSpec::parse(eval, &problems);
        QVERIFY2(spec, qPrintable(describe(problems)));
        QCOMPARE(spec->name, std::string("IT Ticket Categorization"));
        QVERIFY(spec->includeSampleSchema);
        QCOMPARE(spec->testingCriteria.size(), std::size_t(1));

        const auto runSpec = RunSpec::parse(run, {}, &problems);
        QVERIFY2(runSpec, qPrintable(describe(problems)));
        QCOMPARE(runSpec->model, std::string("gpt-4.1-mini"));
        QCOMPARE(runSpec->api, ApiKind::Responses);
        const auto items = loadRunItems(*runSpec);
        QVERIFY(!items.error);
        QCOMPARE(items.items.size(), std::size_t(5));
        // Every inline row fits the eval's own item schema, and the template renders for it.
        const json itemSchema = spec->itemSchema;
        for (const json &item : items.items) {
            QVERIFY(item.contains("ticket_text"));
            QVERIFY(item.contains("correct_label"));
            const auto request = buildSamplingRequest(*runSpec, item);
            QVERIFY2(!request.error, request.error ? request.error->c_str() : "");
            QCOMPARE(request.body["input"][1]["content"], item["ticket_text"]);
        }
        Q_UNUSED(itemSchema);
    }

    void validEvalRoundTrips()
    {
        ASSAY_REQUIRE_OPENAPI(openapi);
        std::vector<SpecProblem> problems;
        const auto spec = EvalSpec::parse(validEval(), &problems);
        QVERIFY2(spec, qPrintable(describe(problems)));
        QVERIFY(problems.empty());
        QCOMPARE(spec->itemSchema["required"], json({"country", "capital"}));
        const json body = spec->toJson();
        ASSAY_VERIFY_SCHEMA(openapi, body, QStringLiteral("CreateEvalRequest"));
        QVERIFY(EvalSpec::parse(body, nullptr));
    }

    void exportedEvalObjectIsAccepted()
    {
        ASSAY_REQUIRE_OPENAPI(openapi);
        json exported = validEval();
        exported["object"] = "eval";
        exported["id"] = "eval_67e321d23b54819096e6bfe140161184";
        exported["created_at"] = 1742938578;
        exported["metadata"] = json::object();
        const json itemSchema = exported["data_source_config"]["item_schema"];
        exported["data_source_config"] = {
            {"type", "custom"},
            {"schema",
             {{"type", "object"},
              {"properties", {{"item", itemSchema}, {"sample", {{"type", "object"}}}}},
              {"required", {"item", "sample"}}}}};
        exported["testing_criteria"][0]["id"] = "Exact capital-c4fdf789";
        ASSAY_VERIFY_SCHEMA(openapi, exported, QStringLiteral("Eval"));

        std::vector<SpecProblem> problems;
        const auto spec = EvalSpec::parse(exported, &problems);
        QVERIFY2(spec, qPrintable(describe(problems)));
        QCOMPARE(spec->openaiId, std::string("eval_67e321d23b54819096e6bfe140161184"));
        QCOMPARE(spec->itemSchema, itemSchema); // the item part of the wrapper, not the wrapper
        QVERIFY(spec->includeSampleSchema);
        ASSAY_VERIFY_SCHEMA(openapi, spec->toJson(), QStringLiteral("CreateEvalRequest"));
    }

    void logsDataSourceIsKept()
    {
        json eval = validEval();
        eval["data_source_config"] = {{"type", "logs"}, {"metadata", {{"use_case", "support"}}}};
        std::vector<SpecProblem> problems;
        const auto spec = EvalSpec::parse(eval, &problems);
        QVERIFY2(spec, qPrintable(describe(problems)));
        QCOMPARE(spec->dataSourceType, std::string("logs"));
        QCOMPARE(spec->toJson()["data_source_config"]["metadata"]["use_case"], json("support"));
    }

    void wrongOperationNamesItsPath()
    {
        json eval = validEval();
        eval["testing_criteria"][0]["operation"] = "equals";
        std::vector<SpecProblem> problems;
        QVERIFY(!EvalSpec::parse(eval, &problems));
        QVERIFY2(paths(problems).contains(QStringLiteral("$.testing_criteria[0].operation")),
                 qPrintable(describe(problems)));
        // The most specific place only: not "does not match any of the N schemas" at the criterion.
        QVERIFY2(!paths(problems).contains(QStringLiteral("$.testing_criteria[0]")),
                 qPrintable(describe(problems)));
        QVERIFY(describe(problems).contains(QStringLiteral("equals")));
    }

    void gradersOutsideTheApiUnionAreCheckedByTheirGrader()
    {
        // multi is not in CreateEvalRequest's union: its own grader validates it.
        json eval = validEval();
        eval["testing_criteria"].push_back({{"type", "multi"},
                                            {"name", "combined"},
                                            {"graders",
                                             {{"exact", eval["testing_criteria"][0]},
                                              {"close",
                                               {{"type", "text_similarity"},
                                                {"name", "close"},
                                                {"input", "{{ sample.output_text }}"},
                                                {"reference", "{{ item.capital }}"},
                                                {"evaluation_metric", "fuzzy_match"},
                                                {"pass_threshold", 0.8}}}}},
                                            {"calculate_output", "(exact + close) / 2"}});
        std::vector<SpecProblem> problems;
        QVERIFY2(EvalSpec::parse(eval, &problems), qPrintable(describe(problems)));

        eval["testing_criteria"][1]["calculate_output"] = "(exact + ) / 2";
        QVERIFY(!EvalSpec::parse(eval, &problems));
        QVERIFY2(describe(problems).startsWith(QStringLiteral("$.testing_criteria[1]")),
                 qPrintable(describe(problems)));

        eval = validEval();
        eval["testing_criteria"][0]["type"] = "regex_check";
        QVERIFY(!EvalSpec::parse(eval, &problems));
        QVERIFY2(paths(problems).contains(QStringLiteral("$.testing_criteria[0].type")),
                 qPrintable(describe(problems)));
        QVERIFY(describe(problems).contains(QStringLiteral("regex_check")));
    }

    void missingNames()
    {
        json eval = validEval();
        eval.erase("name");
        std::vector<SpecProblem> problems;
        QVERIFY(!EvalSpec::parse(eval, &problems));
        QVERIFY2(paths(problems).contains(QStringLiteral("$.name")), qPrintable(describe(problems)));

        eval = validEval();
        eval["testing_criteria"][0].erase("name");
        QVERIFY(!EvalSpec::parse(eval, &problems));
        QVERIFY2(paths(problems).contains(QStringLiteral("$.testing_criteria[0].name")),
                 qPrintable(describe(problems)));

        eval = validEval();
        eval["testing_criteria"].push_back(eval["testing_criteria"][0]);
        QVERIFY(!EvalSpec::parse(eval, &problems));
        QVERIFY2(paths(problems).contains(QStringLiteral("$.testing_criteria[1].name")),
                 qPrintable(describe(problems)));
    }

    void badDataSourceConfig()
    {
        json eval = validEval();
        eval["data_source_config"]["type"] = "spreadsheet";
        std::vector<SpecProblem> problems;
        QVERIFY(!EvalSpec::parse(eval, &problems));
        QVERIFY2(paths(problems).contains(QStringLiteral("$.data_source_config.type")),
                 qPrintable(describe(problems)));

        eval = validEval();
        eval["data_source_config"].erase("item_schema");
        QVERIFY(!EvalSpec::parse(eval, &problems));
        QVERIFY2(paths(problems).contains(QStringLiteral("$.data_source_config.item_schema")),
                 qPrintable(describe(problems)));

        eval = validEval();
        eval["data_source_config"]["item_schema"]["properties"]["country"]["type"] = "text";
        QVERIFY(!EvalSpec::parse(eval, &problems));
        QVERIFY2(paths(problems).contains(QStringLiteral("$.data_source_config.item_schema")),
                 qPrintable(describe(problems)));

        QVERIFY(!EvalSpec::parse(json::array(), &problems));
        QCOMPARE(paths(problems), QStringList{QStringLiteral("$")});
    }

    void badRunDataSource()
    {
        std::vector<SpecProblem> problems;
        json run = validRun();
        run["data_source"]["type"] = "csv";
        QVERIFY(!RunSpec::parse(run, {}, &problems));
        QVERIFY2(paths(problems).contains(QStringLiteral("$.data_source.type")),
                 qPrintable(describe(problems)));

        run = validRun();
        run["data_source"]["source"].erase("content");
        QVERIFY(!RunSpec::parse(run, {}, &problems));
        QVERIFY2(paths(problems).contains(QStringLiteral("$.data_source.source.content")),
                 qPrintable(describe(problems)));

        run = validRun("completions");
        run["data_source"]["input_messages"]["type"] = "templates";
        QVERIFY(!RunSpec::parse(run, {}, &problems));
        QVERIFY2(paths(problems).contains(QStringLiteral("$.data_source.input_messages.type")),
                 qPrintable(describe(problems)));

        run = validRun();
        run["data_source"].erase("input_messages");
        QVERIFY(!RunSpec::parse(run, {}, &problems));
        QVERIFY2(paths(problems).contains(QStringLiteral("$.data_source.input_messages")),
                 qPrintable(describe(problems)));

        run = validRun();
        run["data_source"]["sampling_params"]["temperature"] = "warm";
        QVERIFY(!RunSpec::parse(run, {}, &problems));
        QVERIFY2(paths(problems).contains(QStringLiteral("$.data_source.sampling_params.temperature")),
                 qPrintable(describe(problems)));

        run = validRun();
        run["data_source"]["source"] = {{"type", "stored_completions"}};
        QVERIFY(!RunSpec::parse(run, {}, &problems));
        QVERIFY2(paths(problems).contains(QStringLiteral("$.data_source.source.type")),
                 qPrintable(describe(problems)));

        run = validRun();
        run["data_source"]["assay_api"] = "grpc";
        QVERIFY(!RunSpec::parse(run, {}, &problems));
        QVERIFY2(paths(problems).contains(QStringLiteral("$.data_source.assay_api")),
                 qPrintable(describe(problems)));

        QVERIFY(!RunSpec::parse(json{{"name", "no data source"}}, {}, &problems));
        QVERIFY2(paths(problems).contains(QStringLiteral("$.data_source")), qPrintable(describe(problems)));
    }

    void sampleNamespaceIsNotThereBeforeSampling()
    {
        json run = validRun();
        run["data_source"]["input_messages"]["template"][1]["content"] = "Fix {{ sample.output_text }}";
        std::vector<SpecProblem> problems;
        QVERIFY(!RunSpec::parse(run, {}, &problems));
        QVERIFY2(paths(problems).contains(QStringLiteral("$.data_source.input_messages.template[1].content")),
                 qPrintable(describe(problems)));
        QVERIFY(describe(problems).contains(QStringLiteral("sample.output_text")));
    }

    void runKindsAndApiOverride()
    {
        std::vector<SpecProblem> problems;
        auto chat = RunSpec::parse(validRun("completions"), {}, &problems);
        QVERIFY2(chat, qPrintable(describe(problems)));
        QCOMPARE(chat->api, ApiKind::ChatCompletions);

        json run = validRun("responses");
        run["data_source"]["assay_api"] = "chat";
        auto overridden = RunSpec::parse(run, {}, &problems);
        QVERIFY2(overridden, qPrintable(describe(problems)));
        QCOMPARE(overridden->api, ApiKind::ChatCompletions);
        // toJson keeps the override and parses back to the same run.
        auto again = RunSpec::parse(overridden->toJson(), {}, &problems);
        QVERIFY2(again, qPrintable(describe(problems)));
        QCOMPARE(again->api, ApiKind::ChatCompletions);
        QCOMPARE(again->items, overridden->items);

        // jsonl: the rows bring their samples, nothing is sampled.
        json jsonl = {{"data_source",
                       {{"type", "jsonl"},
                        {"source",
                         {{"type", "file_content"},
                          {"content", json::array({{{"item", {{"capital", "Paris"}}},
                                                    {"sample", {{"output_text", "Paris"}}}}})}}}}}};
        auto offline = RunSpec::parse(jsonl, {}, &problems);
        QVERIFY2(offline, qPrintable(describe(problems)));
        QVERIFY(!offline->needsSampling());
        const auto loaded = loadRunItems(*offline);
        QCOMPARE(loaded.samples.size(), std::size_t(1));
        QCOMPARE(loaded.samples[0]["output_text"], json("Paris"));
        QVERIFY(buildSamplingRequest(*offline, loaded.items[0]).error);

        // An exported EvalRun (sampling_params null, API fields) is read as its request.
        json exported = validRun("completions");
        exported["object"] = "eval.run";
        exported["id"] = "evalrun_1";
        exported["eval_id"] = "eval_1";
        exported["status"] = "completed";
        exported["data_source"]["sampling_params"] = nullptr;
        auto fromExport = RunSpec::parse(exported, {}, &problems);
        QVERIFY2(fromExport, qPrintable(describe(problems)));
        QCOMPARE(fromExport->openaiId, std::string("evalrun_1"));
    }

    void itemsFromFiles()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QVERIFY(writeFile(dir.filePath(QStringLiteral("rows.jsonl")),
                          "{\"item\": {\"country\": \"France\", \"capital\": \"Paris\"}}\n"
                          "\n"
                          "{\"country\": \"Peru\", \"capital\": \"Lima\", \"item\": \"not an envelope\"}\n"
                          "{\"country\": \"Chile\", \"capital\": \"Santiago\"}\n"));
        QVERIFY(writeFile(dir.filePath(QStringLiteral("broken.jsonl")),
                          "{\"country\": \"France\"}\n{\"country\": \"Peru\"}\n{\"country\": \"Chile\",}\n"));
        QVERIFY(writeFile(dir.filePath(QStringLiteral("scalar.jsonl")), "{\"a\": 1}\n42\n"));

        std::vector<SpecProblem> problems;
        // file_id with a "file:" prefix, relative to the run file's folder.
        json run = validRun();
        run["data_source"]["source"] = {{"type", "file_id"}, {"id", "file:rows.jsonl"}};
        auto spec = RunSpec::parse(run, dir.path(), &problems);
        QVERIFY2(spec, qPrintable(describe(problems)));
        QCOMPARE(QString::fromStdString(spec->itemsFile), dir.filePath(QStringLiteral("rows.jsonl")));
        auto loaded = loadRunItems(*spec);
        QVERIFY2(!loaded.error, loaded.error ? loaded.error->c_str() : "");
        QCOMPARE(loaded.items.size(), std::size_t(3));
        QCOMPARE(loaded.items[0], json({{"country", "France"}, {"capital", "Paris"}})); // unwrapped
        QCOMPARE(loaded.items[1]["item"], json("not an envelope"));                     // the whole line
        QCOMPARE(loaded.items[2]["capital"], json("Santiago"));

        // Assay's {"type": "file", "path": ...} source, and the --data override.
        run["data_source"]["source"] = {{"type", "file"}, {"path", "broken.jsonl"}};
        spec = RunSpec::parse(run, dir.path(), &problems);
        QVERIFY2(spec, qPrintable(describe(problems)));
        loaded = loadRunItems(*spec);
        QVERIFY(loaded.error);
        const QString error = QString::fromStdString(*loaded.error);
        QVERIFY2(error.startsWith(QDir::toNativeSeparators(dir.filePath(QStringLiteral("broken.jsonl"))) +
                                  QStringLiteral(":3: ")),
                 qPrintable(error));
        QVERIFY(loaded.items.empty());

        loaded = loadRunItems(*spec, dir.filePath(QStringLiteral("scalar.jsonl")));
        QVERIFY(loaded.error);
        QVERIFY2(QString::fromStdString(*loaded.error).contains(QStringLiteral("scalar.jsonl:2: ")),
                 loaded.error->c_str());

        loaded = loadRunItems(*spec, dir.filePath(QStringLiteral("absent.jsonl")));
        QVERIFY(loaded.error);
        QVERIFY(QString::fromStdString(*loaded.error).contains(QStringLiteral("absent.jsonl")));
    }

    void samplingBodiesMatchTheApi_data()
    {
        QTest::addColumn<QString>("type");
        QTest::newRow("responses") << QStringLiteral("responses");
        QTest::newRow("completions") << QStringLiteral("completions");
    }

    void samplingBodiesMatchTheApi()
    {
        ASSAY_REQUIRE_OPENAPI(openapi);
        QFETCH(QString, type);
        json run = validRun(type.toStdString());
        json &params = run["data_source"]["sampling_params"];
        const json schema = {{"type", "object"},
                             {"properties", {{"capital", {{"type", "string"}}}}},
                             {"required", {"capital"}},
                             {"additionalProperties", false}};
        if (type == QLatin1String("responses")) {
            params["text"] = {
                {"format",
                 {{"type", "json_schema"}, {"name", "answer"}, {"schema", schema}, {"strict", true}}}};
            params["tools"] =
                json::array({{{"type", "function"},
                              {"name", "lookup"},
                              {"description", "Look a country up"},
                              {"parameters", {{"type", "object"}, {"properties", json::object()}}},
                              {"strict", false}}});
        } else {
            params["response_format"] = {
                {"type", "json_schema"},
                {"json_schema", {{"name", "answer"}, {"schema", schema}, {"strict", true}}}};
            params["tools"] =
                json::array({{{"type", "function"},
                              {"function",
                               {{"name", "lookup"},
                                {"description", "Look a country up"},
                                {"parameters", {{"type", "object"}, {"properties", json::object()}}}}}}});
        }
        std::vector<SpecProblem> problems;
        auto spec = RunSpec::parse(run, {}, &problems);
        QVERIFY2(spec, qPrintable(describe(problems)));
        QVERIFY(spec->requestsJsonOutput());
        const json item = {{"country", "France"}, {"capital", "Paris"}};

        // The run's own API, then the other one (the CLI's --api): both bodies must be valid.
        for (ApiKind api : {ApiKind::Responses, ApiKind::ChatCompletions}) {
            spec->api = api;
            const auto request = buildSamplingRequest(*spec, item);
            QVERIFY2(!request.error, request.error ? request.error->c_str() : "");
            const json &body = request.body;
            QCOMPARE(body["model"], json("gpt-4.1-mini"));
            QCOMPARE(body["temperature"], json(0.2));
            QCOMPARE(body["top_p"], json(0.9));
            if (api == ApiKind::Responses) {
                ASSAY_VERIFY_SCHEMA(openapi, body, QStringLiteral("CreateResponse"));
                QVERIFY2(openapi->unknownProperties(body, QStringLiteral("CreateResponse")).isEmpty(),
                         qPrintable(
                             openapi->unknownProperties(body, QStringLiteral("CreateResponse")).join(u',')));
                QCOMPARE(body["input"][1]["content"], json("Capital of France?"));
                QCOMPARE(body["max_output_tokens"], json(50));
                QVERIFY(!body.contains("seed")); // Responses has none
                QCOMPARE(body["text"]["format"]["type"], json("json_schema"));
                QCOMPARE(body["text"]["format"]["schema"], schema);
                QCOMPARE(body["tools"][0]["name"], json("lookup"));
            } else {
                ASSAY_VERIFY_SCHEMA(openapi, body, QStringLiteral("CreateChatCompletionRequest"));
                QVERIFY2(
                    openapi->unknownProperties(body, QStringLiteral("CreateChatCompletionRequest")).isEmpty(),
                    qPrintable(openapi->unknownProperties(body, QStringLiteral("CreateChatCompletionRequest"))
                                   .join(u',')));
                QCOMPARE(body["messages"][0],
                         json({{"role", "developer"}, {"content", "Answer with the capital only."}}));
                QCOMPARE(body["messages"][1]["content"], json("Capital of France?"));
                QCOMPARE(body["seed"], json(7));
                QCOMPARE(body["max_completion_tokens"], json(50));
                QCOMPARE(body["response_format"]["json_schema"]["schema"], schema);
                QCOMPARE(body["tools"][0]["function"]["name"], json("lookup"));
            }
        }
    }

    void evalItemContentPartsBecomeApiMessages()
    {
        ASSAY_REQUIRE_OPENAPI(openapi);
        // The EvalItem shape exported runs use: type message, content an input_text part.
        json run = validRun("completions");
        run["data_source"]["input_messages"]["template"] =
            json::array({{{"type", "message"},
                          {"role", "developer"},
                          {"content", {{"type", "input_text"}, {"text", "Be brief."}}}},
                         {{"type", "message"},
                          {"role", "user"},
                          {"content", {{"type", "input_text"}, {"text", "Capital of {{item.country}}?"}}}}});
        std::vector<SpecProblem> problems;
        auto spec = RunSpec::parse(run, {}, &problems);
        QVERIFY2(spec, qPrintable(describe(problems)));
        for (ApiKind api : {ApiKind::Responses, ApiKind::ChatCompletions}) {
            spec->api = api;
            const auto request = buildSamplingRequest(*spec, json{{"country", "Peru"}});
            QVERIFY2(!request.error, request.error ? request.error->c_str() : "");
            const QString schemaName = api == ApiKind::Responses
                                           ? QStringLiteral("CreateResponse")
                                           : QStringLiteral("CreateChatCompletionRequest");
            ASSAY_VERIFY_SCHEMA(openapi, request.body, schemaName);
            const json &messages = request.body[api == ApiKind::Responses ? "input" : "messages"];
            QCOMPARE(messages[1]["content"], json("Capital of Peru?"));
        }
    }

    void itemReferenceMessages()
    {
        json run = validRun();
        run["data_source"]["input_messages"] = {{"type", "item_reference"},
                                                {"item_reference", "item.conversation"}};
        std::vector<SpecProblem> problems;
        auto spec = RunSpec::parse(run, {}, &problems);
        QVERIFY2(spec, qPrintable(describe(problems)));
        const json conversation = json::array({{{"role", "user"}, {"content", "Hi"}}});
        auto request = buildSamplingRequest(*spec, json{{"conversation", conversation}});
        QVERIFY(!request.error);
        QCOMPARE(request.body["input"], conversation);
        request = buildSamplingRequest(*spec, json{{"other", 1}});
        QVERIFY(request.error);
        QVERIFY(QString::fromStdString(*request.error).contains(QStringLiteral("item.conversation")));
    }

    void missingItemVariableNamesIt()
    {
        json run = validRun();
        run["data_source"]["input_messages"]["template"][1]["content"] = "Capital of {{ item.missing }}?";
        std::vector<SpecProblem> problems;
        auto spec = RunSpec::parse(run, {}, &problems);
        QVERIFY2(spec, qPrintable(describe(problems)));
        const auto request = buildSamplingRequest(*spec, json{{"country", "France"}});
        QVERIFY(request.error);
        QVERIFY2(QString::fromStdString(*request.error).contains(QStringLiteral("item.missing")),
                 request.error->c_str());
        QVERIFY(request.body.is_null());
    }

    void reasoningParameters()
    {
        ASSAY_REQUIRE_OPENAPI(openapi);
        json run = validRun();
        run["data_source"]["model"] = "o4-mini";
        run["data_source"]["sampling_params"]["reasoning_effort"] = "high";
        std::vector<SpecProblem> problems;
        auto spec = RunSpec::parse(run, {}, &problems);
        QVERIFY2(spec, qPrintable(describe(problems)));
        const json item = {{"country", "France"}};

        auto request = buildSamplingRequest(*spec, item);
        QVERIFY(!request.error);
        ASSAY_VERIFY_SCHEMA(openapi, request.body, QStringLiteral("CreateResponse"));
        QCOMPARE(request.body["reasoning"]["effort"], json("high"));
        QVERIFY(!request.body.contains("temperature")); // reasoning models refuse it
        QVERIFY(!request.body.contains("top_p"));

        spec->api = ApiKind::ChatCompletions;
        request = buildSamplingRequest(*spec, item);
        QVERIFY(!request.error);
        ASSAY_VERIFY_SCHEMA(openapi, request.body, QStringLiteral("CreateChatCompletionRequest"));
        QCOMPARE(request.body["reasoning_effort"], json("high"));
        QVERIFY(!request.body.contains("temperature"));

        // A non-reasoning model does not get reasoning settings, but keeps its temperature.
        spec->model = "gpt-4.1-mini";
        request = buildSamplingRequest(*spec, item);
        QVERIFY(!request.body.contains("reasoning_effort"));
        QCOMPARE(request.body["temperature"], json(0.2));
        spec->api = ApiKind::Responses;
        request = buildSamplingRequest(*spec, item);
        QVERIFY(!request.body.contains("reasoning"));

        spec->model.clear();
        QVERIFY(buildSamplingRequest(*spec, item).error);
    }

    void jsonOutputRequested()
    {
        std::vector<SpecProblem> problems;
        auto spec = RunSpec::parse(validRun(), {}, &problems);
        QVERIFY(spec);
        QVERIFY(!spec->requestsJsonOutput());
        spec->samplingParams["text"] = {{"format", {{"type", "json_object"}}}};
        QVERIFY(spec->requestsJsonOutput());
        spec->samplingParams["text"] = {{"format", {{"type", "text"}}}};
        QVERIFY(!spec->requestsJsonOutput());
    }
};

QTEST_GUILESS_MAIN(TestEvalSpec)
#include "tst_eval_spec.moc"
