#include "ui/dialogs/dataset_sample_dialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRandomGenerator>
#include <QRegularExpressionValidator>
#include <QSpinBox>
#include <QVBoxLayout>

namespace assay::ui {

DatasetSampleDialog::DatasetSampleDialog(qint64 usableRows, QWidget *parent) : QDialog(parent)
{
    setWindowTitle(tr("Sample rows"));
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("Draw rows at random into a new dataset. The same seed draws the same rows "
                                "again; rows that cannot be read are never drawn."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    auto *form = new QFormLayout;
    m_count = new QSpinBox(this);
    const int maximum = static_cast<int>(std::min<qint64>(std::max<qint64>(usableRows, 1), 2'000'000'000));
    m_count->setRange(1, maximum);
    m_count->setValue(std::min(100, maximum));
    m_count->setGroupSeparatorShown(true);
    m_count->setSuffix(tr(" of %L1 rows").arg(usableRows));
    form->addRow(tr("&Rows:"), m_count);

    m_seed = new QLineEdit(QString::number(42), this);
    m_seed->setValidator(
        new QRegularExpressionValidator(QRegularExpression(QStringLiteral("\\d{1,19}")), m_seed));
    auto *seedRow = new QHBoxLayout;
    seedRow->addWidget(m_seed, 1);
    auto *randomSeed = new QPushButton(tr("New seed"), this);
    connect(randomSeed, &QPushButton::clicked, this, [this]() {
        m_seed->setText(QString::number(QRandomGenerator::global()->bounded(1'000'000'000)));
    });
    seedRow->addWidget(randomSeed);
    form->addRow(tr("&Seed:"), seedRow);
    layout->addLayout(form);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Sample…"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    connect(m_seed, &QLineEdit::textChanged, this, [this, buttons]() {
        buttons->button(QDialogButtonBox::Ok)->setEnabled(m_seed->hasAcceptableInput());
    });
}

qint64 DatasetSampleDialog::count() const
{
    return m_count->value();
}
quint64 DatasetSampleDialog::seed() const
{
    return m_seed->text().toULongLong();
}
void DatasetSampleDialog::setCount(qint64 count)
{
    m_count->setValue(static_cast<int>(count));
}
void DatasetSampleDialog::setSeed(quint64 seed)
{
    m_seed->setText(QString::number(seed));
}

} // namespace assay::ui
