#include <QtTest>

#include <cmath>

#include "models/eval/formula.h"

using namespace assay::eval;

namespace {

const std::vector<std::string> kVariables{"name", "email", "x", "y", "score_2", "_z"};
const std::map<std::string, double> kValues{{"name", 0.8}, {"email", 1.0}, {"x", 2.0}, {"y", -3.0}, {"score_2", 0.25}, {"_z", 0.0}};

} // namespace

class TestFormula : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void evaluates_data();
    void evaluates();
    void guideExamplesWork();
    void parseErrorsPointAtTheColumn_data();
    void parseErrorsPointAtTheColumn();
    void evaluationErrors_data();
    void evaluationErrors();
    void missingValueIsAnError();
    void variableNamedLikeAFunctionIsAVariableWithoutParentheses();
    void deepNestingIsAnErrorNotACrash();
    void nonAsciiCharacterIsNamedWhole();
    void defaultFormulaDoesNotEvaluate();

private:
    static double evaluate(const std::string &text, const std::map<std::string, double> &values = kValues);
};

double TestFormula::evaluate(const std::string &text, const std::map<std::string, double> &values)
{
    auto parsed = Formula::parse(text, kVariables);
    if (const auto *error = std::get_if<Formula::Error>(&parsed)) {
        qWarning("parse of '%s' failed: %s", text.c_str(), error->message.c_str());
        return std::nan("");
    }
    const auto value = std::get<Formula>(parsed).evaluate(values);
    if (const auto *error = std::get_if<Formula::EvalError>(&value)) {
        qWarning("evaluation of '%s' failed: %s", text.c_str(), error->message.c_str());
        return std::nan("");
    }
    return std::get<double>(value);
}

void TestFormula::evaluates_data()
{
    QTest::addColumn<QString>("formula");
    QTest::addColumn<double>("expected");
    QTest::newRow("number") << QStringLiteral("42") << 42.0;
    QTest::newRow("decimal") << QStringLiteral("0.125") << 0.125;
    QTest::newRow("leading dot") << QStringLiteral(".5") << 0.5;
    QTest::newRow("trailing dot") << QStringLiteral("5.") << 5.0;
    QTest::newRow("exponent") << QStringLiteral("1.5e2") << 150.0;
    QTest::newRow("negative exponent") << QStringLiteral("25E-2") << 0.25;
    QTest::newRow("explicit plus exponent") << QStringLiteral("2e+1") << 20.0;
    QTest::newRow("variable") << QStringLiteral("name") << 0.8;
    QTest::newRow("underscore names") << QStringLiteral("score_2 + _z") << 0.25;
    QTest::newRow("precedence") << QStringLiteral("1 + 2 * 3") << 7.0;
    QTest::newRow("left assoc minus") << QStringLiteral("10 - 4 - 3") << 3.0;
    QTest::newRow("left assoc divide") << QStringLiteral("8 / 4 / 2") << 1.0;
    QTest::newRow("parentheses") << QStringLiteral("(1 + 2) * 3") << 9.0;
    QTest::newRow("power right assoc") << QStringLiteral("2^3^2") << 512.0;
    QTest::newRow("power above multiply") << QStringLiteral("3 * 2^2") << 12.0;
    QTest::newRow("unary minus below power") << QStringLiteral("-2^2") << -4.0;
    QTest::newRow("parenthesised negative base") << QStringLiteral("(-2)^2") << 4.0;
    QTest::newRow("negative exponent power") << QStringLiteral("2^-1") << 0.5;
    QTest::newRow("fractional power") << QStringLiteral("4^0.5") << 2.0;
    QTest::newRow("double negation") << QStringLiteral("--3") << 3.0;
    QTest::newRow("unary plus") << QStringLiteral("+x") << 2.0;
    QTest::newRow("minus negative variable") << QStringLiteral("x - -y") << -1.0;
    QTest::newRow("unary after operator") << QStringLiteral("x * -y") << 6.0;
    QTest::newRow("no spaces") << QStringLiteral("(name+email)/2") << 0.9;
    QTest::newRow("tabs and newlines") << QStringLiteral("\tname\n*\n2 ") << 1.6;
    QTest::newRow("min") << QStringLiteral("min(name, email, x)") << 0.8;
    QTest::newRow("min single") << QStringLiteral("min(y)") << -3.0;
    QTest::newRow("max") << QStringLiteral("max(name, email, x, y)") << 2.0;
    QTest::newRow("abs") << QStringLiteral("abs(y)") << 3.0;
    QTest::newRow("floor") << QStringLiteral("floor(2.7)") << 2.0;
    QTest::newRow("floor negative") << QStringLiteral("floor(-2.5)") << -3.0;
    QTest::newRow("ceil") << QStringLiteral("ceil(2.1)") << 3.0;
    QTest::newRow("exp") << QStringLiteral("exp(0)") << 1.0;
    QTest::newRow("sqrt") << QStringLiteral("sqrt(16)") << 4.0;
    QTest::newRow("log is natural") << QStringLiteral("log(exp(2))") << 2.0;
    QTest::newRow("nested calls") << QStringLiteral("max(min(x, 1), abs(y) / 6)") << 1.0;
    QTest::newRow("call with expression args") << QStringLiteral("min(x * 2, y + 10)") << 4.0;
    QTest::newRow("space before call paren") << QStringLiteral("abs (y)") << 3.0;
    QTest::newRow("negated call") << QStringLiteral("-abs(y)") << -3.0;
    QTest::newRow("call power") << QStringLiteral("sqrt(x)^2") << 2.0;
    QTest::newRow("zero divided") << QStringLiteral("_z / 2") << 0.0;
}

