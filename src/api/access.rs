//! The one place for who may see and do what: loading a project or an issue the caller
//! may see, the caller's roles (looked up once per request), permission checks, and the
//! visibility of projects and issues, SQL conditions included. Every resource uses this
//! module; none imports another resource's for it. The rules themselves are in
//! `domain::access` and `domain::issues`.

use crate::api::caller;
use crate::domain::access;
use crate::domain::issues::{self as rules, IssueFacts, Visibility as IssueVisibility};
use crate::domain::time_entries as time_rules;
use crate::http::{not_found, ApiError, Ctx};
use crate::state::App;
use crate::store::issue_query::IssueScope;
use crate::store::issues::{self as store, Issue};
use crate::store::projects::{self as projects, Project, Visibility};
use crate::store::reference::Role;
use crate::store::sql::Sql;
use crate::store::time_entries::Visible;

/// Which projects the caller sees in lists.
pub(crate) fn visibility(ctx: &Ctx) -> Visibility {
    let c = caller(ctx);
    if c.admin {
        Visibility::Admin
    } else if c.logged {
        Visibility::User(c.user_id)
    } else {
        Visibility::Anonymous
    }
}

/// The project named by the URL (id or identifier), or 404.
pub(crate) async fn load(app: &App, param: &str) -> Result<Project, ApiError> {
    projects::find(&app.db, param).await?.ok_or_else(not_found)
}

pub(crate) async fn roles(app: &App, ctx: &Ctx, p: &Project) -> Result<Vec<Role>, ApiError> {
    if let Some(r) = ctx.roles.lock().ok().and_then(|m| m.get(&p.id).cloned()) {
        return Ok(r);
    }
    let r = projects::roles_for(&app.db, &ctx.current.user, ctx.current.logged, p).await?;
    if let Ok(mut m) = ctx.roles.lock() {
        m.insert(p.id, r.clone());
    }
    Ok(r)
}

/// The project a list or a write is scoped to: the URL's, else a top-level `project_id`
/// (id or identifier, 404 when unknown), authorized for `perms`; none without either.
pub(crate) async fn query_project(
    app: &App,
    ctx: &Ctx,
    url_project: Option<&str>,
    perms: &[&str],
) -> Result<Option<Project>, ApiError> {
    let named = url_project
        .map(str::to_owned)
        .or_else(|| ctx.param_str("project_id"));
    let Some(named) = named else {
        return Ok(None);
    };
    let p = load(app, &named).await?;
    authorize(app, ctx, &p, perms).await?;
    Ok(Some(p))
}

/// The `authorize` filter for an action granted by any of `perms` in the project.
pub(crate) async fn authorize(
    app: &App,
    ctx: &Ctx,
    p: &Project,
    perms: &[&str],
) -> Result<(), ApiError> {
    let roles = if caller(ctx).admin {
        Vec::new()
    } else {
        roles(app, ctx, p).await?
    };
    access::authorize(&caller(ctx), perms, &p.state(), &roles).map_err(Into::into)
}

pub(crate) async fn allowed(
    app: &App,
    ctx: &Ctx,
    p: &Project,
    perms: &[&str],
) -> Result<bool, ApiError> {
    let roles = if caller(ctx).admin {
        Vec::new()
    } else {
        roles(app, ctx, p).await?
    };
    Ok(access::allowed(&caller(ctx), perms, &p.state(), &roles))
}

/// The roles the caller holds anywhere (from its access map), plus its builtin role, for
/// the global checks; the builtin role counts even where no project exists.
pub(crate) async fn roles_anywhere(
    app: &App,
    ctx: &Ctx,
    access_map: &[projects::Access],
) -> Result<Vec<Role>, ApiError> {
    let c = caller(ctx);
    let builtin = match access_map.first() {
        Some(a) => a.builtin.clone(),
        None => {
            crate::store::reference::builtin_role(&app.db, if c.logged { 1 } else { 2 }).await?
        }
    };
    // each role once: a role is the same in every project that grants it
    let mut roles: Vec<Role> = Vec::new();
    for r in access_map
        .iter()
        .flat_map(|a| a.roles.iter())
        .chain(&builtin)
    {
        if !roles.iter().any(|x| x.id == r.id) {
            roles.push(r.clone());
        }
    }
    Ok(roles)
}

