#pragma once

#include <QWidget>

#include "models/api/request_record.h"

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTabWidget;

namespace assay::ui {

// The last request as it went over the wire: method, URL, request headers (Authorization and
// anything key-like already redacted by RequestRecord), the request JSON, status, response
// headers and the raw response or stream text; "Copy as curl" gives a command line that reads
// the key from $OPENAI_API_KEY.
class InspectorPanel : public QWidget {
    Q_OBJECT
public:
    explicit InspectorPanel(QWidget *parent = nullptr);

    void setRecord(const api::RequestRecord &record);
    void clear();
    const api::RequestRecord &record() const { return m_record; }
    bool hasRecord() const { return !m_record.url.isEmpty(); }

    // Everything the panel shows, as text (tests check what a user could read or copy).
    QString shownText() const;

public Q_SLOTS:
    void copyAsCurl();

Q_SIGNALS:
    void curlCopied();

private:
    static QString headerText(const QList<QPair<QByteArray, QByteArray>> &headers);
    static QString bodyText(const QByteArray &body);

    api::RequestRecord m_record;
    QLabel *m_summary = nullptr;
    QPushButton *m_copyCurl = nullptr;
    QTabWidget *m_tabs = nullptr;
    QPlainTextEdit *m_requestHeaders = nullptr;
    QPlainTextEdit *m_requestBody = nullptr;
    QPlainTextEdit *m_responseHeaders = nullptr;
    QPlainTextEdit *m_responseBody = nullptr;
};

} // namespace assay::ui
