-- SPDX-License-Identifier: GPL-3.0-or-later
-- Callwatch schema, PostgreSQL dialect. Keep in step with sqlite/0001_initial.sql: same tables,
-- columns and meaning. Times are TIMESTAMPTZ (the application writes millisecond UTC values),
-- structured JSON is JSONB.

CREATE TABLE calls (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    call_sid TEXT NOT NULL UNIQUE,
    conversation_id TEXT UNIQUE,
    provider_call_id TEXT,
    agent_id TEXT,
    driver_id TEXT,
    to_number TEXT,
    direction TEXT CHECK (direction IN ('outbound', 'inbound')),
    status TEXT NOT NULL CHECK (status IN ('initiating', 'in_progress', 'completed', 'failed')),
    failure_reason TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    started_at TIMESTAMPTZ,
    ended_at TIMESTAMPTZ,
    updated_at TIMESTAMPTZ NOT NULL,
    transcript_summary TEXT,
    call_duration_seconds INTEGER,
    cost DOUBLE PRECISION,
    call_successful TEXT CHECK (call_successful IN ('success', 'failure', 'unknown')),
    analysis JSONB,
    metadata JSONB,
    termination_reason TEXT,
    audio_path TEXT,
    batch_id TEXT,
    -- The per-call turn counter: appending a turn increments it under the row lock, which also
    -- serialises appends for one call across server instances.
    last_sequence_number INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX calls_provider_call_id ON calls (provider_call_id);
CREATE INDEX calls_status_created_at ON calls (status, created_at);
CREATE INDEX calls_created_at_id ON calls (created_at, id);
CREATE INDEX calls_driver_id ON calls (driver_id);

CREATE TABLE call_transcriptions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    call_id BIGINT NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    sequence_number INTEGER NOT NULL,
    speaker TEXT NOT NULL CHECK (speaker IN ('agent', 'user')),
    message TEXT NOT NULL DEFAULT '',
    time_in_call_secs DOUBLE PRECISION,
    received_at TIMESTAMPTZ NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('live', 'post_call')),
    turn_key TEXT NOT NULL,
    tool_calls JSONB,
    tool_results JSONB,
    UNIQUE (call_id, sequence_number),
    UNIQUE (call_id, source, turn_key)
);

-- Ids come from a sequence, so two transactions can COMMIT in the opposite order of their ids:
-- a reader that saw id 12 may later find a committed 11. The live hub reads events after commit
-- and allows for this; ids are never reused.
-- payload is the live message as sent on the wire; TEXT keeps it verbatim (JSONB would reorder
-- keys and refuse \u0000).
CREATE TABLE events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    type TEXT NOT NULL,
    call_id BIGINT NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    call_sid TEXT NOT NULL,
    conversation_id TEXT,
    payload TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX events_call_id_id ON events (call_id, id);
CREATE INDEX events_created_at ON events (created_at);

-- The webhook inbox: every delivery as received, with what became of it.
CREATE TABLE webhook_deliveries (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    received_at TIMESTAMPTZ NOT NULL,
    route TEXT NOT NULL,
    event_type TEXT,
    signature_header TEXT,
    headers JSONB,
    body BYTEA,
    body_path TEXT,
    body_size BIGINT,
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
    processed_at TIMESTAMPTZ
);
CREATE INDEX webhook_deliveries_received_at ON webhook_deliveries (received_at);
CREATE INDEX webhook_deliveries_call_sid ON webhook_deliveries (call_sid);
CREATE INDEX webhook_deliveries_conversation_id ON webhook_deliveries (conversation_id);

-- First delivery wins: INSERT … ON CONFLICT DO NOTHING decides atomically, also across
-- several instances sharing this database.
CREATE TABLE webhook_dedup (
    dedup_key TEXT PRIMARY KEY,
    delivery_id BIGINT REFERENCES webhook_deliveries (id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL
);
