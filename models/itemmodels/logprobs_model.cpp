#include "models/itemmodels/logprobs_model.h"

#include <cmath>

#include <QBrush>
#include <QColor>

namespace assay::itemmodels {

LogprobsModel::LogprobsModel(QObject *parent) : QAbstractTableModel(parent) {}

int LogprobsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_tokens.size());
}

int LogprobsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(Column::Count);
}

QString LogprobsModel::visibleToken(const std::string &token)
{
    QString text = QString::fromStdString(token);
    text.replace(QLatin1Char(' '), QChar(0x00B7));             // middle dot
    text.replace(QLatin1Char('\n'), QStringLiteral("\u21B5")); // return arrow
    text.replace(QLatin1Char('\t'), QStringLiteral("\u2192"));
    return text;
}

QVariant LogprobsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const api::TokenLogprob &token = m_tokens[static_cast<std::size_t>(index.row())];
    const auto column = static_cast<Column>(index.column());
    const double probability = std::exp(token.logprob);
    if (role == Qt::DisplayRole) {
        switch (column) {
        case Column::Token:
            return visibleToken(token.token);
        case Column::Logprob:
            return QString::number(token.logprob, 'f', 4);
        case Column::Probability:
            return QStringLiteral("%1%").arg(probability * 100.0, 0, 'f', probability < 0.01 ? 3 : 1);
        case Column::Alternatives: {
            QStringList parts;
            for (const auto &[alternative, logprob] : token.topAlternatives)
                parts << QStringLiteral("%1 %2%")
                             .arg(visibleToken(alternative))
                             .arg(std::exp(logprob) * 100.0, 0, 'f', 1);
            return parts.join(QStringLiteral("   "));
        }
        case Column::Count:
            break;
        }
        return {};
    }
    if (role == Qt::ToolTipRole && column == Column::Alternatives) {
        QStringList lines;
        for (const auto &[alternative, logprob] : token.topAlternatives)
            lines << QStringLiteral("%1\t%2 (%3%)")
                         .arg(visibleToken(alternative))
                         .arg(logprob, 0, 'f', 4)
                         .arg(std::exp(logprob) * 100.0, 0, 'f', 2);
        return lines.join(QLatin1Char('\n'));
    }
    if (role == Qt::TextAlignmentRole && (column == Column::Logprob || column == Column::Probability))
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::BackgroundRole && column == Column::Probability) {
        // Low-confidence tokens stand out: the eye finds where the model hesitated.
        QColor color = QColor::fromHsvF(0.33 * probability, 0.55, 1.0);
        color.setAlphaF(0.35);
        return QBrush(color);
    }
    return {};
}

QVariant LogprobsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (static_cast<Column>(section)) {
    case Column::Token:
        return tr("Token");
    case Column::Logprob:
        return tr("Logprob");
    case Column::Probability:
        return tr("Probability");
    case Column::Alternatives:
        return tr("Top alternatives");
    case Column::Count:
        break;
    }
    return {};
}

void LogprobsModel::setLogprobs(const std::vector<api::TokenLogprob> &logprobs)
{
    beginResetModel();
    m_tokens = logprobs;
    endResetModel();
}

} // namespace assay::itemmodels
