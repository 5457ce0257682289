#include "ui/panels/parameters_panel.h"

#include <stdexcept>

#include <QCheckBox>
#include <QComboBox>
#include <QCompleter>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QIdentityProxyModel>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QRegularExpressionValidator>
#include <QScrollArea>
#include <QScrollBar>
#include <QSpinBox>
#include <QStyle>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include "models/itemmodels/model_list_model.h"
#include "models/prompt/request_builder.h"
#include "ui/editor/json_editor.h"
#include "ui/widgets/collapsible_section.h"

namespace assay::ui {

namespace {

constexpr int MaxMetadataKeyLength = 64;
constexpr int MaxMetadataValueLength = 512;

const QString &responsesName()
{
    static const QString name = QObject::tr("Responses");
    return name;
}

const QString &chatName()
{
    static const QString name = QObject::tr("Chat Completions");
    return name;
}

// Marks models that have an announced shutdown date in the model picker's list.
class ModelDecorationProxy : public QIdentityProxyModel {
public:
    using QIdentityProxyModel::QIdentityProxyModel;

    QVariant data(const QModelIndex &index, int role) const override
    {
        if (role == Qt::DecorationRole) {
            if (QIdentityProxyModel::data(index, itemmodels::ModelListModel::ShutdownDateRole).toDate().isValid())
                return m_warning;
            return {};
        }
        return QIdentityProxyModel::data(index, role);
    }

