// SPDX-License-Identifier: GPL-3.0-or-later
// QtQuickTest runner for the Callwatch.Components tests in qml/tst_*.qml.
#include <QtQml/QQmlExtensionPlugin>
#include <QtQuickTest>

Q_IMPORT_QML_PLUGIN(Callwatch_ComponentsPlugin)

QUICK_TEST_MAIN(callwatch_components)
