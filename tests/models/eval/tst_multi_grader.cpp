#include <QtTest>

#include <deque>

#include "models/eval/graders/multi_grader.h"
#include "models/eval/graders/python_grader.h"

using namespace assay::eval;

namespace {

// Answers python runs when the test says so (in any order); model calls and embeddings are not
// used by these tests and fail at once.
class ScriptedPythonServices : public GraderServices {
public:
    struct PendingRun {
        std::string source;
        nlohmann::json sample;
        nlohmann::json item;
        std::function<void(const PythonOutcome &)> done;
    };

    void callModel(assay::api::ApiKind, const nlohmann::json &,
                   std::function<void(const assay::api::ResponseResult &)> done) override
    {
        ++modelCalls;
        done(assay::api::ResponseResult{});
    }
    void embed(const nlohmann::json &,
               std::function<void(const nlohmann::json &, const std::optional<assay::api::ApiError> &)> done) override
    {
        done(nlohmann::json(), assay::api::ApiError{});
    }
    void runPython(const std::string &source, const nlohmann::json &sample, const nlohmann::json &item,
                   std::function<void(const PythonOutcome &)> done) override
    {
        pending.push_back({source, sample, item, std::move(done)});
    }

    // Answers the run whose source contains `needle`.
    bool answer(const std::string &needle, const PythonOutcome &outcome)
    {
        for (auto it = pending.begin(); it != pending.end(); ++it) {
            if (it->source.find(needle) != std::string::npos) {
                auto done = std::move(it->done);
                pending.erase(it);
                done(outcome);
                return true;
            }
        }
        return false;
    }

    static PythonOutcome score(double value)
    {
        PythonOutcome outcome;
        outcome.score = value;
        return outcome;
    }

    std::deque<PendingRun> pending;
    int modelCalls = 0;
};

nlohmann::json stringCheck(const std::string &name, const std::string &input, const std::string &reference)
{
    return {{"type", "string_check"}, {"name", name}, {"input", input}, {"reference", reference}, {"operation", "eq"}};
}

nlohmann::json python(const std::string &name, const std::string &tag)
{
    return {{"type", "python"}, {"name", name}, {"source", "# " + tag + "\ndef grade(sample, item):\n    return 1.0\n"}};
}

struct Outcome {
    int calls = 0;
    GradeResult result;
};

std::shared_ptr<Outcome> grade(const Grader &grader, GraderServices &services, const GradingContext &context)
{
    auto outcome = std::make_shared<Outcome>();
    grader.grade(context, services, [outcome](GradeResult result) {
        ++outcome->calls;
        outcome->result = std::move(result);
    });
    return outcome;
}

std::unique_ptr<Grader> build(const nlohmann::json &definition, std::string *error)
{
    return makeGrader(definition, "$.testing_criteria[0]", error);
}

const GradingContext kContext{
    {{"name", "John Doe"}, {"email", "john.doe@example.com"}},
    {{"output_text", ""}, {"output_json", {{"name", "John Doe"}, {"email", "jd@example.com"}}}}};

} // namespace

class TestMultiGrader : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void guideObjectFormCombinesScores();
    void waitsForAsynchronousSubGradersInAnyOrder();
    void passesWhenEverySubGraderPassesWithoutThreshold();
    void passThresholdDecidesWhenGiven();
    void arrayFormUsesGraderNames();
    void singleGraderForm();
    void subGraderWithoutNameIsNamedByItsKey();
    void subGraderErrorErrorsTheMultiGraderNamingIt();
    void invalidSubGraderCountsAsZero();
    void formulaWithoutAValueIsInvalidNotErrored();
    void nestedMultiIsRejected();
    void formulaErrorsPointAtTheColumnAndPath_data();
    void formulaErrorsPointAtTheColumnAndPath();
    void badDefinitions_data();
    void badDefinitions();
    void needsPythonWhenASubGraderDoes();
    void pythonGraderDefinition_data();
    void pythonGraderDefinition();
    void pythonGraderResults();
};

