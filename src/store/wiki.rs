//! Wikis, their pages, every version of a page's text, and redirects from old titles.

use super::sql::Sql;
use super::{now, Db, FromRow, Result, Row, Tx};
use crate::domain::users::principal_name;
use crate::domain::wiki::{title_key, Children};

/// Creates the project's wiki unless it has one (enabling the module does).
pub async fn ensure_wiki(tx: &mut Tx<'_>, project: i64) -> Result<()> {
    let found = tx
        .int(
            "SELECT COUNT(*) FROM wikis WHERE project_id = $1",
            &[project.into()],
        )
        .await?;
    if found == 0 {
        tx.exec(
            "INSERT INTO wikis (project_id, start_page) VALUES ($1, 'Wiki')",
            &[project.into()],
        )
        .await?;
    }
    Ok(())
}

#[derive(Debug, Clone)]
pub struct Wiki {
    pub id: i64,
    pub start_page: String,
}

pub async fn of_project(db: &Db, project: i64) -> Result<Option<Wiki>> {
    Ok(db
        .rows(
            "SELECT id, start_page FROM wikis WHERE project_id = $1",
            &[project.into()],
        )
        .await?
        .first()
        .map(|r| Wiki {
            id: r.i64("id"),
            start_page: r.str("start_page"),
        }))
}

/// A page with its current version (none for a page saved without text).
#[derive(Debug, Clone)]
pub struct Page {
    pub id: i64,
    pub wiki_id: i64,
    pub title: String,
    pub parent_title: Option<String>,
    pub protected: bool,
    pub created_on: i64,
    pub version: Option<i64>,
    pub updated_on: Option<i64>,
}

impl FromRow for Page {
    fn from_row(r: &Row) -> Self {
        Page {
            id: r.i64("id"),
            wiki_id: r.i64("wiki_id"),
            title: r.str("title"),
            parent_title: r.opt_str("parent_title"),
            protected: r.bool("protected"),
            created_on: r.i64("created_on"),
            version: r.opt_i64("version"),
            updated_on: r.opt_i64("updated_on"),
        }
    }
}

const PAGE: &str = "SELECT wp.id, wp.wiki_id, wp.title, wp.parent_id, pp.title AS parent_title, \
    wp.protected, wp.created_on, c.version, c.updated_on FROM wiki_pages wp \
    LEFT JOIN wiki_pages pp ON pp.id = wp.parent_id LEFT JOIN wiki_contents c ON c.page_id = wp.id ";

/// The page of that title (compared ignoring case).
pub async fn find_page(db: &Db, wiki: i64, title: &str) -> Result<Option<Page>> {
    db.opt(
        &format!("{PAGE} WHERE wp.wiki_id = $1 AND wp.title_key = $2"),
        &[wiki.into(), title_key(title).into()],
    )
    .await
}

pub async fn page_by_id(db: &Db, id: i64) -> Result<Option<Page>> {
    db.opt(&format!("{PAGE} WHERE wp.id = $1"), &[id.into()])
        .await
}

/// Every page of the wiki, by lower-cased title.
pub async fn pages(db: &Db, wiki: i64) -> Result<Vec<Page>> {
    db.all(
        &format!("{PAGE} WHERE wp.wiki_id = $1 ORDER BY wp.title_key, wp.id"),
        &[wiki.into()],
    )
    .await
}

/// Where an old title now lives: `(title, project identifier)`.
pub async fn redirect(db: &Db, wiki: i64, title: &str) -> Result<Option<(String, String)>> {
    Ok(db
        .rows(
            "SELECT r.redirects_to, p.identifier FROM wiki_redirects r \
             JOIN wikis w ON w.id = r.redirects_to_wiki_id JOIN projects p ON p.id = w.project_id \
             WHERE r.wiki_id = $1 AND r.title_key = $2 ORDER BY r.id DESC LIMIT 1",
            &[wiki.into(), title_key(title).into()],
        )
        .await?
        .first()
        .map(|r| (r.str("redirects_to"), r.str("identifier"))))
}

/// One version of a page's text.
#[derive(Debug, Clone)]
pub struct Content {
    pub version: i64,
    pub author: Option<(i64, String)>,
    pub text: Option<String>,
    pub comments: Option<String>,
    pub updated_on: i64,
}

