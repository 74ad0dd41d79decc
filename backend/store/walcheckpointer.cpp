// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/walcheckpointer.h"

#include "store/database.h"
#include "store/logging.h"

#include <QSqlError>
#include <QSqlQuery>

#include <pthread.h>

using namespace Qt::StringLiterals;

namespace callwatch::store {

WalCheckpointer::WalCheckpointer(Database *database) : m_database(database) {}

WalCheckpointer::~WalCheckpointer()
{
    stop();
}

void WalCheckpointer::start(std::chrono::milliseconds interval)
{
    std::lock_guard lock(m_mutex);
    if (m_thread.joinable())
        return;
    m_stopping = false;
    m_database->setWalAutoCheckpointPages(m_writerCheckpointPages);
    m_thread = std::thread([this, interval] { run(interval); });
}

void WalCheckpointer::stop()
{
    {
        std::lock_guard lock(m_mutex);
        if (!m_thread.joinable())
            return;
        m_stopping = true;
    }
    m_wake.notify_all();
    m_thread.join();
    m_database->setWalAutoCheckpointPages(Database::DefaultWalAutoCheckpointPages);
}

void WalCheckpointer::run(std::chrono::milliseconds interval)
{
    pthread_setname_np(pthread_self(), "wal-checkpoint"); // visible in top -H, perf, gdb
    QSqlDatabase db = m_database->connection();
    bool stopping = false;
    while (!stopping) {
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait_for(lock, interval, [this] { return m_stopping; });
            stopping = m_stopping;
        }
        checkpoint(db);
    }
    db = QSqlDatabase();
    m_database->closeThreadConnection();
}

void WalCheckpointer::checkpoint(QSqlDatabase &db)
{
    QSqlQuery query(db);
    if (!query.exec(u"PRAGMA wal_checkpoint(PASSIVE)"_s))
        qCWarning(lcStore).noquote() << "WAL checkpoint failed:" << query.lastError().text();
}

} // namespace callwatch::store
