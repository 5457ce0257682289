#include "models/eval/formula.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>

namespace assay::eval {

struct Formula::Node {
    enum class Kind { Number, Variable, Negate, Add, Subtract, Multiply, Divide, Power, Call };
    Kind kind = Kind::Number;
    double number = 0.0;
    std::string name; // variable or function
    int column = 0;   // of the operator / name / number, for evaluation errors
    std::vector<std::shared_ptr<const Node>> children;
};

namespace {

using Node = Formula::Node;
using NodePtr = std::shared_ptr<const Node>;

constexpr int kMaxDepth = 200;

struct FunctionInfo {
    const char *name;
    int minArgs;
    int maxArgs; // -1: unbounded
};

constexpr FunctionInfo kFunctions[] = {
    {"min", 1, -1},  {"max", 1, -1},  {"abs", 1, 1},  {"floor", 1, 1},
    {"ceil", 1, 1},  {"exp", 1, 1},   {"sqrt", 1, 1}, {"log", 1, 1},
};

const FunctionInfo *findFunction(const std::string &name)
{
    for (const auto &function : kFunctions) {
        if (name == function.name)
            return &function;
    }
    return nullptr;
}

std::string formatNumber(double value)
{
    std::ostringstream out;
    out.precision(12);
    out << value;
    return out.str();
}

struct ParseFailure {
    Formula::Error error;
};

class Parser {
public:
    Parser(const std::string &text, const std::vector<std::string> &variables)
        : m_text(text), m_variables(variables)
    {
    }

    NodePtr parseAll()
    {
        skipSpaces();
        if (m_pos >= m_text.size())
            fail("formula is empty", m_pos);
        NodePtr root = parseExpression();
        skipSpaces();
        if (m_pos < m_text.size()) {
            if (m_text[m_pos] == ')')
                fail("unexpected ')' at column " + std::to_string(column(m_pos)) + " (no matching '(')", m_pos);
            fail("unexpected " + describeHere() + " at column " + std::to_string(column(m_pos)) +
                     "; expected an operator or the end of the formula",
                 m_pos);
        }
        return root;
    }

private:
    // Columns count characters, not bytes, so a non-ASCII name before an error does not shift it.
    int column(std::size_t bytePos) const
    {
        int col = 1;
        for (std::size_t i = 0; i < bytePos && i < m_text.size(); ++i) {
            if ((static_cast<unsigned char>(m_text[i]) & 0xC0) != 0x80)
                ++col;
        }
        if (bytePos > m_text.size())
            col += static_cast<int>(bytePos - m_text.size());
        return col;
    }

    [[noreturn]] void fail(const std::string &message, std::size_t bytePos) const
    {
        throw ParseFailure{Formula::Error{message, column(bytePos)}};
    }

    void skipSpaces()
    {
        while (m_pos < m_text.size() && std::isspace(static_cast<unsigned char>(m_text[m_pos])))
            ++m_pos;
    }

    std::string describeHere() const
    {
        if (m_pos >= m_text.size())
            return "end of formula";
        const unsigned char c = static_cast<unsigned char>(m_text[m_pos]);
        if (c < 0x80)
            return std::string("'") + static_cast<char>(c) + "'";
        std::size_t end = m_pos + 1;
        while (end < m_text.size() && (static_cast<unsigned char>(m_text[end]) & 0xC0) == 0x80)
            ++end;
        return "'" + m_text.substr(m_pos, end - m_pos) + "'";
    }

    void enter(std::size_t pos)
    {
        if (++m_depth > kMaxDepth)
            fail("formula is nested too deeply at column " + std::to_string(column(pos)), pos);
    }

    static NodePtr makeBinary(Node::Kind kind, int col, NodePtr left, NodePtr right)
    {
        auto node = std::make_shared<Node>();
        node->kind = kind;
        node->column = col;
        node->children = {std::move(left), std::move(right)};
        return node;
    }

