#include "ui/panels/results/model_selection_view.h"

#include <cmath>

#include <QColor>
#include <QDoubleValidator>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

#include "models/store/eval_store.h"
#include "models/store/workspace.h"
#include "ui/charts/accuracy_cost_chart.h"

namespace assay::ui {

namespace {

using Column = itemmodels::ModelSelectionModel::Column;

QString key(const char *name)
{
    return QString::fromLatin1(name);
}

// Empty means "no target"; the user's locale first (a comma decimal separator), then C.
std::optional<double> parse(const QLineEdit *input)
{
    const QString text = input->text().trimmed();
    if (text.isEmpty())
        return std::nullopt;
    bool ok = false;
    double value = QLocale().toDouble(text, &ok);
    if (!ok)
        value = QLocale::c().toDouble(text, &ok);
    if (!ok || !std::isfinite(value) || value < 0.0)
        return std::nullopt;
    return value;
}

QString shown(std::optional<double> value, int decimals)
{
    if (!value)
        return {};
    QLocale locale;
    locale.setNumberOptions(QLocale::OmitGroupSeparator);
    QString text = locale.toString(*value, 'f', decimals);
    // 90.00 -> 90, 4.50 -> 4.5: what a person would have typed.
    if (text.contains(locale.decimalPoint())) {
        while (text.endsWith(QLatin1Char('0')))
            text.chop(1);
        if (text.endsWith(locale.decimalPoint()))
            text.chop(locale.decimalPoint().size());
    }
    return text;
}

std::optional<double> readSetting(const QSettings &settings, const char *name)
{
    const QVariant value = settings.value(key(name));
    if (!value.isValid())
        return std::nullopt;
    bool ok = false;
    const double number = value.toDouble(&ok);
    return ok && std::isfinite(number) && number >= 0.0 ? std::optional<double>(number) : std::nullopt;
}

void writeSetting(QSettings &settings, const char *name, std::optional<double> value)
{
    if (value)
        settings.setValue(key(name), *value);
    else
        settings.remove(key(name));
}

QLineEdit *numberInput(QWidget *parent, double top, const QString &tip)
{
    auto *input = new QLineEdit(parent);
    input->setPlaceholderText(ModelSelectionView::tr("no target"));
    input->setClearButtonEnabled(true);
    input->setToolTip(tip);
    auto *validator = new QDoubleValidator(0.0, top, 4, input);
    validator->setNotation(QDoubleValidator::StandardNotation);
    input->setValidator(validator);
    input->setMaximumWidth(110);
    return input;
}

// Shows a met target as a tick after the value (green) and a missed one in red, instead of the
// model's check boxes: a box looks clickable and an empty one reads as "not decided yet". The
// guide's table puts a tick where a target is met and nothing elsewhere; colour and the tooltip
// ("x; target <= y") say which were missed.
class TickProxy : public QSortFilterProxyModel {
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;

    QVariant data(const QModelIndex &index, int role) const override
    {
        using Model = itemmodels::ModelSelectionModel;
        const int metRole = Model::role(Model::Role::TargetMet);
        if (role == Qt::CheckStateRole)
            return {};
        if (role == Qt::DisplayRole || role == Qt::ForegroundRole) {
            const QVariant met = QSortFilterProxyModel::data(index, metRole);
            if (met.isValid()) {
                if (role == Qt::ForegroundRole)
                    return met.toBool() ? QColor(0x1b, 0x5e, 0x20) : QColor(0xb7, 0x1c, 0x1c);
                const QString text = QSortFilterProxyModel::data(index, role).toString();
                if (met.toBool())
                    return index.column() == Model::column(Column::AllTargets) ? QStringLiteral("✓ ") + text
                                                                                : text + QStringLiteral(" ✓");
                return text;
            }
        }
        return QSortFilterProxyModel::data(index, role);
    }

