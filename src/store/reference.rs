//! Trackers, issue statuses, enumerations, roles and custom fields.

use super::{Db, Result};
use crate::on_db;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Tracker {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    pub fields_bits: i64,
    pub default_status_id: Option<i64>,
    pub default_status_name: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IssueStatus {
    pub id: i64,
    pub name: String,
    pub is_closed: bool,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Enumeration {
    pub id: i64,
    pub name: String,
    pub is_default: bool,
    pub active: bool,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Role {
    pub id: i64,
    pub name: String,
    pub assignable: bool,
    pub builtin: i64,
    pub permissions: String,
    pub issues_visibility: String,
    pub users_visibility: String,
    pub time_entries_visibility: String,
}

impl Role {
    pub fn permission_names(&self) -> impl Iterator<Item = &str> {
        self.permissions.lines().filter(|l| !l.is_empty())
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CustomField {
    pub id: i64,
    #[sqlx(rename = "type")]
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
}

pub async fn trackers(db: &Db) -> Result<Vec<Tracker>> {
    on_db!(db, pool => sqlx::query_as(
        "SELECT t.id, t.name, t.description, t.fields_bits, t.default_status_id, \
         s.name AS default_status_name \
         FROM trackers t LEFT JOIN issue_statuses s ON s.id = t.default_status_id \
         ORDER BY t.position, t.id",
    )
    .fetch_all(pool)
    .await)
}

pub async fn issue_statuses(db: &Db) -> Result<Vec<IssueStatus>> {
    on_db!(db, pool => sqlx::query_as(
        "SELECT id, name, is_closed FROM issue_statuses ORDER BY position, id",
    )
    .fetch_all(pool)
    .await)
}

/// System-level values of one kind (`IssuePriority`…), inactive ones included.
pub async fn enumerations(db: &Db, kind: &str) -> Result<Vec<Enumeration>> {
    on_db!(db, pool => sqlx::query_as(
        "SELECT id, name, is_default, active FROM enumerations \
         WHERE type = $1 AND project_id IS NULL ORDER BY position, id",
    )
    .bind(kind)
    .fetch_all(pool)
    .await)
}

const ROLE_COLUMNS: &str = "id, name, assignable, builtin, permissions, \
    issues_visibility, users_visibility, time_entries_visibility";

pub async fn roles(db: &Db) -> Result<Vec<Role>> {
    let sql = format!("SELECT {ROLE_COLUMNS} FROM roles ORDER BY builtin, position, id");
    on_db!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await)
}

pub async fn role(db: &Db, id: i64) -> Result<Option<Role>> {
    let sql = format!("SELECT {ROLE_COLUMNS} FROM roles WHERE id = $1");
    on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)
}

pub async fn builtin_role(db: &Db, builtin: i64) -> Result<Option<Role>> {
    let sql = format!("SELECT {ROLE_COLUMNS} FROM roles WHERE builtin = $1");
    on_db!(db, pool => sqlx::query_as(&sql).bind(builtin).fetch_optional(pool).await)
}

pub async fn custom_fields(db: &Db) -> Result<Vec<CustomField>> {
    on_db!(db, pool => sqlx::query_as(
        "SELECT id, type, name, field_format, possible_values, regexp, min_length, max_length, \
         is_required, is_filter, searchable, multiple, default_value, visible \
         FROM custom_fields ORDER BY id",
    )
    .fetch_all(pool)
    .await)
}
