-- An issue's answer is kept in memory (api/issues/show.rs) while nothing it shows has
-- changed: every change to the issue's own rows (the issue, its journals and their
-- details, custom values, watchers, relations, attachments, time entries, a subtask
-- coming or going) bumps its stamp here, by trigger, in the same transaction; a change
-- to who may see an issue (its project, privacy, author or assignee, or its deletion)
-- bumps row 2 of the change counter, since any issue's answer may name it. A missing
-- stamp reads as 0; stamps only grow, so they are kept when their issue goes.
-- Deferred to commit as the change counter's triggers are, so the stamps' rows are
-- locked for the shortest time.
CREATE TABLE issue_stamps (issue_id BIGINT PRIMARY KEY, n BIGINT NOT NULL);
INSERT INTO change_counter (id, value) VALUES (2, 0);
CREATE FUNCTION carmine_stamp(issue BIGINT) RETURNS void LANGUAGE sql AS $$
    INSERT INTO issue_stamps (issue_id, n) SELECT issue, 1 WHERE issue IS NOT NULL
        ON CONFLICT (issue_id) DO UPDATE SET n = issue_stamps.n + 1
$$;
CREATE FUNCTION carmine_stamp_issues() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        PERFORM carmine_stamp(NEW.id);
        IF OLD.parent_id IS DISTINCT FROM NEW.parent_id THEN
            PERFORM carmine_stamp(OLD.parent_id);
            PERFORM carmine_stamp(NEW.parent_id);
        END IF;
        IF OLD.project_id IS DISTINCT FROM NEW.project_id
           OR OLD.is_private IS DISTINCT FROM NEW.is_private
           OR OLD.author_id IS DISTINCT FROM NEW.author_id
           OR OLD.assigned_to_id IS DISTINCT FROM NEW.assigned_to_id THEN
            UPDATE change_counter SET value = value + 1 WHERE id = 2;
        END IF;
    ELSIF TG_OP = 'INSERT' THEN
        PERFORM carmine_stamp(NEW.parent_id);
    ELSE
        PERFORM carmine_stamp(OLD.parent_id);
        UPDATE change_counter SET value = value + 1 WHERE id = 2;
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER issues_stamped AFTER INSERT OR UPDATE OR DELETE ON issues DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION carmine_stamp_issues();
CREATE FUNCTION carmine_stamp_journals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.journalized_type = 'Issue' THEN
        PERFORM carmine_stamp(OLD.journalized_id);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.journalized_type = 'Issue' THEN
        PERFORM carmine_stamp(NEW.journalized_id);
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER journals_stamped AFTER INSERT OR UPDATE OR DELETE ON journals DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION carmine_stamp_journals();
CREATE FUNCTION carmine_stamp_custom_values() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.customized_type = 'Issue' THEN
        PERFORM carmine_stamp(OLD.customized_id);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.customized_type = 'Issue' THEN
        PERFORM carmine_stamp(NEW.customized_id);
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER custom_values_stamped AFTER INSERT OR UPDATE OR DELETE ON custom_values DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION carmine_stamp_custom_values();
CREATE FUNCTION carmine_stamp_watchers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.watchable_type = 'Issue' THEN
        PERFORM carmine_stamp(OLD.watchable_id);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.watchable_type = 'Issue' THEN
        PERFORM carmine_stamp(NEW.watchable_id);
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER watchers_stamped AFTER INSERT OR UPDATE OR DELETE ON watchers DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION carmine_stamp_watchers();
CREATE FUNCTION carmine_stamp_attachments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.container_type = 'Issue' THEN
        PERFORM carmine_stamp(OLD.container_id);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.container_type = 'Issue' THEN
        PERFORM carmine_stamp(NEW.container_id);
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER attachments_stamped AFTER INSERT OR UPDATE OR DELETE ON attachments DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION carmine_stamp_attachments();
CREATE FUNCTION carmine_stamp_issue_relations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM carmine_stamp(OLD.issue_from_id);
        PERFORM carmine_stamp(OLD.issue_to_id);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM carmine_stamp(NEW.issue_from_id);
        PERFORM carmine_stamp(NEW.issue_to_id);
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER issue_relations_stamped AFTER INSERT OR UPDATE OR DELETE ON issue_relations DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION carmine_stamp_issue_relations();
CREATE FUNCTION carmine_stamp_time_entries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM carmine_stamp(OLD.issue_id);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM carmine_stamp(NEW.issue_id);
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER time_entries_stamped AFTER INSERT OR UPDATE OR DELETE ON time_entries DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION carmine_stamp_time_entries();
-- a detail's issue is its journal's (a detail going with its journal finds none: the
-- journal's own trigger stamps it)
CREATE FUNCTION carmine_stamp_journal_details() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM carmine_stamp(j.journalized_id) FROM journals j
            WHERE j.id = OLD.journal_id AND j.journalized_type = 'Issue';
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM carmine_stamp(j.journalized_id) FROM journals j
            WHERE j.id = NEW.journal_id AND j.journalized_type = 'Issue';
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER journal_details_stamped AFTER INSERT OR UPDATE OR DELETE ON journal_details DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION carmine_stamp_journal_details();
-- An issue's answer names its category, and a version only when the caller sees it:
-- both bump the change counter.
CREATE CONSTRAINT TRIGGER issue_categories_counted AFTER INSERT OR UPDATE OR DELETE ON issue_categories DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION carmine_count_change();
CREATE CONSTRAINT TRIGGER versions_sharing_counted AFTER UPDATE OF project_id, sharing, status ON versions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION carmine_count_change();