    // "Cost / 1,000 items (≤ $5.00)" on two lines: one line made the table wider than the panel.
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override
    {
        const QVariant header = QSortFilterProxyModel::headerData(section, orientation, role);
        if (role != Qt::DisplayRole || orientation != Qt::Horizontal)
            return header;
        return header.toString().replace(QStringLiteral(" ("), QStringLiteral("\n("));
    }
};

} // namespace

ModelSelectionView::ModelSelectionView(QWidget *parent) : QWidget(parent)
{
    m_model = new itemmodels::ModelSelectionModel(nullptr, this);
    m_proxy = new TickProxy(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(itemmodels::ModelSelectionModel::role(itemmodels::ModelSelectionModel::Role::Sort));

    m_accuracy = numberInput(this, 100.0, tr("Lowest acceptable accuracy, in percent of items passed (empty: no target)"));
    m_cost = numberInput(this, 1e9, tr("Highest acceptable estimated cost per 1,000 items, in USD (empty: no target)"));
    m_avgLatency = numberInput(this, 1e9, tr("Highest acceptable average sampling latency, in ms (empty: no target)"));
    m_p95Latency = numberInput(this, 1e9, tr("Highest acceptable p95 sampling latency, in ms (empty: no target)"));

    auto *targetsRow = new QHBoxLayout;
    targetsRow->addWidget(new QLabel(tr("Targets:"), this));
    const struct {
        QString label;
        QLineEdit *input;
        QString unit;
    } fields[] = {{tr("&Accuracy ≥"), m_accuracy, tr("%")},
                  {tr("C&ost / 1,000 items ≤ $"), m_cost, QString()},
                  {tr("A&vg. latency ≤"), m_avgLatency, tr("ms")},
                  {tr("p&95 latency ≤"), m_p95Latency, tr("ms")}};
    for (const auto &field : fields) {
        auto *label = new QLabel(field.label, this);
        label->setBuddy(field.input); // Alt+letter jumps to the input
        targetsRow->addSpacing(8);
        targetsRow->addWidget(label);
        targetsRow->addWidget(field.input);
        if (!field.unit.isEmpty())
            targetsRow->addWidget(new QLabel(field.unit, this));
        connect(field.input, &QLineEdit::textChanged, this, &ModelSelectionView::targetsEdited);
    }
    targetsRow->addStretch(1);

    m_summary = new QLabel(this);
    m_summary->setTextFormat(Qt::PlainText);
    m_summary->setWordWrap(true);

    m_table = new QTableView(this);
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(-1, Qt::AscendingOrder); // the order the runs were picked until a header is clicked
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    // Method names are the point of the table: sized to their text, never elided to "gpt-...".
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setTextElideMode(Qt::ElideMiddle);

    m_chart = new AccuracyCostChart(this);

    m_splitter = new QSplitter(Qt::Vertical, this);
    m_splitter->addWidget(m_table);
    m_splitter->addWidget(m_chart);
    m_splitter->setStretchFactor(0, 1);
    m_splitter->setStretchFactor(1, 2);
    m_splitter->setChildrenCollapsible(false);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(targetsRow);
    layout->addWidget(m_summary);
    layout->addWidget(m_splitter, 1);

    connect(m_model, &itemmodels::ModelSelectionModel::targetsChanged, this, [this] {
        m_chart->setFromModel(*m_model);
        updateSummary();
    });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        m_chart->setFromModel(*m_model);
        updateSummary();
    });

    const Targets saved = loadTargets();
    showTargets(saved);
    m_model->setTargets(saved);
}

void ModelSelectionView::setStore(store::EvalStore *store, store::Workspace *workspace)
{
    if (m_store)
        disconnect(m_store, nullptr, this, nullptr);
    m_store = store;
    m_workspace = workspace;
    m_model->setWorkspace(workspace);
    if (m_store)
        connect(m_store, &store::EvalStore::runsChanged, this, &ModelSelectionView::reload);
    reload();
}

void ModelSelectionView::setRuns(const QList<qint64> &runIds)
{
    m_runIds = runIds;
    reload();
}

