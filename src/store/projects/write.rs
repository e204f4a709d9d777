//! Creating, updating, archiving and deleting projects and their trees.

use super::*;

pub async fn identifier_taken(db: &Db, identifier: &str) -> Result<bool> {
    Ok(db
        .int(
            "SELECT COUNT(*) FROM projects WHERE identifier = $1",
            &[identifier.into()],
        )
        .await?
        > 0)
}

/// The sort key of one tree level: siblings sort by name, and among equal names the newer
/// project first, as Redmine's nested set inserts before equal names.
pub(crate) fn tree_key(name: &str, id: i64) -> String {
    format!("{name}\u{1}{:012}\u{1}", 999_999_999_999 - id)
}

/// The id and name paths a child of `parent` extends (the root's for no parent).
pub(crate) async fn parent_paths(tx: &mut Tx<'_>, parent: Option<i64>) -> Result<(String, String)> {
    let Some(pid) = parent else {
        return Ok(("/".to_owned(), String::new()));
    };
    let rows = tx
        .rows(
            "SELECT id_path, tree_path FROM projects WHERE id = $1",
            &[pid.into()],
        )
        .await?;
    Ok(match rows.first() {
        Some(r) => (r.str("id_path"), r.str("tree_path")),
        None => ("/".to_owned(), String::new()),
    })
}

/// Everything a create writes.
#[derive(Debug, Clone, Default)]
pub struct NewProject {
    pub name: String,
    pub identifier: String,
    pub description: Option<String>,
    pub homepage: String,
    pub is_public: bool,
    pub parent_id: Option<i64>,
    pub inherit_members: bool,
    pub tracker_ids: Vec<i64>,
    pub module_names: Vec<String>,
    pub issue_custom_field_ids: Vec<i64>,
    pub default_version_id: Option<i64>,
    pub default_assigned_to_id: Option<i64>,
    /// A non-admin creator becomes a member with this role.
    pub creator_membership: Option<(i64, i64)>,
    /// Custom field values, by field.
    pub custom: Vec<(i64, Vec<String>)>,
}

pub async fn create(db: &Db, n: &NewProject) -> Result<i64> {
    let t = now();
    let mut tx = db.begin().await?;
    let id = tx
        .int(
            "INSERT INTO projects (name, description, homepage, is_public, parent_id, identifier, status, \
             inherit_members, default_version_id, default_assigned_to_id, created_on, updated_on) \
             VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $9, $10, $10) RETURNING id",
            &[
                n.name.clone().into(),
                n.description.clone().into(),
                n.homepage.clone().into(),
                n.is_public.into(),
                n.parent_id.into(),
                n.identifier.clone().into(),
                n.inherit_members.into(),
                n.default_version_id.into(),
                n.default_assigned_to_id.into(),
                t.into(),
            ],
        )
        .await?;
    let (parent_ids, parent_tree) = parent_paths(&mut tx, n.parent_id).await?;
    tx.exec(
        "UPDATE projects SET id_path = $1, tree_path = $2 WHERE id = $3",
        &[
            format!("{parent_ids}{id}/").into(),
            format!("{parent_tree}{}", tree_key(&n.name, id)).into(),
            id.into(),
        ],
    )
    .await?;
    for name in &n.module_names {
        tx.exec(
            "INSERT INTO enabled_modules (project_id, name) VALUES ($1, $2)",
            &[id.into(), name.into()],
        )
        .await?;
    }
    if n.module_names.iter().any(|m| m == "wiki") {
        super::super::wiki::ensure_wiki(&mut tx, id).await?;
    }
    set_links(&mut tx, id, &n.tracker_ids, &n.issue_custom_field_ids).await?;
    crate::store::custom_values::set(&mut tx, "Project", id, &n.custom).await?;
    if let Some((user_id, role_id)) = n.creator_membership {
        let m = members::ensure_member(&mut tx, user_id, id).await?;
        members::add_role(&mut tx, m, role_id, None).await?;
    }
    if n.inherit_members && n.parent_id.is_some() {
        members::refresh_inherited(&mut tx, id).await?;
    }
    tx.commit().await?;
    Ok(id)
}

