-- How many issues each run of 4,096 ids holds per tracker, status and privacy, kept by
-- triggers. A page deep in a list in id order that sees every project (offset=90000)
-- sums these to find the run where its first issue is, and walks from there instead of
-- walking every issue before it. Deferred to commit, an update taking its two rows in
-- one order, as `issue_totals`.
CREATE TABLE issue_blocks (
    block BIGINT NOT NULL,
    tracker_id BIGINT NOT NULL,
    status_id BIGINT NOT NULL,
    is_private BOOLEAN NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (block, tracker_id, status_id, is_private)
);
INSERT INTO issue_blocks (block, tracker_id, status_id, is_private, n)
    SELECT id / 4096, tracker_id, status_id, is_private, COUNT(*) FROM issues
    GROUP BY id / 4096, tracker_id, status_id, is_private;
CREATE FUNCTION carmine_block_issue(b BIGINT, t BIGINT, s BIGINT, p BOOLEAN, d BIGINT) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO issue_blocks (block, tracker_id, status_id, is_private, n) VALUES (b, t, s, p, d)
        ON CONFLICT (block, tracker_id, status_id, is_private) DO UPDATE SET n = issue_blocks.n + d
$$;
CREATE FUNCTION carmine_block_issues() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM carmine_block_issue(NEW.id / 4096, NEW.tracker_id, NEW.status_id, NEW.is_private, 1);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM carmine_block_issue(OLD.id / 4096, OLD.tracker_id, OLD.status_id, OLD.is_private, -1);
    ELSIF (OLD.id / 4096, OLD.tracker_id, OLD.status_id, OLD.is_private)
          IS DISTINCT FROM (NEW.id / 4096, NEW.tracker_id, NEW.status_id, NEW.is_private) THEN
        IF (OLD.id / 4096, OLD.tracker_id, OLD.status_id, OLD.is_private)
           < (NEW.id / 4096, NEW.tracker_id, NEW.status_id, NEW.is_private) THEN
            PERFORM carmine_block_issue(OLD.id / 4096, OLD.tracker_id, OLD.status_id, OLD.is_private, -1);
            PERFORM carmine_block_issue(NEW.id / 4096, NEW.tracker_id, NEW.status_id, NEW.is_private, 1);
        ELSE
            PERFORM carmine_block_issue(NEW.id / 4096, NEW.tracker_id, NEW.status_id, NEW.is_private, 1);
            PERFORM carmine_block_issue(OLD.id / 4096, OLD.tracker_id, OLD.status_id, OLD.is_private, -1);
        END IF;
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER issue_blocks_counted AFTER INSERT OR DELETE OR UPDATE OF id, tracker_id, status_id, is_private
    ON issues DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION carmine_block_issues();
