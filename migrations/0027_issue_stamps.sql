-- An issue's answer is kept in memory (api/issues/show.rs) while nothing it shows has
-- changed: every change to the issue's own rows (the issue, its journals and their
-- details, custom values, watchers, relations, attachments, time entries, a subtask
-- coming or going) bumps its stamp here, by trigger, in the same transaction; a change
-- to who may see an issue (its project, privacy, author or assignee, or its deletion)
-- bumps row 2 of the change counter, since any issue's answer may name it. A missing
-- stamp reads as 0; stamps only grow, so they are kept when their issue goes.
CREATE TABLE issue_stamps (issue_id BIGINT PRIMARY KEY, n BIGINT NOT NULL);
INSERT INTO change_counter (id, value) VALUES (2, 0);
CREATE TRIGGER issues_insert_stamped AFTER INSERT ON issues WHEN NEW.parent_id IS NOT NULL BEGIN
    INSERT INTO issue_stamps (issue_id, n) VALUES (NEW.parent_id, 1) ON CONFLICT (issue_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER issues_update_stamped AFTER UPDATE ON issues BEGIN
    INSERT INTO issue_stamps (issue_id, n) VALUES (NEW.id, 1) ON CONFLICT (issue_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER issues_reparent_stamped AFTER UPDATE OF parent_id ON issues WHEN OLD.parent_id IS NOT NEW.parent_id BEGIN
    INSERT INTO issue_stamps (issue_id, n) SELECT OLD.parent_id, 1 WHERE OLD.parent_id IS NOT NULL ON CONFLICT (issue_id) DO UPDATE SET n = n + 1;
    INSERT INTO issue_stamps (issue_id, n) SELECT NEW.parent_id, 1 WHERE NEW.parent_id IS NOT NULL ON CONFLICT (issue_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER issues_visibility_counted AFTER UPDATE OF project_id, is_private, author_id, assigned_to_id ON issues
    WHEN OLD.project_id IS NOT NEW.project_id OR OLD.is_private IS NOT NEW.is_private
      OR OLD.author_id IS NOT NEW.author_id OR OLD.assigned_to_id IS NOT NEW.assigned_to_id BEGIN
    UPDATE change_counter SET value = value + 1 WHERE id = 2;
END;
CREATE TRIGGER issues_delete_stamped AFTER DELETE ON issues BEGIN
    UPDATE change_counter SET value = value + 1 WHERE id = 2;
    INSERT INTO issue_stamps (issue_id, n) SELECT OLD.parent_id, 1 WHERE OLD.parent_id IS NOT NULL ON CONFLICT (issue_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER journals_insert_stamped AFTER INSERT ON journals BEGIN
    INSERT INTO issue_stamps (issue_id, n) SELECT NEW.journalized_id, 1 WHERE NEW.journalized_id IS NOT NULL AND NEW.journalized_type = 'Issue' ON CONFLICT (issue_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER journals_update_stamped AFTER UPDATE ON journals BEGIN
    INSERT INTO issue_stamps (issue_id, n) SELECT OLD.journalized_id, 1 WHERE OLD.journalized_id IS NOT NULL AND OLD.journalized_type = 'Issue' ON CONFLICT (issue_id) DO UPDATE SET n = n + 1;
    INSERT INTO issue_stamps (issue_id, n) SELECT NEW.journalized_id, 1 WHERE NEW.journalized_id IS NOT NULL AND NEW.journalized_type = 'Issue' ON CONFLICT (issue_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER journals_delete_stamped AFTER DELETE ON journals BEGIN
    INSERT INTO issue_stamps (issue_id, n) SELECT OLD.journalized_id, 1 WHERE OLD.journalized_id IS NOT NULL AND OLD.journalized_type = 'Issue' ON CONFLICT (issue_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER custom_values_insert_stamped AFTER INSERT ON custom_values BEGIN
    INSERT INTO issue_stamps (issue_id, n) SELECT NEW.customized_id, 1 WHERE NEW.customized_id IS NOT NULL AND NEW.customized_type = 'Issue' ON CONFLICT (issue_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER custom_values_update_stamped AFTER UPDATE ON custom_values BEGIN
    INSERT INTO issue_stamps (issue_id, n) SELECT OLD.customized_id, 1 WHERE OLD.customized_id IS NOT NULL AND OLD.customized_type = 'Issue' ON CONFLICT (issue_id) DO UPDATE SET n = n + 1;
    INSERT INTO issue_stamps (issue_id, n) SELECT NEW.customized_id, 1 WHERE NEW.customized_id IS NOT NULL AND NEW.customized_type = 'Issue' ON CONFLICT (issue_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER custom_values_delete_stamped AFTER DELETE ON custom_values BEGIN
    INSERT INTO issue_stamps (issue_id, n) SELECT OLD.customized_id, 1 WHERE OLD.customized_id IS NOT NULL AND OLD.customized_type = 'Issue' ON CONFLICT (issue_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER watchers_insert_stamped AFTER INSERT ON watchers BEGIN
    INSERT INTO issue_stamps (issue_id, n) SELECT NEW.watchable_id, 1 WHERE NEW.watchable_id IS NOT NULL AND NEW.watchable_type = 'Issue' ON CONFLICT (issue_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER watchers_update_stamped AFTER UPDATE ON watchers BEGIN
    INSERT INTO issue_stamps (issue_id, n) SELECT OLD.watchable_id, 1 WHERE OLD.watchable_id IS NOT NULL AND OLD.watchable_type = 'Issue' ON CONFLICT (issue_id) DO UPDATE SET n = n + 1;
    INSERT INTO issue_stamps (issue_id, n) SELECT NEW.watchable_id, 1 WHERE NEW.watchable_id IS NOT NULL AND NEW.watchable_type = 'Issue' ON CONFLICT (issue_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER watchers_delete_stamped AFTER DELETE ON watchers BEGIN
    INSERT INTO issue_stamps (issue_id, n) SELECT OLD.watchable_id, 1 WHERE OLD.watchable_id IS NOT NULL AND OLD.watchable_type = 'Issue' ON CONFLICT (issue_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER attachments_insert_stamped AFTER INSERT ON attachments BEGIN
    INSERT INTO issue_stamps (issue_id, n) SELECT NEW.container_id, 1 WHERE NEW.container_id IS NOT NULL AND NEW.container_type = 'Issue' ON CONFLICT (issue_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER attachments_update_stamped AFTER UPDATE ON attachments BEGIN
    INSERT INTO issue_stamps (issue_id, n) SELECT OLD.container_id, 1 WHERE OLD.container_id IS NOT NULL AND OLD.container_type = 'Issue' ON CONFLICT (issue_id) DO UPDATE SET n = n + 1;
    INSERT INTO issue_stamps (issue_id, n) SELECT NEW.container_id, 1 WHERE NEW.container_id IS NOT NULL AND NEW.container_type = 'Issue' ON CONFLICT (issue_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER attachments_delete_stamped AFTER DELETE ON attachments BEGIN
    INSERT INTO issue_stamps (issue_id, n) SELECT OLD.container_id, 1 WHERE OLD.container_id IS NOT NULL AND OLD.container_type = 'Issue' ON CONFLICT (issue_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER issue_relations_insert_stamped AFTER INSERT ON issue_relations BEGIN
    INSERT INTO issue_stamps (issue_id, n) SELECT NEW.issue_from_id, 1 WHERE NEW.issue_from_id IS NOT NULL ON CONFLICT (issue_id) DO UPDATE SET n = n + 1;
    INSERT INTO issue_stamps (issue_id, n) SELECT NEW.issue_to_id, 1 WHERE NEW.issue_to_id IS NOT NULL ON CONFLICT (issue_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER issue_relations_update_stamped AFTER UPDATE ON issue_relations BEGIN
    INSERT INTO issue_stamps (issue_id, n) SELECT OLD.issue_from_id, 1 WHERE OLD.issue_from_id IS NOT NULL ON CONFLICT (issue_id) DO UPDATE SET n = n + 1;
    INSERT INTO issue_stamps (issue_id, n) SELECT OLD.issue_to_id, 1 WHERE OLD.issue_to_id IS NOT NULL ON CONFLICT (issue_id) DO UPDATE SET n = n + 1;
    INSERT INTO issue_stamps (issue_id, n) SELECT NEW.issue_from_id, 1 WHERE NEW.issue_from_id IS NOT NULL ON CONFLICT (issue_id) DO UPDATE SET n = n + 1;
    INSERT INTO issue_stamps (issue_id, n) SELECT NEW.issue_to_id, 1 WHERE NEW.issue_to_id IS NOT NULL ON CONFLICT (issue_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER issue_relations_delete_stamped AFTER DELETE ON issue_relations BEGIN
    INSERT INTO issue_stamps (issue_id, n) SELECT OLD.issue_from_id, 1 WHERE OLD.issue_from_id IS NOT NULL ON CONFLICT (issue_id) DO UPDATE SET n = n + 1;
    INSERT INTO issue_stamps (issue_id, n) SELECT OLD.issue_to_id, 1 WHERE OLD.issue_to_id IS NOT NULL ON CONFLICT (issue_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER time_entries_insert_stamped AFTER INSERT ON time_entries BEGIN
    INSERT INTO issue_stamps (issue_id, n) SELECT NEW.issue_id, 1 WHERE NEW.issue_id IS NOT NULL ON CONFLICT (issue_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER time_entries_update_stamped AFTER UPDATE ON time_entries BEGIN
    INSERT INTO issue_stamps (issue_id, n) SELECT OLD.issue_id, 1 WHERE OLD.issue_id IS NOT NULL ON CONFLICT (issue_id) DO UPDATE SET n = n + 1;
    INSERT INTO issue_stamps (issue_id, n) SELECT NEW.issue_id, 1 WHERE NEW.issue_id IS NOT NULL ON CONFLICT (issue_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER time_entries_delete_stamped AFTER DELETE ON time_entries BEGIN
    INSERT INTO issue_stamps (issue_id, n) SELECT OLD.issue_id, 1 WHERE OLD.issue_id IS NOT NULL ON CONFLICT (issue_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER journal_details_insert_stamped AFTER INSERT ON journal_details BEGIN
    INSERT INTO issue_stamps (issue_id, n) SELECT journalized_id, 1 FROM journals WHERE id = NEW.journal_id AND journalized_type = 'Issue' ON CONFLICT (issue_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER journal_details_update_stamped AFTER UPDATE ON journal_details BEGIN
    INSERT INTO issue_stamps (issue_id, n) SELECT journalized_id, 1 FROM journals WHERE id = OLD.journal_id AND journalized_type = 'Issue' ON CONFLICT (issue_id) DO UPDATE SET n = n + 1;
    INSERT INTO issue_stamps (issue_id, n) SELECT journalized_id, 1 FROM journals WHERE id = NEW.journal_id AND journalized_type = 'Issue' ON CONFLICT (issue_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER journal_details_delete_stamped AFTER DELETE ON journal_details BEGIN
    INSERT INTO issue_stamps (issue_id, n) SELECT journalized_id, 1 FROM journals WHERE id = OLD.journal_id AND journalized_type = 'Issue' ON CONFLICT (issue_id) DO UPDATE SET n = n + 1;
END;
-- An issue's answer names its category, and a version only when the caller sees it:
-- both bump the change counter.
CREATE TRIGGER issue_categories_insert_counted AFTER INSERT ON issue_categories BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER issue_categories_update_counted AFTER UPDATE ON issue_categories BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER issue_categories_delete_counted AFTER DELETE ON issue_categories BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER versions_sharing_counted AFTER UPDATE OF project_id, sharing, status ON versions BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
