// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/readtransaction.h"

#include <QTcpSocket>

namespace callwatch::http {

qint64 ReadTransaction::read(char *buffer, qint64 max)
{
    if (!m_active) {
        m_socket->startTransaction();
        m_active = true;
    }
    const qint64 read = m_socket->read(buffer, max);
    if (read > 0)
        m_read += read;
    return read;
}

void ReadTransaction::settle()
{
    if (!m_active)
        return;
    const qint64 unconfirmed = m_read - m_confirmed;
    if (unconfirmed == 0 || !m_socket->isTransactionStarted()) {
        close();
        return;
    }
    if (m_confirmed == 0)
        return;
    m_socket->rollbackTransaction();
    m_socket->skip(m_confirmed);
    m_socket->startTransaction();
    m_socket->skip(unconfirmed); // re-read inside the new transaction; the caller has them
    m_read = unconfirmed;
    m_consumed -= m_confirmed;
    m_confirmed = 0;
}

void ReadTransaction::close()
{
    if (m_active && m_socket->isTransactionStarted())
        m_socket->commitTransaction();
    reset();
}

void ReadTransaction::giveBack()
{
    if (m_active && m_socket->isTransactionStarted()) {
        m_socket->rollbackTransaction();
        m_socket->skip(m_confirmed);
    }
    reset();
}

void ReadTransaction::reset()
{
    m_active = false;
    m_read = m_consumed = m_confirmed = 0;
}

} // namespace callwatch::http
