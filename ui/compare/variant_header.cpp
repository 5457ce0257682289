#include "ui/compare/variant_header.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QSpinBox>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>

#include "ui/editor/prompt_editor.h"
#include "ui/panels/parameters_panel.h"
#include "ui/widgets/message_card.h"

namespace assay::ui {

namespace {

QToolButton *toolButton(QWidget *parent, QStyle::StandardPixmap icon, const QString &tip, const QString &name)
{
    auto *button = new QToolButton(parent);
    button->setObjectName(name);
    button->setIcon(parent->style()->standardIcon(icon, nullptr, parent));
    button->setToolTip(tip);
    button->setAccessibleName(tip);
    button->setAutoRaise(true);
    return button;
}

QString formatNumber(double value)
{
    return QString::number(value, 'g', 3);
}

} // namespace

VariantHeader::VariantHeader(QWidget *parent) : QFrame(parent)
{
    setObjectName(QStringLiteral("variantHeader"));
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);

    m_name = new QLineEdit(this);
    m_name->setObjectName(QStringLiteral("variantName"));
    m_name->setFrame(false);
    m_name->setPlaceholderText(tr("Variant name"));
    m_name->setToolTip(tr("Name of this variant (click to rename)"));
    QFont nameFont = m_name->font();
    nameFont.setBold(true);
    m_name->setFont(nameFont);

    m_badge = new QLabel(tr("Baseline"), this);
    m_badge->setObjectName(QStringLiteral("baselineBadge"));
    m_badge->setToolTip(tr("Other columns are compared against this one"));
    m_badge->setStyleSheet(QStringLiteral("QLabel { background:#0969da; color:white; border-radius:3px; "
                                          "padding:1px 5px; font-size:80%; font-weight:600; }"));
    m_badge->setVisible(false);

    m_run = toolButton(this, QStyle::SP_MediaPlay, tr("Run this column"), QStringLiteral("runColumn"));
    m_stop = toolButton(this, QStyle::SP_MediaStop, tr("Stop this column"), QStringLiteral("stopColumn"));
    m_stop->setEnabled(false);
    m_edit = toolButton(this, QStyle::SP_FileDialogDetailedView, tr("Edit prompt, model and parameters"),
                        QStringLiteral("editColumn"));
    m_edit->setCheckable(true);
    m_more = new QToolButton(this);
    m_more->setObjectName(QStringLiteral("columnMenu"));
    m_more->setText(QStringLiteral("⋯"));
    m_more->setToolTip(tr("More actions for this column"));
    m_more->setAutoRaise(true);
    m_more->setPopupMode(QToolButton::InstantPopup);
    auto *menu = new QMenu(m_more);
    m_duplicateAction = menu->addAction(tr("&Duplicate"));
    m_duplicateAction->setObjectName(QStringLiteral("duplicateColumn"));
    m_baselineAction = menu->addAction(tr("Set as &baseline"));
    m_baselineAction->setObjectName(QStringLiteral("setBaseline"));
    QAction *allParameters = menu->addAction(tr("All &parameters…"));
    allParameters->setObjectName(QStringLiteral("allParameters"));
    menu->addSeparator();
    m_removeAction = menu->addAction(tr("&Remove"));
    m_removeAction->setObjectName(QStringLiteral("removeColumn"));
    m_more->setMenu(menu);

    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("variantSummary"));
    m_summary->setTextFormat(Qt::PlainText);
    m_summary->setWordWrap(true);
    QPalette muted = m_summary->palette();
    muted.setColor(QPalette::WindowText, palette().color(QPalette::PlaceholderText));
    m_summary->setPalette(muted);

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("variantStatus"));
    m_status->setTextFormat(Qt::PlainText);
    m_status->setPalette(muted);

    auto *top = new QHBoxLayout;
    top->setContentsMargins(0, 0, 0, 0);
    top->setSpacing(2);
    top->addWidget(m_name, 1);
    top->addWidget(m_badge);
    top->addWidget(m_run);
    top->addWidget(m_stop);
    top->addWidget(m_edit);
    top->addWidget(m_more);

    auto *bottom = new QHBoxLayout;
    bottom->setContentsMargins(0, 0, 0, 0);
    bottom->addWidget(m_summary, 1);
    bottom->addWidget(m_status);

    buildEditor();

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 4, 6, 4);
    layout->setSpacing(2);
    layout->addLayout(top);
    layout->addLayout(bottom);
    layout->addWidget(m_editor);

    connect(m_name, &QLineEdit::textEdited, this, [this](const QString &text) {
        m_variant.name = text;
        Q_EMIT edited();
    });
    connect(m_run, &QToolButton::clicked, this, &VariantHeader::runRequested);
    connect(m_stop, &QToolButton::clicked, this, &VariantHeader::stopRequested);
    connect(m_edit, &QToolButton::toggled, this, &VariantHeader::setEditorVisible);
    connect(m_duplicateAction, &QAction::triggered, this, &VariantHeader::duplicateRequested);
    connect(m_removeAction, &QAction::triggered, this, &VariantHeader::removeRequested);
    connect(m_baselineAction, &QAction::triggered, this, &VariantHeader::baselineRequested);
    connect(allParameters, &QAction::triggered, this, &VariantHeader::openAllParameters);
    updateSummary();
}

