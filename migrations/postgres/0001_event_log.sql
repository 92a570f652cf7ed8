-- The event log. Commit order is (transaction_id, global_position); readers only go past a
-- transaction id once every older transaction has finished (see the projection runner).
CREATE TABLE IF NOT EXISTS events (
    global_position BIGINT GENERATED ALWAYS AS IDENTITY,
    transaction_id  xid8   NOT NULL DEFAULT pg_current_xact_id(),
    aggregate_type  TEXT   NOT NULL,
    aggregate_id    TEXT   NOT NULL,
    sequence        BIGINT NOT NULL,
    event_type      TEXT   NOT NULL,
    event_version   TEXT   NOT NULL,
    payload         TEXT   NOT NULL,
    metadata        TEXT   NOT NULL,
    PRIMARY KEY (aggregate_type, aggregate_id, sequence)
);
CREATE INDEX IF NOT EXISTS events_commit_order ON events (transaction_id, global_position);

CREATE OR REPLACE FUNCTION weft_notify_events() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('weft_events', '');
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS events_notify ON events;
CREATE TRIGGER events_notify AFTER INSERT ON events
    FOR EACH STATEMENT EXECUTE FUNCTION weft_notify_events();
