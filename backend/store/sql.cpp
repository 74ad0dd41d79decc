// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/sql.h"

#include "store/logging.h"
#include "store/sqlitenative.h"
#include "store/statementcache.h"
#include "store/transaction.h"

#include <QJsonDocument>
#include <QRegularExpression>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlField>
#include <QTimeZone>

#include <sqlite3.h>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace callwatch::store::sql {

namespace {

// PostgreSQL adds DETAIL/CONTEXT lines that may quote row values; keep the primary message.
QString driverText(const QSqlError &error)
{
    QString database = error.databaseText().section(u'\n', 0, 0).trimmed();
    QString driver = error.driverText().trimmed();
    if (database.isEmpty())
        return driver;
    if (driver.isEmpty())
        return database;
    return driver + u": " + database;
}

Error failure(const QSqlDatabase &db, const QString &name, const QString &driverMessage)
{
    Transaction::markStatementFailed(db);
    Error error{u"database_error"_s, u"Statement %1 failed: %2"_s.arg(name, driverMessage)};
    qCDebug(lcStore).noquote() << error.message;
    return error;
}

Error placeholderMismatch(const QString &name)
{
    return Error{u"database_error"_s,
                 u"Statement %1 has a different number of placeholders and values."_s.arg(name)};
}

// PostgreSQL stores no U+0000 in text and refuses the whole statement; a payload carrying one
// would then be answered 503 on every retry. Such a character becomes U+FFFD (bytea values keep
// every byte). SQLite stores it as is. (JSON columns: see json().)
QVariant postgresText(const QVariant &value)
{
    if (value.typeId() != QMetaType::QString)
        return value;
    const QString text = value.toString();
    if (!text.contains(QChar(0)))
        return value;
    QString cleaned = text;
    cleaned.replace(QChar(0), QChar(0xFFFD));
    return cleaned;
}

// QPSQL "prepares" by sending PREPARE/EXECUTE/DEALLOCATE with every value already escaped into
// the EXECUTE text by the driver's formatValue(). Escaping the same way into the statement itself
// is just as safe, takes one round trip instead of three, and leaves no prepared statement
// behind when a failed statement has aborted the transaction (DEALLOCATE would fail there).
Result<QString> inlineValues(const QSqlDatabase &db, const QString &name, const QString &statement,
                             const QVariantList &values)
{
    QString out;
    out.reserve(statement.size() + values.size() * 16);
    qsizetype next = 0;
    QChar quote; // inside '…' or "…" when set
    for (qsizetype i = 0; i < statement.size(); ++i) {
        const QChar c = statement.at(i);
        if (!quote.isNull()) {
            quote = c == quote ? QChar() : quote; // a doubled quote re-enters at once
        } else if (c == u'\'' || c == u'"') {
            quote = c;
        } else if (c == u'?') {
            if (next == values.size())
                return placeholderMismatch(name);
            const QVariant &value = values.at(next++);
            QSqlField field(QString(), value.metaType());
            field.setValue(postgresText(value));
            out += db.driver()->formatValue(field);
            continue;
        }
        out += c;
    }
    if (next != values.size())
        return placeholderMismatch(name);
    return out;
}

} // namespace

Rows::Rows(QSqlQuery &&owned) : m_owned(std::move(owned)) {}

Rows::Rows(std::shared_ptr<statementcache::Entry> cached, quint64 execution)
    : m_cached(std::move(cached)), m_execution(execution)
{}

Rows::Rows(Rows &&other) noexcept = default;
Rows &Rows::operator=(Rows &&other) noexcept = default;

Rows::~Rows()
{
    if (m_cached && ownsRun())
        m_cached->query.finish();
}

// A cached statement may have been run again by someone else since; only the latest run may
// be read or finished.
bool Rows::ownsRun() const
{
    return !m_cached || m_cached->execution == m_execution;
}

bool Rows::next()
{
    return ownsRun() && const_cast<QSqlQuery &>(query()).next();
}

QVariant Rows::value(int index) const
{
    return query().value(index);
}

int Rows::numRowsAffected() const
{
    return query().numRowsAffected();
}

void Rows::finish()
{
    if (ownsRun())
        const_cast<QSqlQuery &>(query()).finish();
}

const QSqlQuery &Rows::query() const
{
    return m_cached ? m_cached->query : *m_owned;
}

