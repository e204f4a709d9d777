//! Search (search.md): the records of each type whose text holds the tokens, and what a
//! page of results shows of them.
//!
//! A token of three characters or more is looked up in a trigram index (SQLite's FTS5
//! tables of migration 14, PostgreSQL's pg_trgm GIN indexes under ILIKE); shorter ones
//! are matched with LIKE. Each source (a record's columns, its journals, its custom values,
//! its attachments) is matched on its own, as Redmine does: all the tokens in one row of
//! it. The rows found are gathered first, then the records they belong to are read by id
//! and filtered for visibility, so the index, not the table, drives the statement.

use super::sql::{append, in_list, Sql};
use super::{Db, Result};
use crate::domain::search::{fts_phrase, indexable, like_pattern, Hit, Kind, Options};

/// A table whose rows are matched: its searched columns (the first is the title) and the
/// FTS5 table that indexes them under the same names.
struct Text<'a> {
    table: &'a str,
    columns: &'a [&'a str],
    fts: &'a str,
}

const ISSUES: Text = Text {
    table: "issues",
    columns: &["subject", "description"],
    fts: "issues_fts",
};
const JOURNALS: Text = Text {
    table: "journals",
    columns: &["notes"],
    fts: "journals_fts",
};
const CUSTOM_VALUES: Text = Text {
    table: "custom_values",
    columns: &["value"],
    fts: "custom_values_fts",
};
const ATTACHMENTS: Text = Text {
    table: "attachments",
    columns: &["filename", "description"],
    fts: "attachments_fts",
};
const NEWS: Text = Text {
    table: "news",
    columns: &["title", "summary", "description"],
    fts: "news_fts",
};
const DOCUMENTS: Text = Text {
    table: "documents",
    columns: &["title", "description"],
    fts: "documents_fts",
};
const MESSAGES: Text = Text {
    table: "messages",
    columns: &["subject", "content"],
    fts: "messages_fts",
};
const PROJECTS: Text = Text {
    table: "projects",
    columns: &["name", "identifier", "description"],
    fts: "projects_fts",
};

/// An issue's value counts only while its field applies to the issue's tracker and
/// project (a value left from before does not, as the API does not show it).
const ISSUE_FIELD_APPLIES: &str = " AND EXISTS (SELECT 1 FROM issues x \
    WHERE x.id = r.customized_id AND x.tracker_id IN (SELECT t.tracker_id \
    FROM custom_fields_trackers t WHERE t.custom_field_id = r.custom_field_id) \
    AND (EXISTS (SELECT 1 FROM custom_fields f WHERE f.id = r.custom_field_id \
    AND f.is_for_all = TRUE) OR x.project_id IN (SELECT p.project_id \
    FROM custom_fields_projects p WHERE p.custom_field_id = r.custom_field_id)))";

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
    pub documents: Vec<i64>,
    pub wiki: Vec<i64>,
    pub messages: Vec<i64>,
    /// Projects the caller sees (`view_project`).
    pub projects: Vec<i64>,
    /// Projects whose files the caller sees (`view_files`).
    pub files: Vec<i64>,
    pub project_fields: Vec<FieldScope>,
}

/// `(x.a LIKE p OR x.b LIKE p …)` for one token.
fn like_any(sql: &mut Sql, pg: bool, alias: &str, columns: &[&str], token: &str) {
    let like = if pg { " ILIKE " } else { " LIKE " };
    sql.push("(");
    for (i, col) in columns.iter().enumerate() {
        if i > 0 {
            sql.push(" OR ");
        }
        let name = if alias.is_empty() {
            (*col).to_owned()
        } else {
            format!("{alias}.{col}")
        };
        sql.push(&format!("{name}{like}"))
            .bind(like_pattern(token))
            .push(" ESCAPE '\\'");
    }
    sql.push(")");
}

