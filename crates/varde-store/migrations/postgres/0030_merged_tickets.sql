-- The tickets merged into another, by the ticket they were merged into: a ticket's history
-- gathers theirs. Only merged tickets are in it, so it stays small.
CREATE INDEX tickets_merged_into ON tickets (effective_id) WHERE effective_id <> id;
