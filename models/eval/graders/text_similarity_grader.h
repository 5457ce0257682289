#pragma once

#include <memory>
#include <string>

#include "models/eval/graders/grader.h"

namespace assay::eval {

// type "text_similarity": scores the rendered `input` against the rendered `reference` with
// `evaluation_metric` (models/eval/metrics/text_metrics.h); passed when score >= pass_threshold
// (required, as EvalGraderTextSimilarity says).
//
// `cosine` embeds both texts in one POST /embeddings call (GraderServices::embed) and takes the
// cosine of the two vectors. The model is `text-embedding-3-large`, as the Graders guide says,
// unless the definition names another in `model` (an Assay extension, for local servers and
// cheaper embeddings). Two empty texts score 1 and one empty text 0 without a call: the API
// refuses to embed an empty string.
class TextSimilarityGrader : public Grader {
public:
    enum class Metric { FuzzyMatch, Bleu, Gleu, Meteor, Rouge1, Rouge2, Rouge3, Rouge4, Rouge5, RougeL, Cosine };

    static constexpr const char *kDefaultEmbeddingModel = "text-embedding-3-large";

    static std::unique_ptr<Grader> create(const nlohmann::json &definition, const std::string &path,
                                          std::string *error);

    // Every metric but cosine, computed locally.
    static double score(Metric metric, const std::string &input, const std::string &reference);

    bool needsModel() const override { return m_metric == Metric::Cosine; }
    void grade(const GradingContext &context, GraderServices &services,
               std::function<void(GradeResult)> done) const override;

    Metric metric() const { return m_metric; }
    double passThreshold() const { return m_passThreshold; }
    const std::string &embeddingModel() const { return m_embeddingModel; }

private:
    TextSimilarityGrader(nlohmann::json definition, std::string input, std::string reference, Metric metric,
                         double passThreshold, std::string embeddingModel);

    std::string m_input;
    std::string m_reference;
    Metric m_metric;
    double m_passThreshold;
    std::string m_embeddingModel;
};

} // namespace assay::eval
