// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>

namespace callwatch::store {

/**
 * @brief Splits a migration script into statements on `;` outside quotes, comments and
 * PostgreSQL dollar-quoted bodies (`$$ … $$`, `$tag$ … $tag$`): QSQLITE executes one statement
 * per call. Comment-only pieces are dropped. Not handled: SQLite trigger bodies (`BEGIN … END;`).
 */
QStringList splitSqlScript(const QString &script);

} // namespace callwatch::store