/// What a caller's visibility depends on besides the database: the key of its copies.
fn caller_key(kind: &str, ctx: &Ctx) -> String {
    let c = caller(ctx);
    format!(
        "{kind}:{}:{}:{}:{:?}",
        c.user_id, c.logged, c.admin, c.scopes
    )
}

/// What `load` gives for this caller, kept with the access map it comes from.
async fn kept_for_caller<T: Clone + Send + Sync + 'static>(
    app: &App,
    ctx: &Ctx,
    kind: &str,
    load: impl std::future::Future<Output = crate::store::Result<T>>,
) -> Result<T, ApiError> {
    let v = app
        .db
        .cache
        .get(&app.db, caller_key(kind, ctx), load)
        .await?;
    Ok((*v).clone())
}

/// The issues the caller sees (in `scope` and its subprojects, or everywhere), as a
/// condition on `issues i` written against every project id (`sql::in_set`).
async fn visible_issues_in(
    app: &App,
    ctx: &Ctx,
    scope: Option<&Project>,
    access: &[projects::Access],
    me: &[i64],
) -> crate::store::Result<Sql> {
    let v = issue_scope_in(app, ctx, scope, access, me).await?;
    Ok(crate::store::issue_query::visibility_condition(&v))
}

/// `issue_scope` with every project id beside, for `sql::in_set`.
async fn issue_scope_in(
    app: &App,
    ctx: &Ctx,
    scope: Option<&Project>,
    access: &[projects::Access],
    me: &[i64],
) -> crate::store::Result<IssueScope> {
    let mut v = issue_scope(ctx, scope, access, me);
    v.universe = Some(projects::all_ids(&app.db).await?);
    Ok(v)
}

/// The issues the caller sees in every project, kept (it walks every project the caller
/// may see, on most requests).
pub(crate) async fn visible_everywhere(
    app: &App,
    ctx: &Ctx,
    access: &[projects::Access],
    me: &[i64],
) -> Result<Sql, ApiError> {
    let load = visible_issues_in(app, ctx, None, access, me);
    kept_for_caller(app, ctx, "visible_issues", load).await
}

/// The issues the caller sees in one project and its subprojects.
pub(crate) async fn visible_in(
    app: &App,
    ctx: &Ctx,
    project: &Project,
    access: &[projects::Access],
    me: &[i64],
) -> Result<Sql, ApiError> {
    Ok(visible_issues_in(app, ctx, Some(project), access, me).await?)
}

/// The caller's visible issues (in `scope` and its subprojects, or everywhere) as two
/// disjoint parts for counting (`issue_query::visibility_parts`); None for an
/// administrator. Everywhere, they are kept like `visible_everywhere`: a member's default
/// list would otherwise walk every project a second time on each request.
pub(crate) async fn visible_parts(
    app: &App,
    ctx: &Ctx,
    scope: Option<&Project>,
    access: &[projects::Access],
    me: &[i64],
) -> Result<Option<(Sql, Sql)>, ApiError> {
    let of = crate::store::issue_query::visibility_parts;
    from_scope(app, ctx, (scope, access, me), "visible_parts", of).await
}

/// The parts of the caller's visible issues that the counts tables total
/// (`issue_query::total_terms`), kept everywhere like `visible_parts`.
pub(crate) async fn total_terms(
    app: &App,
    ctx: &Ctx,
    scope: Option<&Project>,
    access: &[projects::Access],
    me: &[i64],
) -> Result<Vec<crate::store::issue_query::Term>, ApiError> {
    let of = crate::store::issue_query::total_terms;
    from_scope(app, ctx, (scope, access, me), "total_terms", of).await
}

