-- How many time entries each project holds, kept by a trigger in the entry's own
-- transaction: a list whose conditions read only the project (every entry a caller sees,
-- a project's tree) sums a row per project instead of one per project, user and activity
-- (20,000 rows at 500,000 entries: 2 to 7 ms).
CREATE TABLE time_entry_project_counts (
    project_id BIGINT NOT NULL PRIMARY KEY,
    n BIGINT NOT NULL
);
INSERT INTO time_entry_project_counts (project_id, n)
    SELECT project_id, COUNT(*) FROM time_entries GROUP BY project_id;
CREATE FUNCTION carmine_count_project_time_entries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.project_id = NEW.project_id THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE time_entry_project_counts SET n = n - 1 WHERE project_id = OLD.project_id;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO time_entry_project_counts (project_id, n) VALUES (NEW.project_id, 1)
            ON CONFLICT (project_id) DO UPDATE SET n = time_entry_project_counts.n + 1;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER time_entry_project_counts_insert AFTER INSERT OR DELETE ON time_entries
    FOR EACH ROW EXECUTE FUNCTION carmine_count_project_time_entries();
CREATE TRIGGER time_entry_project_counts_update AFTER UPDATE OF project_id ON time_entries
    FOR EACH ROW EXECUTE FUNCTION carmine_count_project_time_entries();
