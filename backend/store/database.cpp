// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/database.h"

#include "store/logging.h"
#include "store/statementcache.h"
#include "store/walwritevfs.h"

#include <QDir>
#include <QFileInfo>
#include <QMutexLocker>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>

#include <atomic>

using namespace Qt::StringLiterals;

namespace callwatch::store {

namespace {

QString driverFor(Dialect dialect)
{
    return dialect == Dialect::Sqlite ? u"QSQLITE"_s : u"QPSQL"_s;
}

QString nextNamePrefix()
{
    static std::atomic<quint64> counter{0};
    return u"callwatch-db-%1"_s.arg(++counter);
}

} // namespace

Database::Database(DatabaseUrl url) : m_url(std::move(url)), m_namePrefix(nextNamePrefix()) {}

Database::~Database()
{
    QStringList names;
    {
        QMutexLocker locker(&m_mutex);
        names = m_connections.values();
        if (m_connections.size() > 1 ||
            (m_connections.size() == 1 && !m_connections.contains(QThread::currentThread()))) {
            qCWarning(lcStore) << "Database destroyed while other threads still hold connections";
        }
    }
    closeConnectionOf(QThread::currentThread(), false);
    for (const QString &name : std::as_const(names)) {
        statementcache::drop(name);
        if (QSqlDatabase::contains(name))
            QSqlDatabase::removeDatabase(name);
    }
}

Result<std::unique_ptr<Database>> Database::open(const DatabaseUrl &url)
{
    std::unique_ptr<Database> database(new Database(url));
    auto connection = database->openConnection();
    if (!connection)
        return connection.error();
    return database;
}

Dialect Database::dialectOf(const QSqlDatabase &db)
{
    return db.driverName() == u"QPSQL" ? Dialect::Postgresql : Dialect::Sqlite;
}

Error Database::unavailable(const QString &detail) const
{
    return Error{u"database_unavailable"_s,
                 u"Cannot use the database %1: %2"_s.arg(m_url.redacted(), detail)};
}

QString Database::threadConnectionName()
{
    QThread *thread = QThread::currentThread();
    QString name;
    bool watch = false;
    {
        QMutexLocker locker(&m_mutex);
        name = m_connections.value(thread);
        if (name.isEmpty()) {
            name = m_namePrefix + u'-' + QString::number(++m_connectionCounter);
            m_connections.insert(thread, name);
            watch = !m_watchedThreads.contains(thread);
            m_watchedThreads.insert(thread);
        }
    }
    if (watch) {
        // Direct: `finished` is emitted in the finishing thread, the only one that may close it.
        connect(
            thread, &QThread::finished, this, [this, thread] { closeConnectionOf(thread, true); },
            Qt::DirectConnection);
    }
    return name;
}

Result<QSqlDatabase> Database::addConnection(const QString &name) const
{
    if (!QSqlDatabase::isDriverAvailable(driverFor(dialect())))
        return unavailable(u"the Qt SQL driver %1 is not installed"_s.arg(driverFor(dialect())));
    QSqlDatabase db = QSqlDatabase::addDatabase(driverFor(dialect()), name);
    if (dialect() == Dialect::Sqlite) {
        walwritevfs::install(); // before the first connection opens a file
        db.setDatabaseName(m_url.sqlitePath());
        db.setConnectOptions(u"QSQLITE_BUSY_TIMEOUT=10000"_s);
    } else {
        db.setHostName(m_url.host());
        db.setPort(m_url.port());
        db.setUserName(m_url.userName());
        db.setPassword(m_url.password());
        db.setDatabaseName(m_url.databaseName());
        db.setConnectOptions(m_url.connectOptions());
    }
    return db;
}

Result<QSqlDatabase> Database::openConnection()
{
    const QString name = threadConnectionName();
    QSqlDatabase db = QSqlDatabase::database(name, false);
    if (db.isValid() && db.isOpen())
        return db;
    if (!db.isValid()) {
        auto added = addConnection(name);
        if (!added)
            return added.error();
        db = added.value();
    }
    if (dialect() == Dialect::Sqlite && !m_url.isSqliteMemory()) {
        const QString dir = QFileInfo(m_url.sqlitePath()).absolutePath();
        if (!QDir().mkpath(dir))
            return unavailable(u"cannot create the directory %1"_s.arg(dir));
    }
    if (!db.open())
        return unavailable(db.lastError().text());
    if (auto configured = configure(db); !configured) {
        db.close();
        return configured.error();
    }
    return db;
}

QSqlDatabase Database::connection()
{
    auto db = openConnection();
    if (db)
        return db.value();
    qCWarning(lcStore).noquote() << db.error().message;
    return QSqlDatabase::database(threadConnectionName(), false);
}

Result<> Database::configure(QSqlDatabase &db) const
{
    QStringList statements;
    if (dialect() == Dialect::Sqlite) {
        // One PRAGMA per exec (QSQLITE runs a single statement). FULL: an acknowledged write
        // survives power loss, which webhook acknowledgements promise.
        // temp_store: statement journals of nested savepoints stay in memory instead of temp
        // files (they showed up as file writes on every webhook).
        // checkpoint_fullfsync: checkpoint syncs carry SQLITE_SYNC_FULL, which is how the
        // gathering VFS tells them from a commit's own sync (walwritevfs.h); on Linux both are
        // the same fdatasync.
        statements = {u"PRAGMA journal_mode=WAL"_s, u"PRAGMA synchronous=FULL"_s,
                      u"PRAGMA checkpoint_fullfsync=ON"_s, u"PRAGMA foreign_keys=ON"_s,
                      u"PRAGMA temp_store=MEMORY"_s};
        statements << u"PRAGMA wal_autocheckpoint=%1"_s.arg(m_walAutoCheckpointPages.load());
        // After a restart SQLite cuts the WAL back to this size, so a burst leaves no giant file.
        // Above the WAL of a writer's checkpoint limit (16384 pages of 4 KiB plus frame headers,
        // 64.4 MiB), so the file is not cut and grown again on every cycle.
        statements << u"PRAGMA journal_size_limit=75497472"_s;
    } else {
        statements = {u"SET TIME ZONE 'UTC'"_s};
    }
    QSqlQuery query(db);
    for (const QString &statement : std::as_const(statements)) {
        if (!query.exec(statement))
            return unavailable(statement + u": " + query.lastError().text());
        if (statement.contains(u"journal_mode") && query.next()) {
            const QString mode = query.value(0).toString().toLower();
            if (mode != u"wal" && !m_url.isSqliteMemory())
                return unavailable(u"cannot switch to WAL mode (got %1)"_s.arg(mode));
        }
        query.finish();
    }
    return {};
}

void Database::closeThreadConnection()
{
    closeConnectionOf(QThread::currentThread(), false);
}

void Database::closeConnectionOf(QThread *thread, bool threadFinished)
{
    QString name;
    {
        QMutexLocker locker(&m_mutex);
        name = m_connections.take(thread);
        if (threadFinished)
            m_watchedThreads.remove(thread); // its address may be reused by a later thread
    }
    if (name.isEmpty())
        return;
    statementcache::drop(name);
    {
        QSqlDatabase db = QSqlDatabase::database(name, false);
        if (db.isValid())
            db.close();
    }
    QSqlDatabase::removeDatabase(name);
}

Result<> Database::ping()
{
    auto opened = openConnection();
    if (!opened)
        return opened.error();
    QSqlDatabase db = opened.value();
    QString detail;
    {
        QSqlQuery query(db);
        if (query.exec(u"SELECT 1"_s) && query.next())
            return {};
        detail = query.lastError().text();
    }
    // Close but keep the handle: the next connection() reopens it, and repositories holding
    // copies of it share the reopened connection. Its prepared statements die with it.
    statementcache::drop(db.connectionName());
    db.close();
    return unavailable(detail);
}

} // namespace callwatch::store
