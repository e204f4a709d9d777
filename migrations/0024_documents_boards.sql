-- Documents, forums (boards) and their messages. carmine has no API of their own, as
-- Redmine 5.0 has none: they come from an imported Redmine, and decide who sees the
-- files attached to them. They go with their project.
CREATE TABLE documents (
    id {ID},
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    category_id BIGINT,
    title TEXT NOT NULL,
    description TEXT,
    created_on BIGINT
);
CREATE INDEX documents_project ON documents (project_id);
CREATE TABLE boards (
    id {ID},
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT,
    position BIGINT,
    topics_count BIGINT NOT NULL DEFAULT 0,
    messages_count BIGINT NOT NULL DEFAULT 0,
    last_message_id BIGINT,
    parent_id BIGINT
);
CREATE INDEX boards_project ON boards (project_id);
CREATE TABLE messages (
    id {ID},
    board_id BIGINT NOT NULL REFERENCES boards (id) ON DELETE CASCADE,
    parent_id BIGINT,
    subject TEXT NOT NULL,
    content TEXT,
    author_id BIGINT,
    replies_count BIGINT NOT NULL DEFAULT 0,
    last_reply_id BIGINT,
    created_on BIGINT NOT NULL,
    updated_on BIGINT NOT NULL,
    locked BOOLEAN DEFAULT FALSE,
    sticky BIGINT DEFAULT 0
);
CREATE INDEX messages_board ON messages (board_id);