void TestFormula::evaluates()
{
    QFETCH(QString, formula);
    QFETCH(double, expected);
    const double value = evaluate(formula.toStdString());
    QVERIFY2(std::fabs(value - expected) < 1e-12,
             qPrintable(QStringLiteral("%1 gave %2").arg(formula).arg(value, 0, 'g', 17)));
}

void TestFormula::guideExamplesWork()
{
    auto parsed = Formula::parse("0.5 * function_name + 0.5 * arguments", {"function_name", "arguments"});
    QVERIFY(std::holds_alternative<Formula>(parsed));
    const Formula &formula = std::get<Formula>(parsed);
    QCOMPARE(formula.text(), std::string("0.5 * function_name + 0.5 * arguments"));
    QCOMPARE(std::get<double>(formula.evaluate({{"function_name", 1.0}, {"arguments", 0.0}})), 0.5);
    QCOMPARE(std::get<double>(formula.evaluate({{"function_name", 1.0}, {"arguments", 1.0}})), 1.0);

    auto average = Formula::parse("(name + email) / 2", {"name", "email"});
    QVERIFY(std::holds_alternative<Formula>(average));
    QCOMPARE(std::get<double>(std::get<Formula>(average).evaluate({{"name", 0.5}, {"email", 1.0}})), 0.75);
}

