//! Users (principals of type User and the anonymous user), their e-mail addresses,
//! preferences and API tokens.

use super::sql::{like_pattern, Sql};
use super::{now, Arg, Db, FromRow, Result, Row};

pub use crate::domain::users::STATUS_ACTIVE;

#[derive(Debug, Clone)]
pub struct User {
    pub id: i64,
    pub kind: String,
    pub login: String,
    pub hashed_password: String,
    pub salt: Option<String>,
    pub firstname: String,
    pub lastname: String,
    pub admin: bool,
    pub status: i64,
    pub last_login_on: Option<i64>,
    pub mail_notification: String,
    pub must_change_passwd: bool,
    pub passwd_changed_on: Option<i64>,
    pub twofa_scheme: Option<String>,
    pub created_on: i64,
    pub updated_on: i64,
    pub mail: Option<String>,
    pub hide_mail: bool,
}

impl User {
    pub fn is_anonymous(&self) -> bool {
        self.kind == "AnonymousUser"
    }
    pub fn is_active(&self) -> bool {
        self.status == STATUS_ACTIVE
    }
}

const SELECT: &str = "SELECT u.id, u.type, u.login, u.hashed_password, u.salt, u.firstname, \
    u.lastname, u.admin, u.status, u.last_login_on, u.mail_notification, \
    u.must_change_passwd, u.passwd_changed_on, u.twofa_scheme, u.created_on, u.updated_on, \
    e.address AS mail, COALESCE(p.hide_mail, TRUE) AS hide_mail \
    FROM users u \
    LEFT JOIN email_addresses e ON e.user_id = u.id AND e.is_default = TRUE \
    LEFT JOIN user_preferences p ON p.user_id = u.id ";

impl FromRow for User {
    fn from_row(r: &Row) -> Self {
        User {
            id: r.i64("id"),
            kind: r.str("type"),
            login: r.str("login"),
            hashed_password: r.str("hashed_password"),
            salt: r.opt_str("salt"),
            firstname: r.str("firstname"),
            lastname: r.str("lastname"),
            admin: r.bool("admin"),
            status: r.i64("status"),
            last_login_on: r.opt_i64("last_login_on"),
            mail_notification: r.str("mail_notification"),
            must_change_passwd: r.bool("must_change_passwd"),
            passwd_changed_on: r.opt_i64("passwd_changed_on"),
            twofa_scheme: r.opt_str("twofa_scheme"),
            created_on: r.i64("created_on"),
            updated_on: r.i64("updated_on"),
            mail: r.opt_str("mail"),
            hide_mail: r.bool("hide_mail"),
        }
    }
}

/// A user or the anonymous user by id; groups are not users.
pub async fn find(db: &Db, id: i64) -> Result<Option<User>> {
    let sql = format!("{SELECT} WHERE u.id = $1 AND u.type IN ('User', 'AnonymousUser')");
    db.opt(&sql, &[id.into()]).await
}

pub async fn anonymous(db: &Db) -> Result<Option<User>> {
    let sql = format!("{SELECT} WHERE u.type = 'AnonymousUser' ORDER BY u.id LIMIT 1");
    db.opt(&sql, &[]).await
}

