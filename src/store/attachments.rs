//! Attachment rows: uploads without a container, and files attached to issues and wiki
//! pages. The bytes are in the file store (`store::files`).

use super::sql::{in_list, Sql};
use super::{now, Db, FromRow, Result, Row, Tx};
pub use crate::domain::attachments::{Attachment, FileVersion};
use crate::domain::users::principal_name;

impl FromRow for Attachment {
    fn from_row(r: &Row) -> Self {
        Attachment {
            id: r.i64("id"),
            container: r.opt_str("container_type").zip(r.opt_i64("container_id")),
            filename: r.str("filename"),
            disk_directory: r.str("disk_directory"),
            disk_filename: r.str("disk_filename"),
            filesize: r.i64("filesize"),
            content_type: r.opt_str("content_type"),
            digest: r.str("digest"),
            author_id: r.i64("author_id"),
            author_name: r.opt_str("a_type").map(|t| {
                principal_name(
                    &t,
                    &r.opt_str("a_first").unwrap_or_default(),
                    &r.opt_str("a_last").unwrap_or_default(),
                )
            }),
            created_on: r.i64("created_on"),
            description: r.opt_str("description"),
            downloads: r.i64("downloads"),
        }
    }
}

/// The columns of an attachment and its author's name, and where they come from.
macro_rules! select {
    ($($more:literal)?) => {
        concat!(
            "SELECT a.id, a.container_type, a.container_id, a.filename, a.disk_directory, \
             a.disk_filename, a.filesize, a.content_type, a.digest, a.author_id, \
             u.type AS a_type, u.firstname AS a_first, u.lastname AS a_last, a.created_on, \
             a.description, a.downloads", $($more,)? " FROM attachments a \
             LEFT JOIN users u ON u.id = a.author_id "
        )
    };
}
const SELECT: &str = select!();

pub async fn find(db: &Db, id: i64) -> Result<Option<Attachment>> {
    db.opt(&format!("{SELECT} WHERE a.id = $1"), &[id.into()])
        .await
}

/// Some attachments by id.
pub async fn find_many(db: &Db, ids: &[i64]) -> Result<Vec<Attachment>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(SELECT);
    sql.push(" WHERE ");
    in_list(&mut sql, "a.id", ids);
    db.all(&sql.text, &sql.args).await
}

/// The attachments of some containers of one type, in creation order.
pub async fn of(db: &Db, container_type: &str, ids: &[i64]) -> Result<Vec<Attachment>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(SELECT);
    sql.push(" WHERE a.container_type = ")
        .bind(container_type)
        .push(" AND ");
    in_list(&mut sql, "a.container_id", ids);
    sql.push(" ORDER BY a.created_on, a.id");
    db.all(&sql.text, &sql.args).await
}

/// A project's files: its own and its versions' (with the version's id, name and date).
pub async fn project_files(
    db: &Db,
    project_id: i64,
) -> Result<Vec<(Attachment, Option<FileVersion>)>> {
    let sql = concat!(
        select!(", v.id AS v_id, v.name AS v_name, v.effective_date AS v_date"),
        "LEFT JOIN versions v ON a.container_type = 'Version' AND v.id = a.container_id \
         WHERE (a.container_type = 'Project' AND a.container_id = $1) \
         OR (a.container_type = 'Version' AND v.project_id = $1)"
    );
    Ok(db
        .rows(sql, &[project_id.into()])
        .await?
        .iter()
        .map(|r| {
            let version = r.opt_i64("v_id").map(|id| FileVersion {
                id,
                name: r.str("v_name"),
                due_date: r.opt_str("v_date"),
            });
            (Attachment::from_row(r), version)
        })
        .collect())
}

/// The files of an object's attachment-field values: `(field id, attachment)`.
pub async fn of_custom_values(
    db: &Db,
    customized: &str,
    id: i64,
) -> Result<Vec<(i64, Attachment)>> {
    let sql = concat!(
        select!(", cv.custom_field_id AS cv_field"),
        "JOIN custom_values cv ON a.container_type = 'CustomValue' AND cv.id = a.container_id \
         WHERE cv.customized_type = $1 AND cv.customized_id = $2"
    );
    Ok(db
        .rows(sql, &[customized.into(), id.into()])
        .await?
        .iter()
        .map(|r| (r.i64("cv_field"), Attachment::from_row(r)))
        .collect())
}

/// Gives a container copies of another's attachments: new rows sharing the same stored
/// files (a file is removed only with its last row), with the same author and time and no
/// downloads.
pub async fn copy_all(db: &Db, from: (&str, i64), to: (&str, i64)) -> Result<()> {
    db.exec(
        "INSERT INTO attachments (container_type, container_id, filename, disk_directory, \
         disk_filename, filesize, content_type, digest, downloads, author_id, created_on, \
         description) SELECT $1, $2, filename, disk_directory, disk_filename, filesize, \
         content_type, digest, 0, author_id, created_on, description FROM attachments \
         WHERE container_type = $3 AND container_id = $4 ORDER BY id",
        &[to.0.into(), to.1.into(), from.0.into(), from.1.into()],
    )
    .await?;
    Ok(())
}