pub(crate) async fn set_links(
    tx: &mut Tx<'_>,
    id: i64,
    trackers: &[i64],
    fields: &[i64],
) -> Result<()> {
    for t in trackers {
        tx.exec(
            "INSERT INTO projects_trackers (project_id, tracker_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            &[id.into(), (*t).into()],
        )
        .await?;
    }
    for f in fields {
        tx.exec(
            "INSERT INTO custom_fields_projects (custom_field_id, project_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            &[(*f).into(), id.into()],
        )
        .await?;
    }
    Ok(())
}

/// Changes of an update; `None` leaves a value as it is.
#[derive(Debug, Clone, Default)]
pub struct ProjectChanges {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub homepage: Option<String>,
    pub is_public: Option<bool>,
    /// `Some(None)`: becomes a root.
    pub parent_id: Option<Option<i64>>,
    pub inherit_members: Option<bool>,
    pub tracker_ids: Option<Vec<i64>>,
    pub module_names: Option<Vec<String>>,
    pub issue_custom_field_ids: Option<Vec<i64>>,
    pub default_version_id: Option<Option<i64>>,
    pub default_assigned_to_id: Option<Option<i64>>,
    /// Custom field values to replace, by field.
    pub custom: Vec<(i64, Vec<String>)>,
}

pub async fn update(db: &Db, p: &Project, c: &ProjectChanges) -> Result<()> {
    let t = now();
    let mut set = Sql::new("UPDATE projects SET updated_on = ");
    set.bind(t);
    let mut col = |name: &str, arg: Arg| {
        set.push(", ").push(name).push(" = ").bind(arg);
    };
    if let Some(v) = &c.name {
        col("name", v.into());
    }
    if let Some(v) = &c.description {
        col("description", v.clone().into());
    }
    if let Some(v) = &c.homepage {
        col("homepage", v.into());
    }
    if let Some(v) = c.is_public {
        col("is_public", v.into());
    }
    if let Some(v) = c.inherit_members {
        col("inherit_members", v.into());
    }
    if let Some(v) = c.default_version_id {
        col("default_version_id", v.into());
    }
    if let Some(v) = c.default_assigned_to_id {
        col("default_assigned_to_id", v.into());
    }
    if let Some(v) = c.parent_id {
        col("parent_id", v.into());
    }
    set.push(" WHERE id = ").bind(p.id);

    let mut tx = db.begin().await?;
    tx.exec(&set.text, &set.args).await?;
    crate::store::custom_values::set(&mut tx, "Project", p.id, &c.custom).await?;
    let new_name = c.name.clone().unwrap_or_else(|| p.name.clone());
    let parent_changed = c.parent_id.is_some_and(|np| np != p.parent_id);
    if parent_changed || new_name != p.name {
        let new_parent = c.parent_id.unwrap_or(p.parent_id);
        let (parent_ids, parent_tree) = parent_paths(&mut tx, new_parent).await?;
        let new_ids = format!("{parent_ids}{}/", p.id);
        let new_tree = format!("{parent_tree}{}", tree_key(&new_name, p.id));
        // the whole subtree moves with its root
        tx.exec(
            "UPDATE projects SET id_path = $1 || substr(id_path, CAST($2 AS INTEGER)), \
             tree_path = $3 || substr(tree_path, CAST($4 AS INTEGER)) \
             WHERE substr(id_path, 1, CAST($5 AS INTEGER)) = $6",
            &[
                new_ids.into(),
                (p.id_path.chars().count() as i64 + 1).into(),
                new_tree.into(),
                (p.tree_path.chars().count() as i64 + 1).into(),
                (p.id_path.chars().count() as i64).into(),
                p.id_path.clone().into(),
            ],
        )
        .await?;
    }
    if let Some(names) = &c.module_names {
        let current: Vec<String> = p.modules.clone();
        let (keep, add) = crate::domain::projects::module_plan(&current, names);
        for old in current.iter().filter(|m| !keep.contains(m)) {
            tx.exec(
                "DELETE FROM enabled_modules WHERE project_id = $1 AND name = $2",
                &[p.id.into(), old.into()],
            )
            .await?;
        }
        for name in add {
            tx.exec(
                "INSERT INTO enabled_modules (project_id, name) VALUES ($1, $2)",
                &[p.id.into(), name.clone().into()],
            )
            .await?;
            // enabling the wiki module creates the project's wiki (kept when disabled)
            if name == "wiki" {
                super::super::wiki::ensure_wiki(&mut tx, p.id).await?;
            }
        }
    }
    if let Some(ids) = &c.tracker_ids {
        tx.exec(
            "DELETE FROM projects_trackers WHERE project_id = $1",
            &[p.id.into()],
        )
        .await?;
        set_links(&mut tx, p.id, ids, &[]).await?;
    }
    if let Some(ids) = &c.issue_custom_field_ids {
        tx.exec(
            "DELETE FROM custom_fields_projects WHERE project_id = $1",
            &[p.id.into()],
        )
        .await?;
        set_links(&mut tx, p.id, &[], ids).await?;
    }
    let inherit_changed = c.inherit_members.is_some_and(|i| i != p.inherit_members);
    if parent_changed || inherit_changed {
        members::refresh_inherited(&mut tx, p.id).await?;
    }
    tx.commit().await
}

