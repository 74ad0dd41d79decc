// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/result.h"
#include "store/databaseurl.h"

#include <QHash>
#include <QMutex>
#include <QObject>
#include <QSet>
#include <QSqlDatabase>

#include <atomic>
#include <memory>

QT_BEGIN_NAMESPACE
class QThread;
QT_END_NAMESPACE

namespace callwatch::store {

/**
 * @brief One database (SQLite file or PostgreSQL server) shared by every thread of the process.
 *
 * QtSql allows a connection only in the thread that created it, so connection() hands each
 * thread its own, created on first use and closed when that thread finishes (QThread::finished,
 * also emitted for adopted std::threads) or when closeThreadConnection() is called. Destroy the
 * Database after the threads that used it have finished; it closes what is left.
 */
class Database : public QObject
{
    Q_OBJECT

public:
    /// Opens the calling thread's connection to check that the database is reachable.
    static Result<std::unique_ptr<Database>> open(const DatabaseUrl &url);
    ~Database() override;

    Dialect dialect() const { return m_url.dialect(); }
    const DatabaseUrl &url() const { return m_url; }

    /**
     * @brief This thread's connection, opened (or re-opened) on demand.
     * If it cannot be opened the handle is not open and every query on it fails with the driver's
     * error; use openConnection() where the reason matters.
     */
    QSqlDatabase connection();
    Result<QSqlDatabase> openConnection();
    /// Closes and forgets the calling thread's connection (the next connection() reconnects).
    void closeThreadConnection();
    /// Runs `SELECT 1` on this thread's connection; a failure closes it so that the next
    /// connection()/openConnection() in this thread reconnects (same handle, so copies held by
    /// repositories work again afterwards).
    Result<> ping();

    /// SQLite: the WAL length (pages) at which connections opened from now on checkpoint in
    /// their own COMMIT (SQLite's default 1000; a WalCheckpointer raises it, see there).
    static constexpr int DefaultWalAutoCheckpointPages = 1000;
    void setWalAutoCheckpointPages(int pages) { m_walAutoCheckpointPages = pages; }

    /// The dialect of a connection made by a Database (from its driver name).
    static Dialect dialectOf(const QSqlDatabase &db);

private:
    explicit Database(DatabaseUrl url);
    QString threadConnectionName();
    Result<QSqlDatabase> addConnection(const QString &name) const;
    Result<> configure(QSqlDatabase &db) const;
    Error unavailable(const QString &detail) const;
    void closeConnectionOf(QThread *thread, bool threadFinished);

    DatabaseUrl m_url;
    QString m_namePrefix;
    QMutex m_mutex; ///< guards the members below
    QHash<QThread *, QString> m_connections;
    QSet<QThread *> m_watchedThreads; ///< threads whose `finished` we listen to
    quint64 m_connectionCounter = 0;
    std::atomic<int> m_walAutoCheckpointPages{DefaultWalAutoCheckpointPages};
};

} // namespace callwatch::store
