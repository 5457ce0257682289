#include "models/report/junit_report.h"

#include <QBuffer>
#include <QXmlStreamWriter>

#include "models/report/report_data.h"

namespace assay::report {

using nlohmann::json;

namespace {

QString seconds(qint64 ms)
{
    return QString::number(static_cast<double>(std::max<qint64>(ms, 0)) / 1000.0, 'f', 3);
}

// Every criterion of an item, one line each: what a CI log shows under the failure.
QString criteriaLines(const store::OutputItemRecord &item, const QStringList &criteria)
{
    QStringList lines;
    for (const QString &name : criteria) {
        const json *result = findResult(item, name.toStdString());
        if (!result) {
            lines.append(QStringLiteral("%1: not graded").arg(name));
            continue;
        }
        const double score = result->contains("score") && (*result)["score"].is_number() ? (*result)["score"].get<double>() : 0.0;
        QString line = QStringLiteral("%1: score %2, %3")
                           .arg(name, formatScore(score),
                                result->value("passed", false) ? QStringLiteral("passed") : QStringLiteral("failed"));
        if (result->contains("error") && (*result)["error"].is_string())
            line += QStringLiteral(", error: ") + QString::fromStdString((*result)["error"].get<std::string>());
        if (result->contains("invalid_reason") && (*result)["invalid_reason"].is_string())
            line += QStringLiteral(", invalid: ") + QString::fromStdString((*result)["invalid_reason"].get<std::string>());
        lines.append(line);
    }
    return lines.join(QLatin1Char('\n'));
}

} // namespace

// <testsuites> with one <testsuite> per run and one <testcase> per output item ("item N"): a failed
// item carries <failure> naming the criteria it did not pass with their scores, an errored item
// <error> with the reason, and both the model's output in <system-out>.
QByteArray JUnitReport::render(const ReportInput &input, const ReportOptions &options)
{
    const ReportData data = analyze(input);
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QXmlStreamWriter xml(&buffer);
    xml.setAutoFormatting(true);
    xml.setAutoFormattingIndent(2);
    xml.writeStartDocument();

    qint64 tests = 0, failures = 0, errors = 0, totalMs = 0;
    for (const RunView &run : data.runs) {
        tests += run.summary.total;
        failures += run.summary.failed;
        errors += run.summary.errored;
        for (const auto &item : run.source->items)
            totalMs += std::max<qint64>(item.latencyMs, 0);
    }
    xml.writeStartElement(QStringLiteral("testsuites"));
    xml.writeAttribute(QStringLiteral("name"), xmlSafe(data.title));
    xml.writeAttribute(QStringLiteral("tests"), QString::number(tests));
    xml.writeAttribute(QStringLiteral("failures"), QString::number(failures));
    xml.writeAttribute(QStringLiteral("errors"), QString::number(errors));
    xml.writeAttribute(QStringLiteral("time"), seconds(totalMs));

    for (const RunView &run : data.runs) {
        const store::RunRecord &record = run.source->run;
        qint64 runMs = 0;
        for (const auto &item : run.source->items)
            runMs += std::max<qint64>(item.latencyMs, 0);
        const QString suiteName = xmlSafe(data.title + QStringLiteral(" / ") + run.label);
        xml.writeStartElement(QStringLiteral("testsuite"));
        xml.writeAttribute(QStringLiteral("name"), suiteName);
        xml.writeAttribute(QStringLiteral("id"), xmlSafe(run.runId));
        xml.writeAttribute(QStringLiteral("tests"), QString::number(run.summary.total));
        xml.writeAttribute(QStringLiteral("failures"), QString::number(run.summary.failed));
        xml.writeAttribute(QStringLiteral("errors"), QString::number(run.summary.errored));
        xml.writeAttribute(QStringLiteral("skipped"), QStringLiteral("0"));
        xml.writeAttribute(QStringLiteral("time"), seconds(runMs));
        if (record.createdAt.isValid())
            xml.writeAttribute(QStringLiteral("timestamp"), record.createdAt.toUTC().toString(Qt::ISODate));

        xml.writeStartElement(QStringLiteral("properties"));
        auto property = [&xml](const QString &name, const QString &value) {
            xml.writeStartElement(QStringLiteral("property"));
            xml.writeAttribute(QStringLiteral("name"), name);
            xml.writeAttribute(QStringLiteral("value"), xmlSafe(value));
            xml.writeEndElement();
        };
        property(QStringLiteral("run_id"), run.runId);
        property(QStringLiteral("eval_id"), run.evalId);
        property(QStringLiteral("model"), record.model);
        property(QStringLiteral("status"), record.status);
        property(QStringLiteral("pass_rate"), formatPercent(run.summary.passRate()));
        for (const CriterionStats &c : run.criteria)
            property(QStringLiteral("criterion.") + xmlSafe(c.name), QStringLiteral("%1/%2 passed").arg(c.passed).arg(c.passed + c.failed));
        xml.writeEndElement(); // properties

        const QString className = xmlSafe(data.title + QLatin1Char('.') + run.runId);
        for (const store::OutputItemRecord &item : run.source->items) {
            xml.writeStartElement(QStringLiteral("testcase"));
            xml.writeAttribute(QStringLiteral("classname"), className);
            xml.writeAttribute(QStringLiteral("name"), QStringLiteral("item %1").arg(item.datasourceItemId));
            xml.writeAttribute(QStringLiteral("time"), seconds(item.latencyMs));
            const bool errored = item.status == QLatin1String("error");
            const bool failed = !errored && item.status != QLatin1String("pass");
            if (failed) {
                const QStringList failing = failedCriteria(item, data.criteria);
                xml.writeStartElement(QStringLiteral("failure"));
                xml.writeAttribute(QStringLiteral("type"), QStringLiteral("eval.criteria"));
                xml.writeAttribute(QStringLiteral("message"),
                                   xmlSafe(QStringLiteral("failed: ") + (failing.isEmpty() ? item.status : failing.join(QStringLiteral(", ")))));
                xml.writeCharacters(xmlSafe(criteriaLines(item, data.criteria)));
                xml.writeEndElement();
            } else if (errored) {
                xml.writeStartElement(QStringLiteral("error"));
                xml.writeAttribute(QStringLiteral("type"), QStringLiteral("eval.error"));
                xml.writeAttribute(QStringLiteral("message"), xmlSafe(item.error.isEmpty() ? QStringLiteral("errored") : item.error));
                xml.writeCharacters(xmlSafe(criteriaLines(item, data.criteria)));
                xml.writeEndElement();
            }
            if (failed || errored) {
                xml.writeTextElement(QStringLiteral("system-out"),
                                     xmlSafe(truncated(outputText(item), options.maxTextLength)));
            }
            xml.writeEndElement(); // testcase
        }
        xml.writeEndElement(); // testsuite
    }
    xml.writeEndElement(); // testsuites
    xml.writeEndDocument();
    return scrubSecrets(bytes);
}

} // namespace assay::report