impl FromRow for Content {
    fn from_row(r: &Row) -> Self {
        Content {
            version: r.i64("version"),
            author: r.opt_i64("author_id").map(|id| {
                let name = principal_name(
                    &r.opt_str("a_type").unwrap_or_default(),
                    &r.opt_str("a_first").unwrap_or_default(),
                    &r.opt_str("a_last").unwrap_or_default(),
                );
                (id, name)
            }),
            text: r.opt_str("text"),
            comments: r.opt_str("comments"),
            updated_on: r.i64("updated_on"),
        }
    }
}

/// A version of the page's text (`version` none: the current one).
pub async fn content(db: &Db, page: &Page, version: Option<i64>) -> Result<Option<Content>> {
    let Some(v) = version.or(page.version) else {
        return Ok(None);
    };
    db.opt(
        "SELECT v.version, v.author_id, u.type AS a_type, u.firstname AS a_first, \
         u.lastname AS a_last, v.text, v.comments, v.updated_on FROM wiki_content_versions v \
         LEFT JOIN users u ON u.id = v.author_id WHERE v.page_id = $1 AND v.version = $2",
        &[page.id.into(), v.into()],
    )
    .await
}

/// Whether `candidate` is the page or one of its descendants (a parent it cannot take).
pub async fn in_subtree(db: &Db, page: i64, candidate: i64) -> Result<bool> {
    let n = db
        .int(
            "WITH RECURSIVE up(id, parent_id, depth) AS ( \
               SELECT id, parent_id, 0 FROM wiki_pages WHERE id = $1 \
               UNION ALL SELECT w.id, w.parent_id, up.depth + 1 FROM wiki_pages w \
               JOIN up ON w.id = up.parent_id WHERE up.depth < 1000) \
             SELECT COUNT(*) FROM up WHERE id = $2",
            &[candidate.into(), page.into()],
        )
        .await?;
    Ok(n > 0)
}

/// A save: the page's new or changed attributes and, when the text changes, its new
/// version.
#[derive(Debug, Default)]
pub struct Save {
    pub wiki_id: i64,
    /// The page saved: none creates `title`.
    pub page: Option<i64>,
    pub title: String,
    /// `Some(None)` removes the parent.
    pub parent: Option<Option<i64>>,
    pub protected: bool,
    /// The new version's text, comment and author (none: the text is unchanged).
    pub version: Option<(i64, String, Option<String>, i64)>,
    /// Renamed from this title: a redirect is left unless `redirect` is false.
    pub renamed_from: Option<String>,
    pub redirect: bool,
    pub start_page: bool,
}

