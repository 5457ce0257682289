// The report export dialog: runs of a temporary workspace exported as HTML and CSV through the
// dialog's API (off the GUI thread), compared when two runs are given, canceled, and refused
// when the file cannot be written.
#include <QComboBox>
#include <QFile>
#include <QFileInfo>
#include <QProgressBar>
#include <QPushButton>
#include <QSemaphore>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QThreadPool>
#include <QtTest>

#include <nlohmann/json.hpp>

#include "models/dataset/csv_reader.h"
#include "models/store/eval_store.h"
#include "models/store/workspace.h"
#include "ui/dialogs/report_export_dialog.h"

using assay::report::ReportFormat;
using assay::store::EvalStore;
using assay::store::OutputItemRecord;
using assay::store::RunRecord;
using assay::ui::ReportExportDialog;
using nlohmann::json;

namespace {

constexpr int kItems = 12;

json evalDefinition()
{
    return {{"name", "Capitals <i>"},
            {"data_source_config", {{"type", "custom"}, {"item_schema", {{"type", "object"}}}}},
            {"testing_criteria", json::array({{{"type", "string_check"},
                                               {"name", "exact"},
                                               {"input", "{{ sample.output_text }}"},
                                               {"reference", "{{ item.answer }}"},
                                               {"operation", "eq"}}})}};
}

// Item i passes unless i % failEvery == failEvery - 1; item 1's output carries markup.
OutputItemRecord makeItem(qint64 runId, qint64 index, int failEvery)
{
    const bool pass = index % failEvery != failEvery - 1;
    const std::string answer = "Answer " + std::to_string(index);
    std::string output = pass ? answer : "no idea";
    if (index == 1 && !pass)
        output = "<script>alert(1)</script>";
    OutputItemRecord record;
    record.runId = runId;
    record.datasourceItemId = index;
    record.status = pass ? QStringLiteral("pass") : QStringLiteral("fail");
    record.datasourceItem = {{"question", "Question " + std::to_string(index)}, {"answer", answer}};
    record.sample = {{"input", json::array({{{"role", "user"}, {"content", "Question " + std::to_string(index)}}})},
                     {"output", json::array({{{"role", "assistant"}, {"content", output}}})},
                     {"model", "gpt-test"},
                     {"usage", {{"prompt_tokens", 10}, {"completion_tokens", 5}, {"total_tokens", 15}, {"cached_tokens", 0}}},
                     {"error", nullptr}};
    record.results = json::array({{{"name", "exact"},
                                   {"type", "string_check"},
                                   {"score", pass ? 1.0 : 0.0},
                                   {"passed", pass},
                                   {"sample", nullptr}}});
    record.latencyMs = 100 + index;
    record.createdAt = QDateTime(QDate(2026, 11, 23), QTime(10, 0, 0), Qt::UTC);
    return record;
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestReportExportDialog : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    assay::store::Workspace m_workspace;
    qint64 m_baseRun = 0;
    qint64 m_compareRun = 0;

    QString path(const QString &name) const { return m_dir.filePath(name); }

    qint64 addRun(EvalStore &store, qint64 evalId, const QString &model, int failEvery, int secondsAfter)
    {
        RunRecord run;
        run.evalId = evalId;
        run.name = QStringLiteral("run ") + model;
        run.model = model;
        run.api = QStringLiteral("responses");
        run.status = QStringLiteral("completed");
        run.source = QStringLiteral("local");
        run.runSpec = {{"data_source", {{"type", "responses"}}}};
        run.totalItems = kItems;
        run.createdAt = QDateTime(QDate(2026, 11, 23), QTime(9, 0, 0), Qt::UTC).addSecs(secondsAfter);
        run.finishedAt = run.createdAt.addSecs(60);
        QString error;
        const std::optional<qint64> id = store.createRun(run, &error);
        if (!id)
            return 0;
        for (int i = 0; i < kItems; ++i) {
            if (!store.commitItem(makeItem(*id, i, failEvery), &error))
                return 0;
        }
        return *id;
    }

    // Runs the dialog's export and waits for its outcome; returns the signal that came.
    QString exportWith(ReportExportDialog &dialog)
    {
        QSignalSpy finished(&dialog, &ReportExportDialog::exportFinished);
        QSignalSpy failed(&dialog, &ReportExportDialog::exportFailed);
        QSignalSpy canceled(&dialog, &ReportExportDialog::exportCanceled);
        dialog.exportButton()->click();
        if (!QTest::qWaitFor([&] { return finished.size() + failed.size() + canceled.size() > 0; }, 30000))
            return QStringLiteral("timeout");
        return finished.size() ? QStringLiteral("finished") : failed.size() ? QStringLiteral("failed") : QStringLiteral("canceled");
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_dir.filePath(QStringLiteral("settings")));
        QString error;
        QVERIFY2(m_workspace.open(path(QStringLiteral("ws.sqlite")), &error), qPrintable(error));
        EvalStore store(m_workspace);
        const auto eval = store.saveEval(QStringLiteral("Capitals <i>"), evalDefinition(), {}, &error);
        QVERIFY2(eval, qPrintable(error));
        m_baseRun = addRun(store, eval->id, QStringLiteral("gpt-base"), 4, 0);   // 9 of 12 pass
        m_compareRun = addRun(store, eval->id, QStringLiteral("gpt-new"), 2, 10); // 6 of 12 pass
        QVERIFY(m_baseRun > 0 && m_compareRun > 0);
    }

