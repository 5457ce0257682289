#pragma once

#include <memory>
#include <string>

#include "models/eval/graders/grader.h"

namespace assay::eval {

// type "string_check": compares the rendered `input` with the rendered `reference`. Per the
// Graders guide: eq (equal, case-sensitive), ne / neq (not equal; the spec spells it `ne`, the
// guide's list `neq`), like (input contains reference, case-sensitive), ilike (input contains
// reference, ignoring case with Unicode case folding). Score 1 or 0; passed when 1.
class StringCheckGrader : public Grader {
public:
    enum class Operation { Equal, NotEqual, Like, ILike };

    static std::unique_ptr<Grader> create(const nlohmann::json &definition, const std::string &path,
                                          std::string *error);

    // The comparison alone, on rendered texts (UTF-8).
    static bool compare(Operation operation, const std::string &input, const std::string &reference);

    void grade(const GradingContext &context, GraderServices &services,
               std::function<void(GradeResult)> done) const override;

private:
    StringCheckGrader(nlohmann::json definition, std::string input, std::string reference, Operation operation);

    std::string m_input;
    std::string m_reference;
    Operation m_operation;
};

} // namespace assay::eval