void TestMultiGrader::guideObjectFormCombinesScores()
{
    // The Graders guide's multigrader, with a python grader standing in for text_similarity.
    const nlohmann::json definition = {
        {"type", "multi"},
        {"name", "contact"},
        {"graders",
         {{"name", python("name_grader", "name")},
          {"email", stringCheck("email_grader", "{{ sample.output_json.email }}", "{{ item.email }}")}}},
        {"calculate_output", "(name + email) / 2"}};
    std::string error;
    auto grader = build(definition, &error);
    QVERIFY2(grader, error.c_str());
    QCOMPARE(grader->name(), std::string("contact"));
    QCOMPARE(grader->type(), std::string("multi"));

    ScriptedPythonServices services;
    auto outcome = grade(*grader, services, kContext);
    QCOMPARE(outcome->calls, 0);
    QCOMPARE(services.pending.size(), std::size_t(1));
    QCOMPARE(services.pending.front().item, kContext.item);
    QCOMPARE(services.pending.front().sample, kContext.sample);
    QVERIFY(services.answer("# name", ScriptedPythonServices::score(0.9)));
    QCOMPARE(outcome->calls, 1);
    const GradeResult &result = outcome->result;
    QVERIFY2(!result.errored(), result.error.c_str());
    QCOMPARE(result.name, std::string("contact"));
    QCOMPARE(result.type, std::string("multi"));
    QCOMPARE(result.score, 0.45); // the email differs: (0.9 + 0) / 2
    QVERIFY(!result.passed);
    // The sub-results are kept by variable name.
    QCOMPARE(result.sample["name"]["score"].get<double>(), 0.9);
    QCOMPARE(result.sample["name"]["name"].get<std::string>(), std::string("name_grader"));
    QCOMPARE(result.sample["email"]["score"].get<double>(), 0.0);
    QCOMPARE(result.sample["email"]["type"].get<std::string>(), std::string("string_check"));
}

void TestMultiGrader::waitsForAsynchronousSubGradersInAnyOrder()
{
    const nlohmann::json definition = {{"type", "multi"},
                                       {"name", "m"},
                                       {"graders", {{"a", python("a", "first")}, {"b", python("b", "second")}}},
                                       {"calculate_output", "a - b"}};
    std::string error;
    auto grader = build(definition, &error);
    QVERIFY2(grader, error.c_str());
    ScriptedPythonServices services;
    auto outcome = grade(*grader, services, kContext);
    QCOMPARE(services.pending.size(), std::size_t(2));
    QVERIFY(services.answer("# second", ScriptedPythonServices::score(0.25)));
    QCOMPARE(outcome->calls, 0);
    QVERIFY(services.answer("# first", ScriptedPythonServices::score(1.0)));
    QCOMPARE(outcome->calls, 1);
    QCOMPARE(outcome->result.score, 0.75); // a - b, matched by name not by answer order
}

void TestMultiGrader::passesWhenEverySubGraderPassesWithoutThreshold()
{
    const nlohmann::json definition = {
        {"type", "multi"},
        {"name", "m"},
        {"graders",
         {{"name", stringCheck("n", "{{ sample.output_json.name }}", "{{ item.name }}")},
          {"email", stringCheck("e", "{{ sample.output_json.email }}", "{{ item.email }}")}}},
        {"calculate_output", "min(name, email)"}};
    std::string error;
    auto grader = build(definition, &error);
    QVERIFY2(grader, error.c_str());
    ScriptedPythonServices services;
    auto wrongEmail = grade(*grader, services, kContext);
    QCOMPARE(wrongEmail->calls, 1);
    QCOMPARE(wrongEmail->result.score, 0.0);
    QVERIFY(!wrongEmail->result.passed);

    GradingContext right = kContext;
    right.sample["output_json"]["email"] = "john.doe@example.com";
    auto allRight = grade(*grader, services, right);
    QCOMPARE(allRight->calls, 1);
    QCOMPARE(allRight->result.score, 1.0);
    QVERIFY(allRight->result.passed);
}

void TestMultiGrader::passThresholdDecidesWhenGiven()
{
    const nlohmann::json definition = {
        {"type", "multi"},
        {"name", "m"},
        {"graders",
         {{"name", stringCheck("n", "{{ sample.output_json.name }}", "{{ item.name }}")},
          {"email", stringCheck("e", "{{ sample.output_json.email }}", "{{ item.email }}")}}},
        {"calculate_output", "0.5 * name + 0.5 * email"},
        {"pass_threshold", 0.5}};
    std::string error;
    auto grader = build(definition, &error);
    QVERIFY2(grader, error.c_str());
    ScriptedPythonServices services;
    auto outcome = grade(*grader, services, kContext);
    QCOMPARE(outcome->result.score, 0.5);
    QVERIFY(outcome->result.passed); // 0.5 >= 0.5 although the email check failed

    nlohmann::json stricter = definition;
    stricter["pass_threshold"] = 0.6;
    auto strict = build(stricter, &error);
    QVERIFY2(strict, error.c_str());
    QVERIFY(!grade(*strict, services, kContext)->result.passed);
}