/// Sets `to` on the project and its descendants whose status is one of `from`.
pub async fn set_status_subtree(db: &Db, p: &Project, from: &[i64], to: i64) -> Result<()> {
    let mut sql = Sql::new("UPDATE projects SET status = ");
    sql.bind(to)
        .push(" WHERE substr(id_path, 1, CAST(")
        .bind(p.id_path.chars().count() as i64)
        .push(" AS INTEGER)) = ")
        .bind(p.id_path.clone())
        .push(" AND status IN (");
    for (i, s) in from.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(*s);
    }
    sql.push(")");
    db.exec(&sql.text, &sql.args).await.map(|_| ())
}

/// Whether an issue of a project outside this one's subtree uses a version of the subtree.
pub async fn versions_used_outside(db: &Db, p: &Project) -> Result<bool> {
    let len = p.id_path.chars().count() as i64;
    let n = db
        .int(
            "SELECT COUNT(*) FROM issues i JOIN projects ip ON ip.id = i.project_id \
             JOIN versions v ON v.id = i.fixed_version_id JOIN projects vp ON vp.id = v.project_id \
             WHERE substr(vp.id_path, 1, CAST($1 AS INTEGER)) = $2 \
             AND substr(ip.id_path, 1, CAST($1 AS INTEGER)) <> $2",
            &[len.into(), p.id_path.clone().into()],
        )
        .await?;
    Ok(n > 0)
}

/// Unarchive: the project and its archived ancestors become active, or closed when an
/// ancestor is closed.
pub async fn unarchive(db: &Db, p: &Project) -> Result<()> {
    let ancestors = p.ancestor_ids();
    let mut tx = db.begin().await?;
    let mut closed_above = false;
    for a in &ancestors {
        closed_above |= tx
            .int(
                "SELECT COUNT(*) FROM projects WHERE id = $1 AND status = 5",
                &[(*a).into()],
            )
            .await?
            > 0;
    }
    let status: i64 = if closed_above { 5 } else { 1 };
    for id in ancestors.iter().chain(std::iter::once(&p.id)) {
        tx.exec(
            "UPDATE projects SET status = $1 WHERE id = $2 AND status = 9",
            &[status.into(), (*id).into()],
        )
        .await?;
    }
    tx.commit().await
}

pub async fn has_children(db: &Db, id: i64) -> Result<bool> {
    Ok(db
        .int(
            "SELECT COUNT(*) FROM projects WHERE parent_id = $1",
            &[id.into()],
        )
        .await?
        > 0)
}

