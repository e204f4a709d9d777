//! Redmine's permission catalogue (5.0.4, declaration order), grouped by project module.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Permission {
    pub name: &'static str,
    pub module: Option<&'static str>,
    /// Every role has it implicitly; never stored in a role.
    pub public: bool,
    /// Stays allowed on closed projects.
    pub read: bool,
    /// Cannot be given to the Non member or Anonymous roles.
    pub member_only: bool,
    /// Cannot be given to the Anonymous role.
    pub loggedin_only: bool,
}

const fn p(name: &'static str, module: Option<&'static str>, flags: &'static str) -> Permission {
    let b = flags.as_bytes();
    let mut public = false;
    let mut read = false;
    let mut member_only = false;
    let mut loggedin_only = false;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'P' => public = true,
            b'R' => read = true,
            b'M' => {
                member_only = true;
                loggedin_only = true
            }
            b'L' => loggedin_only = true,
            _ => {}
        }
        i += 1;
    }
    Permission {
        name,
        module,
        public,
        read,
        member_only,
        loggedin_only,
    }
}

const IT: Option<&str> = Some("issue_tracking");
const TT: Option<&str> = Some("time_tracking");

pub const CATALOGUE: &[Permission] = &[
    p("view_project", None, "PR"),
    p("search_project", None, "PR"),
    p("add_project", None, "L"),
    p("edit_project", None, "M"),
    p("close_project", None, "MR"),
    p("delete_project", None, "MR"),
    p("select_project_modules", None, "M"),
    p("view_members", None, "PR"),
    p("manage_members", None, "M"),
    p("manage_versions", None, "M"),
    p("add_subprojects", None, "M"),
    p("manage_public_queries", None, "M"),
    p("save_queries", None, "L"),
    p("view_issues", IT, "R"),
    p("add_issues", IT, ""),
    p("edit_issues", IT, ""),
    p("edit_own_issues", IT, ""),
    p("copy_issues", IT, ""),
    p("manage_issue_relations", IT, ""),
    p("manage_subtasks", IT, ""),
    p("set_issues_private", IT, ""),
    p("set_own_issues_private", IT, "L"),
    p("add_issue_notes", IT, ""),
    p("edit_issue_notes", IT, "L"),
    p("edit_own_issue_notes", IT, "L"),
    p("view_private_notes", IT, "RM"),
    p("set_notes_private", IT, "M"),
    p("delete_issues", IT, "M"),
    p("view_issue_watchers", IT, "R"),
    p("add_issue_watchers", IT, ""),
    p("delete_issue_watchers", IT, ""),
    p("import_issues", IT, ""),
    p("manage_categories", IT, "M"),
    p("view_time_entries", TT, "R"),
    p("log_time", TT, "L"),
    p("edit_time_entries", TT, "M"),
    p("edit_own_time_entries", TT, "L"),
    p("manage_project_activities", TT, "M"),
    p("log_time_for_other_users", TT, ""),
    p("import_time_entries", TT, ""),
    p("view_news", Some("news"), "R"),
    p("manage_news", Some("news"), "M"),
    p("comment_news", Some("news"), ""),
    p("view_documents", Some("documents"), "R"),
    p("add_documents", Some("documents"), "L"),
    p("edit_documents", Some("documents"), "L"),
    p("delete_documents", Some("documents"), "L"),
    p("view_files", Some("files"), "R"),
    p("manage_files", Some("files"), "L"),
    p("view_wiki_pages", Some("wiki"), "R"),
    p("view_wiki_edits", Some("wiki"), "R"),
    p("export_wiki_pages", Some("wiki"), "R"),
    p("edit_wiki_pages", Some("wiki"), ""),
    p("rename_wiki_pages", Some("wiki"), "M"),
    p("delete_wiki_pages", Some("wiki"), "M"),
    p("delete_wiki_pages_attachments", Some("wiki"), ""),
    p("view_wiki_page_watchers", Some("wiki"), "R"),
    p("add_wiki_page_watchers", Some("wiki"), ""),
    p("delete_wiki_page_watchers", Some("wiki"), ""),
    p("protect_wiki_pages", Some("wiki"), "M"),
    p("manage_wiki", Some("wiki"), "M"),
    p("view_changesets", Some("repository"), "R"),
    p("browse_repository", Some("repository"), "R"),
    p("commit_access", Some("repository"), ""),
    p("manage_related_issues", Some("repository"), ""),
    p("manage_repository", Some("repository"), "M"),
    p("view_messages", Some("boards"), "R"),
    p("add_messages", Some("boards"), ""),
    p("edit_messages", Some("boards"), "M"),
    p("edit_own_messages", Some("boards"), "L"),
    p("delete_messages", Some("boards"), "M"),
    p("delete_own_messages", Some("boards"), "L"),
    p("view_message_watchers", Some("boards"), "R"),
    p("add_message_watchers", Some("boards"), ""),
    p("delete_message_watchers", Some("boards"), ""),
    p("manage_boards", Some("boards"), "M"),
    p("view_calendar", Some("calendar"), "R"),
    p("view_gantt", Some("gantt"), "R"),
];

/// The project modules, in Redmine's default order (the order new projects get them).
pub const MODULES: &[&str] = &[
    "issue_tracking",
    "time_tracking",
    "news",
    "documents",
    "files",
    "wiki",
    "repository",
    "boards",
    "calendar",
    "gantt",
];

/// A permission's place in the catalogue, by name. Lists check a permission for each of
/// a thousand projects and their roles: a walk of the catalogue comparing names each time
/// was a tenth of a list's time.
fn position(name: &str) -> Option<usize> {
    static PLACES: std::sync::OnceLock<std::collections::HashMap<&'static str, usize>> =
        std::sync::OnceLock::new();
    PLACES
        .get_or_init(|| {
            CATALOGUE
                .iter()
                .enumerate()
                .map(|(i, p)| (p.name, i))
                .collect()
        })
        .get(name)
        .copied()
}

/// Permissions as a set: a bit per permission of the catalogue, which has fewer than 128
/// (OAuth scopes, and the permissions of a role), so that sets stay plain copyable values.
pub fn bits<S: AsRef<str>>(names: impl IntoIterator<Item = S>) -> u128 {
    names
        .into_iter()
        .filter_map(|s| position(s.as_ref()))
        .fold(0, |bits, i| bits | (1u128 << i))
}

/// OAuth scopes as a set of permissions.
pub fn scope_bits<S: AsRef<str>>(scopes: &[S]) -> u128 {
    bits(scopes)
}

/// Whether a permission is within a set.
pub fn in_scope(bits: u128, name: &str) -> bool {
    position(name).is_some_and(|i| bits & (1u128 << i) != 0)
}

pub fn find(name: &str) -> Option<&'static Permission> {
    position(name).map(|i| &CATALOGUE[i])
}

/// What a role of this builtin kind may be given: all but the public permissions, minus
/// member-only ones for Non member, minus logged-in-only ones for Anonymous.
pub fn setable(builtin: i64) -> impl Iterator<Item = &'static Permission> {
    CATALOGUE.iter().filter(move |p| {
        !p.public
            && match builtin {
                1 => !p.member_only,
                2 => !p.loggedin_only,
                _ => true,
            }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manager_gets_every_setable_permission() {
        assert_eq!(CATALOGUE.len(), 78);
        assert_eq!(setable(0).count(), 75);
        assert!(find("view_project").unwrap().public);
        assert!(find("close_project").unwrap().read);
        assert!(setable(2).all(|p| p.name != "log_time"));
        assert!(setable(1).all(|p| p.name != "delete_issues"));
    }
}
