#pragma once

#include <QHash>
#include <QList>
#include <QWidget>
#include <nlohmann/json.hpp>

#include "models/prompt/request_parameters.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;
class QTableWidget;
class QToolButton;

namespace assay::itemmodels {
class ModelListModel;
}

namespace assay::ui {

class CollapsibleSection;
class JsonEditor;

// Every request parameter of the chosen API (Responses or Chat Completions): model (from
// GET /models, free text allowed), sampling, reasoning, service tier, structured output schema,
// function tools, logprobs, prediction, cache key, safety identifier, metadata.
//
// A field the chosen API does not accept is disabled (its tooltip names the API that does) and
// left out of parameters(); its value stays in the form for when the API is switched back.
class ParametersPanel : public QWidget {
    Q_OBJECT
public:
    explicit ParametersPanel(QWidget *parent = nullptr);

    prompt::RequestParameters parameters() const;
    // Loading is not editing: `changed` is not emitted.
    void setParameters(const prompt::RequestParameters &parameters);

    // GET /models result (data[] objects); keeps whatever model name the user typed.
    void setAvailableModels(const nlohmann::json &models);

    // Empty when the parameters can be sent; otherwise what is wrong (e.g. the JSON schema at
    // a path, the tools JSON at a line), already shown next to the offending field.
    QString validationError() const;

    itemmodels::ModelListModel *modelList() const { return m_models; }

    static constexpr int MaxMetadataPairs = 16;
    static constexpr int MaxStopSequences = 4;

Q_SIGNALS:
    void changed();
    void refreshModelsRequested();

private:
    // A form row that only one API accepts, or a checkbox-enabled optional value.
    struct Row {
        QList<QWidget *> widgets;  // label (or enabling checkbox) and value widgets
        QCheckBox *toggle = nullptr; // when set, the value widgets follow it
        QString parameter;          // API name of the field, for tooltips
        bool responses = true;
        bool chat = true;
    };

    void buildModelSection(CollapsibleSection *section);
    void buildSamplingSection(CollapsibleSection *section);
    void buildReasoningSection(CollapsibleSection *section);
    void buildStructuredSection(CollapsibleSection *section);
    void buildToolsSection(CollapsibleSection *section);
    void buildPredictionSection(CollapsibleSection *section);
    void buildOptionsSection(CollapsibleSection *section);
    void buildMetadataSection(CollapsibleSection *section);

    QCheckBox *addOptionalRow(QFormLayout *form, const QString &label, QWidget *value, const QString &parameter,
                              const QString &tip, bool responses = true, bool chat = true);
    void addRow(QFormLayout *form, const QString &label, QWidget *value, const QString &parameter,
                const QString &tip, bool responses = true, bool chat = true);
    void setTip(QWidget *widget, const QString &tip);
    // True when `widget`'s value goes into the request: the API accepts it and it is switched on.
    bool sends(const QWidget *widget) const;

    api::ApiKind api() const;
    bool accepts(const Row &row) const;
    void alignFormLabels();
    void updateEnabledStates();
    void updateModelWarning();
    void updateSchemaStatus();
    void updateToolsStatus();
    void updateMetadataStatus();
    void updateSummaries();
    void edited();

    // Each returns "" or the problem, without the field name.
    QString schemaProblem() const;
    QString toolsProblem() const;
    QString metadataProblem() const;
    QString schemaNameProblem() const;
    QStringList stopSequences() const;

    itemmodels::ModelListModel *m_models = nullptr;
    QList<Row> m_rows;
    QHash<QWidget *, QString> m_tips;

    QComboBox *m_api = nullptr;
    QComboBox *m_model = nullptr;
    QToolButton *m_refreshModels = nullptr;
    QWidget *m_modelWarningRow = nullptr;
    QLabel *m_modelWarning = nullptr;

    QCheckBox *m_temperatureOn = nullptr;
    QDoubleSpinBox *m_temperature = nullptr;
    QCheckBox *m_topPOn = nullptr;
    QDoubleSpinBox *m_topP = nullptr;
    QCheckBox *m_maxTokensOn = nullptr;
    QSpinBox *m_maxTokens = nullptr;
    QCheckBox *m_seedOn = nullptr;
    QLineEdit *m_seed = nullptr;
    QPlainTextEdit *m_stop = nullptr;
    QCheckBox *m_frequencyOn = nullptr;
    QDoubleSpinBox *m_frequency = nullptr;
    QCheckBox *m_presenceOn = nullptr;
    QDoubleSpinBox *m_presence = nullptr;

    QComboBox *m_reasoningEffort = nullptr;
    QComboBox *m_reasoningSummary = nullptr;
    QComboBox *m_verbosity = nullptr;
    QCheckBox *m_topLogprobsOn = nullptr;
    QSpinBox *m_topLogprobs = nullptr;

    QCheckBox *m_structured = nullptr;
    QLineEdit *m_schemaName = nullptr;
    QCheckBox *m_schemaStrict = nullptr;
    JsonEditor *m_schema = nullptr;
    QLabel *m_schemaError = nullptr;
    QString m_schemaDescription; // not editable here, kept so a loaded prompt does not lose it

    JsonEditor *m_tools = nullptr;
    QLabel *m_toolsError = nullptr;
    QComboBox *m_toolChoice = nullptr;
    QComboBox *m_parallelToolCalls = nullptr;

    QPlainTextEdit *m_prediction = nullptr;

    QComboBox *m_serviceTier = nullptr;
    QComboBox *m_store = nullptr;
    QCheckBox *m_background = nullptr;
    QLineEdit *m_promptCacheKey = nullptr;
    QLineEdit *m_safetyIdentifier = nullptr;

    QTableWidget *m_metadata = nullptr;
    QToolButton *m_addMetadata = nullptr;
    QToolButton *m_removeMetadata = nullptr;
    QLabel *m_metadataError = nullptr;

    CollapsibleSection *m_structuredSection = nullptr;
    CollapsibleSection *m_toolsSection = nullptr;
    CollapsibleSection *m_predictionSection = nullptr;
    CollapsibleSection *m_optionsSection = nullptr;
    CollapsibleSection *m_metadataSection = nullptr;

    nlohmann::json m_extra = nlohmann::json::object();
    bool m_loading = false;
};

} // namespace assay::ui