/// What `of` draws from the caller's issue scope in `scope` (kept under `kind` when that
/// is everywhere).
async fn from_scope<T: Clone + Send + Sync + 'static>(
    app: &App,
    ctx: &Ctx,
    (scope, access, me): (Option<&Project>, &[projects::Access], &[i64]),
    kind: &str,
    of: fn(&IssueScope) -> T,
) -> Result<T, ApiError> {
    let load = async {
        let v = issue_scope_in(app, ctx, scope, access, me).await?;
        Ok(of(&v))
    };
    match scope {
        None => kept_for_caller(app, ctx, kind, load).await,
        Some(_) => Ok(load.await?),
    }
}

/// `visible_entries`, kept with the access map it comes from.
pub(crate) async fn visible_entries_kept(
    app: &App,
    ctx: &Ctx,
    access: &[projects::Access],
) -> Result<Visible, ApiError> {
    let load = async {
        let mut v = visible_entries(ctx, access);
        v.universe = Some(projects::all_ids(&app.db).await?);
        Ok(v)
    };
    kept_for_caller(app, ctx, "visible_entries", load).await
}

/// The caller's id and its groups' ids, for "mine" rules.
pub(crate) async fn me(app: &App, ctx: &Ctx) -> Result<Vec<i64>, ApiError> {
    let mut ids = vec![ctx.current.user.id];
    if ctx.current.logged {
        ids.extend(
            crate::store::users::groups_of(&app.db, ctx.current.user.id)
                .await?
                .into_iter()
                .map(|(id, _)| id),
        );
    }
    Ok(ids)
}

/// Whether the caller sees the issue (issues.md §2.1), given its roles in the project.
pub(crate) fn visible(ctx: &Ctx, p: &Project, roles: &[Role], issue: &Issue, me: &[i64]) -> bool {
    let c = caller(ctx);
    // a token without view_issues sees no issue, whatever its user's roles
    if c.in_scope(&["view_issues"]).is_empty() {
        return false;
    }
    if !access::project_allows(&p.state(), &["view_issues"]) {
        return false;
    }
    if c.admin {
        return true;
    }
    let usable = roles.iter().filter(|r| p.is_public || r.builtin == 0);
    rules::visibility_of(usable, c.logged).is_some_and(|v| {
        rules::issue_visible(
            v,
            c.logged,
            &IssueFacts {
                is_private: issue.is_private,
                author_id: issue.author_id,
                assigned_to_id: issue.assigned_to.as_ref().map(|(id, _)| *id),
                me,
            },
        )
    })
}

pub(crate) async fn load_issue(
    app: &App,
    ctx: &Ctx,
    id: &str,
) -> Result<(Issue, Project, Vec<Role>), ApiError> {
    let id: i64 = id.parse().map_err(|_| not_found())?;
    let issue = store::find(&app.db, id).await?.ok_or_else(not_found)?;
    let (p, roles) = access_to(app, ctx, &issue)
        .await?
        .ok_or_else(|| ApiError::from(caller(ctx).deny()))?;
    Ok((issue, p, roles))
}

/// The issue's project and the caller's roles there, when the caller sees the issue.
pub(crate) async fn access_to(
    app: &App,
    ctx: &Ctx,
    issue: &Issue,
) -> Result<Option<(Project, Vec<Role>)>, ApiError> {
    let Some(p) = projects::find_by_id(&app.db, issue.project_id).await? else {
        return Ok(None);
    };
    // an administrator sees every issue of a project where issues are on: neither its
    // roles nor its groups are needed for that
    let (roles, me) = if caller(ctx).admin {
        (Vec::new(), Vec::new())
    } else {
        (roles(app, ctx, &p).await?, me_for(app, ctx, issue).await?)
    };
    Ok(visible(ctx, &p, &roles, issue, &me).then_some((p, roles)))
}