void TestMultiGrader::arrayFormUsesGraderNames()
{
    const nlohmann::json definition = {
        {"type", "multi"},
        {"name", "example multi grader"},
        {"graders", nlohmann::json::array({stringCheck("same_name", "{{ item.name }}", "John Doe"),
                                           stringCheck("same_email", "{{ item.email }}", "nobody")})},
        {"calculate_output", "same_name * 3 + same_email"}};
    std::string error;
    auto grader = build(definition, &error);
    QVERIFY2(grader, error.c_str());
    ScriptedPythonServices services;
    auto outcome = grade(*grader, services, kContext);
    QCOMPARE(outcome->calls, 1);
    QCOMPARE(outcome->result.score, 3.0);
    QVERIFY(outcome->result.sample.contains("same_name"));
    QVERIFY(outcome->result.sample.contains("same_email"));
}

void TestMultiGrader::singleGraderForm()
{
    const nlohmann::json definition = {{"type", "multi"},
                                       {"name", "one"},
                                       {"graders", stringCheck("check", "{{ item.name }}", "John Doe")},
                                       {"calculate_output", "check / 4"}};
    std::string error;
    auto grader = build(definition, &error);
    QVERIFY2(grader, error.c_str());
    ScriptedPythonServices services;
    QCOMPARE(grade(*grader, services, kContext)->result.score, 0.25);
}

void TestMultiGrader::subGraderWithoutNameIsNamedByItsKey()
{
    nlohmann::json sub = stringCheck("x", "{{ item.name }}", "John Doe");
    sub.erase("name");
    const nlohmann::json definition = {{"type", "multi"}, {"graders", {{"check", sub}}}, {"calculate_output", "check"}};
    std::string error;
    auto grader = build(definition, &error);
    QVERIFY2(grader, error.c_str());
    QCOMPARE(grader->name(), std::string("multi")); // the guide's examples have no name either
    ScriptedPythonServices services;
    const GradeResult result = grade(*grader, services, kContext)->result;
    QCOMPARE(result.score, 1.0);
    QCOMPARE(result.sample["check"]["name"].get<std::string>(), std::string("check"));
}

void TestMultiGrader::subGraderErrorErrorsTheMultiGraderNamingIt()
{
    const nlohmann::json definition = {
        {"type", "multi"},
        {"name", "m"},
        {"graders",
         {{"name", stringCheck("n", "{{ sample.output_json.name }}", "{{ item.name }}")},
          {"phone", stringCheck("p", "{{ sample.output_json.phone }}", "{{ item.phone }}")}}},
        {"calculate_output", "name + phone"}};
    std::string error;
    auto grader = build(definition, &error);
    QVERIFY2(grader, error.c_str());
    ScriptedPythonServices services;
    const GradeResult result = grade(*grader, services, kContext)->result;
    QVERIFY(result.errored());
    QVERIFY2(QString::fromStdString(result.error).startsWith(QStringLiteral("sub-grader \"phone\" failed: ")),
             result.error.c_str());
    QVERIFY2(result.error.find("phone") != std::string::npos, result.error.c_str());
    QVERIFY(!result.passed);
    QVERIFY(result.sample["phone"].contains("error"));

    // A python sub-grader whose sandbox cannot run errors the same way.
    const nlohmann::json withPython = {{"type", "multi"},
                                       {"name", "m"},
                                       {"graders", {{"code", python("code", "code")}}},
                                       {"calculate_output", "code"}};
    auto pythonMulti = build(withPython, &error);
    QVERIFY2(pythonMulti, error.c_str());
    auto outcome = grade(*pythonMulti, services, kContext);
    PythonOutcome refused;
    refused.error = "python graders need consent (--allow-python)";
    QVERIFY(services.answer("# code", refused));
    QCOMPARE(outcome->result.error, std::string("sub-grader \"code\" failed: python graders need consent (--allow-python)"));
}

