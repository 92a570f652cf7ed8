-- The Postgres execution queue: one row per execution that a `weft worker` (or the worker inside
-- `weft serve`) must run. The execution's events are the truth; the row is the work item and its
-- lease. Times are milliseconds since the Unix epoch, taken from the database clock.
--
-- state: 'queued' (claimable once available_at has passed: new, waiting until a due time, or
-- released), 'running' (leased by lease_owner until lease_until; claimable by anyone once the
-- lease expired) or 'done'.
CREATE TABLE execution_queue (
    execution_id TEXT PRIMARY KEY,
    workflow_id TEXT NOT NULL,
    workflow_version BIGINT NOT NULL,
    start_node TEXT,
    state TEXT NOT NULL DEFAULT 'queued',
    available_at BIGINT NOT NULL,
    lease_owner TEXT,
    lease_until BIGINT,
    attempts INTEGER NOT NULL DEFAULT 0,
    cancel_requested BOOLEAN NOT NULL DEFAULT FALSE,
    enqueued_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX execution_queue_ready ON execution_queue (available_at) WHERE state = 'queued';
CREATE INDEX execution_queue_leases ON execution_queue (lease_until) WHERE state = 'running';
