#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace assay::eval {

// A multi grader's `calculate_output`: an arithmetic expression over named variables.
// Grammar (recursive descent):
//   expr    := term (('+' | '-') term)*
//   term    := unary (('*' | '/') unary)*
//   unary   := ('-' | '+') unary | power
//   power   := primary ('^' unary)?          right-associative; binds tighter than unary minus
//                                            on its left: -2^2 = -4, 2^-1 = 0.5, 2^3^2 = 512
//   primary := number | identifier | identifier '(' args ')' | '(' expr ')'
//   number  := digits ['.' digits] [('e'|'E') ['+'|'-'] digits]   (also ".5")
//   identifier := [A-Za-z_][A-Za-z0-9_]*   (case-sensitive: a multi grader's sub-grader names)
// Functions: min, max (>= 1 argument), abs, floor, ceil, exp, sqrt, log (natural log), each of
// the last six exactly one argument.
class Formula {
public:
    struct Error {
        std::string message; // includes "at column N" where a position applies
        int column = 0;      // 1-based
    };
    struct EvalError {
        std::string message;
    };

    // Parses `text`; identifiers must be in `variables` (or be a function name followed by '(').
    static std::variant<Formula, Error> parse(const std::string &text, const std::vector<std::string> &variables);

    // Evaluates with the given values. A missing variable, division by zero, or a result with
    // no finite real value (sqrt/log of a negative number, (-8)^0.5, overflow) is an EvalError
    // rather than an invented number; the multi grader reports it as an invalid score (0), like
    // the Graders guide's "invalid float value".
    std::variant<double, EvalError> evaluate(const std::map<std::string, double> &values) const;

    const std::string &text() const { return m_text; }

    struct Node;
    Formula() = default; // an empty formula; evaluate() reports an error

private:
    std::string m_text;
    std::shared_ptr<const Node> m_root;
};

} // namespace assay::eval
