-- Principals (users, groups, the anonymous user) share one table and one id sequence,
-- as in Redmine, so ids of users and groups never collide.
CREATE TABLE users (
    id {ID},
    type TEXT NOT NULL,
    login TEXT NOT NULL DEFAULT '',
    hashed_password TEXT NOT NULL DEFAULT '',
    salt TEXT,
    firstname TEXT NOT NULL DEFAULT '',
    lastname TEXT NOT NULL DEFAULT '',
    admin BOOLEAN NOT NULL DEFAULT FALSE,
    status BIGINT NOT NULL DEFAULT 1,
    last_login_on BIGINT,
    language TEXT NOT NULL DEFAULT '',
    mail_notification TEXT NOT NULL DEFAULT '',
    must_change_passwd BOOLEAN NOT NULL DEFAULT FALSE,
    passwd_changed_on BIGINT,
    twofa_scheme TEXT,
    created_on BIGINT NOT NULL,
    updated_on BIGINT NOT NULL
);
CREATE UNIQUE INDEX users_login_unique ON users (LOWER(login)) WHERE login <> '';
CREATE INDEX users_type_status ON users (type, status);

CREATE TABLE email_addresses (
    id {ID},
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    address TEXT NOT NULL,
    is_default BOOLEAN NOT NULL DEFAULT TRUE,
    notify BOOLEAN NOT NULL DEFAULT TRUE,
    created_on BIGINT NOT NULL,
    updated_on BIGINT NOT NULL
);
CREATE UNIQUE INDEX email_addresses_unique ON email_addresses (LOWER(address));
CREATE INDEX email_addresses_user ON email_addresses (user_id);

CREATE TABLE tokens (
    id {ID},
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    action TEXT NOT NULL,
    value TEXT NOT NULL,
    created_on BIGINT NOT NULL
);
CREATE UNIQUE INDEX tokens_value ON tokens (value);
CREATE INDEX tokens_user_action ON tokens (user_id, action);

CREATE TABLE user_preferences (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    hide_mail BOOLEAN NOT NULL DEFAULT TRUE,
    time_zone TEXT NOT NULL DEFAULT '',
    others TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE groups_users (
    group_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX groups_users_user ON groups_users (user_id);

CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_on BIGINT NOT NULL
);

CREATE TABLE roles (
    id {ID},
    name TEXT NOT NULL,
    position BIGINT NOT NULL,
    assignable BOOLEAN NOT NULL DEFAULT TRUE,
    builtin BIGINT NOT NULL DEFAULT 0,
    -- stored permissions, in stored order, one name per line
    permissions TEXT NOT NULL DEFAULT '',
    issues_visibility TEXT NOT NULL DEFAULT 'default',
    users_visibility TEXT NOT NULL DEFAULT 'all',
    time_entries_visibility TEXT NOT NULL DEFAULT 'all',
    all_roles_managed BOOLEAN NOT NULL DEFAULT TRUE
);

CREATE TABLE issue_statuses (
    id {ID},
    name TEXT NOT NULL,
    is_closed BOOLEAN NOT NULL DEFAULT FALSE,
    position BIGINT NOT NULL,
    default_done_ratio BIGINT
);

CREATE TABLE trackers (
    id {ID},
    name TEXT NOT NULL,
    description TEXT,
    position BIGINT NOT NULL,
    is_in_roadmap BOOLEAN NOT NULL DEFAULT TRUE,
    -- bit i set: core field i (see domain::trackers::CORE_FIELDS) is disabled
    fields_bits BIGINT NOT NULL DEFAULT 0,
    default_status_id BIGINT REFERENCES issue_statuses (id)
);

CREATE TABLE enumerations (
    id {ID},
    type TEXT NOT NULL,
    name TEXT NOT NULL,
    position BIGINT NOT NULL,
    is_default BOOLEAN NOT NULL DEFAULT FALSE,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    project_id BIGINT,
    parent_id BIGINT
);
CREATE INDEX enumerations_type ON enumerations (type, position);

CREATE TABLE workflows (
    id {ID},
    type TEXT NOT NULL,
    tracker_id BIGINT NOT NULL REFERENCES trackers (id) ON DELETE CASCADE,
    role_id BIGINT NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    old_status_id BIGINT NOT NULL,
    new_status_id BIGINT NOT NULL,
    author BOOLEAN NOT NULL DEFAULT FALSE,
    assignee BOOLEAN NOT NULL DEFAULT FALSE,
    field_name TEXT,
    rule TEXT
);
CREATE INDEX workflows_lookup ON workflows (role_id, tracker_id, old_status_id);

CREATE TABLE custom_fields (
    id {ID},
    type TEXT NOT NULL,
    name TEXT NOT NULL,
    field_format TEXT NOT NULL,
    possible_values TEXT NOT NULL DEFAULT '',
    regexp TEXT NOT NULL DEFAULT '',
    min_length BIGINT,
    max_length BIGINT,
    is_required BOOLEAN NOT NULL DEFAULT FALSE,
    is_for_all BOOLEAN NOT NULL DEFAULT FALSE,
    is_filter BOOLEAN NOT NULL DEFAULT FALSE,
    position BIGINT NOT NULL DEFAULT 1,
    searchable BOOLEAN NOT NULL DEFAULT FALSE,
    default_value TEXT,
    editable BOOLEAN NOT NULL DEFAULT TRUE,
    visible BOOLEAN NOT NULL DEFAULT TRUE,
    multiple BOOLEAN NOT NULL DEFAULT FALSE,
    description TEXT
);
