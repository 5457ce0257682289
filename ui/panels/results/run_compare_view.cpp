#include "ui/panels/results/run_compare_view.h"

#include <QAction>
#include <QButtonGroup>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QSignalBlocker>
#include <QSplitter>
#include <QTableView>
#include <QTableWidget>
#include <QTextBrowser>
#include <QToolButton>
#include <QVBoxLayout>

#include "models/report/report_data.h"
#include "models/report/word_diff.h"
#include "models/store/eval_store.h"

namespace assay::ui {

using itemmodels::RunCompareFilterModel;
using itemmodels::RunCompareModel;

namespace {

constexpr auto kRegressionColor = "#b01c1c";
constexpr auto kImprovementColor = "#1b6e2a";

QString plural(qint64 count, const QString &one, const QString &many)
{
    return QStringLiteral("%1 %2").arg(QLocale().toString(count), count == 1 ? one : many);
}

QString scoreText(std::optional<double> score, RunCompareModel::CriterionState state)
{
    using State = RunCompareModel::CriterionState;
    switch (state) {
    case State::Missing:
        return RunCompareView::tr("no result");
    case State::Errored:
        return RunCompareView::tr("grader error");
    case State::Passed:
        return RunCompareView::tr("%1 pass").arg(QLocale().toString(score.value_or(0.0), 'g', 4));
    case State::Invalid:
        return RunCompareView::tr("%1 fail (invalid output)").arg(QLocale().toString(score.value_or(0.0), 'g', 4));
    case State::Failed:
        break;
    }
    return RunCompareView::tr("%1 fail").arg(QLocale().toString(score.value_or(0.0), 'g', 4));
}

QString statusWord(RunCompareModel::Status status)
{
    switch (status) {
    case RunCompareModel::Status::Pass:
        return RunCompareView::tr("passed");
    case RunCompareModel::Status::Fail:
        return RunCompareView::tr("failed");
    case RunCompareModel::Status::Error:
        return RunCompareView::tr("errored");
    case RunCompareModel::Status::Missing:
        break;
    }
    return RunCompareView::tr("absent");
}

// What an output pane shows: the output as plain text, or why there is none.
QString outputOf(const std::optional<store::OutputItemRecord> &record, const QString &absent)
{
    if (!record)
        return absent;
    const QString text = report::outputText(*record);
    if (!record->error.isEmpty())
        return text.isEmpty() ? RunCompareView::tr("(errored: %1)").arg(record->error)
                              : text + QStringLiteral("\n\n") + RunCompareView::tr("(errored: %1)").arg(record->error);
    return text;
}

// Every piece of model text is escaped: a `<script>` in an output is shown, never run or rendered.
QString escaped(const QString &text)
{
    return text.toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br/>"));
}

QString diffToHtml(const QList<report::DiffSegment> &segments)
{
    QString html = QStringLiteral("<div style=\"white-space: pre-wrap;\">");
    for (const report::DiffSegment &segment : segments) {
        switch (segment.kind) {
        case report::DiffSegment::Kind::Equal:
            html += escaped(segment.text);
            break;
        case report::DiffSegment::Kind::Delete:
            html += QStringLiteral("<span style=\"background-color:#ffd7d5; color:#82071e; "
                                   "text-decoration: line-through;\">%1</span>")
                        .arg(escaped(segment.text));
            break;
        case report::DiffSegment::Kind::Insert:
            html += QStringLiteral("<span style=\"background-color:#ccffd8; color:#055d20; "
                                   "text-decoration: underline;\">%1</span>")
                        .arg(escaped(segment.text));
            break;
        }
    }
    return html + QStringLiteral("</div>");
}

struct FilterSpec {
    std::optional<RunCompareModel::Change> change;
    const char *label;
    Qt::Key key;
};

const FilterSpec kFilters[] = {
    {std::nullopt, QT_TRANSLATE_NOOP("assay::ui::RunCompareView", "All"), Qt::Key_0},
    {RunCompareModel::Change::Regression, QT_TRANSLATE_NOOP("assay::ui::RunCompareView", "Regressions"), Qt::Key_1},
    {RunCompareModel::Change::Improvement, QT_TRANSLATE_NOOP("assay::ui::RunCompareView", "Improvements"), Qt::Key_2},
    {RunCompareModel::Change::UnchangedPass, QT_TRANSLATE_NOOP("assay::ui::RunCompareView", "Unchanged pass"), Qt::Key_3},
    {RunCompareModel::Change::UnchangedFail, QT_TRANSLATE_NOOP("assay::ui::RunCompareView", "Unchanged fail"), Qt::Key_4},
    {RunCompareModel::Change::Errored, QT_TRANSLATE_NOOP("assay::ui::RunCompareView", "Errored"), Qt::Key_5},
    {RunCompareModel::Change::OnlyInBase, QT_TRANSLATE_NOOP("assay::ui::RunCompareView", "Only in base"), Qt::Key_6},
    {RunCompareModel::Change::OnlyInCandidate, QT_TRANSLATE_NOOP("assay::ui::RunCompareView", "Only in candidate"),
     Qt::Key_7},
};

int filterId(std::optional<RunCompareModel::Change> change)
{
    return change ? static_cast<int>(*change) + 1 : 0;
}

QAction *addShortcut(QWidget *owner, const QList<QKeySequence> &keys)
{
    auto *action = new QAction(owner);
    action->setShortcuts(keys);
    action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    owner->addAction(action);
    return action;
}

} // namespace

RunCompareView::RunCompareView(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("runCompareView"));
    m_model = new RunCompareModel(nullptr, nullptr, this);
    m_proxy = new RunCompareFilterModel(this);
    m_proxy->setSourceModel(m_model);

    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("compareSummary"));
    m_summary->setTextFormat(Qt::RichText);
    m_summary->setWordWrap(true);

    m_criteriaSummary = new QLabel(this);
    m_criteriaSummary->setObjectName(QStringLiteral("compareCriteriaSummary"));
    m_criteriaSummary->setTextFormat(Qt::PlainText); // criterion names are the user's text
    m_criteriaSummary->setWordWrap(true);

    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("compareTable"));
    m_table->setModel(m_proxy);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(0, Qt::AscendingOrder);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setWordWrap(false);
    m_table->setToolTip(tr("J / Down: next item · K / Up: previous · R: next regression"));

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_table);
    splitter->addWidget(createDetails());
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(createHeader());
    layout->addWidget(m_summary);
    layout->addWidget(m_criteriaSummary);
    layout->addWidget(createFilters());
    layout->addWidget(splitter, 1);

    addShortcuts();

    connectModel();
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &RunCompareView::showCurrent);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &RunCompareView::showCurrent);
    connect(m_proxy, &QAbstractItemModel::layoutChanged, this, [this] {
        if (currentRow() >= 0)
            m_table->scrollTo(m_table->currentIndex());
    });
    updateSummary();
    clearDetails();
}

