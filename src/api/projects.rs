//! `/projects`: list, show, create, update, delete, archive/unarchive, close/reopen.

use std::collections::HashMap;

use axum::http::StatusCode;
use serde_json::{Map, Value};

use crate::api::access::{allowed, authorize, load, roles, visibility};
use crate::api::caller;
use crate::api::custom_values as cv;
use crate::domain::access::{self, STATUS_ACTIVE, STATUS_ARCHIVED, STATUS_CLOSED};
use crate::domain::permissions;
use crate::domain::projects::{self as rules, Facts, Parent};
use crate::domain::query::{self, FieldType, Filter};
use crate::domain::users::principal_name;
use crate::http::{ApiError, ApiResult, Ctx, Reply};
use crate::render::{attrs_item, document, list, object_item, page_meta, Node, Obj};
use crate::state::App;
use crate::store::projects::{self as store, ListQuery, NewProject, Project, ProjectChanges};

const FILTERS: &[(&str, FieldType)] = &[
    ("status", FieldType::List),
    ("id", FieldType::List),
    ("name", FieldType::Text),
    ("description", FieldType::Text),
    ("parent_id", FieldType::ListSubprojects),
    ("is_public", FieldType::List),
    ("created_on", FieldType::DatePast),
];

const INCLUDES: &[(&str, &str)] = &[
    ("trackers", "tracker"),
    ("issue_categories", "issue_category"),
    ("time_entry_activities", "time_entry_activity"),
    ("enabled_modules", "enabled_module"),
    ("issue_custom_fields", "custom_field"),
];

/// Which included lists each project of the page gets, loaded with one query per include.
/// `(id, name)` pairs of one include, per project id.
type ByProject = HashMap<i64, Vec<(i64, String)>>;

struct Included {
    rows: HashMap<&'static str, ByProject>,
    /// Projects whose trackers the caller may see (issue tracking on, `view_issues`).
    tracker_projects: Vec<i64>,
}

async fn included(app: &App, ctx: &Ctx, projects: &[Project]) -> Result<Included, ApiError> {
    let ids: Vec<i64> = projects.iter().map(|p| p.id).collect();
    let mut rows = HashMap::new();
    for (name, _) in INCLUDES {
        if !ctx.includes(name) {
            continue;
        }
        let mut by_project: ByProject = HashMap::new();
        if *name == "time_entry_activities" {
            for (pid, offered) in store::activities_of(&app.db, &ids).await? {
                by_project.insert(pid, offered.into_iter().map(|a| (a.id, a.name)).collect());
            }
        } else {
            for (pid, id, n) in store::include_rows(&app.db, name, &ids).await? {
                by_project.entry(pid).or_default().push((id, n));
            }
        }
        rows.insert(*name, by_project);
    }
    // issue custom fields hidden from the caller's roles in a project are not listed there
    if let Some(by_project) = rows.get_mut("issue_custom_fields") {
        let c = caller(ctx);
        if !c.admin {
            let all = crate::store::custom_values::issue_fields(&app.db).await?;
            let map = store::access_map(&app.db, &ctx.current.user, c.logged, false).await?;
            for (pid, fields) in by_project.iter_mut() {
                let rids: Vec<i64> = map
                    .iter()
                    .find(|a| a.id == *pid)
                    .map(|a| a.roles.iter().map(|r| r.id).collect())
                    .unwrap_or_default();
                fields.retain(|(id, _)| {
                    all.fields
                        .iter()
                        .find(|(f, _, _)| f.id == *id)
                        .is_some_and(|(f, _, _)| {
                            crate::api::custom_values::visible(&all, f, false, &rids)
                        })
                });
            }
        }
    }
    let mut tracker_projects = Vec::new();
    if ctx.includes("trackers") {
        // every project's roles at once: no statement per listed project
        let c = caller(ctx);
        let map = store::access_map(&app.db, &ctx.current.user, c.logged, c.admin).await?;
        for p in projects {
            let shows = store::allowed_in(&map, &c, p.id, &["view_issues"]);
            if shows {
                tracker_projects.push(p.id);
            }
        }
    }
    Ok(Included {
        rows,
        tracker_projects,
    })
}

