// SPDX-License-Identifier: GPL-3.0-or-later
#include "webhooks/base64streamdecoder.h"

#include <array>

using namespace Qt::StringLiterals;

namespace callwatch::webhooks {

namespace {

constexpr unsigned char Invalid = 0xFF;
constexpr unsigned char Whitespace = 0xFE;
constexpr unsigned char Pad = 0xFD;

constexpr std::array<unsigned char, 256> makeTable()
{
    std::array<unsigned char, 256> table{};
    for (auto &entry : table)
        entry = Invalid;
    constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (unsigned char i = 0; i < 64; ++i)
        table[static_cast<unsigned char>(alphabet[i])] = i;
    table[static_cast<unsigned char>(' ')] = Whitespace;
    table[static_cast<unsigned char>('\t')] = Whitespace;
    table[static_cast<unsigned char>('\n')] = Whitespace;
    table[static_cast<unsigned char>('\r')] = Whitespace;
    table[static_cast<unsigned char>('=')] = Pad;
    return table;
}

constexpr std::array<unsigned char, 256> DecodeTable = makeTable();

} // namespace

Base64StreamDecoder::Base64StreamDecoder(QIODevice &output, qsizetype flushSize)
    : m_output(output), m_flushSize(qMax<qsizetype>(flushSize, 3))
{
    m_pending.reserve(m_flushSize);
}

bool Base64StreamDecoder::fail(Failure failure, const QString &message)
{
    m_failure = failure;
    m_errorString = message;
    return false;
}

bool Base64StreamDecoder::flush()
{
    if (m_pending.isEmpty())
        return true;
    if (m_output.write(m_pending) != m_pending.size())
        return fail(Failure::WriteFailed, u"could not write decoded bytes"_s);
    m_pending.clear();
    return true;
}

bool Base64StreamDecoder::feed(QByteArrayView text)
{
    if (m_failure != Failure::None)
        return false;
    for (const char c : text) {
        const unsigned char v = DecodeTable[static_cast<unsigned char>(c)];
        ++m_seen;
        if (v == Whitespace)
            continue;
        if (v == Invalid)
            return fail(Failure::InvalidBase64, u"invalid character at position %1"_s.arg(m_seen));
        if (v == Pad) {
            // Padding may only complete the last quad, after at least two data characters.
            if (m_quadSize + m_padding < 2 || m_quadSize + m_padding >= 4)
                return fail(Failure::InvalidBase64, u"misplaced '=' at position %1"_s.arg(m_seen));
            ++m_padding;
            continue;
        }
        if (m_padding > 0)
            return fail(Failure::InvalidBase64, u"data after '=' at position %1"_s.arg(m_seen));
        m_quad[m_quadSize++] = v;
        if (m_quadSize == 4) {
            m_pending.append(static_cast<char>((m_quad[0] << 2) | (m_quad[1] >> 4)));
            m_pending.append(static_cast<char>(((m_quad[1] & 0x0F) << 4) | (m_quad[2] >> 2)));
            m_pending.append(static_cast<char>(((m_quad[2] & 0x03) << 6) | m_quad[3]));
            m_decoded += 3;
            m_quadSize = 0;
            // Flush before another group could push the block past m_flushSize.
            if (m_pending.size() + 3 > m_flushSize && !flush())
                return false;
        }
    }
    return true;
}

bool Base64StreamDecoder::finish()
{
    if (m_failure != Failure::None)
        return false;
    if (m_quadSize == 1)
        return fail(Failure::InvalidBase64, u"truncated final group"_s);
    if (m_quadSize >= 2) {
        m_pending.append(static_cast<char>((m_quad[0] << 2) | (m_quad[1] >> 4)));
        ++m_decoded;
    }
    if (m_quadSize == 3) {
        m_pending.append(static_cast<char>(((m_quad[1] & 0x0F) << 4) | (m_quad[2] >> 2)));
        ++m_decoded;
    }
    m_quadSize = 0;
    return flush();
}

} // namespace callwatch::webhooks
