-- How many time entries each project holds per user and activity, kept by triggers in
-- the entry's own transaction: a time entry list whose conditions read only these
-- columns (all of them, a project's, a user's) sums these rows for its total_count
-- instead of counting up to every entry.
CREATE TABLE time_entry_counts (
    project_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    activity_id BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (project_id, user_id, activity_id)
) WITHOUT ROWID;
INSERT INTO time_entry_counts (project_id, user_id, activity_id, n)
    SELECT project_id, user_id, activity_id, COUNT(*) FROM time_entries
    GROUP BY project_id, user_id, activity_id;
CREATE TRIGGER time_entry_counts_insert AFTER INSERT ON time_entries BEGIN
    INSERT INTO time_entry_counts (project_id, user_id, activity_id, n)
        VALUES (new.project_id, new.user_id, new.activity_id, 1)
        ON CONFLICT (project_id, user_id, activity_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER time_entry_counts_delete AFTER DELETE ON time_entries BEGIN
    UPDATE time_entry_counts SET n = n - 1 WHERE project_id = old.project_id
        AND user_id = old.user_id AND activity_id = old.activity_id;
END;
CREATE TRIGGER time_entry_counts_update AFTER UPDATE OF project_id, user_id, activity_id ON time_entries BEGIN
    UPDATE time_entry_counts SET n = n - 1 WHERE project_id = old.project_id
        AND user_id = old.user_id AND activity_id = old.activity_id;
    INSERT INTO time_entry_counts (project_id, user_id, activity_id, n)
        VALUES (new.project_id, new.user_id, new.activity_id, 1)
        ON CONFLICT (project_id, user_id, activity_id) DO UPDATE SET n = n + 1;
END;