/// The active user holding this API key. The same statement reads the change counter,
/// which then stands as the request's check of it (`cache::observed`), and the stamps of
/// the issue the request shows, if it shows one (`cache::stamped_issue`). On PostgreSQL
/// the keys of requests that come together are read together (`key_reads`).
pub async fn find_by_api_key(db: &Db, key: &str) -> Result<Option<User>> {
    static SQL: std::sync::OnceLock<[String; 2]> = std::sync::OnceLock::new();
    let [plain, stamped] = SQL.get_or_init(|| {
        let sql = |more: &str| {
            format!(
                "{}{more} {}",
                key_columns(),
                key_from("JOIN tokens t ON t.user_id = u.id AND t.value = $1")
            )
        };
        let stamps = format!(", {}", super::issues::stamp_columns("$2"));
        [sql(""), sql(&stamps)]
    });
    // unchanged since this key was last read: its user stands, and nothing need be read
    let version = db.data_version();
    if let Some(user) = version.and_then(|v| db.cache.quiet_key(key, v)) {
        return Ok(Some(user));
    }
    let issue = super::cache::stamped_issue();
    let row = if db.is_postgres() {
        super::key_reads::KeyReads::read(db, key, issue).await?
    } else {
        let rows = match issue {
            Some(issue) => db.rows(stamped, &[key.into(), issue.into()]).await?,
            None => db.rows(plain, &[key.into()]).await?,
        };
        rows.into_iter().next()
    };
    let Some(row) = row else {
        return Ok(None);
    };
    let user = User::from_row(&row);
    if let Some(generation) = row.opt_i64("generation") {
        db.cache.observed(generation);
        if let Some(version) = version {
            db.cache.keep_key(key, &user, generation, version);
        }
    }
    if issue.is_some() {
        super::cache::observe_stamps(super::issues::stamps_of(&row));
    }
    Ok(Some(user))
}

/// The user's columns and the change counter's, for a statement reading an API key's user.
fn key_columns() -> String {
    let (columns, _) = SELECT.split_once(" FROM ").expect("SELECT … FROM");
    format!("{columns}, (SELECT value FROM change_counter WHERE id = 1) AS generation")
}

/// The rest of that statement, the token found by `token` (a join on `t`).
fn key_from(token: &str) -> String {
    let (_, from) = SELECT.split_once(" FROM ").expect("SELECT … FROM");
    format!("FROM {from} {token} WHERE t.action = 'api' AND u.type = 'User' AND u.status = 1")
}

/// The statement reading several requests' keys at once (`key_reads`): `wanted` lists
/// `(place, key, issue)` rows; each user found comes with its place and its issue's stamps.
pub(super) fn by_api_keys(wanted: &str) -> String {
    format!(
        "SELECT q.wanted, {}, {} {}",
        key_columns().trim_start_matches("SELECT "),
        super::issues::stamp_columns("q.issue"),
        key_from(&format!(
            "JOIN tokens t ON t.user_id = u.id \
             JOIN (VALUES {wanted}) AS q(wanted, key, issue) ON t.value = q.key"
        ))
    )
}

/// Exact login match first, then a case-insensitive one.
pub async fn find_by_login(db: &Db, login: &str) -> Result<Option<User>> {
    let sql = format!(
        "{SELECT} WHERE u.type = 'User' AND LOWER(u.login) = LOWER($1) \
         ORDER BY CASE WHEN u.login = $1 THEN 0 ELSE 1 END, u.id LIMIT 1"
    );
    db.opt(&sql, &[login.into()]).await
}

