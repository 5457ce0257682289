#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTest>
#include <QToolButton>

#include "models/itemmodels/model_list_model.h"
#include "models/prompt/request_builder.h"
#include "ui/editor/json_editor.h"
#include "ui/panels/parameters_panel.h"

using assay::api::ApiKind;
using assay::prompt::RequestParameters;
using assay::ui::ParametersPanel;

namespace {

template <typename T>
T *field(const ParametersPanel &panel, const char *name)
{
    T *widget = panel.findChild<T *>(QLatin1String(name));
    if (!widget)
        qFatal("no widget named %s", name);
    return widget;
}

void selectValue(const ParametersPanel &panel, const char *combo, const QString &value)
{
    auto *box = field<QComboBox>(panel, combo);
    const int index = box->findData(value);
    QVERIFY2(index >= 0, combo);
    box->setCurrentIndex(index);
}

void selectApi(const ParametersPanel &panel, ApiKind api)
{
    auto *box = field<QComboBox>(panel, "api");
    box->setCurrentIndex(box->findData(static_cast<int>(api)));
}

nlohmann::json modelList()
{
    return nlohmann::json::parse(R"({"object": "list", "data": [
        {"id": "gpt-4.1-mini", "object": "model", "created": 1744316542, "owned_by": "system"},
        {"id": "babbage-002", "object": "model", "created": 1692634615, "owned_by": "system",
         "shutdown_date": "2026-10-23"}]})");
}

} // namespace

