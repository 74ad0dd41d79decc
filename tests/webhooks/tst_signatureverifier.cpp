// SPDX-License-Identifier: GPL-3.0-or-later
#include "webhooks/signatureverifier.h"

#include <QTest>

using namespace Qt::StringLiterals;
using callwatch::webhooks::SignatureVerifier;

namespace {

// Reference values computed with openssl, independently of this code:
//   printf '%s' "$t.$body" | openssl dgst -sha256 -hmac "$secret"
constexpr auto OpensslSecret = "wsec_7f3c2a9e41b84d0c9a55e2f1d6b3a870";
constexpr qint64 OpensslTimestamp = 1739537297;
const QByteArray OpensslBody =
    R"({"type":"post_call_transcription","event_timestamp":1739537297,"data":{"agent_id":"agent_8401k3fleetsafety","conversation_id":"conv_01jmx4t2qf9b8r7w6v5s4n3p2k","status":"done"}})";
constexpr auto OpensslMac = "51fc306dc218448308989a91279dc325bf40e5565ddf2b86c381c36261709280";
// The UTF-8 bytes of {"message":"Grüße, Jürgen — 78 mph"}.
const QByteArray OpensslUtf8Body = "{\"message\":\"Gr\xc3\xbc\xc3\x9f"
                                   "e, J\xc3\xbcrgen \xe2\x80\x94 78 mph\"}";
constexpr auto OpensslUtf8Mac = "b655ec6adba47f9fb622aef3b50e6d5630748066b601ff2adeeb79f2671b030d";
constexpr auto OpensslEmptyMac = "36c2a9b003bc0d0967b7b1162fead6e8c5c3db85fb41c19bc59ee598c81354be";

const QByteArray Secret = "wsec_current_8c1d0b7e6a5f4e3d";
const QByteArray OldSecret = "wsec_previous_1a2b3c4d5e6f7a8b";
const QByteArray Body = R"({"type":"post_call_transcription","event_timestamp":1739537297})";
constexpr qint64 T = 1739537297;

QByteArray macOf(const QByteArray &header)
{
    return header.mid(header.indexOf("v0=") + 3);
}

QByteArray header(const QByteArray &t, const QByteArray &rest)
{
    return "t=" + t + rest;
}

} // namespace

class TestSignatureVerifier : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void verify_data();
    void verify();
    void signMatchesOpenssl_data();
    void signMatchesOpenssl();
    void outcomeCode_data();
    void outcomeCode();
    void fromConfigValue_data();
    void fromConfigValue();
};

