#include "models/compare/comparison_store.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include "models/store/workspace.h"

namespace assay::compare {

using nlohmann::json;

namespace {

bool fail(QString *error, const QString &message)
{
    if (error)
        *error = message;
    return false;
}

QString nowText()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

// A null QString binds as SQL NULL; the columns are NOT NULL with '' meaning none.
QString notNull(const QString &text)
{
    return text.isNull() ? QStringLiteral("") : text;
}

QString dump(const json &value)
{
    return QString::fromStdString(value.dump());
}

} // namespace

ComparisonStore::ComparisonStore(store::Workspace &workspace)
    : m_workspace(workspace)
{
}

std::optional<qint64> ComparisonStore::save(const Comparison &comparison, QString *error)
{
    if (!m_workspace.isOpen()) {
        fail(error, QStringLiteral("No workspace is open."));
        return std::nullopt;
    }
    QSqlDatabase db = m_workspace.database();
    if (!db.transaction()) {
        fail(error, QStringLiteral("Cannot save the comparison: %1").arg(db.lastError().text()));
        return std::nullopt;
    }
    auto rollback = [&](const QSqlQuery &query) -> std::optional<qint64> {
        const QString message = query.lastError().text();
        db.rollback();
        fail(error, QStringLiteral("Cannot save the comparison: %1").arg(message));
        return std::nullopt;
    };

    const QString now = nowText();
    qint64 id = comparison.id;
    QSqlQuery query(db);
    if (id > 0) {
        query.prepare(QStringLiteral("UPDATE comparisons SET name = :name, definition = :definition, "
                                     "variant_count = :variants, row_count = :rows, updated_at = :now, "
                                     "save_serial = (SELECT COALESCE(MAX(save_serial), 0) + 1 FROM comparisons) "
                                     "WHERE id = :id"));
        query.bindValue(QStringLiteral(":id"), id);
    } else {
        query.prepare(QStringLiteral("INSERT INTO comparisons (name, definition, variant_count, row_count, created_at, "
                                     "updated_at, save_serial) VALUES (:name, :definition, :variants, :rows, :now, :now, "
                                     "(SELECT COALESCE(MAX(save_serial), 0) + 1 FROM comparisons))"));
    }
    query.bindValue(QStringLiteral(":name"), notNull(comparison.name));
    query.bindValue(QStringLiteral(":definition"), dump(comparison.definitionJson()));
    query.bindValue(QStringLiteral(":variants"), comparison.variantCount());
    query.bindValue(QStringLiteral(":rows"), comparison.rowCount());
    query.bindValue(QStringLiteral(":now"), now);
    if (!query.exec())
        return rollback(query);
    if (id > 0 && query.numRowsAffected() == 0) {
        db.rollback();
        fail(error, QStringLiteral("The comparison %1 is no longer in the workspace.").arg(id));
        return std::nullopt;
    }
    if (id <= 0)
        id = query.lastInsertId().toLongLong();

    QSqlQuery clear(db);
    clear.prepare(QStringLiteral("DELETE FROM comparison_cells WHERE comparison_id = :id"));
    clear.bindValue(QStringLiteral(":id"), id);
    if (!clear.exec())
        return rollback(clear);

    QSqlQuery insert(db);
    insert.prepare(QStringLiteral("INSERT INTO comparison_cells (comparison_id, row_index, variant_index, rating, runs) "
                                  "VALUES (:id, :row, :variant, :rating, :runs)"));
    for (int r = 0; r < comparison.rowCount(); ++r) {
        for (int v = 0; v < comparison.variantCount(); ++v) {
            const Cell &cell = comparison.cell(r, v);
            json runs = json::array();
            bool any = cell.rating != Rating::None;
            for (const CellRun &run : cell.runs) {
                any = any || run.status != CellStatus::Idle;
                runs.push_back(run.toJson());
            }
            if (!any)
                continue; // idle cells need no row: they reopen idle
            insert.bindValue(QStringLiteral(":id"), id);
            insert.bindValue(QStringLiteral(":row"), r);
            insert.bindValue(QStringLiteral(":variant"), v);
            insert.bindValue(QStringLiteral(":rating"), notNull(ratingName(cell.rating)));
            insert.bindValue(QStringLiteral(":runs"), dump(runs));
            if (!insert.exec())
                return rollback(insert);
        }
    }
    if (!db.commit()) {
        const QString message = db.lastError().text();
        db.rollback();
        fail(error, QStringLiteral("Cannot save the comparison: %1").arg(message));
        return std::nullopt;
    }
    return id;
}

std::optional<Comparison> ComparisonStore::load(qint64 id, QString *error) const
{
    if (!m_workspace.isOpen()) {
        fail(error, QStringLiteral("No workspace is open."));
        return std::nullopt;
    }
    QSqlQuery query(m_workspace.database());
    query.prepare(QStringLiteral("SELECT definition FROM comparisons WHERE id = :id"));
    query.bindValue(QStringLiteral(":id"), id);
    if (!query.exec() || !query.next()) {
        fail(error, query.lastError().isValid() ? query.lastError().text()
                                                : QStringLiteral("There is no comparison %1.").arg(id));
        return std::nullopt;
    }
    const json definition = json::parse(query.value(0).toString().toStdString(), nullptr, false);
    if (definition.is_discarded()) {
        fail(error, QStringLiteral("The saved comparison %1 is damaged (its definition is not JSON).").arg(id));
        return std::nullopt;
    }

    QSqlQuery cells(m_workspace.database());
    cells.prepare(QStringLiteral("SELECT row_index, variant_index, rating, runs FROM comparison_cells "
                                 "WHERE comparison_id = :id"));
    cells.bindValue(QStringLiteral(":id"), id);
    if (!cells.exec()) {
        fail(error, cells.lastError().text());
        return std::nullopt;
    }
    // Rebuilt as the nested array Comparison::fromJson reads; missing cells stay idle.
    json grid = json::array();
    while (cells.next()) {
        const auto r = static_cast<std::size_t>(cells.value(0).toInt());
        const auto v = static_cast<std::size_t>(cells.value(1).toInt());
        if (r > 100000 || v >= static_cast<std::size_t>(Comparison::kMaxVariants))
            continue;
        while (grid.size() <= r)
            grid.push_back(json::array());
        while (grid[r].size() <= v)
            grid[r].push_back(nullptr);
        json runs = json::parse(cells.value(3).toString().toStdString(), nullptr, false);
        grid[r][v] = {{"rating", cells.value(2).toString().toStdString()},
                      {"runs", runs.is_discarded() ? json::array() : runs}};
    }
    try {
        Comparison comparison = Comparison::fromJson(definition, grid);
        comparison.id = id;
        return comparison;
    } catch (const std::exception &e) {
        fail(error, QStringLiteral("The saved comparison %1 is damaged: %2").arg(id).arg(QString::fromUtf8(e.what())));
        return std::nullopt;
    }
}

QList<SavedComparison> ComparisonStore::list() const
{
    QList<SavedComparison> result;
    if (!m_workspace.isOpen())
        return result;
    QSqlQuery query(m_workspace.database());
    if (!query.exec(QStringLiteral("SELECT id, name, variant_count, row_count, created_at, updated_at FROM comparisons "
                                   "ORDER BY save_serial DESC, id DESC")))
        return result;
    while (query.next()) {
        SavedComparison saved;
        saved.id = query.value(0).toLongLong();
        saved.name = query.value(1).toString();
        saved.variantCount = query.value(2).toInt();
        saved.rowCount = query.value(3).toInt();
        saved.createdAt = QDateTime::fromString(query.value(4).toString(), Qt::ISODateWithMs);
        saved.updatedAt = QDateTime::fromString(query.value(5).toString(), Qt::ISODateWithMs);
        result.append(saved);
    }
    return result;
}

bool ComparisonStore::remove(qint64 id, QString *error)
{
    if (!m_workspace.isOpen())
        return fail(error, QStringLiteral("No workspace is open."));
    QSqlQuery query(m_workspace.database());
    query.prepare(QStringLiteral("DELETE FROM comparisons WHERE id = :id"));
    query.bindValue(QStringLiteral(":id"), id);
    if (!query.exec())
        return fail(error, query.lastError().text());
    if (query.numRowsAffected() == 0)
        return fail(error, QStringLiteral("There is no comparison %1.").arg(id));
    return true;
}

bool ComparisonStore::rename(qint64 id, const QString &name, QString *error)
{
    if (!m_workspace.isOpen())
        return fail(error, QStringLiteral("No workspace is open."));
    QSqlQuery query(m_workspace.database());
    query.prepare(QStringLiteral("UPDATE comparisons SET name = :name, updated_at = :now WHERE id = :id"));
    query.bindValue(QStringLiteral(":id"), id);
    query.bindValue(QStringLiteral(":name"), notNull(name));
    query.bindValue(QStringLiteral(":now"), nowText());
    if (!query.exec())
        return fail(error, query.lastError().text());
    if (query.numRowsAffected() == 0)
        return fail(error, QStringLiteral("There is no comparison %1.").arg(id));
    // The name also lives in the definition, which is what a reopen reads.
    std::optional<Comparison> comparison = load(id, error);
    if (!comparison)
        return false;
    comparison->name = name;
    return save(*comparison, error).has_value();
}

} // namespace assay::compare