class TestParametersPanel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void defaultsSendNothingButTheModel()
    {
        ParametersPanel panel;
        const RequestParameters p = panel.parameters();
        QCOMPARE(p.api, ApiKind::Responses);
        QCOMPARE(p.model, QStringLiteral("gpt-4.1-mini"));
        QVERIFY(!p.temperature && !p.topP && !p.maxOutputTokens && !p.seed && !p.store && !p.topLogprobs);
        QVERIFY(!p.frequencyPenalty && !p.presencePenalty && !p.parallelToolCalls);
        QVERIFY(p.reasoningEffort.isEmpty() && p.serviceTier.isEmpty() && p.verbosity.isEmpty());
        QVERIFY(p.jsonSchema.is_null());
        QVERIFY(p.tools.empty());
        QVERIFY(p.metadata.empty());
        QVERIFY(!p.background);
        QCOMPARE(panel.validationError(), QString());
    }

    void parametersReflectSetFieldsAndOmitUnsetOnes()
    {
        ParametersPanel panel;
        QSignalSpy changed(&panel, &ParametersPanel::changed);
        auto *temperature = field<QDoubleSpinBox>(panel, "temperature");
        QVERIFY(!temperature->isEnabled()); // follows its checkbox
        field<QCheckBox>(panel, "temperatureEnabled")->setChecked(true);
        QVERIFY(temperature->isEnabled());
        temperature->setValue(0.3);
        field<QCheckBox>(panel, "maxOutputTokensEnabled")->setChecked(true);
        field<QSpinBox>(panel, "maxOutputTokens")->setValue(500);
        selectValue(panel, "serviceTier", QStringLiteral("flex"));
        selectValue(panel, "store", QStringLiteral("false"));
        selectValue(panel, "reasoningEffort", QStringLiteral("low"));
        field<QLineEdit>(panel, "promptCacheKey")->setText(QStringLiteral("faq-v2"));
        QVERIFY(changed.count() >= 6);

        RequestParameters p = panel.parameters();
        QCOMPARE(p.temperature, std::optional<double>(0.3));
        QCOMPARE(p.maxOutputTokens, std::optional<int>(500));
        QVERIFY(!p.topP);
        QCOMPARE(p.serviceTier, QStringLiteral("flex"));
        QCOMPARE(p.store, std::optional<bool>(false));
        QCOMPARE(p.reasoningEffort, QStringLiteral("low"));
        QCOMPARE(p.promptCacheKey, QStringLiteral("faq-v2"));
        QVERIFY(p.verbosity.isEmpty());

        // Unchecking means "not sent" again, whatever the spin box holds.
        field<QCheckBox>(panel, "temperatureEnabled")->setChecked(false);
        selectValue(panel, "store", QString());
        p = panel.parameters();
        QVERIFY(!p.temperature);
        QVERIFY(!p.store);
    }

    void switchingToChatDisablesResponsesOnlyFields()
    {
        ParametersPanel panel;
        auto *summary = field<QComboBox>(panel, "reasoningSummary");
        auto *background = field<QCheckBox>(panel, "background");
        auto *seedEnabled = field<QCheckBox>(panel, "seedEnabled");
        auto *prediction = field<QPlainTextEdit>(panel, "prediction");
        QVERIFY(summary->isEnabled());
        QVERIFY(!seedEnabled->isEnabled());
        QVERIFY(!prediction->isEnabled());
        QVERIFY(seedEnabled->toolTip().contains(QStringLiteral("Only the Chat Completions API accepts seed")));
        selectValue(panel, "reasoningSummary", QStringLiteral("detailed"));
        background->setChecked(true);
        QCOMPARE(panel.parameters().reasoningSummary, QStringLiteral("detailed"));
        QVERIFY(panel.parameters().background);

        selectApi(panel, ApiKind::ChatCompletions);
        QVERIFY(!summary->isEnabled());
        QVERIFY(!background->isEnabled());
        QVERIFY2(summary->toolTip().contains(QStringLiteral("Only the Responses API accepts reasoning.summary")),
                 qPrintable(summary->toolTip()));
        QVERIFY(seedEnabled->isEnabled());
        QVERIFY(prediction->isEnabled());
        QVERIFY(field<QCheckBox>(panel, "temperatureEnabled")->isEnabled()); // both APIs take it
        RequestParameters p = panel.parameters();
        QCOMPARE(p.api, ApiKind::ChatCompletions);
        QVERIFY(p.reasoningSummary.isEmpty()); // disabled fields are not sent...
        QVERIFY(!p.background);

        seedEnabled->setChecked(true);
        field<QLineEdit>(panel, "seed")->setText(QStringLiteral("9007199254740993"));
        prediction->setPlainText(QStringLiteral("predicted"));
        p = panel.parameters();
        QCOMPARE(p.seed, std::optional<qint64>(9007199254740993LL));
        QCOMPARE(p.prediction, QStringLiteral("predicted"));

        // ...and come back with the API.
        selectApi(panel, ApiKind::Responses);
        QVERIFY(summary->isEnabled());
        QVERIFY(!seedEnabled->isEnabled());
        QVERIFY(!field<QLineEdit>(panel, "seed")->isEnabled());
        p = panel.parameters();
        QCOMPARE(p.reasoningSummary, QStringLiteral("detailed"));
        QVERIFY(!p.seed);
        QVERIFY(p.prediction.isEmpty());
    }

    void invalidSchemaGivesAnErrorNamingThePath()
    {
        ParametersPanel panel;
        field<QCheckBox>(panel, "structuredOutput")->setChecked(true);
        auto *schema = field<assay::ui::JsonEditor>(panel, "schema");
        auto *error = field<QLabel>(panel, "schemaError");
        QVERIFY(panel.validationError().startsWith(QStringLiteral("Structured output schema")));

        const QString text = QStringLiteral(
            R"({"type": "object", "properties": {"answer": {"type": "strnig"}}, "required": ["answer"]})");
        schema->setText(text);
        const QString problem = panel.validationError();
        QVERIFY2(problem.startsWith(QStringLiteral("Structured output schema: ")), qPrintable(problem));
        QVERIFY2(problem.contains(QStringLiteral("$.properties.answer.type")), qPrintable(problem));
        QCOMPARE(problem, QStringLiteral("Structured output schema: ")
                              + assay::prompt::RequestBuilder::validateJsonSchema(nlohmann::json::parse(text.toStdString())));
        QVERIFY(!error->isHidden());
        QVERIFY(error->text().contains(QStringLiteral("$.properties.answer.type")));

        // Not even JSON: line and column of the break.
        schema->setText(QStringLiteral("{\n  \"type\": \"object\",\n  \"properties\": {,}\n}"));
        QVERIFY2(panel.validationError().contains(QStringLiteral("line 3, column 18")), qPrintable(panel.validationError()));
        QVERIFY(error->text().contains(QStringLiteral("line 3, column 18")));

        schema->setText(QStringLiteral(R"({"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"], "additionalProperties": false})"));
        QCOMPARE(panel.validationError(), QString());
        QVERIFY(error->isHidden());
        const RequestParameters p = panel.parameters();
        QCOMPARE(p.jsonSchema.at("name").get<std::string>(), std::string("response"));
        QCOMPARE(p.jsonSchema.at("strict").get<bool>(), true);
        QCOMPARE(p.jsonSchema.at("schema").at("required").at(0).get<std::string>(), std::string("answer"));

        // Switched off: nothing sent, nothing to complain about.
        schema->setText(QStringLiteral("[1,"));
        field<QCheckBox>(panel, "structuredOutput")->setChecked(false);
        QCOMPARE(panel.validationError(), QString());
        QVERIFY(panel.parameters().jsonSchema.is_null());
    }

    void toolsJsonErrorNamesLineAndColumn()
    {
        ParametersPanel panel;
        auto *tools = field<assay::ui::JsonEditor>(panel, "tools");
        auto *error = field<QLabel>(panel, "toolsError");
        tools->setText(QStringLiteral("[\n  {\"type\": \"function\",\n   \"name\": }\n]"));
        QString problem = panel.validationError();
        QVERIFY2(problem.startsWith(QStringLiteral("Function tools: line 3, column 12")), qPrintable(problem));
        QVERIFY(!error->isHidden());
        QVERIFY(error->text().startsWith(QStringLiteral("line 3, column 12")));
        // The squiggle sits on the offending character.
        const long at = tools->positionFromLineIndex(2, 11);
        QCOMPARE(tools->SendScintilla(QsciScintillaBase::SCI_INDICATORVALUEAT,
                                      static_cast<unsigned long>(assay::ui::JsonEditor::ErrorIndicator), at),
                 1L);

        // Columns count characters, not UTF-8 bytes.
        tools->setText(QStringLiteral("[{\"description\": \"héllo wörld\", }]"));
        problem = panel.validationError();
        QVERIFY2(problem.contains(QStringLiteral("line 1, column 33")), qPrintable(problem));
        // ...and the squiggle lands on that character: byte 34, after two 2-byte letters.
        const auto errorAt = [tools](long position) {
            return tools->SendScintilla(QsciScintillaBase::SCI_INDICATORVALUEAT,
                                        static_cast<unsigned long>(assay::ui::JsonEditor::ErrorIndicator), position);
        };
        QCOMPARE(errorAt(33), 0L);
        QCOMPARE(errorAt(34), 1L);

        // Valid JSON that is not a valid tool list: the builder's message, with its path.
        tools->setText(QStringLiteral(R"([{"type": "function", "description": "no name"}])"));
        problem = panel.validationError();
        QVERIFY2(problem.startsWith(QStringLiteral("Function tools: ")) && problem.contains(QStringLiteral("name")),
                 qPrintable(problem));

        tools->setText(QStringLiteral(R"([{"type": "function", "name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}])"));
        QCOMPARE(panel.validationError(), QString());
        QVERIFY(error->isHidden());
        const RequestParameters p = panel.parameters();
        QCOMPARE(p.tools.size(), std::size_t(1));
        QCOMPARE(p.tools.at(0).at("name").get<std::string>(), std::string("get_weather"));

        selectValue(panel, "toolChoice", QStringLiteral("required"));
        QCOMPARE(panel.parameters().toolChoice, QStringLiteral("required"));
        tools->setText(QString());
        QVERIFY(panel.validationError().startsWith(QStringLiteral("Function tools: ")));
    }

    void setParametersFillsEveryField()
    {
        RequestParameters responses;
        responses.api = ApiKind::Responses;
        responses.model = QStringLiteral("o4-mini");
        responses.temperature = 0.7;
        responses.topP = 0.9;
        responses.maxOutputTokens = 1234;
        responses.reasoningEffort = QStringLiteral("high");
        responses.reasoningSummary = QStringLiteral("concise");
        responses.serviceTier = QStringLiteral("priority");
        responses.store = true;
        responses.parallelToolCalls = false;
        responses.topLogprobs = 7;
        responses.verbosity = QStringLiteral("low");
        responses.promptCacheKey = QStringLiteral("cache-1");
        responses.safetyIdentifier = QStringLiteral("user-hash");
        responses.jsonSchema = {{"name", "answer"},
                                {"schema", {{"type", "object"}, {"properties", nlohmann::json::object()}}},
                                {"strict", false},
                                {"description", "kept"}};
        responses.tools = assay::prompt::RequestBuilder::parseTools(
            QStringLiteral(R"([{"type": "function", "name": "f", "parameters": {"type": "object", "properties": {}}}])"));
        responses.toolChoice = QStringLiteral("auto");
        responses.metadata = {{QStringLiteral("team"), QStringLiteral("search")}, {QStringLiteral("run"), QStringLiteral("7")}};
        responses.extra = {{"truncation", "auto"}};
        responses.background = true;

        ParametersPanel panel;
        QSignalSpy changed(&panel, &ParametersPanel::changed);
        panel.setParameters(responses);
        QCOMPARE(changed.count(), 0);
        QCOMPARE(panel.validationError(), QString());
        RequestParameters p = panel.parameters();
        QCOMPARE(p.api, responses.api);
        QCOMPARE(p.model, responses.model);
        QCOMPARE(p.temperature, responses.temperature);
        QCOMPARE(p.topP, responses.topP);
        QCOMPARE(p.maxOutputTokens, responses.maxOutputTokens);
        QCOMPARE(p.reasoningEffort, responses.reasoningEffort);
        QCOMPARE(p.reasoningSummary, responses.reasoningSummary);
        QCOMPARE(p.serviceTier, responses.serviceTier);
        QCOMPARE(p.store, responses.store);
        QCOMPARE(p.parallelToolCalls, responses.parallelToolCalls);
        QCOMPARE(p.topLogprobs, responses.topLogprobs);
        QCOMPARE(p.verbosity, responses.verbosity);
        QCOMPARE(p.promptCacheKey, responses.promptCacheKey);
        QCOMPARE(p.safetyIdentifier, responses.safetyIdentifier);
        QVERIFY2(p.jsonSchema == responses.jsonSchema, p.jsonSchema.dump().c_str());
        QVERIFY2(p.tools == responses.tools, p.tools.dump().c_str());
        QCOMPARE(p.toolChoice, responses.toolChoice);
        QCOMPARE(p.metadata, responses.metadata);
        QVERIFY2(p.extra == responses.extra, p.extra.dump().c_str());
        QCOMPARE(p.background, responses.background);
        QVERIFY(!p.seed);

        RequestParameters chat;
        chat.api = ApiKind::ChatCompletions;
        chat.model = QStringLiteral("gpt-4.1");
        chat.seed = -42;
        chat.frequencyPenalty = 0.5;
        chat.presencePenalty = -1.25;
        chat.prediction = QStringLiteral("def f():\n    return 1\n");
        chat.stop = {QStringLiteral("\n\n"), QStringLiteral("END")};
        chat.reasoningEffort = QStringLiteral("not-yet-known"); // kept, not dropped
        panel.setParameters(chat);
        p = panel.parameters();
        QCOMPARE(p.api, ApiKind::ChatCompletions);
        QCOMPARE(p.model, chat.model);
        QCOMPARE(p.seed, chat.seed);
        QCOMPARE(p.frequencyPenalty, chat.frequencyPenalty);
        QCOMPARE(p.presencePenalty, chat.presencePenalty);
        QCOMPARE(p.prediction, chat.prediction);
        QCOMPARE(p.stop, chat.stop);
        QCOMPARE(p.reasoningEffort, chat.reasoningEffort);
        // Everything the first load set and this one did not is back to "not sent".
        QVERIFY(!p.temperature && !p.topP && !p.maxOutputTokens && !p.store && !p.topLogprobs && !p.parallelToolCalls);
        QVERIFY(p.jsonSchema.is_null());
        QVERIFY(p.tools.empty());
        QVERIFY(p.metadata.empty());
        QVERIFY(p.toolChoice.isEmpty() && p.serviceTier.isEmpty() && p.promptCacheKey.isEmpty());
        QCOMPARE(panel.validationError(), QString());
    }

    void modelListKeepsTypedNameAndWarnsAboutRetirement()
    {
        ParametersPanel panel;
        auto *model = field<QComboBox>(panel, "model");
        auto *warning = field<QLabel>(panel, "modelWarning");
        QSignalSpy refresh(&panel, &ParametersPanel::refreshModelsRequested);
        field<QToolButton>(panel, "refreshModels")->click();
        QCOMPARE(refresh.count(), 1);

        model->setEditText(QStringLiteral("my-local-model"));
        panel.setAvailableModels(modelList());
        QCOMPARE(model->count(), 2);
        QCOMPARE(model->itemText(0), QStringLiteral("babbage-002")); // sorted
        QCOMPARE(model->currentText(), QStringLiteral("my-local-model"));
        QCOMPARE(panel.parameters().model, QStringLiteral("my-local-model"));
        QVERIFY(warning->parentWidget()->isHidden());

        model->setCurrentIndex(0);
        QCOMPARE(panel.parameters().model, QStringLiteral("babbage-002"));
        QVERIFY(!warning->parentWidget()->isHidden());
        QVERIFY2(warning->text().contains(QStringLiteral("2026-10-23")), qPrintable(warning->text()));
        QVERIFY(!model->itemData(0, Qt::DecorationRole).isNull());
        QVERIFY(model->itemData(1, Qt::DecorationRole).isNull());

        model->setEditText(QString());
        QVERIFY(panel.validationError().startsWith(QStringLiteral("Model")));
    }

    void metadataHoldsAtMostSixteenPairs()
    {
        ParametersPanel panel;
        auto *table = field<QTableWidget>(panel, "metadata");
        auto *add = field<QToolButton>(panel, "addMetadata");
        for (int i = 0; i < 20; ++i)
            add->click();
        QCOMPARE(table->rowCount(), ParametersPanel::MaxMetadataPairs);
        QVERIFY(!add->isEnabled());
        QVERIFY(panel.parameters().metadata.empty()); // empty rows are not sent

        table->item(0, 0)->setText(QStringLiteral("team"));
        table->item(0, 1)->setText(QStringLiteral("search"));
        table->item(1, 0)->setText(QStringLiteral("team"));
        QVERIFY(panel.validationError().startsWith(QStringLiteral("Metadata: ")));
        table->item(1, 0)->setText(QStringLiteral("owner"));
        table->item(2, 1)->setText(QStringLiteral("value without key"));
        QVERIFY(panel.validationError().startsWith(QStringLiteral("Metadata: row 3")));
        table->item(2, 1)->setText(QString());
        QCOMPARE(panel.validationError(), QString());
        const auto metadata = panel.parameters().metadata;
        QCOMPARE(metadata.size(), std::size_t(2));
        QCOMPARE(metadata.at(QStringLiteral("team")), QStringLiteral("search"));
        QCOMPARE(metadata.at(QStringLiteral("owner")), QString());

        table->selectRow(0);
        field<QToolButton>(panel, "removeMetadata")->click();
        QCOMPARE(table->rowCount(), ParametersPanel::MaxMetadataPairs - 1);
        QVERIFY(add->isEnabled());
        QVERIFY(!panel.parameters().metadata.contains(QStringLiteral("team")));
    }

    void stopSequencesAreChatOnlyAndAtMostFour()
    {
        ParametersPanel panel;
        selectApi(panel, ApiKind::ChatCompletions);
        auto *stop = field<QPlainTextEdit>(panel, "stop");
        stop->setPlainText(QStringLiteral("a\nb\\nc\n\nd\ne\nf"));
        QVERIFY(panel.validationError().startsWith(QStringLiteral("Stop sequences")));
        stop->setPlainText(QStringLiteral("a\nb\\nc"));
        QCOMPARE(panel.validationError(), QString());
        QCOMPARE(panel.parameters().stop, (QStringList{QStringLiteral("a"), QStringLiteral("b\nc")}));
        selectApi(panel, ApiKind::Responses);
        QVERIFY(!stop->isEnabled());
        QVERIFY(panel.parameters().stop.isEmpty());
    }
};

QTEST_MAIN(TestParametersPanel)
#include "tst_parameters_panel.moc"
