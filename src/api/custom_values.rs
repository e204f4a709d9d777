//! Issue custom field values as the API shows and takes them (conventions.md §3.4).

use std::collections::HashMap;

use crate::domain::custom_fields::{self, FieldSpec};
use crate::domain::issue_query::{self, Def};
use crate::render::{item, Body, Node};
use crate::store::custom_values::IssueFields;
use crate::store::issue_query::CustomFilter;
use crate::store::reference::CustomField;

pub use crate::api::attachment_fields::{file_values, remove_files};

/// Values by `(object id, field id)`.
pub type Values = HashMap<(i64, i64), Vec<String>>;

/// Whether the caller sees a field: visible to everyone, or to one of their roles in the
/// object's project (administrators see every field).
pub fn visible(all: &IssueFields, f: &CustomField, admin: bool, role_ids: &[i64]) -> bool {
    admin
        || f.visible
        || all
            .roles
            .get(&f.id)
            .is_some_and(|r| r.iter().any(|x| role_ids.contains(x)))
}

/// The fields of an issue the caller sees, in position order.
pub fn visible_on_issue<'a>(
    all: &'a IssueFields,
    project: i64,
    tracker: i64,
    admin: bool,
    role_ids: &[i64],
) -> Vec<&'a CustomField> {
    all.for_issue(project, tracker)
        .into_iter()
        .filter(|f| visible(all, f, admin, role_ids))
        .collect()
}

/// The `custom_fields` array of one object; empty when it has no visible field.
pub fn nodes(fields: &[&CustomField], values: &Values, object: i64) -> Vec<Node> {
    fields
        .iter()
        .map(|f| {
            let stored = values.get(&(object, f.id));
            let mut attrs = vec![("id", f.id.into()), ("name", f.name.clone().into())];
            let value = if f.multiple {
                attrs.push(("multiple", true.into()));
                let items = stored
                    .into_iter()
                    .flatten()
                    .filter(|v| !v.is_empty())
                    .map(|v| item("value", v.clone()))
                    .collect();
                Node {
                    name: "value",
                    body: Body::Array(Vec::new(), items),
                }
            } else {
                item("value", stored.and_then(|v| v.first().cloned()))
            };
            Node {
                name: "custom_field",
                body: Body::Object(attrs, vec![value]),
            }
        })
        .collect()
}

/// What `user` and `version` fields may hold in one project (`None`: not checked), and
/// the active values of `enumeration` fields.
#[derive(Default)]
pub struct Records {
    pub users: Option<Vec<String>>,
    pub versions: Option<Vec<String>>,
    pub enumerations: HashMap<i64, Vec<String>>,
}

impl Records {
    /// Loads the choices when one of the fields needs them.
    pub async fn for_project(
        app: &crate::state::App,
        fields: &[&CustomField],
        p: &crate::store::projects::Project,
    ) -> Result<Records, crate::http::ApiError> {
        let mut r = Records::default();
        if fields.iter().any(|f| f.field_format == "user") {
            r.users = Some(
                crate::store::issues::member_ids(&app.db, p.id)
                    .await?
                    .iter()
                    .map(i64::to_string)
                    .collect(),
            );
        }
        if fields.iter().any(|f| f.field_format == "version") {
            r.versions = Some(
                crate::store::versions::shared_with(&app.db, p)
                    .await?
                    .iter()
                    .map(|v| v.id.to_string())
                    .collect(),
            );
        }
        r.with_enumerations(app, fields).await
    }

    /// Loads the active values of the enumeration fields among `fields`.
    pub async fn with_enumerations(
        mut self,
        app: &crate::state::App,
        fields: &[&CustomField],
    ) -> Result<Records, crate::http::ApiError> {
        let ids: Vec<i64> = fields
            .iter()
            .filter(|f| f.field_format == "enumeration")
            .map(|f| f.id)
            .collect();
        for (field, values) in crate::store::custom_values::enumerations(&app.db, &ids).await? {
            self.enumerations.insert(
                field,
                values
                    .into_iter()
                    .filter(|(_, _, active)| *active)
                    .map(|(id, _, _)| id.to_string())
                    .collect(),
            );
        }
        for id in ids {
            self.enumerations.entry(id).or_default();
        }
        Ok(self)
    }

    fn of(&self, f: &CustomField) -> Option<&Vec<String>> {
        match f.field_format.as_str() {
            "user" => self.users.as_ref(),
            "version" => self.versions.as_ref(),
            "enumeration" => self.enumerations.get(&f.id),
            _ => None,
        }
    }
}

