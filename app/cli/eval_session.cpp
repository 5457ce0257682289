#include "app/cli/eval_session.h"

#include <cstdio>

#include <QCoreApplication>
#include <QTimer>

#include "app/cli/cli.h"
#include "app/cli/common_options.h"
#include "app/cli/interrupt_watcher.h"
#include "app/cli/progress_printer.h"
#include "app/cli/run_report.h"
#include "models/api/api_client.h"
#include "models/api/secret_store.h"

namespace assay::cli {

namespace {

void writeErr(const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    std::fwrite(utf8.constData(), 1, static_cast<size_t>(utf8.size()), stderr);
    std::fflush(stderr);
}

void writeOut(const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    std::fwrite(utf8.constData(), 1, static_cast<size_t>(utf8.size()), stdout);
    std::fflush(stdout);
}

} // namespace

EvalSession::EvalSession(store::EvalStore &store, Settings settings, QObject *parent)
    : QObject(parent), m_store(store), m_settings(std::move(settings)),
      m_client(std::make_unique<api::ApiClient>()), m_secrets(std::make_unique<api::SecretStore>()),
      m_progress(new ProgressPrinter(this)), m_interrupts(new InterruptWatcher(this))
{
    connect(m_interrupts, &InterruptWatcher::interrupted, this, &EvalSession::onInterrupted);
}

EvalSession::~EvalSession()
{
    // The runner's calls belong to the client: the runner goes first.
    m_runner.reset();
    m_client.reset();
}

void EvalSession::start()
{
    const api::Profile profile = m_settings.profile;
    m_secrets->readKey(profile, [this, profile](const QString &key, const QString &problem) {
        if (m_quitting || m_interrupted) {
            if (!m_quitting)
                finishAll();
            return;
        }
        if (key.isEmpty() && profileNeedsKey(profile)) {
            writeErr(missingKeyMessage(QStringLiteral("eval"), profile, problem));
            quit(UsageError);
            return;
        }
        m_apiKey = key;
        startNext();
    });
}

void EvalSession::startNext()
{
    if (m_runner)
        m_runner.release()->deleteLater();
    if (m_quitting)
        return;
    if (m_interrupted || m_failed || m_next >= m_jobs.size()) {
        finishAll();
        return;
    }
    Job &job = m_jobs[m_next++];
    m_runner = std::make_unique<eval::EvalRunner>(*m_client, m_store);
    connect(m_runner.get(), &eval::EvalRunner::finished, this, &EvalSession::onFinished);

    const qint64 itemCount = static_cast<qint64>(job.loaded.items.size());
    QString error;
    std::optional<qint64> runId;
    if (job.resumeRunId) {
        if (m_runner->resume(*job.resumeRunId, std::move(job.loaded), m_settings.profile, m_apiKey,
                             m_settings.options, &error))
            runId = *job.resumeRunId;
    } else {
        runId = m_runner->start(job.eval, job.run, std::move(job.loaded), m_settings.profile, m_apiKey,
                                m_settings.options, &error);
    }
    if (!runId) {
        writeErr(QStringLiteral("assay eval: %1\n")
                     .arg(error.isEmpty() ? QStringLiteral("the run could not start") : error));
        m_failed = true;
        // The runner may still be inside a call of ours; let go of it from the event loop.
        QTimer::singleShot(0, this, &EvalSession::startNext);
        return;
    }
    // Progress from now on: what start() reported before its "started" line is not news.
    if (m_runner && m_runner->isRunning())
        connect(m_runner.get(), &eval::EvalRunner::progressChanged, m_progress, &ProgressPrinter::update);
    const std::optional<store::RunRecord> record = m_store.run(*runId);
    const QString name = record ? record->name : QString::fromStdString(job.run.name);
    const QString model = record ? record->model : QString::fromStdString(job.run.model);
    if (job.resumeRunId) {
        const eval::RunProgress progress = m_runner->progress();
        writeErr(QStringLiteral("run %1 resumed: %2 (%3, %4 items, %5 already done)\n")
                     .arg(*runId)
                     .arg(name, model)
                     .arg(itemCount)
                     .arg(progress.done));
    } else {
        writeErr(QStringLiteral("run %1 started: %2 (%3, %4 items)\n").arg(*runId).arg(name, model).arg(itemCount));
    }
}

void EvalSession::onFinished(qint64 runId, const eval::RunSummary &summary, const QString &status)
{
    if (m_runner)
        m_progress->finish(m_runner->progress(), status);
    std::optional<store::RunRecord> record = m_store.run(runId);
    if (!record) {
        writeErr(QStringLiteral("assay eval: run %1 is missing from the workspace\n").arg(runId));
        m_failed = true;
    } else {
        if (record->status.isEmpty())
            record->status = status;
        m_done << *record;
        m_summaries << summary;
    }
    if (status == QLatin1String("canceled") && m_interrupted && record)
        writeErr(QStringLiteral("run %1 canceled; `assay eval resume %1` continues it\n").arg(runId));
    if (status == QLatin1String("failed")) {
        // Why: a refused key (the runner stops at the first 401 / 403), a write that failed.
        const QString reason = m_runner ? m_runner->errorMessage() : QString();
        writeErr(reason.isEmpty() ? QStringLiteral("assay eval: run %1 failed\n").arg(runId)
                                  : QStringLiteral("assay eval: run %1 failed: %2\n").arg(runId).arg(reason));
        if (record && !reason.isEmpty())
            writeErr(QStringLiteral("`assay eval resume %1` finishes it once that is fixed\n").arg(runId));
        m_failed = true;
    }
    // Continue from the event loop: the runner is still emitting.
    QTimer::singleShot(0, this, &EvalSession::startNext);
}

void EvalSession::onInterrupted(int count)
{
    if (m_quitting)
        return;
    if (count >= 2) {
        m_progress->clearLine();
        writeErr(QStringLiteral("assay eval: stopped; the items that finished are kept\n"));
        quit(UsageError);
        return;
    }
    m_interrupted = true;
    m_progress->clearLine();
    if (m_runner && m_runner->isRunning()) {
        writeErr(QStringLiteral("assay eval: canceling run %1; the items that finished are kept "
                                "(Ctrl+C again to quit at once)\n")
                     .arg(m_runner->runId()));
        m_runner->cancel();
    } else if (!m_runner) {
        // Still reading the key: nothing started, nothing to keep.
        writeErr(QStringLiteral("assay eval: interrupted\n"));
        finishAll();
    }
}

void EvalSession::finishAll()
{
    if (m_quitting)
        return;
    m_progress->clearLine();
    int code = Success;
    if (!m_done.isEmpty())
        writeOut(summaryTable(m_done, m_summaries));
    if (!m_settings.outPath.isEmpty() && !m_done.isEmpty()) {
        qint64 written = 0;
        QString error;
        if (writeOutputItems(m_store, m_done, m_settings.outPath, &written, &error)) {
            writeErr(QStringLiteral("%1: %2 output items written\n").arg(m_settings.outPath).arg(written));
        } else {
            writeErr(QStringLiteral("assay eval: %1\n").arg(error));
            code = UsageError;
        }
    }
    if (m_failed || m_interrupted || m_done.isEmpty()) {
        code = UsageError;
    } else if (code == Success && m_settings.failUnder) {
        for (qsizetype i = 0; i < m_done.size(); ++i) {
            const eval::RunSummary &summary = m_summaries.at(i);
            if (summary.passRate() < *m_settings.failUnder) {
                writeErr(QStringLiteral("run %1: pass rate %2 is below %3\n")
                             .arg(m_done.at(i).id)
                             .arg(formatPassRate(summary))
                             .arg(QStringLiteral("%1%").arg(*m_settings.failUnder * 100.0, 0, 'f', 1)));
                code = Failure;
            }
        }
    }
    quit(code);
}

void EvalSession::quit(int code)
{
    m_quitting = true;
    QCoreApplication::exit(code);
}

} // namespace assay::cli
