#pragma once

// Shared set-up of the comparison tests: a comparison of two variants over a few rows.

#include <QString>
#include <nlohmann/json.hpp>

#include "models/api/profile.h"
#include "models/api/retry_policy.h"
#include "models/compare/comparison.h"

namespace assay::testing {

inline api::RetryPolicy fastRetries(int maxRetries)
{
    api::RetryPolicy policy;
    policy.maxRetries = maxRetries;
    policy.initialDelay = std::chrono::milliseconds(5);
    policy.maxDelay = std::chrono::milliseconds(20);
    return policy;
}

inline api::Profile fakeProfile(const QUrl &baseUrl)
{
    api::Profile p;
    p.name = QStringLiteral("Fake");
    p.baseUrl = baseUrl.toString();
    p.keySource = api::Profile::KeySource::Keychain;
    return p;
}

inline compare::ComparisonVariant variantFor(const QString &name, const QString &model,
                                             api::ApiKind kind = api::ApiKind::Responses)
{
    compare::ComparisonVariant v;
    v.name = name;
    v.parameters.api = kind;
    v.parameters.model = model;
    return v;
}

// Shared prompt "Answer about {{topic}}." over `rows` rows (topic-0, topic-1, ...), variants A
// (gpt-4.1-mini, Responses) and B (gpt-4.1, Chat Completions), A the baseline.
inline compare::Comparison makeComparison(int rows)
{
    compare::Comparison c;
    c.name = QStringLiteral("fixture");
    prompt::Conversation shared;
    shared.instructions = QStringLiteral("Be brief.");
    shared.messages.push_back({prompt::Role::User, QStringLiteral("Answer about {{topic}}.")});
    c.setSharedPrompt(shared);
    c.setVariant(0, variantFor(QStringLiteral("A"), QStringLiteral("gpt-4.1-mini")));
    c.setVariant(1, variantFor(QStringLiteral("B"), QStringLiteral("gpt-4.1"), api::ApiKind::ChatCompletions));
    compare::ComparisonInputs inputs;
    std::vector<nlohmann::json> values;
    for (int i = 0; i < rows; ++i)
        values.push_back({{"topic", "topic-" + std::to_string(i)}});
    inputs.setRows(values);
    c.setInputs(inputs);
    return c;
}

} // namespace assay::testing
