#pragma once

#include <QAbstractListModel>
#include <QDate>
#include <QDateTime>
#include <vector>
#include <nlohmann/json.hpp>

namespace assay::itemmodels {

// The models a server offers, from GET /models (`data[]` of Model objects), sorted by id.
// Model names change too often to hard-code: this list is the only source the model picker has.
class ModelListModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum Role {
        IdRole = Qt::UserRole + 1,
        OwnerRole,        // QString, owned_by
        CreatedRole,      // QDateTime (UTC), invalid when absent
        ShutdownDateRole, // QDate, invalid when the server announced none
    };

    struct Entry {
        QString id;
        QString owner;
        QDateTime created;
        QDate shutdownDate;
    };

    explicit ModelListModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Accepts the `data` array or the whole list object ({"object":"list","data":[...]}).
    // Entries without a string id are skipped; duplicates keep the first. The whole list is
    // replaced at once (a reset), which is what a refresh is.
    void setModels(const nlohmann::json &models);
    void clear();

    const std::vector<Entry> &entries() const { return m_entries; }
    // Row of `id`, or -1.
    int rowOf(const QString &id) const;
    // The announced shutdown date of `id`; invalid when unknown or none announced.
    QDate shutdownDate(const QString &id) const;

    // "Retires on 2026-10-23" (or "Retired on ..." once the date has passed, relative to `today`).
    static QString retirementText(const QDate &shutdown, const QDate &today = QDate::currentDate());

private:
    std::vector<Entry> m_entries;
};

} // namespace assay::itemmodels
