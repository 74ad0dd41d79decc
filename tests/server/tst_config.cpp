// SPDX-License-Identifier: GPL-3.0-or-later
// `callwatchd config` shows what is in effect, defaults included, and never a secret.
#include "server/config.h"

#include <QTest>

using namespace Qt::StringLiterals;
using callwatch::server::Config;

class TestConfig : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void describeShowsWhatIsInEffect_data();
    void describeShowsWhatIsInEffect();
    void describeNeverShowsSecrets();
};

namespace {

Config configWith(const QMap<QString, QString> &flags)
{
    auto config = Config::load(flags, QProcessEnvironment());
    return config ? config.value() : Config();
}

} // namespace

void TestConfig::describeShowsWhatIsInEffect_data()
{
    QTest::addColumn<QString>("flagName");
    QTest::addColumn<QString>("flagValue");
    QTest::addColumn<QString>("line");
    QTest::newRow("listen default")
        << QString() << QString() << u"listen=127.0.0.1:8750  [default]"_s;
    QTest::newRow("listen flag") << u"listen"_s << u"0.0.0.0:9000"_s
                                 << u"listen=0.0.0.0:9000  [flag]"_s;
    QTest::newRow("database default")
        << QString() << QString() << u"database=sqlite:///srv/callwatch/callwatch.db  [default]"_s;
    QTest::newRow("retention default")
        << QString() << QString() << u"event-retention-days=7  [default]"_s;
    QTest::newRow("retention flag")
        << u"event-retention-days"_s << u"30"_s << u"event-retention-days=30  [flag]"_s;
    QTest::newRow("jwt secret generated")
        << QString() << QString()
        << u"jwt-secret=(generated in /srv/callwatch/jwt-secret)  [default]"_s;
    QTest::newRow("jwt secret unused")
        << u"jwt-algorithm"_s << u"rs256"_s << u"jwt-secret=(not used with RS256)  [default]"_s;
    QTest::newRow("algorithm default")
        << QString() << QString() << u"jwt-algorithm=HS256  [default]"_s;
    QTest::newRow("webhook secret unset")
        << QString() << QString() << u"webhook-secret=(not set)  [default]"_s;
    QTest::newRow("api default") << QString() << QString()
                                 << u"elevenlabs-base-url=https://api.elevenlabs.io  [default]"_s;
}

void TestConfig::describeShowsWhatIsInEffect()
{
    QFETCH(QString, flagName);
    QFETCH(QString, flagValue);
    QFETCH(QString, line);
    QMap<QString, QString> flags{{u"data-dir"_s, u"/srv/callwatch"_s}};
    if (!flagName.isEmpty())
        flags.insert(flagName, flagValue);
    const QStringList lines = configWith(flags).describe();
    QVERIFY2(lines.contains(line), qPrintable(lines.join(u'\n')));
}

void TestConfig::describeNeverShowsSecrets()
{
    const QStringList lines =
        configWith({{u"data-dir"_s, u"/srv/callwatch"_s},
                    {u"database"_s, u"postgresql://cw:hunter2@db:5432/callwatch"_s},
                    {u"webhook-secret"_s, u"whsec_old,whsec_new"_s},
                    {u"transcription-secret"_s, u"trsec_1"_s},
                    {u"jwt-secret"_s, u"jwt-very-secret"_s},
                    {u"elevenlabs-api-key"_s, u"xi-key-1"_s}})
            .describe();
    const QString all = lines.join(u'\n');
    for (const QString &secret :
         {u"hunter2"_s, u"whsec_"_s, u"trsec_1"_s, u"jwt-very-secret"_s, u"xi-key-1"_s})
        QVERIFY2(!all.contains(secret), qPrintable(secret));
    QVERIFY(lines.contains(u"database=postgresql://cw:***@db:5432/callwatch  [flag]"_s));
    QVERIFY(lines.contains(u"webhook-secret=(set)  [flag]"_s));
    QVERIFY(lines.contains(u"jwt-secret=(set)  [flag]"_s));
}

QTEST_GUILESS_MAIN(TestConfig)
#include "tst_config.moc"
