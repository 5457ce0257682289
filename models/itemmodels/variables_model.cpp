#include "models/itemmodels/variables_model.h"

#include <optional>

#include <QRegularExpression>

namespace assay::itemmodels {

namespace {

// `a.b[2].c` -> "/a/b/2/c"; nullopt for a path a JSON pointer cannot express.
std::optional<nlohmann::json::json_pointer> pointerForPath(const QString &path)
{
    static const QRegularExpression segment(QStringLiteral(R"(^([^.\[\]]+)((?:\[\d+\])*)$)"));
    static const QRegularExpression index(QStringLiteral(R"(\[(\d+)\])"));
    nlohmann::json::json_pointer pointer;
    const QStringList parts = path.split(QLatin1Char('.'));
    for (const QString &part : parts) {
        const QRegularExpressionMatch match = segment.match(part);
        if (!match.hasMatch())
            return std::nullopt;
        pointer /= match.captured(1).toStdString();
        auto it = index.globalMatch(match.captured(2));
        while (it.hasNext())
            pointer /= static_cast<std::size_t>(it.next().captured(1).toULongLong());
    }
    return pointer;
}

} // namespace

VariablesModel::VariablesModel(QObject *parent) : QAbstractTableModel(parent) {}

int VariablesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_names.size());
}

int VariablesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant VariablesModel::data(const QModelIndex &index, int role) const
{
    // Views ask about invalid indexes (checkIndex would warn on each): answer nothing.
    if (!index.isValid() || index.model() != this || index.row() >= rowCount())
        return {};
    const QString &name = m_names.at(index.row());
    switch (static_cast<Column>(index.column())) {
    case Column::Name:
        if (role == Qt::DisplayRole || role == Qt::EditRole)
            return name;
        if (role == Qt::ToolTipRole)
            return tr("Used as {{%1}} in the prompt").arg(name);
        break;
    case Column::Value:
        if (role == Qt::DisplayRole || role == Qt::EditRole)
            return m_values.value(name);
        if (role == Qt::ToolTipRole)
            return m_values.value(name).isEmpty() ? tr("Empty: {{%1}} is replaced by nothing").arg(name)
                                                  : m_values.value(name);
        break;
    }
    return {};
}

bool VariablesModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (role != Qt::EditRole || !index.isValid() || index.model() != this || index.row() >= rowCount()
        || static_cast<Column>(index.column()) != Column::Value)
        return false;
    const QString &name = m_names.at(index.row());
    const QString text = value.toString();
    if (m_values.value(name) == text && m_values.contains(name))
        return true;
    m_values.insert(name, text);
    Q_EMIT dataChanged(index, index, {Qt::DisplayRole, Qt::EditRole, Qt::ToolTipRole});
    return true;
}

Qt::ItemFlags VariablesModel::flags(const QModelIndex &index) const
{
    if (!index.isValid() || index.model() != this || index.row() >= rowCount())
        return Qt::NoItemFlags;
    Qt::ItemFlags result = Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemNeverHasChildren;
    if (static_cast<Column>(index.column()) == Column::Value)
        result |= Qt::ItemIsEditable;
    return result;
}

QVariant VariablesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (static_cast<Column>(section)) {
    case Column::Name:
        return tr("Variable");
    case Column::Value:
        return tr("Value");
    }
    return {};
}

void VariablesModel::setVariableNames(const QStringList &names)
{
    // Walk the wanted order: keep rows already in place, move a row that exists further down,
    // insert a new one, and finally drop whatever is left below.
    for (int target = 0; target < names.size(); ++target) {
        const QString &name = names.at(target);
        if (target < m_names.size() && m_names.at(target) == name)
            continue;
        const qsizetype existing = m_names.indexOf(name, target);
        if (existing > target) {
            const int from = static_cast<int>(existing);
            beginMoveRows({}, from, from, {}, target);
            m_names.move(from, target);
            endMoveRows();
        } else {
            beginInsertRows({}, target, target);
            m_names.insert(target, name);
            endInsertRows();
        }
    }
    if (m_names.size() > names.size()) {
        beginRemoveRows({}, static_cast<int>(names.size()), static_cast<int>(m_names.size()) - 1);
        m_names.resize(names.size());
        endRemoveRows();
    }
}

void VariablesModel::setValue(const QString &name, const QString &value)
{
    const qsizetype row = m_names.indexOf(name);
    if (row < 0) {
        m_values.insert(name, value);
        return;
    }
    setData(index(static_cast<int>(row), static_cast<int>(Column::Value)), value, Qt::EditRole);
}

nlohmann::json VariablesModel::variables() const
{
    nlohmann::json context = nlohmann::json::object();
    for (const QString &name : m_names) {
        const std::string value = m_values.value(name).toStdString();
        const auto pointer = pointerForPath(name);
        if (!pointer) {
            context[name.toStdString()] = value;
            continue;
        }
        try {
            if (!context.contains(*pointer))
                context[*pointer] = value;
        } catch (const nlohmann::json::exception &) {
            // `item` already holds a string and `item.city` wants it to be an object: keep the first.
        }
    }
    return context;
}

} // namespace assay::itemmodels
