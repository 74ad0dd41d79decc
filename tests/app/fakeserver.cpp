// SPDX-License-Identifier: GPL-3.0-or-later
#include "fakeserver.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QTcpSocket>
#include <QUrlQuery>
#include <QWebSocket>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace callwatch::app::testing {

namespace {

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    default:
        return "Error";
    }
}

QJsonObject errorBody(const QString &code, const QString &message)
{
    return {{u"error"_s, QJsonObject{{u"code"_s, code}, {u"message"_s, message}}}};
}

bool isLive(const QJsonObject &call)
{
    const QString status = call.value("status"_L1).toString();
    return status == "initiating"_L1 || status == "in_progress"_L1;
}

} // namespace

FakeServer::FakeServer(QObject *parent)
    : QObject(parent), m_webSockets(u"fake-callwatchd"_s, QWebSocketServer::NonSecureMode)
{
    connect(&m_tcp, &QTcpServer::newConnection, this, &FakeServer::onTcpConnection);
    connect(&m_webSockets, &QWebSocketServer::newConnection, this,
            &FakeServer::onWebSocketConnection);
}

FakeServer::~FakeServer()
{
    for (const Client &client : std::as_const(m_clients)) {
        client.socket->disconnect(this);
        client.socket->abort();
        delete client.socket;
    }
}

bool FakeServer::listen(quint16 port)
{
    return m_tcp.listen(QHostAddress::LocalHost, port);
}

quint16 FakeServer::port() const
{
    return m_tcp.serverPort();
}

QUrl FakeServer::baseUrl() const
{
    return QUrl(u"http://127.0.0.1:%1"_s.arg(port()));
}

QString FakeServer::now()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

int FakeServer::requestCount(const QString &pathPrefix) const
{
    return int(std::count_if(m_requests.begin(), m_requests.end(), [&](const Request &request) {
        return request.path.startsWith(pathPrefix);
    }));
}

// --- state and scenario ---------------------------------------------------------------------

void FakeServer::upsertCall(const QJsonObject &call)
{
    const QString sid = call.value("call_sid"_L1).toString();
    QJsonObject merged = m_calls.value(sid);
    for (auto it = call.begin(); it != call.end(); ++it)
        merged.insert(it.key(), it.value());
    m_calls.insert(sid, merged);
}

void FakeServer::addDelivery(const QJsonObject &delivery, const QByteArray &body)
{
    const qint64 id = delivery.value("id"_L1).toInteger();
    m_deliveries.insert(id, delivery);
    m_deliveryBodies.insert(id, body);
}

qint64 FakeServer::startCall(const QString &callSid, const QString &driverId,
                             const QString &toNumber, const QString &status)
{
    const QString time = now();
    const QString previous = m_calls.value(callSid).value("status"_L1).toString();
    QJsonObject call{
        {u"call_sid"_s, callSid},        {u"conversation_id"_s, QString(u"conv_"_s + callSid)},
        {u"driver_id"_s, driverId},      {u"to_number"_s, toNumber},
        {u"direction"_s, u"outbound"_s}, {u"status"_s, status},
        {u"updated_at"_s, time}};
    if (!m_calls.contains(callSid))
        call.insert(u"created_at"_s, time);
    if (status == "in_progress"_L1)
        call.insert(u"started_at"_s, time);
    upsertCall(call);
    return publish({{u"type"_s, u"call_status"_s},
                    {u"call_sid"_s, callSid},
                    {u"conversation_id"_s, QString(u"conv_"_s + callSid)},
                    {u"status"_s, status},
                    {u"previous_status"_s, previous.isEmpty() ? QJsonValue() : previous},
                    {u"failure_reason"_s, QJsonValue()},
                    {u"driver_id"_s, driverId},
                    {u"to_number"_s, toNumber},
                    {u"timestamp"_s, time}});
}

qint64 FakeServer::addTurn(const QString &callSid, qint64 sequence, const QString &speaker,
                           const QString &message, double timeInCall)
{
    const QString time = now();
    const QJsonObject turn{{u"sequence_number"_s, sequence}, {u"speaker"_s, speaker},
                           {u"message"_s, message},          {u"time_in_call_secs"_s, timeInCall},
                           {u"source"_s, u"live"_s},         {u"received_at"_s, time},
                           {u"tool_calls"_s, QJsonArray()},  {u"tool_results"_s, QJsonArray()}};
    m_liveTurns[callSid].append(turn);
    QJsonObject event = turn;
    event.insert(u"type"_s, u"transcription"_s);
    event.insert(u"call_sid"_s, callSid);
    event.insert(u"conversation_id"_s, QString(u"conv_"_s + callSid));
    event.insert(u"timestamp"_s, time);
    event.remove(u"received_at"_s);
    event.remove(u"tool_calls"_s);
    event.remove(u"tool_results"_s);
    return publish(event);
}

