#include <QtTest>

#include "models/api/api_error.h"

using assay::api::ApiError;
using Kind = assay::api::ApiError::Kind;

class TestApiError : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void parsesOpenAiErrorBody();
    void codeMayBeNumberOrNull();
    void keepsNonJsonBodyTruncated();
    void readsErrorStringShape();
    void readsStreamErrorEvent();
    void readsResponseFailedEvent();
    void readsChatStreamErrorObject();
    void transientErrors_data();
    void transientErrors();
    void summaryIsOneLine();
    void adviceTellsWhatToDo_data();
    void adviceTellsWhatToDo();
};

void TestApiError::parsesOpenAiErrorBody()
{
    const QByteArray body =
        R"({"error": {"message": "Incorrect API key provided: sk-abc***.", "type": "invalid_request_error",
                                "param": null, "code": "invalid_api_key"}})";
    const ApiError error = ApiError::fromHttp(401, body, QStringLiteral("req_123"));
    QCOMPARE(error.kind, Kind::Http);
    QCOMPARE(error.httpStatus, 401);
    QCOMPARE(error.message, QStringLiteral("Incorrect API key provided: sk-abc***."));
    QCOMPARE(error.type, QStringLiteral("invalid_request_error"));
    QCOMPARE(error.code, QStringLiteral("invalid_api_key"));
    QVERIFY(error.param.isEmpty());
    QCOMPARE(error.requestId, QStringLiteral("req_123"));

    const ApiError withParam = ApiError::fromHttp(
        400,
        R"({"error": {"message": "Unsupported value", "type": "invalid_request_error", "param": "temperature", "code": null}})",
        QString());
    QCOMPARE(withParam.param, QStringLiteral("temperature"));
    QVERIFY(withParam.code.isEmpty());
}

void TestApiError::codeMayBeNumberOrNull()
{
    const ApiError numeric = ApiError::fromHttp(
        500, R"({"error": {"message": "boom", "type": "server_error", "param": null, "code": 502}})", {});
    QCOMPARE(numeric.code, QStringLiteral("502"));
    QCOMPARE(numeric.message, QStringLiteral("boom"));
    const ApiError null = ApiError::fromHttp(
        500, R"({"error": {"message": "boom", "type": "server_error", "param": null, "code": null}})", {});
    QVERIFY(null.code.isEmpty());
    QCOMPARE(null.type, QStringLiteral("server_error"));
}

void TestApiError::keepsNonJsonBodyTruncated()
{
    const ApiError gateway = ApiError::fromHttp(502, "<html><body>Bad Gateway</body></html>\n", {});
    QCOMPARE(gateway.message, QStringLiteral("<html><body>Bad Gateway</body></html>"));

    const QByteArray huge = "<html>" + QByteArray(20000, 'x') + "</html>";
    const ApiError big = ApiError::fromHttp(500, huge, {});
    QVERIFY(big.message.startsWith(QStringLiteral("<html>xxx")));
    QVERIFY2(big.message.size() < 1000, qPrintable(QString::number(big.message.size())));
}

void TestApiError::readsErrorStringShape()
{
    // What Ollama and several OpenAI-compatible servers send.
    const ApiError error = ApiError::fromHttp(404, R"({"error": "model 'llama9' not found"})", {});
    QCOMPARE(error.message, QStringLiteral("model 'llama9' not found"));
}

void TestApiError::readsStreamErrorEvent()
{
    const auto event = nlohmann::json::parse(
        R"({"type": "error", "code": "ERR_SOMETHING", "message": "Something went wrong", "param": null, "sequence_number": 1})");
    const ApiError error = ApiError::fromStreamEvent(event, QStringLiteral("req_9"));
    QCOMPARE(error.kind, Kind::StreamError);
    QCOMPARE(error.code, QStringLiteral("ERR_SOMETHING"));
    QCOMPARE(error.message, QStringLiteral("Something went wrong"));
    QCOMPARE(error.requestId, QStringLiteral("req_9"));
    QVERIFY(!error.isTransient());
}

void TestApiError::readsResponseFailedEvent()
{
    const auto event = nlohmann::json::parse(R"({"type": "response.failed", "sequence_number": 7,
        "response": {"id": "resp_1", "object": "response", "status": "failed",
                     "error": {"code": "server_error", "message": "The model failed to generate a response."}}})");
    const ApiError error = ApiError::fromStreamEvent(event, {});
    QCOMPARE(error.kind, Kind::StreamError);
    QCOMPARE(error.code, QStringLiteral("server_error"));
    QCOMPARE(error.message, QStringLiteral("The model failed to generate a response."));
    QVERIFY(error.advice().contains(QLatin1String("again")));
}