RunCompareView::~RunCompareView() = default;

QWidget *RunCompareView::createHeader()
{
    auto *header = new QWidget(this);
    auto *layout = new QHBoxLayout(header);
    layout->setContentsMargins(0, 0, 0, 0);
    m_baseCombo = new QComboBox(header);
    m_baseCombo->setObjectName(QStringLiteral("baseRunCombo"));
    m_baseCombo->setToolTip(tr("The base run: what the candidate is measured against"));
    m_candidateCombo = new QComboBox(header);
    m_candidateCombo->setObjectName(QStringLiteral("candidateRunCombo"));
    m_candidateCombo->setToolTip(tr("The candidate run: a change to judge against the base"));
    for (QComboBox *combo : {m_baseCombo, m_candidateCombo}) {
        combo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        combo->setMinimumContentsLength(18);
    }
    m_swap = new QToolButton(header);
    m_swap->setObjectName(QStringLiteral("swapRunsButton"));
    m_swap->setText(tr("\u21c4 Swap"));
    m_swap->setToolTip(tr("Swap base and candidate (Alt+S)"));
    m_swap->setFocusPolicy(Qt::NoFocus); // keys stay with the table
    connect(m_swap, &QToolButton::clicked, this, &RunCompareView::swapRuns);

    auto *baseLabel = new QLabel(tr("&Base:"), header);
    baseLabel->setBuddy(m_baseCombo);
    auto *candidateLabel = new QLabel(tr("&Candidate:"), header);
    candidateLabel->setBuddy(m_candidateCombo);
    layout->addWidget(baseLabel);
    layout->addWidget(m_baseCombo, 1);
    layout->addWidget(m_swap);
    layout->addWidget(candidateLabel);
    layout->addWidget(m_candidateCombo, 1);
    connect(m_baseCombo, &QComboBox::currentIndexChanged, this, &RunCompareView::onRunChosen);
    connect(m_candidateCombo, &QComboBox::currentIndexChanged, this, &RunCompareView::onRunChosen);
    return header;
}

