// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/result.h"

#include <QIODevice>
#include <QString>

namespace callwatch::webhooks {

/** @brief What a post_call_audio body says besides the audio itself. */
struct AudioPayloadInfo
{
    QString type; ///< as sent; the caller checks it is "post_call_audio"
    qint64 eventTimestamp = 0;
    QString agentId; ///< "" when absent or null
    QString conversationId;
    qint64 audioBytes = 0; ///< decoded bytes written to the output device
};

/**
 * @brief Reads a post_call_audio body from a device (the spooled request body) and decodes
 * data.full_audio into another device without ever holding the whole string.
 *
 * A real JSON tokenizer (JsonStreamReader): keys may come in any order, other members are
 * skipped whatever their nesting, escapes such as "\/" inside the base64 are undone, and the
 * whole body must be one valid JSON object with nothing after it.
 *
 * Errors (code, message):
 * - invalid_json: not JSON, not an object, truncated, trailing content ("… at byte N");
 * - missing_field: type, event_timestamp, data, data.conversation_id or data.full_audio absent
 *   (null counts as absent);
 * - invalid_field: a wrong type ("data.full_audio must be a base64 string"), invalid base64
 *   ("data.full_audio is not valid base64: …"), an empty or repeated full_audio;
 * - io_error: the input could not be read or the output could not be written.
 * On any error part of the audio may already be written: the caller discards the output.
 */
class AudioPayloadScanner
{
public:
    static constexpr qsizetype DefaultChunkSize = 64 * 1024;

    /** @p chunkSize bounds both the input blocks read and the output blocks written. */
    explicit AudioPayloadScanner(qsizetype chunkSize = DefaultChunkSize);

    /** @p body and @p audioOut must be open (read / write). */
    Result<AudioPayloadInfo> scan(QIODevice &body, QIODevice &audioOut) const;

private:
    qsizetype m_chunkSize;
};

} // namespace callwatch::webhooks
