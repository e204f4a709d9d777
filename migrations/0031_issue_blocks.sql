-- How many issues each run of 4,096 ids holds per tracker, status and privacy, kept by
-- triggers. A page deep in a list in id order that sees every project (offset=90000)
-- sums these to find the run where its first issue is, and walks from there instead of
-- walking every issue before it.
CREATE TABLE issue_blocks (
    block BIGINT NOT NULL,
    tracker_id BIGINT NOT NULL,
    status_id BIGINT NOT NULL,
    is_private BOOLEAN NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (block, tracker_id, status_id, is_private)
) WITHOUT ROWID;
INSERT INTO issue_blocks (block, tracker_id, status_id, is_private, n)
    SELECT id / 4096, tracker_id, status_id, is_private, COUNT(*) FROM issues
    GROUP BY id / 4096, tracker_id, status_id, is_private;
CREATE TRIGGER issue_blocks_counts_insert AFTER INSERT ON issues BEGIN
    INSERT INTO issue_blocks (block, tracker_id, status_id, is_private, n)
        VALUES (new.id / 4096, new.tracker_id, new.status_id, new.is_private, 1)
        ON CONFLICT (block, tracker_id, status_id, is_private) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER issue_blocks_counts_delete AFTER DELETE ON issues BEGIN
    UPDATE issue_blocks SET n = n - 1 WHERE block = old.id / 4096
        AND tracker_id = old.tracker_id AND status_id = old.status_id AND is_private = old.is_private;
END;
CREATE TRIGGER issue_blocks_counts_update AFTER UPDATE OF id, tracker_id, status_id, is_private ON issues BEGIN
    UPDATE issue_blocks SET n = n - 1 WHERE block = old.id / 4096
        AND tracker_id = old.tracker_id AND status_id = old.status_id AND is_private = old.is_private;
    INSERT INTO issue_blocks (block, tracker_id, status_id, is_private, n)
        VALUES (new.id / 4096, new.tracker_id, new.status_id, new.is_private, 1)
        ON CONFLICT (block, tracker_id, status_id, is_private) DO UPDATE SET n = n + 1;
END;
