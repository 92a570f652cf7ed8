-- A claim names the execution it starts (its id is chosen before the claim) and what that
-- execution needs (workflow version and trigger item); `accepted_at` is set once the execution's
-- queued event is committed. A claim still without it long after it was made belongs to a
-- process that died in between: another process submits it again under the same id.
ALTER TABLE schedule_fires ADD COLUMN execution_id TEXT;
ALTER TABLE schedule_fires ADD COLUMN workflow_version BIGINT;
ALTER TABLE schedule_fires ADD COLUMN item TEXT;
ALTER TABLE schedule_fires ADD COLUMN accepted_at BIGINT;
-- Claims made before this migration: their submissions are done or lost for good.
UPDATE schedule_fires SET accepted_at = fired_at;
CREATE INDEX schedule_fires_unaccepted ON schedule_fires (fired_at) WHERE accepted_at IS NULL;