namespace {

Result<Rows> execOnce(const QSqlDatabase &db, const QString &statement, const QVariantList &values,
                      QString *driverMessage)
{
    auto entry = statementcache::prepared(db, statement, driverMessage);
    if (!entry)
        return Error{};
    for (qsizetype i = 0; i < values.size(); ++i)
        entry->query.bindValue(int(i), values.at(i));
    if (!entry->query.exec()) {
        *driverMessage = driverText(entry->query.lastError());
        statementcache::discard(db, statement);
        return Error{};
    }
    const quint64 execution = entry->execution;
    return Rows(std::move(entry), execution);
}

} // namespace

Result<Rows> exec(const QSqlDatabase &db, const QString &name, const QString &statement,
                  const QVariantList &values)
{
    if (values.isEmpty() || db.driverName() == u"QPSQL") {
        QString text = statement;
        if (!values.isEmpty()) {
            auto inlined = inlineValues(db, name, statement, values);
            if (!inlined)
                return inlined.error();
            text = inlined.value();
        }
        // PostgreSQL cannot PREPARE DDL; a statement without values has nothing to bind.
        QSqlQuery query(db);
        query.setForwardOnly(true);
        if (!query.exec(text))
            return failure(db, name, driverText(query.lastError()));
        return Rows(std::move(query));
    }
    QString driverMessage;
    const bool wasInTransaction = sqlitenative::inTransaction(db);
    auto rows = execOnce(db, statement, values, &driverMessage);
    if (!rows && (!wasInTransaction || sqlitenative::inTransaction(db))) {
        // Once more with a freshly prepared statement: a cached one dies with its connection
        // (closed and reopened after a failure). A statement that really fails changed nothing.
        // Not when SQLite rolled the transaction back (disk full): it would run outside it.
        rows = execOnce(db, statement, values, &driverMessage);
    }
    if (!rows)
        return failure(db, name, driverMessage);
    return rows;
}

Result<int> run(const QSqlDatabase &db, const QString &name, const QString &statement,
                const QVariantList &values)
{
    auto ran = runWithLastId(db, name, statement, values);
    if (!ran)
        return ran.error();
    return ran->affected;
}

namespace {

/// A QSQLITE statement through SQLite's C API (sqlitenative.h), once more with a freshly
/// prepared statement after a failure, as exec() does; but not after rows were handed over (the
/// caller would see them twice) nor after SQLite rolled back the transaction (the second run
/// would be outside it). nullopt: not a QSQLITE statement, use QtSql.
std::optional<Result<sqlitenative::RunResult>>
runNative(const QSqlDatabase &db, const QString &name, const QString &statement,
          const QVariantList &values, const sqlitenative::RowCallback &onRow = {})
{
    QString driverMessage;
    qsizetype rowsSeen = 0;
    for (int attempt = 0; attempt < 2; ++attempt) {
        auto entry = statementcache::prepared(db, statement, &driverMessage);
        if (!entry)
            continue;
        const auto ran = sqlitenative::run(entry->query, values, onRow, &rowsSeen);
        if (ran.status == sqlitenative::RunResult::Status::Done)
            return Result<sqlitenative::RunResult>(ran);
        if (ran.status == sqlitenative::RunResult::Status::Unavailable)
            return std::nullopt;
        driverMessage = ran.error;
        statementcache::discard(db, statement);
        if (rowsSeen > 0 || ran.transactionLost)
            break;
    }
    return Result<sqlitenative::RunResult>(failure(db, name, driverMessage));
}

} // namespace

Result<RunResult> runWithLastId(const QSqlDatabase &db, const QString &name,
                                const QString &statement, const QVariantList &values)
{
    if (!values.isEmpty() && db.driverName() == u"QSQLITE") {
        if (auto native = runNative(db, name, statement, values)) {
            if (!*native)
                return native->error();
            return RunResult{native->value().changes, native->value().lastInsertId};
        }
    }
    auto query = exec(db, name, statement, values);
    if (!query)
        return query.error();
    RunResult result;
    result.affected = query->numRowsAffected();
    if (db.driverName() == u"QSQLITE")
        result.lastInsertId = query->query().lastInsertId().toLongLong();
    query->finish();
    return result;
}

bool RowView::isNull(int column) const
{
    return m_row ? sqlite3_column_type(m_row, column) == SQLITE_NULL : m_query->isNull(column);
}

qint64 RowView::integer(int column) const
{
    return m_row ? sqlite3_column_int64(m_row, column) : m_query->value(column).toLongLong();
}

QByteArray RowView::utf8(int column) const
{
    if (!m_row)
        return m_query->isNull(column) ? QByteArray() : m_query->value(column).toString().toUtf8();
    // Text first: column_text() may convert the value, and column_bytes() then gives its size.
    const auto *text = reinterpret_cast<const char *>(sqlite3_column_text(m_row, column));
    if (!text)
        return {};
    return QByteArray(text, sqlite3_column_bytes(m_row, column));
}

