#include "app/cli/parameter_options.h"

#include <QFile>

#include "models/prompt/request_builder.h"

namespace assay::cli {

namespace {

using nlohmann::json;

QString readFileArgument(const QString &value, QString &text)
{
    if (!value.startsWith(QLatin1Char('@'))) {
        text = value;
        return {};
    }
    QFile file(value.mid(1));
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("cannot read %1: %2").arg(file.fileName(), file.errorString());
    text = QString::fromUtf8(file.readAll());
    return {};
}

bool parseBool(const QString &value, bool &out)
{
    const QString v = value.trimmed().toLower();
    if (v == QLatin1String("true") || v == QLatin1String("1") || v == QLatin1String("yes")) {
        out = true;
        return true;
    }
    if (v == QLatin1String("false") || v == QLatin1String("0") || v == QLatin1String("no")) {
        out = false;
        return true;
    }
    return false;
}

// A value typed on the command line: JSON when it parses as JSON, a plain string otherwise.
json looseJson(const QString &value)
{
    const QByteArray utf8 = value.toUtf8();
    json parsed = json::parse(utf8.begin(), utf8.end(), nullptr, false);
    return parsed.is_discarded() ? json(utf8.toStdString()) : parsed;
}

void setNested(json &object, const QStringList &path, json value)
{
    json *node = &object;
    for (qsizetype i = 0; i + 1 < path.size(); ++i) {
        json &child = (*node)[path.at(i).toStdString()];
        if (!child.is_object())
            child = json::object();
        node = &child;
    }
    (*node)[path.last().toStdString()] = std::move(value);
}

} // namespace

QStringList knownParameterKeys()
{
    return {QStringLiteral("temperature"),       QStringLiteral("top_p"),
            QStringLiteral("max_output_tokens"), QStringLiteral("seed"),
            QStringLiteral("service_tier"),      QStringLiteral("reasoning_effort"),
            QStringLiteral("reasoning_summary"), QStringLiteral("store"),
            QStringLiteral("top_logprobs"),      QStringLiteral("verbosity"),
            QStringLiteral("prompt_cache_key"),  QStringLiteral("safety_identifier"),
            QStringLiteral("prediction"),        QStringLiteral("frequency_penalty"),
            QStringLiteral("presence_penalty"),  QStringLiteral("tool_choice"),
            QStringLiteral("parallel_tool_calls"), QStringLiteral("metadata.NAME"),
            QStringLiteral("tools=@FILE"),       QStringLiteral("json_schema=@FILE")};
}

QString applyParameterAssignment(const QString &assignment, prompt::RequestParameters &p)
{
    const qsizetype eq = assignment.indexOf(QLatin1Char('='));
    if (eq <= 0)
        return QStringLiteral("--param expects key=value, got '%1'").arg(assignment);
    const QString key = assignment.left(eq).trimmed();
    const QString value = assignment.mid(eq + 1);

    bool ok = true;
    auto number = [&](auto &field) {
        const double d = value.toDouble(&ok);
        if (ok)
            field = d;
    };
    auto integer = [&](auto &field) {
        const qlonglong n = value.toLongLong(&ok);
        if (ok)
            field = static_cast<std::remove_reference_t<decltype(*field)>>(n);
    };

    if (key == QLatin1String("temperature"))
        number(p.temperature);
    else if (key == QLatin1String("top_p"))
        number(p.topP);
    else if (key == QLatin1String("frequency_penalty"))
        number(p.frequencyPenalty);
    else if (key == QLatin1String("presence_penalty"))
        number(p.presencePenalty);
    else if (key == QLatin1String("max_output_tokens") || key == QLatin1String("max_tokens") ||
             key == QLatin1String("max_completion_tokens"))
        integer(p.maxOutputTokens);
    else if (key == QLatin1String("seed"))
        integer(p.seed);
    else if (key == QLatin1String("top_logprobs"))
        integer(p.topLogprobs);
    else if (key == QLatin1String("service_tier"))
        p.serviceTier = value;
    else if (key == QLatin1String("reasoning_effort") || key == QLatin1String("reasoning.effort"))
        p.reasoningEffort = value;
    else if (key == QLatin1String("reasoning_summary") || key == QLatin1String("reasoning.summary"))
        p.reasoningSummary = value;
    else if (key == QLatin1String("verbosity") || key == QLatin1String("text.verbosity"))
        p.verbosity = value;
    else if (key == QLatin1String("prompt_cache_key"))
        p.promptCacheKey = value;
    else if (key == QLatin1String("safety_identifier"))
        p.safetyIdentifier = value;
    else if (key == QLatin1String("tool_choice"))
        p.toolChoice = value;
    else if (key == QLatin1String("prediction")) {
        QString text;
        if (QString problem = readFileArgument(value, text); !problem.isEmpty())
            return problem;
        p.prediction = text;
    } else if (key == QLatin1String("store") || key == QLatin1String("parallel_tool_calls") ||
               key == QLatin1String("background")) {
        bool flag = false;
        ok = parseBool(value, flag);
        if (ok) {
            if (key == QLatin1String("store"))
                p.store = flag;
            else if (key == QLatin1String("background"))
                p.background = flag;
            else
                p.parallelToolCalls = flag;
        }
    } else if (key.startsWith(QLatin1String("metadata."))) {
        p.metadata[key.mid(9)] = value;
    } else if (key == QLatin1String("tools")) {
        QString text;
        if (QString problem = readFileArgument(value, text); !problem.isEmpty())
            return problem;
        try {
            p.tools = prompt::RequestBuilder::parseTools(text);
        } catch (const std::exception &e) {
            return QStringLiteral("tools: %1").arg(QString::fromUtf8(e.what()));
        }
    } else if (key == QLatin1String("json_schema")) {
        QString text;
        if (QString problem = readFileArgument(value, text); !problem.isEmpty())
            return problem;
        const QByteArray utf8 = text.toUtf8();
        json schema = json::parse(utf8.begin(), utf8.end(), nullptr, false);
        if (schema.is_discarded())
            return QStringLiteral("json_schema: not valid JSON");
        // Accept either a bare schema or {"name", "schema", "strict"} as the API takes it.
        if (!schema.contains("schema"))
            schema = json{{"name", "output"}, {"schema", schema}, {"strict", true}};
        p.jsonSchema = schema;
    } else {
        setNested(p.extra, key.split(QLatin1Char('.')), looseJson(value));
    }

    if (!ok)
        return QStringLiteral("--param %1: '%2' is not a valid value").arg(key, value);
    return {};
}

} // namespace assay::cli
