// SPDX-License-Identifier: GPL-3.0-or-later
#include "webhooks/jsonstreamreader.h"

#include <QBuffer>
#include <QTest>

using namespace Qt::StringLiterals;
using callwatch::webhooks::JsonStreamReader;

namespace {

// Block sizes that put every token across a buffer boundary, plus a realistic one.
const QList<qsizetype> BlockSizes{1, 3, 7, 64 * 1024};

bool validDocument(const QByteArray &json, qsizetype blockSize)
{
    QBuffer buffer;
    buffer.setData(json);
    buffer.open(QIODevice::ReadOnly);
    JsonStreamReader reader(buffer, blockSize);
    if (!reader.skipValue().ok())
        return false;
    const auto end = reader.atEnd();
    return end.ok() && end.value();
}

} // namespace

class TestJsonStreamReader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void validity_data();
    void validity();
    void readString_data();
    void readString();
    void streamsInPieces();
    void errorNamesTheOffset();
};

void TestJsonStreamReader::validity_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<bool>("valid");

    QTest::newRow("empty object") << QByteArray("{}") << true;
    QTest::newRow("empty array") << QByteArray("[ ]") << true;
    QTest::newRow("nested") << QByteArray(R"({"a":[1,2,{"b":null}],"c":"x","d":{}})") << true;
    QTest::newRow("whitespace everywhere")
        << QByteArray(" \n\t{ \"a\" : true ,\r\n \"b\":false }  \n") << true;
    QTest::newRow("top-level string") << QByteArray(R"("str")") << true;
    QTest::newRow("top-level number") << QByteArray("-0.5e+10") << true;
    QTest::newRow("zero") << QByteArray("0") << true;
    QTest::newRow("exponent without sign") << QByteArray("[1E5, 2.25e3]") << true;
    QTest::newRow("deep arrays") << QByteArray("[[[[[]]]]]") << true;
    QTest::newRow("escapes") << QByteArray(R"(["\"\\\/\b\f\n\r\t\u00e9\ud83d\ude9a"])") << true;
    QTest::newRow("brackets inside strings") << QByteArray(R"({"a":"}{][,:","b":"\"}"})") << true;
    QTest::newRow("nesting 500") << QByteArray(QByteArray(500, '[') + QByteArray(500, ']')) << true;

    QTest::newRow("empty input") << QByteArray() << false;
    QTest::newRow("only whitespace") << QByteArray(" \n ") << false;
    QTest::newRow("trailing comma in object") << QByteArray(R"({"a":1,})") << false;
    QTest::newRow("trailing comma in array") << QByteArray("[1,]") << false;
    QTest::newRow("missing colon") << QByteArray(R"({"a" 1})") << false;
    QTest::newRow("unquoted key") << QByteArray("{a:1}") << false;
    QTest::newRow("missing comma") << QByteArray("[1 2]") << false;
    QTest::newRow("leading zero") << QByteArray(R"({"a":01})") << false;
    QTest::newRow("lone minus") << QByteArray("[-]") << false;
    QTest::newRow("dot without digits") << QByteArray("[1.]") << false;
    QTest::newRow("leading dot") << QByteArray("[.5]") << false;
    QTest::newRow("exponent without digits") << QByteArray("[1e]") << false;
    QTest::newRow("plus sign") << QByteArray("[+1]") << false;
    QTest::newRow("unterminated string") << QByteArray(R"(["abc)") << false;
    QTest::newRow("bad escape") << QByteArray(R"({"a":"x\q"})") << false;
    QTest::newRow("bad unicode escape") << QByteArray(R"(["\u12g4"])") << false;
    QTest::newRow("unpaired high surrogate") << QByteArray(R"(["\ud83d"])") << false;
    QTest::newRow("raw control character") << QByteArray("[\"a\x01\"]") << false;
    QTest::newRow("truncated literal") << QByteArray("[tru]") << false;
    QTest::newRow("wrong literal") << QByteArray("[nul]") << false;
    QTest::newRow("mismatched bracket") << QByteArray(R"({"a":[1})") << false;
    QTest::newRow("unclosed object") << QByteArray(R"({"a":1)") << false;
    QTest::newRow("content after the value") << QByteArray(R"({"a":1}})") << false;
    QTest::newRow("two values") << QByteArray("{} {}") << false;
    QTest::newRow("stray closer") << QByteArray("]") << false;
    QTest::newRow("NUL byte") << QByteArray("[1,\0 2]", 7) << false;
    QTest::newRow("nesting 600") << QByteArray(QByteArray(600, '[') + QByteArray(600, ']'))
                                 << false;
}

