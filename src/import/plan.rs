//! Which of Redmine's tables go where, in an order where every row finds what it refers
//! to already in, and why the others stay behind.

/// What a table's rows need beyond copying their columns (`rows::Fixer`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fix {
    None,
    Settings,
    Users,
    Tokens,
    Preferences,
    Roles,
    CustomFields,
    Projects,
    Issues,
    CustomValues,
    WikiPages,
    WikiVersions,
    WikiContents,
    WikiRedirects,
    Queries,
}

pub struct Step {
    /// carmine's table, and Redmine's of the same name.
    pub table: &'static str,
    /// Redmine's order of rows; `id` is read in slices, anything else whole.
    pub order: &'static str,
    pub fix: Fix,
}

const fn step(table: &'static str, fix: Fix) -> Step {
    Step {
        table,
        order: "id",
        fix,
    }
}

pub const STEPS: &[Step] = &[
    step("settings", Fix::Settings),
    step("users", Fix::Users),
    step("email_addresses", Fix::None),
    step("user_preferences", Fix::Preferences),
    step("tokens", Fix::Tokens),
    Step {
        table: "groups_users",
        order: "group_id, user_id",
        fix: Fix::None,
    },
    step("issue_statuses", Fix::None),
    step("trackers", Fix::None),
    step("enumerations", Fix::None),
    step("roles", Fix::Roles),
    step("workflows", Fix::None),
    step("custom_fields", Fix::CustomFields),
    step("custom_field_enumerations", Fix::None),
    Step {
        table: "custom_fields_trackers",
        order: "custom_field_id, tracker_id",
        fix: Fix::None,
    },
    Step {
        table: "custom_fields_roles",
        order: "custom_field_id, role_id",
        fix: Fix::None,
    },
    // parents before their children, so each one's paths extend its parent's
    Step {
        table: "projects",
        order: "lft, id",
        fix: Fix::Projects,
    },
    step("enabled_modules", Fix::None),
    Step {
        table: "projects_trackers",
        order: "project_id, tracker_id",
        fix: Fix::None,
    },
    Step {
        table: "custom_fields_projects",
        order: "custom_field_id, project_id",
        fix: Fix::None,
    },
    step("members", Fix::None),
    step("member_roles", Fix::None),
    step("versions", Fix::None),
    step("issue_categories", Fix::None),
    step("issues", Fix::Issues),
    step("journals", Fix::None),
    step("journal_details", Fix::None),
    step("issue_relations", Fix::None),
    step("watchers", Fix::None),
    step("custom_values", Fix::CustomValues),
    step("time_entries", Fix::None),
    step("wikis", Fix::None),
    step("wiki_pages", Fix::WikiPages),
    step("wiki_content_versions", Fix::WikiVersions),
    step("wiki_contents", Fix::WikiContents),
    step("wiki_redirects", Fix::WikiRedirects),
    step("documents", Fix::None),
    step("boards", Fix::None),
    step("messages", Fix::None),
    step("news", Fix::None),
    step("comments", Fix::None),
    step("attachments", Fix::None),
    step("queries", Fix::Queries),
    Step {
        table: "queries_roles",
        order: "query_id, role_id",
        fix: Fix::None,
    },
];

/// Redmine 5.0's tables that carmine does not take, and why (shown when they hold rows).
pub const LEFT_BEHIND: &[(&str, &str)] = &[
    ("repositories", "repositories are not part of carmine"),
    ("changesets", "repositories are not part of carmine"),
    ("changes", "repositories are not part of carmine"),
    ("changeset_parents", "repositories are not part of carmine"),
    ("changesets_issues", "repositories are not part of carmine"),
    (
        "auth_sources",
        "LDAP is not part of carmine: its users cannot sign in with a password",
    ),
    ("imports", "CSV imports are Redmine's web pages' jobs"),
    ("import_items", "CSV imports are Redmine's web pages' jobs"),
    (
        "roles_managed_roles",
        "carmine lets a role that manages members give any role",
    ),
];

/// Redmine's own bookkeeping, never reported.
pub const INTERNAL: &[&str] = &["ar_internal_metadata", "schema_migrations"];

/// Redmine's columns that carmine derives or never needed, never reported as dropped.
pub const DERIVED: &[(&str, &str)] = &[
    ("projects", "lft"),
    ("projects", "rgt"),
    ("issues", "lft"),
    ("issues", "rgt"),
    ("issues", "root_id"),
    ("enumerations", "position_name"),
    ("settings", "id"),
    ("user_preferences", "id"),
    ("tokens", "updated_on"),
    ("wikis", "status"),
    ("wiki_content_versions", "wiki_content_id"),
    ("wiki_content_versions", "compression"),
    ("wiki_content_versions", "data"),
    ("wiki_contents", "id"),
    ("wiki_contents", "author_id"),
    ("wiki_contents", "text"),
    ("wiki_contents", "comments"),
    ("wiki_redirects", "title"),
    ("wiki_redirects", "created_on"),
    ("custom_fields", "format_store"),
    ("roles", "settings"),
    ("users", "twofa_required"),
];

/// Self references carmine keeps without a foreign key: set, like those with one, once
/// the table is in, and left empty when they name a row that did not come.
pub const SELF_REFERENCES: &[(&str, &str)] = &[("issues", "parent_id")];

/// Redmine 5.0's schema: the newest migration of 5.0.0 to 5.0.x.
pub const SCHEMA_VERSION: i64 = 20_220_224_194_639;