void TestSignatureVerifier::verify_data()
{
    QTest::addColumn<QList<QByteArray>>("secrets");
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<qint64>("now");
    QTest::addColumn<QString>("expected");

    const QList<QByteArray> one{Secret};
    const QByteArray good = SignatureVerifier::sign(Secret, T, Body);
    const QByteArray mac = macOf(good);
    const QByteArray tS = QByteArray::number(T);
    QByteArray tampered = Body;
    tampered[tampered.size() - 2] = '8';
    QByteArray lastCharWrong = mac;
    lastCharWrong.back() = lastCharWrong.back() == '0' ? '1' : '0';
    QByteArray firstCharWrong = mac;
    firstCharWrong.front() = firstCharWrong.front() == '0' ? '1' : '0';
    const QByteArray otherMac = macOf(SignatureVerifier::sign("not-the-secret", T, Body));

    QTest::newRow("valid") << one << good << Body << T + 10 << u"valid"_s;
    QTest::newRow("valid, same second") << one << good << Body << T << u"valid"_s;
    QTest::newRow("wrong secret") << one << SignatureVerifier::sign("wsec_wrong", T, Body) << Body
                                  << T << u"invalid_signature"_s;
    QTest::newRow("tampered body") << one << good << tampered << T << u"invalid_signature"_s;
    QTest::newRow("body with a trailing newline")
        << one << good << QByteArray(Body + '\n') << T << u"invalid_signature"_s;
    QTest::newRow("tampered timestamp") << one << header(QByteArray::number(T + 1), ",v0=" + mac)
                                        << Body << T << u"invalid_signature"_s;
    QTest::newRow("timestamp with a leading zero is signed text, not a number")
        << one << header("0" + tS, ",v0=" + mac) << Body << T << u"invalid_signature"_s;
    QTest::newRow("last hex digit wrong")
        << one << header(tS, ",v0=" + lastCharWrong) << Body << T << u"invalid_signature"_s;
    QTest::newRow("first hex digit wrong")
        << one << header(tS, ",v0=" + firstCharWrong) << Body << T << u"invalid_signature"_s;
    QTest::newRow("mac prefix only")
        << one << header(tS, ",v0=" + mac.left(62)) << Body << T << u"invalid_signature"_s;
    QTest::newRow("mac with extra digits")
        << one << header(tS, ",v0=" + mac + "00") << Body << T << u"invalid_signature"_s;
    QTest::newRow("missing header") << one << QByteArray() << Body << T << u"missing_signature"_s;
    QTest::newRow("blank header") << one << QByteArray("  ") << Body << T << u"missing_signature"_s;
    QTest::newRow("v1 scheme only")
        << one << header(tS, ",v1=" + mac) << Body << T << u"malformed_signature"_s;
    QTest::newRow("v1 ignored next to v0")
        << one << header(tS, ",v1=" + otherMac + ",v0=" + mac) << Body << T << u"valid"_s;
    QTest::newRow("no t") << one << QByteArray("v0=" + mac) << Body << T
                          << u"malformed_signature"_s;
    QTest::newRow("no v0") << one << header(tS, QByteArray()) << Body << T
                           << u"malformed_signature"_s;
    QTest::newRow("t twice") << one << header(tS, ",t=" + tS + ",v0=" + mac) << Body << T
                             << u"malformed_signature"_s;
    QTest::newRow("non-numeric t")
        << one << header("17395x7297", ",v0=" + mac) << Body << T << u"malformed_signature"_s;
    QTest::newRow("negative t") << one << header("-5", ",v0=" + mac) << Body << T
                                << u"malformed_signature"_s;
    QTest::newRow("empty t") << one << header(QByteArray(), ",v0=" + mac) << Body << T
                             << u"malformed_signature"_s;
    QTest::newRow("part without =")
        << one << header(tS, ",v0=" + mac + ",garbage") << Body << T << u"malformed_signature"_s;
    QTest::newRow("uppercase hex")
        << one << header(tS, ",v0=" + mac.toUpper()) << Body << T << u"malformed_signature"_s;
    QTest::newRow("odd-length hex")
        << one << header(tS, ",v0=" + mac.left(63)) << Body << T << u"malformed_signature"_s;
    QTest::newRow("non-hex character")
        << one << header(tS, ",v0=" + mac.left(63) + "g") << Body << T << u"malformed_signature"_s;
    QTest::newRow("empty v0") << one << header(tS, ",v0=") << Body << T << u"malformed_signature"_s;

    QTest::newRow("exactly 30 min old") << one << good << Body << T + 30 * 60 << u"valid"_s;
    QTest::newRow("31 min old") << one << good << Body << T + 31 * 60 << u"expired"_s;
    QTest::newRow("forged and 31 min old is a mismatch")
        << one << header(tS, ",v0=" + otherMac) << Body << T + 31 * 60 << u"invalid_signature"_s;
    QTest::newRow("1 min in the future") << one << good << Body << T - 60 << u"valid"_s;
    QTest::newRow("exactly 5 min in the future") << one << good << Body << T - 5 * 60 << u"valid"_s;
    QTest::newRow("6 min in the future") << one << good << Body << T - 6 * 60 << u"from_future"_s;

    QTest::newRow("space after comma")
        << one << header(tS, ", v0=" + mac) << Body << T << u"valid"_s;
    QTest::newRow("spaces and tabs around parts")
        << one << QByteArray(" t=" + tS + " ,\tv0=" + mac + " ") << Body << T << u"valid"_s;
    QTest::newRow("v0 before t") << one << QByteArray("v0=" + mac + ",t=" + tS) << Body << T
                                 << u"valid"_s;
    QTest::newRow("trailing comma") << one << QByteArray(good + ",") << Body << T << u"valid"_s;
    QTest::newRow("two v0, second right")
        << one << header(tS, ",v0=" + otherMac + ",v0=" + mac) << Body << T << u"valid"_s;
    QTest::newRow("two v0, first right")
        << one << header(tS, ",v0=" + mac + ",v0=" + otherMac) << Body << T << u"valid"_s;
    QTest::newRow("two v0, none right")
        << one << header(tS, ",v0=" + otherMac + ",v0=" + lastCharWrong) << Body << T
        << u"invalid_signature"_s;

    QTest::newRow("no secret configured")
        << QList<QByteArray>() << good << Body << T << u"no_secret"_s;
    QTest::newRow("only empty secrets")
        << QList<QByteArray>{QByteArray(), QByteArray()} << good << Body << T << u"no_secret"_s;
    QTest::newRow("no secret and no header")
        << QList<QByteArray>() << QByteArray() << Body << T << u"no_secret"_s;
    QTest::newRow("rotation, signed with the second secret")
        << QList<QByteArray>{Secret, OldSecret} << SignatureVerifier::sign(OldSecret, T, Body)
        << Body << T << u"valid"_s;
    QTest::newRow("rotation, signed with the first secret")
        << QList<QByteArray>{Secret, OldSecret} << good << Body << T << u"valid"_s;
    QTest::newRow("rotation, signed with neither")
        << QList<QByteArray>{Secret, OldSecret} << SignatureVerifier::sign("wsec_third", T, Body)
        << Body << T << u"invalid_signature"_s;
    QTest::newRow("empty body") << one << SignatureVerifier::sign(Secret, T, QByteArray())
                                << QByteArray() << T << u"valid"_s;
    QTest::newRow("empty body, signature of another body")
        << one << good << QByteArray() << T << u"invalid_signature"_s;

    // Checked against openssl, not against sign().
    const QList<QByteArray> openssl{OpensslSecret};
    const QByteArray opensslT = QByteArray::number(OpensslTimestamp);
    QTest::newRow("openssl reference")
        << openssl << header(opensslT, ",v0=" + QByteArray(OpensslMac)) << OpensslBody
        << OpensslTimestamp + 5 << u"valid"_s;
    QTest::newRow("openssl reference, UTF-8 body")
        << openssl << header(opensslT, ",v0=" + QByteArray(OpensslUtf8Mac)) << OpensslUtf8Body
        << OpensslTimestamp << u"valid"_s;
    QTest::newRow("openssl reference, empty body")
        << openssl << header(opensslT, ",v0=" + QByteArray(OpensslEmptyMac)) << QByteArray()
        << OpensslTimestamp << u"valid"_s;
    QTest::newRow("openssl reference, other body")
        << openssl << header(opensslT, ",v0=" + QByteArray(OpensslMac)) << OpensslUtf8Body
        << OpensslTimestamp << u"invalid_signature"_s;
}