#[derive(Debug, Default, Clone)]
pub struct ListFilter {
    /// None: every status of real users.
    pub status: Option<i64>,
    pub name: Option<String>,
    pub group_id: Option<i64>,
    /// `(column, descending)` pairs; empty means unordered (id order).
    pub order: Vec<(&'static str, bool)>,
}

fn filter_sql(f: &ListFilter, sql: &mut Sql) {
    sql.push(" WHERE u.type = 'User'");
    if let Some(status) = f.status {
        sql.push(" AND u.status = ").bind(status);
    }
    if let Some(group) = f.group_id {
        sql.push(" AND u.id IN (SELECT user_id FROM groups_users WHERE group_id = ")
            .bind(group)
            .push(")");
    }
    if let Some(name) = f.name.as_deref().filter(|n| !n.trim().is_empty()) {
        let p = like_pattern(name);
        sql.push(" AND (LOWER(u.login) LIKE ")
            .bind(p.clone())
            .push(" ESCAPE '\\' OR u.id IN (SELECT user_id FROM email_addresses WHERE LOWER(address) LIKE ")
            .bind(p)
            .push(" ESCAPE '\\')");
        let tokens: Vec<&str> = name.split_whitespace().collect();
        if !tokens.is_empty() {
            sql.push(" OR (");
            for (i, token) in tokens.iter().enumerate() {
                if i > 0 {
                    sql.push(" AND ");
                }
                let t = like_pattern(token);
                sql.push("(LOWER(u.firstname) LIKE ")
                    .bind(t.clone())
                    .push(" ESCAPE '\\' OR LOWER(u.lastname) LIKE ")
                    .bind(t)
                    .push(" ESCAPE '\\')");
            }
            sql.push(")");
        }
        sql.push(")");
    }
}

/// One page of users and the number of all matching users.
pub async fn list(db: &Db, f: &ListFilter, offset: i64, limit: i64) -> Result<(i64, Vec<User>)> {
    let mut count = Sql::new("SELECT COUNT(*) FROM users u");
    filter_sql(f, &mut count);
    let mut page = Sql::new(SELECT);
    filter_sql(f, &mut page);
    if f.order.is_empty() {
        page.push(" ORDER BY u.id");
    } else {
        let cols: Vec<String> = f
            .order
            .iter()
            .map(|(c, desc)| super::sql::order_term(&format!("u.{c}"), *desc))
            .collect();
        page.push(" ORDER BY ")
            .push(&cols.join(", "))
            .push(", u.id");
    }
    page.page(db.is_postgres(), limit, offset);
    let total = db.int(&count.text, &count.args).await?;
    let users = db.all(&page.text, &page.args).await?;
    Ok((total, users))
}

/// The user's API key, created on first read as Redmine does.
pub async fn api_key(db: &Db, user_id: i64) -> Result<String> {
    let found = db
        .rows(
            "SELECT value FROM tokens WHERE user_id = $1 AND action = 'api' ORDER BY id LIMIT 1",
            &[user_id.into()],
        )
        .await?;
    if let Some(row) = found.first() {
        return Ok(row.str("value"));
    }
    let key = crate::domain::password::random_hex40();
    db.exec(
        "INSERT INTO tokens (user_id, action, value, created_on) VALUES ($1, 'api', $2, $3)",
        &[user_id.into(), key.clone().into(), now().into()],
    )
    .await?;
    Ok(key)
}

/// `(id, name)` of the groups the user belongs to, by name.
pub async fn groups_of(db: &Db, user_id: i64) -> Result<Vec<(i64, String)>> {
    let load = async {
        Ok(db
            .rows(
                "SELECT g.id, g.lastname FROM groups_users gu JOIN users g ON g.id = gu.group_id \
                 WHERE gu.user_id = $1 AND g.type = 'Group' ORDER BY g.lastname, g.id",
                &[user_id.into()],
            )
            .await?
            .iter()
            .map(|r| (r.i64("id"), r.str("lastname")))
            .collect::<Vec<_>>())
    };
    let groups = db
        .cache
        .get(db, format!("groups_of:{user_id}"), load)
        .await?;
    Ok((*groups).clone())
}

pub async fn touch_last_login(db: &Db, user_id: i64) -> Result<()> {
    db.exec(
        "UPDATE users SET last_login_on = $1 WHERE id = $2",
        &[now().into(), user_id.into()],
    )
    .await
    .map(|_| ())
}

/// Whether another user already has this login (case-insensitively).
pub async fn login_taken(db: &Db, login: &str, except: Option<i64>) -> Result<bool> {
    db.int(
        "SELECT COUNT(*) FROM users WHERE LOWER(login) = LOWER($1) AND id <> $2",
        &[login.into(), except.unwrap_or(0).into()],
    )
    .await
    .map(|n| n > 0)
}

/// Whether another user already has this address among any of theirs.
pub async fn mail_taken(db: &Db, mail: &str, except: Option<i64>) -> Result<bool> {
    db.int(
        "SELECT COUNT(*) FROM email_addresses WHERE LOWER(address) = LOWER($1) AND user_id <> $2",
        &[mail.into(), except.unwrap_or(0).into()],
    )
    .await
    .map(|n| n > 0)
}

pub use crate::domain::users::UserChanges;

/// Inserts a user with its address, preferences and API key in one transaction.
pub async fn create(db: &Db, c: &UserChanges, hide_mail_default: bool) -> Result<i64> {
    let t = now();
    let passwd_changed_on: Option<i64> = c.hashed_password.as_ref().map(|_| t);
    let mut tx = db.begin().await?;
    let id = tx
        .int(
            "INSERT INTO users (type, login, hashed_password, firstname, lastname, admin, status, \
             language, mail_notification, must_change_passwd, passwd_changed_on, created_on, updated_on) \
             VALUES ('User', $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
            &[
                c.login.clone().unwrap_or_default().into(),
                c.hashed_password.clone().unwrap_or_default().into(),
                c.firstname.clone().unwrap_or_default().into(),
                c.lastname.clone().unwrap_or_default().into(),
                c.admin.unwrap_or(false).into(),
                c.status.unwrap_or(STATUS_ACTIVE).into(),
                c.language.clone().unwrap_or_default().into(),
                c.mail_notification
                    .clone()
                    .unwrap_or_else(|| "only_my_events".into())
                    .into(),
                c.must_change_passwd.unwrap_or(false).into(),
                passwd_changed_on.into(),
                t.into(),
            ],
        )
        .await?;
    if let Some(mail) = &c.mail {
        tx.exec(
            "INSERT INTO email_addresses (user_id, address, is_default, notify, created_on, updated_on) \
             VALUES ($1, $2, TRUE, TRUE, $3, $3)",
            &[id.into(), mail.into(), t.into()],
        )
        .await?;
    }
    tx.exec(
        "INSERT INTO user_preferences (user_id, hide_mail, time_zone) VALUES ($1, $2, $3)",
        &[
            id.into(),
            c.hide_mail.unwrap_or(hide_mail_default).into(),
            c.time_zone.clone().unwrap_or_default().into(),
        ],
    )
    .await?;
    tx.exec(
        "INSERT INTO tokens (user_id, action, value, created_on) VALUES ($1, 'api', $2, $3)",
        &[
            id.into(),
            crate::domain::password::random_hex40().into(),
            t.into(),
        ],
    )
    .await?;
    super::custom_values::set(&mut tx, "Principal", id, &c.custom).await?;
    tx.commit().await?;
    Ok(id)
}

/// Writes the given changes in one transaction; `updated_on` moves only when the user
/// row or its address changed.
pub async fn update(db: &Db, id: i64, c: &UserChanges) -> Result<()> {
    let t = now();
    let mut set = Sql::new("UPDATE users SET ");
    let col = |set: &mut Sql, name: &str, arg: Arg| {
        if !set.args.is_empty() {
            set.push(", ");
        }
        set.push(name).push(" = ").bind(arg);
    };
    if let Some(v) = &c.login {
        col(&mut set, "login", v.into());
    }
    if let Some(v) = &c.firstname {
        col(&mut set, "firstname", v.into());
    }
    if let Some(v) = &c.lastname {
        col(&mut set, "lastname", v.into());
    }
    if let Some(v) = c.admin {
        col(&mut set, "admin", v.into());
    }
    if let Some(v) = c.status {
        col(&mut set, "status", v.into());
    }
    if let Some(v) = &c.language {
        col(&mut set, "language", v.into());
    }
    if let Some(v) = &c.mail_notification {
        col(&mut set, "mail_notification", v.into());
    }
    if let Some(v) = c.must_change_passwd {
        col(&mut set, "must_change_passwd", v.into());
    }
    if let Some(v) = &c.hashed_password {
        col(&mut set, "hashed_password", v.into());
        col(&mut set, "salt", "".into());
        col(&mut set, "passwd_changed_on", t.into());
    }
    let mut touch_row = !set.args.is_empty();
    col(&mut set, "updated_on", t.into());
    set.push(" WHERE id = ").bind(id);

    let mut tx = db.begin().await?;
    if let Some(mail) = &c.mail {
        let changed = tx
            .exec(
                "UPDATE email_addresses SET address = $1, updated_on = $2 \
                 WHERE user_id = $3 AND is_default = TRUE AND address <> $1",
                &[mail.into(), t.into(), id.into()],
            )
            .await?;
        let exists = tx
            .int(
                "SELECT COUNT(*) FROM email_addresses WHERE user_id = $1 AND is_default = TRUE",
                &[id.into()],
            )
            .await?;
        if exists == 0 {
            tx.exec(
                "INSERT INTO email_addresses (user_id, address, is_default, notify, created_on, updated_on) \
                 VALUES ($1, $2, TRUE, TRUE, $3, $3)",
                &[id.into(), mail.into(), t.into()],
            )
            .await?;
        }
        touch_row |= changed > 0 || exists == 0;
    }
    if touch_row {
        tx.exec(&set.text, &set.args).await?;
    }
    if c.hide_mail.is_some() || c.time_zone.is_some() {
        tx.exec(
            "INSERT INTO user_preferences (user_id, hide_mail, time_zone) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id) DO UPDATE SET \
             hide_mail = CASE WHEN $4 THEN excluded.hide_mail ELSE user_preferences.hide_mail END, \
             time_zone = CASE WHEN $5 THEN excluded.time_zone ELSE user_preferences.time_zone END",
            &[
                id.into(),
                c.hide_mail.unwrap_or(true).into(),
                c.time_zone.clone().unwrap_or_default().into(),
                c.hide_mail.is_some().into(),
                c.time_zone.is_some().into(),
            ],
        )
        .await?;
    }
    if let Some(groups) = &c.group_ids {
        tx.exec("DELETE FROM groups_users WHERE user_id = $1", &[id.into()])
            .await?;
        for g in groups {
            tx.exec(
                "INSERT INTO groups_users (group_id, user_id) \
                 SELECT id, $2 FROM users WHERE id = $1 AND type = 'Group' \
                 ON CONFLICT DO NOTHING",
                &[(*g).into(), id.into()],
            )
            .await?;
        }
    }
    super::custom_values::set(&mut tx, "Principal", id, &c.custom).await?;
    tx.commit().await
}

/// Removes a user. Later resources re-point their references to the anonymous user here.
/// Returns the files of its attachment fields, for the caller to remove from the store.
pub async fn delete(db: &Db, id: i64) -> Result<Vec<(String, String)>> {
    let mut tx = db.begin().await?;
    let mut files = Vec::new();
    let n = tx
        .exec(
            "DELETE FROM users WHERE id = $1 AND type = 'User'",
            &[id.into()],
        )
        .await?;
    if n > 0 {
        // what the user wrote stays, signed by the anonymous user (Redmine's
        // remove_references_before_destroy); private queries go, public ones stay
        let anonymous = tx
            .int("SELECT id FROM users WHERE type = 'AnonymousUser'", &[])
            .await?;
        files = super::custom_values::delete_of(&mut tx, "Principal", &[id]).await?;
        let user = id.to_string();
        let anon = anonymous.to_string();
        let mut steps: Vec<(&str, Vec<super::Arg>)> = vec![
            (
                "DELETE FROM custom_values WHERE customized_type = 'Principal' AND customized_id = $1",
                vec![id.into()],
            ),
            (
                "UPDATE issues SET author_id = $1 WHERE author_id = $2",
                vec![anonymous.into(), id.into()],
            ),
            (
                "UPDATE issues SET assigned_to_id = NULL WHERE assigned_to_id = $1",
                vec![id.into()],
            ),
            (
                "UPDATE journals SET user_id = $1 WHERE user_id = $2",
                vec![anonymous.into(), id.into()],
            ),
            (
                "UPDATE journal_details SET old_value = $1 \
                 WHERE property = 'attr' AND prop_key = 'assigned_to_id' AND old_value = $2",
                vec![anon.clone().into(), user.clone().into()],
            ),
            (
                "UPDATE journal_details SET value = $1 \
                 WHERE property = 'attr' AND prop_key = 'assigned_to_id' AND value = $2",
                vec![anon.into(), user.clone().into()],
            ),
            (
                "DELETE FROM queries WHERE user_id = $1 AND visibility = 0",
                vec![id.into()],
            ),
            (
                "UPDATE queries SET user_id = $1 WHERE user_id = $2",
                vec![anonymous.into(), id.into()],
            ),
            (
                "DELETE FROM custom_values WHERE value = $1 AND custom_field_id IN \
                 (SELECT id FROM custom_fields WHERE field_format = 'user')",
                vec![user.into()],
            ),
        ];
        // the later resources' authors, signed by the anonymous user too
        for sql in [
            "UPDATE attachments SET author_id = $1 WHERE author_id = $2",
            "UPDATE comments SET author_id = $1 WHERE author_id = $2",
            "UPDATE news SET author_id = $1 WHERE author_id = $2",
            "UPDATE time_entries SET user_id = $1 WHERE user_id = $2",
            "UPDATE time_entries SET author_id = $1 WHERE author_id = $2",
            "UPDATE wiki_content_versions SET author_id = $1 WHERE author_id = $2",
        ] {
            steps.push((sql, vec![anonymous.into(), id.into()]));
        }
        for (sql, args) in steps {
            tx.exec(sql, &args).await?;
        }
    }
    tx.commit().await?;
    Ok(files)
}

/// Whether an active administrator other than this user exists.
pub async fn other_active_admin_exists(db: &Db, id: i64) -> Result<bool> {
    db.int(
        "SELECT COUNT(*) FROM users WHERE type = 'User' AND admin = TRUE AND status = 1 AND id <> $1",
        &[id.into()],
    )
    .await
    .map(|n| n > 0)
}

/// A principal's type (`User`, `Group`, `AnonymousUser`, …) and status, if it exists.
pub async fn principal_kind(db: &Db, id: i64) -> Result<Option<(String, i64)>> {
    Ok(db
        .rows("SELECT type, status FROM users WHERE id = $1", &[id.into()])
        .await?
        .first()
        .map(|r| (r.str("type"), r.i64("status"))))
}

/// The `users_visibility` of the roles that decide what users `user` sees: its
/// memberships' roles when it has any, else its builtin role's.
pub async fn users_visibilities(db: &Db, user: i64, logged: bool) -> Result<Vec<String>> {
    if logged {
        let rows = db
            .rows(
                "SELECT r.users_visibility FROM members m JOIN projects p ON p.id = m.project_id \
                 JOIN member_roles mr ON mr.member_id = m.id JOIN roles r ON r.id = mr.role_id \
                 WHERE m.user_id = $1 AND p.status <> 9",
                &[user.into()],
            )
            .await?;
        if !rows.is_empty() {
            return Ok(rows.iter().map(|r| r.str("users_visibility")).collect());
        }
    }
    Ok(db
        .rows(
            "SELECT users_visibility FROM roles WHERE builtin = $1",
            &[(if logged { 1i64 } else { 2 }).into()],
        )
        .await?
        .iter()
        .map(|r| r.str("users_visibility"))
        .collect())
}

/// Which of these principals are members of any of these projects.
pub async fn members_among(db: &Db, principals: &[i64], projects: &[i64]) -> Result<Vec<i64>> {
    if principals.is_empty() || projects.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new("SELECT DISTINCT user_id FROM members WHERE ");
    super::sql::in_list(&mut sql, "user_id", principals);
    sql.push(" AND ");
    super::sql::in_list(&mut sql, "project_id", projects);
    Ok(db
        .rows(&sql.text, &sql.args)
        .await?
        .iter()
        .map(|r| r.i64("user_id"))
        .collect())
}

/// The principals among these ids that exist, with their status, in one statement.
pub async fn statuses_of(db: &Db, ids: &[i64]) -> Result<Vec<(i64, i64)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new("SELECT id, status FROM users WHERE ");
    super::sql::in_list(&mut sql, "id", ids);
    sql.push(" ORDER BY id");
    Ok(db
        .rows(&sql.text, &sql.args)
        .await?
        .iter()
        .map(|r| (r.i64("id"), r.i64("status")))
        .collect())
}
