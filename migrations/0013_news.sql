-- News (news.md §1) of a project, and the comments on them. `summary` is '' unless given
-- (an empty XML element stores NULL, as Redmine's XML parameters do). Comments are
-- written by Redmine's web forms only; imports bring them.
CREATE TABLE news (
    id {ID},
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    summary TEXT DEFAULT '',
    description TEXT,
    author_id BIGINT NOT NULL,
    created_on BIGINT NOT NULL,
    comments_count BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX news_project ON news (project_id, created_on);
CREATE INDEX news_created ON news (created_on);
CREATE TABLE comments (
    id {ID},
    commented_type TEXT NOT NULL,
    commented_id BIGINT NOT NULL,
    author_id BIGINT NOT NULL,
    content TEXT,
    created_on BIGINT NOT NULL,
    updated_on BIGINT NOT NULL
);
CREATE INDEX comments_commented ON comments (commented_type, commented_id);
