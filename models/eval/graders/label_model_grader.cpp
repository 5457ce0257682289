#include "models/eval/graders/label_model_grader.h"

#include <algorithm>

#include "models/eval/graders/definition_reader.h"

namespace assay::eval {

using json = nlohmann::json;

namespace {

bool contains(const std::vector<std::string> &list, const std::string &value)
{
    return std::find(list.begin(), list.end(), value) != list.end();
}

std::optional<std::vector<std::string>> stringList(DefinitionReader &reader, const char *field)
{
    const json *value = reader.field(field, true);
    if (!value)
        return std::nullopt;
    if (!value->is_array() || value->empty()) {
        reader.fail(field, "must be a non-empty list of strings");
        return std::nullopt;
    }
    std::vector<std::string> list;
    for (size_t i = 0; i < value->size(); ++i) {
        if (!(*value)[i].is_string()) {
            reader.failAt(reader.fieldPath(field) + "[" + std::to_string(i) + "]", "must be a string");
            return std::nullopt;
        }
        list.push_back((*value)[i].get<std::string>());
    }
    return list;
}

std::string quotedList(const std::vector<std::string> &list)
{
    std::string text;
    for (const std::string &item : list)
        text += (text.empty() ? "" : ", ") + json(item).dump();
    return text;
}

} // namespace

LabelModelGrader::LabelModelGrader(json definition, ModelGraderRequest request, std::vector<std::string> labels,
                                   std::vector<std::string> passingLabels)
    : Grader(std::move(definition))
    , m_request(std::move(request))
    , m_labels(std::move(labels))
    , m_passingLabels(std::move(passingLabels))
{
}

std::unique_ptr<Grader> LabelModelGrader::create(const json &definition, const std::string &path, std::string *error)
{
    auto request = ModelGraderRequest::parse(definition, path, error);
    if (!request)
        return nullptr;
    DefinitionReader reader(definition, path, error);
    auto labels = stringList(reader, "labels");
    if (!labels)
        return nullptr;
    for (size_t i = 0; i < labels->size(); ++i) {
        if (std::find(labels->begin(), labels->begin() + static_cast<std::ptrdiff_t>(i), (*labels)[i])
            != labels->begin() + static_cast<std::ptrdiff_t>(i)) {
            reader.failAt(reader.fieldPath("labels") + "[" + std::to_string(i) + "]",
                          json((*labels)[i]).dump() + " appears twice");
            return nullptr;
        }
    }
    auto passing = stringList(reader, "passing_labels");
    if (!passing)
        return nullptr;
    for (size_t i = 0; i < passing->size(); ++i) {
        if (!contains(*labels, (*passing)[i])) {
            reader.failAt(reader.fieldPath("passing_labels") + "[" + std::to_string(i) + "]",
                          json((*passing)[i]).dump() + " is not one of the labels (" + quotedList(*labels) + ")");
            return nullptr;
        }
    }
    return std::unique_ptr<Grader>(
        new LabelModelGrader(definition, std::move(*request), std::move(*labels), std::move(*passing)));
}

json LabelModelGrader::outputSchema(const std::vector<std::string> &labels)
{
    return {{"type", "object"},
            {"properties",
             {{"steps", ModelGraderRequest::stepsSchema()}, {"result", {{"type", "string"}, {"enum", labels}}}}},
            {"required", {"steps", "result"}},
            {"additionalProperties", false}};
}

void LabelModelGrader::grade(const GradingContext &context, GraderServices &services,
                             std::function<void(GradeResult)> done) const
{
    m_request.run(
        makeResult(), context, services, kSchemaName, outputSchema(m_labels),
        [labels = m_labels, passing = m_passingLabels](GradeResult &result, const ModelAnswer &answer) {
            std::optional<std::string> label;
            if (answer.json) {
                const json *value = &*answer.json;
                if (value->is_object()) {
                    const auto it = value->find("result");
                    value = it != value->end() ? &*it : nullptr;
                }
                if (value && value->is_string())
                    label = value->get<std::string>();
                else {
                    result.invalidReason = "the grader model's answer has no label in result";
                    return;
                }
            } else {
                // A bare label as the whole answer: "positive".
                std::string text = answer.text;
                text.erase(0, text.find_first_not_of(" \t\r\n"));
                text.erase(text.find_last_not_of(" \t\r\n") + 1);
                if (!contains(labels, text)) {
                    result.invalidReason = answer.unreadableReason();
                    return;
                }
                label = text;
            }
            if (!contains(labels, *label)) {
                result.invalidReason = "the grader model answered " + json(*label).dump() +
                                       ", which is not one of the labels (" + quotedList(labels) + ")";
                return;
            }
            result.score = contains(passing, *label) ? 1.0 : 0.0;
            result.passed = result.score == 1.0;
        },
        std::move(done));
}

} // namespace assay::eval
