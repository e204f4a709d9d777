-- Search (search.md) on PostgreSQL: trigram GIN indexes (pg_trgm) under every searched
-- column, so that ILIKE '%token%' with three characters or more is looked up instead of
-- scanned. Where the extension cannot be created, search still works, unindexed.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'pg_trgm is not available: search will scan';
END
$$;
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        CREATE INDEX issues_subject_trgm ON issues USING gin (subject gin_trgm_ops);
        CREATE INDEX issues_description_trgm ON issues USING gin (description gin_trgm_ops);
        CREATE INDEX journals_notes_trgm ON journals USING gin (notes gin_trgm_ops);
        CREATE INDEX custom_values_value_trgm ON custom_values USING gin (value gin_trgm_ops);
        CREATE INDEX attachments_filename_trgm ON attachments USING gin (filename gin_trgm_ops);
        CREATE INDEX attachments_description_trgm ON attachments USING gin (description gin_trgm_ops);
        CREATE INDEX news_title_trgm ON news USING gin (title gin_trgm_ops);
        CREATE INDEX news_summary_trgm ON news USING gin (summary gin_trgm_ops);
        CREATE INDEX news_description_trgm ON news USING gin (description gin_trgm_ops);
        CREATE INDEX wiki_pages_title_trgm ON wiki_pages USING gin (title gin_trgm_ops);
        CREATE INDEX wiki_content_versions_text_trgm ON wiki_content_versions USING gin (text gin_trgm_ops);
        CREATE INDEX projects_name_trgm ON projects USING gin (name gin_trgm_ops);
        CREATE INDEX projects_identifier_trgm ON projects USING gin (identifier gin_trgm_ops);
        CREATE INDEX projects_description_trgm ON projects USING gin (description gin_trgm_ops);
    END IF;
END
$$;