/// The ids of the rows of `t` holding the tokens (all of them, or any), each token in
/// one of the columns (the first only for `titles_only`).
fn matching_rows(sql: &mut Sql, pg: bool, t: &Text, o: &Options, titles_only: bool) {
    let columns = if titles_only {
        &t.columns[..1]
    } else {
        t.columns
    };
    let joiner = if o.all_words { " AND " } else { " OR " };
    if pg {
        // the GIN trigram indexes serve ILIKE, and the planner combines them
        sql.push(&format!("SELECT x.id FROM {} x WHERE ", t.table));
        for (i, token) in o.tokens.iter().enumerate() {
            if i > 0 {
                sql.push(joiner);
            }
            like_any(sql, pg, "x", columns, token);
        }
        return;
    }
    // the indexable tokens in one FTS5 query, each shorter one by LIKE
    let (long, short): (Vec<&String>, Vec<&String>) = o.tokens.iter().partition(|t| indexable(t));
    let mut parts = 0;
    if !long.is_empty() {
        let filter = if titles_only {
            format!("{{{}}} : ", columns[0])
        } else {
            String::new()
        };
        let query: Vec<String> = long
            .iter()
            .map(|t| format!("{filter}{}", fts_phrase(t)))
            .collect();
        sql.push(&format!(
            "SELECT rowid AS id FROM {0} WHERE {0} MATCH ",
            t.fts
        ))
        .bind(query.join(joiner));
        parts += 1;
    }
    for token in short {
        if parts > 0 {
            sql.push(if o.all_words {
                " INTERSECT "
            } else {
                " UNION "
            });
        }
        sql.push(&format!("SELECT x.id FROM {} x WHERE ", t.table));
        like_any(sql, pg, "x", columns, token);
        parts += 1;
    }
}

/// The pages whose title or current text holds the tokens: the two are in different
/// tables, so each token's pages are gathered and intersected (or united).
fn matching_pages(sql: &mut Sql, pg: bool, o: &Options) {
    const CURRENT: &str = "FROM wiki_pages x JOIN wiki_contents wc ON wc.page_id = x.id \
        JOIN wiki_content_versions c ON c.page_id = x.id AND c.version = wc.version";
    let columns: &[&str] = if o.titles_only {
        &["x.title"]
    } else {
        &["x.title", "c.text"]
    };
    if pg {
        sql.push(&format!("SELECT x.id {CURRENT} WHERE "));
        for (i, token) in o.tokens.iter().enumerate() {
            if i > 0 {
                sql.push(if o.all_words { " AND " } else { " OR " });
            }
            like_any(sql, pg, "", columns, token);
        }
        return;
    }
    for (i, token) in o.tokens.iter().enumerate() {
        if i > 0 {
            sql.push(if o.all_words {
                " INTERSECT "
            } else {
                " UNION "
            });
        }
        if !indexable(token) {
            sql.push(&format!("SELECT x.id {CURRENT} WHERE "));
            like_any(sql, pg, "", columns, token);
            continue;
        }
        sql.push(
            "SELECT id FROM (SELECT rowid AS id FROM wiki_pages_fts WHERE wiki_pages_fts MATCH ",
        )
        .bind(fts_phrase(token));
        if !o.titles_only {
            sql.push(
                " UNION SELECT c.page_id FROM wiki_content_versions c \
                 JOIN wiki_contents wc ON wc.page_id = c.page_id AND wc.version = c.version \
                 WHERE c.id IN (SELECT rowid FROM wiki_texts_fts WHERE wiki_texts_fts MATCH ",
            )
            .bind(fts_phrase(token))
            .push(")");
        }
        sql.push(")");
    }
}

/// The sources of one record type, each a `SELECT <record id> …`, united.
struct Sources<'a> {
    sql: &'a mut Sql,
    pg: bool,
    count: usize,
}

