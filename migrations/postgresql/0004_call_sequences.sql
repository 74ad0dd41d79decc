-- SPDX-License-Identifier: GPL-3.0-or-later
-- The per-call turn counter moves out of the wide calls row into a narrow table (see
-- sqlite/0004_call_sequences.sql for why). Appends for one call still queue up across
-- connections and instances: the writer locks the calls rows (FOR UPDATE, in id order) before
-- it reserves numbers here. A call without a row here has numbered no turns yet (0).
CREATE TABLE call_sequences (
    call_id BIGINT PRIMARY KEY REFERENCES calls (id) ON DELETE CASCADE,
    last_sequence_number INTEGER NOT NULL CHECK (last_sequence_number >= 0)
);
INSERT INTO call_sequences (call_id, last_sequence_number)
    SELECT id, last_sequence_number FROM calls WHERE last_sequence_number > 0;
ALTER TABLE calls DROP COLUMN last_sequence_number;
