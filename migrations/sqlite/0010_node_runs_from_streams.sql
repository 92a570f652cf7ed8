-- An execution's node runs are folded from its own stream when read (the stream holds every run
-- with its items in order), so the projected copy is no longer kept.
DROP TABLE IF EXISTS execution_node_runs;
