#include "models/eval/graders/text_similarity_grader.h"

#include <array>
#include <utility>
#include <vector>

#include "models/eval/eval_template.h"
#include "models/eval/graders/definition_reader.h"
#include "models/eval/metrics/text_metrics.h"

namespace assay::eval {

namespace {

using Metric = TextSimilarityGrader::Metric;

constexpr std::array<std::pair<const char *, Metric>, 11> kMetrics = {{
    {"fuzzy_match", Metric::FuzzyMatch},
    {"bleu", Metric::Bleu},
    {"gleu", Metric::Gleu},
    {"meteor", Metric::Meteor},
    {"cosine", Metric::Cosine},
    {"rouge_1", Metric::Rouge1},
    {"rouge_2", Metric::Rouge2},
    {"rouge_3", Metric::Rouge3},
    {"rouge_4", Metric::Rouge4},
    {"rouge_5", Metric::Rouge5},
    {"rouge_l", Metric::RougeL},
}};

// The embedding of data[i] for input i (the API may answer in any order; `index` says which).
std::optional<std::vector<double>> embeddingAt(const nlohmann::json &response, int index)
{
    if (!response.is_object() || !response.contains("data") || !response.at("data").is_array())
        return std::nullopt;
    const nlohmann::json &data = response.at("data");
    for (size_t i = 0; i < data.size(); ++i) {
        const nlohmann::json &entry = data.at(i);
        if (!entry.is_object())
            continue;
        const int entryIndex = entry.contains("index") && entry.at("index").is_number_integer()
                                   ? entry.at("index").get<int>()
                                   : static_cast<int>(i);
        if (entryIndex != index)
            continue;
        if (!entry.contains("embedding") || !entry.at("embedding").is_array())
            return std::nullopt;
        std::vector<double> vector;
        for (const nlohmann::json &value : entry.at("embedding")) {
            if (!value.is_number())
                return std::nullopt;
            vector.push_back(value.get<double>());
        }
        if (vector.empty())
            return std::nullopt;
        return vector;
    }
    return std::nullopt;
}

} // namespace

TextSimilarityGrader::TextSimilarityGrader(nlohmann::json definition, std::string input, std::string reference,
                                           Metric metric, double passThreshold, std::string embeddingModel)
    : Grader(std::move(definition))
    , m_input(std::move(input))
    , m_reference(std::move(reference))
    , m_metric(metric)
    , m_passThreshold(passThreshold)
    , m_embeddingModel(std::move(embeddingModel))
{
}

std::unique_ptr<Grader> TextSimilarityGrader::create(const nlohmann::json &definition, const std::string &path,
                                                     std::string *error)
{
    DefinitionReader reader(definition, path, error);
    const auto input = reader.string("input");
    const auto reference = reader.string("reference");
    const auto metricName = reader.string("evaluation_metric");
    const auto passThreshold = reader.number("pass_threshold");
    const auto model = reader.string("model", false);
    if (!reader.ok())
        return nullptr;
    std::optional<Metric> metric;
    for (const auto &[name, value] : kMetrics) {
        if (*metricName == name)
            metric = value;
    }
    if (!metric) {
        reader.fail("evaluation_metric", "unknown metric \"" + *metricName +
                                             "\" (expected fuzzy_match, bleu, gleu, meteor, cosine, rouge_1 to "
                                             "rouge_5 or rouge_l)");
        return nullptr;
    }
    if (model && model->empty()) {
        reader.fail("model", "must name an embedding model");
        return nullptr;
    }
    return std::unique_ptr<Grader>(new TextSimilarityGrader(definition, *input, *reference, *metric, *passThreshold,
                                                            model ? *model : std::string(kDefaultEmbeddingModel)));
}

double TextSimilarityGrader::score(Metric metric, const std::string &input, const std::string &reference)
{
    switch (metric) {
    case Metric::FuzzyMatch:
        return metrics::fuzzyRatio(input, reference);
    case Metric::Bleu:
        return metrics::bleu(input, reference);
    case Metric::Gleu:
        return metrics::gleu(input, reference);
    case Metric::Meteor:
        return metrics::meteor(input, reference);
    case Metric::Rouge1:
        return metrics::rougeN(input, reference, 1);
    case Metric::Rouge2:
        return metrics::rougeN(input, reference, 2);
    case Metric::Rouge3:
        return metrics::rougeN(input, reference, 3);
    case Metric::Rouge4:
        return metrics::rougeN(input, reference, 4);
    case Metric::Rouge5:
        return metrics::rougeN(input, reference, 5);
    case Metric::RougeL:
        return metrics::rougeL(input, reference);
    case Metric::Cosine:
        break;
    }
    return 0.0;
}

void TextSimilarityGrader::grade(const GradingContext &context, GraderServices &services,
                                 std::function<void(GradeResult)> done) const
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

    const double threshold = m_passThreshold;
    if (m_metric != Metric::Cosine || input.text.empty() || reference.text.empty()) {
        if (m_metric == Metric::Cosine)
            result.score = input.text.empty() && reference.text.empty() ? 1.0 : 0.0;
        else
            result.score = score(m_metric, input.text, reference.text);
        result.passed = result.score >= threshold;
        done(std::move(result));
        return;
    }

    const nlohmann::json body = {{"model", m_embeddingModel},
                                 {"input", nlohmann::json::array({input.text, reference.text})},
                                 {"encoding_format", "float"}};
    services.embed(body, [result = std::move(result), threshold, model = m_embeddingModel,
                          done = std::move(done)](const nlohmann::json &response,
                                                  const std::optional<api::ApiError> &apiError) mutable {
        if (apiError) {
            result.error = "embeddings (" + model + "): " + apiError->summary().toStdString();
            done(std::move(result));
            return;
        }
        const auto first = embeddingAt(response, 0);
        const auto second = embeddingAt(response, 1);
        if (!first || !second || first->size() != second->size()) {
            result.error = "embeddings (" + model + "): the answer does not hold two embeddings of the same length";
            done(std::move(result));
            return;
        }
        result.score = metrics::cosineSimilarity(*first, *second);
        result.passed = result.score >= threshold;
        const auto answered = response.find("model");
        const auto usage = response.find("usage");
        result.sample = {{"model", answered != response.end() && answered->is_string() ? answered->get<std::string>() : model},
                         {"usage", usage != response.end() ? *usage : nlohmann::json()}};
        done(std::move(result));
    });
}

} // namespace assay::eval
