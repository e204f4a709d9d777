-- Projects form a tree. `id_path` ('/1/5/9/') finds ancestors and descendants;
-- `tree_path` (each level's name, a 0x01 separator and the zero-padded id) sorts the tree
-- the way Redmine's nested set does: every project before its descendants, siblings by name.
CREATE TABLE projects (
    id {ID},
    name TEXT NOT NULL,
    description TEXT,
    homepage TEXT NOT NULL DEFAULT '',
    is_public BOOLEAN NOT NULL DEFAULT TRUE,
    parent_id BIGINT REFERENCES projects (id),
    id_path TEXT NOT NULL DEFAULT '',
    tree_path TEXT {COLLATE_C} NOT NULL DEFAULT '',
    identifier TEXT NOT NULL,
    status BIGINT NOT NULL DEFAULT 1,
    inherit_members BOOLEAN NOT NULL DEFAULT FALSE,
    default_version_id BIGINT,
    default_assigned_to_id BIGINT,
    default_issue_query_id BIGINT,
    created_on BIGINT NOT NULL,
    updated_on BIGINT NOT NULL
);
CREATE UNIQUE INDEX projects_identifier ON projects (identifier);
CREATE INDEX projects_tree ON projects (tree_path);
CREATE INDEX projects_id_path ON projects (id_path);

CREATE TABLE enabled_modules (
    id {ID},
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    name TEXT NOT NULL
);
CREATE INDEX enabled_modules_project ON enabled_modules (project_id);

CREATE TABLE projects_trackers (
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    tracker_id BIGINT NOT NULL REFERENCES trackers (id) ON DELETE CASCADE,
    PRIMARY KEY (project_id, tracker_id)
);

CREATE TABLE custom_fields_projects (
    custom_field_id BIGINT NOT NULL REFERENCES custom_fields (id) ON DELETE CASCADE,
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    PRIMARY KEY (custom_field_id, project_id)
);

-- A principal's membership in a project; its roles are member_roles. A member_role with
-- inherited_from was copied from another member_role: a group's (for the group's users)
-- or the parent project's (for subprojects that inherit members).
CREATE TABLE members (
    id {ID},
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    mail_notification BOOLEAN NOT NULL DEFAULT FALSE,
    created_on BIGINT NOT NULL
);
CREATE UNIQUE INDEX members_user_project ON members (user_id, project_id);
CREATE INDEX members_project ON members (project_id);

CREATE TABLE member_roles (
    id {ID},
    member_id BIGINT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    role_id BIGINT NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    inherited_from BIGINT
);
CREATE INDEX member_roles_member ON member_roles (member_id);
CREATE INDEX member_roles_inherited ON member_roles (inherited_from);

CREATE TABLE versions (
    id {ID},
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT DEFAULT '',
    effective_date TEXT,
    status TEXT NOT NULL DEFAULT 'open',
    sharing TEXT NOT NULL DEFAULT 'none',
    wiki_page_title TEXT,
    created_on BIGINT NOT NULL,
    updated_on BIGINT NOT NULL
);
CREATE INDEX versions_project ON versions (project_id);

CREATE TABLE issue_categories (
    id {ID},
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    name TEXT {COLLATE_C} NOT NULL,
    assigned_to_id BIGINT
);
CREATE INDEX issue_categories_project ON issue_categories (project_id);
