#include "models/prompt/pricing.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <QFile>

#include "models/prompt/json_text.h"

namespace assay::prompt {

namespace {

using json = nlohmann::json;

[[noreturn]] void fail(const QString &message)
{
    throw std::runtime_error(message.toStdString());
}

double readPrice(const json &entry, const char *field, const QString &where, bool required, double fallback)
{
    if (!entry.contains(field) || entry.at(field).is_null()) {
        if (required)
            fail(where + QStringLiteral(": \"%1\" is missing").arg(QLatin1String(field)));
        return fallback;
    }
    const json &value = entry.at(field);
    if (!value.is_number())
        fail(where + QStringLiteral(": \"%1\" must be a number (USD per 1M tokens), not %2")
                         .arg(QLatin1String(field), QString::fromStdString(value.dump())));
    const double number = value.get<double>();
    if (!std::isfinite(number) || number < 0)
        fail(where + QStringLiteral(": \"%1\" must not be negative").arg(QLatin1String(field)));
    return number;
}

} // namespace

Pricing Pricing::fromJson(const nlohmann::json &document)
{
    if (!document.is_object())
        fail(QStringLiteral("pricing: expected a JSON object with a \"models\" array"));
    if (!document.contains("models") || !document.at("models").is_array())
        fail(QStringLiteral(
            "pricing: \"models\" must be an array of {\"model\", \"input\", \"cached_input\", \"output\"}"));
    const json &models = document.at("models");

    Pricing pricing;
    if (document.contains("note") && document.at("note").is_string())
        pricing.m_note = QString::fromStdString(document.at("note").get<std::string>());
    for (std::size_t i = 0; i < models.size(); ++i) {
        const json &entry = models.at(i);
        QString where = QStringLiteral("models[%1]").arg(i);
        if (!entry.is_object())
            fail(where + QStringLiteral(": expected an object"));
        if (!entry.contains("model") || !entry.at("model").is_string() ||
            entry.at("model").get<std::string>().empty())
            fail(where + QStringLiteral(": \"model\" must be a non-empty model name"));
        ModelPrice price;
        price.model = QString::fromStdString(entry.at("model").get<std::string>());
        where += QStringLiteral(" (%1)").arg(price.model);
        for (const ModelPrice &seen : pricing.m_prices) {
            if (seen.model.compare(price.model, Qt::CaseInsensitive) == 0)
                fail(where + QStringLiteral(": listed twice"));
        }
        price.input = readPrice(entry, "input", where, true, 0);
        price.output = readPrice(entry, "output", where, true, 0);
        // No cached price listed: cached tokens cost the same as any input token.
        price.cachedInput = readPrice(entry, "cached_input", where, false, price.input);
        pricing.m_prices.push_back(price);
    }
    return pricing;
}

Pricing Pricing::builtIn()
{
    QFile file(QStringLiteral(":/pricing.json"));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    try {
        return fromJson(parseJsonText(file.readAll().toStdString()));
    } catch (const std::exception &) {
        return {}; // the shipped table is covered by a test; an empty table shows no costs
    }
}

Pricing Pricing::loadUserOrBuiltIn(const QString &path, QString *error)
{
    if (path.isEmpty() || !QFile::exists(path))
        return builtIn();
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("%1: %2; using the built-in prices.").arg(path, file.errorString());
        return builtIn();
    }
    try {
        return fromJson(parseJsonText(file.readAll().toStdString()));
    } catch (const std::exception &problem) {
        if (error)
            *error = QStringLiteral("%1: %2; using the built-in prices.")
                         .arg(path, QString::fromUtf8(problem.what()));
        return builtIn();
    }
}

nlohmann::json Pricing::toJson() const
{
    json models = json::array();
    for (const ModelPrice &price : m_prices) {
        models.push_back({{"model", price.model.toStdString()},
                          {"input", price.input},
                          {"cached_input", price.cachedInput},
                          {"output", price.output}});
    }
    json document = {{"currency", "USD"}, {"unit", "per 1M tokens"}, {"models", std::move(models)}};
    if (!m_note.isEmpty())
        document["note"] = m_note.toStdString();
    return document;
}

std::optional<ModelPrice> Pricing::priceFor(const QString &model) const
{
    const QString name = model.trimmed();
    const ModelPrice *best = nullptr;
    for (const ModelPrice &price : m_prices) {
        if (name.startsWith(price.model, Qt::CaseInsensitive) &&
            (!best || price.model.size() > best->model.size()))
            best = &price;
    }
    if (!best)
        return std::nullopt;
    return *best;
}

std::optional<double> Pricing::costUsd(const QString &model, const api::TokenUsage &usage,
                                       const QString &serviceTier) const
{
    const std::optional<ModelPrice> price = priceFor(model);
    if (!price)
        return std::nullopt;
    const auto input = static_cast<double>(std::max<qint64>(usage.inputTokens, 0));
    const double cached = std::min(static_cast<double>(std::max<qint64>(usage.cachedInputTokens, 0)), input);
    // outputTokens already includes reasoning (and rejected prediction) tokens: both APIs bill
    // them as output, and counting reasoningTokens again would double them.
    const auto output = static_cast<double>(std::max<qint64>(usage.outputTokens, 0));
    double cost =
        ((input - cached) * price->input + cached * price->cachedInput + output * price->output) / 1e6;
    if (serviceTier.compare(QLatin1String("flex"), Qt::CaseInsensitive) == 0)
        cost *= 0.5;
    return cost;
}

} // namespace assay::prompt
