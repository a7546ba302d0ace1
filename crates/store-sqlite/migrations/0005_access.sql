-- API tokens and dashboard sessions. Neither table holds a secret: a
-- token's and a session cookie's value are kept only as their hex SHA-256.
-- Times are INTEGER microseconds since the Unix epoch (UTC), as in
-- 0001_initial.sql.
CREATE TABLE api_tokens (
    id         INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    name       TEXT    NOT NULL,
    role       TEXT    NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
    -- Site code the token is limited to; NULL for every site.
    site       TEXT,
    hash       TEXT    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    created_by TEXT    NOT NULL,
    revoked_at INTEGER
);

CREATE TABLE sessions (
    hash       TEXT    NOT NULL PRIMARY KEY,
    token_id   INTEGER NOT NULL REFERENCES api_tokens (id),
    csrf       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE INDEX sessions_by_token ON sessions (token_id);
