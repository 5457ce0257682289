#pragma once

#include <QDialog>

class QSpinBox;
class QLineEdit;

namespace assay::ui {

// Asks how many rows to draw and with which seed (the same seed draws the same rows again).
class DatasetSampleDialog : public QDialog {
    Q_OBJECT
public:
    explicit DatasetSampleDialog(qint64 usableRows, QWidget *parent = nullptr);

    qint64 count() const;
    quint64 seed() const;
    void setCount(qint64 count);
    void setSeed(quint64 seed);

private:
    QSpinBox *m_count = nullptr;
    QLineEdit *m_seed = nullptr;
};

} // namespace assay::ui
