#include "ui/dialogs/pricing_dialog.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QStyledItemDelegate>
#include <QTableWidget>
#include <QVBoxLayout>

namespace assay::ui {

namespace {

enum class Column { Model, Input, CachedInput, Output, Count };

int col(Column column)
{
    return static_cast<int>(column);
}

// Prices are edited with a spin box: no typo can turn a price into text.
class PriceDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    QWidget *createEditor(QWidget *parent, const QStyleOptionViewItem &option,
                          const QModelIndex &index) const override
    {
        if (index.column() == col(Column::Model))
            return QStyledItemDelegate::createEditor(parent, option, index);
        auto *spin = new QDoubleSpinBox(parent);
        spin->setDecimals(4);
        spin->setRange(0.0, 100000.0);
        spin->setSingleStep(0.05);
        spin->setPrefix(QStringLiteral("$"));
        return spin;
    }
    QString displayText(const QVariant &value, const QLocale &locale) const override
    {
        if (value.typeId() == QMetaType::Double)
            return QStringLiteral("$") +
                   locale.toString(value.toDouble(), 'f', value.toDouble() < 0.1 ? 4 : 3);
        return QStyledItemDelegate::displayText(value, locale);
    }
};

} // namespace

PricingDialog::PricingDialog(const prompt::Pricing &pricing, const QString &path, QWidget *parent)
    : QDialog(parent), m_path(path)
{
    setObjectName(QStringLiteral("pricingDialog"));
    setWindowTitle(tr("Pricing table"));
    resize(640, 560);
    auto *layout = new QVBoxLayout(this);

    auto *intro =
        new QLabel(tr("USD per 1M tokens. A model uses the longest entry its name starts with "
                      "(gpt-4.1-mini-2025-04-14 uses gpt-4.1-mini). Flex processing is billed at half."),
                   this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    m_filter = new QLineEdit(this);
    m_filter->setPlaceholderText(tr("Filter models…"));
    m_filter->setClearButtonEnabled(true);
    layout->addWidget(m_filter);

    m_table = new QTableWidget(0, col(Column::Count), this);
    m_table->setObjectName(QStringLiteral("pricingTable"));
    m_table->setHorizontalHeaderLabels({tr("Model (prefix)"), tr("Input"), tr("Cached input"), tr("Output")});
    m_table->horizontalHeader()->setSectionResizeMode(col(Column::Model), QHeaderView::Stretch);
    m_table->verticalHeader()->hide();
    m_table->setItemDelegate(new PriceDelegate(m_table));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setAlternatingRowColors(true);
    layout->addWidget(m_table, 1);

    auto *rowButtons = new QHBoxLayout;
    auto *add = new QPushButton(tr("Add model"), this);
    auto *remove = new QPushButton(tr("Remove"), this);
    auto *reset = new QPushButton(tr("Reset to built-in"), this);
    reset->setToolTip(tr("Replace the table with the prices Assay ships with"));
    rowButtons->addWidget(add);
    rowButtons->addWidget(remove);
    rowButtons->addStretch();
    rowButtons->addWidget(reset);
    layout->addLayout(rowButtons);

    auto *where = new QLabel(tr("Saved to %1").arg(QDir::toNativeSeparators(path)), this);
    where->setForegroundRole(QPalette::PlaceholderText);
    where->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(where);
    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("pricingError"));
    m_error->setStyleSheet(QStringLiteral("color: #b3261e;"));
    m_error->setWordWrap(true);
    m_error->hide();
    layout->addWidget(m_error);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &PricingDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &PricingDialog::reject);

    connect(add, &QPushButton::clicked, this, [this]() {
        m_filter->clear();
        addRow(prompt::ModelPrice{});
        const int row = m_table->rowCount() - 1;
        m_table->scrollToBottom();
        m_table->setCurrentCell(row, col(Column::Model));
        m_table->editItem(m_table->item(row, col(Column::Model)));
    });
    connect(remove, &QPushButton::clicked, this, [this]() {
        QList<int> rows;
        for (const QModelIndex &index : m_table->selectionModel()->selectedRows())
            rows << index.row();
        std::sort(rows.begin(), rows.end(), std::greater<>());
        for (int row : rows)
            m_table->removeRow(row);
    });
    connect(reset, &QPushButton::clicked, this, [this]() { fill(prompt::Pricing::builtIn()); });
    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString &text) {
        for (int row = 0; row < m_table->rowCount(); ++row) {
            const QTableWidgetItem *item = m_table->item(row, col(Column::Model));
            m_table->setRowHidden(row, !text.isEmpty() &&
                                           !(item && item->text().contains(text, Qt::CaseInsensitive)));
        }
    });

    fill(pricing);
}

