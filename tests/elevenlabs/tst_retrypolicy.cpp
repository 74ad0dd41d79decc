// SPDX-License-Identifier: GPL-3.0-or-later
#include "elevenlabs/retrypolicy.h"

#include <QTest>
#include <QTimeZone>

using namespace Qt::StringLiterals;
using namespace callwatch::elevenlabs;

using Kind = ElevenLabsError::Kind;

class TestRetryPolicy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void delay_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<int>("status");
        QTest::addColumn<bool>("idempotent");
        QTest::addColumn<int>("attempt");
        QTest::addColumn<QByteArray>("retryAfter");
        QTest::addColumn<int>("expected"); // -1: give up

        // random() is 0.5: jitter adds a quarter of the backoff.
        QTest::newRow("500, first attempt")
            << int(Kind::Http) << 500 << false << 1 << QByteArray() << 125;
        QTest::newRow("503, second attempt")
            << int(Kind::Http) << 503 << false << 2 << QByteArray() << 250;
        QTest::newRow("500, third attempt: give up")
            << int(Kind::Http) << 500 << false << 3 << QByteArray() << -1;
        QTest::newRow("429 honours Retry-After seconds")
            << int(Kind::Http) << 429 << false << 1 << QByteArray("2") << 2000;
        QTest::newRow("Retry-After is capped")
            << int(Kind::Http) << 429 << false << 1 << QByteArray("3600") << 5000;
        QTest::newRow("Retry-After as a date")
            << int(Kind::Http) << 503 << true << 1 << QByteArray("Sun, 01 Nov 2026 10:00:03 GMT")
            << 3000;
        QTest::newRow("unreadable Retry-After: backoff")
            << int(Kind::Http) << 429 << false << 1 << QByteArray("soon") << 125;
        QTest::newRow("400 is final") << int(Kind::Http) << 400 << true << 1 << QByteArray() << -1;
        QTest::newRow("401 is final") << int(Kind::Http) << 401 << true << 1 << QByteArray() << -1;
        QTest::newRow("422 is final") << int(Kind::Http) << 422 << true << 1 << QByteArray() << -1;
        QTest::newRow("GET timeout is retried")
            << int(Kind::Timeout) << 0 << true << 1 << QByteArray() << 125;
        QTest::newRow("POST timeout is not")
            << int(Kind::Timeout) << 0 << false << 1 << QByteArray() << -1;
        QTest::newRow("GET network error is retried")
            << int(Kind::Network) << 0 << true << 2 << QByteArray() << 250;
        QTest::newRow("POST network error is not")
            << int(Kind::Network) << 0 << false << 1 << QByteArray() << -1;
        QTest::newRow("success false is final")
            << int(Kind::Rejected) << 200 << false << 1 << QByteArray() << -1;
        QTest::newRow("invalid response is final")
            << int(Kind::InvalidResponse) << 200 << true << 1 << QByteArray() << -1;
    }
    void delay()
    {
        QFETCH(int, kind);
        QFETCH(int, status);
        QFETCH(bool, idempotent);
        QFETCH(int, attempt);
        QFETCH(QByteArray, retryAfter);
        QFETCH(int, expected);
        RetryPolicy policy;
        policy.baseDelayMs = 100;
        policy.maxDelayMs = 5000;
        policy.random = [] { return 0.5; };
        const QDateTime now(QDate(2026, 11, 1), QTime(10, 0, 0), QTimeZone::utc());
        const auto delay = policy.delayBeforeRetry(attempt, ElevenLabsError(Kind(kind), status, {}),
                                                   idempotent, retryAfter, now);
        QCOMPARE(delay.value_or(-1), expected);
    }

    void jitterStaysWithinHalfTheBackoff()
    {
        RetryPolicy policy;
        policy.baseDelayMs = 1000;
        for (int i = 0; i < 200; ++i) {
            const auto delay = policy.delayBeforeRetry(2, ElevenLabsError(Kind::Http, 502, {}),
                                                       false, {}, QDateTime::currentDateTimeUtc());
            QVERIFY(delay);
            QVERIFY(*delay >= 2000 && *delay <= 3000);
        }
    }
};

QTEST_APPLESS_MAIN(TestRetryPolicy)
#include "tst_retrypolicy.moc"
