#pragma once

#include <QAbstractTableModel>
#include <QHash>
#include <QPair>
#include <QPointer>

#include "models/compare/comparison_document.h"
#include "models/compare/comparison_summary.h"
#include "models/report/word_diff.h"

namespace assay::compare {

// rows = inputs, columns = variants of a ComparisonDocument. Cells show the first repeat's text.
// Read-only except RatingRole (setData), which goes to the document.
class ComparisonMatrixModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Roles {
        TextRole = Qt::UserRole + 1, // QString: output text (streamed so far)
        StatusRole,              // int(CellStatus) of the cell (aggregate over repeats)
        StatusNameRole,          // QString "done", "streaming"...
        ErrorRole,               // QString: first failing run's message, "" when none
        LatencyMsRole,           // qint64 or invalid
        TtftMsRole,              // qint64 or invalid
        InputTokensRole,         // qint64 or invalid
        CachedTokensRole,
        OutputTokensRole,
        ReasoningTokensRole,
        CostUsdRole,             // double or invalid (model not priced)
        IsBaselineRole,          // bool: the column is the baseline
        DiffersFromBaselineRole, // bool (see differsFromBaseline)
        DiffSegmentsRole,        // QVariantList of QVariantMap{"kind": "equal"|"delete"|"insert", "text"}
                                 // baseline -> this cell; empty on the baseline or when not comparable
        PassedRole,              // bool, invalid when not graded
        GradesRole,              // QVariantList of QVariantMap{name, type, score, passed, error, invalid_reason}
        GradingRole,             // bool: graders still running
        RatingRole,              // int(Rating); settable
        RepeatsRole,             // int: configured repeats
        StabilityRole,           // QVariantList of QVariantMap{"text", "count", "repeats": QVariantList}
        DistinctAnswersRole,     // int: number of stability groups
        RetriesRole,             // int: retries of the first run
        VariablesRole,           // QVariantMap of the row's values (also via headerData)
    };
    Q_ENUM(Roles)

    explicit ComparisonMatrixModel(QObject *parent = nullptr);
    void setDocument(ComparisonDocument *document);
    ComparisonDocument *document() const { return m_document; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    // Horizontal: variant display name (DisplayRole), IsBaselineRole, ToolTip "model · API".
    // Vertical: row number (DisplayRole), ToolTip and VariablesRole: the row's values.
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    // The word diff baseline -> (row, variant), cached until either cell changes.
    QList<report::DiffSegment> diffSegments(int row, int variant) const;
    ColumnSummary summary(int variant) const;

Q_SIGNALS:
    // A column's summary may have changed (a cell of it, or the baseline's, changed).
    void summaryChanged(int variant);

private:
    void onCellChanged(int row, int variant);
    void invalidateDiffs(int row);

    QPointer<ComparisonDocument> m_document;
    // (rowId, variantId) -> diff against the baseline; dropped when the row changes.
    mutable QHash<QPair<quint64, quint64>, QList<report::DiffSegment>> m_diffCache;
};

} // namespace assay::compare