    NodePtr parseExpression()
    {
        enter(m_pos);
        NodePtr left = parseTerm();
        for (;;) {
            skipSpaces();
            if (m_pos >= m_text.size() || (m_text[m_pos] != '+' && m_text[m_pos] != '-'))
                break;
            const Node::Kind kind = m_text[m_pos] == '+' ? Node::Kind::Add : Node::Kind::Subtract;
            const int col = column(m_pos);
            ++m_pos;
            left = makeBinary(kind, col, left, parseTerm());
        }
        --m_depth;
        return left;
    }

    NodePtr parseTerm()
    {
        NodePtr left = parseUnary();
        for (;;) {
            skipSpaces();
            if (m_pos >= m_text.size() || (m_text[m_pos] != '*' && m_text[m_pos] != '/'))
                break;
            const Node::Kind kind = m_text[m_pos] == '*' ? Node::Kind::Multiply : Node::Kind::Divide;
            const int col = column(m_pos);
            ++m_pos;
            left = makeBinary(kind, col, left, parseUnary());
        }
        return left;
    }

    NodePtr parseUnary()
    {
        skipSpaces();
        if (m_pos < m_text.size() && (m_text[m_pos] == '-' || m_text[m_pos] == '+')) {
            const bool negate = m_text[m_pos] == '-';
            const std::size_t opPos = m_pos;
            ++m_pos;
            enter(opPos);
            NodePtr operand = parseUnary();
            --m_depth;
            if (!negate)
                return operand;
            auto node = std::make_shared<Node>();
            node->kind = Node::Kind::Negate;
            node->column = column(opPos);
            node->children = {std::move(operand)};
            return node;
        }
        return parsePower();
    }

    NodePtr parsePower()
    {
        NodePtr base = parsePrimary();
        skipSpaces();
        if (m_pos < m_text.size() && m_text[m_pos] == '^') {
            const int col = column(m_pos);
            ++m_pos;
            // The exponent is a unary so 2^-1 works; recursion through parseUnary -> parsePower
            // makes ^ right-associative.
            enter(m_pos);
            NodePtr exponent = parseUnary();
            --m_depth;
            return makeBinary(Node::Kind::Power, col, base, exponent);
        }
        return base;
    }

    NodePtr parsePrimary()
    {
        skipSpaces();
        if (m_pos >= m_text.size())
            fail("unexpected end of formula at column " + std::to_string(column(m_pos)) +
                     "; expected a number, a variable, a function or '('",
                 m_pos);
        const char c = m_text[m_pos];
        if (c == '(') {
            const std::size_t open = m_pos;
            ++m_pos;
            skipSpaces();
            if (m_pos < m_text.size() && m_text[m_pos] == ')')
                fail("empty parentheses at column " + std::to_string(column(open)), open);
            NodePtr inner = parseExpression();
            expectClose(open);
            return inner;
        }
        if (std::isdigit(static_cast<unsigned char>(c)) || c == '.')
            return parseNumber();
        if (std::isalpha(static_cast<unsigned char>(c)) || c == '_')
            return parseIdentifier();
        fail("unexpected " + describeHere() + " at column " + std::to_string(column(m_pos)) +
                 "; expected a number, a variable, a function or '('",
             m_pos);
    }

    void expectClose(std::size_t open)
    {
        skipSpaces();
        if (m_pos < m_text.size() && m_text[m_pos] == ')') {
            ++m_pos;
            return;
        }
        fail("expected ')' at column " + std::to_string(column(m_pos)) + " to close '(' at column " +
                 std::to_string(column(open)) +
                 (m_pos < m_text.size() ? ", found " + describeHere() : std::string()),
             m_pos);
    }

