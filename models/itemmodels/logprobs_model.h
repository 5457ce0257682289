#pragma once

#include <vector>

#include <QAbstractTableModel>

#include "models/api/response_result.h"

namespace assay::itemmodels {

// The log probabilities of a response's tokens: one row per token with its probability and the
// alternatives the model considered (top_logprobs).
class LogprobsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum class Column { Token, Logprob, Probability, Alternatives, Count };

    explicit LogprobsModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void setLogprobs(const std::vector<api::TokenLogprob> &logprobs);
    void clear() { setLogprobs({}); }

    // A token as a user can read it: whitespace and control characters made visible.
    static QString visibleToken(const std::string &token);

private:
    std::vector<api::TokenLogprob> m_tokens;
};

} // namespace assay::itemmodels
