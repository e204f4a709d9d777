//! Search (search.md): the records of each type whose text holds the tokens, and what a
//! page of results shows of them.
//!
//! A token of three characters or more is looked up in a trigram index (SQLite's FTS5
//! tables of migration 14, PostgreSQL's pg_trgm GIN indexes under ILIKE); shorter ones
//! are matched with LIKE. Each source (a record's columns, its journals, its custom values,
//! its attachments) is matched on its own, as Redmine does, and the records found by any
//! source are the results.

use super::sql::{in_list, Sql};
use super::{Db, Result};
use crate::domain::search::{fts_phrase, indexable, like_pattern, Hit, Kind, Options};

/// Searched text columns of one table: `alias.column`s, the row id, and the FTS5 table
/// that indexes them (its columns have the same names).
struct Columns<'a> {
    id: &'a str,
    alias: &'a str,
    columns: &'a [&'a str],
    fts: &'a str,
}

/// Where a custom field's values may be searched: everywhere, or in these projects only.
#[derive(Debug, Clone)]
pub struct FieldScope {
    pub field: i64,
    pub projects: Option<Vec<i64>>,
}

/// What the caller may find, besides the projects each type is visible in.
#[derive(Debug, Clone, Default)]
pub struct Reach {
    /// The projects searched (`None`: all).
    pub scope: Option<Vec<i64>>,
    /// Issue visibility, a condition on `issues i`.
    pub issues_visible: Sql,
    /// Where private notes are seen.
    pub private_notes: Vec<i64>,
    pub issue_fields: Vec<FieldScope>,
    pub news: Vec<i64>,
    pub wiki: Vec<i64>,
    /// Projects the caller sees (`view_project`).
    pub projects: Vec<i64>,
    pub project_fields: Vec<FieldScope>,
}

/// The condition that one token is in one of the columns.
fn token_in(sql: &mut Sql, pg: bool, c: &Columns, token: &str, titles_only: bool) {
    let columns = if titles_only {
        &c.columns[..1]
    } else {
        c.columns
    };
    if !pg && indexable(token) {
        let filter = if titles_only {
            format!("{{{}}} : ", columns[0])
        } else {
            String::new()
        };
        sql.push(&format!(
            "{} IN (SELECT rowid FROM {} WHERE {} MATCH ",
            c.id, c.fts, c.fts
        ))
        .bind(format!("{filter}{}", fts_phrase(token)))
        .push(")");
        return;
    }
    let like = if pg { " ILIKE " } else { " LIKE " };
    sql.push("(");
    for (i, col) in columns.iter().enumerate() {
        if i > 0 {
            sql.push(" OR ");
        }
        sql.push(&format!("{}.{col}{like}", c.alias))
            .bind(like_pattern(token))
            .push(" ESCAPE '\\'");
    }
    sql.push(")");
}

/// The condition that the tokens are in the columns (all of them, or any).
fn tokens_in(sql: &mut Sql, pg: bool, c: &Columns, o: &Options, titles_only: bool) {
    sql.push("(");
    for (i, t) in o.tokens.iter().enumerate() {
        if i > 0 {
            sql.push(if o.all_words { " AND " } else { " OR " });
        }
        token_in(sql, pg, c, t, titles_only);
    }
    sql.push(")");
}

/// `<id> IN (SELECT container_id FROM attachments a WHERE … )` for one container type.
fn in_attachments(sql: &mut Sql, pg: bool, id: &str, container: &str, o: &Options) {
    sql.push(&format!(
        "{id} IN (SELECT a.container_id FROM attachments a WHERE a.container_type = '{container}' AND "
    ));
    let c = Columns {
        id: "a.id",
        alias: "a",
        columns: &["filename", "description"],
        fts: "attachments_fts",
    };
    tokens_in(sql, pg, &c, o, false);
    sql.push(")");
}

/// The custom value sources of one object type: searchable fields seen everywhere in one
/// subquery, each field seen in some projects only in its own.
fn in_custom_values(
    sql: &mut Sql,
    pg: bool,
    (id, project): (&str, &str),
    customized: &str,
    fields: &[FieldScope],
    o: &Options,
) {
    let c = Columns {
        id: "cv.id",
        alias: "cv",
        columns: &["value"],
        fts: "custom_values_fts",
    };
    let everywhere: Vec<i64> = fields
        .iter()
        .filter(|f| f.projects.is_none())
        .map(|f| f.field)
        .collect();
    let source = |sql: &mut Sql, ids: &[i64]| {
        sql.push(&format!(
            "{id} IN (SELECT cv.customized_id FROM custom_values cv \
             WHERE cv.customized_type = '{customized}' AND "
        ));
        in_list(sql, "cv.custom_field_id", ids);
        sql.push(" AND ");
        tokens_in(sql, pg, &c, o, false);
        sql.push(")");
    };
    if !everywhere.is_empty() {
        sql.push(" OR ");
        source(sql, &everywhere);
    }
    for f in fields {
        if let Some(projects) = f.projects.as_ref().filter(|p| !p.is_empty()) {
            sql.push(" OR (");
            in_list(sql, project, projects);
            sql.push(" AND ");
            source(sql, &[f.field]);
            sql.push(")");
        }
    }
}