void TestMultiGrader::invalidSubGraderCountsAsZero()
{
    const nlohmann::json definition = {{"type", "multi"},
                                       {"name", "m"},
                                       {"graders", {{"a", python("a", "a")}, {"b", python("b", "b")}}},
                                       {"calculate_output", "a + b + 0.5"}};
    std::string error;
    auto grader = build(definition, &error);
    QVERIFY2(grader, error.c_str());
    ScriptedPythonServices services;
    auto outcome = grade(*grader, services, kContext);
    PythonOutcome invalid;
    invalid.invalidReason = "grade raised KeyError: 'x'";
    QVERIFY(services.answer("# a", invalid));
    QVERIFY(services.answer("# b", ScriptedPythonServices::score(0.25)));
    QVERIFY(!outcome->result.errored());
    QCOMPARE(outcome->result.score, 0.75);
    QCOMPARE(outcome->result.sample["a"]["invalid_reason"].get<std::string>(), std::string("grade raised KeyError: 'x'"));
    QVERIFY(!outcome->result.passed);
}

void TestMultiGrader::formulaWithoutAValueIsInvalidNotErrored()
{
    const nlohmann::json definition = {
        {"type", "multi"},
        {"name", "ratio"},
        {"graders",
         {{"name", stringCheck("n", "{{ sample.output_json.name }}", "{{ item.name }}")},
          {"email", stringCheck("e", "{{ sample.output_json.email }}", "{{ item.email }}")}}},
        {"calculate_output", "name / email"}};
    std::string error;
    auto grader = build(definition, &error);
    QVERIFY2(grader, error.c_str());
    ScriptedPythonServices services;
    const GradeResult result = grade(*grader, services, kContext)->result;
    QVERIFY(!result.errored());
    QCOMPARE(result.score, 0.0);
    QVERIFY(!result.passed);
    QCOMPARE(result.invalidReason, std::string("calculate_output \"name / email\": division by zero at column 6"));
}

void TestMultiGrader::nestedMultiIsRejected()
{
    const nlohmann::json inner = {{"type", "multi"},
                                  {"name", "inner"},
                                  {"graders", {{"x", stringCheck("x", "a", "a")}}},
                                  {"calculate_output", "x"}};
    const nlohmann::json definition = {{"type", "multi"},
                                       {"name", "outer"},
                                       {"graders", {{"ok", stringCheck("ok", "a", "a")}, {"inner", inner}}},
                                       {"calculate_output", "ok + inner"}};
    std::string error;
    QVERIFY(!build(definition, &error));
    QCOMPARE(error, std::string("$.testing_criteria[0].graders.inner.type: a multi grader cannot contain another multi grader"));

    nlohmann::json asArray = definition;
    asArray["graders"] = nlohmann::json::array({stringCheck("ok", "a", "a"), inner});
    QVERIFY(!build(asArray, &error));
    QCOMPARE(error, std::string("$.testing_criteria[0].graders[1].type: a multi grader cannot contain another multi grader"));
}

void TestMultiGrader::formulaErrorsPointAtTheColumnAndPath_data()
{
    QTest::addColumn<QString>("formula");
    QTest::addColumn<QString>("expected");
    QTest::newRow("typo") << QStringLiteral("(nme + email) / 2")
                          << QStringLiteral("$.testing_criteria[0].calculate_output: unknown variable 'nme' at column 2 "
                                            "(variables: email, name)");
    QTest::newRow("unclosed") << QStringLiteral("(name + email / 2")
                              << QStringLiteral("$.testing_criteria[0].calculate_output: expected ')' at column 18 to "
                                                "close '(' at column 1");
    QTest::newRow("openapi example's stray paren")
        << QStringLiteral("0.5 * name +  0.5 * email)")
        << QStringLiteral("$.testing_criteria[0].calculate_output: unexpected ')' at column 26 (no matching '(')");
}

void TestMultiGrader::formulaErrorsPointAtTheColumnAndPath()
{
    QFETCH(QString, formula);
    QFETCH(QString, expected);
    const nlohmann::json definition = {{"type", "multi"},
                                       {"name", "m"},
                                       {"graders", {{"name", stringCheck("n", "a", "a")}, {"email", stringCheck("e", "a", "a")}}},
                                       {"calculate_output", formula.toStdString()}};
    std::string error;
    QVERIFY(!build(definition, &error));
    QCOMPARE(QString::fromStdString(error), expected);
}

