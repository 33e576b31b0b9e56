-- Subjects indexed by trigram, so that `Subject LIKE 'detach'` (RT's substring match, and the
-- console's word search) finds its tickets through an index instead of reading every subject.
-- pg_trgm ships with PostgreSQL (contrib) and is a trusted extension: the database's owner may
-- create it. Where it cannot be had, searches still work, reading every subject as before.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'pg_trgm is not available (%): subject searches read every subject', SQLERRM;
END
$$;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        CREATE INDEX tickets_subject_trigrams ON tickets USING gin (lower(subject) gin_trgm_ops);
    END IF;
EXCEPTION WHEN OTHERS THEN
    -- pg_trgm in a schema off the search path, say: searches work without the index.
    RAISE NOTICE 'no trigram index of subjects (%): subject searches read every subject', SQLERRM;
END
$$;
