#pragma once

#include <string_view>

namespace assay::eval {

// Whether `model` is a reasoning model, by name: the o-series (o1, o3, o3-mini, o4-mini, ...),
// the gpt-5 family except its chat snapshots (gpt-5-chat-latest), codex-mini and gpt-oss.
// Fine-tuned names ("ft:o4-mini-2025-04-16:org::id") and provider prefixes ("openai/o3") count
// as their base model. The Graders guide's constraints hang on this: temperature is not
// supported for reasoning models and reasoning_effort is not supported for the others.
// Model names change fast; unknown names are treated as non-reasoning models.
bool isReasoningModel(std::string_view model);

} // namespace assay::eval
