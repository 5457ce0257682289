#include "app/cli/ask_command.h"

#include <cstdio>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QTextStream>
#include <QTimer>

#include "app/cli/cli.h"
#include "app/cli/common_options.h"
#include "app/cli/parameter_options.h"
#include "models/api/api_client.h"
#include "models/api/profile.h"
#include "models/api/secret_store.h"
#include "models/prompt/conversation.h"
#include "models/prompt/pricing.h"
#include "models/prompt/request_builder.h"

namespace assay::cli {

namespace {

void writeOut(const std::string &bytes)
{
    std::fwrite(bytes.data(), 1, bytes.size(), stdout);
    std::fflush(stdout);
}

void writeErr(const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    std::fwrite(utf8.constData(), 1, static_cast<size_t>(utf8.size()), stderr);
    std::fflush(stderr);
}

QString formatSeconds(qint64 ms)
{
    return ms < 1000 ? QStringLiteral("%1 ms").arg(ms) : QStringLiteral("%1 s").arg(ms / 1000.0, 0, 'f', 2);
}

// The line of figures printed to stderr after an answer.
QString statsLine(const api::ResponseResult &result, const QString &serviceTier)
{
    QStringList parts;
    if (!result.model.empty())
        parts << QString::fromStdString(result.model);
    if (result.usage) {
        const api::TokenUsage &u = *result.usage;
        parts << QStringLiteral("%1 in (%2 cached)").arg(u.inputTokens).arg(u.cachedInputTokens);
        parts << QStringLiteral("%1 out (%2 reasoning)").arg(u.outputTokens).arg(u.reasoningTokens);
        if (u.acceptedPredictionTokens || u.rejectedPredictionTokens)
            parts << QStringLiteral("prediction %1 accepted / %2 rejected")
                         .arg(u.acceptedPredictionTokens)
                         .arg(u.rejectedPredictionTokens);
        const prompt::Pricing pricing = prompt::Pricing::builtIn();
        if (auto cost = pricing.costUsd(QString::fromStdString(result.model), u, serviceTier))
            parts << QStringLiteral("$%1").arg(*cost, 0, 'f', 6);
    }
    if (result.timeToFirstTokenMs)
        parts << QStringLiteral("first token %1").arg(formatSeconds(*result.timeToFirstTokenMs));
    if (result.totalMs)
        parts << QStringLiteral("total %1").arg(formatSeconds(*result.totalMs));
    if (auto rate = result.outputTokensPerSecond())
        parts << QStringLiteral("%1 tok/s").arg(*rate, 0, 'f', 1);
    if (!result.systemFingerprint.empty())
        parts << QString::fromStdString(result.systemFingerprint);
    if (!result.requestId.isEmpty())
        parts << result.requestId;
    if (result.retries > 0)
        parts << QStringLiteral("%1 retries").arg(result.retries);
    return parts.join(QStringLiteral(" · "));
}

} // namespace

int runAsk(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Send one prompt to an OpenAI-compatible API and stream the answer to stdout.\n"
        "Usage and timing go to stderr. The key comes from the profile's keychain entry or "
        "OPENAI_API_KEY."));
    parser.addHelpOption();
    const QCommandLineOption profileOption(QStringLiteral("profile"), QStringLiteral("Connection profile to use."),
                                           QStringLiteral("P"));
    const QCommandLineOption baseUrlOption(QStringLiteral("base-url"),
                                           QStringLiteral("API base URL (default https://api.openai.com/v1)."),
                                           QStringLiteral("URL"));
    const QCommandLineOption apiOption(QStringLiteral("api"), QStringLiteral("responses (default) or chat."),
                                       QStringLiteral("API"), QStringLiteral("responses"));
    const QCommandLineOption modelOption(QStringLiteral("model"), QStringLiteral("Model name."),
                                         QStringLiteral("M"), QStringLiteral("gpt-4.1-mini"));
    const QCommandLineOption instructionsOption(QStringLiteral("instructions"),
                                                QStringLiteral("Instructions (developer message)."),
                                                QStringLiteral("TEXT"));
    const QCommandLineOption paramOption(
        QStringLiteral("param"),
        QStringLiteral("Request parameter, repeatable. Known keys: %1; any other key is sent as given.")
            .arg(knownParameterKeys().join(QStringLiteral(", "))),
        QStringLiteral("key=value"));
    const QCommandLineOption noStreamOption(QStringLiteral("no-stream"),
                                           QStringLiteral("Wait for the whole answer instead of streaming."));
    const QCommandLineOption timeoutOption(QStringLiteral("timeout"),
                                           QStringLiteral("Request timeout in seconds (default 600, 900 for flex)."),
                                           QStringLiteral("S"));
    parser.addOptions({profileOption, baseUrlOption, apiOption, modelOption, instructionsOption, paramOption,
                       noStreamOption, timeoutOption, workspaceOption()});
    parser.addPositionalArgument(QStringLiteral("PROMPT"), QStringLiteral("The prompt; - reads it from stdin."));

    QTextStream err(stderr);
    if (!parser.parse(arguments)) {
        err << "assay ask: " << parser.errorText() << "\n";
        return UsageError;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        QTextStream(stdout) << parser.helpText();
        return Success;
    }
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1) {
        err << "assay ask: expected exactly one PROMPT (use - to read stdin)\n";
        return UsageError;
    }

    QString promptText = positional.first();
    if (promptText == QLatin1String("-")) {
        QFile in;
        if (!in.open(stdin, QIODevice::ReadOnly)) {
            err << "assay ask: cannot read stdin\n";
            return Failure;
        }
        promptText = QString::fromUtf8(in.readAll());
    }
    if (promptText.trimmed().isEmpty()) {
        err << "assay ask: the prompt is empty\n";
        return UsageError;
    }

    prompt::RequestParameters parameters;
    const QString apiName = parser.value(apiOption).toLower();
    if (apiName == QLatin1String("chat"))
        parameters.api = api::ApiKind::ChatCompletions;
    else if (apiName != QLatin1String("responses")) {
        err << "assay ask: --api must be responses or chat, not '" << apiName << "'\n";
        return UsageError;
    }
    parameters.model = parser.value(modelOption);
    for (const QString &assignment : parser.values(paramOption)) {
        if (QString problem = applyParameterAssignment(assignment, parameters); !problem.isEmpty()) {
            err << "assay ask: " << problem << "\n";
            return UsageError;
        }
    }

    prompt::Conversation conversation;
    conversation.instructions = parser.value(instructionsOption);
    conversation.messages.push_back({prompt::Role::User, promptText});

    const bool stream = !parser.isSet(noStreamOption);
    const prompt::RequestBuilder::Result built =
        prompt::RequestBuilder::build(conversation, parameters, nlohmann::json::object(), stream);
    for (const QString &warning : built.warnings)
        err << "assay ask: warning: " << warning << "\n";
    if (!built.error.isEmpty()) {
        err << "assay ask: " << built.error << "\n";
        return UsageError;
    }

    api::Profile profile = api::ProfileStore::find(parser.value(profileOption));
    if (parser.isSet(baseUrlOption)) {
        profile.baseUrl = parser.value(baseUrlOption);
        if (!parser.isSet(profileOption))
            profile.keySource = api::Profile::KeySource::Environment;
    }

    int timeoutMs = parameters.timeoutMs();
    if (parser.isSet(timeoutOption)) {
        bool ok = false;
        const double seconds = parser.value(timeoutOption).toDouble(&ok);
        if (!ok || seconds <= 0) {
            err << "assay ask: --timeout must be a positive number of seconds\n";
            return UsageError;
        }
        timeoutMs = static_cast<int>(seconds * 1000);
    }

    api::SecretStore secrets;
    api::ApiClient client;
    int exitCode = Failure;
    bool printedText = false;

    auto onFinished = [&](const api::ResponseResult &result) {
        if (!stream && !result.outputText.empty()) {
            writeOut(result.outputText);
            printedText = true;
        }
        if (!result.refusal.empty() && !stream)
            writeErr(QStringLiteral("[refusal] %1\n").arg(QString::fromStdString(result.refusal)));
        if (printedText && !result.outputText.empty() && result.outputText.back() != '\n')
            writeOut("\n");
        for (const api::ToolCall &call : result.toolCalls) {
            const nlohmann::json printable{{"type", "tool_call"},
                                           {"id", call.id},
                                           {"name", call.name},
                                           {"arguments", call.arguments}};
            writeOut(printable.dump() + "\n");
        }
        const QString stats = statsLine(result, parameters.serviceTier);
        if (!stats.isEmpty())
            writeErr(stats + QLatin1Char('\n'));
        if (result.error) {
            writeErr(QStringLiteral("assay ask: %1\n").arg(result.error->summary()));
            const QString advice = result.error->advice();
            if (!advice.isEmpty())
                writeErr(QStringLiteral("  %1\n").arg(advice));
            exitCode = Failure;
        } else {
            exitCode = Success;
        }
        QCoreApplication::exit(exitCode);
    };

    // Everything happens inside the event loop, so exit() works even when the key lookup
    // answers synchronously (environment variable) or fails at once.
    QTimer::singleShot(0, &client, [&] {
    secrets.readKey(profile, [&](QString key, QString problem) {
        if (key.isEmpty() && profileNeedsKey(profile)) {
            writeErr(QStringLiteral("assay ask: no API key for profile '%1'%2.\n  Set OPENAI_API_KEY or store a "
                                    "key for the profile in Assay (Connection > Manage profiles).\n")
                         .arg(profile.name, problem.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(problem)));
            QCoreApplication::exit(Failure);
            return;
        }
        api::ApiCall *call = client.createResponse(profile, key, parameters.api, built.body, timeoutMs);
        QObject::connect(call, &api::ApiCall::deltaReceived, call, [&](const api::OutputDelta &delta) {
            switch (delta.kind) {
            case api::OutputDelta::Kind::Text:
                writeOut(delta.text);
                printedText = true;
                break;
            case api::OutputDelta::Kind::Refusal:
                writeErr(QString::fromStdString(delta.text));
                break;
            case api::OutputDelta::Kind::ReasoningSummary:
            case api::OutputDelta::Kind::ToolCallStarted:
            case api::OutputDelta::Kind::ToolCallArguments:
                break; // reasoning and tool calls are summarised at the end
            }
        });
        QObject::connect(call, &api::ApiCall::retrying, call,
                         [](int attempt, int delayMs, const api::ApiError &reason) {
                             writeErr(QStringLiteral("assay ask: %1; retry %2 in %3\n")
                                          .arg(reason.summary())
                                          .arg(attempt)
                                          .arg(formatSeconds(delayMs)));
                         });
        QObject::connect(call, &api::ApiCall::finished, call, onFinished);
    });
    });

    return QCoreApplication::exec();
}

} // namespace assay::cli
