// SPDX-License-Identifier: GPL-3.0-or-later
#include "live/jwtminter.h"

#include "live/jwtverifier.h"

#include <jwt.h>

#include <cstdlib>
#include <memory>

using namespace Qt::StringLiterals;

namespace callwatch::live {

namespace {

Error fail(const QString &code, const QString &message)
{
    return Error{code, message};
}

struct FreeDeleter
{
    void operator()(char *text) const { std::free(text); }
};

} // namespace

Result<QByteArray> JwtMinter::mint(const JwtConfig &config, const QString &subject,
                                   const QStringList &scopes, qint64 ttlSecs, qint64 nowUnix)
{
    if (const Result<> usable = JwtVerifier::validateConfig(config); !usable)
        return usable.error();
    const bool hmac = config.algorithm == "HS256"_L1;
    const QByteArray &key = hmac ? config.secretOrPublicKey : config.privateKey;
    if (!hmac && !key.contains("-----BEGIN"))
        return fail(u"invalid_config"_s, u"Minting RS256/ES256 tokens needs a PEM private key."_s);
    if (subject.isEmpty())
        return fail(u"invalid_argument"_s, u"A token needs a subject."_s);
    if (ttlSecs <= 0)
        return fail(u"invalid_argument"_s, u"The token lifetime must be positive."_s);
    for (const QString &scope : scopes) {
        if (scope.isEmpty() || scope.contains(u' '))
            return fail(u"invalid_argument"_s, u"A scope cannot be empty or contain spaces."_s);
    }

    jwt_t *raw = nullptr;
    if (jwt_new(&raw) != 0 || !raw)
        return fail(u"mint_failed"_s, u"Could not create a token."_s);
    const std::unique_ptr<jwt_t, decltype(&jwt_free)> jwt(raw, &jwt_free);
    const jwt_alg_t alg = jwt_str_alg(config.algorithm.toLatin1().constData());
    const QByteArray subjectUtf8 = subject.toUtf8();
    const QByteArray scopeUtf8 = scopes.join(u' ').toUtf8();
    bool ok = jwt_add_grant(jwt.get(), "sub", subjectUtf8.constData()) == 0;
    ok = ok && jwt_add_grant_int(jwt.get(), "iat", static_cast<long>(nowUnix)) == 0;
    ok = ok && jwt_add_grant_int(jwt.get(), "exp", static_cast<long>(nowUnix + ttlSecs)) == 0;
    if (!scopes.isEmpty())
        ok = ok && jwt_add_grant(jwt.get(), "scope", scopeUtf8.constData()) == 0;
    ok = ok && jwt_set_alg(jwt.get(), alg, reinterpret_cast<const unsigned char *>(key.constData()),
                           static_cast<int>(key.size())) == 0;
    if (!ok)
        return fail(u"mint_failed"_s, u"Could not build the token."_s);
    const std::unique_ptr<char, FreeDeleter> encoded(jwt_encode_str(jwt.get()));
    if (!encoded)
        return fail(u"mint_failed"_s, u"Could not sign the token (is the key valid?)."_s);
    return QByteArray(encoded.get());
}

} // namespace callwatch::live
