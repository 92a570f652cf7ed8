-- Users, API keys and credential metadata: read models projected from the `user`, `apikey` and
-- `credential` streams (rebuildable). They never hold a password hash, a token or a secret.
CREATE TABLE IF NOT EXISTS users (
    id          TEXT    PRIMARY KEY,
    email       TEXT    NOT NULL,
    role        TEXT    NOT NULL,
    disabled    INTEGER NOT NULL,
    created_at  TEXT    NOT NULL,
    created_by  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    updated_by  TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS users_by_email ON users (email);

CREATE TABLE IF NOT EXISTS api_keys (
    id          TEXT    PRIMARY KEY,
    user_id     TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    revoked_at  TEXT
);
CREATE INDEX IF NOT EXISTS api_keys_by_user ON api_keys (user_id, id);

CREATE TABLE IF NOT EXISTS credentials (
    id              TEXT    PRIMARY KEY,
    name            TEXT    NOT NULL,
    credential_type TEXT    NOT NULL,
    public_data     TEXT    NOT NULL,
    secret_fields   TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    created_by      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    updated_by      TEXT    NOT NULL
);

-- Per-credential data keys, wrapped by the master key. Deliberately OUTSIDE the event log and
-- mutable: deleting a credential deletes its row, after which the credential's events can no
-- longer be decrypted (crypto-shredding). Not a read model: never rebuilt.
CREATE TABLE IF NOT EXISTS credential_keys (
    credential_id   TEXT    PRIMARY KEY,
    wrapped_key     TEXT    NOT NULL,
    created_at      TEXT    NOT NULL
);