void ModelSelectionView::reload()
{
    QList<store::RunRecord> records;
    if (m_store) {
        for (qint64 id : std::as_const(m_runIds)) {
            if (auto record = m_store->run(id)) // a deleted run drops out
                records << *record;
        }
    }
    m_model->setRuns(records);
}

void ModelSelectionView::setTargets(const Targets &targets)
{
    showTargets(targets);
    m_model->setTargets(targets);
    saveTargets(targets);
}

void ModelSelectionView::showTargets(const Targets &targets)
{
    const QSignalBlocker blockAccuracy(m_accuracy), blockCost(m_cost), blockAvg(m_avgLatency), blockP95(m_p95Latency);
    m_accuracy->setText(shown(targets.minAccuracy ? std::optional<double>(*targets.minAccuracy * 100.0) : std::nullopt, 2));
    m_cost->setText(shown(targets.maxCostPer1k, 4));
    m_avgLatency->setText(shown(targets.maxAvgLatencyMs, 0));
    m_p95Latency->setText(shown(targets.maxP95LatencyMs, 0));
}

void ModelSelectionView::targetsEdited()
{
    // A half-typed number ("1e", or 150 %) keeps the target it had; empty removes it.
    Targets targets = m_model->targets();
    // Divided, not multiplied by 0.01: 90 / 100 is exactly the double 0.9, so "90" means 90%.
    auto apply = [](const QLineEdit *input, std::optional<double> &target, double divisor) {
        if (input->text().trimmed().isEmpty()) {
            target.reset();
        } else if (input->hasAcceptableInput()) {
            if (const auto value = parse(input))
                target = *value / divisor;
        }
    };
    apply(m_accuracy, targets.minAccuracy, 100.0);
    apply(m_cost, targets.maxCostPer1k, 1.0);
    apply(m_avgLatency, targets.maxAvgLatencyMs, 1.0);
    apply(m_p95Latency, targets.maxP95LatencyMs, 1.0);
    m_model->setTargets(targets);
    saveTargets(targets);
}

void ModelSelectionView::updateSummary()
{
    const int rows = m_model->rowCount();
    if (rows == 0) {
        m_summary->setText(tr("Pick runs of the same eval in the runs table to compare them against your targets."));
        return;
    }
    if (!m_model->targets().any()) {
        m_summary->setText(tr("%n run(s). Set targets to see which meet them: accuracy first, then cost and latency.",
                              nullptr, rows));
        return;
    }
    QStringList meeting;
    for (int row = 0; row < rows; ++row) {
        if (m_model->allTargetsMet(row).value_or(false))
            meeting << m_model->entry(row).method;
    }
    const QString message = meeting.isEmpty()
                                ? tr("None of the %n run(s) meets every target.", nullptr, rows)
                                : tr("%1 of %2 runs meet every target: %3")
                                      .arg(meeting.size())
                                      .arg(rows)
                                      .arg(meeting.join(QStringLiteral(", ")));
    m_summary->setText(message);
    Q_EMIT statusMessage(message);
}

ModelSelectionView::Targets ModelSelectionView::loadTargets()
{
    const QSettings settings;
    Targets targets;
    if (const auto accuracy = readSetting(settings, AccuracyKey); accuracy && *accuracy <= 100.0)
        targets.minAccuracy = *accuracy / 100.0;
    targets.maxCostPer1k = readSetting(settings, CostKey);
    targets.maxAvgLatencyMs = readSetting(settings, AvgLatencyKey);
    targets.maxP95LatencyMs = readSetting(settings, P95LatencyKey);
    return targets;
}

void ModelSelectionView::saveTargets(const Targets &targets)
{
    QSettings settings;
    writeSetting(settings, AccuracyKey,
                 targets.minAccuracy ? std::optional<double>(*targets.minAccuracy * 100.0) : std::nullopt);
    writeSetting(settings, CostKey, targets.maxCostPer1k);
    writeSetting(settings, AvgLatencyKey, targets.maxAvgLatencyMs);
    writeSetting(settings, P95LatencyKey, targets.maxP95LatencyMs);
}

} // namespace assay::ui
