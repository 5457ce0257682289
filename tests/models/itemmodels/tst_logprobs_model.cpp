#include <cmath>

#include <QAbstractItemModelTester>
#include <QtTest>

#include "models/itemmodels/logprobs_model.h"

using assay::api::TokenLogprob;
using assay::itemmodels::LogprobsModel;
using Column = LogprobsModel::Column;

class TestLogprobsModel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void showsEachTokenWithItsProbabilityAndAlternatives();
    void whitespaceTokensAreVisible();
};

void TestLogprobsModel::showsEachTokenWithItsProbabilityAndAlternatives()
{
    LogprobsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setLogprobs(
        {TokenLogprob{"Paris", std::log(0.9), {{"Paris", std::log(0.9)}, {"Lyon", std::log(0.05)}}},
         TokenLogprob{".", std::log(0.5), {}}});
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.columnCount(), static_cast<int>(Column::Count));
    const auto cell = [&](int row, Column column) {
        return model.index(row, static_cast<int>(column)).data().toString();
    };
    QCOMPARE(cell(0, Column::Token), QStringLiteral("Paris"));
    QCOMPARE(cell(0, Column::Probability), QStringLiteral("90.0%"));
    QCOMPARE(cell(1, Column::Probability), QStringLiteral("50.0%"));
    QCOMPARE(cell(0, Column::Logprob), QString::number(std::log(0.9), 'f', 4));
    QVERIFY(cell(0, Column::Alternatives).contains(QStringLiteral("Lyon 5.0%")));
    QVERIFY(model.index(0, static_cast<int>(Column::Alternatives))
                .data(Qt::ToolTipRole)
                .toString()
                .contains(QStringLiteral("Lyon")));

    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

void TestLogprobsModel::whitespaceTokensAreVisible()
{
    QCOMPARE(LogprobsModel::visibleToken(" the"), QStringLiteral("\u00B7the"));
    QCOMPARE(LogprobsModel::visibleToken("\n"), QStringLiteral("\u21B5"));
}

QTEST_GUILESS_MAIN(TestLogprobsModel)
#include "tst_logprobs_model.moc"