void VariantHeader::buildEditor()
{
    m_editor = new QWidget(this);
    m_editor->setObjectName(QStringLiteral("variantEditor"));
    m_editor->setVisible(false);

    m_api = new QComboBox(m_editor);
    m_api->setObjectName(QStringLiteral("variantApi"));
    m_api->addItem(tr("Responses"), static_cast<int>(api::ApiKind::Responses));
    m_api->addItem(tr("Chat Completions"), static_cast<int>(api::ApiKind::ChatCompletions));
    m_model = new QComboBox(m_editor);
    m_model->setObjectName(QStringLiteral("variantModel"));
    m_model->setEditable(true);
    m_model->setInsertPolicy(QComboBox::NoInsert);
    m_model->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_model->setMinimumContentsLength(10);

    m_temperatureOn = new QCheckBox(tr("Temperature"), m_editor);
    m_temperature = new QDoubleSpinBox(m_editor);
    m_temperature->setObjectName(QStringLiteral("variantTemperature"));
    m_temperature->setRange(0.0, 2.0);
    m_temperature->setSingleStep(0.1);
    m_temperature->setDecimals(2);
    m_maxTokensOn = new QCheckBox(tr("Max output"), m_editor);
    m_maxTokens = new QSpinBox(m_editor);
    m_maxTokens->setObjectName(QStringLiteral("variantMaxTokens"));
    m_maxTokens->setRange(1, 1'000'000);
    m_maxTokens->setValue(1024);
    m_effort = new QComboBox(m_editor);
    m_effort->setObjectName(QStringLiteral("variantEffort"));
    m_effort->addItem(tr("(default)"), QString());
    for (const char *effort : {"minimal", "low", "medium", "high"})
        m_effort->addItem(QLatin1String(effort), QLatin1String(effort));

    auto *form = new QFormLayout;
    form->setContentsMargins(0, 0, 0, 0);
    form->setHorizontalSpacing(6);
    form->setVerticalSpacing(3);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("API"), m_api);
    form->addRow(tr("Model"), m_model);
    form->addRow(m_temperatureOn, m_temperature);
    form->addRow(m_maxTokensOn, m_maxTokens);
    form->addRow(tr("Reasoning"), m_effort);

    m_ownPrompt = new QCheckBox(tr("Own prompt"), m_editor);
    m_ownPrompt->setObjectName(QStringLiteral("variantOwnPrompt"));
    m_ownPrompt->setToolTip(tr("Off: this column sends the shared prompt (editing it here edits it for every "
                               "column that shares it). On: this column has a prompt of its own."));
    form->addRow(QString(), m_ownPrompt);

    m_instructions = new PromptEditor(m_editor);
    m_instructions->setObjectName(QStringLiteral("variantInstructions"));
    m_instructions->setPlaceholderText(tr("Instructions (developer message)"));
    m_instructions->setLineRange(2, 8);

    m_messagesLayout = new QVBoxLayout;
    m_messagesLayout->setContentsMargins(0, 0, 0, 0);
    m_messagesLayout->setSpacing(4);
    m_addMessage = new QPushButton(tr("Add message"), m_editor);
    m_addMessage->setObjectName(QStringLiteral("variantAddMessage"));
    m_addMessage->setFlat(true);

    auto *layout = new QVBoxLayout(m_editor);
    layout->setContentsMargins(0, 6, 0, 2);
    layout->setSpacing(4);
    layout->addLayout(form);
    layout->addWidget(m_instructions);
    layout->addLayout(m_messagesLayout);
    layout->addWidget(m_addMessage, 0, Qt::AlignLeft);

    connect(m_api, &QComboBox::currentIndexChanged, this, &VariantHeader::editorChanged);
    connect(m_model, &QComboBox::currentTextChanged, this, &VariantHeader::editorChanged);
    connect(m_temperatureOn, &QCheckBox::toggled, this, &VariantHeader::editorChanged);
    connect(m_temperature, &QDoubleSpinBox::valueChanged, this, &VariantHeader::editorChanged);
    connect(m_maxTokensOn, &QCheckBox::toggled, this, &VariantHeader::editorChanged);
    connect(m_maxTokens, &QSpinBox::valueChanged, this, &VariantHeader::editorChanged);
    connect(m_effort, &QComboBox::currentIndexChanged, this, &VariantHeader::editorChanged);
    connect(m_ownPrompt, &QCheckBox::toggled, this, &VariantHeader::editorChanged);
    connect(m_instructions, &QsciScintilla::textChanged, this, &VariantHeader::editorChanged);
    connect(m_addMessage, &QPushButton::clicked, this, [this] {
        const bool afterUser = !m_cards.isEmpty() && m_cards.last()->role() == prompt::Role::User;
        addMessageCard({afterUser ? prompt::Role::Assistant : prompt::Role::User, QString()});
        m_cards.last()->editor()->setFocus();
        editorChanged();
    });
}

