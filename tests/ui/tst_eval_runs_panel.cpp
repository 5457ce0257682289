// The Eval Runs panel against the fake OpenAI server: start a run, watch it finish, stop one,
// resume one offered by the banner.
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QAction>
#include <QLabel>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QStandardItemModel>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include "fakes/fake_openai_server.h"
#include "models/eval/eval_runner.h"
#include "models/eval/eval_spec.h"
#include "models/store/eval_store.h"
#include "models/store/workspace.h"
#include "ui/panels/eval_runs_panel.h"

using assay::testing::Behaviour;
using assay::testing::FakeOpenAiServer;
using assay::ui::EvalRunsPanel;
using nlohmann::json;

namespace {

constexpr int kModelColumn = 1;
constexpr int kStatusColumn = 2;
constexpr int kPassRateColumn = 3;
constexpr int kItemsColumn = 4;
constexpr int kEvalColumn = 5;

bool writeFile(const QString &path, const json &value)
{
    QFile file(path);
    const QByteArray bytes = QByteArray::fromStdString(value.dump(2));
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(bytes) == bytes.size();
}

json evalDefinition(const std::string &operation = "eq")
{
    return {{"name", "Capitals"},
            {"data_source_config",
             {{"type", "custom"},
              {"item_schema",
               {{"type", "object"},
                {"properties", {{"question", {{"type", "string"}}}, {"answer", {{"type", "string"}}}}},
                {"required", {"question", "answer"}}}}}},
            {"testing_criteria", json::array({{{"type", "string_check"},
                                               {"name", "exact answer"},
                                               {"input", "{{ sample.output_text }}"},
                                               {"operation", operation},
                                               {"reference", "{{ item.answer }}"}}})}};
}

json runDefinition(int count)
{
    json content = json::array();
    for (int i = 0; i < count; ++i)
        content.push_back({{"item", {{"question", "Question " + std::to_string(i)}, {"answer", "Answer " + std::to_string(i)}}}});
    return {{"name", "panel run"},
            {"data_source",
             {{"type", "responses"},
              {"model", "gpt-test"},
              {"input_messages",
               {{"type", "template"}, {"template", {{{"role", "user"}, {"content", "{{ item.question }}"}}}}}},
              {"source", {{"type", "file_content"}, {"content", content}}}}}};
}

QString labelText(const QLabel *label)
{
    QString text = label->text();
    text.remove(QRegularExpression(QStringLiteral("<[^>]*>")));
    return text;
}

} // namespace

class TestEvalRunsPanel : public QObject {
    Q_OBJECT

private:
    FakeOpenAiServer m_server;
    QTemporaryDir m_dir;
    int m_counter = 0;
    std::unique_ptr<assay::store::Workspace> m_workspace;
    std::unique_ptr<EvalRunsPanel> m_panel;

    QString path(const QString &name) const { return m_dir.filePath(name); }

    assay::api::Profile profile() const
    {
        assay::api::Profile p;
        p.name = QStringLiteral("fake");
        p.baseUrl = m_server.baseUrl().toString();
        p.keySource = assay::api::Profile::KeySource::Environment;
        return p;
    }

    void makePanel()
    {
        m_panel = std::make_unique<EvalRunsPanel>();
        m_panel->setProfileProvider([this] { return profile(); });
        m_panel->setWorkspace(m_workspace.get());
        m_panel->resize(1100, 500);
        m_panel->show();
    }

