#include "models/report/markdown_report.h"

#include "models/report/report_data.h"

namespace assay::report {

QString markdownInline(const QString &text)
{
    QString out;
    out.reserve(text.size() + 8);
    for (const QChar c : xmlSafe(text)) {
        switch (c.unicode()) {
        case u'&':
            out += QStringLiteral("&amp;");
            break;
        case u'<':
            out += QStringLiteral("&lt;");
            break;
        case u'>':
            out += QStringLiteral("&gt;");
            break;
        case u'\r':
            break;
        case u'\n':
        case u'\t':
            out += QLatin1Char(' ');
            break;
        case u'\\':
        case u'|':
        case u'*':
        case u'_':
        case u'`':
        case u'[':
        case u']':
        case u'#':
        case u'~':
        case u'!':
            out += QLatin1Char('\\');
            out += c;
            break;
        default:
            out += c;
        }
    }
    return out;
}

namespace {

QString md(const QString &text)
{
    return markdownInline(text);
}


QString row(const QStringList &cells)
{
    return QStringLiteral("| ") + cells.join(QStringLiteral(" | ")) + QStringLiteral(" |\n");
}

QString header(const QStringList &cells, const QList<bool> &rightAligned)
{
    QStringList rule;
    for (qsizetype i = 0; i < cells.size(); ++i)
        rule.append(rightAligned.value(i) ? QStringLiteral("---:") : QStringLiteral("---"));
    return row(cells) + row(rule);
}

QString signedScore(const std::optional<double> &value)
{
    if (!value)
        return QStringLiteral("–");
    return (*value > 0 ? QStringLiteral("+") : QString()) + formatScore(*value);
}

constexpr int kMarkdownItems = 20;
constexpr int kMarkdownText = 120;

} // namespace

QByteArray MarkdownReport::render(const ReportInput &input, const ReportOptions &options)
{
    const ReportData data = analyze(input);
    QString out;
    out += QStringLiteral("## Eval report: %1\n\n").arg(md(data.title));
    out += QLatin1Char('_') + md(generatedAtLine(options)) + QStringLiteral("_\n\n");

    out += header({QStringLiteral("Run"), QStringLiteral("Model"), QStringLiteral("Status"), QStringLiteral("Total"),
                   QStringLiteral("Passed"), QStringLiteral("Failed"), QStringLiteral("Errored"),
                   QStringLiteral("Pass rate"), QStringLiteral("p50 ms"), QStringLiteral("p95 ms"),
                   QStringLiteral("Tokens"), QStringLiteral("Est. cost")},
                  {false, false, false, true, true, true, true, true, true, true, true, true});
    for (const RunView &run : data.runs) {
        const eval::RunSummary &s = run.summary;
        out += row({md(run.runId), md(run.source->run.model), md(run.source->run.status), QString::number(s.total),
                    QString::number(s.passed), QString::number(s.failed), QString::number(s.errored),
                    s.total > 0 ? formatPercent(s.passRate()) : QStringLiteral("–"), formatOptionalMs(s.latencyP50Ms),
                    formatOptionalMs(s.latencyP95Ms), QString::number(run.totalTokens),
                    formatCostUsd(s.estimatedCostUsd)});
    }

    if (!data.criteria.isEmpty()) {
        out += QStringLiteral("\n### Criteria\n\n");
        out += header({QStringLiteral("Run"), QStringLiteral("Criterion"), QStringLiteral("Type"),
                       QStringLiteral("Passed"), QStringLiteral("Failed"), QStringLiteral("Errored"),
                       QStringLiteral("Pass rate"), QStringLiteral("Mean score")},
                      {false, false, false, true, true, true, true, true});
        for (const RunView &run : data.runs) {
            for (const CriterionStats &c : run.criteria) {
                out += row({md(run.runId), md(c.name), md(c.type), QString::number(c.passed), QString::number(c.failed),
                            QString::number(c.errored),
                            c.passed + c.failed > 0 ? formatPercent(c.passRate()) : QStringLiteral("–"),
                            c.meanScore ? formatScore(*c.meanScore) : QStringLiteral("–")});
            }
        }
    }

    if (data.comparison) {
        const RunComparison &cmp = *data.comparison;
        out += QStringLiteral("\n### Comparison: %1 → %2\n\n").arg(md(data.runs[0].runId), md(data.runs[1].runId));
        out += QStringLiteral("**%1 regressions** (pass → fail), **%2 improvements** (fail → pass), %3 unchanged "
                              "(%4 passing in both)")
                   .arg(cmp.regressions)
                   .arg(cmp.improvements)
                   .arg(cmp.unchanged)
                   .arg(cmp.unchangedPassing);
        if (cmp.added > 0 || cmp.removed > 0)
            out += QStringLiteral(", %1 only in %2, %3 only in %4")
                       .arg(QString::number(cmp.removed), md(data.runs[0].runId), QString::number(cmp.added),
                            md(data.runs[1].runId));
        out += QStringLiteral(".\n\n");
        out += header({QStringLiteral("Criterion"), QStringLiteral("Pass rate before"), QStringLiteral("Pass rate after"),
                       QStringLiteral("Regressions"), QStringLiteral("Improvements"), QStringLiteral("Mean score before"),
                       QStringLiteral("Mean score after"), QStringLiteral("Δ mean score")},
                      {false, true, true, true, true, true, true, true});
        for (const CriterionComparison &c : cmp.perCriterion) {
            auto rate = [](qint64 passed, qint64 graded) {
                return graded > 0 ? formatPercent(static_cast<double>(passed) / static_cast<double>(graded))
                                  : QStringLiteral("–");
            };
            out += row({md(c.name), rate(c.basePassed, c.baseGraded), rate(c.comparePassed, c.compareGraded),
                        QString::number(c.regressions), QString::number(c.improvements),
                        c.meanBaseScore ? formatScore(*c.meanBaseScore) : QStringLiteral("–"),
                        c.meanCompareScore ? formatScore(*c.meanCompareScore) : QStringLiteral("–"),
                        signedScore(c.meanDelta())});
        }
        if (cmp.regressions > 0) {
            out += QStringLiteral("\n**Regressions**");
            if (cmp.regressions > kMarkdownItems)
                out += QStringLiteral(" (first %1 of %2)").arg(kMarkdownItems).arg(cmp.regressions);
            out += QStringLiteral("\n\n");
            out += header({QStringLiteral("Item"), QStringLiteral("Now failing"), QStringLiteral("Output")}, {true});
            int shown = 0;
            for (const ItemComparison &item : cmp.items) {
                if (item.change != ItemChange::Regression)
                    continue;
                if (shown++ >= kMarkdownItems)
                    break;
                const QString failing = failedCriteria(*item.compare, data.criteria).join(QStringLiteral(", "));
                out += row({QString::number(item.datasourceItemId),
                            md(failing.isEmpty() ? item.compare->error : failing),
                            md(truncated(outputText(*item.compare), kMarkdownText))});
            }
        }
    }

    for (const RunView &run : data.runs) {
        const qint64 notPassing = run.summary.failed + run.summary.errored;
        if (notPassing == 0)
            continue;
        out += QStringLiteral("\n### Failing items of %1").arg(md(run.runId));
        if (notPassing > kMarkdownItems)
            out += QStringLiteral(" (first %1 of %2)").arg(kMarkdownItems).arg(notPassing);
        out += QStringLiteral("\n\n");
        out += header({QStringLiteral("Item"), QStringLiteral("Status"), QStringLiteral("Failed criteria"),
                       QStringLiteral("Output")},
                      {true});
        int shown = 0;
        for (const store::OutputItemRecord &item : run.source->items) {
            if (item.status == QLatin1String("pass"))
                continue;
            if (shown++ >= kMarkdownItems)
                break;
            const QString failing = failedCriteria(item, data.criteria).join(QStringLiteral(", "));
            out += row({QString::number(item.datasourceItemId), md(item.status),
                        md(failing.isEmpty() ? item.error : failing),
                        md(truncated(outputText(item), kMarkdownText))});
        }
    }
    return scrubSecrets(out.toUtf8());
}

} // namespace assay::report
