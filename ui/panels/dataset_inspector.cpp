#include "ui/panels/dataset_inspector.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QStyle>
#include <QVBoxLayout>

#include "models/dataset/dataset_document.h"
#include "models/dataset/json_schema_validator.h"
#include "models/itemmodels/dataset_table_model.h"
#include "ui/editor/json_editor.h"
#include "ui/widgets/json_view.h"

namespace assay::ui {

using itemmodels::DatasetTableModel;
using Role = DatasetTableModel::Role;

DatasetInspector::DatasetInspector(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 4, 4, 4);
    layout->setSpacing(6);

    auto *header = new QHBoxLayout;
    m_title = new QLabel(this);
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    header->addWidget(m_title);
    m_badge = new QLabel(this);
    m_badge->setForegroundRole(QPalette::PlaceholderText);
    header->addWidget(m_badge, 1);
    layout->addLayout(header);

    m_problem = new QLabel(this);
    m_problem->setWordWrap(true);
    m_problem->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_problem->setAutoFillBackground(true);
    m_problem->setMargin(6);
    m_problem->hide();
    layout->addWidget(m_problem);

    m_schemaNotes = new QLabel(this);
    m_schemaNotes->setWordWrap(true);
    m_schemaNotes->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_schemaNotes->setAutoFillBackground(true);
    m_schemaNotes->setMargin(6);
    {
        QPalette pal = m_schemaNotes->palette();
        pal.setColor(QPalette::Window, QColor(0xff, 0xf4, 0xd6));
        pal.setColor(QPalette::WindowText, QColor(0x6d, 0x4c, 0x00));
        m_schemaNotes->setPalette(pal);
    }
    m_schemaNotes->hide();
    layout->addWidget(m_schemaNotes);

    m_editor = new JsonView(this);
    layout->addWidget(m_editor, 1);

    m_empty = new QLabel(tr("Select a row to see it whole."), this);
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(m_empty, 1);

    m_hint = new QLabel(this);
    m_hint->setWordWrap(true);
    m_hint->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(m_hint);

    auto *buttons = new QHBoxLayout;
    buttons->addStretch(1);
    m_revert = new QPushButton(tr("Revert"), this);
    m_revert->setToolTip(tr("Put back the row's text as it is in the dataset"));
    m_apply = new QPushButton(tr("Apply"), this);
    m_apply->setToolTip(tr("Replace the row with this text (undoable)"));
    buttons->addWidget(m_revert);
    buttons->addWidget(m_apply);
    layout->addLayout(buttons);

    connect(m_apply, &QPushButton::clicked, this, &DatasetInspector::applyEdit);
    connect(m_revert, &QPushButton::clicked, this, &DatasetInspector::refresh);
    connect(m_editor, &QsciScintilla::textChanged, this, [this]() {
        checkEditedText();
        updateButtons();
    });
    showRow(-1);
}

DatasetInspector::~DatasetInspector() = default;

void DatasetInspector::setSchema(const nlohmann::ordered_json &schema)
{
    if (schema.is_null())
        m_validator.reset();
    else
        m_validator = std::make_unique<dataset::JsonSchemaValidator>(schema);
    refresh();
}

QString DatasetInspector::schemaText() const
{
    return m_schemaNotes->isHidden() ? QString() : m_schemaNotes->text();
}

void DatasetInspector::setModel(DatasetTableModel *model)
{
    if (m_model)
        disconnect(m_model, nullptr, this, nullptr);
    m_model = model;
    if (model) {
        connect(model, &QObject::destroyed, this, [this]() {
            m_model = nullptr;
            showRow(-1);
        });
        connect(model, &QAbstractItemModel::dataChanged, this,
                [this](const QModelIndex &from, const QModelIndex &to) {
                    if (m_row >= from.row() && m_row <= to.row())
                        refresh();
                });
        connect(model, &QAbstractItemModel::modelReset, this, [this]() { showRow(-1); });
    }
    showRow(-1);
}

