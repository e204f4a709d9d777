-- How many issues hold each custom value per tracker, status and privacy over every
-- project: `issue_value_counts` summed over projects, kept from it by triggers. A list
-- filtered on one value that sees nearly every project totals these rows less the other
-- projects' counts (`issue_query::summed_total`). Deferred to commit, an update taking
-- its two rows in one order, as `issue_totals`.
CREATE TABLE issue_value_totals (
    custom_field_id BIGINT NOT NULL,
    value TEXT NOT NULL,
    tracker_id BIGINT NOT NULL,
    status_id BIGINT NOT NULL,
    is_private BOOLEAN NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (custom_field_id, value, tracker_id, status_id, is_private)
);
INSERT INTO issue_value_totals (custom_field_id, value, tracker_id, status_id, is_private, n)
    SELECT custom_field_id, value, tracker_id, status_id, is_private, SUM(n)
    FROM issue_value_counts GROUP BY custom_field_id, value, tracker_id, status_id, is_private;
CREATE FUNCTION carmine_total_value(f BIGINT, v TEXT, t BIGINT, s BIGINT, p BOOLEAN, d BIGINT)
RETURNS void LANGUAGE sql AS $$
    INSERT INTO issue_value_totals (custom_field_id, value, tracker_id, status_id, is_private, n)
        VALUES (f, v, t, s, p, d)
        ON CONFLICT (custom_field_id, value, tracker_id, status_id, is_private)
        DO UPDATE SET n = issue_value_totals.n + d
$$;
CREATE FUNCTION carmine_total_values() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM carmine_total_value(NEW.custom_field_id, NEW.value, NEW.tracker_id,
            NEW.status_id, NEW.is_private, NEW.n);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM carmine_total_value(OLD.custom_field_id, OLD.value, OLD.tracker_id,
            OLD.status_id, OLD.is_private, -OLD.n);
    ELSIF (OLD.custom_field_id, OLD.value, OLD.tracker_id, OLD.status_id, OLD.is_private)
          < (NEW.custom_field_id, NEW.value, NEW.tracker_id, NEW.status_id, NEW.is_private) THEN
        PERFORM carmine_total_value(OLD.custom_field_id, OLD.value, OLD.tracker_id,
            OLD.status_id, OLD.is_private, -OLD.n);
        PERFORM carmine_total_value(NEW.custom_field_id, NEW.value, NEW.tracker_id,
            NEW.status_id, NEW.is_private, NEW.n);
    ELSE
        PERFORM carmine_total_value(NEW.custom_field_id, NEW.value, NEW.tracker_id,
            NEW.status_id, NEW.is_private, NEW.n);
        PERFORM carmine_total_value(OLD.custom_field_id, OLD.value, OLD.tracker_id,
            OLD.status_id, OLD.is_private, -OLD.n);
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER issue_value_totals_counted AFTER INSERT OR UPDATE OR DELETE
    ON issue_value_counts DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    EXECUTE FUNCTION carmine_total_values();