void TestMultiGrader::badDefinitions_data()
{
    QTest::addColumn<QString>("definition");
    QTest::addColumn<QString>("expected");
    QTest::newRow("no graders") << QStringLiteral(R"({"type":"multi","name":"m","calculate_output":"1"})")
                                << QStringLiteral("$.testing_criteria[0].graders: is required");
    QTest::newRow("no formula")
        << QStringLiteral(R"({"type":"multi","name":"m","graders":{"a":{"type":"string_check","name":"a","input":"x","reference":"x","operation":"eq"}}})")
        << QStringLiteral("$.testing_criteria[0].calculate_output: is required");
    QTest::newRow("empty graders") << QStringLiteral(R"({"type":"multi","name":"m","graders":{},"calculate_output":"1"})")
                                   << QStringLiteral("$.testing_criteria[0].graders: must contain at least one grader");
    QTest::newRow("graders a string") << QStringLiteral(R"({"type":"multi","name":"m","graders":"a","calculate_output":"1"})")
                                      << QStringLiteral("$.testing_criteria[0].graders: must be an object of named graders, an "
                                                        "array of graders or one grader");
    QTest::newRow("array element without name")
        << QStringLiteral(R"({"type":"multi","name":"m","graders":[{"type":"string_check","input":"x","reference":"x","operation":"eq"}],"calculate_output":"1"})")
        << QStringLiteral("$.testing_criteria[0].graders[0].name: is required");
    QTest::newRow("duplicate names in array")
        << QStringLiteral(R"({"type":"multi","name":"m","graders":[{"type":"string_check","name":"a","input":"x","reference":"x","operation":"eq"},{"type":"string_check","name":"a","input":"y","reference":"y","operation":"eq"}],"calculate_output":"a"})")
        << QStringLiteral("$.testing_criteria[0].graders[1].name: two sub-graders are named \"a\"");
    QTest::newRow("sub-grader's own error keeps its path")
        << QStringLiteral(R"({"type":"multi","name":"m","graders":{"my key":{"type":"string_check","name":"a","input":"x","reference":"x","operation":"similar"}},"calculate_output":"1"})")
        << QStringLiteral("$.testing_criteria[0].graders[\"my key\"].operation: unknown operation \"similar\" (expected eq, "
                          "ne, like or ilike)");
    QTest::newRow("pass_threshold not a number")
        << QStringLiteral(R"({"type":"multi","name":"m","graders":{"a":{"type":"string_check","name":"a","input":"x","reference":"x","operation":"eq"}},"calculate_output":"a","pass_threshold":"high"})")
        << QStringLiteral("$.testing_criteria[0].pass_threshold: must be a number");
}

void TestMultiGrader::badDefinitions()
{
    QFETCH(QString, definition);
    QFETCH(QString, expected);
    std::string error;
    QVERIFY(!build(nlohmann::json::parse(definition.toStdString()), &error));
    QCOMPARE(QString::fromStdString(error), expected);
}

void TestMultiGrader::needsPythonWhenASubGraderDoes()
{
    std::string error;
    auto plain = build({{"type", "multi"}, {"name", "m"}, {"graders", {{"a", stringCheck("a", "x", "x")}}}, {"calculate_output", "a"}},
                       &error);
    QVERIFY2(plain, error.c_str());
    QVERIFY(!plain->needsPython());
    QVERIFY(!plain->needsModel());
    auto withPython = build({{"type", "multi"},
                             {"name", "m"},
                             {"graders", {{"a", stringCheck("a", "x", "x")}, {"p", python("p", "p")}}},
                             {"calculate_output", "a * p"}},
                            &error);
    QVERIFY2(withPython, error.c_str());
    QVERIFY(withPython->needsPython());
    QVERIFY(!withPython->needsModel());
}

void TestMultiGrader::pythonGraderDefinition_data()
{
    QTest::addColumn<QString>("patch");
    QTest::addColumn<QString>("expected");
    QTest::newRow("valid") << QStringLiteral("{}") << QString();
    QTest::newRow("with image_tag and threshold") << QStringLiteral(R"({"image_tag":"2025-05-08","pass_threshold":0.8})")
                                                  << QString();
    QTest::newRow("no source") << QStringLiteral(R"({"source":null})") << QStringLiteral("$.testing_criteria[0].source: is required");
    QTest::newRow("source not a string") << QStringLiteral(R"({"source":42})")
                                         << QStringLiteral("$.testing_criteria[0].source: must be a string");
    QTest::newRow("blank source") << QStringLiteral(R"({"source":"  \n"})")
                                  << QStringLiteral("$.testing_criteria[0].source: is empty; it must define grade(sample, item)");
    QTest::newRow("no name") << QStringLiteral(R"({"name":null})") << QStringLiteral("$.testing_criteria[0].name: is required");
    QTest::newRow("threshold not a number") << QStringLiteral(R"({"pass_threshold":"0.5"})")
                                            << QStringLiteral("$.testing_criteria[0].pass_threshold: must be a number");
    QTest::newRow("image_tag not a string") << QStringLiteral(R"({"image_tag":1})")
                                            << QStringLiteral("$.testing_criteria[0].image_tag: must be a string");
}

