-- Where each audit stream starts after a retention purge.
--
-- A purge deletes only the oldest rows of a stream, never a row between two
-- kept ones. It records here the id and hash of the last row it deleted, so
-- that verification expects the first kept row's prev_hash to equal
-- `purged_hash` instead of the genesis hash. Times are INTEGER microseconds
-- since the Unix epoch (UTC), as in 0001_initial.sql.
CREATE TABLE audit_anchors (
    stream            TEXT    NOT NULL PRIMARY KEY,
    -- Id of the last deleted row; every row of the stream up to it is gone.
    purged_through_id INTEGER NOT NULL,
    -- Hash of that row: the prev_hash of the stream's first kept row.
    purged_hash       TEXT    NOT NULL,
    -- Rows of the stream deleted by every purge so far.
    rows_purged       INTEGER NOT NULL CHECK (rows_purged > 0),
    -- When the latest purge of the stream ran.
    purged_at         INTEGER NOT NULL
);