/// Deletes the project and all its descendants with what belongs to them.
/// Returns the files no attachment uses any more, for the caller to remove.
pub async fn delete_subtree(db: &Db, p: &Project) -> Result<Vec<(String, String)>> {
    let mut tx = db.begin().await?;
    let mut files = Vec::new();
    let ids: Vec<i64> = tx
        .rows(
            "SELECT id FROM projects WHERE substr(id_path, 1, CAST($1 AS INTEGER)) = $2 \
             ORDER BY tree_path DESC",
            &[
                (p.id_path.chars().count() as i64).into(),
                p.id_path.clone().into(),
            ],
        )
        .await?
        .iter()
        .map(|r| r.i64("id"))
        .collect();
    for id in ids {
        let mids = tx
            .rows("SELECT id FROM members WHERE project_id = $1", &[id.into()])
            .await?;
        for m in mids {
            members::destroy_member(&mut tx, m.i64("id")).await?;
        }
        tx.exec(
            "UPDATE projects SET default_version_id = NULL WHERE default_version_id IN (SELECT id FROM versions WHERE project_id = $1)",
            &[id.into()],
        )
        .await?;
        // the files of attachment-field values of the project and its objects
        let valued: Vec<i64> = tx
            .rows(
                "SELECT a.id FROM attachments a JOIN custom_values cv \
                 ON a.container_type = 'CustomValue' AND cv.id = a.container_id \
                 WHERE (cv.customized_type = 'Project' AND cv.customized_id = $1) \
                 OR (cv.customized_type = 'Version' \
                 AND cv.customized_id IN (SELECT id FROM versions WHERE project_id = $1)) \
                 OR (cv.customized_type = 'Issue' \
                 AND cv.customized_id IN (SELECT id FROM issues WHERE project_id = $1)) \
                 OR (cv.customized_type = 'TimeEntry' \
                 AND cv.customized_id IN (SELECT id FROM time_entries WHERE project_id = $1))",
                &[id.into()],
            )
            .await?
            .iter()
            .map(|r| r.i64("id"))
            .collect();
        files.extend(crate::store::attachments::delete(&mut tx, &valued).await?);
        // what hangs on the project's objects by type and id has no foreign key to go with
        // them
        for sql in [
            "DELETE FROM custom_values WHERE customized_type = 'Project' AND customized_id = $1",
            "DELETE FROM custom_values WHERE customized_type = 'Version' \
             AND customized_id IN (SELECT id FROM versions WHERE project_id = $1)",
            "DELETE FROM custom_values WHERE customized_type = 'Issue' \
             AND customized_id IN (SELECT id FROM issues WHERE project_id = $1)",
            "DELETE FROM journals WHERE journalized_type = 'Issue' \
             AND journalized_id IN (SELECT id FROM issues WHERE project_id = $1)",
            "DELETE FROM watchers WHERE watchable_type = 'Issue' \
             AND watchable_id IN (SELECT id FROM issues WHERE project_id = $1)",
            "DELETE FROM custom_values WHERE customized_type = 'TimeEntry' \
             AND customized_id IN (SELECT id FROM time_entries WHERE project_id = $1)",
            "DELETE FROM custom_values WHERE customized_type = 'Document' \
             AND customized_id IN (SELECT id FROM documents WHERE project_id = $1)",
        ] {
            tx.exec(sql, &[id.into()]).await?;
        }
        let news = crate::store::news::ids_of_project(&mut tx, id).await?;
        files.extend(crate::store::news::delete_in(&mut tx, &news).await?);
        // the files of its issues, wiki pages, versions, documents and messages, and its own
        let attached: Vec<i64> = tx
            .rows(
                "SELECT a.id FROM attachments a WHERE (a.container_type = 'Issue' \
                 AND a.container_id IN (SELECT id FROM issues WHERE project_id = $1)) \
                 OR (a.container_type = 'WikiPage' AND a.container_id IN (SELECT wp.id \
                 FROM wiki_pages wp JOIN wikis w ON w.id = wp.wiki_id WHERE w.project_id = $1)) \
                 OR (a.container_type = 'Project' AND a.container_id = $1) \
                 OR (a.container_type = 'Version' \
                 AND a.container_id IN (SELECT id FROM versions WHERE project_id = $1)) \
                 OR (a.container_type = 'Document' \
                 AND a.container_id IN (SELECT id FROM documents WHERE project_id = $1)) \
                 OR (a.container_type = 'Message' AND a.container_id IN (SELECT m.id \
                 FROM messages m JOIN boards b ON b.id = m.board_id WHERE b.project_id = $1))",
                &[id.into()],
            )
            .await?
            .iter()
            .map(|r| r.i64("id"))
            .collect();
        files.extend(crate::store::attachments::delete(&mut tx, &attached).await?);
        tx.exec("DELETE FROM projects WHERE id = $1", &[id.into()])
            .await?;
    }
    tx.commit().await?;
    Ok(files)
}
