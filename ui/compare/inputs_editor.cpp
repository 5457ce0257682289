#include "ui/compare/inputs_editor.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QStyle>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include "models/dataset/dataset_document.h"

namespace assay::ui {

namespace {

QToolButton *button(QWidget *parent, const QString &text, const QString &tip, const QString &name)
{
    auto *b = new QToolButton(parent);
    b->setObjectName(name);
    b->setText(text);
    b->setToolTip(tip);
    b->setAutoRaise(true);
    b->setToolButtonStyle(Qt::ToolButtonTextOnly);
    return b;
}

const nlohmann::json *findPath(const nlohmann::json &row, const QString &path)
{
    if (row.is_object()) {
        const auto whole = row.find(path.toStdString());
        if (whole != row.end())
            return &*whole;
    }
    const nlohmann::json *node = &row;
    for (const QString &step : path.split(QLatin1Char('.'))) {
        if (!node->is_object())
            return nullptr;
        const auto it = node->find(step.toStdString());
        if (it == node->end())
            return nullptr;
        node = &*it;
    }
    return node;
}

void setPath(nlohmann::json &row, const QString &path, const nlohmann::json &value)
{
    nlohmann::json *node = &row;
    const QStringList steps = path.split(QLatin1Char('.'));
    for (qsizetype i = 0; i + 1 < steps.size(); ++i) {
        nlohmann::json &next = (*node)[steps.at(i).toStdString()];
        if (!next.is_object())
            next = nlohmann::json::object();
        node = &next;
    }
    (*node)[steps.last().toStdString()] = value;
}

} // namespace

InputsEditor::InputsEditor(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("compareInputs"));
    m_table = new QTableWidget(this);
    m_table->setObjectName(QStringLiteral("inputsTable"));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_table->horizontalHeader()->setDefaultSectionSize(180);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    m_table->setWordWrap(false);

    auto *title = new QLabel(tr("<b>Inputs</b>"), this);
    m_add = button(this, tr("Add row"), tr("Add a row of variable values"), QStringLiteral("addInputRow"));
    m_remove = button(this, tr("Remove"), tr("Remove the selected rows (Del)"), QStringLiteral("removeInputRows"));
    m_load = button(this, tr("Load from dataset…"), tr("Take the input rows from a JSONL, CSV or JSON file"),
                    QStringLiteral("loadInputs"));
    m_hint = new QLabel(this);
    m_hint->setObjectName(QStringLiteral("inputsHint"));
    m_hint->setTextFormat(Qt::PlainText);
    QPalette muted = m_hint->palette();
    muted.setColor(QPalette::WindowText, palette().color(QPalette::PlaceholderText));
    m_hint->setPalette(muted);

    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(0, 0, 0, 0);
    bar->setSpacing(4);
    bar->addWidget(title);
    bar->addSpacing(8);
    bar->addWidget(m_add);
    bar->addWidget(m_remove);
    bar->addWidget(m_load);
    bar->addStretch(1);
    bar->addWidget(m_hint);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(bar);
    layout->addWidget(m_table, 1);

    connect(m_add, &QToolButton::clicked, this, &InputsEditor::addRow);
    connect(m_remove, &QToolButton::clicked, this, &InputsEditor::removeSelectedRows);
    connect(m_load, &QToolButton::clicked, this, &InputsEditor::chooseFile);
    connect(m_table, &QTableWidget::itemChanged, this, [this](QTableWidgetItem *item) {
        if (!m_filling && item)
            Q_EMIT rowValuesEdited(item->row());
    });
    rebuildColumns({});
    m_table->setRowCount(1);
}

InputsEditor::~InputsEditor() = default;

QStringList InputsEditor::columns() const
{
    QStringList all = m_variables;
    for (const QString &extra : m_extraColumns) {
        if (!all.contains(extra))
            all << extra;
    }
    return all;
}