/// The projects of a type's records the search covers: where it is visible, within the
/// scope.
fn within(visible: &[i64], scope: &Option<Vec<i64>>) -> Vec<i64> {
    match scope {
        Some(s) => visible.iter().copied().filter(|p| s.contains(p)).collect(),
        None => visible.to_vec(),
    }
}

async fn hits(db: &Db, kind: Kind, sql: Sql) -> Result<Vec<Hit>> {
    Ok(db
        .rows(&sql.text, &sql.args)
        .await?
        .iter()
        .map(|r| Hit {
            kind,
            id: r.i64("id"),
            at: r.i64("at"),
        })
        .collect())
}

async fn issues(db: &Db, o: &Options, r: &Reach) -> Result<Vec<Hit>> {
    let pg = db.is_postgres();
    let mut sql = Sql::new("SELECT i.id, i.created_on AS at FROM issues i WHERE (");
    super::issue_query::append(&mut sql, &r.issues_visible);
    sql.push(")");
    if let Some(scope) = &r.scope {
        sql.push(" AND ");
        in_list(&mut sql, "i.project_id", scope);
    }
    if o.open_issues {
        sql.push(" AND i.status_id IN (SELECT id FROM issue_statuses WHERE is_closed = FALSE)");
    }
    sql.push(" AND (1 = 0");
    if o.columns() {
        let c = Columns {
            id: "i.id",
            alias: "i",
            columns: &["subject", "description"],
            fts: "issues_fts",
        };
        sql.push(" OR ");
        tokens_in(&mut sql, pg, &c, o, o.titles_only);
    }
    if o.extra_sources() {
        let c = Columns {
            id: "j.id",
            alias: "j",
            columns: &["notes"],
            fts: "journals_fts",
        };
        let notes = |sql: &mut Sql, public_only: bool| {
            sql.push(
                "i.id IN (SELECT j.journalized_id FROM journals j \
                 WHERE j.journalized_type = 'Issue' AND ",
            );
            if public_only {
                sql.push("j.private_notes = FALSE AND ");
            }
            tokens_in(sql, pg, &c, o, false);
            sql.push(")");
        };
        sql.push(" OR ");
        notes(&mut sql, true);
        if !r.private_notes.is_empty() {
            sql.push(" OR (");
            in_list(&mut sql, "i.project_id", &r.private_notes);
            sql.push(" AND ");
            notes(&mut sql, false);
            sql.push(")");
        }
        in_custom_values(
            &mut sql,
            pg,
            ("i.id", "i.project_id"),
            "Issue",
            &r.issue_fields,
            o,
        );
    }
    if o.attachment_source() {
        sql.push(" OR ");
        in_attachments(&mut sql, pg, "i.id", "Issue", o);
    }
    sql.push(")");
    hits(db, Kind::Issues, sql).await
}

async fn news(db: &Db, o: &Options, r: &Reach) -> Result<Vec<Hit>> {
    let pg = db.is_postgres();
    let mut sql = Sql::new("SELECT n.id, n.created_on AS at FROM news n WHERE ");
    in_list(&mut sql, "n.project_id", &within(&r.news, &r.scope));
    sql.push(" AND (1 = 0");
    if o.columns() {
        let c = Columns {
            id: "n.id",
            alias: "n",
            columns: &["title", "summary", "description"],
            fts: "news_fts",
        };
        sql.push(" OR ");
        tokens_in(&mut sql, pg, &c, o, o.titles_only);
    }
    if o.attachment_source() {
        sql.push(" OR ");
        in_attachments(&mut sql, pg, "n.id", "News", o);
    }
    sql.push(")");
    hits(db, Kind::News, sql).await
}

async fn wiki_pages(db: &Db, o: &Options, r: &Reach) -> Result<Vec<Hit>> {
    let pg = db.is_postgres();
    let mut sql = Sql::new(
        "SELECT wp.id, wp.created_on AS at FROM wiki_pages wp \
         JOIN wikis w ON w.id = wp.wiki_id \
         JOIN wiki_content_versions c ON c.page_id = wp.id AND c.version = \
         (SELECT MAX(v.version) FROM wiki_content_versions v WHERE v.page_id = wp.id) WHERE ",
    );
    in_list(&mut sql, "w.project_id", &within(&r.wiki, &r.scope));
    sql.push(" AND (1 = 0");
    if o.columns() {
        // the title is the page's, the text its current version's: a token is in either
        let title = Columns {
            id: "wp.id",
            alias: "wp",
            columns: &["title"],
            fts: "wiki_pages_fts",
        };
        let text = Columns {
            id: "c.id",
            alias: "c",
            columns: &["text"],
            fts: "wiki_texts_fts",
        };
        sql.push(" OR (");
        for (i, t) in o.tokens.iter().enumerate() {
            if i > 0 {
                sql.push(if o.all_words { " AND " } else { " OR " });
            }
            sql.push("(");
            token_in(&mut sql, pg, &title, t, false);
            if !o.titles_only {
                sql.push(" OR ");
                token_in(&mut sql, pg, &text, t, false);
            }
            sql.push(")");
        }
        sql.push(")");
    }
    if o.attachment_source() {
        sql.push(" OR ");
        in_attachments(&mut sql, pg, "wp.id", "WikiPage", o);
    }
    sql.push(")");
    hits(db, Kind::WikiPages, sql).await
}