/// The ids that make an issue the caller's own: the caller, and its groups when the issue
/// is assigned to someone else (which may be one of them).
pub(crate) async fn me_for(app: &App, ctx: &Ctx, issue: &Issue) -> Result<Vec<i64>, ApiError> {
    let user = ctx.current.user.id;
    if issue.assigned_to.as_ref().is_some_and(|(a, _)| *a != user) {
        me(app, ctx).await
    } else {
        Ok(vec![user])
    }
}

/// Whether the caller sees an issue.
pub(crate) async fn sees(app: &App, ctx: &Ctx, issue: &Issue) -> Result<bool, ApiError> {
    Ok(access_to(app, ctx, issue).await?.is_some())
}

/// The caller's view of issues: the projects it sees (with its roles there) and its
/// issue visibility condition, loaded together (a few statements).
pub struct Scope {
    pub access: std::sync::Arc<Vec<projects::Access>>,
    pub visible: Sql,
}

impl Scope {
    pub async fn load(app: &App, ctx: &Ctx) -> Result<Scope, ApiError> {
        let c = caller(ctx);
        let access = projects::access_map(&app.db, &ctx.current.user, c.logged, c.admin).await?;
        let me = me(app, ctx).await?;
        let visible = visible_everywhere(app, ctx, &access, &me).await?;
        Ok(Scope { access, visible })
    }

    /// Which of these issues the caller sees, in one statement.
    pub async fn visible_issues(&self, app: &App, ids: &[i64]) -> Result<Vec<i64>, ApiError> {
        Ok(crate::store::references::visible_among(&app.db, &self.visible, ids).await?)
    }
}

/// Which of these issues the caller sees (its scope, then one statement).
pub(crate) async fn visible_ids(app: &App, ctx: &Ctx, ids: &[i64]) -> Result<Vec<i64>, ApiError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Scope::load(app, ctx).await?.visible_issues(app, ids).await
}

/// The caller's issue visibility as a condition on `issues i`.
pub(crate) async fn visible_condition(app: &App, ctx: &Ctx) -> Result<Sql, ApiError> {
    Ok(Scope::load(app, ctx).await?.visible)
}

/// Projects whose issues the caller sees, grouped by how much of them (the lists become
/// a condition on `issues i` in `visibility_condition`).
fn issue_scope(
    ctx: &Ctx,
    scope: Option<&Project>,
    access: &[crate::store::projects::Access],
    me: &[i64],
) -> IssueScope {
    let c = caller(ctx);
    // a token without view_issues lists none
    let in_scope = !c.in_scope(&["view_issues"]).is_empty();
    // the projects whose issues can be listed at all
    let listable: Vec<&crate::store::projects::Access> = access
        .iter()
        .filter(|_| in_scope)
        .filter(|a| {
            let state = access::ProjectState {
                status: a.status,
                is_public: a.is_public,
                modules: &a.modules,
            };
            access::project_allows(&state, &["view_issues"])
        })
        // within the scope and its subprojects: a list of ids the planners know, where a
        // sub-select on the projects' paths left PostgreSQL guessing five projects (and
        // reading issue_counts project by project, 21 ms for the whole tree)
        .filter(|a| scope.is_none_or(|s| a.id_path.starts_with(&s.id_path)))
        .collect();
    let mut v = IssueScope {
        listable: listable.iter().map(|a| a.id).collect(),
        admin: c.admin,
        logged: c.logged,
        user: c.user_id,
        me: me.to_vec(),
        ..Default::default()
    };
    if !c.admin {
        for a in listable {
            let usable = a.roles.iter().filter(|r| a.is_public || r.builtin == 0);
            match rules::visibility_of(usable, c.logged) {
                Some(IssueVisibility::All) => v.all.push(a.id),
                Some(IssueVisibility::Default) => v.default.push(a.id),
                Some(IssueVisibility::Own) => v.own.push(a.id),
                None => {}
            }
        }
    }
    v
}