    void setWarningIcon(const QIcon &icon) { m_warning = icon; }

private:
    QIcon m_warning;
};

// A combo whose first entry means "leave the parameter out".
QComboBox *makeChoice(QWidget *parent, const char *objectName, const QStringList &values)
{
    auto *combo = new QComboBox(parent);
    combo->setObjectName(QLatin1String(objectName));
    combo->addItem(QObject::tr("Server default"), QString());
    combo->setItemData(0, QObject::tr("Not sent: the server's default applies"), Qt::ToolTipRole);
    for (const QString &value : values)
        combo->addItem(value, value);
    return combo;
}

QString choiceValue(const QComboBox *combo)
{
    return combo->currentData().toString();
}

// Selects `value`; an unknown value is added rather than dropped, so a loaded prompt keeps it.
void setChoice(QComboBox *combo, const QString &value)
{
    int index = combo->findData(value);
    if (index < 0) {
        combo->addItem(value, value);
        index = combo->count() - 1;
    }
    combo->setCurrentIndex(index);
}

QDoubleSpinBox *makeDouble(QWidget *parent, const char *objectName, double min, double max, double step, double value)
{
    auto *spin = new QDoubleSpinBox(parent);
    spin->setObjectName(QLatin1String(objectName));
    spin->setRange(min, max);
    spin->setSingleStep(step);
    spin->setDecimals(2);
    spin->setValue(value);
    spin->setAlignment(Qt::AlignRight);
    return spin;
}

QLabel *makeErrorLabel(QWidget *parent, const char *objectName)
{
    auto *label = new QLabel(parent);
    label->setObjectName(QLatin1String(objectName));
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QPalette pal = label->palette();
    pal.setColor(QPalette::WindowText, QColor(0xc6, 0x28, 0x28));
    label->setPalette(pal);
    label->setVisible(false);
    return label;
}

void showError(QLabel *label, const QString &error)
{
    label->setText(error);
    label->setVisible(!error.isEmpty());
}

// Stop sequences are edited one per line; \n, \t and \\ let a line hold a line break or a tab.
QString unescapeStop(const QString &line)
{
    QString result;
    for (qsizetype i = 0; i < line.size(); ++i) {
        const QChar c = line.at(i);
        if (c == QLatin1Char('\\') && i + 1 < line.size()) {
            const QChar next = line.at(i + 1);
            if (next == QLatin1Char('n') || next == QLatin1Char('t') || next == QLatin1Char('\\')) {
                result += next == QLatin1Char('n') ? QLatin1Char('\n') : next == QLatin1Char('t') ? QLatin1Char('\t') : next;
                ++i;
                continue;
            }
        }
        result += c;
    }
    return result;
}

QString escapeStop(QString stop)
{
    return stop.replace(QLatin1Char('\\'), QStringLiteral("\\\\"))
        .replace(QLatin1Char('\n'), QStringLiteral("\\n"))
        .replace(QLatin1Char('\t'), QStringLiteral("\\t"));
}

QFormLayout *makeForm()
{
    auto *form = new QFormLayout;
    form->setContentsMargins(0, 0, 0, 0);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setRowWrapPolicy(QFormLayout::DontWrapRows);
    form->setLabelAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    form->setHorizontalSpacing(12);
    form->setVerticalSpacing(6);
    return form;
}

} // namespace

ParametersPanel::ParametersPanel(QWidget *parent) : QWidget(parent)
{
    m_models = new itemmodels::ModelListModel(this);

    auto *content = new QWidget;
    content->setObjectName(QStringLiteral("parametersContent"));
    auto *column = new QVBoxLayout(content);
    column->setContentsMargins(8, 8, 8, 8);
    column->setSpacing(12);

    auto addSection = [&](const QString &title, bool expanded) {
        auto *section = new CollapsibleSection(title, content);
        section->setExpanded(expanded);
        column->addWidget(section);
        return section;
    };
    buildModelSection(addSection(tr("Model"), true));
    buildSamplingSection(addSection(tr("Sampling"), true));
    buildReasoningSection(addSection(tr("Reasoning and output"), true));
    m_structuredSection = addSection(tr("Structured output"), false);
    buildStructuredSection(m_structuredSection);
    m_toolsSection = addSection(tr("Function tools"), false);
    buildToolsSection(m_toolsSection);
    m_predictionSection = addSection(tr("Predicted output"), false);
    buildPredictionSection(m_predictionSection);
    m_optionsSection = addSection(tr("Request options"), false);
    buildOptionsSection(m_optionsSection);
    m_metadataSection = addSection(tr("Metadata"), false);
    buildMetadataSection(m_metadataSection);
    column->addStretch(1);

    auto *scroll = new QScrollArea(this);
    scroll->setObjectName(QStringLiteral("parametersScroll"));
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setWidget(content);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(scroll);

    alignFormLabels();
    // The form scrolls vertically only: never let a splitter squeeze it into clipped fields.
    // Folded sections count too, so unfolding one does not clip it.
    int contentWidth = content->minimumSizeHint().width();
    const QMargins margins = column->contentsMargins();
    for (const CollapsibleSection *section : content->findChildren<CollapsibleSection *>())
        contentWidth = std::max(contentWidth, section->body()->minimumSizeHint().width() + margins.left() + margins.right());
    setMinimumWidth(contentWidth + scroll->verticalScrollBar()->sizeHint().width());
    updateEnabledStates();
    updateModelWarning();
    updateSchemaStatus();
    updateToolsStatus();
    updateMetadataStatus();
    updateSummaries();
}

void ParametersPanel::alignFormLabels()
{
    // Each section has its own form; one label width for all keeps the fields in one column.
    QList<QWidget *> labels;
    int width = 0;
    for (QFormLayout *form : findChildren<QFormLayout *>()) {
        for (int row = 0; row < form->rowCount(); ++row) {
            QLayoutItem *item = form->itemAt(row, QFormLayout::LabelRole);
            if (QWidget *label = item ? item->widget() : nullptr) {
                labels.append(label);
                width = std::max(width, label->sizeHint().width());
            }
        }
    }
    for (QWidget *label : std::as_const(labels))
        label->setMinimumWidth(width);
}

// --- building -----------------------------------------------------------------------------------

void ParametersPanel::buildModelSection(CollapsibleSection *section)
{
    QWidget *body = section->body();
    QFormLayout *form = makeForm();
    body->setLayout(form);

    m_api = new QComboBox(body);
    m_api->setObjectName(QStringLiteral("api"));
    m_api->addItem(responsesName(), static_cast<int>(api::ApiKind::Responses));
    m_api->addItem(chatName(), static_cast<int>(api::ApiKind::ChatCompletions));
    addRow(form, tr("API"), m_api, QString(),
           tr("POST /responses or POST /chat/completions. Fields the chosen API does not accept are "
              "disabled."));

    auto *proxy = new ModelDecorationProxy(this);
    proxy->setWarningIcon(style()->standardIcon(QStyle::SP_MessageBoxWarning));
    proxy->setSourceModel(m_models);

    m_model = new QComboBox(body);
    m_model->setObjectName(QStringLiteral("model"));
    m_model->setEditable(true);
    m_model->setInsertPolicy(QComboBox::NoInsert);
    m_model->setModel(proxy);
    m_model->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_model->setMinimumContentsLength(12);
    m_model->setMaxVisibleItems(20);
    m_model->lineEdit()->setPlaceholderText(tr("Model id"));
    m_model->setEditText(QStringLiteral("gpt-4.1-mini"));
    if (QCompleter *completer = m_model->completer()) {
        completer->setCaseSensitivity(Qt::CaseInsensitive);
        completer->setFilterMode(Qt::MatchContains);
        completer->setCompletionMode(QCompleter::PopupCompletion);
    }

    m_refreshModels = new QToolButton(body);
    m_refreshModels->setObjectName(QStringLiteral("refreshModels"));
    m_refreshModels->setIcon(style()->standardIcon(QStyle::SP_BrowserReload));
    m_refreshModels->setToolTip(tr("Fetch the models this server offers (GET /models)"));
    m_refreshModels->setAccessibleName(tr("Refresh model list"));

    auto *modelRow = new QWidget(body);
    auto *modelLayout = new QHBoxLayout(modelRow);
    modelLayout->setContentsMargins(0, 0, 0, 0);
    modelLayout->setSpacing(4);
    modelLayout->addWidget(m_model, 1);
    modelLayout->addWidget(m_refreshModels);
    addRow(form, tr("Model"), modelRow, QStringLiteral("model"),
           tr("Pick from the server's list or type any model id."));

    m_modelWarningRow = new QWidget(body);
    m_modelWarningRow->setObjectName(QStringLiteral("modelWarningRow"));
    auto *warningLayout = new QHBoxLayout(m_modelWarningRow);
    warningLayout->setContentsMargins(0, 0, 0, 0);
    warningLayout->setSpacing(6);
    auto *warningIcon = new QLabel(m_modelWarningRow);
    const int iconSize = style()->pixelMetric(QStyle::PM_SmallIconSize);
    warningIcon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxWarning).pixmap(iconSize, iconSize));
    m_modelWarning = new QLabel(m_modelWarningRow);
    m_modelWarning->setObjectName(QStringLiteral("modelWarning"));
    m_modelWarning->setWordWrap(true);
    warningLayout->addWidget(warningIcon, 0, Qt::AlignTop);
    warningLayout->addWidget(m_modelWarning, 1);
    form->addRow(QString(), m_modelWarningRow);

    connect(m_api, &QComboBox::currentIndexChanged, this, [this] {
        updateEnabledStates();
        updateToolsStatus();
        edited();
    });
    connect(m_model, &QComboBox::editTextChanged, this, [this] {
        updateModelWarning();
        edited();
    });
    connect(m_refreshModels, &QToolButton::clicked, this, &ParametersPanel::refreshModelsRequested);
}

