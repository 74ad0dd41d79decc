// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "http/connectioncontext.h"
#include "http/httptypes.h"
#include "http/readtransaction.h"
#include "http/requestparser.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QObject>
#include <QString>

#include <deque>
#include <memory>

QT_FORWARD_DECLARE_CLASS(QTcpSocket)
QT_FORWARD_DECLARE_CLASS(QTemporaryFile)

namespace callwatch::http {

/**
 * @brief One client socket: parses requests as bytes arrive, routes them, answers them in
 * request order, and enforces the limits and timeouts.
 *
 * Pipelining: every request gets a slot (Exchange) in arrival order when its head is parsed;
 * answers fill slots in any order and are written from the front only. Reading pauses while too
 * many answers are outstanding or the client does not read what was written.
 * Upgrade hand-over: the socket reads inside a QIODevice transaction that always starts at the
 * first byte not yet known to belong to a plain HTTP request, so a WebSocket handshake can be
 * given back unread (rollback, then skip what came before it).
 * Lifetime: deletes itself once the socket is gone and no async handler still holds a responder.
 */
class HttpConnection : public QObject
{
    Q_OBJECT

public:
    HttpConnection(QTcpSocket *socket, ConnectionContext *context, QObject *parent = nullptr);
    ~HttpConnection() override;

    /** Answers request @p serial; an answer for a request behind unanswered ones waits. */
    void respond(quint64 serial, HttpResponse response);
    bool isOpen() const;
    /** Called periodically by the server: applies the header/body/idle/write deadlines. */
    void checkTimeout(qint64 nowMs);

private:
    enum class State { Reading, UpgradePending, Closing, Lingering, Closed, Upgraded };
    enum class Timer { None, Header, Body, Idle, Write, Linger };

    /** One request's place in the response order. */
    struct Exchange
    {
        quint64 serial = 0;
        bool answered = false;
        bool handlerOwned = false; ///< an async handler holds a responder for it
        bool needsContinue = false;
        bool closeAfter = false;
        bool linger = false; ///< the body was left unread: half-close and drain
        int status = 0;
        qint64 bodyIn = 0;
        qint64 bodyOut = 0;
        QByteArray wire;
        QByteArray method;
        QString path;
        QString spoolPath;
        QElapsedTimer received;
    };

    /** The request whose head was parsed and whose body is arriving. */
    struct Incoming
    {
        quint64 serial = 0; ///< 0: none
        bool discard = false;
        const Route *route = nullptr;
        HttpRequest request;
        std::unique_ptr<QTemporaryFile> spool;
        qint64 buffered = 0;
    };

    bool writeSpool(QByteArrayView data);
    void onReadyRead();
    void onBytesWritten();
    void onDisconnected();
    void processInput();
    bool readSocket();
    bool parseBuffered();
    bool handleStep(const RequestParser::Step &step);
    bool pipelineFull() const;
    void scheduleProcessing();

    bool onHead();
    bool routeHead(RequestHead &head, Exchange &exchange);
    bool openSpool();
    bool onBody(QByteArrayView data);
    bool onComplete();
    void dispatch(Incoming incoming);
    void onParseError();
    void failRequest(quint64 serial, const ParseError &error, bool linger);
    void dropIncoming();

    Exchange &pushExchange(const HttpRequest *request, bool closeAfter);
    Exchange *findExchange(quint64 serial);
    void flushResponses();
    void finishExchange(const Exchange &exchange, bool clientGone);
    void reapClosed();
    void afterQueueChanged();

    void beginUpgrade(HttpRequest request);
    void handOver();
    void beginClose(bool linger);
    void afterFlush();
    void discardInput();
    void timeoutRequest();
    void arm(Timer timer);

    QTcpSocket *m_socket = nullptr;
    ConnectionContext *m_ctx;
    RequestParser m_parser;
    State m_state = State::Reading;
    QHostAddress m_peer;
    quint16 m_peerPort = 0;

    QByteArray m_in; ///< fixed-size read buffer, reused for every read
    qsizetype m_inPos = 0;
    qsizetype m_inEnd = 0;
    ReadTransaction m_tx;

    std::deque<Exchange> m_pending;
    Incoming m_incoming;
    HttpRequest m_upgradeRequest;
    QElapsedTimer m_started;    ///< first byte of the request being received
    qint64 m_bodyStartedMs = 0; ///< the server clock when the body of m_incoming began
    quint64 m_nextSerial = 1;
    int m_unflushed = 0; ///< responses written but not yet handed to the kernel
    bool m_stopParsing = false;
    bool m_paused = false;
    bool m_scheduled = false;
    bool m_lingerAfterFlush = false;
    Timer m_timer = Timer::None;
    qint64 m_deadline = 0;
};

} // namespace callwatch::http