void InputsEditor::setVariableNames(const QStringList &names)
{
    if (names == m_variables)
        return;
    const std::vector<nlohmann::json> current = rows();
    // A variable no longer used keeps its values as an extra column: nothing typed is lost.
    QStringList extra = m_extraColumns;
    for (const QString &old : std::as_const(m_variables)) {
        if (!names.contains(old) && !extra.contains(old))
            extra << old;
    }
    m_variables = names;
    m_extraColumns.clear();
    for (const QString &e : std::as_const(extra)) {
        if (!names.contains(e))
            m_extraColumns << e;
    }
    // Drop extra columns that hold nothing at all.
    QStringList kept;
    for (const QString &e : std::as_const(m_extraColumns)) {
        for (const nlohmann::json &row : current) {
            if (!cellText(row, e).isEmpty()) {
                kept << e;
                break;
            }
        }
    }
    m_extraColumns = kept;
    setRows(current);
}

void InputsEditor::rebuildColumns(const QStringList &extra)
{
    for (const QString &e : extra) {
        if (!m_variables.contains(e) && !m_extraColumns.contains(e))
            m_extraColumns << e;
    }
    const QStringList all = columns();
    m_table->setColumnCount(int(all.size()));
    m_table->setHorizontalHeaderLabels(all);
    for (int c = 0; c < all.size(); ++c) {
        auto *header = m_table->horizontalHeaderItem(c);
        const bool used = m_variables.contains(all.at(c));
        header->setToolTip(used ? tr("{{%1}} in the prompts").arg(all.at(c))
                                : tr("%1: not used by any variant's prompt").arg(all.at(c)));
        QFont font = m_table->font();
        font.setItalic(!used);
        header->setFont(font);
    }
    updateHint();
}

std::vector<nlohmann::json> InputsEditor::rows() const
{
    std::vector<nlohmann::json> result;
    result.reserve(std::size_t(m_table->rowCount()));
    for (int r = 0; r < m_table->rowCount(); ++r)
        result.push_back(rowValues(r));
    return result;
}

nlohmann::json InputsEditor::rowValues(int r) const
{
    const QStringList all = columns();
    nlohmann::json row = nlohmann::json::object();
    for (int c = 0; c < all.size() && c < m_table->columnCount(); ++c) {
        const QTableWidgetItem *item = m_table->item(r, c);
        const QString text = item ? item->text() : QString();
        if (!text.isEmpty() || m_variables.contains(all.at(c)))
            setPath(row, all.at(c), cellValue(text));
    }
    return row;
}

void InputsEditor::setRows(const std::vector<nlohmann::json> &rows)
{
    m_filling = true;
    rebuildColumns({});
    const QStringList all = columns();
    m_table->setRowCount(int(rows.size()));
    for (int r = 0; r < int(rows.size()); ++r) {
        for (int c = 0; c < all.size(); ++c)
            m_table->setItem(r, c, new QTableWidgetItem(cellText(rows.at(std::size_t(r)), all.at(c))));
    }
    m_filling = false;
    updateHint();
}

int InputsEditor::rowCount() const
{
    return m_table->rowCount();
}

void InputsEditor::addRow()
{
    const int row = m_table->rowCount();
    m_table->insertRow(row);
    m_table->setCurrentCell(row, 0);
    updateHint();
    Q_EMIT rowInserted(row);
}

void InputsEditor::removeSelectedRows()
{
    QList<int> selected;
    for (const QModelIndex &index : m_table->selectionModel()->selectedRows())
        selected << index.row();
    std::sort(selected.begin(), selected.end(), std::greater<int>());
    for (const int row : std::as_const(selected)) {
        // One row always remains: a comparison with no inputs still sends the prompts once.
        if (m_table->rowCount() <= 1)
            break;
        m_table->removeRow(row);
        Q_EMIT rowRemoved(row);
    }
    updateHint();
}

