-- SPDX-License-Identifier: GPL-3.0-or-later
-- Callwatch schema, SQLite dialect. Keep in step with postgresql/0001_initial.sql: same tables,
-- columns and meaning. Times are TEXT in UTC, ISO-8601 with milliseconds and 'Z'
-- (e.g. 2024-05-01T10:00:00.000Z) so that text order is time order; JSON is TEXT.

CREATE TABLE calls (
    id INTEGER PRIMARY KEY,
    call_sid TEXT NOT NULL UNIQUE,
    conversation_id TEXT UNIQUE,
    provider_call_id TEXT,
    agent_id TEXT,
    driver_id TEXT,
    to_number TEXT,
    direction TEXT CHECK (direction IN ('outbound', 'inbound')),
    status TEXT NOT NULL CHECK (status IN ('initiating', 'in_progress', 'completed', 'failed')),
    failure_reason TEXT,
    created_at TEXT NOT NULL,
    started_at TEXT,
    ended_at TEXT,
    updated_at TEXT NOT NULL,
    transcript_summary TEXT,
    call_duration_seconds INTEGER,
    cost REAL,
    call_successful TEXT CHECK (call_successful IN ('success', 'failure', 'unknown')),
    analysis TEXT,
    metadata TEXT,
    termination_reason TEXT,
    audio_path TEXT,
    batch_id TEXT,
    -- The per-call turn counter: appending a turn increments it under the row's write lock.
    last_sequence_number INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX calls_provider_call_id ON calls (provider_call_id);
CREATE INDEX calls_status_created_at ON calls (status, created_at);
CREATE INDEX calls_created_at_id ON calls (created_at, id);
CREATE INDEX calls_driver_id ON calls (driver_id);

CREATE TABLE call_transcriptions (
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
    UNIQUE (call_id, sequence_number),
    UNIQUE (call_id, source, turn_key)
);

-- AUTOINCREMENT: ids are never reused, even after pruning, so "events after id N" stays true.
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    type TEXT NOT NULL,
    call_id INTEGER NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    call_sid TEXT NOT NULL,
    conversation_id TEXT,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX events_call_id_id ON events (call_id, id);
CREATE INDEX events_created_at ON events (created_at);

-- The webhook inbox: every delivery as received, with what became of it.
CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    received_at TEXT NOT NULL,
    route TEXT NOT NULL,
    event_type TEXT,
    signature_header TEXT,
    headers TEXT,
    body BLOB,
    body_path TEXT,
    body_size INTEGER,
    body_sha256 TEXT,
    verification TEXT NOT NULL CHECK (verification IN
        ('valid', 'invalid_signature', 'missing_signature', 'malformed_signature', 'expired',
         'from_future', 'no_secret', 'not_checked', 'replayed')),
    outcome TEXT NOT NULL CHECK (outcome IN
        ('processed', 'duplicate', 'rejected', 'not_found', 'ignored', 'failed', 'pending')),
    http_status INTEGER,
    error_code TEXT,
    error_message TEXT,
    dedup_key TEXT,
    call_sid TEXT,
    conversation_id TEXT,
    processed_at TEXT
);
CREATE INDEX webhook_deliveries_received_at ON webhook_deliveries (received_at);
CREATE INDEX webhook_deliveries_call_sid ON webhook_deliveries (call_sid);
CREATE INDEX webhook_deliveries_conversation_id ON webhook_deliveries (conversation_id);

-- First delivery wins: INSERT … ON CONFLICT DO NOTHING decides atomically.
CREATE TABLE webhook_dedup (
    dedup_key TEXT PRIMARY KEY,
    delivery_id INTEGER REFERENCES webhook_deliveries (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);
