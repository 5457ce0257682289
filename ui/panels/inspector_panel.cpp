#include "ui/panels/inspector_panel.h"

#include <QApplication>
#include <QClipboard>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSplitter>
#include <QSyntaxHighlighter>
#include <QTabWidget>
#include <QVBoxLayout>
#include <nlohmann/json.hpp>

namespace assay::ui {

namespace {

// Colours JSON keys, strings, numbers and literals, and SSE field names, so a long body reads
// at a glance.
class WireHighlighter : public QSyntaxHighlighter {
public:
    explicit WireHighlighter(QTextDocument *document) : QSyntaxHighlighter(document)
    {
        m_key.setForeground(QColor(0x0b, 0x5c, 0xad));
        m_string.setForeground(QColor(0x1a, 0x7f, 0x37));
        m_number.setForeground(QColor(0x95, 0x38, 0x00));
        m_literal.setForeground(QColor(0x8a, 0x2b, 0xb0));
        m_field.setForeground(QColor(0x6e, 0x77, 0x81));
        m_field.setFontWeight(QFont::Bold);
    }

protected:
    void highlightBlock(const QString &text) override
    {
        static const QRegularExpression field(QStringLiteral("^(event|data|id|retry):|^[A-Za-z0-9-]+:(?= )"));
        static const QRegularExpression token(QStringLiteral(
            R"("(?:[^"\\]|\\.)*"(\s*:)?|-?\b\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b|\b(?:true|false|null)\b)"));
        if (const QRegularExpressionMatch m = field.match(text); m.hasMatch())
            setFormat(0, static_cast<int>(m.capturedLength()), m_field);
        for (auto it = token.globalMatch(text); it.hasNext();) {
            const QRegularExpressionMatch m = it.next();
            const QString captured = m.captured(0);
            const QTextCharFormat *format = &m_number;
            if (captured.startsWith(QLatin1Char('"')))
                format = m.capturedLength(1) > 0 ? &m_key : &m_string;
            else if (captured.front().isLetter())
                format = &m_literal;
            setFormat(static_cast<int>(m.capturedStart()), static_cast<int>(m.capturedLength()), *format);
        }
    }

private:
    QTextCharFormat m_key;
    QTextCharFormat m_string;
    QTextCharFormat m_number;
    QTextCharFormat m_literal;
    QTextCharFormat m_field;
};

QPlainTextEdit *makeTextView(QWidget *parent, const QString &objectName, const QString &placeholder)
{
    auto *view = new QPlainTextEdit(parent);
    view->setObjectName(objectName);
    view->setReadOnly(true);
    view->setLineWrapMode(QPlainTextEdit::NoWrap);
    view->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    view->setPlaceholderText(placeholder);
    new WireHighlighter(view->document());
    return view;
}

QString statusText(int status)
{
    if (status == 0)
        return QObject::tr("no response");
    static const QHash<int, QString> reasons{
        {200, QStringLiteral("OK")},
        {201, QStringLiteral("Created")},
        {400, QStringLiteral("Bad Request")},
        {401, QStringLiteral("Unauthorized")},
        {403, QStringLiteral("Forbidden")},
        {404, QStringLiteral("Not Found")},
        {408, QStringLiteral("Request Timeout")},
        {409, QStringLiteral("Conflict")},
        {422, QStringLiteral("Unprocessable Entity")},
        {429, QStringLiteral("Too Many Requests")},
        {500, QStringLiteral("Internal Server Error")},
        {502, QStringLiteral("Bad Gateway")},
        {503, QStringLiteral("Service Unavailable")},
        {504, QStringLiteral("Gateway Timeout")},
    };
    return QStringLiteral("%1 %2").arg(status).arg(reasons.value(status));
}

} // namespace

InspectorPanel::InspectorPanel(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("inspectorPanel"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->setSpacing(6);

    auto *top = new QHBoxLayout;
    m_summary = new QLabel(tr("No request yet."), this);
    m_summary->setObjectName(QStringLiteral("inspectorSummary"));
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary->setTextFormat(Qt::PlainText);
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_summary->setFont(mono);
    top->addWidget(m_summary, 1);
    m_copyCurl = new QPushButton(tr("Copy as curl"), this);
    m_copyCurl->setObjectName(QStringLiteral("copyAsCurl"));
    m_copyCurl->setToolTip(tr("Copy a curl command for this request; it reads the key from $OPENAI_API_KEY"));
    m_copyCurl->setEnabled(false);
    top->addWidget(m_copyCurl);
    layout->addLayout(top);

    m_tabs = new QTabWidget(this);
    m_tabs->setDocumentMode(true);

    auto *request = new QSplitter(Qt::Vertical, m_tabs);
    m_requestHeaders = makeTextView(request, QStringLiteral("requestHeaders"), tr("Request headers"));
    m_requestBody = makeTextView(request, QStringLiteral("requestBody"), tr("Request body"));
    request->addWidget(m_requestHeaders);
    request->addWidget(m_requestBody);
    request->setStretchFactor(0, 1);
    request->setStretchFactor(1, 3);
    m_tabs->addTab(request, tr("Request"));

    auto *response = new QSplitter(Qt::Vertical, m_tabs);
    m_responseHeaders = makeTextView(response, QStringLiteral("responseHeaders"), tr("Response headers"));
    m_responseBody = makeTextView(response, QStringLiteral("responseBody"), tr("Response body or stream"));
    response->addWidget(m_responseHeaders);
    response->addWidget(m_responseBody);
    response->setStretchFactor(0, 1);
    response->setStretchFactor(1, 3);
    m_tabs->addTab(response, tr("Response"));
    layout->addWidget(m_tabs, 1);

    connect(m_copyCurl, &QPushButton::clicked, this, &InspectorPanel::copyAsCurl);
}

void InspectorPanel::setRecord(const api::RequestRecord &record)
{
    m_record = record;
    m_summary->setText(
        QStringLiteral("%1 %2  →  %3").arg(record.method, record.url, statusText(record.status)));
    m_requestHeaders->setPlainText(headerText(record.requestHeaders));
    m_requestBody->setPlainText(bodyText(record.requestBody));
    m_responseHeaders->setPlainText(headerText(record.responseHeaders));
    m_responseBody->setPlainText(bodyText(record.responseBody));
    m_copyCurl->setEnabled(!record.url.isEmpty());
}

void InspectorPanel::clear()
{
    m_record = api::RequestRecord();
    m_summary->setText(tr("No request yet."));
    m_requestHeaders->clear();
    m_requestBody->clear();
    m_responseHeaders->clear();
    m_responseBody->clear();
    m_copyCurl->setEnabled(false);
}

QString InspectorPanel::shownText() const
{
    return QStringList{m_summary->text(), m_requestHeaders->toPlainText(), m_requestBody->toPlainText(),
                       m_responseHeaders->toPlainText(), m_responseBody->toPlainText()}
        .join(QLatin1Char('\n'));
}

void InspectorPanel::copyAsCurl()
{
    if (!hasRecord())
        return;
    QApplication::clipboard()->setText(m_record.toCurl());
    Q_EMIT curlCopied();
}

QString InspectorPanel::headerText(const QList<QPair<QByteArray, QByteArray>> &headers)
{
    // Only RequestRecord's (already redacted) values are shown, never headers from elsewhere.
    QStringList lines;
    for (const auto &[name, value] : headers)
        lines << QString::fromUtf8(name) + QStringLiteral(": ") + QString::fromUtf8(value);
    return lines.join(QLatin1Char('\n'));
}

QString InspectorPanel::bodyText(const QByteArray &body)
{
    if (body.isEmpty())
        return {};
    const QByteArray trimmed = body.trimmed();
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
        try {
            const nlohmann::json parsed = nlohmann::json::parse(trimmed.toStdString());
            return QString::fromStdString(
                parsed.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
        } catch (const std::exception &) {
            // fall through: show the bytes as they came
        }
    }
    return QString::fromUtf8(body);
}

} // namespace assay::ui