    QString runsCell(int row, int column) const
    {
        return m_panel->runsModel()->index(row, column).data().toString();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_dir.filePath(QStringLiteral("settings")));
        qputenv("OPENAI_API_KEY", "sk-test-panel-0123456789");
        QVERIFY(m_server.start());
        m_server.setOutputTextProvider([](const json &request) -> QByteArray {
            static const QRegularExpression pattern(QStringLiteral("Question (\\d+)\\b"));
            const auto match = pattern.match(QString::fromStdString(request.dump()));
            if (!match.hasMatch())
                return {};
            const int question = match.captured(1).toInt();
            return question % 5 == 4 ? QByteArray("no idea") : "Answer " + QByteArray::number(question);
        });
    }

    void init()
    {
        m_server.clearRequests();
        m_workspace = std::make_unique<assay::store::Workspace>();
        QString error;
        QVERIFY2(m_workspace->open(path(QStringLiteral("ws-%1.sqlite").arg(++m_counter)), &error), qPrintable(error));
    }

    void cleanup()
    {
        m_panel.reset();
        m_workspace.reset();
    }

    void runFinishesWithCountsAndIsListed()
    {
        QVERIFY(writeFile(path(QStringLiteral("eval.json")), evalDefinition()));
        QVERIFY(writeFile(path(QStringLiteral("run.json")), runDefinition(10)));
        makePanel();
        QVERIFY(!m_panel->isResumeBannerVisible());
        QCOMPARE(m_panel->startAction()->shortcut(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R));
        m_panel->setEvalFile(path(QStringLiteral("eval.json")));
        m_panel->setRunFile(path(QStringLiteral("run.json")));
        m_panel->setConcurrency(3);
        m_panel->startAction()->trigger();
        QVERIFY(m_panel->isRunning());
        QTRY_COMPARE_WITH_TIMEOUT(m_panel->lastStatus(), QStringLiteral("completed"), 30000);
        QVERIFY(!m_panel->isRunning());

        QCOMPARE(labelText(m_panel->passedLabel()), QStringLiteral("Passed 8"));
        QCOMPARE(labelText(m_panel->failedLabel()), QStringLiteral("Failed 2"));
        QCOMPARE(labelText(m_panel->erroredLabel()), QStringLiteral("Errored 0"));
        QCOMPARE(labelText(m_panel->passRateLabel()), QStringLiteral("Pass rate 80.0%"));
        QCOMPARE(m_panel->progressBar()->value(), 10);
        QCOMPARE(m_panel->progressBar()->maximum(), 10);
        QCOMPARE(m_panel->criteriaModel()->rowCount(), 1);
        QCOMPARE(m_panel->criteriaModel()->index(0, 0).data().toString(), QStringLiteral("exact answer"));
        QCOMPARE(m_panel->criteriaModel()->index(0, 1).data().toInt(), 8);
        QCOMPARE(m_panel->criteriaModel()->index(0, 2).data().toInt(), 2);

        QCOMPARE(m_panel->runsModel()->rowCount(), 1);
        QCOMPARE(runsCell(0, kEvalColumn), QStringLiteral("Capitals"));
        QCOMPARE(runsCell(0, kStatusColumn), QStringLiteral("completed"));
        QCOMPARE(runsCell(0, kPassRateColumn), QStringLiteral("80.0%"));
        QCOMPARE(runsCell(0, kItemsColumn), QStringLiteral("10"));
        QCOMPARE(m_server.requests().size(), 10);
        QCOMPARE(m_server.requests().first().json().at("model").get<std::string>(), "gpt-test");

        // A model override makes a second run with that model.
        m_panel->setModelOverride(QStringLiteral("gpt-other"));
        m_panel->start();
        QTRY_COMPARE_WITH_TIMEOUT(m_panel->runsModel()->rowCount(), 2, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(!m_panel->isRunning(), 30000);
        QCOMPARE(runsCell(0, kModelColumn), QStringLiteral("gpt-other"));
        QCOMPARE(m_server.requests().last().json().at("model").get<std::string>(), "gpt-other");
    }

    void stopEndsTheRunCanceled()
    {
        QVERIFY(writeFile(path(QStringLiteral("eval.json")), evalDefinition()));
        QVERIFY(writeFile(path(QStringLiteral("run.json")), runDefinition(12)));
        for (int i = 0; i < 16; ++i) {
            Behaviour slow;
            slow.responseDelayMs = 300;
            m_server.enqueue(slow);
        }
        makePanel();
        m_panel->setEvalFile(path(QStringLiteral("eval.json")));
        m_panel->setRunFile(path(QStringLiteral("run.json")));
        m_panel->setConcurrency(1);
        m_panel->start();
        QTRY_VERIFY_WITH_TIMEOUT(m_panel->progress().done >= 1, 30000);
        QVERIFY(m_panel->stopAction()->isEnabled());
        m_panel->stopAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(m_panel->lastStatus(), QStringLiteral("canceled"), 10000);
        QVERIFY(!m_panel->isRunning());
        QVERIFY(m_panel->startAction()->isEnabled());
        const qint64 done = m_panel->progress().done;
        QVERIFY(done >= 1 && done < 12);

        assay::store::EvalStore store(*m_workspace);
        const auto runs = store.runs();
        QCOMPARE(runs.size(), 1);
        QCOMPARE(runs.first().status, QStringLiteral("canceled"));
        QCOMPARE(static_cast<qint64>(store.items(runs.first().id).size()), done);
        QCOMPARE(runsCell(0, kStatusColumn), QStringLiteral("canceled"));
    }

    void savedDefinitionsReadBackAndRunTheSame()
    {
        QVERIFY(writeFile(path(QStringLiteral("eval.json")), evalDefinition()));
        // Items from a file next to the run, named relatively: the saved run must still find it.
        QFile data(path(QStringLiteral("items.jsonl")));
        QVERIFY(data.open(QIODevice::WriteOnly | QIODevice::Truncate));
        for (int i = 0; i < 5; ++i)
            data.write(QByteArray::fromStdString(
                json({{"item", {{"question", "Question " + std::to_string(i)}, {"answer", "Answer " + std::to_string(i)}}}})
                    .dump() +
                "\n"));
        data.close();
        json run = runDefinition(0);
        run["data_source"]["source"] = {{"type", "file_id"}, {"id", "items.jsonl"}};
        run["data_source"]["sampling_params"] = {{"temperature", 0.2}, {"seed", 3}};
        QVERIFY(writeFile(path(QStringLiteral("run.json")), run));
        makePanel();
        QCOMPARE(m_panel->saveEvalAction()->shortcut(), QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_E));
        QCOMPARE(m_panel->saveRunAction()->shortcut(), QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_U));
        QVERIFY(m_panel->saveEvalAction()->toolTip().contains(
            m_panel->saveEvalAction()->shortcut().toString(QKeySequence::NativeText)));
        QVERIFY(m_panel->saveRunAction()->toolTip().contains(
            m_panel->saveRunAction()->shortcut().toString(QKeySequence::NativeText)));
        m_panel->setEvalFile(path(QStringLiteral("eval.json")));
        m_panel->setRunFile(path(QStringLiteral("run.json")));
        m_panel->setModelOverride(QStringLiteral("gpt-saved"));

        QDir(m_dir.path()).mkpath(QStringLiteral("saved"));
        const QString evalOut = path(QStringLiteral("saved/eval-copy.json"));
        const QString runOut = path(QStringLiteral("saved/run-copy.json"));
        QSignalSpy saved(m_panel.get(), &EvalRunsPanel::definitionSaved);
        QSignalSpy failed(m_panel.get(), &EvalRunsPanel::definitionSaveFailed);
        m_panel->saveEvalTo(evalOut);
        m_panel->saveRunTo(runOut);
        QTRY_COMPARE_WITH_TIMEOUT(saved.size() + failed.size(), 2, 10000);
        QCOMPARE(failed.size(), 0);

        QFile evalFile(evalOut);
        QVERIFY(evalFile.open(QIODevice::ReadOnly));
        const QByteArray evalBytes = evalFile.readAll();
        QVERIFY(evalBytes.endsWith("}\n"));
        const json evalJson = json::parse(evalBytes.toStdString(), nullptr, false);
        QVERIFY(assay::eval::EvalSpec::parse(evalJson, nullptr).has_value());
        QCOMPARE(evalJson["testing_criteria"], evalDefinition()["testing_criteria"]);
        QCOMPARE(evalJson["name"], json("Capitals"));

        QFile runFile(runOut);
        QVERIFY(runFile.open(QIODevice::ReadOnly));
        const json runJson = json::parse(runFile.readAll().toStdString(), nullptr, false);
        QCOMPARE(runJson["data_source"]["model"], json("gpt-saved")); // the Model typed in the panel
        QCOMPARE(runJson["data_source"]["sampling_params"], run["data_source"]["sampling_params"]);
        QCOMPARE(runJson["data_source"]["source"]["id"].get<std::string>(),
                 path(QStringLiteral("items.jsonl")).toStdString());
        const auto spec = assay::eval::RunSpec::parse(runJson, QFileInfo(runOut).absolutePath(), nullptr);
        QVERIFY(spec.has_value());
        QCOMPARE(assay::eval::loadRunItems(*spec).items.size(), std::size_t(5));

        // The saved files run as they are: no override needed any more.
        m_panel->setModelOverride(QString());
        m_panel->setEvalFile(evalOut);
        m_panel->setRunFile(runOut);
        m_panel->start();
        QTRY_COMPARE_WITH_TIMEOUT(m_panel->lastStatus(), QStringLiteral("completed"), 30000);
        QCOMPARE(runsCell(0, kModelColumn), QStringLiteral("gpt-saved"));
        QCOMPARE(runsCell(0, kItemsColumn), QStringLiteral("5"));
        QCOMPARE(labelText(m_panel->passedLabel()), QStringLiteral("Passed 4"));

        // A folder that does not exist: an error that names the file, and no file.
        const QString nowhere = path(QStringLiteral("missing-folder/eval.json"));
        m_panel->saveEvalTo(nowhere);
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 10000);
        QCOMPARE(failed.first().at(0).toString(), nowhere);
        QVERIFY2(m_panel->messageText().contains(nowhere), qPrintable(m_panel->messageText()));
        QVERIFY(!QFileInfo::exists(nowhere));
    }

    void badEvalShowsWhereTheProblemIs()
    {
        QVERIFY(writeFile(path(QStringLiteral("bad.json")), evalDefinition("equals")));
        QVERIFY(writeFile(path(QStringLiteral("run.json")), runDefinition(3)));
        makePanel();
        m_panel->setEvalFile(path(QStringLiteral("bad.json")));
        m_panel->setRunFile(path(QStringLiteral("run.json")));
        m_panel->start();
        QTRY_VERIFY_WITH_TIMEOUT(!m_panel->isRunning(), 10000);
        QVERIFY2(m_panel->messageText().contains(QStringLiteral("bad.json: $.testing_criteria[0]")),
                 qPrintable(m_panel->messageText()));
        QVERIFY(m_server.requests().isEmpty());
        QCOMPARE(m_panel->runsModel()->rowCount(), 0);
    }

    void refusedKeyShowsWhyTheRunFailed()
    {
        QVERIFY(writeFile(path(QStringLiteral("eval.json")), evalDefinition()));
        QVERIFY(writeFile(path(QStringLiteral("run.json")), runDefinition(6)));
        m_server.clearBehaviours(); // what an earlier test left queued
        m_server.enqueue(Behaviour::unauthorized());
        makePanel();
        m_panel->setEvalFile(path(QStringLiteral("eval.json")));
        m_panel->setRunFile(path(QStringLiteral("run.json")));
        m_panel->setConcurrency(1);
        m_panel->start();
        QTRY_COMPARE_WITH_TIMEOUT(m_panel->lastStatus(), QStringLiteral("failed"), 30000);
        const QString message = m_panel->messageText();
        QVERIFY2(message.contains(QStringLiteral("the API refused the key: HTTP 401")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("resume")), qPrintable(message));
        QVERIFY2(!message.contains(QStringLiteral("..")), qPrintable(message));
        QCOMPARE(m_server.requests().size(), 1); // nothing sent after the refusal
        QCOMPARE(runsCell(0, kStatusColumn), QStringLiteral("failed"));
    }

    void pythonGradersAskForConsentFirst()
    {
        json eval = evalDefinition();
        eval["testing_criteria"] = json::array(
            {{{"type", "python"}, {"name", "py check"}, {"source", "def grade(sample, item):\n    return 1.0\n"}}});
        QVERIFY(writeFile(path(QStringLiteral("py_eval.json")), eval));
        QVERIFY(writeFile(path(QStringLiteral("run.json")), runDefinition(2)));
        makePanel();
        m_panel->setEvalFile(path(QStringLiteral("py_eval.json")));
        m_panel->setRunFile(path(QStringLiteral("run.json")));
        m_panel->start();
        QMessageBox *box = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((box = m_panel->findChild<QMessageBox *>(QStringLiteral("pythonConsentBox"))), 10000);
        QVERIFY(box->text().contains(QStringLiteral("runs on this computer")));
        QVERIFY(box->text().contains(QStringLiteral("py check")));
        QVERIFY(!box->informativeText().isEmpty()); // the network isolation status
        QVERIFY(box->isModal() || box->windowModality() != Qt::NonModal);
        box->button(QMessageBox::Cancel)->click();
        QTRY_VERIFY(!m_panel->isRunning());
        QVERIFY2(m_panel->messageText().contains(QStringLiteral("consent")), qPrintable(m_panel->messageText()));
        QVERIFY(m_server.requests().isEmpty());
        QCOMPARE(m_panel->runsModel()->rowCount(), 0);
        // Declining is not remembered as consent; the key names a hash, never the code.
        const QString key = EvalRunsPanel::consentKey(eval);
        QVERIFY(!QSettings().value(key, false).toBool());
        QVERIFY(!key.contains(QStringLiteral("grade")));
    }

    void bannerOffersToResumeAnUnfinishedRun()
    {
        // A run left in_progress with 2 of 5 items done, as a killed process leaves it.
        std::vector<assay::eval::SpecProblem> problems;
        const auto eval = assay::eval::EvalSpec::parse(evalDefinition(), &problems);
        QVERIFY(eval);
        const auto run = assay::eval::RunSpec::parse(runDefinition(5), m_dir.path(), &problems);
        QVERIFY(run);
        const auto loaded = assay::eval::loadRunItems(*run);
        QCOMPARE(loaded.items.size(), std::size_t(5));
        qint64 runId = 0;
        {
            assay::store::EvalStore store(*m_workspace);
            const auto saved = store.saveEval(QStringLiteral("Capitals"), evalDefinition());
            QVERIFY(saved);
            assay::store::RunRecord record;
            record.evalId = saved->id;
            record.name = QStringLiteral("interrupted run");
            record.model = QStringLiteral("gpt-test");
            record.api = QStringLiteral("responses");
            record.status = QStringLiteral("in_progress");
            record.source = QStringLiteral("local");
            record.runSpec = run->toJson();
            record.datasetHash = assay::eval::EvalRunner::datasetHash(loaded.items);
            record.totalItems = 5;
            record.createdAt = QDateTime::currentDateTimeUtc();
            const auto id = store.createRun(record);
            QVERIFY(id);
            runId = *id;
            for (qint64 i = 0; i < 2; ++i) {
                assay::store::OutputItemRecord item;
                item.runId = runId;
                item.datasourceItemId = i;
                item.status = QStringLiteral("pass");
                item.datasourceItem = loaded.items.at(static_cast<std::size_t>(i));
                item.sample = {{"output", json::array({{{"role", "assistant"}, {"content", "Answer"}}})}};
                item.results = json::array({{{"name", "exact answer"}, {"type", "string_check"}, {"score", 1.0}, {"passed", true}}});
                item.createdAt = QDateTime::currentDateTimeUtc();
                QVERIFY(store.commitItem(item));
            }
        }

        makePanel();
        QVERIFY(m_panel->isResumeBannerVisible());
        QCOMPARE(m_panel->resumeBannerButton()->text(), QStringLiteral("Resume run interrupted run"));
        QCOMPARE(runsCell(0, kStatusColumn), QStringLiteral("in_progress"));
        m_panel->resumeBannerButton()->click();
        QTRY_COMPARE_WITH_TIMEOUT(m_panel->lastStatus(), QStringLiteral("completed"), 30000);
        QVERIFY(!m_panel->isResumeBannerVisible());
        QCOMPARE(m_server.requests().size(), 3); // only the rows without a result
        QCOMPARE(m_panel->progress().done, 5);
        QCOMPARE(runsCell(0, kStatusColumn), QStringLiteral("completed"));
        QCOMPARE(runsCell(0, kItemsColumn), QStringLiteral("5"));
    }
};

QTEST_MAIN(TestEvalRunsPanel)
#include "tst_eval_runs_panel.moc"
