-- SPDX-License-Identifier: GPL-3.0-or-later
-- SQLite: call_transcriptions without UNIQUE (call_id, sequence_number).
-- Every turn number comes from call_sequences (reserved with an upsert inside the write
-- transaction), and SQLite runs one write transaction at a time for the whole database, whatever
-- the process. So two turns of a call can never take the same number, and the index only cost
-- writes: each batch of live turns dirtied one leaf of it per call (about 14 of 47 WAL pages per
-- commit under the webhook benchmark). Transcripts are read through the (call_id, source,
-- turn_key) index and sorted; a call has hundreds of turns, not millions.
-- PostgreSQL keeps the constraint: there, several instances write at once and it is the
-- database's own guard (see postgresql/0005).
CREATE TABLE call_transcriptions_new (
    id INTEGER PRIMARY KEY,
    call_id INTEGER NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    sequence_number INTEGER NOT NULL,
    speaker TEXT NOT NULL CHECK (speaker IN ('agent', 'user')),
    message TEXT NOT NULL DEFAULT '',
    time_in_call_secs REAL,
    received_at TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('live', 'post_call')),
    turn_key TEXT NOT NULL,
    tool_calls TEXT,
    tool_results TEXT,
    UNIQUE (call_id, source, turn_key)
);
INSERT INTO call_transcriptions_new (id, call_id, sequence_number, speaker, message,
        time_in_call_secs, received_at, source, turn_key, tool_calls, tool_results)
    SELECT id, call_id, sequence_number, speaker, message, time_in_call_secs, received_at,
        source, turn_key, tool_calls, tool_results
    FROM call_transcriptions;
DROP TABLE call_transcriptions;
ALTER TABLE call_transcriptions_new RENAME TO call_transcriptions;
