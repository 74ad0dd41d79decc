// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/result.h"

#include <QString>

#include <functional>

QT_FORWARD_DECLARE_CLASS(QFileDevice)

namespace callwatch::webhooks::durablefile {

/**
 * @brief Flushes a descriptor's data to the disk (fdatasync for a file, fsync for a directory).
 * Returns false on failure with errno set. Replaceable so tests can make the disk refuse.
 */
using SyncFunction = std::function<bool(int fd, bool isDirectory)>;

/** The real one: fdatasync() for files, fsync() for directories. */
bool syncToDisk(int fd, bool isDirectory);

/**
 * @brief Publishes a finished temporary file under its final name so that it survives a crash
 * or a power cut from the moment this returns: the file's data reaches the disk first, then it
 * is renamed over `finalPath` in one step (a reader sees the old file or the new one, never a
 * half-written one or none), then the directory entry reaches the disk.
 *
 * A webhook's 200 says the data is stored; a decoded audio file that was only in the page cache
 * could be gone after a power cut while the call row, committed and flushed, points at it.
 * `file` must be open and in the same directory as `finalPath`. On failure `finalPath` is as it
 * was before (or, if only the directory sync failed, already the new file) and the caller answers
 * 503 so the sender retries.
 */
Result<> publish(QFileDevice &file, const QString &finalPath,
                 const SyncFunction &sync = syncToDisk);

/**
 * @brief A file name stem for an identifier that came from outside (a conversation id): the id
 * itself when it is short plain ASCII (letters, digits, '_', '-'), as ElevenLabs' ids are;
 * otherwise its plain part, cut to 80 characters, then '-' and 16 hex digits of its SHA-256, so
 * two ids never share a file ("a.b" and "a_b") and no name outgrows the file system's limit.
 */
QString safeName(const QString &id);

} // namespace callwatch::webhooks::durablefile
