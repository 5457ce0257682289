#include "ui/editor/json_editor.h"

#include <QFontDatabase>
#include <QRegularExpression>

namespace assay::ui {

QString JsonErrorLocation::describe() const
{
    return QObject::tr("line %1, column %2: %3").arg(line).arg(column).arg(message);
}

bool parseJson(const QString &text, nlohmann::json &result, JsonErrorLocation &location)
{
    const QByteArray bytes = text.toUtf8();
    try {
        result = nlohmann::json::parse(bytes.begin(), bytes.end());
        return true;
    } catch (const nlohmann::json::parse_error &error) {
        // error.byte counts bytes read, the failing one included (end of input counts as one).
        const qsizetype at = std::clamp<qsizetype>(static_cast<qsizetype>(error.byte) - 1, 0, bytes.size());
        const QByteArrayView before(bytes.constData(), at);
        const qsizetype lineStart = before.lastIndexOf('\n') + 1;
        location.line = static_cast<int>(before.count('\n')) + 1;
        location.column =
            static_cast<int>(QString::fromUtf8(before.sliced(lineStart)).toUcs4().size()) + 1;

        static const QRegularExpression prefix(
            QStringLiteral(R"(^\[json\.exception\.[^\]]*\]\s*parse error(?: at line \d+, column \d+)?:\s*)"));
        location.message = QString::fromUtf8(error.what()).remove(prefix);
        return false;
    }
}

JsonEditor::JsonEditor(QWidget *parent) : GrowingEditor(parent)
{
    m_lexer = new QsciLexerJSON(this);
    m_lexer->setHighlightComments(false);
    setLexer(m_lexer);
    setWrapMode(WrapWord);
    setWrapIndentMode(WrapIndentIndented);
    setIndentationsUseTabs(false);
    setIndentationWidth(2);
    setTabWidth(2);
    setAutoIndent(true);
    setBraceMatching(SloppyBraceMatch);
    indicatorDefine(SquiggleIndicator, ErrorIndicator);
    setIndicatorForegroundColor(QColor(0xd0, 0x2c, 0x2c), ErrorIndicator);
    setLineRange(4, 16);
    applyPalette();
}

void JsonEditor::applyPalette()
{
    GrowingEditor::applyPalette();
    if (!m_lexer)
        return;
    QFont fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    fixed.setPointSizeF(std::max(fixed.pointSizeF(), font().pointSizeF() - 1));
    const QPalette pal = palette();
    m_lexer->setDefaultFont(fixed);
    m_lexer->setFont(fixed, -1);
    m_lexer->setDefaultPaper(pal.color(QPalette::Base));
    m_lexer->setPaper(pal.color(QPalette::Base), -1);
    m_lexer->setDefaultColor(pal.color(QPalette::Text));
    m_lexer->setColor(pal.color(QPalette::Text), QsciLexerJSON::Default);
    m_lexer->setColor(pal.color(QPalette::Text), QsciLexerJSON::Operator);
    // The lexer flags an unterminated string with a loud background; the squiggle says it already.
    m_lexer->setPaper(pal.color(QPalette::Base), QsciLexerJSON::UnclosedString);
    setMatchedBraceBackgroundColor(pal.color(QPalette::AlternateBase));
    setMatchedBraceForegroundColor(pal.color(QPalette::Link));
    setUnmatchedBraceBackgroundColor(pal.color(QPalette::Base));
    setUnmatchedBraceForegroundColor(QColor(0xd0, 0x2c, 0x2c));
    recolor();
}

QFont JsonEditor::placeholderFont() const
{
    return m_lexer ? m_lexer->font(QsciLexerJSON::Default) : GrowingEditor::placeholderFont();
}

void JsonEditor::markError(int line, int column)
{
    clearErrorMark();
    const long documentBytes = static_cast<long>(SendScintilla(SCI_GETLENGTH));
    if (documentBytes == 0 || line < 1)
        return;
    long position = positionFromLineIndex(line - 1, std::max(0, column - 1));
    long lineEnd = static_cast<long>(SendScintilla(SCI_GETLINEENDPOSITION, static_cast<unsigned long>(line - 1)));
    if (position >= lineEnd) {
        // Points past the end of the line (a missing value before a newline): mark the last character.
        position = std::max(0L, static_cast<long>(SendScintilla(SCI_POSITIONBEFORE, static_cast<unsigned long>(position))));
        lineEnd = std::max(lineEnd, static_cast<long>(SendScintilla(SCI_POSITIONAFTER, static_cast<unsigned long>(position))));
    }
    SendScintilla(SCI_SETINDICATORCURRENT, static_cast<unsigned long>(ErrorIndicator));
    SendScintilla(SCI_INDICATORFILLRANGE, static_cast<unsigned long>(position), std::max(1L, lineEnd - position));
}

void JsonEditor::clearErrorMark()
{
    SendScintilla(SCI_SETINDICATORCURRENT, static_cast<unsigned long>(ErrorIndicator));
    SendScintilla(SCI_INDICATORCLEARRANGE, 0UL, static_cast<long>(SendScintilla(SCI_GETLENGTH)));
}

} // namespace assay::ui
