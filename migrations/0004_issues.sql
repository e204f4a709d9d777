-- Issues. Subtasks form a tree like projects: `id_path` ('/1/7/') under the root issue.
CREATE TABLE issues (
    id {ID},
    tracker_id BIGINT NOT NULL REFERENCES trackers (id),
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    subject TEXT NOT NULL,
    description TEXT,
    due_date TEXT,
    category_id BIGINT,
    status_id BIGINT NOT NULL REFERENCES issue_statuses (id),
    assigned_to_id BIGINT,
    priority_id BIGINT NOT NULL,
    fixed_version_id BIGINT,
    author_id BIGINT NOT NULL,
    lock_version BIGINT NOT NULL DEFAULT 0,
    created_on BIGINT NOT NULL,
    updated_on BIGINT NOT NULL,
    start_date TEXT,
    done_ratio BIGINT NOT NULL DEFAULT 0,
    estimated_hours {FLOAT},
    parent_id BIGINT,
    id_path TEXT NOT NULL DEFAULT '',
    is_private BOOLEAN NOT NULL DEFAULT FALSE,
    closed_on BIGINT
);
CREATE INDEX issues_project ON issues (project_id, status_id);
CREATE INDEX issues_status ON issues (status_id);
CREATE INDEX issues_assigned_to ON issues (assigned_to_id);
CREATE INDEX issues_author ON issues (author_id);
CREATE INDEX issues_parent ON issues (parent_id);
CREATE INDEX issues_updated ON issues (updated_on);

-- The history of an issue: one journal per update, one detail per changed value.
CREATE TABLE journals (
    id {ID},
    journalized_id BIGINT NOT NULL,
    journalized_type TEXT NOT NULL,
    user_id BIGINT NOT NULL,
    notes TEXT,
    private_notes BOOLEAN NOT NULL DEFAULT FALSE,
    created_on BIGINT NOT NULL,
    updated_on BIGINT,
    updated_by_id BIGINT
);
CREATE INDEX journals_journalized ON journals (journalized_type, journalized_id);

CREATE TABLE journal_details (
    id {ID},
    journal_id BIGINT NOT NULL REFERENCES journals (id) ON DELETE CASCADE,
    property TEXT NOT NULL,
    prop_key TEXT NOT NULL,
    old_value TEXT,
    value TEXT
);
CREATE INDEX journal_details_journal ON journal_details (journal_id);