QString RowView::text(int column) const
{
    if (!m_row)
        return m_query->value(column).toString();
    const auto *text = reinterpret_cast<const char *>(sqlite3_column_text(m_row, column));
    if (!text)
        return {};
    return QString::fromUtf8(text, sqlite3_column_bytes(m_row, column));
}

QDateTime RowView::time(int column) const
{
    // PostgreSQL hands TIMESTAMPTZ over as a QDateTime: keep the QVariant for toTime().
    return m_row ? toTime(text(column)) : toTime(m_query->value(column));
}

Result<> forEachRow(const QSqlDatabase &db, const QString &name, const QString &statement,
                    const QVariantList &values, const std::function<void(const RowView &)> &onRow)
{
    if (!values.isEmpty() && db.driverName() == u"QSQLITE") {
        const auto native = runNative(db, name, statement, values,
                                      [&onRow](sqlite3_stmt *row) { onRow(RowView(row)); });
        if (native) {
            if (!*native)
                return native->error();
            return {};
        }
    }
    auto rows = exec(db, name, statement, values);
    if (!rows)
        return rows.error();
    while (rows->next())
        onRow(RowView(rows->query()));
    rows->finish();
    return {};
}

Result<std::optional<QVariant>> scalar(const QSqlDatabase &db, const QString &name,
                                       const QString &statement, const QVariantList &values)
{
    auto query = exec(db, name, statement, values);
    if (!query)
        return query.error();
    std::optional<QVariant> value;
    if (query->next())
        value = query->value(0);
    query->finish();
    return value;
}

QString placeholders(qsizetype count)
{
    QString out;
    out.reserve(count * 3);
    for (qsizetype i = 0; i < count; ++i)
        out += i == 0 ? u"?"_s : u", ?"_s;
    return out;
}

QString valueRows(qsizetype rows, int columns)
{
    const QString row = u'(' + placeholders(columns) + u')';
    QString out;
    out.reserve(rows * (row.size() + 2));
    for (qsizetype i = 0; i < rows; ++i) {
        if (i > 0)
            out += u", "_s;
        out += row;
    }
    return out;
}

namespace {

// Days since 1970-01-01 to a civil date (proleptic Gregorian; H. Hinnant's civil_from_days).
void civilFromDays(qint64 days, int &year, int &month, int &day)
{
    days += 719468;
    const qint64 era = (days >= 0 ? days : days - 146096) / 146097;
    const qint64 dayOfEra = days - era * 146097;
    const qint64 yearOfEra =
        (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365;
    const qint64 dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
    const qint64 monthIndex = (5 * dayOfYear + 2) / 153;
    day = int(dayOfYear - (153 * monthIndex + 2) / 5 + 1);
    month = int(monthIndex < 10 ? monthIndex + 3 : monthIndex - 9);
    year = int(yearOfEra + era * 400 + (month <= 2 ? 1 : 0));
}

void putDigits(char *out, int value, int count)
{
    for (int i = count - 1; i >= 0; --i) {
        out[i] = char('0' + value % 10);
        value /= 10;
    }
}

} // namespace

QString timeText(const QDateTime &time)
{
    // By hand: QDateTime::toString(format) goes through the locale machinery, and this runs
    // several times for every stored webhook. Years 1970–9999 (every time we stamp) straight
    // from the instant; anything else through QDate.
    constexpr qint64 DayMs = 86400000;
    constexpr qint64 Year10000Ms = 253402300800000; // 10000-01-01T00:00:00Z
    const qint64 ms = time.isValid() ? time.toMSecsSinceEpoch() : -1;
    if (ms >= 0 && ms < Year10000Ms) {
        int year = 0;
        int month = 0;
        int day = 0;
        civilFromDays(ms / DayMs, year, month, day);
        const int msOfDay = int(ms % DayMs);
        char text[24] = {'0', '0', '0', '0', '-', '0', '0', '-', '0', '0', 'T', '0',
                         '0', ':', '0', '0', ':', '0', '0', '.', '0', '0', '0', 'Z'};
        putDigits(text, year, 4);
        putDigits(text + 5, month, 2);
        putDigits(text + 8, day, 2);
        putDigits(text + 11, msOfDay / 3600000, 2);
        putDigits(text + 14, msOfDay / 60000 % 60, 2);
        putDigits(text + 17, msOfDay / 1000 % 60, 2);
        putDigits(text + 20, msOfDay % 1000, 3);
        return QString::fromLatin1(text, sizeof text);
    }
    const QDateTime utc = time.toUTC();
    const QDate date = utc.date();
    const QTime clock = utc.time();
    char text[40];
    const int length = std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                                     date.year(), date.month(), date.day(), clock.hour(),
                                     clock.minute(), clock.second(), clock.msec());
    return QString::fromLatin1(text, qBound(0, length, int(sizeof text) - 1));
}

