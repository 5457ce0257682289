#include "models/report/html_document.h"

#include "models/report/word_diff.h"

namespace assay::report {

using nlohmann::json;

namespace {

const char kCss[] = R"(body{font-family:-apple-system,"Segoe UI",Roboto,"DejaVu Sans",Arial,sans-serif;color:#222;margin:2em auto;max-width:1100px;padding:0 1em;line-height:1.4}
h1{font-size:1.6em;margin-bottom:0.2em}h2{border-bottom:1px solid #ddd;padding-bottom:0.2em;margin-top:1.6em}
.generated{color:#777;font-size:0.9em}
table{border-collapse:collapse;margin:0.6em 0}th,td{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}
pre{background:#f7f7f7;border:1px solid #e3e3e3;padding:6px;white-space:pre-wrap;word-break:break-word;margin:0.2em 0 0.6em}
.item{border:1px solid #ddd;border-radius:4px;padding:0.5em 0.8em;margin:0.8em 0}
.pass{color:#1a7f37}.fail{color:#cf222e}.error{color:#9a6700}
.label{font-weight:bold;margin-top:0.4em}.note{color:#666}
del{background:#ffd7d5;text-decoration:line-through}ins{background:#ccffd8;text-decoration:none}
svg.chart{display:block;margin:0.8em 0;max-width:100%;height:auto}
)";

struct Writer {
    QString out;
    HtmlTarget target;
    Writer &operator<<(const QString &text)
    {
        out += text;
        return *this;
    }
    Writer &operator<<(QLatin1String text)
    {
        out += text;
        return *this;
    }
    bool pdf() const { return target == HtmlTarget::Pdf; }
    QString table() const
    {
        return pdf() ? QStringLiteral("<table border=\"1\" cellspacing=\"0\" cellpadding=\"3\" width=\"100%\">")
                     : QStringLiteral("<table>");
    }
};

QString td(const QString &escaped, bool numeric = false)
{
    return numeric ? QStringLiteral("<td class=\"num\" align=\"right\">") + escaped + QStringLiteral("</td>")
                   : QStringLiteral("<td>") + escaped + QStringLiteral("</td>");
}

QString th(const QString &text)
{
    return QStringLiteral("<th>") + html(text) + QStringLiteral("</th>");
}

QString headerRow(const QStringList &names)
{
    QString row = QStringLiteral("<tr>");
    for (const QString &name : names)
        row += th(name);
    return row + QStringLiteral("</tr>\n");
}

QString statusSpan(const QString &status)
{
    const QString cls = status == QLatin1String("pass")
                            ? QStringLiteral("pass")
                            : (status == QLatin1String("error") ? QStringLiteral("error") : QStringLiteral("fail"));
    return QStringLiteral("<span class=\"%1\">%2</span>").arg(cls, html(status));
}

QString rateText(qint64 passed, qint64 graded)
{
    return graded > 0 ? formatPercent(static_cast<double>(passed) / static_cast<double>(graded)) : QStringLiteral("–");
}

QString pre(const QString &text, const ReportOptions &options)
{
    if (text.isEmpty())
        return QStringLiteral("<p class=\"note\">(empty)</p>\n");
    return QStringLiteral("<pre>") + html(truncated(text, options.maxTextLength)) + QStringLiteral("</pre>\n");
}

void writeCriteriaResults(Writer &w, const store::OutputItemRecord &item, const ReportData &data)
{
    w << w.table() << headerRow({QStringLiteral("Criterion"), QStringLiteral("Score"), QStringLiteral("Result"),
                                 QStringLiteral("Note")});
    for (const QString &name : data.criteria) {
        const json *result = findResult(item, name.toStdString());
        if (!result) {
            w << QStringLiteral("<tr>") << td(html(name)) << td(QStringLiteral("–"), true)
              << td(QStringLiteral("not graded")) << td(QString()) << QStringLiteral("</tr>\n");
            continue;
        }
        const double score = result->contains("score") && (*result)["score"].is_number() ? (*result)["score"].get<double>() : 0.0;
        QString note;
        QString verdict;
        if (result->contains("error") && (*result)["error"].is_string()) {
            verdict = statusSpan(QStringLiteral("error"));
            note = QString::fromStdString((*result)["error"].get<std::string>());
        } else {
            verdict = statusSpan(result->value("passed", false) ? QStringLiteral("pass") : QStringLiteral("fail"));
            if (result->contains("invalid_reason") && (*result)["invalid_reason"].is_string())
                note = QStringLiteral("invalid: ") + QString::fromStdString((*result)["invalid_reason"].get<std::string>());
        }
        w << QStringLiteral("<tr>") << td(html(name)) << td(formatScore(score), true) << td(verdict) << td(html(note))
          << QStringLiteral("</tr>\n");
    }
    w << QStringLiteral("</table>\n");
}

void writeItem(Writer &w, const QString &anchor, const store::OutputItemRecord &item, const ReportData &data,
               const ReportOptions &options)
{
    w << QStringLiteral("<div class=\"item\" id=\"%1\">\n").arg(anchor);
    w << QStringLiteral("<h4>Item %1: %2</h4>\n").arg(item.datasourceItemId).arg(statusSpan(item.status));
    writeCriteriaResults(w, item, data);
    if (!item.error.isEmpty())
        w << QStringLiteral("<div class=\"label\">Error</div>\n") << pre(item.error, options);
    w << QStringLiteral("<div class=\"label\">Input</div>\n") << pre(inputText(item), options);
    w << QStringLiteral("<div class=\"label\">Output</div>\n") << pre(outputText(item), options);
    if (!item.datasourceItem.is_null()) {
        w << QStringLiteral("<div class=\"label\">Dataset item</div>\n")
          << pre(jsonText(item.datasourceItem), options);
    }
    w << QStringLiteral("</div>\n");
}

void writeSummary(Writer &w, const ReportData &data)
{
    w << QStringLiteral("<h2 id=\"summary\">Summary</h2>\n");
    w << w.table()
      << headerRow({QStringLiteral("Run"), QStringLiteral("Name"), QStringLiteral("Model"), QStringLiteral("API"),
                    QStringLiteral("Status"), QStringLiteral("Total"), QStringLiteral("Passed"),
                    QStringLiteral("Failed"), QStringLiteral("Errored"), QStringLiteral("Pass rate"),
                    QStringLiteral("p50 ms"), QStringLiteral("p95 ms"), QStringLiteral("Tokens"),
                    QStringLiteral("Est. cost")});
    for (const RunView &run : data.runs) {
        const eval::RunSummary &s = run.summary;
        const store::RunRecord &r = run.source->run;
        w << QStringLiteral("<tr class=\"run\">") << td(html(run.runId)) << td(html(r.name)) << td(html(r.model))
          << td(html(r.api)) << td(html(r.status)) << td(QString::number(s.total), true)
          << td(QString::number(s.passed), true) << td(QString::number(s.failed), true)
          << td(QString::number(s.errored), true)
          << td(s.total > 0 ? formatPercent(s.passRate()) : QStringLiteral("–"), true)
          << td(formatOptionalMs(s.latencyP50Ms), true) << td(formatOptionalMs(s.latencyP95Ms), true)
          << td(QString::number(run.totalTokens), true) << td(html(formatCostUsd(s.estimatedCostUsd)), true)
          << QStringLiteral("</tr>\n");
    }
    w << QStringLiteral("</table>\n");

    bool anyUsage = false;
    for (const RunView &run : data.runs)
        anyUsage = anyUsage || !run.summary.perModelUsage.empty();
    if (anyUsage) {
        w << QStringLiteral("<h3>Model usage</h3>\n") << w.table()
          << headerRow({QStringLiteral("Run"), QStringLiteral("Model"), QStringLiteral("Calls"),
                        QStringLiteral("Prompt tokens"), QStringLiteral("Completion tokens"),
                        QStringLiteral("Total tokens"), QStringLiteral("Cached tokens")});
        for (const RunView &run : data.runs) {
            for (const auto &u : run.summary.perModelUsage) {
                w << QStringLiteral("<tr>") << td(html(run.runId)) << td(html(QString::fromStdString(u.model)))
                  << td(QString::number(u.invocations), true) << td(QString::number(u.promptTokens), true)
                  << td(QString::number(u.completionTokens), true) << td(QString::number(u.totalTokens), true)
                  << td(QString::number(u.cachedTokens), true) << QStringLiteral("</tr>\n");
            }
        }
        w << QStringLiteral("</table>\n");
    }
}

void writeCriteria(Writer &w, const ReportData &data)
{
    w << QStringLiteral("<h2 id=\"criteria\">Criteria</h2>\n");
    if (data.criteria.isEmpty()) {
        w << QStringLiteral("<p class=\"note\">The eval has no testing criteria.</p>\n");
        return;
    }
    w << w.table()
      << headerRow({QStringLiteral("Criterion"), QStringLiteral("Type"), QStringLiteral("Run"),
                    QStringLiteral("Passed"), QStringLiteral("Failed"), QStringLiteral("Errored"),
                    QStringLiteral("Pass rate"), QStringLiteral("Mean score"), QStringLiteral("Min"),
                    QStringLiteral("Max")});
    for (qsizetype c = 0; c < data.criteria.size(); ++c) {
        for (const RunView &run : data.runs) {
            const CriterionStats &s = run.criteria[static_cast<size_t>(c)];
            auto optional = [](const std::optional<double> &v) { return v ? formatScore(*v) : QStringLiteral("–"); };
            w << QStringLiteral("<tr class=\"criterion\">") << td(html(s.name)) << td(html(s.type))
              << td(html(run.runId)) << td(QString::number(s.passed), true) << td(QString::number(s.failed), true)
              << td(QString::number(s.errored), true) << td(rateText(s.passed, s.passed + s.failed), true)
              << td(optional(s.meanScore), true) << td(optional(s.minScore), true) << td(optional(s.maxScore), true)
              << QStringLiteral("</tr>\n");
        }
    }
    w << QStringLiteral("</table>\n");
    for (qsizetype c = 0; c < data.criteria.size(); ++c) {
        const json &definition = data.criterionDefinitions.at(c);
        if (definition.is_null())
            continue;
        w << QStringLiteral("<h4>%1</h4>\n").arg(html(data.criteria.at(c)));
        w << QStringLiteral("<pre>") << html(jsonText(definition)) << QStringLiteral("</pre>\n");
    }
}

QString diffHtml(const QString &before, const QString &after, const ReportOptions &options)
{
    QString out = QStringLiteral("<pre class=\"diff\">");
    for (const DiffSegment &segment : wordDiff(truncated(before, options.maxTextLength), truncated(after, options.maxTextLength))) {
        switch (segment.kind) {
        case DiffSegment::Kind::Equal:
            out += html(segment.text);
            break;
        case DiffSegment::Kind::Delete:
            out += QStringLiteral("<del>") + html(segment.text) + QStringLiteral("</del>");
            break;
        case DiffSegment::Kind::Insert:
            out += QStringLiteral("<ins>") + html(segment.text) + QStringLiteral("</ins>");
            break;
        }
    }
    return out + QStringLiteral("</pre>\n");
}

void writeChangedItems(Writer &w, const ReportData &data, ItemChange change, qint64 count, const ReportOptions &options)
{
    if (count == 0)
        return;
    const QString title = change == ItemChange::Regression ? QStringLiteral("Regressions (pass → fail)")
                                                           : QStringLiteral("Improvements (fail → pass)");
    w << QStringLiteral("<h3>%1</h3>\n").arg(title);
    if (count > options.maxDetailedItems) {
        w << QStringLiteral("<p class=\"note\">The first %1 of %2 items, by dataset item id.</p>\n")
                 .arg(options.maxDetailedItems)
                 .arg(count);
    }
    const RunComparison &cmp = *data.comparison;
    int shown = 0;
    for (const ItemComparison &item : cmp.items) {
        if (item.change != change)
            continue;
        if (shown++ >= options.maxDetailedItems)
            break;
        w << QStringLiteral("<div class=\"item %1\" id=\"%1-%2\">\n").arg(itemChangeName(change)).arg(item.datasourceItemId);
        w << QStringLiteral("<h4>Item %1: %2 → %3</h4>\n")
                 .arg(item.datasourceItemId)
                 .arg(statusSpan(item.base->status), statusSpan(item.compare->status));
        w << w.table() << headerRow({QStringLiteral("Criterion"), QStringLiteral("Before"), QStringLiteral("After"),
                                     QStringLiteral("Δ score")});
        for (qsizetype c = 0; c < cmp.criteria.size(); ++c) {
            const CriterionDelta &d = item.criteria[static_cast<size_t>(c)];
            auto cell = [](const std::optional<double> &score, const std::optional<bool> &passed) {
                if (!score)
                    return QStringLiteral("–");
                return formatScore(*score) + (passed ? (*passed ? QStringLiteral(" pass") : QStringLiteral(" fail"))
                                                     : QStringLiteral(" error"));
            };
            const std::optional<double> delta = d.delta();
            w << QStringLiteral("<tr>") << td(html(cmp.criteria.at(c))) << td(cell(d.baseScore, d.basePassed), true)
              << td(cell(d.compareScore, d.comparePassed), true)
              << td(delta ? (*delta > 0 ? QStringLiteral("+") : QString()) + formatScore(*delta) : QStringLiteral("–"), true)
              << QStringLiteral("</tr>\n");
        }
        w << QStringLiteral("</table>\n");
        w << QStringLiteral("<div class=\"label\">Input</div>\n") << pre(inputText(*item.compare), options);
        w << QStringLiteral("<div class=\"label\">Output (word diff, before → after)</div>\n")
          << diffHtml(outputText(*item.base), outputText(*item.compare), options);
        w << QStringLiteral("</div>\n");
    }
}

void writeComparison(Writer &w, const ReportData &data, const ReportOptions &options)
{
    const RunComparison &cmp = *data.comparison;
    w << QStringLiteral("<h2 id=\"comparison\">Comparison: %1 → %2</h2>\n")
             .arg(html(data.runs[0].runId), html(data.runs[1].runId));
    w << w.table() << headerRow({QStringLiteral("Regressions"), QStringLiteral("Improvements"),
                                 QStringLiteral("Unchanged"), QStringLiteral("Passing in both"),
                                 QStringLiteral("Only in ") + data.runs[0].runId,
                                 QStringLiteral("Only in ") + data.runs[1].runId});
    w << QStringLiteral("<tr class=\"comparison\">") << td(QString::number(cmp.regressions), true)
      << td(QString::number(cmp.improvements), true) << td(QString::number(cmp.unchanged), true)
      << td(QString::number(cmp.unchangedPassing), true) << td(QString::number(cmp.removed), true)
      << td(QString::number(cmp.added), true) << QStringLiteral("</tr>\n</table>\n");
    w << w.table() << headerRow({QStringLiteral("Criterion"), QStringLiteral("Pass rate before"),
                                 QStringLiteral("Pass rate after"), QStringLiteral("Regressions"),
                                 QStringLiteral("Improvements"), QStringLiteral("Mean score before"),
                                 QStringLiteral("Mean score after"), QStringLiteral("Δ mean score")});
    for (const CriterionComparison &c : cmp.perCriterion) {
        const std::optional<double> delta = c.meanDelta();
        w << QStringLiteral("<tr>") << td(html(c.name)) << td(rateText(c.basePassed, c.baseGraded), true)
          << td(rateText(c.comparePassed, c.compareGraded), true) << td(QString::number(c.regressions), true)
          << td(QString::number(c.improvements), true)
          << td(c.meanBaseScore ? formatScore(*c.meanBaseScore) : QStringLiteral("–"), true)
          << td(c.meanCompareScore ? formatScore(*c.meanCompareScore) : QStringLiteral("–"), true)
          << td(delta ? (*delta > 0 ? QStringLiteral("+") : QString()) + formatScore(*delta) : QStringLiteral("–"), true)
          << QStringLiteral("</tr>\n");
    }
    w << QStringLiteral("</table>\n");
    writeChangedItems(w, data, ItemChange::Regression, cmp.regressions, options);
    writeChangedItems(w, data, ItemChange::Improvement, cmp.improvements, options);
}

void writeFailing(Writer &w, const ReportData &data, const ReportOptions &options)
{
    w << QStringLiteral("<h2 id=\"failing\">Failing items</h2>\n");
    for (size_t r = 0; r < data.runs.size(); ++r) {
        const RunView &run = data.runs[r];
        const qint64 notPassing = run.summary.failed + run.summary.errored;
        w << QStringLiteral("<h3>%1: %2 failed, %3 errored</h3>\n")
                 .arg(html(run.label), QString::number(run.summary.failed), QString::number(run.summary.errored));
        if (notPassing == 0) {
            w << QStringLiteral("<p class=\"note\">Every item passed.</p>\n");
            continue;
        }
        if (notPassing > options.maxDetailedItems) {
            w << QStringLiteral("<p class=\"note\">The first %1 of %2 items, by dataset item id; the CSV and "
                                "JSONL exports hold them all.</p>\n")
                     .arg(options.maxDetailedItems)
                     .arg(notPassing);
        }
        int shown = 0;
        for (const store::OutputItemRecord &item : run.source->items) {
            if (item.status == QLatin1String("pass"))
                continue;
            if (shown++ >= options.maxDetailedItems)
                break;
            writeItem(w, QStringLiteral("run%1-item-%2").arg(r).arg(item.datasourceItemId), item, data, options);
        }
    }
}

} // namespace

QString chartPlaceholder(int index)
{
    return QStringLiteral("[[assay-chart:%1]]").arg(index);
}

QString buildReportHtml(const ReportData &data, const std::vector<Chart> &charts, const ReportOptions &options,
                        HtmlTarget target)
{
    Writer w{QString(), target};
    w.out.reserve(64 * 1024);
    const QString title = QStringLiteral("Eval report: ") + data.title;
    if (target == HtmlTarget::Browser) {
        w << QStringLiteral("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n"
                            "<meta charset=\"utf-8\"/>\n<meta name=\"generator\" content=\"Assay\"/>\n");
        w << QStringLiteral("<title>%1</title>\n<style>\n").arg(html(title)) << QString::fromUtf8(kCss)
          << QStringLiteral("</style>\n</head>\n<body>\n");
    } else {
        w << QStringLiteral("<html><head><title>%1</title></head><body>\n").arg(html(title));
    }
    w << QStringLiteral("<h1>%1</h1>\n").arg(html(title));
    w << QStringLiteral("<p class=\"generated\">%1</p>\n").arg(html(generatedAtLine(options)));
    if (!data.runs.empty()) {
        const RunView &first = data.runs.front();
        w << QStringLiteral("<p>Eval <strong>%1</strong> (%2, version %3)")
                 .arg(html(data.title), html(first.evalId), QString::number(first.source->eval.version));
        if (data.runs.size() > 1)
            w << QStringLiteral(": run %1 compared with run %2").arg(html(data.runs[1].runId), html(data.runs[0].runId));
        w << QStringLiteral(".</p>\n");
    }
    writeSummary(w, data);

    w << QStringLiteral("<h2 id=\"charts\">Charts</h2>\n");
    for (size_t i = 0; i < charts.size(); ++i) {
        if (target == HtmlTarget::Browser)
            w << chartToSvg(charts[i]);
        else
            w << QStringLiteral("<p>") << chartPlaceholder(static_cast<int>(i)) << QStringLiteral("</p>\n");
    }
    writeCriteria(w, data);
    if (data.comparison)
        writeComparison(w, data, options);
    writeFailing(w, data, options);
    w << QStringLiteral("</body>\n</html>\n");
    return w.out;
}

} // namespace assay::report