fn spec<'a>(f: &'a CustomField, required: bool, records: Option<Vec<String>>) -> FieldSpec<'a> {
    FieldSpec {
        records,
        name: &f.name,
        format: &f.field_format,
        multiple: f.multiple,
        required,
        regexp: &f.regexp,
        min_length: f.min_length,
        max_length: f.max_length,
        possible_values: f.possible_values.lines().collect(),
    }
}

/// What a write does to an object's custom values.
#[derive(Default)]
pub struct Outcome {
    /// Values to store, by field.
    pub values: Vec<(i64, Vec<String>)>,
    /// `('cf', field id, old, new)` journal details.
    pub details: Vec<(String, String, Option<String>, Option<String>)>,
    pub errors: Vec<String>,
    /// Files of attachment fields whose value changes: removed from the store once saved.
    pub replaced: Vec<(String, String)>,
}

/// Applies the values a client sent to the fields of an object.
///
/// `fields` are the fields applicable to the object; a field the caller may not set
/// (`settable` false: hidden from them or read-only by workflow) keeps its value. Fields
/// without a stored value get their default on creation (`old` is `None` then). Every
/// applicable field is validated, as Redmine validates the whole object on save.
pub fn apply(
    fields: &[&CustomField],
    sent: &[(i64, Vec<String>)],
    old: Option<&Values>,
    object: i64,
    settable: impl Fn(&CustomField) -> bool,
    required: impl Fn(&CustomField) -> bool,
    records: &Records,
) -> Outcome {
    let mut out = Outcome::default();
    for f in fields {
        let before = old.and_then(|o| o.get(&(object, f.id)));
        let given = sent
            .iter()
            .find(|(id, _)| *id == f.id)
            .filter(|_| settable(f))
            .map(|(_, v)| v.clone());
        let after = match (&given, before, old) {
            (Some(v), _, _) => v.clone(),
            (None, Some(b), _) => b.clone(),
            // a new object takes the default, and so does an old one saved without a value
            // for a field added since (Redmine builds the missing value with its default)
            // (without a default it has no value: Redmine shows null, not "")
            (None, None, None) => f.default_value.clone().into_iter().collect(),
            (None, None, Some(_)) => f
                .default_value
                .clone()
                .filter(|d| !d.is_empty())
                .into_iter()
                .collect(),
        };
        if given.is_some() || old.is_none() || f.is_required || required(f) {
            let checked = if after.is_empty() {
                vec![String::new()]
            } else {
                after.clone()
            };
            // a value already stored stays valid when it could no longer be chosen
            let choices = records.of(f).map(|r| {
                r.iter()
                    .chain(before.into_iter().flatten())
                    .cloned()
                    .collect()
            });
            out.errors.extend(custom_fields::validate(
                &spec(f, f.is_required || required(f), choices),
                &checked,
            ));
        }
        if given.is_none() && old.is_some() {
            if before.is_none() && !after.is_empty() {
                out.values.push((f.id, after));
            }
            continue;
        }
        if old.is_some() {
            journal(
                f,
                before.map(Vec::as_slice).unwrap_or(&[]),
                &after,
                &mut out.details,
            );
        }
        out.values.push((f.id, after));
    }
    out
}

/// Redmine journals a changed single value as one detail, and a multiple field as one
/// detail per value added or removed; blank to blank is no change.
fn journal(
    f: &CustomField,
    before: &[String],
    after: &[String],
    details: &mut Vec<(String, String, Option<String>, Option<String>)>,
) {
    let detail = |old: Option<&String>, new: Option<&String>| {
        (
            "cf".to_owned(),
            f.id.to_string(),
            old.cloned(),
            new.cloned(),
        )
    };
    if f.multiple {
        let present = |v: &String| !v.is_empty();
        for v in before.iter().filter(|v| present(v) && !after.contains(v)) {
            details.push(detail(Some(v), None));
        }
        for v in after.iter().filter(|v| present(v) && !before.contains(v)) {
            details.push(detail(None, Some(v)));
        }
        return;
    }
    let (b, a) = (before.first(), after.first());
    let blank = |v: Option<&String>| v.is_none_or(|s| s.is_empty());
    if b != a && !(blank(b) && blank(a)) {
        details.push(detail(b, a));
    }
}

