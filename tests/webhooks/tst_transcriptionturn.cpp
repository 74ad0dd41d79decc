// SPDX-License-Identifier: GPL-3.0-or-later
// TranscriptionTurn::parse() reads flat bodies with FlatJsonScanner and everything else through
// QJsonDocument. These tests hold parse() to the QJsonDocument reference (parseWithQJson) for a
// table of hand-written bodies and for generated ones, and prove the fast path is really taken.
#include "transcriptionturnrows.h"

#include "webhooks/flatjsonscanner.h"
#include "webhooks/jsonfieldreader.h"
#include "webhooks/transcriptionturn.h"

#include <QRandomGenerator>
#include <QTest>
#include <QTimeZone>

#include <bit>

using namespace Qt::StringLiterals;
using callwatch::Result;
using callwatch::webhooks::FlatJsonScanner;
using callwatch::webhooks::TranscriptionTurn;

using namespace turnbodies;

namespace {

QString text(const QString &s)
{
    if (s.isNull())
        return u"<null>"_s;
    QString out = u"\""_s;
    for (const QChar c : s) {
        if (c.unicode() >= 0x20 && c.unicode() < 0x7f)
            out += c;
        else
            out += u"\\u"_s + QString::number(c.unicode(), 16).rightJustified(4, u'0');
    }
    return out + u'"';
}

QString number(std::optional<double> d)
{
    if (!d)
        return u"none"_s;
    return QString::number(*d, 'g', 17) + u" bits "_s +
           QString::number(std::bit_cast<quint64>(*d), 16);
}

QString time(const std::optional<QDateTime> &t)
{
    if (!t)
        return u"none"_s;
    return QString::number(t->toMSecsSinceEpoch()) + u" spec "_s +
           QString::number(int(t->timeSpec())) + u" offset "_s +
           QString::number(t->offsetFromUtc()) + u' ' + t->toString(Qt::ISODateWithMs);
}

/** Every observable part of a turn, so one QCOMPARE shows any difference. */
QString describe(const TranscriptionTurn &turn)
{
    return u"callSid="_s + text(turn.callSid) + u" conversationId="_s + text(turn.conversationId) +
           u" speaker="_s + text(turn.speaker) + u" message="_s + text(turn.message) + u" time="_s +
           number(turn.timeInCallSecs) + u" turnId="_s + text(turn.turnId) + u" timestamp="_s +
           time(turn.timestamp) + u" key="_s + turn.turnKey();
}

QString describe(const Result<TranscriptionTurn> &result)
{
    if (!result)
        return u"error "_s + result.error().code + u": "_s + result.error().message;
    return describe(result.value());
}

/** Empty when parse() and parseFlat() agree with the reference, else what differs. */
QString difference(const QByteArray &body, bool *handled = nullptr)
{
    const Result<TranscriptionTurn> reference = TranscriptionTurn::parseWithQJson(body);
    const QString expected = describe(reference);
    const std::optional<TranscriptionTurn> flat = TranscriptionTurn::parseFlat(body);
    if (handled)
        *handled = flat.has_value();
    QString problem;
    if (flat && (!reference || describe(*flat) != expected))
        problem += u"parseFlat: "_s + describe(*flat) + u'\n';
    const QString actual = describe(TranscriptionTurn::parse(body));
    if (actual != expected)
        problem += u"parse: "_s + actual + u'\n';
    if (problem.isEmpty())
        return {};
    return problem + u"reference: "_s + expected + u"\nbody (hex): "_s +
           QString::fromLatin1(body.toHex(' '));
}

/** Counts generated bodies, and how many of them the fast path answered. */
struct Tally
{
    int handled = 0;
    int total = 0;

    QString check(const QByteArray &body)
    {
        bool wasHandled = false;
        QString problem = difference(body, &wasHandled);
        handled += wasHandled ? 1 : 0;
        ++total;
        return problem;
    }
};

} // namespace

class TestTranscriptionTurn : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fastPathTakesTypicalBody();
    void scannerDecodesStrings_data();
    void scannerDecodesStrings();
    void scannerReportsKinds();
    void matchesReference_data();
    void matchesReference();
    void mutatedBodiesMatchReference();
    void generatedNumbersMatchReference();
    void generatedStringsMatchReference();
    void timestampsPastYear9999AreRefused_data();
    void timestampsPastYear9999AreRefused();
};