void InputsEditor::chooseFile()
{
    auto *dialog = new QFileDialog(this, tr("Load inputs from dataset"), QString(),
                                   tr("Datasets (*.jsonl *.ndjson *.csv *.json);;All files (*)"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::ExistingFile);
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &path) {
        QString error;
        if (!loadFromFile(path, &error))
            Q_EMIT loadFailed(error);
    });
    dialog->open();
}

bool InputsEditor::loadFromFile(const QString &path, QString *error)
{
    delete m_loading;
    m_loading = new dataset::DatasetDocument(this);
    if (!m_loading->open(path, error, dataset::DatasetDocument::IndexMode::Background)) {
        delete m_loading;
        m_loading = nullptr;
        return false;
    }
    m_load->setEnabled(false);
    m_hint->setText(tr("Reading %1…").arg(QFileInfo(path).fileName()));
    connect(m_loading, &dataset::DatasetDocument::rowsIndexed, this, [this](qint64 total) {
        // Enough rows for a matrix: stop reading the rest of a large file.
        if (total >= MaxLoadedRows && m_loading && m_loading->isIndexing())
            m_loading->cancelIndexing();
    });
    connect(m_loading, &dataset::DatasetDocument::indexFinished, this, &InputsEditor::finishLoad,
            Qt::QueuedConnection);
    return true;
}

void InputsEditor::finishLoad()
{
    dataset::DatasetDocument *document = m_loading;
    if (!document)
        return;
    m_loading = nullptr;
    m_load->setEnabled(true);
    const QString path = document->path();
    const qint64 total = document->rowCount();
    const qint64 count = std::min<qint64>(total, MaxLoadedRows);
    std::vector<nlohmann::json> items;
    items.reserve(std::size_t(count));
    int bad = 0;
    for (qint64 r = 0; r < count; ++r) {
        const dataset::ParsedRow parsed = document->parsedRow(r);
        if (parsed.isBad()) {
            ++bad;
            continue;
        }
        items.push_back(nlohmann::json::parse(parsed.item.dump()));
    }
    const QStringList fileColumns = document->columns();
    document->deleteLater();
    if (items.empty()) {
        Q_EMIT loadFailed(tr("%1 has no readable rows.").arg(QFileInfo(path).fileName()));
        updateHint();
        return;
    }
    // Columns the variants use come first; the dataset's other columns follow.
    m_extraColumns.clear();
    m_filling = true;
    rebuildColumns(fileColumns);
    m_filling = false;
    setRows(items);
    QString message = tr("Loaded %1 input rows from %2").arg(items.size()).arg(QFileInfo(path).fileName());
    if (total > count)
        message += tr(" (the first %1 of %2)").arg(count).arg(total);
    if (bad > 0)
        message += tr("; %1 unreadable rows skipped").arg(bad);
    Q_EMIT statusMessage(message);
    Q_EMIT rowsReplaced();
    Q_EMIT loaded(int(items.size()), path);
}

void InputsEditor::updateHint()
{
    if (m_loading)
        return;
    if (m_variables.isEmpty())
        m_hint->setText(tr("No {{variables}} in the prompts: every column gets the same prompt."));
    else
        m_hint->setText((m_table->rowCount() == 1 ? tr("1 row") : tr("%1 rows").arg(m_table->rowCount())));
}

QString InputsEditor::cellText(const nlohmann::json &row, const QString &path)
{
    const nlohmann::json *value = findPath(row, path);
    if (!value || value->is_null())
        return {};
    if (value->is_string())
        return QString::fromStdString(value->get<std::string>());
    return QString::fromStdString(value->dump());
}

nlohmann::json InputsEditor::cellValue(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed.startsWith(QLatin1Char('{')) || trimmed.startsWith(QLatin1Char('['))) {
        nlohmann::json parsed = nlohmann::json::parse(trimmed.toStdString(), nullptr, false);
        if (!parsed.is_discarded())
            return parsed;
    }
    return text.toStdString();
}

} // namespace assay::ui