/// Which entries the caller sees, project by project, from its access map: all of a
/// project's entries through a role whose `time_entries_visibility` is `all`, its own
/// through an `own` role (time-entries.md §3.2).
pub(crate) fn visible_entries(ctx: &Ctx, access_map: &[projects::Access]) -> Visible {
    let c = caller(ctx);
    let mut v = Visible {
        user: c.user_id,
        ..Default::default()
    };
    for a in access_map {
        let state = access::ProjectState {
            status: a.status,
            is_public: a.is_public,
            modules: &a.modules,
        };
        if !access::project_allows(&state, &["view_time_entries"]) {
            continue;
        }
        if c.admin {
            v.all.push(a.id);
            continue;
        }
        let granting = a.roles.iter().filter(|r| {
            access::allowed(&c, &["view_time_entries"], &state, std::slice::from_ref(*r))
        });
        match time_rules::visibility(granting, c.logged) {
            Some(time_rules::Visibility::All) => v.all.push(a.id),
            Some(time_rules::Visibility::Own) => v.own.push(a.id),
            None => {}
        }
    }
    v
}

/// The caller's visible entries (one statement for the access map).
pub(crate) async fn visible_time_entries(app: &App, ctx: &Ctx) -> Result<Visible, ApiError> {
    let c = caller(ctx);
    let map = projects::access_map(&app.db, &ctx.current.user, c.logged, c.admin).await?;
    visible_entries_kept(app, ctx, &map).await
}

/// The projects where the caller holds `permission` (one statement for the access map).
pub(crate) async fn projects_allowing(
    app: &App,
    ctx: &Ctx,
    permission: &str,
) -> Result<Vec<i64>, ApiError> {
    let c = caller(ctx);
    let map =
        crate::store::projects::access_map(&app.db, &ctx.current.user, c.logged, c.admin).await?;
    Ok(allowing(&map, &c, permission))
}

/// The projects of an access map where the caller holds `permission`.
pub(crate) fn allowing(
    map: &[projects::Access],
    c: &crate::domain::Caller,
    permission: &str,
) -> Vec<i64> {
    map.iter()
        .filter(|a| a.allows(c, &[permission]))
        .map(|a| a.id)
        .collect()
}

/// What the caller may do with an attachment, by its container (attachments.md §10): an
/// upload not attached yet is its author's alone; an issue's follows the issue (seen and
/// `view_issues`; changed by who may edit the issue); a wiki page's follows the wiki
/// (`view_wiki_pages`; `edit_wiki_pages` and, when protected, `protect_wiki_pages` to change;
/// `delete_wiki_pages_attachments` too to delete); project and version files follow
/// `view_files`/`manage_files`, news files `view_news`/`manage_news`; a custom value's file
/// is seen with the value and changed through its object.
#[derive(Debug, Default, Clone, Copy)]
pub struct AttachmentRights {
    pub visible: bool,
    pub editable: bool,
    pub deletable: bool,
}

