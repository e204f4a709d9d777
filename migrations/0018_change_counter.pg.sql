-- One counter, bumped in the same transaction as every change to what the servers keep
-- in memory (reference data, roles, custom fields, projects and their members, groups):
-- a server reads it at the start of a request and drops its copies when it moved, so
-- several processes on one database stay correct. Issues, journals and the rest do not
-- bump it: they are never cached.
-- The triggers are deferred to commit: the counter row is locked last, so two
-- transactions never wait on each other through it in opposite orders.
CREATE TABLE change_counter (id BIGINT PRIMARY KEY, value BIGINT NOT NULL);
INSERT INTO change_counter (id, value) VALUES (1, 0);
CREATE FUNCTION carmine_count_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE change_counter SET value = value + 1 WHERE id = 1;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER settings_counted AFTER INSERT OR UPDATE OR DELETE ON settings DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION carmine_count_change();
CREATE CONSTRAINT TRIGGER roles_counted AFTER INSERT OR UPDATE OR DELETE ON roles DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION carmine_count_change();
CREATE CONSTRAINT TRIGGER trackers_counted AFTER INSERT OR UPDATE OR DELETE ON trackers DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION carmine_count_change();
CREATE CONSTRAINT TRIGGER issue_statuses_counted AFTER INSERT OR UPDATE OR DELETE ON issue_statuses DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION carmine_count_change();
CREATE CONSTRAINT TRIGGER enumerations_counted AFTER INSERT OR UPDATE OR DELETE ON enumerations DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION carmine_count_change();
CREATE CONSTRAINT TRIGGER workflows_counted AFTER INSERT OR UPDATE OR DELETE ON workflows DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION carmine_count_change();
CREATE CONSTRAINT TRIGGER custom_fields_counted AFTER INSERT OR UPDATE OR DELETE ON custom_fields DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION carmine_count_change();
CREATE CONSTRAINT TRIGGER custom_fields_trackers_counted AFTER INSERT OR UPDATE OR DELETE ON custom_fields_trackers DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION carmine_count_change();
CREATE CONSTRAINT TRIGGER custom_fields_projects_counted AFTER INSERT OR UPDATE OR DELETE ON custom_fields_projects DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION carmine_count_change();
CREATE CONSTRAINT TRIGGER custom_fields_roles_counted AFTER INSERT OR UPDATE OR DELETE ON custom_fields_roles DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION carmine_count_change();
CREATE CONSTRAINT TRIGGER custom_field_enumerations_counted AFTER INSERT OR UPDATE OR DELETE ON custom_field_enumerations DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION carmine_count_change();
CREATE CONSTRAINT TRIGGER projects_counted AFTER INSERT OR UPDATE OR DELETE ON projects DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION carmine_count_change();
CREATE CONSTRAINT TRIGGER enabled_modules_counted AFTER INSERT OR UPDATE OR DELETE ON enabled_modules DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION carmine_count_change();
CREATE CONSTRAINT TRIGGER projects_trackers_counted AFTER INSERT OR UPDATE OR DELETE ON projects_trackers DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION carmine_count_change();
CREATE CONSTRAINT TRIGGER members_counted AFTER INSERT OR UPDATE OR DELETE ON members DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION carmine_count_change();
CREATE CONSTRAINT TRIGGER member_roles_counted AFTER INSERT OR UPDATE OR DELETE ON member_roles DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION carmine_count_change();
CREATE CONSTRAINT TRIGGER groups_users_counted AFTER INSERT OR UPDATE OR DELETE ON groups_users DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION carmine_count_change();
CREATE CONSTRAINT TRIGGER users_counted AFTER INSERT OR DELETE OR UPDATE OF type, login, firstname, lastname, admin, status ON users DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION carmine_count_change();
