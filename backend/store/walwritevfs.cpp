// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/walwritevfs.h"

#include "store/logging.h"

#include <sqlite3.h>

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstring>
#include <mutex>
#include <new>
#include <vector>

namespace callwatch::store::walwritevfs {

namespace {

constexpr const char *kVfsName = "callwatch-walwrite";
/// Beyond this the gathered bytes are written out before more are taken (a large post-call).
constexpr size_t kMaxGathered = 8 * 1024 * 1024;
/// What a WAL file keeps allocated between commits (a commit of live turns is ~120 KiB).
constexpr size_t kKeptCapacity = 1024 * 1024;
/// Bytes per write of the default VFS (see flush()).
constexpr size_t kMaxWritePiece = 124 * 1024;

std::atomic<quint64> g_gatheredWrites{0};
std::atomic<quint64> g_flushes{0};
std::atomic<quint64> g_skippedSyncs{0};

sqlite3_vfs g_vfs;
sqlite3_vfs *g_base = nullptr;

struct ShimFile;

int flush(ShimFile *file);
void flushPendingOfThreadOrPoison();

/// The gathering state of one thread: whether it is on, and the WAL file holding its bytes.
struct ThreadState
{
    int gathering = 0;
    ShimFile *pending = nullptr;
    ~ThreadState();
};
thread_local ThreadState t_state;

/**
 * One open WAL or main database file. The default VFS's own file object follows this struct
 * in the memory SQLite allocated (see openShim()). Only the thread using the connection
 * touches it, as SQLite allows one thread inside a connection at a time.
 */
struct ShimFile
{
    sqlite3_file base; // first: SQLite reads pMethods from here
    sqlite3_file *real = nullptr;
    bool wal = false;
    std::vector<char> gathered;
    sqlite3_int64 gatheredAt = 0; // file offset of gathered[0]
    ThreadState *owner = nullptr; // the thread whose `pending` is this file, while gathering
    int stickyError = SQLITE_OK;  // a write of gathered bytes that failed where SQLite could
                                  // not be told (barrier, unlock): every later use fails
    int descriptor = -1;          // the main database's descriptor, when known (startWriteback)
};

constexpr size_t realOffset()
{
    return (sizeof(ShimFile) + 15) & ~size_t(15);
}

ShimFile *shim(sqlite3_file *file)
{
    return reinterpret_cast<ShimFile *>(file);
}

const sqlite3_io_methods *realMethods(ShimFile *file)
{
    return file->real->pMethods;
}

int flush(ShimFile *file)
{
    if (file->gathered.empty())
        return SQLITE_OK;
    // The default VFS writes at most 0x1ffff bytes per call (it masks larger sizes), so the
    // gathered bytes go out in pieces below that: one write for a commit of ~30 pages.
    int rc = SQLITE_OK;
    for (size_t done = 0; done < file->gathered.size() && rc == SQLITE_OK;) {
        const size_t piece = std::min(file->gathered.size() - done, kMaxWritePiece);
        rc = realMethods(file)->xWrite(file->real, file->gathered.data() + done, int(piece),
                                       file->gatheredAt + sqlite3_int64(done));
        done += piece;
    }
    if (rc != SQLITE_OK)
        qCWarning(lcStore) << "WAL write failed: SQLite error" << rc;
    file->gathered.clear();
    if (file->gathered.capacity() > kKeptCapacity)
        file->gathered.shrink_to_fit(); // after a large post-call
    if (file->owner && file->owner->pending == file)
        file->owner->pending = nullptr;
    file->owner = nullptr;
    ++g_flushes;
    return rc;
}

/// For the places where SQLite cannot be told of a failed write (it ignores the result): the
/// file then refuses every later read, write and sync, so nothing goes on as if it had worked.
void flushPendingOfThreadOrPoison()
{
    ShimFile *file = t_state.pending;
    if (!file)
        return;
    if (const int rc = flush(file); rc != SQLITE_OK)
        file->stickyError = rc;
}

ThreadState::~ThreadState()
{
    // A thread ending inside a write transaction: nothing may point here afterwards.
    flushPendingOfThreadOrPoison();
}

// --- I/O methods --------------------------------------------------------------------------

int shimClose(sqlite3_file *file)
{
    ShimFile *f = shim(file);
    int rc = f->wal ? flush(f) : SQLITE_OK;
    if (t_state.pending == f)
        t_state.pending = nullptr;
    const int closed = f->real->pMethods ? realMethods(f)->xClose(f->real) : SQLITE_OK;
    f->~ShimFile();
    return rc != SQLITE_OK ? rc : closed;
}

int shimRead(sqlite3_file *file, void *out, int amount, sqlite3_int64 offset)
{
    ShimFile *f = shim(file);
    if (f->stickyError != SQLITE_OK)
        return f->stickyError;
    if (f->wal) {
        if (const int rc = flush(f); rc != SQLITE_OK)
            return rc;
    }
    return realMethods(f)->xRead(f->real, out, amount, offset);
}

int shimWrite(sqlite3_file *file, const void *data, int amount, sqlite3_int64 offset)
{
    ShimFile *f = shim(file);
    if (f->stickyError != SQLITE_OK)
        return f->stickyError;
    if (!f->wal || t_state.gathering == 0 || amount <= 0)
        return flush(f) == SQLITE_OK ? realMethods(f)->xWrite(f->real, data, amount, offset)
                                     : SQLITE_IOERR_WRITE;
    const auto *bytes = static_cast<const char *>(data);
    const sqlite3_int64 end = f->gatheredAt + sqlite3_int64(f->gathered.size());
    if (!f->gathered.empty() && offset >= f->gatheredAt && offset + amount <= end) {
        // SQLite rewrites a frame of the same transaction in place: keep the newest bytes.
        std::memcpy(f->gathered.data() + (offset - f->gatheredAt), bytes, size_t(amount));
        ++g_gatheredWrites;
        return SQLITE_OK;
    }
    const bool continues = !f->gathered.empty() && offset == end;
    if (!continues || f->gathered.size() + size_t(amount) > kMaxGathered) {
        if (const int rc = flush(f); rc != SQLITE_OK)
            return rc;
    }
    if (t_state.pending && t_state.pending != f) {
        if (const int rc = flush(t_state.pending); rc != SQLITE_OK)
            return rc;
    }
    if (f->gathered.empty())
        f->gatheredAt = offset;
    f->gathered.insert(f->gathered.end(), bytes, bytes + amount);
    t_state.pending = f;
    f->owner = &t_state;
    ++g_gatheredWrites;
    return SQLITE_OK;
}

int shimTruncate(sqlite3_file *file, sqlite3_int64 size)
{
    ShimFile *f = shim(file);
    if (const int rc = flush(f); rc != SQLITE_OK)
        return rc;
    return realMethods(f)->xTruncate(f->real, size);
}

int shimSync(sqlite3_file *file, int flags)
{
    ShimFile *f = shim(file);
    if (f->stickyError != SQLITE_OK)
        return f->stickyError;
    if (const int rc = flush(f); rc != SQLITE_OK)
        return rc;
    // The commit's own sync on a gathering thread: the frames are written; flushing them to
    // disk is the caller's (WalSyncer). Checkpoint syncs come with SQLITE_SYNC_FULL.
    if (f->wal && t_state.gathering > 0 && (flags & 0x0f) == SQLITE_SYNC_NORMAL) {
        ++g_skippedSyncs;
        return SQLITE_OK;
    }
    return realMethods(f)->xSync(f->real, flags);
}

int shimFileSize(sqlite3_file *file, sqlite3_int64 *size)
{
    ShimFile *f = shim(file);
    if (const int rc = flush(f); rc != SQLITE_OK)
        return rc;
    return realMethods(f)->xFileSize(f->real, size);
}

int shimLock(sqlite3_file *file, int level)
{
    return realMethods(shim(file))->xLock(shim(file)->real, level);
}

int shimUnlock(sqlite3_file *file, int level)
{
    return realMethods(shim(file))->xUnlock(shim(file)->real, level);
}

int shimCheckReservedLock(sqlite3_file *file, int *out)
{
    return realMethods(shim(file))->xCheckReservedLock(shim(file)->real, out);
}

int shimFileControl(sqlite3_file *file, int op, void *arg)
{
    ShimFile *f = shim(file);
    if (f->wal) {
        if (const int rc = flush(f); rc != SQLITE_OK)
            return rc;
    }
    return realMethods(f)->xFileControl(f->real, op, arg);
}

int shimSectorSize(sqlite3_file *file)
{
    return realMethods(shim(file))->xSectorSize(shim(file)->real);
}

int shimDeviceCharacteristics(sqlite3_file *file)
{
    return realMethods(shim(file))->xDeviceCharacteristics(shim(file)->real);
}

int shimShmMap(sqlite3_file *file, int page, int pageSize, int extend, void volatile **out)
{
    return realMethods(shim(file))->xShmMap(shim(file)->real, page, pageSize, extend, out);
}

int shimShmLock(sqlite3_file *file, int offset, int n, int flags)
{
    // Nothing stays gathered past a write transaction: after a commit its sync wrote it all
    // already; after a rollback these are frames past the end of the log, written as SQLite
    // would have written them.
    if ((flags & SQLITE_SHM_UNLOCK) != 0 && t_state.pending)
        flushPendingOfThreadOrPoison();
    return realMethods(shim(file))->xShmLock(shim(file)->real, offset, n, flags);
}

void shimShmBarrier(sqlite3_file *file)
{
    // SQLite publishes a commit in the wal-index between two barriers. The commit's sync has
    // written the frames already; this only matters if a connection of a gathering thread
    // committed without one (synchronous below FULL), so its frames are in the file first.
    flushPendingOfThreadOrPoison();
    realMethods(shim(file))->xShmBarrier(shim(file)->real);
}

int shimShmUnmap(sqlite3_file *file, int deleteFlag)
{
    return realMethods(shim(file))->xShmUnmap(shim(file)->real, deleteFlag);
}

int shimFetch(sqlite3_file *file, sqlite3_int64 offset, int amount, void **out)
{
    ShimFile *f = shim(file);
    if (f->wal) {
        if (const int rc = flush(f); rc != SQLITE_OK)
            return rc;
    }
    return realMethods(f)->xFetch(f->real, offset, amount, out);
}

int shimUnfetch(sqlite3_file *file, sqlite3_int64 offset, void *page)
{
    return realMethods(shim(file))->xUnfetch(shim(file)->real, offset, page);
}

sqlite3_io_methods makeMethods(int version)
{
    sqlite3_io_methods m{};
    m.iVersion = version;
    m.xClose = shimClose;
    m.xRead = shimRead;
    m.xWrite = shimWrite;
    m.xTruncate = shimTruncate;
    m.xSync = shimSync;
    m.xFileSize = shimFileSize;
    m.xLock = shimLock;
    m.xUnlock = shimUnlock;
    m.xCheckReservedLock = shimCheckReservedLock;
    m.xFileControl = shimFileControl;
    m.xSectorSize = shimSectorSize;
    m.xDeviceCharacteristics = shimDeviceCharacteristics;
    if (version >= 2) {
        m.xShmMap = shimShmMap;
        m.xShmLock = shimShmLock;
        m.xShmBarrier = shimShmBarrier;
        m.xShmUnmap = shimShmUnmap;
    }
    if (version >= 3) {
        m.xFetch = shimFetch;
        m.xUnfetch = shimUnfetch;
    }
    return m;
}

const sqlite3_io_methods *methodsFor(int version)
{
    static const sqlite3_io_methods v1 = makeMethods(1);
    static const sqlite3_io_methods v2 = makeMethods(2);
    static const sqlite3_io_methods v3 = makeMethods(3);
    return version >= 3 ? &v3 : version == 2 ? &v2 : &v1;
}

bool isShim(const sqlite3_file *file)
{
    return file && file->pMethods &&
           (file->pMethods == methodsFor(1) || file->pMethods == methodsFor(2) ||
            file->pMethods == methodsFor(3));
}

/**
 * The descriptor of a file of SQLite's "unix" VFS. Its file object (struct unixFile in
 * sqlite3.c, unchanged since 2008) starts with three pointers and then the descriptor; SQLite
 * has no API for it. Trusted only when fstat() says it is the file `name` names: -1 otherwise.
 */
int validatedDescriptor(const sqlite3_file *real, const char *name)
{
    struct UnixFileHead
    {
        const sqlite3_io_methods *methods;
        sqlite3_vfs *vfs;
        void *inode;
        int descriptor;
    };
    if (std::strcmp(g_base->zName, "unix") != 0)
        return -1;
    int fd = -1;
    std::memcpy(&fd, reinterpret_cast<const char *>(real) + offsetof(UnixFileHead, descriptor),
                sizeof fd);
    struct stat byDescriptor
    {};
    struct stat byName
    {};
    if (fd < 0 || ::fstat(fd, &byDescriptor) != 0 || ::stat(name, &byName) != 0)
        return -1;
    const bool same = byDescriptor.st_dev == byName.st_dev && byDescriptor.st_ino == byName.st_ino;
    return same ? fd : -1;
}

// --- VFS methods --------------------------------------------------------------------------

int shimOpen(sqlite3_vfs *, const char *name, sqlite3_file *file, int flags, int *outFlags)
{
    // Only the main database (for its shm barrier) and WAL files are wrapped; journals and
    // temporary files are the default VFS's own objects in the memory SQLite gave us.
    if ((flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL)) == 0)
        return g_base->xOpen(g_base, name, file, flags, outFlags);
    auto *f = new (file) ShimFile;
    f->base.pMethods = nullptr;
    f->real = reinterpret_cast<sqlite3_file *>(reinterpret_cast<char *>(file) + realOffset());
    f->wal = (flags & SQLITE_OPEN_WAL) != 0;
    const int rc = g_base->xOpen(g_base, name, f->real, flags, outFlags);
    if (rc != SQLITE_OK || !f->real->pMethods) {
        // SQLite calls xClose only when pMethods is set; the default VFS cleaned up its part.
        f->~ShimFile();
        file->pMethods = nullptr;
        return rc != SQLITE_OK ? rc : SQLITE_CANTOPEN;
    }
    // A default-VFS file without shared memory (e.g. nolock=1) must not look as if it had it.
    const sqlite3_io_methods *real = f->real->pMethods;
    int version = real->iVersion;
    if (version >= 2 &&
        (!real->xShmMap || !real->xShmLock || !real->xShmBarrier || !real->xShmUnmap))
        version = 1;
    if (version >= 3 && (!real->xFetch || !real->xUnfetch))
        version = 2;
    f->base.pMethods = methodsFor(version);
    if (!f->wal && name)
        f->descriptor = validatedDescriptor(f->real, name);
    return SQLITE_OK;
}

int shimDelete(sqlite3_vfs *, const char *name, int syncDir)
{
    return g_base->xDelete(g_base, name, syncDir);
}

int shimAccess(sqlite3_vfs *, const char *name, int flags, int *out)
{
    return g_base->xAccess(g_base, name, flags, out);
}

int shimFullPathname(sqlite3_vfs *, const char *name, int size, char *out)
{
    return g_base->xFullPathname(g_base, name, size, out);
}

void *shimDlOpen(sqlite3_vfs *, const char *name)
{
    return g_base->xDlOpen(g_base, name);
}

void shimDlError(sqlite3_vfs *, int size, char *out)
{
    g_base->xDlError(g_base, size, out);
}

void (*shimDlSym(sqlite3_vfs *, void *handle, const char *symbol))(void)
{
    return g_base->xDlSym(g_base, handle, symbol);
}

void shimDlClose(sqlite3_vfs *, void *handle)
{
    g_base->xDlClose(g_base, handle);
}

int shimRandomness(sqlite3_vfs *, int size, char *out)
{
    return g_base->xRandomness(g_base, size, out);
}

int shimSleep(sqlite3_vfs *, int micros)
{
    return g_base->xSleep(g_base, micros);
}

int shimCurrentTime(sqlite3_vfs *, double *out)
{
    return g_base->xCurrentTime(g_base, out);
}

int shimGetLastError(sqlite3_vfs *, int size, char *out)
{
    return g_base->xGetLastError ? g_base->xGetLastError(g_base, size, out) : 0;
}

int shimCurrentTimeInt64(sqlite3_vfs *, sqlite3_int64 *out)
{
    return g_base->xCurrentTimeInt64(g_base, out);
}

bool registerVfs()
{
    g_base = sqlite3_vfs_find(nullptr);
    if (!g_base || g_base->iVersion < 2) {
        qCWarning(lcStore) << "SQLite's default VFS is too old to wrap; WAL writes not gathered";
        return false;
    }
    g_vfs = sqlite3_vfs{};
    g_vfs.iVersion = 2;
    g_vfs.szOsFile = int(realOffset()) + g_base->szOsFile;
    g_vfs.mxPathname = g_base->mxPathname;
    g_vfs.zName = kVfsName;
    g_vfs.xOpen = shimOpen;
    g_vfs.xDelete = shimDelete;
    g_vfs.xAccess = shimAccess;
    g_vfs.xFullPathname = shimFullPathname;
    g_vfs.xDlOpen = shimDlOpen;
    g_vfs.xDlError = shimDlError;
    g_vfs.xDlSym = shimDlSym;
    g_vfs.xDlClose = shimDlClose;
    g_vfs.xRandomness = shimRandomness;
    g_vfs.xSleep = shimSleep;
    g_vfs.xCurrentTime = shimCurrentTime;
    g_vfs.xGetLastError = shimGetLastError;
    g_vfs.xCurrentTimeInt64 = shimCurrentTimeInt64;
    const int rc = sqlite3_vfs_register(&g_vfs, 1);
    if (rc != SQLITE_OK)
        qCWarning(lcStore) << "could not register the WAL-gathering VFS: SQLite error" << rc;
    return rc == SQLITE_OK;
}

} // namespace

bool install()
{
    static const bool installed = registerVfs();
    return installed;
}

WalWriteGathering::WalWriteGathering()
{
    ++t_state.gathering;
}

WalWriteGathering::~WalWriteGathering()
{
    if (--t_state.gathering == 0)
        flushPendingOfThreadOrPoison();
}

bool startWriteback(sqlite3_file *file)
{
    if (!isShim(file) || shim(file)->wal || shim(file)->descriptor < 0)
        return false;
    return ::sync_file_range(shim(file)->descriptor, 0, 0, SYNC_FILE_RANGE_WRITE) == 0;
}

Stats stats()
{
    return {g_gatheredWrites.load(), g_flushes.load(), g_skippedSyncs.load()};
}

} // namespace callwatch::store::walwritevfs
