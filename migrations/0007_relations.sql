-- Issue relations, stored in their forward form only (issues.md §8.2): one relation per
-- ordered pair of issues, whatever its type. They go with either issue.
CREATE TABLE issue_relations (
    id {ID},
    issue_from_id BIGINT NOT NULL REFERENCES issues (id) ON DELETE CASCADE,
    issue_to_id BIGINT NOT NULL REFERENCES issues (id) ON DELETE CASCADE,
    relation_type TEXT NOT NULL,
    delay BIGINT
);
CREATE UNIQUE INDEX issue_relations_pair ON issue_relations (issue_from_id, issue_to_id);
CREATE INDEX issue_relations_to ON issue_relations (issue_to_id);
