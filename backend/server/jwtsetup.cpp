// SPDX-License-Identifier: GPL-3.0-or-later
#include "server/jwtsetup.h"

#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QSaveFile>

using namespace Qt::StringLiterals;

namespace callwatch::server {

namespace {

Result<QByteArray> generatedSecret(const QString &dataDir)
{
    const QString path = QDir(dataDir).filePath(u"jwt-secret"_s);
    QFile existing(path);
    if (existing.open(QIODevice::ReadOnly)) {
        const QByteArray secret = existing.readAll().trimmed();
        if (secret.size() >= 32)
            return secret;
    }
    QDir().mkpath(dataDir);
    QByteArray random(48, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(random.data()),
                                          random.size() / int(sizeof(quint32)));
    const QByteArray secret =
        random.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(secret) != secret.size())
        return Error{u"jwt_secret_unwritable"_s, u"Cannot write %1"_s.arg(path)};
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    if (!file.commit())
        return Error{u"jwt_secret_unwritable"_s, u"Cannot write %1"_s.arg(path)};
    return secret;
}

} // namespace

Result<live::JwtConfig> jwtConfigFor(const Config &config)
{
    live::JwtConfig jwt;
    if (config.has(u"jwt-algorithm"_s))
        jwt.algorithm = config.value(u"jwt-algorithm"_s).toUpper();
    if (jwt.algorithm == u"HS256"_s) {
        if (config.has(u"jwt-secret"_s)) {
            jwt.secretOrPublicKey = config.value(u"jwt-secret"_s).toUtf8();
            return jwt;
        }
        auto secret = generatedSecret(config.dataDir());
        if (!secret)
            return secret.error();
        jwt.secretOrPublicKey = secret.value();
        return jwt;
    }
    QFile key(config.value(u"jwt-public-key"_s));
    if (!key.open(QIODevice::ReadOnly))
        return Error{u"jwt_key_unreadable"_s,
                     u"%1 needs jwt-public-key, a readable PEM file"_s.arg(jwt.algorithm)};
    jwt.secretOrPublicKey = key.readAll();
    return jwt;
}

} // namespace callwatch::server
