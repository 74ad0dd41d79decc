// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "http/httptypes.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>
#include <QStringList>

#include <deque>

namespace callwatch::http {

/** @brief One registered route: method, pattern, handler (sync or async) and its options. */
struct Route
{
    struct Segment
    {
        QByteArray literal; ///< UTF-8 text to match exactly; empty for a placeholder
        bool capture = false;
    };

    QByteArray method;
    QString pattern;
    QList<Segment> segments;
    SyncHandler syncHandler; ///< exactly one of the two handlers is set
    AsyncHandler asyncHandler;
    RouteOptions options;
};

/** @brief The outcome of a lookup: a route, 405 with the allowed methods, or 404. */
struct RouteMatch
{
    enum class Kind { Found, MethodNotAllowed, NotFound };

    Kind kind = Kind::NotFound;
    const Route *route = nullptr;
    QStringList args; ///< percent-decoded {placeholder} values, in pattern order
    QByteArray allow; ///< for MethodNotAllowed: "GET, POST"

    /** The JSON 404, or 405 with its Allow header, for a lookup that found no route. */
    HttpResponse errorResponse() const;
};

/**
 * @brief The route table. Patterns are literal segments and `{name}` placeholders that capture
 * one non-empty path segment, e.g. "/api/calls/{call_sid}". Segments are compared before
 * percent-decoding splits them, so "%2F" inside a segment never creates a new one.
 * The first registered route matching path and method wins.
 */
class Router
{
public:
    /** False (and nothing added) when the pattern is not "/" followed by valid segments. */
    bool add(Route route);
    RouteMatch match(QByteArrayView method, QByteArrayView rawPath) const;
    bool isEmpty() const { return m_routes.empty(); }

    static bool parsePattern(const QString &pattern, QList<Route::Segment> *segments);

private:
    std::deque<Route> m_routes; ///< deque: Route pointers stay valid while routes are added
};

} // namespace callwatch::http
