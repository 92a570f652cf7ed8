-- Streams without a per-event index. The unique (aggregate_type, aggregate_id, sequence) index
-- put one index page per aggregate into every group commit (a 64-command batch wrote ~70 WAL
-- pages). Now:
-- - `streams` holds one row per aggregate: its version (highest sequence) and head (the
--   global_position of that event). The single writer checks optimistic concurrency against it
--   (an event numbered at or below the version conflicts) and updates it in the same transaction.
-- - each event points to the previous event of its stream (`previous`, NULL for the first), so a
--   stream is read from its head backwards, one primary-key lookup per event.
-- rowid order stays commit order (single writer); rows keep their global positions.
CREATE TABLE streams (
    stream_id      INTEGER PRIMARY KEY,
    aggregate_type TEXT    NOT NULL,
    aggregate_id   TEXT    NOT NULL,
    version        INTEGER NOT NULL,
    head           INTEGER NOT NULL,
    UNIQUE (aggregate_type, aggregate_id)
);

CREATE TABLE events_chained (
    global_position INTEGER PRIMARY KEY,
    aggregate_type  TEXT    NOT NULL,
    aggregate_id    TEXT    NOT NULL,
    sequence        INTEGER NOT NULL,
    event_type      TEXT    NOT NULL,
    event_version   TEXT    NOT NULL,
    payload         TEXT    NOT NULL,
    metadata        TEXT    NOT NULL,
    previous        INTEGER
);

INSERT INTO events_chained
SELECT global_position, aggregate_type, aggregate_id, sequence, event_type, event_version,
       payload, metadata,
       LAG(global_position) OVER (PARTITION BY aggregate_type, aggregate_id ORDER BY sequence)
FROM events
ORDER BY global_position;

-- Each stream's head is its event with the highest sequence.
INSERT INTO streams (aggregate_type, aggregate_id, version, head)
SELECT aggregate_type, aggregate_id, sequence, global_position
FROM (
    SELECT aggregate_type, aggregate_id, sequence, global_position,
           ROW_NUMBER() OVER (PARTITION BY aggregate_type, aggregate_id ORDER BY sequence DESC) AS newest
    FROM events
)
WHERE newest = 1
ORDER BY global_position;

DROP TABLE events;
ALTER TABLE events_chained RENAME TO events;