void ParametersPanel::buildSamplingSection(CollapsibleSection *section)
{
    QWidget *body = section->body();
    QFormLayout *form = makeForm();
    body->setLayout(form);

    m_temperature = makeDouble(body, "temperature", 0.0, 2.0, 0.1, 1.0);
    m_temperatureOn = addOptionalRow(form, tr("Temperature"), m_temperature, QStringLiteral("temperature"),
                                     tr("0 to 2. Higher values make the output more random. Alter this or "
                                        "top P, not both. Reasoning models do not accept it."));
    m_topP = makeDouble(body, "topP", 0.0, 1.0, 0.05, 1.0);
    m_topPOn = addOptionalRow(form, tr("Top P"), m_topP, QStringLiteral("top_p"),
                              tr("Nucleus sampling: only the tokens in the top P probability mass are "
                                 "considered."));

    m_maxTokens = new QSpinBox(body);
    m_maxTokens->setObjectName(QStringLiteral("maxOutputTokens"));
    m_maxTokens->setRange(1, 4'000'000);
    m_maxTokens->setValue(2048);
    m_maxTokens->setGroupSeparatorShown(true);
    m_maxTokens->setAlignment(Qt::AlignRight);
    m_maxTokensOn = addOptionalRow(form, tr("Max output tokens"), m_maxTokens, QStringLiteral("max_output_tokens"),
                                   tr("Upper bound on generated tokens, reasoning tokens included. Sent as "
                                      "max_output_tokens (Responses) or max_completion_tokens (Chat)."));

    m_seed = new QLineEdit(body);
    m_seed->setObjectName(QStringLiteral("seed"));
    m_seed->setValidator(new QRegularExpressionValidator(QRegularExpression(QStringLiteral(R"(-?\d{0,18})")), m_seed));
    m_seed->setPlaceholderText(tr("e.g. 42"));
    m_seed->setAlignment(Qt::AlignRight);
    m_seedOn = addOptionalRow(form, tr("Seed"), m_seed, QStringLiteral("seed"),
                              tr("Best-effort reproducible sampling: the same seed and parameters should give "
                                 "the same result. Compare system_fingerprint across runs."),
                              false, true);

    m_stop = new QPlainTextEdit(body);
    m_stop->setObjectName(QStringLiteral("stop"));
    m_stop->setPlaceholderText(tr("One per line; \\n for a line break"));
    m_stop->setTabChangesFocus(true);
    m_stop->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_stop->setFixedHeight(m_stop->fontMetrics().lineSpacing() * 3 + 2 * m_stop->frameWidth()
                           + static_cast<int>(2 * m_stop->document()->documentMargin()));
    addRow(form, tr("Stop sequences"), m_stop, QStringLiteral("stop"),
           tr("Up to %1 sequences where the model stops generating.").arg(MaxStopSequences), false, true);

    m_frequency = makeDouble(body, "frequencyPenalty", -2.0, 2.0, 0.1, 0.0);
    m_frequencyOn = addOptionalRow(form, tr("Frequency penalty"), m_frequency, QStringLiteral("frequency_penalty"),
                                   tr("-2 to 2. Positive values penalise tokens by how often they already "
                                      "appeared."),
                                   false, true);
    m_presence = makeDouble(body, "presencePenalty", -2.0, 2.0, 0.1, 0.0);
    m_presenceOn = addOptionalRow(form, tr("Presence penalty"), m_presence, QStringLiteral("presence_penalty"),
                                  tr("-2 to 2. Positive values penalise tokens that already appeared at all."),
                                  false, true);

    for (QDoubleSpinBox *spin : {m_temperature, m_topP, m_frequency, m_presence})
        connect(spin, &QDoubleSpinBox::valueChanged, this, &ParametersPanel::edited);
    connect(m_maxTokens, &QSpinBox::valueChanged, this, &ParametersPanel::edited);
    connect(m_seed, &QLineEdit::textChanged, this, &ParametersPanel::edited);
    connect(m_stop, &QPlainTextEdit::textChanged, this, &ParametersPanel::edited);
}

void ParametersPanel::buildReasoningSection(CollapsibleSection *section)
{
    QWidget *body = section->body();
    QFormLayout *form = makeForm();
    body->setLayout(form);

    // The values of the spec's ReasoningEffort enum; models accept subsets of them.
    m_reasoningEffort = makeChoice(body, "reasoningEffort",
                                   {QStringLiteral("none"), QStringLiteral("minimal"), QStringLiteral("low"),
                                    QStringLiteral("medium"), QStringLiteral("high"), QStringLiteral("xhigh")});
    addRow(form, tr("Reasoning effort"), m_reasoningEffort, QStringLiteral("reasoning.effort"),
           tr("How much a reasoning model thinks before answering. Sent as reasoning.effort (Responses) or "
              "reasoning_effort (Chat). Not every model accepts every value."));
    m_reasoningSummary = makeChoice(body, "reasoningSummary",
                                    {QStringLiteral("auto"), QStringLiteral("concise"), QStringLiteral("detailed")});
    addRow(form, tr("Reasoning summary"), m_reasoningSummary, QStringLiteral("reasoning.summary"),
           tr("Ask for a summary of the model's reasoning, shown with the answer."), true, false);
    m_verbosity = makeChoice(body, "verbosity", {QStringLiteral("low"), QStringLiteral("medium"), QStringLiteral("high")});
    addRow(form, tr("Verbosity"), m_verbosity, QStringLiteral("verbosity"),
           tr("How long and detailed the answer is. Sent as text.verbosity (Responses) or verbosity (Chat)."));

    m_topLogprobs = new QSpinBox(body);
    m_topLogprobs->setObjectName(QStringLiteral("topLogprobs"));
    m_topLogprobs->setRange(0, 20);
    m_topLogprobs->setValue(5);
    m_topLogprobs->setAlignment(Qt::AlignRight);
    m_topLogprobsOn = addOptionalRow(form, tr("Top logprobs"), m_topLogprobs, QStringLiteral("top_logprobs"),
                                     tr("0 to 20: return the log probability of each output token and of this "
                                        "many likely alternatives."));

    for (QComboBox *combo : {m_reasoningEffort, m_reasoningSummary, m_verbosity})
        connect(combo, &QComboBox::currentIndexChanged, this, &ParametersPanel::edited);
    connect(m_topLogprobs, &QSpinBox::valueChanged, this, &ParametersPanel::edited);
}