void TestApiError::readsChatStreamErrorObject()
{
    const auto event = nlohmann::json::parse(
        R"({"error": {"message": "overloaded", "type": "server_error", "param": null, "code": null}})");
    const ApiError error = ApiError::fromStreamEvent(event, {});
    QCOMPARE(error.kind, Kind::StreamError);
    QCOMPARE(error.message, QStringLiteral("overloaded"));
    QCOMPARE(error.type, QStringLiteral("server_error"));
}

void TestApiError::transientErrors_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<int>("status");
    QTest::addColumn<bool>("transient");
    const int http = static_cast<int>(Kind::Http);
    QTest::newRow("400") << http << 400 << false;
    QTest::newRow("401") << http << 401 << false;
    QTest::newRow("403") << http << 403 << false;
    QTest::newRow("404") << http << 404 << false;
    QTest::newRow("408") << http << 408 << true;
    QTest::newRow("409") << http << 409 << true;
    QTest::newRow("422") << http << 422 << false;
    QTest::newRow("429") << http << 429 << true;
    QTest::newRow("500") << http << 500 << true;
    QTest::newRow("503") << http << 503 << true;
    QTest::newRow("network") << static_cast<int>(Kind::Network) << 0 << true;
    QTest::newRow("timeout") << static_cast<int>(Kind::Timeout) << 0 << true;
    QTest::newRow("cancelled") << static_cast<int>(Kind::Cancelled) << 0 << false;
    QTest::newRow("malformed") << static_cast<int>(Kind::MalformedResponse) << 0 << false;
    QTest::newRow("stream") << static_cast<int>(Kind::StreamError) << 0 << false;
    QTest::newRow("missing key") << static_cast<int>(Kind::MissingKey) << 0 << false;
    QTest::newRow("invalid") << static_cast<int>(Kind::InvalidRequest) << 0 << false;
}

void TestApiError::transientErrors()
{
    QFETCH(int, kind);
    QFETCH(int, status);
    QFETCH(bool, transient);
    ApiError error = ApiError::make(static_cast<Kind>(kind), QStringLiteral("x"));
    error.httpStatus = status;
    QCOMPARE(error.isTransient(), transient);
}

void TestApiError::summaryIsOneLine()
{
    const ApiError error = ApiError::fromHttp(
        401,
        R"({"error": {"message": "Incorrect API key provided", "type": "invalid_request_error", "param": null, "code": "invalid_api_key"}})",
        {});
    QCOMPARE(error.summary(), QStringLiteral("HTTP 401 invalid_api_key: Incorrect API key provided"));

    const ApiError network = ApiError::make(Kind::Network, QStringLiteral("Connection refused"));
    QVERIFY(network.summary().contains(QLatin1String("Connection refused")));
    QVERIFY(!network.summary().contains(QLatin1Char('\n')));
}

void TestApiError::adviceTellsWhatToDo_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("message");
    QTest::addColumn<QString>("expected");
    const int http = static_cast<int>(Kind::Http);
    QTest::newRow("401 key") << http << 401 << QStringLiteral("invalid_api_key") << QString()
                             << QStringLiteral("API key");
    QTest::newRow("403 access") << http << 403 << QString() << QString()
                                << QStringLiteral("project or organization");
    QTest::newRow("404 model") << http << 404 << QStringLiteral("model_not_found")
                               << QStringLiteral("The model `gpt-9` does not exist")
                               << QStringLiteral("Refresh models");
    QTest::newRow("429 quota") << http << 429 << QStringLiteral("insufficient_quota") << QString()
                               << QStringLiteral("billing");
    QTest::newRow("429 rate") << http << 429 << QStringLiteral("rate_limit_exceeded") << QString()
                              << QStringLiteral("wait");
    QTest::newRow("429 flex") << http << 429 << QStringLiteral("resource_unavailable") << QString()
                              << QStringLiteral("default service tier");
    QTest::newRow("500") << http << 500 << QString() << QString() << QStringLiteral("OpenAI's side");
    QTest::newRow("network") << static_cast<int>(Kind::Network) << 0 << QString() << QString()
                             << QStringLiteral("base URL");
    QTest::newRow("timeout") << static_cast<int>(Kind::Timeout) << 0 << QString() << QString()
                             << QStringLiteral("streaming");
    QTest::newRow("malformed") << static_cast<int>(Kind::MalformedResponse) << 0 << QString() << QString()
                               << QStringLiteral("OpenAI-compatible");
}

void TestApiError::adviceTellsWhatToDo()
{
    QFETCH(int, kind);
    QFETCH(int, status);
    QFETCH(QString, code);
    QFETCH(QString, message);
    QFETCH(QString, expected);
    ApiError error = ApiError::make(static_cast<Kind>(kind), message);
    error.httpStatus = status;
    error.code = code;
    QVERIFY2(error.advice().contains(expected, Qt::CaseInsensitive), qPrintable(error.advice()));
}

QTEST_GUILESS_MAIN(TestApiError)
#include "tst_api_error.moc"