void VariantHeader::addMessageCard(const prompt::Message &message)
{
    auto *card = new MessageCard(m_editor);
    card->setMessage(message);
    card->editor()->setLineRange(2, 10);
    m_messagesLayout->addWidget(card);
    m_cards.append(card);
    connect(card, &MessageCard::changed, this, &VariantHeader::editorChanged);
    connect(card, &MessageCard::removeRequested, this, [this, card] {
        m_cards.removeAll(card);
        card->deleteLater();
        editorChanged();
    });
    // Moving messages is the playground's job; here the order is kept as loaded.
    for (int i = 0; i < m_cards.size(); ++i)
        m_cards.at(i)->setPosition(i, m_cards.size());
}

void VariantHeader::setVariant(const compare::ComparisonVariant &variant, const prompt::Conversation &effectivePrompt)
{
    m_variant = variant;
    m_conversation = effectivePrompt;
    if (m_name->text() != variant.name)
        m_name->setText(variant.name);
    m_name->setPlaceholderText(variant.displayName());
    loadEditor();
    updateSummary();
}

compare::ComparisonVariant VariantHeader::variant() const
{
    compare::ComparisonVariant result = m_variant;
    if (!result.useSharedPrompt)
        result.prompt = m_conversation;
    return result;
}

void VariantHeader::loadEditor()
{
    m_loading = true;
    m_api->setCurrentIndex(m_variant.parameters.api == api::ApiKind::ChatCompletions ? 1 : 0);
    m_model->setCurrentText(m_variant.parameters.model);
    m_temperatureOn->setChecked(m_variant.parameters.temperature.has_value());
    m_temperature->setValue(m_variant.parameters.temperature.value_or(1.0));
    m_maxTokensOn->setChecked(m_variant.parameters.maxOutputTokens.has_value());
    if (m_variant.parameters.maxOutputTokens)
        m_maxTokens->setValue(*m_variant.parameters.maxOutputTokens);
    const int effort = m_effort->findData(m_variant.parameters.reasoningEffort);
    m_effort->setCurrentIndex(effort >= 0 ? effort : 0);
    m_ownPrompt->setChecked(!m_variant.useSharedPrompt);
    if (m_instructions->text() != m_conversation.instructions)
        m_instructions->setPlainText(m_conversation.instructions);
    if (int(m_cards.size()) != int(m_conversation.messages.size())) {
        qDeleteAll(m_cards);
        m_cards.clear();
        for (const prompt::Message &message : m_conversation.messages)
            addMessageCard(message);
    } else {
        for (int i = 0; i < m_cards.size(); ++i) {
            if (m_cards.at(i)->message() != m_conversation.messages.at(std::size_t(i)))
                m_cards.at(i)->setMessage(m_conversation.messages.at(std::size_t(i)));
        }
    }
    m_temperature->setEnabled(m_temperatureOn->isChecked());
    m_maxTokens->setEnabled(m_maxTokensOn->isChecked());
    m_loading = false;
}

