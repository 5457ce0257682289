#pragma once

#include <memory>
#include <optional>
#include <string>

#include "models/eval/graders/grader.h"
#include "models/eval/graders/model_grader_request.h"

namespace assay::eval {

// type "score_model": asks `model` for {steps: [{description, conclusion}], result: number}
// (structured output; steps first, so the model reasons before it scores). The result is clamped
// to `range` (default [0, 1]); an answer without a numeric result scores 0 and is marked invalid
// with the reason (the guide: "default to 0 for all non-numeric outputs"). A bare number as the
// whole answer is taken too (servers that ignore response_format).
//
// passed: score >= pass_threshold. The Evals API leaves pass_threshold optional and does not say
// what happens without it; here a missing threshold means the midpoint of the range (0.5 for
// [0, 1], the guide's own example threshold).
class ScoreModelGrader : public Grader {
public:
    static constexpr const char *kSchemaName = "score_model_grader_result";

    static std::unique_ptr<Grader> create(const nlohmann::json &definition, const std::string &path,
                                          std::string *error);

    // The structured output the grader asks for.
    static nlohmann::json outputSchema();

    bool needsModel() const override { return true; }
    void grade(const GradingContext &context, GraderServices &services,
               std::function<void(GradeResult)> done) const override;

    double rangeMin() const { return m_min; }
    double rangeMax() const { return m_max; }
    double passThreshold() const { return m_passThreshold; }
    const ModelGraderRequest &request() const { return m_request; }

private:
    ScoreModelGrader(nlohmann::json definition, ModelGraderRequest request, double min, double max,
                     double passThreshold);

    ModelGraderRequest m_request;
    double m_min;
    double m_max;
    double m_passThreshold;
};

} // namespace assay::eval
