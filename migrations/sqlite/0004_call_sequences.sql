-- SPDX-License-Identifier: GPL-3.0-or-later
-- The per-call turn counter moves out of the wide calls row into a narrow table. Every batch of
-- live turns bumps the counter of each call it touches; in calls, each bump rewrote that call's
-- row (analysis, metadata: often a page of its own) and updated_at, so a group of turns for 12
-- calls dirtied about 12 calls pages per commit. Here hundreds of counters share a page.
-- A call without a row here has numbered no turns yet (0). Appending a turn no longer moves
-- calls.updated_at, which now tells when the call itself last changed.
CREATE TABLE call_sequences (
    call_id INTEGER PRIMARY KEY REFERENCES calls (id) ON DELETE CASCADE,
    last_sequence_number INTEGER NOT NULL CHECK (last_sequence_number >= 0)
);
INSERT INTO call_sequences (call_id, last_sequence_number)
    SELECT id, last_sequence_number FROM calls WHERE last_sequence_number > 0;
ALTER TABLE calls DROP COLUMN last_sequence_number;