fn render(
    p: &Project,
    show: bool,
    parent_visible: bool,
    inc: &Included,
    custom: Vec<Node>,
    ctx: &Ctx,
) -> Obj {
    let mut o = Obj::new();
    o.val("id", p.id)
        .val("name", p.name.clone())
        .val("identifier", p.identifier.clone())
        .val("description", p.description.clone());
    if show {
        o.val("homepage", p.homepage.clone());
    }
    if let (Some(id), Some(name), true) = (p.parent_id, &p.parent_name, parent_visible) {
        o.attrs(
            "parent",
            vec![("id", id.into()), ("name", name.clone().into())],
        );
    }
    o.val("status", p.status)
        .val("is_public", p.is_public)
        .val("inherit_members", p.inherit_members);
    if show {
        if let (Some(id), Some(name)) = (p.default_version_id, &p.default_version_name) {
            o.attrs(
                "default_version",
                vec![("id", id.into()), ("name", name.clone().into())],
            );
        }
        if let (Some(id), Some((kind, first, last))) =
            (p.default_assigned_to_id, &p.default_assignee)
        {
            o.attrs(
                "default_assignee",
                vec![
                    ("id", id.into()),
                    ("name", principal_name(kind, first, last).into()),
                ],
            );
        }
    }
    if !custom.is_empty() {
        o.array("custom_fields", custom);
    }
    for (name, element) in INCLUDES {
        if !ctx.includes(name) {
            continue;
        }
        let pairs: Vec<(i64, String)> = match *name {
            "trackers" if !inc.tracker_projects.contains(&p.id) => Vec::new(),
            _ => inc
                .rows
                .get(name)
                .and_then(|m| m.get(&p.id))
                .cloned()
                .unwrap_or_default(),
        };
        let items: Vec<Node> = pairs
            .into_iter()
            .map(|(id, n)| attrs_item(element, vec![("id", id.into()), ("name", n.into())]))
            .collect();
        o.array(name, items);
    }
    o.time("created_on", Some(p.created_on))
        .time("updated_on", Some(p.updated_on));
    o
}

/// Whether the caller may see the project's parent (to render `parent`).
fn parent_visible(p: &Project, ctx: &Ctx, member_of: &[i64]) -> bool {
    match (p.parent_id, p.parent_status, p.parent_is_public) {
        (Some(pid), Some(status), Some(public)) => {
            status != STATUS_ARCHIVED && (caller(ctx).admin || public || member_of.contains(&pid))
        }
        _ => false,
    }
}

async fn member_of(app: &App, ctx: &Ctx) -> Result<Vec<i64>, ApiError> {
    let c = caller(ctx);
    if c.logged && !c.admin {
        Ok(store::member_project_ids(&app.db, c.user_id).await?)
    } else {
        Ok(Vec::new())
    }
}