    NodePtr parseNumber()
    {
        const std::size_t start = m_pos;
        auto digits = [this] {
            std::size_t count = 0;
            while (m_pos < m_text.size() && std::isdigit(static_cast<unsigned char>(m_text[m_pos]))) {
                ++m_pos;
                ++count;
            }
            return count;
        };
        std::size_t mantissa = digits();
        if (m_pos < m_text.size() && m_text[m_pos] == '.') {
            ++m_pos;
            mantissa += digits();
        }
        bool malformed = mantissa == 0;
        if (!malformed && m_pos < m_text.size() && (m_text[m_pos] == 'e' || m_text[m_pos] == 'E')) {
            ++m_pos;
            if (m_pos < m_text.size() && (m_text[m_pos] == '+' || m_text[m_pos] == '-'))
                ++m_pos;
            malformed = digits() == 0;
        }
        // "1.2.3" or "2x": glue that would otherwise parse as two operands with no operator.
        while (m_pos < m_text.size() &&
               (std::isalnum(static_cast<unsigned char>(m_text[m_pos])) || m_text[m_pos] == '.' || m_text[m_pos] == '_')) {
            ++m_pos;
            malformed = true;
        }
        const std::string token = m_text.substr(start, m_pos - start);
        if (malformed)
            fail("malformed number '" + token + "' at column " + std::to_string(column(start)), start);
        auto node = std::make_shared<Node>();
        node->kind = Node::Kind::Number;
        node->column = column(start);
        node->number = std::strtod(token.c_str(), nullptr);
        if (!std::isfinite(node->number))
            fail("number '" + token + "' at column " + std::to_string(column(start)) + " is too large", start);
        return node;
    }

    NodePtr parseIdentifier()
    {
        const std::size_t start = m_pos;
        while (m_pos < m_text.size() &&
               (std::isalnum(static_cast<unsigned char>(m_text[m_pos])) || m_text[m_pos] == '_'))
            ++m_pos;
        const std::string name = m_text.substr(start, m_pos - start);
        const int col = column(start);
        const std::size_t afterName = m_pos;
        skipSpaces();
        const bool isCall = m_pos < m_text.size() && m_text[m_pos] == '(';
        const FunctionInfo *function = findFunction(name);
        if (isCall) {
            if (!function)
                fail("unknown function '" + name + "' at column " + std::to_string(col) +
                         "; known: min, max, abs, floor, ceil, exp, sqrt, log",
                     start);
            return parseCall(*function, start);
        }
        m_pos = afterName;
        if (std::find(m_variables.begin(), m_variables.end(), name) != m_variables.end()) {
            auto node = std::make_shared<Node>();
            node->kind = Node::Kind::Variable;
            node->name = name;
            node->column = col;
            return node;
        }
        if (function)
            fail("expected '(' after function '" + name + "' at column " + std::to_string(column(afterName)), afterName);
        fail("unknown variable '" + name + "' at column " + std::to_string(col), start);
    }

    NodePtr parseCall(const FunctionInfo &function, std::size_t start)
    {
        const std::size_t open = m_pos;
        ++m_pos; // '('
        enter(open);
        auto node = std::make_shared<Node>();
        node->kind = Node::Kind::Call;
        node->name = function.name;
        node->column = column(start);
        skipSpaces();
        if (m_pos < m_text.size() && m_text[m_pos] == ')') {
            ++m_pos;
        } else {
            for (;;) {
                node->children.push_back(parseExpression());
                skipSpaces();
                if (m_pos < m_text.size() && m_text[m_pos] == ',') {
                    ++m_pos;
                    continue;
                }
                if (m_pos < m_text.size() && m_text[m_pos] == ')') {
                    ++m_pos;
                    break;
                }
                fail("expected ',' or ')' at column " + std::to_string(column(m_pos)) + " in the arguments of " +
                         function.name + " (opened at column " + std::to_string(column(open)) + ")" +
                         (m_pos < m_text.size() ? ", found " + describeHere() : std::string()),
                     m_pos);
            }
        }
        --m_depth;
        const int count = static_cast<int>(node->children.size());
        const std::string where = " at column " + std::to_string(column(start));
        if (function.maxArgs < 0 && count < function.minArgs)
            fail(std::string(function.name) + " takes at least " + std::to_string(function.minArgs) +
                     " argument" + (function.minArgs == 1 ? "" : "s") + where,
                 start);
        if (function.maxArgs >= 0 && (count < function.minArgs || count > function.maxArgs))
            fail(std::string(function.name) + " takes exactly " + std::to_string(function.minArgs) + " argument" +
                     (function.minArgs == 1 ? "" : "s") + ", got " + std::to_string(count) + where,
                 start);
        return node;
    }

