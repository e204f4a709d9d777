-- How many issues each project holds per tracker, status and privacy, kept by triggers in
-- the issue's own transaction. A list whose conditions read only these columns (the
-- default list, a project's, a tracker's, open or closed) sums at most a few thousand
-- of these rows for its total_count instead of counting up to every issue.
CREATE TABLE issue_counts (
    project_id BIGINT NOT NULL,
    tracker_id BIGINT NOT NULL,
    status_id BIGINT NOT NULL,
    is_private BOOLEAN NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (project_id, tracker_id, status_id, is_private)
) WITHOUT ROWID;
INSERT INTO issue_counts (project_id, tracker_id, status_id, is_private, n)
    SELECT project_id, tracker_id, status_id, is_private, COUNT(*) FROM issues
    GROUP BY project_id, tracker_id, status_id, is_private;
CREATE TRIGGER issue_counts_insert AFTER INSERT ON issues BEGIN
    INSERT INTO issue_counts (project_id, tracker_id, status_id, is_private, n)
        VALUES (new.project_id, new.tracker_id, new.status_id, new.is_private, 1)
        ON CONFLICT (project_id, tracker_id, status_id, is_private) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER issue_counts_delete AFTER DELETE ON issues BEGIN
    UPDATE issue_counts SET n = n - 1 WHERE project_id = old.project_id
        AND tracker_id = old.tracker_id AND status_id = old.status_id AND is_private = old.is_private;
END;
CREATE TRIGGER issue_counts_update AFTER UPDATE OF project_id, tracker_id, status_id, is_private ON issues BEGIN
    UPDATE issue_counts SET n = n - 1 WHERE project_id = old.project_id
        AND tracker_id = old.tracker_id AND status_id = old.status_id AND is_private = old.is_private;
    INSERT INTO issue_counts (project_id, tracker_id, status_id, is_private, n)
        VALUES (new.project_id, new.tracker_id, new.status_id, new.is_private, 1)
        ON CONFLICT (project_id, tracker_id, status_id, is_private) DO UPDATE SET n = n + 1;
END;
-- A list in id order whose conditions read only those columns, and match a good part of
-- the issues, walks this narrow index in order and stops at its page (offset=90000
-- reads 135,000 entries of a few bytes instead of sorting every match).
CREATE INDEX issues_by_id ON issues (id, project_id, status_id, tracker_id, is_private);
