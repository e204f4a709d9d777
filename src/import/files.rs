//! Redmine's attachment files, checked against their digests, into carmine's store at
//! the same directory and name (which the attachments' rows keep).

use std::path::Path;

use sha2::Digest;

use super::source::{Cell, Source};
use crate::store::files::Files;

#[derive(Default)]
pub struct Copied {
    pub files: u64,
    pub bytes: u64,
    /// `(attachment id, why)` of each file not copied, or copied with a doubt.
    pub problems: Vec<(i64, String)>,
}

/// A stored name must stay inside the directory it names.
fn safe(part: &str) -> bool {
    !part.split(['/', '\\']).any(|p| p == "..") && !part.starts_with('/')
}

fn matches_digest(bytes: &[u8], digest: &str) -> Option<bool> {
    let digest = digest.trim().to_ascii_lowercase();
    match digest.len() {
        // Redmine 4 and later: SHA-256; earlier: MD5
        64 => Some(hex::encode(sha2::Sha256::digest(bytes)) == digest),
        32 => Some(hex::encode(md5::Md5::digest(bytes)) == digest),
        _ => None,
    }
}

pub async fn copy(
    source: &Source,
    from: &Path,
    files: &Files,
    mut progress: impl FnMut(u64),
) -> anyhow::Result<Copied> {
    let mut out = Copied::default();
    let columns: Vec<String> = ["id", "disk_directory", "disk_filename", "digest"]
        .map(String::from)
        .to_vec();
    let mut after = 0;
    loop {
        let rows = source
            .rows("attachments", &columns, "id", Some(after), 1000)
            .await?;
        let Some(last) = rows.last() else { break };
        after = last[0].int().unwrap_or(after + 1);
        for row in rows {
            progress(1);
            let [id, dir, name, digest] = <[Cell; 4]>::try_from(row).expect("four columns");
            let id = id.int().unwrap_or_default();
            let dir = dir.into_text().unwrap_or_default();
            let name = name.into_text().unwrap_or_default();
            if name.is_empty() || !safe(&dir) || !safe(&name) {
                out.problems
                    .push((id, format!("its file name {dir:?}/{name:?} is not usable")));
                continue;
            }
            let path = from.join(&dir).join(&name);
            let bytes = match tokio::fs::read(&path).await {
                Ok(b) => b,
                Err(e) => {
                    out.problems.push((id, format!("{}: {e}", path.display())));
                    continue;
                }
            };
            if let Some(false) = digest.text().and_then(|d| matches_digest(&bytes, d)) {
                out.problems.push((
                    id,
                    format!(
                        "{} does not match its digest (copied all the same)",
                        path.display()
                    ),
                ));
            }
            files
                .keep(&dir, &name, &bytes)
                .await
                .map_err(|e| anyhow::anyhow!("storing {}: {e}", path.display()))?;
            out.files += 1;
            out.bytes += bytes.len() as u64;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_stay_inside_and_digests_are_checked() {
        assert!(safe("2024/01") && safe("240108_x.png") && safe(""));
        assert!(!safe("../etc") && !safe("a/../../b") && !safe("/abs"));
        let sha = hex::encode(sha2::Sha256::digest(b"abc"));
        assert_eq!(matches_digest(b"abc", &sha), Some(true));
        assert_eq!(matches_digest(b"abd", &sha), Some(false));
        assert_eq!(
            matches_digest(b"abc", "900150983cd24fb0d6963f7d28e17f72"),
            Some(true)
        );
        assert_eq!(matches_digest(b"abc", ""), None);
    }
}
