#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/eval/formula.h"
#include "models/eval/graders/grader.h"

namespace assay::eval {

// type "multi": named sub-graders combined by `calculate_output`. `graders` is an object
// {name: grader} (the Graders guide), or an array / single grader (the OpenAPI oneOf), where
// each sub-grader's "name" is its variable. Nested multi graders are rejected.
// Score = the formula. Passed: score >= pass_threshold when the definition has one (an Assay
// extension; GraderMulti has none), else every sub-grader passed.
class MultiGrader : public Grader {
public:
    static std::unique_ptr<Grader> create(const nlohmann::json &definition, const std::string &path,
                                          std::string *error);

    bool needsPython() const override;
    bool needsModel() const override;
    void grade(const GradingContext &context, GraderServices &services,
               std::function<void(GradeResult)> done) const override;

    struct SubGrader {
        std::string variable;
        std::unique_ptr<Grader> grader;
    };

private:
    MultiGrader(nlohmann::json definition, std::vector<SubGrader> subGraders, Formula formula,
                std::optional<double> passThreshold);

    std::vector<SubGrader> m_subGraders;
    Formula m_formula;
    std::optional<double> m_passThreshold;
};

} // namespace assay::eval