/// One more download of a project file.
pub async fn count_download(db: &Db, id: i64) -> Result<()> {
    db.exec(
        "UPDATE attachments SET downloads = downloads + 1 WHERE id = $1",
        &[id.into()],
    )
    .await?;
    Ok(())
}

/// A new upload (no container yet).
#[derive(Debug, Clone)]
pub struct NewUpload {
    pub filename: String,
    pub disk_directory: String,
    pub disk_filename: String,
    pub filesize: i64,
    pub content_type: Option<String>,
    pub digest: String,
    pub author_id: i64,
}

pub async fn create_upload(db: &Db, u: &NewUpload) -> Result<i64> {
    db.int(
        "INSERT INTO attachments (filename, disk_directory, disk_filename, filesize, content_type, \
         digest, author_id, created_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        &[
            u.filename.clone().into(),
            u.disk_directory.clone().into(),
            u.disk_filename.clone().into(),
            u.filesize.into(),
            u.content_type.clone().into(),
            u.digest.clone().into(),
            u.author_id.into(),
            now().into(),
        ],
    )
    .await
}

/// What attaching an upload changes besides its container.
#[derive(Debug, Clone, Default)]
pub struct Attach {
    pub id: i64,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    /// Always written: an attached file without one has `""`.
    pub description: String,
}

/// Attaches uploads to a container inside a transaction; false when one was taken
/// meanwhile (nothing is attached then, the caller rolls back).
pub async fn attach(tx: &mut Tx<'_>, container: (&str, i64), files: &[Attach]) -> Result<bool> {
    for f in files {
        let n = tx
            .exec(
                "UPDATE attachments SET container_type = $1, container_id = $2, \
                 filename = COALESCE($3, filename), content_type = COALESCE($4, content_type), \
                 description = $5 WHERE id = $6 AND container_type IS NULL",
                &[
                    container.0.into(),
                    container.1.into(),
                    f.filename.clone().into(),
                    f.content_type.clone().into(),
                    f.description.clone().into(),
                    f.id.into(),
                ],
            )
            .await?;
        if n == 0 {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The attachment's new name, type and description.
pub async fn update(
    db: &Db,
    id: i64,
    filename: &str,
    content_type: Option<&str>,
    description: Option<&str>,
) -> Result<()> {
    db.exec(
        "UPDATE attachments SET filename = $1, content_type = $2, description = $3 WHERE id = $4",
        &[
            filename.into(),
            content_type.map(str::to_owned).into(),
            description.map(str::to_owned).into(),
            id.into(),
        ],
    )
    .await?;
    Ok(())
}

/// Deletes attachment rows; returns the files no other row uses, for the caller to remove
/// from the file store.
pub async fn delete(tx: &mut Tx<'_>, ids: &[i64]) -> Result<Vec<(String, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new("SELECT disk_directory, disk_filename FROM attachments WHERE ");
    in_list(&mut sql, "id", ids);
    let files: Vec<(String, String)> = tx
        .rows(&sql.text, &sql.args)
        .await?
        .iter()
        .map(|r| (r.str("disk_directory"), r.str("disk_filename")))
        .collect();
    let mut del = Sql::new("DELETE FROM attachments WHERE ");
    in_list(&mut del, "id", ids);
    tx.exec(&del.text, &del.args).await?;
    let mut orphaned = Vec::new();
    for (dir, name) in files {
        let still = tx
            .int(
                "SELECT COUNT(*) FROM attachments WHERE disk_directory = $1 AND disk_filename = $2",
                &[dir.clone().into(), name.clone().into()],
            )
            .await?;
        if still == 0 {
            orphaned.push((dir, name));
        }
    }
    Ok(orphaned)
}

/// The ids of the attachments of some containers (to delete them with their container).
pub async fn ids_of(tx: &mut Tx<'_>, container_type: &str, ids: &[i64]) -> Result<Vec<i64>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new("SELECT id FROM attachments WHERE container_type = ");
    sql.bind(container_type).push(" AND ");
    in_list(&mut sql, "container_id", ids);
    Ok(tx
        .rows(&sql.text, &sql.args)
        .await?
        .iter()
        .map(|r| r.i64("id"))
        .collect())
}

/// Attaches uploads in a transaction of their own; false (nothing attached) when one was
/// taken meanwhile.
pub async fn attach_all(db: &Db, container: (&str, i64), files: &[Attach]) -> Result<bool> {
    if files.is_empty() {
        return Ok(true);
    }
    let mut tx = db.begin().await?;
    if !attach(&mut tx, container, files).await? {
        return Ok(false);
    }
    tx.commit().await?;
    Ok(true)
}
