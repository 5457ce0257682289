#pragma once

#include <optional>

#include <QDateTime>
#include <QList>
#include <QObject>
#include <QString>

namespace assay::store {

class Workspace;

// A person's verdict on one graded item (criterion empty) or on one of its criteria.
struct HumanVerdict {
    enum class Verdict { None, Pass, Fail }; // None: a note without a verdict
    qint64 runId = 0;
    qint64 datasourceItemId = 0;
    QString criterion; // a testing criterion's name; empty for the whole item
    Verdict verdict = Verdict::None;
    QString note;
    QDateTime updatedAt; // UTC, set by the store
};

// How often people and graders agree on one criterion, over the items having both a human
// pass/fail verdict and a graded (not errored) result. "Positive" is pass.
struct CriterionAgreement {
    QString criterion; // empty: the whole item (human verdict vs. the item's pass/fail status)
    qint64 bothPass = 0;
    qint64 bothFail = 0;
    qint64 humanPassGraderFail = 0;
    qint64 humanFailGraderPass = 0;

    void add(bool humanPassed, bool graderPassed);
    qint64 compared() const { return bothPass + bothFail + humanPassGraderFail + humanFailGraderPass; }
    qint64 agreed() const { return bothPass + bothFail; }
    std::optional<double> rate() const; // agreed / compared; nullopt when nothing compared
    // Agreement beyond chance; nullopt when undefined (nothing compared, or chance agreement is 1).
    std::optional<double> cohensKappa() const;
};

// Human verdicts in the workspace database (migration 0003), keyed by (run, datasource item,
// criterion). Deleting a run deletes its verdicts. Use from the thread that opened the Workspace.
class VerdictStore : public QObject {
    Q_OBJECT
public:
    explicit VerdictStore(Workspace &workspace, QObject *parent = nullptr);

    // Inserts or replaces. A verdict of None with an empty note clears the entry.
    bool setVerdict(const HumanVerdict &verdict, QString *error = nullptr);
    bool clearVerdict(qint64 runId, qint64 datasourceItemId, const QString &criterion, QString *error = nullptr);
    std::optional<HumanVerdict> verdict(qint64 runId, qint64 datasourceItemId, const QString &criterion) const;
    QList<HumanVerdict> verdicts(qint64 runId) const; // by item, then criterion
    QList<HumanVerdict> verdictsForItem(qint64 runId, qint64 datasourceItemId) const;
    // Writes saved verdicts back as they were (updatedAt kept), in one transaction: undo of a run's
    // deletion, with runId rewritten by the caller when the run came back under a new id.
    bool restoreVerdicts(const QList<HumanVerdict> &verdicts, QString *error = nullptr);

    // Per criterion that has at least one human pass/fail verdict on a graded item: the whole
    // item first (when judged), then criteria by name. Graders' results are matched by name.
    QList<CriterionAgreement> agreement(qint64 runId) const;

Q_SIGNALS:
    void verdictsChanged(qint64 runId);

private:
    Workspace &m_workspace;
};

} // namespace assay::store