/// `GET /projects`: visible projects, active ones by default, in tree order.
pub async fn index(app: &App, ctx: &Ctx) -> ApiResult {
    let filters = query::parse(&ctx.params, FILTERS).unwrap_or_else(|| {
        vec![Filter {
            field: "status".into(),
            op: "=".into(),
            values: vec!["1".into()],
        }]
    });
    // an invalid filter makes Redmine drop every filter
    let filters: Vec<Filter> = if filters.iter().all(query::valid) {
        filters
    } else {
        Vec::new()
    };
    let mut order = Vec::new();
    for (col, desc) in ctx.sort_criteria() {
        let expr = match col.as_str() {
            "name" => "p.name",
            "status" => "p.status",
            "short_description" => "p.description",
            "homepage" => "p.homepage",
            "identifier" => "p.identifier",
            "parent_id" => "p.tree_path",
            "is_public" => "p.is_public",
            "created_on" => "p.created_on",
            _ => continue,
        };
        order.push(crate::store::sql::order_term(expr, desc));
    }
    let q = ListQuery {
        conditions: store::filter_sql(&filters, ctx.current.user.id, visibility(ctx)),
        order,
    };
    let (offset, limit) = ctx.offset_and_limit();
    let (total, projects) = store::list(&app.db, visibility(ctx), &q, offset, limit).await?;
    let inc = included(app, ctx, &projects).await?;
    let member_of = member_of(app, ctx).await?;
    let owners: Vec<(i64, i64)> = projects.iter().map(|p| (p.id, p.id)).collect();
    let custom = cv::Shown::load(app, ctx, "ProjectCustomField", "Project", &owners).await?;
    let items = projects
        .iter()
        .map(|p| {
            object_item(
                "project",
                render(
                    p,
                    false,
                    parent_visible(p, ctx, &member_of),
                    &inc,
                    custom.nodes(p.id, p.id),
                    ctx,
                ),
            )
        })
        .collect();
    Ok(Reply::ok(list(
        "projects",
        page_meta(total, offset, limit, ctx.nometa()),
        items,
    )))
}

async fn project_document(app: &App, ctx: &Ctx, p: &Project) -> Result<Node, ApiError> {
    let inc = included(app, ctx, std::slice::from_ref(p)).await?;
    let member_of = member_of(app, ctx).await?;
    let custom =
        cv::Shown::load(app, ctx, "ProjectCustomField", "Project", &[(p.id, p.id)]).await?;
    Ok(document(
        "project",
        render(
            p,
            true,
            parent_visible(p, ctx, &member_of),
            &inc,
            custom.nodes(p.id, p.id),
            ctx,
        ),
    ))
}

/// `GET /projects/:id`: needs `view_project` (public, so: any role in the project).
pub async fn show(app: &App, ctx: &Ctx, id: &str) -> ApiResult {
    let p = load(app, id).await?;
    authorize(app, ctx, &p, ctx.required).await?;
    Ok(Reply::ok(project_document(app, ctx, &p).await?))
}

fn project_param(ctx: &Ctx) -> Option<Value> {
    match ctx.param("project") {
        Some(v @ Value::Object(_)) => Some(v.clone()),
        Some(_) => Some(Value::Object(Map::new())),
        None => None,
    }
}

/// Whether the caller may put a project under `parent` (projects.md §6.4).
async fn parent_allowed(
    app: &App,
    ctx: &Ctx,
    parent: &Project,
    moving: Option<&Project>,
) -> Result<bool, ApiError> {
    if parent.status != STATUS_ACTIVE {
        return Ok(false);
    }
    if let Some(m) = moving {
        // not under itself or one of its descendants
        if parent.id_path.starts_with(&m.id_path) {
            return Ok(false);
        }
    }
    allowed(app, ctx, parent, &["add_subprojects"]).await
}

/// Unknown tracker or custom field ids: Rails' 404 with its small error body.
async fn check_ids(app: &App, table: &'static str, ids: &Option<Vec<i64>>) -> Result<(), ApiError> {
    if let Some(ids) = ids {
        let found = crate::store::references::existing(&app.db, table, ids).await?;
        if ids.iter().any(|id| !found.contains(id)) {
            return Err(ApiError::Framework(StatusCode::NOT_FOUND));
        }
    }
    Ok(())
}

