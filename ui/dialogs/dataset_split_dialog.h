#pragma once

#include <QDialog>
#include <QStringList>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;

namespace assay::ui {

// Asks for the test share, the seed and an optional column to stratify by (each of its values is
// split in the same proportion, so a rare label still lands in both sets).
class DatasetSplitDialog : public QDialog {
    Q_OBJECT
public:
    DatasetSplitDialog(qint64 usableRows, const QStringList &columns, QWidget *parent = nullptr);

    double testFraction() const;
    quint64 seed() const;
    QString stratifyColumn() const; // empty: not stratified

private:
    void updateSummary();

    qint64 m_rows;
    QDoubleSpinBox *m_testPercent = nullptr;
    QLineEdit *m_seed = nullptr;
    QComboBox *m_stratify = nullptr;
    QLabel *m_summary = nullptr;
};

} // namespace assay::ui