/// The issue custom fields the caller may filter issues by: marked as filters, visible to
/// them somewhere, and (within a project) enabled in the project or one of its subprojects.
pub async fn filters(
    app: &crate::state::App,
    all: &IssueFields,
    chained: &IssueFields,
    scope: Option<&crate::store::projects::Project>,
    access: &[crate::store::projects::Access],
    admin: bool,
) -> crate::store::Result<(Vec<Def>, Vec<CustomFilter>)> {
    let mut defs = Vec::new();
    let mut filters = Vec::new();
    let mut subtree: Option<Vec<i64>> = None;
    for (f, for_all, _) in all.fields.iter().filter(|(f, _, _)| f.is_filter) {
        let projects = if admin || f.visible {
            None
        } else {
            match seen_in(all, f, access) {
                Some(seen) => Some(seen),
                None => continue,
            }
        };
        if let (Some(p), false) = (scope, *for_all) {
            if subtree.is_none() {
                subtree =
                    Some(crate::store::references::project_subtree(&app.db, &p.id_path).await?);
            }
            let enabled = all.projects.get(&f.id).is_some_and(|ps| {
                ps.iter()
                    .any(|x| subtree.as_ref().is_some_and(|t| t.contains(x)))
            });
            if !enabled {
                continue;
            }
        }
        let def = issue_query::custom(f.id, &f.name, &f.field_format);
        filters.push(CustomFilter {
            name: def.name.to_string(),
            field: f.id,
            projects: projects.clone(),
            holder: ("i.id", "Issue"),
            through: None,
        });
        defs.push(def);
        through_filters(f, projects, chained, admin, &mut defs, &mut filters);
    }
    Ok((defs, filters))
}

/// The filters through an issue field of format user or version (Redmine's chained custom
/// field filters): the named object's fields marked as filters that are visible (to all,
/// or to an admin), and for versions their due date and status.
fn through_filters(
    f: &CustomField,
    projects: Option<Vec<i64>>,
    chained: &IssueFields,
    admin: bool,
    defs: &mut Vec<Def>,
    filters: &mut Vec<CustomFilter>,
) {
    use crate::store::issue_query::Through;
    let (kind, customized) = match f.field_format.as_str() {
        "user" => ("UserCustomField", "Principal"),
        "version" => ("VersionCustomField", "Version"),
        _ => return,
    };
    let mut add =
        |name: String, label: String, kind_of: issue_query::Kind, field: i64, through: Through| {
            defs.push(Def {
                name: name.clone().into(),
                label: label.into(),
                kind: kind_of,
            });
            filters.push(CustomFilter {
                name,
                field,
                projects: projects.clone(),
                holder: ("i.id", "Issue"),
                through: Some(through),
            });
        };
    for (c, _, _) in chained
        .fields
        .iter()
        .filter(|(c, _, _)| c.kind == kind && (admin || c.visible))
    {
        let d = issue_query::custom(c.id, &c.name, &c.field_format);
        add(
            format!("cf_{}.cf_{}", f.id, c.id),
            format!("{}'s {}", f.name, c.name),
            d.kind,
            c.id,
            Through::Value {
                field: f.id,
                customized,
            },
        );
    }
    if f.field_format == "version" {
        add(
            format!("cf_{}.due_date", f.id),
            format!("{}'s Due date", f.name),
            issue_query::Kind::Date,
            f.id,
            Through::DueDate { field: f.id },
        );
        add(
            format!("cf_{}.status", f.id),
            format!("{}'s Status", f.name),
            issue_query::Kind::List,
            f.id,
            Through::Status { field: f.id },
        );
    }
}

/// Where a filter on a field counts values: everywhere (`Some(None)`), in the projects
/// where the caller holds one of the field's roles, or nowhere (`None`: not offered; a
/// hidden user field is for administrators only).
fn filter_scope(
    all: &IssueFields,
    f: &CustomField,
    access: &[crate::store::projects::Access],
    admin: bool,
) -> Option<Option<Vec<i64>>> {
    if admin || f.visible {
        Some(None)
    } else if f.kind == "UserCustomField" {
        None
    } else {
        seen_in(all, f, access).map(Some)
    }
}

/// The projects where the caller holds one of the roles that see a hidden field; `None`
/// when there is none.
fn seen_in(
    all: &IssueFields,
    f: &CustomField,
    access: &[crate::store::projects::Access],
) -> Option<Vec<i64>> {
    let roles = all.roles.get(&f.id).cloned().unwrap_or_default();
    let seen: Vec<i64> = access
        .iter()
        .filter(|a| a.roles.iter().any(|r| roles.contains(&r.id)))
        .map(|a| a.id)
        .collect();
    (!seen.is_empty()).then_some(seen)
}

