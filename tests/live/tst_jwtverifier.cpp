// SPDX-License-Identifier: GPL-3.0-or-later
#include "live/jwtminter.h"
#include "live/jwtverifier.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace callwatch;
using namespace callwatch::live;
using namespace Qt::StringLiterals;

namespace {

constexpr qint64 Now = 1'800'000'000;
const QByteArray Secret = QByteArrayLiteral("0123456789abcdef0123456789abcdef-test-only");

QByteArray b64(const QByteArray &bytes)
{
    return bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QByteArray json(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

/** A token built by hand (not by libjwt), HMAC-SHA256-signed with `hmacKey` unless empty. */
QByteArray craft(const QJsonObject &header, const QJsonObject &payload,
                 const QByteArray &hmacKey = Secret)
{
    const QByteArray signingInput = b64(json(header)) + '.' + b64(json(payload));
    if (hmacKey.isEmpty())
        return signingInput + '.';
    const QByteArray mac =
        QMessageAuthenticationCode::hash(signingInput, hmacKey, QCryptographicHash::Sha256);
    return signingInput + '.' + b64(mac);
}

QJsonObject hs256Header()
{
    return {{"alg"_L1, "HS256"_L1}, {"typ"_L1, "JWT"_L1}};
}

QJsonObject claims(qint64 exp, const QJsonValue &scope = u"calls:read"_s)
{
    return {{"sub"_L1, "alice"_L1}, {"exp"_L1, exp}, {"iat"_L1, Now - 10}, {"scope"_L1, scope}};
}

QJsonObject with(QJsonObject object, const QString &key, const QJsonValue &value)
{
    if (value.isUndefined())
        object.remove(key);
    else
        object.insert(key, value);
    return object;
}

JwtConfig hsConfig(const QByteArray &secret = Secret)
{
    JwtConfig config;
    config.algorithm = u"HS256"_s;
    config.secretOrPublicKey = secret;
    return config;
}

} // namespace

class TestJwtVerifier : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void verify_data();
    void verify();
    void scopes_data();
    void scopes();
    void mintedHs256IsStandard();
    void mintRejects_data();
    void mintRejects();

private:
    QByteArray runOpenssl(const QStringList &arguments);
    JwtConfig asymmetricConfig(const QString &algorithm, bool withPrivate = true) const;

    QTemporaryDir m_dir;
    QByteArray m_rsaPrivate, m_rsaPublic, m_otherRsaPrivate, m_ecPrivate, m_ecPublic;
};

QByteArray TestJwtVerifier::runOpenssl(const QStringList &arguments)
{
    QProcess process;
    process.setWorkingDirectory(m_dir.path());
    process.start(u"openssl"_s, arguments);
    if (!process.waitForFinished(60000) || process.exitCode() != 0)
        qWarning() << "openssl" << arguments << process.readAllStandardError();
    return process.readAllStandardOutput();
}

void TestJwtVerifier::initTestCase()
{
    // Test-only key pairs, generated fresh so no private key lives in the repository.
    QVERIFY2(!QStandardPaths::findExecutable(u"openssl"_s).isEmpty(),
             "the openssl command is needed to generate test keys");
    QVERIFY(m_dir.isValid());
    m_rsaPrivate = runOpenssl(
        {u"genpkey"_s, u"-algorithm"_s, u"RSA"_s, u"-pkeyopt"_s, u"rsa_keygen_bits:2048"_s});
    m_otherRsaPrivate = runOpenssl(
        {u"genpkey"_s, u"-algorithm"_s, u"RSA"_s, u"-pkeyopt"_s, u"rsa_keygen_bits:2048"_s});
    m_ecPrivate = runOpenssl(
        {u"genpkey"_s, u"-algorithm"_s, u"EC"_s, u"-pkeyopt"_s, u"ec_paramgen_curve:P-256"_s});
    QFile rsa(m_dir.filePath(u"rsa.pem"_s)), ec(m_dir.filePath(u"ec.pem"_s));
    QVERIFY(rsa.open(QIODevice::WriteOnly) && rsa.write(m_rsaPrivate) > 0);
    QVERIFY(ec.open(QIODevice::WriteOnly) && ec.write(m_ecPrivate) > 0);
    rsa.close();
    ec.close();
    m_rsaPublic = runOpenssl({u"pkey"_s, u"-in"_s, u"rsa.pem"_s, u"-pubout"_s});
    m_ecPublic = runOpenssl({u"pkey"_s, u"-in"_s, u"ec.pem"_s, u"-pubout"_s});
    QVERIFY(m_rsaPublic.startsWith("-----BEGIN PUBLIC KEY-----"));
    QVERIFY(m_ecPublic.startsWith("-----BEGIN PUBLIC KEY-----"));
    QVERIFY(m_otherRsaPrivate.contains("PRIVATE KEY"));
}

JwtConfig TestJwtVerifier::asymmetricConfig(const QString &algorithm, bool withPrivate) const
{
    JwtConfig config;
    config.algorithm = algorithm;
    const bool rsa = algorithm == "RS256"_L1;
    config.secretOrPublicKey = rsa ? m_rsaPublic : m_ecPublic;
    if (withPrivate)
        config.privateKey = rsa ? m_rsaPrivate : m_ecPrivate;
    return config;
}

void TestJwtVerifier::verify_data()
{
    QTest::addColumn<JwtConfig>("config");
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<QString>("expectedError"); // empty: valid

    const auto mint = [](const JwtConfig &config, qint64 ttl = 3600) {
        const Result<QByteArray> token =
            JwtMinter::mint(config, u"alice"_s, {u"calls:read"_s}, ttl, Now);
        if (!token)
            qWarning() << "mint failed:" << token.error().code << token.error().message;
        return token ? token.value() : QByteArray();
    };
    const JwtConfig hs = hsConfig();
    const JwtConfig rs = asymmetricConfig(u"RS256"_s);
    const JwtConfig es = asymmetricConfig(u"ES256"_s);
    JwtConfig otherRs = rs;
    otherRs.privateKey = m_otherRsaPrivate;
    const QJsonObject good = claims(Now + 600);
    const QByteArray validCrafted = craft(hs256Header(), good);
    const QList<QByteArray> parts = validCrafted.split('.');

    QTest::newRow("valid HS256 (minted)") << hs << mint(hs) << QString();
    QTest::newRow("valid HS256 (hand-made)") << hs << validCrafted << QString();
    QTest::newRow("valid RS256 round trip") << rs << mint(rs) << QString();
    QTest::newRow("valid ES256 round trip") << es << mint(es) << QString();

    QTest::newRow("empty") << hs << QByteArray() << u"missing_token"_s;
    QTest::newRow("two segments") << hs << (parts[0] + '.' + parts[1]) << u"malformed_token"_s;
    QTest::newRow("four segments") << hs << (validCrafted + ".x") << u"malformed_token"_s;
    QTest::newRow("garbage base64 header")
        << hs << ("!!*$." + parts[1] + '.' + parts[2]) << u"malformed_token"_s;
    QTest::newRow("header not JSON")
        << hs << (b64("alg=HS256") + '.' + parts[1] + '.' + parts[2]) << u"malformed_token"_s;
    QTest::newRow("payload not JSON")
        << hs << (parts[0] + '.' + b64("[1,2") + '.' + parts[2]) << u"malformed_token"_s;
    QTest::newRow("header without alg")
        << hs << craft({{"typ"_L1, "JWT"_L1}}, good) << u"malformed_token"_s;
    QTest::newRow("too long") << hs << QByteArray(9000, 'a') << u"malformed_token"_s;

    QTest::newRow("wrong secret") << hs << craft(hs256Header(), good, Secret + "-other")
                                  << u"bad_signature"_s;
    QTest::newRow("payload swapped")
        << hs << (parts[0] + '.' + b64(json(claims(Now + 99999))) + '.' + parts[2])
        << u"bad_signature"_s;
    QTest::newRow("empty signature")
        << hs << (parts[0] + '.' + parts[1] + '.') << u"bad_signature"_s;
    QTest::newRow("RS256 signed by another key") << rs << mint(otherRs) << u"bad_signature"_s;

    QTest::newRow("alg none") << hs << craft({{"alg"_L1, "none"_L1}}, good, {})
                              << u"wrong_algorithm"_s;
    QTest::newRow("alg NONE with signature")
        << hs << craft({{"alg"_L1, "NONE"_L1}}, good) << u"wrong_algorithm"_s;
    QTest::newRow("alg none against RS256")
        << rs << craft({{"alg"_L1, "none"_L1}}, good, {}) << u"wrong_algorithm"_s;
    QTest::newRow("alg hs256 lower case")
        << hs << craft({{"alg"_L1, "hs256"_L1}}, good) << u"wrong_algorithm"_s;
    // The classic confusion: HMAC keyed with the public key PEM everybody can read.
    QTest::newRow("HS256 token, RS256 configured (PEM as HMAC secret)")
        << rs << craft(hs256Header(), good, m_rsaPublic) << u"wrong_algorithm"_s;
    QTest::newRow("HS256 token, ES256 configured (PEM as HMAC secret)")
        << es << craft(hs256Header(), good, m_ecPublic) << u"wrong_algorithm"_s;
    QTest::newRow("RS256 token, HS256 configured") << hs << mint(rs) << u"wrong_algorithm"_s;
    QTest::newRow("ES256 token, RS256 configured") << rs << mint(es) << u"wrong_algorithm"_s;

    QTest::newRow("missing exp") << hs
                                 << craft(hs256Header(),
                                          with(good, u"exp"_s, QJsonValue::Undefined))
                                 << u"missing_exp"_s;
    QTest::newRow("exp not a number")
        << hs << craft(hs256Header(), with(good, u"exp"_s, u"tomorrow"_s)) << u"malformed_token"_s;
    QTest::newRow("expired") << hs << craft(hs256Header(), claims(Now - 1)) << u"expired"_s;
    QTest::newRow("expires exactly now") << hs << craft(hs256Header(), claims(Now)) << u"expired"_s;
    QTest::newRow("exp has no leeway")
        << hs << craft(hs256Header(), claims(Now - 30)) << u"expired"_s;
    QTest::newRow("expires in a second")
        << hs << craft(hs256Header(), claims(Now + 1)) << QString();
    QTest::newRow("minted, one second left") << hs << mint(hs, 1) << QString();

    QTest::newRow("nbf beyond leeway")
        << hs << craft(hs256Header(), with(good, u"nbf"_s, Now + 61)) << u"not_yet_valid"_s;
    QTest::newRow("nbf at leeway")
        << hs << craft(hs256Header(), with(good, u"nbf"_s, Now + 60)) << QString();
    QTest::newRow("nbf within leeway")
        << hs << craft(hs256Header(), with(good, u"nbf"_s, Now + 20)) << QString();
    QTest::newRow("iat beyond leeway")
        << hs << craft(hs256Header(), with(good, u"iat"_s, Now + 120)) << u"not_yet_valid"_s;
    QTest::newRow("iat within leeway")
        << hs << craft(hs256Header(), with(good, u"iat"_s, Now + 59)) << QString();

    QTest::newRow("scope of wrong type")
        << hs << craft(hs256Header(), claims(Now + 600, 42)) << u"malformed_token"_s;
    QTest::newRow("sub of wrong type")
        << hs << craft(hs256Header(), with(good, u"sub"_s, 7)) << u"malformed_token"_s;
    QTest::newRow("secret too short")
        << hsConfig("short") << craft(hs256Header(), good, "short") << u"invalid_config"_s;
}

void TestJwtVerifier::verify()
{
    QFETCH(JwtConfig, config);
    QFETCH(QByteArray, token);
    QFETCH(QString, expectedError);

    const Result<Claims> result = JwtVerifier(config).verify(token, Now);
    if (expectedError.isEmpty()) {
        QVERIFY2(result.ok(), qPrintable(result.error().code + u": "_s + result.error().message));
        QCOMPARE(result->subject, u"alice"_s);
        QCOMPARE(result->scopes, QStringList{u"calls:read"_s});
        QVERIFY(result->expiresAt > Now);
        QVERIFY(hasScope(result.value(), "calls:read"));
    } else {
        QVERIFY2(!result.ok(), "the token was accepted");
        QCOMPARE(result.error().code, expectedError);
        QVERIFY(!result.error().message.isEmpty());
    }
}

void TestJwtVerifier::scopes_data()
{
    QTest::addColumn<QJsonValue>("scope");
    QTest::addColumn<QStringList>("expected");
    QTest::addColumn<bool>("canRead");

    QTest::newRow("single") << QJsonValue(u"calls:read"_s) << QStringList{u"calls:read"_s} << true;
    QTest::newRow("space separated")
        << QJsonValue(u"admin  calls:read "_s) << QStringList{u"admin"_s, u"calls:read"_s} << true;
    QTest::newRow("array") << QJsonValue(QJsonArray{u"calls:read"_s, u"calls:write"_s})
                           << QStringList{u"calls:read"_s, u"calls:write"_s} << true;
    QTest::newRow("other scope only")
        << QJsonValue(u"calls:write"_s) << QStringList{u"calls:write"_s} << false;
    QTest::newRow("prefix is not a match")
        << QJsonValue(u"calls:reader"_s) << QStringList{u"calls:reader"_s} << false;
    QTest::newRow("absent") << QJsonValue(QJsonValue::Undefined) << QStringList{} << false;
}

void TestJwtVerifier::scopes()
{
    QFETCH(QJsonValue, scope);
    QFETCH(QStringList, expected);
    QFETCH(bool, canRead);

    const QByteArray token = craft(hs256Header(), with(claims(Now + 60), u"scope"_s, scope));
    const Result<Claims> result = JwtVerifier(hsConfig()).verify(token, Now);
    QVERIFY(result.ok());
    QCOMPARE(result->scopes, expected);
    QCOMPARE(hasScope(result.value(), u"calls:read"_s), canRead);
}

void TestJwtVerifier::mintedHs256IsStandard()
{
    // What libjwt signs must be plain RFC 7515 HS256: check it without libjwt.
    const Result<QByteArray> token =
        JwtMinter::mint(hsConfig(), u"dashboard"_s, {u"calls:read"_s, u"x"_s}, 8 * 3600, Now);
    QVERIFY(token.ok());
    const QList<QByteArray> parts = token->split('.');
    QCOMPARE(parts.size(), 3);
    const QByteArray expectedMac = QMessageAuthenticationCode::hash(
        parts[0] + '.' + parts[1], Secret, QCryptographicHash::Sha256);
    QCOMPARE(parts[2], b64(expectedMac));
    const QJsonObject payload =
        QJsonDocument::fromJson(QByteArray::fromBase64(parts[1], QByteArray::Base64UrlEncoding))
            .object();
    QCOMPARE(payload.value("sub"_L1).toString(), u"dashboard"_s);
    QCOMPARE(payload.value("exp"_L1).toInteger(), Now + 8 * 3600);
    QCOMPARE(payload.value("iat"_L1).toInteger(), Now);
    QCOMPARE(payload.value("scope"_L1).toString(), u"calls:read x"_s);
}

void TestJwtVerifier::mintRejects_data()
{
    QTest::addColumn<JwtConfig>("config");
    QTest::addColumn<QString>("subject");
    QTest::addColumn<QStringList>("scopes");
    QTest::addColumn<qint64>("ttl");
    QTest::addColumn<QString>("expectedError");

    QTest::newRow("short secret") << hsConfig("tiny") << u"a"_s << QStringList{} << qint64(60)
                                  << u"invalid_config"_s;
    QTest::newRow("RS256 without private key")
        << asymmetricConfig(u"RS256"_s, false) << u"a"_s << QStringList{} << qint64(60)
        << u"invalid_config"_s;
    JwtConfig unknown = hsConfig();
    unknown.algorithm = u"none"_s;
    QTest::newRow("alg none") << unknown << u"a"_s << QStringList{} << qint64(60)
                              << u"invalid_config"_s;
    QTest::newRow("no subject") << hsConfig() << QString() << QStringList{} << qint64(60)
                                << u"invalid_argument"_s;
    QTest::newRow("zero ttl") << hsConfig() << u"a"_s << QStringList{} << qint64(0)
                              << u"invalid_argument"_s;
    QTest::newRow("scope with space")
        << hsConfig() << u"a"_s << QStringList{u"a b"_s} << qint64(60) << u"invalid_argument"_s;
}

void TestJwtVerifier::mintRejects()
{
    QFETCH(JwtConfig, config);
    QFETCH(QString, subject);
    QFETCH(QStringList, scopes);
    QFETCH(qint64, ttl);
    QFETCH(QString, expectedError);

    const Result<QByteArray> token = JwtMinter::mint(config, subject, scopes, ttl, Now);
    QVERIFY(!token.ok());
    QCOMPARE(token.error().code, expectedError);
}

QTEST_GUILESS_MAIN(TestJwtVerifier)
#include "tst_jwtverifier.moc"
