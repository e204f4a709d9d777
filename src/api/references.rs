//! What an answer may name. Of the issues, projects, versions and categories an issue's
//! references point to (its parent, its subtasks, the old and new values of its journal
//! details), only those the caller sees appear: a hidden object is left out as if it did
//! not exist. Redmine 5.0.4 shows them; see the README's compatibility notes.

use std::collections::HashSet;

use crate::api::access::Scope;
use crate::http::ApiError;
use crate::state::App;
use crate::store::references as store;

/// Journal details whose values name an object: `(property, name)` → kind.
fn kind_of(property: &str, name: &str) -> Option<&'static str> {
    match (property, name) {
        ("relation", _) | ("attr", "parent_id" | "child_id") => Some("issue"),
        ("attr", "project_id") => Some("project"),
        ("attr", "fixed_version_id") => Some("version"),
        ("attr", "category_id") => Some("category"),
        _ => None,
    }
}

/// Whether a journal detail's values name an issue, project, version or category.
pub fn names_object(detail: &Detail) -> bool {
    kind_of(&detail.0, &detail.1).is_some()
}

/// The objects a set of journal details names that exist and are hidden from the caller.
/// An object deleted since is named as Redmine names it, except through a relation
/// (Redmine shows a relation only to an issue the caller sees).
#[derive(Default)]
pub struct Seen {
    hidden: HashSet<(&'static str, i64)>,
    visible_issues: HashSet<i64>,
}

type Detail = (String, String, Option<String>, Option<String>);

fn ids_of(detail: &Detail) -> impl Iterator<Item = i64> + '_ {
    [&detail.2, &detail.3]
        .into_iter()
        .flatten()
        .filter_map(|v| v.parse::<i64>().ok())
}

impl Seen {
    /// Looks up what is hidden among the objects `details` name (a few statements per
    /// kind present, whatever the number of details).
    pub async fn of_details<'a>(
        app: &App,
        scope: &Scope,
        details: impl Iterator<Item = &'a Detail>,
    ) -> Result<Seen, ApiError> {
        let mut named: Vec<(&'static str, i64)> = Vec::new();
        for d in details {
            if let Some(kind) = kind_of(&d.0, &d.1) {
                named.extend(ids_of(d).map(|id| (kind, id)));
            }
        }
        let of = |k: &str| -> Vec<i64> {
            named
                .iter()
                .filter(|(kind, _)| *kind == k)
                .map(|(_, id)| *id)
                .collect()
        };
        let issues = of("issue");
        let mut seen = Seen {
            hidden: HashSet::new(),
            visible_issues: HashSet::new(),
        };
        // one statement: which exist, and which of those the caller sees (one deleted
        // since stays named)
        for (id, visible) in store::issues_seen(&app.db, &scope.visible, &issues).await? {
            if visible {
                seen.visible_issues.insert(id);
            } else {
                seen.hidden.insert(("issue", id));
            }
        }
        let projects: HashSet<i64> = scope.access.iter().map(|a| a.id).collect();
        for id in store::existing(&app.db, "projects", &of("project")).await? {
            if !projects.contains(&id) {
                seen.hidden.insert(("project", id));
            }
        }
        for (kind, id, project) in
            store::owners_of(&app.db, &of("version"), &of("category")).await?
        {
            if !projects.contains(&project) {
                seen.hidden.insert((kind, id));
            }
        }
        Ok(seen)
    }

    /// Whether a detail may be shown: no value names a hidden object.
    pub fn shows(&self, detail: &Detail) -> bool {
        let Some(kind) = kind_of(&detail.0, &detail.1) else {
            return true;
        };
        if detail.0 == "relation" {
            return ids_of(detail).all(|id| self.visible_issues.contains(&id));
        }
        ids_of(detail).all(|id| !self.hidden.contains(&(kind, id)))
    }
}