void TestTranscriptionTurn::fastPathTakesTypicalBody()
{
    const std::optional<TranscriptionTurn> turn = TranscriptionTurn::parseFlat(typical());
    QVERIFY(turn.has_value());
    QCOMPARE(turn->callSid, u"EL_bench_3"_s);
    QCOMPARE(turn->speaker, u"user"_s);
    QCOMPARE(turn->message, u"Turn 17: I was doing about seventy in the right lane."_s);
    QCOMPARE(turn->timeInCallSecs, std::optional<double>(1.7));
    QCOMPARE(turn->turnId, u"bench-17"_s);
    QVERIFY(turn->conversationId.isNull());
    QCOMPARE(turn->timestamp, QDateTime(QDate(2026, 11, 21), QTime(10, 0), QTimeZone::utc()));
    QCOMPARE(turn->turnKey(), u"id:bench-17"_s);
    QCOMPARE(describe(TranscriptionTurn::parse(typical())), describe(*turn));
}

void TestTranscriptionTurn::scannerDecodesStrings_data()
{
    QTest::addColumn<QByteArray>("literal"); // a JSON string literal, quotes included
    QTest::addColumn<QString>("expected");   // written independently of any JSON parser

    QTest::newRow("ascii") << QByteArray(R"("plain text")") << u"plain text"_s;
    QTest::newRow("empty") << QByteArray(R"("")") << u""_s;
    QTest::newRow("short escapes") << QByteArray(R"("\"\\\/\b\f\n\r\t")") << u"\"\\/\b\f\n\r\t"_s;
    QTest::newRow("u escape") << QByteArray(R"("caf\u00e9 \u00E9")") << u"café é"_s;
    QTest::newRow("u escape nul") << QByteArray(R"("a\u0000b")") << QString(u"a\0b"_s);
    QTest::newRow("surrogate pair") << QByteArray(R"("\ud83d\ude9a!")") << u"🚚!"_s;
    QTest::newRow("raw utf8") << QByteArray("\"caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80\"")
                              << u"café 日 😀"_s;
    QTest::newRow("raw utf8 with escape")
        << QByteArray("\"\xc3\xa9\\n\xf0\x9f\x98\x80\\u00e9\"") << u"é\n😀é"_s;
    QTest::newRow("noncharacter") << QByteArray("\"\xef\xbf\xbe\"") << QString(QChar(0xfffe));
}

void TestTranscriptionTurn::scannerDecodesStrings()
{
    QFETCH(QByteArray, literal);
    QFETCH(QString, expected);
    const QByteArray json = "{\"k\":" + literal + '}';
    const std::array keys{"k"_L1};
    std::array<FlatJsonScanner::Value, 1> values;
    QVERIFY(FlatJsonScanner::scan(json, keys, values));
    QCOMPARE(values[0].kind, FlatJsonScanner::Kind::String);
    const QString decoded = values[0].toString();
    QCOMPARE(decoded, expected);
    QVERIFY(!decoded.isNull());
}

void TestTranscriptionTurn::scannerReportsKinds()
{
    using Kind = FlatJsonScanner::Kind;
    const QByteArray json =
        R"( { "s" : "x" , "n" : -12.5e1 , "t" : true , "f" : false , "z" : null , "o" : 1 } )";
    const std::array keys{"s"_L1, "n"_L1, "t"_L1, "f"_L1, "z"_L1, "absent"_L1};
    std::array<FlatJsonScanner::Value, 6> values;
    QVERIFY(FlatJsonScanner::scan(json, keys, values));
    QCOMPARE(values[0].kind, Kind::String);
    QCOMPARE(values[1].kind, Kind::Number);
    QCOMPARE(values[1].number, -125.0);
    QCOMPARE(values[2].kind, Kind::True);
    QCOMPARE(values[3].kind, Kind::False);
    QCOMPARE(values[4].kind, Kind::Null);
    QCOMPARE(values[5].kind, Kind::Absent);

    // Not answered: a nested value under an unwanted key, and a wanted key twice.
    std::array<FlatJsonScanner::Value, 6> again;
    QVERIFY(!FlatJsonScanner::scan(R"({"s":"x","o":{}})", keys, again));
    std::array<FlatJsonScanner::Value, 6> twice;
    QVERIFY(!FlatJsonScanner::scan(R"({"s":"x","s":"y"})", keys, twice));
}

void TestTranscriptionTurn::matchesReference_data()
{
    addTranscriptionTurnRows();
}

