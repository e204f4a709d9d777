use super::{now, Db, Result};
use crate::on_db;

pub async fn all(db: &Db) -> Result<Vec<(String, String)>> {
    on_db!(db, pool => sqlx::query_as("SELECT name, value FROM settings ORDER BY name")
        .fetch_all(pool)
        .await)
}

pub async fn set(db: &Db, name: &str, value: &str) -> Result<()> {
    on_db!(db, pool => sqlx::query(
        "INSERT INTO settings (name, value, updated_on) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_on = excluded.updated_on",
    )
    .bind(name)
    .bind(value)
    .bind(now())
    .execute(pool)
    .await
    .map(|_| ()))
}