    const std::string &m_text;
    const std::vector<std::string> &m_variables;
    std::size_t m_pos = 0;
    int m_depth = 0;
};

struct EvalFailure {
    std::string message;
};

double checked(double value, const Node &node, const char *what)
{
    if (!std::isfinite(value))
        throw EvalFailure{std::string(what) + " at column " + std::to_string(node.column) +
                          " gives a non-finite result"};
    return value;
}

double evaluateNode(const Node &node, const std::map<std::string, double> &values)
{
    switch (node.kind) {
    case Node::Kind::Number:
        return node.number;
    case Node::Kind::Variable: {
        const auto it = values.find(node.name);
        if (it == values.end())
            throw EvalFailure{"no value for '" + node.name + "'"};
        if (!std::isfinite(it->second))
            throw EvalFailure{"'" + node.name + "' is not a finite number"};
        return it->second;
    }
    case Node::Kind::Negate:
        return -evaluateNode(*node.children[0], values);
    case Node::Kind::Add:
        return checked(evaluateNode(*node.children[0], values) + evaluateNode(*node.children[1], values), node, "'+'");
    case Node::Kind::Subtract:
        return checked(evaluateNode(*node.children[0], values) - evaluateNode(*node.children[1], values), node, "'-'");
    case Node::Kind::Multiply:
        return checked(evaluateNode(*node.children[0], values) * evaluateNode(*node.children[1], values), node, "'*'");
    case Node::Kind::Divide: {
        const double left = evaluateNode(*node.children[0], values);
        const double right = evaluateNode(*node.children[1], values);
        if (right == 0.0)
            throw EvalFailure{"division by zero at column " + std::to_string(node.column)};
        return checked(left / right, node, "'/'");
    }
    case Node::Kind::Power: {
        const double base = evaluateNode(*node.children[0], values);
        const double exponent = evaluateNode(*node.children[1], values);
        const double result = std::pow(base, exponent);
        if (std::isnan(result))
            throw EvalFailure{"'^' at column " + std::to_string(node.column) + ": " + formatNumber(base) + "^" +
                              formatNumber(exponent) + " has no real value"};
        if (base == 0.0 && exponent < 0.0)
            throw EvalFailure{"'^' at column " + std::to_string(node.column) + ": 0 to a negative power (division by zero)"};
        return checked(result, node, "'^'");
    }
    case Node::Kind::Call: {
        std::vector<double> args;
        args.reserve(node.children.size());
        for (const auto &child : node.children)
            args.push_back(evaluateNode(*child, values));
        const std::string where = " at column " + std::to_string(node.column);
        if (node.name == "min")
            return *std::min_element(args.begin(), args.end());
        if (node.name == "max")
            return *std::max_element(args.begin(), args.end());
        const double x = args.front();
        if (node.name == "abs")
            return std::fabs(x);
        if (node.name == "floor")
            return std::floor(x);
        if (node.name == "ceil")
            return std::ceil(x);
        if (node.name == "exp")
            return checked(std::exp(x), node, "exp");
        if (node.name == "sqrt") {
            if (x < 0.0)
                throw EvalFailure{"sqrt of a negative number (" + formatNumber(x) + ")" + where};
            return std::sqrt(x);
        }
        if (node.name == "log") {
            if (x <= 0.0)
                throw EvalFailure{"log of a number that is not positive (" + formatNumber(x) + ")" + where};
            return std::log(x);
        }
        throw EvalFailure{"unknown function '" + node.name + "'" + where};
    }
    }
    throw EvalFailure{"corrupt formula"};
}

} // namespace

std::variant<Formula, Formula::Error> Formula::parse(const std::string &text, const std::vector<std::string> &variables)
{
    try {
        Parser parser(text, variables);
        Formula formula;
        formula.m_root = parser.parseAll();
        formula.m_text = text;
        return formula;
    } catch (const ParseFailure &failure) {
        return failure.error;
    }
}

std::variant<double, Formula::EvalError> Formula::evaluate(const std::map<std::string, double> &values) const
{
    if (!m_root)
        return EvalError{"formula is empty"};
    try {
        return evaluateNode(*m_root, values);
    } catch (const EvalFailure &failure) {
        return EvalError{failure.message};
    }
}

} // namespace assay::eval