void TestSignatureVerifier::verify()
{
    QFETCH(QList<QByteArray>, secrets);
    QFETCH(QByteArray, header);
    QFETCH(QByteArray, body);
    QFETCH(qint64, now);
    QFETCH(QString, expected);

    const SignatureVerifier verifier(secrets);
    const SignatureVerifier::Verification result = verifier.verify(header, body, now);
    QCOMPARE(SignatureVerifier::outcomeCode(result.outcome), expected);
    QCOMPARE(result.ok(), expected == "valid"_L1);
    QVERIFY(!result.message.isEmpty());
    // The message goes to logs: it must not leak secrets or MACs.
    for (const QByteArray &secret : secrets) {
        if (!secret.isEmpty())
            QVERIFY(!result.message.contains(QString::fromUtf8(secret)));
    }
    const QByteArray mac = macOf(header);
    if (mac.size() >= 16)
        QVERIFY(!result.message.contains(QString::fromLatin1(mac.left(16)), Qt::CaseInsensitive));
}

void TestSignatureVerifier::signMatchesOpenssl_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("expected");
    const QByteArray prefix = "t=" + QByteArray::number(OpensslTimestamp) + ",v0=";
    QTest::newRow("ascii") << OpensslBody << QByteArray(prefix + OpensslMac);
    QTest::newRow("utf-8") << OpensslUtf8Body << QByteArray(prefix + OpensslUtf8Mac);
    QTest::newRow("empty") << QByteArray() << QByteArray(prefix + OpensslEmptyMac);
}

