//! Redmine's English default data, with the ids, names, order and positions of a fresh
//! Redmine 5.0.4 install, plus the admin account. Emitted as SQL statements so that it runs
//! inside the migration transaction; every value here is a constant or generated hex.

use crate::domain::permissions;
use crate::store::now;

pub struct FirstStart {
    pub admin_password: String,
    pub admin_api_key: String,
}

const DEVELOPER: &[&str] = &[
    "manage_versions",
    "manage_categories",
    "view_issues",
    "add_issues",
    "edit_issues",
    "view_private_notes",
    "set_notes_private",
    "manage_issue_relations",
    "manage_subtasks",
    "add_issue_notes",
    "save_queries",
    "view_gantt",
    "view_calendar",
    "log_time",
    "view_time_entries",
    "view_news",
    "comment_news",
    "view_documents",
    "view_wiki_pages",
    "view_wiki_edits",
    "edit_wiki_pages",
    "delete_wiki_pages",
    "view_messages",
    "add_messages",
    "edit_own_messages",
    "view_files",
    "manage_files",
    "browse_repository",
    "view_changesets",
    "commit_access",
    "manage_related_issues",
];
const REPORTER: &[&str] = &[
    "view_issues",
    "add_issues",
    "add_issue_notes",
    "save_queries",
    "view_gantt",
    "view_calendar",
    "log_time",
    "view_time_entries",
    "view_news",
    "comment_news",
    "view_documents",
    "view_wiki_pages",
    "view_wiki_edits",
    "view_messages",
    "add_messages",
    "edit_own_messages",
    "view_files",
    "browse_repository",
    "view_changesets",
];
const NON_MEMBER: &[&str] = &[
    "view_issues",
    "add_issues",
    "add_issue_notes",
    "save_queries",
    "view_gantt",
    "view_calendar",
    "view_time_entries",
    "view_news",
    "comment_news",
    "view_documents",
    "view_wiki_pages",
    "view_wiki_edits",
    "view_messages",
    "add_messages",
    "view_files",
    "browse_repository",
    "view_changesets",
];
const ANONYMOUS: &[&str] = &[
    "view_issues",
    "view_gantt",
    "view_calendar",
    "view_time_entries",
    "view_news",
    "view_documents",
    "view_wiki_pages",
    "view_wiki_edits",
    "view_messages",
    "view_files",
    "browse_repository",
    "view_changesets",
];

/// Statuses New, In Progress, Resolved, Feedback, Closed, Rejected are ids 1..=6.
const DEVELOPER_WORKFLOW: &[(i64, &[i64])] = &[
    (1, &[2, 3, 4, 5]),
    (2, &[3, 4, 5]),
    (3, &[2, 4, 5]),
    (4, &[2, 3, 5]),
];
const REPORTER_WORKFLOW: &[(i64, &[i64])] = &[(1, &[5]), (2, &[5]), (3, &[5, 4]), (4, &[5])];