    void exportsHtmlOfOneRun()
    {
        ReportExportDialog dialog(&m_workspace, {m_baseRun});
        dialog.show();
        const QString file = path(QStringLiteral("one.html"));
        dialog.setFormat(ReportFormat::Html);
        dialog.setFilePath(file);
        QVERIFY(dialog.exportButton()->isEnabled());
        QCOMPARE(exportWith(dialog), QStringLiteral("finished"));
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QVERIFY(!dialog.isExporting());

        const QString html = QString::fromUtf8(readFile(file));
        QVERIFY(html.startsWith(QStringLiteral("<!DOCTYPE html>"), Qt::CaseInsensitive));
        QVERIFY(html.contains(QStringLiteral("evalrun_%1").arg(m_baseRun)));
        QVERIFY(html.contains(QStringLiteral("Capitals &lt;i&gt;")));
        QVERIFY(!html.contains(QStringLiteral("<script>alert")));
        QVERIFY(html.contains(QStringLiteral("75.0%"))); // 9 of 12
        QVERIFY(!html.contains(QStringLiteral("Regressions"))); // one run: no comparison
    }

    void exportsCsvWithEveryItem()
    {
        ReportExportDialog dialog(&m_workspace, {m_baseRun});
        const QString file = path(QStringLiteral("items.csv"));
        dialog.setFormat(ReportFormat::Csv);
        dialog.setFilePath(file);
        QCOMPARE(exportWith(dialog), QStringLiteral("finished"));

        const QByteArray bytes = readFile(file);
        QVERIFY(bytes.endsWith("\r\n"));
        const QStringList lines = QString::fromUtf8(bytes.chopped(2)).split(QStringLiteral("\r\n"));
        QCOMPARE(lines.size(), kItems + 1);
        const std::vector<std::string> header = assay::dataset::csv::parseRecord(lines.first().toStdString());
        QCOMPARE(header.at(0), std::string("run_id"));
        const auto statusColumn = std::find(header.begin(), header.end(), "status") - header.begin();
        const auto scoreColumn = std::find(header.begin(), header.end(), "exact.score") - header.begin();
        QVERIFY(scoreColumn < static_cast<long>(header.size()));
        int passed = 0;
        for (int i = 1; i <= kItems; ++i) {
            const std::vector<std::string> record = assay::dataset::csv::parseRecord(lines.at(i).toStdString());
            QCOMPARE(record.size(), header.size());
            QCOMPARE(QString::fromStdString(record.at(0)), QStringLiteral("evalrun_%1").arg(m_baseRun));
            QCOMPARE(record.at(1), std::to_string(i - 1));
            passed += record.at(static_cast<size_t>(statusColumn)) == "pass" ? 1 : 0;
            QCOMPARE(std::stod(record.at(static_cast<size_t>(scoreColumn))),
                     record.at(static_cast<size_t>(statusColumn)) == "pass" ? 1.0 : 0.0);
        }
        QCOMPARE(passed, 9);
    }

    void twoRunsAreCompared()
    {
        ReportExportDialog dialog(&m_workspace, {m_baseRun, m_compareRun});
        const QString file = path(QStringLiteral("compare.html"));
        dialog.setFilePath(file);
        dialog.setFormat(ReportFormat::Html);
        QCOMPARE(exportWith(dialog), QStringLiteral("finished"));
        const QString html = QString::fromUtf8(readFile(file));
        QVERIFY(html.contains(QStringLiteral("evalrun_%1").arg(m_baseRun)));
        QVERIFY(html.contains(QStringLiteral("evalrun_%1").arg(m_compareRun)));
        QVERIFY(html.contains(QStringLiteral("Regressions")));
    }