QString DatasetInspector::rowTextForEditor() const
{
    const dataset::DatasetDocument *document = m_model->document();
    const qint64 documentRow = m_model->documentRow(m_row);
    if (m_bad)
        return QString::fromStdString(document->rawText(documentRow));
    const dataset::ParsedRow parsed = document->parsedRow(documentRow);
    return QString::fromStdString(
        parsed.item.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
}

void DatasetInspector::showRow(int row)
{
    m_row = (m_model && row >= 0 && row < m_model->rowCount()) ? row : -1;
    m_problem->hide();
    m_schemaNotes->hide();
    if (m_row < 0) {
        m_title->setText(tr("No row selected"));
        m_badge->clear();
        m_bad = false;
        m_editable = false;
        m_editor->setReadOnly(true);
        m_editor->setJsonText(QString());
        m_editor->hide();
        m_shownText.clear();
        m_hint->clear();
        m_empty->show();
        updateButtons();
        return;
    }
    const dataset::DatasetDocument *document = m_model->document();
    const qint64 documentRow = m_model->documentRow(m_row);
    const dataset::ParsedRow parsed = document->parsedRow(documentRow);
    const qint64 line = document->lineNumber(documentRow);
    m_bad = parsed.isBad();
    m_title->setText(line > 0 ? tr("Line %L1").arg(line) : tr("New row"));
    QStringList badges;
    if (document->isEdited(documentRow) && line > 0)
        badges << tr("edited");
    if (parsed.wrapped)
        badges << tr("in {\"item\": …}");
    m_badge->setText(badges.join(QStringLiteral(" · ")));

    if (parsed.problem) {
        QPalette pal = m_problem->palette();
        pal.setColor(QPalette::Window, m_bad ? QColor(0xfd, 0xec, 0xea) : QColor(0xff, 0xf4, 0xd6));
        pal.setColor(QPalette::WindowText, m_bad ? QColor(0x8a, 0x1c, 0x1c) : QColor(0x6d, 0x4c, 0x00));
        m_problem->setPalette(pal);
        m_problem->setText((m_bad ? tr("This row cannot be read — %1") : tr("Warning — %1"))
                               .arg(parsed.problem->toString()));
        m_problem->show();
    }

    if (!m_bad && m_validator && m_validator->isValid()) {
        const QList<dataset::SchemaViolation> violations = m_validator->validate(parsed.item);
        if (!violations.isEmpty()) {
            QStringList lines;
            for (const dataset::SchemaViolation &violation : violations)
                lines << QStringLiteral("• ") + violation.toString().toHtmlEscaped();
            m_schemaNotes->setText(
                tr("<b>Does not match the item schema</b><br>%1").arg(lines.join(QStringLiteral("<br>"))));
            m_schemaNotes->show();
        }
    }

    // CSV rows are fixed as CSV text (only bad ones); JSON rows can always be edited as JSON.
    const bool csv = document->format() == dataset::DatasetFormat::Csv;
    m_editable = m_bad || !csv;
    m_editor->show();
    m_empty->hide();
    m_editor->setReadOnly(!m_editable);
    m_shownText = rowTextForEditor();
    m_editor->setJsonText(m_shownText);
    if (m_bad && parsed.problem && parsed.problem->column > 0) {
        const qint64 relativeLine = std::max<qint64>(1, parsed.problem->line - std::max<qint64>(line, 1) + 1);
        m_editor->markError(static_cast<int>(relativeLine), static_cast<int>(parsed.problem->column));
    }
    if (m_bad)
        m_hint->setText(tr("Fix the text above and press Apply; the row stays in the file until you do."));
    else if (m_editable)
        m_hint->setText(tr("Edit the item here and press Apply, or edit cells in the table."));
    else
        m_hint->setText(tr("Edit cells in the table (F2 or double-click)."));
    updateButtons();
}

void DatasetInspector::refresh()
{
    showRow(m_row);
}

QString DatasetInspector::problemText() const
{
    return m_problem->isHidden() ? QString() : m_problem->text();
}

void DatasetInspector::checkEditedText()
{
    if (!m_editable || m_row < 0 || !m_model)
        return;
    if (m_model->document()->format() == dataset::DatasetFormat::Csv)
        return;
    nlohmann::json parsed;
    JsonErrorLocation location;
    if (parseJson(m_editor->text(), parsed, location)) {
        m_editor->clearErrorMark();
        if (m_editor->text() != m_shownText)
            m_hint->setText(parsed.is_object() ? tr("Valid JSON — press Apply to use it.")
                                               : tr("A row must be a JSON object."));
    } else if (m_editor->text() != m_shownText) {
        m_editor->markError(location.line, location.column);
        m_hint->setText(location.describe());
    }
}

void DatasetInspector::updateButtons()
{
    const bool changed = m_row >= 0 && m_editable && m_editor->text() != m_shownText;
    m_apply->setVisible(m_editable);
    m_revert->setVisible(m_editable);
    m_apply->setEnabled(changed);
    m_revert->setEnabled(changed);
}

bool DatasetInspector::applyEdit()
{
    if (!m_model || m_row < 0 || !m_editable)
        return false;
    const dataset::DatasetDocument *document = m_model->document();
    const qint64 documentRow = m_model->documentRow(m_row);
    QString raw = m_editor->text();
    if (!m_bad) {
        // A good row is edited as its item; put the {"item": ...} wrapper back around it.
        const auto item = nlohmann::ordered_json::parse(raw.toStdString(), nullptr, false);
        if (item.is_discarded() || !item.is_object()) {
            Q_EMIT statusMessage(tr("The row was not changed: the text is not a JSON object."));
            return false;
        }
        nlohmann::ordered_json row = item;
        if (document->parsedRow(documentRow).wrapped)
            row = nlohmann::ordered_json{{"item", item}};
        raw = QString::fromStdString(
            row.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
    }
    const int row = m_row;
    const bool ok = m_model->setData(m_model->index(row, 0), raw, DatasetTableModel::role(Role::RawText));
    if (!ok) {
        Q_EMIT statusMessage(tr("The row was not changed."));
        return false;
    }
    const bool stillBad = m_model->index(row, 0).data(DatasetTableModel::role(Role::BadRow)).toBool();
    Q_EMIT statusMessage(stillBad ? tr("Row updated, but it still cannot be read.") : tr("Row updated."));
    showRow(row);
    return true;
}

} // namespace assay::ui
