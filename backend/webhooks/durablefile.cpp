// SPDX-License-Identifier: GPL-3.0-or-later
#include "webhooks/durablefile.h"

#include "webhooks/digest.h"

#include <QFile>
#include <QFileDevice>
#include <QFileInfo>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace callwatch::webhooks::durablefile {

namespace {

Error ioError(const QString &what)
{
    return Error{u"io_error"_s, what + u": "_s + QString::fromLocal8Bit(std::strerror(errno))};
}

} // namespace

bool syncToDisk(int fd, bool isDirectory)
{
    // A file's size and blocks are data to fdatasync; a directory's entries need fsync.
    return (isDirectory ? ::fsync(fd) : ::fdatasync(fd)) == 0;
}

QString safeName(const QString &id)
{
    constexpr qsizetype MaxPlain = 96;
    constexpr qsizetype KeptWhenHashed = 80;
    const auto plain = [](QChar c) {
        return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9') ||
               c == u'_' || c == u'-';
    };
    QString stem;
    stem.reserve(id.size());
    for (const QChar c : id)
        stem.append(plain(c) ? c : u'_');
    if (!id.isEmpty() && stem == id && id.size() <= MaxPlain)
        return stem;
    return stem.left(KeptWhenHashed) + u'-' +
           QString::fromLatin1(digest::sha256Hex(id.toUtf8()).left(16));
}

Result<> publish(QFileDevice &file, const QString &finalPath, const SyncFunction &sync)
{
    if (!file.isOpen() || !file.flush())
        return Error{u"io_error"_s, u"The file could not be written: "_s + file.errorString()};
    if (!sync(file.handle(), false))
        return ioError(u"The file could not be flushed to disk"_s);
    // rename(2) replaces an existing file atomically; QFile::rename() refuses to.
    const QByteArray from = QFile::encodeName(file.fileName());
    const QByteArray to = QFile::encodeName(finalPath);
    if (::rename(from.constData(), to.constData()) != 0)
        return ioError(u"The file could not be renamed"_s);
    const QByteArray directory = QFile::encodeName(QFileInfo(finalPath).absolutePath());
    const int dirFd = ::open(directory.constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirFd < 0)
        return ioError(u"The directory could not be opened"_s);
    const bool synced = sync(dirFd, true);
    const int syncErrno = errno;
    ::close(dirFd);
    errno = syncErrno;
    if (!synced)
        return ioError(u"The directory could not be flushed to disk"_s);
    return {};
}

} // namespace callwatch::webhooks::durablefile