QWidget *RunCompareView::createFilters()
{
    auto *bar = new QWidget(this);
    auto *layout = new QHBoxLayout(bar);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    m_filters = new QButtonGroup(this);
    m_filters->setExclusive(true);
    for (const FilterSpec &spec : kFilters) {
        auto *button = new QToolButton(bar);
        button->setCheckable(true);
        button->setFocusPolicy(Qt::NoFocus);
        button->setAutoRaise(true);
        const QKeySequence key(Qt::ALT | spec.key);
        button->setText(tr(spec.label));
        button->setToolTip(tr("Show %1 (%2)")
                               .arg(spec.change ? RunCompareModel::changeName(*spec.change) : tr("every item"),
                                    key.toString(QKeySequence::NativeText)));
        button->setObjectName(QStringLiteral("filter-%1").arg(filterId(spec.change)));
        m_filters->addButton(button, filterId(spec.change));
        layout->addWidget(button);
        QAction *action = addShortcut(this, {key});
        connect(action, &QAction::triggered, this, [this, change = spec.change] { setChangeFilter(change); });
    }
    layout->addStretch(1);
    m_filters->button(0)->setChecked(true);
    connect(m_filters, &QButtonGroup::idClicked, this, [this](int id) {
        setChangeFilter(id == 0 ? std::nullopt : std::optional<Change>(static_cast<Change>(id - 1)));
    });
    return bar;
}

QWidget *RunCompareView::createDetails()
{
    auto *details = new QWidget(this);
    auto *layout = new QVBoxLayout(details);
    layout->setContentsMargins(0, 0, 0, 0);
    m_itemTitle = new QLabel(details);
    m_itemTitle->setObjectName(QStringLiteral("compareItemTitle"));
    m_itemTitle->setTextFormat(Qt::PlainText);

    auto makeOutput = [details](const QString &name, const QString &placeholder) {
        auto *view = new QPlainTextEdit(details);
        view->setObjectName(name);
        view->setReadOnly(true);
        view->setPlaceholderText(placeholder);
        return view;
    };
    m_baseOutput = makeOutput(QStringLiteral("baseOutput"), tr("Base output"));
    m_candidateOutput = makeOutput(QStringLiteral("candidateOutput"), tr("Candidate output"));
    auto *outputs = new QSplitter(Qt::Horizontal, details);
    outputs->addWidget(m_baseOutput);
    outputs->addWidget(m_candidateOutput);

    m_diff = new QTextBrowser(details);
    m_diff->setObjectName(QStringLiteral("compareDiff"));
    m_diff->setOpenLinks(false);
    m_diff->setOpenExternalLinks(false);
    m_diff->setToolTip(tr("Word diff, base to candidate: struck through on red = only in the base output; "
                          "underlined on green = only in the candidate output"));

    m_criteria = new QTableWidget(0, 4, details);
    m_criteria->setObjectName(QStringLiteral("compareCriteria"));
    m_criteria->setHorizontalHeaderLabels({tr("Criterion"), tr("Base"), tr("Candidate"), tr("Delta")});
    m_criteria->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_criteria->setSelectionMode(QAbstractItemView::NoSelection);
    m_criteria->setFocusPolicy(Qt::NoFocus);
    m_criteria->verticalHeader()->hide();
    m_criteria->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_criteria->horizontalHeader()->setStretchLastSection(true);

    auto *legend = new QLabel(
        tr("Word diff: <span style=\"background-color:#ffd7d5; color:#82071e; text-decoration: line-through;\">"
           "deleted</span> (only in base) · <span style=\"background-color:#ccffd8; color:#055d20; "
           "text-decoration: underline;\">inserted</span> (only in candidate)"),
        details);
    legend->setTextFormat(Qt::RichText);

    auto *lower = new QSplitter(Qt::Horizontal, details);
    auto *diffBox = new QWidget(lower);
    auto *diffLayout = new QVBoxLayout(diffBox);
    diffLayout->setContentsMargins(0, 0, 0, 0);
    diffLayout->addWidget(legend);
    diffLayout->addWidget(m_diff, 1);
    lower->addWidget(diffBox);
    lower->addWidget(m_criteria);
    lower->setStretchFactor(0, 3);
    lower->setStretchFactor(1, 2);

    layout->addWidget(m_itemTitle);
    layout->addWidget(outputs, 1);
    layout->addWidget(lower, 1);
    return details;
}

