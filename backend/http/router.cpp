// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/router.h"

#include "http/requestparser.h"

#include <QVarLengthArray>

using namespace Qt::StringLiterals;

namespace callwatch::http {

namespace {

using Segments = QVarLengthArray<QByteArrayView, 16>;

// "/api/calls/x" -> {"api", "calls", "x"}; "/" -> {""}. No allocation for short paths.
Segments splitPath(QByteArrayView rawPath)
{
    Segments segments;
    QByteArrayView rest = rawPath.sliced(1);
    for (;;) {
        const qsizetype slash = rest.indexOf('/');
        if (slash < 0) {
            segments.append(rest);
            return segments;
        }
        segments.append(rest.first(slash));
        rest = rest.sliced(slash + 1);
    }
}

bool literalMatches(const QByteArray &literal, QByteArrayView segment)
{
    if (!segment.contains('%'))
        return literal == segment;
    QByteArray decoded;
    return RequestParser::percentDecode(segment, &decoded) && decoded == literal;
}

bool segmentsMatch(const Route &route, const Segments &segments)
{
    if (route.segments.size() != segments.size())
        return false;
    for (qsizetype i = 0; i < segments.size(); ++i) {
        const Route::Segment &expected = route.segments.at(i);
        if (expected.capture ? segments[i].isEmpty()
                             : !literalMatches(expected.literal, segments[i]))
            return false;
    }
    return true;
}

QStringList captures(const Route &route, const Segments &segments)
{
    QStringList args;
    QByteArray decoded;
    for (qsizetype i = 0; i < segments.size(); ++i) {
        if (!route.segments.at(i).capture)
            continue;
        // The parser validated every escape of the path already.
        RequestParser::percentDecode(segments[i], &decoded);
        args.append(QString::fromUtf8(decoded));
    }
    return args;
}

} // namespace

HttpResponse RouteMatch::errorResponse() const
{
    if (kind != Kind::MethodNotAllowed)
        return HttpResponse::error(404, u"not_found"_s, u"There is no such resource."_s);
    HttpResponse response = HttpResponse::error(405, u"method_not_allowed"_s,
                                                u"This method is not allowed on this resource."_s);
    response.headers.append({QByteArrayLiteral("Allow"), allow});
    return response;
}

bool Router::parsePattern(const QString &pattern, QList<Route::Segment> *segments)
{
    if (!pattern.startsWith(u'/'))
        return false;
    segments->clear();
    const QStringList parts = pattern.sliced(1).split(u'/');
    for (const QString &part : parts) {
        if (part.startsWith(u'{') || part.endsWith(u'}')) {
            if (part.size() < 3 || !part.startsWith(u'{') || !part.endsWith(u'}'))
                return false;
            segments->append({{}, true});
        } else if (part.contains(u'{') || part.contains(u'}')) {
            return false;
        } else {
            segments->append({part.toUtf8(), false});
        }
    }
    return true;
}

bool Router::add(Route route)
{
    if (route.method.isEmpty() || !parsePattern(route.pattern, &route.segments))
        return false;
    m_routes.push_back(std::move(route));
    return true;
}

RouteMatch Router::match(QByteArrayView method, QByteArrayView rawPath) const
{
    RouteMatch result;
    if (!rawPath.startsWith('/'))
        return result;
    const Segments segments = splitPath(rawPath);
    QList<QByteArray> allowed;
    for (const Route &route : m_routes) {
        if (!segmentsMatch(route, segments))
            continue;
        if (route.method == method) {
            result.kind = RouteMatch::Kind::Found;
            result.route = &route;
            result.args = captures(route, segments);
            return result;
        }
        if (!allowed.contains(route.method))
            allowed.append(route.method);
    }
    if (!allowed.isEmpty()) {
        result.kind = RouteMatch::Kind::MethodNotAllowed;
        result.allow = allowed.join(", ");
    }
    return result;
}

} // namespace callwatch::http
