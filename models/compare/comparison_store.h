#pragma once

#include <optional>

#include <QDateTime>
#include <QList>
#include <QString>

#include "models/compare/comparison.h"

namespace assay::store {
class Workspace;
}

namespace assay::compare {

// A saved comparison as listed.
struct SavedComparison {
    qint64 id = 0;
    QString name;
    int variantCount = 0;
    int rowCount = 0;
    QDateTime createdAt; // UTC
    QDateTime updatedAt;
};

// Saves comparisons (definition and every cell's outputs and ratings) in the workspace
// (tables of migration 0005). Same thread as the Workspace. Never stores a key (none is in a
// Comparison). Errors: false / nullopt with a message in `error`.
class ComparisonStore {
public:
    explicit ComparisonStore(store::Workspace &workspace);

    // Inserts when comparison.id == 0 (returns the new id), else replaces that comparison.
    std::optional<qint64> save(const Comparison &comparison, QString *error = nullptr);
    std::optional<Comparison> load(qint64 id, QString *error = nullptr) const;
    QList<SavedComparison> list() const; // most recently saved first
    bool remove(qint64 id, QString *error = nullptr);
    bool rename(qint64 id, const QString &name, QString *error = nullptr);

private:
    store::Workspace &m_workspace;
};

} // namespace assay::compare