void RunCompareView::connectModel()
{
    connect(m_model, &RunCompareModel::loaded, this, &RunCompareView::onLoaded);
    connect(m_model, &RunCompareModel::loadFailed, this, [this](const QString &message) {
        m_summaryText = tr("The comparison could not be read: %1").arg(message);
        m_summary->setText(m_summaryText.toHtmlEscaped());
        Q_EMIT statusMessage(m_summaryText);
    });
}

void RunCompareView::addShortcuts()
{
    connect(addShortcut(this, {QKeySequence(Qt::Key_J)}), &QAction::triggered, this, &RunCompareView::selectNext);
    connect(addShortcut(this, {QKeySequence(Qt::Key_K)}), &QAction::triggered, this, &RunCompareView::selectPrevious);
    connect(addShortcut(this, {QKeySequence(Qt::Key_R)}), &QAction::triggered, this, [this] {
        if (!selectNextRegression())
            Q_EMIT statusMessage(tr("No regression to show"));
    });
    connect(addShortcut(this, {QKeySequence(Qt::ALT | Qt::Key_S)}), &QAction::triggered, this,
            &RunCompareView::swapRuns);
}

void RunCompareView::setStore(store::EvalStore *store, store::Workspace *workspace)
{
    if (m_store)
        disconnect(m_store, nullptr, this, nullptr);
    m_store = store;
    if (m_store)
        connect(m_store, &store::EvalStore::runsChanged, this, &RunCompareView::refreshRuns);
    m_workspace = workspace;
    // The model is tied to its store and workspace: a new pair gets a new model.
    auto *model = new RunCompareModel(store, workspace, this);
    m_proxy->setSourceModel(model);
    delete m_model;
    m_model = model;
    connectModel();
    refreshRuns();
    updateSummary();
    clearDetails();
}

QString RunCompareView::runLabel(qint64 runId) const
{
    if (!m_store)
        return tr("run %1").arg(runId);
    const std::optional<store::RunRecord> run = m_store->run(runId);
    if (!run)
        return tr("run %1 (gone)").arg(runId);
    QString label = QStringLiteral("#%1").arg(run->id);
    if (!run->name.isEmpty())
        label += QLatin1Char(' ') + run->name;
    if (!run->model.isEmpty())
        label += QStringLiteral(" \u00b7 ") + run->model;
    return label;
}

void RunCompareView::refreshRuns()
{
    const qint64 base = baseRunId();
    const qint64 candidate = candidateRunId();
    const QSignalBlocker blockBase(m_baseCombo);
    const QSignalBlocker blockCandidate(m_candidateCombo);
    m_baseCombo->clear();
    m_candidateCombo->clear();
    if (!m_store)
        return;
    for (const store::RunRecord &run : m_store->runs()) {
        const QString label = runLabel(run.id);
        m_baseCombo->addItem(label, run.id);
        m_candidateCombo->addItem(label, run.id);
    }
    m_baseCombo->setCurrentIndex(m_baseCombo->findData(base));
    m_candidateCombo->setCurrentIndex(m_candidateCombo->findData(candidate));
}