/// `POST /projects`: `add_project` or `add_subprojects` somewhere; 201 with the project.
pub async fn create(app: &App, ctx: &Ctx) -> ApiResult {
    let c = caller(ctx);
    let anywhere = if c.admin {
        Vec::new()
    } else {
        store::roles_anywhere(&app.db, &ctx.current.user, c.logged).await?
    };
    if !access::allowed_globally(&c, &["add_project", "add_subprojects"], &anywhere) {
        return Err(c.deny().into());
    }
    let body = project_param(ctx).unwrap_or_else(|| Value::Object(Map::new()));
    let input = rules::read_input(&body, true);
    check_ids(app, "trackers", &input.tracker_ids).await?;
    check_ids(app, "custom_fields", &input.issue_custom_field_ids).await?;

    let may_add_root = access::allowed_globally(&c, &["add_project"], &anywhere);
    let mut parent_id = None;
    let mut parent_invalid = false;
    match input.parent {
        None | Some(Parent::Root) => parent_invalid = !may_add_root,
        Some(Parent::Invalid) => parent_invalid = true,
        Some(Parent::Id(pid)) => match store::find_by_id(&app.db, pid).await? {
            Some(parent) if parent_allowed(app, ctx, &parent, None).await? => parent_id = Some(pid),
            _ => parent_invalid = true,
        },
    }
    let name = input.name.clone().unwrap_or_default();
    let identifier = input.identifier.clone().unwrap_or_default();
    let homepage = input.homepage.clone().unwrap_or_default();
    let facts = Facts {
        identifier_taken: !identifier.is_empty()
            && store::identifier_taken(&app.db, &identifier).await?,
        parent_invalid,
    };
    // a new project has no roles yet: the fields visible to all (or to an admin) are set
    let fields = crate::store::custom_values::fields_of(&app.db, "ProjectCustomField").await?;
    let custom = cv::object_apply(app, &fields, &body, "Project", None, |f| {
        cv::visible(&fields, f, c.admin, &[])
    })
    .await?;
    let mut errors = custom.errors;
    errors.extend(rules::validate(
        &name,
        Some(&identifier),
        &homepage,
        matches!(input.is_public, Some(None)),
        facts,
    ));
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    // the creator's role decides whether it may choose modules
    let creator_role = if c.admin {
        None
    } else {
        crate::store::reference::roles(&app.db)
            .await?
            .into_iter()
            .find(|r| r.builtin == 0)
    };
    let may_choose_modules = c.admin
        || creator_role
            .as_ref()
            .is_some_and(|r| access::role_allows(r, &["select_project_modules"]));
    let defaults: Vec<String> = permissions::MODULES.iter().map(|m| m.to_string()).collect();
    let module_names = match (&input.module_names, may_choose_modules) {
        (Some(requested), true) => {
            let (keep, add) = rules::module_plan(&defaults, requested);
            keep.into_iter().chain(add).collect()
        }
        _ => defaults,
    };
    let tracker_ids = match &input.tracker_ids {
        Some(ids) => ids.clone(),
        None => crate::store::reference::trackers(&app.db)
            .await?
            .iter()
            .map(|t| t.id)
            .collect(),
    };
    let new = NewProject {
        name,
        identifier,
        description: input.description.clone().flatten(),
        homepage,
        is_public: input.is_public.flatten().unwrap_or(true),
        parent_id,
        inherit_members: input.inherit_members.unwrap_or(false),
        tracker_ids,
        module_names,
        issue_custom_field_ids: input.issue_custom_field_ids.clone().unwrap_or_default(),
        default_version_id: input.default_version_id.flatten(),
        default_assigned_to_id: input.default_assigned_to_id.flatten(),
        creator_membership: creator_role.map(|r| (c.user_id, r.id)),
        custom: custom.values,
    };
    let id = match store::create(&app.db, &new).await {
        Ok(id) => id,
        Err(e) if e.unique_violation().is_some() => {
            return Err(ApiError::Validation(vec![
                "Identifier has already been taken".into(),
            ]))
        }
        Err(e) => return Err(e.into()),
    };
    let p = store::find_by_id(&app.db, id)
        .await?
        .ok_or(ApiError::Internal)?;
    let doc = project_document(app, ctx, &p).await?;
    Ok(Reply::Created(
        doc,
        ctx.location(&format!("/projects/{id}")),
    ))
}

