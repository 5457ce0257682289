#include "models/compare/comparison_document.h"

#include <algorithm>

namespace assay::compare {

ComparisonDocument::ComparisonDocument(QObject *parent)
    : QObject(parent)
{
    setComparison(Comparison());
}

void ComparisonDocument::setComparison(Comparison comparison)
{
    Q_EMIT aboutToReset();
    m_comparison = std::move(comparison);
    m_rowIds.clear();
    m_variantIds.clear();
    for (int i = 0; i < m_comparison.rowCount(); ++i)
        m_rowIds.push_back(nextId());
    for (int i = 0; i < m_comparison.variantCount(); ++i)
        m_variantIds.push_back(nextId());
    Q_EMIT reset();
    setModified(false);
}

void ComparisonDocument::touch()
{
    setModified(true);
}

void ComparisonDocument::setModified(bool modified)
{
    if (m_modified == modified)
        return;
    m_modified = modified;
    Q_EMIT modifiedChanged(modified);
}

void ComparisonDocument::setSavedId(qint64 id)
{
    m_comparison.id = id;
}

void ComparisonDocument::setName(const QString &name)
{
    if (m_comparison.name == name)
        return;
    m_comparison.name = name;
    Q_EMIT nameChanged(name);
    touch();
}

void ComparisonDocument::setSharedPrompt(const prompt::Conversation &conversation)
{
    if (m_comparison.sharedPrompt() == conversation)
        return;
    m_comparison.setSharedPrompt(conversation);
    Q_EMIT sharedPromptChanged();
    touch();
}

void ComparisonDocument::setVariant(int index, const ComparisonVariant &variant)
{
    if (index < 0 || index >= m_comparison.variantCount() || m_comparison.variant(index) == variant)
        return;
    m_comparison.setVariant(index, variant);
    Q_EMIT variantChanged(index);
    touch();
}

bool ComparisonDocument::insertVariant(int index, const ComparisonVariant &variant)
{
    if (m_comparison.variantCount() >= Comparison::kMaxVariants)
        return false;
    index = std::clamp(index, 0, m_comparison.variantCount());
    const int oldBaseline = m_comparison.baseline();
    Q_EMIT variantAboutToBeInserted(index);
    m_comparison.insertVariant(index, variant);
    m_variantIds.insert(m_variantIds.begin() + index, nextId());
    Q_EMIT variantInserted(index);
    if (m_comparison.baseline() != oldBaseline)
        Q_EMIT baselineChanged(m_comparison.baseline());
    touch();
    return true;
}

bool ComparisonDocument::removeVariant(int index)
{
    if (m_comparison.variantCount() <= Comparison::kMinVariants || index < 0 || index >= m_comparison.variantCount())
        return false;
    const int oldBaseline = m_comparison.baseline();
    Q_EMIT variantAboutToBeRemoved(index);
    m_comparison.removeVariant(index);
    m_variantIds.erase(m_variantIds.begin() + index);
    Q_EMIT variantRemoved(index);
    if (oldBaseline == index || m_comparison.baseline() != oldBaseline)
        Q_EMIT baselineChanged(m_comparison.baseline());
    touch();
    return true;
}

bool ComparisonDocument::duplicateVariant(int index)
{
    if (index < 0 || index >= m_comparison.variantCount() || m_comparison.variantCount() >= Comparison::kMaxVariants)
        return false;
    ComparisonVariant copy = m_comparison.variant(index);
    copy.name = copy.displayName() + QStringLiteral(" (copy)");
    return insertVariant(index + 1, copy);
}

bool ComparisonDocument::moveVariant(int from, int to)
{
    const int n = m_comparison.variantCount();
    if (from < 0 || from >= n || to < 0 || to >= n || from == to)
        return false;
    Q_EMIT aboutToReset();
    m_comparison.moveVariant(from, to);
    const quint64 id = m_variantIds[static_cast<std::size_t>(from)];
    m_variantIds.erase(m_variantIds.begin() + from);
    m_variantIds.insert(m_variantIds.begin() + to, id);
    Q_EMIT reset();
    touch();
    return true;
}

void ComparisonDocument::setBaseline(int variant)
{
    if (variant < 0 || variant >= m_comparison.variantCount() || variant == m_comparison.baseline())
        return;
    m_comparison.setBaseline(variant);
    Q_EMIT baselineChanged(variant);
    for (int r = 0; r < m_comparison.rowCount(); ++r)
        for (int v = 0; v < m_comparison.variantCount(); ++v)
            Q_EMIT cellChanged(r, v);
    touch();
}

void ComparisonDocument::setInputs(const ComparisonInputs &inputs)
{
    Q_EMIT aboutToReset();
    m_comparison.setInputs(inputs);
    m_rowIds.clear();
    for (int i = 0; i < m_comparison.rowCount(); ++i)
        m_rowIds.push_back(nextId());
    Q_EMIT reset();
    touch();
}

void ComparisonDocument::insertRow(int index, const nlohmann::json &values)
{
    index = std::clamp(index, 0, m_comparison.rowCount());
    Q_EMIT rowAboutToBeInserted(index);
    m_comparison.insertRow(index, values);
    m_rowIds.insert(m_rowIds.begin() + index, nextId());
    Q_EMIT rowInserted(index);
    touch();
}

void ComparisonDocument::removeRow(int index)
{
    if (index < 0 || index >= m_comparison.rowCount())
        return;
    Q_EMIT rowAboutToBeRemoved(index);
    m_comparison.removeRow(index);
    m_rowIds.erase(m_rowIds.begin() + index);
    Q_EMIT rowRemoved(index);
    touch();
}

void ComparisonDocument::setRowValues(int index, const nlohmann::json &values)
{
    if (index < 0 || index >= m_comparison.rowCount() || m_comparison.inputs().row(index) == values)
        return;
    m_comparison.setRowValues(index, values);
    Q_EMIT rowValuesChanged(index);
    touch();
}

void ComparisonDocument::setRepeats(int repeats)
{
    if (repeats == m_comparison.repeats())
        return;
    Q_EMIT aboutToReset();
    m_comparison.setRepeats(repeats);
    Q_EMIT reset();
    touch();
}

void ComparisonDocument::setGraders(const nlohmann::json &testingCriteria)
{
    m_comparison.setGraders(testingCriteria);
    Q_EMIT gradersChanged();
    touch();
}

void ComparisonDocument::setRating(int row, int variant, Rating rating)
{
    if (row < 0 || row >= m_comparison.rowCount() || variant < 0 || variant >= m_comparison.variantCount()
        || variant == m_comparison.baseline())
        return;
    Cell &cell = m_comparison.cell(row, variant);
    if (cell.rating == rating)
        return;
    cell.rating = rating;
    Q_EMIT cellChanged(row, variant);
    touch();
}

void ComparisonDocument::clearOutputs()
{
    m_comparison.clearOutputs();
    for (int r = 0; r < m_comparison.rowCount(); ++r)
        for (int v = 0; v < m_comparison.variantCount(); ++v)
            Q_EMIT cellChanged(r, v);
    touch();
}

void ComparisonDocument::setRun(int row, int variant, int repeat, const CellRun &run)
{
    if (CellRun *target = mutableRun(row, variant, repeat)) {
        *target = run;
        notifyCellChanged(row, variant);
    }
}

CellRun *ComparisonDocument::mutableRun(int row, int variant, int repeat)
{
    if (row < 0 || row >= m_comparison.rowCount() || variant < 0 || variant >= m_comparison.variantCount()
        || repeat < 0 || repeat >= m_comparison.repeats())
        return nullptr;
    return &m_comparison.run(row, variant, repeat);
}

void ComparisonDocument::notifyCellChanged(int row, int variant)
{
    Q_EMIT cellChanged(row, variant);
    touch();
}

quint64 ComparisonDocument::rowId(int row) const
{
    return row >= 0 && row < static_cast<int>(m_rowIds.size()) ? m_rowIds[static_cast<std::size_t>(row)] : 0;
}

quint64 ComparisonDocument::variantId(int variant) const
{
    return variant >= 0 && variant < static_cast<int>(m_variantIds.size()) ? m_variantIds[static_cast<std::size_t>(variant)] : 0;
}

int ComparisonDocument::rowIndex(quint64 id) const
{
    const auto it = std::find(m_rowIds.begin(), m_rowIds.end(), id);
    return it == m_rowIds.end() ? -1 : static_cast<int>(it - m_rowIds.begin());
}

int ComparisonDocument::variantIndex(quint64 id) const
{
    const auto it = std::find(m_variantIds.begin(), m_variantIds.end(), id);
    return it == m_variantIds.end() ? -1 : static_cast<int>(it - m_variantIds.begin());
}

} // namespace assay::compare
