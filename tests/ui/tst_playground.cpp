#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDockWidget>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include "fakes/fake_openai_server.h"
#include "ui/dialogs/pricing_dialog.h"
#include "ui/dialogs/profile_dialog.h"
#include "ui/main_window.h"
#include "ui/panels/inspector_panel.h"
#include "ui/panels/parameters_panel.h"
#include "ui/panels/prompt_panel.h"
#include "ui/panels/response_view.h"
#include "ui/widgets/metrics_bar.h"

using assay::testing::Behaviour;
using assay::testing::FakeOpenAiServer;
using assay::ui::MainWindow;
using assay::ui::MetricsBar;

namespace {

const QByteArray kFakeKey = "sk-test-playground-4f9c2e7a1b";

const QByteArray kAnswer =
    "Streaming keeps the wait short. The first words show up almost at once, and the rest "
    "follows while the model is still writing. A reader can start before the end arrives, "
    "and a person who sees a wrong turn can stop the request early and save the tokens.";

struct Playground {
    MainWindow window;
    assay::ui::PromptPanel *prompt = nullptr;
    assay::ui::ResponseView *response = nullptr;
    assay::ui::InspectorPanel *inspector = nullptr;
    QAction *run = nullptr;
    QAction *stop = nullptr;

    bool open()
    {
        prompt = window.findChild<assay::ui::PromptPanel *>();
        response = window.findChild<assay::ui::ResponseView *>();
        inspector = window.findChild<assay::ui::InspectorPanel *>();
        run = window.findChild<QAction *>(QStringLiteral("actionRun"));
        stop = window.findChild<QAction *>(QStringLiteral("actionStop"));
        window.show();
        return prompt && response && inspector && run && stop && QTest::qWaitForWindowActive(&window);
    }

    // What a user does: type into the prompt, press Ctrl+Return.
    void ask(const QString &text)
    {
        prompt->focusPrompt();
        QWidget *editor = QApplication::focusWidget();
        QTest::keyClicks(editor, text);
        QTest::keyClick(editor, Qt::Key_Return, Qt::ControlModifier);
    }

    QString state() const { return window.findChild<QLabel *>(QStringLiteral("runState"))->toolTip(); }
};

// The usage the fake reported in its final stream event.
nlohmann::json lastUsage(const FakeOpenAiServer &server)
{
    for (auto it = server.sentPayloads().crbegin(); it != server.sentPayloads().crend(); ++it) {
        const nlohmann::json &payload = it->second;
        if (payload.value("type", std::string()) == "response.completed")
            return payload["response"]["usage"];
    }
    return {};
}

qint64 digitsOf(const QString &text)
{
    QString digits = text;
    digits.remove(QRegularExpression(QStringLiteral("[^0-9]")));
    return digits.toLongLong();
}

} // namespace

class TestPlayground : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void streamsAnswerIncrementally();
    void unauthorizedShowsBannerWithAdvice();
    void droppedStreamKeepsPartialText();
    void escapeStopsAStalledStream();
    void missingKeyIsExplainedAndNothingIsSent();
    void dockLayoutIsRestored();
    void editedPricingIsSavedAndUsed();
    void typedKeyNeverReachesTheSettingsFile();

private:
    QTemporaryDir m_settingsDir;
    FakeOpenAiServer m_server;
};

void TestPlayground::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_settingsDir.isValid());
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
    QCoreApplication::setOrganizationName(QStringLiteral("Assay"));
    QCoreApplication::setApplicationName(QStringLiteral("AssayPlaygroundTest"));
    QVERIFY(m_server.start());
    qputenv("ASSAY_BASE_URL", m_server.baseUrl().toString().toUtf8());
}

void TestPlayground::init()
{
    qputenv("OPENAI_API_KEY", kFakeKey);
    m_server.clearRequests();
}