QVariant time(const QDateTime &time)
{
    return time.isValid() ? QVariant(timeText(time)) : QVariant();
}

namespace {

// timeText()'s own form, "YYYY-MM-DDTHH:MM:SS.mmmZ", read by hand: it is what SQLite gives back
// for every stored time, and the general path below costs a regex and the ISO parser per value.
std::optional<QDateTime> fromTimeText(QStringView text)
{
    constexpr QStringView shape = u"0000-00-00T00:00:00.000Z";
    if (text.size() != shape.size())
        return std::nullopt;
    int digits[17];
    int n = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char16_t c = text[i].unicode();
        if (shape[i] == u'0') {
            if (c < u'0' || c > u'9')
                return std::nullopt;
            digits[n++] = c - u'0';
        } else if (c != shape[i].unicode()) {
            return std::nullopt;
        }
    }
    auto number = [&digits](int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; ++i)
            value = value * 10 + digits[i];
        return value;
    };
    const QDate date(number(0, 4), number(4, 2), number(6, 2));
    const QTime clock(number(8, 2), number(10, 2), number(12, 2), number(14, 3));
    if (!date.isValid() || !clock.isValid())
        return std::nullopt;
    return QDateTime(date, clock, Qt::UTC); // what toUTC() gives on the general path
}

} // namespace

QDateTime toTime(const QVariant &value)
{
    if (value.isNull())
        return {};
    if (value.typeId() == QMetaType::QDateTime)
        return value.toDateTime().toUTC();
    if (value.typeId() == QMetaType::QString) {
        if (auto exact =
                fromTimeText(QStringView(*static_cast<const QString *>(value.constData()))))
            return *exact;
    }
    QString text = value.toString().trimmed();
    // PostgreSQL prints "2024-05-01 10:00:00.123+00"; Qt's ISO parser wants 'T' and "+00:00".
    if (text.size() > 10 && text.at(10) == u' ')
        text[10] = u'T';
    static const QRegularExpression shortOffset(u"([+-]\\d\\d)$"_s);
    text.replace(shortOffset, u"\\1:00"_s);
    QDateTime parsed = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (parsed.isValid() && parsed.timeSpec() == Qt::LocalTime)
        parsed.setTimeZone(QTimeZone::utc());
    return parsed.toUTC();
}

QDateTime nowUtc()
{
    return QDateTime::currentDateTimeUtc();
}

QVariant text(const QString &value)
{
    return value.isEmpty() ? QVariant() : QVariant(value);
}

namespace {

// PostgreSQL's jsonb refuses the escape \u0000 (and with it the delivery, on every retry); the
// structured JSON columns store U+FFFD instead, on both dialects so they read back the same.
QVariant jsonText(const QByteArray &compact)
{
    QString text = QString::fromUtf8(compact);
    if (text.contains(u"\\u0000"))
        text.replace(u"\\u0000"_s, u"\\ufffd"_s);
    return text;
}

} // namespace

QVariant json(const QJsonObject &value)
{
    if (value.isEmpty())
        return {};
    return jsonText(QJsonDocument(value).toJson(QJsonDocument::Compact));
}

QVariant json(const QJsonArray &value)
{
    if (value.isEmpty())
        return {};
    return jsonText(QJsonDocument(value).toJson(QJsonDocument::Compact));
}

QVariant jsonFromText(const QByteArray &compact)
{
    if (compact.isEmpty())
        return {};
    return jsonText(compact);
}

QJsonObject toJsonObject(const QVariant &value)
{
    if (value.isNull())
        return {};
    return QJsonDocument::fromJson(value.toString().toUtf8()).object();
}

QJsonArray toJsonArray(const QVariant &value)
{
    if (value.isNull())
        return {};
    return QJsonDocument::fromJson(value.toString().toUtf8()).array();
}

QVariant number(const std::optional<qint64> &value)
{
    return value ? QVariant(*value) : QVariant();
}

QVariant number(const std::optional<double> &value)
{
    return value ? QVariant(*value) : QVariant();
}

std::optional<qint64> toOptionalInt(const QVariant &value)
{
    if (value.isNull())
        return std::nullopt;
    return value.toLongLong();
}

std::optional<double> toOptionalDouble(const QVariant &value)
{
    if (value.isNull())
        return std::nullopt;
    return value.toDouble();
}

} // namespace callwatch::store::sql
