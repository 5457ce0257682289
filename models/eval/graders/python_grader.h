#pragma once

#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "models/eval/graders/grader.h"

namespace assay::eval {

// type "python": `source` defines grade(sample, item) -> float, run by
// GraderServices::runPython (a PythonSandbox). An invalid result scores 0, not passed, with the
// reason kept.
class PythonGrader : public Grader {
public:
    static constexpr std::size_t kMaxSourceBytes = 256 * 1024;

    static std::unique_ptr<Grader> create(const nlohmann::json &definition, const std::string &path,
                                          std::string *error);

    bool needsPython() const override { return true; }
    void grade(const GradingContext &context, GraderServices &services,
               std::function<void(GradeResult)> done) const override;

    const std::string &source() const { return m_source; }
    std::optional<double> passThreshold() const { return m_passThreshold; }

private:
    PythonGrader(nlohmann::json definition, std::string source, std::optional<double> passThreshold);

    std::string m_source;
    std::optional<double> m_passThreshold;
};

} // namespace assay::eval