qint64 RunCompareView::baseRunId() const
{
    return m_baseCombo->currentIndex() < 0 ? 0 : m_baseCombo->currentData().toLongLong();
}

qint64 RunCompareView::candidateRunId() const
{
    return m_candidateCombo->currentIndex() < 0 ? 0 : m_candidateCombo->currentData().toLongLong();
}

bool RunCompareView::isLoading() const
{
    return m_model->isLoading();
}

void RunCompareView::compare(qint64 baseRunId, qint64 candidateRunId)
{
    {
        const QSignalBlocker blockBase(m_baseCombo);
        const QSignalBlocker blockCandidate(m_candidateCombo);
        if (m_baseCombo->findData(baseRunId) < 0 || m_candidateCombo->findData(candidateRunId) < 0)
            refreshRuns();
        m_baseCombo->setCurrentIndex(m_baseCombo->findData(baseRunId));
        m_candidateCombo->setCurrentIndex(m_candidateCombo->findData(candidateRunId));
    }
    clearDetails();
    m_model->compare(baseRunId, candidateRunId);
    updateSummary();
}

void RunCompareView::onRunChosen()
{
    const qint64 base = baseRunId();
    const qint64 candidate = candidateRunId();
    if (base != 0 && candidate != 0)
        compare(base, candidate);
}

void RunCompareView::swapRuns()
{
    const qint64 base = baseRunId();
    const qint64 candidate = candidateRunId();
    if (base == 0 || candidate == 0)
        return;
    compare(candidate, base);
}

void RunCompareView::onLoaded()
{
    updateSummary();
    // Sized on what is there (the header samples at most its precision's worth of rows).
    m_table->horizontalHeader()->setResizeContentsPrecision(200);
    m_table->resizeColumnsToContents();
    if (m_proxy->rowCount() > 0)
        selectRow(0);
    Q_EMIT comparisonLoaded(m_model->baseRunId(), m_model->candidateRunId(), m_model->rowCount());
}

