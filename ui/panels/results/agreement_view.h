#pragma once

#include <QPointer>
#include <QWidget>

class QLabel;
class QTableWidget;

namespace assay::store {
class VerdictStore;
} // namespace assay::store

namespace assay::ui {

// How often people and graders agree on one run, per criterion (the whole item first): items
// compared (both a human pass/fail and a graded result), how many agree, the rate and Cohen's
// kappa. Follows VerdictStore::verdictsChanged for its run. For the Results panel's Summary tab.
class AgreementView : public QWidget {
    Q_OBJECT
public:
    enum Column { CriterionColumn, ComparedColumn, AgreedColumn, RateColumn, KappaColumn, ColumnCount };

    explicit AgreementView(QWidget *parent = nullptr);

    void setVerdictStore(store::VerdictStore *verdicts);
    void setRun(qint64 runId); // 0: none
    qint64 runId() const { return m_runId; }
    void refresh();

    QTableWidget *table() const { return m_table; }
    // The shown cell (for tests and copy): row 0 is the first criterion shown.
    QString cellText(int row, Column column) const;
    int rowCount() const;

private:
    QPointer<store::VerdictStore> m_verdicts;
    qint64 m_runId = 0;
    QLabel *m_empty = nullptr;
    QTableWidget *m_table = nullptr;
};

} // namespace assay::ui
