#pragma once

#include <QAbstractTableModel>
#include <QHash>
#include <QStringList>
#include <nlohmann/json.hpp>

namespace assay::itemmodels {

// The {{variable}} table under the prompt editor: one row per variable the prompt uses, in order of
// first appearance, with the value the user typed. Values outlive their rows, so deleting a
// placeholder and typing it again (or an undo) brings the old value back.
class VariablesModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum class Column { Name = 0, Value = 1 };
    static constexpr int ColumnCount = 2;

    explicit VariablesModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Makes the rows exactly `names` (distinct, in this order) with row-level insert/move/remove
    // signals, so a view keeps its selection and an open editor while the prompt is typed.
    void setVariableNames(const QStringList &names);
    QStringList variableNames() const { return m_names; }

    QString value(const QString &name) const { return m_values.value(name); }
    // Also accepted for a name not (yet) in the table: it shows up when the prompt uses it.
    void setValue(const QString &name, const QString &value);

    // The template context for the variables in the table: a dotted path such as `item.city`
    // becomes {"item": {"city": value}} and `rows[0]` an array element, as PromptTemplate resolves
    // them. A path that collides with another (`item` and `item.city`) keeps the first one.
    nlohmann::json variables() const;

private:
    QStringList m_names;
    QHash<QString, QString> m_values;
};

} // namespace assay::itemmodels
