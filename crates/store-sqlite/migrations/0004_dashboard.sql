-- Indexes for the dashboard's figures, so that none of its queries reads a
-- whole table. Times are INTEGER microseconds since the Unix epoch (UTC), as
-- in 0001_initial.sql.

-- Pickings released and not shipped yet, found by state.
CREATE INDEX pickings_state ON pickings (state);

-- Shipment validations of the lag window, found by kind and delivery time.
CREATE INDEX outbox_kind_delivered ON outbox (kind, delivered_at);

-- Undelivered messages of a kind by age, for late tracking updates.
CREATE INDEX outbox_kind_undelivered ON outbox (kind, created_at)
    WHERE state IN ('pending', 'in_flight', 'failed');

-- Covering indexes for the queue depths: the counts by site, sink, kind and
-- state (and the sum of attempts) read these instead of the tables.
CREATE INDEX inbox_depth ON inbox (site, kind, state);
CREATE INDEX outbox_depth ON outbox (site, sink, kind, state, attempt);

