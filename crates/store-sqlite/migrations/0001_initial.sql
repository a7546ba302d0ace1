-- Wharf's durable store on SQLite.
--
-- Every time column holds microseconds since the Unix epoch (UTC) as an
-- INTEGER, so times sort and compare as numbers. Message ids are UUIDs in
-- their hyphenated text form. Payloads and releases are JSON text.

-- Messages read by sources, one row per idempotency key.
CREATE TABLE inbox (
    id              TEXT    NOT NULL PRIMARY KEY,
    kind            TEXT    NOT NULL,
    site            TEXT    NOT NULL,
    correlation_id  TEXT    NOT NULL,
    idempotency_key TEXT    NOT NULL UNIQUE,
    source          TEXT    NOT NULL,
    payload         TEXT    NOT NULL,
    state           TEXT    NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'claimed', 'handled', 'exception', 'duplicate')),
    attempt         INTEGER NOT NULL DEFAULT 0,
    owner           TEXT,
    lease_until     INTEGER,
    received_at     INTEGER NOT NULL,
    handled_at      INTEGER
);

-- Claims scan only the rows still open, oldest first.
CREATE INDEX inbox_open ON inbox (received_at)
    WHERE state IN ('pending', 'claimed');
CREATE INDEX inbox_correlation ON inbox (correlation_id);

-- Messages produced by handlers, waiting for or past delivery by a sink.
CREATE TABLE outbox (
    id              TEXT    NOT NULL PRIMARY KEY,
    inbox_id        TEXT    REFERENCES inbox (id),
    kind            TEXT    NOT NULL,
    site            TEXT    NOT NULL,
    correlation_id  TEXT    NOT NULL,
    idempotency_key TEXT    NOT NULL,
    source          TEXT    NOT NULL,
    payload         TEXT    NOT NULL,
    sink            TEXT    NOT NULL,
    state           TEXT    NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'in_flight', 'delivered', 'failed')),
    attempt         INTEGER NOT NULL DEFAULT 0,
    owner           TEXT,
    lease_until     INTEGER,
    next_attempt_at INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    delivered_at    INTEGER,
    last_error      TEXT
);

CREATE INDEX outbox_open ON outbox (sink, created_at)
    WHERE state IN ('pending', 'in_flight');
CREATE INDEX outbox_key ON outbox (idempotency_key);
CREATE INDEX outbox_inbox ON outbox (inbox_id);

-- One row per delivery attempt of an outbox message.
CREATE TABLE attempts (
    outbox_id   TEXT    NOT NULL REFERENCES outbox (id),
    attempt     INTEGER NOT NULL,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER NOT NULL,
    outcome     TEXT    NOT NULL CHECK (outcome IN ('delivered', 'retry', 'failed')),
    -- The error of a retry or failure; NULL for a delivery.
    error       TEXT,
    -- What the sink reported about a delivery; NULL otherwise.
    detail      TEXT,
    PRIMARY KEY (outbox_id, attempt)
);

CREATE INDEX attempts_outcome ON attempts (outcome);

-- Business exceptions waiting for (or resolved by) a named owner.
CREATE TABLE exceptions (
    id             INTEGER NOT NULL PRIMARY KEY,
    kind           TEXT    NOT NULL,
    owner          TEXT    NOT NULL,
    site           TEXT    NOT NULL,
    correlation_id TEXT    NOT NULL,
    message_id     TEXT,
    detail         TEXT    NOT NULL,
    state          TEXT    NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'resolved')),
    created_at     INTEGER NOT NULL,
    resolved_at    INTEGER,
    note           TEXT
);

CREATE INDEX exceptions_state ON exceptions (state, created_at);

-- Tamper-evident trail: `hash` covers `prev_hash` and the row's fields, and
-- `prev_hash` is the hash of the previous row of the same stream.
CREATE TABLE audit (
    id             INTEGER NOT NULL PRIMARY KEY,
    stream         TEXT    NOT NULL,
    action         TEXT    NOT NULL,
    message_id     TEXT,
    correlation_id TEXT,
    detail         TEXT    NOT NULL,
    at             INTEGER NOT NULL,
    prev_hash      TEXT    NOT NULL,
    hash           TEXT    NOT NULL
);

CREATE INDEX audit_stream ON audit (stream, id);

-- Copies of messages that arrived with an idempotency key already stored
-- (original_id set), or that a handler found to be business duplicates
-- (original_id NULL).
CREATE TABLE duplicates (
    id              INTEGER NOT NULL PRIMARY KEY,
    message_id      TEXT    NOT NULL,
    idempotency_key TEXT    NOT NULL,
    original_id     TEXT,
    source          TEXT    NOT NULL,
    at              INTEGER NOT NULL
);

CREATE INDEX duplicates_key ON duplicates (idempotency_key);

-- Where each source resumes reading.
CREATE TABLE cursors (
    source     TEXT    NOT NULL PRIMARY KEY,
    value      TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Wharf's lifecycle of each picking.
CREATE TABLE pickings (
    picking_id   INTEGER NOT NULL PRIMARY KEY,
    picking_name TEXT    NOT NULL UNIQUE,
    site         TEXT    NOT NULL,
    state        TEXT    NOT NULL,
    release      TEXT,
    backorder    TEXT,
    tracking     TEXT,
    updated_at   INTEGER NOT NULL
);
