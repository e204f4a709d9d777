//! OAuth applications, authorization codes and tokens.

use super::{now, Db, FromRow, Result, Row};

#[derive(Debug, Clone)]
pub struct Application {
    pub id: i64,
    pub name: String,
    pub uid: String,
    pub secret_hash: String,
    /// One URI per line.
    pub redirect_uri: String,
    /// Space-separated.
    pub scopes: String,
    pub confidential: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

impl FromRow for Application {
    fn from_row(r: &Row) -> Self {
        Application {
            id: r.i64("id"),
            name: r.str("name"),
            uid: r.str("uid"),
            secret_hash: r.str("secret_hash"),
            redirect_uri: r.str("redirect_uri"),
            scopes: r.str("scopes"),
            confidential: r.bool("confidential"),
            created_at: r.i64("created_at"),
            updated_at: r.i64("updated_at"),
        }
    }
}

const APPLICATION: &str = "SELECT id, name, uid, secret_hash, redirect_uri, scopes, confidential, \
    created_at, updated_at FROM oauth_applications";

pub async fn applications(db: &Db) -> Result<Vec<Application>> {
    db.all(&format!("{APPLICATION} ORDER BY id"), &[]).await
}

pub async fn application(db: &Db, id: i64) -> Result<Option<Application>> {
    db.opt(&format!("{APPLICATION} WHERE id = $1"), &[id.into()])
        .await
}

pub async fn application_by_uid(db: &Db, uid: &str) -> Result<Option<Application>> {
    db.opt(&format!("{APPLICATION} WHERE uid = $1"), &[uid.into()])
        .await
}

/// What an application is registered with.
#[derive(Debug, Clone)]
pub struct NewApplication {
    pub name: String,
    pub uid: String,
    pub secret_hash: String,
    pub redirect_uri: String,
    pub scopes: String,
    pub confidential: bool,
}

pub async fn create_application(db: &Db, a: &NewApplication) -> Result<i64> {
    let t = now();
    db.int(
        "INSERT INTO oauth_applications (name, uid, secret_hash, redirect_uri, scopes, \
         confidential, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         RETURNING id",
        &[
            a.name.clone().into(),
            a.uid.clone().into(),
            a.secret_hash.clone().into(),
            a.redirect_uri.clone().into(),
            a.scopes.clone().into(),
            a.confidential.into(),
            t.into(),
            t.into(),
        ],
    )
    .await
}

/// Changes what an application may be changed in.
pub async fn update_application(
    db: &Db,
    id: i64,
    name: &str,
    redirect_uri: &str,
    scopes: &str,
    confidential: bool,
) -> Result<()> {
    db.exec(
        "UPDATE oauth_applications SET name = $1, redirect_uri = $2, scopes = $3, \
         confidential = $4, updated_at = $5 WHERE id = $6",
        &[
            name.into(),
            redirect_uri.into(),
            scopes.into(),
            confidential.into(),
            now().into(),
            id.into(),
        ],
    )
    .await?;
    Ok(())
}

pub async fn set_secret(db: &Db, id: i64, secret_hash: &str) -> Result<()> {
    db.exec(
        "UPDATE oauth_applications SET secret_hash = $1, updated_at = $2 WHERE id = $3",
        &[secret_hash.into(), now().into(), id.into()],
    )
    .await?;
    Ok(())
}

/// Deletes an application with its codes and tokens.
pub async fn delete_application(db: &Db, id: i64) -> Result<()> {
    db.exec("DELETE FROM oauth_applications WHERE id = $1", &[id.into()])
        .await?;
    Ok(())
}

/// The user and scopes of an access token, or why it is refused (expired, revoked, or
/// its user locked); none for a token never issued.
pub async fn token_user(
    db: &Db,
    token: &str,
) -> Result<Option<std::result::Result<(super::users::User, Vec<String>), &'static str>>> {
    let rows = db
        .rows(
            "SELECT user_id, scopes, expires_at, revoked_at FROM oauth_tokens \
             WHERE token_hash = $1",
            &[crate::domain::oauth::token_hash(token).into()],
        )
        .await?;
    let Some(r) = rows.first() else {
        return Ok(None);
    };
    if r.opt_i64("revoked_at").is_some() {
        return Ok(Some(Err("The access token was revoked")));
    }
    if r.i64("expires_at") <= now() {
        return Ok(Some(Err("The access token expired")));
    }
    Ok(Some(
        match super::users::find(db, r.i64("user_id")).await? {
            Some(u) if u.is_active() => {
                Ok((u, crate::domain::oauth::parse_scopes(&r.str("scopes"))))
            }
            _ => Err("The access token is invalid"),
        },
    ))
}

