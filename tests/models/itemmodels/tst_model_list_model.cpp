#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

#include "models/itemmodels/model_list_model.h"

using assay::itemmodels::ModelListModel;

namespace {

// The shape GET /models returns (ListModelsResponse with Model objects).
nlohmann::json listResponse()
{
    return nlohmann::json::parse(R"({
      "object": "list",
      "data": [
        {"id": "gpt-4.1-mini", "object": "model", "created": 1744316542, "owned_by": "system"},
        {"id": "babbage-002", "object": "model", "created": 1692634615, "owned_by": "system",
         "shutdown_date": "2026-10-23"},
        {"id": "o3", "object": "model", "created": 1744225308, "owned_by": "system", "shutdown_date": null},
        {"id": "ft:gpt-4.1-mini:acme::abc", "object": "model", "created": 1750000000, "owned_by": "acme"}
      ]
    })");
}

QStringList ids(const ModelListModel &model)
{
    QStringList result;
    for (int row = 0; row < model.rowCount(); ++row)
        result << model.index(row).data().toString();
    return result;
}

} // namespace

class TestModelListModel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void listsModelsSortedById()
    {
        ModelListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setModels(listResponse());
        QCOMPARE(ids(model), (QStringList{QStringLiteral("babbage-002"), QStringLiteral("ft:gpt-4.1-mini:acme::abc"),
                                          QStringLiteral("gpt-4.1-mini"), QStringLiteral("o3")}));
        QCOMPARE(model.index(0).data(ModelListModel::IdRole).toString(), QStringLiteral("babbage-002"));
        QCOMPARE(model.index(1).data(ModelListModel::OwnerRole).toString(), QStringLiteral("acme"));
    }

    void acceptsTheBareDataArray()
    {
        ModelListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setModels(listResponse()["data"]);
        QCOMPARE(model.rowCount(), 4);
    }

    void exposesTheShutdownDate()
    {
        ModelListModel model;
        model.setModels(listResponse());
        const QModelIndex retiring = model.index(model.rowOf(QStringLiteral("babbage-002")));
        QCOMPARE(retiring.data(ModelListModel::ShutdownDateRole).toDate(), QDate(2026, 10, 23));
        QCOMPARE(model.shutdownDate(QStringLiteral("babbage-002")), QDate(2026, 10, 23));
        QVERIFY(retiring.data(Qt::ToolTipRole).toString().contains(QStringLiteral("2026-10-23")));

        // null and absent both mean "none announced".
        QVERIFY(!model.index(model.rowOf(QStringLiteral("o3"))).data(ModelListModel::ShutdownDateRole).toDate().isValid());
        QVERIFY(!model.shutdownDate(QStringLiteral("gpt-4.1-mini")).isValid());
        QVERIFY(!model.shutdownDate(QStringLiteral("not-listed")).isValid());
        QVERIFY(!model.index(model.rowOf(QStringLiteral("o3"))).data(Qt::ToolTipRole).toString().contains(
            QStringLiteral("etire")));
    }

    void tooltipNamesOwnerAndCreationDate()
    {
        ModelListModel model;
        model.setModels(listResponse());
        const QString tip = model.index(model.rowOf(QStringLiteral("ft:gpt-4.1-mini:acme::abc"))).data(Qt::ToolTipRole).toString();
        QVERIFY2(tip.contains(QStringLiteral("acme")), qPrintable(tip));
        QVERIFY2(tip.contains(QStringLiteral("2025-06-15")), qPrintable(tip)); // 1750000000 in UTC
        QCOMPARE(model.index(0).data(ModelListModel::CreatedRole).toDateTime().toSecsSinceEpoch(), 1692634615);
    }

    void retirementTextSaysWhetherItHasHappened()
    {
        const QDate shutdown(2026, 10, 23);
        QCOMPARE(ModelListModel::retirementText(shutdown, QDate(2026, 1, 1)), QStringLiteral("Retires on 2026-10-23"));
        QCOMPARE(ModelListModel::retirementText(shutdown, QDate(2026, 11, 1)), QStringLiteral("Retired on 2026-10-23"));
    }

    void skipsEntriesWithoutAnIdAndDuplicates()
    {
        ModelListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setModels(nlohmann::json::parse(R"([
            {"id": "b", "owned_by": "x"}, {"object": "model"}, {"id": 7}, "junk", {"id": "a"},
            {"id": "b", "owned_by": "y"}, {"id": "c", "created": "yesterday", "shutdown_date": "soon"}])"));
        QCOMPARE(ids(model), (QStringList{QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")}));
        QCOMPARE(model.index(1).data(ModelListModel::OwnerRole).toString(), QStringLiteral("x"));
        QVERIFY(!model.index(2).data(ModelListModel::CreatedRole).toDateTime().isValid());
        QVERIFY(!model.index(2).data(ModelListModel::ShutdownDateRole).toDate().isValid());
    }

    void refreshReplacesTheList()
    {
        ModelListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setModels(listResponse());
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        model.setModels(nlohmann::json::parse(R"({"object": "list", "data": [{"id": "llama3.2"}]})"));
        QCOMPARE(reset.count(), 1);
        QCOMPARE(ids(model), QStringList{QStringLiteral("llama3.2")});
        QCOMPARE(model.rowOf(QStringLiteral("o3")), -1);

        // An error body or garbage leaves an empty list rather than stale entries.
        model.setModels(nlohmann::json::parse(R"({"error": {"message": "nope"}})"));
        QCOMPARE(model.rowCount(), 0);
    }
};

QTEST_GUILESS_MAIN(TestModelListModel)
#include "tst_model_list_model.moc"