/// The custom field filters of the time entry list: the entry's own fields (`cf_<id>`),
/// its issue's (`issue.cf_<id>`), project's and user's, each a filter field the caller sees
/// somewhere and counting only values in projects where the caller sees it (a hidden user
/// field: administrators only).
pub fn time_entry_filters(
    own: &IssueFields,
    issue: &IssueFields,
    chained: &IssueFields,
    access: &[crate::store::projects::Access],
    admin: bool,
) -> (Vec<Def>, Vec<CustomFilter>) {
    let mut defs = Vec::new();
    let mut filters = Vec::new();
    let sources = [
        (own, None, ("te.id", "TimeEntry")),
        (issue, Some(("issue", "Issue")), ("te.issue_id", "Issue")),
        (
            chained,
            Some(("project", "Project")),
            ("te.project_id", "Project"),
        ),
        (chained, Some(("user", "User")), ("te.user_id", "Principal")),
    ];
    for (all, prefix, holder) in sources {
        let kind = match prefix {
            None => "TimeEntryCustomField",
            Some((_, "Issue")) => "IssueCustomField",
            Some((_, "Project")) => "ProjectCustomField",
            Some(_) => "UserCustomField",
        };
        let fields = all
            .fields
            .iter()
            .filter(|(f, _, _)| f.is_filter && f.kind == kind);
        for (f, _, _) in fields {
            let Some(projects) = filter_scope(all, f, access, admin) else {
                continue;
            };
            let mut def = issue_query::custom(f.id, &f.name, &f.field_format);
            if let Some((prefix, owner)) = prefix {
                def.name = format!("{prefix}.cf_{}", f.id).into();
                def.label = format!("{owner}'s {}", f.name).into();
            }
            filters.push(CustomFilter {
                name: def.name.to_string(),
                field: f.id,
                projects,
                holder,
                through: None,
            });
            defs.push(def);
        }
    }
    (defs, filters)
}

/// The filters on custom fields of an issue's project, author, assignee and target version
/// (`project.cf_<id>` …): fields marked as filters that the caller sees, labelled
/// "Project's Budget", "Assignee's Phone"…
pub fn chained_filters(
    all: &IssueFields,
    access: &[crate::store::projects::Access],
    admin: bool,
) -> (Vec<Def>, Vec<CustomFilter>) {
    use crate::store::issue_query::CHAINED;
    let mut defs = Vec::new();
    let mut filters = Vec::new();
    for (kind, prefixes) in [
        ("ProjectCustomField", &["project"][..]),
        ("UserCustomField", &["author", "assigned_to"][..]),
        ("VersionCustomField", &["fixed_version"][..]),
    ] {
        for (f, _, _) in all.fields.iter().filter(|(f, _, _)| f.kind == kind) {
            let Some(projects) = filter_scope(all, f, access, admin) else {
                continue;
            };
            for prefix in prefixes {
                let Some((_, column, customized)) = CHAINED.iter().find(|(p, _, _)| p == prefix)
                else {
                    continue;
                };
                let owner = match *prefix {
                    "project" => "Project",
                    "author" => "Author",
                    "assigned_to" => "Assignee",
                    _ => "Target version",
                };
                let mut def = issue_query::custom(f.id, &f.name, &f.field_format);
                def.name = format!("{prefix}.cf_{}", f.id).into();
                def.label = format!("{owner}'s {}", f.name).into();
                filters.push(CustomFilter {
                    name: def.name.to_string(),
                    field: f.id,
                    projects: projects.clone(),
                    holder: (column, customized),
                    through: None,
                });
                defs.push(def);
            }
        }
    }
    (defs, filters)
}

/// The sort expression of `cf_<id>`: single-value fields the caller sees somewhere, by
/// value (numerically for numbers); values hidden from the caller sort as blanks.
pub fn sort_expr(
    all: &IssueFields,
    criterion: &str,
    admin: bool,
    access: &[crate::store::projects::Access],
) -> Option<String> {
    let id: i64 = criterion.strip_prefix("cf_")?.parse().ok()?;
    field_sort_expr(all, id, admin, access, ("Issue", "i.id"), "i.project_id")
}