void ParametersPanel::buildStructuredSection(CollapsibleSection *section)
{
    QWidget *body = section->body();
    auto *layout = new QVBoxLayout(body);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(6);

    m_structured = new QCheckBox(tr("Answer with JSON matching a schema"), body);
    m_structured->setObjectName(QStringLiteral("structuredOutput"));
    setTip(m_structured, tr("Structured outputs: text.format (Responses) or response_format (Chat) of type "
                            "json_schema."));

    QFormLayout *form = makeForm();
    m_schemaName = new QLineEdit(QStringLiteral("response"), body);
    m_schemaName->setObjectName(QStringLiteral("schemaName"));
    m_schemaName->setMaxLength(64);
    setTip(m_schemaName, tr("The schema's name: letters, digits, _ and -, at most 64 characters."));
    m_schemaStrict = new QCheckBox(tr("Strict"), body);
    m_schemaStrict->setObjectName(QStringLiteral("schemaStrict"));
    m_schemaStrict->setChecked(true);
    setTip(m_schemaStrict, tr("strict: true guarantees the output matches the schema, for the subset of JSON "
                              "Schema it supports (every property required, additionalProperties false)."));
    auto *nameRow = new QWidget(body);
    auto *nameLayout = new QHBoxLayout(nameRow);
    nameLayout->setContentsMargins(0, 0, 0, 0);
    nameLayout->setSpacing(8);
    nameLayout->addWidget(m_schemaName, 1);
    nameLayout->addWidget(m_schemaStrict);
    form->addRow(tr("Name"), nameRow);

    m_schema = new JsonEditor(body);
    m_schema->setObjectName(QStringLiteral("schema"));
    m_schema->setAccessibleName(tr("JSON schema"));
    m_schema->setPlaceholderText(tr("{\n  \"type\": \"object\",\n  \"properties\": {\"answer\": {\"type\": "
                                    "\"string\"}},\n  \"required\": [\"answer\"],\n  \"additionalProperties\": "
                                    "false\n}"));
    m_schema->setLineRange(6, 18);
    m_schemaError = makeErrorLabel(body, "schemaError");

    layout->addWidget(m_structured);
    layout->addLayout(form);
    layout->addWidget(m_schema);
    layout->addWidget(m_schemaError);

    connect(m_structured, &QCheckBox::toggled, this, [this] {
        updateEnabledStates();
        updateSchemaStatus();
        edited();
    });
    connect(m_schemaName, &QLineEdit::textChanged, this, [this] {
        updateSchemaStatus();
        edited();
    });
    connect(m_schemaStrict, &QCheckBox::toggled, this, &ParametersPanel::edited);
    connect(m_schema, &QsciScintilla::textChanged, this, [this] {
        updateSchemaStatus();
        edited();
    });
}

void ParametersPanel::buildToolsSection(CollapsibleSection *section)
{
    QWidget *body = section->body();
    auto *layout = new QVBoxLayout(body);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(6);

    auto *intro = new QLabel(tr("A JSON array of function tools the model may call."), body);
    intro->setWordWrap(true);
    intro->setForegroundRole(QPalette::PlaceholderText);

    m_tools = new JsonEditor(body);
    m_tools->setObjectName(QStringLiteral("tools"));
    m_tools->setAccessibleName(tr("Function tools"));
    m_tools->setPlaceholderText(tr("[\n  {\n    \"type\": \"function\",\n    \"name\": \"get_weather\",\n    "
                                   "\"description\": \"Current weather in a city\",\n    \"parameters\": {\n      "
                                   "\"type\": \"object\",\n      \"properties\": {\"city\": {\"type\": \"string\"}},\n"
                                   "      \"required\": [\"city\"]\n    }\n  }\n]"));
    m_tools->setLineRange(6, 18);
    m_toolsError = makeErrorLabel(body, "toolsError");

    QFormLayout *form = makeForm();
    m_toolChoice = makeChoice(body, "toolChoice",
                              {QStringLiteral("auto"), QStringLiteral("none"), QStringLiteral("required")});
    addRow(form, tr("Tool choice"), m_toolChoice, QStringLiteral("tool_choice"),
           tr("auto: the model decides; none: never call a tool; required: call at least one."));
    m_parallelToolCalls = makeChoice(body, "parallelToolCalls", {QStringLiteral("true"), QStringLiteral("false")});
    addRow(form, tr("Parallel tool calls"), m_parallelToolCalls, QStringLiteral("parallel_tool_calls"),
           tr("Whether the model may call several tools in one turn."));

    layout->addWidget(intro);
    layout->addWidget(m_tools);
    layout->addWidget(m_toolsError);
    layout->addLayout(form);

    connect(m_tools, &QsciScintilla::textChanged, this, [this] {
        updateToolsStatus();
        edited();
    });
    for (QComboBox *combo : {m_toolChoice, m_parallelToolCalls}) {
        connect(combo, &QComboBox::currentIndexChanged, this, [this] {
            updateToolsStatus();
            edited();
        });
    }
}

void ParametersPanel::buildPredictionSection(CollapsibleSection *section)
{
    QWidget *body = section->body();
    auto *layout = new QVBoxLayout(body);
    layout->setContentsMargins(0, 0, 0, 0);

    m_prediction = new QPlainTextEdit(body);
    m_prediction->setObjectName(QStringLiteral("prediction"));
    m_prediction->setAccessibleName(tr("Predicted output"));
    m_prediction->setPlaceholderText(tr("Text most of the answer will repeat, such as the file being edited. "
                                        "Matching tokens come back faster."));
    m_prediction->setTabChangesFocus(true);
    m_prediction->setFixedHeight(m_prediction->fontMetrics().lineSpacing() * 5 + 12);
    layout->addWidget(m_prediction);
    Row row;
    row.widgets = {m_prediction};
    row.parameter = QStringLiteral("prediction");
    row.responses = false;
    m_rows.append(row);
    setTip(m_prediction, tr("Predicted outputs (prediction, type content)."));

    connect(m_prediction, &QPlainTextEdit::textChanged, this, &ParametersPanel::edited);
}