void TestJsonStreamReader::validity()
{
    QFETCH(QByteArray, json);
    QFETCH(bool, valid);
    for (const qsizetype blockSize : BlockSizes)
        QVERIFY2(validDocument(json, blockSize) == valid,
                 qPrintable(u"block size %1"_s.arg(blockSize)));
}

void TestJsonStreamReader::readString_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<qsizetype>("keep");
    QTest::addColumn<QByteArray>("expected");
    QTest::addColumn<bool>("truncated");

    QTest::newRow("plain") << QByteArray(R"("post_call_audio")") << qsizetype(64)
                           << QByteArray("post_call_audio") << false;
    QTest::newRow("escaped slash")
        << QByteArray(R"("a\/b\/\/c")") << qsizetype(64) << QByteArray("a/b//c") << false;
    QTest::newRow("control escapes") << QByteArray(R"("\b\f\n\r\t\"\\")") << qsizetype(64)
                                     << QByteArray("\b\f\n\r\t\"\\") << false;
    QTest::newRow("unicode escapes to UTF-8")
        << QByteArray(R"("\u00e9\u20AC\ud83d\ude9a")") << qsizetype(64)
        << QByteArray("\xc3\xa9\xe2\x82\xac\xf0\x9f\x9a\x9a") << false;
    QTest::newRow("raw UTF-8 kept") << QByteArray("\"Gr\xc3\xbc\xc3\x9f"
                                                  "e\"")
                                    << qsizetype(64)
                                    << QByteArray("Gr\xc3\xbc\xc3\x9f"
                                                  "e")
                                    << false;
    QTest::newRow("lone low surrogate becomes U+FFFD")
        << QByteArray(R"("\udc00")") << qsizetype(64) << QByteArray("\xef\xbf\xbd") << false;
    QTest::newRow("cut at keep") << QByteArray(R"("conversation_id")") << qsizetype(4)
                                 << QByteArray("conv") << true;
    QTest::newRow("exactly keep") << QByteArray(R"("type")") << qsizetype(4) << QByteArray("type")
                                  << false;
    QTest::newRow("empty") << QByteArray(R"("")") << qsizetype(4) << QByteArray() << false;
}

void TestJsonStreamReader::readString()
{
    QFETCH(QByteArray, json);
    QFETCH(qsizetype, keep);
    QFETCH(QByteArray, expected);
    QFETCH(bool, truncated);

    for (const qsizetype blockSize : BlockSizes) {
        QBuffer buffer;
        buffer.setData(json);
        buffer.open(QIODevice::ReadOnly);
        JsonStreamReader reader(buffer, blockSize);
        bool cut = !truncated;
        const auto text = reader.readString(keep, &cut);
        QVERIFY2(text.ok(), qPrintable(text.error().message));
        QCOMPARE(text.value(), expected);
        QCOMPARE(cut, truncated);
        QCOMPARE(reader.atEnd().value(), true);
    }
}

// A long string reaches the sink in several pieces no larger than a block, never as one copy.
void TestJsonStreamReader::streamsInPieces()
{
    const QByteArray content(300 * 1024, 'A');
    QBuffer buffer;
    buffer.setData('"' + content + '"');
    buffer.open(QIODevice::ReadOnly);
    JsonStreamReader reader(buffer, 16 * 1024);
    QByteArray joined;
    int pieces = 0;
    qsizetype largest = 0;
    const auto streamed = reader.streamString([&](QByteArrayView piece) -> callwatch::Result<> {
        ++pieces;
        largest = qMax(largest, piece.size());
        joined.append(piece);
        return {};
    });
    QVERIFY(streamed.ok());
    QCOMPARE(joined, content);
    QVERIFY(pieces >= 300 / 16);
    QVERIFY(largest <= 16 * 1024);
}

void TestJsonStreamReader::errorNamesTheOffset()
{
    QBuffer buffer;
    buffer.setData(R"({"a": [1, 2,, 3]})");
    buffer.open(QIODevice::ReadOnly);
    JsonStreamReader reader(buffer);
    const auto skipped = reader.skipValue();
    QVERIFY(!skipped.ok());
    QCOMPARE(skipped.error().code, u"invalid_json"_s);
    QCOMPARE(skipped.error().message, u"body is not valid JSON: unexpected character at byte 12"_s);
}

QTEST_GUILESS_MAIN(TestJsonStreamReader)
#include "tst_jsonstreamreader.moc"
