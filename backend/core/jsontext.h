// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QString>

#include <algorithm>

/**
 * JSON text written by hand on hot paths (every webhook's inbox row, every live turn's event),
 * byte for byte what QJsonDocument's compact form writes. Plain text, the common case, is
 * copied as it is; anything that needs escaping goes through QJsonDocument itself.
 */
namespace callwatch::jsontext {

/** Printable ASCII without quote or backslash: a character a JSON string holds as it stands. */
constexpr bool isPlain(char32_t c)
{
    return c >= 0x20 && c <= 0x7e && c != U'"' && c != U'\\';
}

/** Text made only of such characters: a JSON string as it stands. */
inline bool isPlain(QStringView text)
{
    return std::all_of(text.begin(), text.end(), [](QChar c) { return isPlain(c.unicode()); });
}

/** The same for Latin-1 text (header values). */
inline bool isPlain(QLatin1StringView text)
{
    return std::all_of(text.begin(), text.end(),
                       [](char c) { return isPlain(static_cast<unsigned char>(c)); });
}

/** `text` as a JSON string literal, quotes included. */
inline QByteArray quoted(const QString &text)
{
    if (isPlain(text))
        return '"' + text.toLatin1() + '"';
    const QByteArray array = QJsonDocument(QJsonArray{text}).toJson(QJsonDocument::Compact);
    return array.mid(1, array.size() - 2); // ["…"] → "…"
}

/** A JSON number. Written here only where QJsonDocument's form is plain (positive, below 1e6:
 * times in a call; whole numbers as integers, 100000 and never 1e+05; others the shortest
 * round trip); anything else goes through QJsonDocument, whose choices there are its own. */
inline QByteArray number(double value)
{
    if (value > 0 && value < 1e6) {
        const auto whole = qint64(value);
        return double(whole) == value
                   ? QByteArray::number(whole)
                   : QByteArray::number(value, 'g', QLocale::FloatingPointShortest);
    }
    const QByteArray array = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return array.mid(1, array.size() - 2); // [n] → n
}

} // namespace callwatch::jsontext