void ParametersPanel::buildOptionsSection(CollapsibleSection *section)
{
    QWidget *body = section->body();
    QFormLayout *form = makeForm();
    body->setLayout(form);

    m_serviceTier = makeChoice(body, "serviceTier",
                               {QStringLiteral("auto"), QStringLiteral("default"), QStringLiteral("flex"),
                                QStringLiteral("priority")});
    addRow(form, tr("Service tier"), m_serviceTier, QStringLiteral("service_tier"),
           tr("flex: lower price, slower, may answer 429 when capacity is short (15 minute timeout). "
              "priority: faster, higher price."));
    m_store = makeChoice(body, "store", {QStringLiteral("true"), QStringLiteral("false")});
    addRow(form, tr("Store"), m_store, QStringLiteral("store"),
           tr("Whether OpenAI keeps the response for later retrieval and the dashboard."));

    m_background = new QCheckBox(tr("Run in the background"), body);
    m_background->setObjectName(QStringLiteral("background"));
    addRow(form, tr("Background"), m_background, QStringLiteral("background"),
           tr("Long-running request the server finishes on its own; poll or stream it later."), true, false);

    m_promptCacheKey = new QLineEdit(body);
    m_promptCacheKey->setObjectName(QStringLiteral("promptCacheKey"));
    m_promptCacheKey->setPlaceholderText(tr("Not sent"));
    addRow(form, tr("Prompt cache key"), m_promptCacheKey, QStringLiteral("prompt_cache_key"),
           tr("Groups requests that share a long prefix so they hit the prompt cache more often."));
    m_safetyIdentifier = new QLineEdit(body);
    m_safetyIdentifier->setObjectName(QStringLiteral("safetyIdentifier"));
    m_safetyIdentifier->setPlaceholderText(tr("Not sent"));
    addRow(form, tr("Safety identifier"), m_safetyIdentifier, QStringLiteral("safety_identifier"),
           tr("A stable, hashed id of your end user, so OpenAI can tell you which user broke the usage "
              "policies. Never an email address or name."));

    for (QComboBox *combo : {m_serviceTier, m_store})
        connect(combo, &QComboBox::currentIndexChanged, this, &ParametersPanel::edited);
    connect(m_background, &QCheckBox::toggled, this, &ParametersPanel::edited);
    connect(m_promptCacheKey, &QLineEdit::textChanged, this, &ParametersPanel::edited);
    connect(m_safetyIdentifier, &QLineEdit::textChanged, this, &ParametersPanel::edited);
}

void ParametersPanel::buildMetadataSection(CollapsibleSection *section)
{
    QWidget *body = section->body();
    auto *layout = new QVBoxLayout(body);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(6);

    m_metadata = new QTableWidget(0, 2, body);
    m_metadata->setObjectName(QStringLiteral("metadata"));
    m_metadata->setAccessibleName(tr("Metadata"));
    m_metadata->setHorizontalHeaderLabels({tr("Key"), tr("Value")});
    m_metadata->verticalHeader()->setVisible(false);
    m_metadata->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_metadata->horizontalHeader()->setHighlightSections(false);
    m_metadata->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_metadata->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_metadata->setFixedHeight(m_metadata->horizontalHeader()->sizeHint().height()
                               + 4 * m_metadata->verticalHeader()->defaultSectionSize() + 2 * m_metadata->frameWidth());
    setTip(m_metadata, tr("Up to %1 key/value pairs stored with the response: keys up to %2 characters, "
                          "values up to %3.")
                           .arg(MaxMetadataPairs)
                           .arg(MaxMetadataKeyLength)
                           .arg(MaxMetadataValueLength));

    m_addMetadata = new QToolButton(body);
    m_addMetadata->setObjectName(QStringLiteral("addMetadata"));
    m_addMetadata->setText(tr("Add"));
    m_addMetadata->setToolTip(tr("Add a key/value pair"));
    m_removeMetadata = new QToolButton(body);
    m_removeMetadata->setObjectName(QStringLiteral("removeMetadata"));
    m_removeMetadata->setText(tr("Remove"));
    m_removeMetadata->setToolTip(tr("Remove the selected pairs"));
    m_metadataError = makeErrorLabel(body, "metadataError");

    auto *buttons = new QHBoxLayout;
    buttons->setContentsMargins(0, 0, 0, 0);
    buttons->addWidget(m_addMetadata);
    buttons->addWidget(m_removeMetadata);
    buttons->addStretch(1);

    layout->addWidget(m_metadata);
    layout->addLayout(buttons);
    layout->addWidget(m_metadataError);

    connect(m_addMetadata, &QToolButton::clicked, this, [this] {
        if (m_metadata->rowCount() >= MaxMetadataPairs)
            return;
        const int row = m_metadata->rowCount();
        m_metadata->insertRow(row);
        m_metadata->setItem(row, 0, new QTableWidgetItem);
        m_metadata->setItem(row, 1, new QTableWidgetItem);
        m_metadata->setCurrentCell(row, 0);
        m_metadata->editItem(m_metadata->item(row, 0));
        updateMetadataStatus();
        edited();
    });
    connect(m_removeMetadata, &QToolButton::clicked, this, [this] {
        QList<int> rows;
        for (const QModelIndex &index : m_metadata->selectionModel()->selectedRows())
            rows.append(index.row());
        if (rows.isEmpty() && m_metadata->currentRow() >= 0)
            rows.append(m_metadata->currentRow());
        std::sort(rows.begin(), rows.end(), std::greater<>());
        for (const int row : rows)
            m_metadata->removeRow(row);
        updateMetadataStatus();
        edited();
    });
    connect(m_metadata, &QTableWidget::itemChanged, this, [this] {
        updateMetadataStatus();
        edited();
    });
    connect(m_metadata, &QTableWidget::itemSelectionChanged, this, &ParametersPanel::updateMetadataStatus);
}

QCheckBox *ParametersPanel::addOptionalRow(QFormLayout *form, const QString &label, QWidget *value,
                                           const QString &parameter, const QString &tip, bool responses, bool chat)
{
    auto *toggle = new QCheckBox(label, value->parentWidget());
    toggle->setObjectName(value->objectName() + QStringLiteral("Enabled"));
    form->addRow(toggle, value);
    Row row;
    row.widgets = {toggle, value};
    row.toggle = toggle;
    row.parameter = parameter;
    row.responses = responses;
    row.chat = chat;
    m_rows.append(row);
    const QString fullTip = tr("%1 (%2). Unchecked: not sent.").arg(tip, parameter);
    setTip(toggle, fullTip);
    setTip(value, fullTip);
    connect(toggle, &QCheckBox::toggled, this, [this] {
        updateEnabledStates();
        edited();
    });
    return toggle;
}

