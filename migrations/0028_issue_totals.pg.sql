-- How many issues there are per tracker, status and privacy, over every project: a list
-- that sees nearly every project totals these few rows less the projects it does not
-- see (`issue_query::summed_over`), instead of summing every project's `issue_counts`.
-- Few rows that many transactions change: deferred to commit, and an update takes its
-- two rows in one order, so that two transactions never wait on each other in a circle.
CREATE TABLE issue_totals (
    tracker_id BIGINT NOT NULL,
    status_id BIGINT NOT NULL,
    is_private BOOLEAN NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (tracker_id, status_id, is_private)
);
INSERT INTO issue_totals (tracker_id, status_id, is_private, n)
    SELECT tracker_id, status_id, is_private, COUNT(*) FROM issues
    GROUP BY tracker_id, status_id, is_private;
CREATE FUNCTION carmine_total_issue(t BIGINT, s BIGINT, p BOOLEAN, d BIGINT) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO issue_totals (tracker_id, status_id, is_private, n) VALUES (t, s, p, d)
        ON CONFLICT (tracker_id, status_id, is_private) DO UPDATE SET n = issue_totals.n + d
$$;
CREATE FUNCTION carmine_total_issues() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM carmine_total_issue(NEW.tracker_id, NEW.status_id, NEW.is_private, 1);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM carmine_total_issue(OLD.tracker_id, OLD.status_id, OLD.is_private, -1);
    ELSIF (OLD.tracker_id, OLD.status_id, OLD.is_private)
          IS DISTINCT FROM (NEW.tracker_id, NEW.status_id, NEW.is_private) THEN
        IF (OLD.tracker_id, OLD.status_id, OLD.is_private)
           < (NEW.tracker_id, NEW.status_id, NEW.is_private) THEN
            PERFORM carmine_total_issue(OLD.tracker_id, OLD.status_id, OLD.is_private, -1);
            PERFORM carmine_total_issue(NEW.tracker_id, NEW.status_id, NEW.is_private, 1);
        ELSE
            PERFORM carmine_total_issue(NEW.tracker_id, NEW.status_id, NEW.is_private, 1);
            PERFORM carmine_total_issue(OLD.tracker_id, OLD.status_id, OLD.is_private, -1);
        END IF;
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER issue_totals_counted AFTER INSERT OR DELETE OR UPDATE OF tracker_id, status_id, is_private
    ON issues DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION carmine_total_issues();
