// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/liveclient.h"

#include "app/logging.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QUrlQuery>
#include <QWebSocket>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace callwatch::app {

namespace {
constexpr int CloseUnauthorized = 4001;
constexpr int CloseTooSlow = 4008;
constexpr qint64 MaxIncomingMessage = 8 * 1024 * 1024;
constexpr int MaxAuthRetries = 3;
} // namespace

LiveClient::LiveClient(QObject *parent)
    : QObject(parent), m_random([] { return QRandomGenerator::global()->generateDouble(); })
{
    m_retryTimer.setSingleShot(true);
    m_pongDeadline.setSingleShot(true);
    m_connectTimeout.setSingleShot(true);
    m_countdownTimer.setInterval(1000);
    connect(&m_retryTimer, &QTimer::timeout, this, &LiveClient::connectNow);
    connect(&m_countdownTimer, &QTimer::timeout, this, [this] {
        if (m_state == State::Reconnecting)
            setState(State::Reconnecting, secondsToRetry());
    });
    connect(&m_pingTimer, &QTimer::timeout, this, [this] {
        sendJson({{u"type"_s, u"ping"_s}});
        if (!m_pongDeadline.isActive())
            m_pongDeadline.start(m_timing.pongTimeoutMs);
    });
    connect(&m_pongDeadline, &QTimer::timeout, this, [this] {
        qCWarning(lcApp) << "Live connection: no answer to ping, reconnecting";
        m_lastError = tr("The server stopped answering");
        dropSocket();
        handleConnectionLost(0);
    });
    connect(&m_connectTimeout, &QTimer::timeout, this, [this] {
        qCWarning(lcApp) << "Live connection: connect timed out";
        m_lastError = tr("Connecting timed out");
        dropSocket();
        handleConnectionLost(0);
    });
}

LiveClient::~LiveClient()
{
    m_running = false;
    dropSocket();
}

void LiveClient::setServerUrl(const QUrl &baseUrl)
{
    m_baseUrl = baseUrl;
}

QUrl LiveClient::webSocketUrl() const
{
    QUrl url = m_baseUrl;
    url.setScheme(m_baseUrl.scheme() == "https"_L1 ? u"wss"_s : u"ws"_s);
    QString path = m_baseUrl.path();
    while (path.endsWith(u'/'))
        path.chop(1);
    url.setPath(path + "/ws/calls/transcriptions"_L1);
    url.setQuery(QString());
    return url;
}

void LiveClient::setTokenProvider(TokenProvider provider)
{
    m_tokenProvider = std::move(provider);
}

void LiveClient::setTiming(const Timing &timing)
{
    m_timing = timing;
}

void LiveClient::setRandomSource(std::function<double()> random)
{
    m_random = std::move(random);
}

int LiveClient::backoffDelayMs(int attempt, const Timing &timing, double random01)
{
    const double base =
        std::min(double(timing.maxBackoffMs),
                 double(timing.initialBackoffMs) * std::pow(2.0, std::clamp(attempt, 0, 30)));
    const double factor =
        1.0 - timing.jitter + 2.0 * timing.jitter * std::clamp(random01, 0.0, 1.0);
    return int(std::clamp(base * factor, double(timing.initialBackoffMs) * (1.0 - timing.jitter),
                          double(timing.maxBackoffMs)));
}

int LiveClient::secondsToRetry() const
{
    if (m_state != State::Reconnecting)
        return 0;
    return int((m_retryDeadline.remainingTime() + 999) / 1000);
}

void LiveClient::start()
{
    m_running = true;
    m_attempt = 0;
    m_authFailures = 0;
    connectNow();
}

void LiveClient::stop()
{
    m_running = false;
    m_retryTimer.stop();
    m_countdownTimer.stop();
    dropSocket();
    setState(State::Offline);
}

void LiveClient::reconnectNow()
{
    if (!m_running)
        return start();
    if (m_state == State::Unauthorized)
        m_authFailures = 0;
    connectNow();
}

void LiveClient::connectNow()
{
    m_retryTimer.stop();
    m_countdownTimer.stop();
    dropSocket();
    if (!m_running)
        return;

    m_currentToken = m_tokenProvider ? m_tokenProvider(false) : QString();
    QUrl url = webSocketUrl();
    if (!m_currentToken.isEmpty()) {
        QUrlQuery query;
        query.addQueryItem(u"token"_s, m_currentToken);
        url.setQuery(query);
    }
    auto *socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    socket->setMaxAllowedIncomingMessageSize(MaxIncomingMessage);
    socket->setMaxAllowedIncomingFrameSize(MaxIncomingMessage);
    m_socket = socket;
    connect(socket, &QWebSocket::connected, this, [this, socket] { onConnected(socket); });
    connect(socket, &QWebSocket::textMessageReceived, this, [this, socket](const QString &text) {
        if (socket == m_socket)
            onTextMessage(text);
    });
    connect(socket, &QWebSocket::disconnected, this, [this, socket] { onSocketGone(socket); });
    connect(socket, QOverload<QAbstractSocket::SocketError>::of(&QWebSocket::error), this,
            [this, socket](QAbstractSocket::SocketError) {
                if (socket != m_socket)
                    return;
                m_lastError = socket->errorString();
                // A refused TCP connect or a rejected handshake may not emit disconnected();
                // look again once the socket has settled.
                QTimer::singleShot(0, this, [this, socket] {
                    if (socket == m_socket && socket->state() == QAbstractSocket::UnconnectedState)
                        onSocketGone(socket);
                });
            });
    setState(State::Connecting);
    m_connectTimeout.start(m_timing.connectTimeoutMs);
    qCDebug(lcApp) << "Live connection: connecting to" << webSocketUrl().toDisplayString();
    socket->open(url);
}

