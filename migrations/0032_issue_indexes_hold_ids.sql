-- Nothing on SQLite: its indexes hold the rowid, which is the issue's id (see the
-- PostgreSQL text of this migration).
SELECT 1;
