-- Stock reconciliations: one summary row per run and its classified rows.
--
-- Times are INTEGER microseconds since the Unix epoch (UTC), as in
-- 0001_initial.sql. Quantities are decimal TEXT as rust_decimal writes them
-- (for example '0.5833333333333333333333333333'), never REAL, so that they
-- read back exactly.

-- One reconciliation run of one site.
CREATE TABLE reconciliations (
    id              INTEGER NOT NULL PRIMARY KEY,
    site            TEXT    NOT NULL,
    snapshot_ref    TEXT    NOT NULL,
    snapshot_sha256 TEXT    NOT NULL,
    taken_at        INTEGER NOT NULL,
    odoo_read_at    INTEGER NOT NULL,
    finished_at     INTEGER NOT NULL,
    -- Distinct (location, SKU, lot) keys compared.
    compared        INTEGER NOT NULL CHECK (compared >= 0),
    -- Rows by variance kind as a JSON object, for example {"match": 10}.
    counts          TEXT    NOT NULL,
    applied         INTEGER NOT NULL CHECK (applied >= 0),
    exceptions      INTEGER NOT NULL CHECK (exceptions >= 0),
    -- 1 when adjustments were allowed, 0 for a report-only run.
    apply           INTEGER NOT NULL CHECK (apply IN (0, 1))
);

-- The latest run of a site is the last entry of its range.
CREATE INDEX reconciliations_latest ON reconciliations (site, finished_at, id);

-- The rows of a reconciliation that are not plain matches.
CREATE TABLE variance_rows (
    reconciliation_id INTEGER NOT NULL REFERENCES reconciliations (id),
    location          TEXT    NOT NULL,
    sku               TEXT    NOT NULL,
    lot               TEXT,
    wms               TEXT    NOT NULL,
    odoo              TEXT    NOT NULL,
    in_flight         TEXT    NOT NULL,
    variance          TEXT    NOT NULL,
    kind              TEXT    NOT NULL,
    action            TEXT    NOT NULL
        CHECK (action IN ('none', 'applied', 'exception', 'deferred')),
    detail            TEXT
);

CREATE INDEX variance_rows_order ON variance_rows (reconciliation_id, location, sku, lot);

-- Stock messages of a site: the undelivered ones and the delivered ones
-- created after a time come from the first index, the delivered ones
-- delivered after a time from the second, so neither reads the whole
-- delivered history.
CREATE INDEX outbox_stock_state ON outbox (site, kind, state, created_at);
CREATE INDEX outbox_stock_delivered ON outbox (site, kind, delivered_at);
