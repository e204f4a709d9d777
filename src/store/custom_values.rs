//! Custom fields of issues and the values objects hold.

use std::collections::HashMap;

use super::reference::CustomField;
use super::sql::{in_list, Sql};
use super::{Db, Result, Tx};

/// Every issue custom field with where it applies: `(field, tracker ids, project ids,
/// is_for_all, role ids)`, by position.
#[derive(Clone)]
pub struct IssueFields {
    pub fields: Vec<(CustomField, bool, i64)>,
    pub trackers: HashMap<i64, Vec<i64>>,
    pub projects: HashMap<i64, Vec<i64>>,
    pub roles: HashMap<i64, Vec<i64>>,
}

impl IssueFields {
    /// Fields of an issue in this project and tracker, in position order.
    pub fn for_issue(&self, project: i64, tracker: i64) -> Vec<&CustomField> {
        self.fields
            .iter()
            .filter(|(f, for_all, _)| {
                self.trackers
                    .get(&f.id)
                    .is_some_and(|t| t.contains(&tracker))
                    && (*for_all
                        || self
                            .projects
                            .get(&f.id)
                            .is_some_and(|p| p.contains(&project)))
            })
            .map(|(f, _, _)| f)
            .collect()
    }
}

pub async fn issue_fields(db: &Db) -> Result<IssueFields> {
    fields_of(db, "IssueCustomField").await
}

const FIELD_COLUMNS: &str = "SELECT id, type, name, field_format, possible_values, regexp, \
    min_length, max_length, is_required, is_filter, searchable, multiple, default_value, \
    visible, extensions_allowed, is_for_all, position FROM custom_fields";

async fn field_rows(
    db: &Db,
    condition: &str,
    args: &[super::Arg],
) -> Result<Vec<(CustomField, bool, i64)>> {
    Ok(db
        .rows(
            &format!("{FIELD_COLUMNS} WHERE {condition} ORDER BY position, id"),
            args,
        )
        .await?
        .iter()
        .map(|r| {
            (
                <CustomField as super::FromRow>::from_row(r),
                r.bool("is_for_all"),
                r.i64("position"),
            )
        })
        .collect())
}

/// Completes fields with where they apply (trackers and projects, for issue fields) and
/// the roles that see them; no statement when there is no field.
async fn with_links(
    db: &Db,
    fields: Vec<(CustomField, bool, i64)>,
    issue: bool,
) -> Result<IssueFields> {
    let mut out = IssueFields {
        fields,
        trackers: HashMap::new(),
        projects: HashMap::new(),
        roles: HashMap::new(),
    };
    if out.fields.is_empty() {
        // most trackers run without custom fields: no further statements then
        return Ok(out);
    }
    let link = |sql: &'static str| async move {
        let mut map: HashMap<i64, Vec<i64>> = HashMap::new();
        for r in db.rows(sql, &[]).await? {
            map.entry(r.i64("cf")).or_default().push(r.i64("other"));
        }
        Ok::<_, super::Error>(map)
    };
    if issue {
        out.trackers =
            link("SELECT custom_field_id AS cf, tracker_id AS other FROM custom_fields_trackers")
                .await?;
        out.projects =
            link("SELECT custom_field_id AS cf, project_id AS other FROM custom_fields_projects")
                .await?;
    }
    if issue || out.fields.iter().any(|(f, _, _)| !f.visible) {
        out.roles =
            link("SELECT custom_field_id AS cf, role_id AS other FROM custom_fields_roles").await?;
    }
    Ok(out)
}

/// The custom fields of one kind of object (`IssueCustomField`, `ProjectCustomField`,
/// `UserCustomField`, `VersionCustomField`) with the roles that see them; issue fields also
/// with their trackers and projects.
pub async fn fields_of(db: &Db, kind: &str) -> Result<IssueFields> {
    let load = async {
        let fields = field_rows(db, "type = $1", &[kind.into()]).await?;
        with_links(db, fields, kind == "IssueCustomField").await
    };
    let fields = db.cache.get(db, format!("fields_of:{kind}"), load).await?;
    Ok((*fields).clone())
}

/// For issue lists, in one statement: the issue fields, and the fields of projects, users
/// and versions marked as filters (chained filters).
pub async fn issue_and_chained_fields(db: &Db) -> Result<(IssueFields, IssueFields)> {
    let both = db
        .cache
        .get(db, "issue_and_chained_fields".into(), issue_and_chained(db))
        .await?;
    Ok((*both).clone())
}

async fn issue_and_chained(db: &Db) -> Result<(IssueFields, IssueFields)> {
    let (issue, chained): (Vec<_>, Vec<_>) = field_rows(
        db,
        "type = 'IssueCustomField' OR (is_filter = TRUE \
         AND type IN ('ProjectCustomField', 'UserCustomField', 'VersionCustomField'))",
        &[],
    )
    .await?
    .into_iter()
    .partition(|(f, _, _)| f.kind == "IssueCustomField");
    Ok((
        with_links(db, issue, true).await?,
        with_links(db, chained, false).await?,
    ))
}

