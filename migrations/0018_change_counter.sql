-- One counter, bumped in the same transaction as every change to what the servers keep
-- in memory (reference data, roles, custom fields, projects and their members, groups):
-- a server reads it at the start of a request and drops its copies when it moved, so
-- several processes on one database stay correct. Issues, journals and the rest do not
-- bump it: they are never cached.
CREATE TABLE change_counter (id BIGINT PRIMARY KEY, value BIGINT NOT NULL);
INSERT INTO change_counter (id, value) VALUES (1, 0);
CREATE TRIGGER settings_insert_counted AFTER INSERT ON settings BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER settings_update_counted AFTER UPDATE ON settings BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER settings_delete_counted AFTER DELETE ON settings BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER roles_insert_counted AFTER INSERT ON roles BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER roles_update_counted AFTER UPDATE ON roles BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER roles_delete_counted AFTER DELETE ON roles BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER trackers_insert_counted AFTER INSERT ON trackers BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER trackers_update_counted AFTER UPDATE ON trackers BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER trackers_delete_counted AFTER DELETE ON trackers BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER issue_statuses_insert_counted AFTER INSERT ON issue_statuses BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER issue_statuses_update_counted AFTER UPDATE ON issue_statuses BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER issue_statuses_delete_counted AFTER DELETE ON issue_statuses BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER enumerations_insert_counted AFTER INSERT ON enumerations BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER enumerations_update_counted AFTER UPDATE ON enumerations BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER enumerations_delete_counted AFTER DELETE ON enumerations BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER workflows_insert_counted AFTER INSERT ON workflows BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER workflows_update_counted AFTER UPDATE ON workflows BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER workflows_delete_counted AFTER DELETE ON workflows BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER custom_fields_insert_counted AFTER INSERT ON custom_fields BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER custom_fields_update_counted AFTER UPDATE ON custom_fields BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER custom_fields_delete_counted AFTER DELETE ON custom_fields BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER custom_fields_trackers_insert_counted AFTER INSERT ON custom_fields_trackers BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER custom_fields_trackers_update_counted AFTER UPDATE ON custom_fields_trackers BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER custom_fields_trackers_delete_counted AFTER DELETE ON custom_fields_trackers BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER custom_fields_projects_insert_counted AFTER INSERT ON custom_fields_projects BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER custom_fields_projects_update_counted AFTER UPDATE ON custom_fields_projects BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER custom_fields_projects_delete_counted AFTER DELETE ON custom_fields_projects BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER custom_fields_roles_insert_counted AFTER INSERT ON custom_fields_roles BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER custom_fields_roles_update_counted AFTER UPDATE ON custom_fields_roles BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER custom_fields_roles_delete_counted AFTER DELETE ON custom_fields_roles BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER custom_field_enumerations_insert_counted AFTER INSERT ON custom_field_enumerations BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER custom_field_enumerations_update_counted AFTER UPDATE ON custom_field_enumerations BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER custom_field_enumerations_delete_counted AFTER DELETE ON custom_field_enumerations BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER projects_insert_counted AFTER INSERT ON projects BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER projects_update_counted AFTER UPDATE ON projects BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER projects_delete_counted AFTER DELETE ON projects BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER enabled_modules_insert_counted AFTER INSERT ON enabled_modules BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER enabled_modules_update_counted AFTER UPDATE ON enabled_modules BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER enabled_modules_delete_counted AFTER DELETE ON enabled_modules BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER projects_trackers_insert_counted AFTER INSERT ON projects_trackers BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER projects_trackers_update_counted AFTER UPDATE ON projects_trackers BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER projects_trackers_delete_counted AFTER DELETE ON projects_trackers BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER members_insert_counted AFTER INSERT ON members BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER members_update_counted AFTER UPDATE ON members BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER members_delete_counted AFTER DELETE ON members BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER member_roles_insert_counted AFTER INSERT ON member_roles BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER member_roles_update_counted AFTER UPDATE ON member_roles BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER member_roles_delete_counted AFTER DELETE ON member_roles BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER groups_users_insert_counted AFTER INSERT ON groups_users BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER groups_users_update_counted AFTER UPDATE ON groups_users BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER groups_users_delete_counted AFTER DELETE ON groups_users BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER users_insert_counted AFTER INSERT ON users BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER users_delete_counted AFTER DELETE ON users BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
-- not on every sign-in: only what access and group names read
CREATE TRIGGER users_update_counted AFTER UPDATE OF type, login, firstname, lastname, admin, status ON users BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
