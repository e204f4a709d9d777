-- How many time entries each project holds per user and activity, kept by a trigger in
-- the entry's own transaction: a time entry list whose conditions read only these
-- columns (all of them, a project's, a user's) sums these rows for its total_count
-- instead of counting up to every entry.
CREATE TABLE time_entry_counts (
    project_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    activity_id BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (project_id, user_id, activity_id)
);
INSERT INTO time_entry_counts (project_id, user_id, activity_id, n)
    SELECT project_id, user_id, activity_id, COUNT(*) FROM time_entries
    GROUP BY project_id, user_id, activity_id;
CREATE FUNCTION carmine_count_time_entries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE time_entry_counts SET n = n - 1 WHERE project_id = OLD.project_id
            AND user_id = OLD.user_id AND activity_id = OLD.activity_id;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO time_entry_counts (project_id, user_id, activity_id, n)
            VALUES (NEW.project_id, NEW.user_id, NEW.activity_id, 1)
            ON CONFLICT (project_id, user_id, activity_id) DO UPDATE
            SET n = time_entry_counts.n + 1;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER time_entry_counts_insert AFTER INSERT OR DELETE ON time_entries
    FOR EACH ROW EXECUTE FUNCTION carmine_count_time_entries();
CREATE TRIGGER time_entry_counts_update AFTER UPDATE OF project_id, user_id, activity_id
    ON time_entries FOR EACH ROW EXECUTE FUNCTION carmine_count_time_entries();