void TestPlayground::streamsAnswerIncrementally()
{
    Behaviour slow;
    slow.outputText = kAnswer;
    slow.maxChunk = 24;
    slow.chunkDelayMs = 8;
    m_server.enqueue(slow);

    Playground p;
    QVERIFY(p.open());
    QVERIFY(!p.stop->isEnabled());

    // Watch the answer as a user would: what the view shows, sampled while it streams.
    QStringList seen;
    QTimer sampler;
    sampler.setInterval(10);
    QObject::connect(&sampler, &QTimer::timeout, &sampler, [&]() {
        const QString shown = p.response->displayedText();
        if (!shown.isEmpty() && (seen.isEmpty() || seen.last() != shown))
            seen << shown;
    });
    sampler.start();

    p.ask(QStringLiteral("Why stream answers?"));
    QTRY_VERIFY_WITH_TIMEOUT(p.stop->isEnabled(), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(!p.window.isRunning(), 20000);
    sampler.stop();

    const QString expected = QString::fromUtf8(kAnswer);
    QCOMPARE(p.response->model()->text(), expected);
    QCOMPARE(p.response->displayedText().trimmed(), expected);
    QVERIFY2(seen.size() >= 4,
             qPrintable(QStringLiteral("only %1 distinct states were seen").arg(seen.size())));
    for (int i = 1; i < seen.size(); ++i) {
        QVERIFY(seen[i].size() > seen[i - 1].size());
        QVERIFY(expected.startsWith(seen[i - 1].trimmed()));
    }
    QVERIFY(seen.first().size() < expected.size() / 2); // the first words came well before the end
    QVERIFY(!p.response->isErrorBannerVisible());
    QVERIFY(p.state().startsWith(QStringLiteral("Done in")));
    QVERIFY(!p.stop->isEnabled());

    // The request carried the prompt and the key from the environment.
    QCOMPARE(m_server.requests().size(), 1);
    const assay::testing::ReceivedRequest &request = m_server.requests().first();
    QCOMPARE(request.path, QByteArray("/v1/responses"));
    QCOMPARE(request.header("authorization"), QByteArray("Bearer ") + kFakeKey);
    QVERIFY(request.body.contains("Why stream answers?"));

    // The metrics are the fake's usage.
    const nlohmann::json usage = lastUsage(m_server);
    QVERIFY(usage.is_object());
    MetricsBar *bar = p.response->metricsBar();
    QCOMPARE(digitsOf(bar->valueText(MetricsBar::Metric::InputTokens)), usage["input_tokens"].get<qint64>());
    QCOMPARE(digitsOf(bar->valueText(MetricsBar::Metric::OutputTokens)),
             usage["output_tokens"].get<qint64>());
    QCOMPARE(digitsOf(bar->valueText(MetricsBar::Metric::CachedTokens)),
             usage["input_tokens_details"]["cached_tokens"].get<qint64>());
    QVERIFY(!bar->valueText(MetricsBar::Metric::TimeToFirstToken).isEmpty());
    QVERIFY(!bar->valueText(MetricsBar::Metric::Total).isEmpty());

    // The request id the server sent is shown, and it is the one in the response headers.
    const QString requestId = bar->valueText(MetricsBar::Metric::RequestId);
    QVERIFY(requestId.startsWith(QStringLiteral("req_")));
    const assay::api::RequestRecord &record = p.inspector->record();
    bool headerMatches = false;
    for (const auto &[name, value] : record.responseHeaders)
        headerMatches = headerMatches || (name.toLower() == "x-request-id" && value == requestId.toUtf8());
    QVERIFY(headerMatches);

    // The inspector shows the request, with Authorization redacted and the key nowhere.
    const QString shown = p.inspector->shownText();
    QVERIFY(shown.contains(QStringLiteral("POST")));
    QVERIFY(shown.contains(QStringLiteral("/v1/responses")));
    QVERIFY(shown.contains(QStringLiteral("Authorization"), Qt::CaseInsensitive));
    QVERIFY(shown.contains(QStringLiteral("Why stream answers?")));
    QVERIFY(!shown.contains(QString::fromUtf8(kFakeKey)));
    QVERIFY(!shown.contains(QString::fromUtf8(kFakeKey.mid(8))));

    // Copy as curl: a working command that does not carry the key.
    p.window.findChild<QAction *>(QStringLiteral("actionCopyCurl"))->trigger();
    const QString curl = QApplication::clipboard()->text();
    QVERIFY(curl.startsWith(QStringLiteral("curl")));
    QVERIFY(curl.contains(QStringLiteral("OPENAI_API_KEY")));
    QVERIFY(!curl.contains(QString::fromUtf8(kFakeKey)));
}

void TestPlayground::unauthorizedShowsBannerWithAdvice()
{
    const Behaviour unauthorized = Behaviour::unauthorized();
    m_server.enqueue(unauthorized);
    Playground p;
    QVERIFY(p.open());
    p.ask(QStringLiteral("Hello?"));
    QTRY_VERIFY_WITH_TIMEOUT(p.response->isErrorBannerVisible(), 10000);
    QTRY_VERIFY(!p.window.isRunning());

    const QString banner = p.response->errorBannerText();
    QVERIFY2(banner.contains(QString::fromUtf8(unauthorized.errorMessage)), qPrintable(banner));
    QVERIFY(banner.contains(QStringLiteral("401")));
    QVERIFY(banner.contains(QStringLiteral("API key"))); // what to do about it
    QVERIFY(banner.contains(QStringLiteral("req_")));    // what to quote to support
    QVERIFY(!banner.contains(QString::fromUtf8(kFakeKey)));
    QVERIFY(p.state().startsWith(QStringLiteral("Failed")));
    QCOMPARE(m_server.requests().size(), 1); // a 401 is not retried
}

void TestPlayground::droppedStreamKeepsPartialText()
{
    Behaviour drop;
    drop.kind = Behaviour::Kind::DropMidStream;
    drop.outputText = kAnswer;
    drop.dropAfterEvents = 12;
    drop.chunkDelayMs = 2;
    m_server.enqueue(drop);
    Playground p;
    QVERIFY(p.open());
    p.ask(QStringLiteral("Tell me"));
    QTRY_VERIFY_WITH_TIMEOUT(!p.window.isRunning() && p.response->isErrorBannerVisible(), 15000);

    const QString shown = p.response->displayedText().trimmed();
    QVERIFY2(!shown.isEmpty(), "the partial answer stays visible under the banner");
    QVERIFY(QString::fromUtf8(kAnswer).startsWith(shown));
    QVERIFY(shown.size() < kAnswer.size());
    QVERIFY(p.response->errorBannerText().contains(QStringLiteral("partial"),
                                                   Qt::CaseInsensitive)); // says the text is kept
    QVERIFY(p.state().startsWith(QStringLiteral("Failed")));
}

void TestPlayground::escapeStopsAStalledStream()
{
    Behaviour stall;
    stall.kind = Behaviour::Kind::StallMidStream;
    stall.outputText = kAnswer;
    stall.dropAfterEvents = 9;
    m_server.enqueue(stall);
    Playground p;
    QVERIFY(p.open());
    p.ask(QStringLiteral("Go on"));
    QTRY_VERIFY_WITH_TIMEOUT(!p.response->displayedText().isEmpty(), 10000);
    const QString partial = p.response->displayedText();
    QVERIFY(p.window.isRunning());
    QVERIFY(p.stop->isEnabled());

    QTest::keyClick(QApplication::focusWidget() ? QApplication::focusWidget() : &p.window, Qt::Key_Escape);
    QTRY_VERIFY_WITH_TIMEOUT(!p.window.isRunning(), 5000);
    QVERIFY(p.response->errorBannerText().startsWith(QStringLiteral("Stopped")));
    QCOMPARE(p.response->displayedText(), partial);
    QCOMPARE(p.state(), QStringLiteral("Stopped"));
    QVERIFY(!p.stop->isEnabled());
    QVERIFY(p.run->isEnabled());
}

void TestPlayground::missingKeyIsExplainedAndNothingIsSent()
{
    qputenv("OPENAI_API_KEY", "");
    Playground p;
    QVERIFY(p.open());
    p.ask(QStringLiteral("Anyone there?"));
    QTRY_VERIFY_WITH_TIMEOUT(p.response->isErrorBannerVisible(), 5000);
    QVERIFY(p.response->errorBannerText().contains(QStringLiteral("OPENAI_API_KEY")));
    QVERIFY(!p.window.isRunning());
    QCOMPARE(m_server.requests().size(), 0);
}

void TestPlayground::dockLayoutIsRestored()
{
    {
        Playground p;
        QVERIFY(p.open());
        auto *inspector = p.window.findChild<QDockWidget *>(QStringLiteral("inspectorDock"));
        auto *parameters = p.window.findChild<QDockWidget *>(QStringLiteral("parametersDock"));
        QVERIFY(inspector && parameters);
        QVERIFY(inspector->isHidden()); // hidden until asked for
        QVERIFY(!parameters->isHidden());
        inspector->show();
        parameters->hide();
        p.window.close();
    }
    Playground again;
    QVERIFY(again.open());
    QVERIFY(!again.window.findChild<QDockWidget *>(QStringLiteral("inspectorDock"))->isHidden());
    QVERIFY(again.window.findChild<QDockWidget *>(QStringLiteral("parametersDock"))->isHidden());
    QCOMPARE(again.window.windowTitle(), QStringLiteral("Assay"));
    QSettings().clear();
}

void TestPlayground::editedPricingIsSavedAndUsed()
{
    QFile::remove(MainWindow::pricingPath());
    Playground p;
    QVERIFY(p.open());
    p.ask(QStringLiteral("Price check"));
    QTRY_VERIFY_WITH_TIMEOUT(!p.window.isRunning(), 10000);
    MetricsBar *bar = p.response->metricsBar();
    const QString model = p.response->model()->metrics().model;
    const nlohmann::json usage = lastUsage(m_server);
    QVERIFY(usage.is_object());

    p.window.findChild<QAction *>(QStringLiteral("actionEditPricing"))->trigger();
    auto *dialog = p.window.findChild<assay::ui::PricingDialog *>();
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->isVisible());
    auto *table = dialog->findChild<QTableWidget *>(QStringLiteral("pricingTable"));
    // A price for exactly this model: $1 input, $0 cached, $1000 output per 1M tokens.
    table->setSortingEnabled(false);
    int row = -1;
    for (int r = 0; r < table->rowCount(); ++r) {
        if (table->item(r, 0) && table->item(r, 0)->text() == model)
            row = r;
    }
    if (row < 0) {
        row = table->rowCount();
        table->insertRow(row);
        table->setItem(row, 0, new QTableWidgetItem(model));
    }
    for (const auto &[column, value] : {std::pair{1, 1.0}, std::pair{2, 0.0}, std::pair{3, 1000.0}}) {
        auto *item = new QTableWidgetItem;
        item->setData(Qt::EditRole, value);
        table->setItem(row, column, item);
    }
    dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Save)->click();
    QTRY_VERIFY(!dialog->isVisible());

    // Saved where the next start will read it, and used for the run on screen now.
    QVERIFY(QFile::exists(MainWindow::pricingPath()));
    const assay::prompt::Pricing saved = assay::prompt::Pricing::loadUserOrBuiltIn(MainWindow::pricingPath());
    QVERIFY(saved.priceFor(model));
    QCOMPARE(saved.priceFor(model)->output, 1000.0);
    const qint64 input = usage["input_tokens"].get<qint64>();
    const qint64 cached = usage["input_tokens_details"]["cached_tokens"].get<qint64>();
    const qint64 output = usage["output_tokens"].get<qint64>();
    const double expected =
        (static_cast<double>(input - cached) * 1.0 + static_cast<double>(output) * 1000.0) / 1e6;
    QCOMPARE(bar->valueText(MetricsBar::Metric::Cost), MetricsBar::formatCost(expected));
    QFile::remove(MainWindow::pricingPath());
}

