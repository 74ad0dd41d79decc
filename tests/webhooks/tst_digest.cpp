// SPDX-License-Identifier: GPL-3.0-or-later
// libcrypto's SHA-256 and HMAC-SHA256 give what the published test vectors and Qt's own
// implementation give, for empty, small, block-boundary and large inputs.
#include "webhooks/digest.h"

#include <QCryptographicHash>
#include <QMessageAuthenticationCode>
#include <QTest>

#include <thread>

using namespace callwatch::webhooks;

class TestDigest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void knownVectors()
    {
        // FIPS 180-2 and RFC 4231 test case 2.
        QCOMPARE(digest::sha256Hex("abc"),
                 QByteArray("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        QCOMPARE(digest::sha256Hex({}),
                 QByteArray("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        QCOMPARE(digest::hmacSha256Hex("Jefe", {"what do ya want ", "for nothing?"}),
                 QByteArray("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"));
    }

    void sameAsQt_data()
    {
        QTest::addColumn<int>("size");
        for (int size : {1, 55, 56, 63, 64, 65, 1000, 208 * 1024})
            QTest::addRow("%d bytes", size) << size;
    }

    void sameAsQt()
    {
        QFETCH(int, size);
        QByteArray data(size, Qt::Uninitialized);
        for (int i = 0; i < size; ++i)
            data[i] = char((i * 131 + 7) % 251);
        QCOMPARE(digest::sha256Hex(data),
                 QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex());
        const QByteArray key = "wsec_" + QByteArray::number(size);
        QMessageAuthenticationCode mac(QCryptographicHash::Sha256, key);
        mac.addData("1700000000.");
        mac.addData(data);
        QCOMPARE(digest::hmacSha256Hex(key, {"1700000000", ".", data}), mac.result().toHex());
    }

    void keysInterleavedAndReused()
    {
        // Keyed contexts are kept per thread and restarted for each MAC: repeated and alternating
        // keys (rotation: two secrets), more keys than are kept, and other threads must all give
        // each message's own MAC.
        auto expected = [](const QByteArray &key, const QByteArray &body) {
            QMessageAuthenticationCode mac(QCryptographicHash::Sha256, key);
            mac.addData("1700000000.");
            mac.addData(body);
            return mac.result().toHex();
        };
        QList<QByteArray> keys;
        for (int k = 0; k < 11; ++k)
            keys << "wsec_key_" + QByteArray::number(k) + QByteArray(k * 9, 'k');
        keys << QByteArray(200, 'L'); // longer than a block: hashed first
        auto check = [&] {
            for (int round = 0; round < 3; ++round) {
                for (int i = 0; i < keys.size() * 2; ++i) {
                    const QByteArray &key = keys.at((i * 7 + round) % keys.size());
                    const QByteArray body = "{\"n\":" + QByteArray::number(i * 31 + round) + "}";
                    if (digest::hmacSha256Hex(key, {"1700000000", ".", body}) !=
                        expected(key, body))
                        return false;
                    if (digest::hmacSha256Hex(keys.at(0), {"1700000000", ".", body}) !=
                        expected(keys.at(0), body))
                        return false;
                }
            }
            return true;
        };
        QVERIFY(check());
        bool otherThread = false;
        std::thread worker([&] { otherThread = check(); });
        worker.join();
        QVERIFY(otherThread);
        QVERIFY(check());
    }
};

QTEST_GUILESS_MAIN(TestDigest)
#include "tst_digest.moc"