    void pdfIsRenderedOffTheGuiThread()
    {
        ReportExportDialog dialog(&m_workspace, {m_baseRun, m_compareRun});
        const QString file = path(QStringLiteral("compare.pdf"));
        dialog.setFilePath(file);
        dialog.setFormat(ReportFormat::Pdf);
        QCOMPARE(exportWith(dialog), QStringLiteral("finished"));
        const QByteArray pdf = readFile(file);
        QVERIFY(pdf.startsWith("%PDF-"));
        QVERIFY(pdf.trimmed().endsWith("%%EOF"));
    }

    void formatFollowsTheFileName()
    {
        ReportExportDialog dialog(&m_workspace, {m_baseRun});
        dialog.setFilePath(path(QStringLiteral("report.html")));
        dialog.setFormat(ReportFormat::JUnit);
        QCOMPARE(QFileInfo(dialog.filePath()).fileName(), QStringLiteral("report.xml"));
        dialog.setFormat(ReportFormat::Markdown);
        QCOMPARE(QFileInfo(dialog.filePath()).fileName(), QStringLiteral("report.md"));
    }

    void cancelLeavesTheFileAlone()
    {
        const QString file = path(QStringLiteral("kept.html"));
        {
            QFile existing(file);
            QVERIFY(existing.open(QIODevice::WriteOnly));
            existing.write("previous report\n");
        }
        // Hold every pool thread so the export is still queued when Cancel is pressed.
        QThreadPool *pool = QThreadPool::globalInstance();
        const int threads = pool->maxThreadCount();
        // Shared, so that a pool thread still leaving acquire() never touches a destroyed semaphore.
        auto started = std::make_shared<QSemaphore>();
        auto release = std::make_shared<QSemaphore>();
        for (int i = 0; i < threads; ++i)
            pool->start([started, release] {
                started->release();
                release->acquire();
            });
        started->acquire(threads);
        bool released = false;
        // Let the pool go even when a check below fails, or the test could not exit.
        const auto releasePool = qScopeGuard([&] {
            if (!released)
                release->release(threads);
        });

        ReportExportDialog dialog(&m_workspace, {m_baseRun});
        dialog.setFilePath(file);
        dialog.setFormat(ReportFormat::Html);
        QSignalSpy canceled(&dialog, &ReportExportDialog::exportCanceled);
        QSignalSpy finished(&dialog, &ReportExportDialog::exportFinished);
        dialog.startExport();
        QVERIFY(dialog.isExporting());
        QVERIFY(!dialog.progressBar()->isHidden());
        dialog.reject(); // Esc while exporting cancels, and keeps the dialog
        release->release(threads);
        released = true;
        QTRY_COMPARE_WITH_TIMEOUT(canceled.size(), 1, 30000);
        QCOMPARE(finished.size(), 0);
        QVERIFY(!dialog.isExporting());
        QCOMPARE(readFile(file), QByteArray("previous report\n"));
        QVERIFY(dialog.statusText().contains(QStringLiteral("nothing was written")));
        QVERIFY(dialog.result() != int(QDialog::Accepted));
    }

    void unwritableFileIsReported()
    {
        ReportExportDialog dialog(&m_workspace, {m_baseRun});
        const QString file = path(QStringLiteral("no-such-folder/report.csv"));
        dialog.setFilePath(file);
        dialog.setFormat(ReportFormat::Csv);
        QCOMPARE(exportWith(dialog), QStringLiteral("failed"));
        QVERIFY2(dialog.statusText().contains(file), qPrintable(dialog.statusText()));
        QVERIFY(!QFileInfo::exists(file));
        QVERIFY(dialog.exportButton()->isEnabled()); // the user can pick another file and retry
    }

    void unknownRunIsReported()
    {
        ReportExportDialog dialog(&m_workspace, {987654});
        dialog.setFilePath(path(QStringLiteral("missing.html")));
        QCOMPARE(exportWith(dialog), QStringLiteral("failed"));
        QVERIFY2(dialog.statusText().contains(QStringLiteral("987654")), qPrintable(dialog.statusText()));
        QVERIFY(!QFileInfo::exists(path(QStringLiteral("missing.html"))));
    }
};

QTEST_MAIN(TestReportExportDialog)
#include "tst_report_export_dialog.moc"