void RunCompareView::updateSummary()
{
    const RunCompareModel::Counts counts = m_model->counts();
    // The filter buttons carry their counts too.
    for (const FilterSpec &spec : kFilters) {
        if (QAbstractButton *button = m_filters->button(filterId(spec.change))) {
            const qint64 count = spec.change ? counts.of(*spec.change) : counts.total();
            button->setText(QStringLiteral("%1 (%2)").arg(tr(spec.label), QLocale().toString(count)));
        }
    }
    m_criteriaSummary->clear();
    if (m_model->baseRunId() == 0 && m_model->candidateRunId() == 0) {
        m_summaryText = tr("Choose a base run and a candidate run to compare.");
        m_summary->setText(m_summaryText.toHtmlEscaped());
        return;
    }
    const QString runs = tr("%1 \u2192 %2").arg(runLabel(m_model->baseRunId()), runLabel(m_model->candidateRunId()));
    if (m_model->isLoading()) {
        m_summaryText = tr("%1: reading the items\u2026").arg(runs);
        m_summary->setText(m_summaryText.toHtmlEscaped());
        return;
    }
    using C = Change;
    const QString regressions = plural(counts.of(C::Regression), tr("regression"), tr("regressions"));
    const QString improvements = plural(counts.of(C::Improvement), tr("improvement"), tr("improvements"));
    const qint64 unchanged = counts.of(C::UnchangedPass) + counts.of(C::UnchangedFail);
    const QString rest = tr("%1 unchanged (%2 pass, %3 fail) \u00b7 %4 \u00b7 %5 only in base \u00b7 %6 only in candidate")
                             .arg(QLocale().toString(unchanged), QLocale().toString(counts.of(C::UnchangedPass)),
                                  QLocale().toString(counts.of(C::UnchangedFail)),
                                  tr("%1 errored").arg(QLocale().toString(counts.of(C::Errored))),
                                  QLocale().toString(counts.of(C::OnlyInBase)),
                                  QLocale().toString(counts.of(C::OnlyInCandidate)));
    // Arrows and words carry the meaning as well as the colours.
    const QString down = QString::fromUtf8("\u25bc ");
    const QString up = QString::fromUtf8("\u25b2 ");
    QStringList perCriterion;
    const QStringList criteria = m_model->criteria();
    const auto &stats = m_model->criterionStats();
    for (qsizetype k = 0; k < criteria.size() && static_cast<std::size_t>(k) < stats.size(); ++k) {
        const auto &criterion = stats[static_cast<std::size_t>(k)];
        const QString mean = criterion.meanDelta
                                 ? tr("mean score %1").arg((*criterion.meanDelta > 0 ? QStringLiteral("+") : QString()) +
                                                           QLocale().toString(*criterion.meanDelta, 'g', 3))
                                 : tr("no scores in both runs");
        perCriterion << tr("%1: %2, %3 passed → not, %4 not → passed")
                            .arg(criteria[k], mean, QLocale().toString(criterion.regressions),
                                 QLocale().toString(criterion.improvements));
    }
    m_criteriaSummary->setText(perCriterion.join(QStringLiteral(" · ")));
    m_criteriaSummary->setVisible(!perCriterion.isEmpty());

    // The runs are in the header's choosers; this line is the counts only.
    const QString items = plural(counts.total(), tr("item"), tr("items"));
    m_summaryText =
        QStringLiteral("%1: %2%3 \u00b7 %4%5 \u00b7 %6").arg(items, down, regressions, up, improvements, rest);
    m_summary->setText(
        QStringLiteral("%1: <span style=\"color:%2; font-weight:600;\">%3%4</span> \u00b7 "
                       "<span style=\"color:%5; font-weight:600;\">%6%7</span> \u00b7 %8")
            .arg(items.toHtmlEscaped(), QLatin1String(kRegressionColor), down, regressions.toHtmlEscaped(),
                 QLatin1String(kImprovementColor), up, improvements.toHtmlEscaped(), rest.toHtmlEscaped()));
}

void RunCompareView::setChangeFilter(std::optional<Change> change)
{
    if (QAbstractButton *button = m_filters->button(filterId(change)))
        button->setChecked(true);
    const qint64 item = currentRow() >= 0
                            ? m_proxy->index(currentRow(), 0).data(RunCompareModel::role(RunCompareModel::Role::DatasourceItemId)).toLongLong()
                            : -1;
    if (change)
        m_proxy->setChangeFilter(*change);
    else
        m_proxy->clearChangeFilter();
    // Keep the item in view when it passes the filter; else the first one that does.
    int row = -1;
    const int sourceRow = item >= 0 ? m_model->rowForItem(item) : -1;
    if (sourceRow >= 0)
        row = m_proxy->mapFromSource(m_model->index(sourceRow, 0)).row();
    if (row < 0 && m_proxy->rowCount() > 0)
        row = 0;
    if (row >= 0)
        selectRow(row);
    else
        clearDetails();
}

std::optional<RunCompareView::Change> RunCompareView::changeFilter() const
{
    const QList<Change> changes = m_proxy->changeFilter();
    if (changes.size() != 1)
        return std::nullopt;
    return changes.first();
}

QAbstractButton *RunCompareView::filterButton(std::optional<Change> change) const
{
    return m_filters->button(filterId(change));
}

int RunCompareView::currentRow() const
{
    const QModelIndex current = m_table->currentIndex();
    return current.isValid() ? current.row() : -1;
}

void RunCompareView::selectRow(int proxyRow)
{
    if (proxyRow < 0 || proxyRow >= m_proxy->rowCount())
        return;
    const int column = std::max(0, m_table->currentIndex().column());
    const QModelIndex index = m_proxy->index(proxyRow, column);
    m_table->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->scrollTo(index);
}