void PricingDialog::fill(const prompt::Pricing &pricing)
{
    m_table->setSortingEnabled(false);
    m_table->setRowCount(0);
    for (const prompt::ModelPrice &price : pricing.prices())
        addRow(price);
    m_table->setSortingEnabled(true);
}

void PricingDialog::addRow(const prompt::ModelPrice &price)
{
    const bool sorting = m_table->isSortingEnabled();
    m_table->setSortingEnabled(false);
    const int row = m_table->rowCount();
    m_table->insertRow(row);
    m_table->setItem(row, col(Column::Model), new QTableWidgetItem(price.model));
    const auto number = [](double value) {
        auto *item = new QTableWidgetItem;
        item->setData(Qt::EditRole, value);
        item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        return item;
    };
    m_table->setItem(row, col(Column::Input), number(price.input));
    m_table->setItem(row, col(Column::CachedInput), number(price.cachedInput));
    m_table->setItem(row, col(Column::Output), number(price.output));
    m_table->setSortingEnabled(sorting);
}

prompt::Pricing PricingDialog::pricing() const
{
    std::vector<prompt::ModelPrice> prices;
    for (int row = 0; row < m_table->rowCount(); ++row) {
        const auto value = [&](Column column) {
            const QTableWidgetItem *item = m_table->item(row, col(column));
            return item ? item->data(Qt::EditRole).toDouble() : 0.0;
        };
        const QTableWidgetItem *model = m_table->item(row, col(Column::Model));
        const QString name = model ? model->text().trimmed() : QString();
        if (name.isEmpty())
            continue;
        prices.push_back(prompt::ModelPrice{name, value(Column::Input), value(Column::CachedInput),
                                            value(Column::Output)});
    }
    prompt::Pricing pricing;
    pricing.setPrices(std::move(prices));
    return pricing;
}

QString PricingDialog::validate() const
{
    QStringList seen;
    for (int row = 0; row < m_table->rowCount(); ++row) {
        const QTableWidgetItem *model = m_table->item(row, col(Column::Model));
        const QString name = model ? model->text().trimmed() : QString();
        if (name.isEmpty())
            continue;
        if (seen.contains(name))
            return tr("\"%1\" is listed twice: keep one row per model.").arg(name);
        seen << name;
    }
    return {};
}

bool PricingDialog::save(const prompt::Pricing &pricing, const QString &path, QString *error)
{
    const QFileInfo info(path);
    if (!QDir().mkpath(info.absolutePath())) {
        if (error)
            *error = tr("Cannot create the folder %1").arg(info.absolutePath());
        return false;
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        if (error)
            *error = tr("Cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    const std::string text = pricing.toJson().dump(2) + "\n";
    file.write(text.data(), static_cast<qint64>(text.size()));
    if (!file.commit()) {
        if (error)
            *error = tr("Cannot save %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

void PricingDialog::accept()
{
    QString problem = validate();
    const prompt::Pricing table = pricing();
    if (problem.isEmpty())
        save(table, m_path, &problem);
    m_error->setText(problem);
    m_error->setVisible(!problem.isEmpty());
    if (!problem.isEmpty())
        return;
    Q_EMIT saved(table);
    QDialog::accept();
}

} // namespace assay::ui
