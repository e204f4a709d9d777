-- Spent time (time-entries.md §2): hours logged by `user_id` (written by `author_id`) on a
-- project, optionally on one of its issues. `spent_on` is a 'YYYY-MM-DD' date; `tweek`
-- is its ISO week, for the `tweek` sort.
CREATE TABLE time_entries (
    id {ID},
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    issue_id BIGINT,
    user_id BIGINT NOT NULL,
    author_id BIGINT NOT NULL,
    activity_id BIGINT NOT NULL,
    hours {FLOAT} NOT NULL,
    comments TEXT,
    spent_on TEXT NOT NULL,
    tyear BIGINT NOT NULL,
    tmonth BIGINT NOT NULL,
    tweek BIGINT NOT NULL,
    created_on BIGINT NOT NULL,
    updated_on BIGINT NOT NULL
);
CREATE INDEX time_entries_project ON time_entries (project_id, spent_on);
CREATE INDEX time_entries_issue ON time_entries (issue_id);
CREATE INDEX time_entries_user ON time_entries (user_id, spent_on);
CREATE INDEX time_entries_spent_on ON time_entries (spent_on, created_on);
-- the `hours` sort reads the first page off this index instead of sorting every match
CREATE INDEX time_entries_hours ON time_entries (hours);
