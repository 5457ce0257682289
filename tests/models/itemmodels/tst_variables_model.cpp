#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

#include "models/itemmodels/variables_model.h"

using assay::itemmodels::VariablesModel;

namespace {

QStringList column(const VariablesModel &model, VariablesModel::Column which)
{
    QStringList result;
    for (int row = 0; row < model.rowCount(); ++row)
        result << model.index(row, static_cast<int>(which)).data().toString();
    return result;
}

QModelIndex valueIndex(const VariablesModel &model, const QString &name)
{
    return model.index(static_cast<int>(model.variableNames().indexOf(name)), static_cast<int>(VariablesModel::Column::Value));
}

const QString City = QStringLiteral("city");
const QString Country = QStringLiteral("country");
const QString Tone = QStringLiteral("tone");

} // namespace

class TestVariablesModel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void rowsFollowTheNamesInOrder()
    {
        VariablesModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setVariableNames({City, Country});
        QCOMPARE(column(model, VariablesModel::Column::Name), (QStringList{City, Country}));

        model.setVariableNames({Tone, Country, City});
        QCOMPARE(column(model, VariablesModel::Column::Name), (QStringList{Tone, Country, City}));

        model.setVariableNames({Country});
        QCOMPARE(column(model, VariablesModel::Column::Name), QStringList{Country});

        model.setVariableNames({});
        QCOMPARE(model.rowCount(), 0);
    }

    void typingANameInsertsOneRowWithoutAReset()
    {
        VariablesModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setVariableNames({City});
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        model.setVariableNames({City, Country});
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(reset.count(), 0);
        QCOMPARE(inserted.first().at(1).toInt(), 1);
    }

    void valuesAreEditableNamesAreNot()
    {
        VariablesModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setVariableNames({City});
        const QModelIndex name = model.index(0, static_cast<int>(VariablesModel::Column::Name));
        const QModelIndex value = model.index(0, static_cast<int>(VariablesModel::Column::Value));
        QVERIFY(!(model.flags(name) & Qt::ItemIsEditable));
        QVERIFY(model.flags(value) & Qt::ItemIsEditable);
        QVERIFY(!model.setData(name, QStringLiteral("town")));
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QVERIFY(model.setData(value, QStringLiteral("Paris")));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(value.data().toString(), QStringLiteral("Paris"));
        QCOMPARE(model.value(City), QStringLiteral("Paris"));
    }

    void valueSurvivesTheVariableDisappearing()
    {
        VariablesModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setVariableNames({City, Country});
        model.setData(valueIndex(model, City), QStringLiteral("Paris"));
        model.setVariableNames({Country});
        QVERIFY(!model.variables().contains("city"));
        model.setVariableNames({Country, City});
        QCOMPARE(valueIndex(model, City).data().toString(), QStringLiteral("Paris"));
    }

    void valueSetBeforeTheNameIsUsedShowsUpLater()
    {
        VariablesModel model;
        model.setValue(Tone, QStringLiteral("formal"));
        QCOMPARE(model.rowCount(), 0);
        model.setVariableNames({Tone});
        QCOMPARE(valueIndex(model, Tone).data().toString(), QStringLiteral("formal"));
    }

    void variablesIsTheTemplateContext()
    {
        VariablesModel model;
        model.setVariableNames({City, QStringLiteral("item.name"), QStringLiteral("rows[1]"), QStringLiteral("empty")});
        model.setValue(City, QStringLiteral("Zürich"));
        model.setValue(QStringLiteral("item.name"), QStringLiteral("Ada"));
        model.setValue(QStringLiteral("rows[1]"), QStringLiteral("second"));
        const nlohmann::json context = model.variables();
        QCOMPARE(context.at("city").get<std::string>(), std::string("Zürich"));
        QCOMPARE(context.at("item").at("name").get<std::string>(), std::string("Ada"));
        QCOMPARE(context.at("rows").at(1).get<std::string>(), std::string("second"));
        QCOMPARE(context.at("empty").get<std::string>(), std::string());
    }

    void collidingPathsKeepTheFirst()
    {
        VariablesModel model;
        model.setVariableNames({QStringLiteral("item"), QStringLiteral("item.name")});
        model.setValue(QStringLiteral("item"), QStringLiteral("whole"));
        model.setValue(QStringLiteral("item.name"), QStringLiteral("part"));
        QCOMPARE(model.variables().at("item").get<std::string>(), std::string("whole"));
    }
};

QTEST_GUILESS_MAIN(TestVariablesModel)
#include "tst_variables_model.moc"
