#pragma once

#include <QDialog>

#include "models/prompt/pricing.h"

class QLabel;
class QLineEdit;
class QTableWidget;

namespace assay::ui {

// Edits the pricing table (USD per 1M tokens: input, cached input, output) that estimated costs
// use. Saving writes the user's copy atomically (QSaveFile); it wins over the built-in table.
class PricingDialog : public QDialog {
    Q_OBJECT
public:
    PricingDialog(const prompt::Pricing &pricing, const QString &path, QWidget *parent = nullptr);

    prompt::Pricing pricing() const;

    // Writes `pricing` to `path` atomically (the folder is created). False and `error` on failure.
    static bool save(const prompt::Pricing &pricing, const QString &path, QString *error);

    void accept() override;

Q_SIGNALS:
    void saved(const assay::prompt::Pricing &pricing);

private:
    void fill(const prompt::Pricing &pricing);
    void addRow(const prompt::ModelPrice &price);
    QString validate() const;

    QString m_path;
    QTableWidget *m_table = nullptr;
    QLineEdit *m_filter = nullptr;
    QLabel *m_error = nullptr;
};

} // namespace assay::ui
