// SPDX-License-Identifier: GPL-3.0-or-later
// A dashboard left open must not grow while the pointer rests on it. In Qt 6.4 a HoverHandler
// under a resting pointer appends itself to Qt's per-device list of delivery targets on every
// frame in which the scene changes, and nothing empties that list: the dashboard's RSS grew by
// ~8 bytes a frame (issue 5, memory after an hour-long demo run). The components use HoverArea
// (a hover-only MouseArea) instead; this test rests the pointer on each hover-highlighted
// component, keeps frames coming with an animation and checks that the list stays put and the
// hover is still seen.
#include <QDir>
#include <QInputDevice>
#include <QQmlComponent>
#include <QQmlEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QSignalSpy>
#include <QTest>
#include <QtQml/QQmlExtensionPlugin>

#include <dlfcn.h>

#include <memory>

Q_IMPORT_QML_PLUGIN(Callwatch_ComponentsPlugin)

using namespace Qt::StringLiterals;

namespace {

// QQuickPointerHandlerPrivate::deviceDeliveryTargets(const QInputDevice *): exported by
// libQt6Quick but declared only in a private header that is not installed. Looked up at run
// time so a Qt without it skips the test instead of failing to link.
using DeliveryTargets = QList<QObject *> &(*)(const QInputDevice *);

DeliveryTargets deliveryTargetsFunction()
{
    return reinterpret_cast<DeliveryTargets>(dlsym(
        RTLD_DEFAULT, "_ZN27QQuickPointerHandlerPrivate21deviceDeliveryTargetsEPK12QInputDevice"));
}

qsizetype deliveryTargetCount(DeliveryTargets targets)
{
    qsizetype count = 0;
    const QList<const QInputDevice *> devices = QInputDevice::devices();
    for (const QInputDevice *device : devices)
        count += targets(device).size();
    return count;
}

QByteArray windowWith(const QByteArray &component)
{
    // The spinning square stands in for the pulsing live dot: something changes every frame,
    // which is what makes Qt Quick re-deliver hover to whatever is under the resting pointer.
    return "import QtQuick\n"
           "import Callwatch.Components\n"
           "Window {\n"
           "    width: 480; height: 200; visible: true\n"
           "    Rectangle {\n"
           "        x: 460; y: 180; width: 10; height: 10; color: \"red\"\n"
           "        RotationAnimation on rotation {\n"
           "            from: 0; to: 360; duration: 1000; loops: Animation.Infinite\n"
           "        }\n"
           "    }\n" +
           component + "}\n";
}

} // namespace

class TestHoverDelivery : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void restingPointerDoesNotGrowDeliveryTargets_data();
    void restingPointerDoesNotGrowDeliveryTargets();
};

void TestHoverDelivery::restingPointerDoesNotGrowDeliveryTargets_data()
{
    QTest::addColumn<QByteArray>("component");
    QTest::newRow("CallRow") << QByteArray(
        "    CallRow {\n"
        "        objectName: \"target\"; width: 480\n"
        "        callSid: \"EL_1042_1\"; driverId: \"DRV-1042\"; toNumber: \"+13075550142\"\n"
        "        status: \"in_progress\"; isLive: true; startedAt: new Date()\n"
        "        durationSeconds: -1; lastMessage: \"Copy that.\"; lastSpeaker: \"user\"\n"
        "        summary: \"\"; failureReason: \"\"; callSuccessful: \"\"\n"
        "    }\n");
    QTest::newRow("DeliveryRow") << QByteArray(
        "    DeliveryRow {\n"
        "        objectName: \"target\"; width: 480\n"
        "        deliveryId: 7; receivedAt: new Date(); route: \"/webhooks/elevenlabs\"\n"
        "        eventType: \"post_call_transcription\"; verification: \"verified\"\n"
        "        outcome: \"processed\"; httpStatus: 200; errorMessage: \"\"; bodySize: 2048\n"
        "    }\n");
    QTest::newRow("ConnectionIndicator")
        << QByteArray("    ConnectionIndicator {\n"
                      "        objectName: \"target\"; width: 240\n"
                      "        connectionState: \"live\"; detail: \"ws://127.0.0.1:8750\"\n"
                      "    }\n");
}

void TestHoverDelivery::restingPointerDoesNotGrowDeliveryTargets()
{
    QFETCH(QByteArray, component);
    const DeliveryTargets targets = deliveryTargetsFunction();
    if (!targets)
        QSKIP("This Qt does not export QQuickPointerHandlerPrivate::deviceDeliveryTargets");

    QQmlEngine engine;
    QQmlComponent qml(&engine);
    // A local URL: the component is then compiled synchronously.
    qml.setData(windowWith(component), QUrl::fromLocalFile(QDir::temp().filePath(u"hover.qml"_s)));
    QVERIFY2(qml.isReady(), qPrintable(qml.errorString()));
    std::unique_ptr<QObject> root(qml.create());
    QVERIFY2(root, qPrintable(qml.errorString()));
    auto *window = qobject_cast<QQuickWindow *>(root.get());
    QVERIFY(window);
    QVERIFY(QTest::qWaitForWindowExposed(window));
    auto *target = window->findChild<QQuickItem *>(u"target"_s);
    QVERIFY(target);
    auto *hoverArea = target->findChild<QObject *>(u"hoverArea"_s);
    QVERIFY(hoverArea);

    // The pointer comes to rest on the component; the hover is still seen.
    const QPointF centre = target->mapToScene(QPointF(target->width() / 2, target->height() / 2));
    QTest::mouseMove(window, centre.toPoint());
    QTRY_VERIFY(hoverArea->property("hovered").toBool());

    QSignalSpy frames(window, &QQuickWindow::frameSwapped);
    QTRY_VERIFY(frames.size() >= 5);
    const qsizetype before = deliveryTargetCount(targets);
    frames.clear();
    // With a HoverHandler the list gains one entry per frame: 120 here.
    QTRY_VERIFY_WITH_TIMEOUT(frames.size() >= 120, 60000);
    const qsizetype after = deliveryTargetCount(targets);
    QVERIFY2(
        after - before <= 4,
        qPrintable(u"%1 delivery targets before, %2 after %3 frames"_s.arg(before).arg(after).arg(
            frames.size())));
    QVERIFY(hoverArea->property("hovered").toBool());
}

QTEST_MAIN(TestHoverDelivery)
#include "tst_hoverdelivery.moc"