/// `PUT /projects/:id`: `edit_project`; 204 or 422.
pub async fn update(app: &App, ctx: &Ctx, id: &str) -> ApiResult {
    let p = load(app, id).await?;
    authorize(app, ctx, &p, ctx.required).await?;
    let Some(body) = project_param(ctx) else {
        return Ok(Reply::NoContent);
    };
    let c = caller(ctx);
    let input = rules::read_input(&body, false);
    check_ids(app, "trackers", &input.tracker_ids).await?;
    check_ids(app, "custom_fields", &input.issue_custom_field_ids).await?;
    let mut changes = ProjectChanges {
        name: input.name.clone(),
        description: input.description.clone(),
        homepage: input.homepage.clone(),
        is_public: input.is_public.flatten(),
        tracker_ids: input.tracker_ids.clone(),
        issue_custom_field_ids: input.issue_custom_field_ids.clone(),
        default_version_id: input.default_version_id,
        default_assigned_to_id: input.default_assigned_to_id,
        ..Default::default()
    };
    // inherit_members is taken when the current parent is visible to the caller
    if input.inherit_members.is_some() {
        let parent_ok = match p.parent_id {
            None => true,
            Some(pid) => match store::find_by_id(&app.db, pid).await? {
                Some(parent) => allowed(app, ctx, &parent, &["view_project"]).await?,
                None => true,
            },
        };
        if parent_ok {
            changes.inherit_members = input.inherit_members;
        }
    }
    if input.module_names.is_some() && allowed(app, ctx, &p, &["select_project_modules"]).await? {
        changes.module_names = input.module_names.clone();
    }
    let mut parent_invalid = false;
    let requested_parent = match input.parent {
        None => p.parent_id,
        Some(Parent::Root) => None,
        Some(Parent::Id(pid)) => Some(pid),
        Some(Parent::Invalid) => {
            parent_invalid = true;
            p.parent_id
        }
    };
    if !parent_invalid && requested_parent != p.parent_id {
        match requested_parent {
            None => {
                let anywhere = if c.admin {
                    Vec::new()
                } else {
                    store::roles_anywhere(&app.db, &ctx.current.user, c.logged).await?
                };
                if access::allowed_globally(&c, &["add_project"], &anywhere) {
                    changes.parent_id = Some(None);
                } else {
                    parent_invalid = true;
                }
            }
            Some(pid) => match store::find_by_id(&app.db, pid).await? {
                Some(parent) if parent_allowed(app, ctx, &parent, Some(&p)).await? => {
                    changes.parent_id = Some(Some(pid))
                }
                _ => parent_invalid = true,
            },
        }
    }
    let name = changes.name.clone().unwrap_or_else(|| p.name.clone());
    let homepage = changes
        .homepage
        .clone()
        .unwrap_or_else(|| p.homepage.clone());
    let fields = crate::store::custom_values::fields_of(&app.db, "ProjectCustomField").await?;
    let custom = if fields.fields.is_empty() {
        cv::Outcome::default()
    } else {
        let rids: Vec<i64> = if c.admin {
            Vec::new()
        } else {
            roles(app, ctx, &p).await?.iter().map(|r| r.id).collect()
        };
        cv::object_apply(app, &fields, &body, "Project", Some(p.id), |f| {
            cv::visible(&fields, f, c.admin, &rids)
        })
        .await?
    };
    let mut errors = custom.errors;
    errors.extend(rules::validate(
        &name,
        None,
        &homepage,
        matches!(input.is_public, Some(None)),
        Facts {
            identifier_taken: false,
            parent_invalid,
        },
    ));
    // the default version must be one the project uses (else any editor could read any
    // version's name through it); Redmine stores any id
    if let Some(Some(v)) = changes.default_version_id {
        let shared = crate::store::versions::shared_with(&app.db, &p).await?;
        if !shared.iter().any(|x| x.id == v) {
            errors.push("Default version is not included in the list".into());
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    changes.custom = custom.values;
    store::update(&app.db, &p, &changes).await?;
    cv::remove_files(app, &custom.replaced).await;
    // a project moved in the tree: issues lose versions no longer shared with them
    if changes.parent_id.is_some_and(|np| np != p.parent_id) {
        if let Some(moved) = store::find_by_id(&app.db, p.id).await? {
            for v in crate::store::versions::crossing_subtree(&app.db, &moved.id_path).await? {
                crate::store::versions::detach_unshared(&app.db, &v, ctx.current.user.id).await?;
            }
        }
    }
    Ok(Reply::NoContent)
}

/// `DELETE /projects/:id`: admins, or `delete_project` on a project without subprojects.
pub async fn destroy(app: &App, ctx: &Ctx, id: &str) -> ApiResult {
    let p = load(app, id).await?;
    let c = caller(ctx);
    let deletable = c.admin
        || (allowed(app, ctx, &p, &["delete_project"]).await?
            && !store::has_children(&app.db, p.id).await?);
    if !deletable {
        return Err(c.deny().into());
    }
    for (dir, name) in store::delete_subtree(&app.db, &p).await? {
        app.files.delete(&dir, &name).await;
    }
    Ok(Reply::NoContent)
}

/// `archive`, `unarchive` (admins), `close`, `reopen` (`close_project`).
pub async fn status_action(app: &App, ctx: &Ctx, id: &str, action: &str) -> ApiResult {
    let p = load(app, id).await?;
    let c = caller(ctx);
    match action {
        "archive" | "unarchive" => c.require_admin().map_err(ApiError::from)?,
        _ => authorize(app, ctx, &p, ctx.required).await?,
    }
    match action {
        // a version of the subtree still used by an issue outside it keeps it alive
        "archive" if store::versions_used_outside(&app.db, &p).await? => {
            return Err(ApiError::Validation(vec![
                "This project cannot be archived".into(),
            ]));
        }
        "archive" => {
            store::set_status_subtree(
                &app.db,
                &p,
                &[STATUS_ACTIVE, STATUS_CLOSED],
                STATUS_ARCHIVED,
            )
            .await?
        }
        "unarchive" if p.status != STATUS_ACTIVE => store::unarchive(&app.db, &p).await?,
        "close" => store::set_status_subtree(&app.db, &p, &[STATUS_ACTIVE], STATUS_CLOSED).await?,
        "reopen" => store::set_status_subtree(&app.db, &p, &[STATUS_CLOSED], STATUS_ACTIVE).await?,
        _ => {}
    }
    Ok(Reply::NoContent)
}

/// The routes of this resource, each with its guard.
pub fn routes() -> Vec<crate::api::Route> {
    use crate::api::route;
    use crate::http::pipeline::Guard::*;
    vec![
        route(&["GET"], "/projects", Anyone, |a, c, _| {
            Box::pin(index(a, c))
        }),
        route(
            &["POST"],
            "/projects",
            Permission(&["add_project", "add_subprojects"]),
            |a, c, _| Box::pin(create(a, c)),
        ),
        route(
            &["GET"],
            "/projects/{id}",
            Permission(&["view_project"]),
            |a, c, p| Box::pin(show(a, c, &p[0])),
        ),
        route(
            &["PUT", "PATCH"],
            "/projects/{id}",
            Permission(&["edit_project"]),
            |a, c, p| Box::pin(update(a, c, &p[0])),
        ),
        route(
            &["DELETE"],
            "/projects/{id}",
            Permission(&["delete_project"]),
            |a, c, p| Box::pin(destroy(a, c, &p[0])),
        ),
        route(
            &["PUT", "POST"],
            "/projects/{id}/archive",
            AdminAfterLookup,
            |a, c, p| Box::pin(status_action(a, c, &p[0], "archive")),
        ),
        route(
            &["PUT", "POST"],
            "/projects/{id}/unarchive",
            AdminAfterLookup,
            |a, c, p| Box::pin(status_action(a, c, &p[0], "unarchive")),
        ),
        route(
            &["PUT", "POST"],
            "/projects/{id}/close",
            Permission(&["close_project"]),
            |a, c, p| Box::pin(status_action(a, c, &p[0], "close")),
        ),
        route(
            &["PUT", "POST"],
            "/projects/{id}/reopen",
            Permission(&["close_project"]),
            |a, c, p| Box::pin(status_action(a, c, &p[0], "reopen")),
        ),
    ]
}
