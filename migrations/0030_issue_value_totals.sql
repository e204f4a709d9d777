-- How many issues hold each custom value per tracker, status and privacy over every
-- project: `issue_value_counts` summed over projects, kept from it by triggers. A list
-- filtered on one value that sees nearly every project totals these rows less the other
-- projects' counts (`issue_query::summed_total`).
CREATE TABLE issue_value_totals (
    custom_field_id BIGINT NOT NULL,
    value TEXT NOT NULL,
    tracker_id BIGINT NOT NULL,
    status_id BIGINT NOT NULL,
    is_private BOOLEAN NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (custom_field_id, value, tracker_id, status_id, is_private)
) WITHOUT ROWID;
INSERT INTO issue_value_totals (custom_field_id, value, tracker_id, status_id, is_private, n)
    SELECT custom_field_id, value, tracker_id, status_id, is_private, SUM(n)
    FROM issue_value_counts GROUP BY custom_field_id, value, tracker_id, status_id, is_private;
CREATE TRIGGER issue_value_totals_counts_insert AFTER INSERT ON issue_value_counts BEGIN
    INSERT INTO issue_value_totals (custom_field_id, value, tracker_id, status_id, is_private, n)
        VALUES (new.custom_field_id, new.value, new.tracker_id, new.status_id, new.is_private, new.n)
        ON CONFLICT (custom_field_id, value, tracker_id, status_id, is_private)
        DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER issue_value_totals_counts_delete AFTER DELETE ON issue_value_counts BEGIN
    UPDATE issue_value_totals SET n = n - old.n WHERE custom_field_id = old.custom_field_id
        AND value = old.value AND tracker_id = old.tracker_id AND status_id = old.status_id
        AND is_private = old.is_private;
END;
CREATE TRIGGER issue_value_totals_counts_update AFTER UPDATE ON issue_value_counts BEGIN
    UPDATE issue_value_totals SET n = n - old.n WHERE custom_field_id = old.custom_field_id
        AND value = old.value AND tracker_id = old.tracker_id AND status_id = old.status_id
        AND is_private = old.is_private;
    INSERT INTO issue_value_totals (custom_field_id, value, tracker_id, status_id, is_private, n)
        VALUES (new.custom_field_id, new.value, new.tracker_id, new.status_id, new.is_private, new.n)
        ON CONFLICT (custom_field_id, value, tracker_id, status_id, is_private)
        DO UPDATE SET n = n + excluded.n;
END;
