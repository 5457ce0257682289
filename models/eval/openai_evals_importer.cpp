#include "models/eval/openai_evals_importer.h"

#include <algorithm>

#include <QUrl>

#include "models/api/api_client.h"
#include "models/store/eval_store.h"

namespace assay::eval {

namespace {

using json = nlohmann::json;

QString encoded(const QString &text)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(text));
}

} // namespace

OpenAiEvalsImporter::OpenAiEvalsImporter(api::ApiClient &client, store::EvalStore &store, QObject *parent)
    : QObject(parent), m_client(client), m_store(store)
{
}

OpenAiEvalsImporter::~OpenAiEvalsImporter()
{
    if (m_call) {
        m_call->disconnect(this);
        m_call->cancel();
        m_call->deleteLater();
    }
}

const ImportReport &OpenAiEvalsImporter::report() const
{
    return m_session ? m_session->report() : m_empty;
}

void OpenAiEvalsImporter::start(const api::Profile &profile, const QString &apiKey,
                                const QStringList &evalIds)
{
    if (m_running)
        return;
    m_session = std::make_unique<ImportSession>(m_store);
    m_profile = profile;
    m_apiKey = apiKey;
    m_jobs.clear();
    m_current = 0;
    m_after.clear();
    m_evals = m_runs = m_items = 0;
    if (evalIds.isEmpty()) {
        m_jobs.push_back({Stage::Evals, {}, {}});
    } else {
        for (const QString &id : evalIds)
            m_jobs.push_back({Stage::Eval, id, {}});
    }
    m_running = true;
    next();
}

void OpenAiEvalsImporter::cancel()
{
    if (!m_running)
        return;
    if (m_call)
        m_call->cancel(); // finished() arrives with kind Cancelled
    else
        finish("cancelled", true);
}

QString OpenAiEvalsImporter::pathFor(const Job &job) const
{
    const int limit = std::clamp(m_pageSize, 1, 100);
    QString path;
    switch (job.stage) {
    case Stage::Evals:
        path = QStringLiteral("evals");
        break;
    case Stage::Eval:
        return QStringLiteral("evals/%1").arg(encoded(job.evalId));
    case Stage::Runs:
        path = QStringLiteral("evals/%1/runs").arg(encoded(job.evalId));
        break;
    case Stage::Items:
        path = QStringLiteral("evals/%1/runs/%2/output_items").arg(encoded(job.evalId), encoded(job.runId));
        break;
    }
    path += QStringLiteral("?limit=%1").arg(limit);
    if (!m_after.isEmpty())
        path += QStringLiteral("&after=") + encoded(m_after);
    return path;
}

void OpenAiEvalsImporter::next()
{
    if (!m_running)
        return;
    if (m_current >= m_jobs.size()) {
        finish({});
        return;
    }
    fetchPage();
}

void OpenAiEvalsImporter::fetchPage()
{
    const Job job = m_jobs[m_current];
    const QString path = pathFor(job);
    Q_EMIT progressed(QStringLiteral("GET %1").arg(path), m_evals, m_runs, m_items);
    api::ApiCall *call = m_client.requestJson(m_profile, m_apiKey, QByteArrayLiteral("GET"), path);
    m_call = call;
    connect(call, &api::ApiCall::finished, this, [this, call, path](const api::ResponseResult &result) {
        call->deleteLater();
        if (m_call == call)
            m_call = nullptr;
        if (!m_running)
            return;
        if (result.error) {
            if (result.error->kind == api::ApiError::Kind::Cancelled) {
                finish("cancelled", true);
                return;
            }
            finish("GET " + path.toStdString() + ": " + result.error->summary().toStdString());
            return;
        }
        if (!result.rawResponse.is_object()) {
            finish("GET " + path.toStdString() + ": the answer is not a JSON object");
            return;
        }
        onPage(result.rawResponse);
    });
}

void OpenAiEvalsImporter::onPage(const json &page)
{
    const Job job = m_jobs[m_current];
    const std::string where = "GET " + pathFor(job).toStdString();
    if (job.stage == Stage::Eval) {
        m_session->importEval(page, where);
        ++m_evals;
        m_jobs.push_back({Stage::Runs, job.evalId, {}});
        ++m_current;
        m_after.clear();
        next();
        return;
    }
    if (!page.contains("data") || !page["data"].is_array()) {
        finish(where + ": the answer has no data list");
        return;
    }
    const json &data = page["data"];
    for (std::size_t i = 0; i < data.size(); ++i) {
        const json &object = data[i];
        const std::string at = where + " $.data[" + std::to_string(i) + "]";
        const QString id = object.is_object() && object.contains("id") && object["id"].is_string()
                               ? QString::fromStdString(object["id"].get<std::string>())
                               : QString();
        switch (job.stage) {
        case Stage::Evals:
            m_session->importEval(object, at);
            ++m_evals;
            if (!id.isEmpty())
                m_jobs.push_back({Stage::Runs, id, {}});
            break;
        case Stage::Runs:
            m_session->importRun(object, at);
            ++m_runs;
            if (!id.isEmpty())
                m_jobs.push_back({Stage::Items, job.evalId, id});
            break;
        case Stage::Items:
            m_session->importItem(object, at);
            ++m_items;
            break;
        case Stage::Eval:
            break;
        }
    }
    const bool hasMore = page.value("has_more", false);
    QString last;
    if (page.contains("last_id") && page["last_id"].is_string())
        last = QString::fromStdString(page["last_id"].get<std::string>());
    if (last.isEmpty() && !data.empty() && data.back().is_object() && data.back().contains("id") &&
        data.back()["id"].is_string())
        last = QString::fromStdString(data.back()["id"].get<std::string>());
    if (hasMore) {
        if (last.isEmpty() || last == m_after || data.empty()) {
            // The cursor would not move: stop instead of asking for the same page forever.
            finish(where + ": has_more is true but the page gives no new last_id");
            return;
        }
        m_after = last;
    } else {
        m_after.clear();
        ++m_current;
    }
    next();
}

void OpenAiEvalsImporter::finish(const std::string &error, bool cancelled)
{
    if (!m_running)
        return;
    m_running = false;
    m_apiKey.clear();
    ImportReport &report = m_session->report();
    report.error = error;
    report.cancelled = cancelled;
    Q_EMIT progressed(QStringLiteral("done"), m_evals, m_runs, m_items);
    Q_EMIT finished(report);
}

} // namespace assay::eval
