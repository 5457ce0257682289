#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <nlohmann/json.hpp>

// The bodies the fake OpenAI server sends, built from the request the way the real API would
// (shapes from openapi.json: Response, ResponseStreamEvent variants, CreateChatCompletionResponse,
// CreateChatCompletionStreamResponse, ListModelsResponse, ErrorResponse). Pure: no I/O, no state.
namespace assay::testing::fake {

// One JSON document the fake sends, tagged with the openapi.json schema it must match.
// `sseEvent` is the SSE `event:` name (Responses streams only; empty for chat chunks).
struct Payload {
    QString schema;
    nlohmann::json json;
    QByteArray sseEvent;
};

// What the simulated model produces for one request.
struct Generation {
    QByteArray text;      // the answer text (UTF-8)
    int deltaCount = 0;   // 0 = one delta per word
    qint64 createdAt = 0; // unix seconds
    QByteArray serial;    // unique suffix for ids of this answer ("000000000000000000000007")
    int cachedTokens = 0; // prompt tokens served from the prompt cache
};

nlohmann::json errorBody(const QByteArray &message, const QByteArray &type, const QByteArray &param,
                         const QByteArray &code);

// Splits `text` into `count` pieces (0 = one per word, each keeping its leading space), never
// inside a UTF-8 sequence. Concatenated, the pieces are `text`.
QList<QByteArray> splitText(const QByteArray &text, int count);

// Plausible arguments for a function tool's JSON-schema parameters (required fields filled).
nlohmann::json sampleArguments(const nlohmann::json &parametersSchema);

// POST /v1/responses. `final` is the finished response (status completed or incomplete);
// `events` the stream that produces it (response.created ... response.completed).
struct ResponsesAnswer {
    nlohmann::json final;
    QList<Payload> events;
};
ResponsesAnswer responsesAnswer(const nlohmann::json &request, const Generation &generation);
// The same response object in an earlier state (queued / in_progress: no output, no usage;
// cancelled: no output).
nlohmann::json responseSnapshot(const nlohmann::json &final, const char *status);

// POST /v1/chat/completions: the non-stream body and the chunk sequence (without [DONE]).
struct ChatAnswer {
    nlohmann::json completion;
    QList<Payload> chunks;
};
ChatAnswer chatAnswer(const nlohmann::json &request, const Generation &generation);

// GET /v1/models
nlohmann::json defaultModels();

} // namespace assay::testing::fake
