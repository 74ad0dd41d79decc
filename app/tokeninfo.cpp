// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/tokeninfo.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace callwatch::app {

TokenInfo TokenInfo::fromJwt(const QString &token)
{
    TokenInfo info;
    const QStringList parts = token.split(u'.');
    if (parts.size() != 3)
        return info;
    const QByteArray payload = QByteArray::fromBase64(
        parts.at(1).toLatin1(), QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    const QJsonDocument document = QJsonDocument::fromJson(payload);
    if (!document.isObject())
        return info;
    const QJsonObject claims = document.object();
    info.valid = true;
    info.subject = claims.value("sub"_L1).toString();
    const QJsonValue scope = claims.value("scope"_L1);
    if (scope.isString()) {
        info.scopes = scope.toString().split(u' ', Qt::SkipEmptyParts);
    } else {
        const QJsonArray array = scope.toArray();
        for (const QJsonValue &item : array)
            info.scopes.append(item.toString());
    }
    if (claims.value("exp"_L1).isDouble())
        info.expiresAt =
            QDateTime::fromSecsSinceEpoch(qint64(claims.value("exp"_L1).toDouble()), Qt::UTC);
    return info;
}

} // namespace callwatch::app
