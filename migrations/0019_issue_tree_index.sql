-- An issue's subtree is the range of tree paths from its own to its own followed by ':'
-- (paths hold digits and slashes, which sort before it). Indexed, reading a subtree
-- touches the subtree only; `substr(id_path, …) = …` read every issue.
CREATE INDEX issues_id_path ON issues (id_path);
