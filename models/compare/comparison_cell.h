#pragma once

#include <optional>
#include <vector>

#include <QString>
#include <nlohmann/json.hpp>

#include "models/api/response_result.h"
#include "models/eval/graders/grader.h"

namespace assay::compare {

enum class CellStatus { Idle, Queued, Streaming, Done, Error, Stopped };
QString cellStatusName(CellStatus status); // "idle", "queued", "streaming", "done", "error", "stopped"
CellStatus cellStatusFromName(const QString &name); // unknown -> Idle

// A person's verdict on a cell compared with the baseline column's cell of the same row.
enum class Rating { None, Better, Worse, Tie };
QString ratingName(Rating rating); // "", "better", "worse", "tie"
Rating ratingFromName(const QString &name);

// One request of a cell (a cell runs `repeats` times).
struct CellRun {
    CellStatus status = CellStatus::Idle;
    QString text;                 // output text (streamed so far while Streaming); refusal if no text
    std::optional<qint64> latencyMs;
    std::optional<qint64> ttftMs;
    std::optional<api::TokenUsage> usage;
    std::optional<double> costUsd; // nullopt: model not in the pricing table, or no usage
    QString error;                 // Error: what went wrong, fit for the user (never a key)
    int retries = 0;
    QString model;                 // the model that answered
    QString responseId;
    QString requestId;
    bool grading = false;          // graders are still running on this run
    std::vector<eval::GradeResult> grades; // one per attached grader, in order, once graded

    bool finished() const { return status == CellStatus::Done || status == CellStatus::Error || status == CellStatus::Stopped; }
    bool active() const { return status == CellStatus::Queued || status == CellStatus::Streaming; }
    // nullopt: no grades (none attached, or not graded yet). true: every grader passed.
    std::optional<bool> passed() const;

    nlohmann::json toJson() const; // what the store keeps (text included)
    static CellRun fromJson(const nlohmann::json &json);
};

// One (row, variant) cell: its repeats and the person's rating.
struct Cell {
    std::vector<CellRun> runs; // size == Comparison::repeats()
    Rating rating = Rating::None;

    // The first run: what the matrix shows.
    const CellRun &primary() const;
    // Aggregate: Streaming if any streams, else Queued if any queued, else Error if any failed,
    // else Stopped if any stopped, else Done if all done, else Idle.
    CellStatus status() const;
};

} // namespace assay::compare
