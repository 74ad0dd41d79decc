// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/sqlscript.h"

namespace callwatch::store {

namespace {

bool isTagChar(QChar c, bool first)
{
    return c == u'_' || c.isLetter() || (!first && c.isDigit());
}

// At script[i] == '$': the whole opening tag ("$$", "$body$") or empty when it is not one
// (e.g. the parameter "$1").
QString dollarTagAt(const QString &script, qsizetype i)
{
    qsizetype j = i + 1;
    while (j < script.size() && isTagChar(script.at(j), j == i + 1))
        ++j;
    if (j < script.size() && script.at(j) == u'$')
        return script.mid(i, j - i + 1);
    return {};
}

// Index just past the construct starting at i (a quote, comment or dollar body), or -1.
qsizetype skipQuoted(const QString &script, qsizetype i)
{
    const QChar c = script.at(i);
    const QChar next = i + 1 < script.size() ? script.at(i + 1) : QChar();
    if (c == u'\'' || c == u'"') {
        // A doubled quote inside is an escaped quote: scanning on handles it.
        const qsizetype end = script.indexOf(c, i + 1);
        return end < 0 ? script.size() : end + 1;
    }
    if (c == u'-' && next == u'-') {
        const qsizetype end = script.indexOf(u'\n', i);
        return end < 0 ? script.size() : end + 1;
    }
    if (c == u'/' && next == u'*') {
        const qsizetype end = script.indexOf(QStringLiteral("*/"), i + 2);
        return end < 0 ? script.size() : end + 2;
    }
    if (c == u'$') {
        const QString tag = dollarTagAt(script, i);
        if (tag.isEmpty())
            return -1;
        const qsizetype end = script.indexOf(tag, i + tag.size());
        return end < 0 ? script.size() : end + tag.size();
    }
    return -1;
}

bool isComment(const QString &script, qsizetype i)
{
    const QChar next = i + 1 < script.size() ? script.at(i + 1) : QChar();
    return (script.at(i) == u'-' && next == u'-') || (script.at(i) == u'/' && next == u'*');
}

} // namespace

QStringList splitSqlScript(const QString &script)
{
    QStringList statements;
    qsizetype start = 0;
    bool hasContent = false; // anything but whitespace and comments since `start`
    qsizetype i = 0;
    while (i < script.size()) {
        const qsizetype skipped = skipQuoted(script, i);
        if (skipped >= 0) {
            hasContent = hasContent || !isComment(script, i);
            i = skipped;
            continue;
        }
        const QChar c = script.at(i);
        if (c == u';') {
            if (hasContent)
                statements << script.mid(start, i - start).trimmed();
            start = i + 1;
            hasContent = false;
        } else if (!c.isSpace()) {
            hasContent = true;
        }
        ++i;
    }
    if (hasContent)
        statements << script.mid(start).trimmed();
    return statements;
}

} // namespace callwatch::store
