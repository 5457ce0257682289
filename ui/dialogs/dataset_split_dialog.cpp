#include "ui/dialogs/dataset_split_dialog.h"

#include <cmath>

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QVBoxLayout>

namespace assay::ui {

DatasetSplitDialog::DatasetSplitDialog(qint64 usableRows, const QStringList &columns, QWidget *parent)
    : QDialog(parent), m_rows(usableRows)
{
    setWindowTitle(tr("Split into train and test"));
    auto *layout = new QVBoxLayout(this);
    auto *intro =
        new QLabel(tr("Write two new datasets from this one. Rows keep their order; rows that cannot "
                      "be read go to neither set."),
                   this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    auto *form = new QFormLayout;
    m_testPercent = new QDoubleSpinBox(this);
    m_testPercent->setRange(1, 99);
    m_testPercent->setDecimals(1);
    m_testPercent->setValue(20);
    m_testPercent->setSuffix(QStringLiteral(" %"));
    form->addRow(tr("&Test share:"), m_testPercent);

    m_seed = new QLineEdit(QString::number(42), this);
    m_seed->setValidator(
        new QRegularExpressionValidator(QRegularExpression(QStringLiteral("\\d{1,19}")), m_seed));
    form->addRow(tr("&Seed:"), m_seed);

    m_stratify = new QComboBox(this);
    m_stratify->addItem(tr("(not stratified)"), QString());
    for (const QString &column : columns)
        m_stratify->addItem(column, column);
    // A label column is what people stratify by: preselect one that looks like it.
    for (int i = 1; i < m_stratify->count(); ++i) {
        const QString name = m_stratify->itemText(i).toLower();
        if (name.contains(QLatin1String("label")) || name.contains(QLatin1String("category")) ||
            name.contains(QLatin1String("class"))) {
            m_stratify->setCurrentIndex(i);
            break;
        }
    }
    form->addRow(tr("Stratify &by:"), m_stratify);
    layout->addLayout(form);

    m_summary = new QLabel(this);
    m_summary->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(m_summary);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Split…"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    connect(m_seed, &QLineEdit::textChanged, this, [this, buttons]() {
        buttons->button(QDialogButtonBox::Ok)->setEnabled(m_seed->hasAcceptableInput());
    });
    connect(m_testPercent, &QDoubleSpinBox::valueChanged, this, &DatasetSplitDialog::updateSummary);
    updateSummary();
}

void DatasetSplitDialog::updateSummary()
{
    const auto test = static_cast<qint64>(std::llround(static_cast<double>(m_rows) * testFraction()));
    m_summary->setText(tr("About %L1 rows for training, %L2 for testing.").arg(m_rows - test).arg(test));
}

double DatasetSplitDialog::testFraction() const
{
    return m_testPercent->value() / 100.0;
}
quint64 DatasetSplitDialog::seed() const
{
    return m_seed->text().toULongLong();
}
QString DatasetSplitDialog::stratifyColumn() const
{
    return m_stratify->currentData().toString();
}

} // namespace assay::ui
