-- Every search leaves merged tickets out and uses the partial `tickets_live_by_*` indexes
-- (0006); these three, from before them, served nothing but cost every new ticket three more
-- pages to write and sync.
DROP INDEX tickets_by_queue;
DROP INDEX tickets_by_owner;
DROP INDEX tickets_by_created;
