#include "ui/dialogs/dataset_schema_dialog.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include "models/dataset/json_schema_validator.h"
#include "ui/editor/json_editor.h"
#include "ui/widgets/json_view.h"

namespace assay::ui {

DatasetSchemaDialog::DatasetSchemaDialog(QWidget *parent) : QDialog(parent)
{
    setWindowTitle(tr("Item schema"));
    resize(640, 620);
    auto *layout = new QVBoxLayout(this);
    m_origin = new QLabel(this);
    m_origin->setWordWrap(true);
    layout->addWidget(m_origin);
    m_editor = new JsonView(this);
    m_editor->setReadOnly(false);
    layout->addWidget(m_editor, 1);
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_status);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_infer = buttons->addButton(tr("Infer from rows"), QDialogButtonBox::ResetRole);
    m_infer->setToolTip(tr("Replace this schema with one inferred from every row"));
    m_save = buttons->addButton(tr("Save as…"), QDialogButtonBox::ActionRole);
    m_validate = buttons->addButton(tr("Validate rows"), QDialogButtonBox::ActionRole);
    m_use = buttons->addButton(tr("Use schema"), QDialogButtonBox::AcceptRole);
    m_use->setDefault(true);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_use, &QPushButton::clicked, this, [this]() {
        const nlohmann::ordered_json value = schema();
        if (value.is_null())
            return;
        Q_EMIT schemaAccepted(value);
        accept();
    });
    connect(m_validate, &QPushButton::clicked, this, [this]() {
        const nlohmann::ordered_json value = schema();
        if (value.is_null())
            return;
        Q_EMIT schemaAccepted(value);
        Q_EMIT validateRequested(value);
        accept();
    });
    connect(m_infer, &QPushButton::clicked, this, [this]() {
        Q_EMIT inferRequested();
        reject();
    });
    connect(m_save, &QPushButton::clicked, this, [this]() {
        const nlohmann::ordered_json value = schema();
        if (!value.is_null())
            Q_EMIT saveRequested(value);
    });
    connect(m_editor, &QsciScintilla::textChanged, this, &DatasetSchemaDialog::checkText);
}

void DatasetSchemaDialog::setSchema(const nlohmann::ordered_json &schema, const QString &origin)
{
    m_origin->setText(origin);
    m_editor->setJsonText(QString::fromStdString(schema.dump(2)));
    checkText();
}

nlohmann::ordered_json DatasetSchemaDialog::schema() const
{
    nlohmann::json parsed;
    JsonErrorLocation location;
    if (!parseJson(m_editor->text(), parsed, location) || !parsed.is_object())
        return nullptr;
    // Re-parse as ordered_json so the user's key order survives into the workspace.
    return nlohmann::ordered_json::parse(m_editor->text().toStdString(), nullptr, false);
}

QString DatasetSchemaDialog::error() const
{
    nlohmann::json parsed;
    JsonErrorLocation location;
    if (!parseJson(m_editor->text(), parsed, location))
        return location.describe();
    if (!parsed.is_object())
        return tr("A schema is a JSON object.");
    const dataset::JsonSchemaValidator validator(parsed);
    if (!validator.isValid())
        return validator.schemaError();
    return {};
}

void DatasetSchemaDialog::checkText()
{
    nlohmann::json parsed;
    JsonErrorLocation location;
    const bool parses = parseJson(m_editor->text(), parsed, location);
    if (parses)
        m_editor->clearErrorMark();
    else
        m_editor->markError(location.line, location.column);
    const QString problem = error();
    const bool ok = problem.isEmpty();
    m_status->setText(ok ? tr("Valid JSON Schema.") : problem);
    QPalette pal = m_status->palette();
    pal.setColor(QPalette::WindowText,
                 ok ? palette().color(QPalette::PlaceholderText) : QColor(0xc6, 0x28, 0x28));
    m_status->setPalette(pal);
    m_use->setEnabled(ok);
    m_validate->setEnabled(ok);
    m_save->setEnabled(ok);
}

} // namespace assay::ui