void TestSignatureVerifier::signMatchesOpenssl()
{
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, expected);
    QCOMPARE(SignatureVerifier::sign(OpensslSecret, OpensslTimestamp, body), expected);
}

void TestSignatureVerifier::outcomeCode_data()
{
    using Outcome = SignatureVerifier::Outcome;
    QTest::addColumn<int>("outcome");
    QTest::addColumn<QString>("code");
    QTest::newRow("valid") << int(Outcome::Valid) << u"valid"_s;
    QTest::newRow("missing") << int(Outcome::MissingHeader) << u"missing_signature"_s;
    QTest::newRow("malformed") << int(Outcome::Malformed) << u"malformed_signature"_s;
    QTest::newRow("expired") << int(Outcome::Expired) << u"expired"_s;
    QTest::newRow("future") << int(Outcome::FromFuture) << u"from_future"_s;
    QTest::newRow("mismatch") << int(Outcome::Mismatch) << u"invalid_signature"_s;
    QTest::newRow("no secret") << int(Outcome::NoSecretConfigured) << u"no_secret"_s;
}

void TestSignatureVerifier::outcomeCode()
{
    QFETCH(int, outcome);
    QFETCH(QString, code);
    QCOMPARE(SignatureVerifier::outcomeCode(SignatureVerifier::Outcome(outcome)), code);
}

void TestSignatureVerifier::fromConfigValue_data()
{
    QTest::addColumn<QString>("config");
    QTest::addColumn<int>("count");
    QTest::addColumn<QByteArray>("signingSecret");
    QTest::addColumn<bool>("accepted");

    QTest::newRow("single") << u"wsec_a"_s << 1 << QByteArray("wsec_a") << true;
    QTest::newRow("two, second used")
        << u"wsec_new,wsec_old"_s << 2 << QByteArray("wsec_old") << true;
    QTest::newRow("spaces and empty entries")
        << u" wsec_new , ,wsec_old ,"_s << 2 << QByteArray("wsec_new") << true;
    QTest::newRow("not configured") << QString() << 0 << QByteArray("wsec_a") << false;
    QTest::newRow("only commas") << u" , ,"_s << 0 << QByteArray("wsec_a") << false;
    QTest::newRow("unknown secret") << u"wsec_a,wsec_b"_s << 2 << QByteArray("wsec_c") << false;
    QTest::newRow("utf-8 secret") << u"wsec_gr\u00fc\u00dfe"_s << 1
                                  << QByteArray("wsec_gr\xc3\xbc\xc3\x9f"
                                                "e")
                                  << true;
}

void TestSignatureVerifier::fromConfigValue()
{
    QFETCH(QString, config);
    QFETCH(int, count);
    QFETCH(QByteArray, signingSecret);
    QFETCH(bool, accepted);

    const SignatureVerifier verifier = SignatureVerifier::fromConfigValue(config);
    QCOMPARE(verifier.secretCount(), qsizetype(count));
    const QByteArray signature = SignatureVerifier::sign(signingSecret, T, Body);
    QCOMPARE(verifier.verify(signature, Body, T).ok(), accepted);
}

QTEST_GUILESS_MAIN(TestSignatureVerifier)
#include "tst_signatureverifier.moc"