/// The sort expression of a field of the object `holder` names (`(customized type,
/// column)`), counting values only in projects (`project_col`) where the caller sees the
/// field; none for a multiple field or one the caller sees nowhere.
pub fn field_sort_expr(
    all: &IssueFields,
    id: i64,
    admin: bool,
    access: &[crate::store::projects::Access],
    holder: (&str, &str),
    project_col: &str,
) -> Option<String> {
    let (f, _, _) = all.fields.iter().find(|(f, _, _)| f.id == id)?;
    if f.multiple {
        return None;
    }
    // hidden from some roles: only the projects where the caller holds one of its roles
    let projects = if admin || f.visible {
        None
    } else {
        Some(seen_in(all, f, access)?)
    };
    let numeric = matches!(f.field_format.as_str(), "int" | "float");
    Some(crate::store::custom_values::sort_expr(
        holder,
        id,
        numeric,
        projects.as_deref().map(|p| (project_col, p)),
    ))
}

/// The custom values of some projects or versions as the caller sees them: a field shows
/// where it is visible to all, where the caller holds one of its roles, or to an admin
/// (projects.md §2.4, versions.md §2.1).
pub struct Shown {
    fields: IssueFields,
    values: Values,
    /// The caller's roles by project, read only when a field is hidden from some roles.
    roles: HashMap<i64, Vec<i64>>,
    admin: bool,
}

impl Shown {
    /// `kind`: the fields' class (`ProjectCustomField`…); `objects`: `(id, its project)`.
    pub async fn load(
        app: &crate::state::App,
        ctx: &crate::http::Ctx,
        kind: &str,
        customized: &str,
        objects: &[(i64, i64)],
    ) -> Result<Shown, crate::http::ApiError> {
        let c = crate::api::caller(ctx);
        let mut out = Shown {
            fields: crate::store::custom_values::fields_of(&app.db, kind).await?,
            values: Values::new(),
            roles: HashMap::new(),
            admin: c.admin,
        };
        if out.fields.fields.is_empty() {
            return Ok(out);
        }
        let ids: Vec<i64> = objects.iter().map(|(id, _)| *id).collect();
        out.values = crate::store::custom_values::values_of(&app.db, customized, &ids).await?;
        if !c.admin && out.fields.fields.iter().any(|(f, _, _)| !f.visible) {
            // the caller's roles in every project at once, not one lookup per object
            let access =
                crate::store::projects::access_map(&app.db, &ctx.current.user, c.logged, c.admin)
                    .await?;
            out.roles = access
                .iter()
                .map(|a| (a.id, a.roles.iter().map(|r| r.id).collect()))
                .collect();
        }
        Ok(out)
    }

    /// The `custom_fields` of one object of `project`.
    pub fn nodes(&self, object: i64, project: i64) -> Vec<Node> {
        let rids = self.roles.get(&project).cloned().unwrap_or_default();
        object_nodes(&self.fields, &self.values, object, |f| {
            visible(&self.fields, f, self.admin, &rids)
        })
    }
}

/// The custom values of projects, users and versions: their fields all apply to every
/// object of the kind; `sees` says which ones the caller sees.
pub fn object_nodes(
    all: &IssueFields,
    values: &Values,
    object: i64,
    sees: impl Fn(&CustomField) -> bool,
) -> Vec<Node> {
    let fields: Vec<&CustomField> = all
        .fields
        .iter()
        .map(|(f, _, _)| f)
        .filter(|f| sees(f))
        .collect();
    nodes(&fields, values, object)
}

/// Applies the values sent for a project, user or version (`object`: its id, `None` on
/// creation; `customized`: its type in custom_values); fields the caller may not set keep
/// theirs.
pub async fn object_apply(
    app: &crate::state::App,
    all: &IssueFields,
    body: &serde_json::Value,
    customized: &str,
    object: Option<i64>,
    settable: impl Fn(&CustomField) -> bool,
) -> Result<Outcome, crate::http::ApiError> {
    if all.fields.is_empty() {
        return Ok(Outcome::default());
    }
    let old = match object {
        Some(id) => Some(crate::store::custom_values::values_of(&app.db, customized, &[id]).await?),
        None => None,
    };
    let fields: Vec<&CustomField> = all.fields.iter().map(|(f, _, _)| f).collect();
    let records = Records::default().with_enumerations(app, &fields).await?;
    let mut sent = custom_fields::read(body);
    let files = file_values(
        app,
        &fields,
        body,
        &mut sent,
        (customized, object),
        &settable,
    )
    .await?;
    let mut outcome = apply(
        &fields,
        &sent,
        old.as_ref(),
        object.unwrap_or(0),
        settable,
        |_| false,
        &records,
    );
    outcome.errors.extend(files.errors);
    outcome.replaced = files.replaced;
    Ok(outcome)
}
