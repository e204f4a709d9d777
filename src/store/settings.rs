use super::{now, Db, Result};

pub async fn all(db: &Db) -> Result<Vec<(String, String)>> {
    Ok(db
        .rows("SELECT name, value FROM settings ORDER BY name", &[])
        .await?
        .iter()
        .map(|r| (r.str("name"), r.str("value")))
        .collect())
}

pub async fn set(db: &Db, name: &str, value: &str) -> Result<()> {
    db.exec(
        "INSERT INTO settings (name, value, updated_on) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_on = excluded.updated_on",
        &[name.into(), value.into(), now().into()],
    )
    .await
    .map(|_| ())
}