void TestFormula::parseErrorsPointAtTheColumn_data()
{
    QTest::addColumn<QString>("formula");
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("message");
    QTest::newRow("unknown variable") << QStringLiteral("(nme + email) / 2") << 2
                                      << QStringLiteral("unknown variable 'nme' at column 2");
    QTest::newRow("unknown variable later") << QStringLiteral("name + emial") << 8
                                            << QStringLiteral("unknown variable 'emial' at column 8");
    QTest::newRow("missing close paren") << QStringLiteral("(name + 1") << 10
                                         << QStringLiteral("expected ')' at column 10 to close '(' at column 1");
    QTest::newRow("wrong token instead of close paren")
        << QStringLiteral("(name + email 2") << 15
        << QStringLiteral("expected ')' at column 15 to close '(' at column 1, found '2'");
    QTest::newRow("unmatched close paren") << QStringLiteral("name + email)") << 13
                                           << QStringLiteral("unexpected ')' at column 13 (no matching '(')");
    QTest::newRow("openapi example's stray paren")
        << QStringLiteral("0.5 * name +  0.5 * email)") << 26 << QStringLiteral("unexpected ')' at column 26 (no matching '(')");
    QTest::newRow("two operands") << QStringLiteral("name email") << 6
                                  << QStringLiteral("unexpected 'e' at column 6; expected an operator or the end of the formula");
    QTest::newRow("dangling operator") << QStringLiteral("name +") << 7
                                       << QStringLiteral("unexpected end of formula at column 7; expected a number, a variable, a function or '('");
    QTest::newRow("double operator") << QStringLiteral("name * / 2") << 8
                                     << QStringLiteral("unexpected '/' at column 8; expected a number, a variable, a function or '('");
    QTest::newRow("empty") << QStringLiteral("") << 1 << QStringLiteral("formula is empty");
    QTest::newRow("only spaces") << QStringLiteral("   ") << 4 << QStringLiteral("formula is empty");
    QTest::newRow("bad character") << QStringLiteral("name % 2") << 6
                                   << QStringLiteral("unexpected '%' at column 6; expected an operator or the end of the formula");
    QTest::newRow("empty parentheses") << QStringLiteral("1 + ()") << 5 << QStringLiteral("empty parentheses at column 5");
    QTest::newRow("malformed number two dots") << QStringLiteral("1.2.3") << 1 << QStringLiteral("malformed number '1.2.3' at column 1");
    QTest::newRow("malformed exponent") << QStringLiteral("2 * 1e") << 5 << QStringLiteral("malformed number '1e' at column 5");
    QTest::newRow("number glued to name") << QStringLiteral("2x") << 1 << QStringLiteral("malformed number '2x' at column 1");
    QTest::newRow("lone dot") << QStringLiteral("x + .") << 5 << QStringLiteral("malformed number '.' at column 5");
    QTest::newRow("unknown function") << QStringLiteral("x + avg(name, email)") << 5
                                      << QStringLiteral("unknown function 'avg' at column 5; known: min, max, abs, floor, ceil, exp, sqrt, log");
    QTest::newRow("min without arguments") << QStringLiteral("min()") << 1 << QStringLiteral("min takes at least 1 argument at column 1");
    QTest::newRow("max without arguments") << QStringLiteral("1 + max( )") << 5 << QStringLiteral("max takes at least 1 argument at column 5");
    QTest::newRow("abs with two") << QStringLiteral("abs(x, y)") << 1
                                  << QStringLiteral("abs takes exactly 1 argument, got 2 at column 1");
    QTest::newRow("sqrt without") << QStringLiteral("2*sqrt()") << 3
                                  << QStringLiteral("sqrt takes exactly 1 argument, got 0 at column 3");
    QTest::newRow("function without call") << QStringLiteral("log + 1") << 4
                                           << QStringLiteral("expected '(' after function 'log' at column 4");
    QTest::newRow("unclosed call") << QStringLiteral("min(x, y") << 9
                                   << QStringLiteral("expected ',' or ')' at column 9 in the arguments of min (opened at column 4)");
    QTest::newRow("call missing comma") << QStringLiteral("max(x y)") << 7
                                        << QStringLiteral("expected ',' or ')' at column 7 in the arguments of max (opened at column 4), found 'y'");
    QTest::newRow("trailing comma") << QStringLiteral("max(x,)") << 7
                                    << QStringLiteral("unexpected ')' at column 7; expected a number, a variable, a function or '('");
    QTest::newRow("huge number") << QStringLiteral("1e999") << 1 << QStringLiteral("number '1e999' at column 1 is too large");
    QTest::newRow("case matters") << QStringLiteral("Name") << 1 << QStringLiteral("unknown variable 'Name' at column 1");
}

void TestFormula::parseErrorsPointAtTheColumn()
{
    QFETCH(QString, formula);
    QFETCH(int, column);
    QFETCH(QString, message);
    auto parsed = Formula::parse(formula.toStdString(), kVariables);
    QVERIFY2(std::holds_alternative<Formula::Error>(parsed), qPrintable(formula));
    const auto &error = std::get<Formula::Error>(parsed);
    QCOMPARE(QString::fromStdString(error.message), message);
    QCOMPARE(error.column, column);
}

