-- An issue's subtree is the range of tree paths from its own to its own followed by ':'
-- (paths hold digits and slashes, which sort before it). Indexed, reading a subtree
-- touches the subtree only; `substr(id_path, …) = …` read every issue. Byte order makes
-- the range mean the same as in SQLite, whatever the database's collation.
ALTER TABLE issues ALTER COLUMN id_path TYPE TEXT COLLATE "C";
CREATE INDEX issues_id_path ON issues (id_path);