/// `(object id, field id) → values` for several objects, in value order.
pub async fn values_of(
    db: &Db,
    kind: &str,
    ids: &[i64],
) -> Result<HashMap<(i64, i64), Vec<String>>> {
    let mut out: HashMap<(i64, i64), Vec<String>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let mut sql = Sql::new(
        "SELECT customized_id, custom_field_id, value FROM custom_values WHERE customized_type = ",
    );
    sql.bind(kind).push(" AND ");
    super::issue_query::in_list(&mut sql, "customized_id", ids);
    sql.push(" ORDER BY id");
    for r in db.rows(&sql.text, &sql.args).await? {
        out.entry((r.i64("customized_id"), r.i64("custom_field_id")))
            .or_default()
            .push(r.str("value"));
    }
    Ok(out)
}

/// The values of one object, by field (what a copy of it starts from).
pub async fn of_one(db: &Db, kind: &str, id: i64) -> Result<Vec<(i64, Vec<String>)>> {
    Ok(values_of(db, kind, &[id])
        .await?
        .into_iter()
        .map(|((_, field), v)| (field, v))
        .collect())
}

/// Replaces the values of the given fields of one object. A single value is changed in
/// place, so that the row keeps its id: the file of an attachment field has the row as
/// its container. That file is linked here, and the one it replaces deleted (the caller
/// removes its bytes from the store, having read them before the write).
pub async fn set(
    tx: &mut Tx<'_>,
    kind: &str,
    id: i64,
    values: &[(i64, Vec<String>)],
) -> Result<()> {
    if values.is_empty() {
        return Ok(());
    }
    // the object's rows and which of the fields hold files, in two statements
    let rows: Vec<(i64, i64)> = tx
        .rows(
            "SELECT id, custom_field_id FROM custom_values \
             WHERE customized_type = $1 AND customized_id = $2 ORDER BY id",
            &[kind.into(), id.into()],
        )
        .await?
        .iter()
        .map(|r| (r.i64("custom_field_id"), r.i64("id")))
        .collect();
    let fields: Vec<i64> = values.iter().map(|(f, _)| *f).collect();
    let mut sql = Sql::new("SELECT id FROM custom_fields WHERE field_format = 'attachment' AND ");
    in_list(&mut sql, "id", &fields);
    let file_fields: Vec<i64> = tx
        .rows(&sql.text, &sql.args)
        .await?
        .iter()
        .map(|r| r.i64("id"))
        .collect();
    for (field, vals) in values {
        let existing: Vec<i64> = rows
            .iter()
            .filter(|(f, _)| f == field)
            .map(|(_, row)| *row)
            .collect();
        let row = match (vals.as_slice(), existing.first()) {
            ([single], Some(&row)) => {
                tx.exec(
                    "UPDATE custom_values SET value = $1 WHERE id = $2",
                    &[single.into(), row.into()],
                )
                .await?;
                tx.exec(
                    "DELETE FROM custom_values WHERE customized_type = $1 AND customized_id = $2 \
                     AND custom_field_id = $3 AND id <> $4",
                    &[kind.into(), id.into(), (*field).into(), row.into()],
                )
                .await?;
                Some(row)
            }
            _ => {
                tx.exec(
                    "DELETE FROM custom_values WHERE customized_type = $1 AND customized_id = $2 \
                     AND custom_field_id = $3",
                    &[kind.into(), id.into(), (*field).into()],
                )
                .await?;
                let mut last = None;
                for v in vals {
                    last = Some(
                        tx.int(
                            "INSERT INTO custom_values (customized_type, customized_id, \
                             custom_field_id, value) VALUES ($1, $2, $3, $4) RETURNING id",
                            &[kind.into(), id.into(), (*field).into(), v.into()],
                        )
                        .await?,
                    );
                }
                last
            }
        };
        if file_fields.contains(field) {
            link_file(tx, row, vals, &existing).await?;
        }
    }
    Ok(())
}

/// For an attachment field: its value's file gets the row as container, and files of the
/// field's former rows that are no longer its value go.
async fn link_file(
    tx: &mut Tx<'_>,
    row: Option<i64>,
    vals: &[String],
    former: &[i64],
) -> Result<()> {
    let file: i64 = vals
        .first()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    if let (Some(row), true) = (row, file > 0) {
        tx.exec(
            "UPDATE attachments SET container_type = 'CustomValue', container_id = $1 \
             WHERE id = $2 AND (container_type IS NULL \
             OR (container_type = 'CustomValue' AND container_id = $1))",
            &[row.into(), file.into()],
        )
        .await?;
    }
    if former.is_empty() {
        return Ok(());
    }
    let mut sql = Sql::new("SELECT id FROM attachments WHERE container_type = 'CustomValue' AND ");
    in_list(&mut sql, "container_id", former);
    sql.push(" AND id <> ").bind(file);
    let gone: Vec<i64> = tx
        .rows(&sql.text, &sql.args)
        .await?
        .iter()
        .map(|r| r.i64("id"))
        .collect();
    super::attachments::delete(tx, &gone).await?;
    Ok(())
}

