-- The event log. rowid order is commit order: SQLite has a single writer.
CREATE TABLE IF NOT EXISTS events (
    global_position INTEGER PRIMARY KEY,
    aggregate_type  TEXT    NOT NULL,
    aggregate_id    TEXT    NOT NULL,
    sequence        INTEGER NOT NULL,
    event_type      TEXT    NOT NULL,
    event_version   TEXT    NOT NULL,
    payload         TEXT    NOT NULL,
    metadata        TEXT    NOT NULL,
    UNIQUE (aggregate_type, aggregate_id, sequence)
);
