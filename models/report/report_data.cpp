#include "models/report/report_data.h"

#include <algorithm>
#include <cmath>

namespace assay::report {

using nlohmann::json;

namespace {

QString criterionName(const json &criterion)
{
    if (criterion.is_object()) {
        if (const auto it = criterion.find("name"); it != criterion.end() && it->is_string())
            return QString::fromStdString(it->get<std::string>());
    }
    return {};
}

std::string stringOf(const json &object, const char *key)
{
    if (!object.is_object())
        return {};
    const auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

QString contentText(const json &content)
{
    if (content.is_string())
        return QString::fromStdString(content.get<std::string>());
    if (content.is_array()) {
        QStringList parts;
        for (const json &part : content) {
            if (part.is_string())
                parts.append(QString::fromStdString(part.get<std::string>()));
            else if (part.is_object() && part.contains("text") && part["text"].is_string())
                parts.append(QString::fromStdString(part["text"].get<std::string>()));
            else
                parts.append(jsonText(part, -1));
        }
        return parts.join(QLatin1Char('\n'));
    }
    if (content.is_null())
        return {};
    return jsonText(content, -1);
}

bool isKeyChar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

bool isTokenChar(char c)
{
    return isKeyChar(c) || c == '.' || c == '~' || c == '+' || c == '/' || c == '=';
}

constexpr char kRedacted[] = "[REDACTED]";

// "sk-" at a word start followed by at least 16 key characters.
QByteArray scrubKeys(const QByteArray &in)
{
    if (!in.contains("sk-"))
        return in;
    QByteArray out;
    out.reserve(in.size());
    qsizetype copied = 0;
    qsizetype from = 0;
    while (true) {
        const qsizetype p = in.indexOf("sk-", from);
        if (p < 0)
            break;
        qsizetype end = p + 3;
        while (end < in.size() && isKeyChar(in.at(end)))
            ++end;
        const bool atWordStart = p == 0 || !isKeyChar(in.at(p - 1));
        if (atWordStart && end - (p + 3) >= 16) {
            out.append(in.constData() + copied, p - copied);
            out.append(kRedacted);
            copied = end;
        }
        from = end;
    }
    out.append(in.constData() + copied, in.size() - copied);
    return out;
}

// "Bearer <token>" in any case.
QByteArray scrubBearer(const QByteArray &in)
{
    if (!in.contains("earer") && !in.contains("EARER"))
        return in;
    QByteArray out;
    out.reserve(in.size());
    qsizetype copied = 0;
    for (qsizetype p = 0; p + 7 < in.size(); ++p) {
        if ((in.at(p) | 0x20) != 'b' || qstrnicmp(in.constData() + p, "bearer", 6) != 0)
            continue;
        if (p > 0 && isKeyChar(in.at(p - 1)))
            continue;
        qsizetype start = p + 6;
        if (start >= in.size() || (in.at(start) != ' ' && in.at(start) != '\t'))
            continue;
        while (start < in.size() && (in.at(start) == ' ' || in.at(start) == '\t'))
            ++start;
        qsizetype end = start;
        while (end < in.size() && isTokenChar(in.at(end)))
            ++end;
        if (end - start >= 8) {
            out.append(in.constData() + copied, start - copied);
            out.append(kRedacted);
            copied = end;
            p = end - 1;
        }
    }
    out.append(in.constData() + copied, in.size() - copied);
    return out;
}

} // namespace

const json *findResult(const store::OutputItemRecord &item, const std::string &criterion)
{
    if (!item.results.is_array())
        return nullptr;
    for (const json &result : item.results) {
        if (!result.is_object())
            continue;
        const auto name = result.find("name");
        if (name != result.end() && name->is_string() && name->get_ref<const std::string &>() == criterion)
            return &result;
    }
    return nullptr;
}

QString outputText(const store::OutputItemRecord &item)
{
    if (!item.sample.is_object())
        return {};
    const auto output = item.sample.find("output");
    if (output == item.sample.end() || !output->is_array() || output->empty())
        return {};
    const json &first = output->front();
    if (first.is_object()) {
        if (const auto content = first.find("content"); content != first.end())
            return contentText(*content);
        return {};
    }
    return contentText(first);
}

QString inputText(const store::OutputItemRecord &item)
{
    if (item.sample.is_object()) {
        const auto input = item.sample.find("input");
        if (input != item.sample.end() && input->is_array() && !input->empty()) {
            QStringList lines;
            for (const json &message : *input) {
                if (message.is_object()) {
                    const std::string role = stringOf(message, "role");
                    const QString content = contentText(message.value("content", json()));
                    lines.append(role.empty() ? content : QString::fromStdString(role) + QStringLiteral(": ") + content);
                } else {
                    lines.append(contentText(message));
                }
            }
            return lines.join(QLatin1Char('\n'));
        }
    }
    return item.datasourceItem.is_null() ? QString() : jsonText(item.datasourceItem);
}

qint64 itemTokens(const store::OutputItemRecord &item)
{
    if (!item.sample.is_object())
        return -1;
    const auto usage = item.sample.find("usage");
    if (usage == item.sample.end() || !usage->is_object())
        return -1;
    const auto total = usage->find("total_tokens");
    if (total == usage->end() || !total->is_number())
        return -1;
    return total->get<qint64>();
}

QStringList failedCriteria(const store::OutputItemRecord &item, const QStringList &criteria)
{
    QStringList out;
    for (const QString &name : criteria) {
        const json *result = findResult(item, name.toStdString());
        if (!result)
            continue;
        const std::string error = stringOf(*result, "error");
        if (!error.empty()) {
            out.append(QStringLiteral("%1 (error: %2)").arg(name, QString::fromStdString(error)));
            continue;
        }
        const bool passed = result->value("passed", false);
        if (passed)
            continue;
        const double score = result->contains("score") && (*result)["score"].is_number() ? (*result)["score"].get<double>() : 0.0;
        const std::string invalid = stringOf(*result, "invalid_reason");
        out.append(invalid.empty() ? QStringLiteral("%1 (score %2)").arg(name, formatScore(score))
                                   : QStringLiteral("%1 (score %2, invalid: %3)")
                                         .arg(name, formatScore(score), QString::fromStdString(invalid)));
    }
    return out;
}

QString formatScore(double value)
{
    if (!std::isfinite(value))
        return QStringLiteral("nan");
    const QString text = QString::number(value, 'f', 4);
    return text == QLatin1String("-0.0000") ? QStringLiteral("0.0000") : text;
}

QString formatPercent(double ratio)
{
    return QString::number(ratio * 100.0, 'f', 1) + QLatin1Char('%');
}

QString formatOptionalMs(const std::optional<double> &ms)
{
    return ms ? QString::number(*ms, 'f', 0) : QStringLiteral("–");
}

QString formatCostUsd(const std::optional<double> &usd)
{
    if (!usd)
        return QStringLiteral("–");
    return QLatin1Char('$') + QString::number(*usd, 'f', *usd < 0.01 ? 6 : 4);
}

QString jsonText(const json &value, int indent)
{
    return QString::fromStdString(value.dump(indent, ' ', false, json::error_handler_t::replace));
}

QString xmlSafe(const QString &text)
{
    auto bad = [](const QChar *data, qsizetype i, qsizetype n) {
        const char16_t c = data[i].unicode();
        if (c < 0x20)
            return c != u'\t' && c != u'\n' && c != u'\r';
        if (c == 0xFFFE || c == 0xFFFF)
            return true;
        if (QChar::isHighSurrogate(c))
            return i + 1 >= n || !QChar::isLowSurrogate(data[i + 1].unicode());
        if (QChar::isLowSurrogate(c))
            return i == 0 || !QChar::isHighSurrogate(data[i - 1].unicode());
        return false;
    };
    const QChar *data = text.constData();
    const qsizetype n = text.size();
    qsizetype first = -1;
    for (qsizetype i = 0; i < n; ++i) {
        if (bad(data, i, n)) {
            first = i;
            break;
        }
    }
    if (first < 0)
        return text;
    QString out = text;
    for (qsizetype i = first; i < n; ++i) {
        if (bad(data, i, n))
            out[i] = QChar(0xFFFD);
    }
    return out;
}

QString truncated(const QString &text, int limit)
{
    if (limit <= 0 || text.size() <= limit)
        return text;
    qsizetype cut = limit;
    if (text.at(cut - 1).isHighSurrogate())
        --cut;
    return text.left(cut) + QStringLiteral(" … [%1 more characters]").arg(text.size() - cut);
}

QString html(const QString &text)
{
    return xmlSafe(text).toHtmlEscaped();
}

QByteArray scrubSecrets(const QByteArray &text)
{
    return scrubBearer(scrubKeys(text));
}

QString scrubSecrets(const QString &text)
{
    if (!text.contains(QLatin1String("sk-")) && !text.contains(QLatin1String("bearer"), Qt::CaseInsensitive))
        return text;
    return QString::fromUtf8(scrubSecrets(text.toUtf8()));
}

ReportData analyze(const ReportInput &input)
{
    ReportData data;
    if (!input.runs.empty()) {
        const ReportRun &first = input.runs.front();
        data.title = first.eval.name.isEmpty() ? QStringLiteral("Eval %1").arg(exportedEvalId(first.eval, first.run))
                                               : first.eval.name;
    }
    auto addCriterion = [&data](const QString &name, const json &definition) {
        if (name.isEmpty())
            return;
        const qsizetype index = data.criteria.indexOf(name);
        if (index < 0) {
            data.criteria.append(name);
            data.criterionDefinitions.append(definition);
        } else if (data.criterionDefinitions[index].is_null()) {
            data.criterionDefinitions[index] = definition;
        }
    };
    for (const ReportRun &run : input.runs) {
        const json &definition = run.eval.definition;
        if (definition.is_object() && definition.contains("testing_criteria") && definition["testing_criteria"].is_array()) {
            for (const json &criterion : definition["testing_criteria"])
                addCriterion(criterionName(criterion), criterion);
        }
    }
    for (const ReportRun &run : input.runs) {
        for (const store::OutputItemRecord &item : run.items) {
            if (!item.results.is_array())
                continue;
            for (const json &result : item.results) {
                const QString name = criterionName(result);
                if (!name.isEmpty() && !data.criteria.contains(name))
                    addCriterion(name, json());
            }
        }
    }

    std::vector<std::string> names;
    for (const QString &name : std::as_const(data.criteria))
        names.push_back(name.toStdString());

    for (const ReportRun &run : input.runs) {
        RunView view;
        view.source = &run;
        view.runId = exportedRunId(run.run);
        view.evalId = exportedEvalId(run.eval, run.run);
        view.label = run.run.model.isEmpty() ? view.runId : QStringLiteral("%1 (%2)").arg(view.runId, run.run.model);
        view.summary = eval::summarizeRun(run.items, names, nullptr);
        if (run.run.summary.is_object())
            view.summary.estimatedCostUsd = eval::RunSummary::fromJson(run.run.summary).estimatedCostUsd;
        for (const auto &usage : view.summary.perModelUsage)
            view.totalTokens += usage.totalTokens;

        view.criteria.resize(names.size());
        std::vector<double> sums(names.size(), 0.0);
        std::vector<qint64> scored(names.size(), 0);
        for (size_t c = 0; c < names.size(); ++c) {
            view.criteria[c].name = data.criteria.at(static_cast<qsizetype>(c));
            const json &definition = data.criterionDefinitions.at(static_cast<qsizetype>(c));
            view.criteria[c].type = QString::fromStdString(stringOf(definition, "type"));
        }
        for (const store::OutputItemRecord &item : run.items) {
            for (size_t c = 0; c < names.size(); ++c) {
                CriterionStats &stats = view.criteria[c];
                const json *result = findResult(item, names[c]);
                if (!result) {
                    ++stats.missing;
                    continue;
                }
                if (stats.type.isEmpty())
                    stats.type = QString::fromStdString(stringOf(*result, "type"));
                if (!stringOf(*result, "error").empty()) {
                    ++stats.errored;
                    continue;
                }
                if (result->value("passed", false))
                    ++stats.passed;
                else
                    ++stats.failed;
                if (const auto score = result->find("score"); score != result->end() && score->is_number()) {
                    const double value = score->get<double>();
                    if (!std::isfinite(value))
                        continue;
                    sums[c] += value;
                    ++scored[c];
                    stats.minScore = stats.minScore ? std::min(*stats.minScore, value) : value;
                    stats.maxScore = stats.maxScore ? std::max(*stats.maxScore, value) : value;
                }
            }
        }
        for (size_t c = 0; c < names.size(); ++c) {
            if (scored[c] > 0)
                view.criteria[c].meanScore = sums[c] / static_cast<double>(scored[c]);
        }
        data.runs.push_back(std::move(view));
    }
    if (input.runs.size() >= 2)
        data.comparison = compareRuns(input.runs[0].items, input.runs[1].items, data.criteria);
    return data;
}

} // namespace assay::report

namespace assay::report {
QString generatedAtLine(const ReportOptions &options)
{
    const QDateTime when = options.generatedAt.isValid() ? options.generatedAt : QDateTime::currentDateTimeUtc();
    return QStringLiteral("Generated at %1 by Assay %2")
        .arg(when.toUTC().toString(Qt::ISODate), QStringLiteral(ASSAY_VERSION));
}
} // namespace assay::report