void VariantHeader::readEditor()
{
    m_variant.parameters.api = m_api->currentIndex() == 1 ? api::ApiKind::ChatCompletions : api::ApiKind::Responses;
    m_variant.parameters.model = m_model->currentText().trimmed();
    m_variant.parameters.temperature = m_temperatureOn->isChecked() ? std::optional<double>(m_temperature->value())
                                                            : std::nullopt;
    m_variant.parameters.maxOutputTokens = m_maxTokensOn->isChecked() ? std::optional<int>(m_maxTokens->value())
                                                              : std::nullopt;
    m_variant.parameters.reasoningEffort = m_effort->currentData().toString();
    m_variant.useSharedPrompt = !m_ownPrompt->isChecked();
    m_conversation.instructions = m_instructions->text();
    m_conversation.messages.clear();
    for (const MessageCard *card : std::as_const(m_cards))
        m_conversation.messages.push_back(card->message());
}

void VariantHeader::editorChanged()
{
    m_temperature->setEnabled(m_temperatureOn->isChecked());
    m_maxTokens->setEnabled(m_maxTokensOn->isChecked());
    if (m_loading)
        return;
    readEditor();
    updateSummary();
    Q_EMIT edited();
}

void VariantHeader::openAllParameters()
{
    auto *dialog = new QDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Parameters of %1").arg(m_variant.displayName()));
    auto *panel = new ParametersPanel(dialog);
    panel->setParameters(m_variant.parameters);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, dialog);
    auto *layout = new QVBoxLayout(dialog);
    layout->addWidget(panel, 1);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, dialog, [this, dialog, panel] {
        // The panel shows what is wrong next to the field; the dialog stays open until it is fixed.
        if (!panel->validationError().isEmpty())
            return;
        m_variant.parameters = panel->parameters();
        loadEditor();
        updateSummary();
        dialog->accept();
        Q_EMIT edited();
    });
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    dialog->resize(420, 640);
    dialog->open();
}

void VariantHeader::setBaseline(bool baseline)
{
    m_baseline = baseline;
    m_badge->setVisible(baseline);
    m_baselineAction->setEnabled(!baseline);
    setProperty("baseline", baseline);
    setFrameShadow(baseline ? QFrame::Sunken : QFrame::Plain);
}

void VariantHeader::setRunning(bool running)
{
    m_run->setEnabled(!running);
    m_stop->setEnabled(running);
}

void VariantHeader::setStatusText(const QString &status)
{
    m_status->setText(status);
}

void VariantHeader::setCanRemove(bool can)
{
    m_removeAction->setEnabled(can);
}

void VariantHeader::setCanDuplicate(bool can)
{
    m_duplicateAction->setEnabled(can);
}

void VariantHeader::setEditorVisible(bool visible)
{
    m_editor->setVisible(visible);
    if (m_edit->isChecked() != visible)
        m_edit->setChecked(visible);
}

bool VariantHeader::isEditorVisible() const
{
    return !m_editor->isHidden();
}

void VariantHeader::setAvailableModels(const QStringList &models)
{
    const QString current = m_model->currentText();
    m_loading = true;
    m_model->clear();
    m_model->addItems(models);
    m_model->setCurrentText(current);
    m_loading = false;
}

QString VariantHeader::summaryText(const prompt::RequestParameters &parameters)
{
    QStringList parts;
    parts << (parameters.model.isEmpty() ? tr("(no model)") : parameters.model);
    parts << (parameters.api == api::ApiKind::ChatCompletions ? tr("Chat") : tr("Responses"));
    if (parameters.temperature)
        parts << tr("T %1").arg(formatNumber(*parameters.temperature));
    if (parameters.topP)
        parts << tr("top-p %1").arg(formatNumber(*parameters.topP));
    if (parameters.maxOutputTokens)
        parts << tr("max %1").arg(*parameters.maxOutputTokens);
    if (!parameters.reasoningEffort.isEmpty())
        parts << tr("effort %1").arg(parameters.reasoningEffort);
    if (parameters.seed)
        parts << tr("seed %1").arg(*parameters.seed);
    if (!parameters.jsonSchema.is_null())
        parts << tr("JSON schema");
    if (parameters.tools.is_array() && !parameters.tools.empty())
        parts << (parameters.tools.size() == 1 ? tr("1 tool") : tr("%1 tools").arg(parameters.tools.size()));
    return parts.join(QStringLiteral(" · "));
}

void VariantHeader::updateSummary()
{
    const QString summary = summaryText(m_variant.parameters);
    m_summary->setText(summary);
    QString tip = summary;
    if (!m_conversation.instructions.isEmpty())
        tip += QLatin1Char('\n') + tr("Instructions: %1").arg(m_conversation.instructions.left(200));
    m_summary->setToolTip(tip);
}

} // namespace assay::ui
