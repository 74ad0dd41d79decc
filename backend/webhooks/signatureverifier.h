// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>
#include <QStringView>

namespace callwatch::webhooks {

/**
 * @brief Checks the `ElevenLabs-Signature` header (`t=<unix>,v0=<hex>`) of a webhook delivery.
 *
 * The signed message is the timestamp text exactly as it appears in the header, a literal '.',
 * then the raw body; the MAC is HMAC-SHA256 keyed with the secret's bytes as-is, in lowercase
 * hex. Several secrets may be configured so a secret can be rotated without losing deliveries.
 *
 * Header parsing rules (more tolerant than the official SDKs, never less strict about the MAC):
 * - parts are separated by ','; spaces and tabs around each part are ignored ("t=1, v0=ab");
 * - `t=` must appear exactly once and be ASCII digits only;
 * - `v0=` may appear several times (a sender rotating secrets may sign with both); the header is
 *   valid when ANY v0 value matches ANY configured secret;
 * - every v0 value must be non-empty, even-length, lowercase hex: uppercase hex is Malformed,
 *   because the scheme defines lowercase and a sender producing uppercase is broken;
 * - parts with other keys (e.g. `v1=`) are ignored, so a header with only `v1=` is Malformed
 *   (no v0); a part without '=' is Malformed.
 *
 * Order of checks: secret configured, header present, header well-formed, MAC, then clock.
 * The MAC is checked BEFORE the clock on purpose: Expired and FromFuture are only reported for
 * authentic deliveries, which tells a replayed/old retry apart from a forgery in the logs.
 * Every v0 value is compared with every secret over the full length, without early exit.
 */
class SignatureVerifier
{
public:
    enum class Outcome {
        Valid,
        MissingHeader,
        Malformed,
        Expired,
        FromFuture,
        Mismatch,
        NoSecretConfigured,
    };

    struct Verification
    {
        Outcome outcome = Outcome::Mismatch;
        QString message; ///< one sentence for logs; never contains secrets, MACs or body content
        bool ok() const { return outcome == Outcome::Valid; }
    };

    /** A delivery whose t is older than this (seconds) is Expired; exactly this old is accepted. */
    static constexpr qint64 MaxAgeSecs = 30 * 60;
    /** A delivery whose t is further ahead than this (seconds) is FromFuture. */
    static constexpr qint64 MaxFutureSkewSecs = 5 * 60;

    /** Empty entries are dropped. Two secrets are expected during a rotation; more are allowed. */
    explicit SignatureVerifier(const QList<QByteArray> &secrets = {});

    /**
     * From a config value such as "wsec_new,wsec_old": split on ',', surrounding whitespace
     * trimmed, empty entries ignored; each secret is used as its UTF-8 bytes.
     */
    static SignatureVerifier fromConfigValue(QStringView commaSeparated);

    qsizetype secretCount() const { return m_secrets.size(); }

    Verification verify(QByteArrayView header, QByteArrayView rawBody, qint64 nowUnixSecs) const;

    /** The full header value "t=<t>,v0=<lowercase hex>" for @p body signed with @p secret. */
    static QByteArray sign(QByteArrayView secret, qint64 t, QByteArrayView body);

    /**
     * Stable code for storage: "valid", "missing_signature", "malformed_signature", "expired",
     * "from_future", "invalid_signature", "no_secret".
     */
    static QString outcomeCode(Outcome outcome);

private:
    QList<QByteArray> m_secrets;
};

} // namespace callwatch::webhooks
