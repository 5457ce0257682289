#include "models/eval/graders/string_check_grader.h"

#include <QString>

#include "models/eval/eval_template.h"
#include "models/eval/graders/definition_reader.h"

namespace assay::eval {

StringCheckGrader::StringCheckGrader(nlohmann::json definition, std::string input, std::string reference,
                                     Operation operation)
    : Grader(std::move(definition))
    , m_input(std::move(input))
    , m_reference(std::move(reference))
    , m_operation(operation)
{
}

std::unique_ptr<Grader> StringCheckGrader::create(const nlohmann::json &definition, const std::string &path,
                                                  std::string *error)
{
    DefinitionReader reader(definition, path, error);
    const auto input = reader.string("input");
    const auto reference = reader.string("reference");
    const auto operationName = reader.string("operation");
    if (!reader.ok())
        return nullptr;
    Operation operation;
    if (*operationName == "eq")
        operation = Operation::Equal;
    else if (*operationName == "ne" || *operationName == "neq")
        operation = Operation::NotEqual;
    else if (*operationName == "like")
        operation = Operation::Like;
    else if (*operationName == "ilike")
        operation = Operation::ILike;
    else {
        reader.fail("operation", "unknown operation \"" + *operationName + "\" (expected eq, ne, like or ilike)");
        return nullptr;
    }
    return std::unique_ptr<Grader>(new StringCheckGrader(definition, *input, *reference, operation));
}

bool StringCheckGrader::compare(Operation operation, const std::string &input, const std::string &reference)
{
    switch (operation) {
    case Operation::Equal:
        return input == reference;
    case Operation::NotEqual:
        return input != reference;
    case Operation::Like:
        return input.find(reference) != std::string::npos;
    case Operation::ILike:
        // Simple Unicode case folding (one code point to one), as Python's str.lower() comparisons
        // behave for the cases people meet ("ÉCOLE" / "école", "ΑΘΗΝΑ" / "αθηνα").
        return QString::fromStdString(input).contains(QString::fromStdString(reference), Qt::CaseInsensitive);
    }
    return false;
}

void StringCheckGrader::grade(const GradingContext &context, GraderServices &, std::function<void(GradeResult)> done) const
{
    GradeResult result = makeResult();
    const nlohmann::json templateContext = context.templateContext();
    const TemplateResult input = renderTemplate(m_input, templateContext);
    const TemplateResult reference = input.missingPath ? TemplateResult{} : renderTemplate(m_reference, templateContext);
    if (input.missingPath || reference.missingPath) {
        result.error = (input.missingPath ? "input: " + input.errorMessage() : "reference: " + reference.errorMessage());
        done(std::move(result));
        return;
    }
    result.score = compare(m_operation, input.text, reference.text) ? 1.0 : 0.0;
    result.passed = result.score == 1.0;
    done(std::move(result));
}

} // namespace assay::eval