void TestMultiGrader::pythonGraderDefinition()
{
    QFETCH(QString, patch);
    QFETCH(QString, expected);
    nlohmann::json definition = python("code", "x");
    definition.merge_patch(nlohmann::json::parse(patch.toStdString()));
    if (definition.contains("name") && definition["name"].is_null())
        definition.erase("name");
    if (definition.contains("source") && definition["source"].is_null())
        definition.erase("source");
    std::string error;
    auto grader = build(definition, &error);
    if (expected.isEmpty()) {
        QVERIFY2(grader, error.c_str());
        QVERIFY(grader->needsPython());
    } else {
        QVERIFY(!grader);
        QCOMPARE(QString::fromStdString(error), expected);
    }
}

void TestMultiGrader::pythonGraderResults()
{
    std::string error;
    // The guide's limit: less than 256 kB.
    nlohmann::json big = python("big", "x");
    big["source"] = "def grade(sample, item):\n    return 1.0\n#" + std::string(256 * 1024, 'x');
    QVERIFY(!build(big, &error));
    QVERIFY2(error.rfind("$.testing_criteria[0].source: is ", 0) == 0, error.c_str());
    QVERIFY2(error.find("less than 256 kB") != std::string::npos, error.c_str());

    auto grader = build(python("code", "code"), &error);
    QVERIFY2(grader, error.c_str());
    nlohmann::json withThreshold = python("code", "code");
    withThreshold["pass_threshold"] = 0.5;
    auto thresholded = build(withThreshold, &error);
    QVERIFY2(thresholded, error.c_str());

    ScriptedPythonServices services;
    struct Case {
        const Grader *grader;
        PythonOutcome outcome;
        double score;
        bool passed;
    };
    PythonOutcome printed = ScriptedPythonServices::score(0.6);
    printed.stdoutText = "debug line\n";
    PythonOutcome invalid;
    invalid.invalidReason = "grade returned str '1', expected a float";
    const std::vector<Case> cases = {
        {grader.get(), ScriptedPythonServices::score(1.0), 1.0, true},
        {grader.get(), ScriptedPythonServices::score(0.99), 0.99, false}, // no threshold: 1.0 passes
        {thresholded.get(), printed, 0.6, true},
        {thresholded.get(), ScriptedPythonServices::score(0.4), 0.4, false},
        {thresholded.get(), invalid, 0.0, false},
    };
    for (const Case &c : cases) {
        auto outcome = grade(*c.grader, services, kContext);
        QCOMPARE(services.pending.size(), std::size_t(1));
        QCOMPARE(services.pending.front().source, c.grader->definition()["source"].get<std::string>());
        QVERIFY(services.answer("# code", c.outcome));
        QCOMPARE(outcome->calls, 1);
        QCOMPARE(outcome->result.score, c.score);
        QCOMPARE(outcome->result.passed, c.passed);
        QCOMPARE(outcome->result.invalidReason, c.outcome.invalidReason);
        QCOMPARE(outcome->result.type, std::string("python"));
        QCOMPARE(outcome->result.name, std::string("code"));
        if (!c.outcome.stdoutText.empty())
            QCOMPARE(outcome->result.sample["stdout"].get<std::string>(), c.outcome.stdoutText);
    }

    auto failed = grade(*grader, services, kContext);
    PythonOutcome cannotRun;
    cannotRun.error = "python3 was not found on PATH";
    QVERIFY(services.answer("# code", cannotRun));
    QVERIFY(failed->result.errored());
    QCOMPARE(failed->result.error, std::string("python3 was not found on PATH"));
    QVERIFY(!failed->result.passed);
}

QTEST_GUILESS_MAIN(TestMultiGrader)
#include "tst_multi_grader.moc"