/// Writes a save in one transaction; returns the page's id.
pub async fn save(db: &Db, s: &Save) -> Result<i64> {
    let t = now();
    let mut tx = db.begin().await?;
    let id = match s.page {
        Some(id) => id,
        None => {
            tx.int(
                "INSERT INTO wiki_pages (wiki_id, title, title_key, protected, created_on) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
                &[
                    s.wiki_id.into(),
                    s.title.clone().into(),
                    title_key(&s.title).into(),
                    s.protected.into(),
                    t.into(),
                ],
            )
            .await?
        }
    };
    if let Some(parent) = s.parent {
        tx.exec(
            "UPDATE wiki_pages SET parent_id = $1 WHERE id = $2",
            &[parent.into(), id.into()],
        )
        .await?;
    }
    if let Some(old) = &s.renamed_from {
        tx.exec(
            "UPDATE wiki_pages SET title = $1, title_key = $2 WHERE id = $3",
            &[
                s.title.clone().into(),
                title_key(&s.title).into(),
                id.into(),
            ],
        )
        .await?;
        // a redirect from the new title would shadow nothing any more
        tx.exec(
            "DELETE FROM wiki_redirects WHERE wiki_id = $1 AND title_key = $2",
            &[s.wiki_id.into(), title_key(&s.title).into()],
        )
        .await?;
        // redirects to the old title follow the page
        tx.exec(
            "UPDATE wiki_redirects SET redirects_to = $1 WHERE redirects_to_wiki_id = $2 \
             AND redirects_to = $3",
            &[s.title.clone().into(), s.wiki_id.into(), old.clone().into()],
        )
        .await?;
        if s.redirect {
            tx.exec(
                "INSERT INTO wiki_redirects (wiki_id, title_key, redirects_to, redirects_to_wiki_id) \
                 VALUES ($1, $2, $3, $1)",
                &[
                    s.wiki_id.into(),
                    title_key(old).into(),
                    s.title.clone().into(),
                ],
            )
            .await?;
        }
    }
    if let Some((version, text, comments, author)) = &s.version {
        tx.exec(
            "INSERT INTO wiki_content_versions (page_id, version, author_id, text, comments, updated_on) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                id.into(),
                (*version).into(),
                (*author).into(),
                text.clone().into(),
                comments.clone().into(),
                t.into(),
            ],
        )
        .await?;
        tx.exec("DELETE FROM wiki_contents WHERE page_id = $1", &[id.into()])
            .await?;
        tx.exec(
            "INSERT INTO wiki_contents (page_id, version, updated_on) VALUES ($1, $2, $3)",
            &[id.into(), (*version).into(), t.into()],
        )
        .await?;
    }
    if s.start_page {
        tx.exec(
            "UPDATE wikis SET start_page = $1 WHERE id = $2",
            &[s.title.clone().into(), s.wiki_id.into()],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// Whether the page's current version is still `expected` (the optimistic lock), read in
/// the writing transaction by `save_checked`.
pub async fn save_checked(db: &Db, s: &Save, expected: Option<i64>) -> Result<Option<i64>> {
    if let (Some(page), Some(expected)) = (s.page, expected) {
        let current = db
            .rows(
                "SELECT version FROM wiki_contents WHERE page_id = $1",
                &[page.into()],
            )
            .await?
            .first()
            .map(|r| r.i64("version"));
        if current.is_some_and(|c| c != expected) {
            return Ok(None);
        }
    }
    save(db, s).await.map(Some)
}

/// Deletes a page with its versions, files and the redirects to it; its children are
/// re-rooted, deleted or moved as asked. Returns the files no attachment uses any more.
pub async fn delete(db: &Db, page: &Page, children: Children) -> Result<Vec<(String, String)>> {
    let mut tx = db.begin().await?;
    let mut doomed = vec![page.id];
    if children == Children::Destroy {
        doomed = tx
            .rows(
                "WITH RECURSIVE down(id, depth) AS ( \
                   SELECT id, 0 FROM wiki_pages WHERE id = $1 \
                   UNION ALL SELECT w.id, down.depth + 1 FROM wiki_pages w \
                   JOIN down ON w.parent_id = down.id WHERE down.depth < 1000) \
                 SELECT id FROM down",
                &[page.id.into()],
            )
            .await?
            .iter()
            .map(|r| r.i64("id"))
            .collect();
    }
    if let Children::Reassign(to) = children {
        tx.exec(
            "UPDATE wiki_pages SET parent_id = $1 WHERE parent_id = $2",
            &[to.into(), page.id.into()],
        )
        .await?;
    }
    let mut titles = Sql::new("SELECT title FROM wiki_pages WHERE ");
    super::sql::in_list(&mut titles, "id", &doomed);
    let gone: Vec<String> = tx
        .rows(&titles.text, &titles.args)
        .await?
        .iter()
        .map(|r| r.str("title"))
        .collect();
    let mut redirects = Sql::new("DELETE FROM wiki_redirects WHERE redirects_to_wiki_id = ");
    redirects.bind(page.wiki_id).push(" AND ");
    super::sql::in_list(&mut redirects, "redirects_to", &gone);
    tx.exec(&redirects.text, &redirects.args).await?;
    let attached = super::attachments::ids_of(&mut tx, "WikiPage", &doomed).await?;
    let files = super::attachments::delete(&mut tx, &attached).await?;
    // children first, so that no page is left pointing at a deleted one
    for id in doomed.iter().rev() {
        tx.exec("DELETE FROM wiki_pages WHERE id = $1", &[(*id).into()])
            .await?;
    }
    tx.commit().await?;
    Ok(files)
}

/// The project of a page's wiki, and whether the page is protected.
pub async fn project_of_page(db: &Db, page: i64) -> Result<Option<(i64, bool)>> {
    Ok(db
        .rows(
            "SELECT w.project_id, wp.protected FROM wiki_pages wp JOIN wikis w ON w.id = wp.wiki_id \
             WHERE wp.id = $1",
            &[page.into()],
        )
        .await?
        .first()
        .map(|r| (r.i64("project_id"), r.bool("protected"))))
}
