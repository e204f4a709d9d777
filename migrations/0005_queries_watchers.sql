-- Saved queries (Redmine's default ones included; the API only reads them) and watchers.
CREATE TABLE queries (
    id {ID},
    type TEXT NOT NULL,
    project_id BIGINT REFERENCES projects (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    -- JSON: {"field": {"operator": "=", "values": ["1"]}, …} in filter order
    filters TEXT NOT NULL DEFAULT '{}',
    user_id BIGINT NOT NULL DEFAULT 0,
    -- JSON: [["column", "desc"], …]
    sort_criteria TEXT NOT NULL DEFAULT '[]',
    group_by TEXT,
    -- 0 private, 1 roles, 2 public
    visibility BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE queries_roles (
    query_id BIGINT NOT NULL REFERENCES queries (id) ON DELETE CASCADE,
    role_id BIGINT NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    PRIMARY KEY (query_id, role_id)
);
INSERT INTO queries (id, type, name, filters, sort_criteria, visibility) VALUES
 (1, 'IssueQuery', 'Issues assigned to me', '{"status_id":{"operator":"o","values":[""]},"assigned_to_id":{"operator":"=","values":["me"]},"project.status":{"operator":"=","values":["1"]}}', '[["priority","desc"],["updated_on","desc"]]', 2),
 (2, 'IssueQuery', 'Reported issues', '{"status_id":{"operator":"o","values":[""]},"author_id":{"operator":"=","values":["me"]},"project.status":{"operator":"=","values":["1"]}}', '[["updated_on","desc"]]', 2),
 (3, 'IssueQuery', 'Updated issues', '{"status_id":{"operator":"o","values":[""]},"updated_by":{"operator":"=","values":["me"]},"project.status":{"operator":"=","values":["1"]}}', '[["updated_on","desc"]]', 2),
 (4, 'IssueQuery', 'Watched issues', '{"status_id":{"operator":"o","values":[""]},"watcher_id":{"operator":"=","values":["me"]},"project.status":{"operator":"=","values":["1"]}}', '[["updated_on","desc"]]', 2),
 (5, 'ProjectQuery', 'My projects', '{"status":{"operator":"=","values":["1"]},"id":{"operator":"=","values":["mine"]}}', '[]', 2),
 (6, 'ProjectQuery', 'My bookmarks', '{"status":{"operator":"=","values":["1"]},"id":{"operator":"=","values":["bookmarks"]}}', '[]', 2),
 (7, 'TimeEntryQuery', 'Spent time', '{"spent_on":{"operator":"*","values":[""]},"user_id":{"operator":"=","values":["me"]}}', '[["spent_on","desc"]]', 2);

CREATE TABLE watchers (
    id {ID},
    watchable_type TEXT NOT NULL,
    watchable_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX watchers_unique ON watchers (watchable_type, watchable_id, user_id);
CREATE INDEX watchers_user ON watchers (user_id);
