#include "models/store/verdict_store.h"

#include <map>

#include <QSet>

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include "models/store/workspace.h"

namespace assay::store {

namespace {

constexpr auto kColumns =
    "SELECT run_id, datasource_item_id, criterion, verdict, note, updated_at FROM human_verdicts";
constexpr auto kUpsert =
    "INSERT INTO human_verdicts (run_id, datasource_item_id, criterion, verdict, note, updated_at)"
    " VALUES (:run_id, :item, :criterion, :verdict, :note, :updated_at)"
    " ON CONFLICT (run_id, datasource_item_id, criterion) DO UPDATE SET verdict = excluded.verdict,"
    " note = excluded.note, updated_at = excluded.updated_at";
constexpr auto kDelete =
    "DELETE FROM human_verdicts WHERE run_id = :run_id AND datasource_item_id = :item AND criterion = :criterion";

// Whole-item verdicts against the item's status; per-criterion verdicts against the result of the
// same name. Errored items and errored results say nothing about pass or fail, so they are left out.
constexpr auto kItemPairs =
    "SELECT v.verdict, o.status FROM human_verdicts v JOIN output_items o"
    " ON o.run_id = v.run_id AND o.datasource_item_id = v.datasource_item_id"
    " WHERE v.run_id = :run_id AND v.criterion = '' AND v.verdict IS NOT NULL AND o.status IN ('pass', 'fail')";
constexpr auto kCriterionPairs =
    "SELECT v.criterion, v.verdict, json_extract(r.value, '$.passed') FROM human_verdicts v JOIN output_items o"
    " ON o.run_id = v.run_id AND o.datasource_item_id = v.datasource_item_id, json_each(o.results) r"
    " WHERE v.run_id = :run_id AND v.criterion <> '' AND v.verdict IS NOT NULL"
    " AND json_extract(r.value, '$.name') = v.criterion"
    " AND coalesce(length(json_extract(r.value, '$.error')), 0) = 0";

QString sql(const char *text)
{
    return QString::fromLatin1(text);
}

bool fail(QString *error, const QString &message)
{
    if (error)
        *error = message;
    return false;
}

QString errorText(const QSqlError &error)
{
    return QStringLiteral("Workspace: %1").arg(error.databaseText().isEmpty() ? error.text() : error.databaseText());
}

QVariant verdictValue(HumanVerdict::Verdict verdict)
{
    switch (verdict) {
    case HumanVerdict::Verdict::Pass:
        return QStringLiteral("pass");
    case HumanVerdict::Verdict::Fail:
        return QStringLiteral("fail");
    case HumanVerdict::Verdict::None:
        break;
    }
    return QVariant(QMetaType(QMetaType::QString));
}

HumanVerdict::Verdict verdictOf(const QVariant &value)
{
    if (value.isNull())
        return HumanVerdict::Verdict::None;
    const QString text = value.toString();
    if (text == QLatin1String("pass"))
        return HumanVerdict::Verdict::Pass;
    if (text == QLatin1String("fail"))
        return HumanVerdict::Verdict::Fail;
    return HumanVerdict::Verdict::None;
}

HumanVerdict readVerdict(const QSqlQuery &query)
{
    HumanVerdict verdict;
    verdict.runId = query.value(0).toLongLong();
    verdict.datasourceItemId = query.value(1).toLongLong();
    verdict.criterion = query.value(2).toString();
    verdict.verdict = verdictOf(query.value(3));
    verdict.note = query.value(4).toString();
    verdict.updatedAt = QDateTime::fromString(query.value(5).toString(), Qt::ISODateWithMs);
    return verdict;
}

QString notNull(const QString &text)
{
    return text.isNull() ? QStringLiteral("") : text;
}

bool bindVerdict(QSqlQuery &query, const HumanVerdict &verdict, const QDateTime &updatedAt)
{
    if (!query.prepare(sql(kUpsert)))
        return false;
    query.bindValue(QStringLiteral(":run_id"), verdict.runId);
    query.bindValue(QStringLiteral(":item"), verdict.datasourceItemId);
    query.bindValue(QStringLiteral(":criterion"), notNull(verdict.criterion));
    query.bindValue(QStringLiteral(":verdict"), verdictValue(verdict.verdict));
    query.bindValue(QStringLiteral(":note"), notNull(verdict.note));
    query.bindValue(QStringLiteral(":updated_at"), updatedAt.toUTC().toString(Qt::ISODateWithMs));
    return true;
}

} // namespace

void CriterionAgreement::add(bool humanPassed, bool graderPassed)
{
    if (humanPassed && graderPassed)
        ++bothPass;
    else if (!humanPassed && !graderPassed)
        ++bothFail;
    else if (humanPassed)
        ++humanPassGraderFail;
    else
        ++humanFailGraderPass;
}

std::optional<double> CriterionAgreement::rate() const
{
    if (compared() == 0)
        return std::nullopt;
    return static_cast<double>(agreed()) / static_cast<double>(compared());
}

std::optional<double> CriterionAgreement::cohensKappa() const
{
    const double n = static_cast<double>(compared());
    if (n == 0.0)
        return std::nullopt;
    const double observed = static_cast<double>(agreed()) / n;
    const double humanPass = static_cast<double>(bothPass + humanPassGraderFail) / n;
    const double graderPass = static_cast<double>(bothPass + humanFailGraderPass) / n;
    const double chance = humanPass * graderPass + (1.0 - humanPass) * (1.0 - graderPass);
    if (chance >= 1.0)
        return std::nullopt;
    return (observed - chance) / (1.0 - chance);
}

VerdictStore::VerdictStore(Workspace &workspace, QObject *parent) : QObject(parent), m_workspace(workspace) {}

bool VerdictStore::setVerdict(const HumanVerdict &verdict, QString *error)
{
    if (verdict.verdict == HumanVerdict::Verdict::None && verdict.note.trimmed().isEmpty())
        return clearVerdict(verdict.runId, verdict.datasourceItemId, verdict.criterion, error);
    if (!m_workspace.isOpen())
        return fail(error, QStringLiteral("The workspace is not open."));
    QSqlQuery query(m_workspace.database());
    if (!bindVerdict(query, verdict, QDateTime::currentDateTimeUtc()) || !query.exec())
        return fail(error, errorText(query.lastError()));
    Q_EMIT verdictsChanged(verdict.runId);
    return true;
}

bool VerdictStore::clearVerdict(qint64 runId, qint64 datasourceItemId, const QString &criterion, QString *error)
{
    if (!m_workspace.isOpen())
        return fail(error, QStringLiteral("The workspace is not open."));
    QSqlQuery query(m_workspace.database());
    query.prepare(sql(kDelete));
    query.bindValue(QStringLiteral(":run_id"), runId);
    query.bindValue(QStringLiteral(":item"), datasourceItemId);
    query.bindValue(QStringLiteral(":criterion"), notNull(criterion));
    if (!query.exec())
        return fail(error, errorText(query.lastError()));
    if (query.numRowsAffected() > 0)
        Q_EMIT verdictsChanged(runId);
    return true;
}

std::optional<HumanVerdict> VerdictStore::verdict(qint64 runId, qint64 datasourceItemId,
                                                  const QString &criterion) const
{
    if (!m_workspace.isOpen())
        return std::nullopt;
    QSqlQuery query(m_workspace.database());
    query.prepare(sql(kColumns) +
                  QStringLiteral(" WHERE run_id = :run_id AND datasource_item_id = :item AND criterion = :criterion"));
    query.bindValue(QStringLiteral(":run_id"), runId);
    query.bindValue(QStringLiteral(":item"), datasourceItemId);
    query.bindValue(QStringLiteral(":criterion"), notNull(criterion));
    if (!query.exec() || !query.next())
        return std::nullopt;
    return readVerdict(query);
}

QList<HumanVerdict> VerdictStore::verdicts(qint64 runId) const
{
    QList<HumanVerdict> list;
    if (!m_workspace.isOpen())
        return list;
    QSqlQuery query(m_workspace.database());
    query.prepare(sql(kColumns) + QStringLiteral(" WHERE run_id = :run_id ORDER BY datasource_item_id, criterion"));
    query.bindValue(QStringLiteral(":run_id"), runId);
    if (!query.exec())
        return list;
    while (query.next())
        list.push_back(readVerdict(query));
    return list;
}

QList<HumanVerdict> VerdictStore::verdictsForItem(qint64 runId, qint64 datasourceItemId) const
{
    QList<HumanVerdict> list;
    if (!m_workspace.isOpen())
        return list;
    QSqlQuery query(m_workspace.database());
    query.prepare(sql(kColumns) +
                  QStringLiteral(" WHERE run_id = :run_id AND datasource_item_id = :item ORDER BY criterion"));
    query.bindValue(QStringLiteral(":run_id"), runId);
    query.bindValue(QStringLiteral(":item"), datasourceItemId);
    if (!query.exec())
        return list;
    while (query.next())
        list.push_back(readVerdict(query));
    return list;
}

bool VerdictStore::restoreVerdicts(const QList<HumanVerdict> &verdicts, QString *error)
{
    if (!m_workspace.isOpen())
        return fail(error, QStringLiteral("The workspace is not open."));
    if (verdicts.isEmpty())
        return true;
    QSqlDatabase db = m_workspace.database();
    if (!db.transaction())
        return fail(error, errorText(db.lastError()));
    QSet<qint64> runs;
    {
        QSqlQuery query(db);
        for (const HumanVerdict &verdict : verdicts) {
            const QDateTime time = verdict.updatedAt.isValid() ? verdict.updatedAt : QDateTime::currentDateTimeUtc();
            if (!bindVerdict(query, verdict, time) || !query.exec()) {
                const QString message = errorText(query.lastError());
                query = QSqlQuery();
                db.rollback();
                return fail(error, message);
            }
            runs.insert(verdict.runId);
        }
    }
    if (!db.commit()) {
        const QString message = errorText(db.lastError());
        db.rollback();
        return fail(error, message);
    }
    for (qint64 run : runs)
        Q_EMIT verdictsChanged(run);
    return true;
}

QList<CriterionAgreement> VerdictStore::agreement(qint64 runId) const
{
    QList<CriterionAgreement> list;
    if (!m_workspace.isOpen())
        return list;
    const QSqlDatabase db = m_workspace.database();
    {
        QSqlQuery query(db);
        query.prepare(sql(kItemPairs));
        query.bindValue(QStringLiteral(":run_id"), runId);
        CriterionAgreement whole;
        if (query.exec()) {
            while (query.next())
                whole.add(query.value(0).toString() == QLatin1String("pass"),
                          query.value(1).toString() == QLatin1String("pass"));
        }
        if (whole.compared() > 0)
            list.push_back(whole);
    }
    std::map<QString, CriterionAgreement> byName;
    QSqlQuery query(db);
    query.prepare(sql(kCriterionPairs));
    query.bindValue(QStringLiteral(":run_id"), runId);
    if (query.exec()) {
        while (query.next()) {
            const QString name = query.value(0).toString();
            CriterionAgreement &entry = byName[name];
            entry.criterion = name;
            const QVariant graderPassed = query.value(2);
            entry.add(query.value(1).toString() == QLatin1String("pass"),
                      !graderPassed.isNull() && graderPassed.toLongLong() != 0);
        }
    }
    for (const auto &entry : byName)
        list.push_back(entry.second);
    return list;
}

} // namespace assay::store