fn q(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

pub fn statements(first: &FirstStart, postgres: bool) -> Vec<String> {
    let t = now();
    let hash = crate::domain::password::hash(&first.admin_password);
    let mut s = vec![
        format!(
            "INSERT INTO users (id, type, login, hashed_password, firstname, lastname, admin, status, \
             language, mail_notification, passwd_changed_on, created_on, updated_on) VALUES \
             (1, 'User', 'admin', {}, 'Redmine', 'Admin', TRUE, 1, '', 'all', {t}, {t}, {t})",
            q(&hash)
        ),
        format!(
            "INSERT INTO users (id, type, lastname, status, created_on, updated_on) VALUES \
             (2, 'GroupAnonymous', 'Anonymous users', 1, {t}, {t}), \
             (3, 'GroupNonMember', 'Non member users', 1, {t}, {t}), \
             (4, 'AnonymousUser', 'Anonymous', 0, {t}, {t})"
        ),
        format!(
            "INSERT INTO email_addresses (user_id, address, is_default, notify, created_on, updated_on) \
             VALUES (1, 'admin@example.net', TRUE, TRUE, {t}, {t})"
        ),
        format!(
            "INSERT INTO tokens (user_id, action, value, created_on) VALUES (1, 'api', {}, {t})",
            q(&first.admin_api_key)
        ),
        "INSERT INTO user_preferences (user_id, hide_mail) VALUES (1, TRUE)".into(),
    ];

    let manager: Vec<&str> = permissions::setable(0).map(|p| p.name).collect();
    // id, name, position, builtin, issues_visibility, permissions
    type RoleSeed<'a> = (i64, &'a str, i64, i64, &'a str, &'a [&'a str]);
    let roles: [RoleSeed; 5] = [
        (1, "Non member", 0, 1, "default", NON_MEMBER),
        (2, "Anonymous", 0, 2, "default", ANONYMOUS),
        (3, "Manager", 1, 0, "all", &manager),
        (4, "Developer", 2, 0, "default", DEVELOPER),
        (5, "Reporter", 3, 0, "default", REPORTER),
    ];
    for (id, name, position, builtin, issues_visibility, perms) in roles {
        s.push(format!(
            "INSERT INTO roles (id, name, position, assignable, builtin, permissions, \
             issues_visibility, users_visibility, time_entries_visibility, all_roles_managed) \
             VALUES ({id}, {}, {position}, TRUE, {builtin}, {}, {}, 'all', 'all', TRUE)",
            q(name),
            q(&perms.join("\n")),
            q(issues_visibility)
        ));
    }

    let statuses = [
        "New",
        "In Progress",
        "Resolved",
        "Feedback",
        "Closed",
        "Rejected",
    ];
    for (i, name) in statuses.iter().enumerate() {
        let id = i as i64 + 1;
        s.push(format!(
            "INSERT INTO issue_statuses (id, name, is_closed, position) VALUES ({id}, {}, {}, {id})",
            q(name),
            if id >= 5 { "TRUE" } else { "FALSE" }
        ));
    }
    for (id, name, roadmap) in [
        (1, "Bug", false),
        (2, "Feature", true),
        (3, "Support", false),
    ] {
        s.push(format!(
            "INSERT INTO trackers (id, name, position, is_in_roadmap, fields_bits, default_status_id) \
             VALUES ({id}, {}, {id}, {}, 0, 1)",
            q(name),
            if roadmap { "TRUE" } else { "FALSE" }
        ));
    }
    let enumerations = [
        (1, "IssuePriority", "Low", 1, false),
        (2, "IssuePriority", "Normal", 2, true),
        (3, "IssuePriority", "High", 3, false),
        (4, "IssuePriority", "Urgent", 4, false),
        (5, "IssuePriority", "Immediate", 5, false),
        (6, "DocumentCategory", "User documentation", 1, false),
        (7, "DocumentCategory", "Technical documentation", 2, false),
        (8, "TimeEntryActivity", "Design", 1, false),
        (9, "TimeEntryActivity", "Development", 2, false),
    ];
    for (id, kind, name, position, default) in enumerations {
        s.push(format!(
            "INSERT INTO enumerations (id, type, name, position, is_default, active) \
             VALUES ({id}, {}, {}, {position}, {}, TRUE)",
            q(kind),
            q(name),
            if default { "TRUE" } else { "FALSE" }
        ));
    }

    let mut transitions = Vec::new();
    for tracker in 1..=3 {
        for from in 1..=6 {
            for to in (1..=6).filter(|to| *to != from) {
                transitions.push((tracker, 3, from, to));
            }
        }
        for (role, table) in [(4, DEVELOPER_WORKFLOW), (5, REPORTER_WORKFLOW)] {
            for (from, tos) in table {
                for to in *tos {
                    transitions.push((tracker, role, *from, *to));
                }
            }
        }
    }
    let rows: Vec<String> = transitions
        .iter()
        .map(|(tr, role, from, to)| {
            format!("('WorkflowTransition', {tr}, {role}, {from}, {to}, FALSE, FALSE)")
        })
        .collect();
    s.push(format!(
        "INSERT INTO workflows (type, tracker_id, role_id, old_status_id, new_status_id, author, assignee) VALUES {}",
        rows.join(", ")
    ));

    if postgres {
        // Explicit ids do not advance PostgreSQL's identity sequences.
        for table in [
            "users",
            "roles",
            "issue_statuses",
            "trackers",
            "enumerations",
        ] {
            s.push(format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            ));
        }
    }
    s
}
