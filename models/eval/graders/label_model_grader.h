#pragma once

#include <memory>
#include <string>
#include <vector>

#include "models/eval/graders/grader.h"
#include "models/eval/graders/model_grader_request.h"

namespace assay::eval {

// type "label_model": asks `model` for {steps, result} with result restricted to `labels` (a
// strict json_schema enum). Score 1 and passed when the label is one of `passing_labels`, else
// 0. An answer naming no label from `labels` is invalid (score 0) with the reason. A bare label
// as the whole answer (JSON string or plain text) is taken too (servers that ignore
// response_format). passing_labels must be a subset of labels.
class LabelModelGrader : public Grader {
public:
    static constexpr const char *kSchemaName = "label_model_grader_result";

    static std::unique_ptr<Grader> create(const nlohmann::json &definition, const std::string &path,
                                          std::string *error);

    static nlohmann::json outputSchema(const std::vector<std::string> &labels);

    bool needsModel() const override { return true; }
    void grade(const GradingContext &context, GraderServices &services,
               std::function<void(GradeResult)> done) const override;

    const std::vector<std::string> &labels() const { return m_labels; }
    const std::vector<std::string> &passingLabels() const { return m_passingLabels; }
    const ModelGraderRequest &request() const { return m_request; }

private:
    LabelModelGrader(nlohmann::json definition, ModelGraderRequest request, std::vector<std::string> labels,
                     std::vector<std::string> passingLabels);

    ModelGraderRequest m_request;
    std::vector<std::string> m_labels;
    std::vector<std::string> m_passingLabels;
};

} // namespace assay::eval