/// An authorization code, as stored.
#[derive(Debug, Clone)]
pub struct Grant {
    pub id: i64,
    pub user_id: i64,
    pub redirect_uri: String,
    pub scopes: String,
    pub code_challenge: Option<String>,
    pub expires_at: i64,
}

/// Keeps a new authorization code (its hash).
pub async fn create_grant(
    db: &Db,
    application: i64,
    user: i64,
    code: &str,
    redirect_uri: &str,
    scopes: &str,
    challenge: Option<&str>,
) -> Result<()> {
    let t = now();
    db.exec(
        "INSERT INTO oauth_grants (application_id, user_id, code_hash, redirect_uri, scopes, \
         code_challenge, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            application.into(),
            user.into(),
            crate::domain::oauth::token_hash(code).into(),
            redirect_uri.into(),
            scopes.into(),
            challenge.map(str::to_owned).into(),
            (t + crate::domain::oauth::CODE_TTL).into(),
            t.into(),
        ],
    )
    .await?;
    Ok(())
}

/// A code used a second time: the tokens its first use gave (and their refreshed
/// successors) are revoked (RFC 6749 §4.1.2); false when the code was never issued.
pub async fn revoke_reused(db: &Db, application: i64, code: &str) -> Result<bool> {
    let rows = db
        .rows(
            "SELECT id FROM oauth_grants WHERE code_hash = $1 AND application_id = $2",
            &[
                crate::domain::oauth::token_hash(code).into(),
                application.into(),
            ],
        )
        .await?;
    let Some(grant) = rows.first().map(|r| r.i64("id")) else {
        return Ok(false);
    };
    db.exec(
        "UPDATE oauth_tokens SET revoked_at = $1 WHERE grant_id = $2 AND revoked_at IS NULL",
        &[now().into(), grant.into()],
    )
    .await?;
    Ok(true)
}

/// Takes an authorization code of an application: it can be taken once, whatever follows.
pub async fn take_grant(db: &Db, application: i64, code: &str) -> Result<Option<Grant>> {
    let rows = db
        .rows(
            "UPDATE oauth_grants SET revoked_at = $1 WHERE code_hash = $2 \
             AND application_id = $3 AND revoked_at IS NULL \
             RETURNING id, user_id, redirect_uri, scopes, code_challenge, expires_at",
            &[
                now().into(),
                crate::domain::oauth::token_hash(code).into(),
                application.into(),
            ],
        )
        .await?;
    Ok(rows.first().map(|r| Grant {
        id: r.i64("id"),
        user_id: r.i64("user_id"),
        redirect_uri: r.str("redirect_uri"),
        scopes: r.str("scopes"),
        code_challenge: r.opt_str("code_challenge"),
        expires_at: r.i64("expires_at"),
    }))
}

/// A new access token with its refresh token (both returned in clear, stored hashed).
#[derive(Debug, Clone)]
pub struct Issued {
    pub access_token: String,
    pub refresh_token: String,
    pub scopes: String,
    pub created_at: i64,
}

pub async fn create_token(
    db: &Db,
    (application, grant): (i64, Option<i64>),
    user: i64,
    scopes: &str,
) -> Result<Issued> {
    use crate::domain::oauth::{random_token, token_hash, ACCESS_TOKEN_TTL};
    let issued = Issued {
        access_token: random_token(),
        refresh_token: random_token(),
        scopes: scopes.to_owned(),
        created_at: now(),
    };
    db.exec(
        "INSERT INTO oauth_tokens (application_id, user_id, token_hash, refresh_hash, scopes, \
         expires_at, created_at, grant_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            application.into(),
            user.into(),
            token_hash(&issued.access_token).into(),
            token_hash(&issued.refresh_token).into(),
            scopes.into(),
            (issued.created_at + ACCESS_TOKEN_TTL).into(),
            issued.created_at.into(),
            grant.into(),
        ],
    )
    .await?;
    Ok(issued)
}

