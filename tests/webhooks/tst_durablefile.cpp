// SPDX-License-Identifier: GPL-3.0-or-later
// durablefile::publish(): data flushed before the rename, the directory after it, and a disk
// that refuses either flush never leaves a half-stored file under the final name.
#include "webhooks/durablefile.h"

#include <QDir>
#include <QFile>
#include <QSet>
#include <QTemporaryDir>
#include <QTemporaryFile>
#include <QTest>

#include <cerrno>
#include <sys/stat.h>

using namespace Qt::StringLiterals;
namespace durablefile = callwatch::webhooks::durablefile;

namespace {

/** Records each flush: whether the descriptor was a directory and what the final name held. */
struct SyncRecorder
{
    QString finalPath;
    bool failFile = false;
    bool failDirectory = false;
    QStringList calls; ///< "file:<final name's content then>" or "directory:<…>"

    durablefile::SyncFunction function()
    {
        return [this](int fd, bool isDirectory) {
            struct stat st
            {};
            if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode) != isDirectory)
                return false; // a file flushed as a directory, or the reverse
            calls << (isDirectory ? u"directory:"_s : u"file:"_s) + contentOf(finalPath);
            const bool fail = isDirectory ? failDirectory : failFile;
            if (fail)
                errno = EIO;
            return !fail;
        };
    }

    static QString contentOf(const QString &path)
    {
        QFile file(path);
        return file.open(QIODevice::ReadOnly) ? QString::fromLatin1(file.readAll()) : u"-"_s;
    }
};

} // namespace

class TestDurableFile : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // The order is the point: the data reaches the disk while the final name still holds the
    // old file (or nothing); the directory entry after the rename.
    void publish_data()
    {
        QTest::addColumn<QString>("before"); // the final name's content before, "-": none
        QTest::addColumn<bool>("failFile");
        QTest::addColumn<bool>("failDirectory");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QString>("after");
        QTest::addColumn<QStringList>("calls");
        QTest::newRow("new file") << u"-"_s << false << false << true << u"new"_s
                                  << QStringList{u"file:-"_s, u"directory:new"_s};
        QTest::newRow("replaces a redelivery's file")
            << u"old"_s << false << false << true << u"new"_s
            << QStringList{u"file:old"_s, u"directory:new"_s};
        QTest::newRow("file flush refused: nothing published")
            << u"-"_s << true << false << false << u"-"_s << QStringList{u"file:-"_s};
        QTest::newRow("file flush refused: the old file stays")
            << u"old"_s << true << false << false << u"old"_s << QStringList{u"file:old"_s};
        QTest::newRow("directory flush refused: an error all the same")
            << u"-"_s << false << true << false << u"new"_s
            << QStringList{u"file:-"_s, u"directory:new"_s};
    }
    void publish()
    {
        QFETCH(QString, before);
        QFETCH(bool, failFile);
        QFETCH(bool, failDirectory);
        QFETCH(bool, ok);
        QFETCH(QString, after);
        QFETCH(QStringList, calls);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString finalPath = dir.filePath(u"conv_1.mp3"_s);
        if (before != u"-"_s) {
            QFile old(finalPath);
            QVERIFY(old.open(QIODevice::WriteOnly));
            old.write(before.toLatin1());
        }
        QTemporaryFile part(dir.filePath(u"incoming-XXXXXX.part"_s));
        QVERIFY(part.open());
        part.write("new"); // still in QFile's buffer: publish() must flush it first
        SyncRecorder recorder{finalPath, failFile, failDirectory, {}};

        const auto published = durablefile::publish(part, finalPath, recorder.function());

        QCOMPARE(bool(published), ok);
        if (!ok)
            QCOMPARE(published.error().code, u"io_error"_s);
        QCOMPARE(recorder.calls, calls);
        QCOMPARE(SyncRecorder::contentOf(finalPath), after);
    }

    void realDiskPublishes()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QTemporaryFile part(dir.filePath(u"incoming-XXXXXX.part"_s));
        QVERIFY(part.open());
        part.write(QByteArray(100000, 'a'));
        const QString finalPath = dir.filePath(u"a.mp3"_s);
        QVERIFY(durablefile::publish(part, finalPath));
        part.setAutoRemove(false);
        QCOMPARE(QFileInfo(finalPath).size(), 100000);
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{u"a.mp3"_s});
    }

    void safeName_data()
    {
        QTest::addColumn<QString>("id");
        QTest::addColumn<QString>("name"); // "#": its plain part, '-', 16 hex digits of a hash
        QTest::newRow("ElevenLabs id")
            << u"conv_4801k4x9a1b2c3d4e5f6g7h8j9"_s << u"conv_4801k4x9a1b2c3d4e5f6g7h8j9"_s;
        QTest::newRow("dot") << u"a.b"_s << u"a_b-#"_s;
        QTest::newRow("slash and dots") << u"../../etc/passwd"_s << u"______etc_passwd-#"_s;
        QTest::newRow("not ASCII") << u"caf\u00e9"_s << u"caf_-#"_s;
        QTest::newRow("empty") << QString() << u"-#"_s;
        QTest::newRow("96 plain characters") << QString(96, u'a') << QString(96, u'a');
        QTest::newRow("97 plain characters") << QString(97, u'a') << QString(80, u'a') + u"-#"_s;
    }
    void safeName()
    {
        QFETCH(QString, id);
        QFETCH(QString, name);
        const QString made = durablefile::safeName(id);
        if (!name.endsWith(u'#')) {
            QCOMPARE(made, name);
            return;
        }
        QCOMPARE(made.left(name.size() - 1), name.chopped(1));
        QCOMPARE(made.size(), name.size() - 1 + 16);
        QVERIFY(made.size() < 120); // far under NAME_MAX with ".mp3"
    }
    void safeNamesDoNotCollide()
    {
        QSet<QString> names;
        const QStringList ids{u"a.b"_s, u"a_b"_s,           u"a/b"_s,
                              u"a b"_s, QString(200, u'x'), QString(199, u'x') + u'y'};
        for (const QString &id : ids)
            names.insert(durablefile::safeName(id));
        QCOMPARE(names.size(), 6);
    }

    void closedFileIsRefused()
    {
        QTemporaryDir dir;
        QFile closed(dir.filePath(u"x"_s));
        const auto published = durablefile::publish(closed, dir.filePath(u"y"_s));
        QVERIFY(!published);
        QVERIFY(!QFile::exists(dir.filePath(u"y"_s)));
    }
};

QTEST_GUILESS_MAIN(TestDurableFile)
#include "tst_durablefile.moc"
