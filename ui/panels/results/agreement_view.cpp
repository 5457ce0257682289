#include "ui/panels/results/agreement_view.h"

#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

#include "models/store/verdict_store.h"

namespace assay::ui {

AgreementView::AgreementView(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("agreementView"));
    m_empty = new QLabel(this);
    m_empty->setTextFormat(Qt::PlainText);
    m_empty->setWordWrap(true);
    m_table = new QTableWidget(0, ColumnCount, this);
    m_table->setObjectName(QStringLiteral("agreementTable"));
    m_table->setHorizontalHeaderLabels(
        {tr("Criterion"), tr("Compared"), tr("Agreed"), tr("Rate"), tr("Cohen's κ")});
    m_table->horizontalHeaderItem(ComparedColumn)
        ->setToolTip(tr("Items with both a person's pass/fail verdict and a graded (not errored) result"));
    m_table->horizontalHeaderItem(KappaColumn)
        ->setToolTip(tr("Agreement beyond chance: 1 perfect, 0 no better than chance; — when undefined"));
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_empty);
    layout->addWidget(m_table, 1);
    refresh();
}

void AgreementView::setVerdictStore(store::VerdictStore *verdicts)
{
    if (m_verdicts)
        disconnect(m_verdicts, nullptr, this, nullptr);
    m_verdicts = verdicts;
    if (m_verdicts) {
        connect(m_verdicts, &store::VerdictStore::verdictsChanged, this, [this](qint64 runId) {
            if (runId == m_runId)
                refresh();
        });
    }
    refresh();
}

void AgreementView::setRun(qint64 runId)
{
    m_runId = runId;
    refresh();
}

void AgreementView::refresh()
{
    m_table->setRowCount(0);
    const QList<store::CriterionAgreement> rows =
        m_verdicts && m_runId > 0 ? m_verdicts->agreement(m_runId) : QList<store::CriterionAgreement>();
    m_empty->setText(
        m_runId <= 0 ? tr("No run chosen.")
        : rows.isEmpty()
            ? tr("No human verdicts on graded items of this run yet: judge items in the drill-down "
                 "(P pass, F fail) to compare people with the graders.")
            : tr("Agreement between people and graders on this run:"));
    m_table->setVisible(!rows.isEmpty());
    m_table->setRowCount(static_cast<int>(rows.size()));
    for (int row = 0; row < rows.size(); ++row) {
        const store::CriterionAgreement &entry = rows[row];
        const auto rate = entry.rate();
        const auto kappa = entry.cohensKappa();
        m_table->setItem(
            row, CriterionColumn,
            new QTableWidgetItem(entry.criterion.isEmpty() ? tr("Whole item") : entry.criterion));
        m_table->setItem(row, ComparedColumn, new QTableWidgetItem(QString::number(entry.compared())));
        m_table->setItem(row, AgreedColumn, new QTableWidgetItem(QString::number(entry.agreed())));
        m_table->setItem(
            row, RateColumn,
            new QTableWidgetItem(rate ? QStringLiteral("%1%").arg(QString::number(*rate * 100.0, 'f', 1))
                                      : QStringLiteral("—")));
        m_table->setItem(row, KappaColumn,
                         new QTableWidgetItem(kappa ? QString::number(*kappa, 'f', 2) : QStringLiteral("—")));
        for (int column = ComparedColumn; column < ColumnCount; ++column)
            m_table->item(row, column)->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        m_table->item(row, ComparedColumn)
            ->setToolTip(
                tr("both pass %1 · both fail %2 · person pass, grader fail %3 · person fail, grader pass %4")
                    .arg(entry.bothPass)
                    .arg(entry.bothFail)
                    .arg(entry.humanPassGraderFail)
                    .arg(entry.humanFailGraderPass));
    }
}

QString AgreementView::cellText(int row, Column column) const
{
    const QTableWidgetItem *item = m_table->item(row, column);
    return item ? item->text() : QString();
}

int AgreementView::rowCount() const
{
    return m_table->rowCount();
}

} // namespace assay::ui