void TestPlayground::typedKeyNeverReachesTheSettingsFile()
{
    const QByteArray typedKey = "sk-typed-in-dialog-93e1c0ffee";
    Playground p;
    QVERIFY(p.open());
    p.window.findChild<QAction *>(QStringLiteral("actionManageProfiles"))->trigger();
    auto *dialog = p.window.findChild<assay::ui::ProfileDialog *>();
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->isVisible());
    auto *name = dialog->findChild<QLineEdit *>(QStringLiteral("profileName"));
    auto *source = dialog->findChild<QComboBox *>(QStringLiteral("profileKeySource"));
    auto *key = dialog->findChild<QLineEdit *>(QStringLiteral("profileKey"));
    QCOMPARE(key->echoMode(), QLineEdit::Password);
    name->setText(QStringLiteral("Fake server"));
    source->setCurrentIndex(source->findData(static_cast<int>(assay::api::Profile::KeySource::Keychain)));
    QVERIFY(key->isEnabled());
    QTest::keyClicks(key, QString::fromUtf8(typedKey));
    dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->click();
    QTRY_VERIFY(!dialog->isVisible());

    auto *combo = p.window.findChild<QComboBox *>(QStringLiteral("profileCombo"));
    QVERIFY(combo->findText(QStringLiteral("Fake server")) >= 0);
    QCOMPARE(p.window.currentProfile().name, QStringLiteral("Fake server"));

    QSettings settings;
    settings.sync();
    QFile file(settings.fileName());
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray stored = file.readAll();
    QVERIFY(stored.contains("Fake server"));
    QVERIFY(!stored.contains(typedKey));

    // Opening the dialog again does not show the key back.
    p.window.findChild<QAction *>(QStringLiteral("actionManageProfiles"))->trigger();
    QTRY_VERIFY(p.window.findChildren<assay::ui::ProfileDialog *>().size() >= 1);
    for (auto *again : p.window.findChildren<assay::ui::ProfileDialog *>()) {
        if (again->isVisible()) {
            QVERIFY(again->findChild<QLineEdit *>(QStringLiteral("profileKey"))->text().isEmpty());
            again->reject();
        }
    }
    QSettings().clear();
}

QTEST_MAIN(TestPlayground)
#include "tst_playground.moc"
