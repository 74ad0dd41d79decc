// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "http/httptypes.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <limits>

namespace callwatch::http {

/** @brief A parsed request head: the request a handler will see plus the framing facts. */
struct RequestHead
{
    HttpRequest request;       ///< method, target, path, query and headers filled in
    QByteArray rawPath;        ///< the path still percent-encoded, for segment-wise routing
    int minorVersion = 1;      ///< HTTP/1.<minorVersion>
    qint64 contentLength = -1; ///< -1 when the header is absent
    bool chunked = false;
    bool keepAlive = true;
    bool expectContinue = false;   ///< `Expect: 100-continue` on an HTTP/1.1 request
    bool upgradeWebSocket = false; ///< an `Upgrade` header naming websocket
    qsizetype headBytes = 0;       ///< request line + headers + final CRLF

    bool hasBody() const { return chunked || contentLength > 0; }
};

/** @brief Why a request is refused: the status to answer and the JSON error code and message. */
struct ParseError
{
    int status = 0;
    QString code;
    QString message;
};

/**
 * @brief Incremental, strict HTTP/1.1 request parser. Pure: no sockets, no timers.
 *
 * Feed it bytes as they arrive; each feed() stops at the first event and says how many bytes it
 * used, so the caller re-feeds the rest. Every limit is checked while bytes arrive: the head is
 * never buffered beyond HttpLimits::maxHeaderBytes and a chunked body fails with 413 as soon as
 * a chunk would pass the body limit. Bodies are not buffered at all: Event::Body hands out views
 * into the input. After Event::Complete the parser is ready for the next pipelined request;
 * after Event::Error it stays failed.
 */
class RequestParser
{
public:
    enum class Event {
        NeedMore, ///< all input used; feed more
        Head,     ///< the head is complete: takeHead(), then optionally setBodyLimit()
        Body,     ///< Step::body holds the next body bytes (de-chunked)
        Complete, ///< the request (body and trailers included) is complete
        Error,    ///< see error(); the connection must answer it and close
    };

    struct Step
    {
        Event event = Event::NeedMore;
        qsizetype consumed = 0; ///< input bytes used by this step
        QByteArrayView body;    ///< for Event::Body: a view into the fed input
    };

    explicit RequestParser(const HttpLimits &limits = {});

    Step feed(QByteArrayView input);

    /** Moves the head out after Event::Head. */
    RequestHead takeHead() { return std::move(m_head); }
    /** The route's limit; false (and 413 in error()) when the declared length is already over. */
    bool setBodyLimit(qint64 maxBytes);

    const ParseError &error() const { return m_error; }
    /** True from the first byte of a request (leading empty lines aside) until it completes. */
    bool messageStarted() const { return m_state != State::Start; }
    /** True while the head is incomplete: the bytes used so far are buffered head bytes. */
    bool inHead() const { return m_state == State::Head; }
    qint64 bodyBytes() const { return m_bodyBytes; }

    /** Decodes %XX escapes; false for a malformed escape or an encoded NUL. */
    static bool percentDecode(QByteArrayView in, QByteArray *out);

private:
    enum class State {
        Start,
        Head,
        Length,
        ChunkSize,
        ChunkExt,
        ChunkSizeLf,
        ChunkData,
        ChunkDataCr,
        ChunkDataLf,
        Trailer,
        Done,
        Failed,
    };
    enum class Scan { More, Done, TooLarge, Failed };

    Step feedStart(QByteArrayView in);
    Step feedHead(QByteArrayView in);
    Step feedLength(QByteArrayView in);
    Step feedChunked(QByteArrayView in);
    Step feedTrailer(QByteArrayView in);
    Step complete(qsizetype consumed);
    Step fail(int status, const QString &code, const QString &message, qsizetype consumed);
    bool reject(int status, const QString &code, const QString &message);

    Scan scanBlock(QByteArrayView in, int maxLines, qsizetype *consumed);
    Step headTooLarge(qsizetype used);
    bool targetTooLong() const;
    bool parseHead();
    bool parseFieldLines(QByteArrayView block, qsizetype from, bool keep);
    bool parseRequestLine(QByteArrayView line);
    bool parseTarget(QByteArrayView target);
    bool parseHeaderLine(QByteArrayView line, bool keep);
    bool applyHeader(QByteArrayView name, QByteArrayView value);
    bool applyContentLength(QByteArrayView value);
    bool finishHead();
    bool chunkByte(char c);
    bool chunkSizeByte(char c);
    bool startChunk();
    void resetMessage();

    HttpLimits m_limits;
    State m_state = State::Start;
    ParseError m_error;
    RequestHead m_head;
    QByteArray m_buf;        ///< head or trailer bytes, capped at maxHeaderBytes
    qsizetype m_lineLen = 0; ///< bytes of the current, unterminated line
    char m_lastByte = 0;     ///< last byte appended to m_buf (CR check across fragments)
    int m_lines = 0;         ///< completed non-empty lines of the current block
    qsizetype m_leadingBytes = 0;
    int m_hostCount = 0;
    bool m_connectionClose = false;
    bool m_connectionKeepAlive = false;
    qint64 m_bodyLimit = std::numeric_limits<qint64>::max();
    qint64 m_bodyBytes = 0;
    qint64 m_remaining = 0; ///< Content-Length left, or bytes left in the current chunk
    qint64 m_chunkSize = 0;
    int m_chunkDigits = 0;
    int m_chunkExtBytes = 0;
};

} // namespace callwatch::http
