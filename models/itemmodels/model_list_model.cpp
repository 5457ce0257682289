#include "models/itemmodels/model_list_model.h"

#include <algorithm>

#include <QSet>
#include <QTimeZone>

namespace assay::itemmodels {

namespace {

QString jsonString(const nlohmann::json &object, const char *key)
{
    if (!object.contains(key))
        return {};
    const nlohmann::json &value = object.at(key);
    return value.is_string() ? QString::fromStdString(value.get<std::string>()) : QString();
}

} // namespace

ModelListModel::ModelListModel(QObject *parent) : QAbstractListModel(parent) {}

int ModelListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_entries.size());
}

QVariant ModelListModel::data(const QModelIndex &index, int role) const
{
    // Views ask about invalid indexes (checkIndex would warn on each): answer nothing.
    if (!index.isValid() || index.model() != this || index.row() >= rowCount())
        return {};
    const Entry &entry = m_entries.at(static_cast<std::size_t>(index.row()));
    switch (role) {
    case Qt::DisplayRole:
    case Qt::EditRole:
    case IdRole:
        return entry.id;
    case OwnerRole:
        return entry.owner;
    case CreatedRole:
        return entry.created;
    case ShutdownDateRole:
        return entry.shutdownDate;
    case Qt::ToolTipRole: {
        QStringList lines{entry.id};
        if (!entry.owner.isEmpty())
            lines << tr("Owned by %1").arg(entry.owner);
        if (entry.created.isValid())
            lines << tr("Created %1").arg(entry.created.date().toString(Qt::ISODate));
        if (entry.shutdownDate.isValid())
            lines << retirementText(entry.shutdownDate);
        return lines.join(QLatin1Char('\n'));
    }
    default:
        return {};
    }
}

QHash<int, QByteArray> ModelListModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert(IdRole, "modelId");
    names.insert(OwnerRole, "owner");
    names.insert(CreatedRole, "created");
    names.insert(ShutdownDateRole, "shutdownDate");
    return names;
}

void ModelListModel::setModels(const nlohmann::json &models)
{
    const nlohmann::json *array = &models;
    if (models.is_object() && models.contains("data"))
        array = &models.at("data");

    std::vector<Entry> entries;
    QSet<QString> seen;
    if (array->is_array()) {
        for (const nlohmann::json &item : *array) {
            if (!item.is_object())
                continue;
            Entry entry;
            entry.id = jsonString(item, "id");
            if (entry.id.isEmpty() || seen.contains(entry.id))
                continue;
            seen.insert(entry.id);
            entry.owner = jsonString(item, "owned_by");
            if (item.contains("created") && item.at("created").is_number_integer())
                entry.created = QDateTime::fromSecsSinceEpoch(item.at("created").get<qint64>(), QTimeZone::utc());
            entry.shutdownDate = QDate::fromString(jsonString(item, "shutdown_date").left(10), Qt::ISODate);
            entries.push_back(std::move(entry));
        }
    }
    std::sort(entries.begin(), entries.end(), [](const Entry &a, const Entry &b) { return a.id < b.id; });

    beginResetModel();
    m_entries = std::move(entries);
    endResetModel();
}

void ModelListModel::clear()
{
    setModels(nlohmann::json::array());
}

int ModelListModel::rowOf(const QString &id) const
{
    const auto it = std::find_if(m_entries.begin(), m_entries.end(), [&](const Entry &e) { return e.id == id; });
    return it == m_entries.end() ? -1 : static_cast<int>(it - m_entries.begin());
}

QDate ModelListModel::shutdownDate(const QString &id) const
{
    const int row = rowOf(id);
    return row < 0 ? QDate() : m_entries.at(static_cast<std::size_t>(row)).shutdownDate;
}

QString ModelListModel::retirementText(const QDate &shutdown, const QDate &today)
{
    // ISO dates: "10/11/26" reads differently on each side of the Atlantic.
    const QString date = shutdown.toString(Qt::ISODate);
    return shutdown < today ? tr("Retired on %1").arg(date) : tr("Retires on %1").arg(date);
}

} // namespace assay::itemmodels