void ParametersPanel::addRow(QFormLayout *form, const QString &label, QWidget *value, const QString &parameter,
                             const QString &tip, bool responses, bool chat)
{
    auto *labelWidget = new QLabel(label, value->parentWidget());
    labelWidget->setBuddy(value);
    form->addRow(labelWidget, value);
    Row row;
    row.widgets = {labelWidget, value};
    row.parameter = parameter;
    row.responses = responses;
    row.chat = chat;
    m_rows.append(row);
    const QString fullTip = parameter.isEmpty() ? tip : tr("%1 (%2)").arg(tip, parameter);
    setTip(labelWidget, fullTip);
    setTip(value, fullTip);
}

void ParametersPanel::setTip(QWidget *widget, const QString &tip)
{
    m_tips.insert(widget, tip);
    widget->setToolTip(tip);
}

// --- state --------------------------------------------------------------------------------------

api::ApiKind ParametersPanel::api() const
{
    return static_cast<api::ApiKind>(m_api->currentData().toInt());
}

bool ParametersPanel::accepts(const Row &row) const
{
    return api() == api::ApiKind::Responses ? row.responses : row.chat;
}

bool ParametersPanel::sends(const QWidget *widget) const
{
    for (const Row &row : m_rows) {
        if (row.widgets.contains(widget))
            return accepts(row) && (!row.toggle || row.toggle->isChecked());
    }
    return true;
}

void ParametersPanel::updateEnabledStates()
{
    for (const Row &row : std::as_const(m_rows)) {
        const bool accepted = accepts(row);
        QString tip;
        if (!accepted) {
            const QString &other = api() == api::ApiKind::Responses ? chatName() : responsesName();
            tip = tr("Only the %1 API accepts %2.").arg(other, row.parameter);
        }
        for (QWidget *widget : row.widgets) {
            const bool followsToggle = row.toggle && widget != row.toggle;
            widget->setEnabled(accepted && (!followsToggle || row.toggle->isChecked()));
            const QString base = m_tips.value(widget);
            widget->setToolTip(accepted ? base : (base.isEmpty() ? tip : tip + QStringLiteral("\n\n") + base));
        }
    }
    const bool structured = m_structured->isChecked();
    for (QWidget *widget : std::initializer_list<QWidget *>{m_schemaName, m_schemaStrict, m_schema})
        widget->setEnabled(structured);
    m_predictionSection->setSummary(api() == api::ApiKind::Responses ? tr("Chat Completions only") : QString());
}

void ParametersPanel::updateModelWarning()
{
    const QString id = m_model->currentText().trimmed();
    const QDate shutdown = m_models->shutdownDate(id);
    m_modelWarningRow->setVisible(shutdown.isValid());
    if (shutdown.isValid())
        m_modelWarning->setText(itemmodels::ModelListModel::retirementText(shutdown));
    const int row = m_models->rowOf(id);
    const QString modelTip = row >= 0 ? m_models->data(m_models->index(row), Qt::ToolTipRole).toString() : QString();
    const QString base = m_tips.value(m_model->parentWidget());
    m_model->setToolTip(modelTip.isEmpty() ? base : modelTip);
}

void ParametersPanel::updateSchemaStatus()
{
    QString problem = schemaNameProblem();
    if (problem.isEmpty())
        problem = schemaProblem();
    showError(m_schemaError, problem);
    JsonErrorLocation location;
    nlohmann::json ignored;
    if (m_structured->isChecked() && !m_schema->text().trimmed().isEmpty()
        && !parseJson(m_schema->text(), ignored, location))
        m_schema->markError(location.line, location.column);
    else
        m_schema->clearErrorMark();
}

void ParametersPanel::updateToolsStatus()
{
    showError(m_toolsError, toolsProblem());
    JsonErrorLocation location;
    nlohmann::json ignored;
    if (!m_tools->text().trimmed().isEmpty() && !parseJson(m_tools->text(), ignored, location))
        m_tools->markError(location.line, location.column);
    else
        m_tools->clearErrorMark();
}

void ParametersPanel::updateMetadataStatus()
{
    showError(m_metadataError, metadataProblem());
    m_addMetadata->setEnabled(m_metadata->rowCount() < MaxMetadataPairs);
    m_removeMetadata->setEnabled(m_metadata->currentRow() >= 0 || m_metadata->selectionModel()->hasSelection());
    m_addMetadata->setToolTip(m_metadata->rowCount() < MaxMetadataPairs
                                  ? tr("Add a key/value pair")
                                  : tr("The API accepts at most %1 pairs").arg(MaxMetadataPairs));
}

void ParametersPanel::updateSummaries()
{
    m_structuredSection->setSummary(m_structured->isChecked() ? m_schemaName->text() : tr("off"));
    nlohmann::json tools;
    JsonErrorLocation location;
    if (m_tools->text().trimmed().isEmpty())
        m_toolsSection->setSummary(tr("none"));
    else if (parseJson(m_tools->text(), tools, location) && tools.is_array())
        m_toolsSection->setSummary(tools.size() == 1 ? tr("1 tool") : tr("%1 tools").arg(tools.size()));
    else
        m_toolsSection->setSummary(tr("invalid"));
    const int pairs = m_metadata->rowCount();
    m_metadataSection->setSummary(pairs == 0 ? tr("none") : tr("%1 of %2").arg(pairs).arg(MaxMetadataPairs));
}

void ParametersPanel::edited()
{
    updateSummaries();
    if (!m_loading)
        Q_EMIT changed();
}

// --- validation ---------------------------------------------------------------------------------

QString ParametersPanel::schemaNameProblem() const
{
    if (!m_structured->isChecked())
        return {};
    static const QRegularExpression valid(QStringLiteral(R"(^[A-Za-z0-9_-]{1,64}$)"));
    if (!valid.match(m_schemaName->text()).hasMatch())
        return tr("Name: use 1 to 64 letters, digits, _ or -");
    return {};
}