impl<'a> Sources<'a> {
    fn new(sql: &'a mut Sql, pg: bool) -> Sources<'a> {
        Sources { sql, pg, count: 0 }
    }

    /// Starts the next source.
    fn next(&mut self) -> &mut Sql {
        if self.count > 0 {
            self.sql.push(" UNION ");
        }
        self.count += 1;
        self.sql
    }

    /// The record's own columns.
    fn columns(&mut self, t: &Text, o: &Options) {
        let pg = self.pg;
        let sql = self.next();
        sql.push(&format!("SELECT r.id FROM {} r WHERE r.id IN (", t.table));
        matching_rows(sql, pg, t, o, o.titles_only);
        sql.push(")");
    }

    /// Rows of another table pointing at the record: `SELECT <owner> FROM <t> r WHERE
    /// <filter> AND r.id IN (matching)`.
    fn rows(&mut self, t: &Text, owner: &str, filter: impl FnOnce(&mut Sql), o: &Options) {
        let pg = self.pg;
        let sql = self.next();
        sql.push(&format!("SELECT {owner} FROM {} r WHERE ", t.table));
        filter(sql);
        sql.push(" AND r.id IN (");
        matching_rows(sql, pg, t, o, false);
        sql.push(")");
    }

    /// The record's attachments.
    fn attachments(&mut self, container: &str, o: &Options) {
        self.rows(
            &ATTACHMENTS,
            "r.container_id",
            |sql| {
                sql.push("r.container_type = ").bind(container.to_owned());
            },
            o,
        );
    }

    /// The record's values of searchable custom fields: the fields seen everywhere in one
    /// source, each field seen in some projects only in its own (`records`: the record
    /// table and its project column).
    fn custom_values(
        &mut self,
        customized: &str,
        fields: &[FieldScope],
        records: (&str, &str),
        applies: &'static str,
        o: &Options,
    ) {
        let everywhere: Vec<i64> = fields
            .iter()
            .filter(|f| f.projects.is_none())
            .map(|f| f.field)
            .collect();
        let kind = customized.to_owned();
        if !everywhere.is_empty() {
            let kind = kind.clone();
            self.rows(
                &CUSTOM_VALUES,
                "r.customized_id",
                |sql| {
                    sql.push("r.customized_type = ")
                        .bind(kind)
                        .push(applies)
                        .push(" AND ");
                    in_list(sql, "r.custom_field_id", &everywhere);
                },
                o,
            );
        }
        for f in fields {
            let Some(projects) = f.projects.as_ref().filter(|p| !p.is_empty()) else {
                continue;
            };
            let kind = kind.clone();
            self.rows(
                &CUSTOM_VALUES,
                "r.customized_id",
                |sql| {
                    sql.push("r.customized_type = ")
                        .bind(kind)
                        .push(applies)
                        .push(" AND r.custom_field_id = ")
                        .bind(f.field)
                        .push(&format!(
                            " AND EXISTS (SELECT 1 FROM {} x WHERE x.id = r.customized_id AND ",
                            records.0
                        ));
                    in_list(sql, &format!("x.{}", records.1), projects);
                    sql.push(")");
                },
                o,
            );
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

/// The newest `want` hits of one type (its `SELECT id, at`) and how many there are in
/// all; none when it had no source. The database counts and keeps the top rows itself, so
/// a common word costs no transfer of every match.
async fn hits(db: &Db, kind: Kind, sql: Sql, sources: usize, want: i64) -> Result<(Vec<Hit>, i64)> {
    if sources == 0 {
        return Ok((Vec::new(), 0));
    }
    let mut top = Sql::new("SELECT h.id, h.at, COUNT(*) OVER () AS total FROM (");
    append(&mut top, &sql);
    top.push(") h ORDER BY h.at DESC, h.id DESC LIMIT ")
        .bind(want.max(1));
    let rows = db.rows(&top.text, &top.args).await?;
    let total = rows.first().map_or(0, |r| r.i64("total"));
    let hits = rows
        .iter()
        .map(|r| Hit {
            kind,
            id: r.i64("id"),
            at: r.i64("at"),
        })
        .collect();
    Ok((hits, total))
}

async fn issues(db: &Db, o: &Options, r: &Reach, want: i64) -> Result<(Vec<Hit>, i64)> {
    let pg = db.is_postgres();
    let mut sql = Sql::new("SELECT i.id, i.created_on AS at FROM issues i WHERE i.id IN (");
    let mut s = Sources::new(&mut sql, pg);
    if o.columns() {
        s.columns(&ISSUES, o);
    }
    if o.extra_sources() {
        let issue = |sql: &mut Sql| {
            sql.push("r.journalized_type = 'Issue'");
        };
        s.rows(
            &JOURNALS,
            "r.journalized_id",
            |sql| {
                issue(sql);
                sql.push(" AND r.private_notes = FALSE");
            },
            o,
        );
        if !r.private_notes.is_empty() {
            s.rows(
                &JOURNALS,
                "r.journalized_id",
                |sql| {
                    issue(sql);
                    // checked row by row: the matches are few, the issues many
                    sql.push(
                        " AND r.private_notes = TRUE AND EXISTS (SELECT 1 FROM issues x \
                         WHERE x.id = r.journalized_id AND ",
                    );
                    in_list(sql, "x.project_id", &r.private_notes);
                    sql.push(")");
                },
                o,
            );
        }
        s.custom_values(
            "Issue",
            &r.issue_fields,
            ("issues", "project_id"),
            ISSUE_FIELD_APPLIES,
            o,
        );
    }
    if o.attachment_source() {
        s.attachments("Issue", o);
    }
    let sources = s.count;
    sql.push(") AND (");
    append(&mut sql, &r.issues_visible);
    sql.push(")");
    if let Some(scope) = &r.scope {
        sql.push(" AND ");
        in_list(&mut sql, "i.project_id", scope);
    }
    if o.open_issues {
        sql.push(" AND i.status_id IN (SELECT id FROM issue_statuses WHERE is_closed = FALSE)");
    }
    hits(db, Kind::Issues, sql, sources, want).await
}

/// A type found by its own columns and its files only, in the projects it is seen in:
/// `head` selects `id` and `at` and ends in `WHERE <id> IN (`; `project` names the
/// column its project is in.
struct Plain {
    kind: Kind,
    head: &'static str,
    text: &'static Text<'static>,
    container: &'static str,
    project: &'static str,
}

const PLAIN_NEWS: Plain = Plain {
    kind: Kind::News,
    head: "SELECT n.id, n.created_on AS at FROM news n WHERE n.id IN (",
    text: &NEWS,
    container: "News",
    project: "n.project_id",
};
const PLAIN_DOCUMENTS: Plain = Plain {
    kind: Kind::Documents,
    // (a document may have no date: first on either database, as oldest)
    head: "SELECT d.id, COALESCE(d.created_on, 0) AS at FROM documents d WHERE d.id IN (",
    text: &DOCUMENTS,
    container: "Document",
    project: "d.project_id",
};
const PLAIN_MESSAGES: Plain = Plain {
    kind: Kind::Messages,
    head: "SELECT m.id, m.created_on AS at FROM messages m JOIN boards b ON b.id = m.board_id \
           WHERE m.id IN (",
    text: &MESSAGES,
    container: "Message",
    project: "b.project_id",
};

async fn plain(
    db: &Db,
    t: &Plain,
    projects: &[i64],
    o: &Options,
    r: &Reach,
    want: i64,
) -> Result<(Vec<Hit>, i64)> {
    let mut sql = Sql::new(t.head);
    let mut s = Sources::new(&mut sql, db.is_postgres());
    if o.columns() {
        s.columns(t.text, o);
    }
    if o.attachment_source() {
        s.attachments(t.container, o);
    }
    let sources = s.count;
    sql.push(") AND ");
    in_list(&mut sql, t.project, &within(projects, &r.scope));
    hits(db, t.kind, sql, sources, want).await
}

async fn wiki_pages(db: &Db, o: &Options, r: &Reach, want: i64) -> Result<(Vec<Hit>, i64)> {
    let pg = db.is_postgres();
    let mut sql = Sql::new(
        "SELECT wp.id, wp.created_on AS at FROM wiki_pages wp \
         JOIN wikis w ON w.id = wp.wiki_id \
         JOIN wiki_contents wc ON wc.page_id = wp.id WHERE wp.id IN (",
    );
    let mut s = Sources::new(&mut sql, pg);
    if o.columns() {
        let sql = s.next();
        sql.push("SELECT id FROM (");
        matching_pages(sql, pg, o);
        sql.push(") pages");
    }
    if o.attachment_source() {
        s.attachments("WikiPage", o);
    }
    let sources = s.count;
    sql.push(") AND ");
    in_list(&mut sql, "w.project_id", &within(&r.wiki, &r.scope));
    hits(db, Kind::WikiPages, sql, sources, want).await
}

async fn projects(db: &Db, o: &Options, r: &Reach, want: i64) -> Result<(Vec<Hit>, i64)> {
    let pg = db.is_postgres();
    let mut sql = Sql::new("SELECT p.id, p.created_on AS at FROM projects p WHERE p.id IN (");
    let mut s = Sources::new(&mut sql, pg);
    if o.columns() {
        s.columns(&PROJECTS, o);
    }
    if o.extra_sources() {
        s.custom_values("Project", &r.project_fields, ("projects", "id"), "", o);
    }
    if o.attachment_source() {
        // a project is found by its files only where they are seen (Redmine 5.0.4 lets
        // anyone who sees the project find it by its file names)
        let files = within(&r.files, &r.scope);
        s.rows(
            &ATTACHMENTS,
            "r.container_id",
            |sql| {
                sql.push("r.container_type = 'Project' AND ");
                in_list(sql, "r.container_id", &files);
            },
            o,
        );
    }
    let sources = s.count;
    sql.push(") AND ");
    in_list(&mut sql, "p.id", &within(&r.projects, &r.scope));
    hits(db, Kind::Projects, sql, sources, want).await
}

/// The newest `want` matches of these types, merged, and how many match in all: one
/// statement per type.
pub async fn find(
    db: &Db,
    kinds: &[Kind],
    o: &Options,
    r: &Reach,
    want: i64,
) -> Result<(Vec<Hit>, i64)> {
    let mut out = Vec::new();
    let mut total = 0;
    for kind in kinds {
        let (hits, n) = match kind {
            Kind::Issues => issues(db, o, r, want).await?,
            Kind::News => plain(db, &PLAIN_NEWS, &r.news, o, r, want).await?,
            Kind::Documents => plain(db, &PLAIN_DOCUMENTS, &r.documents, o, r, want).await?,
            Kind::WikiPages => wiki_pages(db, o, r, want).await?,
            Kind::Messages => plain(db, &PLAIN_MESSAGES, &r.messages, o, r, want).await?,
            Kind::Projects => projects(db, o, r, want).await?,
        };
        out.extend(hits);
        total += n;
    }
    Ok((out, total))
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
    /// A message's board and the topic it replies to.
    pub board: i64,
    pub parent: Option<i64>,
}

/// The records of a page of results, one statement per type on it.
pub async fn show(db: &Db, page: &[Hit]) -> Result<Vec<Shown>> {
    let ids = |k: Kind| -> Vec<i64> { page.iter().filter(|h| h.kind == k).map(|h| h.id).collect() };
    let mut out = Vec::new();
    let statements: [(Kind, &str, &str); 6] = [
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
            Kind::Documents,
            "SELECT d.id, d.title, d.description, COALESCE(d.created_on, 0) AS at, '' AS tracker, \
             '' AS status, FALSE AS closed, '' AS identifier FROM documents d WHERE ",
            "d.id",
        ),
        (
            // the board's name is shown as the tracker's is for an issue
            Kind::Messages,
            "SELECT m.id, m.subject AS title, m.content AS description, m.created_on AS at, \
             b.name AS tracker, '' AS status, FALSE AS closed, '' AS identifier, \
             m.board_id AS board, m.parent_id AS parent \
             FROM messages m JOIN boards b ON b.id = m.board_id WHERE ",
            "m.id",
        ),
        (
            Kind::WikiPages,
            "SELECT wp.id, wp.title, c.text AS description, wp.created_on AS at, \
             '' AS tracker, '' AS status, FALSE AS closed, p.identifier \
             FROM wiki_pages wp JOIN wikis w ON w.id = wp.wiki_id \
             JOIN projects p ON p.id = w.project_id \
             JOIN wiki_contents wc ON wc.page_id = wp.id \
             JOIN wiki_content_versions c ON c.page_id = wp.id AND c.version = wc.version \
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
                board: if kind == Kind::Messages {
                    r.i64("board")
                } else {
                    0
                },
                parent: if kind == Kind::Messages {
                    r.opt_i64("parent")
                } else {
                    None
                },
            });
        }
    }
    Ok(out)
}
