#pragma once

#include <vector>

#include <QObject>

#include "models/compare/comparison.h"

namespace assay::compare {

// The comparison being edited and run: owns one Comparison and says what changed, so the matrix
// model, the runner and the widgets stay in step. GUI thread only. Every edit goes through here
// (never through a Comparison reference obtained elsewhere). Rows and variants get stable ids
// (rowId / variantId) so work queued for a cell survives inserts and moves around it.
class ComparisonDocument : public QObject {
    Q_OBJECT
public:
    explicit ComparisonDocument(QObject *parent = nullptr);

    const Comparison &comparison() const { return m_comparison; }
    // Replaces everything (a reopened comparison, a new one); modified() becomes false.
    void setComparison(Comparison comparison);

    // Edits. Indices out of range are ignored (returns false where the type allows).
    void setName(const QString &name);
    void setSharedPrompt(const prompt::Conversation &conversation);
    void setVariant(int index, const ComparisonVariant &variant);
    bool insertVariant(int index, const ComparisonVariant &variant);
    bool addVariant(const ComparisonVariant &variant) { return insertVariant(m_comparison.variantCount(), variant); }
    bool removeVariant(int index);
    bool duplicateVariant(int index);
    bool moveVariant(int from, int to);
    void setBaseline(int variant);
    void setInputs(const ComparisonInputs &inputs);
    void insertRow(int index, const nlohmann::json &values);
    void removeRow(int index);
    void setRowValues(int index, const nlohmann::json &values);
    void setRepeats(int repeats);
    void setGraders(const nlohmann::json &testingCriteria);
    void setRating(int row, int variant, Rating rating); // ignored on the baseline column
    void clearOutputs();

    // For ComparisonRunner: writes one run and emits cellChanged(row, variant).
    void setRun(int row, int variant, int repeat, const CellRun &run);
    // For ComparisonRunner: the run to update in place; call notifyCellChanged() after.
    CellRun *mutableRun(int row, int variant, int repeat);
    void notifyCellChanged(int row, int variant);

    quint64 rowId(int row) const;
    quint64 variantId(int variant) const;
    int rowIndex(quint64 id) const;     // -1 when the row is gone
    int variantIndex(quint64 id) const; // -1 when the variant is gone

    bool isModified() const { return m_modified; }
    void setModified(bool modified); // ComparisonStore's caller clears it after a save
    void setSavedId(qint64 id);      // after the first save

Q_SIGNALS:
    void aboutToReset(); // setComparison, setInputs, setRepeats, moveVariant
    void reset();
    void rowAboutToBeInserted(int row);
    void rowInserted(int row);
    void rowAboutToBeRemoved(int row);
    void rowRemoved(int row);
    void variantAboutToBeInserted(int variant);
    void variantInserted(int variant);
    void variantAboutToBeRemoved(int variant);
    void variantRemoved(int variant);
    void variantChanged(int variant); // definition edited (name, prompt, model, parameters)
    void sharedPromptChanged();
    void rowValuesChanged(int row);
    void baselineChanged(int variant);
    void gradersChanged();
    void nameChanged(const QString &name);
    // Outputs, status, metrics, grades or rating of one cell changed. While streaming the runner
    // coalesces deltas, so this comes at most every ~25 ms per cell.
    void cellChanged(int row, int variant);
    void modifiedChanged(bool modified);

private:
    void touch();
    quint64 nextId() { return ++m_lastId; }

    Comparison m_comparison;
    std::vector<quint64> m_rowIds;
    std::vector<quint64> m_variantIds;
    quint64 m_lastId = 0;
    bool m_modified = false;
};

} // namespace assay::compare