void TestTranscriptionTurn::matchesReference()
{
    QFETCH(QByteArray, body);
    QFETCH(bool, handled);
    bool flatHandled = false;
    const QString problem = difference(body, &flatHandled);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    // Pins which bodies the fast path answers, so it cannot quietly stop answering (or start
    // answering what it should leave to Qt).
    QCOMPARE(flatHandled, handled);
}

void TestTranscriptionTurn::mutatedBodiesMatchReference()
{
    const QList<QByteArray> bases{
        typical(),
        QByteArray(
            " {\n  \"call_sid\" : \"EL_7\",\r\n\t\"role\": \"Agent\",\n  \"message\": "
            "\"Hello\",\n  \"conversation_id\": \"conv_1\",\n  \"time_in_call_secs\": 0\n} "),
        with("message", R"("caf\u00e9 \"quoted\"\n \ud83d\ude9a \u00e9 tab\t")") + ' ',
        object(TypicalMembers + Members{{"extra", R"("x")"},
                                        {"n", "-1.5e-3"},
                                        {"b", "true"},
                                        {"z", "null"},
                                        {"f", "false"}}),
        object({{"call_sid", "42"},
                {"speaker", "\"customer\""},
                {"message", "null"},
                {"time_in_call_secs", "\"12.5\""},
                {"turn_id", "17"},
                {"timestamp", "1700000000123"}}),
        with("message", "\"caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80\""),
    };
    static const QByteArray alphabet =
        QByteArray("\"\\{}[],:0123456789-+.eE \t\n\rtfnulrsbu/xX") +
        QByteArray("\x00\x01\x1f\x7f\x80\xbf\xc0\xc3\xa9\xe2\xed\xef\xf0\xf4\xf5\xff", 16);
    static const QList<QByteArray> snippets{"\\u",
                                            "\\ud83d",
                                            "\\ude00",
                                            "\\u00e9",
                                            "null",
                                            "true",
                                            "-0",
                                            "1e400",
                                            ".5",
                                            "\"x\":1,",
                                            "{}",
                                            "[1]",
                                            "\xef\xbb\xbf",
                                            "\\",
                                            "\"",
                                            "\"speaker\":\"agent\",",
                                            "\"call_sid\":\"dup\","};

    QRandomGenerator rng(20261121);
    Tally tally;
    for (const QByteArray &base : bases) {
        QVERIFY2(difference(base).isEmpty(), base.constData());
        for (int i = 0; i < 1500; ++i) {
            QByteArray body = base;
            const int mutations = 1 + rng.bounded(3);
            for (int m = 0; m < mutations && !body.isEmpty(); ++m) {
                const qsizetype pos = rng.bounded(body.size());
                switch (rng.bounded(6)) {
                case 0:
                    body[pos] = alphabet[rng.bounded(alphabet.size())];
                    break;
                case 1:
                    body[pos] = char(rng.bounded(256));
                    break;
                case 2:
                    body.insert(pos, snippets[rng.bounded(snippets.size())]);
                    break;
                case 3:
                    body.remove(pos, 1 + rng.bounded(3));
                    break;
                case 4:
                    body.truncate(pos);
                    break;
                default:
                    body.insert(rng.bounded(body.size()), body.mid(pos, 1 + rng.bounded(12)));
                    break;
                }
            }
            const QString problem = tally.check(body);
            QVERIFY2(problem.isEmpty(), qPrintable(problem));
        }
    }
    qInfo("fast path answered %d of %d mutated bodies", tally.handled, tally.total);
    QVERIFY(tally.handled > tally.total / 20); // the mutations must exercise the fast path too
}