async fn projects(db: &Db, o: &Options, r: &Reach) -> Result<Vec<Hit>> {
    let pg = db.is_postgres();
    let mut sql = Sql::new("SELECT p.id, p.created_on AS at FROM projects p WHERE ");
    in_list(&mut sql, "p.id", &within(&r.projects, &r.scope));
    sql.push(" AND (1 = 0");
    if o.columns() {
        let c = Columns {
            id: "p.id",
            alias: "p",
            columns: &["name", "identifier", "description"],
            fts: "projects_fts",
        };
        sql.push(" OR ");
        tokens_in(&mut sql, pg, &c, o, o.titles_only);
    }
    if o.extra_sources() {
        in_custom_values(
            &mut sql,
            pg,
            ("p.id", "p.id"),
            "Project",
            &r.project_fields,
            o,
        );
    }
    if o.attachment_source() {
        sql.push(" OR ");
        in_attachments(&mut sql, pg, "p.id", "Project", o);
    }
    sql.push(")");
    hits(db, Kind::Projects, sql).await
}

/// Every record of these types that matches, one statement per type.
pub async fn find(db: &Db, kinds: &[Kind], o: &Options, r: &Reach) -> Result<Vec<Hit>> {
    let mut out = Vec::new();
    for kind in kinds {
        out.extend(match kind {
            Kind::Issues => issues(db, o, r).await?,
            Kind::News => news(db, o, r).await?,
            Kind::WikiPages => wiki_pages(db, o, r).await?,
            Kind::Projects => projects(db, o, r).await?,
        });
    }
    Ok(out)
}

/// What a result shows: title parts, URL parts and description.
#[derive(Debug, Clone)]
pub struct Shown {
    pub kind: Kind,
    pub id: i64,
    /// Issue: tracker and status names, closed; wiki page: project identifier.
    pub tracker: String,
    pub status: String,
    pub closed: bool,
    pub identifier: String,
    pub title: String,
    pub description: Option<String>,
    pub at: i64,
}

/// The records of a page of results, one statement per type on it.
pub async fn show(db: &Db, page: &[Hit]) -> Result<Vec<Shown>> {
    let ids = |k: Kind| -> Vec<i64> { page.iter().filter(|h| h.kind == k).map(|h| h.id).collect() };
    let mut out = Vec::new();
    let statements: [(Kind, &str, &str); 4] = [
        (
            Kind::Issues,
            "SELECT i.id, i.subject AS title, i.description, i.created_on AS at, \
             t.name AS tracker, s.name AS status, s.is_closed AS closed, '' AS identifier \
             FROM issues i JOIN trackers t ON t.id = i.tracker_id \
             JOIN issue_statuses s ON s.id = i.status_id WHERE ",
            "i.id",
        ),
        (
            Kind::News,
            "SELECT n.id, n.title, n.description, n.created_on AS at, '' AS tracker, \
             '' AS status, FALSE AS closed, '' AS identifier FROM news n WHERE ",
            "n.id",
        ),
        (
            Kind::WikiPages,
            "SELECT wp.id, wp.title, c.text AS description, wp.created_on AS at, \
             '' AS tracker, '' AS status, FALSE AS closed, p.identifier \
             FROM wiki_pages wp JOIN wikis w ON w.id = wp.wiki_id \
             JOIN projects p ON p.id = w.project_id \
             JOIN wiki_content_versions c ON c.page_id = wp.id AND c.version = \
             (SELECT MAX(v.version) FROM wiki_content_versions v WHERE v.page_id = wp.id) \
             WHERE ",
            "wp.id",
        ),
        (
            Kind::Projects,
            "SELECT p.id, p.name AS title, p.description, p.created_on AS at, '' AS tracker, \
             '' AS status, FALSE AS closed, p.identifier FROM projects p WHERE ",
            "p.id",
        ),
    ];
    for (kind, select, id) in statements {
        let wanted = ids(kind);
        if wanted.is_empty() {
            continue;
        }
        let mut sql = Sql::new(select);
        in_list(&mut sql, id, &wanted);
        for r in db.rows(&sql.text, &sql.args).await? {
            out.push(Shown {
                kind,
                id: r.i64("id"),
                tracker: r.str("tracker"),
                status: r.str("status"),
                closed: r.bool("closed"),
                identifier: r.str("identifier"),
                title: r.str("title"),
                description: r.opt_str("description"),
                at: r.i64("at"),
            });
        }
    }
    Ok(out)
}