qint64 FakeServer::completeCall(const QString &callSid, const QJsonObject &completion,
                                const QJsonArray &postCallTurns)
{
    const QString time = now();
    QJsonObject call = completion;
    call.insert(u"call_sid"_s, callSid);
    call.insert(u"status"_s, u"completed"_s);
    call.insert(u"ended_at"_s, time);
    call.insert(u"updated_at"_s, time);
    upsertCall(call);
    if (!postCallTurns.isEmpty())
        m_postCallTurns.insert(callSid, postCallTurns);
    QJsonObject event = completion;
    event.insert(u"type"_s, u"call_completed"_s);
    event.insert(u"call_sid"_s, callSid);
    event.insert(u"conversation_id"_s, QString(u"conv_"_s + callSid));
    event.insert(u"status"_s, u"completed"_s);
    event.insert(u"timestamp"_s, time);
    return publish(event);
}

qint64 FakeServer::failCall(const QString &callSid, const QString &reason)
{
    const QString time = now();
    const QJsonObject existing = m_calls.value(callSid);
    const QString previous = existing.value("status"_L1).toString();
    upsertCall({{u"call_sid"_s, callSid},
                {u"status"_s, u"failed"_s},
                {u"failure_reason"_s, reason},
                {u"ended_at"_s, time},
                {u"updated_at"_s, time}});
    return publish({{u"type"_s, u"call_status"_s},
                    {u"call_sid"_s, callSid},
                    {u"conversation_id"_s, existing.value("conversation_id"_L1)},
                    {u"status"_s, u"failed"_s},
                    {u"previous_status"_s, previous},
                    {u"failure_reason"_s, reason},
                    {u"driver_id"_s, existing.value("driver_id"_L1)},
                    {u"to_number"_s, existing.value("to_number"_L1)},
                    {u"timestamp"_s, time}});
}

qint64 FakeServer::publish(QJsonObject event)
{
    const qint64 id = qint64(m_events.size()) + 1;
    event.insert(u"event_id"_s, id);
    m_events.append(event);
    if (m_liveHeld)
        return id;
    m_sentUpTo = id;
    for (Client &client : m_clients) {
        if (client.subscribed)
            send(client.socket, event);
    }
    return id;
}

void FakeServer::setLiveHeld(bool held)
{
    m_liveHeld = held;
    if (held)
        return;
    // Release what was held back, to every subscribed client, in order.
    for (qint64 id = m_sentUpTo + 1; id <= lastEventId(); ++id) {
        for (Client &client : m_clients) {
            if (client.subscribed)
                send(client.socket, m_events.at(id - 1));
        }
    }
    m_sentUpTo = lastEventId();
}

// --- live connection ------------------------------------------------------------------------

void FakeServer::dropConnections()
{
    const QList<Client> clients = std::exchange(m_clients, {});
    for (const Client &client : clients) {
        client.socket->disconnect(this);
        client.socket->abort();
        client.socket->deleteLater();
    }
}

void FakeServer::closeConnections(quint16 code, const QString &reason)
{
    const QList<Client> clients = m_clients;
    for (const Client &client : clients)
        client.socket->close(QWebSocketProtocol::CloseCode(code), reason);
}

void FakeServer::sendToAll(const QJsonObject &message)
{
    for (const Client &client : std::as_const(m_clients))
        send(client.socket, message);
}

void FakeServer::send(QWebSocket *socket, const QJsonObject &message)
{
    socket->sendTextMessage(
        QString::fromUtf8(QJsonDocument(message).toJson(QJsonDocument::Compact)));
}

void FakeServer::onWebSocketConnection()
{
    while (QWebSocket *socket = m_webSockets.nextPendingConnection()) {
        const QString token =
            QUrlQuery(socket->requestUrl()).queryItemValue(u"token"_s, QUrl::FullyDecoded);
        m_wsTokens.append(token);
        connect(socket, &QWebSocket::textMessageReceived, this,
                [this, socket](const QString &text) { onClientMessage(socket, text); });
        connect(socket, &QWebSocket::disconnected, this, [this, socket] {
            m_clients.removeIf([socket](const Client &client) { return client.socket == socket; });
            socket->deleteLater();
            Q_EMIT webSocketClosed();
        });
        m_clients.append({socket, false});
        if (!authorized(token.toUtf8()))
            socket->close(QWebSocketProtocol::CloseCode(4001), u"token rejected"_s);
    }
}