/// Deletes the values of some objects of one type with the files of their attachment
/// fields; returns the files no attachment uses any more, for the caller to remove.
pub async fn delete_of(
    tx: &mut Tx<'_>,
    customized: &str,
    ids: &[i64],
) -> Result<Vec<(String, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(
        "SELECT a.id FROM attachments a JOIN custom_values cv \
         ON a.container_type = 'CustomValue' AND cv.id = a.container_id \
         WHERE cv.customized_type = ",
    );
    sql.bind(customized).push(" AND ");
    in_list(&mut sql, "cv.customized_id", ids);
    let files: Vec<i64> = tx
        .rows(&sql.text, &sql.args)
        .await?
        .iter()
        .map(|r| r.i64("id"))
        .collect();
    let gone = super::attachments::delete(tx, &files).await?;
    let mut del = Sql::new("DELETE FROM custom_values WHERE customized_type = ");
    del.bind(customized).push(" AND ");
    in_list(&mut del, "customized_id", ids);
    tx.exec(&del.text, &del.args).await?;
    Ok(gone)
}

/// The object a custom value belongs to: `(customized type, its id, field id)`.
pub async fn owner_of(db: &Db, id: i64) -> Result<Option<(String, i64, i64)>> {
    Ok(db
        .rows(
            "SELECT customized_type, customized_id, custom_field_id FROM custom_values \
             WHERE id = $1",
            &[id.into()],
        )
        .await?
        .first()
        .map(|r| {
            (
                r.str("customized_type"),
                r.i64("customized_id"),
                r.i64("custom_field_id"),
            )
        }))
}

/// The roles a field is visible to (when not visible to all).
pub async fn field_roles(db: &Db, field: i64) -> Result<Vec<i64>> {
    Ok(db
        .rows(
            "SELECT role_id FROM custom_fields_roles WHERE custom_field_id = $1",
            &[field.into()],
        )
        .await?
        .iter()
        .map(|r| r.i64("role_id"))
        .collect())
}

/// An enumeration value a field offers: `(id, name, active)`, by position.
pub type Enumeration = (i64, String, bool);

/// The enumeration values of some fields, by field, in position order.
pub async fn enumerations(db: &Db, fields: &[i64]) -> Result<HashMap<i64, Vec<Enumeration>>> {
    let mut out: HashMap<i64, Vec<Enumeration>> = HashMap::new();
    if fields.is_empty() {
        return Ok(out);
    }
    let mut sql =
        Sql::new("SELECT id, custom_field_id, name, active FROM custom_field_enumerations WHERE ");
    super::issue_query::in_list(&mut sql, "custom_field_id", fields);
    sql.push(" ORDER BY position, id");
    for r in db.rows(&sql.text, &sql.args).await? {
        out.entry(r.i64("custom_field_id")).or_default().push((
            r.i64("id"),
            r.str("name"),
            r.bool("active"),
        ));
    }
    Ok(out)
}

/// Writes a field's enumeration values: an entry with the `id` of one of the field's values
/// updates it, one without adds a value at the end; values not listed stay.
pub async fn set_enumerations(
    db: &Db,
    field: i64,
    entries: &[(Option<i64>, String, bool)],
) -> Result<()> {
    let mut tx = db.begin().await?;
    let mut position = tx
        .int(
            "SELECT COALESCE(MAX(position), 0) FROM custom_field_enumerations WHERE custom_field_id = $1",
            &[field.into()],
        )
        .await?;
    for (id, name, active) in entries {
        match id {
            Some(id) => {
                tx.exec(
                    "UPDATE custom_field_enumerations SET name = $1, active = $2 \
                     WHERE id = $3 AND custom_field_id = $4",
                    &[
                        name.clone().into(),
                        (*active).into(),
                        (*id).into(),
                        field.into(),
                    ],
                )
                .await?;
            }
            None => {
                position += 1;
                tx.exec(
                    "INSERT INTO custom_field_enumerations (custom_field_id, name, active, position) \
                     VALUES ($1, $2, $3, $4)",
                    &[field.into(), name.clone().into(), (*active).into(), position.into()],
                )
                .await?;
            }
        }
    }
    tx.commit().await
}

/// The sort expression of a custom field of the object `holder` names (`(customized type,
/// column)`): its first value (numeric for numbers), read only where the project column is
/// in the given projects.
pub fn sort_expr(
    holder: (&str, &str),
    field: i64,
    numeric: bool,
    projects: Option<(&str, &[i64])>,
) -> String {
    let (customized, column) = holder;
    let cond = match projects {
        Some((col, ids)) => {
            let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
            let ids = if ids.is_empty() {
                "NULL".to_owned()
            } else {
                ids.join(", ")
            };
            format!(" AND {col} IN ({ids})")
        }
        None => String::new(),
    };
    let value = if numeric {
        "CAST(CASE WHEN cv.value = '' THEN NULL ELSE cv.value END AS NUMERIC)"
    } else {
        "cv.value"
    };
    format!(
        "(SELECT {value} FROM custom_values cv WHERE cv.customized_type = '{customized}' \
         AND cv.customized_id = {column} AND cv.custom_field_id = {field}{cond} ORDER BY cv.id LIMIT 1)"
    )
}
