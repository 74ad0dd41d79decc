-- SPDX-License-Identifier: GPL-3.0-or-later
-- PostgreSQL keeps UNIQUE (call_id, sequence_number) on call_transcriptions (SQLite drops it in
-- sqlite/0005): here several instances may append turns to one call at the same time, and
-- although each reserves its numbers from call_sequences under a row lock, the constraint is the
-- database's own guarantee that a number is never given twice.
COMMENT ON TABLE call_transcriptions IS
    'Turns of a call. sequence_number comes from call_sequences; UNIQUE (call_id, sequence_number) guards it across instances.';