void FakeServer::onClientMessage(QWebSocket *socket, const QString &text)
{
    const QJsonObject message = QJsonDocument::fromJson(text.toUtf8()).object();
    m_clientMessages.append(message);
    Q_EMIT clientMessageReceived(message);
    const QString type = message.value("type"_L1).toString();
    auto client = std::find_if(m_clients.begin(), m_clients.end(),
                               [socket](const Client &c) { return c.socket == socket; });
    if (client == m_clients.end())
        return;
    if (type == "subscribe"_L1)
        handleSubscribe(*client, message);
    else if (type == "ping"_L1 && m_answerPings)
        send(socket, {{u"type"_s, u"pong"_s}});
    else if (type == "auth"_L1)
        send(socket, {{u"type"_s, u"authenticated"_s}, {u"expires_at"_s, 0}});
}

void FakeServer::handleSubscribe(Client &client, const QJsonObject &message)
{
    m_subscribes.append(message);
    const qint64 head = lastEventId();
    QJsonObject reply{{u"type"_s, u"subscribed"_s}, {u"all"_s, true}, {u"last_event_id"_s, head}};
    qint64 replayFrom = head + 1;
    if (message.contains("since"_L1)) {
        const qint64 since = message.value("since"_L1).toInteger();
        const bool recovered = since >= m_retainedFrom && since <= head;
        reply.insert(u"recovered"_s, recovered);
        if (recovered)
            replayFrom = std::max<qint64>(1, since + 1 - m_replayOverlap);
    }
    send(client.socket, reply);
    client.subscribed = true;
    const qint64 upTo = m_liveHeld ? m_sentUpTo : head;
    for (qint64 id = replayFrom; id <= upTo; ++id)
        send(client.socket, m_events.at(id - 1));
    Q_EMIT clientSubscribed(message);
}

// --- REST -----------------------------------------------------------------------------------

void FakeServer::onTcpConnection()
{
    while (QTcpSocket *socket = m_tcp.nextPendingConnection()) {
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    }
}

void FakeServer::onReadyRead(QTcpSocket *socket)
{
    // Peek until the head is complete: an upgrade must reach the WebSocket server unread.
    const QByteArray buffered = socket->peek(socket->bytesAvailable());
    const qsizetype headEnd = buffered.indexOf("\r\n\r\n");
    if (headEnd < 0)
        return;
    const QByteArray head = buffered.left(headEnd);
    if (head.toLower().contains("upgrade: websocket")) {
        socket->disconnect();
        m_webSockets.handleConnection(socket);
        return;
    }
    qsizetype contentLength = 0;
    const QList<QByteArray> lines = head.split('\n');
    for (const QByteArray &line : lines) {
        if (line.toLower().startsWith("content-length:"))
            contentLength = line.mid(15).trimmed().toLongLong();
    }
    if (buffered.size() < headEnd + 4 + contentLength)
        return;
    socket->read(headEnd + 4 + contentLength);

    Request request;
    const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
    request.method = requestLine.value(0);
    const QUrl url(QString::fromLatin1(requestLine.value(1)));
    request.path = url.path();
    const QUrlQuery query(url);
    for (const auto &item : query.queryItems(QUrl::FullyDecoded))
        request.query.insert(item.first, item.second);
    for (const QByteArray &line : lines) {
        if (line.toLower().startsWith("authorization:"))
            request.authorization = line.mid(14).trimmed();
    }
    m_requests.append(request);
    route(socket, request);
}

bool FakeServer::authorized(const QByteArray &token) const
{
    return m_acceptedTokens.isEmpty() || m_acceptedTokens.contains(QString::fromUtf8(token));
}

void FakeServer::respond(QTcpSocket *socket, int status, const QJsonObject &body)
{
    const QByteArray payload = QJsonDocument(body).toJson(QJsonDocument::Compact);
    socket->write("HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) +
                  "\r\nContent-Type: application/json\r\nContent-Length: " +
                  QByteArray::number(payload.size()) + "\r\nConnection: close\r\n\r\n" + payload);
    socket->disconnectFromHost();
}

