#include "models/compare/comparison_export.h"

#include "models/compare/comparison_summary.h"
#include "models/report/markdown_report.h"
#include "models/report/report_data.h"
#include "models/report/word_diff.h"

namespace assay::compare {

namespace {

QString generatedLine(const ComparisonExport::Options &options)
{
    report::ReportOptions reportOptions;
    reportOptions.generatedAt = options.generatedAt;
    return report::generatedAtLine(reportOptions);
}

QString apiName(api::ApiKind kind)
{
    return kind == api::ApiKind::Responses ? QStringLiteral("Responses") : QStringLiteral("Chat Completions");
}

QString tokensText(const CellRun &run)
{
    if (!run.usage)
        return QStringLiteral("–");
    return QStringLiteral("%1 in / %2 out").arg(run.usage->inputTokens).arg(run.usage->outputTokens);
}

QString latencyText(const std::optional<qint64> &ms)
{
    return ms ? report::formatOptionalMs(static_cast<double>(*ms)) : report::formatOptionalMs(std::nullopt);
}

QString valueText(const nlohmann::json &value)
{
    return value.is_string() ? QString::fromStdString(value.get<std::string>()) : QString::fromStdString(value.dump());
}

QString gradesText(const CellRun &run)
{
    QStringList parts;
    for (const eval::GradeResult &grade : run.grades) {
        QString part = QString::fromStdString(grade.name) + QStringLiteral(": ");
        if (grade.errored())
            part += QStringLiteral("error");
        else
            part += (grade.passed ? QStringLiteral("pass ") : QStringLiteral("fail ")) + report::formatScore(grade.score);
        parts.append(part);
    }
    return parts.join(QStringLiteral(", "));
}

// Markdown: model text goes in a fence longer than any backtick run inside it, so nothing in it
// is interpreted (no HTML, no links), whatever it contains.
QString fenced(const QString &text)
{
    int longest = 0, current = 0;
    for (const QChar c : text) {
        current = c == QLatin1Char('`') ? current + 1 : 0;
        longest = std::max(longest, current);
    }
    const QString fence(std::max(3, longest + 1), QLatin1Char('`'));
    return fence + QStringLiteral("text\n") + report::xmlSafe(text) + QStringLiteral("\n") + fence + QStringLiteral("\n");
}

// Inline Markdown text: the run reports' rule (HTML neutralised, punctuation escaped, one line).
QString md(const QString &text)
{
    return report::markdownInline(text);
}

const char *const kCss = R"(body{font-family:system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}
th,td{border:1px solid #ccc;padding:6px 8px;vertical-align:top;text-align:left}
th{background:#f3f3f3}
pre{white-space:pre-wrap;margin:0;font-family:ui-monospace,monospace;font-size:90%}
.baseline{background:#eef5ff}
.differs{outline:2px solid #e0a000}
.error{color:#b00020}
.meta{color:#666;font-size:85%}
del{background:#fdd;text-decoration:line-through}
ins{background:#dfd;text-decoration:none}
)";

} // namespace

QByteArray ComparisonExport::html(const Comparison &c, const Options &options)
{
    const QString title = c.name.isEmpty() ? QStringLiteral("Comparison") : c.name;
    QString out;
    out += QStringLiteral("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
           + report::html(title) + QStringLiteral("</title>\n<style>\n") + QString::fromLatin1(kCss)
           + QStringLiteral("</style>\n</head>\n<body>\n");
    out += QStringLiteral("<h1>") + report::html(title) + QStringLiteral("</h1>\n");
    out += QStringLiteral("<p class=\"meta\">") + report::html(generatedLine(options)) + QStringLiteral("</p>\n");

    // Variants.
    out += QStringLiteral("<h2>Variants</h2>\n<table>\n<tr><th>#</th><th>Name</th><th>Model</th><th>API</th>"
                          "<th>Prompt</th><th>Runs</th><th>Mean latency</th><th>Mean tokens (in / out)</th>"
                          "<th>Cost</th><th>Pass rate</th><th>Differs from baseline</th></tr>\n");
    for (int v = 0; v < c.variantCount(); ++v) {
        const ComparisonVariant &variant = c.variant(v);
        const ColumnSummary s = summarizeColumn(c, v);
        // One multi-argument arg() per line: chained arg() calls would expand "%N" inside names.
        out += QStringLiteral("<tr%1><td>%2</td><td>%3</td><td>%4</td><td>%5</td><td>%6</td><td>%7</td><td>%8</td>")
                   .arg(v == c.baseline() ? QStringLiteral(" class=\"baseline\"") : QString(), QString::number(v + 1),
                        report::html(variant.displayName())
                            + (v == c.baseline() ? QStringLiteral(" (baseline)") : QString()),
                        report::html(variant.parameters.model), apiName(variant.parameters.api),
                        variant.useSharedPrompt ? QStringLiteral("shared") : QStringLiteral("own"),
                        QString::number(s.runs), report::formatOptionalMs(s.meanLatencyMs));
        out += QStringLiteral("<td>%1 / %2</td><td>%3</td><td>%4</td><td>%5</td></tr>\n")
                   .arg(QString::number(s.meanInputTokens, 'f', 1), QString::number(s.meanOutputTokens, 'f', 1),
                        report::formatCostUsd(s.totalCostUsd),
                        s.passRate ? report::formatPercent(*s.passRate) : QStringLiteral("–"),
                        QString::number(s.differsFromBaseline));
    }
    out += QStringLiteral("</table>\n");

    // Prompts.
    auto promptHtml = [](const prompt::Conversation &conversation) {
        QString text;
        if (!conversation.instructions.isEmpty())
            text += QStringLiteral("<p><b>instructions</b></p><pre>") + report::html(conversation.instructions)
                    + QStringLiteral("</pre>\n");
        for (const prompt::Message &message : conversation.messages)
            text += QStringLiteral("<p><b>") + report::html(prompt::roleName(message.role))
                    + QStringLiteral("</b></p><pre>") + report::html(message.text) + QStringLiteral("</pre>\n");
        return text;
    };
    out += QStringLiteral("<h2>Shared prompt</h2>\n") + promptHtml(c.sharedPrompt());
    for (int v = 0; v < c.variantCount(); ++v)
        if (!c.variant(v).useSharedPrompt)
            out += QStringLiteral("<h3>Prompt of ") + report::html(c.variant(v).displayName())
                   + QStringLiteral("</h3>\n") + promptHtml(c.variant(v).prompt);

    // Matrix.
    out += QStringLiteral("<h2>Outputs</h2>\n<table>\n<tr><th>Input</th>");
    for (int v = 0; v < c.variantCount(); ++v)
        out += QStringLiteral("<th>") + report::html(c.variant(v).displayName()) + QStringLiteral("</th>");
    out += QStringLiteral("</tr>\n");
    for (int r = 0; r < c.rowCount(); ++r) {
        out += QStringLiteral("<tr><td>");
        for (const auto &[key, value] : c.inputs().row(r).items())
            out += QStringLiteral("<p><b>") + report::html(QString::fromStdString(key)) + QStringLiteral("</b></p><pre>")
                   + report::html(report::truncated(valueText(value), options.maxTextChars)) + QStringLiteral("</pre>");
        out += QStringLiteral("</td>");
        const CellRun &base = c.cell(r, c.baseline()).primary();
        for (int v = 0; v < c.variantCount(); ++v) {
            const Cell &cell = c.cell(r, v);
            const CellRun &run = cell.primary();
            const bool differs = differsFromBaseline(c, r, v);
            QStringList classes;
            if (v == c.baseline())
                classes << QStringLiteral("baseline");
            if (differs)
                classes << QStringLiteral("differs");
            out += classes.isEmpty() ? QStringLiteral("<td>")
                                     : QStringLiteral("<td class=\"") + classes.join(QLatin1Char(' ')) + QStringLiteral("\">");
            if (options.includeDiffs && differs) {
                out += QStringLiteral("<pre>");
                for (const report::DiffSegment &segment : report::wordDiff(base.text, run.text)) {
                    const QString text = report::html(segment.text);
                    if (segment.kind == report::DiffSegment::Kind::Delete)
                        out += QStringLiteral("<del>") + text + QStringLiteral("</del>");
                    else if (segment.kind == report::DiffSegment::Kind::Insert)
                        out += QStringLiteral("<ins>") + text + QStringLiteral("</ins>");
                    else
                        out += text;
                }
                out += QStringLiteral("</pre>");
            } else {
                out += QStringLiteral("<pre>") + report::html(report::truncated(run.text, options.maxTextChars))
                       + QStringLiteral("</pre>");
            }
            if (!run.error.isEmpty())
                out += QStringLiteral("<p class=\"error\">") + report::html(run.error) + QStringLiteral("</p>");
            QStringList meta{cellStatusName(cell.status()), latencyText(run.latencyMs), tokensText(run),
                             report::formatCostUsd(run.costUsd)};
            if (!run.grades.empty())
                meta << gradesText(run);
            if (cell.rating != Rating::None)
                meta << QStringLiteral("rated ") + ratingName(cell.rating);
            out += QStringLiteral("<p class=\"meta\">") + report::html(meta.join(QStringLiteral(" · ")))
                   + QStringLiteral("</p>");
            if (options.includeRepeats && c.repeats() > 1) {
                out += QStringLiteral("<p class=\"meta\">Distinct answers over %1 repeats (exact text after trimming):</p><ul>")
                           .arg(c.repeats());
                for (const StabilityGroup &group : stabilityGroups(cell))
                    out += QStringLiteral("<li>%1× <pre>").arg(group.count)
                           + report::html(report::truncated(group.text, options.maxTextChars))
                           + QStringLiteral("</pre></li>");
                out += QStringLiteral("</ul>");
            }
            out += QStringLiteral("</td>");
        }
        out += QStringLiteral("</tr>\n");
    }
    out += QStringLiteral("</table>\n</body>\n</html>\n");
    return report::scrubSecrets(out.toUtf8());
}

QByteArray ComparisonExport::markdown(const Comparison &c, const Options &options)
{
    const QString title = c.name.isEmpty() ? QStringLiteral("Comparison") : c.name;
    QString out;
    out += QStringLiteral("# ") + md(title) + QStringLiteral("\n\n");
    out += QLatin1Char('_') + md(generatedLine(options)) + QStringLiteral("_\n\n");
    out += QStringLiteral("## Variants\n\n");
    out += QStringLiteral("| # | Name | Model | API | Prompt | Runs | Mean latency | Mean tokens (in / out) | Cost | "
                          "Pass rate | Differs from baseline |\n");
    out += QStringLiteral("|---:|---|---|---|---|---:|---:|---:|---:|---:|---:|\n");
    for (int v = 0; v < c.variantCount(); ++v) {
        const ComparisonVariant &variant = c.variant(v);
        const ColumnSummary s = summarizeColumn(c, v);
        out += QStringLiteral("| %1 | %2 | %3 | %4 | %5 | %6 | %7 ")
                   .arg(QString::number(v + 1),
                        md(variant.displayName()) + (v == c.baseline() ? QStringLiteral(" (baseline)") : QString()),
                        md(variant.parameters.model), apiName(variant.parameters.api),
                        variant.useSharedPrompt ? QStringLiteral("shared") : QStringLiteral("own"),
                        QString::number(s.runs), report::formatOptionalMs(s.meanLatencyMs));
        out += QStringLiteral("| %1 / %2 | %3 | %4 | %5 |\n")
                   .arg(QString::number(s.meanInputTokens, 'f', 1), QString::number(s.meanOutputTokens, 'f', 1),
                        report::formatCostUsd(s.totalCostUsd),
                        s.passRate ? report::formatPercent(*s.passRate) : QStringLiteral("–"),
                        QString::number(s.differsFromBaseline));
    }
    out += QLatin1Char('\n');
    for (int r = 0; r < c.rowCount(); ++r) {
        out += QStringLiteral("## Input %1\n\n").arg(r + 1);
        for (const auto &[key, value] : c.inputs().row(r).items())
            out += QStringLiteral("- **") + md(QString::fromStdString(key)) + QStringLiteral("**: ")
                   + md(report::truncated(valueText(value), options.maxTextChars)) + QLatin1Char('\n');
        out += QLatin1Char('\n');
        for (int v = 0; v < c.variantCount(); ++v) {
            const Cell &cell = c.cell(r, v);
            const CellRun &run = cell.primary();
            out += QStringLiteral("### ") + md(c.variant(v).displayName())
                   + (v == c.baseline() ? QStringLiteral(" (baseline)")
                      : differsFromBaseline(c, r, v) ? QStringLiteral(" (differs from baseline)")
                                                     : QString())
                   + QStringLiteral("\n\n");
            QStringList meta{cellStatusName(cell.status()), latencyText(run.latencyMs), tokensText(run),
                             report::formatCostUsd(run.costUsd)};
            if (!run.grades.empty())
                meta << gradesText(run);
            if (cell.rating != Rating::None)
                meta << QStringLiteral("rated ") + ratingName(cell.rating);
            out += QLatin1Char('_') + md(meta.join(QStringLiteral(" · "))) + QStringLiteral("_\n\n");
            if (!run.error.isEmpty())
                out += QStringLiteral("Error: ") + md(run.error) + QStringLiteral("\n\n");
            out += fenced(report::truncated(run.text, options.maxTextChars)) + QLatin1Char('\n');
            if (options.includeRepeats && c.repeats() > 1) {
                out += QStringLiteral("Distinct answers over %1 repeats (exact text after trimming):\n\n").arg(c.repeats());
                for (const StabilityGroup &group : stabilityGroups(cell))
                    out += QStringLiteral("- %1×: ").arg(group.count)
                           + md(report::truncated(group.text, options.maxTextChars)) + QLatin1Char('\n');
                out += QLatin1Char('\n');
            }
        }
    }
    return report::scrubSecrets(out.toUtf8());
}

} // namespace assay::compare
