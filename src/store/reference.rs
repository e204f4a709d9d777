//! Trackers, issue statuses, enumerations, roles and custom fields.

use super::{Db, FromRow, Result, Row};

#[derive(Debug, Clone)]
pub struct Tracker {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    pub fields_bits: i64,
    pub default_status_id: Option<i64>,
    pub default_status_name: Option<String>,
}

#[derive(Debug, Clone)]
pub struct IssueStatus {
    pub id: i64,
    pub name: String,
    pub is_closed: bool,
}

#[derive(Debug, Clone)]
pub struct Enumeration {
    pub id: i64,
    pub name: String,
    pub is_default: bool,
    pub active: bool,
}

pub use crate::domain::roles::Role;

#[derive(Debug, Clone)]
pub struct CustomField {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub field_format: String,
    pub possible_values: String,
    pub regexp: String,
    pub min_length: Option<i64>,
    pub max_length: Option<i64>,
    pub is_required: bool,
    pub is_filter: bool,
    pub searchable: bool,
    pub multiple: bool,
    pub default_value: Option<String>,
    pub visible: bool,
    /// Attachment fields: the extensions their file may have.
    pub extensions_allowed: String,
}

pub async fn trackers(db: &Db) -> Result<Vec<Tracker>> {
    db.all(
        "SELECT t.id, t.name, t.description, t.fields_bits, t.default_status_id, \
         s.name AS default_status_name \
         FROM trackers t LEFT JOIN issue_statuses s ON s.id = t.default_status_id \
         ORDER BY t.position, t.id",
        &[],
    )
    .await
}

pub async fn issue_statuses(db: &Db) -> Result<Vec<IssueStatus>> {
    db.all(
        "SELECT id, name, is_closed FROM issue_statuses ORDER BY position, id",
        &[],
    )
    .await
}

/// System-level values of one kind (`IssuePriority`…), inactive ones included.
pub async fn enumerations(db: &Db, kind: &str) -> Result<Vec<Enumeration>> {
    db.all(
        "SELECT id, name, is_default, active FROM enumerations \
         WHERE type = $1 AND project_id IS NULL ORDER BY position, id",
        &[kind.into()],
    )
    .await
}

pub const ROLE_COLUMNS: &str = "id, name, assignable, builtin, permissions, \
    issues_visibility, users_visibility, time_entries_visibility, all_roles_managed";

pub async fn roles(db: &Db) -> Result<Vec<Role>> {
    let sql = format!("SELECT {ROLE_COLUMNS} FROM roles ORDER BY builtin, position, id");
    db.all(&sql, &[]).await
}

pub async fn role(db: &Db, id: i64) -> Result<Option<Role>> {
    let sql = format!("SELECT {ROLE_COLUMNS} FROM roles WHERE id = $1");
    db.opt(&sql, &[id.into()]).await
}

pub async fn builtin_role(db: &Db, builtin: i64) -> Result<Option<Role>> {
    let load = async {
        let sql = format!("SELECT {ROLE_COLUMNS} FROM roles WHERE builtin = $1");
        db.opt::<Role>(&sql, &[builtin.into()]).await
    };
    let role = db
        .cache
        .get(db, format!("builtin_role:{builtin}"), load)
        .await?;
    Ok((*role).clone())
}

pub async fn custom_fields(db: &Db) -> Result<Vec<CustomField>> {
    db.all(
        "SELECT id, type, name, field_format, possible_values, regexp, min_length, max_length, \
         is_required, is_filter, searchable, multiple, default_value, visible, \
         extensions_allowed FROM custom_fields ORDER BY id",
        &[],
    )
    .await
}

impl FromRow for Tracker {
    fn from_row(r: &Row) -> Self {
        Tracker {
            id: r.i64("id"),
            name: r.str("name"),
            description: r.opt_str("description"),
            fields_bits: r.i64("fields_bits"),
            default_status_id: r.opt_i64("default_status_id"),
            default_status_name: r.opt_str("default_status_name"),
        }
    }
}

impl FromRow for IssueStatus {
    fn from_row(r: &Row) -> Self {
        IssueStatus {
            id: r.i64("id"),
            name: r.str("name"),
            is_closed: r.bool("is_closed"),
        }
    }
}

impl FromRow for Enumeration {
    fn from_row(r: &Row) -> Self {
        Enumeration {
            id: r.i64("id"),
            name: r.str("name"),
            is_default: r.bool("is_default"),
            active: r.bool("active"),
        }
    }
}

impl FromRow for Role {
    fn from_row(r: &Row) -> Self {
        let permissions = r.str("permissions");
        Role {
            id: r.i64("id"),
            name: r.str("name"),
            assignable: r.bool("assignable"),
            builtin: r.i64("builtin"),
            grants: crate::domain::permissions::bits(permissions.lines()),
            permissions,
            issues_visibility: r.str("issues_visibility"),
            users_visibility: r.str("users_visibility"),
            time_entries_visibility: r.str("time_entries_visibility"),
            all_roles_managed: r.bool("all_roles_managed"),
        }
    }
}

impl FromRow for CustomField {
    fn from_row(r: &Row) -> Self {
        CustomField {
            id: r.i64("id"),
            kind: r.str("type"),
            name: r.str("name"),
            field_format: r.str("field_format"),
            possible_values: r.str("possible_values"),
            regexp: r.str("regexp"),
            min_length: r.opt_i64("min_length"),
            max_length: r.opt_i64("max_length"),
            is_required: r.bool("is_required"),
            is_filter: r.bool("is_filter"),
            searchable: r.bool("searchable"),
            multiple: r.bool("multiple"),
            default_value: r.opt_str("default_value"),
            visible: r.bool("visible"),
            extensions_allowed: r.opt_str("extensions_allowed").unwrap_or_default(),
        }
    }
}
