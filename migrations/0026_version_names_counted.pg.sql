-- A project is kept in memory with its default version's name (projects::find_by_id):
-- a version's name, and its coming and going, bump the change counter too.
CREATE CONSTRAINT TRIGGER versions_counted AFTER INSERT OR DELETE OR UPDATE OF name ON versions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION carmine_count_change();