bool RunCompareView::selectNext()
{
    const int row = currentRow() + 1;
    if (row >= m_proxy->rowCount())
        return false;
    selectRow(row);
    return true;
}

bool RunCompareView::selectPrevious()
{
    const int row = currentRow() - 1;
    if (row < 0)
        return false;
    selectRow(row);
    return true;
}

bool RunCompareView::selectNextRegression()
{
    const int rows = m_proxy->rowCount();
    const int start = currentRow();
    for (int step = 1; step <= rows; ++step) {
        const int row = (start + step) % rows;
        const QModelIndex source = m_proxy->mapToSource(m_proxy->index(row, 0));
        if (m_model->change(source.row()) == Change::Regression) {
            selectRow(row);
            return true;
        }
    }
    return false;
}

QString RunCompareView::summaryText() const
{
    return m_summaryText;
}

QString RunCompareView::criteriaSummaryText() const
{
    return m_criteriaSummary->text();
}

QString RunCompareView::diffHtml() const
{
    return m_diffHtml;
}

void RunCompareView::clearDetails()
{
    m_itemTitle->setText(tr("No item chosen"));
    m_baseOutput->clear();
    m_candidateOutput->clear();
    m_diffHtml.clear();
    m_diff->clear();
    m_criteria->setRowCount(0);
}

void RunCompareView::showCurrent()
{
    const int row = currentRow();
    if (row < 0) {
        clearDetails();
        return;
    }
    const int source = m_proxy->mapToSource(m_proxy->index(row, 0)).row();
    if (source < 0) {
        clearDetails();
        return;
    }
    const Change change = m_model->change(source);
    m_itemTitle->setText(tr("Item #%1 \u00b7 %2: %3 \u2192 %4")
                             .arg(m_model->datasourceItemId(source))
                             .arg(RunCompareModel::changeName(change), statusWord(m_model->baseStatus(source)),
                                  statusWord(m_model->candidateStatus(source))));

    // One indexed lookup per run for the full items: cheap enough for the GUI thread.
    const RunCompareModel::Records records = m_model->records(source);
    const QString before = records.base ? report::outputText(*records.base) : QString();
    const QString after = records.candidate ? report::outputText(*records.candidate) : QString();
    m_baseOutput->setPlainText(outputOf(records.base, tr("(not in the base run)")));
    m_candidateOutput->setPlainText(outputOf(records.candidate, tr("(not in the candidate run)")));
    m_diffHtml = diffToHtml(report::wordDiff(before, after));
    m_diff->setHtml(m_diffHtml);

    const QStringList criteria = m_model->criteria();
    m_criteria->setRowCount(static_cast<int>(criteria.size()));
    for (int c = 0; c < criteria.size(); ++c) {
        const auto state = [&](bool base) {
            return base ? m_model->baseState(source, c) : m_model->candidateState(source, c);
        };
        const std::optional<double> delta = m_model->delta(source, c);
        QString deltaText;
        if (delta)
            deltaText = (*delta > 0 ? QStringLiteral("+") : QString()) + QLocale().toString(*delta, 'g', 4);
        const QStringList cells = {criteria[c], scoreText(m_model->baseScore(source, c), state(true)),
                                   scoreText(m_model->candidateScore(source, c), state(false)), deltaText};
        for (int column = 0; column < cells.size(); ++column) {
            auto *cell = new QTableWidgetItem(cells[column]); // plain text, never HTML
            if (column == 2) {
                const bool passedBefore = state(true) == RunCompareModel::CriterionState::Passed;
                const bool passedAfter = state(false) == RunCompareModel::CriterionState::Passed;
                if (passedBefore && !passedAfter)
                    cell->setForeground(QColor(QLatin1String(kRegressionColor)));
                else if (!passedBefore && passedAfter && state(true) != RunCompareModel::CriterionState::Missing)
                    cell->setForeground(QColor(QLatin1String(kImprovementColor)));
            }
            m_criteria->setItem(c, column, cell);
        }
    }
}

} // namespace assay::ui
