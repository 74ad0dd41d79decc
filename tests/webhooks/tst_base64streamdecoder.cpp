// SPDX-License-Identifier: GPL-3.0-or-later
#include "webhooks/base64streamdecoder.h"

#include <QBuffer>
#include <QRandomGenerator>
#include <QTest>

using namespace Qt::StringLiterals;
using callwatch::webhooks::Base64StreamDecoder;

namespace {

/** Records the size of every write, to prove the output is produced in bounded blocks. */
class WriteRecorder : public QIODevice
{
public:
    QByteArray data;
    QList<qint64> writes;

protected:
    qint64 readData(char *, qint64) override { return -1; }
    qint64 writeData(const char *bytes, qint64 size) override
    {
        writes.append(size);
        data.append(bytes, size);
        return size;
    }
};

} // namespace

class TestBase64StreamDecoder : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void decode_data();
    void decode();
    void matchesQtEncoder();
    void writesInBoundedBlocks();
    void reportsWriteFailure();
};

void TestBase64StreamDecoder::decode_data()
{
    QTest::addColumn<QByteArrayList>("pieces");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QByteArray>("expected");

    auto row = [](const char *name, const QByteArrayList &pieces, bool ok,
                  const QByteArray &expected = QByteArray()) {
        QTest::newRow(name) << pieces << ok << expected;
    };
    row("empty", {}, true);
    row("one quad", {"TWFu"}, true, "Man");
    row("one pad", {"TWE="}, true, "Ma");
    row("two pads", {"TQ=="}, true, "M");
    row("missing padding, 3 chars", {"TWE"}, true, "Ma");
    row("missing padding, 2 chars", {"TQ"}, true, "M");
    row("split anywhere", {"T", "WF", "uT", "Q=", "="}, true, "ManM");
    row("whitespace", {"TW Fu\r\n", "\tTQ=="}, true, "ManM");
    row("plus and slash", {"+/+/"}, true, "\xfb\xff\xbf");
    row("url-safe minus", {"TW-u"}, false);
    row("url-safe underscore", {"TW_u"}, false);
    row("asterisk", {"TW*u"}, false);
    row("non-ascii byte", {"TW\xc3\xa9"}, false);
    row("one dangling character", {"T"}, false);
    row("dangling after a quad", {"TWFuT"}, false);
    row("data after padding", {"TQ==TQ=="}, false);
    row("data after one pad", {"TWE=u"}, false);
    row("only padding", {"="}, false);
    row("three pads", {"TQ==="}, false);
    row("pad after one character", {"T==="}, false);
}

void TestBase64StreamDecoder::decode()
{
    QFETCH(QByteArrayList, pieces);
    QFETCH(bool, ok);
    QFETCH(QByteArray, expected);

    QBuffer out;
    out.open(QIODevice::WriteOnly);
    Base64StreamDecoder decoder(out);
    bool fed = true;
    for (const QByteArray &piece : pieces)
        fed = decoder.feed(piece) && fed;
    const bool finished = fed && decoder.finish();
    QCOMPARE(finished, ok);
    if (ok) {
        QCOMPARE(out.data(), expected);
        QCOMPARE(decoder.bytesDecoded(), qint64(expected.size()));
    } else {
        QCOMPARE(decoder.failure(), Base64StreamDecoder::Failure::InvalidBase64);
        QVERIFY(!decoder.errorString().isEmpty());
    }
}

// Round trips against Qt's own encoder (an independent implementation) with random splits.
void TestBase64StreamDecoder::matchesQtEncoder()
{
    QRandomGenerator random(20250214);
    for (int length = 0; length < 200; ++length) {
        QByteArray original(length, Qt::Uninitialized);
        for (char &c : original)
            c = static_cast<char>(random.bounded(256));
        const QByteArray encoded = original.toBase64();

        QBuffer out;
        out.open(QIODevice::WriteOnly);
        Base64StreamDecoder decoder(out, 5);
        qsizetype at = 0;
        while (at < encoded.size()) {
            const qsizetype n = qMin<qsizetype>(1 + random.bounded(9), encoded.size() - at);
            QVERIFY(decoder.feed(QByteArrayView(encoded).sliced(at, n)));
            at += n;
        }
        QVERIFY(decoder.finish());
        QCOMPARE(out.data(), original);
    }
}

void TestBase64StreamDecoder::writesInBoundedBlocks()
{
    QByteArray original(10000, Qt::Uninitialized);
    for (int i = 0; i < original.size(); ++i)
        original[i] = static_cast<char>(i * 7);
    WriteRecorder out;
    out.open(QIODevice::WriteOnly);
    Base64StreamDecoder decoder(out, 1000);
    QVERIFY(decoder.feed(original.toBase64()));
    QVERIFY(decoder.finish());
    QCOMPARE(out.data, original);
    QVERIFY(out.writes.size() >= 10);
    for (const qint64 size : std::as_const(out.writes))
        QVERIFY2(size <= 1000, qPrintable(u"write of %1 bytes"_s.arg(size)));
}

void TestBase64StreamDecoder::reportsWriteFailure()
{
    QBuffer out; // not opened: every write fails
    Base64StreamDecoder decoder(out, 3);
    QTest::ignoreMessage(QtWarningMsg, "QIODevice::write (QBuffer): device not open");
    QVERIFY(!decoder.feed("TWFuTWFu"));
    QCOMPARE(decoder.failure(), Base64StreamDecoder::Failure::WriteFailed);
    QVERIFY(!decoder.finish());
}

QTEST_GUILESS_MAIN(TestBase64StreamDecoder)
#include "tst_base64streamdecoder.moc"
