// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/transcriptmodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace callwatch::app;

namespace {

TranscriptTurn makeTurn(qint64 sequence, const QString &source, const QString &message = {})
{
    TranscriptTurn turn;
    turn.sequenceNumber = sequence;
    turn.speaker = sequence % 2 ? u"user"_s : u"agent"_s;
    turn.message = message.isEmpty() ? u"%1 line %2"_s.arg(source).arg(sequence) : message;
    turn.timeInCallSecs = double(sequence) * 4.5;
    turn.source = source;
    return turn;
}

TranscriptEvent live(const QString &sid, qint64 sequence, const QString &message = {})
{
    TranscriptEvent event;
    event.eventId = sequence + 100;
    event.callSid = sid;
    event.turn = makeTurn(sequence, u"live"_s, message);
    return event;
}

QList<qint64> sequences(const TranscriptModel &model)
{
    QList<qint64> list;
    for (const TranscriptTurn &turn : model.turns())
        list.append(turn.sequenceNumber);
    return list;
}

} // namespace

class TestTranscriptModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void liveTurnsAreOrderedAndDeduplicated()
    {
        TranscriptModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::Fatal);
        model.setCall(u"C1"_s);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QVERIFY(model.applyLive(live(u"C1"_s, 0)));
        QVERIFY(model.applyLive(live(u"C1"_s, 2)));
        QVERIFY(model.applyLive(live(u"C1"_s, 1))); // late: goes between
        QCOMPARE(sequences(model), (QList<qint64>{0, 1, 2}));
        QCOMPARE(inserted.size(), 3);
        QCOMPARE(inserted.at(2).at(1).toInt(), 1); // inserted at row 1, not appended

        model.applyLive(live(u"C1"_s, 1)); // the same turn again: nothing happens
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(changed.size(), 0);
        model.applyLive(live(u"C1"_s, 1, u"corrected"_s)); // same number, new text: in place
        QCOMPARE(changed.size(), 1);
        QCOMPARE(model.data(model.index(1), TranscriptModel::MessageRole).toString(),
                 u"corrected"_s);

        QVERIFY(!model.applyLive(live(u"OTHER"_s, 3))); // another call's turn is not ours
        QCOMPARE(model.rowCount(), 3);
    }

    void historyAndLiveMerge_data()
    {
        QTest::addColumn<QList<qint64>>("history");
        QTest::addColumn<QList<qint64>>("liveBefore");
        QTest::addColumn<QList<qint64>>("liveAfter");
        QTest::newRow("live events overlap the history")
            << QList<qint64>{0, 1, 2, 3} << QList<qint64>{2, 3, 4} << QList<qint64>{4, 5};
        QTest::newRow("history arrives after newer live turns")
            << QList<qint64>{0, 1} << QList<qint64>{2, 3, 4, 5} << QList<qint64>{};
        QTest::newRow("history fills a gap")
            << QList<qint64>{0, 1, 2, 3, 4, 5} << QList<qint64>{0, 5} << QList<qint64>{3};
        QTest::newRow("no history")
            << QList<qint64>{} << QList<qint64>{1, 0} << QList<qint64>{5, 4, 3, 2};
    }

    void historyAndLiveMerge()
    {
        QFETCH(QList<qint64>, history);
        QFETCH(QList<qint64>, liveBefore);
        QFETCH(QList<qint64>, liveAfter);
        TranscriptModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::Fatal);
        model.setCall(u"C1"_s);
        for (qint64 sequence : liveBefore)
            model.applyLive(live(u"C1"_s, sequence));
        QList<TranscriptTurn> turns;
        for (qint64 sequence : history)
            turns.append(makeTurn(sequence, u"live"_s));
        model.mergeHistory(turns);
        for (qint64 sequence : liveAfter)
            model.applyLive(live(u"C1"_s, sequence));
        QCOMPARE(sequences(model), (QList<qint64>{0, 1, 2, 3, 4, 5}));
    }

    void postCallReplacesLiveRowByRow()
    {
        TranscriptModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::Fatal);
        model.setCall(u"C1"_s);
        for (qint64 sequence : {0, 1, 2, 3, 5, 7})
            model.applyLive(live(u"C1"_s, sequence));
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy postCall(&model, &TranscriptModel::postCallChanged);
        // The post-call transcript: 0..4 and 6 (it has its own numbering and wording).
        QList<TranscriptTurn> final;
        for (qint64 sequence : {0, 1, 2, 3, 4, 6})
            final.append(makeTurn(sequence, u"post_call"_s));
        final.append(makeTurn(2, u"live"_s)); // live turns in the same answer are not kept
        model.mergeHistory(final);
        QCOMPARE(reset.size(), 0);
        QCOMPARE(postCall.size(), 1);
        QVERIFY(model.isPostCall());
        QCOMPARE(sequences(model), (QList<qint64>{0, 1, 2, 3, 4, 6}));
        for (const TranscriptTurn &turn : model.turns())
            QCOMPARE(turn.source, u"post_call"_s);

        // Late live events and live-only history no longer change anything.
        QVERIFY(!model.applyLive(live(u"C1"_s, 8)));
        model.mergeHistory({makeTurn(9, u"live"_s)});
        QCOMPARE(model.rowCount(), 6);
    }

    void selectingAnotherCallClears()
    {
        TranscriptModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::Fatal);
        model.setCall(u"C1"_s);
        model.mergeHistory({makeTurn(0, u"post_call"_s)});
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        model.setCall(u"C2"_s);
        QCOMPARE(reset.size(), 1);
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(!model.isPostCall());
        QCOMPARE(model.callSid(), u"C2"_s);
        model.setCall(u"C2"_s); // same call: nothing to do
        QCOMPARE(reset.size(), 1);
        model.setCall(QString());
        QVERIFY(!model.applyLive(live(QString(), 1)));
    }

    void roles()
    {
        TranscriptModel model;
        model.setCall(u"C1"_s);
        TranscriptEvent event = live(u"C1"_s, 3, u"Sure, send it over."_s);
        event.turn.timeInCallSecs = 75.9;
        event.turn.toolNames = {u"send_video"_s};
        model.applyLive(event);
        const QModelIndex index = model.index(0);
        QCOMPARE(model.data(index, TranscriptModel::SpeakerRole).toString(), u"user"_s);
        QCOMPARE(model.data(index, TranscriptModel::IsAgentRole).toBool(), false);
        QCOMPARE(model.data(index, TranscriptModel::TimeLabelRole).toString(), u"1:15"_s);
        QCOMPARE(model.data(index, TranscriptModel::ToolNamesRole).toStringList(),
                 QStringList{u"send_video"_s});
        QVERIFY(model.roleNames().values().contains("timeLabel"));
    }

    void timeLabels_data()
    {
        QTest::addColumn<double>("seconds");
        QTest::addColumn<QString>("label");
        QTest::newRow("zero") << 0.0 << u"0:00"_s;
        QTest::newRow("fraction floors") << 9.99 << u"0:09"_s;
        QTest::newRow("minutes") << 605.0 << u"10:05"_s;
        QTest::newRow("hours") << 3723.0 << u"1:02:03"_s;
        QTest::newRow("negative clamps") << -3.0 << u"0:00"_s;
    }

    void timeLabels()
    {
        QFETCH(double, seconds);
        QFETCH(QString, label);
        QCOMPARE(TranscriptModel::timeLabel(seconds), label);
    }
};

QTEST_GUILESS_MAIN(TestTranscriptModel)
#include "tst_transcriptmodel.moc"