void FakeServer::route(QTcpSocket *socket, const Request &request)
{
    if (!authorized(request.authorization.startsWith("Bearer ") ? request.authorization.mid(7)
                                                                : QByteArray()))
        return respond(socket, 401, errorBody(u"unauthorized"_s, u"Invalid token"_s));
    const QStringList parts = request.path.split(u'/', Qt::SkipEmptyParts);
    if (request.path == "/api/calls"_L1)
        return respondCallList(socket, request);
    if (parts.size() == 3 && parts.at(1) == "calls"_L1) {
        if (!m_calls.contains(parts.at(2)))
            return respond(socket, 404, errorBody(u"not_found"_s, u"No such call"_s));
        return respond(socket, 200,
                       {{u"call"_s, m_calls.value(parts.at(2))},
                        {u"transcript"_s, transcriptOf(parts.at(2))}});
    }
    if (request.path == "/api/stats"_L1)
        return respond(socket, 200, stats());
    if (request.path == "/api/deliveries"_L1)
        return respondDeliveryList(socket, request);
    if (parts.size() >= 3 && parts.at(1) == "deliveries"_L1) {
        const qint64 id = parts.at(2).toLongLong();
        if (!m_deliveries.contains(id))
            return respond(socket, 404, errorBody(u"not_found"_s, u"No such delivery"_s));
        if (parts.size() == 4 && parts.at(3) == "replay"_L1 && request.method == "POST") {
            if (m_replayForbidden)
                return respond(socket, 403,
                               errorBody(u"forbidden"_s, u"Replay needs the calls:write scope"_s));
            return respond(socket, 200, {{u"outcome"_s, u"duplicate"_s}, {u"http_status"_s, 200}});
        }
        QJsonObject body = m_deliveries.value(id);
        body.insert(u"body"_s, QString::fromUtf8(m_deliveryBodies.value(id)));
        return respond(socket, 200, body);
    }
    respond(socket, 404, errorBody(u"not_found"_s, u"No route"_s));
}

void FakeServer::respondCallList(QTcpSocket *socket, const Request &request)
{
    const QStringList statuses = request.query.value(u"status"_s).split(u',', Qt::SkipEmptyParts);
    const QString text = request.query.value(u"q"_s);
    QList<QJsonObject> matches;
    for (const QJsonObject &call : std::as_const(m_calls)) {
        if (!statuses.isEmpty() && !statuses.contains(call.value("status"_L1).toString()))
            continue;
        if (!text.isEmpty() &&
            !call.value("driver_id"_L1).toString().contains(text, Qt::CaseInsensitive) &&
            !call.value("call_sid"_L1).toString().contains(text, Qt::CaseInsensitive) &&
            !call.value("to_number"_L1).toString().contains(text, Qt::CaseInsensitive))
            continue;
        matches.append(call);
    }
    std::sort(matches.begin(), matches.end(), [](const QJsonObject &a, const QJsonObject &b) {
        return a.value("created_at"_L1).toString() > b.value("created_at"_L1).toString();
    });
    const int limit = request.query.value(u"limit"_s, u"50"_s).toInt();
    const int offset = request.query.value(u"cursor"_s).toInt();
    QJsonArray page;
    for (int i = offset; i < std::min<int>(offset + limit, int(matches.size())); ++i)
        page.append(matches.at(i));
    const bool more = offset + limit < matches.size();
    return respond(
        socket, 200,
        {{u"calls"_s, page},
         {u"next_cursor"_s, more ? QJsonValue(QString::number(offset + limit)) : QJsonValue()}});
}

void FakeServer::respondDeliveryList(QTcpSocket *socket, const Request &request)
{
    const int limit = request.query.value(u"limit"_s, u"50"_s).toInt();
    const qint64 before = request.query.value(u"before"_s, u"0"_s).toLongLong();
    QJsonArray page;
    qint64 last = 0;
    const QList<qint64> ids = m_deliveries.keys();
    for (auto it = ids.crbegin(); it != ids.crend(); ++it) {
        if (before > 0 && *it >= before)
            continue;
        if (page.size() == limit)
            break;
        page.append(m_deliveries.value(*it));
        last = *it;
    }
    const bool more = !m_deliveries.isEmpty() && last > m_deliveries.firstKey();
    return respond(
        socket, 200,
        {{u"deliveries"_s, page}, {u"next_before"_s, more ? QJsonValue(last) : QJsonValue()}});
}

QJsonArray FakeServer::transcriptOf(const QString &callSid) const
{
    // Like the backend: the post-call transcript when there is one, else the live turns.
    return m_postCallTurns.contains(callSid) ? m_postCallTurns.value(callSid)
                                             : m_liveTurns.value(callSid);
}

QJsonObject FakeServer::stats() const
{
    int live = 0;
    int completed = 0;
    int failed = 0;
    double cost = 0;
    for (const QJsonObject &call : m_calls) {
        live += isLive(call) ? 1 : 0;
        completed += call.value("status"_L1).toString() == "completed"_L1 ? 1 : 0;
        failed += call.value("status"_L1).toString() == "failed"_L1 ? 1 : 0;
        cost += call.value("cost"_L1).toDouble();
    }
    const int ended = completed + failed;
    return {
        {u"live_calls"_s, live},     {u"completed_today"_s, completed},
        {u"failed_today"_s, failed}, {u"failure_rate"_s, ended > 0 ? double(failed) / ended : 0.0},
        {u"cost_today"_s, cost},     {u"last_event_id"_s, lastEventId()}};
}

} // namespace callwatch::app::testing
