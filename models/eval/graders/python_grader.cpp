#include "models/eval/graders/python_grader.h"

#include "models/eval/graders/definition_reader.h"

namespace assay::eval {

PythonGrader::PythonGrader(nlohmann::json definition, std::string source, std::optional<double> passThreshold)
    : Grader(std::move(definition))
    , m_source(std::move(source))
    , m_passThreshold(passThreshold)
{
}

std::unique_ptr<Grader> PythonGrader::create(const nlohmann::json &definition, const std::string &path,
                                             std::string *error)
{
    DefinitionReader reader(definition, path, error);
    reader.string("name");
    const auto source = reader.string("source");
    const auto passThreshold = reader.number("pass_threshold", false);
    if (const nlohmann::json *imageTag = reader.field("image_tag", false); imageTag && !imageTag->is_string())
        reader.fail("image_tag", "must be a string");
    if (!reader.ok())
        return nullptr;
    // The Graders guide: "Your uploaded code must be less than 256kB".
    if (source->size() >= kMaxSourceBytes) {
        reader.fail("source", "is " + std::to_string(source->size()) + " bytes; python graders must be less than 256 kB (" +
                                  std::to_string(kMaxSourceBytes) + " bytes)");
        return nullptr;
    }
    if (source->find_first_not_of(" \t\r\n") == std::string::npos) {
        reader.fail("source", "is empty; it must define grade(sample, item)");
        return nullptr;
    }
    return std::unique_ptr<Grader>(new PythonGrader(definition, *source, passThreshold));
}

void PythonGrader::grade(const GradingContext &context, GraderServices &services,
                         std::function<void(GradeResult)> done) const
{
    GradeResult result = makeResult();
    const std::optional<double> threshold = m_passThreshold;
    services.runPython(m_source, context.sample, context.item,
                       [result, threshold, done = std::move(done)](const PythonOutcome &outcome) mutable {
                           nlohmann::json sample = nlohmann::json::object();
                           if (!outcome.stdoutText.empty())
                               sample["stdout"] = outcome.stdoutText;
                           if (!outcome.stderrText.empty())
                               sample["stderr"] = outcome.stderrText;
                           if (!sample.empty())
                               result.sample = std::move(sample);
                           if (!outcome.error.empty()) {
                               result.error = outcome.error;
                           } else if (!outcome.score) {
                               // The Graders guide: any other result "will be marked as invalid and return a 0 grade".
                               result.score = 0.0;
                               result.passed = false;
                               result.invalidReason =
                                   outcome.invalidReason.empty() ? "grade returned no score" : outcome.invalidReason;
                           } else {
                               result.score = *outcome.score;
                               // Without a pass_threshold (GraderPython has none; EvalGraderPython makes it
                               // optional) a score of 1.0 or more passes: the guide's canonical grader
                               // returns 1.0 for a correct answer, so all-or-nothing graders pass and fail
                               // as written, while partial credit is not silently counted as a pass
                               // unless the eval states how much partial credit is enough.
                               result.passed = result.score >= threshold.value_or(1.0);
                           }
                           done(std::move(result));
                       });
}

} // namespace assay::eval
