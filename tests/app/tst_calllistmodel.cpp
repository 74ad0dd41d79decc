// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/calllistmodel.h"

#include <QAbstractItemModelTester>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace callwatch::app;

namespace {

const QDateTime base(QDate(2025, 3, 4), QTime(9, 0), Qt::UTC);

CallRecord record(const QString &sid, const QString &status, int minute)
{
    CallRecord call;
    call.callSid = sid;
    call.driverId = u"DRV-"_s + sid;
    call.toNumber = u"+1307555%1"_s.arg(minute, 4, 10, QLatin1Char('0'));
    call.status = status;
    call.createdAt = base.addSecs(minute * 60);
    call.updatedAt = call.createdAt;
    return call;
}

CallStatusEvent status(const QString &sid, const QString &value, int minute, qint64 id = 1)
{
    CallStatusEvent event;
    event.eventId = id;
    event.callSid = sid;
    event.status = value;
    event.driverId = u"DRV-"_s + sid;
    event.toNumber = u"+13075550100"_s;
    event.timestamp = base.addSecs(minute * 60);
    return event;
}

TranscriptEvent turn(const QString &sid, qint64 sequence, const QString &message, int minute)
{
    TranscriptEvent event;
    event.eventId = sequence + 1;
    event.callSid = sid;
    event.turn.sequenceNumber = sequence;
    event.turn.speaker = sequence % 2 ? u"user"_s : u"agent"_s;
    event.turn.message = message;
    event.turn.source = u"live"_s;
    event.timestamp = base.addSecs(minute * 60);
    return event;
}

QStringList order(const CallListModel &model)
{
    QStringList sids;
    for (int row = 0; row < model.rowCount(); ++row)
        sids.append(model.callSidAt(row));
    return sids;
}

} // namespace

class TestCallListModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void liveCallsFirstThenNewest()
    {
        CallListModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::Fatal);
        model.mergeCalls({record(u"old"_s, u"completed"_s, 1),
                          record(u"live1"_s, u"in_progress"_s, 2), record(u"new"_s, u"failed"_s, 5),
                          record(u"live2"_s, u"initiating"_s, 3)});
        QCOMPARE(order(model), (QStringList{u"live2"_s, u"live1"_s, u"new"_s, u"old"_s}));
        QCOMPARE(model.liveCount(), 2);
        QCOMPARE(model.data(model.index(0), CallListModel::IsLiveRole).toBool(), true);
        QCOMPARE(model.data(model.index(2), CallListModel::StatusRole).toString(), u"failed"_s);
    }

    void eventsUpdateRowsInPlace()
    {
        CallListModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::Fatal);
        model.mergeCalls({record(u"a"_s, u"completed"_s, 1), record(u"b"_s, u"completed"_s, 2)});
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy moved(&model, &QAbstractItemModel::rowsMoved);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

        // A new call appears through its first status event: one inserted row, on top.
        QVERIFY(model.applyStatus(status(u"c"_s, u"initiating"_s, 3)));
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(order(model), (QStringList{u"c"_s, u"b"_s, u"a"_s}));
        QCOMPARE(model.liveCount(), 1);

        // A known call changes: dataChanged on its row, no structural change.
        QVERIFY(!model.applyStatus(status(u"c"_s, u"in_progress"_s, 4)));
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed.constLast().at(0).toModelIndex().row(), 0);
        QCOMPARE(model.data(model.index(0), CallListModel::StartedAtRole).toDateTime(),
                 base.addSecs(4 * 60));

        // An old call comes back to life (a retry): it moves to the live group.
        model.applyStatus(status(u"a"_s, u"in_progress"_s, 6));
        QCOMPARE(moved.size(), 1);
        QCOMPARE(order(model), (QStringList{u"c"_s, u"a"_s, u"b"_s}));

        // The live call ends: it moves below the other live call, among the finished ones.
        CallCompletedEvent done;
        done.callSid = u"c"_s;
        done.status = u"completed"_s;
        done.transcriptSummary = u"Driver agreed."_s;
        done.durationSeconds = 95;
        done.cost = 512;
        done.callSuccessful = u"success"_s;
        done.timestamp = base.addSecs(7 * 60);
        model.applyCompleted(done);
        QCOMPARE(order(model), (QStringList{u"a"_s, u"c"_s, u"b"_s}));
        const QModelIndex c = model.index(1);
        QCOMPARE(model.data(c, CallListModel::SummaryRole).toString(), u"Driver agreed."_s);
        QCOMPARE(model.data(c, CallListModel::DurationSecondsRole).toLongLong(), 95);
        QCOMPARE(model.data(c, CallListModel::CostRole).toDouble(), 512.0);
        QCOMPARE(model.liveCount(), 1);
        QCOMPARE(reset.size(), 0);
    }

    void staleDataDoesNotOverwriteNewer()
    {
        CallListModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::Fatal);
        model.applyStatus(status(u"a"_s, u"in_progress"_s, 1));
        model.applyStatus(status(u"a"_s, u"failed"_s, 5));
        // A REST page loaded before the failure lands late: the row stays failed.
        CallRecord older = record(u"a"_s, u"in_progress"_s, 1);
        older.updatedAt = base.addSecs(2 * 60);
        model.mergeCalls({older});
        QCOMPARE(model.find(u"a"_s)->status, u"failed"_s);
        // A replayed older status event does not regress it either.
        model.applyStatus(status(u"a"_s, u"in_progress"_s, 3));
        QCOMPARE(model.find(u"a"_s)->status, u"failed"_s);
        // A newer REST row does replace it.
        CallRecord newer = record(u"a"_s, u"failed"_s, 1);
        newer.failureReason = u"Busy"_s;
        newer.updatedAt = base.addSecs(9 * 60);
        model.mergeCalls({newer});
        QCOMPARE(model.find(u"a"_s)->failureReason, u"Busy"_s);
    }

    void transcriptionShowsLastLine()
    {
        CallListModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::Fatal);
        model.applyStatus(status(u"a"_s, u"initiating"_s, 1));
        QVERIFY(!model.applyTranscription(turn(u"a"_s, 0, u"Hello, is this Marcus?"_s, 2)));
        QCOMPARE(model.data(model.index(0), CallListModel::LastMessageRole).toString(),
                 u"Hello, is this Marcus?"_s);
        QCOMPARE(model.data(model.index(0), CallListModel::LastSpeakerRole).toString(), u"agent"_s);
        // Someone talking means the call is in progress.
        QCOMPARE(model.find(u"a"_s)->status, u"in_progress"_s);
        // A turn for an unknown call creates a live row and reports it as unknown.
        QVERIFY(model.applyTranscription(turn(u"z"_s, 4, u"Yes"_s, 3)));
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.liveCount(), 2);
    }

    void filterByTextAndStatus()
    {
        CallListModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::Fatal);
        model.mergeCalls({record(u"a1"_s, u"completed"_s, 1), record(u"b2"_s, u"in_progress"_s, 2),
                          record(u"c3"_s, u"failed"_s, 3)});
        model.setFilter(QString(), u"live"_s);
        QCOMPARE(order(model), QStringList{u"b2"_s});
        // An event that moves a call out of the filter removes its row.
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        model.applyStatus(status(u"b2"_s, u"completed"_s, 4));
        QCOMPARE(removed.size(), 1);
        QCOMPARE(model.rowCount(), 0);
        // ...and one that moves a call into it inserts it.
        model.applyStatus(status(u"new"_s, u"initiating"_s, 5));
        QCOMPARE(order(model), QStringList{u"new"_s});

        model.setFilter(u"drv-c"_s, u"all"_s); // case-insensitive, on driver id
        QCOMPARE(order(model), QStringList{u"c3"_s});
        model.setFilter(u"5550003"_s, u"all"_s); // on the phone number
        QCOMPARE(order(model), QStringList{u"c3"_s});
        model.setFilter(QString(), u"failed"_s);
        QCOMPARE(order(model), QStringList{u"c3"_s});
        model.setFilter(QString(), u"all"_s);
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(model.totalCount(), 4);
    }

    void batchCoalescesDataChanged()
    {
        CallListModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::Fatal);
        for (int i = 0; i < 5; ++i)
            model.applyStatus(status(u"c%1"_s.arg(i), u"in_progress"_s, i));
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.beginBatch();
        for (int n = 0; n < 20; ++n) // 20 turns on two calls in one frame
            model.applyTranscription(turn(n % 2 ? u"c1"_s : u"c3"_s, n, u"line %1"_s.arg(n), 10));
        QCOMPARE(changed.size(), 0);
        model.endBatch();
        // c3 and c1 are rows 1 and 3: two separate ranges, one signal each.
        QCOMPARE(changed.size(), 2);
        QCOMPARE(model.data(model.index(model.rowOf(u"c1"_s)), CallListModel::LastMessageRole)
                     .toString(),
                 u"line 19"_s);
    }

    void randomEventStreamKeepsInvariants()
    {
        // 300 calls, 5000 events in batches, under the tester: the order invariant must hold.
        CallListModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::Fatal);
        QRandomGenerator random(42);
        const QStringList statuses{u"initiating"_s, u"in_progress"_s, u"completed"_s, u"failed"_s};
        int minute = 0;
        for (int batch = 0; batch < 250; ++batch) {
            model.beginBatch();
            for (int i = 0; i < 20; ++i) {
                const QString sid = u"call%1"_s.arg(random.bounded(300));
                ++minute;
                if (random.bounded(3) == 0)
                    model.applyStatus(status(sid, statuses.at(random.bounded(4)), minute));
                else
                    model.applyTranscription(turn(sid, minute, u"x"_s, minute));
            }
            model.endBatch();
            if (batch == 120)
                model.setFilter(u"call1"_s, u"all"_s);
            if (batch == 180)
                model.setFilter(QString(), u"live"_s);
        }
        model.setFilter(QString(), u"all"_s);
        int live = 0;
        for (int row = 0; row < model.rowCount(); ++row) {
            const bool isLive = model.data(model.index(row), CallListModel::IsLiveRole).toBool();
            if (isLive) {
                QCOMPARE(live, row); // every live row precedes every finished one
                ++live;
            }
            if (row > 0 &&
                isLive == model.data(model.index(row - 1), CallListModel::IsLiveRole).toBool()) {
                QVERIFY(
                    model.data(model.index(row - 1), CallListModel::CreatedAtRole).toDateTime() >=
                    model.data(model.index(row), CallListModel::CreatedAtRole).toDateTime());
            }
        }
        QCOMPARE(live, model.liveCount());
        QCOMPARE(model.rowCount(), model.totalCount());
    }

    // A dashboard open all day must not keep every call: the oldest finished ones go, as row
    // removals, while live calls and the open call stay and everything still works after.
    void trimKeepsLiveAndPinnedCalls()
    {
        CallListModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::Fatal);
        QList<CallRecord> calls;
        for (int minute = 0; minute < 20; ++minute)
            calls.append(record(u"F%1"_s.arg(minute, 2, 10, QLatin1Char('0')),
                                minute % 3 ? u"completed"_s : u"failed"_s, minute));
        calls.append(record(u"L1"_s, u"in_progress"_s, 1));
        calls.append(record(u"L2"_s, u"initiating"_s, 30));
        model.mergeCalls(calls);
        QCOMPARE(model.rowCount(), 22);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);

        // Keep the 5 newest finished calls, and F02 (open in the call view) whatever its age.
        QCOMPARE(model.trimFinished(5, u"F02"_s), 14);
        QCOMPARE(order(model), (QStringList{u"L2"_s, u"L1"_s, u"F19"_s, u"F18"_s, u"F17"_s,
                                            u"F16"_s, u"F15"_s, u"F02"_s}));
        QCOMPARE(model.totalCount(), 8);
        QCOMPARE(model.liveCount(), 2);
        QVERIFY(!removed.isEmpty());
        QVERIFY(!model.find(u"F03"_s));
        QCOMPARE(model.rowOf(u"F16"_s), 5);
        QCOMPARE(model.trimFinished(5, u"F02"_s), 0); // nothing more to drop

        // Rows dropped while filtered out, and a trimmed call coming back, stay consistent.
        model.setFilter(QString(), u"live"_s);
        QCOMPARE(model.trimFinished(2), 4);
        model.setFilter(QString(), u"all"_s);
        QCOMPARE(order(model), (QStringList{u"L2"_s, u"L1"_s, u"F19"_s, u"F18"_s}));
        model.beginBatch();
        QVERIFY(model.applyStatus(status(u"F03"_s, u"completed"_s, 3)));
        model.applyStatus(status(u"L1"_s, u"completed"_s, 40, 2));
        QCOMPARE(model.trimFinished(2), 2); // inside a batch: pending changes are renumbered
        model.endBatch();
        QCOMPARE(order(model), (QStringList{u"L2"_s, u"F19"_s, u"F18"_s}));
        QCOMPARE(model.liveCount(), 1);
    }
};

QTEST_GUILESS_MAIN(TestCallListModel)
#include "tst_calllistmodel.moc"