/// Uses a refresh token of an application: its token is revoked (rotation), and its user,
/// scopes and code are returned for the new one; none when it is unknown or already used.
pub async fn use_refresh_token(
    db: &Db,
    application: i64,
    refresh: &str,
) -> Result<Option<(i64, String, Option<i64>)>> {
    let rows = db
        .rows(
            "UPDATE oauth_tokens SET revoked_at = $1 WHERE refresh_hash = $2 \
             AND application_id = $3 AND revoked_at IS NULL RETURNING user_id, scopes, grant_id",
            &[
                now().into(),
                crate::domain::oauth::token_hash(refresh).into(),
                application.into(),
            ],
        )
        .await?;
    Ok(rows
        .first()
        .map(|r| (r.i64("user_id"), r.str("scopes"), r.opt_i64("grant_id"))))
}

/// Revokes the token an access or refresh token names, if the application's.
pub async fn revoke(db: &Db, application: i64, token: &str) -> Result<()> {
    let hash = crate::domain::oauth::token_hash(token);
    db.exec(
        "UPDATE oauth_tokens SET revoked_at = $1 WHERE (token_hash = $2 OR refresh_hash = $2) \
         AND application_id = $3 AND revoked_at IS NULL",
        &[now().into(), hash.into(), application.into()],
    )
    .await?;
    Ok(())
}

/// What `GET /oauth/token/info` tells of a live access token: user, scopes, seconds
/// left, the application's client id, creation time.
pub async fn token_info(db: &Db, token: &str) -> Result<Option<(i64, String, i64, String, i64)>> {
    let rows = db
        .rows(
            "SELECT t.user_id, t.scopes, t.expires_at, t.created_at, a.uid FROM oauth_tokens t \
             JOIN oauth_applications a ON a.id = t.application_id \
             JOIN users u ON u.id = t.user_id AND u.status = 1 \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2",
            &[crate::domain::oauth::token_hash(token).into(), now().into()],
        )
        .await?;
    Ok(rows.first().map(|r| {
        (
            r.i64("user_id"),
            r.str("scopes"),
            r.i64("expires_at") - now(),
            r.str("uid"),
            r.i64("created_at"),
        )
    }))
}

/// The applications a user has live tokens for, with when the first was made.
pub async fn authorized_applications(db: &Db, user: i64) -> Result<Vec<(Application, i64)>> {
    let rows = db
        .rows(
            "SELECT a.id, a.name, a.uid, a.secret_hash, a.redirect_uri, a.scopes, a.confidential, \
             a.created_at, a.updated_at, MIN(t.created_at) AS since FROM oauth_applications a \
             JOIN oauth_tokens t ON t.application_id = a.id WHERE t.user_id = $1 \
             AND t.revoked_at IS NULL GROUP BY a.id, a.name, a.uid, a.secret_hash, \
             a.redirect_uri, a.scopes, a.confidential, a.created_at, a.updated_at ORDER BY a.id",
            &[user.into()],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| (Application::from_row(r), r.i64("since")))
        .collect())
}

/// Revokes every token and code a user gave an application.
pub async fn revoke_authorization(db: &Db, user: i64, application: i64) -> Result<()> {
    let t = now();
    for sql in [
        "UPDATE oauth_tokens SET revoked_at = $1 WHERE user_id = $2 AND application_id = $3 \
         AND revoked_at IS NULL",
        "UPDATE oauth_grants SET revoked_at = $1 WHERE user_id = $2 AND application_id = $3 \
         AND revoked_at IS NULL",
    ] {
        db.exec(sql, &[t.into(), user.into(), application.into()])
            .await?;
    }
    Ok(())
}