QString ParametersPanel::schemaProblem() const
{
    if (!m_structured->isChecked())
        return {};
    const QString text = m_schema->text();
    if (text.trimmed().isEmpty())
        return tr("enter the JSON schema the answer must match");
    nlohmann::json schema;
    JsonErrorLocation location;
    if (!parseJson(text, schema, location))
        return location.describe();
    return prompt::RequestBuilder::validateJsonSchema(schema);
}

QString ParametersPanel::toolsProblem() const
{
    const QString text = m_tools->text();
    if (text.trimmed().isEmpty()) {
        if (!choiceValue(m_toolChoice).isEmpty() || !choiceValue(m_parallelToolCalls).isEmpty())
            return tr("tool choice and parallel tool calls need at least one tool");
        return {};
    }
    nlohmann::json tools;
    JsonErrorLocation location;
    if (!parseJson(text, tools, location))
        return location.describe();
    try {
        const nlohmann::json parsed = prompt::RequestBuilder::parseTools(text);
        if (parsed.empty() && choiceValue(m_toolChoice) == QStringLiteral("required"))
            return tr("tool choice “required” needs at least one tool");
    } catch (const std::exception &error) {
        return QString::fromUtf8(error.what());
    }
    return {};
}

QString ParametersPanel::metadataProblem() const
{
    QStringList keys;
    for (int row = 0; row < m_metadata->rowCount(); ++row) {
        const QTableWidgetItem *keyItem = m_metadata->item(row, 0);
        const QTableWidgetItem *valueItem = m_metadata->item(row, 1);
        const QString key = keyItem ? keyItem->text().trimmed() : QString();
        const QString value = valueItem ? valueItem->text() : QString();
        if (key.isEmpty()) {
            if (!value.isEmpty())
                return tr("row %1 has a value but no key").arg(row + 1);
            continue;
        }
        if (key.size() > MaxMetadataKeyLength)
            return tr("key “%1” is longer than %2 characters").arg(key.left(20)).arg(MaxMetadataKeyLength);
        if (value.size() > MaxMetadataValueLength)
            return tr("the value of “%1” is longer than %2 characters").arg(key).arg(MaxMetadataValueLength);
        if (keys.contains(key))
            return tr("key “%1” appears twice").arg(key);
        keys.append(key);
    }
    return {};
}

QStringList ParametersPanel::stopSequences() const
{
    QStringList result;
    for (const QString &line : m_stop->toPlainText().split(QLatin1Char('\n'))) {
        if (!line.isEmpty())
            result << unescapeStop(line);
    }
    return result;
}

QString ParametersPanel::validationError() const
{
    if (m_model->currentText().trimmed().isEmpty())
        return tr("Model: enter a model id or pick one from the list");
    if (sends(m_seed)) {
        bool ok = false;
        m_seed->text().toLongLong(&ok);
        if (!ok)
            return tr("Seed: enter a whole number");
    }
    if (sends(m_stop) && stopSequences().size() > MaxStopSequences)
        return tr("Stop sequences: at most %1, one per line").arg(MaxStopSequences);
    if (const QString problem = schemaNameProblem(); !problem.isEmpty())
        return tr("Structured output %1").arg(problem);
    if (const QString problem = schemaProblem(); !problem.isEmpty())
        return tr("Structured output schema: %1").arg(problem);
    if (const QString problem = toolsProblem(); !problem.isEmpty())
        return tr("Function tools: %1").arg(problem);
    if (const QString problem = metadataProblem(); !problem.isEmpty())
        return tr("Metadata: %1").arg(problem);
    return {};
}

// --- values -------------------------------------------------------------------------------------

prompt::RequestParameters ParametersPanel::parameters() const
{
    prompt::RequestParameters p;
    p.api = api();
    p.model = m_model->currentText().trimmed();
    if (sends(m_temperature))
        p.temperature = m_temperature->value();
    if (sends(m_topP))
        p.topP = m_topP->value();
    if (sends(m_maxTokens))
        p.maxOutputTokens = m_maxTokens->value();
    if (sends(m_seed)) {
        bool ok = false;
        const qint64 seed = m_seed->text().toLongLong(&ok);
        if (ok)
            p.seed = seed;
    }
    if (sends(m_stop))
        p.stop = stopSequences();
    if (sends(m_frequency))
        p.frequencyPenalty = m_frequency->value();
    if (sends(m_presence))
        p.presencePenalty = m_presence->value();
    if (sends(m_reasoningEffort))
        p.reasoningEffort = choiceValue(m_reasoningEffort);
    if (sends(m_reasoningSummary))
        p.reasoningSummary = choiceValue(m_reasoningSummary);
    if (sends(m_verbosity))
        p.verbosity = choiceValue(m_verbosity);
    if (sends(m_topLogprobs))
        p.topLogprobs = m_topLogprobs->value();
    if (sends(m_serviceTier))
        p.serviceTier = choiceValue(m_serviceTier);
    if (const QString store = choiceValue(m_store); !store.isEmpty() && sends(m_store))
        p.store = store == QStringLiteral("true");
    p.background = sends(m_background) && m_background->isChecked();
    if (sends(m_promptCacheKey))
        p.promptCacheKey = m_promptCacheKey->text().trimmed();
    if (sends(m_safetyIdentifier))
        p.safetyIdentifier = m_safetyIdentifier->text().trimmed();
    if (sends(m_prediction))
        p.prediction = m_prediction->toPlainText();

    if (m_structured->isChecked()) {
        nlohmann::json schema;
        JsonErrorLocation location;
        if (parseJson(m_schema->text(), schema, location)) {
            p.jsonSchema = {{"name", m_schemaName->text().toStdString()},
                            {"schema", schema},
                            {"strict", m_schemaStrict->isChecked()}};
            if (!m_schemaDescription.isEmpty())
                p.jsonSchema["description"] = m_schemaDescription.toStdString();
        }
    }
    if (!m_tools->text().trimmed().isEmpty()) {
        try {
            p.tools = prompt::RequestBuilder::parseTools(m_tools->text());
        } catch (const std::exception &) {
            p.tools = nlohmann::json::array(); // validationError() names the problem
        }
    }
    if (sends(m_toolChoice))
        p.toolChoice = choiceValue(m_toolChoice);
    if (const QString parallel = choiceValue(m_parallelToolCalls); !parallel.isEmpty() && sends(m_parallelToolCalls))
        p.parallelToolCalls = parallel == QStringLiteral("true");

    for (int row = 0; row < m_metadata->rowCount(); ++row) {
        const QTableWidgetItem *keyItem = m_metadata->item(row, 0);
        const QTableWidgetItem *valueItem = m_metadata->item(row, 1);
        const QString key = keyItem ? keyItem->text().trimmed() : QString();
        if (!key.isEmpty() && !p.metadata.contains(key))
            p.metadata[key] = valueItem ? valueItem->text() : QString();
    }
    p.extra = m_extra;
    return p;
}

