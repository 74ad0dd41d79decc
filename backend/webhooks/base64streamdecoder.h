// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QIODevice>
#include <QString>

namespace callwatch::webhooks {

/**
 * @brief Decodes standard-alphabet base64 (RFC 4648 §4) fed in arbitrary pieces straight into a
 * QIODevice, buffering at most one flush block of output.
 *
 * Accepted: A–Z a–z 0–9 + /, '=' padding only at the end (a missing final padding is tolerated),
 * and ASCII whitespace anywhere (line-wrapped encoders). Rejected: any other character (including
 * the URL-safe '-' and '_'), data after padding, and a dangling single character at the end.
 * Output is written in blocks of at most flushSize bytes.
 */
class Base64StreamDecoder
{
public:
    enum class Failure { None, InvalidBase64, WriteFailed };

    explicit Base64StreamDecoder(QIODevice &output, qsizetype flushSize = 64 * 1024);

    bool feed(QByteArrayView text); ///< false once a failure happened (see failure())
    bool finish();                  ///< decodes the tail and flushes; false on failure

    Failure failure() const { return m_failure; }
    QString errorString() const { return m_errorString; }
    qint64 bytesDecoded() const { return m_decoded; }
    qint64 charactersSeen() const { return m_seen; }

private:
    bool fail(Failure failure, const QString &message);
    bool flush();

    QIODevice &m_output;
    qsizetype m_flushSize;
    QByteArray m_pending; ///< decoded bytes not yet written
    unsigned char m_quad[4] = {};
    int m_quadSize = 0;
    int m_padding = 0; ///< '=' seen so far; once non-zero only '=' and whitespace may follow
    qint64 m_decoded = 0;
    qint64 m_seen = 0;
    Failure m_failure = Failure::None;
    QString m_errorString;
};

} // namespace callwatch::webhooks
