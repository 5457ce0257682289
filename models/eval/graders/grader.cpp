#include "models/eval/graders/grader.h"

#include "models/eval/graders/definition_reader.h"
#include "models/eval/graders/label_model_grader.h"
#include "models/eval/graders/multi_grader.h"
#include "models/eval/graders/python_grader.h"
#include "models/eval/graders/score_model_grader.h"
#include "models/eval/graders/string_check_grader.h"
#include "models/eval/graders/text_similarity_grader.h"

namespace assay::eval {

nlohmann::json GradeResult::toJson() const
{
    nlohmann::json json = {{"name", name}, {"type", type}, {"score", score}, {"passed", passed}, {"sample", sample}};
    if (!error.empty())
        json["error"] = error;
    if (!invalidReason.empty())
        json["invalid_reason"] = invalidReason;
    return json;
}

namespace {

std::string stringField(const nlohmann::json &definition, const char *field)
{
    if (!definition.is_object())
        return {};
    const auto it = definition.find(field);
    return it != definition.end() && it->is_string() ? it->get<std::string>() : std::string();
}

} // namespace

Grader::Grader(nlohmann::json definition)
    : m_definition(std::move(definition))
    , m_name(stringField(m_definition, "name"))
    , m_type(stringField(m_definition, "type"))
{
}

GradeResult Grader::makeResult() const
{
    GradeResult result;
    result.name = m_name;
    result.type = m_type;
    return result;
}

std::unique_ptr<Grader> makeGrader(const nlohmann::json &definition, const std::string &path, std::string *error)
{
    DefinitionReader reader(definition, path, error);
    const std::optional<std::string> type = reader.string("type");
    if (!type)
        return nullptr;
    // multi and python read their own definitions (their sub-graders may take their name from a key).
    if (*type == "multi")
        return MultiGrader::create(definition, path, error);
    if (*type == "python")
        return PythonGrader::create(definition, path, error);

    using Create = std::unique_ptr<Grader> (*)(const nlohmann::json &, const std::string &, std::string *);
    Create create = nullptr;
    if (*type == "string_check")
        create = &StringCheckGrader::create;
    else if (*type == "text_similarity")
        create = &TextSimilarityGrader::create;
    else if (*type == "score_model")
        create = &ScoreModelGrader::create;
    else if (*type == "label_model")
        create = &LabelModelGrader::create;
    if (!create) {
        reader.fail("type", "unknown grader type \"" + *type +
                                "\" (expected string_check, text_similarity, score_model, label_model, python or multi)");
        return nullptr;
    }
    if (!reader.string("name"))
        return nullptr;
    return create(definition, path, error);
}

} // namespace assay::eval
