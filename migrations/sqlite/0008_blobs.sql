-- Content-addressed item data: execution events whose item lists are large keep a reference
-- (`{"blob": hash, "bytes", "items"}`) instead of the items. `hash` is the SHA-256 (hex) of
-- `data`, the item list's JSON text; a blob is written before any event that refers to it and is
-- never changed (an orphan left by a failed append is harmless).
CREATE TABLE blobs (
    hash TEXT PRIMARY KEY NOT NULL,
    size BIGINT NOT NULL,
    data BLOB NOT NULL
);