void LiveClient::onConnected(QWebSocket *socket)
{
    if (socket != m_socket)
        return;
    QJsonObject subscribe{{u"type"_s, u"subscribe"_s}, {u"all"_s, true}};
    if (m_hasResumePoint)
        subscribe.insert(u"since"_s, m_lastEventId);
    sendJson(subscribe);
    m_pingTimer.start(m_timing.pingIntervalMs);
}

void LiveClient::onTextMessage(const QString &text)
{
    m_pongDeadline.stop(); // any message proves the peer is alive
    auto parsed = WireParser::liveMessage(text.toUtf8());
    if (!parsed) {
        qCWarning(lcApp) << "Live connection: ignoring a message:" << parsed.error().message;
        return;
    }
    const LiveMessage &message = parsed.value();
    switch (message.type) {
    case LiveMessage::Type::Transcription:
    case LiveMessage::Type::CallStatus:
    case LiveMessage::Type::CallCompleted:
        handleEvent(message);
        break;
    case LiveMessage::Type::Subscribed:
        handleSubscribed(message);
        break;
    case LiveMessage::Type::TokenExpiring:
        refreshTokenInPlace();
        break;
    case LiveMessage::Type::Error:
        qCWarning(lcApp) << "Live connection: server error" << message.errorCode;
        Q_EMIT serverError(message.errorCode, message.errorMessage);
        break;
    case LiveMessage::Type::Pong:
    case LiveMessage::Type::Authenticated:
    case LiveMessage::Type::Other:
        break;
    }
}

void LiveClient::handleEvent(const LiveMessage &message)
{
    // Event ids only grow; anything at or below the last applied one is a replay overlap.
    const qint64 id = message.eventId();
    if (id <= m_lastEventId) {
        ++m_duplicatesDropped;
        return;
    }
    m_lastEventId = id;
    if (message.type == LiveMessage::Type::Transcription)
        Q_EMIT transcriptionReceived(message.transcription);
    else if (message.type == LiveMessage::Type::CallStatus)
        Q_EMIT callStatusChanged(message.callStatus);
    else
        Q_EMIT callCompleted(message.callCompleted);
}

void LiveClient::handleSubscribed(const LiveMessage &message)
{
    m_connectTimeout.stop();
    const bool resumed = m_hasResumePoint && message.recovered.value_or(false);
    if (!resumed) {
        // Whatever we had is superseded by a REST reload; continue from the server's head,
        // even if it is lower than ours (a restored or reset database).
        m_lastEventId = message.lastEventId;
    }
    m_hasResumePoint = true;
    m_attempt = 0;
    m_authFailures = 0;
    m_lastError.clear();
    setState(State::Live);
    qCInfo(lcApp) << "Live connection: subscribed, resumed:" << resumed
                  << "last event:" << m_lastEventId;
    if (!resumed)
        Q_EMIT resyncRequired();
}

void LiveClient::refreshTokenInPlace()
{
    const QString fresh = m_tokenProvider ? m_tokenProvider(true) : QString();
    if (fresh.isEmpty() || fresh == m_currentToken) {
        qCWarning(lcApp) << "Live connection: token expiring and no new token available";
        return;
    }
    m_currentToken = fresh;
    sendJson({{u"type"_s, u"auth"_s}, {u"token"_s, fresh}});
}

void LiveClient::onSocketGone(QWebSocket *socket)
{
    if (socket != m_socket)
        return;
    int closeCode = socket->closeCode();
    // A server that refuses the upgrade with HTTP 401 never gets to send close code 4001.
    if (socket->errorString().contains("401"_L1))
        closeCode = CloseUnauthorized;
    if (closeCode != QWebSocketProtocol::CloseCodeNormal && !socket->closeReason().isEmpty())
        m_lastError = socket->closeReason();
    dropSocket();
    handleConnectionLost(closeCode);
}

void LiveClient::handleConnectionLost(int closeCode)
{
    m_pingTimer.stop();
    m_pongDeadline.stop();
    m_connectTimeout.stop();
    if (!m_running) {
        setState(State::Offline);
        return;
    }
    qCInfo(lcApp) << "Live connection lost, close code" << closeCode;
    if (closeCode == CloseUnauthorized) {
        const QString fresh = m_tokenProvider ? m_tokenProvider(true) : QString();
        if (fresh.isEmpty() || fresh == m_currentToken || ++m_authFailures > MaxAuthRetries) {
            m_lastError = tr("The server rejected the access token");
            setState(State::Unauthorized);
            return;
        }
    } else if (closeCode == CloseTooSlow) {
        m_lastError = tr("The connection fell behind; resuming");
    }
    scheduleReconnect();
}

void LiveClient::scheduleReconnect()
{
    const int delay = backoffDelayMs(m_attempt++, m_timing, m_random());
    m_retryDeadline.setRemainingTime(delay);
    m_retryTimer.start(delay);
    m_countdownTimer.start();
    setState(State::Reconnecting, (delay + 999) / 1000);
}

void LiveClient::dropSocket()
{
    QWebSocket *socket = m_socket;
    m_socket = nullptr;
    if (!socket)
        return;
    socket->disconnect(this);
    if (socket->state() == QAbstractSocket::ConnectedState)
        socket->close();
    else
        socket->abort();
    socket->deleteLater();
}

void LiveClient::sendJson(const QJsonObject &object)
{
    if (m_socket && m_socket->state() == QAbstractSocket::ConnectedState)
        m_socket->sendTextMessage(
            QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact)));
}

void LiveClient::setState(State state, int secondsToRetry)
{
    if (state == m_state && secondsToRetry == m_secondsToRetry)
        return;
    m_state = state;
    m_secondsToRetry = secondsToRetry;
    Q_EMIT connectionStateChanged(state, secondsToRetry);
}

} // namespace callwatch::app