void TestFormula::evaluationErrors_data()
{
    QTest::addColumn<QString>("formula");
    QTest::addColumn<QString>("message");
    QTest::newRow("division by zero") << QStringLiteral("name / _z") << QStringLiteral("division by zero at column 6");
    QTest::newRow("division by zero expression") << QStringLiteral("1 / (x - 2)") << QStringLiteral("division by zero at column 3");
    QTest::newRow("sqrt negative") << QStringLiteral("sqrt(y)") << QStringLiteral("sqrt of a negative number (-3) at column 1");
    QTest::newRow("log zero") << QStringLiteral("x + log(_z)") << QStringLiteral("log of a number that is not positive (0) at column 5");
    QTest::newRow("negative to fractional power") << QStringLiteral("y ^ 0.5") << QStringLiteral("'^' at column 3: -3^0.5 has no real value");
    QTest::newRow("zero to negative power") << QStringLiteral("_z ^ -1") << QStringLiteral("'^' at column 4: 0 to a negative power (division by zero)");
    QTest::newRow("exp overflow") << QStringLiteral("exp(1000)") << QStringLiteral("exp at column 1 gives a non-finite result");
    QTest::newRow("product overflow") << QStringLiteral("1e300 * 1e300") << QStringLiteral("'*' at column 7 gives a non-finite result");
}

void TestFormula::evaluationErrors()
{
    QFETCH(QString, formula);
    QFETCH(QString, message);
    auto parsed = Formula::parse(formula.toStdString(), kVariables);
    QVERIFY(std::holds_alternative<Formula>(parsed));
    const auto value = std::get<Formula>(parsed).evaluate(kValues);
    QVERIFY2(std::holds_alternative<Formula::EvalError>(value), qPrintable(formula));
    QCOMPARE(QString::fromStdString(std::get<Formula::EvalError>(value).message), message);
}

void TestFormula::missingValueIsAnError()
{
    auto parsed = Formula::parse("name + email", {"name", "email"});
    QVERIFY(std::holds_alternative<Formula>(parsed));
    const auto value = std::get<Formula>(parsed).evaluate({{"name", 1.0}});
    QVERIFY(std::holds_alternative<Formula::EvalError>(value));
    QCOMPARE(std::get<Formula::EvalError>(value).message, std::string("no value for 'email'"));

    const auto nanValue = std::get<Formula>(parsed).evaluate({{"name", 1.0}, {"email", std::nan("")}});
    QVERIFY(std::holds_alternative<Formula::EvalError>(nanValue));
}

void TestFormula::variableNamedLikeAFunctionIsAVariableWithoutParentheses()
{
    auto parsed = Formula::parse("max + max(max, 1)", {"max"});
    QVERIFY(std::holds_alternative<Formula>(parsed));
    QCOMPARE(std::get<double>(std::get<Formula>(parsed).evaluate({{"max", 3.0}})), 6.0);
}

void TestFormula::deepNestingIsAnErrorNotACrash()
{
    const std::string deep = std::string(100000, '(') + "1" + std::string(100000, ')');
    auto parsed = Formula::parse(deep, {});
    QVERIFY(std::holds_alternative<Formula::Error>(parsed));
    QVERIFY(std::get<Formula::Error>(parsed).message.find("nested too deeply") != std::string::npos);

    const std::string minuses = std::string(100000, '-') + "1";
    QVERIFY(std::holds_alternative<Formula::Error>(Formula::parse(minuses, {})));

    const std::string moderate = std::string(50, '(') + "x" + std::string(50, ')');
    auto ok = Formula::parse(moderate, {"x"});
    QVERIFY(std::holds_alternative<Formula>(ok));
    QCOMPARE(std::get<double>(std::get<Formula>(ok).evaluate({{"x", 7.0}})), 7.0);
}

void TestFormula::nonAsciiCharacterIsNamedWhole()
{
    // "é" is two bytes in UTF-8: the message shows the character, not half of it.
    auto later = Formula::parse("x + é", {"x"});
    QVERIFY(std::holds_alternative<Formula::Error>(later));
    QCOMPARE(std::get<Formula::Error>(later).column, 5);
    QCOMPARE(std::get<Formula::Error>(later).message,
             std::string("unexpected 'é' at column 5; expected a number, a variable, a function or '('"));
    auto after = Formula::parse("x é", {"x"});
    QVERIFY(std::holds_alternative<Formula::Error>(after));
    QCOMPARE(std::get<Formula::Error>(after).column, 3);
}

void TestFormula::defaultFormulaDoesNotEvaluate()
{
    const Formula formula;
    QVERIFY(std::holds_alternative<Formula::EvalError>(formula.evaluate({})));
}

QTEST_GUILESS_MAIN(TestFormula)
#include "tst_formula.moc"