pub(crate) async fn attachment_rights(
    app: &App,
    ctx: &Ctx,
    a: &crate::store::attachments::Attachment,
) -> Result<AttachmentRights, ApiError> {
    let c = caller(ctx);
    let Some((kind, id)) = &a.container else {
        let own = c.logged && a.author_id == c.user_id;
        return Ok(AttachmentRights {
            visible: own,
            editable: own,
            deletable: own,
        });
    };
    match kind.as_str() {
        "Issue" => {
            let Some(issue) = store::find(&app.db, *id).await? else {
                return Ok(AttachmentRights::default());
            };
            let Some(p) = projects::find_by_id(&app.db, issue.project_id).await? else {
                return Ok(AttachmentRights::default());
            };
            let visible =
                sees(app, ctx, &issue).await? && allowed(app, ctx, &p, &["view_issues"]).await?;
            let own = c.logged && issue.author_id == c.user_id;
            let editable = visible
                && (allowed(app, ctx, &p, &["edit_issues"]).await?
                    || (own && allowed(app, ctx, &p, &["edit_own_issues"]).await?));
            Ok(AttachmentRights {
                visible,
                editable,
                deletable: editable,
            })
        }
        "WikiPage" => {
            let Some((project, protected)) =
                crate::store::wiki::project_of_page(&app.db, *id).await?
            else {
                return Ok(AttachmentRights::default());
            };
            let Some(p) = projects::find_by_id(&app.db, project).await? else {
                return Ok(AttachmentRights::default());
            };
            let visible = allowed(app, ctx, &p, &["view_wiki_pages"]).await?;
            let editable = allowed(app, ctx, &p, &["edit_wiki_pages"]).await?
                && (!protected || allowed(app, ctx, &p, &["protect_wiki_pages"]).await?);
            let deletable =
                editable && allowed(app, ctx, &p, &["delete_wiki_pages_attachments"]).await?;
            Ok(AttachmentRights {
                visible,
                editable,
                deletable,
            })
        }
        "Project" | "Version" => {
            let project = if kind == "Project" {
                Some(*id)
            } else {
                crate::store::versions::find(&app.db, *id)
                    .await?
                    .map(|v| v.project_id)
            };
            let Some(p) = project_of(app, project).await? else {
                return Ok(AttachmentRights::default());
            };
            let visible = allowed(app, ctx, &p, &["view_files"]).await?;
            let manage = allowed(app, ctx, &p, &["manage_files"]).await?;
            // a version's file is changed by who sees the version (its issues)
            let editable =
                manage && (kind == "Project" || allowed(app, ctx, &p, &["view_issues"]).await?);
            Ok(AttachmentRights {
                visible,
                editable,
                deletable: manage,
            })
        }
        "News" => {
            let project = crate::store::news::project_of(&app.db, *id).await?;
            let Some(p) = project_of(app, project).await? else {
                return Ok(AttachmentRights::default());
            };
            let manage = allowed(app, ctx, &p, &["manage_news"]).await?;
            Ok(AttachmentRights {
                visible: allowed(app, ctx, &p, &["view_news"]).await?,
                editable: manage,
                deletable: manage,
            })
        }
        // as Redmine's Document and Message: seen with the view permission, changed with
        // the edit one, removed with `delete_documents` or (a message's) `edit_messages`
        "Document" | "Message" => {
            let (project, what) = if kind == "Document" {
                let p = crate::store::documents::project_of_document(&app.db, *id).await?;
                (p, "documents")
            } else {
                let p = crate::store::documents::project_of_message(&app.db, *id).await?;
                (p, "messages")
            };
            let Some(p) = project_of(app, project).await? else {
                return Ok(AttachmentRights::default());
            };
            let visible = allowed(app, ctx, &p, &[&format!("view_{what}")]).await?;
            Ok(AttachmentRights {
                visible,
                editable: visible && allowed(app, ctx, &p, &[&format!("edit_{what}")]).await?,
                deletable: visible
                    && if kind == "Document" {
                        allowed(app, ctx, &p, &["delete_documents"]).await?
                    } else {
                        allowed(app, ctx, &p, &["edit_messages"]).await?
                    },
            })
        }
        "CustomValue" => {
            // seen with the value: the object seen and the field visible there; changed
            // through the object only
            let visible = custom_value_visible(app, ctx, *id).await?;
            Ok(AttachmentRights {
                visible,
                editable: visible && c.admin,
                deletable: visible && c.admin,
            })
        }
        _ => Ok(AttachmentRights::default()),
    }
}

