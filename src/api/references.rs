//! What an answer may name. Of the issues, projects, versions and categories an issue's
//! references point to (its parent, its subtasks, the old and new values of its journal
//! details), only those the caller sees appear: a hidden object is left out as if it did
//! not exist. Redmine 5.0.4 shows them; see the README's compatibility notes.

use std::collections::HashSet;

use crate::api::caller;
use crate::app::App;
use crate::http::{ApiError, Ctx};
use crate::store::projects::{self, Access};
use crate::store::references as store;
use crate::store::sql::Sql;

/// The caller's view of issues: the projects it sees and its issue visibility condition.
pub struct Scope {
    pub access: Vec<Access>,
    pub visible: Sql,
}

impl Scope {
    pub async fn load(app: &App, ctx: &Ctx) -> Result<Scope, ApiError> {
        let c = caller(ctx);
        let access = projects::access_map(&app.db, &ctx.current.user, c.logged, c.admin).await?;
        let visible = super::issues::visible_condition_in(app, ctx, &access).await?;
        Ok(Scope { access, visible })
    }

    /// Which of these issues the caller sees, in one statement.
    pub async fn visible_issues(&self, app: &App, ids: &[i64]) -> Result<Vec<i64>, ApiError> {
        Ok(store::visible_among(&app.db, &self.visible, ids).await?)
    }
}

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

/// The objects a set of journal details names, and which of them the caller sees.
#[derive(Default)]
pub struct Seen {
    issues: HashSet<i64>,
    projects: HashSet<i64>,
    versions: HashSet<i64>,
    categories: HashSet<i64>,
}

type Detail = (String, String, Option<String>, Option<String>);

impl Seen {
    /// Looks up what the caller sees among the objects `details` name (one statement per
    /// kind present).
    pub async fn of_details<'a>(
        app: &App,
        scope: &Scope,
        details: impl Iterator<Item = &'a Detail>,
    ) -> Result<Seen, ApiError> {
        let (mut issues, mut versions, mut categories) = (Vec::new(), Vec::new(), Vec::new());
        for (prop, name, old, new) in details {
            let Some(kind) = kind_of(prop, name) else {
                continue;
            };
            for id in [old, new]
                .into_iter()
                .flatten()
                .filter_map(|v| v.parse::<i64>().ok())
            {
                match kind {
                    "issue" => issues.push(id),
                    "version" => versions.push(id),
                    "category" => categories.push(id),
                    _ => {}
                }
            }
        }
        let projects: HashSet<i64> = scope.access.iter().map(|a| a.id).collect();
        let mut seen = Seen {
            issues: scope
                .visible_issues(app, &issues)
                .await?
                .into_iter()
                .collect(),
            ..Seen::default()
        };
        for (kind, id, project) in store::owners_of(&app.db, &versions, &categories).await? {
            if projects.contains(&project) {
                match kind {
                    "version" => seen.versions.insert(id),
                    _ => seen.categories.insert(id),
                };
            }
        }
        seen.projects = projects;
        Ok(seen)
    }

    /// Whether a detail may be shown: each value it names is an object the caller sees.
    pub fn shows(&self, detail: &Detail) -> bool {
        let (prop, name, old, new) = detail;
        let Some(kind) = kind_of(prop, name) else {
            return true;
        };
        let set = match kind {
            "issue" => &self.issues,
            "project" => &self.projects,
            "version" => &self.versions,
            _ => &self.categories,
        };
        [old, new]
            .into_iter()
            .flatten()
            .filter(|v| !v.is_empty())
            .all(|v| v.parse::<i64>().is_ok_and(|id| set.contains(&id)))
    }
}
