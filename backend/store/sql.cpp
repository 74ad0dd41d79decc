// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/sql.h"

#include "store/logging.h"
#include "store/transaction.h"

#include <QJsonDocument>
#include <QRegularExpression>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlField>
#include <QTimeZone>

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

Error failure(const QSqlDatabase &db, const QString &name, const QSqlQuery &query)
{
    Transaction::markStatementFailed(db);
    Error error{u"database_error"_s,
                u"Statement %1 failed: %2"_s.arg(name, driverText(query.lastError()))};
    qCDebug(lcStore).noquote() << error.message;
    return error;
}

Error placeholderMismatch(const QString &name)
{
    return Error{u"database_error"_s,
                 u"Statement %1 has a different number of placeholders and values."_s.arg(name)};
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
            field.setValue(value);
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

Result<QSqlQuery> exec(const QSqlDatabase &db, const QString &name, const QString &statement,
                       const QVariantList &values)
{
    QSqlQuery query(db);
    query.setForwardOnly(true);
    if (values.isEmpty()) {
        // PostgreSQL cannot PREPARE DDL, and there is nothing to bind anyway.
        if (!query.exec(statement))
            return failure(db, name, query);
        return query;
    }
    if (db.driverName() == u"QPSQL") {
        auto inlined = inlineValues(db, name, statement, values);
        if (!inlined)
            return inlined.error();
        if (!query.exec(inlined.value()))
            return failure(db, name, query);
        return query;
    }
    if (!query.prepare(statement))
        return failure(db, name, query);
    for (const QVariant &value : values)
        query.addBindValue(value);
    if (!query.exec())
        return failure(db, name, query);
    return query;
}

Result<int> run(const QSqlDatabase &db, const QString &name, const QString &statement,
                const QVariantList &values)
{
    auto query = exec(db, name, statement, values);
    if (!query)
        return query.error();
    const int affected = query->numRowsAffected();
    query->finish();
    return affected;
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

QString timeText(const QDateTime &time)
{
    return time.toUTC().toString(u"yyyy-MM-ddTHH:mm:ss.zzz"_s) + u'Z';
}

QVariant time(const QDateTime &time)
{
    return time.isValid() ? QVariant(timeText(time)) : QVariant();
}

QDateTime toTime(const QVariant &value)
{
    if (value.isNull())
        return {};
    if (value.typeId() == QMetaType::QDateTime)
        return value.toDateTime().toUTC();
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

QVariant json(const QJsonObject &value)
{
    if (value.isEmpty())
        return {};
    return QString::fromUtf8(QJsonDocument(value).toJson(QJsonDocument::Compact));
}

QVariant json(const QJsonArray &value)
{
    if (value.isEmpty())
        return {};
    return QString::fromUtf8(QJsonDocument(value).toJson(QJsonDocument::Compact));
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