/// Whether the caller sees a custom value: its object, and its field there.
async fn custom_value_visible(app: &App, ctx: &Ctx, id: i64) -> Result<bool, ApiError> {
    let c = caller(ctx);
    let Some((customized, object, field)) =
        crate::store::custom_values::owner_of(&app.db, id).await?
    else {
        return Ok(false);
    };
    // the project the field's visibility is decided in, once the object is seen, and
    // what seeing the object there takes
    let mut seen_with = "view_project";
    let project = match customized.as_str() {
        "Issue" => match store::find(&app.db, object).await? {
            Some(issue) if sees(app, ctx, &issue).await? => {
                // a value left from before its field applied elsewhere is not shown
                let applies = crate::store::custom_values::issue_fields(&app.db)
                    .await?
                    .for_issue(issue.project_id, issue.tracker_id)
                    .iter()
                    .any(|f| f.id == field);
                if !applies {
                    return Ok(false);
                }
                Some(issue.project_id)
            }
            _ => return Ok(false),
        },
        "Project" => Some(object),
        "Version" => match crate::store::versions::find(&app.db, object).await? {
            Some(v) => {
                seen_with = "view_issues";
                Some(v.project_id)
            }
            None => return Ok(false),
        },
        "TimeEntry" => match crate::store::time_entries::find(&app.db, object).await? {
            Some(e) => {
                let v = visible_time_entries(app, ctx).await?;
                let seen = v.all.contains(&e.project_id)
                    || (v.own.contains(&e.project_id) && e.user_id == c.user_id);
                if !seen {
                    return Ok(false);
                }
                Some(e.project_id)
            }
            None => return Ok(false),
        },
        "Principal" => {
            let status = crate::store::users::principal_kind(&app.db, object)
                .await?
                .map(|(_, s)| s);
            let Some(status) = status else {
                return Ok(false);
            };
            if visible_principals(app, ctx, &[(object, status)])
                .await?
                .is_empty()
            {
                return Ok(false);
            }
            None
        }
        _ => return Ok(false),
    };
    let Some(f) = crate::store::reference::custom_fields(&app.db)
        .await?
        .into_iter()
        .find(|f| f.id == field)
    else {
        return Ok(false);
    };
    if c.admin || f.visible {
        return Ok(match project {
            Some(p) => match projects::find_by_id(&app.db, p).await? {
                Some(p) => allowed(app, ctx, &p, &[seen_with]).await?,
                None => false,
            },
            None => true,
        });
    }
    let Some(p) = project else {
        return Ok(false);
    };
    let Some(p) = projects::find_by_id(&app.db, p).await? else {
        return Ok(false);
    };
    let role_ids: Vec<i64> = roles(app, ctx, &p).await?.iter().map(|r| r.id).collect();
    let field_roles = crate::store::custom_values::field_roles(&app.db, f.id).await?;
    Ok(allowed(app, ctx, &p, &[seen_with]).await?
        && field_roles.iter().any(|r| role_ids.contains(r)))
}

async fn project_of(app: &App, id: Option<i64>) -> Result<Option<Project>, ApiError> {
    Ok(match id {
        Some(id) => projects::find_by_id(&app.db, id).await?,
        None => None,
    })
}

/// Which of these principals the caller sees (Redmine's `Principal.visible`): all of them
/// for an administrator; active ones when one of its deciding roles sees all users; else
/// itself and the members of projects it sees. `status` of each principal is given.
pub(crate) async fn visible_principals(
    app: &App,
    ctx: &Ctx,
    principals: &[(i64, i64)],
) -> Result<Vec<i64>, ApiError> {
    let c = caller(ctx);
    if c.admin {
        return Ok(principals.iter().map(|(id, _)| *id).collect());
    }
    let active: Vec<i64> = principals
        .iter()
        .filter(|(_, status)| *status == crate::domain::users::STATUS_ACTIVE)
        .map(|(id, _)| *id)
        .collect();
    let sees_all = crate::store::users::users_visibilities(&app.db, c.user_id, c.logged)
        .await?
        .iter()
        .any(|v| v == "all");
    if sees_all {
        return Ok(active);
    }
    let seen: Vec<i64> = projects::access_map(&app.db, &ctx.current.user, c.logged, false)
        .await?
        .iter()
        .map(|a| a.id)
        .collect();
    let members = crate::store::users::members_among(&app.db, &active, &seen).await?;
    Ok(active
        .into_iter()
        .filter(|id| (c.logged && *id == c.user_id) || members.contains(id))
        .collect())
}
