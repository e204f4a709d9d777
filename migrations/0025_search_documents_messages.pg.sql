-- Search (search.md) of documents and forum messages on PostgreSQL: trigram GIN indexes,
-- as migration 14 makes for the other types, where pg_trgm is there.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        CREATE INDEX documents_title_trgm ON documents USING gin (title gin_trgm_ops);
        CREATE INDEX documents_description_trgm ON documents USING gin (description gin_trgm_ops);
        CREATE INDEX messages_subject_trgm ON messages USING gin (subject gin_trgm_ops);
        CREATE INDEX messages_content_trgm ON messages USING gin (content gin_trgm_ops);
    END IF;
END
$$;
