#include "models/eval/graders/multi_grader.h"

#include <cctype>
#include <map>

#include "models/eval/graders/definition_reader.h"

namespace assay::eval {

namespace {

bool isIdentifier(const std::string &text)
{
    if (text.empty() || !(std::isalpha(static_cast<unsigned char>(text[0])) || text[0] == '_'))
        return false;
    for (const char c : text) {
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_'))
            return false;
    }
    return true;
}

std::string keyPath(const std::string &base, const std::string &key)
{
    return isIdentifier(key) ? base + "." + key : base + "[" + nlohmann::json(key).dump() + "]";
}

struct Pending {
    std::string path;
    std::string variable;
    nlohmann::json definition;
};

} // namespace

MultiGrader::MultiGrader(nlohmann::json definition, std::vector<SubGrader> subGraders, Formula formula,
                         std::optional<double> passThreshold)
    : Grader(std::move(definition))
    , m_subGraders(std::move(subGraders))
    , m_formula(std::move(formula))
    , m_passThreshold(passThreshold)
{
}

std::unique_ptr<Grader> MultiGrader::create(const nlohmann::json &definition, const std::string &path,
                                            std::string *error)
{
    DefinitionReader reader(definition, path, error);
    // GraderMulti requires a name; the Graders guide's examples have none, so they are accepted.
    const auto name = reader.string("name", false);
    const nlohmann::json *graders = reader.field("graders", true);
    const auto calculateOutput = reader.string("calculate_output");
    const auto passThreshold = reader.number("pass_threshold", false);
    if (!reader.ok())
        return nullptr;

    const std::string gradersPath = reader.fieldPath("graders");
    std::vector<Pending> pending;
    if (graders->is_object() && graders->contains("type") && (*graders)["type"].is_string()) {
        // The OpenAPI schema's form: `graders` is one grader, its variable its name.
        pending.push_back({gradersPath, {}, *graders});
    } else if (graders->is_object()) {
        // The Graders guide's form: {variable: grader}.
        for (auto it = graders->begin(); it != graders->end(); ++it) {
            nlohmann::json sub = it.value();
            // A sub-grader may leave out its name; the key then names its result.
            if (sub.is_object() && (!sub.contains("name") || sub["name"].is_null()))
                sub["name"] = it.key();
            pending.push_back({keyPath(gradersPath, it.key()), it.key(), std::move(sub)});
        }
    } else if (graders->is_array()) {
        for (std::size_t i = 0; i < graders->size(); ++i)
            pending.push_back({gradersPath + "[" + std::to_string(i) + "]", {}, (*graders)[i]});
    } else {
        reader.fail("graders", "must be an object of named graders, an array of graders or one grader");
        return nullptr;
    }
    if (pending.empty()) {
        reader.fail("graders", "must contain at least one grader");
        return nullptr;
    }

    std::vector<SubGrader> subGraders;
    std::vector<std::string> variables;
    for (Pending &entry : pending) {
        DefinitionReader subReader(entry.definition, entry.path, error);
        const auto type = subReader.string("type");
        if (!subReader.ok())
            return nullptr;
        if (*type == "multi") {
            subReader.fail("type", "a multi grader cannot contain another multi grader");
            return nullptr;
        }
        if (entry.variable.empty()) {
            const auto subName = subReader.string("name");
            if (!subReader.ok())
                return nullptr;
            entry.variable = *subName;
        }
        if (std::find(variables.begin(), variables.end(), entry.variable) != variables.end()) {
            subReader.fail(entry.path == gradersPath ? std::string() : "name",
                           "two sub-graders are named \"" + entry.variable + "\"");
            return nullptr;
        }
        std::unique_ptr<Grader> grader = makeGrader(entry.definition, entry.path, error);
        if (!grader)
            return nullptr;
        variables.push_back(entry.variable);
        subGraders.push_back({entry.variable, std::move(grader)});
    }

    auto parsed = Formula::parse(*calculateOutput, variables);
    if (const auto *parseError = std::get_if<Formula::Error>(&parsed)) {
        std::string message = parseError->message;
        if (message.rfind("unknown variable", 0) == 0) {
            message += " (variables: ";
            for (std::size_t i = 0; i < variables.size(); ++i)
                message += (i ? ", " : "") + variables[i];
            message += ")";
        }
        reader.fail("calculate_output", message);
        return nullptr;
    }

    nlohmann::json stored = definition;
    if (!name)
        stored["name"] = "multi";
    return std::unique_ptr<Grader>(new MultiGrader(std::move(stored), std::move(subGraders),
                                                   std::get<Formula>(std::move(parsed)), passThreshold));
}

bool MultiGrader::needsPython() const
{
    return std::any_of(m_subGraders.begin(), m_subGraders.end(),
                       [](const SubGrader &sub) { return sub.grader->needsPython(); });
}

bool MultiGrader::needsModel() const
{
    return std::any_of(m_subGraders.begin(), m_subGraders.end(),
                       [](const SubGrader &sub) { return sub.grader->needsModel(); });
}

void MultiGrader::grade(const GradingContext &context, GraderServices &services,
                        std::function<void(GradeResult)> done) const
{
    // Sub-graders may answer synchronously or later, in any order; the last one computes.
    struct State {
        std::vector<std::optional<GradeResult>> results;
        std::size_t remaining = 0;
        std::function<void(GradeResult)> done;
    };
    auto state = std::make_shared<State>();
    state->results.resize(m_subGraders.size());
    state->remaining = m_subGraders.size();
    state->done = std::move(done);

    auto complete = [this, state] {
        GradeResult result = makeResult();
        nlohmann::json subResults = nlohmann::json::object();
        std::map<std::string, double> values;
        std::string errors;
        bool allPassed = true;
        for (std::size_t i = 0; i < m_subGraders.size(); ++i) {
            const GradeResult &sub = *state->results[i];
            const std::string &variable = m_subGraders[i].variable;
            subResults[variable] = sub.toJson();
            values[variable] = sub.score;
            allPassed = allPassed && sub.passed;
            if (sub.errored())
                errors += (errors.empty() ? "" : "; ") + std::string("sub-grader \"") + variable + "\" failed: " + sub.error;
        }
        result.sample = std::move(subResults);
        if (!errors.empty()) {
            result.error = errors;
        } else {
            const auto value = m_formula.evaluate(values);
            if (const auto *evalError = std::get_if<Formula::EvalError>(&value)) {
                // A score the formula cannot compute (e.g. a division by a sub-score of 0) is an
                // invalid value, scored 0 as the Graders guide does for python graders.
                result.score = 0.0;
                result.passed = false;
                result.invalidReason = "calculate_output \"" + m_formula.text() + "\": " + evalError->message;
            } else {
                result.score = std::get<double>(value);
                // GraderMulti has no pass_threshold; when the eval gives one it decides, otherwise
                // the combination passes when every part passed.
                result.passed = m_passThreshold ? result.score >= *m_passThreshold : allPassed;
            }
        }
        auto callback = std::move(state->done);
        callback(std::move(result));
    };

    for (std::size_t i = 0; i < m_subGraders.size(); ++i) {
        m_subGraders[i].grader->grade(context, services, [state, i, complete](GradeResult sub) {
            if (state->results[i])
                return; // a sub-grader broke its exactly-once promise; the first answer counts
            state->results[i] = std::move(sub);
            if (--state->remaining == 0)
                complete();
        });
    }
}

} // namespace assay::eval
