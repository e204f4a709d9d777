-- Most issues have no parent. A full index on parent_id makes the planner (after ANALYZE)
-- count the NULLs as one huge group and scan it whole for each `parent_id = ?` (a
-- subtask check on every listed issue): 49 ms a page at 100,000 issues. Indexing only
-- the parents keeps every `parent_id = …` lookup a search.
DROP INDEX issues_parent;
CREATE INDEX issues_parent ON issues (parent_id) WHERE parent_id IS NOT NULL;