void ParametersPanel::setParameters(const prompt::RequestParameters &parameters)
{
    m_loading = true;
    m_api->setCurrentIndex(m_api->findData(static_cast<int>(parameters.api)));
    m_model->setEditText(parameters.model);

    auto setOptional = [](QCheckBox *toggle, bool present) { toggle->setChecked(present); };
    setOptional(m_temperatureOn, parameters.temperature.has_value());
    if (parameters.temperature)
        m_temperature->setValue(*parameters.temperature);
    setOptional(m_topPOn, parameters.topP.has_value());
    if (parameters.topP)
        m_topP->setValue(*parameters.topP);
    setOptional(m_maxTokensOn, parameters.maxOutputTokens.has_value());
    if (parameters.maxOutputTokens)
        m_maxTokens->setValue(*parameters.maxOutputTokens);
    setOptional(m_seedOn, parameters.seed.has_value());
    if (parameters.seed)
        m_seed->setText(QString::number(*parameters.seed));
    QStringList stopLines;
    for (const QString &stop : parameters.stop)
        stopLines << escapeStop(stop);
    m_stop->setPlainText(stopLines.join(QLatin1Char('\n')));
    setOptional(m_frequencyOn, parameters.frequencyPenalty.has_value());
    if (parameters.frequencyPenalty)
        m_frequency->setValue(*parameters.frequencyPenalty);
    setOptional(m_presenceOn, parameters.presencePenalty.has_value());
    if (parameters.presencePenalty)
        m_presence->setValue(*parameters.presencePenalty);
    setOptional(m_topLogprobsOn, parameters.topLogprobs.has_value());
    if (parameters.topLogprobs)
        m_topLogprobs->setValue(*parameters.topLogprobs);

    setChoice(m_reasoningEffort, parameters.reasoningEffort);
    setChoice(m_reasoningSummary, parameters.reasoningSummary);
    setChoice(m_verbosity, parameters.verbosity);
    setChoice(m_serviceTier, parameters.serviceTier);
    setChoice(m_store, parameters.store ? (*parameters.store ? QStringLiteral("true") : QStringLiteral("false")) : QString());
    m_background->setChecked(parameters.background);
    m_promptCacheKey->setText(parameters.promptCacheKey);
    m_safetyIdentifier->setText(parameters.safetyIdentifier);
    m_prediction->setPlainText(parameters.prediction);

    const nlohmann::json &format = parameters.jsonSchema;
    const bool structured = format.is_object() && format.contains("schema");
    m_structured->setChecked(structured);
    if (structured) {
        m_schemaName->setText(QString::fromStdString(format.value("name", std::string("response"))));
        m_schemaStrict->setChecked(format.value("strict", false));
        m_schemaDescription = QString::fromStdString(format.value("description", std::string()));
        m_schema->setPlainText(QString::fromStdString(format["schema"].dump(2)));
    } else {
        m_schemaDescription.clear();
    }

    const bool hasTools = parameters.tools.is_array() && !parameters.tools.empty();
    m_tools->setPlainText(hasTools ? QString::fromStdString(parameters.tools.dump(2)) : QString());
    setChoice(m_toolChoice, parameters.toolChoice);
    setChoice(m_parallelToolCalls, parameters.parallelToolCalls
                                       ? (*parameters.parallelToolCalls ? QStringLiteral("true") : QStringLiteral("false"))
                                       : QString());

    m_metadata->setRowCount(0);
    for (const auto &[key, value] : parameters.metadata) {
        const int row = m_metadata->rowCount();
        m_metadata->insertRow(row);
        m_metadata->setItem(row, 0, new QTableWidgetItem(key));
        m_metadata->setItem(row, 1, new QTableWidgetItem(value));
    }
    m_extra = parameters.extra.is_object() ? parameters.extra : nlohmann::json::object();

    // Open the folded sections that now hold something, so nothing set is out of sight.
    if (structured)
        m_structuredSection->setExpanded(true);
    if (hasTools || !parameters.toolChoice.isEmpty() || parameters.parallelToolCalls)
        m_toolsSection->setExpanded(true);
    if (!parameters.prediction.isEmpty())
        m_predictionSection->setExpanded(true);
    if (!parameters.serviceTier.isEmpty() || parameters.store || parameters.background
        || !parameters.promptCacheKey.isEmpty() || !parameters.safetyIdentifier.isEmpty())
        m_optionsSection->setExpanded(true);
    if (!parameters.metadata.empty())
        m_metadataSection->setExpanded(true);

    updateEnabledStates();
    updateModelWarning();
    updateSchemaStatus();
    updateToolsStatus();
    updateMetadataStatus();
    updateSummaries();
    m_loading = false;
}

void ParametersPanel::setAvailableModels(const nlohmann::json &models)
{
    const bool wasLoading = m_loading;
    m_loading = true;
    const QString typed = m_model->currentText();
    m_models->setModels(models);
    m_model->setCurrentIndex(m_models->rowOf(typed.trimmed()));
    m_model->setEditText(typed);
    updateModelWarning();
    m_loading = wasLoading;
}

} // namespace assay::ui
