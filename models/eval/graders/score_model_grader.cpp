#include "models/eval/graders/score_model_grader.h"

#include <algorithm>
#include <cmath>

#include "models/eval/graders/definition_reader.h"

namespace assay::eval {

using json = nlohmann::json;

ScoreModelGrader::ScoreModelGrader(json definition, ModelGraderRequest request, double min, double max,
                                   double passThreshold)
    : Grader(std::move(definition))
    , m_request(std::move(request))
    , m_min(min)
    , m_max(max)
    , m_passThreshold(passThreshold)
{
}

std::unique_ptr<Grader> ScoreModelGrader::create(const json &definition, const std::string &path, std::string *error)
{
    auto request = ModelGraderRequest::parse(definition, path, error);
    if (!request)
        return nullptr;
    DefinitionReader reader(definition, path, error);
    double min = 0.0;
    double max = 1.0;
    if (const json *range = reader.field("range", false)) {
        if (!range->is_array() || range->size() != 2 || !(*range)[0].is_number() || !(*range)[1].is_number()) {
            reader.fail("range", "must be two numbers [min, max]");
            return nullptr;
        }
        min = (*range)[0].get<double>();
        max = (*range)[1].get<double>();
        if (!(min < max)) {
            reader.fail("range", "the minimum must be below the maximum");
            return nullptr;
        }
    }
    const auto threshold = reader.number("pass_threshold", false);
    if (!reader.ok())
        return nullptr;
    return std::unique_ptr<Grader>(
        new ScoreModelGrader(definition, std::move(*request), min, max, threshold ? *threshold : (min + max) / 2.0));
}

json ScoreModelGrader::outputSchema()
{
    return {{"type", "object"},
            {"properties", {{"steps", ModelGraderRequest::stepsSchema()}, {"result", {{"type", "number"}}}}},
            {"required", {"steps", "result"}},
            {"additionalProperties", false}};
}

void ScoreModelGrader::grade(const GradingContext &context, GraderServices &services,
                             std::function<void(GradeResult)> done) const
{
    const double min = m_min;
    const double max = m_max;
    const double threshold = m_passThreshold;
    m_request.run(
        makeResult(), context, services, kSchemaName, outputSchema(),
        [min, max, threshold](GradeResult &result, const ModelAnswer &answer) {
            if (!answer.json) {
                result.invalidReason = answer.unreadableReason();
                return;
            }
            const json *value = &*answer.json;
            if (value->is_object()) {
                const auto it = value->find("result");
                if (it == value->end()) {
                    result.invalidReason = "the grader model's answer has no result";
                    return;
                }
                value = &*it;
            }
            if (!value->is_number() || !std::isfinite(value->get<double>())) {
                result.invalidReason = "the grader model's result is not a number: " + value->dump();
                return;
            }
            result.score = std::clamp(value->get<double>(), min, max);
            result.passed = result.score >= threshold;
        },
        std::move(done));
}

} // namespace assay::eval
