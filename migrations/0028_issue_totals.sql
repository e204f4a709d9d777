-- How many issues there are per tracker, status and privacy, over every project: a list
-- that sees nearly every project totals these few rows less the projects it does not
-- see (`issue_query::summed_over`), instead of summing every project's `issue_counts`.
CREATE TABLE issue_totals (
    tracker_id BIGINT NOT NULL,
    status_id BIGINT NOT NULL,
    is_private BOOLEAN NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (tracker_id, status_id, is_private)
) WITHOUT ROWID;
INSERT INTO issue_totals (tracker_id, status_id, is_private, n)
    SELECT tracker_id, status_id, is_private, COUNT(*) FROM issues
    GROUP BY tracker_id, status_id, is_private;
CREATE TRIGGER issue_totals_counts_insert AFTER INSERT ON issues BEGIN
    INSERT INTO issue_totals (tracker_id, status_id, is_private, n)
        VALUES (new.tracker_id, new.status_id, new.is_private, 1)
        ON CONFLICT (tracker_id, status_id, is_private) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER issue_totals_counts_delete AFTER DELETE ON issues BEGIN
    UPDATE issue_totals SET n = n - 1 WHERE tracker_id = old.tracker_id
        AND status_id = old.status_id AND is_private = old.is_private;
END;
CREATE TRIGGER issue_totals_counts_update AFTER UPDATE OF tracker_id, status_id, is_private ON issues BEGIN
    UPDATE issue_totals SET n = n - 1 WHERE tracker_id = old.tracker_id
        AND status_id = old.status_id AND is_private = old.is_private;
    INSERT INTO issue_totals (tracker_id, status_id, is_private, n)
        VALUES (new.tracker_id, new.status_id, new.is_private, 1)
        ON CONFLICT (tracker_id, status_id, is_private) DO UPDATE SET n = n + 1;
END;
