-- A project is kept in memory with its default version's name (projects::find_by_id):
-- a version's name, and its coming and going, bump the change counter too.
CREATE TRIGGER versions_insert_counted AFTER INSERT ON versions BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER versions_update_counted AFTER UPDATE OF name ON versions BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER versions_delete_counted AFTER DELETE ON versions BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
