-- The audit log keeps, of execution streams, only the actions someone caused (queued by a
-- trigger or a user, canceled, deleted); the engine's progress events (started, node runs,
-- waiting, finished) are the execution's own record. Entries written before that rule go, so the
-- live table equals one rebuilt from the log.
DELETE FROM audit_log
WHERE aggregate_type = 'execution'
  AND event_type NOT IN ('ExecutionQueued', 'ExecutionCanceled', 'ExecutionDeleted');