void TestTranscriptionTurn::generatedNumbersMatchReference()
{
    QRandomGenerator rng(7);
    auto digits = [&rng](int count) {
        QByteArray out;
        for (int i = 0; i < count; ++i)
            out += char('0' + rng.bounded(10));
        return out;
    };
    Tally tally;
    for (int i = 0; i < 1500; ++i) {
        QByteArray n;
        if (rng.bounded(4) == 0)
            n += '-';
        n += rng.bounded(3) == 0 ? QByteArray("0") : QByteArray::number(1 + rng.bounded(9));
        n += digits(rng.bounded(i % 3 == 0 ? 22 : 8));
        if (rng.bounded(2) == 0)
            n += '.' + digits(1 + rng.bounded(i % 5 == 0 ? 25 : 6));
        if (rng.bounded(3) == 0) {
            n += rng.bounded(2) ? 'e' : 'E';
            const int sign = rng.bounded(3);
            n += sign == 0 ? "" : sign == 1 ? "+" : "-";
            n += QByteArray::number(rng.bounded(i % 7 == 0 ? 400 : 30));
        }
        const QList<QByteArray> bodies{with("time_in_call_secs", n),
                                       with("timestamp", n),
                                       with("call_sid", n),
                                       with("turn_id", n),
                                       with("time_in_call_secs", '"' + n + '"'),
                                       with("unknown", n)};
        for (const QByteArray &body : bodies) {
            const QString problem = tally.check(body);
            QVERIFY2(problem.isEmpty(), qPrintable(problem));
        }
    }
    qInfo("fast path answered %d of %d generated numbers", tally.handled, tally.total);
    QVERIFY(tally.handled > tally.total / 2);
}

void TestTranscriptionTurn::generatedStringsMatchReference()
{
    QRandomGenerator rng(11);
    auto piece = [&rng]() -> QByteArray {
        switch (rng.bounded(12)) {
        case 0:
            return QByteArray(1, "\"\\/bfnrtux"[rng.bounded(10)]).prepend('\\');
        case 1: { // any BMP unit, surrogates included, as an escape
            const QByteArray hex = QByteArray::number(rng.bounded(0x10000), 16);
            return "\\u" + hex.rightJustified(4, '0');
        }
        case 2: { // an escaped pair
            const uint cp = 0x10000 + rng.bounded(0x100000);
            const QString pair = QString::fromUcs4(reinterpret_cast<const char32_t *>(&cp), 1);
            return "\\u" + QByteArray::number(pair.at(0).unicode(), 16) + "\\u" +
                   QByteArray::number(pair.at(1).unicode(), 16);
        }
        case 3:
        case 4: { // raw UTF-8 of any scalar value
            uint cp = rng.bounded(0x110000);
            if (cp >= 0xd800 && cp <= 0xdfff)
                cp = 0xe9;
            return QString::fromUcs4(reinterpret_cast<const char32_t *>(&cp), 1).toUtf8();
        }
        case 5: // a single byte of any value: control characters, stray UTF-8 bytes
            return rng.bounded(4) == 0 ? QByteArray(1, char(rng.bounded(256))) : QByteArray(" ");
        default:
            return QByteArray(1, char(0x20 + rng.bounded(0x5f)))
                .replace("\"", "'")
                .replace("\\", "/");
        }
    };
    Tally tally;
    for (int i = 0; i < 1500; ++i) {
        QByteArray s;
        const int pieces = 1 + rng.bounded(8);
        for (int p = 0; p < pieces; ++p)
            s += piece();
        const QByteArray literal = '"' + s + '"';
        const QList<QByteArray> bodies{with("message", literal), with("turn_id", literal),
                                       with("call_sid", literal), with("speaker", literal),
                                       with("unknown", literal)};
        for (const QByteArray &body : bodies) {
            const QString problem = tally.check(body);
            QVERIFY2(problem.isEmpty(), qPrintable(problem));
        }
    }
    qInfo("fast path answered %d of %d generated strings", tally.handled, tally.total);
    QVERIFY(tally.handled > tally.total / 4);
}

void TestTranscriptionTurn::timestampsPastYear9999AreRefused_data()
{
    QTest::addColumn<QByteArray>("timestamp");
    QTest::newRow("ms, year 10000") << QByteArray("253402300800000");
    QTest::newRow("s, past what llround takes") << QByteArray("9.3e18");
    QTest::newRow("1e300") << QByteArray("1e300");
}

void TestTranscriptionTurn::timestampsPastYear9999AreRefused()
{
    // llround() of such a time overflowed into a "valid" QDateTime with no ISO text.
    QFETCH(QByteArray, timestamp);
    const QByteArray body =
        R"({"call_sid":"CA1","speaker":"user","message":"hi","timestamp":)" + timestamp + '}';
    const auto turn = TranscriptionTurn::parse(body);
    QVERIFY(!turn);
    QCOMPARE(turn.error().code, QString(callwatch::webhooks::PayloadError::InvalidField));
    QVERIFY(turn.error().message.contains(u"timestamp"_s));
}

QTEST_GUILESS_MAIN(TestTranscriptionTurn)
#include "tst_transcriptionturn.moc"
